"""seqlab.embeddings: word2vec, GloVe and the neural LM; word vectors kept apart from their
trainers; evaluation, debiasing and projection.

from seqlab.embeddings import Word2Vec, Word2VecConfig, WordVectors, read_corpus
corpus = read_corpus("corpus.txt", min_count=5)           # one sentence per line
w2v = Word2Vec(Word2VecConfig(sg=True, negative=5)); w2v.train(corpus)
wv = WordVectors.load("glove.6B.50d.txt")                 # word2vec text/binary or GloVe
wv.most_similar(positive=["king", "woman"], negative=["man"], topn=3)
evaluate_analogies(wv, "questions-words.txt").accuracy
"""

from seqlab.embeddings.cooccur import cooccurrence
from seqlab.embeddings.corpus import Corpus, build_corpus, read_corpus
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
from seqlab.embeddings.glove import GloVe, GloVeConfig
from seqlab.embeddings.huffman import HuffmanTree, build_huffman
from seqlab.embeddings.nplm import NeuralLM, NPLMConfig
from seqlab.embeddings.progress import EpochStats
from seqlab.embeddings.project import pca_2d, project, tsne_2d
from seqlab.embeddings.trainers import METHODS, make_trainer
from seqlab.embeddings.vectors import WordVectors
from seqlab.embeddings.word2vec import Word2Vec, Word2VecConfig

__all__ = [
    "METHODS",
    "AnalogyResult",
    "Corpus",
    "EpochStats",
    "GloVe",
    "GloVeConfig",
    "HuffmanTree",
    "NPLMConfig",
    "NeuralLM",
    "Word2Vec",
    "Word2VecConfig",
    "build_corpus",
    "build_huffman",
    "cooccurrence",
    "make_trainer",
    "read_corpus",
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
