"""seqlab.embeddings: word vectors kept apart from their trainers, and their evaluation.

from seqlab.embeddings import WordVectors, evaluate_analogies
wv = WordVectors.load("glove.6B.50d.txt")                 # word2vec text/binary or GloVe
wv.most_similar(positive=["king", "woman"], negative=["man"], topn=3)
evaluate_analogies(wv, "questions-words.txt").accuracy
"""

from seqlab.embeddings.debias import (
    bias_direction,
    debias,
    direct_bias,
    equalize,
    load_word_list,
    neutralize,
)
from seqlab.embeddings.evaluate import (
    AnalogyResult,
    SimilarityResult,
    evaluate_analogies,
    evaluate_similarity,
)
from seqlab.embeddings.project import pca_2d, project, tsne_2d
from seqlab.embeddings.vectors import WordVectors

__all__ = [
    "AnalogyResult",
    "SimilarityResult",
    "WordVectors",
    "bias_direction",
    "debias",
    "direct_bias",
    "equalize",
    "evaluate_analogies",
    "evaluate_similarity",
    "load_word_list",
    "neutralize",
    "pca_2d",
    "project",
    "tsne_2d",
]
