"""seqlab.classify: many-to-one sentence classifiers and many-to-many sequence taggers.

- :class:`SentenceClassifier`: the notes' averaging model and RNN model (sentiment, Emojify);
  :class:`ClassifierEnsemble` averages the probabilities of several;
- :class:`SequenceTagger`: BiRNN tagger with optional character features and a CRF (NER);
- :func:`explain`: gradient x input saliency of each token (e.g. a DNA splice-site motif);
- :class:`LinearChainCRF`: the forward algorithm and Viterbi;
- :func:`train_classifier`, :func:`train_tagger`, :func:`evaluate_classifier`,
  :func:`evaluate_tagger`, and named presets.
"""

from seqlab._lazy import lazy_exports

__all__ = [
    "CASINGS",
    "EMOJI",
    "PRESETS",
    "ClassBatches",
    "ClassifierConfig",
    "ClassifierEnsemble",
    "ClassifierDataConfig",
    "LinearChainCRF",
    "Prediction",
    "Saliency",
    "SentenceClassifier",
    "SequenceTagger",
    "TagBatches",
    "TagPrediction",
    "TaggerConfig",
    "TaggerDataConfig",
    "allowed_transitions",
    "build_word_vocab",
    "casing",
    "collate_tagged",
    "emoji_paths",
    "evaluate_classifier",
    "evaluate_tagger",
    "class_names",
    "explain",
    "order_labels",
    "preset_configs",
    "pretrained_rows",
    "resolve_alphabet",
    "train_classifier",
    "train_tagger",
]

# Each name and the submodule that defines it, imported on first use (seqlab._lazy), so that
# importing one light submodule (seqlab.classify.config, say) does not import them all.
_EXPORTS = {
    "ClassifierConfig": "config",
    "ClassifierEnsemble": "classifier",
    "Prediction": "classifier",
    "SentenceClassifier": "classifier",
    "LinearChainCRF": "crf",
    "allowed_transitions": "crf",
    "ClassBatches": "data",
    "TagBatches": "data",
    "build_word_vocab": "data",
    "collate_tagged": "data",
    "EMOJI": "emoji",
    "emoji_paths": "emoji",
    "evaluate_classifier": "evaluate",
    "evaluate_tagger": "evaluate",
    "pretrained_rows": "pretrained",
    "Saliency": "saliency",
    "explain": "saliency",
    "class_names": "classifier",
    "CASINGS": "tagger",
    "SequenceTagger": "tagger",
    "TaggerConfig": "config",
    "TagPrediction": "tagger",
    "casing": "tagger",
    "PRESETS": "config",
    "ClassifierDataConfig": "config",
    "TaggerDataConfig": "config",
    "preset_configs": "train",
    "order_labels": "train_classifier",
    "resolve_alphabet": "train_classifier",
    "train_classifier": "train_classifier",
    "train_tagger": "train_tagger",
}

__getattr__, __dir__ = lazy_exports(__name__, _EXPORTS)
