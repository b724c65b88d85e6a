"""A language model as the ``lm`` of a prefix beam search (shallow fusion), one step per prefix.

A search over label sequences (the characters of CTC decoding in :mod:`seqlab.speech`) asks,
for every prefix it keeps, how likely each label is to come next. :class:`PrefixScorer` maps
label i to the LM token ``tokens[i]`` and answers log P_lm(label | prefix) for every label. The
text starts where the LM starts a text (its start token from a zero state, as
:func:`seqlab.lm.score_sentences` does), so summing the answers along a label sequence gives the
LM's own log-likelihood of its tokens, without the final ``<eos>``.

The LM's probability of tokens that are no label (``<eos>``, other characters) is left out, not
renormalised: beam search only needs the ranks. A label without a token (None: CTC's blank) never
enters a prefix, and its column is 0 (log 1: it neither helps nor hurts). Each prefix's recurrent
state is cached, so a prefix one label longer than a cached one costs one step of the LM
(:meth:`LanguageModel.next_log_probs`), not a pass over the whole prefix.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import torch

from seqlab.lm.model import LanguageModel, State

__all__ = ["PrefixScorer"]


class PrefixScorer:
    """``scorer(prefix) -> float64 (C,)``: log P_lm(label | prefix) for each of the C labels.

    Args:
        model: the language model (put in eval mode here).
        tokens: the LM token of each label, e.g. ``[None, "a", "b"]`` for CTC over "ab"; None
            for a label that never enters a prefix (its column is 0).
        max_cache: prefixes kept (state and log-probs); past it the cache starts again.

    Raises:
        ValueError: tokens the LM's vocabulary lacks (named), or no label with a token.
    """

    def __init__(
        self, model: LanguageModel, tokens: Sequence[str | None], *, max_cache: int = 100_000
    ) -> None:
        tokens = list(tokens)
        missing = [token for token in tokens if token is not None and token not in model.vocab]
        if missing:
            raise ValueError(f"the LM's vocabulary lacks tokens {missing}")
        if all(token is None for token in tokens):
            raise ValueError("no label has an LM token")
        self.model, self.tokens, self.max_cache = model.eval(), tokens, max_cache
        # label -> LM token id (None: no token); the labels with one and their ids
        self.token_ids = [None if t is None else model.vocab.token_to_id(t) for t in tokens]
        self._labels = [label for label, i in enumerate(self.token_ids) if i is not None]
        ids = [self.token_ids[label] for label in self._labels]
        self._columns = torch.tensor(ids, device=model.device)  # (number of labels with a token,)
        self._cache: dict[tuple[int, ...], tuple[State, np.ndarray]] = {}

    def __call__(self, prefix: Sequence[int]) -> np.ndarray:
        """float64 (C,): log P_lm(label | prefix) for every label, 0 for those without a token.

        Raises:
            ValueError: a label of ``prefix`` that has no token or is out of range.
        """
        return self._entry(tuple(prefix))[1]

    def log_prob(self, labels: Sequence[int]) -> float:
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
            if not 0 <= label < len(self.token_ids) or self.token_ids[label] is None:
                raise ValueError(f"label {label} has no LM token")
            state = self._cache[prefix[:n]][0]
            self._cache[prefix[: n + 1]] = self._step(self.token_ids[label], state)
        return self._cache[prefix]

    def _step(self, token_id: int, state: State | None) -> tuple[State, np.ndarray]:
        """Feed one token: the new state and every label's next log-prob (0 without a token)."""
        x = torch.tensor([token_id], device=self.model.device)  # (1,)
        log_probs, state = self.model.next_log_probs(x, state)  # (1, V) float64
        out = np.zeros(len(self.token_ids))  # (C,)
        out[self._labels] = log_probs[0, self._columns].cpu().numpy()
        return state, out
