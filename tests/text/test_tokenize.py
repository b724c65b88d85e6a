"""Tests of seqlab.text.tokenize: character and word tokenizers and their configs."""

import json
import re

import pytest
from hypothesis import given
from hypothesis import strategies as st

from seqlab.text import (
    CharTokenizer,
    Tokenizer,
    WordTokenizer,
    char_tokenize,
    detokenize_chars,
    detokenize_words,
    tokenizer_from_config,
    word_tokenize,
)

# --- characters --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("", []),
        ("ab", ["a", "b"]),
        ("a b\n", ["a", " ", "b", "\n"]),
        ("  \t", [" ", " ", "\t"]),
        ("café!", ["c", "a", "f", "é", "!"]),
        ("日本", ["日", "本"]),
    ],
)
def test_char_tokenize(text, expected):
    assert char_tokenize(text) == expected
    assert detokenize_chars(expected) == text


@given(st.text())
def test_char_round_trip_is_exact(text):
    assert detokenize_chars(char_tokenize(text)) == text


# --- words -------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("", []),
        ("   \n\t ", []),
        ("Hello, world!", ["Hello", ",", "world", "!"]),
        ("the cat sat.", ["the", "cat", "sat", "."]),
        ("Don't stop", ["Don't", "stop"]),
        ("it’s here", ["it’s", "here"]),
        ("rock'n'roll", ["rock'n'roll"]),
        ("a state-of-the-art x-ray", ["a", "state-of-the-art", "x-ray"]),
        ("dogs' bones", ["dogs", "'", "bones"]),
        ("'quoted'", ["'", "quoted", "'"]),
        ('"hi"', ['"', "hi", '"']),
        ("pi is 3.14, e is 2.718", ["pi", "is", "3.14", ",", "e", "is", "2.718"]),
        ("1,000,000 people", ["1,000,000", "people"]),
        ("at 12:30", ["at", "12:30"]),
        ("42 and 7b", ["42", "and", "7b"]),
        ("$5 or 5%", ["$", "5", "or", "5", "%"]),
        ("Wait... what?!", ["Wait", "...", "what", "?", "!"]),
        ("yes -- no", ["yes", "--", "no"]),
        ("well-- no", ["well", "--", "no"]),
        ("the U.S.A. and e.g. this", ["the", "U.S.A.", "and", "e.g.", "this"]),
        ("Mr. Smith", ["Mr", ".", "Smith"]),
        ("(a) [b] {c}", ["(", "a", ")", "[", "b", "]", "{", "c", "}"]),
        ("snake_case", ["snake_case"]),
        ("naïve café", ["naïve", "café"]),
        ("line one\nline two", ["line", "one", "line", "two"]),
        ("end.Start", ["end", ".", "Start"]),
    ],
)
def test_word_tokenize(text, expected):
    assert word_tokenize(text) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Hello World", ["hello", "world"]),
        ("Don't SHOUT!", ["don't", "shout", "!"]),
        ("The U.S.A.", ["the", "u.s.a."]),
    ],
)
def test_word_tokenize_lower(text, expected):
    assert word_tokenize(text, lower=True) == expected


@given(st.text())
def test_word_tokenize_keeps_every_non_space_character(text):
    tokens = word_tokenize(text)
    assert all(token and not re.search(r"\s", token) for token in tokens)
    assert "".join(tokens) == re.sub(r"\s+", "", text)


@pytest.mark.parametrize(
    ("tokens", "expected"),
    [
        ([], ""),
        (["hello"], "hello"),
        (["Hello", ",", "world", "!"], "Hello, world!"),
        (["a", ";", "b", ":", "c", "?"], "a; b: c?"),
        (["John", "'s", "dog", "does", "n't", "bark", "."], "John's dog doesn't bark."),
        (["we", "'re", "sure", "you", "'ll", "see"], "we're sure you'll see"),
        (["(", "a", ")", "[", "b", "]"], "(a) [b]"),
        (["$", "5", "or", "5", "%"], "$5 or 5%"),
        (["Wait", "...", "what", "?", "!"], "Wait... what?!"),
        (["he", "said", '"', "hi", '"', "."], 'he said "hi".'),
        (['"', "a", '"', "and", '"', "b", '"'], '"a" and "b"'),
        (["'", "quoted", "'", "text"], "'quoted' text"),
        (["“", "curly", "”", "quotes"], "“curly” quotes"),
        (["``", "Yes", ",", "''", "he", "said"], "``Yes,'' he said"),
        (["yes", "--", "no"], "yes -- no"),
        ([",", "leading"], ", leading"),
    ],
)
def test_detokenize_words(tokens, expected):
    assert detokenize_words(tokens) == expected


@pytest.mark.parametrize(
    "text",
    [
        "Hello, world!",
        "Don't panic: it's 3.14, not 42!",
        'She said "no" (twice) and left...',
        "The U.S.A. spent $5 million, e.g. 12% of it at 12:30.",
        "A state-of-the-art model -- really?!",
        "“Curly” quotes and ‘single’ ones.",
    ],
)
def test_detokenize_words_inverts_word_tokenize_on_prose(text):
    assert detokenize_words(word_tokenize(text)) == text


def test_detokenize_words_known_limitation_lone_apostrophe():
    # A trailing apostrophe is indistinguishable from an opening quote once spaces are gone.
    assert detokenize_words(word_tokenize("dogs' bones")) == "dogs 'bones"


# --- bad input ---------------------------------------------------------------------------------


@pytest.mark.parametrize("func", [char_tokenize, word_tokenize])
@pytest.mark.parametrize("bad", [None, b"bytes", 3, ["a", "list"]])
def test_tokenizers_reject_non_str(func, bad):
    with pytest.raises(ValueError, match="text must be a str"):
        func(bad)


@pytest.mark.parametrize("func", [detokenize_chars, detokenize_words])
@pytest.mark.parametrize(
    ("bad", "match"),
    [
        ("abc", "got a single str"),
        (5, "must be a list of str, got int"),
        (["a", 1], r"tokens\[1\] must be a str"),
        ([None], r"tokens\[0\] must be a str"),
    ],
)
def test_detokenizers_reject_bad_tokens(func, bad, match):
    with pytest.raises(ValueError, match=match):
        func(bad)


# --- Tokenizer classes -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("tokenizer", "level", "tokens", "detokenized"),
    [
        (CharTokenizer(), "char", ["H", "i", ",", " ", "B", "o"], "Hi, Bo"),
        (WordTokenizer(), "word", ["Hi", ",", "Bo"], "Hi, Bo"),
        (WordTokenizer(lower=True), "word", ["hi", ",", "bo"], "hi, bo"),
    ],
)
def test_tokenizer_classes(tokenizer, level, tokens, detokenized):
    assert isinstance(tokenizer, Tokenizer)
    assert tokenizer.level == level
    assert tokenizer.tokenize("Hi, Bo") == tokens
    assert tokenizer.detokenize(tokens) == detokenized


@pytest.mark.parametrize(
    ("tokenizer", "config"),
    [
        (CharTokenizer(), {"level": "char"}),
        (WordTokenizer(), {"level": "word", "lower": False}),
        (WordTokenizer(lower=True), {"level": "word", "lower": True}),
    ],
)
def test_tokenizer_config_round_trip(tokenizer, config):
    assert tokenizer.to_config() == config
    restored = tokenizer_from_config(json.loads(json.dumps(tokenizer.to_config())))
    assert restored == tokenizer
    assert type(tokenizer).from_config(config) == tokenizer


def test_word_tokenizer_config_lower_defaults_to_false():
    assert tokenizer_from_config({"level": "word"}) == WordTokenizer(lower=False)


@pytest.mark.parametrize(
    ("config", "match"),
    [
        ({"level": "byte"}, "unknown tokenizer level 'byte'"),
        ({}, "unknown tokenizer level None"),
        ({"level": ["char"]}, "unknown tokenizer level"),
        (["char"], "must be a mapping"),
        ({"level": "char", "lower": True}, r"unknown keys in char tokenizer config: \['lower'\]"),
        ({"level": "word", "casefold": True}, r"unknown keys .*\['casefold'\]"),
        ({"level": "word", "lower": "yes"}, "lower must be a bool"),
    ],
)
def test_tokenizer_from_config_rejects_bad_configs(config, match):
    with pytest.raises(ValueError, match=match):
        tokenizer_from_config(config)


@pytest.mark.parametrize(
    ("cls", "config", "match"),
    [
        (CharTokenizer, {"level": "word"}, "has level 'word', expected 'char'"),
        (WordTokenizer, {"level": "char"}, "has level 'char', expected 'word'"),
        (WordTokenizer, "word", "must be a mapping"),
    ],
)
def test_from_config_rejects_wrong_level(cls, config, match):
    with pytest.raises(ValueError, match=match):
        cls.from_config(config)


def test_word_tokenizer_rejects_non_bool_lower():
    with pytest.raises(ValueError, match="lower must be a bool"):
        WordTokenizer(lower=1)
