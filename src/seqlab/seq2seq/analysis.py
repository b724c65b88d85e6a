"""The notes' error analysis: is a bad translation the search's fault or the model's?

For each sentence compare the model's probability of the human reference y* with that of the
search's output ŷ, length-normalised as the search ranked them:

- score(y*) > score(ŷ): the model prefers the reference but the search did not find it:
  blame the **search** (a larger beam would help);
- score(y*) <= score(ŷ): the model itself prefers the worse translation: blame the **model**.

Sentences where ŷ equals y* (after tokenization) are counted as "correct" and blame neither.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import asdict, dataclass

from seqlab.seq2seq.model import Seq2Seq
from seqlab.seq2seq.search import check_alpha, normalized_score, target_logprobs

__all__ = ["ErrorAnalysis", "SentenceVerdict", "error_analysis"]


@dataclass(frozen=True)
class SentenceVerdict:
    """One sentence of the analysis."""

    source: str
    reference: str
    hypothesis: str
    ref_logprob: float  # log P(y* | x), <eos> included
    hyp_logprob: float  # log P(ŷ | x)
    ref_score: float  # normalised as the search used it
    hyp_score: float
    verdict: str  # "search" | "model" | "correct"

    def to_json(self) -> dict:
        return asdict(self)


@dataclass(frozen=True)
class ErrorAnalysis:
    """All sentences and the fractions of each verdict among the wrong translations."""

    sentences: list[SentenceVerdict]
    alpha: float

    @property
    def counts(self) -> dict[str, int]:
        out = {"search": 0, "model": 0, "correct": 0}
        for s in self.sentences:
            out[s.verdict] += 1
        return out

    @property
    def fractions(self) -> dict[str, float]:
        """Share of "search" and "model" among the sentences that are not correct."""
        c = self.counts
        wrong = c["search"] + c["model"]
        return {k: (c[k] / wrong if wrong else 0.0) for k in ("search", "model")}

    def summary(self) -> dict:
        """The counts as the `--json` summary (`n`: the sentences analysed)."""
        return {"n": len(self.sentences), **self.counts,
                "search_fraction": self.fractions["search"],
                "model_fraction": self.fractions["model"], "alpha": self.alpha}  # fmt: skip


def error_analysis(
    model: Seq2Seq,
    sources: Sequence[str],
    references: Sequence[str],
    hypotheses: Sequence[str] | Sequence[Sequence[int]],
    *,
    alpha: float = 0.7,
    batch_size: int = 64,
    on_long: str = "error",
) -> ErrorAnalysis:
    """Blame the search or the model, sentence by sentence.

    Args:
        model: the trained model that produced ``hypotheses``.
        sources, references: aligned lists of sentences.
        hypotheses: the search's outputs, as text or, better, as the target ids it produced
            (``Hypothesis.ids``): text with ``<unk>`` in it would be re-tokenized as another
            sequence. An empty output (``<eos>`` first) is fine.
        alpha: the length normalisation the search used.
        batch_size: pairs scored together.
        on_long: ``"error"`` | ``"truncate"`` for sources over ``max_src_len``.

    Returns:
        An :class:`ErrorAnalysis`.

    Raises:
        ValueError: when the three lists differ in length (all three counts are named), or a
            source or reference is empty.
    """
    n = (len(sources), len(references), len(hypotheses))
    if len(set(n)) != 1:
        raise ValueError(f"{n[0]} sources, {n[1]} references and {n[2]} hypotheses: "
                         "the three must be line-aligned")  # fmt: skip
    alpha = check_alpha(alpha)
    for i, s in enumerate(references):
        if not model.tgt_tokenizer.tokenize(s):
            raise ValueError(f"reference {i + 1} is empty")
    ref = target_logprobs(model, sources, references, batch_size=batch_size, on_long=on_long)
    hyp = target_logprobs(model, sources, hypotheses, batch_size=batch_size, on_long=on_long)
    texts = [h if isinstance(h, str) else model.target_text(list(h)) for h in hypotheses]
    tokenize = model.tgt_tokenizer.tokenize
    rows = []
    for i, ((r_lp, r_n), (h_lp, h_n)) in enumerate(zip(ref, hyp)):
        r_s, h_s = normalized_score(r_lp, r_n, alpha), normalized_score(h_lp, h_n, alpha)
        same = tokenize(references[i]) == tokenize(texts[i])  # words, not ids: <unk> != <unk>
        if not isinstance(hypotheses[i], str):
            same = same and model.tgt_vocab.unk_id not in hypotheses[i]
        verdict = "correct" if same else ("search" if r_s > h_s else "model")
        rows.append(SentenceVerdict(sources[i], references[i], texts[i], r_lp, h_lp,
                                    r_s, h_s, verdict))  # fmt: skip
    return ErrorAnalysis(sentences=rows, alpha=alpha)
