"""BLEU (Papineni et al. 2002), as the notes define it and as sacrebleu computes it.

For n = 1..4 the modified precision p_n is the number of hypothesis n-grams that also occur in a
reference, each clipped to the most times it occurs in any one reference, over the number of
hypothesis n-grams. BLEU = BP * exp(mean_n log p_n), with the brevity penalty
BP = exp(1 - r / c) when the hypothesis length c is below the reference length r (the closest
reference length per sentence, ties to the shorter), else 1. Corpus BLEU sums the counts over
all sentences before dividing; it is reported on a 0-100 scale.

Text is tokenized with the mteval-v13a rules (sacrebleu's default ``13a``), and the score equals
sacrebleu's ``corpus_bleu`` / ``sentence_bleu`` on the same input (tested on tables and fuzzed
corpora). Smoothing for zero counts: ``none``, ``floor`` (p_n = k / total), ``add-k`` (k added
to matches and totals for n >= 2) and ``exp`` (the NIST geometric sequence: the i-th zero
precision becomes 1 / (2^i total)).

The split follows the STYLE guide: :func:`bleu_stats` gives sufficient statistics per
sentence, :func:`score_from_stats` turns summed statistics into a :class:`BleuScore`.
"""

from __future__ import annotations

import math
import re
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field

__all__ = [
    "BleuScore",
    "BleuStats",
    "bleu_signature",
    "SMOOTHING",
    "bleu_stats",
    "corpus_bleu",
    "score_from_stats",
    "sentence_bleu",
    "tokenize_13a",
]

MAX_N = 4
# Smoothing method -> its default constant (None: the method has none).
SMOOTHING = {"none": None, "floor": 0.1, "add-k": 1.0, "exp": None}
_LOG_ZERO = -9999999999.0  # log(0) stand-in, so a zero precision gives a score of 0

# The mteval-v13a rules, applied in order to " line ":
_PUNCT = re.compile(r"([\{-\~\[-\` -\&\(-\+\:-\@\/])")  # ASCII symbols except ' , . - get spaces
_PERIOD_COMMA_AFTER = re.compile(r"([^0-9])([\.,])")  # . and , split from a preceding non-digit
_PERIOD_COMMA_BEFORE = re.compile(r"([\.,])([^0-9])")  # ... and from a following non-digit
_DASH_AFTER_DIGIT = re.compile(r"([0-9])(-)")  # a dash after a digit
_ENTITIES = (("&quot;", '"'), ("&amp;", "&"), ("&lt;", "<"), ("&gt;", ">"))


def tokenize_13a(line: str) -> str:
    """mteval-v13a tokenization (sacrebleu's default): a space-separated token string.

    Drops ``<skipped>``, joins ``-`` line breaks, unescapes four HTML entities, then puts spaces
    around ASCII punctuation (``.`` and ``,`` only next to a non-digit, ``-`` only after a
    digit) and collapses whitespace.
    """
    line = line.replace("<skipped>", "").replace("-\n", "").replace("\n", " ")
    if "&" in line:
        for entity, char in _ENTITIES:
            line = line.replace(entity, char)
    line = _PUNCT.sub(r" \1 ", f" {line} ")
    if "." in line or "," in line:
        line = _PERIOD_COMMA_AFTER.sub(r"\1 \2 ", line)
        line = _PERIOD_COMMA_BEFORE.sub(r" \1 \2", line)
    if "-" in line:
        line = _DASH_AFTER_DIGIT.sub(r"\1 \2 ", line)
    return " ".join(line.split())


def _tokenizer(tokenize: str):
    if tokenize == "13a":
        return tokenize_13a
    if tokenize == "none":
        return lambda line: line
    raise ValueError(f"tokenize must be '13a' or 'none', got {tokenize!r}")


def _ngrams(tokens: list[str], max_n: int) -> Counter:
    """Every n-gram of 1..max_n tokens (as tuples) with its count."""
    return Counter(
        tuple(tokens[i : i + n]) for n in range(1, max_n + 1) for i in range(len(tokens) - n + 1)
    )


@dataclass(frozen=True)
class BleuStats:
    """Sufficient statistics of BLEU: they add up over sentences."""

    matches: tuple[int, ...]  # clipped n-gram matches, n = 1..max_n
    totals: tuple[int, ...]  # hypothesis n-grams, n = 1..max_n
    sys_len: int  # hypothesis tokens (c)
    ref_len: int  # closest reference length (r)

    def __add__(self, other: BleuStats) -> BleuStats:
        return BleuStats(
            tuple(a + b for a, b in zip(self.matches, other.matches)),
            tuple(a + b for a, b in zip(self.totals, other.totals)),
            self.sys_len + other.sys_len,
            self.ref_len + other.ref_len,
        )


@dataclass(frozen=True)
class BleuScore:
    """A BLEU score with everything that went into it (precisions in percent)."""

    score: float  # 0..100
    precisions: list[float]  # p_1..p_max_n, percent, after smoothing
    bp: float  # brevity penalty
    sys_len: int
    ref_len: int
    matches: list[int] = field(default_factory=list)
    totals: list[int] = field(default_factory=list)

    @property
    def ratio(self) -> float:
        """Hypothesis length over reference length."""
        return self.sys_len / self.ref_len if self.ref_len else 0.0

    def format(self) -> str:
        """sacrebleu's line: ``BLEU = 34.12 65.1/41.2/28.3/19.9 (BP = ... ref_len = ...)``."""
        precisions = "/".join(f"{p:.1f}" for p in self.precisions)
        return (
            f"BLEU = {self.score:.2f} {precisions} (BP = {self.bp:.3f} ratio = {self.ratio:.3f} "
            f"hyp_len = {self.sys_len:d} ref_len = {self.ref_len:d})"
        )

    def to_json(self) -> dict:
        """The ``seqlab bleu --json`` object (stable keys; the score is ``bleu``, as in
        ``seqlab translate evaluate``)."""
        return {"bleu": self.score, "precisions": self.precisions, "bp": self.bp,
                "sys_len": self.sys_len, "ref_len": self.ref_len}  # fmt: skip


def bleu_signature(
    *,
    n_refs: int,
    lowercase: bool = False,
    tokenize: str = "13a",
    smooth: str = "exp",
    smooth_value: float | None = None,
) -> str:
    """sacrebleu's reproducibility signature of these settings, e.g.
    ``nrefs:1|case:mixed|eff:no|tok:13a|smooth:exp|version:seqlab-0.1.0``.

    The fields are sacrebleu's (``BLEU(...).get_signature().format()``), in its order and
    spelling; only ``version`` names seqlab's version, since seqlab computed the score.
    """
    from seqlab._version import __version__

    if smooth not in SMOOTHING:
        raise ValueError(f"smooth must be one of {list(SMOOTHING)}, got {smooth!r}")
    smoothing = smooth
    if SMOOTHING[smooth] is not None:  # a method with a constant shows it, as sacrebleu does
        smoothing += f"[{SMOOTHING[smooth] if smooth_value is None else smooth_value:.2f}]"
    fields = {"nrefs": n_refs, "case": "lc" if lowercase else "mixed", "eff": "no",
              "tok": tokenize, "smooth": smoothing, "version": f"seqlab-{__version__}"}  # fmt: skip
    return "|".join(f"{name}:{value}" for name, value in fields.items())


def _closest_ref_len(hyp_len: int, ref_lens: list[int]) -> int:
    """The reference length closest to the hypothesis length; ties go to the shorter."""
    return min(ref_lens, key=lambda r: (abs(r - hyp_len), r))


def bleu_stats(
    hyp: str,
    refs: Sequence[str],
    *,
    max_n: int = MAX_N,
    tokenize: str = "13a",
    lowercase: bool = False,
) -> BleuStats:
    """Clipped n-gram matches, n-gram totals and lengths of one hypothesis against its refs.

    Args:
        hyp: the hypothesis sentence.
        refs: one or more reference sentences (``None`` entries are skipped).
        max_n: the largest n-gram order.
        tokenize: "13a" (sacrebleu's default) or "none" (split on whitespace only).
        lowercase: compare lowercased text.

    Raises:
        ValueError: if there is no reference or an argument is out of range.
    """
    tok = _tokenizer(tokenize)
    refs = [r for r in refs if r is not None]
    if not refs:
        raise ValueError("each hypothesis needs at least one reference")

    def prepare(line: str) -> list[str]:
        line = line.lower() if lowercase else line
        return tok(line.rstrip()).split()

    hyp_tokens = prepare(hyp)
    max_counts: Counter = Counter()
    ref_lens = []
    for ref in refs:
        ref_tokens = prepare(ref)
        ref_lens.append(len(ref_tokens))
        max_counts |= _ngrams(ref_tokens, max_n)  # elementwise max: clipping per reference
    hyp_counts = _ngrams(hyp_tokens, max_n)
    matches = [0] * max_n
    for ngram, count in hyp_counts.items():
        matched = min(count, max_counts.get(ngram, 0))
        if matched:
            matches[len(ngram) - 1] += matched
    n_tokens = len(hyp_tokens)
    totals = tuple(max(n_tokens - n + 1, 0) for n in range(1, max_n + 1))
    return BleuStats(tuple(matches), totals, n_tokens, _closest_ref_len(n_tokens, ref_lens))


def score_from_stats(
    stats: BleuStats,
    *,
    smooth: str = "exp",
    smooth_value: float | None = None,
    effective_order: bool = False,
) -> BleuScore:
    """BLEU from (summed) statistics.

    Args:
        stats: matches, totals and lengths.
        smooth: "none", "floor", "add-k" or "exp".
        smooth_value: the constant of floor / add-k (default 0.1 / 1).
        effective_order: average only over the orders the hypothesis has n-grams for (sentence
            BLEU of short sentences, as sacrebleu's ``sentence_bleu`` does).

    Raises:
        ValueError: on an unknown smoothing method, or a smoothing constant that is not > 0.
    """
    if smooth not in SMOOTHING:
        raise ValueError(f"smooth must be one of {list(SMOOTHING)}, got {smooth!r}")
    k = SMOOTHING[smooth] if smooth_value is None else smooth_value
    if k is not None and not (math.isfinite(k) and k > 0):  # k <= 0: precisions over 100%
        raise ValueError(f"smooth_value must be a finite number > 0, got {k!r}")
    c, r = stats.sys_len, stats.ref_len
    bp = 1.0 if c >= r else (math.exp(1 - r / c) if c > 0 else 0.0)
    matches, totals = list(stats.matches), list(stats.totals)
    max_n = len(matches)
    precisions = [0.0] * max_n
    if not any(matches):
        return BleuScore(0.0, precisions, bp, c, r, matches, totals)
    order, zeros = max_n, 0
    for n in range(1, max_n + 1):
        m, t = matches[n - 1], totals[n - 1]
        if smooth == "add-k" and n > 1:
            m, t = m + k, t + k
        if t == 0:
            break  # no n-grams of this order (or higher): stop, as mteval does
        if effective_order:
            order = n
        if m == 0:
            if smooth == "exp":
                zeros += 1
                precisions[n - 1] = 100.0 / (2**zeros * t)
            elif smooth == "floor":
                precisions[n - 1] = 100.0 * k / t
        else:
            precisions[n - 1] = 100.0 * m / t
    logs = [math.log(p) if p > 0 else _LOG_ZERO for p in precisions[:order]]
    score = bp * math.exp(sum(logs) / order)
    return BleuScore(score, precisions, bp, c, r, matches, totals)


def corpus_bleu(
    hyps: Sequence[str],
    refs: Sequence[Sequence[str]],
    *,
    smooth: str = "exp",
    smooth_value: float | None = None,
    tokenize: str = "13a",
    lowercase: bool = False,
    max_n: int = MAX_N,
) -> BleuScore:
    """Corpus BLEU, sacrebleu-compatible.

    Args:
        hyps: the system's sentences.
        refs: reference *streams*, as sacrebleu takes them: ``refs[k][i]`` is the k-th
            reference of sentence i; every stream has ``len(hyps)`` lines.
        smooth, smooth_value: see :func:`score_from_stats` (sacrebleu's default is "exp").
        tokenize, lowercase, max_n: see :func:`bleu_stats`.

    Raises:
        ValueError: if there is no reference stream or a stream's length differs from the
            hypotheses' (both counts are named).
    """
    if isinstance(hyps, str) or isinstance(refs, str):
        raise ValueError("hyps and refs must be lists of sentences, not a single str")
    if not refs:
        raise ValueError("corpus_bleu needs at least one reference stream")
    for k, stream in enumerate(refs):
        if isinstance(stream, str) or len(stream) != len(hyps):
            n = 1 if isinstance(stream, str) else len(stream)
            raise ValueError(f"reference stream {k} has {n} lines but there are {len(hyps)} "
                             "hypotheses")  # fmt: skip
    matches, totals, sys_len, ref_len = [0] * max_n, [0] * max_n, 0, 0
    for i, hyp in enumerate(hyps):
        stats = bleu_stats(hyp, [stream[i] for stream in refs], max_n=max_n, tokenize=tokenize,
                           lowercase=lowercase)  # fmt: skip
        for n in range(max_n):
            matches[n] += stats.matches[n]
            totals[n] += stats.totals[n]
        sys_len += stats.sys_len
        ref_len += stats.ref_len
    total = BleuStats(tuple(matches), tuple(totals), sys_len, ref_len)
    return score_from_stats(total, smooth=smooth, smooth_value=smooth_value)


def sentence_bleu(
    hyp: str,
    refs: Sequence[str],
    *,
    smooth: str = "exp",
    smooth_value: float | None = None,
    tokenize: str = "13a",
    lowercase: bool = False,
    effective_order: bool = True,
) -> BleuScore:
    """BLEU of one sentence (sacrebleu's ``sentence_bleu`` defaults: exp smoothing, effective
    order)."""
    if isinstance(refs, str):
        refs = [refs]
    stats = bleu_stats(hyp, refs, tokenize=tokenize, lowercase=lowercase)
    return score_from_stats(stats, smooth=smooth, smooth_value=smooth_value,
                            effective_order=effective_order)  # fmt: skip
