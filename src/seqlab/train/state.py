"""The trainer's files: the resumable state in ``out_dir/last``, metrics and running sums.

``last/`` is a model folder with the last weights, plus ``state.safetensors`` (optimizer tensors
under ``optimizer/...``, RNG states under ``rng/RANK/...``) and ``trainer_state.json`` (counters,
best val loss, patience, the optimizer's structure encoded by
:func:`encode_tree`). It is written whole into ``last.tmp`` and swapped
in, so it is always consistent. ``metrics.jsonl`` holds one JSON line per train log or evaluation.
"""

from __future__ import annotations

import contextlib
import json
import math
import random
import shutil
import time
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import numpy as np
import torch
from torch import Tensor, nn

from seqlab._config import read_json
from seqlab.train.folder import save_model
from seqlab.train.io import (
    append_jsonl,
    atomic_write_json,
    atomic_write_text,
    commit_dir,
    read_safetensors,
    remove_stale_temp,
    write_safetensors,
)

STATE_FILE = "trainer_state.json"
METRICS_FILE = "metrics.jsonl"
LAST_DIR = "last"
STATE_FORMAT = 1
# Trainer attributes saved in trainer_state.json and restored as they are.
COUNTERS = (
    "step",
    "epoch",
    "batches_in_epoch",
    "best_val_loss",
    "best_value",
    "best_step",
    "bad_evals",
)
# Config fields that may change between a run and its resume without a warning.
BUDGET_FIELDS = {
    "epochs",
    "max_steps",
    "max_minutes",
    "patience",
    "device",
    "checkpoint_every",
    "log_every",
    "progress",
}


class Interval:
    """Running sums between two train log lines."""

    def __init__(self) -> None:
        self.loss_sum = self.weight = 0.0
        self.steps = 0
        self.grad_norm: float | None = None
        self.start = time.monotonic()

    def restart(self) -> None:
        self.__init__()

    def add(self, mean_loss: float, weight: float, grad_norm: float | None) -> None:
        self.loss_sum += mean_loss * weight
        self.weight += weight
        self.steps += 1
        self.grad_norm = grad_norm

    def rate(self) -> float:
        return self.weight / max(time.monotonic() - self.start, 1e-9)

    def summary(self) -> dict[str, Any]:
        out = {
            "train_loss": self.loss_sum / self.weight if self.weight else None,
            "tokens_per_s": self.rate(),
        }
        if self.grad_norm is not None:
            out["grad_norm"] = self.grad_norm
        return out

    def state(self) -> dict[str, Any]:
        return {"loss_sum": self.loss_sum, "weight": self.weight, "steps": self.steps}

    def load(self, state: dict[str, Any]) -> None:
        self.restart()
        self.loss_sum, self.weight, self.steps = state["loss_sum"], state["weight"], state["steps"]


def write_last(
    out_dir: Path,
    model: nn.Module,
    optimizer: torch.optim.Optimizer,
    rng: Sequence[dict[str, Tensor]],
    counters: dict[str, Any],
) -> None:
    """Write the resumable state into ``out_dir/last.tmp`` and swap it in as ``out_dir/last``.

    Args:
        out_dir: the trainer's output folder.
        model: the task model (its last weights).
        optimizer: its optimizer; tensors go to ``state.safetensors``, the rest to JSON.
        rng: every rank's RNG states, indexed by rank.
        counters: the trainer's counters for ``trainer_state.json``.
    """
    staging = out_dir / f"{LAST_DIR}.tmp"
    shutil.rmtree(staging, ignore_errors=True)
    save_model(model, staging)
    tensors: dict[str, Tensor] = {}
    encoded = encode_tree(optimizer.state_dict(), tensors, "optimizer")
    for rank, states in enumerate(rng):
        tensors.update({f"rng/{rank}/{name}": t for name, t in states.items()})
    write_safetensors(staging / "state.safetensors", tensors)
    atomic_write_json(staging / STATE_FILE, {**counters, "optimizer": encoded})
    commit_dir(staging, out_dir / LAST_DIR)


def read_state(last: Path) -> dict[str, Any]:
    """Read and check ``last/trainer_state.json``.

    Raises:
        ValueError: if there is no state file, or it is not a complete format-1 state.
    """
    if not (last / STATE_FILE).is_file():
        raise ValueError(f"cannot resume: no checkpoint in {last}")
    state = read_json(last / STATE_FILE)
    if not isinstance(state, dict) or state.get("format") != STATE_FORMAT:
        raise ValueError(f"{last / STATE_FILE}: not a format-{STATE_FORMAT} trainer state")
    if "best_val_loss" in state:  # states written before `select` existed selected by loss
        state.setdefault("best_value", state["best_val_loss"])
    missing = [k for k in (*COUNTERS, "elapsed", "interval", "optimizer") if k not in state]
    if missing:
        raise ValueError(f"{last / STATE_FILE}: missing key(s) {', '.join(missing)}")
    return state


def read_tensors(
    last: Path, state: dict[str, Any], rank: int
) -> tuple[dict[str, Any], dict[str, Tensor]]:
    """The optimizer state dict and this rank's RNG states (empty when none was saved)."""
    tensors = read_safetensors(last / "state.safetensors")
    optimizer = decode_tree(state["optimizer"], tensors)
    prefix = f"rng/{rank}/"
    rng = {k[len(prefix) :]: t for k, t in tensors.items() if k.startswith(prefix)}
    return optimizer, rng


def changed_fields(saved: dict[str, Any], current: dict[str, Any]) -> list[str]:
    """Config fields, other than budgets, whose value differs from the saved run's."""
    return [
        k for k, v in current.items() if k not in BUDGET_FIELDS and k in saved and saved[k] != v
    ]


def clean_out_dir(out_dir: Path) -> None:
    """Drop the trainer files of an earlier run (not the user's): a fresh run owns out_dir."""
    for name in (LAST_DIR, f"{LAST_DIR}.tmp", f"{LAST_DIR}.old"):
        shutil.rmtree(out_dir / name, ignore_errors=True)
    (out_dir / METRICS_FILE).unlink(missing_ok=True)
    remove_stale_temp(out_dir)


def append_metrics(out_dir: Path, record: dict[str, Any]) -> None:
    """Append one record to ``metrics.jsonl`` (nan and inf written as null)."""
    append_jsonl(out_dir / METRICS_FILE, _json_safe(record))


def truncate_metrics(out_dir: Path, step: int) -> None:
    """Drop the lines after ``step``: they belong to steps that will be redone."""
    file = out_dir / METRICS_FILE
    if not file.is_file():
        return
    kept = []
    for line in file.read_text(encoding="utf-8").splitlines():
        with contextlib.suppress(json.JSONDecodeError):
            if json.loads(line).get("step", 0) <= step:
                kept.append(line + "\n")
    atomic_write_text(file, "".join(kept))


def _json_safe(record: dict[str, Any]) -> dict[str, Any]:
    return {
        k: (None if isinstance(v, float) and not math.isfinite(v) else v) for k, v in record.items()
    }


# --- nested state (optimizer, trainer) as JSON + tensors ---------------------------------------


def encode_tree(obj: Any, tensors: dict[str, Tensor], prefix: str) -> Any:
    """Turn nested dicts/lists/tuples of tensors and scalars into JSON data plus named tensors.

    Tensors go into ``tensors`` under ``prefix/...`` and are replaced by ``{"__tensor__": key}``;
    tuples, non-string dict keys and non-finite floats are tagged so :func:`decode_tree` gives
    back the same structure. This is how optimizer state is saved without pickle.
    """
    if isinstance(obj, Tensor):
        tensors[prefix] = obj
        return {"__tensor__": prefix}
    if isinstance(obj, bool) or obj is None or isinstance(obj, (int, str)):
        return obj
    if isinstance(obj, float):
        return obj if math.isfinite(obj) else {"__float__": repr(obj)}
    if isinstance(obj, tuple):
        return {"__tuple__": [encode_tree(v, tensors, f"{prefix}/{i}") for i, v in enumerate(obj)]}
    if isinstance(obj, list):
        return [encode_tree(v, tensors, f"{prefix}/{i}") for i, v in enumerate(obj)]
    if isinstance(obj, dict):
        if all(isinstance(k, str) and not k.startswith("__") for k in obj):
            return {k: encode_tree(v, tensors, f"{prefix}/{k}") for k, v in obj.items()}
        return {
            "__items__": [
                [
                    encode_tree(k, tensors, f"{prefix}/k{i}"),
                    encode_tree(v, tensors, f"{prefix}/{k}"),
                ]
                for i, (k, v) in enumerate(obj.items())
            ]
        }
    raise TypeError(f"cannot save {type(obj).__name__} at {prefix!r} without pickle")


def decode_tree(obj: Any, tensors: Mapping[str, Tensor]) -> Any:
    """Inverse of :func:`encode_tree`."""
    if isinstance(obj, list):
        return [decode_tree(v, tensors) for v in obj]
    if not isinstance(obj, dict):
        return obj
    if "__tensor__" in obj:
        return tensors[obj["__tensor__"]]
    if "__float__" in obj:
        return float(obj["__float__"])
    if "__tuple__" in obj:
        return tuple(decode_tree(v, tensors) for v in obj["__tuple__"])
    if "__items__" in obj:
        return {decode_tree(k, tensors): decode_tree(v, tensors) for k, v in obj["__items__"]}
    return {k: decode_tree(v, tensors) for k, v in obj.items()}


# --- random number generators -----------------------------------------------------------------


def rng_state() -> dict[str, Tensor]:
    """The states of torch (CPU, and CUDA once initialised), NumPy and ``random`` as tensors."""
    _, keys, pos, has_gauss, gauss = np.random.get_state()
    version, internal, gauss_next = random.getstate()
    state = {
        "torch": torch.get_rng_state(),
        "numpy": torch.tensor([*keys.tolist(), pos, has_gauss], dtype=torch.int64),
        "numpy_gauss": torch.tensor([gauss], dtype=torch.float64),
        "python": torch.tensor([version, *internal, gauss_next is not None], dtype=torch.int64),
        "python_gauss": torch.tensor([gauss_next or 0.0], dtype=torch.float64),
    }
    if torch.cuda.is_available() and torch.cuda.is_initialized():
        state["cuda"] = torch.stack(torch.cuda.get_rng_state_all())
    return state


def set_rng_state(state: Mapping[str, Tensor]) -> None:
    """Restore the generators from :func:`rng_state`'s tensors."""
    torch.set_rng_state(state["torch"].to("cpu", torch.uint8))
    numpy = state["numpy"].tolist()
    gauss = float(state["numpy_gauss"][0])
    np.random.set_state(("MT19937", np.array(numpy[:624], dtype=np.uint32), *numpy[624:], gauss))
    python = state["python"].tolist()
    gauss_next = float(state["python_gauss"][0]) if python[-1] else None
    random.setstate((python[0], tuple(python[1:-1]), gauss_next))
    if "cuda" in state and torch.cuda.is_available():
        torch.cuda.set_rng_state_all(list(state["cuda"].to("cpu", torch.uint8)))
