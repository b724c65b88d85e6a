"""``seqlab music train | sample | evaluate`` through main([...]) on tiny chorales in tmp_path."""

import json
import shutil
from pathlib import Path

import numpy as np
import pytest

import seqlab
import seqlab.cli
from seqlab.cli import main, music
from tests.cli._helpers import capture_figures, fails, json_lines, tick_labels

FIXTURE = Path(__file__).parents[1] / "music" / "fixtures" / "tiny_chorales.json"
PNG_MAGIC = b"\x89PNG\r\n\x1a\n"
TINY = ["--hidden-size", "8", "--batch-size", "2", "--no-progress", "--threads", "1"]


@pytest.fixture(scope="module", autouse=True)
def _music_registered():
    """The music group, until seqlab.cli lists it in GROUPS itself."""
    with pytest.MonkeyPatch.context() as mp:
        if music not in seqlab.cli.GROUPS:
            mp.setattr(seqlab.cli, "GROUPS", (*seqlab.cli.GROUPS, music))
        yield


@pytest.fixture(scope="module")
def data(tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("data") / "chorales.json"
    shutil.copy(FIXTURE, path)
    return path


@pytest.fixture(scope="module")
def model_dir(data, tmp_path_factory, _music_registered) -> Path:
    out = tmp_path_factory.mktemp("models") / "gru"
    argv = ["music", "train", str(data), "--cell", "gru", "--out", str(out), *TINY,
            "--epochs", "3"]  # fmt: skip
    assert main(argv) == 0
    return out


def test_train_writes_a_model_folder_and_a_json_summary(data, tmp_path, capsys):
    out = tmp_path / "lstm"
    argv = ["music", "train", data, "--cell", "lstm", "--out", out, *TINY, "--max-steps", "4",
            "--json"]  # fmt: skip
    assert main([str(a) for a in argv]) == 0
    (summary,) = json_lines(capsys.readouterr().out)
    assert summary["steps"] == 4 and summary["val_loss"] > 0 and summary["train_pieces"] == 4
    config = json.loads((out / "config.json").read_text())
    assert config["task"] == "music" and config["config"]["cell"] == "lstm"
    assert (out / "model.safetensors").is_file() and (out / "data.json").is_file()


def test_preset_alone_follows_the_cell(data, tmp_path, capsys):
    out = tmp_path / "rnn"
    argv = ["music", "train", data, "--cell", "rnn", "--preset", "--out", out, "--max-steps",
            "1", "--no-progress", "--json"]  # fmt: skip
    assert main([str(a) for a in argv]) == 0
    config = json.loads((out / "config.json").read_text())["config"]
    assert (config["cell"], config["hidden_size"]) == ("rnn", 100)
    assert json_lines(capsys.readouterr().out)[0]["n_parameters"] == 27788


def test_note_names():
    from seqlab.music import note_name

    assert [note_name(p) for p in (21, 60, 61, 69, 108)] == ["A0", "C4", "C#4", "A4", "C8"]


def test_the_piano_roll_has_a_title_and_names_its_notes(model_dir, tmp_path, monkeypatch, capsys):
    from seqlab.cli import _figures

    figures = capture_figures(monkeypatch, _figures)
    argv = ["music", "sample", model_dir, "--out", tmp_path / "p.mid", "--plot",
            tmp_path / "p.png", "--length", "8", "--seed", "3"]  # fmt: skip
    assert main([str(a) for a in argv]) == 0
    ax = figures[0].axes[0]
    assert ax.get_title() == f"Sampled from {model_dir.name} (temperature 1, seed 3)"
    assert tick_labels(ax.yaxis) == [f"C{octave}" for octave in range(1, 9)]  # C1 .. C8


def test_sample_writes_midi_and_a_png(model_dir, tmp_path, capsys):
    from seqlab.music import read_midi

    mid, png = tmp_path / "piece.mid", tmp_path / "roll.png"
    argv = ["music", "sample", model_dir, "--out", mid, "--plot", png, "--length", "12",
            "--prime-from", FIXTURE, "--prime-length", "3", "--seed", "1", "--json"]  # fmt: skip
    assert main([str(a) for a in argv]) == 0
    (info,) = json_lines(capsys.readouterr().out)
    assert info["time_steps"] == 15 and info["prime_time_steps"] == 3
    assert png.read_bytes().startswith(PNG_MAGIC)
    roll = read_midi(mid)
    assert roll.shape[1] == 88 and int(roll.sum()) == info["notes"]
    # same seed, same piece
    mid2 = tmp_path / "again.mid"
    argv[4], argv[6] = mid2, tmp_path / "again.png"
    assert main([str(a) for a in argv]) == 0
    assert np.array_equal(read_midi(mid2), roll)


def test_evaluate_prints_nll_per_step(model_dir, data, capsys):
    from seqlab.music import nll_per_step, read_chorales

    assert main(["music", "evaluate", str(model_dir), str(data), "--split", "test", "--json"]) == 0
    (result,) = json_lines(capsys.readouterr().out)
    expected = nll_per_step(seqlab.load(model_dir), read_chorales(data)["test"])
    assert result["nll_per_step"] == pytest.approx(expected)
    assert (result["split"], result["n"], result["time_steps"]) == ("test", 2, 16)
    assert main(["music", "evaluate", str(model_dir), str(data)]) == 0
    assert "NLL" in capsys.readouterr().out


def test_errors_are_one_line_and_leave_no_files(model_dir, data, tmp_path, capsys):
    bad = tmp_path / "bad.json"
    bad.write_text('{"train": [[[60, 200]]], "valid": [], "test": []}', encoding="utf-8")
    out = tmp_path / "never"
    fails(["music", "train", bad, "--out", out, *TINY], "outside the piano", capsys)
    assert not out.exists()
    fails(["music", "train", data, "--out", out, "--preset", "jsb-tanh"], "unknown preset", capsys)
    fails(["music", "train", data, "--out", out, "--cell", "gru", "--preset", "jsb-lstm"],
          "contradicts", capsys)  # fmt: skip
    fails(["music", "train", data, "--out", out, "--cell", "tanh", "--no-progress"], "cell",
          capsys)  # fmt: skip
    assert not out.exists()
    mid = tmp_path / "x.mid"
    fails(["music", "sample", model_dir, "--out", mid, "--length", "0"], "--length", capsys)
    fails(["music", "sample", tmp_path / "nomodel", "--out", mid], "does not exist", capsys)
    fails(["music", "sample", model_dir, "--out", tmp_path / "no" / "x.mid"], "folder", capsys)
    fails(["music", "sample", model_dir, "--out", mid, "--prime-from", bad], "bad.json", capsys)
    assert not mid.exists()
    fails(["music", "evaluate", model_dir, data, "--split", "dev"], "missing split", capsys)


def test_a_language_model_folder_is_refused(tmp_path, capsys):
    lm = tmp_path / "lm"
    lm.mkdir()
    (lm / "config.json").write_text('{"task": "lm", "config": {}}', encoding="utf-8")
    fails(["music", "evaluate", lm, FIXTURE], "not a music model", capsys)
