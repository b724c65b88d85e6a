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

Data order is a function of (seed, epoch) only, so a resumed run sees the same batches; see
:mod:`seqlab.train.data`. The files in ``out_dir`` are written by :mod:`seqlab.train.state`.
With several processes (``torchrun``) every rank reads the same stream and one step takes one
batch per rank; see :mod:`seqlab.train.distributed`.

Why one module of ~600 lines: the loop is one concept, and its steps (budgets, validation, early
stopping, checkpoints) share the counters that a resume must restore exactly; what can stand
alone already does (files: ``state``/``folder``/``io``, data order: ``data``, processes:
``distributed``, schedules: ``schedule``, the task recipe around it: ``fit``).
"""

from __future__ import annotations

import dataclasses
import logging
import math
import shutil
import sys
import time
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import torch
from torch import Tensor, nn
from tqdm import tqdm

from seqlab._config import upgrade_fields
from seqlab.train.clip import clip_grad_norm_, clip_grad_value_
from seqlab.train.config import TrainerConfig
from seqlab.train.data import (
    batch_size,
    derive_seed,
    move_to_device,
    rank_batches,
    seed_everything,
    total_steps,
    with_last,
)
from seqlab.train.distributed import (
    DistributedContext,
    all_gather_tensors,
    all_reduce_sum,
    barrier,
    init_distributed,
    resolve_device,
    wrap_model,
)
from seqlab.train.folder import load_weights, save_model
from seqlab.train.io import atomic_write_json, recover_dir, remove_stale_temp
from seqlab.train.schedule import lr_factor
from seqlab.train.state import (
    COUNTERS,
    LAST_DIR,
    METRICS_FILE,
    STATE_FILE,
    STATE_FORMAT,
    Interval,
    append_metrics,
    changed_fields,
    clean_out_dir,
    read_state,
    read_tensors,
    rng_state,
    set_rng_state,
    truncate_metrics,
    write_last,
)

# Re-exported: seqlab.train and the tests import these names from this module.
__all__ = [
    "LAST_DIR",
    "METRICS_FILE",
    "STATE_FILE",
    "TrainResult",
    "Trainer",
    "TrainerConfig",
    "batch_size",
    "move_to_device",
    "seed_everything",
]

logger = logging.getLogger(__name__)


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
        self.best_val_loss: float | None = None  # the val loss of the best weights
        self.best_value: float | None = None  # their value of config.select
        self.best_step: int | None = None
        self.bad_evals = 0  # evaluations since the best one (early stopping)
        self._elapsed_before = 0.0  # seconds spent in earlier runs (resume)
        self._fit_start = time.monotonic()
        self._running = False  # inside fit(): elapsed() counts from _fit_start
        self._fresh = True  # neither resumed nor fitted yet: fit() cleans out_dir first
        self._interval = Interval()
        self._last_eval_step: int | None = None
        self._last_save_step: int | None = None
        created = self.dist.is_main and not self.out_dir.exists()
        if self.dist.is_main:
            self.out_dir.mkdir(parents=True, exist_ok=True)
        if resume:
            try:
                self.resume()
            except BaseException:
                if created:  # nothing half-written: a folder this call made goes again
                    shutil.rmtree(self.out_dir, ignore_errors=True)
                raise

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
        self._steps_total = self._total_steps()  # progress bar and learning-rate schedule
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
        for (batch, active, n_batches), last in with_last(stream):
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
        self._set_lr()
        self.optimizer.step()
        self.optimizer.zero_grad(set_to_none=True)
        self.step += 1
        self._interval.add(mean_loss, total_weight, grad_norm)
        logs = {"loss": mean_loss, "lr": self.lr, "epoch": self.epoch, "tokens": total_weight}
        for callback in self.callbacks:
            if hasattr(callback, "on_step"):
                callback.on_step(self, self.step, logs)
        bar.update(1)
        postfix = {"loss": f"{mean_loss:.4f}", "tok_s": f"{self._interval.rate():.0f}"}
        if self.config.max_minutes is not None:  # tqdm's ETA needs a step count; time it is
            left = max(self.config.max_minutes * 60 - self.elapsed(), 0.0)
            postfix["time_left"] = f"{int(left // 60)}:{int(left % 60):02d}"
        bar.set_postfix(postfix, refresh=False)
        return time_flags > 0

    def _clip(self) -> float | None:
        params = [p for p in self.model.parameters() if p.grad is not None]
        if self.config.clip_value is not None:
            clip_grad_value_(params, self.config.clip_value)
        if self.config.clip_norm is not None:
            return float(clip_grad_norm_(params, self.config.clip_norm))
        return None

    def _set_lr(self) -> None:
        """The learning rate of the coming step (see :mod:`seqlab.train.schedule`)."""
        config = self.config
        factor = lr_factor(
            config.lr_schedule,
            self.step,
            warmup_steps=config.warmup_steps,
            min_ratio=config.min_lr_ratio,
            total_steps=self._steps_total,
            elapsed=self.elapsed(),
            budget_seconds=None if config.max_minutes is None else config.max_minutes * 60,
        )
        for group in self.optimizer.param_groups:
            group["lr"] = config.lr * factor

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
        means = {k: float(s) / total if total > 0 else float("nan") for k, s in zip(keys, sums)}
        # Metrics that are not means over batches (entity F1) are derived from the means here.
        summarize = getattr(self.model, "summarize_metrics", None)
        return summarize(means) if summarize else means

    def _validate(self) -> str | None:
        metrics = self.evaluate()
        if "loss" not in metrics:
            raise ValueError(f"{type(self.model).__name__}.evaluate() must return a 'loss'")
        self._last_eval_step = self.step
        select = self.config.select
        latest = select == "last"
        if not latest and select not in metrics:
            raise ValueError(
                f"TrainerConfig.select={select!r}, but validation gives {sorted(metrics)}"
            )
        value = metrics["loss" if latest else select]
        best = self.best_value
        lower = select in ("loss", "last")
        if latest or best is None or (value < best if lower else value > best):
            self.best_val_loss, self.best_value = metrics["loss"], value
            self.best_step, self.bad_evals = self.step, 0
            self._save_best()
        else:
            self.bad_evals += 1
        record = {"kind": "eval", **self._record(), **{f"val_{k}": v for k, v in metrics.items()}}
        record["best_val_loss"] = self.best_val_loss
        if not lower:
            record[f"best_val_{select}"] = self.best_value
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
        return rank_batches(
            data,
            epoch,
            seed=self.config.seed,
            skip=skip,
            train=train,
            shuffle=self.config.shuffle,
            dist=self.dist,
        )

    def _count(self, batch: Any) -> int:
        if hasattr(self.model, "count_tokens"):
            return int(self.model.count_tokens(batch))
        return batch_size(batch)

    # --- checkpoints -----------------------------------------------------------------------

    def save_checkpoint(self) -> None:
        """Save the resumable state to ``out_dir/last`` (all ranks must call it).

        ``last/`` holds the last weights, the optimizer and RNG states and the counters; it is
        always consistent (see :mod:`seqlab.train.state`).
        Without validation data the out_dir model folder is updated too (best = last).
        """
        rng = all_gather_tensors(rng_state(), self.dist, self.device)
        self._last_save_step = self.step
        if self.val_data is None:
            self._save_best()
        if not self.dist.is_main:
            return
        write_last(self.out_dir, self.model, self.optimizer, rng, self._counters())
        logger.debug("saved %s at step %d", self.out_dir / LAST_DIR, self.step)

    def resume(self) -> None:
        """Restore weights, optimizer, RNGs, counters and early-stopping state from out_dir/last.

        Raises:
            ValueError: if there is no checkpoint, it does not fit the model, or its run used
                a TrainerConfig option that was removed (``RETIRED_FIELDS``).
        """
        last = self.out_dir / LAST_DIR
        if self.dist.is_main:
            recover_dir(last)
            remove_stale_temp(self.out_dir)
        barrier(self.dist)
        state = read_state(last)
        self._warn_config_changes(state)
        load_weights(self.model, last / "model.safetensors")
        optimizer, rng = read_tensors(last, state, self.dist.rank)
        self.optimizer.load_state_dict(optimizer)
        for name in COUNTERS:
            setattr(self, name, state[name])
        self._elapsed_before = state["elapsed"]
        self._last_eval_step = state.get("last_eval_step")
        self._last_save_step = self.step
        self._interval.load(state["interval"])
        self._fresh = False
        if rng:
            set_rng_state(rng)
        else:
            logger.warning("no saved RNG state for rank %d; reseeding", self.dist.rank)
            seed_everything(derive_seed(self.config.seed, self.step, self.dist.rank))
        if self.dist.is_main:
            truncate_metrics(self.out_dir, self.step)
        logger.info("resumed from %s at step %d (epoch %d)", last, self.step, self.epoch)

    def _counters(self) -> dict[str, Any]:
        return {
            "format": STATE_FORMAT,
            "step": self.step,
            "epoch": self.epoch,
            "batches_in_epoch": self.batches_in_epoch,
            "best_val_loss": self.best_val_loss,
            "best_value": self.best_value,
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
        source = self.out_dir / LAST_DIR / STATE_FILE
        saved = upgrade_fields(TrainerConfig, state.get("trainer_config", {}), source=source)
        changed = changed_fields(saved, dataclasses.asdict(self.config))
        if changed:
            logger.warning("resuming with a changed TrainerConfig: %s", ", ".join(changed))
        if state.get("world_size", 1) != self.dist.world_size and state["batches_in_epoch"]:
            logger.warning("resuming mid-epoch with a different world size")

    def _clean_out_dir(self) -> None:
        clean_out_dir(self.out_dir)

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
            append_metrics(self.out_dir, record)

    def _progress_bar(self) -> tqdm:
        show = self.config.progress and self.dist.is_main
        return tqdm(
            total=self._steps_total,
            initial=self.step,
            file=sys.stderr,
            unit="step",
            dynamic_ncols=True,
            disable=not show,
        )

    def _total_steps(self) -> int | None:
        return total_steps(
            self.train_data,
            epochs=self.config.epochs,
            max_steps=self.config.max_steps,
            world_size=self.dist.world_size,
        )

    @property
    def _comm_device(self) -> torch.device:
        return self.device if self.device.type == "cuda" else torch.device("cpu")


# --- helpers ---------------------------------------------------------------------------------


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


def _format(metrics: dict[str, Any]) -> str:
    return " ".join(
        f"{k}={v:.4g}" if isinstance(v, float) else f"{k}={v}" for k, v in metrics.items()
    )
