"""Training an encoder-decoder on sentence pairs: vocabularies, batches, then the one Trainer.

:func:`train_seq2seq` is what ``seqlab translate train`` runs. Besides the Trainer's files the
model folder gets ``data.json``: where the pairs came from and how many tokens were unknown.
Named presets (:data:`PRESETS`) bundle settings measured in BENCHMARKS.md.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from seqlab.seq2seq.config import PRESETS, Seq2SeqDataConfig
from seqlab.seq2seq.data import PairBatches, build_vocabs, encode_pairs, split_pairs
from seqlab.seq2seq.model import Seq2Seq, Seq2SeqConfig
from seqlab.text import CharTokenizer, WordTokenizer
from seqlab.train import TaskData, Trained, TrainerConfig, fit_task
from seqlab.train.presets import build_configs

__all__ = ["DATA_FILE", "PRESETS", "Seq2SeqDataConfig", "preset_configs", "train_seq2seq"]

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
    overwrite: bool = False,
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
        overwrite: replace the model already in ``out_dir`` once the new one is complete.

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
        tokenizer = WordTokenizer(lower=data_config.lowercase) if word else CharTokenizer()
        src_vocab, tgt_vocab = build_vocabs(
            train_pairs, tokenizer, tokenizer, min_count=data_config.min_count,
            max_size=data_config.max_vocab,
            max_src_len=model_config.max_src_len,
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
                    callbacks=callbacks, resume=resume,
                    overwrite=overwrite)  # fmt: skip
