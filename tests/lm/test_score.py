"""seqlab.lm.score vs an independent NumPy reference: one token at a time, float64 log-softmax.

The reference reads the model's weights, steps the NumPy cells of ``seqlab.reference`` through
the tokens (start token first, zero state), and takes log-softmax in float64; it shares no code
with the model's forward pass, its padding, its chunking or its gather.
"""

import math

import numpy as np
import pytest
import torch

from seqlab.lm import LanguageModel, LMConfig, TextScore, score_sentences, score_text
from seqlab.reference import gru_cell_forward, lstm_cell_forward, rnn_cell_forward
from seqlab.text import Vocabulary, WordTokenizer

WORDS = ["cab", "bad", "dab", "ace", "bead", "fade"]
CHAR_VOCAB = Vocabulary.build([list(w) for w in WORDS])  # a b d c e f
WORD_VOCAB = Vocabulary.build([["the", "cat", "sat"], ["the", "dog", "sat", "."]])


def _model(cell="gru", *, level="char", mode="lines", dtype=torch.float64, **kw) -> LanguageModel:
    torch.manual_seed(0)
    vocab = CHAR_VOCAB if level == "char" else WORD_VOCAB
    config = LMConfig(level=level, mode=mode, cell=cell, hidden_size=8, **kw)
    return LanguageModel(config, vocab).to(dtype).eval()


# --- the reference -----------------------------------------------------------------------------


def _params(cell) -> dict[str, np.ndarray]:
    return {name: p.detach().double().numpy() for name, p in cell.named_parameters()}


def _reference_step(model, x_t, state):
    """One step of every layer: x_t (1, E) -> top activation (1, H) and the new state."""
    new_state = []
    for layer, prev in zip(model.rnn.cells, state):
        cell, params = layer[0], _params(layer[0])
        if model.config.cell == "rnn":
            a, _ = rnn_cell_forward(x_t, prev[0], params, activation=cell.nonlinearity)
            new = (a,)
        elif model.config.cell == "gru":
            a, _ = gru_cell_forward(x_t, prev[0], params, relevance_gate=cell.relevance_gate)
            new = (a,)
        else:
            a, c, _ = lstm_cell_forward(x_t, prev[0], prev[1], params)
            new = (a, c)
        new_state.append(new)
        x_t = a
    return x_t, new_state


def reference_logprobs(model, inputs, targets, state=None):
    """log P(targets[t] | inputs[..t]) in float64, stepping one token at a time.

    Returns the values and the final state, to carry it on (as a stream is scored).
    """
    V, H = model.config.vocab_size, model.config.hidden_size
    n_states = 2 if model.config.cell == "lstm" else 1
    if state is None:
        state = [tuple(np.zeros((1, H)) for _ in range(n_states)) for _ in model.rnn.cells]
    W_out = model.out.weight.detach().double().numpy()  # (V, H)
    b_out = model.out.bias.detach().double().numpy()  # (V,)
    embed = None if model.embed is None else model.embed.weight.detach().double().numpy()
    values = []
    for x_id, y_id in zip(inputs, targets, strict=True):
        x_t = np.eye(V)[[x_id]] if embed is None else embed[[x_id]]  # (1, E)
        a_t, state = _reference_step(model, x_t, state)  # (1, H)
        z = (a_t @ W_out.T + b_out)[0]  # (V,)
        log_p = z - z.max() - np.log(np.exp(z - z.max()).sum())
        values.append(float(log_p[y_id]))
    return values, state


def _ids(model, tokens):
    return [model.vocab.eos_id if t == "<eos>" else model.vocab.token_to_id(t) for t in tokens]


# --- score_sentences ---------------------------------------------------------------------------

CASES = [
    pytest.param({"cell": "gru"}, id="gru"),
    pytest.param({"cell": "lstm"}, id="lstm"),
    pytest.param({"cell": "rnn"}, id="rnn"),
    pytest.param({"cell": "lstm", "num_layers": 2}, id="lstm-2-layers"),
    pytest.param({"cell": "gru", "mode": "stream"}, id="gru-stream"),
    pytest.param({"cell": "gru", "embedding_size": 5}, id="gru-embedding"),
]
CHAR_TEXTS = ["cab", "a", "", "facade", "bead\nace", "zebra"]


@pytest.mark.parametrize("kw", CASES)
def test_score_sentences_matches_the_reference(kw):
    model = _model(**kw)
    scores = score_sentences(model, CHAR_TEXTS, batch_size=4)  # padded, over two batches
    assert [s.text for s in scores] == CHAR_TEXTS
    for text, score in zip(CHAR_TEXTS, scores):
        tokens = [("<eos>" if ch == "\n" else ch) for ch in text] + ["<eos>"]
        assert score.tokens == tokens
        ids = _ids(model, tokens)
        expected, _ = reference_logprobs(model, [model.start_id, *ids[:-1]], ids)
        np.testing.assert_allclose(score.token_logprobs, expected, rtol=0, atol=1e-9)
        assert score.logprob == pytest.approx(math.fsum(score.token_logprobs), abs=1e-12)
        assert score.n_tokens == len(text) + 1 == len(score.token_logprobs)  # <eos> included
        assert score.perplexity == pytest.approx(math.exp(-score.logprob / score.n_tokens))
        assert score.nats_per_token == pytest.approx(-score.logprob / score.n_tokens)
        assert all(lp <= 0 for lp in score.token_logprobs)


@pytest.mark.parametrize("cell", ["rnn", "gru", "lstm"])
def test_score_sentences_float32_model_is_close_to_the_reference(cell):
    model = _model(cell, dtype=torch.float32)
    score = score_sentences(model, ["facade"])[0]
    ids = _ids(model, [*"facade", "<eos>"])
    expected, _ = reference_logprobs(model, [model.start_id, *ids[:-1]], ids)
    np.testing.assert_allclose(score.token_logprobs, expected, rtol=0, atol=1e-5)


def test_score_sentences_start_token_is_bos_for_lines_and_eos_for_streams():
    lines, stream = _model(mode="lines"), _model(mode="stream")
    assert lines.start_id == CHAR_VOCAB.bos_id and stream.start_id == CHAR_VOCAB.eos_id
    ids = _ids(stream, ["c", "a", "b", "<eos>"])
    expected, _ = reference_logprobs(stream, [CHAR_VOCAB.eos_id, *ids[:-1]], ids)
    assert score_sentences(stream, ["cab"])[0].token_logprobs == pytest.approx(expected, abs=1e-9)


def test_score_sentences_batch_size_does_not_change_scores():
    model = _model("lstm")
    one = score_sentences(model, CHAR_TEXTS, batch_size=1)
    all_ = score_sentences(model, CHAR_TEXTS, batch_size=64)
    for a, b in zip(one, all_, strict=True):
        np.testing.assert_allclose(a.token_logprobs, b.token_logprobs, rtol=0, atol=1e-12)


def test_score_sentences_counts_unknown_characters():
    model = _model()
    score = score_sentences(model, ["zeb"])[0]
    assert score.unknown == [True, False, False, False]  # z is not in the vocabulary
    assert score.n_unk == 1 and score.n_tokens == 4


@pytest.mark.parametrize("cell", ["gru", "lstm"])
def test_word_model_scores_and_counts_unknown_words(cell):
    model = _model(cell, level="word", embedding_size=6)
    texts = ["the cat sat .", "the cow flew ."]
    scores = score_sentences(model, texts)
    assert scores[0].tokens == ["the", "cat", "sat", ".", "<eos>"]
    assert scores[0].n_unk == 0 and scores[0].unknown == [False] * 5
    assert scores[1].tokens == ["the", "cow", "flew", ".", "<eos>"]
    assert scores[1].unknown == [False, True, True, False, False]
    assert scores[1].n_unk == 2 and scores[1].n_tokens == 5
    for score in scores:
        ids = _ids(model, score.tokens)  # unknown words as <unk>
        expected, _ = reference_logprobs(model, [model.start_id, *ids[:-1]], ids)
        np.testing.assert_allclose(score.token_logprobs, expected, rtol=0, atol=1e-9)


def test_word_model_uses_its_tokenizer():
    model = _model("gru", level="word", embedding_size=4)
    assert isinstance(model.tokenizer, WordTokenizer)
    assert model.score("the dog.").tokens == ["the", "dog", ".", "<eos>"]


def test_model_score_is_score_sentences_of_one_text():
    model = _model("lstm")
    assert model.score("bead") == score_sentences(model, ["bead"])[0]


def test_score_sentences_rejects_a_single_string():
    with pytest.raises(ValueError, match="list of str"):
        score_sentences(_model(), "cab")


def test_score_sentences_of_nothing_is_empty():
    assert score_sentences(_model(), []) == []


def test_to_json_has_the_stable_keys():
    score = _model().score("cab")
    obj = score.to_json()
    assert list(obj) == ["text", "logprob", "n_tokens", "perplexity", "n_unk"]
    assert obj["text"] == "cab" and obj["n_tokens"] == 4 and obj["n_unk"] == 0
    assert obj["perplexity"] == score.perplexity


# --- score_text --------------------------------------------------------------------------------


@pytest.mark.parametrize("kw", CASES)
def test_score_text_carries_the_state_across_lines(kw):
    model = _model(**kw)
    score = score_text(model, "a\nb")
    assert score.tokens == ["a", "<eos>", "b", "<eos>"]
    ids = _ids(model, score.tokens)
    expected, _ = reference_logprobs(model, [model.start_id, *ids[:-1]], ids)
    np.testing.assert_allclose(score.token_logprobs, expected, rtol=0, atol=1e-9)
    assert score.n_tokens == 4 and score.n_unk == 0
    assert score.logprob == pytest.approx(math.fsum(expected), abs=1e-9)
    # not the same as scoring the lines apart: the second line starts from a's state
    apart = score_sentences(model, ["a", "b"])
    assert abs(score.token_logprobs[2] - apart[1].token_logprobs[0]) > 1e-6


@pytest.mark.parametrize("cell", ["rnn", "gru", "lstm"])
def test_score_text_reference_with_the_state_carried_in_two_pieces(cell):
    # The reference itself carries its state from one piece of text to the next.
    model = _model(cell, mode="stream")
    text = "cab\nbead\nfacade\nzed"
    score = score_text(model, text)
    ids = _ids(model, score.tokens)
    inputs = [model.start_id, *ids[:-1]]
    first, state = reference_logprobs(model, inputs[:7], ids[:7])
    second, _ = reference_logprobs(model, inputs[7:], ids[7:], state)
    np.testing.assert_allclose(score.token_logprobs, first + second, rtol=0, atol=1e-9)
    assert score.n_unk == 1 and score.unknown[-4] is True  # z


@pytest.mark.parametrize("kw", CASES)
@pytest.mark.parametrize("chunk_size", [1, 3, 7])
def test_score_text_chunk_size_does_not_change_the_result(kw, chunk_size):
    model = _model(**kw)
    text = "cab\nbad\n\ndab ace\nfade"
    big = score_text(model, text, chunk_size=1024)
    small = score_text(model, text, chunk_size=chunk_size)
    assert small.tokens == big.tokens
    np.testing.assert_allclose(small.token_logprobs, big.token_logprobs, rtol=0, atol=1e-9)
    assert small.logprob == pytest.approx(big.logprob, abs=1e-9)


def test_score_text_float32_chunks_agree():
    model = _model("lstm", dtype=torch.float32, mode="stream")
    text = "facade\nbead\n" * 5
    a = score_text(model, text, chunk_size=3).token_logprobs
    b = score_text(model, text, chunk_size=1024).token_logprobs
    np.testing.assert_allclose(a, b, rtol=0, atol=1e-6)


def test_score_text_final_newline_is_not_needed():
    model = _model()
    with_newline, without = score_text(model, "cab\nbad\n"), score_text(model, "cab\nbad")
    assert with_newline.token_logprobs == without.token_logprobs
    assert with_newline.n_tokens == 8


def test_model_score_text_is_score_text():
    model = _model("gru", mode="stream")
    assert model.score_text("a\nb") == score_text(model, "a\nb")


def test_score_text_word_model_counts_unknown_words():
    model = _model("lstm", level="word", embedding_size=6, mode="stream")
    score = score_text(model, "the cat sat .\nthe emu sat .")
    assert score.n_tokens == 10 and score.n_unk == 1
    assert [t for t, u in zip(score.tokens, score.unknown) if u] == ["emu"]


def test_score_text_of_an_empty_text_raises_as_documented():
    with pytest.raises(ValueError):
        score_text(_model(), "")


def test_perplexity_of_a_score_is_exp_of_mean_nll():
    score = TextScore(text="x", logprob=2 * math.log(0.25), n_tokens=2, n_unk=0)
    assert score.perplexity == pytest.approx(4.0)
    assert score.nats_per_token == pytest.approx(math.log(4))
