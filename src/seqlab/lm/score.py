"""Scoring text with a language model: log P(y<1..T>) = sum_t log P(y<t> | y<1..t-1>).

A sentence is scored from a fresh state, its first input being the model's start token and its
last target ``<eos>`` (the notes end every sentence with ``<eos>``), so ``n_tokens`` counts the
``<eos>``. A whole text (:func:`score_text`) is scored as one stream with the state carried
across lines, the way a stateful model is validated. Tokens outside the vocabulary are scored as
``<unk>`` and counted in ``n_unk``, so a perplexity over unknown words is never silently better.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import torch
import torch.nn.functional as F
from torch import Tensor

from seqlab.lm.data import encode_text
from seqlab.metrics import perplexity as _perplexity
from seqlab.text import pad_sequences
from seqlab.text.limits import MAX_TOKENS, limit_tokens

if TYPE_CHECKING:
    from seqlab.lm.model import LanguageModel

__all__ = ["TextScore", "score_lines", "score_sentences", "score_text"]


@dataclass(frozen=True)
class TextScore:
    """The log-probability of a text under a language model (natural logs throughout)."""

    text: str
    logprob: float  # log P(text), summed over tokens (<eos> included)
    n_tokens: int  # tokens scored, <eos> included
    n_unk: int  # of which outside the vocabulary (scored as <unk>)
    tokens: list[str] = field(default_factory=list)  # the tokens, "<eos>" for line ends
    token_logprobs: list[float] = field(default_factory=list)  # log P(token | history)
    unknown: list[bool] = field(default_factory=list)  # which tokens were <unk>

    @property
    def perplexity(self) -> float:
        """exp(-logprob / n_tokens)."""
        return _perplexity(self.logprob, self.n_tokens)

    @property
    def nats_per_token(self) -> float:
        """-logprob / n_tokens: the loss the model trains on (bits: divide by ln 2)."""
        return -self.logprob / self.n_tokens

    def to_json(self) -> dict:
        """The ``lm score --json`` object (stable keys)."""
        return {
            "text": self.text,
            "logprob": self.logprob,
            "n_tokens": self.n_tokens,
            "perplexity": self.perplexity,
            "n_unk": self.n_unk,
        }


def _result(text: str, tokens: list[str], ids: list[int], logprobs: list[float], unk: int):
    unknown = [i == unk for i in ids]
    return TextScore(
        text=text,
        logprob=math.fsum(logprobs),
        n_tokens=len(ids),
        n_unk=sum(unknown),
        tokens=tokens,
        token_logprobs=logprobs,
        unknown=unknown,
    )


@torch.no_grad()
def score_sentences(
    model: LanguageModel, texts: list[str], *, batch_size: int = 64, on_long: str = "error"
) -> list[TextScore]:
    """Score each text from a fresh state, ending with ``<eos>``.

    Args:
        model: the language model (put in eval mode here).
        texts: the sentences; a newline inside one is scored as ``<eos>``.
        batch_size: sentences run together (padded).
        on_long: a sentence of more than :data:`seqlab.text.limits.MAX_TOKENS` tokens is an
            ``"error"``, or ``"truncate"``-d to its first ones (then ``<eos>``).

    Returns:
        One :class:`TextScore` per text, in order.

    Raises:
        ValueError: if ``texts`` is a str (pass a list), or a sentence is too long.
    """
    if isinstance(texts, str):
        raise ValueError("texts must be a list of str, got a single str")
    model.eval()
    device = model.out.weight.device
    encoded = [_sentence(model, text, on_long, i) for i, text in enumerate(texts)]
    results: list[TextScore] = []
    for start in range(0, len(texts), batch_size):
        chunk = encoded[start : start + batch_size]
        x, lengths = pad_sequences([[model.start_id, *ids[:-1]] for _, ids in chunk])  # (B, T)
        y, _ = pad_sequences([ids for _, ids in chunk])  # (B, T)
        logits, _ = model(x.to(device), None, lengths)  # (B, T, V)
        logp = _target_logprobs(logits, y.to(device)).cpu()  # (B, T)
        for row, (tokens, ids) in enumerate(chunk):
            values = logp[row, : len(ids)].tolist()
            results.append(_result(texts[start + row], tokens, ids, values, model.vocab.unk_id))
    return results


def _sentence(model: LanguageModel, text: str, on_long: str, i: int) -> tuple[list, list]:
    """A sentence's tokens and ids, <eos> last, at most MAX_TOKENS before it (``on_long``)."""
    vocab = model.vocab
    try:
        tokens = limit_tokens(lambda t: encode_text(t, model.tokenizer, vocab)[0], text,
                              MAX_TOKENS, on_long=on_long, what="the sentence")  # fmt: skip
    except ValueError as error:
        raise ValueError(f"texts[{i}]: {error}") from None
    tokens.append(vocab.EOS)
    return tokens, [vocab.eos_id if t == vocab.EOS else vocab.token_to_id(t) for t in tokens]


@torch.no_grad()
def score_text(model: LanguageModel, text: str, *, chunk_size: int = 1024) -> TextScore:
    """Score a whole text as one stream, the state carried across lines and chunks.

    Every line ends with ``<eos>`` (a final newline is not needed). The first token is
    predicted from the model's start token and a zero state.

    Args:
        model: the language model.
        text: the text.
        chunk_size: tokens per forward call (memory, not the result).

    Returns:
        One :class:`TextScore` for the whole text (``token_logprobs`` for every token).

    Raises:
        ValueError: if the text has no tokens.
    """
    if not isinstance(text, str) or not text.strip():
        raise ValueError("no text to score (the text is empty)")
    model.eval()
    device = model.out.weight.device
    tokens, ids = encode_text(text.removesuffix("\n"), model.tokenizer, model.vocab, final_eos=True)
    inputs = torch.tensor([model.start_id, *ids[:-1]], device=device)  # (N,)
    targets = torch.tensor(ids, device=device)  # (N,)
    state, values = None, []
    for start in range(0, len(ids), chunk_size):
        x = inputs[start : start + chunk_size].unsqueeze(0)  # (1, T)
        logits, state = model(x, state)  # (1, T, V)
        y = targets[start : start + chunk_size].unsqueeze(0)  # (1, T)
        values.extend(_target_logprobs(logits, y)[0].tolist())
    return _result(text, tokens, ids, values, model.vocab.unk_id)


@torch.no_grad()
def score_lines(
    model: LanguageModel,
    lines: Iterable[str],
    *,
    chunk_size: int = 1024,
    keep_tokens: bool = False,
) -> TextScore:
    """:func:`score_text` of ``"".join(lines)``, reading one line at a time.

    The tokens go through the model in the same chunks as :func:`score_text` (the state
    carried), and the log-probabilities are summed exactly, so the result is the same to the
    last bit; memory holds one chunk and one line, not the text (``seqlab lm score --file``).

    Args:
        model: the language model.
        lines: the text's lines, each ending with ``"\n"`` (the last one may not), e.g.
            :func:`seqlab.datasets.lines.iter_lines`.
        chunk_size: tokens per forward call.
        keep_tokens: also keep every token and its log-probability (memory then grows with
            the text).

    Returns:
        A :class:`TextScore` whose ``text`` is empty (the caller has the text); ``tokens``,
        ``token_logprobs`` and ``unknown`` only with ``keep_tokens``.

    Raises:
        ValueError: if the lines hold no text.
    """
    model.eval()
    device = model.out.weight.device
    unk = model.vocab.unk_id
    total, state, previous = _ExactSum(), None, model.start_id
    inputs: list[int] = []  # ids waiting for a full chunk (and their targets)
    targets: list[int] = []
    kept: tuple[list[str], list[float], list[bool]] = ([], [], [])
    n_tokens = n_unk = 0
    any_text = False

    def run(n: int) -> None:
        nonlocal state
        x = torch.tensor(inputs[:n], device=device).unsqueeze(0)  # (1, T)
        logits, state = model(x, state)  # (1, T, V)
        y = torch.tensor(targets[:n], device=device).unsqueeze(0)  # (1, T)
        values = _target_logprobs(logits, y)[0].tolist()
        total.add(values)
        if keep_tokens:
            kept[1].extend(values)
        del inputs[:n], targets[:n]

    for line in lines:
        any_text = any_text or bool(line.strip())
        tokens, ids = encode_text(line.removesuffix("\n"), model.tokenizer, model.vocab,
                                  final_eos=True)  # fmt: skip
        inputs += [previous, *ids[:-1]]  # each token is the next one's input
        targets += ids
        previous = ids[-1]
        n_tokens += len(ids)
        n_unk += ids.count(unk)
        if keep_tokens:
            kept[0].extend(tokens)
            kept[2].extend(i == unk for i in ids)
        while len(inputs) >= chunk_size:
            run(chunk_size)
    if not any_text:
        raise ValueError("no text to score (the text is empty)")
    if inputs:
        run(len(inputs))
    tokens, values, unknown = kept
    return TextScore(text="", logprob=total.value(), n_tokens=n_tokens, n_unk=n_unk,
                     tokens=tokens, token_logprobs=values, unknown=unknown)  # fmt: skip


class _ExactSum:
    """A sum of floats kept exactly, as a few non-overlapping floats, and rounded once at the
    end: ``value()`` equals ``math.fsum`` of everything added, whatever the chunking."""

    def __init__(self) -> None:
        self.parts: list[float] = []

    def add(self, values: list[float]) -> None:
        self.parts += _expansion(values)
        if len(self.parts) > 64:
            self.parts = _expansion(self.parts)

    def value(self) -> float:
        return math.fsum(self.parts)


def _expansion(values: list[float]) -> list[float]:
    """Floats whose exact sum is the exact sum of ``values`` (each one fsum's rounded rest)."""
    parts: list[float] = []
    while True:
        part = math.fsum([*values, *(-p for p in parts)])
        if part == 0.0:
            return parts
        parts.append(part)


def _target_logprobs(logits: Tensor, y: Tensor) -> Tensor:
    """logits: (B, T, V), y: (B, T) -> log softmax(logits)[y]: (B, T), in float64."""
    logp = F.log_softmax(logits.double(), dim=-1)  # (B, T, V)
    return logp.gather(-1, y.unsqueeze(-1)).squeeze(-1)  # (B, T)
