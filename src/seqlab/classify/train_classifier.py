"""Training a sentence classifier end to end: labels, vocabulary, pretrained vectors, batches.

The steps of the one recipe (:func:`seqlab.train.fit_task`): split off validation sentences if
none are given, build the word (or character) vocabulary from the training sentences, plus the
words of pretrained vectors when given, copy the vectors in, batch sentences of similar length,
train, and record what the model was trained on in data.json.
"""

from __future__ import annotations

import dataclasses
from collections import Counter
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from seqlab.classify.classifier import ClassifierConfig, SentenceClassifier, tokenize_text
from seqlab.classify.data import ClassBatches, build_word_vocab, label_id
from seqlab.classify.evaluate import evaluate_classifier
from seqlab.classify.pretrained import check_vectors, load_vectors, vector_words
from seqlab.classify.train import DATA_FILE, ClassifierDataConfig
from seqlab.datasets.dna import looks_like_dna
from seqlab.text import CharTokenizer, WordTokenizer
from seqlab.train import TaskData, Trained, TrainerConfig, fit_task, random_split

__all__ = ["order_labels", "resolve_alphabet", "train_classifier"]


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
    overwrite: bool = False,
) -> Trained[SentenceClassifier]:
    """Train a sentence classifier on (text, label) rows and leave the best one in ``out_dir``.

    Args:
        train_rows: (text, label) pairs; labels are strings as they appear in the file.
        model_config, data_config, trainer_config: the settings.
        out_dir: the model folder.
        val_rows: validation rows; None = a random ``val_fraction`` of ``train_rows`` (0 = none).
        vectors: optional :class:`seqlab.embeddings.WordVectors` to initialise E.
        sources: recorded in data.json (e.g. file paths).
        callbacks: Trainer callbacks.
        resume: continue from ``out_dir/last`` with the vocabulary and labels saved there.
        overwrite: replace the model already in ``out_dir`` once the new one is complete.

    Returns:
        A :class:`seqlab.train.Trained`; ``record`` is the data.json record, ``scores`` the
        best model's validation accuracy and macro F1 (None without validation).

    Raises:
        ValueError: on no rows, fewer than 2 labels, a validation label unseen in training, an
            empty sentence, a DNA letter outside IUPAC (alphabet "dna", or "auto" on DNA), or
            vectors whose dimension is not ``embedding_size``.
    """
    if not train_rows:
        raise ValueError("no training sentences")
    alphabet = resolve_alphabet(
        model_config.alphabet, data_config.level, [t for t, _ in train_rows]
    )
    model_config = dataclasses.replace(model_config, alphabet=alphabet)
    labels = order_labels([label for _, label in train_rows])  # before any split
    if val_rows is None and data_config.val_fraction > 0:
        train_rows, val_rows = random_split(
            train_rows, data_config.val_fraction, seed=data_config.split_seed, what="sentences"
        )
    check_vectors(vectors, model_config.embedding_size)
    if data_config.level == "char":
        tokenizer = CharTokenizer()
    else:
        tokenizer = WordTokenizer(lower=data_config.lowercase, whitespace=data_config.whitespace)
    found = {"vectors": 0}  # pretrained vectors copied in (the data record)

    def build_model(resume_dir: Path | None) -> SentenceClassifier:
        if resume_dir is not None:
            return SentenceClassifier.from_dir(resume_dir, model_config)
        alphabet = model_config.alphabet
        tokens = [_tokenize_row(tokenizer, alphabet, t, i) for i, (t, _) in enumerate(train_rows)]
        vocab = build_word_vocab(
            tokens,
            min_count=data_config.min_count,
            max_size=data_config.max_vocab,
            extra_words=vector_words(vectors, data_config.vectors_vocab, data_config.lowercase),
        )
        model = SentenceClassifier(model_config, vocab, labels, tokenizer)
        found["vectors"] = load_vectors(model, vocab, vectors)
        return model

    def make_data(model: SentenceClassifier) -> TaskData:
        def batches(rows: Sequence[tuple[str, str]], what: str, shuffle: bool) -> ClassBatches:
            ids = [_encode_row(model, text, i, what)[0] for i, (text, _) in enumerate(rows)]
            y = [label_id(model.labels, label, i, what) for i, (_, label) in enumerate(rows)]
            return ClassBatches(
                ids, y, data_config.batch_size, shuffle=shuffle, seed=trainer_config.seed
            )

        record = {
            "sources": sources or {},
            "train_sentences": len(train_rows),
            "val_sentences": len(val_rows or []),
            "labels": {label: n for label, n in Counter(lb for _, lb in train_rows).items()},
            "vocab_size": len(model.vocab),
            "vectors_found": found["vectors"],
        }
        val_data = batches(val_rows, "validation", False) if val_rows else None
        return TaskData(batches(train_rows, "training", True), val_data, record)

    def score(best: SentenceClassifier) -> dict[str, float] | None:
        if not val_rows:
            return None
        scores, _ = evaluate_classifier(best, val_rows)
        return {"accuracy": scores.accuracy, "macro_f1": scores.macro_f1}

    return fit_task(build_model, make_data, trainer_config, out_dir, record_file=DATA_FILE,
                    score=score, callbacks=callbacks, resume=resume,
                    overwrite=overwrite)  # fmt: skip


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
        return model.encode(text, on_long="truncate")  # training reads the first MAX_TOKENS
    except ValueError as error:
        raise ValueError(f"{what} sentence {i + 1}: {error}") from None
