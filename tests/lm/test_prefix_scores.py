"""PrefixScorer: an LM's next-label log-probs after every prefix, checked against its own scores."""

import numpy as np
import pytest
import torch

from seqlab.lm import LanguageModel, LMConfig, PrefixScorer, build_vocab, score_sentences
from seqlab.text import CharTokenizer

TEXT = "abba cab\nbad dab\nacab abc\n"
TOKENS = [None, " ", "a", "b", "c", "d"]  # label 0 has no token, as CTC's blank


def _lm(mode="lines", cell="lstm", num_layers=1) -> LanguageModel:
    torch.manual_seed(0)
    vocab = build_vocab(TEXT, CharTokenizer(), mode)
    config = LMConfig(level="char", mode=mode, cell=cell, hidden_size=12, num_layers=num_layers)
    return LanguageModel(config, vocab).eval()


@pytest.mark.parametrize(
    ("mode", "cell", "num_layers"),
    [("lines", "lstm", 1), ("stream", "lstm", 2), ("lines", "gru", 2), ("stream", "rnn", 1)],
)
@pytest.mark.parametrize("text", ["abba", "cab ab", "d", "bad dab a"])
def test_sum_of_next_label_log_probs_equals_the_lm_score(mode, cell, num_layers, text):
    model = _lm(mode, cell, num_layers)
    scorer = PrefixScorer(model, TOKENS)
    labels = tuple(TOKENS.index(ch) for ch in text)
    lm_score = score_sentences(model, [text])[0]  # ends with <eos>: leave it out
    expected = sum(lm_score.token_logprobs[:-1])
    assert scorer.log_prob(labels) == pytest.approx(expected, abs=1e-5)
    steps = [scorer(labels[:i])[c] for i, c in enumerate(labels)]
    assert steps == pytest.approx(lm_score.token_logprobs[:-1], abs=1e-5)


def test_scores_every_label_and_zero_for_a_label_without_token():
    model = _lm()
    tokens = ["a", None, "b", "c"]  # a subset of the LM's characters, in another order
    y = PrefixScorer(model, tokens)((2, 0))  # "b", "a"
    assert y.shape == (4,) and y.dtype == np.float64 and y[1] == 0.0
    ids = torch.tensor([[model.start_id, model.vocab.token_to_id("b"),
                         model.vocab.token_to_id("a")]])  # fmt: skip
    with torch.no_grad():
        logp = torch.log_softmax(model(ids)[0][0, -1].double(), -1)
    for label, ch in [(0, "a"), (2, "b"), (3, "c")]:
        assert y[label] == pytest.approx(float(logp[model.vocab.token_to_id(ch)]), abs=1e-6)
    assert np.exp(y[[0, 2, 3]]).sum() < 1.0  # <eos>, "d", " " keep the rest: not renormalised


def test_incremental_one_lm_step_per_new_prefix(monkeypatch):
    model = _lm(num_layers=2)
    scorer = PrefixScorer(model, TOKENS)
    steps = []
    forward = model.forward

    def counting(ids, state=None, lengths=None):
        steps.append(ids.shape[1])
        return forward(ids, state, lengths)

    monkeypatch.setattr(model, "forward", counting)
    scorer((1, 2, 3, 4))  # cold: the start token and four labels, one step each
    assert steps == [1] * 5
    scorer((1, 2, 3, 4, 2))
    scorer((1, 2, 3, 4, 3))
    scorer((1, 2, 3, 4))  # cached
    assert steps == [1] * 7
    fresh = PrefixScorer(model, TOKENS)
    assert np.array_equal(fresh((1, 2, 3, 4, 3)), scorer((1, 2, 3, 4, 3)))


def test_cache_limit_keeps_the_answers():
    model = _lm()
    small = PrefixScorer(model, TOKENS, max_cache=3)
    big = PrefixScorer(model, TOKENS)
    for prefix in [(1,), (1, 2), (1, 2, 3), (2, 2, 2, 2), (1, 2, 3, 4)]:
        assert np.array_equal(small(prefix), big(prefix))
    assert len(small._cache) <= 5
    big.clear()
    assert np.array_equal(big((1, 2, 3, 4)), small((1, 2, 3, 4)))


@pytest.mark.parametrize(
    ("tokens", "message"),
    [
        (["a", "b", "x", "z"], "lacks tokens \\['x', 'z'\\]"),
        ([None, "A"], "lacks tokens \\['A'\\]"),
        ([None, None], "no label has an LM token"),
    ],
)
def test_errors(tokens, message):
    with pytest.raises(ValueError, match=message):
        PrefixScorer(_lm(), tokens)


@pytest.mark.parametrize("prefix", [(1, 9), (0,), (2, -1)])
def test_a_label_without_token_is_an_error(prefix):
    with pytest.raises(ValueError, match=f"label {prefix[-1]} has no LM token"):
        PrefixScorer(_lm(), [None, "a", "b", "c"])(prefix)
