"""A seqlab character language model as the ``lm`` of CTC prefix beam search (shallow fusion).

Prefix beam search asks ``lm(prefix)`` for log P_lm(next label | prefix) of every label
(:data:`seqlab.speech.ctc.CharLM`). :class:`CharLMScorer` answers from a trained
:class:`seqlab.lm.LanguageModel` of level ``char``: each speech label is the LM token of the same
character, and the text starts where the LM starts a text (its start token from a zero state,
as :func:`seqlab.lm.score_sentences` does). So summing the scorer's next-label log-probs along a
text gives the LM's own log-likelihood of it, without the final ``<eos>``.

The LM's probability of tokens the alphabet lacks (``<eos>``, other characters) is left out, not
renormalised: beam search only needs the ranks. The blank never enters a prefix, so its column is
0 (log 1: it neither helps nor hurts). Each prefix's recurrent state is cached, so a prefix one
label longer than a cached one costs one step of the LM, not a pass over the whole prefix.
"""

from __future__ import annotations

import os

import numpy as np
import torch
import torch.nn.functional as F

from seqlab.lm import LanguageModel
from seqlab.lm.model import State
from seqlab.speech.data import Alphabet
from seqlab.train import load_model

__all__ = ["CharLMScorer", "char_lm_scorer"]


class CharLMScorer:
    """``scorer(prefix) -> float64 (C,)``: log P_lm(label | prefix) for each speech label.

    Args:
        model: a character-level language model (put in eval mode here).
        alphabet: the recogniser's alphabet; label 0 is the blank, label i its (i-1)-th character.
        max_cache: prefixes kept (state and log-probs); past it the cache starts again.

    Raises:
        ValueError: a word-level model, or characters of the alphabet the LM's vocabulary lacks
            (named).
    """

    def __init__(self, model: LanguageModel, alphabet: Alphabet, *, max_cache: int = 100_000):
        if model.config.level != "char":
            raise ValueError(f"the LM is {model.config.level}-level; beam search needs a char LM")
        missing = [ch for ch in alphabet.chars if ch not in model.vocab]
        if missing:
            raise ValueError(f"the LM's vocabulary lacks characters {missing} of the alphabet "
                             f"{alphabet.chars!r}")  # fmt: skip
        self.model, self.alphabet, self.max_cache = model.eval(), alphabet, max_cache
        self.device = model.out.weight.device
        self.token_ids = [model.vocab.token_to_id(ch) for ch in alphabet.chars]  # label i+1
        self._columns = torch.tensor(self.token_ids, device=self.device)  # (C - 1,)
        self._cache: dict[tuple[int, ...], tuple[State, np.ndarray]] = {}

    def __call__(self, prefix: tuple[int, ...]) -> np.ndarray:
        """float64 (C,): log P_lm(label | prefix) for every label, 0 for the blank."""
        return self._entry(tuple(prefix))[1]

    def log_prob(self, labels: tuple[int, ...]) -> float:
        """log P_lm(labels) = sum of the next-label log-probs along them (no ``<eos>``)."""
        labels = tuple(labels)
        return float(sum(self(labels[:i])[c] for i, c in enumerate(labels)))

    def clear(self) -> None:
        """Forget the cached prefixes."""
        self._cache.clear()

    def _entry(self, prefix: tuple[int, ...]) -> tuple[State, np.ndarray]:
        if prefix in self._cache:
            return self._cache[prefix]
        if len(self._cache) >= self.max_cache:
            self._cache.clear()
        known = len(prefix)  # the longest cached prefix of ``prefix``, then one step at a time
        while known > 0 and prefix[:known] not in self._cache:
            known -= 1
        if known == 0 and () not in self._cache:
            self._cache[()] = self._step(self.model.start_id, None)
        for n in range(known, len(prefix)):
            label = prefix[n]
            if not 1 <= label <= len(self.token_ids):
                raise ValueError(f"label {label} is not a character of the alphabet")
            state = self._cache[prefix[:n]][0]
            self._cache[prefix[: n + 1]] = self._step(self.token_ids[label - 1], state)
        return self._cache[prefix]

    @torch.no_grad()
    def _step(self, token_id: int, state: State | None) -> tuple[State, np.ndarray]:
        """Feed one token: the new state and the next labels' log-probs (blank first)."""
        x = torch.tensor([[token_id]], device=self.device)  # (1, 1)
        logits, state = self.model(x, state)  # (1, 1, V)
        logp = F.log_softmax(logits[0, 0].double(), dim=-1)  # (V,), float64 as lm.score does
        out = np.zeros(len(self.token_ids) + 1)  # (C,)
        out[1:] = logp[self._columns].cpu().numpy()
        return state, out


def char_lm_scorer(
    folder: str | os.PathLike[str], alphabet: Alphabet, *, device: str | torch.device = "cpu"
) -> CharLMScorer:
    """The character LM of a ``seqlab lm train`` folder as a beam-search ``lm``.

    Raises:
        ValueError: the folder holds no language model, a word-level one, or one whose
            vocabulary lacks characters of ``alphabet``.
    """
    model = load_model(folder, map_location=device)
    if not isinstance(model, LanguageModel):
        raise ValueError(f"{folder} does not hold a language model")
    return CharLMScorer(model, alphabet)
