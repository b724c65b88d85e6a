"""Language-model data: token ids from text, and the two ways the notes' LM is trained on them.

**Stream** (stateful training with truncated BPTT, for long texts such as Tiny Shakespeare): the
whole corpus is one stream of ids, ``"\\n"`` becoming ``<eos>`` (the notes end each sentence with
``<eos>``; for a character model this is one token per newline, so bits per character stay
comparable with char-rnn and nanoGPT). The stream is cut into B parallel columns and each batch is
the next T steps of every column; the model carries its state from one batch to the next and
backpropagates through T steps only::

    ids:  a b c d e f g h i j k l m n o p q r s t u v w x      (N = 24, B = 3)
    columns (B, N // B):   a b c d e f g h    <- column 0
                           i j k l m n o p    <- column 1
                           q r s t u v w x    <- column 2
    batch 0: x = [:, 0:3]  y = [:, 1:4]   (reset the state)
    batch 1: x = [:, 3:6]  y = [:, 4:7]   (carry the state from batch 0)
    batch 2: x = [:, 6:7]  y = [:, 7:8]   (a shorter last segment)

Each training epoch starts the columns at a different offset (< T), so segment boundaries move.

**Lines** (whole-sentence training, for corpora of one name or sentence per line): every line is
one sequence ``<bos> y<1> ... y<T>`` -> ``y<1> ... y<T> <eos>``, padded into batches of similar
lengths, from a fresh state.
"""

from __future__ import annotations

import random
from collections.abc import Sequence
from typing import Any

import torch
from torch import Tensor

from seqlab.text import BucketBatchSampler, Tokenizer, Vocabulary, pad_sequences

__all__ = [
    "SentenceBatches",
    "StreamBatches",
    "build_vocab",
    "corpus_lines",
    "encode_text",
    "sentence_ids",
    "split_corpus",
    "stream_ids",
]

MODES = ("stream", "lines")


def corpus_lines(text: str, mode: str) -> list[str]:
    """The lines of a text: every line for a stream, the non-blank ones for sentence training."""
    lines = text.split("\n")
    return lines if mode == "stream" else [line for line in lines if line.strip()]


def split_corpus(text: str, mode: str, val_fraction: float, *, seed: int = 0) -> tuple[str, str]:
    """Hold out a validation part of a corpus.

    A stream is split by position: the first ``1 - val_fraction`` of the characters train, the
    rest validates (as char-rnn and nanoGPT split Tiny Shakespeare). Lines are split at random
    (seeded), since sentence corpora are often sorted (the dinosaur names are alphabetical).

    Args:
        text: the corpus.
        mode: "stream" or "lines".
        val_fraction: the held-out share, in [0, 1).
        seed: the shuffle of lines.

    Returns:
        ``(train_text, val_text)``; ``val_text`` is "" when ``val_fraction`` is 0.

    Raises:
        ValueError: on a bad mode or fraction, or if either part would be empty.
    """
    _check_mode(mode)
    if not 0.0 <= val_fraction < 1.0:
        raise ValueError(f"val_fraction must be in [0, 1), got {val_fraction}")
    if val_fraction == 0:
        return text, ""
    if mode == "stream":
        cut = int(len(text) * (1 - val_fraction))
        train, val = text[:cut], text[cut:]
    else:
        lines = corpus_lines(text, mode)
        order = list(range(len(lines)))
        random.Random(seed).shuffle(order)
        n_val = round(len(lines) * val_fraction)
        val_idx = set(order[:n_val])
        train = "\n".join(line for i, line in enumerate(lines) if i not in val_idx)
        val = "\n".join(lines[i] for i in sorted(val_idx))
    if not train.strip() or not val.strip():
        raise ValueError(
            f"corpus too short to hold out val_fraction={val_fraction}: "
            f"{len(text)} characters, {len(corpus_lines(text, mode))} lines"
        )
    return train, val


def build_vocab(
    text: str,
    tokenizer: Tokenizer,
    mode: str,
    *,
    min_count: int = 1,
    max_size: int | None = None,
) -> Vocabulary:
    """The vocabulary of a training text (line by line; newlines become ``<eos>``, not tokens)."""
    _check_mode(mode)
    return Vocabulary.build(
        (tokenizer.tokenize(line) for line in corpus_lines(text, mode)),
        min_count=min_count,
        max_size=max_size,
    )


def encode_text(
    text: str, tokenizer: Tokenizer, vocab: Vocabulary, *, final_eos: bool = False
) -> tuple[list[str], list[int]]:
    """A text's tokens and ids, every newline an ``<eos>`` (and one at the end if asked).

    Returns:
        tokens: the tokens, ``"<eos>"`` for each line end.
        ids: their ids; tokens outside the vocabulary get ``<unk>``'s.
    """
    tokens: list[str] = []
    for i, line in enumerate(text.split("\n")):
        if i > 0:
            tokens.append(Vocabulary.EOS)
        tokens.extend(tokenizer.tokenize(line))
    if final_eos:
        tokens.append(Vocabulary.EOS)
    ids = [vocab.eos_id if t == Vocabulary.EOS else vocab.token_to_id(t) for t in tokens]
    return tokens, ids


def stream_ids(text: str, tokenizer: Tokenizer, vocab: Vocabulary) -> tuple[Tensor, int]:
    """A text as one stream of ids, ``<eos>`` for every newline.

    Returns:
        ids: (N,) long, N = tokens + newlines.
        n_unk: how many tokens were outside the vocabulary (mapped to ``<unk>``).
    """
    _, ids = encode_text(text, tokenizer, vocab)
    return torch.tensor(ids, dtype=torch.long), ids.count(vocab.unk_id)


def sentence_ids(text: str, tokenizer: Tokenizer, vocab: Vocabulary) -> tuple[list[list[int]], int]:
    """Every non-blank line as a list of ids (no ``<bos>`` / ``<eos>``), and the unknown count."""
    sentences, n_unk = [], 0
    for line in corpus_lines(text, "lines"):
        tokens = tokenizer.tokenize(line)
        n_unk += vocab.count_unknown(tokens)
        sentences.append(vocab.encode(tokens))
    return sentences, n_unk


class StreamBatches:
    """Truncated-BPTT batches over a stream of ids: a callable ``epoch -> list of batches``.

    A batch is ``{"x": (B, T) long, "y": (B, T) long, "reset": bool}``; ``reset`` is True on the
    first batch of an epoch (the model starts from a zero state there and carries its state to
    the next batch otherwise).

    Data-parallel (``world_size`` W > 1, under torchrun): the stream is cut into W * B columns
    and rank r keeps columns r*B .. r*B + B - 1, so every rank walks the same time segments of its
    own columns and carries its own state; one step of the W ranks is one step of a single
    process with W * B columns. The batches are then already this rank's (``presharded``)::

        stream -> W*B columns:  rank 0: rows 0..B-1 | rank 1: rows B..2B-1 | ...
        step k: every rank takes segment [k*T, (k+1)*T) of its own rows

    Args:
        ids: (N,) the stream.
        batch_size: B, the parallel columns (of this rank).
        bptt: T, the steps of one segment (how far gradients flow back).
        shift: start each epoch's columns at an offset in [0, T) drawn from (seed, epoch);
            False keeps offset 0 (validation).
        seed: the offsets' seed.
        rank: this process's rank (0 in a single process).
        world_size: W, the number of processes.

    Raises:
        ValueError: if the stream is too short for one batch (fewer than 2 ids per column).
    """

    def __init__(
        self,
        ids: Tensor,
        batch_size: int,
        bptt: int,
        *,
        shift: bool = False,
        seed: int = 0,
        rank: int = 0,
        world_size: int = 1,
    ) -> None:
        if batch_size < 1 or bptt < 1:
            raise ValueError(f"batch_size and bptt must be >= 1, got {batch_size}, {bptt}")
        if not 0 <= rank < world_size:
            raise ValueError(f"need 0 <= rank < world_size, got rank {rank} of {world_size}")
        self.ids, self.batch_size, self.bptt = ids, batch_size, bptt
        self.shift, self.seed = shift, seed
        self.rank, self.world_size = rank, world_size
        self.presharded = world_size > 1  # the Trainer then takes every batch on this rank
        extra = bptt - 1 if shift else 0  # epochs start up to T - 1 tokens in
        columns = batch_size * world_size
        if len(ids) - extra < 2 * columns:
            hint = "a smaller batch size" + (" or bptt" if shift and bptt > 1 else "")
            procs = f" x {world_size} processes" if world_size > 1 else ""
            raise ValueError(
                f"corpus too short for one batch: {len(ids)} tokens, but batch size {batch_size}"
                f"{procs} (2 tokens per column"
                f"{f' + up to {extra} of epoch offset' if extra else ''}) "
                f"needs at least {2 * columns + extra}; use {hint}"
            )

    def _offset(self, epoch: int) -> int:
        if not self.shift or epoch == 0:
            return 0
        return random.Random(self.seed * 1_000_003 + epoch).randrange(self.bptt)

    def columns(self, epoch: int = 0) -> Tensor:
        """(B, N // (W*B)): this rank's B of the W * B columns the stream is cut into, from
        this epoch's offset."""
        ids = self.ids[self._offset(epoch) :]
        total = self.batch_size * self.world_size
        n = len(ids) // total
        rows = slice(self.rank * self.batch_size, (self.rank + 1) * self.batch_size)
        return ids[: n * total].view(total, n)[rows]  # (B, n)

    def __len__(self) -> int:
        # The longest epoch (offset 0); a shifted epoch may have one batch less.
        return -(-(len(self.ids) // (self.batch_size * self.world_size) - 1) // self.bptt)

    def __call__(self, epoch: int) -> list[dict[str, Any]]:
        cols = self.columns(epoch)  # (B, n)
        batches = []
        for start in range(0, cols.shape[1] - 1, self.bptt):
            end = min(start + self.bptt, cols.shape[1] - 1)
            batches.append({
                "x": cols[:, start:end],  # (B, T)
                "y": cols[:, start + 1 : end + 1],  # (B, T)
                "reset": start == 0,
            })  # fmt: skip
        return batches


class SentenceBatches:
    """Whole-sentence batches: a callable ``epoch -> list of batches`` of similar lengths.

    A batch is ``{"x": (B, T) long, "y": (B, T) long, "lengths": (B,) long}``: x starts with
    ``start_id`` (``<bos>``), y ends with ``<eos>``, both padded with ``<pad>`` = 0.

    Args:
        sentences: lists of ids, without ``<bos>`` / ``<eos>``.
        batch_size: sentences per batch.
        start_id: the first input of every sentence.
        eos_id: the last target.
        shuffle: draw new batches each epoch (training); False keeps one fixed order.
        seed: the shuffle's seed.
    """

    def __init__(
        self,
        sentences: Sequence[Sequence[int]],
        batch_size: int,
        *,
        start_id: int,
        eos_id: int,
        shuffle: bool = False,
        seed: int = 0,
    ) -> None:
        if not sentences:
            raise ValueError("no sentences to batch (the corpus has no non-blank line)")
        self.inputs = [[start_id, *s] for s in sentences]
        self.targets = [[*s, eos_id] for s in sentences]
        self.sampler = BucketBatchSampler(
            [len(s) for s in self.inputs], batch_size, shuffle=shuffle, seed=seed
        )

    def __len__(self) -> int:
        return len(self.sampler)

    def __call__(self, epoch: int) -> list[dict[str, Tensor]]:
        self.sampler.set_epoch(epoch)
        batches = []
        for idx in self.sampler:
            x, lengths = pad_sequences([self.inputs[i] for i in idx])  # (B, T), (B,)
            y, _ = pad_sequences([self.targets[i] for i in idx])  # (B, T)
            batches.append({"x": x, "y": y, "lengths": lengths})
        return batches


def _check_mode(mode: str) -> None:
    if mode not in MODES:
        raise ValueError(f"mode must be one of {MODES}, got {mode!r}")
