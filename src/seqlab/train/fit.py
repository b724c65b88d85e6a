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
leaves no folder it created; Ctrl-C keeps it, so ``--resume`` can continue. The run owns its
folder (:mod:`seqlab.train.outdir`): a fresh run needs it missing or empty, ``overwrite``
replaces a model whole once the new one is complete, and a lock keeps a second run out.
"""

from __future__ import annotations

import json
import os
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Generic, TypeVar

import torch
from torch import nn

from seqlab._atomic import atomic_write_text
from seqlab.train.folder import load_model
from seqlab.train.io import recover_dir
from seqlab.train.outdir import claim_out_dir
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
    overwrite: bool = False,
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
        overwrite: ``out_dir`` may hold another model: it is replaced whole once the new one
            is complete (until then it stays as it was).

    Returns:
        A :class:`Trained`.

    Raises:
        ValueError: ``out_dir`` is not empty on a fresh run, another run is writing it (see
            :mod:`seqlab.train.outdir`), or from the task's steps or the Trainer (e.g. nothing
            to resume).
        FloatingPointError: if the training loss diverges.
    """

    def prepare(resume_dir: Path | None) -> tuple[M, TaskData]:
        torch.manual_seed(trainer_config.seed)  # the initial weights follow the run's seed
        model = build_model(resume_dir)
        return model, make_data(model)

    # A fresh run checks its data before the folder (neither step writes anything); a resumed
    # one reads last/ only once it holds the folder.
    prepared = None if resume else prepare(None)
    rank0 = os.environ.get("RANK", "0") == "0"
    with claim_out_dir(out_dir, resume=resume, overwrite=overwrite, is_main=rank0) as claim:
        work_dir = claim.work_dir
        model, data = prepared or prepare(_resume_dir(work_dir))
        trainer = Trainer(model, trainer_config, work_dir, train_data=data.train,
                          val_data=data.val, callbacks=callbacks, resume=resume)  # fmt: skip
        if record_file is not None and data.record is not None and trainer.dist.is_main:
            text = json.dumps(data.record, indent=2, ensure_ascii=False) + "\n"
            atomic_write_text(work_dir / record_file, text)
        result = trainer.fit()
        best = load_model(work_dir, type(model), map_location=trainer.device)
        if trainer.dist.is_main:
            claim.commit()
        scores = score(best) if score is not None else None  # may write into out_dir (assets)
    return Trained(model=best, result=result, record=data.record or {}, scores=scores)


def _resume_dir(out_dir: Path) -> Path | None:
    """``out_dir/last`` (restored first if a crash left it half-swapped), or None."""
    last = out_dir / LAST_DIR
    if os.environ.get("RANK", "0") == "0":
        recover_dir(last)
    return last if (last / "config.json").is_file() else None
