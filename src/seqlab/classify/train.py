"""Train a sentence classifier or a sequence tagger end to end: vocabulary, vectors, batches.

Both follow one recipe: split off validation data if none is given, build the word vocabulary
(the training words, plus the words of pretrained vectors when given), copy the vectors in,
batch sentences of similar length, run the one :class:`~seqlab.train.Trainer` (best weights by
validation loss stay in the folder), and record what the model was trained on in data.json.
"""

from __future__ import annotations

import dataclasses
import json
import shutil
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import torch
from torch import nn

from seqlab._atomic import atomic_write_text
from seqlab.classify.classifier import ClassifierConfig, SentenceClassifier, tokenize_text
from seqlab.classify.config import PRESETS, ClassifierDataConfig, TaggerDataConfig
from seqlab.classify.data import (
    ClassBatches,
    TagBatches,
    build_word_vocab,
    pretrained_rows,
)
from seqlab.classify.evaluate import evaluate_classifier, evaluate_tagger
from seqlab.classify.tagger import SequenceTagger, TaggerConfig
from seqlab.datasets.dna import looks_like_dna
from seqlab.text import CharTokenizer, Vocabulary, WordTokenizer, check_tags
from seqlab.train import Trainer, TrainerConfig, TrainResult, load_model, random_split
from seqlab.train.presets import build_configs

__all__ = [
    "ClassifierDataConfig",
    "PRESETS",
    "TaggerDataConfig",
    "Trained",
    "order_labels",
    "preset_configs",
    "resolve_alphabet",
    "train_classifier",
    "train_tagger",
]

DATA_FILE = "data.json"


def preset_configs(
    name: str,
    *,
    model: dict[str, Any] | None = None,
    data: dict[str, Any] | None = None,
    trainer: dict[str, Any] | None = None,
) -> tuple[Any, Any, TrainerConfig]:
    """The three configs of a preset (a classifier's or a tagger's), with fields overridden.

    Raises:
        ValueError: on an unknown preset name or an invalid override.
    """
    if name not in PRESETS:
        raise ValueError(f"unknown preset {name!r}; known: {', '.join(sorted(PRESETS))}")
    tagger = name.startswith("conll")
    classes = (
        (TaggerConfig, TaggerDataConfig) if tagger else (ClassifierConfig, ClassifierDataConfig)
    )
    return build_configs(PRESETS, name, *classes, model=model, data=data, trainer=trainer)


@dataclass(frozen=True)
class Trained:
    """What :func:`train_classifier` and :func:`train_tagger` return."""

    model: nn.Module  # the best weights (reloaded from the folder)
    result: TrainResult
    data: dict[str, Any]  # the data.json record
    val_scores: dict[str, float] | None = None  # classifier: accuracy; tagger: span P/R/F1


def order_labels(labels: Sequence[str]) -> list[str]:
    """The distinct labels in a stable order: numerically when all are integers, else sorted."""
    distinct = set(labels)
    if all(_is_int(x) for x in distinct):
        return sorted(distinct, key=int)
    return sorted(distinct)


def _is_int(text: str) -> bool:
    return text.lstrip("-").isdigit()


def train_classifier(
    train_rows: Sequence[tuple[str, str]],
    model_config: ClassifierConfig,
    data_config: ClassifierDataConfig,
    trainer_config: TrainerConfig,
    out_dir: str | Path,
    *,
    val_rows: Sequence[tuple[str, str]] | None = None,
    vectors: Any = None,
    sources: dict[str, Any] | None = None,
    callbacks: Sequence[Any] = (),
    resume: bool = False,
    teacher: Any = None,
) -> Trained:
    """Train a sentence classifier on (text, label) rows and leave the best one in ``out_dir``.

    With a ``teacher`` (a trained classifier or a :class:`ClassifierEnsemble` of the same labels)
    the model learns knowledge distillation's targets (Hinton et al. 2015, at temperature 1):
    for each training sentence, q = (1 - α) y + α p, y its one-hot label, p the teacher's
    probabilities and α = ``data_config.distill``; validation still scores the labels.

    Args:
        train_rows: (text, label) pairs; labels are strings as they appear in the file.
        model_config, data_config, trainer_config: the settings.
        out_dir: the model folder.
        val_rows: validation rows; None = a random ``val_fraction`` of ``train_rows`` (0 = none).
        vectors: optional :class:`seqlab.embeddings.WordVectors` to initialise E.
        sources: recorded in data.json (e.g. file paths).
        callbacks: Trainer callbacks.
        resume: continue from ``out_dir/last`` with the folder's vocabulary and labels.
        teacher: optional model(s) whose probabilities join the labels (see above).

    Raises:
        ValueError: on no rows, fewer than 2 labels, a teacher of other labels, a validation
            label unseen in training, an
            empty sentence, a DNA letter outside IUPAC (alphabet "dna", or "auto" on DNA),
            vectors whose dimension is not ``embedding_size``, or ``static_channel`` without
            vectors.
    """
    if not train_rows:
        raise ValueError("no training sentences")
    alphabet = resolve_alphabet(
        model_config.alphabet, data_config.level, [t for t, _ in train_rows]
    )
    model_config = dataclasses.replace(model_config, alphabet=alphabet)
    labels = order_labels([label for _, label in train_rows])  # before any split
    _check_teacher(teacher, labels)
    if val_rows is None and data_config.val_fraction > 0:
        train_rows, val_rows = random_split(
            train_rows, data_config.val_fraction, seed=data_config.split_seed, what="sentences"
        )
    _check_vectors(vectors, model_config.embedding_size)
    if model_config.static_channel and vectors is None and not resume:
        raise ValueError(
            "static_channel keeps a frozen copy of pretrained vectors: give vectors (--vectors)"
        )
    if data_config.level == "char":
        tokenizer = CharTokenizer()
    else:
        tokenizer = WordTokenizer(lower=data_config.lower, whitespace=data_config.whitespace)
    torch.manual_seed(trainer_config.seed)
    if resume and (Path(out_dir) / "config.json").is_file():
        model = SentenceClassifier.from_dir(Path(out_dir), model_config)
        vocab, labels, found = model.vocab, model.labels, 0
    else:
        alphabet = model_config.alphabet
        tokens = [_tokenize_row(tokenizer, alphabet, t, i) for i, (t, _) in enumerate(train_rows)]
        vocab = build_word_vocab(
            tokens,
            min_count=data_config.min_count,
            max_size=data_config.max_vocab,
            extra_words=_vector_words(vectors, data_config.vectors_vocab, data_config.lower),
        )
        model = SentenceClassifier(model_config, vocab, labels, tokenizer)
        found = _load_vectors(model, vocab, vectors)

    def batches(
        rows: Sequence[tuple[str, str]], what: str, shuffle: bool, teach: bool = False
    ) -> ClassBatches:
        ids = [_encode_row(model, text, i, what)[0] for i, (text, _) in enumerate(rows)]
        y = [_label_id(labels, label, i, what) for i, (_, label) in enumerate(rows)]
        q = _distill_targets(teacher, labels, rows, y, data_config.distill) if teach else None
        return ClassBatches(
            ids,
            y,
            data_config.batch_size,
            shuffle=shuffle,
            seed=trainer_config.seed,
            targets=q,
            word_dropout=data_config.word_dropout if shuffle else 0.0,  # training batches only
            unk_id=model.vocab.unk_id,
        )

    train_data = batches(train_rows, "training", True, teach=teacher is not None)
    val_data = batches(val_rows, "validation", False) if val_rows else None
    record = {
        "sources": sources or {},
        "train_sentences": len(train_rows),
        "val_sentences": len(val_rows or []),
        "labels": {label: n for label, n in Counter(lb for _, lb in train_rows).items()},
        "vocab_size": len(vocab),
        "vectors_found": found,
    }
    if teacher is not None:
        record["teacher"] = {"models": len(getattr(teacher, "models", [teacher])),
                             "distill": data_config.distill}  # fmt: skip
    trained = _fit(model, trainer_config, out_dir, train_data, val_data, record, callbacks, resume)
    if not val_rows:
        return trained
    scores, _ = evaluate_classifier(trained.model, val_rows)
    return dataclasses.replace(
        trained, val_scores={"accuracy": scores.accuracy, "macro_f1": scores.macro_f1}
    )


def _check_teacher(teacher: Any, labels: list[str]) -> None:
    if teacher is not None and sorted(teacher.labels) != sorted(labels):
        raise ValueError(
            f"the teacher's labels {teacher.labels} are not the training labels {labels}"
        )


def _distill_targets(
    teacher: Any, labels: list[str], rows: Sequence[tuple[str, str]], y: list[int], alpha: float
) -> torch.Tensor:
    """q = (1 - α) onehot(y) + α p for each row: (N, C), columns in ``labels`` order."""
    probs, _ = teacher.predict_proba([text for text, _ in rows])  # (N, C), teacher's order
    p = probs[:, [teacher.labels.index(label) for label in labels]].float()  # (N, C)
    onehot = torch.nn.functional.one_hot(torch.tensor(y), len(labels)).float()  # (N, C)
    return (1.0 - alpha) * onehot + alpha * p


def train_tagger(
    train_sentences: Sequence[Any],
    model_config: TaggerConfig,
    data_config: TaggerDataConfig,
    trainer_config: TrainerConfig,
    out_dir: str | Path,
    *,
    val_sentences: Sequence[Any] | None = None,
    vectors: Any = None,
    sources: dict[str, Any] | None = None,
    callbacks: Sequence[Any] = (),
    resume: bool = False,
) -> Trained:
    """Train a sequence tagger on tagged sentences and leave the best one in ``out_dir``.

    Args:
        train_sentences: objects with ``tokens`` and ``tags`` lists (e.g.
            :class:`seqlab.datasets.TaggedSentence`).
        model_config, data_config, trainer_config: the settings.
        out_dir: the model folder.
        val_sentences: validation sentences; None = a random ``val_fraction`` of the training.
        vectors: optional :class:`seqlab.embeddings.WordVectors` for the word embeddings.
        sources: recorded in data.json.
        callbacks: Trainer callbacks.
        resume: continue from ``out_dir/last`` with the folder's vocabularies and tags.

    Raises:
        ValueError: on no sentences, tags that are not valid in ``model_config.scheme`` (with
            the first problems; repair them with :func:`seqlab.text.repair_tags`), a validation
            tag unseen in training, or vectors of another dimension.
    """
    if not train_sentences:
        raise ValueError("no training sentences")
    for what, sents in (("training", train_sentences), ("validation", val_sentences or [])):
        _check_scheme(sents, model_config.scheme, what)  # numbered as in the files
    tags = _tag_order([t for s in train_sentences for t in s.tags])  # before any split
    if val_sentences is None and data_config.val_fraction > 0:
        train_sentences, val_sentences = random_split(
            train_sentences, data_config.val_fraction, seed=data_config.split_seed, what="sentences"
        )
    _check_vectors(vectors, model_config.embedding_size)
    lower = model_config.lower_words
    torch.manual_seed(trainer_config.seed)
    if resume and (Path(out_dir) / "config.json").is_file():
        model = SequenceTagger.from_dir(Path(out_dir), model_config)
        vocab, tags, found = model.words, model.tags, 0
    else:
        words = [[w.lower() if lower else w for w in s.tokens] for s in train_sentences]
        extra = _vector_words(vectors, data_config.vectors_vocab, lower)
        vocab = build_word_vocab(words, min_count=data_config.min_count, extra_words=extra)
        chars = None
        if model_config.char_embedding_size:
            chars = Vocabulary.build([list(w) for s in train_sentences for w in s.tokens])
        model = SequenceTagger(model_config, vocab, chars, tags)
        found = _load_vectors(model, vocab, vectors)

    def encode(sents: Sequence[Any], what: str) -> tuple[list, list]:
        enc, ids = [], []
        for i, s in enumerate(sents):
            try:
                enc.append(model.encode(list(s.tokens)))
            except ValueError as error:
                raise ValueError(f"{what} sentence {i + 1}: {error}") from None
            ids.append([_label_id(tags, t, i, what, kind="tag") for t in s.tags])
        return enc, ids

    enc, ids = encode(train_sentences, "training")
    counts = Counter(w for e in enc for w in e["words"])
    singletons = [w for w, n in counts.items() if n == 1 and w != vocab.unk_id]
    train_data = TagBatches(
        enc,
        ids,
        data_config.batch_size,
        shuffle=True,
        seed=trainer_config.seed,
        unk_id=vocab.unk_id,
        singletons=singletons,
        replace=data_config.singleton_unk,
    )
    val_data = None
    if val_sentences:
        val_data = TagBatches(*encode(val_sentences, "validation"), data_config.batch_size)
    record = {
        "sources": sources or {},
        "train_sentences": len(train_sentences),
        "val_sentences": len(val_sentences or []),
        "tags": dict(Counter(t for s in train_sentences for t in s.tags)),
        "vocab_size": len(vocab),
        "vectors_found": found,
    }
    trained = _fit(model, trainer_config, out_dir, train_data, val_data, record, callbacks, resume)
    if not val_sentences:
        return trained
    scores, _ = evaluate_tagger(trained.model, val_sentences)
    return dataclasses.replace(
        trained,
        val_scores={"precision": scores.precision, "recall": scores.recall, "f1": scores.f1},
    )


def _tag_order(tags: Sequence[str]) -> list[str]:
    """O first, then by entity type and prefix (B before I ...), for readable reports."""
    prefix = {"B": 0, "I": 1, "E": 2, "L": 2, "S": 3, "U": 3}
    distinct = set(tags)
    return sorted(distinct, key=lambda t: (t != "O", t[2:], prefix.get(t[:1], 9), t))


def _check_scheme(sentences: Sequence[Any], scheme: str, what: str) -> None:
    prefixes = {t[:2] for s in sentences for t in s.tags if t != "O"}
    if prefixes & {"L-", "U-"}:
        raise ValueError(
            f"the {what} tags are BILOU: convert them to IOBES first "
            "(seqlab.text.convert_tags(tags, source='BILOU', target='IOBES'))"
        )
    if prefixes & {"E-", "S-"} and scheme != "IOBES":
        raise ValueError(
            f"the {what} tags use E-/S- prefixes, which is IOBES, not {scheme}: "
            "set the scheme (--scheme IOBES)"
        )
    for i, s in enumerate(sentences):
        if len(s.tokens) != len(s.tags):
            raise ValueError(
                f"{what} sentence {i + 1}: {len(s.tokens)} tokens but {len(s.tags)} tags"
            )
        problems = check_tags(s.tags, scheme=scheme)
        if problems:
            raise ValueError(
                f"{what} sentence {i + 1} is not valid {scheme}: {problems[0]} (use --repair, "
                "or seqlab.text.repair_tags, to read it as conlleval does)"
            )


def _check_vectors(vectors: Any, embedding_size: int) -> None:
    if vectors is not None and vectors.dim != embedding_size:
        raise ValueError(
            f"the vectors have dimension {vectors.dim} but embedding_size is {embedding_size} "
            f"(set --embedding-size {vectors.dim})"
        )


def _vector_words(vectors: Any, use: bool, lower: bool) -> list[str]:
    if vectors is None or not use:
        return []
    return [w for w in vectors.words if not lower or w == w.lower()]


def _load_vectors(model: Any, vocab: Vocabulary, vectors: Any) -> int:
    """Copy the vectors' rows into the model; returns how many vocabulary words they knew."""
    if vectors is None:
        return 0
    matrix, found = pretrained_rows(vocab, vectors)
    model.set_embeddings(matrix, keep=found)
    return int(found.sum())


def resolve_alphabet(alphabet: str, level: str, texts: Sequence[str]) -> str:
    """``"auto"`` made "dna" (character level and texts that look like DNA) or "any".

    Args:
        alphabet: "auto", "any" or "dna" (the last two are returned as they are).
        level: "char" or "word".
        texts: the training texts (see :func:`seqlab.datasets.dna.looks_like_dna`).
    """
    if alphabet != "auto":
        return alphabet
    return "dna" if level == "char" and looks_like_dna(texts) else "any"


def _tokenize_row(tokenizer: Any, alphabet: str, text: str, i: int) -> list[str]:
    try:
        return tokenize_text(tokenizer, alphabet, text)
    except ValueError as error:
        raise ValueError(f"training sentence {i + 1}: {error}") from None


def _encode_row(model: SentenceClassifier, text: str, i: int, what: str) -> tuple[list[int], int]:
    try:
        return model.encode(text)
    except ValueError as error:
        raise ValueError(f"{what} sentence {i + 1}: {error}") from None


def _label_id(labels: Sequence[str], label: str, i: int, what: str, *, kind: str = "label") -> int:
    try:
        return labels.index(label)
    except ValueError:
        raise ValueError(
            f"{what} sentence {i + 1} has {kind} {label!r}, which is not among the training "
            f"{kind}s {list(labels)}"
        ) from None


def _fit(
    model: nn.Module,
    trainer_config: TrainerConfig,
    out_dir: str | Path,
    train_data: Callable,
    val_data: Callable | None,
    record: dict[str, Any],
    callbacks: Sequence[Any],
    resume: bool,
) -> Trained:
    out_dir = Path(out_dir)
    existed = out_dir.exists()
    trainer = Trainer(
        model,
        trainer_config,
        out_dir,
        train_data=train_data,
        val_data=val_data,
        callbacks=callbacks,
        resume=resume,
    )
    out_dir.mkdir(parents=True, exist_ok=True)
    atomic_write_text(out_dir / DATA_FILE, json.dumps(record, indent=2, ensure_ascii=False) + "\n")
    try:
        result = trainer.fit()
    except Exception:  # a diverged run leaves no folder it created (Ctrl-C keeps it: --resume)
        if not existed:
            shutil.rmtree(out_dir, ignore_errors=True)
        raise
    best = load_model(out_dir, map_location=trainer.device)
    return Trained(model=best, result=result, data=record)
