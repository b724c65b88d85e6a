"""Training the captioner and the activity recogniser: data, then the one recipe (fit_task).

:func:`train_captioner` is what ``seqlab caption train`` runs, :func:`train_activity` what
``seqlab activity train`` runs. Besides the Trainer's files each model folder gets
``data.json``: where the data came from, how many examples, skipped files.
"""

from __future__ import annotations

import dataclasses
import os
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import torch

from seqlab.text import Vocabulary, WordTokenizer
from seqlab.train import TaskData, Trained, TrainerConfig, fit_task, random_split
from seqlab.vision.activity import ActivityRecognizer
from seqlab.vision.captioner import Captioner
from seqlab.vision.captions import CaptionBatches, CaptionSet
from seqlab.vision.config import (
    ActivityConfig,
    ActivityDataConfig,
    CaptionDataConfig,
    CaptionerConfig,
)
from seqlab.vision.sequences import SequenceBatches, SequenceSet, stratified_split

__all__ = ["DATA_FILE", "train_activity", "train_captioner"]

DATA_FILE = "data.json"


def train_captioner(
    train_set: CaptionSet,
    model_config: CaptionerConfig,
    data_config: CaptionDataConfig,
    trainer_config: TrainerConfig,
    out_dir: str | os.PathLike[str],
    *,
    val_set: CaptionSet | None = None,
    sources: dict[str, Any] | None = None,
    callbacks: Sequence[Any] = (),
    resume: bool = False,
    overwrite: bool = False,
) -> Trained[Captioner]:
    """Train a captioner and leave the best one (lowest validation loss) in ``out_dir``.

    Args:
        train_set: images and captions (:func:`seqlab.vision.read_captions_folder`).
        model_config: the architecture; image size and channels come from the images.
        data_config: vocabulary and batching; ``val_fraction`` applies without ``val_set``.
        trainer_config: optimizer, schedule, budgets.
        out_dir: the model folder.
        val_set: validation examples; None = a random ``val_fraction`` of ``train_set``.
        sources: recorded in data.json (e.g. the folders).
        callbacks: Trainer callbacks.
        resume: continue from ``out_dir/last`` with the vocabulary saved there.
        overwrite: replace the model already in ``out_dir`` once the new one is complete.

    Raises:
        ValueError: on no examples, images the encoder cannot halve ``cnn_blocks`` times, or
            an ``out_dir`` that holds something else (see :mod:`seqlab.train.outdir`).
    """
    if len(train_set) == 0:
        raise ValueError("no training images")
    if val_set is None and data_config.val_fraction > 0:
        train_idx, val_idx = random_split(range(len(train_set)), data_config.val_fraction,
                                          seed=data_config.split_seed, what="images")  # fmt: skip
        train_set, val_set = train_set.subset(train_idx), train_set.subset(val_idx)
    _, C, S, _ = train_set.images.shape
    model_config = dataclasses.replace(model_config, image_size=S, in_channels=C)

    def build_model(resume_dir: Path | None) -> Captioner:
        if resume_dir is not None:
            return Captioner.from_dir(resume_dir, model_config)
        tokenizer = WordTokenizer(lower=data_config.lowercase)
        vocab = Vocabulary.build((tokenizer.tokenize(c) for c in train_set.captions),
                                 min_count=data_config.min_count)  # fmt: skip
        return Captioner(model_config, vocab, tokenizer)

    def make_data(model: Captioner) -> TaskData:
        v = model.vocab
        kw = {"bos_id": v.bos_id, "eos_id": v.eos_id, "pad_id": v.pad_id}

        def batches(data: CaptionSet, training: bool) -> CaptionBatches:
            ids = [model.target_ids(c) for c in data.captions]
            shift = data_config.shift if training else 0
            return CaptionBatches(data.images, ids, data_config.batch_size, shuffle=training,
                                  seed=trainer_config.seed, shift=shift, **kw)  # fmt: skip

        val = batches(val_set, False) if val_set is not None and len(val_set) else None
        record = {
            "sources": sources or {},
            "train_images": len(train_set),
            "val_images": len(val_set) if val_set is not None else 0,
            "image": [C, S, S],
            "vocab_size": len(v),
        }
        return TaskData(batches(train_set, True), val, record)

    return fit_task(build_model, make_data, trainer_config, out_dir, record_file=DATA_FILE,
                    callbacks=callbacks, resume=resume, overwrite=overwrite)  # fmt: skip


def train_activity(
    train_set: SequenceSet,
    model_config: ActivityConfig,
    data_config: ActivityDataConfig,
    trainer_config: TrainerConfig,
    out_dir: str | os.PathLike[str],
    *,
    val_set: SequenceSet | None = None,
    sources: dict[str, Any] | None = None,
    callbacks: Sequence[Any] = (),
    resume: bool = False,
    overwrite: bool = False,
) -> Trained[ActivityRecognizer]:
    """Train an activity recogniser and leave the best one in ``out_dir``.

    A training set smaller than ``data_config.min_val`` is not split: the archive's small
    series sets (50 examples) train on everything and keep the last weights (a validation set of
    five examples would pick a checkpoint by luck).

    Args:
        train_set: clips or series with labels (:mod:`seqlab.vision.sequences`).
        model_config: the architecture; the input kind, channels and frame size come from the
            data, the classes from the labels.
        data_config: batching, normalisation, augmentation, validation split.
        trainer_config: optimizer, schedule, budgets.
        out_dir: the model folder.
        val_set: validation examples; None = a stratified ``val_fraction`` of ``train_set``
            (none below ``min_val`` sequences).
        sources, callbacks, resume, overwrite: as :func:`train_captioner`.

    Raises:
        ValueError: on no examples, fewer than two classes, or inconsistent data.
    """
    if len(train_set) == 0:
        raise ValueError("no training sequences")
    if val_set is None and data_config.val_fraction > 0 and len(train_set) >= data_config.min_val:
        train_idx, val_idx = stratified_split(train_set.labels, data_config.val_fraction,
                                              seed=data_config.split_seed)  # fmt: skip
        train_set, val_set = train_set.subset(train_idx), train_set.subset(val_idx)
    model_config = dataclasses.replace(model_config, **train_set.shape_fields())
    labels = sorted(set(train_set.labels), key=_label_key)
    if len(labels) < 2:
        raise ValueError(f"activity recognition needs at least two classes, got {labels}")

    def build_model(resume_dir: Path | None) -> ActivityRecognizer:
        if resume_dir is not None:
            return ActivityRecognizer.from_dir(resume_dir, model_config)
        mean = std = None
        if train_set.kind == "series":  # each channel's statistics over the training steps
            values = torch.cat(train_set.data)  # (sum T_i, C)
            mean, std = values.mean(0), values.std(0)
        return ActivityRecognizer(model_config, labels, mean=mean, std=std,
                                  normalize=data_config.normalize)  # fmt: skip

    def make_data(model: ActivityRecognizer) -> TaskData:
        augment = data_config.augment and model.config.input == "series"
        train = SequenceBatches(model.prepare(train_set), data_config.batch_size, shuffle=True,
                                augment=augment, seed=trainer_config.seed)  # fmt: skip
        val = None
        if val_set is not None and len(val_set):
            val = SequenceBatches(model.prepare(val_set), data_config.batch_size)
        record = {
            "sources": sources or {},
            "train_sequences": len(train_set),
            "val_sequences": len(val_set) if val_set is not None else 0,
            "labels": list(model.labels),
            "input": model.config.input,
        }
        return TaskData(train, val, record)

    return fit_task(build_model, make_data, trainer_config, out_dir, record_file=DATA_FILE,
                    callbacks=callbacks, resume=resume, overwrite=overwrite)  # fmt: skip


def _label_key(label: str) -> tuple[int, Any]:
    """Numeric labels in numeric order ("2" before "10"), then the others alphabetically."""
    try:
        return (0, float(label))
    except ValueError:
        return (1, label)
