"""Image captioning: the notes' encoder-decoder with a CNN as the encoder ("input: image,
output: caption of image"; Mao et al. 2014, Vinyals et al. 2014, Karpathy & Fei-Fei 2015).

A :class:`~seqlab.vision.encoder.CNNEncoder` reads the image into a feature grid a<l>
(B, L, D) and an image vector v. A recurrent decoder writes the caption one word at a time.

**Show and Tell** (``attention=False``, Vinyals et al. 2014): the image vector starts the
decoder and the words carry on alone::

    s<0> = tanh(W_init v + b_init)
    s<t> = cell(e(y<t-1>), s<t-1>)
    o<t> = tanh(W_o [s<t>, e(y<t-1>)] + b_o)
    P(y<t> | image, y<1..t-1>) = softmax(W_y o<t> + b_y)

**Show, Attend and Tell** (``attention=True``, Xu et al. 2015): at every step the decoder looks
at the L grid positions with the notes' additive attention (``seqlab.nn.AdditiveAttention``)::

    e<t,l>     = v^T tanh(W_s s<t-1> + W_a a<l> + b)
    alpha<t,l> = exp(e<t,l>) / Σ_l' exp(e<t,l'>)               (sums to 1 over the grid)
    c<t>       = Σ_l alpha<t,l> a<l>
    s<0> = tanh(W_init mean_l a<l> + b_init),   s<t> = cell([e(y<t-1>), c<t>], s<t-1>)
    o<t> = tanh(W_o [s<t>, c<t>, e(y<t-1>)] + b_o),   P(y<t> | ...) = softmax(W_y o<t> + b_y)

Training may add Xu et al.'s doubly stochastic attention penalty (``attention_penalty`` =
lambda, :func:`attention_penalty`): per caption,
loss = -log P(y | image) + lambda Σ_l (1 - Σ_t alpha<t,l>)^2.

The decoder has the interface of ``seqlab.seq2seq.Seq2Seq`` (``encode``, ``step``,
``tgt_vocab``, ``tgt_tokenizer``, a memory with ``select``), plus ``source_rows`` and
``collate_sources`` that turn images into the rows the search batches, so
``seqlab.seq2seq.greedy_decode`` and the batched ``beam_search`` (with length normalisation)
decode captions unchanged; see :mod:`seqlab.vision.caption`.
"""

from __future__ import annotations

import dataclasses
import json
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import torch
import torch.nn.functional as F
from torch import Tensor, nn

from seqlab._config import read_json
from seqlab.nn import GRU, LSTM, RNN, AdditiveAttention
from seqlab.text import Tokenizer, Vocabulary, WordTokenizer, tokenizer_from_config
from seqlab.vision.config import CaptionerConfig
from seqlab.vision.encoder import CNNEncoder
from seqlab.vision.images import to_chw

__all__ = ["Captioner", "CaptionerConfig", "ImageMemory", "ImageSource", "attention_penalty"]

CELLS = {"rnn": RNN, "gru": GRU, "lstm": LSTM}
VOCAB_FILE, TOKENIZER_FILE = "vocab.json", "tokenizer.json"

State = tuple[Tensor, ...]  # (s,) or (s, c) for the LSTM, each (1, N, n_a)


@dataclass
class ImageMemory:
    """What the decoder reads at every step, for N rows (images, or beams of them).

    a: (N, L, D) the grid; keys: (N, L, A) its W_a a<l> + b, computed once per image
    (attention only).
    """

    a: Tensor
    keys: Tensor | None = None

    def select(self, rows: Tensor) -> ImageMemory:
        """The memory of the given rows (for beams: each image's row repeated K times)."""
        keys = None if self.keys is None else self.keys.index_select(0, rows)
        return ImageMemory(self.a.index_select(0, rows), keys)


@dataclass
class ImageSource:
    """One image as the search batches it: ``len()`` is the L positions attention spans."""

    pixels: Tensor  # (C, S, S) float in [0, 1]
    positions: int

    def __len__(self) -> int:
        return self.positions


def attention_penalty(alpha: Tensor, real: Tensor) -> Tensor:
    """Xu et al. 2015's doubly stochastic attention penalty, one value per caption.

    Σ_l (1 - Σ_t alpha<t,l>)^2 over the caption's real steps: small when every grid position
    gets, over the whole caption, about one unit of attention (alpha already sums to 1 over
    the grid at each step).

    Args:
        alpha: (B, T_y, L) attention weights of every step.
        real: (B, T_y) bool, True at the caption's real steps (``<eos>`` included, not padding).

    Returns:
        (B,) the penalty of each caption.
    """
    total = (alpha * real.unsqueeze(2).to(alpha.dtype)).sum(dim=1)  # (B, L): Σ_t alpha<t,l>
    return ((1.0 - total) ** 2).sum(dim=1)  # (B,)


class Captioner(nn.Module):
    """Show and Tell, or Show, Attend and Tell, with its vocabulary and tokenizer.

    Args:
        config: the architecture; ``image_size``, ``in_channels`` must be set (from the data),
            ``vocab_size`` is taken from the vocabulary.
        vocab: caption word <-> id, with the four special tokens.
        tokenizer: caption text -> words; default a lower-casing word tokenizer.

    Raises:
        ValueError: on a config without image size or channels, a vocabulary without special
            tokens, or one whose size differs from the config's.
    """

    task = "caption"  # config.json's "task" (seqlab.TASKS)
    config_class = CaptionerConfig

    def __init__(
        self, config: CaptionerConfig, vocab: Vocabulary, tokenizer: Tokenizer | None = None
    ) -> None:
        super().__init__()
        if not config.image_size or not config.in_channels:
            raise ValueError("CaptionerConfig needs image_size and in_channels (from the data)")
        if not vocab.has_specials:
            raise ValueError("the caption vocabulary needs <pad>/<unk>/<bos>/<eos>")
        if config.vocab_size not in (0, len(vocab)):
            raise ValueError(
                f"config says the vocabulary has {config.vocab_size} words but it has "
                f"{len(vocab)}: the folder's files do not belong together"
            )
        config = dataclasses.replace(config, vocab_size=len(vocab))
        self.config, self.vocab = config, vocab
        self.tokenizer = tokenizer or WordTokenizer(lower=True)
        E, H, A = config.embedding_size, config.hidden_size, config.attention_size
        V = config.vector_size if not config.attention else 0
        self.encoder = CNNEncoder(config.in_channels, config.image_size, config.cnn_width,
                                  config.cnn_blocks, vector_size=V,
                                  positions=config.attention)  # fmt: skip
        D = self.encoder.feature_size
        self.embed = nn.Embedding(len(vocab), E, padding_idx=vocab.pad_id)
        if config.attention:
            self.attention = AdditiveAttention(D, A, query_size=H)  # W_s, W_a (b), v
            self.W_init = nn.Linear(D, H)  # s<0> from the mean of the grid
            self.decoder = CELLS[config.cell](E + D, H)
            self.W_o = nn.Linear(H + D + E, E)
        else:
            self.W_init = nn.Linear(V, H)  # s<0> from the image vector
            self.decoder = CELLS[config.cell](E, H)
            self.W_o = nn.Linear(H + E, E)
        self.W_y = nn.Linear(E, len(vocab))

    # --- the search's interface (as seqlab.seq2seq.Seq2Seq) ------------------------------------

    @property
    def tgt_vocab(self) -> Vocabulary:
        """The caption vocabulary (the name the search reads)."""
        return self.vocab

    @property
    def tgt_tokenizer(self) -> Tokenizer:
        """The caption tokenizer (the name the search reads)."""
        return self.tokenizer

    def encode(self, images: Tensor, lengths: Tensor | None = None) -> tuple[ImageMemory, State]:
        """Read a batch of images.

        Args:
            images: (B, C, S, S) float in [0, 1].
            lengths: ignored (every image has all L positions); the search passes them.

        Returns:
            The decoder's memory and its initial state s<0> (each (1, B, n_a)).
        """
        a, v = self.encoder(images)  # (B, L, D), (B, V) or None
        if self.config.attention:
            s0 = torch.tanh(self.W_init(a.mean(dim=1)))  # (B, H)
            memory = ImageMemory(a, self.attention.keys(a))
        else:
            s0 = torch.tanh(self.W_init(self._dropout(v)))  # (B, H)
            memory = ImageMemory(a)
        s0 = s0.unsqueeze(0)  # (1, B, H)
        state = (s0, torch.zeros_like(s0)) if self.config.cell == "lstm" else (s0,)
        return memory, state

    def step(
        self, y_prev: Tensor, state: State, memory: ImageMemory
    ) -> tuple[Tensor, State, Tensor | None]:
        """One decoding step for N rows.

        Args:
            y_prev: (N,) the previous words (``<bos>`` first).
            state: the decoder state, each (1, N, n_a).
            memory: the encoded images of the N rows.

        Returns:
            log P(y<t> | image, y<1..t-1>): (N, V), the new state, and alpha<t, :> (N, L), or
            None without attention.
        """
        e = self._dropout(self.embed(y_prev))  # (N, E)
        if self.config.attention:
            c, alpha = self.attention(memory.a, s_prev=state[0][0], keys=memory.keys)
            state = self._cell_step(torch.cat([e, c], dim=1), state)  # (N, E + D) in
            o = self._output(state[0][0], c, e)  # (N, E)
        else:
            alpha = None
            state = self._cell_step(e, state)
            o = self._output(state[0][0], None, e)  # (N, E)
        return torch.log_softmax(self.W_y(o), dim=-1), state, alpha

    def source_rows(self, images: Any) -> list[ImageSource]:
        """Images -> the rows the search batches.

        Args:
            images: a tensor (N, C, S, S), float in [0, 1] or uint8, or a list of uint8
                arrays (S, S) / (S, S, 3) as :func:`seqlab.vision.read_image` gives them.

        Raises:
            ValueError: on no images, or one of another size or number of channels.
        """
        if isinstance(images, Tensor):
            x = images.float() / 255.0 if images.dtype == torch.uint8 else images.float()
            rows = list(x)
        else:
            rows = [torch.from_numpy(to_chw(np.asarray(im))) for im in images]
        if not rows:
            raise ValueError("no images to caption")
        want = (self.config.in_channels, self.config.image_size, self.config.image_size)
        for i, x in enumerate(rows):
            if tuple(x.shape) != want:
                raise ValueError(f"image {i + 1} is (C, H, W) = {tuple(x.shape)}, the model "
                                 f"reads {want}")  # fmt: skip
        return [ImageSource(x, self.encoder.num_positions) for x in rows]

    def collate_sources(self, rows: Sequence[ImageSource]) -> tuple[Tensor, Tensor]:
        """A batch of rows -> (images (N, C, S, S), lengths (N,) = L), on the model's device."""
        device = self.W_y.weight.device
        images = torch.stack([r.pixels for r in rows]).to(device)
        return images, torch.full((len(rows),), self.encoder.num_positions, device=device)

    # --- teacher forcing and the Trainer's protocol ----------------------------------------------

    def forward(self, images: Tensor, tgt_in: Tensor) -> tuple[Tensor, Tensor | None]:
        """Teacher forcing: the logits of every caption position.

        Args:
            images: (B, C, S, S); tgt_in: (B, T_y) ``<bos>`` y<1> ... y<T_y - 1>, padded.

        Returns:
            logits: (B, T_y, V); alpha: (B, T_y, L), or None without attention.
        """
        memory, state = self.encode(images)
        e = self._dropout(self.embed(tgt_in))  # (B, T_y, E)
        if not self.config.attention:  # the inputs do not depend on the state: one fused call
            init = state if self.config.cell == "lstm" else state[0]
            s, _ = self.decoder(e, init)  # (B, T_y, H)
            return self.W_y(self._output(s, None, e)), None
        tops, contexts, alphas = [], [], []
        for e_t in e.unbind(1):
            c, alpha = self.attention(memory.a, s_prev=state[0][0], keys=memory.keys)
            state = self._cell_step(torch.cat([e_t, c], dim=1), state)
            tops.append(state[0][0])
            contexts.append(c)
            alphas.append(alpha)
        s, c = torch.stack(tops, 1), torch.stack(contexts, 1)  # (B, T_y, H), (B, T_y, D)
        return self.W_y(self._output(s, c, e)), torch.stack(alphas, 1)  # (B, T_y, V), (B,T_y,L)

    def loss(self, batch: dict[str, Tensor]) -> Tensor:
        """Mean cross-entropy over the batch's real caption tokens (``<eos>`` included), plus,
        with ``attention_penalty`` lambda > 0, Xu et al.'s per-caption penalty (Σ over the
        batch's captions of lambda Σ_l (1 - Σ_t alpha<t,l>)^2, divided by the same token count,
        so that per caption the loss is Xu's -log P(y | image) + lambda Σ_l (...)^2)."""
        logits, alpha = self(batch["images"], batch["tgt_in"])
        y = batch["tgt_out"]  # (B, T_y)
        ce = F.cross_entropy(logits.flatten(0, 1), y.flatten(), ignore_index=self.vocab.pad_id)
        lam = self.config.attention_penalty
        if alpha is None or not lam:
            return ce
        real = y != self.vocab.pad_id  # (B, T_y)
        return ce + lam * attention_penalty(alpha, real).sum() / real.sum()

    @torch.no_grad()
    def evaluate(self, batch: dict[str, Tensor]) -> dict[str, float]:
        """``{"loss": nats per caption token, "accuracy": teacher-forced token accuracy}``."""
        logits, _ = self(batch["images"], batch["tgt_in"])
        y = batch["tgt_out"]
        real = y != self.vocab.pad_id
        loss = F.cross_entropy(logits[real], y[real])
        accuracy = (logits.argmax(-1)[real] == y[real]).float().mean()
        return {"loss": float(loss), "accuracy": float(accuracy)}

    def count_tokens(self, batch: dict[str, Tensor]) -> int:
        """Real caption tokens in a batch (what ``loss`` averages over)."""
        return int((batch["tgt_out"] != self.vocab.pad_id).sum())

    # --- pieces ------------------------------------------------------------------------------

    def _cell_step(self, x_t: Tensor, state: State) -> State:
        """One step of the decoder's cell: x_t (N, n_x), state (1, N, n_a) each."""
        (cell,) = self.decoder.cells[0]
        if self.config.cell == "lstm":
            s, c = cell(x_t, (state[0][0], state[1][0]))
            return s.unsqueeze(0), c.unsqueeze(0)
        return (cell(x_t, state[0][0]).unsqueeze(0),)

    def _output(self, s: Tensor, c: Tensor | None, e: Tensor) -> Tensor:
        """o<t> = tanh(W_o [s<t>, (c<t>,) e(y<t-1>)] + b_o), with dropout; (..., E)."""
        parts = [s, e] if c is None else [s, c, e]
        return self._dropout(torch.tanh(self.W_o(torch.cat(parts, dim=-1))))

    def _dropout(self, x: Tensor) -> Tensor:
        return F.dropout(x, self.config.dropout, self.training) if self.config.dropout else x

    # --- text <-> ids, model folders -------------------------------------------------------------

    def target_ids(self, text: str) -> list[int]:
        """Caption word ids (no ``<bos>``/``<eos>``; unknown words -> ``<unk>``)."""
        return self.vocab.encode(self.tokenizer.tokenize(text))

    def save_assets(self, folder: Path) -> None:
        """Write vocab.json and tokenizer.json into ``folder``."""
        folder = Path(folder)
        self.vocab.save(folder / VOCAB_FILE)
        text = json.dumps(self.tokenizer.to_config(), indent=2) + "\n"
        (folder / TOKENIZER_FILE).write_text(text, encoding="utf-8")

    @classmethod
    def from_dir(cls, folder: Path, config: CaptionerConfig) -> Captioner:
        """Rebuild the (untrained) model of a folder from its config and assets."""
        folder = Path(folder)
        for name in (VOCAB_FILE, TOKENIZER_FILE):
            if not (folder / name).is_file():
                raise ValueError(f"{folder}: missing {name}")
        try:  # the folder is untrusted: read_json caps the size and the nesting
            tokenizer = tokenizer_from_config(read_json(folder / TOKENIZER_FILE))
        except ValueError as error:
            raise ValueError(f"{folder / TOKENIZER_FILE}: invalid ({error})") from None
        return cls(config, Vocabulary.load(folder / VOCAB_FILE), tokenizer)

    def describe(self) -> dict[str, Any]:
        """A short summary for the CLI: sizes and parameter count."""
        return {
            "attention": self.config.attention,
            "cell": self.config.cell,
            "image": [self.config.in_channels, self.config.image_size, self.config.image_size],
            "grid": [self.encoder.side, self.encoder.side],
            "vocab": len(self.vocab),
            "parameters": sum(p.numel() for p in self.parameters()),
        }
