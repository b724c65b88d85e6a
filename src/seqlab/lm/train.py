"""Training a language model on a text: split, vocabulary, batches, then the one Trainer.

:func:`train_language_model` is what ``seqlab lm train`` runs. The model folder gets, beside the
Trainer's files, ``corpus.json``: where the text came from (path, SHA-256, split), so sampling
can later say whether a sample occurs in the training text without the folder holding a copy.

Named presets (:data:`PRESETS`) bundle settings that were measured to work (see BENCHMARKS.md).
"""

from __future__ import annotations

import hashlib
import os
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from seqlab._config import read_json
from seqlab.lm.config import PRESETS, LMDataConfig
from seqlab.lm.data import (
    SentenceBatches,
    StreamBatches,
    build_vocab,
    sentence_ids,
    split_corpus,
    stream_ids,
)
from seqlab.lm.model import LanguageModel, LMConfig
from seqlab.text import CharTokenizer, WordTokenizer
from seqlab.train import (
    DistributedContext,
    TaskData,
    Trained,
    TrainerConfig,
    fit_task,
    init_distributed,
    read_config,
)
from seqlab.train.presets import build_configs

__all__ = [
    "CORPUS_FILE",
    "LMDataConfig",
    "PRESETS",
    "corpus_record",
    "load_training_text",
    "preset_configs",
    "train_language_model",
]

CORPUS_FILE = "corpus.json"


def preset_configs(
    name: str,
    *,
    model: dict[str, Any] | None = None,
    data: dict[str, Any] | None = None,
    trainer: dict[str, Any] | None = None,
) -> tuple[LMConfig, LMDataConfig, TrainerConfig]:
    """The three configs of a preset, with fields overridden by ``model`` / ``data`` /
    ``trainer``.

    Raises:
        ValueError: on an unknown preset name or an invalid override.
    """
    return build_configs(
        PRESETS, name, LMConfig, LMDataConfig, model=model, data=data, trainer=trainer
    )


def corpus_record(
    path: str | os.PathLike[str] | None, text: str, data: LMDataConfig, encoding: str
) -> dict[str, Any]:
    """Where the training text came from and how it was split (corpus.json)."""
    return {
        "path": None if path is None else str(Path(path).resolve()),
        "sha256": hashlib.sha256(text.encode("utf-8")).hexdigest(),
        "encoding": encoding,
        "val_fraction": data.val_fraction,
        "split_seed": data.split_seed,
    }


def train_language_model(
    text: str,
    model_config: LMConfig,
    data_config: LMDataConfig,
    trainer_config: TrainerConfig,
    out_dir: str | os.PathLike[str],
    *,
    corpus_path: str | os.PathLike[str] | None = None,
    encoding: str = "utf-8",
    callbacks: Sequence[Any] = (),
    resume: bool = False,
    overwrite: bool = False,
) -> Trained[LanguageModel]:
    """Train a language model on ``text`` and leave the best one in ``out_dir``.

    Args:
        text: the corpus (one sentence per line for ``mode="lines"``).
        model_config: the architecture (``vocab_size`` is filled in).
        data_config: split, vocabulary and batching.
        trainer_config: optimizer, schedule, budgets, validation.
        out_dir: the model folder.
        corpus_path: recorded in corpus.json (for ``in_training_set`` checks when sampling).
        encoding: recorded in corpus.json.
        callbacks: Trainer callbacks.
        resume: continue from ``out_dir/last`` with the vocabulary saved there.
        overwrite: replace the model already in ``out_dir`` once the new one is complete.

    Returns:
        A :class:`seqlab.train.Trained`; its ``record`` is the corpus.json record.

    Raises:
        ValueError: if the corpus is empty or too short for one batch, or the settings are
            inconsistent (see the configs).
    """
    mode = model_config.mode
    # Under torchrun a stream is cut into columns per rank (each carries its own state); a
    # sentence model's batches are dealt out by the Trainer (seqlab.train.distributed).
    dist = init_distributed(trainer_config.device) if mode == "stream" else DistributedContext()
    train_text, val_text = split_corpus(
        text, mode, data_config.val_fraction, seed=data_config.split_seed
    )

    def build_model(resume_dir: Path | None) -> LanguageModel:
        if resume_dir is not None:
            return LanguageModel.from_dir(resume_dir, model_config)
        word = model_config.level == "word"
        tokenizer = WordTokenizer(lower=data_config.lowercase) if word else CharTokenizer()
        vocab = build_vocab(train_text, tokenizer, mode, min_count=data_config.min_count,
                            max_size=data_config.max_vocab)  # fmt: skip
        return LanguageModel(model_config, vocab, tokenizer)

    def make_data(model: LanguageModel) -> TaskData:
        train, val, counts = _batches(model, train_text, val_text, data_config,
                                      trainer_config.seed, dist)  # fmt: skip
        record = {**corpus_record(corpus_path, text, data_config, encoding), **counts}
        return TaskData(train, val, record)

    return fit_task(build_model, make_data, trainer_config, out_dir, record_file=CORPUS_FILE,
                    callbacks=callbacks, resume=resume,
                    overwrite=overwrite)  # fmt: skip


def _batches(
    model: LanguageModel,
    train_text: str,
    val_text: str,
    data: LMDataConfig,
    seed: int,
    dist: DistributedContext,
) -> tuple[Any, Any, dict[str, int]]:
    """Training and validation batch streams, and token counts for corpus.json."""
    val_b = data.val_batch_size or data.batch_size
    if model.config.mode == "stream":
        ranks = {"rank": dist.rank, "world_size": dist.world_size}
        train_ids, train_unk = stream_ids(train_text, model.tokenizer, model.vocab)
        train = StreamBatches(train_ids, data.batch_size, data.bptt, shift=True, seed=seed,
                              **ranks)  # fmt: skip
        val, val_n, val_unk = None, 0, 0
        if val_text:
            val_ids, val_unk = stream_ids(val_text, model.tokenizer, model.vocab)
            if len(val_ids) < 2:
                raise ValueError(
                    f"the validation part has only {len(val_ids)} token(s); raise "
                    "--val-fraction, or set it to 0 to train without validation"
                )
            # a short validation text gets fewer columns (at least one per rank)
            val_b = max(1, min(val_b, len(val_ids) // (2 * dist.world_size)))
            val, val_n = StreamBatches(val_ids, val_b, data.bptt, **ranks), len(val_ids)
        train_n = len(train_ids)
    else:
        kw = {"start_id": model.start_id, "eos_id": model.vocab.eos_id}
        train_sents, train_unk = sentence_ids(train_text, model.tokenizer, model.vocab)
        train = SentenceBatches(train_sents, data.batch_size, shuffle=True, seed=seed, **kw)
        val, val_n, val_unk = None, 0, 0
        if val_text:
            val_sents, val_unk = sentence_ids(val_text, model.tokenizer, model.vocab)
            val = SentenceBatches(val_sents, val_b, **kw)
            val_n = sum(len(s) + 1 for s in val_sents)
        train_n = sum(len(s) + 1 for s in train_sents)
    counts = {"train_tokens": train_n, "train_unk": train_unk, "val_tokens": val_n,
              "val_unk": val_unk, "vocab_size": len(model.vocab)}  # fmt: skip
    return train, val, counts


def load_training_text(folder: str | os.PathLike[str]) -> str | None:
    """The training part of a model's corpus, if its file is still there and unchanged.

    Returns None when corpus.json is missing, the file is gone, or its content changed.
    """
    from seqlab.datasets import read_text

    file = Path(folder) / CORPUS_FILE
    if not file.is_file():
        return None
    try:
        record = read_json(file)
        text = read_text(record["path"], encoding=record.get("encoding", "utf-8"))
    except (ValueError, KeyError, TypeError, OSError):
        return None
    if hashlib.sha256(text.encode("utf-8")).hexdigest() != record.get("sha256"):
        return None
    mode = read_config(folder)["config"].get("mode", "stream")
    train, _ = split_corpus(text, mode, record["val_fraction"], seed=record.get("split_seed", 0))
    return train


def training_membership(folder: str | os.PathLike[str], *, lines: bool):
    """A test ``text -> True | False | None``: is a sample in the model's training text (the
    whole line for ``lines`` models, a substring otherwise)? None when the text is unavailable
    (:func:`load_training_text`)."""
    text = load_training_text(folder)
    if text is None:
        return lambda sample: None
    if lines:
        known = {line.strip() for line in text.split("\n")}
        return lambda sample: sample.strip() in known
    return lambda sample: sample in text
