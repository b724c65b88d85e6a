"""seqlab.seq2seq: the notes' encoder-decoder with attention, beam search and error analysis.

``Seq2Seq`` is a conditional language model P(y | x): a bidirectional encoder and a decoder
from any seqlab cell, with or without Bahdanau attention. Train it on sentence pairs with
:func:`train_seq2seq`, translate with :func:`greedy_decode` or the batched :func:`beam_search`,
blame the search or the model with :func:`error_analysis`, and draw the attention with
:func:`attention_figure`. :mod:`seqlab.seq2seq.dates` generates the notes' date-normalisation
task.
"""

from seqlab._lazy import lazy_exports

__all__ = [
    "CELLS",
    "ErrorAnalysis",
    "Hypothesis",
    "Memory",
    "PRESETS",
    "PairBatches",
    "Seq2Seq",
    "Seq2SeqConfig",
    "Seq2SeqDataConfig",
    "SentenceVerdict",
    "attention_figure",
    "beam_search",
    "build_vocabs",
    "encode_pairs",
    "error_analysis",
    "greedy_decode",
    "normalized_score",
    "preset_configs",
    "read_pairs",
    "split_pairs",
    "target_logprobs",
    "train_seq2seq",
]

# Each name and the submodule that defines it, imported on first use (seqlab._lazy), so that
# importing one light submodule (seqlab.seq2seq.config, say) does not import them all.
_EXPORTS = {
    "ErrorAnalysis": "analysis",
    "SentenceVerdict": "analysis",
    "error_analysis": "analysis",
    "PairBatches": "data",
    "build_vocabs": "data",
    "encode_pairs": "data",
    "read_pairs": "data",
    "split_pairs": "data",
    "CELLS": "model",
    "Memory": "model",
    "Seq2Seq": "model",
    "Seq2SeqConfig": "config",
    "attention_figure": "plot",
    "Hypothesis": "search",
    "beam_search": "search",
    "greedy_decode": "search",
    "normalized_score": "search",
    "target_logprobs": "search",
    "PRESETS": "config",
    "Seq2SeqDataConfig": "config",
    "preset_configs": "train",
    "train_seq2seq": "train",
}

__getattr__, __dir__ = lazy_exports(__name__, _EXPORTS)
