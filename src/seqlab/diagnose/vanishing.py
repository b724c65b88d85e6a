"""The notes' vanishing-gradient section, measured: recall the first token after T steps.

Task: a sequence of T tokens whose first token is one of ``n_symbols`` symbols and whose other
T - 1 tokens are random distractors; the model must output the first token after reading the
whole sequence (many-to-one). The only information is T steps back, so the gradient that
teaches the model has to cross T steps of backpropagation through time.

For each cell (tanh RNN, GRU, LSTM) ``run_vanishing`` trains a small model with the same budget
and reports test accuracy (chance is 1 / n_symbols) and ||dL/da<t>|| at every step at
initialisation, so the gradient reaching t = 1 can be compared with the one at t = T. The gated
cells start with their gates biased toward remembering (``gate_bias``), as Keras does for the
LSTM's forget gate; the plain RNN has no gate, and that is the difference being measured.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass

import torch
import torch.nn.functional as F
from torch import Tensor, nn

from seqlab.diagnose.config import RecallConfig, VanishingConfig
from seqlab.diagnose.gradient_flow import gradient_flow
from seqlab.nn import GRU, LSTM, RNN
from seqlab.train import clip_grad_norm_

__all__ = ["RecallConfig", "RecallModel", "VanishingConfig", "CellResult", "make_recall_batch",
           "run_vanishing"]  # fmt: skip

CELLS = {"rnn": RNN, "gru": GRU, "lstm": LSTM}


class RecallModel(nn.Module):
    """Embedding -> one recurrent layer -> linear map of the last activation to the symbols."""

    task = "recall"  # config.json's "task" (seqlab.TASKS)
    config_class = RecallConfig

    def __init__(self, config: RecallConfig) -> None:
        super().__init__()
        if config.cell not in CELLS:
            raise ValueError(f"cell must be one of {sorted(CELLS)}, got {config.cell!r}")
        self.config = config
        self.embed = nn.Embedding(config.n_symbols + config.n_distractors, config.embedding_size)
        self.rnn = CELLS[config.cell](config.embedding_size, config.hidden_size)
        self.out = nn.Linear(config.hidden_size, config.n_symbols)

    def forward(self, ids: Tensor) -> Tensor:
        """ids: (B, T) -> logits (B, n_symbols)."""
        a, _ = self.rnn(self.embed(ids))  # (B, T, n_a)
        return self.out(a[:, -1])  # (B, n_symbols)

    def loss(self, batch: dict[str, Tensor]) -> Tensor:
        return F.cross_entropy(self(batch["ids"]), batch["target"])

    @torch.no_grad()
    def evaluate(self, batch: dict[str, Tensor]) -> dict[str, float]:
        logits = self(batch["ids"])
        return {
            "loss": F.cross_entropy(logits, batch["target"]).item(),
            "accuracy": (logits.argmax(-1) == batch["target"]).float().mean().item(),
        }


def make_recall_batch(
    n: int, T: int, config: RecallConfig, generator: torch.Generator
) -> dict[str, Tensor]:
    """n sequences of length T: {"ids": (n, T) long, "target": (n,) long}."""
    if T < 2:
        raise ValueError(f"T must be at least 2, got {T}")
    target = torch.randint(0, config.n_symbols, (n,), generator=generator)  # (n,)
    ids = torch.randint(config.n_symbols, config.n_symbols + config.n_distractors, (n, T),
                        generator=generator)  # fmt: skip
    ids[:, 0] = target
    return {"ids": ids, "target": target}


@dataclass(frozen=True)
class CellResult:
    """What one cell achieved: accuracy and the gradient reaching each step at initialisation."""

    cell: str
    T: int
    accuracy: float
    grad_norm_first_step: float  # ||dL/da<1>|| at initialisation
    grad_norm_last_step: float  # ||dL/da<T>|| at initialisation
    grad_norms: list[float]  # ||dL/da<t>||, t = 1..T, at initialisation
    seconds: float

    def to_json(self) -> dict:
        """The stable --json keys (the per-step norms are left to the plot)."""
        return {
            "cell": self.cell,
            "T": self.T,
            "accuracy": round(self.accuracy, 4),
            "grad_norm_first_step": self.grad_norm_first_step,
            "grad_norm_last_step": self.grad_norm_last_step,
            "seconds": round(self.seconds, 2),
        }


def remember_by_default(layer: nn.Module, bias: float) -> None:
    """Start the gates near "keep the memory": b_f += bias (LSTM), b_u -= bias (GRU).

    With the usual symmetric initialisation every gate starts near 0.5, so the memory decays
    like 0.5^T and a gated cell's gradient vanishes almost as fast as the RNN's (measured:
    ||dL/da<1>|| about 1e-10 at T = 50). Keras initialises the LSTM forget bias to 1 for this
    reason (Jozefowicz et al. 2015); the plain RNN has no gate to bias, which is the notes' point.
    """
    with torch.no_grad():
        for row in getattr(layer, "cells", []):
            for cell in row:
                if hasattr(cell, "b_f"):
                    cell.b_f += bias
                elif hasattr(cell, "b_u"):
                    cell.b_u -= bias


def train_recall(
    cell: str,
    config: VanishingConfig,
    *,
    on_step: Callable[[int, float], None] | None = None,
    device: str | torch.device = "cpu",
) -> CellResult:
    """Train one cell on the recall task; returns its accuracy and initial gradient flow.

    The batches are drawn on the CPU (the same on every device), then moved to ``device``.
    """
    start = time.perf_counter()
    torch.manual_seed(config.seed)
    model_config = RecallConfig(
        cell=cell, n_symbols=config.n_symbols, hidden_size=config.hidden_size
    )
    model = RecallModel(model_config)
    remember_by_default(model.rnn, config.gate_bias)
    model.to(device)
    data = torch.Generator().manual_seed(config.seed)

    def batch(n: int, generator: torch.Generator) -> dict[str, Tensor]:
        drawn = make_recall_batch(n, config.T, model_config, generator)
        return {name: value.to(device) for name, value in drawn.items()}

    test = batch(config.test_size, torch.Generator().manual_seed(-1 - config.seed))
    norms = gradient_flow(model, batch(config.batch_size, data))
    optimizer = torch.optim.Adam(model.parameters(), lr=config.lr)
    model.train()
    for step in range(config.steps):
        loss = model.loss(batch(config.batch_size, data))
        optimizer.zero_grad(set_to_none=True)
        loss.backward()
        clip_grad_norm_(model.parameters(), config.clip_norm)
        optimizer.step()
        if on_step is not None:
            on_step(step, loss.item())
    model.eval()
    accuracy = model.evaluate(test)["accuracy"]
    return CellResult(
        cell=cell,
        T=config.T,
        accuracy=accuracy,
        grad_norm_first_step=float(norms[0]),
        grad_norm_last_step=float(norms[-1]),
        grad_norms=norms.tolist(),
        seconds=time.perf_counter() - start,
    )


def run_vanishing(
    config: VanishingConfig,
    cells: tuple[str, ...] = ("rnn", "gru", "lstm"),
    *,
    on_step: Callable[[str, int, float], None] | None = None,
    device: str | torch.device = "cpu",
) -> list[CellResult]:
    """Run the experiment for every cell with the same budget and seed, on ``device``."""
    results = []
    for cell in cells:
        cb = (lambda step, loss, c=cell: on_step(c, step, loss)) if on_step else None
        results.append(train_recall(cell, config, on_step=cb, device=device))
    return results
