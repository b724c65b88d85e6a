"""seqlab.classify: many-to-one sentence classifiers and many-to-many sequence taggers.

- :class:`SentenceClassifier`: the notes' averaging model and RNN model (sentiment, Emojify);
  :class:`ClassifierEnsemble` averages the probabilities of several;
- :class:`SequenceTagger`: BiRNN tagger with optional character features and a CRF (NER);
- :func:`explain`: gradient x input saliency of each token (e.g. a DNA splice-site motif);
- :class:`LinearChainCRF`: the forward algorithm and Viterbi;
- :func:`train_classifier`, :func:`train_tagger`, :func:`evaluate_classifier`,
  :func:`evaluate_tagger`, and named presets.
"""

from seqlab.classify.classifier import (
    ClassifierConfig,
    ClassifierEnsemble,
    Prediction,
    SentenceClassifier,
)
from seqlab.classify.crf import LinearChainCRF, allowed_transitions
from seqlab.classify.data import ClassBatches, TagBatches, build_word_vocab, collate_tagged
from seqlab.classify.emoji import EMOJI, emoji_paths
from seqlab.classify.evaluate import evaluate_classifier, evaluate_tagger
from seqlab.classify.pretrained import pretrained_rows
from seqlab.classify.saliency import Saliency, explain
from seqlab.classify.tagger import CASINGS, SequenceTagger, TaggerConfig, TagPrediction, casing
from seqlab.classify.train import PRESETS, ClassifierDataConfig, TaggerDataConfig, preset_configs
from seqlab.classify.train_classifier import order_labels, resolve_alphabet, train_classifier
from seqlab.classify.train_tagger import train_tagger

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
    "explain",
    "order_labels",
    "preset_configs",
    "pretrained_rows",
    "resolve_alphabet",
    "train_classifier",
    "train_tagger",
]
