"""Batches for the classifier and the tagger, and vocabularies that include pretrained words.

A classifier batch is ``{"ids": (B, T), "lengths": (B,), "labels": (B,)}``; a tagger batch is
``{"words": (B, T), "casing": (B, T), "chars": (B, T, W), "lengths": (B,), "tags": (B, T)}``
(``chars`` only with character features, ``tags`` only for training; padded tags are -1).
Sentences of similar length are batched together (``BucketBatchSampler``).

With pretrained vectors the word vocabulary is the training words plus every word the vectors
know, so a test word never seen in training still gets its GloVe vector: that is how the notes'
transfer works ("durian" known from the big corpus, not from the small labelled set).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

import torch
from torch import Tensor

from seqlab.text import BucketBatchSampler, Vocabulary, pad_sequences

__all__ = [
    "ClassBatches",
    "TagBatches",
    "build_word_vocab",
    "collate_tagged",
    "label_id",
]


def build_word_vocab(
    token_lists: Iterable[Sequence[str]],
    *,
    min_count: int = 1,
    max_size: int | None = None,
    extra_words: Iterable[str] = (),
) -> Vocabulary:
    """Training words seen ``min_count`` times (most frequent first), then ``extra_words``.

    Args:
        token_lists: the training sentences as token lists.
        min_count, max_size: as :meth:`Vocabulary.build`.
        extra_words: more words to add after them (e.g. the words of pretrained vectors).

    Returns:
        A vocabulary with the special tokens; counts are kept for the training words.
    """
    vocab = Vocabulary.build(token_lists, min_count=min_count, max_size=max_size)
    known = set(vocab.tokens)
    extra = []
    for word in extra_words:
        if word not in known and word not in Vocabulary.SPECIALS:
            known.add(word)
            extra.append(word)
    if not extra:
        return vocab
    real = list(vocab.tokens[len(Vocabulary.SPECIALS) :])
    return Vocabulary(real + extra, counts=dict(vocab.counts))


class ClassBatches:
    """Classifier batches: a callable ``epoch -> batches`` (shuffled per epoch when training).

    Args:
        ids: word ids of each sentence (each non-empty).
        labels: the label id of each sentence.
        batch_size: sentences per batch.
        shuffle, seed: a new order each epoch, from ``seed + epoch``.
    """

    def __init__(
        self,
        ids: Sequence[Sequence[int]],
        labels: Sequence[int],
        batch_size: int,
        *,
        shuffle: bool = False,
        seed: int = 0,
    ) -> None:
        if not ids:
            raise ValueError("no sentences to batch")
        if len(ids) != len(labels):
            raise ValueError(f"{len(ids)} sentences but {len(labels)} labels")
        self.ids, self.labels = list(ids), list(labels)
        self.sampler = BucketBatchSampler(
            [len(s) for s in self.ids], batch_size, shuffle=shuffle, seed=seed
        )

    def __len__(self) -> int:
        return len(self.sampler)

    def __call__(self, epoch: int) -> list[dict[str, Tensor]]:
        self.sampler.set_epoch(epoch)
        out = []
        for idx in self.sampler:
            ids, lengths = pad_sequences([self.ids[i] for i in idx])
            out.append(
                {
                    "ids": ids,
                    "lengths": lengths,
                    "labels": torch.tensor([self.labels[i] for i in idx]),
                }
            )
        return out


def collate_tagged(
    sentences: Sequence[dict[str, Any]],
    *,
    device: torch.device | str = "cpu",
    tags: Sequence[Sequence[int]] | None = None,
) -> dict[str, Tensor]:
    """Pad encoded sentences (from :meth:`SequenceTagger.encode`) into a tagger batch."""
    words, lengths = pad_sequences([s["words"] for s in sentences])
    batch = {
        "words": words,
        "lengths": lengths,
        "casing": pad_sequences([s["casing"] for s in sentences])[0],
    }
    if "chars" in sentences[0]:
        B, T = words.shape
        W = max(len(w) for s in sentences for w in s["chars"])
        chars = torch.zeros(B, T, W, dtype=torch.long)
        for b, s in enumerate(sentences):
            for t, w in enumerate(s["chars"]):
                chars[b, t, : len(w)] = torch.tensor(w)
        batch["chars"] = chars
    if tags is not None:
        batch["tags"] = pad_sequences(list(tags), pad_id=-1)[0]
    return {k: v.to(device) for k, v in batch.items()}


class TagBatches:
    """Tagger batches: a callable ``epoch -> batches``.

    Args:
        sentences: encoded sentences (:meth:`SequenceTagger.encode`).
        tags: the tag ids of each sentence.
        batch_size: sentences per batch.
        shuffle, seed: a new order each epoch, from ``seed + epoch``.
        unk_id: the ``<unk>`` id of the word vocabulary.
        singletons: word ids seen once in training ...
        replace: ... each replaced by ``<unk>`` with this probability per epoch, so the model
            learns what to do with unknown words (Lample et al. 2016 use 0.5).
    """

    def __init__(
        self,
        sentences: Sequence[dict[str, Any]],
        tags: Sequence[Sequence[int]],
        batch_size: int,
        *,
        shuffle: bool = False,
        seed: int = 0,
        unk_id: int = 1,
        singletons: Iterable[int] = (),
        replace: float = 0.0,
    ) -> None:
        if not sentences:
            raise ValueError("no sentences to batch")
        if len(sentences) != len(tags):
            raise ValueError(f"{len(sentences)} sentences but {len(tags)} tag sequences")
        if not 0.0 <= replace <= 1.0:
            raise ValueError(f"replace must be in [0, 1], got {replace}")
        self.sentences, self.tags = list(sentences), [list(t) for t in tags]
        self.seed, self.unk_id, self.replace = seed, unk_id, replace
        self.singletons = torch.tensor(sorted(set(singletons)), dtype=torch.long)
        self.sampler = BucketBatchSampler(
            [len(s["words"]) for s in self.sentences], batch_size, shuffle=shuffle, seed=seed
        )

    def __len__(self) -> int:
        return len(self.sampler)

    def __call__(self, epoch: int) -> list[dict[str, Tensor]]:
        self.sampler.set_epoch(epoch)
        g = torch.Generator().manual_seed(self.seed * 7919 + epoch)
        out = []
        for idx in self.sampler:
            batch = collate_tagged(
                [self.sentences[i] for i in idx], tags=[self.tags[i] for i in idx]
            )
            if self.replace and len(self.singletons):
                words = batch["words"]
                drop = torch.isin(words, self.singletons)
                drop &= torch.rand(words.shape, generator=g) < self.replace
                batch["words"] = words.masked_fill(drop, self.unk_id)
            out.append(batch)
        return out


def label_id(labels: Sequence[str], label: str, i: int, what: str, *, kind: str = "label") -> int:
    """The index of ``label`` among the training labels (or tags), or a ValueError naming
    the ``what`` sentence ``i`` (0-based) that has an unseen one."""
    try:
        return labels.index(label)
    except ValueError:
        raise ValueError(
            f"{what} sentence {i + 1} has {kind} {label!r}, which is not among the training "
            f"{kind}s {list(labels)}"
        ) from None
