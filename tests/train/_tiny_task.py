"""A tiny real task model for the trainer tests: a bigram language model with tied embeddings.

It exercises the whole task-model protocol: a frozen config, ``loss`` as a mean over real
(non-padding) tokens, ``evaluate``, ``count_tokens``, assets (``vocab.json``) read back by
``from_dir`` before the weights, tied weights (output projection = embedding matrix) and dropout
(so resuming must restore the RNG).

Data: sequences where the next token follows a fixed rule most of the time, padded with 0::

    tokens  = x_0 x_1 ... x_{L-2} 0 0      (B, T)
    targets = x_1 x_2 ... x_{L-1} 0 0      (B, T), 0 = padding, ignored by the loss
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

import pytest
import torch
import torch.nn.functional as F
from torch import Tensor, nn

PAD = 0


@pytest.fixture(autouse=True)
def one_thread():
    """Tiny tensors: one intra-op thread is several times faster than two on a busy machine,
    and keeps the in-process runs numerically identical to the subprocess runs."""
    threads = torch.get_num_threads()
    torch.set_num_threads(1)
    yield
    torch.set_num_threads(threads)


@dataclass(frozen=True)
class TinyLMConfig:
    """Sizes of the tiny bigram LM."""

    vocab_size: int = 12  # V, including the padding symbol 0
    embedding_size: int = 8  # E
    hidden_size: int = 16  # H
    dropout: float = 0.0  # on the embeddings, while training


class TinyLM(nn.Module):
    """logits<t> = W_p tanh(W_h drop(e(x<t>))) . E^T + b, with E the (tied) embedding matrix."""

    task = "tiny_lm"  # a test task: load_model(folder, TinyLM), not seqlab.load
    config_class = TinyLMConfig

    def __init__(self, config: TinyLMConfig, symbols: list[str] | None = None) -> None:
        super().__init__()
        self.config = config
        self.symbols = symbols or ["<pad>"] + [f"t{i}" for i in range(1, config.vocab_size)]
        self.embedding = nn.Embedding(config.vocab_size, config.embedding_size, padding_idx=PAD)
        self.hidden = nn.Linear(config.embedding_size, config.hidden_size)
        self.project = nn.Linear(config.hidden_size, config.embedding_size)
        self.output = nn.Linear(config.embedding_size, config.vocab_size)
        self.output.weight = self.embedding.weight  # tied: one (V, E) matrix, two names
        self.drop = nn.Dropout(config.dropout)

    def forward(self, tokens: Tensor) -> Tensor:
        """tokens: (B, T) int64 -> logits: (B, T, V)."""
        e = self.drop(self.embedding(tokens))  # (B, T, E)
        h = torch.tanh(self.hidden(e))  # (B, T, H)
        return self.output(self.project(h))  # (B, T, V)

    def loss(self, batch: dict[str, Tensor]) -> Tensor:
        """Mean cross-entropy over the real (non-padding) target tokens."""
        logits = self(batch["tokens"])  # (B, T, V)
        return F.cross_entropy(logits.flatten(0, 1), batch["targets"].flatten(), ignore_index=PAD)

    @torch.no_grad()
    def evaluate(self, batch: dict[str, Tensor]) -> dict[str, float]:
        """Loss and next-token accuracy over the real target tokens."""
        logits = self(batch["tokens"])  # (B, T, V)
        mask = batch["targets"] != PAD  # (B, T)
        correct = (logits.argmax(-1) == batch["targets"]) & mask  # (B, T)
        return {
            "loss": float(self.loss(batch)),
            "accuracy": float(correct.sum() / mask.sum()),
        }

    def count_tokens(self, batch: dict[str, Tensor]) -> int:
        """The number of real target tokens: what ``loss`` averages over."""
        return int((batch["targets"] != PAD).sum())

    def save_assets(self, path: Path) -> None:
        """Write the symbol table as ``vocab.json``."""
        (path / "vocab.json").write_text(json.dumps(self.symbols), encoding="utf-8")

    @classmethod
    def from_dir(cls, path: Path, config: TinyLMConfig) -> TinyLM:
        """Build the model with the symbols saved in ``vocab.json``."""
        symbols = json.loads((path / "vocab.json").read_text(encoding="utf-8"))
        if len(symbols) != config.vocab_size:
            raise ValueError(f"{path / 'vocab.json'}: {len(symbols)} symbols, config says V")
        return cls(config, symbols)


def make_batches(
    n_batches: int,
    *,
    batch_size: int = 4,
    max_len: int = 7,
    vocab_size: int = 12,
    rule: int = 1,
    noise: float = 0.1,
    seed: int = 0,
) -> list[dict[str, Tensor]]:
    """Ragged batches of rule-following sequences: x_{t+1} = (2 x_t + rule) mod (V-1) + 1.

    Batch sizes vary between 1 and ``batch_size`` and lengths between 3 and ``max_len``, so
    examples and batches carry different numbers of real tokens.
    """
    generator = torch.Generator().manual_seed(seed)

    def randint(low: int, high: int, size: tuple[int, ...] = ()) -> Tensor:
        return torch.randint(low, high, size, generator=generator)

    batches = []
    for _ in range(n_batches):
        size = int(randint(1, batch_size + 1))
        lengths = randint(3, max_len + 1, (size,))
        x = torch.zeros(size, int(lengths.max()), dtype=torch.int64)  # (B, L)
        x[:, 0] = randint(1, vocab_size, (size,))
        for t in range(1, x.shape[1]):
            follow = (2 * x[:, t - 1] + rule) % (vocab_size - 1) + 1
            random = randint(1, vocab_size, (size,))
            keep = torch.rand(size, generator=generator) >= noise
            x[:, t] = torch.where(keep, follow, random)
        x[torch.arange(x.shape[1]) >= lengths[:, None]] = PAD
        batches.append({"tokens": x[:, :-1].clone(), "targets": x[:, 1:].clone()})
    return batches


def combine_batches(batches: list[dict[str, Tensor]]) -> dict[str, Tensor]:
    """Concatenate batches along B, padding T with 0 (what W data-parallel ranks see together)."""
    T = max(b["tokens"].shape[1] for b in batches)
    return {
        key: torch.cat([F.pad(b[key], (0, T - b[key].shape[1]), value=PAD) for b in batches])
        for key in ("tokens", "targets")
    }
