"""seqlab.embeddings.nplm: Bengio et al.'s forward vs NumPy, context windows vs brute force,
learning a deterministic pattern, vectors, determinism and errors."""

import math

import numpy as np
import pytest
import torch

from seqlab.embeddings.corpus import Corpus, build_corpus
from seqlab.embeddings.nplm import NeuralLM, NPLMConfig, NPLMModel, context_windows

TINY = NPLMConfig(dim=8, context=4, hidden_size=16, epochs=20, batch_size=32,
                  learning_rate=1e-2, threads=1)  # fmt: skip


def _pattern_corpus(n: int = 40) -> Corpus:
    """Sentences of random filler words around "a b c d e": after "a b c d" always comes "e"."""
    rng = np.random.default_rng(1)
    fillers = [f"f{i}" for i in range(8)]
    sentences = []
    for _ in range(n):
        before, after = rng.choice(fillers, rng.integers(0, 4)), rng.choice(fillers, 2)
        sentences.append([*before, "a", "b", "c", "d", "e", *after])
    return build_corpus(sentences, min_count=1)


def _brute_force_windows(corpus: Corpus, context: int, pad_id: int) -> list[list[int]]:
    rows = []
    for s in range(corpus.n_sentences):
        sentence = corpus.ids[corpus.offsets[s] : corpus.offsets[s + 1]].tolist()
        for t in range(len(sentence)):
            rows.append([sentence[t - k] if t - k >= 0 else pad_id for k in range(context, 0, -1)])
    return rows


def _numpy_forward(model: NPLMModel, context_ids: np.ndarray) -> np.ndarray:
    """y = b + W x + U tanh(d + H x), in float64 on copies of the model's weights."""
    E = model.E.weight.detach().double().numpy()
    H, d = model.H.detach().double().numpy(), model.d.detach().double().numpy()
    U, b = model.U.detach().double().numpy(), model.b.detach().double().numpy()
    x = np.stack([np.concatenate([E[i] for i in row]) for row in context_ids])  # (B, (n-1) E)
    y = b + np.tanh(d + x @ H.T) @ U.T
    if model.W is not None:
        y = y + x @ model.W.detach().double().numpy().T
    return y


# -- the model ----------------------------------------------------------------------------------


@pytest.mark.parametrize("direct", [False, True])
def test_forward_shape(direct):
    model = NPLMModel(7, NPLMConfig(dim=5, context=3, hidden_size=6, direct=direct))
    logits = model(torch.tensor([[0, 1, 2], [7, 7, 3]]))
    assert logits.shape == (2, 7) and logits.dtype == torch.float32
    assert model.E.num_embeddings == 8  # V words + the padding row
    assert (model.W is not None) == direct


@pytest.mark.parametrize("direct", [False, True])
def test_forward_equals_numpy_reference(direct):
    config = NPLMConfig(dim=5, context=3, hidden_size=6, direct=direct)
    model = NPLMModel(7, config, generator=torch.Generator().manual_seed(2))
    with torch.no_grad():  # non-zero biases, so a forgotten b or d is seen
        model.b.normal_()
        model.d.normal_()
    context_ids = np.array([[0, 1, 2], [7, 7, 3], [6, 6, 6], [7, 7, 7]])
    got = model(torch.from_numpy(context_ids)).detach().double().numpy()
    np.testing.assert_allclose(got, _numpy_forward(model, context_ids), rtol=1e-5, atol=1e-5)


# -- context windows ----------------------------------------------------------------------------


@pytest.mark.parametrize("context", [1, 2, 4, 9])
def test_context_windows_equal_brute_force(context):
    sentences = [list("abcdefg"), ["a"], list("ba"), list("cab"), list("ddddddddddd"), list("ed")]
    corpus = build_corpus(sentences, min_count=1)
    pad_id = len(corpus)
    got = context_windows(corpus.ids, corpus.offsets, context, pad_id)
    assert got.shape == (corpus.n_tokens, context) and got.dtype == np.int64
    assert got.tolist() == _brute_force_windows(corpus, context, pad_id)
    # every sentence's first word sees only padding: nothing leaks from the sentence before
    assert (got[corpus.offsets[:-1]] == pad_id).all()


def test_context_windows_skip_empty_sentences():
    ids, offsets = np.array([3, 1, 2], np.int32), np.array([0, 1, 1, 3])  # sentence 1 is empty
    got = context_windows(ids, offsets, 2, pad_id=9)
    assert got.tolist() == [[9, 9], [9, 9], [9, 1]]


# -- training -----------------------------------------------------------------------------------


def test_loss_falls_and_learns_the_pattern():
    corpus = _pattern_corpus()
    trainer = NeuralLM(TINY)
    stats = trainer.train(corpus)
    assert [s.epoch for s in stats] == list(range(1, TINY.epochs + 1))
    assert abs(stats[0].loss - math.log(len(corpus))) < 1.0  # starts near a uniform guess
    assert stats[-1].loss < 0.7 * stats[0].loss
    index = corpus.index()
    context_ids = torch.tensor([[index[w] for w in "abcd"]])
    with torch.no_grad():
        p = torch.softmax(trainer.model(context_ids), dim=-1)[0]  # (V,)
    assert int(p.argmax()) == index["e"] and p[index["e"]] > 0.9
    assert not trainer.model.training


def test_progress_callbacks_and_threads():
    corpus = _pattern_corpus(10)
    seen, epochs = [], []
    config = NPLMConfig(dim=4, context=2, hidden_size=4, epochs=3, batch_size=7, threads=2)
    previous = torch.get_num_threads()
    torch.set_num_threads(1)
    try:
        stats = NeuralLM(config).train(corpus, callbacks=[epochs.append], on_progress=seen.append)
        assert torch.get_num_threads() == 1  # restored
    finally:
        torch.set_num_threads(previous)
    assert epochs == stats and all(s.words == corpus.n_tokens for s in stats)
    assert sum(seen) == 3 * corpus.n_tokens and max(seen) == 7  # every token, once per epoch
    assert all(s.learning_rate == config.learning_rate and s.seconds > 0 for s in stats)


def test_vectors_are_E_without_padding_in_corpus_order():
    corpus = _pattern_corpus(10)
    trainer = NeuralLM(NPLMConfig(dim=6, context=2, hidden_size=4, epochs=1, threads=1))
    trainer.train(corpus)
    wv = trainer.vectors
    E = trainer.model.E.weight.detach().numpy()
    assert E.shape == (len(corpus) + 1, 6)
    assert wv.words == corpus.words and wv.vectors.shape == (len(corpus), 6)
    np.testing.assert_array_equal(wv.vectors, E[: len(corpus)])


def test_seed_makes_training_deterministic_without_global_state():
    corpus = _pattern_corpus(10)
    config = NPLMConfig(dim=4, context=3, hidden_size=5, epochs=2, batch_size=8, threads=1, seed=3)
    state = torch.get_rng_state()
    runs = [NeuralLM(config) for _ in range(2)]
    losses = [[s.loss for s in trainer.train(corpus)] for trainer in runs]
    assert torch.equal(torch.get_rng_state(), state)  # the global generator was not used
    assert losses[0] == losses[1]
    np.testing.assert_array_equal(runs[0].vectors.vectors, runs[1].vectors.vectors)
    other = NeuralLM(NPLMConfig(**{**config.__dict__, "seed": 4}))
    other.train(corpus)
    assert not np.array_equal(other.vectors.vectors, runs[0].vectors.vectors)


# -- errors -------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("field", "value"),
    [("dim", 0), ("context", 0), ("hidden_size", 0), ("epochs", 0), ("batch_size", 0),
     ("learning_rate", 0.0), ("learning_rate", float("nan")), ("learning_rate", float("inf")),
     ("threads", 0), ("seed", -1)],
)  # fmt: skip
def test_bad_config_names_the_field(field, value):
    with pytest.raises(ValueError, match=rf"NPLMConfig: {field}="):
        NPLMConfig(**{field: value})


def test_corpus_of_one_word_is_refused():
    with pytest.raises(ValueError, match="at least 2 words"):
        NeuralLM(TINY).train(build_corpus([["a"]], min_count=1))


def test_vectors_before_training():
    with pytest.raises(ValueError, match="not trained"):
        _ = NeuralLM().vectors


def test_divergence_is_reported_and_threads_restored():
    threads = torch.get_num_threads()
    config = NPLMConfig(dim=4, context=2, hidden_size=8, epochs=3, batch_size=8,
                        learning_rate=1e20, threads=1)  # fmt: skip
    trainer = NeuralLM(config)
    with pytest.raises(ValueError, match="diverged"):
        trainer.train(_pattern_corpus(10))
    assert torch.get_num_threads() == threads and trainer.model is None
