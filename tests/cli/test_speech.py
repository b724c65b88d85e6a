"""``seqlab speech``: train / transcribe / evaluate on a tiny synthetic recording folder."""

import pytest

from seqlab.cli import main
from tests.cli._helpers import fails, json_lines
from tests.speech._toy import write_folder


@pytest.fixture(scope="module")
def folder(tmp_path_factory):
    root = tmp_path_factory.mktemp("toy")
    write_folder(root, 24, seed=1)
    return root


def test_train_transcribe_evaluate(folder, tmp_path, capsys):
    out = tmp_path / "m"
    argv = ["speech", "train", str(folder), "--out", str(out), "--conv-channels", "16",
            "--hidden-size", "16", "--num-layers", "1", "--epochs", "2", "--batch-size", "8",
            "--json", "--no-progress"]  # fmt: skip
    assert main(argv) == 0
    summary = json_lines(capsys.readouterr().out)[-1]
    assert summary["alphabet"] == "ab" and summary["utterances"] == 24
    assert (out / "loss.png").read_bytes()[:4] == b"\x89PNG"  # the loss curves, as every train
    wavs = [str(folder / "u0.wav"), str(folder / "u1.wav")]
    assert main(["speech", "transcribe", str(out), *wavs, "--json"]) == 0
    lines = json_lines(capsys.readouterr().out)
    assert [line["file"] for line in lines] == wavs and all(set(line["text"]) <= set("ab")
                                                            for line in lines)  # fmt: skip
    assert main(["speech", "evaluate", str(out), str(folder), "--json", "--beam", "2"]) == 0
    report = json_lines(capsys.readouterr().out)[0]
    assert set(report) == {"wer", "cer", "exact_match", "n"} and report["n"] == 24
    # a bad file is reported and skipped, the others are still transcribed
    bad = tmp_path / "bad.wav"
    bad.write_text("not audio")
    assert main(["speech", "transcribe", str(out), str(bad), wavs[0]]) == 2
    captured = capsys.readouterr()
    assert "bad.wav: not a WAV file" in captured.err and wavs[0] in captured.out


def test_errors(folder, tmp_path, capsys):
    fails(["speech", "train", "--out", tmp_path / "m"], "either a data folder or --fsdd", capsys)
    fails(["speech", "train", tmp_path, "--out", tmp_path / "m"], "no transcripts.tsv", capsys)
    fails(["speech", "transcribe", tmp_path / "nope", folder / "u0.wav"], "nope", capsys)
