"""``seqlab trigger``: build-data / train / evaluate / detect on a toy raw folder."""

import json

import pytest

from seqlab.cli import main
from tests.cli._helpers import capture_figures, fails, json_lines
from tests.speech._trigger_toy import make_raw


@pytest.fixture(scope="module")
def raw(tmp_path_factory):
    return make_raw(tmp_path_factory.mktemp("raw"))


def test_build_train_evaluate_detect(raw, tmp_path, monkeypatch, capsys):
    from seqlab.cli import trigger as trigger_cli

    data, model = tmp_path / "data", tmp_path / "model"
    argv = ["trigger", "build-data", raw, "--out", data, "--train", 24, "--test", 4,
            "--seconds", 2, "--sample-rate", 8000, "--json", "--no-progress"]  # fmt: skip
    assert main([str(a) for a in argv]) == 0
    built = json_lines(capsys.readouterr().out)[0]
    assert built["recordings"]["test"]["activates"] == 2 and built["train"] == 24
    assert json.loads((data / "split.json").read_text())["n_train"] == 24
    argv = ["trigger", "train", data, "--out", model, "--n-mels", 16, "--conv-channels", 8,
            "--hidden-size", 8, "--num-layers", 1, "--epochs", 2, "--batch-size", 8, "--json",
            "--freq-mask-width", 3, "--no-progress"]  # fmt: skip
    assert main([str(a) for a in argv]) == 0
    assert json.loads((model / "config.json").read_text())["config"]["freq_mask_width"] == 3
    summary = json_lines(capsys.readouterr().out)[-1]
    assert summary["clips"] == 24 and 0 < summary["threshold"] < 1 and "val_f1" in summary
    assert main(["trigger", "evaluate", str(model), str(data), "--json"]) == 0
    report = json_lines(capsys.readouterr().out)[0]
    assert report["n"] == 4 and {"precision", "recall", "f1", "frame_accuracy"} <= set(report)
    clip = str(data / "test" / "clip_00000.wav")
    plot = tmp_path / "det.png"
    figures = capture_figures(monkeypatch, trigger_cli)
    argv = ["trigger", "detect", model, clip, "--json", "--plot", plot, "--threshold", 0.3]
    assert main([str(a) for a in argv]) == 0
    line = json_lines(capsys.readouterr().out)[0]
    assert line["file"] == clip and all(0 <= t <= 2.0 for t in line["times"])
    assert plot.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert figures[0].axes[0].get_title() == "clip_00000.wav"  # the file's name, not its path
    assert (model / "loss.png").is_file()
    # several recordings: --plot names a folder, one NAME.png each; a file name is refused
    other = str(data / "test" / "clip_00001.wav")
    fails(["trigger", "detect", model, clip, other, "--plot", tmp_path / "x.png"],
          "2 recordings need a folder", capsys)  # fmt: skip
    assert not list(tmp_path.glob("x*.png"))
    argv = ["trigger", "detect", model, clip, other, "--plot", tmp_path / "plots"]
    assert main([str(a) for a in argv]) == 0
    assert sorted(p.name for p in (tmp_path / "plots").iterdir()) == [
        "clip_00000.png", "clip_00001.png"]  # fmt: skip
    capsys.readouterr()
    # text output; a bad file is reported and skipped, the good one still detected
    bad = tmp_path / "bad.wav"
    bad.write_text("not audio")
    assert main(["trigger", "detect", str(model), str(bad), clip]) == 2
    captured = capsys.readouterr()
    assert "bad.wav: not a WAV file" in captured.err and "detected at" in captured.out
    # a model of another task is refused by name
    fails(["trigger", "detect", tmp_path, clip], "config.json", capsys)


def test_errors(raw, tmp_path, capsys):
    fails(["trigger", "build-data", tmp_path / "nope", "--out", tmp_path / "o"], "no such folder",
          capsys)  # fmt: skip
    (tmp_path / "o").mkdir()
    (tmp_path / "o" / "f").write_text("x")
    fails(["trigger", "build-data", raw, "--out", tmp_path / "o"], "not empty", capsys)
    fails(["trigger", "train", tmp_path, "--out", tmp_path / "m"], "no clips.jsonl", capsys)
    fails(["trigger", "build-data", raw, "--out", tmp_path / "p", "--test-fraction", "1.5"],
          "test_fraction", capsys)  # fmt: skip


def test_training_only_options_go_to_train_config(raw, tmp_path, capsys):
    data = tmp_path / "data"
    argv = ["trigger", "build-data", raw, "--out", data, "--train", 2, "--test", 1,
            "--seconds", 1, "--sample-rate", 8000, "--no-progress", "--train-word-db", -30, -20,
            "--train-noise-db", -60, -40, "--train-tilt-db", 12, "--train-eq-db", 6]  # fmt: skip
    assert main([str(a) for a in argv]) == 0
    record = json.loads((data / "split.json").read_text())
    train, test = record["train_config"], record["config"]
    assert (train["word_db"], train["noise_db"], train["tilt_db"]) == ([-30, -20], [-60, -40], 12)
    assert (test["word_db"], test["noise_db"], test["tilt_db"]) == ([-26, -14], None, 0)
    assert (train["eq_db"], test["eq_db"]) == (6, 0)
    capsys.readouterr()
    bad = [str(a) for a in argv]
    bad[bad.index("12")], bad[bad.index(str(data))] = "-3", str(tmp_path / "d2")
    fails(bad, "tilt_db", capsys)
