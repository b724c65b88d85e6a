"""Parallel text: reading sentence pairs, building vocabularies, and batches for teacher forcing.

Pairs come from a TSV file (``source<TAB>target`` per line) or from two line-aligned files
(Multi30k's ``train.de`` / ``train.en``). A batch is

    {"src": (B, T_x), "src_lengths": (B,), "tgt_in": (B, T_y), "tgt_out": (B, T_y)}

where ``tgt_in`` is ``<bos> y<1> ... y<T_y-1>`` and ``tgt_out`` is ``y<1> ... y<T_y-1> <eos>``,
all padded with ``<pad>`` = 0.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from typing import Any

from torch import Tensor

from seqlab.datasets import read_text
from seqlab.text import BucketBatchSampler, Tokenizer, Vocabulary, pad_sequences
from seqlab.text.limits import MAX_TOKENS, head_tokens
from seqlab.train.data import random_split

__all__ = ["PairBatches", "build_vocabs", "encode_pairs", "read_pairs", "split_pairs"]

Pair = tuple[str, str]


def read_pairs(
    path: str | os.PathLike[str],
    target_path: str | os.PathLike[str] | None = None,
    *,
    encoding: str = "utf-8",
) -> list[Pair]:
    """Sentence pairs from a TSV file, or from two line-aligned files.

    Args:
        path: a TSV of ``source<TAB>target`` lines, or the source file when ``target_path``
            is given. Blank lines of a TSV are skipped.
        target_path: the target file, line i translating line i of ``path``.
        encoding: of both files.

    Returns:
        The (source, target) pairs, each side stripped.

    Raises:
        ValueError: (naming file and line) a TSV line without exactly one TAB, an empty side,
            files with different line counts, no pairs at all, or the reader's errors (missing
            file, binary data, bad encoding).
    """
    text = read_text(path, encoding=encoding)
    pairs: list[Pair] = []
    if target_path is None:
        for n, line in enumerate(text.split("\n"), 1):
            if not line.strip():
                continue
            parts = line.split("\t")
            if len(parts) != 2:
                raise ValueError(
                    f"{path}:{n}: expected 'source<TAB>target', found {len(parts) - 1} TABs"
                )
            pairs.append(_pair(parts[0], parts[1], f"{path}:{n}"))
    else:
        src_lines = _lines(text)
        tgt_lines = _lines(read_text(target_path, encoding=encoding))
        if len(src_lines) != len(tgt_lines):
            raise ValueError(
                f"{path} has {len(src_lines)} lines but {target_path} has {len(tgt_lines)}: "
                "parallel files must be line-aligned"
            )
        for n, (s, t) in enumerate(zip(src_lines, tgt_lines), 1):
            pairs.append(_pair(s, t, f"line {n} of {path} / {target_path}"))
    if not pairs:
        raise ValueError(f"{path}: no sentence pairs")
    return pairs


def _lines(text: str) -> list[str]:
    lines = text.split("\n")
    if lines and lines[-1] == "":
        lines.pop()  # the final newline does not start a line
    return lines


def _pair(src: str, tgt: str, where: str) -> Pair:
    src, tgt = src.strip(), tgt.strip()
    if not src or not tgt:
        raise ValueError(f"{where}: empty {'source' if not src else 'target'} sentence")
    return src, tgt


def split_pairs(pairs: Sequence[Pair], val_fraction: float, *, seed: int = 0) -> tuple[list, list]:
    """A random (seeded) validation split: (train, val); see :func:`seqlab.train.random_split`."""
    return random_split(pairs, val_fraction, seed=seed, what="pairs")


def build_vocabs(
    pairs: Sequence[Pair],
    src_tokenizer: Tokenizer,
    tgt_tokenizer: Tokenizer,
    *,
    min_count: int = 1,
    max_size: int | None = None,
    max_src_len: int | None = None,
) -> tuple[Vocabulary, Vocabulary]:
    """Source and target vocabularies of the training pairs.

    Only the tokens training reads count: a source's first ``max_src_len`` (all when None), a
    target's first :data:`~seqlab.text.limits.MAX_TOKENS`; the rest of a long line is not even
    tokenized.
    """
    src_limit = max_src_len or MAX_TOKENS
    src_tokens = [head_tokens(src_tokenizer.tokenize, s, src_limit)[0][:src_limit]
                  for s, _ in pairs]  # fmt: skip
    tgt_tokens = [head_tokens(tgt_tokenizer.tokenize, t, MAX_TOKENS)[0][:MAX_TOKENS]
                  for _, t in pairs]  # fmt: skip
    return (
        Vocabulary.build(src_tokens, min_count=min_count, max_size=max_size),
        Vocabulary.build(tgt_tokens, min_count=min_count, max_size=max_size),
    )


def encode_pairs(model: Any, pairs: Sequence[Pair], *, on_long: str = "truncate") -> dict[str, Any]:
    """Ids of every pair for ``model`` and the unknown-token counts.

    A source over the model's ``max_src_len`` or a target over
    :data:`~seqlab.text.limits.MAX_TOKENS` tokens is an error or truncated (``on_long``).

    Returns:
        ``{"src": [[ids]], "tgt": [[ids]], "src_unk": n, "tgt_unk": n, "truncated": n}``.
    """
    src, tgt, src_unk, tgt_unk, truncated = [], [], 0, 0, 0
    limit = model.config.max_src_len
    for s, t in pairs:
        tokens, complete = head_tokens(model.src_tokenizer.tokenize, s, limit)
        if len(tokens) > limit:
            if on_long == "error":
                count = len(tokens) if complete else f"more than {limit}"
                raise ValueError(f"source has {count} tokens > max_src_len={limit}: {s[:200]!r}")
            tokens, truncated = tokens[:limit], truncated + 1
        t_tokens, complete = head_tokens(model.tgt_tokenizer.tokenize, t, MAX_TOKENS)
        if len(t_tokens) > MAX_TOKENS:
            if on_long == "error":
                count = len(t_tokens) if complete else f"more than {MAX_TOKENS}"
                raise ValueError(f"target has {count} tokens > {MAX_TOKENS}: {t[:200]!r}")
            t_tokens, truncated = t_tokens[:MAX_TOKENS], truncated + 1
        if not tokens or not t_tokens:
            raise ValueError(f"a pair tokenizes to nothing: {s!r} -> {t!r}")
        src.append(model.src_vocab.encode(tokens))
        tgt.append(model.tgt_vocab.encode(t_tokens))
        src_unk += model.src_vocab.count_unknown(tokens)
        tgt_unk += model.tgt_vocab.count_unknown(t_tokens)
    return {"src": src, "tgt": tgt, "src_unk": src_unk, "tgt_unk": tgt_unk,
            "truncated": truncated}  # fmt: skip


class PairBatches:
    """Teacher-forcing batches of similar source lengths: a callable ``epoch -> batches``.

    Args:
        src, tgt: id lists (no ``<bos>``/``<eos>``), pair i = (src[i], tgt[i]).
        batch_size: pairs per batch.
        bos_id, eos_id, pad_id: the target vocabulary's special ids.
        shuffle: new batches every epoch (training); False keeps one fixed order.
        seed: the shuffle's seed.
    """

    def __init__(
        self,
        src: Sequence[Sequence[int]],
        tgt: Sequence[Sequence[int]],
        batch_size: int,
        *,
        bos_id: int,
        eos_id: int,
        pad_id: int = 0,
        shuffle: bool = False,
        seed: int = 0,
    ) -> None:
        if not src:
            raise ValueError("no sentence pairs to batch")
        if len(src) != len(tgt):
            raise ValueError(f"{len(src)} sources but {len(tgt)} targets")
        self.src = list(src)
        self.tgt_in = [[bos_id, *t] for t in tgt]
        self.tgt_out = [[*t, eos_id] for t in tgt]
        self.pad_id = pad_id
        self.sampler = BucketBatchSampler(
            [len(s) for s in self.src], batch_size, shuffle=shuffle, seed=seed
        )

    def __len__(self) -> int:
        return len(self.sampler)

    def __call__(self, epoch: int) -> list[dict[str, Tensor]]:
        self.sampler.set_epoch(epoch)
        batches = []
        for idx in self.sampler:
            src, lengths = pad_sequences([self.src[i] for i in idx], pad_id=self.pad_id)
            tgt_in, _ = pad_sequences([self.tgt_in[i] for i in idx], pad_id=self.pad_id)
            tgt_out, _ = pad_sequences([self.tgt_out[i] for i in idx], pad_id=self.pad_id)
            batches.append({"src": src, "src_lengths": lengths, "tgt_in": tgt_in,
                            "tgt_out": tgt_out})  # fmt: skip
        return batches
