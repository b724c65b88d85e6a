"""The one training recipe every task follows: model, batches, Trainer, best weights.

Each task's ``train_*`` function (language model, classifier, tagger, encoder-decoder, speech
recogniser, trigger-word detector, music model) reads and splits its data, then hands
:func:`fit_task` two steps of its own::

    build_model(resume_dir) ──> model         vocabularies built on the training part, or read
                                               from out_dir/last when resuming
    make_data(model)        ──> TaskData       training and validation batches, the data record
    Trainer(model, ...).fit()                  budgets, validation, checkpoints (seqlab.train)
    load the best weights   ──> Trained        the model folder's best, with the data record

Everything a resumed run needs is read from ``out_dir/last`` (the Trainer's latest checkpoint
writes the model's vocabularies there too), never from files of another run beside it. The
initial weights follow ``trainer_config.seed``. A run that fails (a diverged loss, bad data)
leaves no folder it created; Ctrl-C keeps it, so ``--resume`` can continue.
"""

from __future__ import annotations

import json
import os
import shutil
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Generic, TypeVar

import torch
from torch import nn

from seqlab._atomic import atomic_write_text
from seqlab.train.folder import load_model
from seqlab.train.io import recover_dir
from seqlab.train.state import LAST_DIR
from seqlab.train.trainer import Trainer, TrainerConfig, TrainResult

__all__ = ["TaskData", "Trained", "fit_task"]

M = TypeVar("M", bound=nn.Module)


@dataclass(frozen=True)
class TaskData:
    """What a task's data step hands the recipe."""

    train: Any  # training batches: a re-iterable, or a callable epoch -> batches
    val: Any = None  # validation batches of the same kind; None = no validation
    record: dict[str, Any] | None = None  # about the data (sources, sizes, unknown tokens)


@dataclass(frozen=True)
class Trained(Generic[M]):
    """What every ``train_*`` function returns."""

    model: M  # the best weights, reloaded from the model folder (eval mode)
    result: TrainResult  # steps, epochs, best validation loss, why it stopped
    record: dict[str, Any] = field(default_factory=dict)  # the data record ({} when none)
    scores: dict[str, float] | None = None  # the best model's validation scores, if computed


def fit_task(
    build_model: Callable[[Path | None], M],
    make_data: Callable[[M], TaskData],
    trainer_config: TrainerConfig,
    out_dir: str | os.PathLike[str],
    *,
    record_file: str | None = None,
    score: Callable[[M], dict[str, float] | None] | None = None,
    callbacks: Sequence[Any] = (),
    resume: bool = False,
) -> Trained[M]:
    """Train a task model and leave the best one in ``out_dir``.

    Args:
        build_model: returns the untrained model; its argument is the folder to read
            vocabularies and labels from (``out_dir/last`` when resuming, else None, when they
            are built from the training data). Called right after seeding torch.
        make_data: encodes the data for that model.
        trainer_config: optimizer, schedule, budgets, validation.
        out_dir: the model folder.
        record_file: the data record's file name in ``out_dir`` (e.g. ``"data.json"``);
            None = not written.
        score: validation scores of the best model (e.g. accuracy), kept in ``Trained.scores``.
        callbacks: Trainer callbacks.
        resume: continue from ``out_dir/last``.

    Returns:
        A :class:`Trained`.

    Raises:
        ValueError: from the task's steps or the Trainer (e.g. nothing to resume).
        FloatingPointError: if the training loss diverges.
    """
    out_dir = Path(out_dir)
    existed = out_dir.exists()
    resume_dir = _resume_dir(out_dir) if resume else None
    torch.manual_seed(trainer_config.seed)  # the initial weights follow the run's seed
    model = build_model(resume_dir)
    data = make_data(model)
    trainer = Trainer(model, trainer_config, out_dir, train_data=data.train, val_data=data.val,
                      callbacks=callbacks, resume=resume)  # fmt: skip
    if record_file is not None and data.record is not None and trainer.dist.is_main:
        text = json.dumps(data.record, indent=2, ensure_ascii=False) + "\n"
        atomic_write_text(out_dir / record_file, text)
    try:
        result = trainer.fit()
    except Exception:
        if not existed and trainer.dist.is_main:
            shutil.rmtree(out_dir, ignore_errors=True)
        raise
    best = load_model(out_dir, type(model), map_location=trainer.device)
    scores = score(best) if score is not None else None
    return Trained(model=best, result=result, record=data.record or {}, scores=scores)


def _resume_dir(out_dir: Path) -> Path | None:
    """``out_dir/last`` (restored first if a crash left it half-swapped), or None."""
    last = out_dir / LAST_DIR
    if os.environ.get("RANK", "0") == "0":
        recover_dir(last)
    return last if (last / "config.json").is_file() else None
