"""seqlab.speech.lm: a character LM as beam search's ``lm``, checked against the LM's own scores.

The scorer itself, :class:`seqlab.lm.PrefixScorer`, is tested in tests/lm/test_prefix_scores.py.
"""

import numpy as np
import pytest
import torch

from seqlab.lm import LanguageModel, LMConfig, build_vocab, score_sentences
from seqlab.speech import Alphabet, char_lm_scorer, prefix_beam_search
from seqlab.text import CharTokenizer
from seqlab.train import save_model

TEXT = "abba cab\nbad dab\nacab abc\n"


def _lm(mode="lines", cell="lstm", num_layers=1, text=TEXT, level="char") -> LanguageModel:
    torch.manual_seed(0)
    vocab = build_vocab(text, CharTokenizer(), mode)
    config = LMConfig(level="char", mode=mode, cell=cell, hidden_size=12, num_layers=num_layers)
    model = LanguageModel(config, vocab)
    if level == "word":
        model.config = LMConfig(level="word", mode=mode, hidden_size=12)
    return model.eval()


@pytest.mark.parametrize(
    ("mode", "cell", "num_layers"), [("lines", "lstm", 1), ("stream", "gru", 2)]
)
@pytest.mark.parametrize("text", ["abba", "cab ab", "bad dab a"])
def test_sum_of_next_label_log_probs_equals_the_lm_score(mode, cell, num_layers, text):
    model = _lm(mode, cell, num_layers)
    alphabet = Alphabet(" abcd")
    scorer = char_lm_scorer(model, alphabet)
    labels = tuple(alphabet.encode(text))
    lm_score = score_sentences(model, [text])[0]  # ends with <eos>: leave it out
    expected = sum(lm_score.token_logprobs[:-1])
    assert scorer.log_prob(labels) == pytest.approx(expected, abs=1e-5)
    steps = [scorer(labels[:i])[c] for i, c in enumerate(labels)]
    assert steps == pytest.approx(lm_score.token_logprobs[:-1], abs=1e-5)


def test_scores_every_label_and_zero_for_the_blank():
    model = _lm()
    alphabet = Alphabet("abc")  # a subset of the LM's characters, in another order
    y = char_lm_scorer(model, alphabet)((2, 1))
    assert y.shape == (4,) and y.dtype == np.float64 and y[0] == 0.0
    ids = torch.tensor([[model.start_id, model.vocab.token_to_id("b"),
                         model.vocab.token_to_id("a")]])  # fmt: skip
    with torch.no_grad():
        logp = torch.log_softmax(model(ids)[0][0, -1].double(), -1)
    for label, ch in enumerate("abc", start=1):
        assert y[label] == pytest.approx(float(logp[model.vocab.token_to_id(ch)]), abs=1e-6)
    assert np.exp(y[1:]).sum() < 1.0  # <eos>, "d", " " keep the rest: not renormalised


def test_beam_search_with_the_lm_prefers_its_text():
    model = _lm()
    alphabet = Alphabet(" abcd")
    scorer = char_lm_scorer(model, alphabet)
    # a frame where " " and "b" are equally likely, then a blank frame, twice
    frame = np.log([0.0002, 0.49, 0.0001, 0.49, 0.0001, 0.0001])
    frame -= np.logaddexp.reduce(frame)
    blank = np.log([0.9996, 0.0001, 0.0001, 0.0001, 0.0001, 0.0001])
    log_probs = np.stack([frame, blank, frame, blank])
    found = prefix_beam_search(log_probs, beam_size=8, lm=scorer, lm_weight=1.0)
    best = max([(1, 1), (1, 3), (3, 1), (3, 3)], key=scorer.log_prob)
    assert found[0].labels == best
    assert found[0].score == pytest.approx(found[0].log_prob + scorer.log_prob(best))


def test_from_a_model_folder(tmp_path):
    save_model(_lm(), tmp_path / "lm")
    scorer = char_lm_scorer(tmp_path / "lm", Alphabet("abc"))
    assert scorer((1,)).shape == (4,)
    assert np.array_equal(scorer((1, 2)), char_lm_scorer(_lm(), Alphabet("abc"))((1, 2)))


def test_a_folder_without_a_language_model(tmp_path):
    from seqlab.music import MusicConfig, PianoRollRNN
    from seqlab.train import save_model

    save_model(PianoRollRNN(MusicConfig(hidden_size=4)), tmp_path / "music")
    with pytest.raises(ValueError, match="does not hold a language model"):
        char_lm_scorer(tmp_path / "music", Alphabet("abc"))


@pytest.mark.parametrize(
    ("alphabet", "kwargs", "message"),
    [
        ("abcxz", {}, "lacks characters \\['x', 'z'\\]"),
        ("ABC", {}, "lacks characters \\['A', 'B', 'C'\\]"),
        ("abc", {"level": "word"}, "word-level"),
    ],
)
def test_errors(alphabet, kwargs, message):
    with pytest.raises(ValueError, match=message):
        char_lm_scorer(_lm(**kwargs), Alphabet(alphabet))


def test_bad_label():
    with pytest.raises(ValueError, match="label 9"):
        char_lm_scorer(_lm(), Alphabet("abc"))((1, 9))
