"""seqlab.lm: the notes' language models, trained on real text, scored and sampled.

``LanguageModel`` (character or word level, any seqlab cell) estimates
P(y<1>, ..., y<T>) = prod_t P(y<t> | y<1..t-1>). Train it with :func:`train_language_model`
(stateful truncated BPTT for long texts, whole sentences for one-per-line corpora), score text
with :func:`score_sentences` / :func:`score_text` and draw new text with :func:`sample`.
:class:`PrefixScorer` gives a beam search (CTC decoding) the next-token log-probs after every
prefix it keeps: shallow fusion.
"""

from seqlab._lazy import lazy_exports

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
    "build_vocab",
    "dinosaur_names_path",
    "load_training_text",
    "training_membership",
    "preset_configs",
    "sample",
    "score_lines",
    "score_sentences",
    "score_text",
    "sentence_ids",
    "split_corpus",
    "stream_ids",
    "train_language_model",
]

# Each name and the submodule that defines it, imported on first use (seqlab._lazy), so that
# importing one light submodule (seqlab.lm.config, say) does not import them all.
_EXPORTS = {
    "SentenceBatches": "data",
    "StreamBatches": "data",
    "build_vocab": "data",
    "sentence_ids": "data",
    "split_corpus": "data",
    "stream_ids": "data",
    "CELLS": "model",
    "LanguageModel": "model",
    "PrefixScorer": "prefix_scores",
    "LMConfig": "config",
    "sample": "sample",
    "TextScore": "score",
    "score_lines": "score",
    "score_sentences": "score",
    "score_text": "score",
    "PRESETS": "config",
    "LMDataConfig": "config",
    "load_training_text": "train",
    "training_membership": "train",
    "preset_configs": "train",
    "train_language_model": "train",
}

__getattr__, __dir__ = lazy_exports(__name__, _EXPORTS)


def dinosaur_names_path():
    """The bundled corpus of dinosaur names (one per line), the demo's default."""
    from importlib.resources import files

    return files("seqlab.data").joinpath("dinos.txt")
