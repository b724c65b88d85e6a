"""The one training loop every seqlab task model uses.

A task model is an ``nn.Module`` with ``task``, ``config_class``, ``config``,
``loss(batch) -> Tensor`` (scalar, mean over real tokens or examples) and
``evaluate(batch) -> dict[str, float]`` (with a ``"loss"`` key); optionally
``count_tokens(batch) -> int`` (the units ``loss`` averages over: tokens/s and weighting),
``save_assets(dir)`` and ``from_dir(dir, config)``.

One step::

    batch -> device -> loss = model.loss(batch) -> backward -> clip (value, then global norm)
          -> optimizer.step -> log / evaluate / early stopping / checkpoint -> budgets

``out_dir`` is a model folder with the best weights (by validation loss; the last weights
without validation data), plus ``trainer_state.json`` (a summary) and ``metrics.jsonl``; the
resumable state lives in ``out_dir/last`` (see :meth:`Trainer.save_checkpoint`).

Data order is a function of (seed, epoch) only: a list of batches is shuffled with a generator
seeded per epoch, and a DataLoader or a callable ``epoch -> batches`` is started inside a
scope where every RNG is seeded per epoch. So a resumed run sees the same batches, and a resume
in the middle of an epoch skips the batches already used. (A data pipeline that draws from the
global RNG lazily, batch after batch, in the main process cannot be replayed; take randomness
from the ``epoch`` argument or a DataLoader's workers/generator instead.)

With several processes (``torchrun``) every rank reads the same stream and one step takes one
batch per rank; see :mod:`seqlab.train.distributed`.
"""

from __future__ import annotations

import contextlib
import copy
import dataclasses
import json
import logging
import math
import random
import shutil
import sys
import time
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from itertools import islice
from pathlib import Path
from typing import Any

import numpy as np
import torch
from torch import Tensor, nn
from tqdm import tqdm

from seqlab.train.checkpoint import (
    append_jsonl,
    atomic_write_json,
    atomic_write_text,
    commit_dir,
    decode_tree,
    encode_tree,
    load_weights,
    read_safetensors,
    recover_dir,
    remove_stale_temp,
    rng_state,
    save_model,
    set_rng_state,
    write_safetensors,
)
from seqlab.train.clip import clip_grad_norm_, clip_grad_value_
from seqlab.train.distributed import (
    DistributedContext,
    all_gather_tensors,
    all_reduce_sum,
    barrier,
    init_distributed,
    is_presharded,
    resolve_device,
    shard_batches,
    wrap_model,
)

logger = logging.getLogger(__name__)

STATE_FILE = "trainer_state.json"
METRICS_FILE = "metrics.jsonl"
LAST_DIR = "last"
_STATE_FORMAT = 1
# Trainer attributes saved in trainer_state.json and restored as they are.
_COUNTERS = ("step", "epoch", "batches_in_epoch", "best_val_loss", "best_step", "bad_evals")
# Config fields that may change between a run and its resume without a warning.
_BUDGET_FIELDS = {
    "epochs",
    "max_steps",
    "max_minutes",
    "patience",
    "device",
    "checkpoint_every",
    "log_every",
    "progress",
}


@dataclass(frozen=True)
class TrainerConfig:
    """How to train: optimizer, clipping, budgets, validation, checkpoints, logging."""

    epochs: int | None = 10  # passes over train_data; None = no limit (then set another budget)
    max_steps: int | None = None  # optimizer steps in all; None = unlimited
    max_minutes: float | None = None  # wall-clock budget, summed over resumes; None = unlimited
    lr: float = 1e-3  # learning rate
    optimizer: str = "adamw"  # "adamw" | "sgd"
    weight_decay: float = 0.0  # decoupled for AdamW, L2 for SGD
    momentum: float = 0.0  # SGD momentum (ignored by AdamW)
    clip_norm: float | None = None  # clip the global gradient L2 norm to this; None = off
    clip_value: float | None = None  # clamp each gradient entry to +-this; None = off
    eval_every: int | None = None  # steps between validations; None = at the end of each epoch
    patience: int | None = None  # stop after this many evaluations without a better val loss
    seed: int = 0  # seeds torch, numpy, random and the per-epoch data order
    device: str = "auto"  # "auto" (CUDA when available) | "cpu" | "cuda"
    checkpoint_every: int | None = None  # steps between out_dir/last saves; None = each epoch
    log_every: int = 50  # steps between train lines in metrics.jsonl
    progress: bool = False  # tqdm progress bar on stderr (rank 0 only)
    shuffle: bool = True  # reshuffle a list (Sequence) of batches each epoch (not a callable's)

    def __post_init__(self) -> None:
        checks = {
            "epochs": self.epochs is None or self.epochs >= 1,
            "max_steps": self.max_steps is None or self.max_steps >= 0,
            "max_minutes": self.max_minutes is None or self.max_minutes >= 0,
            "lr": self.lr > 0,
            "optimizer": self.optimizer in ("adamw", "sgd"),
            "weight_decay": self.weight_decay >= 0,
            "momentum": self.momentum >= 0,
            "clip_norm": self.clip_norm is None or self.clip_norm > 0,
            "clip_value": self.clip_value is None or self.clip_value > 0,
            "eval_every": self.eval_every is None or self.eval_every >= 1,
            "patience": self.patience is None or self.patience >= 1,
            "device": self.device in ("auto", "cpu", "cuda"),
            "checkpoint_every": self.checkpoint_every is None or self.checkpoint_every >= 1,
            "log_every": self.log_every >= 1,
        }
        bad = [name for name, ok in checks.items() if not ok]
        if bad:
            values = ", ".join(f"{name}={getattr(self, name)!r}" for name in bad)
            raise ValueError(f"invalid TrainerConfig: {values}")
        if self.epochs is None and self.max_steps is None and self.max_minutes is None:
            raise ValueError("TrainerConfig needs a budget: epochs, max_steps or max_minutes")


@dataclass(frozen=True)
class TrainResult:
    """What :meth:`Trainer.fit` did."""

    steps: int  # optimizer steps taken in all (including before a resume)
    epochs: int  # epochs completed
    best_val_loss: float | None  # None without validation data
    best_step: int | None  # the step whose weights are in out_dir
    stopped_because: str  # "epochs" | "max_steps" | "max_minutes" | "early_stopping"
    elapsed: float  # seconds of training, summed over resumes


class Trainer:
    """Trains a task model; see the module docstring.

    Args:
        model: the task model (on any device; moved to the configured one).
        config: a :class:`TrainerConfig`.
        out_dir: the output model folder (created).
        train_data: a re-iterable of batches (list, DataLoader, ...) or a callable
            ``epoch -> iterable of batches``. A batch is anything ``model.loss`` takes; tensors
            in dicts, lists and tuples are moved to the device.
        val_data: the same kinds, for validation; None = no validation.
        callbacks: objects with optional ``on_step(trainer, step, logs)`` and
            ``on_evaluate(trainer, step, metrics)``.
        resume: restore the state in ``out_dir/last`` (see :meth:`resume`).
    """

    def __init__(
        self,
        model: nn.Module,
        config: TrainerConfig,
        out_dir: str | Path,
        *,
        train_data: Iterable[Any] | Callable[[int], Iterable[Any]],
        val_data: Iterable[Any] | Callable[[int], Iterable[Any]] | None = None,
        callbacks: Sequence[Any] = (),
        resume: bool = False,
    ) -> None:
        _check_task_model(model)
        self.config = config
        self.out_dir = Path(out_dir)
        self.train_data = train_data
        self.val_data = val_data
        self.callbacks = tuple(callbacks)
        self.dist: DistributedContext = init_distributed(config.device)
        self.device = resolve_device(config.device, self.dist.local_rank)
        self.model = model.to(self.device)
        self.optimizer = _build_optimizer(self.model, config)
        self._loss_module = wrap_model(self.model, self.dist, self.device)
        seed_everything(config.seed + self.dist.rank)
        self.step = 0  # optimizer steps done
        self.epoch = 0  # epochs completed
        self.batches_in_epoch = 0  # batches of the current epoch's stream already used
        self.best_val_loss: float | None = None
        self.best_step: int | None = None
        self.bad_evals = 0  # evaluations since the best one (early stopping)
        self._elapsed_before = 0.0  # seconds spent in earlier runs (resume)
        self._fit_start = time.monotonic()
        self._running = False  # inside fit(): elapsed() counts from _fit_start
        self._fresh = True  # neither resumed nor fitted yet: fit() cleans out_dir first
        self._interval = _Interval()
        self._last_eval_step: int | None = None
        self._last_save_step: int | None = None
        if self.dist.is_main:
            self.out_dir.mkdir(parents=True, exist_ok=True)
        if resume:
            self.resume()

    # --- the loop ---------------------------------------------------------------------------

    def fit(self) -> TrainResult:
        """Train until a budget runs out or early stopping; always leaves the best model folder.

        Returns:
            A :class:`TrainResult`.

        Raises:
            ValueError: if train_data yields no batches, or evaluate() has no "loss".
            FloatingPointError: if the training loss becomes nan or inf.
        """
        if self._fresh and self.dist.is_main:
            self._clean_out_dir()
        self._fresh = False
        self._fit_start, self._running = time.monotonic(), True
        self._interval.restart()
        bar = self._progress_bar()
        try:
            reason = self._budget_reason()
            while reason is None:
                reason = self._run_epoch(bar) or self._budget_reason()
            self._finish(reason)
        finally:
            bar.close()
            self._elapsed_before = self.elapsed()
            self._running = False
        barrier(self.dist)
        return TrainResult(
            steps=self.step,
            epochs=self.epoch,
            best_val_loss=self.best_val_loss,
            best_step=self.best_step,
            stopped_because=reason,
            elapsed=self.elapsed(),
        )

    def _run_epoch(self, bar: tqdm) -> str | None:
        stream = self._batches(self.train_data, self.epoch, skip=self.batches_in_epoch, train=True)
        steps = 0
        for (batch, active, n_batches), last in _with_last(stream):
            time_up = self.config.max_minutes is not None and self.elapsed() >= (
                self.config.max_minutes * 60
            )
            time_up = self._train_step(batch, active, time_up, bar)
            self.batches_in_epoch += n_batches
            steps += 1
            reason = self._after_step(end_of_epoch=last)
            reason = reason or self._budget_reason(time_up)
            if reason is not None:
                return reason
        if steps == 0:
            if self.batches_in_epoch == 0:
                raise ValueError(f"train_data yielded no batches in epoch {self.epoch}")
            self._end_epoch()  # resumed exactly at the end of an epoch
        return None

    def _train_step(self, batch: Any, active: bool, time_up: bool, bar: tqdm) -> bool:
        batch = move_to_device(batch, self.device)
        weight = float(self._count(batch)) if active else 0.0
        self.model.train()
        loss = self._loss_module(batch)  # (), mean over this batch's tokens
        loss_sum = float(loss.detach()) * weight if active else 0.0
        stats = torch.tensor([weight, loss_sum, float(time_up)], dtype=torch.float64)
        if self.dist.enabled:
            stats = all_reduce_sum(stats.to(self._comm_device), self.dist).cpu()
        total_weight, total_loss, time_flags = stats.tolist()
        mean_loss = total_loss / total_weight if total_weight > 0 else float("nan")
        if not math.isfinite(mean_loss):
            raise FloatingPointError(f"training loss is {mean_loss} at step {self.step + 1}")
        # Each rank's share of the mean over all tokens; DDP then averages over ranks (1/W).
        scale = weight * self.dist.world_size / total_weight if self.dist.enabled else 1.0
        (loss * scale).backward()
        grad_norm = self._clip()
        self.optimizer.step()
        self.optimizer.zero_grad(set_to_none=True)
        self.step += 1
        self._interval.add(mean_loss, total_weight, grad_norm)
        logs = {"loss": mean_loss, "lr": self.lr, "epoch": self.epoch, "tokens": total_weight}
        for callback in self.callbacks:
            if hasattr(callback, "on_step"):
                callback.on_step(self, self.step, logs)
        bar.update(1)
        bar.set_postfix(
            loss=f"{mean_loss:.4f}", tok_s=f"{self._interval.rate():.0f}", refresh=False
        )
        return time_flags > 0

    def _clip(self) -> float | None:
        params = [p for p in self.model.parameters() if p.grad is not None]
        if self.config.clip_value is not None:
            clip_grad_value_(params, self.config.clip_value)
        if self.config.clip_norm is not None:
            return float(clip_grad_norm_(params, self.config.clip_norm))
        return None

    def _after_step(self, *, end_of_epoch: bool) -> str | None:
        if self.step % self.config.log_every == 0:
            self._log_train()
        reason = None
        every = self.config.eval_every
        if self.val_data is not None and every is not None and self.step % every == 0:
            reason = self._validate()
        if end_of_epoch:
            reason = self._end_epoch() or reason
        elif self.config.checkpoint_every and self.step % self.config.checkpoint_every == 0:
            self.save_checkpoint()
        return reason

    def _end_epoch(self) -> str | None:
        self.epoch += 1
        self.batches_in_epoch = 0
        reason = None
        if self.val_data is not None and self.config.eval_every is None:
            reason = self._validate()
        self.save_checkpoint()
        return reason

    def _budget_reason(self, time_up: bool = False) -> str | None:
        config = self.config
        if config.max_steps is not None and self.step >= config.max_steps:
            return "max_steps"
        if time_up or (
            config.max_minutes is not None and self._elapsed_before >= config.max_minutes * 60
        ):
            return "max_minutes"
        if config.epochs is not None and self.epoch >= config.epochs:
            return "epochs"
        return None

    def _finish(self, reason: str) -> None:
        if self.val_data is not None and self._last_eval_step != self.step:
            self._validate()  # so the best model folder reflects the final weights too
        if self._interval.steps:
            self._log_train()
        if self._last_save_step != self.step:
            self.save_checkpoint()
        if self.val_data is None and self.best_step is None:
            self._save_best()  # not even one step: still leave a model folder
        self._write_summary(reason)
        logger.info(
            "stopped after %d steps (%s); best val loss %s", self.step, reason, self.best_val_loss
        )

    # --- validation -------------------------------------------------------------------------

    @torch.no_grad()
    def evaluate(self, data: Any = None) -> dict[str, float]:
        """Mean of ``model.evaluate`` over the validation batches, weighted by tokens/examples.

        Args:
            data: batches to evaluate (same kinds as ``val_data``); default ``val_data``.

        Returns:
            The weighted means, e.g. ``{"loss": ..., "accuracy": ...}``; identical on every rank.

        Raises:
            ValueError: without data, on an empty stream, or when batches disagree on the keys.
        """
        data = self.val_data if data is None else data
        if data is None:
            raise ValueError("no validation data")
        was_training = self.model.training
        self.model.eval()
        keys: list[str] | None = None
        sums: Tensor | None = None
        for batch, active, _ in self._batches(data, self.epoch, skip=0, train=False):
            batch = move_to_device(batch, self.device)
            weight = float(self._count(batch)) if active else 0.0
            metrics = {k: float(v) for k, v in self.model.evaluate(batch).items()}
            if keys is None:
                keys, sums = sorted(metrics), torch.zeros(len(metrics) + 1, dtype=torch.float64)
            if sorted(metrics) != keys:
                raise ValueError(f"evaluate() returned keys {sorted(metrics)}, earlier {keys}")
            values = [metrics[k] * weight for k in keys] if active else [0.0] * len(keys)
            sums += torch.tensor([*values, weight], dtype=torch.float64)
        self.model.train(was_training)
        if keys is None:
            raise ValueError("validation data yielded no batches")
        sums = all_reduce_sum(sums.to(self._comm_device), self.dist).cpu()
        total = float(sums[-1])
        return {k: float(s) / total if total > 0 else float("nan") for k, s in zip(keys, sums)}

    def _validate(self) -> str | None:
        metrics = self.evaluate()
        if "loss" not in metrics:
            raise ValueError(f"{type(self.model).__name__}.evaluate() must return a 'loss'")
        self._last_eval_step = self.step
        val_loss = metrics["loss"]
        if self.best_val_loss is None or val_loss < self.best_val_loss:
            self.best_val_loss, self.best_step, self.bad_evals = val_loss, self.step, 0
            self._save_best()
        else:
            self.bad_evals += 1
        record = {"kind": "eval", **self._record(), **{f"val_{k}": v for k, v in metrics.items()}}
        record["best_val_loss"] = self.best_val_loss
        self._write_metrics(record)
        logger.info("step %d: val %s", self.step, _format(metrics))
        for callback in self.callbacks:
            if hasattr(callback, "on_evaluate"):
                callback.on_evaluate(self, self.step, metrics)
        patience = self.config.patience
        return "early_stopping" if patience is not None and self.bad_evals >= patience else None

    # --- data ------------------------------------------------------------------------------

    def _batches(self, data: Any, epoch: int, *, skip: int, train: bool) -> Iterator[tuple]:
        """This rank's ``(batch, active, n_batches)`` groups of one epoch's stream."""
        seed = _derive_seed(self.config.seed, epoch, 0 if train else 1)
        stream = _epoch_stream(data, epoch, seed, skip=skip, shuffle=train and self.config.shuffle)
        if is_presharded(data):
            return ((batch, True, 1) for batch in stream)
        return shard_batches(stream, self.dist.rank, self.dist.world_size)

    def _count(self, batch: Any) -> int:
        if hasattr(self.model, "count_tokens"):
            return int(self.model.count_tokens(batch))
        return batch_size(batch)

    # --- checkpoints -----------------------------------------------------------------------

    def save_checkpoint(self) -> None:
        """Save the resumable state to ``out_dir/last`` (all ranks must call it).

        ``last/`` is a model folder with the last weights, plus ``state.safetensors``
        (optimizer tensors under ``optimizer/...``, RNG states under ``rng/RANK/...``) and
        ``trainer_state.json`` (counters, best val loss, patience, the optimizer's structure).
        It is written whole into ``last.tmp`` and swapped in, so it is always consistent.
        Without validation data the out_dir model folder is updated too (best = last).
        """
        rng = all_gather_tensors(rng_state(), self.dist, self.device)
        self._last_save_step = self.step
        if self.val_data is None:
            self._save_best()
        if not self.dist.is_main:
            return
        staging = self.out_dir / f"{LAST_DIR}.tmp"
        shutil.rmtree(staging, ignore_errors=True)
        save_model(self.model, staging)
        tensors: dict[str, Tensor] = {}
        optimizer = encode_tree(self.optimizer.state_dict(), tensors, "optimizer")
        for rank, states in enumerate(rng):
            tensors.update({f"rng/{rank}/{name}": t for name, t in states.items()})
        write_safetensors(staging / "state.safetensors", tensors)
        atomic_write_json(staging / STATE_FILE, {**self._counters(), "optimizer": optimizer})
        commit_dir(staging, self.out_dir / LAST_DIR)
        logger.debug("saved %s at step %d", self.out_dir / LAST_DIR, self.step)

    def resume(self) -> None:
        """Restore weights, optimizer, RNGs, counters and early-stopping state from out_dir/last.

        Raises:
            ValueError: if there is no checkpoint or it does not fit the model.
        """
        last = self.out_dir / LAST_DIR
        if self.dist.is_main:
            recover_dir(last)
            remove_stale_temp(self.out_dir)
        barrier(self.dist)
        if not (last / STATE_FILE).is_file():
            raise ValueError(f"cannot resume: no checkpoint in {last}")
        try:
            state = json.loads((last / STATE_FILE).read_text(encoding="utf-8"))
        except json.JSONDecodeError as error:
            raise ValueError(f"{last / STATE_FILE}: invalid JSON ({error})") from error
        if not isinstance(state, dict) or state.get("format") != _STATE_FORMAT:
            raise ValueError(f"{last / STATE_FILE}: not a format-{_STATE_FORMAT} trainer state")
        missing = [k for k in (*_COUNTERS, "elapsed", "interval", "optimizer") if k not in state]
        if missing:
            raise ValueError(f"{last / STATE_FILE}: missing key(s) {', '.join(missing)}")
        self._warn_config_changes(state)
        load_weights(self.model, last / "model.safetensors")
        tensors = read_safetensors(last / "state.safetensors")
        self.optimizer.load_state_dict(decode_tree(state["optimizer"], tensors))
        for name in _COUNTERS:
            setattr(self, name, state[name])
        self._elapsed_before = state["elapsed"]
        self._last_eval_step = state.get("last_eval_step")
        self._last_save_step = self.step
        self._interval.load(state["interval"])
        self._fresh = False
        prefix = f"rng/{self.dist.rank}/"
        rng = {k[len(prefix) :]: t for k, t in tensors.items() if k.startswith(prefix)}
        if rng:
            set_rng_state(rng)
        else:
            logger.warning("no saved RNG state for rank %d; reseeding", self.dist.rank)
            seed_everything(_derive_seed(self.config.seed, self.step, self.dist.rank))
        if self.dist.is_main:
            self._truncate_metrics()
        logger.info("resumed from %s at step %d (epoch %d)", last, self.step, self.epoch)

    def _counters(self) -> dict[str, Any]:
        return {
            "format": _STATE_FORMAT,
            "step": self.step,
            "epoch": self.epoch,
            "batches_in_epoch": self.batches_in_epoch,
            "best_val_loss": self.best_val_loss,
            "best_step": self.best_step,
            "bad_evals": self.bad_evals,
            "elapsed": self.elapsed(),
            "last_eval_step": self._last_eval_step,
            "world_size": self.dist.world_size,
            "interval": self._interval.state(),
            "trainer_config": dataclasses.asdict(self.config),
        }

    def _save_best(self) -> None:
        if self.val_data is None:
            self.best_step = self.step
        if not self.dist.is_main:
            return
        save_model(self.model, self.out_dir)
        self._write_summary(None)

    def _write_summary(self, reason: str | None) -> None:
        if self.dist.is_main:
            summary = {k: v for k, v in self._counters().items() if k != "interval"}
            atomic_write_json(self.out_dir / STATE_FILE, {**summary, "stopped_because": reason})

    def _warn_config_changes(self, state: dict[str, Any]) -> None:
        saved = state.get("trainer_config", {})
        changed = [
            k
            for k, v in dataclasses.asdict(self.config).items()
            if k not in _BUDGET_FIELDS and k in saved and saved[k] != v
        ]
        if changed:
            logger.warning("resuming with a changed TrainerConfig: %s", ", ".join(changed))
        if state.get("world_size", 1) != self.dist.world_size and state["batches_in_epoch"]:
            logger.warning("resuming mid-epoch with a different world size")

    def _clean_out_dir(self) -> None:
        # A fresh run owns out_dir: drop the trainer files of an earlier run (not the user's).
        for name in (LAST_DIR, f"{LAST_DIR}.tmp", f"{LAST_DIR}.old"):
            shutil.rmtree(self.out_dir / name, ignore_errors=True)
        (self.out_dir / METRICS_FILE).unlink(missing_ok=True)
        remove_stale_temp(self.out_dir)

    # --- logging ---------------------------------------------------------------------------

    def elapsed(self) -> float:
        """Seconds of training so far, including runs before a resume."""
        running = time.monotonic() - self._fit_start if self._running else 0.0
        return self._elapsed_before + running

    @property
    def lr(self) -> float:
        """The current learning rate (of the first parameter group)."""
        return float(self.optimizer.param_groups[0]["lr"])

    def _record(self) -> dict[str, Any]:
        return {"step": self.step, "epoch": self.epoch, "lr": self.lr, "elapsed": self.elapsed()}

    def _log_train(self) -> None:
        record = {"kind": "train", **self._record(), **self._interval.summary()}
        self._interval.restart()
        self._write_metrics(record)
        logger.info("step %d: %s", self.step, _format(record))

    def _write_metrics(self, record: dict[str, Any]) -> None:
        if self.dist.is_main:
            append_jsonl(self.out_dir / METRICS_FILE, _json_safe(record))

    def _truncate_metrics(self) -> None:
        # Lines written after the checkpoint belong to steps that will be redone.
        file = self.out_dir / METRICS_FILE
        if not file.is_file():
            return
        kept = []
        for line in file.read_text(encoding="utf-8").splitlines():
            with contextlib.suppress(json.JSONDecodeError):
                if json.loads(line).get("step", 0) <= self.step:
                    kept.append(line + "\n")
        atomic_write_text(file, "".join(kept))

    def _progress_bar(self) -> tqdm:
        show = self.config.progress and self.dist.is_main
        return tqdm(
            total=self._total_steps(),
            initial=self.step,
            file=sys.stderr,
            unit="step",
            dynamic_ncols=True,
            disable=not show,
        )

    def _total_steps(self) -> int | None:
        totals = [self.config.max_steps] if self.config.max_steps is not None else []
        data = self.train_data
        if self.config.epochs is not None and not callable(data) and hasattr(data, "__len__"):
            per_epoch = len(data)
            if not is_presharded(data):
                per_epoch = math.ceil(per_epoch / self.dist.world_size)
            totals.append(self.config.epochs * per_epoch)
        return min(totals) if totals else None

    @property
    def _comm_device(self) -> torch.device:
        return self.device if self.device.type == "cuda" else torch.device("cpu")


# --- helpers ---------------------------------------------------------------------------------


class _Interval:
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


def seed_everything(seed: int) -> None:
    """Seed ``random``, NumPy and torch (all devices)."""
    random.seed(seed)
    np.random.seed(seed % 2**32)
    torch.manual_seed(seed)


def move_to_device(batch: Any, device: torch.device) -> Any:
    """Move the tensors in nested dicts, lists and tuples (namedtuples too) to ``device``."""
    if isinstance(batch, Tensor):
        # non_blocking only towards an accelerator: a non-blocking copy to the CPU may be read
        # before it has landed.
        return batch.to(device, non_blocking=device.type == "cuda")
    if isinstance(batch, dict):
        moved = {k: move_to_device(v, device) for k, v in batch.items()}
        if type(batch) is dict:
            return moved
        out = copy.copy(batch)  # OrderedDict, defaultdict, BatchEncoding-like mappings
        out.update(moved)
        return out
    if isinstance(batch, tuple) and hasattr(batch, "_fields"):
        return type(batch)(*(move_to_device(v, device) for v in batch))
    if isinstance(batch, (list, tuple)):
        return type(batch)(move_to_device(v, device) for v in batch)
    return batch


def batch_size(batch: Any) -> int:
    """The first dimension of the first tensor in ``batch`` (1 when it holds no tensor)."""
    tensor = _first_tensor(batch)
    return int(tensor.shape[0]) if tensor is not None and tensor.dim() > 0 else 1


def _first_tensor(obj: Any) -> Tensor | None:
    if isinstance(obj, Tensor):
        return obj
    values = (
        obj.values() if isinstance(obj, dict) else obj if isinstance(obj, (list, tuple)) else ()
    )
    for value in values:
        tensor = _first_tensor(value)
        if tensor is not None:
            return tensor
    return None


@contextlib.contextmanager
def _seeded(seed: int) -> Iterator[None]:
    """Run a block with every RNG seeded, then put the RNGs back as they were."""
    saved = rng_state()
    seed_everything(seed)
    try:
        yield
    finally:
        set_rng_state(saved)


def _epoch_stream(data: Any, epoch: int, seed: int, *, skip: int, shuffle: bool) -> Iterator[Any]:
    """One epoch of batches, in an order fixed by ``seed``, without the first ``skip``."""
    with _seeded(seed):
        # A callable decides the order itself; only a Sequence handed in directly is shuffled.
        shuffle = shuffle and not callable(data)
        source = data(epoch) if callable(data) else data
        if hasattr(getattr(source, "sampler", None), "set_epoch"):
            source.sampler.set_epoch(epoch)
        if isinstance(source, Sequence):
            generator = torch.Generator().manual_seed(seed)
            order = torch.randperm(len(source), generator=generator).tolist() if shuffle else None
            indices = (order or range(len(source)))[skip:]
            iterator = (source[i] for i in indices)
        else:
            iterator = islice(iter(source), skip, None)
        # DataLoader samplers draw their seed lazily, at the first batch: keep it in the scope.
        first = next(iterator, _END)
    if first is _END:
        return
    yield first
    yield from iterator


def _with_last(iterable: Iterable[Any]) -> Iterator[tuple[Any, bool]]:
    """Yield ``(item, is_last)`` with one item of lookahead."""
    iterator = iter(iterable)
    current = next(iterator, _END)
    while current is not _END:
        following = next(iterator, _END)
        yield current, following is _END
        current = following


def _derive_seed(*numbers: int) -> int:
    return int(np.random.SeedSequence([n % 2**63 for n in numbers]).generate_state(1)[0])


def _build_optimizer(model: nn.Module, config: TrainerConfig) -> torch.optim.Optimizer:
    params = [p for p in model.parameters() if p.requires_grad]
    if config.optimizer == "sgd":
        return torch.optim.SGD(
            params, lr=config.lr, momentum=config.momentum, weight_decay=config.weight_decay
        )
    return torch.optim.AdamW(params, lr=config.lr, weight_decay=config.weight_decay)


def _check_task_model(model: nn.Module) -> None:
    missing = [name for name in ("task", "config", "loss", "evaluate") if not hasattr(model, name)]
    if missing:
        raise TypeError(f"{type(model).__qualname__} is not a task model; it lacks {missing}")


def _json_safe(record: dict[str, Any]) -> dict[str, Any]:
    return {
        k: (None if isinstance(v, float) and not math.isfinite(v) else v) for k, v in record.items()
    }


def _format(metrics: dict[str, Any]) -> str:
    return " ".join(
        f"{k}={v:.4g}" if isinstance(v, float) else f"{k}={v}" for k, v in metrics.items()
    )


_END = object()
