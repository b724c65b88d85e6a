"""Unbounded work (issue 24, class 3): an input longer than its command's documented limit gets
the --on-long policy (a one-line error by default, or its beginning kept), and the policy's own
check reads only as much of the line as the limit needs; output lengths are capped at the
parser (tests/reliability/test_numbers.py)."""

from __future__ import annotations

import io
import sys
import time

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from seqlab.cli import main
from seqlab.seq2seq.data import build_vocabs, encode_pairs
from seqlab.text import CharTokenizer, WordTokenizer
from seqlab.text.limits import MAX_TOKENS, head_tokens, limit_tokens

from ._folders import tiny_folder, tiny_model

LONG = "the cat sat on the mat " * 250_000  # 5.75 MB, 1.5 million words, one line


@settings(max_examples=200, deadline=None, derandomize=True)
@given(text=st.text(st.sampled_from(list("ab '’-.,e.g.U.S.3:1\n")), max_size=400),
       limit=st.integers(1, 30), level=st.sampled_from(["char", "word"]))  # fmt: skip
def test_head_tokens_are_the_first_tokens_of_the_whole_text(text, limit, level):
    tokenize = (CharTokenizer() if level == "char" else WordTokenizer()).tokenize
    whole = tokenize(text)
    tokens, complete = head_tokens(tokenize, text, limit)
    if complete:
        assert tokens == whole
    else:
        assert len(tokens) > limit and tokens == whole[: len(tokens)]
    assert limit_tokens(tokenize, text, limit, on_long="truncate") == whole[:limit]


def test_head_tokens_of_a_long_line_read_only_its_beginning():
    seen = []

    def tokenize(text):
        seen.append(len(text))
        return text.split()

    tokens, complete = head_tokens(tokenize, LONG, 100)
    assert not complete and tokens[:100] == LONG.split()[:100]
    assert max(seen) < 10_000


def _stdin(monkeypatch, text: str) -> None:
    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(text.encode())))


@pytest.mark.parametrize(
    ("task", "argv"),
    [("classify", ["classify", "predict"]), ("tag", ["tag", "predict"]),
     ("lm", ["lm", "score"])],
)  # fmt: skip
def test_a_huge_one_line_input_is_an_error_or_truncated(task, argv, tmp_path, monkeypatch, capsys):
    """classify predict on a 50 MB line used 3.1 GB and failed inside oneDNN."""
    folder = str(tiny_folder(task, tmp_path / task))
    _stdin(monkeypatch, LONG + "\n")
    start = time.monotonic()
    assert main([*argv, folder]) == 2
    err = capsys.readouterr().err.strip()
    assert len(err.splitlines()) == 1 and f"more tokens than the {MAX_TOKENS} allowed" in err
    assert "--on-long truncate" in err
    _stdin(monkeypatch, LONG + "\n")
    assert main([*argv, folder, "--on-long", "truncate", "--json"]) == 0
    assert capsys.readouterr().out.count("\n") == 1
    assert time.monotonic() - start < 60


def test_a_huge_translation_pair_is_truncated_in_training_without_reading_it_all():
    """A 50 MB one-line pair ran for minutes: now its first max_src_len / MAX_TOKENS tokens."""
    model = tiny_model("seq2seq")
    start = time.monotonic()
    pairs = [("abc" * 2_000_000, "xyz" * 2_000_000), ("ab", "xy")]
    src, tgt = build_vocabs(pairs, CharTokenizer(), CharTokenizer(), max_src_len=256)
    encoded = encode_pairs(model, pairs)
    assert len(encoded["src"][0]) == model.config.max_src_len
    assert len(encoded["tgt"][0]) == MAX_TOKENS and encoded["truncated"] == 2
    with pytest.raises(ValueError, match="more than 256 tokens > max_src_len=256"):
        encode_pairs(model, pairs, on_long="error")
    assert time.monotonic() - start < 20
    assert set(src.tokens) >= {"a", "b", "c"}


def test_translate_run_refuses_a_huge_source_by_default(tmp_path, monkeypatch, capsys):
    folder = str(tiny_folder("seq2seq", tmp_path / "s2s"))
    _stdin(monkeypatch, "abc" * 2_000_000 + "\n")
    assert main(["translate", "run", folder, "--beam", "1"]) == 2
    assert "more than 256 tokens, more than the model's max_src_len=256" in capsys.readouterr().err
