"""Training an encoder-decoder on sentence pairs: vocabularies, batches, then the one Trainer.

:func:`train_seq2seq` is what ``seqlab translate train`` runs. Besides the Trainer's files the
model folder gets ``data.json``: where the pairs came from and how many tokens were unknown.
Named presets (:data:`PRESETS`) bundle settings measured in BENCHMARKS.md.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from seqlab._config import check_fields
from seqlab.seq2seq.data import PairBatches, build_vocabs, encode_pairs, split_pairs
from seqlab.seq2seq.model import Seq2Seq, Seq2SeqConfig
from seqlab.text import CharTokenizer, WordTokenizer
from seqlab.train import TaskData, Trained, TrainerConfig, fit_task
from seqlab.train.presets import build_configs

__all__ = ["DATA_FILE", "PRESETS", "Seq2SeqDataConfig", "preset_configs", "train_seq2seq"]

DATA_FILE = "data.json"


@dataclass(frozen=True)
class Seq2SeqDataConfig:
    """How the pairs become batches."""

    batch_size: int = 64  # sentence pairs per step
    val_fraction: float = 0.05  # held out at random when no validation pairs are given
    split_seed: int = 0  # which pairs are held out
    min_count: int = 1  # keep tokens seen at least this often; the rest become <unk>
    max_vocab: int | None = None  # keep at most this many tokens per side; None = all
    lower: bool = False  # lowercase words (word level)
    on_long: str = "truncate"  # training sources over max_src_len: "truncate" | "error"

    def __post_init__(self) -> None:
        checks = {
            "batch_size": self.batch_size >= 1,
            "val_fraction": 0.0 <= self.val_fraction < 1.0,
            "min_count": self.min_count >= 1,
            "max_vocab": self.max_vocab is None or self.max_vocab >= 1,
            "on_long": self.on_long in ("truncate", "error"),
        }
        check_fields(self, checks)


# Named settings: {"model": Seq2SeqConfig fields, "data": ..., "trainer": TrainerConfig fields}.
PRESETS: dict[str, dict[str, dict[str, Any]]] = {
    # The notes' date exercise: characters in, ISO date out; the demo trains it in < 1 minute.
    "dates": {
        "model": {
            "level": "char",
            "cell": "lstm",
            "embedding_size": 32,
            "hidden_size": 64,
            "attention_size": 64,
            "max_src_len": 64,
        },
        "data": {"batch_size": 64, "val_fraction": 0.05},
        "trainer": {
            "lr": 3e-3,
            "epochs": 6,
            "clip_norm": 1.0,
            "lr_schedule": "cosine",
            "warmup_steps": 20,
        },
    },
    # Multi30k de->en on 2 CPU cores (BENCHMARKS.md has the measured BLEU and time).
    "multi30k-cpu": {
        "model": {
            "level": "word",
            "cell": "lstm",
            "embedding_size": 256,
            "hidden_size": 256,
            "attention_size": 256,
            "dropout": 0.3,
            "label_smoothing": 0.1,
            "tie_weights": True,
        },
        "data": {"batch_size": 64, "min_count": 2},
        "trainer": {
            "lr": 2e-3,
            "epochs": None,
            "max_minutes": 35.0,
            "clip_norm": 1.0,
            "lr_schedule": "cosine",
            "warmup_steps": 100,
        },
    },
}


def preset_configs(
    name: str,
    *,
    model: dict[str, Any] | None = None,
    data: dict[str, Any] | None = None,
    trainer: dict[str, Any] | None = None,
) -> tuple[Seq2SeqConfig, Seq2SeqDataConfig, TrainerConfig]:
    """The three configs of a preset, with fields overridden.

    Raises:
        ValueError: on an unknown preset name or an invalid override.
    """
    return build_configs(
        PRESETS, name, Seq2SeqConfig, Seq2SeqDataConfig, model=model, data=data, trainer=trainer
    )


def train_seq2seq(
    train_pairs: Sequence[tuple[str, str]],
    model_config: Seq2SeqConfig,
    data_config: Seq2SeqDataConfig,
    trainer_config: TrainerConfig,
    out_dir: str | os.PathLike[str],
    *,
    val_pairs: Sequence[tuple[str, str]] | None = None,
    sources: dict[str, Any] | None = None,
    callbacks: Sequence[Any] = (),
    resume: bool = False,
) -> Trained[Seq2Seq]:
    """Train an encoder-decoder and leave the best one in ``out_dir``.

    Args:
        train_pairs: (source, target) sentences.
        model_config: the architecture (vocabulary sizes are filled in).
        data_config: vocabulary and batching; ``val_fraction`` applies when ``val_pairs`` is
            None.
        trainer_config: optimizer, schedule, budgets, validation.
        out_dir: the model folder.
        val_pairs: validation pairs; None = a random ``val_fraction`` of ``train_pairs``.
        sources: recorded in data.json (e.g. the file paths).
        callbacks: Trainer callbacks.
        resume: continue from ``out_dir/last`` with the vocabularies saved there.

    Returns:
        A :class:`seqlab.train.Trained`; its ``record`` is the data.json record.

    Raises:
        ValueError: on no pairs or inconsistent settings.
    """
    if not train_pairs:
        raise ValueError("no training pairs")
    if val_pairs is None and data_config.val_fraction > 0:
        train_pairs, val_pairs = split_pairs(train_pairs, data_config.val_fraction,
                                             seed=data_config.split_seed)  # fmt: skip

    def build_model(resume_dir: Path | None) -> Seq2Seq:
        if resume_dir is not None:
            return Seq2Seq.from_dir(resume_dir, model_config)
        word = model_config.level == "word"
        tokenizer = WordTokenizer(lower=data_config.lower) if word else CharTokenizer()
        src_vocab, tgt_vocab = build_vocabs(
            train_pairs, tokenizer, tokenizer, min_count=data_config.min_count,
            max_size=data_config.max_vocab, shared=model_config.shared_vocab,
        )  # fmt: skip
        return Seq2Seq(model_config, src_vocab, tgt_vocab, tokenizer, tokenizer)

    def make_data(model: Seq2Seq) -> TaskData:
        train = encode_pairs(model, train_pairs, on_long=data_config.on_long)
        tgt_vocab = model.tgt_vocab
        kw = {"bos_id": tgt_vocab.bos_id, "eos_id": tgt_vocab.eos_id, "pad_id": tgt_vocab.pad_id}
        train_data = PairBatches(train["src"], train["tgt"], data_config.batch_size, shuffle=True,
                                 seed=trainer_config.seed, **kw)  # fmt: skip
        val_data, val = None, None
        if val_pairs:
            val = encode_pairs(model, val_pairs, on_long=data_config.on_long)
            val_data = PairBatches(val["src"], val["tgt"], data_config.batch_size, **kw)
        record = {
            "sources": sources or {},
            "train_pairs": len(train["src"]),
            "val_pairs": len(val["src"]) if val else 0,
            **{f"train_{k}": train[k] for k in ("src_unk", "tgt_unk", "truncated")},
            **({f"val_{k}": val[k] for k in ("src_unk", "tgt_unk", "truncated")} if val else {}),
            "src_vocab_size": len(model.src_vocab),
            "tgt_vocab_size": len(tgt_vocab),
        }
        return TaskData(train_data, val_data, record)

    return fit_task(build_model, make_data, trainer_config, out_dir, record_file=DATA_FILE,
                    callbacks=callbacks, resume=resume)  # fmt: skip
