"""Sentence classification, the notes' many-to-one task (sentiment, Emojify).

Two models of the notes, over word embeddings e_w = E o_w:

- ``model="average"``: the average of the sentence's embeddings fed to a softmax,

      avg = (1 / T_x) Σ_t e<t>,    ŷ = softmax(W avg + b)

  which ignores word order, so "completely lacking in good taste" reads as "good";
- ``model="rnn"``: a recurrent layer (any seqlab cell, deep, bidirectional) over the
  embeddings; its last activation (both ends for a BRNN) or the mean/max of all of them feeds
  the softmax, ŷ = softmax(W a<T_x> + b). Two position-aware readouts: ``pool="attention"``,
  an additive-attention weighted sum of the activations (``seqlab.nn.AdditiveAttention``
  with no query), and, for inputs of one fixed length ``n_steps`` (DNA windows),
  ``pool="concat"``, all the activations side by side so that W has its own weights for every
  position; with ``concat_inputs`` each step's embedding e<t> sits next to its a<t> (a skip
  connection), so the softmax also sees the raw letter at every position, not only its context.

Embeddings learned on a large corpus (GloVe) can be loaded and frozen or fine-tuned: the
transfer of the notes from a big unlabelled corpus to a small labelled task.
"""

from __future__ import annotations

import dataclasses
import json
import os
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import torch
import torch.nn.functional as F
from torch import Tensor, nn

from seqlab._config import read_json
from seqlab.classify.config import ClassifierConfig
from seqlab.datasets.dna import check_dna
from seqlab.nn import (
    GRU,
    LSTM,
    RNN,
    AdditiveAttention,
    concat_steps,
    lengths_to_mask,
    pool_steps,
)
from seqlab.text import Tokenizer, Vocabulary, tokenizer_from_config
from seqlab.text.limits import MAX_TOKENS, limit_tokens

__all__ = ["CELLS", "ClassifierConfig", "Prediction", "SentenceClassifier"]

CELLS = {"rnn": RNN, "gru": GRU, "lstm": LSTM}
VOCAB_FILE, LABELS_FILE, TOKENIZER_FILE = "vocab.json", "labels.json", "tokenizer.json"


@dataclass(frozen=True)
class Prediction:
    """One sentence's label: the most probable one, its probability, and all of them."""

    text: str
    label: str
    prob: float
    probs: dict[str, float]
    n_unk: int  # tokens read as <unk>


class SentenceClassifier(nn.Module):
    """Averaging or recurrent sentence classifier, with its tokenizer, vocabulary and labels.

    Args:
        config: the architecture; vocab_size and n_classes are taken from ``vocab``/``labels``.
        vocab: word <-> id, with the special tokens (``<pad>`` = 0).
        labels: the class names in id order (as they appear in the training file).
        tokenizer: text -> words.

    Raises:
        ValueError: on fewer than 2 labels, repeated labels, or sizes that disagree with the
            config (a folder whose files do not belong together).
    """

    task = "classify"  # config.json's "task" (seqlab.TASKS)
    config_class = ClassifierConfig

    def __init__(
        self,
        config: ClassifierConfig,
        vocab: Vocabulary,
        labels: list[str],
        tokenizer: Tokenizer,
    ) -> None:
        super().__init__()
        labels = [str(label) for label in labels]
        if len(labels) < 2:
            raise ValueError(f"a classifier needs at least 2 labels, got {labels}")
        if len(set(labels)) != len(labels):
            raise ValueError(f"repeated labels: {labels}")
        for what, size, actual in (
            ("vocabulary", config.vocab_size, len(vocab)),
            ("labels", config.n_classes, len(labels)),
        ):
            if size not in (0, actual):
                raise ValueError(
                    f"config says the {what} has {size} entries but it has {actual}: the "
                    "folder's files do not belong to its config.json"
                )
        if not vocab.has_specials:
            raise ValueError("the vocabulary needs the special tokens (<pad> = 0, <unk>)")
        config = dataclasses.replace(config, vocab_size=len(vocab), n_classes=len(labels))
        self.config, self.vocab, self.labels, self.tokenizer = config, vocab, labels, tokenizer
        E, C = config.embedding_size, len(labels)
        self.embed = nn.Embedding(len(vocab), E, padding_idx=vocab.pad_id)  # E
        self.embed.weight.requires_grad_(not config.freeze_embeddings)
        if config.model == "average":
            self.out = nn.Linear(E, C)  # W, b
        else:
            self.rnn = CELLS[config.cell](
                E,
                config.hidden_size,
                num_layers=config.num_layers,
                bidirectional=config.bidirectional,
                dropout=config.dropout,
            )
            DH = config.hidden_size * self.rnn.num_directions
            if config.pool == "attention":
                self.attention = AdditiveAttention(DH, config.attention_size)  # W_a, b_a, v
            n_features = DH
            if config.pool == "concat":
                n_features = (DH + E * config.concat_inputs) * config.n_steps
            self.out = nn.Linear(n_features, C)  # W, b

    def set_embeddings(self, matrix: Tensor, *, keep: Tensor | None = None) -> None:
        """Copy pretrained vectors (V, E) into E (rows where ``keep``); see :func:`copy_rows`."""
        copy_rows(self.embed, matrix, keep, pad_id=self.vocab.pad_id)

    def forward(self, ids: Tensor, lengths: Tensor) -> Tensor:
        """ids: (B, T) padded word ids, lengths: (B,) -> logits (B, C)."""
        return self.classify_embedded(self.embed(ids), lengths)  # (B, C)

    def classify_embedded(self, e: Tensor, lengths: Tensor) -> Tensor:
        """The model after its embedding layer: e (B, T, E), lengths (B,) -> logits (B, C).

        Split from :meth:`forward` so that saliency can differentiate with respect to e.
        """
        x = self._dropout(e)  # (B, T, E)
        if self.config.model == "average":
            mask = lengths_to_mask(lengths.to(x.device), x.shape[1]).unsqueeze(2)  # (B, T, 1)
            avg = (x * mask).sum(1) / lengths.to(x).unsqueeze(1)  # (B, E)
            return self.out(self._dropout(avg))  # (B, C)
        a, _ = self.rnn(x, lengths=lengths)  # (B, T, D*H)
        if self.config.concat_inputs:
            # the skip path takes e before the input dropout: the readout's own dropout follows
            a = torch.cat([a, e], dim=2)  # (B, T, D*H + E)
        return self.out(self._dropout(self._pool(a, lengths)))  # (B, C)

    def _pool(self, a: Tensor, lengths: Tensor) -> Tensor:
        """The readout: a (B, T, F) -> (B, F), or (B, n_steps * F) for "concat".

        F is D*H, or D*H + E with ``concat_inputs`` (a<t> and e<t> side by side).
        """
        if self.config.pool == "attention":
            return self.attention(a, lengths)[0]  # (B, D*H)
        if self.config.pool == "concat":
            return concat_steps(a, lengths, self.config.n_steps)  # (B, T*F)
        return pool_steps(a, lengths, self.config.pool, self.rnn.num_directions)  # (B, D*H)

    def _dropout(self, x: Tensor) -> Tensor:
        return F.dropout(x, self.config.dropout, self.training) if self.config.dropout else x

    # --- text -> ids ---------------------------------------------------------------------------

    def tokenize(self, text: str, *, on_long: str = "error") -> list[str]:
        """A text's tokens: words, or characters (DNA upper-cased and checked against IUPAC).

        Args:
            text: the sentence.
            on_long: a text of more than :data:`seqlab.text.limits.MAX_TOKENS` tokens is an
                ``"error"``, or ``"truncate"``-d to its first ones.

        Raises:
            ValueError: (alphabet "dna") naming the position and the letter outside IUPAC; a
                long text with ``on_long="error"``.
        """
        tok, alphabet = self.tokenizer, self.config.alphabet
        return limit_tokens(lambda t: tokenize_text(tok, alphabet, t), text, MAX_TOKENS,
                            on_long=on_long, what="the sentence")  # fmt: skip

    def encode(self, text: str, *, on_long: str = "error") -> tuple[list[int], int]:
        """A sentence's word ids and how many words are unknown (``on_long``: see tokenize).

        Raises:
            ValueError: on an empty sentence, a DNA letter outside IUPAC, a long sentence.
        """
        tokens = self.tokenize(text, on_long=on_long)
        if not tokens:
            raise ValueError("empty sentence: there is nothing to classify")
        return self.vocab.encode(tokens), self.vocab.count_unknown(tokens)

    @torch.no_grad()
    def predict_proba(
        self, texts: list[str], *, batch_size: int = 256, on_long: str = "error"
    ) -> tuple[Tensor, list[int]]:
        """ŷ for each text: (N, C) probabilities, and the unknown-word count of each
        (``on_long``: see :meth:`tokenize`)."""
        from seqlab.text import pad_sequences

        if isinstance(texts, str):
            raise ValueError("texts must be a list of sentences, got a single str")
        was_training = self.training
        self.eval()
        encoded = []
        for i, text in enumerate(texts):
            try:
                encoded.append(self.encode(text, on_long=on_long))
            except ValueError as error:
                raise ValueError(f"texts[{i}]: {error}") from None
        device = self.embed.weight.device
        probs = []
        for i in range(0, len(encoded), batch_size):
            ids, lengths = pad_sequences([e[0] for e in encoded[i : i + batch_size]])
            logits = self(ids.to(device), lengths)
            probs.append(torch.softmax(logits.float(), dim=1).cpu())
        self.train(was_training)
        return torch.cat(probs) if probs else torch.zeros(0, len(self.labels)), [
            e[1] for e in encoded
        ]

    def predict(
        self, texts: list[str], *, batch_size: int = 256, on_long: str = "error"
    ) -> list[Prediction]:
        """The most probable label of each text, with its probability.

        Raises:
            ValueError: on an empty text (naming its index), or a long one with
                ``on_long="error"`` (see :meth:`tokenize`).
        """
        return _predictions(self, texts, batch_size, on_long)

    # --- the Trainer's protocol ---------------------------------------------------------------

    def loss(self, batch: dict[str, Tensor]) -> Tensor:
        """Mean cross-entropy over the batch's sentences."""
        return F.cross_entropy(self(batch["ids"], batch["lengths"]).float(), batch["labels"])

    @torch.no_grad()
    def evaluate(self, batch: dict[str, Tensor]) -> dict[str, float]:
        """``{"loss", "accuracy"}`` on one batch."""
        logits = self(batch["ids"], batch["lengths"]).float()
        return {
            "loss": float(F.cross_entropy(logits, batch["labels"])),
            "accuracy": float((logits.argmax(1) == batch["labels"]).float().mean()),
        }

    def count_tokens(self, batch: dict[str, Tensor]) -> int:
        """Sentences in a batch: the units ``loss`` and ``evaluate`` average over, so the
        Trainer's validation means are per sentence (by words, long sentences counted more)."""
        return int(batch["labels"].numel())

    # --- model folders --------------------------------------------------------------------------

    def save_assets(self, folder: Path) -> None:
        """Write vocab.json, labels.json and tokenizer.json into ``folder``."""
        folder = Path(folder)
        self.vocab.save(folder / VOCAB_FILE)
        (folder / LABELS_FILE).write_text(
            json.dumps(self.labels, ensure_ascii=False) + "\n", "utf-8"
        )
        (folder / TOKENIZER_FILE).write_text(json.dumps(self.tokenizer.to_config()) + "\n", "utf-8")

    @classmethod
    def from_dir(cls, folder: Path, config: ClassifierConfig) -> SentenceClassifier:
        """Rebuild the (untrained) model of a folder from its config and assets."""
        folder = Path(folder)
        labels, tok = read_json_assets(folder, LABELS_FILE, TOKENIZER_FILE)
        if not isinstance(labels, list) or not all(isinstance(x, str) for x in labels):
            raise ValueError(f"{folder / LABELS_FILE}: expected a JSON list of label names")
        return cls(config, load_vocab(folder, VOCAB_FILE), labels, tokenizer_from_config(tok))

    def describe(self) -> dict[str, Any]:
        """A short summary for the CLI."""
        return {
            "model": self.config.model,
            "cell": self.config.cell if self.config.model == "rnn" else None,
            "vocab": len(self.vocab),
            "level": self.tokenizer.level,
            "alphabet": self.config.alphabet,
            "labels": self.labels,
            "parameters": sum(p.numel() for p in self.parameters()),
        }


def tokenize_text(tokenizer: Tokenizer, alphabet: str, text: str) -> list[str]:
    """``tokenizer.tokenize(text)``, after :func:`check_dna` when ``alphabet == "dna"``."""
    if alphabet == "dna":
        text = check_dna(text.strip())
    return tokenizer.tokenize(text)


def copy_rows(embed: nn.Embedding, matrix: Tensor, keep: Tensor | None, *, pad_id: int) -> None:
    """Copy pretrained vectors into an embedding table.

    Args:
        embed: the table, (V, E).
        matrix: (V, E) rows in vocabulary order.
        keep: optional (V,) bool, True for rows to copy (words the vectors know); the other
            rows keep their random initialisation.
        pad_id: this row is set to zero.

    Raises:
        ValueError: on a shape that is not (V, E), or non-finite values.
    """
    V, E = embed.weight.shape
    if tuple(matrix.shape) != (V, E):
        raise ValueError(
            f"pretrained vectors have dimension {matrix.shape[-1]} but the model's "
            f"embedding_size is {E} (matrix {tuple(matrix.shape)}, expected ({V}, {E}))"
        )
    if not torch.isfinite(matrix).all():
        raise ValueError("pretrained vectors contain NaN or inf")
    with torch.no_grad():
        rows = keep if keep is not None else torch.ones(V, dtype=torch.bool)
        embed.weight[rows] = matrix[rows].to(embed.weight.dtype)
        embed.weight[pad_id].zero_()


def read_json_assets(folder: Path, *names: str) -> list[Any]:
    """Read JSON files of a model folder, with errors that name the file."""
    out = []
    for name in names:
        path = Path(folder) / name
        if not path.is_file():
            raise ValueError(f"{folder}: missing {name}")
        out.append(read_json(path))
    return out


def load_vocab(folder: Path, name: str) -> Vocabulary:
    """A folder's vocabulary file, or an error naming it."""
    if not (Path(folder) / name).is_file():
        raise ValueError(f"{folder}: missing {name}")
    return Vocabulary.load(Path(folder) / name)


def _predictions(model: Any, texts: list[str], batch_size: int, on_long: str) -> list[Prediction]:
    for i, t in enumerate(texts):
        if not isinstance(t, str) or not t.strip():
            raise ValueError(f"text {i} is empty: there is nothing to classify")
    probs, unk = model.predict_proba(list(texts), batch_size=batch_size, on_long=on_long)
    out = []
    for text, p, n in zip(texts, probs.tolist(), unk):
        best = max(range(len(p)), key=p.__getitem__)
        out.append(Prediction(text, model.labels[best], p[best], dict(zip(model.labels, p)), n))
    return out


class ClassifierEnsemble:
    """Several trained classifiers of the same labels voting with their mean probabilities.

    ŷ = (1/M) Σ_m ŷ_m, each model's columns put in the first model's label order by name.
    Each model keeps its own vocabulary and tokenizer (e.g. the same recipe trained with
    different seeds). It answers what :func:`evaluate_classifier` and ``predict`` ask of a
    :class:`SentenceClassifier`: ``labels``, ``config``, ``tokenize``, ``predict_proba``
    and ``predict``.

    Raises:
        ValueError: no models, something that is not a sentence classifier, or models
            trained on different label sets or alphabets.
    """

    def __init__(self, models: Sequence[SentenceClassifier]) -> None:
        models = list(models)
        if not models:
            raise ValueError("an ensemble needs at least one model")
        for i, m in enumerate(models):
            if not isinstance(m, SentenceClassifier):
                raise ValueError(f"model {i} is not a sentence classifier")
        first = models[0]
        for i, m in enumerate(models[1:], 1):
            if sorted(m.labels) != sorted(first.labels):
                raise ValueError(f"model {i} has labels {m.labels}, model 0 has {first.labels}: "
                                 "an ensemble's models must share their labels")  # fmt: skip
            if m.config.alphabet != first.config.alphabet:
                raise ValueError(f"model {i} reads alphabet {m.config.alphabet!r}, model 0 "
                                 f"{first.config.alphabet!r}")  # fmt: skip
        self.models, self.labels, self.config = models, list(first.labels), first.config
        self._columns = [[m.labels.index(y) for y in self.labels] for m in models]

    def __len__(self) -> int:
        return len(self.models)

    def tokenize(self, text: str, *, on_long: str = "error") -> list[str]:
        """The first model's tokens (every model tokenizes the text its own way)."""
        return self.models[0].tokenize(text, on_long=on_long)

    def predict_proba(
        self, texts: list[str], *, batch_size: int = 256, on_long: str = "error"
    ) -> tuple[Tensor, list[int]]:
        """The mean of the models' (N, C) probabilities, and the most unknown words any model
        met in each text."""
        total, unk = None, None
        for model, columns in zip(self.models, self._columns):
            probs, n_unk = model.predict_proba(texts, batch_size=batch_size, on_long=on_long)
            probs = probs[:, columns]
            total = probs if total is None else total + probs
            unk = n_unk if unk is None else [max(a, b) for a, b in zip(unk, n_unk)]
        assert total is not None and unk is not None
        return total / len(self.models), unk

    def predict(
        self, texts: list[str], *, batch_size: int = 256, on_long: str = "error"
    ) -> list[Prediction]:
        """The most probable label of each text under the mean probabilities."""
        return _predictions(self, texts, batch_size, on_long)


def class_names(folder: str | os.PathLike[str], labels: list[str]) -> dict[str, str]:
    """label -> what it stands for, where the training file's format says (Emojify's 0-4 are
    heart, baseball, smile, disappointed, fork_and_knife); {} otherwise."""
    from seqlab.datasets.labelled import EMOJIFY_CLASSES

    try:
        data = json.loads((Path(folder) / "data.json").read_text(encoding="utf-8"))
        emojify = data["sources"].get("format") == "emojify"
    except (OSError, ValueError, KeyError, TypeError, AttributeError):
        return {}
    if not emojify or not set(labels) <= set(EMOJIFY_CLASSES):
        return {}
    return {label: EMOJIFY_CLASSES[label] for label in labels}
