"""Tests of seqlab.text.vocab: building, encoding, decoding, saving and loading a Vocabulary."""

import json
import os

import pytest
import torch
from hypothesis import given, settings
from hypothesis import strategies as st

from seqlab.text import Vocabulary

SPECIALS = ["<pad>", "<unk>", "<bos>", "<eos>"]
CORPUS = [["the", "cat", "sat"], ["the", "dog", "sat"], ["a", "cat", "ran"], ["the", "end"]]
# counts: the 3, cat 2, sat 2, dog 1, a 1, ran 1, end 1 (first appearance: the cat sat dog a ...)


@pytest.fixture
def vocab():
    return Vocabulary.build(CORPUS)


# --- specials ----------------------------------------------------------------------------------


def test_special_tokens_have_fixed_ids(vocab):
    assert (Vocabulary.PAD, Vocabulary.UNK, Vocabulary.BOS, Vocabulary.EOS) == tuple(SPECIALS)
    assert (vocab.pad_id, vocab.unk_id, vocab.bos_id, vocab.eos_id) == (0, 1, 2, 3)
    assert list(vocab.tokens[:4]) == SPECIALS
    assert vocab.has_specials


# --- build -------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("kwargs", "expected"),
    [
        ({}, ["the", "cat", "sat", "dog", "a", "ran", "end"]),
        ({"min_count": 2}, ["the", "cat", "sat"]),
        ({"min_count": 3}, ["the"]),
        ({"max_size": 2}, ["the", "cat"]),
        ({"max_size": 4}, ["the", "cat", "sat", "dog"]),
        ({"max_size": 100}, ["the", "cat", "sat", "dog", "a", "ran", "end"]),
        ({"min_count": 2, "max_size": 1}, ["the"]),
    ],
)
def test_build_orders_by_count_then_first_appearance(kwargs, expected):
    vocab = Vocabulary.build(CORPUS, **kwargs)
    assert list(vocab.tokens) == SPECIALS + expected
    assert len(vocab) == 4 + len(expected)


def test_build_max_size_counts_real_tokens_only():
    vocab = Vocabulary.build(CORPUS, max_size=3)
    assert len(vocab) == 3 + 4


def test_build_records_counts_of_kept_tokens():
    vocab = Vocabulary.build(CORPUS, min_count=2)
    assert dict(vocab.counts) == {"the": 3, "cat": 2, "sat": 2}


def test_counts_are_read_only(vocab):
    with pytest.raises(TypeError):
        vocab.counts["the"] = 100  # type: ignore[index]


def test_build_accepts_a_generator_and_is_deterministic():
    first = Vocabulary.build(tokens for tokens in CORPUS)
    assert first == Vocabulary.build(list(CORPUS))
    assert first.tokens == Vocabulary.build(CORPUS).tokens


def test_build_maps_special_strings_in_the_corpus_to_specials():
    # Penn Treebank writes <unk> in its text; it must be the special, not a new token.
    vocab = Vocabulary.build([["a", "<unk>", "<unk>", "<eos>"], ["a"]])
    assert list(vocab.tokens) == SPECIALS + ["a"]
    assert dict(vocab.counts) == {"a": 2}
    assert vocab.encode(["<unk>", "a", "<eos>"]) == [1, 4, 3]


def test_build_without_specials():
    vocab = Vocabulary.build([["B-PER", "O", "O"], ["O"]], specials=False)
    assert list(vocab.tokens) == ["O", "B-PER"]
    assert vocab.encode(["B-PER", "O"]) == [1, 0]
    assert vocab.decode([0, 1]) == ["O", "B-PER"]
    assert not vocab.has_specials


@pytest.mark.parametrize(
    ("corpus", "kwargs", "match"),
    [
        ([], {}, "no token survives: the corpus has 0 token lists"),
        ([[], []], {}, "no token survives"),
        (CORPUS, {"min_count": 4}, "none seen >= min_count=4 times"),
        ([["<unk>", "<pad>"]], {}, "no token survives"),
        (CORPUS, {"min_count": 0}, "min_count must be an int >= 1, got 0"),
        (CORPUS, {"min_count": 1.5}, "min_count must be an int >= 1"),
        (CORPUS, {"max_size": 0}, "max_size must be None or an int >= 1, got 0"),
        (CORPUS, {"max_size": -3}, "max_size must be None or an int >= 1"),
        (["the cat", "sat"], {}, r"token_lists\[0\] is a str"),
        ([["ok"], ["fine", 3]], {}, r"token_lists\[1\]\[1\] must be a str, got int"),
        ([["ok"], 7], {}, r"token_lists\[1\] must be a list of str"),
    ],
)
def test_build_rejects_bad_input(corpus, kwargs, match):
    with pytest.raises(ValueError, match=match):
        Vocabulary.build(corpus, **kwargs)


# --- explicit tokens ---------------------------------------------------------------------------


def test_explicit_tokens_follow_the_specials():
    vocab = Vocabulary(["x", "y"], counts={"x": 5})
    assert list(vocab.tokens) == SPECIALS + ["x", "y"]
    assert dict(vocab.counts) == {"x": 5}
    assert Vocabulary(["x", "y"]).counts == {}


@pytest.mark.parametrize(
    ("tokens", "kwargs", "match"),
    [
        (["a", "b", "a"], {}, "token 'a' at id 6 is repeated"),
        (["a", "<eos>"], {}, "token '<eos>' at id 5 is a special token"),
        ([], {}, "at least one real token"),
        (["a", 1], {}, r"tokens\[1\] must be a str, got int"),
        ("abc", {}, "tokens is a str"),
        (["a"], {"counts": {"b": 1}}, "counts has token 'b', which is not a real token"),
        (["a"], {"counts": {"<pad>": 1}}, "counts has token '<pad>'"),
        (["a"], {"counts": {"a": -1}}, "count of 'a' must be a non-negative int, got -1"),
        (["a"], {"counts": {"a": 1.0}}, "count of 'a' must be a non-negative int"),
        (["a"], {"counts": [("a", 1)]}, "counts must be a mapping"),
    ],
)
def test_constructor_rejects_bad_input(tokens, kwargs, match):
    with pytest.raises(ValueError, match=match):
        Vocabulary(tokens, **kwargs)


# --- lookups -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("token", "expected"),
    [("<pad>", 0), ("<unk>", 1), ("<bos>", 2), ("<eos>", 3), ("the", 4), ("end", 10), ("cow", 1)],
)
def test_token_to_id(vocab, token, expected):
    assert vocab.token_to_id(token) == expected


@pytest.mark.parametrize(("i", "expected"), [(0, "<pad>"), (1, "<unk>"), (4, "the"), (10, "end")])
def test_id_to_token(vocab, i, expected):
    assert vocab.id_to_token(i) == expected
    assert vocab.id_to_token(torch.tensor(i)) == expected


def test_contains_and_len(vocab):
    assert "the" in vocab and "<unk>" in vocab
    assert "cow" not in vocab and 4 not in vocab
    assert len(vocab) == 11


@pytest.mark.parametrize(
    ("i", "match"),
    [
        (11, "id 11 is out of range for a vocabulary of size 11"),
        (-1, "id -1 is out of range"),
        (1.0, "id must be an integer, got float"),
        ("4", "id must be an integer, got str"),
    ],
)
def test_id_to_token_rejects_bad_ids(vocab, i, match):
    with pytest.raises(ValueError, match=match):
        vocab.id_to_token(i)


def test_token_to_id_rejects_non_str(vocab):
    with pytest.raises(ValueError, match="token must be a str, got int"):
        vocab.token_to_id(4)


# --- encode / decode ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("tokens", "kwargs", "expected"),
    [
        ([], {}, []),
        (["the", "cat"], {}, [4, 5]),
        (["the", "cow"], {}, [4, 1]),
        (["the", "cat"], {"add_eos": True}, [4, 5, 3]),
        (["the", "cat"], {"add_bos": True}, [2, 4, 5]),
        (["the"], {"add_bos": True, "add_eos": True}, [2, 4, 3]),
        ([], {"add_bos": True, "add_eos": True}, [2, 3]),
        (("a", "ran"), {}, [8, 9]),
    ],
)
def test_encode(vocab, tokens, kwargs, expected):
    assert vocab.encode(tokens, **kwargs) == expected


@pytest.mark.parametrize(
    ("ids", "strip_specials", "expected"),
    [
        ([], True, []),
        ([4, 5], True, ["the", "cat"]),
        ([2, 4, 1, 3, 0, 0], True, ["the", "<unk>"]),
        ([2, 4, 1, 3, 0, 0], False, ["<bos>", "the", "<unk>", "<eos>", "<pad>", "<pad>"]),
        ([4, 3, 5], True, ["the", "cat"]),  # decoding does not stop at <eos>
        (torch.tensor([2, 4, 5, 3]), True, ["the", "cat"]),
    ],
)
def test_decode(vocab, ids, strip_specials, expected):
    assert vocab.decode(ids, strip_specials=strip_specials) == expected


@pytest.mark.parametrize(
    ("ids", "match"),
    [
        ([4, 11], "id 11 is out of range"),
        ([-1], "id -1 is out of range"),
        ([4.0], "id must be an integer"),
        (torch.tensor([0.5]), "id must be an integer"),
    ],
)
def test_decode_rejects_bad_ids(vocab, ids, match):
    with pytest.raises(ValueError, match=match):
        vocab.decode(ids)


@pytest.mark.parametrize(
    ("tokens", "match"),
    [("the cat", "tokens is a str"), (["the", None], r"tokens\[1\] must be a str")],
)
def test_encode_rejects_bad_tokens(vocab, tokens, match):
    with pytest.raises(ValueError, match=match):
        vocab.encode(tokens)


@pytest.mark.parametrize(
    ("tokens", "expected"),
    [([], 0), (["the", "cat"], 0), (["the", "cow", "moo"], 2), (["<unk>", "a"], 1)],
)
def test_count_unknown(vocab, tokens, expected):
    assert vocab.count_unknown(tokens) == expected


def test_count_unknown_rejects_a_str(vocab):
    with pytest.raises(ValueError, match="tokens is a str"):
        vocab.count_unknown("the cat")


# --- without specials --------------------------------------------------------------------------


@pytest.fixture
def labels():
    return Vocabulary(["O", "B-PER", "I-PER"], specials=False)


@pytest.mark.parametrize("name", ["pad_id", "unk_id", "bos_id", "eos_id"])
def test_no_specials_has_no_special_ids(labels, name):
    with pytest.raises(ValueError, match="built with specials=False: it has no <"):
        getattr(labels, name)


def test_no_specials_unknown_token_raises(labels):
    assert labels.token_to_id("I-PER") == 2
    with pytest.raises(ValueError, match="token 'B-LOC' is not in this vocabulary"):
        labels.encode(["O", "B-LOC"])
    with pytest.raises(ValueError, match="has no <eos>"):
        labels.encode(["O"], add_eos=True)
    assert labels.count_unknown(["O", "B-LOC", "<unk>"]) == 2


def test_no_specials_allows_special_strings_as_real_tokens():
    vocab = Vocabulary(["<pad>", "x"], specials=False)
    assert vocab.decode([0, 1]) == ["<pad>", "x"]


# --- save / load -------------------------------------------------------------------------------


def test_save_load_round_trip(tmp_path, vocab):
    path = tmp_path / "vocab.json"
    vocab.save(path)
    loaded = Vocabulary.load(path)
    assert loaded == vocab
    assert loaded.tokens == vocab.tokens
    assert dict(loaded.counts) == dict(vocab.counts)
    assert os.listdir(tmp_path) == ["vocab.json"]  # no temporary file left behind


def test_saved_file_format(tmp_path):
    path = tmp_path / "v.json"
    Vocabulary(["é", "x"], counts={"é": 2}).save(str(path))
    data = json.loads(path.read_text(encoding="utf-8"))
    assert data == {
        "format": "seqlab.vocabulary",
        "version": 1,
        "specials": True,
        "tokens": SPECIALS + ["é", "x"],
        "counts": {"é": 2},
    }
    assert "é" in path.read_text(encoding="utf-8")  # readable UTF-8, not \\u escapes


def test_save_overwrites_atomically(tmp_path, vocab):
    path = tmp_path / "vocab.json"
    path.write_text("old contents")
    vocab.save(path)
    assert Vocabulary.load(path) == vocab
    assert sorted(os.listdir(tmp_path)) == ["vocab.json"]


def test_save_load_without_specials(tmp_path, labels):
    labels.save(tmp_path / "labels.json")
    loaded = Vocabulary.load(tmp_path / "labels.json")
    assert loaded == labels and not loaded.has_specials


def test_load_accepts_the_minimal_documented_format(tmp_path):
    path = tmp_path / "v.json"
    path.write_text(
        json.dumps(
            {"format": "seqlab.vocabulary", "version": 1, "tokens": SPECIALS + ["a"], "counts": {}}
        )
    )
    assert Vocabulary.load(path) == Vocabulary(["a"])


def test_saved_file_is_readable_by_others(tmp_path, vocab):
    vocab.save(tmp_path / "vocab.json")
    assert (tmp_path / "vocab.json").stat().st_mode & 0o777 == 0o644


def test_failed_save_keeps_the_old_file_and_no_temp_file(tmp_path, vocab, monkeypatch):
    path = tmp_path / "vocab.json"
    path.write_text("old contents")

    def fail(src, dst):
        raise OSError("disk full")

    monkeypatch.setattr(os, "replace", fail)
    with pytest.raises(OSError, match="disk full"):
        vocab.save(path)
    assert os.listdir(tmp_path) == ["vocab.json"]
    assert path.read_text() == "old contents"


def test_save_to_a_missing_folder_raises(tmp_path, vocab):
    with pytest.raises(FileNotFoundError):
        vocab.save(tmp_path / "missing" / "vocab.json")


def _good(**changes):
    data = {"format": "seqlab.vocabulary", "version": 1, "tokens": SPECIALS + ["a", "b"]}
    data["counts"] = {"a": 1}
    data.update(changes)
    return json.dumps(data)


@pytest.mark.parametrize(
    ("text", "match"),
    [
        ("{not json", "is not valid JSON"),
        ("[1, 2]", "expected a JSON object, got list"),
        (_good(format="other"), "format is 'other', expected 'seqlab.vocabulary'"),
        (json.dumps({"tokens": SPECIALS}), "format is None"),
        (_good(version=2), "version 2 is not supported"),
        (_good(specials="yes"), "'specials' must be true or false"),
        (_good(tokens="abc"), "'tokens' must be a list, got str"),
        (_good(tokens=["<unk>", "<pad>", "<bos>", "<eos>", "a"]), "special tokens must be"),
        (_good(tokens=["a", "b"]), r"special tokens must be \['<pad>'"),
        (_good(tokens=SPECIALS + ["a", "a"]), "token 'a' at id 5 is repeated"),
        (_good(tokens=SPECIALS + ["a", "<unk>"]), "token '<unk>' at id 5 is a special token"),
        (_good(tokens=SPECIALS), "at least one real token"),
        (_good(tokens=SPECIALS + ["a", 5]), r"tokens\[1\] must be a str"),
        (_good(counts={"z": 1}), "counts has token 'z'"),
        (_good(counts={"a": "1"}), "count of 'a' must be a non-negative int"),
    ],
)
def test_load_rejects_bad_files(tmp_path, text, match):
    path = tmp_path / "bad.json"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(ValueError, match=match) as info:
        Vocabulary.load(path)
    assert "bad.json" in str(info.value)


def test_load_missing_file(tmp_path):
    with pytest.raises(ValueError, match=r"vocabulary file '.*nope\.json' does not exist"):
        Vocabulary.load(tmp_path / "nope.json")


def test_load_non_utf8_file(tmp_path):
    path = tmp_path / "latin1.json"
    path.write_bytes(b'{"format": "\xe9"}')
    with pytest.raises(ValueError, match="cannot read vocabulary file .*latin1.json"):
        Vocabulary.load(path)


# --- properties --------------------------------------------------------------------------------

tokens_strategy = st.text(min_size=1, max_size=4).filter(lambda t: t not in SPECIALS)
corpus_strategy = st.lists(st.lists(tokens_strategy, max_size=8), min_size=1, max_size=8).filter(
    lambda corpus: any(corpus)
)


@settings(deadline=None)
@given(corpus=corpus_strategy, data=st.data())
def test_encode_decode_round_trip_in_vocabulary(corpus, data):
    vocab = Vocabulary.build(corpus)
    real = list(vocab.tokens[4:])
    sentence = data.draw(st.lists(st.sampled_from(real), max_size=10))
    ids = vocab.encode(sentence, add_bos=True, add_eos=True)
    assert ids[0] == vocab.bos_id and ids[-1] == vocab.eos_id
    assert vocab.decode(ids) == sentence
    assert vocab.decode(ids, strip_specials=False) == ["<bos>", *sentence, "<eos>"]
    assert vocab.count_unknown(sentence) == 0


@settings(deadline=None)
@given(corpus=corpus_strategy, min_count=st.integers(1, 3))
def test_build_properties(corpus, min_count):
    flat = [token for sentence in corpus for token in sentence]
    if all(flat.count(token) < min_count for token in flat):
        with pytest.raises(ValueError, match="no token survives"):
            Vocabulary.build(corpus, min_count=min_count)
        return
    vocab = Vocabulary.build(corpus, min_count=min_count)
    real = list(vocab.tokens[4:])
    assert set(real) == {token for token in flat if flat.count(token) >= min_count}
    counts = [vocab.counts[token] for token in real]
    assert counts == sorted(counts, reverse=True)
    assert all(vocab.counts[token] == flat.count(token) for token in real)
    # ties keep first appearance
    for a, b in zip(real, real[1:]):
        if vocab.counts[a] == vocab.counts[b]:
            assert flat.index(a) < flat.index(b)
    assert Vocabulary.from_dict(json.loads(json.dumps(vocab.to_dict()))) == vocab
