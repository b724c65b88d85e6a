"""Named-entity tagging, the notes' many-to-many task with T_x = T_y.

Every word gets a tag. A bidirectional RNN reads the whole sentence both ways, so the tag of
"Teddy" can depend on the next word ("Teddy Roosevelt" vs "Teddy bears"). Each word x<t> is
represented by

    [ e(word<t>) ; casing(word<t>) ; BiLSTM over the characters of word<t> ]

(pretrained lower-cased word vectors such as GloVe, a small embedding of the word's shape
(``Title``, ``UPPER``, ``lower``, number, ...), and optionally the final states of a character
BiLSTM, Lample et al. 2016), then a (deep) BiRNN gives a<t> and a linear map the per-tag scores
P[t, :] = W a<t> + b. On top sits either a softmax per word (the notes) or a linear-chain CRF
(:mod:`seqlab.classify.crf`) that scores whole tag sequences and decodes them with Viterbi.
"""

from __future__ import annotations

import dataclasses
import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import torch
import torch.nn.functional as F
from torch import Tensor, nn

from seqlab.classify.classifier import CELLS, copy_rows, load_vocab, read_json_assets
from seqlab.classify.config import TaggerConfig
from seqlab.classify.crf import LinearChainCRF, allowed_transitions
from seqlab.nn import LSTM, lengths_to_mask
from seqlab.text import Span, Vocabulary, get_entities

__all__ = ["CASINGS", "TagPrediction", "SequenceTagger", "TaggerConfig", "casing"]

WORDS_FILE, CHARS_FILE, TAGS_FILE = "vocab_words.json", "vocab_chars.json", "tags.json"
# Word shapes (index 0 is padding); the order is part of saved models: append only.
CASINGS = ("<pad>", "lower", "Title", "UPPER", "MiXed", "number", "has_digit", "other")


def casing(word: str) -> int:
    """The word's shape as an index into :data:`CASINGS`."""
    digits = sum(ch.isdigit() for ch in word)
    if digits and digits >= len(word) - sum(ch in ".,-/:" for ch in word):
        return CASINGS.index("number")
    if digits:
        return CASINGS.index("has_digit")
    if word.islower():
        return CASINGS.index("lower")
    if word.isupper():
        return CASINGS.index("UPPER")
    if word[:1].isupper() and (len(word) == 1 or word[1:].islower()):
        return CASINGS.index("Title")
    if any(ch.isalpha() for ch in word):
        return CASINGS.index("MiXed")
    return CASINGS.index("other")


@dataclass(frozen=True)
class TagPrediction:
    """One sentence tagged: its tokens, one tag per token, and the entities they spell."""

    tokens: list[str]
    tags: list[str]
    entities: list[Span]
    n_unk: int = 0  # words read as <unk>

    def to_json(self) -> dict[str, Any]:
        """``{"tokens", "tags", "entities": [{"text", "type", "start", "end"}], "n_unk"}``."""
        return {
            "tokens": self.tokens,
            "tags": self.tags,
            "entities": [
                {
                    "text": " ".join(self.tokens[e.start : e.end]),
                    "type": e.type,
                    "start": e.start,
                    "end": e.end,
                }
                for e in self.entities
            ],
            "n_unk": self.n_unk,
        }


class SequenceTagger(nn.Module):
    """BiRNN tagger over word (+ casing, + character) features, softmax or CRF output.

    Args:
        config: the architecture; vocabulary sizes come from the vocabularies.
        words: word <-> id (with ``<pad>`` = 0 and ``<unk>``), lower-cased if
            ``config.lowercase``.
        chars: character <-> id, or None without character features.
        tags: the tag names in id order.

    Raises:
        ValueError: on an inconsistent config or vocabularies that do not match it.
    """

    task = "tag"  # config.json's "task" (seqlab.TASKS)
    config_class = TaggerConfig

    def __init__(
        self,
        config: TaggerConfig,
        words: Vocabulary,
        chars: Vocabulary | None,
        tags: list[str],
    ) -> None:
        super().__init__()
        if (chars is None) != (config.char_embedding_size == 0):
            raise ValueError(
                "a character vocabulary is needed exactly when char_embedding_size > 0"
            )
        if len(tags) < 1 or len(set(tags)) != len(tags):
            raise ValueError(f"tags must be distinct and at least one, got {tags}")
        sizes = (
            ("word vocabulary", config.word_vocab_size, len(words)),
            ("character vocabulary", config.char_vocab_size, len(chars) if chars else 0),
            ("tag list", config.n_tags, len(tags)),
        )
        for what, size, actual in sizes:
            if size not in (0, actual):
                raise ValueError(
                    f"config says the {what} has {size} entries but it has {actual}: the "
                    "folder's files do not belong to its config.json"
                )
        config = dataclasses.replace(
            config,
            word_vocab_size=len(words),
            n_tags=len(tags),
            char_vocab_size=len(chars) if chars else 0,
        )
        self.config, self.words, self.chars, self.tags = config, words, chars, list(tags)
        E, H, C = config.embedding_size, config.hidden_size, len(tags)
        self.embed = nn.Embedding(len(words), E, padding_idx=words.pad_id)
        self.embed.weight.requires_grad_(not config.freeze_embeddings)
        n_x = E
        if config.casing_size:
            self.casing_embed = nn.Embedding(len(CASINGS), config.casing_size, padding_idx=0)
            n_x += config.casing_size
        if chars is not None:
            self.char_embed = nn.Embedding(
                len(chars), config.char_embedding_size, padding_idx=chars.pad_id
            )
            self.char_rnn = LSTM(
                config.char_embedding_size, config.char_hidden_size, bidirectional=True
            )
            n_x += 2 * config.char_hidden_size
        self.rnn = CELLS[config.cell](
            n_x, H, num_layers=config.num_layers, bidirectional=True, dropout=config.dropout
        )
        self.out = nn.Linear(2 * H, C)  # P[t, :] = W a<t> + b
        if config.crf:
            self.crf = LinearChainCRF(C, allowed_transitions(self.tags, config.scheme))

    # --- features -----------------------------------------------------------------------------

    def _char_features(self, chars: Tensor, mask: Tensor) -> Tensor:
        """Final states of the char BiLSTM: chars (B, T, W), mask (B, T) -> (B, T, 2 H_c)."""
        B, T, _ = chars.shape
        real = chars[mask]  # (N, W) only the real words
        lengths = (real != self.chars.pad_id).sum(1).clamp(min=1)  # (N,)
        _, (h, _) = self.char_rnn(self.char_embed(real), lengths=lengths)  # h: (2, N, H_c)
        words = torch.cat([h[0], h[1]], dim=1)  # (N, 2 H_c): forward end ; backward start
        out = words.new_zeros(B, T, words.shape[1])
        out[mask] = words
        return out  # (B, T, 2 H_c)

    def emissions(self, batch: dict[str, Tensor]) -> Tensor:
        """P: (B, T, C) per-word tag scores for a batch (``words``, ``lengths``, ...)."""
        words, lengths = batch["words"], batch["lengths"]
        mask = lengths_to_mask(lengths.to(words.device), words.shape[1])  # (B, T)
        x = [self.embed(words)]  # (B, T, E)
        if self.config.casing_size:
            x.append(self.casing_embed(batch["casing"]))  # (B, T, casing_size)
        if self.chars is not None:
            x.append(self._char_features(batch["chars"], mask))  # (B, T, 2 H_c)
        x = self._dropout(torch.cat(x, dim=2))  # (B, T, n_x)
        a, _ = self.rnn(x, lengths=lengths)  # (B, T, 2H)
        return self.out(self._dropout(a))  # (B, T, C)

    def _dropout(self, x: Tensor) -> Tensor:
        return F.dropout(x, self.config.dropout, self.training) if self.config.dropout else x

    def decode(self, batch: dict[str, Tensor]) -> list[list[int]]:
        """The best tag ids of each sentence (Viterbi with a CRF, argmax per word without)."""
        P = self.emissions(batch).float()  # (B, T, C)
        mask = lengths_to_mask(batch["lengths"].to(P.device), P.shape[1])
        if self.config.crf:
            return self.crf.viterbi(P, mask)
        best = P.argmax(2).tolist()
        return [row[:n] for row, n in zip(best, batch["lengths"].tolist())]

    # --- tokens -> batches -----------------------------------------------------------------------

    def encode(self, tokens: list[str]) -> dict[str, Any]:
        """One sentence's ids: ``{"words", "casing", "chars", "n_unk"}``.

        Raises:
            ValueError: on an empty sentence or an empty token.
        """
        if not tokens:
            raise ValueError("empty sentence: there is nothing to tag")
        if any(not t or any(ch.isspace() for ch in t) for t in tokens):
            raise ValueError(f"tokens must be non-empty and without spaces, got {tokens!r}")
        looked = [t.lower() for t in tokens] if self.config.lowercase else list(tokens)
        out = {
            "words": self.words.encode(looked),
            "casing": [casing(t) for t in tokens],
            "n_unk": self.words.count_unknown(looked),
        }
        if self.chars is not None:
            out["chars"] = [self.chars.encode(list(t)) for t in tokens]
        return out

    @torch.no_grad()
    def predict(self, sentences: list[list[str]], *, batch_size: int = 128) -> list[TagPrediction]:
        """Tag whitespace-tokenized sentences.

        Raises:
            ValueError: on an empty sentence (naming its index).
        """
        from seqlab.classify.data import collate_tagged

        if sentences and isinstance(sentences[0], str):
            raise ValueError("sentences must be lists of tokens (split the text on whitespace)")
        encoded = []
        for i, tokens in enumerate(sentences):
            try:
                encoded.append(self.encode(list(tokens)))
            except ValueError as error:
                raise ValueError(f"sentence {i}: {error}") from None
        was_training = self.training
        self.eval()
        device = self.out.weight.device
        ids: list[list[int]] = []
        for start in range(0, len(encoded), batch_size):
            batch = collate_tagged(encoded[start : start + batch_size], device=device)
            ids.extend(self.decode(batch))
        self.train(was_training)
        out = []
        for tokens, row, enc in zip(sentences, ids, encoded):
            tags = [self.tags[i] for i in row]
            entities = get_entities(tags, scheme=self.config.scheme)
            out.append(TagPrediction(list(tokens), tags, entities, enc["n_unk"]))
        return out

    # --- the Trainer's protocol ---------------------------------------------------------------

    def _nll(self, batch: dict[str, Tensor]) -> tuple[Tensor, int]:
        """Summed negative log-likelihood of the gold tags and the number of real words."""
        P = self.emissions(batch).float()  # (B, T, C)
        mask = lengths_to_mask(batch["lengths"].to(P.device), P.shape[1])  # (B, T)
        y = batch["tags"]
        n = int(mask.sum())
        if self.config.crf:
            return -self.crf.log_likelihood(P, y.clamp(min=0), mask).sum(), n
        return F.cross_entropy(P[mask], y[mask], reduction="sum"), n

    def loss(self, batch: dict[str, Tensor]) -> Tensor:
        """Negative log-likelihood per real word (the CRF's sentence NLL summed, / words)."""
        total, n = self._nll(batch)
        return total / n

    @torch.no_grad()
    def evaluate(self, batch: dict[str, Tensor]) -> dict[str, float]:
        """NLL and tag accuracy per word, and the entity counts per word that
        :meth:`summarize_metrics` turns into span precision/recall/F1 over a whole data set."""
        total, n = self._nll(batch)
        gold = [row[:k] for row, k in zip(batch["tags"].tolist(), batch["lengths"].tolist())]
        pred = self.decode(batch)
        right = sum(p == g for row, g_row in zip(pred, gold) for p, g in zip(row, g_row))
        correct = n_pred = n_true = 0
        for p_row, g_row in zip(pred, gold):
            p_spans = set(get_entities([self.tags[i] for i in p_row], scheme=self.config.scheme))
            g_spans = set(get_entities([self.tags[i] for i in g_row], scheme=self.config.scheme))
            correct, n_pred = correct + len(p_spans & g_spans), n_pred + len(p_spans)
            n_true += len(g_spans)
        return {"loss": float(total) / n, "accuracy": right / n, "ent_correct": correct / n,
                "ent_pred": n_pred / n, "ent_true": n_true / n}  # fmt: skip

    @staticmethod
    def summarize_metrics(means: dict[str, float]) -> dict[str, float]:
        """Entity precision, recall and F1 from the per-word counts averaged over all words."""
        c, p, t = means["ent_correct"], means["ent_pred"], means["ent_true"]
        precision = c / p if p else 0.0
        recall = c / t if t else 0.0
        f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
        return {**means, "precision": precision, "recall": recall, "f1": f1}

    def count_tokens(self, batch: dict[str, Tensor]) -> int:
        """Real words in a batch."""
        return int(batch["lengths"].sum())

    # --- model folders --------------------------------------------------------------------------

    def save_assets(self, folder: Path) -> None:
        """Write vocab_words.json, vocab_chars.json (with char features) and tags.json."""
        folder = Path(folder)
        self.words.save(folder / WORDS_FILE)
        if self.chars is not None:
            self.chars.save(folder / CHARS_FILE)
        (folder / TAGS_FILE).write_text(json.dumps(self.tags) + "\n", "utf-8")

    @classmethod
    def from_dir(cls, folder: Path, config: TaggerConfig) -> SequenceTagger:
        """Rebuild the (untrained) model of a folder from its config and assets."""
        folder = Path(folder)
        (tags,) = read_json_assets(folder, TAGS_FILE)
        if not isinstance(tags, list) or not all(isinstance(t, str) for t in tags):
            raise ValueError(f"{folder / TAGS_FILE}: expected a JSON list of tag names")
        chars = load_vocab(folder, CHARS_FILE) if config.char_embedding_size else None
        return cls(config, load_vocab(folder, WORDS_FILE), chars, tags)

    def set_embeddings(self, matrix: Tensor, *, keep: Tensor | None = None) -> None:
        """Copy pretrained vectors (V, E) into the word embeddings (rows where ``keep``)."""
        copy_rows(self.embed, matrix, keep, pad_id=self.words.pad_id)

    def describe(self) -> dict[str, Any]:
        """A short summary for the CLI."""
        return {
            "cell": self.config.cell,
            "crf": self.config.crf,
            "char_features": self.chars is not None,
            "words": len(self.words),
            "tags": self.tags,
            "parameters": sum(p.numel() for p in self.parameters()),
        }
