"""The encoder-decoder's settings: :class:`Seq2SeqConfig` (architecture),
:class:`Seq2SeqDataConfig` (pairs to batches) and the named presets (:data:`PRESETS`).

Standard library only (no torch), so the command line derives its flags from these fields
without importing the model; :mod:`seqlab.seq2seq.model` and :mod:`seqlab.seq2seq.train`
re-export them.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, ClassVar

from seqlab._config import check_fields

__all__ = ["CELL_NAMES", "PRESETS", "Seq2SeqConfig", "Seq2SeqDataConfig", "seq2seq_recipe"]

CELL_NAMES = ("rnn", "gru", "lstm")  # the keys of seqlab.seq2seq.model.CELLS


@dataclass(frozen=True)
class Seq2SeqConfig:
    """The encoder-decoder's architecture (the vocabularies live beside it)."""

    # Removed options, with the value an old config.json must hold for them to load (the
    # behaviour that remains); see seqlab._config.drop_retired.
    RETIRED_FIELDS: ClassVar[dict[str, Any]] = {
        "shared_vocab": False,  # one vocabulary and embedding for both sides: no run used it
    }
    # The valid values of the fields that take one of a few names (--help and errors list them).
    CHOICES: ClassVar[dict[str, tuple[str, ...]]] = {"level": ("char", "word"), "cell": CELL_NAMES}

    level: str = "word"  # "char" | "word": what one token is, on both sides
    cell: str = "gru"  # "rnn" | "gru" | "lstm", for the encoder and the decoder
    attention: bool = True  # Bahdanau attention; False = one fixed context vector
    bidirectional: bool = True  # the encoder reads both ways (D = 2)
    embedding_size: int = 256  # E, source and target embeddings
    hidden_size: int = 256  # n_a of each encoder direction and of the decoder
    attention_size: int = 256  # hidden units of the alignment network
    output_size: int = 0  # size of o<t>; 0 = embedding_size
    num_layers: int = 1  # stacked layers in the encoder and in the decoder
    dropout: float = 0.0  # on embeddings, between layers, on encoder outputs and on o<t>
    label_smoothing: float = 0.0  # of the training loss (the reported loss is plain NLL)
    tie_weights: bool = False  # W_y = the target embedding matrix (needs output_size == E)
    max_src_len: int = 256  # longest source (tokens) the model accepts
    src_vocab_size: int = 0  # set from the vocabularies when the model is built
    tgt_vocab_size: int = 0

    def __post_init__(self) -> None:
        checks = {
            "level": self.level in self.CHOICES["level"],
            "cell": self.cell in CELL_NAMES,
            "embedding_size": self.embedding_size >= 1,
            "hidden_size": self.hidden_size >= 1,
            "attention_size": self.attention_size >= 1,
            "output_size": self.output_size >= 0,
            "num_layers": self.num_layers >= 1,
            "dropout": 0.0 <= self.dropout < 1.0,
            "label_smoothing": 0.0 <= self.label_smoothing < 1.0,
            "max_src_len": self.max_src_len >= 1,
            "src_vocab_size": self.src_vocab_size >= 0,
            "tgt_vocab_size": self.tgt_vocab_size >= 0,
        }
        check_fields(self, checks)
        if self.tie_weights and self.output_size not in (0, self.embedding_size):
            raise ValueError(
                f"tie_weights needs output_size == embedding_size ({self.embedding_size}), "
                f"got {self.output_size}"
            )


@dataclass(frozen=True)
class Seq2SeqDataConfig:
    """How the pairs become batches."""

    # Fields renamed since, old name -> new name: settings written before still load
    # (see seqlab._config.rename_fields).
    RENAMED_FIELDS: ClassVar[dict[str, str]] = {"lower": "lowercase"}
    # The valid values of the fields that take one of a few names (--help and errors list them).
    CHOICES: ClassVar[dict[str, tuple[str, ...]]] = {"on_long": ("truncate", "error")}

    batch_size: int = 64  # sentence pairs per step
    val_fraction: float = 0.05  # held out at random when no validation pairs are given
    split_seed: int = 0  # which pairs are held out
    min_count: int = 1  # keep tokens seen at least this often; the rest become <unk>
    max_vocab: int | None = None  # keep at most this many tokens per side; None = all
    lowercase: bool = False  # lowercase words (word level)
    on_long: str = "truncate"  # training sources over max_src_len: "truncate" | "error"

    def __post_init__(self) -> None:
        checks = {
            "batch_size": self.batch_size >= 1,
            "val_fraction": 0.0 <= self.val_fraction < 1.0,
            "min_count": self.min_count >= 1,
            "max_vocab": self.max_vocab is None or self.max_vocab >= 1,
            "on_long": self.on_long in self.CHOICES["on_long"],
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
    # Composed date styles (seqlab.seq2seq.date_styles, 80,000 pairs: about 12 minutes on one
    # core). A one-way encoder with dropout: chosen on a validation family held out of training
    # (numeric year-first dates with dots), where it scored 99.7% exact against 62.1% for the
    # dates preset's BiLSTM; the backward direction lets a separator seen later decide how the
    # digits before it are read (BENCHMARKS.md, "Date normalisation").
    "dates-styles": {
        "model": {
            "level": "char",
            "cell": "lstm",
            "bidirectional": False,
            "embedding_size": 32,
            "hidden_size": 64,
            "attention_size": 64,
            "dropout": 0.3,
            "max_src_len": 64,
        },
        "data": {"batch_size": 64, "val_fraction": 0.05},
        "trainer": {
            "lr": 3e-3,
            "epochs": 6,
            "max_minutes": 14.0,
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


def seq2seq_recipe(
    *, n_pairs: int, mean_target_chars: float, level: str | None
) -> tuple[str | None, str]:
    """The encoder-decoder's preset for its pairs, and why.

    Short targets (ISO dates: 10 characters) in a set of 1,000 pairs or more get the ``dates``
    recipe, character level, and from 50,000 pairs (composed date styles: ``translate dates
    --styles`` writes 80,000) the ``dates-styles`` one, a 10-minute recipe that reads formats
    it never saw; 10,000 sentence pairs or more (Multi30k: 29,000) get ``multi30k-cpu``, word
    level, a 35-minute recipe; other pairs the defaults.
    """
    if level != "word" and n_pairs >= 50_000 and mean_target_chars <= 16:
        return "dates-styles", (f"{n_pairs} pairs with short targets (the composed-date-styles "
                                "recipe: about 10 minutes on 1 thread)")  # fmt: skip
    if level != "word" and n_pairs >= 1000 and mean_target_chars <= 16:
        return "dates", f"{n_pairs} pairs with short targets (the date-normalisation recipe)"
    if level != "char" and n_pairs >= 10_000:
        return (
            "multi30k-cpu",
            f"{n_pairs} sentence pairs (the Multi30k recipe: 35 minutes on 2 cores)",
        )
    return None, f"{n_pairs} pairs: no measured recipe"
