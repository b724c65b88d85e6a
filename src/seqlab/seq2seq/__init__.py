"""seqlab.seq2seq: the notes' encoder-decoder with attention, beam search and error analysis.

``Seq2Seq`` is a conditional language model P(y | x): a bidirectional encoder and a decoder
from any seqlab cell, with or without Bahdanau attention. Train it on sentence pairs with
:func:`train_seq2seq`, translate with :func:`greedy_decode` or the batched :func:`beam_search`,
blame the search or the model with :func:`error_analysis`, and draw the attention with
:func:`attention_figure`. :mod:`seqlab.seq2seq.dates` generates the notes' date-normalisation
task.
"""

from seqlab.seq2seq.analysis import ErrorAnalysis, SentenceVerdict, error_analysis
from seqlab.seq2seq.data import PairBatches, build_vocabs, encode_pairs, read_pairs, split_pairs
from seqlab.seq2seq.model import CELLS, Memory, Seq2Seq, Seq2SeqConfig
from seqlab.seq2seq.plot import attention_figure
from seqlab.seq2seq.search import (
    Hypothesis,
    beam_search,
    greedy_decode,
    normalized_score,
    target_logprobs,
)
from seqlab.seq2seq.train import (
    PRESETS,
    Seq2SeqDataConfig,
    preset_configs,
    train_seq2seq,
)

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
