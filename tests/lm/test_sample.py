"""seqlab.lm.sample: temperature, top-k, greedy, seeds, <eos> handling, prefixes, bad arguments."""

import math
import re

import pytest
import torch

from seqlab.lm import LanguageModel, LMConfig, sample
from seqlab.text import Vocabulary

CHAR_VOCAB = Vocabulary.build([list(w) for w in ["cab", "bad", "dab", "ace", "bead", "fade"]])
WORD_VOCAB = Vocabulary.build([["the", "cat", "sat"], ["the", "dog", "sat", "."]])


def _model(mode="lines", *, level="char", cell="gru", eos_boost=0.0, **kw) -> LanguageModel:
    """An untrained, seeded model; ``eos_boost`` makes <eos> likelier (samples end early)."""
    torch.manual_seed(0)
    vocab = CHAR_VOCAB if level == "char" else WORD_VOCAB
    model = LanguageModel(LMConfig(level=level, mode=mode, cell=cell, hidden_size=8, **kw), vocab)
    with torch.no_grad():
        model.out.weight.mul_(4.0)  # sharper distributions than uniform, for greedy decoding
        model.out.bias[vocab.eos_id] += eos_boost
    return model


def _n_tokens(text: str) -> int:
    """Tokens of a character-model sample: one per character or line break; a drawn <unk> is
    written as the five characters "<unk>" but is one token."""
    return len(re.findall(r"<unk>|.", text, flags=re.DOTALL))


# --- temperature, greedy, top-k ----------------------------------------------------------------


@pytest.mark.parametrize("mode", ["lines", "stream"])
@pytest.mark.parametrize("seed", [0, 1, 2])
def test_temperature_near_zero_is_greedy(mode, seed):
    model = _model(mode)
    greedy = sample(model, 4, greedy=True, max_len=25)
    cold = sample(model, 4, temperature=1e-6, max_len=25, seed=seed)
    assert cold == greedy


@pytest.mark.parametrize("seed", [0, 3])
def test_top_k_one_is_greedy(seed):
    model = _model("stream", cell="lstm")
    assert sample(model, 3, top_k=1, max_len=30, seed=seed) == sample(
        model, 3, greedy=True, max_len=30
    )


def test_greedy_samples_are_all_equal_and_ignore_the_seed():
    model = _model("stream")
    texts = sample(model, 5, greedy=True, max_len=20, seed=1)
    assert len(set(texts)) == 1
    assert sample(model, 5, greedy=True, max_len=20, seed=2) == texts


def test_top_k_restricts_the_first_token():
    model = _model("lines", eos_boost=-100.0)
    logits, _ = model(torch.tensor([[model.start_id]]))
    logits = logits[0, -1].clone()
    logits[[model.vocab.pad_id, model.vocab.bos_id]] = -math.inf
    top2 = {model.vocab.id_to_token(i) for i in logits.topk(2).indices.tolist()}
    texts = sample(model, 40, top_k=2, max_len=1, temperature=5.0, seed=0)
    assert set(texts) <= top2
    assert len(set(texts)) == 2  # both of them are drawn at a high temperature


# --- seeds -------------------------------------------------------------------------------------


def test_same_seed_same_samples_different_seeds_differ():
    model = _model("stream")
    a = sample(model, 4, max_len=40, seed=7)
    assert sample(model, 4, max_len=40, seed=7) == a
    assert sample(model, 4, max_len=40, seed=8) != a
    assert len(set(a)) > 1  # the n samples of one call differ from each other


def test_a_seed_leaves_the_global_generator_alone():
    model = _model()
    before = torch.get_rng_state()
    sample(model, 2, max_len=10, seed=3)
    assert torch.equal(torch.get_rng_state(), before)


def test_no_seed_gives_fresh_samples():
    model = _model("stream")
    texts = sample(model, 3, max_len=30)
    assert len(texts) == 3 and all(isinstance(t, str) for t in texts)
    assert sample(model, 3, max_len=30) != texts  # almost surely


# --- <eos>, max_len and line breaks ------------------------------------------------------------


@pytest.mark.parametrize("seed", range(5))
def test_lines_samples_stop_at_eos(seed):
    model = _model("lines", eos_boost=2.0)
    stopped = sample(model, 1, max_len=50, seed=seed)[0]
    running_on = sample(model, 1, max_len=50, seed=seed, stop_at_eos=False)[0]
    assert "\n" not in stopped
    assert "\n" in running_on  # this model draws <eos> well before 50 tokens
    assert stopped == running_on.split("\n")[0]  # the same draws, cut at the first <eos>


@pytest.mark.parametrize("max_len", [1, 5, 30])
def test_lines_samples_have_at_most_max_len_tokens(max_len):
    texts = sample(_model("lines", eos_boost=1.0), 20, max_len=max_len, seed=0)
    assert len(texts) == 20
    lengths = [_n_tokens(t) for t in texts]
    assert all(n <= max_len for n in lengths)
    assert all("\n" not in t for t in texts)
    assert min(lengths) < max_len or max_len == 1  # some stop early at <eos>


def test_lines_samples_without_eos_run_to_max_len():
    texts = sample(_model("lines", eos_boost=-100.0), 4, max_len=12, seed=0)
    assert [_n_tokens(t) for t in texts] == [12] * 4


@pytest.mark.parametrize("max_len", [1, 17, 60])
def test_stream_samples_go_on_to_max_len_with_line_breaks(max_len):
    texts = sample(_model("stream", eos_boost=2.0), 6, max_len=max_len, seed=1)
    assert [_n_tokens(t) for t in texts] == [max_len] * 6  # <eos> is a line break, not the end
    if max_len >= 17:
        assert all("\n" in t for t in texts)


def test_stream_model_can_be_asked_to_stop_at_eos():
    model = _model("stream", eos_boost=2.0)
    texts = sample(model, 6, max_len=60, seed=1, stop_at_eos=True)
    assert all("\n" not in t and _n_tokens(t) < 60 for t in texts)


# --- prefixes ----------------------------------------------------------------------------------


@pytest.mark.parametrize("mode", ["lines", "stream"])
@pytest.mark.parametrize("prefix", ["b", "fade", "cabbed"])
def test_prefix_starts_every_sample(mode, prefix):
    texts = sample(_model(mode), 5, max_len=10, prefix=prefix, seed=0)
    assert all(t.startswith(prefix) for t in texts)
    if mode == "stream":
        assert [_n_tokens(t) for t in texts] == [len(prefix) + 10] * 5


def test_prefix_primes_the_state():
    model = _model("stream")
    plain = sample(model, 1, greedy=True, max_len=15)[0]
    primed = sample(model, 1, greedy=True, max_len=15, prefix="bead")[0]
    assert primed.startswith("bead") and primed[4:] != plain


def test_stream_prefix_with_a_line_break():
    texts = sample(_model("stream"), 2, max_len=5, prefix="cab\nba", seed=0)
    assert all(t.startswith("cab\nba") for t in texts)


def test_word_model_prefix():
    model = _model("lines", level="word", embedding_size=4)
    texts = sample(model, 3, max_len=6, prefix="the cat", seed=0)
    assert all(t.startswith("the cat") for t in texts)


@pytest.mark.parametrize(
    ("prefix", "named"), [("zebra", ["'r'", "'z'"]), ("ca x", ["' '", "'x'"]), ("Q", ["'Q'"])]
)
def test_prefix_with_unknown_characters_names_them(prefix, named):
    with pytest.raises(ValueError, match="outside the model's vocabulary") as info:
        sample(_model(), 1, prefix=prefix)
    message = str(info.value)
    assert all(name in message for name in named)
    assert "characters" in message and "'a'" not in message and "'b'" not in message


def test_word_prefix_with_unknown_words_names_them():
    model = _model(level="word", embedding_size=4)
    with pytest.raises(ValueError, match=r"words outside the model's vocabulary: 'emu'"):
        sample(model, 1, prefix="the emu")


# --- bad arguments -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [
        ({"temperature": 0.0}, "temperature"),
        ({"temperature": -1.0}, "temperature"),
        ({"temperature": math.nan}, "temperature"),
        ({"temperature": math.inf}, "temperature"),
        ({"temperature": "1"}, "temperature"),
        ({"n": 0}, "n must be"),
        ({"n": -2}, "n must be"),
        ({"n": 2.0}, "n must be"),
        ({"n": True}, "n must be"),
        ({"top_k": 0}, "top_k"),
        ({"top_k": -1}, "top_k"),
        ({"top_k": 1.5}, "top_k"),
        ({"max_len": 0}, "max_len"),
        ({"max_len": -5}, "max_len"),
        ({"max_len": None}, "max_len"),
    ],
)
def test_bad_arguments_raise(kwargs, match):
    kwargs = {"n": 1, **kwargs}
    with pytest.raises(ValueError, match=match):
        sample(_model(), **kwargs)


def test_model_sample_method_is_sample():
    model = _model("stream")
    assert model.sample(2, max_len=8, seed=4) == sample(model, 2, max_len=8, seed=4)


def test_char_samples_hold_only_vocabulary_characters():
    texts = sample(_model("stream"), 20, max_len=50, seed=0)
    assert all(ch in CHAR_VOCAB or ch == "\n" for t in texts for ch in t)
