"""`seqlab bleu`: sacrebleu's line, --json, stdin, multiple references, clear errors."""

import io
import json

import sacrebleu

from seqlab.cli import main

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
    theirs = sacrebleu.corpus_bleu(HYPS, [REFS, REFS2])
    assert capsys.readouterr().out.strip() == theirs.format(width=2)
    assert main(["bleu", hyp, ref, ref2, "--json"]) == 0
    obj = json.loads(capsys.readouterr().out)
    assert set(obj) == {"score", "precisions", "bp", "sys_len", "ref_len"}
    assert abs(obj["score"] - theirs.score) < 1e-9


def test_stdin_hypotheses(tmp_path, capsys, monkeypatch):
    ref = _write(tmp_path / "r", REFS)
    monkeypatch.setattr("sys.stdin", _Stdin("\n".join(HYPS) + "\n"))
    assert main(["bleu", "-", ref, "--json"]) == 0
    expected = sacrebleu.corpus_bleu(HYPS, [REFS]).score
    assert abs(json.loads(capsys.readouterr().out)["score"] - expected) < 1e-9


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
