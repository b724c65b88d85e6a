"""Training a sequence tagger end to end: tags checked in their scheme, word and character
vocabularies, pretrained vectors, batches (the steps of :func:`seqlab.train.fit_task`).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from seqlab.classify.data import TagBatches, build_word_vocab, label_id
from seqlab.classify.evaluate import evaluate_tagger
from seqlab.classify.pretrained import check_vectors, load_vectors, vector_words
from seqlab.classify.tagger import SequenceTagger, TaggerConfig
from seqlab.classify.train import DATA_FILE, TaggerDataConfig
from seqlab.text import Vocabulary, check_tags
from seqlab.train import TaskData, Trained, TrainerConfig, fit_task, random_split

__all__ = ["train_tagger"]


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
    overwrite: bool = False,
) -> Trained[SequenceTagger]:
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
        resume: continue from ``out_dir/last`` with the vocabularies and tags saved there.
        overwrite: replace the model already in ``out_dir`` once the new one is complete.

    Returns:
        A :class:`seqlab.train.Trained`; ``record`` is the data.json record, ``scores`` the
        best model's validation span precision, recall and F1 (None without validation).

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
    check_vectors(vectors, model_config.embedding_size)
    lower = model_config.lowercase
    found = {"vectors": 0}  # pretrained vectors copied in (the data record)

    def build_model(resume_dir: Path | None) -> SequenceTagger:
        if resume_dir is not None:
            return SequenceTagger.from_dir(resume_dir, model_config)
        words = [[w.lower() if lower else w for w in s.tokens] for s in train_sentences]
        extra = vector_words(vectors, data_config.vectors_vocab, lower)
        vocab = build_word_vocab(words, min_count=data_config.min_count, extra_words=extra)
        chars = None
        if model_config.char_embedding_size:
            chars = Vocabulary.build([list(w) for s in train_sentences for w in s.tokens])
        model = SequenceTagger(model_config, vocab, chars, tags)
        found["vectors"] = load_vectors(model, vocab, vectors)
        return model

    def make_data(model: SequenceTagger) -> TaskData:
        def encode(sents: Sequence[Any], what: str) -> tuple[list, list]:
            enc, ids = [], []
            for i, s in enumerate(sents):
                try:
                    enc.append(model.encode(list(s.tokens)))
                except ValueError as error:
                    raise ValueError(f"{what} sentence {i + 1}: {error}") from None
                ids.append([label_id(model.tags, t, i, what, kind="tag") for t in s.tags])
            return enc, ids

        enc, ids = encode(train_sentences, "training")
        vocab = model.words
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
            "vectors_found": found["vectors"],
        }
        return TaskData(train_data, val_data, record)

    def score(best: SequenceTagger) -> dict[str, float] | None:
        if not val_sentences:
            return None
        scores, _ = evaluate_tagger(best, val_sentences)
        return {"precision": scores.precision, "recall": scores.recall, "f1": scores.f1}

    return fit_task(build_model, make_data, trainer_config, out_dir, record_file=DATA_FILE,
                    score=score, callbacks=callbacks, resume=resume,
                    overwrite=overwrite)  # fmt: skip


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
