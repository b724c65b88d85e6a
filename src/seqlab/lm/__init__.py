"""seqlab.lm: the notes' language models, trained on real text, scored and sampled.

``LanguageModel`` (character or word level, any seqlab cell) estimates
P(y<1>, ..., y<T>) = prod_t P(y<t> | y<1..t-1>). Train it with :func:`train_language_model`
(stateful truncated BPTT for long texts, whole sentences for one-per-line corpora), score text
with :func:`score_sentences` / :func:`score_text` and draw new text with :func:`sample`.
:class:`PrefixScorer` gives a beam search (CTC decoding) the next-token log-probs after every
prefix it keeps: shallow fusion.
"""

from seqlab.lm.data import (
    SentenceBatches,
    StreamBatches,
    build_vocab,
    sentence_ids,
    split_corpus,
    stream_ids,
)
from seqlab.lm.model import CELLS, LanguageModel, LMConfig
from seqlab.lm.prefix_scores import PrefixScorer
from seqlab.lm.sample import sample
from seqlab.lm.score import TextScore, score_sentences, score_text
from seqlab.lm.train import (
    PRESETS,
    LMDataConfig,
    TrainedLM,
    load_training_text,
    preset_configs,
    train_language_model,
)

__all__ = [
    "CELLS",
    "LMConfig",
    "LMDataConfig",
    "LanguageModel",
    "PRESETS",
    "PrefixScorer",
    "SentenceBatches",
    "StreamBatches",
    "TextScore",
    "TrainedLM",
    "build_vocab",
    "dinosaur_names_path",
    "load_training_text",
    "preset_configs",
    "sample",
    "score_sentences",
    "score_text",
    "sentence_ids",
    "split_corpus",
    "stream_ids",
    "train_language_model",
]


def dinosaur_names_path():
    """The bundled corpus of dinosaur names (one per line), the demo's default."""
    from importlib.resources import files

    return files("seqlab.data").joinpath("dinos.txt")
