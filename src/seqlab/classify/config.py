"""The classifiers' and taggers' settings: :class:`ClassifierConfig` and :class:`TaggerConfig`
(architectures), :class:`ClassifierDataConfig` and :class:`TaggerDataConfig` (sentences to
batches) and the named presets (:data:`PRESETS`).

No torch, so the command line derives its flags from these fields without importing the models;
:mod:`seqlab.classify.classifier`, :mod:`seqlab.classify.tagger` and
:mod:`seqlab.classify.train` re-export them.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, ClassVar

from seqlab._config import check_fields
from seqlab.datasets.dna import ALPHABETS

__all__ = [
    "CELL_NAMES",
    "ClassifierConfig",
    "ClassifierDataConfig",
    "POOLS",
    "PRESETS",
    "SCHEMES",
    "TaggerConfig",
    "TaggerDataConfig",
]

CELL_NAMES = ("rnn", "gru", "lstm")  # the keys of seqlab.classify.classifier.CELLS
# ALPHABETS: "auto" is resolved to "dna" or "any" from the training texts (train_classifier); a
# model built by hand with "auto" checks nothing, as "any".
POOLS = ("last", "mean", "max", "attention", "concat")
SCHEMES = ("BIO", "IOB1", "IOBES")


@dataclass(frozen=True)
class ClassifierConfig:
    """A sentence classifier's architecture (vocabulary and labels live beside it)."""

    # Removed options, with the value an old config.json must hold for them to load (the
    # behaviour that remains); see seqlab._config.drop_retired.
    RETIRED_FIELDS: ClassVar[dict[str, Any]] = {
        "static_channel": False,  # a frozen copy of the vectors beside E: SST-2 within noise
    }
    # The valid values of the fields that take one of a few names (--help and errors list them).
    CHOICES: ClassVar[dict[str, tuple[str, ...]]] = {
        "model": ("average", "rnn"),
        "cell": CELL_NAMES,
        "pool": POOLS,
        "alphabet": ALPHABETS,
    }

    model: str = "rnn"  # "average" (mean of embeddings -> softmax) | "rnn"
    cell: str = "lstm"  # "rnn" | "gru" | "lstm" (model="rnn")
    embedding_size: int = 50  # E; must equal the dimension of pretrained vectors
    hidden_size: int = 128  # n_a per direction (model="rnn")
    num_layers: int = 1  # stacked recurrent layers
    bidirectional: bool = True  # read the sentence both ways
    pool: str = "last"  # "last" (the notes) | "mean" | "max" | "attention" | "concat"
    attention_size: int = 16  # A, the scoring network's size (pool="attention")
    n_steps: int = 0  # the fixed input length T that pool="concat" needs; 0 for the others
    concat_inputs: bool = False  # pool="concat" also reads e<t> beside a<t> at every step
    dropout: float = 0.0  # on embeddings, between layers and before the softmax
    freeze_embeddings: bool = False  # keep E fixed (pretrained vectors as they are)
    alphabet: str = "auto"  # "dna": IUPAC letters only | "any" | "auto": dna if it looks so
    vocab_size: int = 0  # set from the vocabulary when the model is built
    n_classes: int = 0  # set from the labels

    def __post_init__(self) -> None:
        check_fields(
            self,
            {
                "model": self.model in self.CHOICES["model"],
                "cell": self.cell in CELL_NAMES,
                "embedding_size": self.embedding_size >= 1,
                "hidden_size": self.hidden_size >= 1,
                "num_layers": self.num_layers >= 1,
                "pool": self.pool in POOLS,
                "attention_size": self.attention_size >= 1,
                "n_steps": self.n_steps >= 1 if self.pool == "concat" else self.n_steps >= 0,
                "concat_inputs": self.pool == "concat" or not self.concat_inputs,
                "alphabet": self.alphabet in ALPHABETS,
                "dropout": 0.0 <= self.dropout < 1.0,
                "vocab_size": self.vocab_size >= 0,
                "n_classes": self.n_classes >= 0,
            },
        )


@dataclass(frozen=True)
class TaggerConfig:
    """A sequence tagger's architecture (word, character and tag vocabularies live beside it)."""

    # Removed options, with the value an old config.json must hold for them to load (the
    # behaviour that remains); see seqlab._config.drop_retired.
    RETIRED_FIELDS: ClassVar[dict[str, Any]] = {
        "constrain": True,  # the CRF always forbids the transitions the scheme does not allow
    }
    # Fields renamed since, old name -> new name: config.json files written before still load
    # (see seqlab._config.rename_fields).
    RENAMED_FIELDS: ClassVar[dict[str, str]] = {"lower_words": "lowercase"}
    # The valid values of the fields that take one of a few names (--help and errors list them).
    CHOICES: ClassVar[dict[str, tuple[str, ...]]] = {"cell": CELL_NAMES, "scheme": SCHEMES}

    cell: str = "lstm"  # "rnn" | "gru" | "lstm", the word-level BiRNN
    embedding_size: int = 50  # E of the word embeddings; = the pretrained vectors' dimension
    hidden_size: int = 200  # n_a per direction of the word-level BiRNN
    num_layers: int = 1  # stacked word-level layers
    casing_size: int = 8  # embedding of the word's shape (Title, UPPER, ...); 0 = off
    char_embedding_size: int = 0  # character embeddings of the char BiLSTM; 0 = no char features
    char_hidden_size: int = 25  # per direction of the char BiLSTM
    dropout: float = 0.5  # on the word representation and on a<t>
    crf: bool = False  # a linear-chain CRF on top; False = a softmax per word (the notes)
    scheme: str = "BIO"  # the tag scheme: "BIO" (IOB2) | "IOB1" | "IOBES"
    lowercase: bool = True  # look words up lower-cased (GloVe is lower-cased)
    freeze_embeddings: bool = False  # keep the word embeddings fixed
    word_vocab_size: int = 0  # set from the vocabularies when the model is built
    char_vocab_size: int = 0
    n_tags: int = 0

    def __post_init__(self) -> None:
        check_fields(
            self,
            {
                "cell": self.cell in CELL_NAMES,
                "embedding_size": self.embedding_size >= 1,
                "hidden_size": self.hidden_size >= 1,
                "num_layers": self.num_layers >= 1,
                "casing_size": self.casing_size >= 0,
                "char_embedding_size": self.char_embedding_size >= 0,
                "char_hidden_size": self.char_hidden_size >= 1,
                "dropout": 0.0 <= self.dropout < 1.0,
                "scheme": self.scheme in SCHEMES,
                "word_vocab_size": self.word_vocab_size >= 0,
                "char_vocab_size": self.char_vocab_size >= 0,
                "n_tags": self.n_tags >= 0,
            },
        )


@dataclass(frozen=True)
class ClassifierDataConfig:
    """How sentences become batches for :func:`train_classifier`."""

    # Fields renamed since, old name -> new name: settings written before still load
    # (see seqlab._config.rename_fields).
    RENAMED_FIELDS: ClassVar[dict[str, str]] = {"lower": "lowercase"}
    # The valid values of the fields that take one of a few names (--help and errors list them).
    CHOICES: ClassVar[dict[str, tuple[str, ...]]] = {"level": ("word", "char")}

    batch_size: int = 32  # sentences per batch
    level: str = "word"  # "word" | "char": one token per character (e.g. DNA)
    min_count: int = 1  # keep training words seen at least this often
    max_vocab: int | None = None  # most training words to keep; None = all
    lowercase: bool = True  # lower-case the words (GloVe is lower-cased; word level only)
    whitespace: bool = False  # split on spaces only (text that is tokenized already, e.g. SST)
    vectors_vocab: bool = True  # add every word of the pretrained vectors to the vocabulary
    val_fraction: float = 0.1  # held out for validation when no dev set is given
    split_seed: int = 0  # the seed of that split

    def __post_init__(self) -> None:
        check_fields(self, {**_data_checks(self), "level": self.level in self.CHOICES["level"]})


@dataclass(frozen=True)
class TaggerDataConfig:
    """How tagged sentences become batches for :func:`train_tagger`."""

    batch_size: int = 32  # sentences per batch
    min_count: int = 1  # keep training words seen at least this often
    singleton_unk: float = 0.5  # replace words seen once by <unk> with this probability
    vectors_vocab: bool = True  # add every word of the pretrained vectors to the vocabulary
    val_fraction: float = 0.1  # held out for validation when no dev set is given
    split_seed: int = 0  # the seed of that split

    def __post_init__(self) -> None:
        check_fields(
            self, {**_data_checks(self), "singleton_unk": 0.0 <= self.singleton_unk <= 1.0}
        )


def _data_checks(c: Any) -> dict[str, bool]:
    return {
        "batch_size": c.batch_size >= 1,
        "min_count": c.min_count >= 1,
        "max_vocab": getattr(c, "max_vocab", None) is None or c.max_vocab >= 1,
        "val_fraction": 0.0 <= c.val_fraction < 1.0,
    }


# Named settings: {"model": config fields, "data": ..., "trainer": TrainerConfig fields}.
PRESETS: dict[str, dict[str, dict[str, Any]]] = {
    # The notes' Emojify V1: average of frozen GloVe vectors -> softmax.
    "emojify-average": {
        "model": {"model": "average", "freeze_embeddings": True},
        "data": {"batch_size": 32, "val_fraction": 0.0},
        "trainer": {"lr": 0.02, "epochs": 200},
    },
    # Emojify V2: a 2-layer LSTM over frozen GloVe vectors, dropout 0.5.
    "emojify-rnn": {
        "model": {
            "model": "rnn",
            "cell": "lstm",
            "hidden_size": 128,
            "num_layers": 2,
            "bidirectional": False,
            "dropout": 0.5,
            "freeze_embeddings": True,
        },
        "data": {"batch_size": 32, "val_fraction": 0.0},
        "trainer": {"lr": 3e-3, "epochs": 60, "clip_norm": 5.0},
    },
    # SST-2 with GloVe 50d: a 2-layer BiLSTM, max-pooled, embeddings fine-tuned (BENCHMARKS.md:
    # 2 layers over 1 raised the validation accuracy from 84.68 to 85.14%, mean of 5 seeds).
    "sst2": {
        "model": {
            "model": "rnn",
            "cell": "lstm",
            "hidden_size": 150,
            "num_layers": 2,
            "bidirectional": True,
            "pool": "max",
            "dropout": 0.2,
        },
        "data": {"batch_size": 64, "whitespace": True},
        "trainer": {
            "lr": 2e-3,
            "epochs": 4,
            "clip_norm": 5.0,
            "lr_schedule": "linear",
            "select": "accuracy",
        },
    },
    # UCI primate splice junctions (EI / IE / N, 60 nt): a small character-level BiGRU over the
    # IUPAC letters, its 60 activations concatenated ("concat" pooling), so the softmax has its
    # own weights for each position: the junction sits at a fixed place in the window, which
    # "last" (0.913 fold-1 val accuracy, 91.35% 10-fold), "max" (0.71) and "attention" (0.899)
    # readouts blur. Chosen on fold 1's validation split (benchmarks/dna_splice.py): concat with
    # dropout 0.2, lr 1e-2 peaked at 0.972 at epoch 2 of 30, never matched later; dropout 0.5 with
    # weight decay 1.0 at lr 3e-3 reached 0.965 late, at epoch 13 of 15, a steadier choice
    # (weight decay 0.1: 0.958; 8 units, no decay: 0.951; dropout 0.3: 0.965 at epoch 5): 95.49%
    # ± 0.83 over 10 folds. concat_inputs puts each position's embedding beside its activation
    # (the readout sees the raw letter too, as a logistic regression on one-hot positions does):
    # fold-1 val 0.969 with weight decay 1.0, 0.972 with 0.1 and the lowest val loss (0.098 vs
    # 0.138); 10-fold 95.67% ± 1.56. Picking the epoch on 287 validation sequences was noise
    # (best epochs 3-11 of 15 across folds; fold 9 stopped at epoch 4 and scored 0.925), so the
    # preset trains on the whole training part and keeps the last weights of the cosine
    # schedule: 96.18% ± 1.03 over 10 folds (BENCHMARKS.md). Pass --val-fraction to watch a
    # held-out part (the saved weights are then the best epoch's).
    "splice": {
        "model": {
            "model": "rnn",
            "cell": "gru",
            "embedding_size": 8,
            "hidden_size": 32,
            "bidirectional": True,
            "pool": "concat",
            "n_steps": 60,
            "concat_inputs": True,
            "dropout": 0.5,
            "alphabet": "dna",
        },
        "data": {"batch_size": 32, "level": "char", "val_fraction": 0.0},
        "trainer": {
            "lr": 3e-3,
            "epochs": 15,
            "weight_decay": 0.1,
            "clip_norm": 5.0,
            "lr_schedule": "cosine",
            "select": "accuracy",  # when a validation part is asked for
        },
    },
    # CoNLL-2003 NER on 2 CPU cores: char BiLSTM + casing + GloVe + BiLSTM-CRF.
    "conll-cpu": {
        "model": {
            "char_embedding_size": 25,
            "char_hidden_size": 25,
            "hidden_size": 200,
            "dropout": 0.5,
            "crf": True,
        },
        "data": {"batch_size": 16},
        "trainer": {
            "lr": 2e-3,
            "epochs": 25,
            "max_minutes": 55.0,
            "clip_norm": 5.0,
            "lr_schedule": "cosine",
            "select": "f1",
        },
    },
}
