"""seqlab.embeddings: word2vec, GloVe and the neural LM; word vectors kept apart from their
trainers; evaluation, debiasing and projection.

from seqlab.embeddings import Word2Vec, Word2VecConfig, WordVectors, read_corpus
corpus = read_corpus("corpus.txt", min_count=5)           # one sentence per line
w2v = Word2Vec(Word2VecConfig(sg=True, negative=5)); w2v.train(corpus)
wv = WordVectors.load("glove.6B.50d.txt")                 # word2vec text/binary or GloVe
wv.most_similar(positive=["king", "woman"], negative=["man"], topn=3)
evaluate_analogies(wv, "questions-words.txt").accuracy
"""

from seqlab._lazy import lazy_exports

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
    "UnknownWordError",
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

# Each name and the submodule that defines it, imported on first use (seqlab._lazy), so that
# importing one light submodule (seqlab.embeddings.config, say) does not import them all.
_EXPORTS = {
    "GloVeConfig": "config",
    "NPLMConfig": "config",
    "Word2VecConfig": "config",
    "cooccurrence": "cooccur",
    "Corpus": "corpus",
    "build_corpus": "corpus",
    "read_corpus": "corpus",
    "bias_direction": "debias",
    "debias": "debias",
    "direct_bias": "debias",
    "equalize": "debias",
    "load_word_list": "debias",
    "neutralize": "debias",
    "AnalogyResult": "evaluate",
    "SimilarityResult": "evaluate",
    "evaluate_analogies": "evaluate",
    "evaluate_similarity": "evaluate",
    "GloVe": "glove",
    "HuffmanTree": "huffman",
    "build_huffman": "huffman",
    "NeuralLM": "nplm",
    "EpochStats": "progress",
    "pca_2d": "project",
    "project": "project",
    "tsne_2d": "project",
    "METHODS": "trainers",
    "make_trainer": "trainers",
    "UnknownWordError": "vectors",
    "WordVectors": "vectors",
    "Word2Vec": "word2vec",
}

__getattr__, __dir__ = lazy_exports(__name__, _EXPORTS)
