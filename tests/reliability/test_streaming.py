"""Memory that need not grow with the input does not (issue 24, class 3): ``lm score --file``
and ``bleu`` read line by line, their memory bounded by a chunk, and their results are the same
as before to the last bit (the old whole-file computations are the references here)."""

from __future__ import annotations

import io
import json
import random
import sys
import tracemalloc
from pathlib import Path

import pytest
import torch
from hypothesis import given, settings
from hypothesis import strategies as st

from seqlab.cli import main
from seqlab.datasets import lines as lines_module
from seqlab.datasets import read_text
from seqlab.datasets.lines import iter_lines
from seqlab.lm import score_lines, score_text
from seqlab.metrics.bleu import corpus_bleu
from seqlab.train import save_model

from ._folders import tiny_model

TEXT = st.text(st.sampled_from(list("ab c\n\r\t\ufeffé€𝄞")), max_size=300)


@settings(max_examples=150, deadline=None, derandomize=True)
@given(text=TEXT, block=st.integers(1, 9), encoding=st.sampled_from(["utf-8", "utf-16", "latin-1"]))
def test_iter_lines_joined_is_read_text(tmp_path_factory, text, block, encoding):
    path = tmp_path_factory.mktemp("t") / "t.txt"
    try:
        path.write_bytes(text.encode(encoding))
    except UnicodeEncodeError:
        return
    try:
        expected = read_text(path, encoding=encoding)
    except ValueError as error:
        with pytest.raises(ValueError) as streamed:
            "".join(iter_lines(path, encoding=encoding, block_bytes=block))
        assert str(streamed.value) == str(error)
        return
    assert "".join(iter_lines(path, encoding=encoding, block_bytes=block)) == expected


@pytest.mark.parametrize(
    "data", [b"\x00abc", b"ab\xffcd\n", b"abc\n\xe2\x82", b"   \n\n", b""],
    ids=["nul", "bad-byte", "cut-character", "blank", "empty"],
)  # fmt: skip
def test_iter_lines_errors_are_read_texts(tmp_path, data):
    path = tmp_path / "t.txt"
    path.write_bytes(data)
    with pytest.raises(ValueError) as whole:
        read_text(path)
    for block in (1, 2, 3, 1 << 20):
        with pytest.raises(ValueError) as streamed:
            "".join(iter_lines(path, block_bytes=block))
        assert str(streamed.value) == str(whole.value)


@pytest.fixture(scope="module")
def lm():
    torch.manual_seed(0)
    return tiny_model("lm")


@settings(max_examples=60, deadline=None, derandomize=True)
@given(text=st.text(st.sampled_from(list("abc\nxy")), min_size=1, max_size=200),
       chunk=st.integers(1, 40))  # fmt: skip
def test_score_lines_is_score_text_to_the_last_bit(lm, text, chunk):
    if not text.strip():
        return
    whole = score_text(lm, text, chunk_size=chunk)
    lines = text.splitlines(keepends=True) if "\r" not in text else None
    streamed = score_lines(lm, lines, chunk_size=chunk, keep_tokens=True)
    assert streamed.logprob == whole.logprob  # exactly: summed exactly, rounded once
    assert (streamed.n_tokens, streamed.n_unk) == (whole.n_tokens, whole.n_unk)
    assert streamed.tokens == whole.tokens and streamed.unknown == whole.unknown
    assert streamed.token_logprobs == whole.token_logprobs
    assert score_lines(lm, lines, chunk_size=chunk).logprob == whole.logprob


def _corpus(path: Path, n_chars: int, seed: int = 0) -> Path:
    rng = random.Random(seed)
    words = ["abc", "cab", "bca", "a", "bb", "xyz"]
    lines, size = [], 0
    while size < n_chars:
        line = " ".join(rng.choice(words) for _ in range(rng.randint(1, 12)))
        lines.append(line)
        size += len(line) + 1
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


@pytest.fixture(scope="module")
def lm_folder(lm, tmp_path_factory):
    return save_model(lm, tmp_path_factory.mktemp("lm") / "lm")


@pytest.mark.parametrize("extra", [[], ["--json"], ["--tokens"], ["--json", "--tokens"]])
def test_cli_lm_score_file_prints_what_it_printed_before(lm, lm_folder, tmp_path, capsys, extra):
    corpus = _corpus(tmp_path / "c.txt", 3000)
    assert main(["lm", "score", str(lm_folder), "--file", str(corpus), *extra]) == 0
    out = capsys.readouterr().out
    r = score_text(lm, read_text(corpus))  # what the command computed before it streamed
    if "--json" in extra:
        obj = r.to_json()
        if "--tokens" in extra:
            obj["tokens"], obj["token_logprobs"] = r.tokens, r.token_logprobs
        assert out == json.dumps(obj, ensure_ascii=False) + "\n"
    else:
        head = (f"logprob {r.logprob:.3f}  perplexity {r.perplexity:.3f}  tokens {r.n_tokens}  "
                f"unk {r.n_unk}  {corpus}")  # fmt: skip
        assert out.splitlines()[0] == head
        assert len(out.splitlines()) == (1 + 1 + r.n_tokens if "--tokens" in extra else 1)


def test_score_lines_memory_does_not_grow_with_the_text(lm, tmp_path, monkeypatch):
    """The old score_text kept ~85 bytes per character (5 MB -> 665 MB); streaming keeps a
    block of the file and a chunk of tokens: the same peak for a text twice as long (blocks of
    16 KiB here to keep the test short; 1 MiB in use)."""
    monkeypatch.setattr(lines_module, "BLOCK_BYTES", 1 << 14)
    peaks = []
    for size in (100_000, 200_000):
        corpus = _corpus(tmp_path / f"{size}.txt", size)
        tracemalloc.start()
        score_lines(lm, iter_lines(corpus))
        peaks.append(tracemalloc.get_traced_memory()[1])
        tracemalloc.stop()
    assert peaks[1] < 1.2 * peaks[0], peaks
    assert max(peaks) < 2_000_000, peaks


def _bleu_files(tmp_path: Path, n: int) -> tuple[Path, Path, Path]:
    rng = random.Random(1)
    words = "the a cat dog sat on mat , . is was big small red".split()
    hyp, ref1, ref2 = [], [], []
    for _ in range(n):
        ref = [rng.choice(words) for _ in range(rng.randint(1, 15))]
        ref1.append(" ".join(ref))
        ref2.append(" ".join(reversed(ref)))
        hyp.append(" ".join(w if rng.random() < 0.7 else rng.choice(words) for w in ref))
    files = []
    for name, lines in (("hyp", hyp), ("ref1", ref1), ("ref2", ref2)):
        files.append(tmp_path / f"{name}.txt")
        files[-1].write_text("\n".join(lines) + "\n", encoding="utf-8")
    return tuple(files)


@pytest.mark.parametrize("extra", [[], ["--smooth", "floor"], ["--smooth", "add-k", "--lowercase"],
                                   ["--tokenize", "none"]])  # fmt: skip
def test_cli_bleu_streamed_equals_corpus_bleu(tmp_path, capsys, extra):
    hyp, ref1, ref2 = _bleu_files(tmp_path, 500)
    assert main(["bleu", str(hyp), str(ref1), str(ref2), "--json", *extra]) == 0
    streamed = json.loads(capsys.readouterr().out)
    lines = [p.read_text().splitlines() for p in (hyp, ref1, ref2)]
    options = {"smooth": extra[1]} if extra[:1] == ["--smooth"] else {}
    options |= {"lowercase": True} if "--lowercase" in extra else {}
    options |= {"tokenize": "none"} if "--tokenize" in extra else {}
    signature = streamed.pop("signature")  # the CLI also prints how the score was computed
    assert signature.startswith("nrefs:2|case:" + ("lc" if "--lowercase" in extra else "mixed"))
    assert streamed == corpus_bleu(lines[0], lines[1:], **options).to_json()


def test_cli_bleu_from_stdin_and_mismatched_lengths(tmp_path, capsys, monkeypatch):
    hyp, ref1, _ = _bleu_files(tmp_path, 50)
    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(hyp.read_bytes())))
    assert main(["bleu", "-", str(ref1), "--json"]) == 0
    assert json.loads(capsys.readouterr().out) == json.loads(
        (main(["bleu", str(hyp), str(ref1), "--json"]), capsys.readouterr().out)[1]
    )
    short = tmp_path / "short.txt"
    short.write_text("\n".join(ref1.read_text().splitlines()[:7]) + "\n")
    assert main(["bleu", str(hyp), str(short)]) == 2
    assert f"{hyp} has 50 lines but {short} has 7" in capsys.readouterr().err
    assert main(["bleu", str(short), str(hyp)]) == 2
    assert f"{short} has 7 lines but {hyp} has 50" in capsys.readouterr().err


def test_bleu_memory_does_not_grow_with_the_files(tmp_path, capsys, monkeypatch):
    """bleu kept every line (1M lines > 0.5 GB); now a block of each file at a time."""
    monkeypatch.setattr(lines_module, "BLOCK_BYTES", 1 << 14)
    peaks = []
    for n in (2_000, 8_000):
        files = _bleu_files(tmp_path, n)
        tracemalloc.start()
        assert main(["bleu", *map(str, files), "--json"]) == 0
        peaks.append(tracemalloc.get_traced_memory()[1])
        tracemalloc.stop()
        capsys.readouterr()
    assert peaks[1] < 1.2 * peaks[0], peaks
