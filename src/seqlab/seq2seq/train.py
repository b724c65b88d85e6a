"""Training an encoder-decoder on sentence pairs: vocabularies, batches, then the one Trainer.

:func:`train_seq2seq` is what ``seqlab translate train`` runs. Besides the Trainer's files the
model folder gets ``data.json``: where the pairs came from and how many tokens were unknown.
Named presets (:data:`PRESETS`) bundle settings measured in BENCHMARKS.md.
"""

from __future__ import annotations

import json
import os
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import torch

from seqlab._atomic import atomic_write_text
from seqlab.seq2seq.config import PRESETS, Seq2SeqDataConfig
from seqlab.seq2seq.data import PairBatches, build_vocabs, encode_pairs, split_pairs
from seqlab.seq2seq.model import SRC_VOCAB_FILE, TGT_VOCAB_FILE, Seq2Seq, Seq2SeqConfig
from seqlab.text import CharTokenizer, Vocabulary, WordTokenizer
from seqlab.train import Trainer, TrainerConfig, TrainResult, load_model
from seqlab.train.presets import build_configs

__all__ = ["DATA_FILE", "PRESETS", "Seq2SeqDataConfig", "TrainedSeq2Seq", "preset_configs",
           "train_seq2seq"]  # fmt: skip

DATA_FILE = "data.json"


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


@dataclass(frozen=True)
class TrainedSeq2Seq:
    """What :func:`train_seq2seq` returns."""

    model: Seq2Seq  # the best weights (reloaded from the folder)
    result: TrainResult
    data: dict[str, Any]  # the data.json record


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
) -> TrainedSeq2Seq:
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
        resume: continue from ``out_dir/last`` with the folder's vocabularies.

    Returns:
        A :class:`TrainedSeq2Seq`.

    Raises:
        ValueError: on no pairs or inconsistent settings.
    """
    if not train_pairs:
        raise ValueError("no training pairs")
    if val_pairs is None and data_config.val_fraction > 0:
        train_pairs, val_pairs = split_pairs(train_pairs, data_config.val_fraction,
                                             seed=data_config.split_seed)  # fmt: skip
    word = model_config.level == "word"
    tokenizer = WordTokenizer(lower=data_config.lower) if word else CharTokenizer()
    out_dir = Path(out_dir)
    if resume and (out_dir / SRC_VOCAB_FILE).is_file():
        src_vocab = Vocabulary.load(out_dir / SRC_VOCAB_FILE)
        tgt_vocab = Vocabulary.load(out_dir / TGT_VOCAB_FILE)
    else:
        src_vocab, tgt_vocab = build_vocabs(
            train_pairs, tokenizer, tokenizer, min_count=data_config.min_count,
            max_size=data_config.max_vocab, shared=model_config.shared_vocab,
        )  # fmt: skip
    torch.manual_seed(trainer_config.seed)  # the initial weights follow the run's seed
    model = Seq2Seq(model_config, src_vocab, tgt_vocab, tokenizer, tokenizer)
    train = encode_pairs(model, train_pairs, on_long=data_config.on_long)
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
        "src_vocab_size": len(src_vocab),
        "tgt_vocab_size": len(tgt_vocab),
    }
    trainer = Trainer(model, trainer_config, out_dir, train_data=train_data,
                      val_data=val_data, callbacks=callbacks, resume=resume)  # fmt: skip
    out_dir.mkdir(parents=True, exist_ok=True)
    atomic_write_text(out_dir / DATA_FILE, json.dumps(record, indent=2) + "\n")
    result = trainer.fit()
    best = load_model(out_dir, map_location=trainer.device)
    return TrainedSeq2Seq(model=best, result=result, data=record)
