"""`seqlab bleu`: sacrebleu's line, --json, stdin, multiple references, clear errors."""

import io
import json

import pytest
import sacrebleu
from sacrebleu.metrics import BLEU

from seqlab._version import __version__
from seqlab.cli import main
from seqlab.metrics.bleu import bleu_signature

HYPS = ["the cat sat on the mat", "a dog ran in the park", "hello there world"]
REFS = ["the cat sat on a mat", "the dog ran in the park", "hello world"]
REFS2 = ["a cat sat on the mat", "a dog runs in a park", "hello there , world"]


def _write(path, lines):
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return str(path)


class _Stdin:
    def __init__(self, text: str) -> None:
        self.buffer = io.BytesIO(text.encode("utf-8"))


def test_line_and_json_equal_sacrebleu(tmp_path, capsys):
    hyp, ref, ref2 = (_write(tmp_path / n, x) for n, x in
                      [("h", HYPS), ("r", REFS), ("r2", REFS2)])  # fmt: skip
    assert main(["bleu", hyp, ref, ref2]) == 0
    metric = BLEU()
    theirs = metric.corpus_score(HYPS, [REFS, REFS2])
    line, signature = capsys.readouterr().out.strip().splitlines()
    assert line == theirs.format(width=2)
    assert signature == "signature: " + _ours(metric.get_signature().format())
    assert main(["bleu", hyp, ref, ref2, "--json"]) == 0
    obj = json.loads(capsys.readouterr().out)
    assert set(obj) == {"bleu", "precisions", "bp", "sys_len", "ref_len", "signature"}
    assert abs(obj["bleu"] - theirs.score) < 1e-9
    assert obj["signature"] == _ours(metric.get_signature().format())


def _ours(signature: str) -> str:
    """sacrebleu's signature with seqlab's version in place of sacrebleu's."""
    head, version = signature.rsplit("|version:", 1)
    assert version == sacrebleu.__version__
    return f"{head}|version:seqlab-{__version__}"


@pytest.mark.parametrize(
    "options",
    [
        {},
        {"lowercase": True},
        {"tokenize": "none"},
        {"smooth_method": "floor"},
        {"smooth_method": "floor", "smooth_value": 0.3},
        {"smooth_method": "add-k", "smooth_value": 2},
        {"smooth_method": "none"},
    ],
)
def test_signature_equals_sacrebleu_s(options):
    metric = BLEU(**options)
    metric.corpus_score(HYPS, [REFS, REFS2])
    ours = bleu_signature(n_refs=2, lowercase=options.get("lowercase", False),
                          tokenize=options.get("tokenize", "13a"),
                          smooth=options.get("smooth_method", "exp"),
                          smooth_value=options.get("smooth_value"))  # fmt: skip
    assert ours == _ours(metric.get_signature().format())


def test_old_bleu_flags_still_work(tmp_path, capsys):
    hyp, ref = _write(tmp_path / "h", HYPS), _write(tmp_path / "r", REFS)
    assert main(["bleu", hyp, ref, "--lowercase", "--json"]) == 0
    assert "case:lc" in json.loads(capsys.readouterr().out)["signature"]
    assert main(["bleu", hyp, ref, "--lowercase", "true", "--json"]) == 0  # --x BOOL: warns
    out = capsys.readouterr()
    assert "case:lc" in json.loads(out.out)["signature"] and "deprecated" in out.err


def test_stdin_hypotheses(tmp_path, capsys, monkeypatch):
    ref = _write(tmp_path / "r", REFS)
    monkeypatch.setattr("sys.stdin", _Stdin("\n".join(HYPS) + "\n"))
    assert main(["bleu", "-", ref, "--json"]) == 0
    expected = sacrebleu.corpus_bleu(HYPS, [REFS]).score
    assert abs(json.loads(capsys.readouterr().out)["bleu"] - expected) < 1e-9


def test_errors_exit_2_with_one_line(tmp_path, capsys):
    hyp, ref = _write(tmp_path / "h", HYPS), _write(tmp_path / "r", REFS[:2])
    for argv, words in [
        (["bleu", hyp, ref], "has 3 lines but"),
        (["bleu", hyp, str(tmp_path / "missing")], "no such file"),
        (["bleu", hyp, hyp], "cannot be"),
    ]:
        assert main(argv) == 2
        err = capsys.readouterr().err.strip()
        assert err.startswith("seqlab: error:") and words in err and "\n" not in err
