"""Captioning images with a trained :class:`~seqlab.vision.captioner.Captioner`, and scoring it.

- :func:`caption_images`: greedy (``beam_size=1``) or batched beam search with the notes'
  length normalisation, the very functions that decode translations
  (``seqlab.seq2seq.beam_search``); each caption comes with its attention, one row of
  alpha (over the L grid positions) per generated word.
- :func:`evaluate_captions`: corpus BLEU-4 (``seqlab.metrics.corpus_bleu``, sacrebleu's) and
  exact match against the references.
- :func:`grounding`: for scenes, whether the decoder looks at the right cell when it names an
  item: teacher-forced on the reference caption, the argmax of alpha at each item word must
  fall in that item's cell.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import torch

from seqlab.metrics import corpus_bleu
from seqlab.seq2seq import Hypothesis, beam_search
from seqlab.text import pad_sequences
from seqlab.vision.captioner import Captioner
from seqlab.vision.captions import CaptionSet
from seqlab.vision.scenes import place_names

__all__ = ["CaptionScores", "caption_images", "evaluate_captions", "grounding"]


def caption_images(
    model: Captioner,
    images: Any,
    *,
    beam_size: int = 3,
    alpha: float = 0.7,
    max_len: int | None = None,
    batch_size: int = 64,
) -> list[Hypothesis]:
    """The best caption of every image.

    Args:
        model: a trained captioner.
        images: float (N, C, S, S) in [0, 1], uint8 (N, C, S, S), or a list of uint8 arrays as
            :func:`seqlab.vision.read_image` returns them.
        beam_size: K; 1 = greedy search.
        alpha: length normalisation (score = logprob / T_y^alpha).
        max_len: most words, ``<eos>`` included; None = the model's ``max_caption_len`` + 1.
        batch_size: images searched together.

    Returns:
        One :class:`seqlab.seq2seq.Hypothesis` per image: ``text``, ``tokens``, ``score``,
        and ``attention`` (T_y, L) (None for Show and Tell).
    """
    limit = max_len if max_len is not None else model.config.max_caption_len + 1
    found = beam_search(model, images, beam_size, alpha, limit, batch_size=batch_size)
    return [hyps[0] for hyps in found]


@dataclass(frozen=True)
class CaptionScores:
    """Scores of generated captions against references."""

    bleu: float  # corpus BLEU-4, 0..100 (sacrebleu's 13a tokenizer, exp smoothing)
    exact_match: float  # fraction of captions equal to their reference (whitespace folded)
    n: int  # captions scored

    def to_dict(self) -> dict[str, float | int]:
        """``{"bleu", "exact_match", "n"}``, the keys of ``caption evaluate --json``."""
        return {"bleu": self.bleu, "exact_match": self.exact_match, "n": self.n}


def evaluate_captions(hyps: Sequence[str], refs: Sequence[str]) -> CaptionScores:
    """BLEU-4 and exact match of generated captions against one reference each.

    Exact match compares lower-cased captions with runs of whitespace folded.

    Raises:
        ValueError: if the lists differ in length or are empty.
    """
    if len(hyps) != len(refs):
        raise ValueError(f"{len(hyps)} captions but {len(refs)} references")
    if not hyps:
        raise ValueError("no captions to score")
    fold = lambda s: " ".join(s.lower().split())  # noqa: E731
    exact = sum(fold(h) == fold(r) for h, r in zip(hyps, refs)) / len(hyps)
    bleu = corpus_bleu(list(hyps), [list(refs)])
    return CaptionScores(bleu=bleu.score, exact_match=exact, n=len(hyps))


@torch.no_grad()
def grounding(model: Captioner, data: CaptionSet, *, batch_size: int = 64) -> dict[str, Any]:
    """How often the attention points at the item being named (scenes with known items).

    For each reference caption, teacher forcing gives alpha<t> (over the L grid positions) at
    every word; at each item's word (the last word of its phrase, "bag", "trousers", "boot")
    the position with the largest alpha is mapped to the scene cell under its centre, and
    compared with the item's cell.

    Returns:
        ``{"grounding": fraction of item words whose argmax lies in the item's cell, "n": item
        words checked, "by_word": {item word: its fraction}}``. By word shows where the misses
        are: a word that the words before it already fix ("trousers" after "a pair of") need
        not be looked for, and the decoder may look elsewhere when writing it.

    Raises:
        ValueError: for a model without attention, or data without scene items.
    """
    if not model.config.attention:
        raise ValueError("grounding needs a model with attention (Show, Attend and Tell)")
    if not data.items or data.grid is None or any(it is None for it in data.items):
        raise ValueError("grounding needs scenes with items (items.jsonl in the folder)")
    model.eval()
    cells = model.encoder.cell_of_position(data.grid)
    places = place_names(data.grid)
    device = model.W_y.weight.device
    hits: dict[str, int] = {}
    counts: dict[str, int] = {}
    v = model.vocab
    for start in range(0, len(data), batch_size):
        idx = list(range(start, min(start + batch_size, len(data))))
        tokens = [model.tokenizer.tokenize(data.captions[i]) for i in idx]
        tgt_in, _ = pad_sequences([[v.bos_id, *v.encode(t)] for t in tokens], pad_id=v.pad_id)
        images = data.images[idx].float().to(device) / 255.0
        _, alpha = model(images, tgt_in.to(device))  # (B, T_y, L)
        best = alpha.argmax(dim=2).cpu()  # (B, T_y): the position each word looked at most
        for b, i in enumerate(idx):
            for item, t in zip(data.items[i], _item_word_steps(tokens[b], data.items[i])):
                word = tokens[b][t]
                hit = cells[int(best[b, t])] == places.index(item["place"])
                hits[word] = hits.get(word, 0) + hit
                counts[word] = counts.get(word, 0) + 1
    total = sum(counts.values())
    return {"grounding": sum(hits.values()) / total if total else float("nan"), "n": total,
            "by_word": {w: hits[w] / counts[w] for w in sorted(counts)}}  # fmt: skip


def _item_word_steps(tokens: list[str], items: list[dict[str, Any]]) -> list[int]:
    """The step t (0-based) at which each item's head word is produced, in caption order.

    The items are listed in caption order; item k's head word is the last token before its
    k-th "in the" (every item is "<phrase> in the <place>").
    """
    steps = [t - 1 for t in range(1, len(tokens) - 1)
             if tokens[t] == "in" and tokens[t + 1] == "the"]  # fmt: skip
    if len(steps) != len(items):
        raise ValueError(f"caption {' '.join(tokens)!r} names {len(steps)} items, the scene "
                         f"has {len(items)}")  # fmt: skip
    return steps
