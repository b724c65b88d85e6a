"""A seqlab character language model as the ``lm`` of CTC prefix beam search (shallow fusion).

Prefix beam search asks ``lm(prefix)`` for log P_lm(next label | prefix) of every label
(:data:`seqlab.speech.ctc.CharLM`). :func:`char_lm_scorer` answers from a trained
:class:`seqlab.lm.LanguageModel` of level ``char`` through :class:`seqlab.lm.PrefixScorer`: each
speech label is the LM token of the same character, and the blank (label 0) has none, so its
column is 0. Summing the next-label log-probs along a text gives the LM's own log-likelihood of
it, without the final ``<eos>``.
"""

from __future__ import annotations

import os

import torch

from seqlab.lm import LanguageModel, PrefixScorer
from seqlab.speech.data import Alphabet
from seqlab.train import load_model, read_config

__all__ = ["char_lm_scorer"]


def char_lm_scorer(
    lm: str | os.PathLike[str] | LanguageModel,
    alphabet: Alphabet,
    *,
    device: str | torch.device = "cpu",
    max_cache: int = 100_000,
) -> PrefixScorer:
    """A character LM as a beam-search ``lm``: ``scorer(prefix) -> float64 (C,)``.

    Args:
        lm: a ``seqlab lm train`` folder, or a loaded character-level language model.
        alphabet: the recogniser's alphabet; label 0 is the blank, label i its (i-1)-th character.
        device: where a folder's model is loaded (a given model stays where it is).
        max_cache: prefixes the scorer keeps (state and log-probs); past it it starts again.

    Raises:
        ValueError: the folder holds no language model, a word-level one, or one whose
            vocabulary lacks characters of ``alphabet`` (named).
    """
    if isinstance(lm, LanguageModel):
        model = lm
    else:
        config = read_config(lm)
        if config["task"] != LanguageModel.task:
            raise ValueError(f"{lm} does not hold a language model")
        model = load_model(lm, LanguageModel, map_location=device)
    if model.config.level != "char":
        raise ValueError(f"the LM is {model.config.level}-level; beam search needs a char LM")
    missing = [ch for ch in alphabet.chars if ch not in model.vocab]
    if missing:
        raise ValueError(f"the LM's vocabulary lacks characters {missing} of the alphabet "
                         f"{alphabet.chars!r}")  # fmt: skip
    return PrefixScorer(model, [None, *alphabet.chars], max_cache=max_cache)
