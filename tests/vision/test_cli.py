"""``seqlab caption ...`` and ``seqlab activity ...`` through main([...]) on tiny data."""

import dataclasses
import gzip
import hashlib
import json
import shutil
import struct
from pathlib import Path

import numpy as np
import pytest

from seqlab.cli import main
from seqlab.datasets.catalog import CATALOG, DataFile
from seqlab.vision.images import write_png

PNG_MAGIC = b"\x89PNG\r\n\x1a\n"
TINY_CAPTION = ["--epochs", "1", "--max-minutes", "none", "--cnn-width", "4", "--hidden-size",
                "16", "--embedding-size", "8", "--attention-size", "8", "--vector-size", "8",
                "--batch-size", "16", "--no-progress", "--device", "cpu",
                "--warmup-steps", "0"]  # fmt: skip
TINY_ACTIVITY = ["--max-steps", "4", "--max-minutes", "none", "--cnn-width", "4", "--cnn-blocks",
                 "2", "--hidden-size", "8", "--frame-size", "8", "--batch-size", "8",
                 "--no-progress", "--device", "cpu", "--warmup-steps", "0"]  # fmt: skip


def _json_lines(out: str) -> list[dict]:
    return [json.loads(line) for line in out.strip().splitlines()]


def _fails(argv, match, capsys) -> str:
    assert main([str(a) for a in argv]) == 2
    err = capsys.readouterr().err.strip()
    assert len(err.splitlines()) == 1, err
    assert err.startswith("seqlab: error: ") and match in err and "Traceback" not in err
    return err


def _idx(path, array):
    header = bytes([0, 0, 8, array.ndim]) + struct.pack(f">{array.ndim}I", *array.shape)
    path.write_bytes(gzip.compress(header + array.tobytes()))


@pytest.fixture(scope="module")
def fashion(tmp_path_factory):
    """A Fashion-MNIST folder of 60 random 'photos' per split (the real IDX layout)."""
    root = tmp_path_factory.mktemp("fashion")
    rng = np.random.default_rng(0)
    for stem in ("train", "t10k"):
        _idx(root / f"{stem}-images-idx3-ubyte.gz",
             rng.integers(1, 255, (60, 28, 28), dtype=np.uint8))  # fmt: skip
        _idx(root / f"{stem}-labels-idx1-ubyte.gz", (np.arange(60) % 10).astype(np.uint8))
    return root


@pytest.fixture(scope="module")
def scenes(fashion, tmp_path_factory):
    folder = tmp_path_factory.mktemp("scenes")
    assert main(["caption", "scenes", "-n", "40", "--grid", "2", "--data", str(fashion),
                 "--out", str(folder / "train")]) == 0  # fmt: skip
    assert main(["caption", "scenes", "-n", "6", "--grid", "2", "--split", "test", "--seed", "1",
                 "--data", str(fashion), "--out", str(folder / "test")]) == 0  # fmt: skip
    return folder


@pytest.fixture(scope="module")
def caption_model(scenes, tmp_path_factory):
    out = tmp_path_factory.mktemp("models") / "att"
    assert main(["caption", "train", str(scenes / "train"), *TINY_CAPTION, "--out", str(out)]) == 0
    return out


def test_scenes_same_seed_same_bytes(fashion, tmp_path, capsys):
    for name in ("a", "b"):
        assert main(["caption", "scenes", "-n", "5", "--seed", "3", "--data", str(fashion),
                     "--out", str(tmp_path / name), "--json"]) == 0  # fmt: skip
    summary = _json_lines(capsys.readouterr().out)[0]
    assert summary["n"] == 5 and summary["split"] == "train"
    for file in ("captions.tsv", "items.jsonl", "images/00004.png"):
        assert (tmp_path / "a" / file).read_bytes() == (tmp_path / "b" / file).read_bytes()


def test_scenes_bad_idx(tmp_path, capsys):
    (tmp_path / "train-images-idx3-ubyte.gz").write_bytes(gzip.compress(b"\x01\x02\x03\x04"))
    (tmp_path / "train-labels-idx1-ubyte.gz").write_bytes(b"\x1f\x8b truncated")
    _fails(["caption", "scenes", "-n", "2", "--data", tmp_path, "--out", tmp_path / "o"],
           "wrong magic number", capsys)  # fmt: skip


def test_train_run_evaluate_attention(caption_model, scenes, tmp_path, capsys):
    capsys.readouterr()
    images = sorted((scenes / "test" / "images").iterdir())
    bad = tmp_path / "bad.png"
    bad.write_bytes(PNG_MAGIC + b"garbage")
    code = main(["caption", "run", str(caption_model), str(images[0]), str(bad), str(images[1]),
                 "--json", "--beam", "2", "--max-len", "12"])  # fmt: skip
    captured = capsys.readouterr()
    assert code == 2  # a file was skipped
    rows = _json_lines(captured.out)
    assert [r["image"] for r in rows] == [str(images[0]), str(images[1])]
    assert all(set(r) == {"image", "caption", "score"} for r in rows)
    assert "bad.png" in captured.err and len(captured.err.strip().splitlines()) == 1

    assert main(["caption", "evaluate", str(caption_model), str(scenes / "test"), "--json",
                 "--max-len", "12", "--hyp-out", str(tmp_path / "hyp.txt")]) == 0  # fmt: skip
    result = _json_lines(capsys.readouterr().out)[0]
    keys = {"bleu", "exact_match", "n", "grounding", "grounding_n", "grounding_by_word"}
    assert keys <= set(result)
    assert result["n"] == 6 and len((tmp_path / "hyp.txt").read_text().splitlines()) == 6

    out = tmp_path / "att.png"
    assert main(["caption", "attention", str(caption_model), str(images[0]), "--plot", str(out),
                 "--max-len", "6", "--json"]) == 0  # fmt: skip
    result = _json_lines(capsys.readouterr().out)[0]
    assert out.read_bytes().startswith(PNG_MAGIC)
    assert len(result["alpha"]) == len(result["words"])
    assert all(abs(sum(row) - 1) < 1e-4 for row in result["alpha"])


def test_caption_bad_input(caption_model, scenes, tmp_path, capsys):
    folder = tmp_path / "f"
    (folder / "images").mkdir(parents=True)
    write_png(folder / "images" / "0.png", np.zeros((64, 64), np.uint8))
    (folder / "captions.tsv").write_text("images/0.png\ta bag\n\nimages/0.png\ta top\n")
    _fails(["caption", "train", folder, "--out", tmp_path / "m"], "line 2 is empty", capsys)
    other = tmp_path / "other.png"
    write_png(other, np.zeros((40, 40), np.uint8))
    _fails(["caption", "run", caption_model, other], "40x40, the model reads 64x64", capsys)
    assert main(["caption", "run", str(caption_model), str(other), "--on-size", "resize",
                 "--max-len", "4"]) == 0  # fmt: skip
    _fails(["caption", "evaluate", caption_model, tmp_path / "nowhere"], "no captions.tsv", capsys)
    plain = tmp_path / "plain"
    assert main(["caption", "train", str(scenes / "train"), *TINY_CAPTION,
                 "--no-attention", "--out", str(plain)]) == 0  # fmt: skip
    capsys.readouterr()
    image = sorted((scenes / "test" / "images").iterdir())[0]
    _fails(["caption", "attention", plain, image, "--plot", tmp_path / "a.png"],
           "Show and Tell", capsys)  # fmt: skip


# --- issue 22's bad input, each through main: one line, exit 2; a bad file among many skipped --


def test_a_truncated_or_non_image_png_alone_is_one_line(caption_model, tmp_path, capsys):
    noise = np.random.default_rng(0).integers(0, 256, (64, 64), dtype=np.uint8)
    write_png(tmp_path / "ok.png", noise)
    data = (tmp_path / "ok.png").read_bytes()
    (tmp_path / "cut.png").write_bytes(data[: len(data) // 2])
    (tmp_path / "notes.png").write_text("not a picture\n", encoding="utf-8")
    _fails(["caption", "run", caption_model, tmp_path / "cut.png"], "truncated or corrupt", capsys)
    _fails(["caption", "run", caption_model, tmp_path / "notes.png"], "not an image file", capsys)
    _fails(["caption", "attention", caption_model, tmp_path / "cut.png", "--plot",
            tmp_path / "a.png"], "cut.png: truncated or corrupt", capsys)  # fmt: skip
    assert not (tmp_path / "a.png").exists()


def test_evaluate_skips_a_bad_image_of_the_folder_and_scores_the_rest(caption_model, scenes,
                                                                     tmp_path, capsys):  # fmt: skip
    folder = Path(shutil.copytree(scenes / "test", tmp_path / "test"))
    (folder / "images" / "00002.png").write_bytes(PNG_MAGIC + b"garbage")
    capsys.readouterr()
    code = main(["caption", "evaluate", str(caption_model), str(folder), "--json",
                 "--max-len", "8"])  # fmt: skip
    captured = capsys.readouterr()
    assert code == 2 and _json_lines(captured.out)[0]["n"] == 5
    assert captured.err.startswith("seqlab: error: ") and "00002.png" in captured.err
    assert captured.err.strip().endswith("(skipped)") and len(captured.err.splitlines()) == 1


def test_a_truncated_gzip_idx_is_one_line(fashion, tmp_path, capsys):
    folder = Path(shutil.copytree(fashion, tmp_path / "fashion"))
    images = folder / "train-images-idx3-ubyte.gz"
    images.write_bytes(images.read_bytes()[:100])
    _fails(["activity", "clips", "-n", "2", "--data", folder, "--out", tmp_path / "o"],
           "train-images-idx3-ubyte.gz: not a complete gzip file", capsys)  # fmt: skip
    assert not (tmp_path / "o").exists()


def _as_data_set(folder: Path, name: str, root: Path, monkeypatch) -> None:
    """``folder``'s files as the catalogue's data set ``name`` (their sizes and checksums),
    copied into the data root ``root``."""
    files = tuple(DataFile(p.name, p.stat().st_size, hashlib.sha256(p.read_bytes()).hexdigest(),
                           None) for p in sorted(folder.iterdir()))  # fmt: skip
    monkeypatch.setitem(CATALOG, name, dataclasses.replace(CATALOG[name], files=files))
    shutil.copytree(folder, root / name)


def test_fashion_by_name_by_default_or_the_project_s_copy(fashion, tmp_path, monkeypatch, capsys):
    """--data takes the data set's name; left out, it is the data set once here, else
    ../shared/data/fashion_mnist, else one line saying how to get it."""
    (tmp_path / "repo").mkdir()
    monkeypatch.chdir(tmp_path / "repo")
    monkeypatch.setenv("SEQLAB_DATA", str(tmp_path / "data"))
    _fails(["activity", "clips", "-n", "2", "--out", "o"], "data set fashion_mnist is not here: "
           "run `seqlab data fetch fashion_mnist`", capsys)  # fmt: skip
    _fails(["caption", "scenes", "--data", "fashion_mnist", "--out", "o"],
           "data set fashion_mnist is not here", capsys)  # fmt: skip
    scenes = ["caption", "scenes", "-n", "3", "--grid", "2"]
    assert main([*scenes, "--data", str(fashion), "--out", "by-path"]) == 0
    shutil.copytree(fashion, tmp_path / "shared" / "data" / "fashion_mnist")
    assert main([*scenes, "--out", "by-shared-copy"]) == 0
    _as_data_set(fashion, "fashion_mnist", tmp_path / "data", monkeypatch)
    shutil.rmtree(tmp_path / "shared")
    assert main([*scenes, "--data", "fashion_mnist", "--out", "by-name"]) == 0
    assert main([*scenes, "--out", "by-default"]) == 0
    assert main(["activity", "clips", "-n", "2", "--frames", "4", "--out", "clips"]) == 0
    expected = Path("by-path/captions.tsv").read_bytes()
    for folder in ("by-shared-copy", "by-name", "by-default"):
        assert Path(folder, "captions.tsv").read_bytes() == expected, folder


def _emoji_root(root: Path) -> Path:
    """An emoji_images folder: a 3x3 sheet, OK HAND SIGN with its five tones, DOG FACE."""
    root.mkdir()
    sheet = np.zeros((198, 198, 4), np.uint8)
    sheet[..., 3] = 255
    write_png(root / "sheet_google_64.png", sheet)
    tones = {f"1F3F{c}": {"sheet_x": 1 + k % 2, "sheet_y": k // 2} for k, c in enumerate("BCDEF")}
    entries = [{"name": "OK HAND SIGN", "sheet_x": 0, "sheet_y": 0, "skin_variations": tones},
               {"name": "DOG FACE", "sheet_x": 0, "sheet_y": 1}]  # fmt: skip
    (root / "emoji.json").write_text(json.dumps(entries))
    return root


def test_caption_emoji(tmp_path, capsys):
    root = _emoji_root(tmp_path / "emoji_images")
    assert main(["caption", "emoji", "--data", str(root), "--out", str(tmp_path / "e"),
                 "--json"]) == 0  # fmt: skip
    assert _json_lines(capsys.readouterr().out)[0] == {
        "out": str(tmp_path / "e"),
        "split": "tones",
        "train": 6,
        "test": 1,
    }
    held = (tmp_path / "e" / "test" / "captions.tsv").read_text()
    assert held.startswith("images/00000.png\tok hand sign, ") and held.endswith(" skin tone\n")


def test_caption_emoji_by_name_and_by_default(tmp_path, monkeypatch, capsys):
    monkeypatch.chdir(tmp_path)  # no ../shared/data/emoji_images
    monkeypatch.setenv("SEQLAB_DATA", str(tmp_path / "data"))
    _fails(["caption", "emoji", "--out", "e"], "data set emoji_images is not here", capsys)
    _as_data_set(_emoji_root(tmp_path / "emoji"), "emoji_images", tmp_path / "data", monkeypatch)
    assert main(["caption", "emoji", "--data", "emoji_images", "--out", "by-name"]) == 0
    assert main(["caption", "emoji", "--out", "by-default"]) == 0
    for part in ("train", "test"):
        assert (tmp_path / "by-name" / part / "captions.tsv").read_bytes() == (
            tmp_path / "by-default" / part / "captions.tsv"
        ).read_bytes()


# --- activity ------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def clips(fashion, tmp_path_factory):
    folder = tmp_path_factory.mktemp("clips")
    assert main(["activity", "clips", "-n", "16", "--frames", "4", "--data", str(fashion),
                 "--out", str(folder / "train")]) == 0  # fmt: skip
    assert main(["activity", "clips", "-n", "8", "--frames", "4", "--split", "test", "--seed",
                 "1", "--data", str(fashion), "--out", str(folder / "test")]) == 0  # fmt: skip
    return folder


@pytest.fixture(scope="module")
def activity_model(clips, tmp_path_factory):
    out = tmp_path_factory.mktemp("activity") / "gru"
    assert main(["activity", "train", str(clips / "train"), *TINY_ACTIVITY, "--out", str(out),
                 "--json"]) == 0  # fmt: skip
    return out


def test_activity_clips_train_predict_evaluate(clips, tmp_path, capsys):
    out = tmp_path / "gru"
    assert main(["activity", "train", str(clips / "train"), *TINY_ACTIVITY, "--out", str(out),
                 "--json"]) == 0  # fmt: skip
    summary = _json_lines(capsys.readouterr().out)[0]
    assert summary["steps"] == 4 and summary["input"] == "frames"
    assert main(["activity", "predict", str(out), str(clips / "test"), "--json"]) == 0
    rows = _json_lines(capsys.readouterr().out)
    assert len(rows) == 8 and all(set(r) == {"id", "label", "prob"} for r in rows)
    plot = tmp_path / "confusion.png"
    assert main(["activity", "evaluate", str(out), str(clips / "test"), "--json", "--plot",
                 str(plot)]) == 0  # fmt: skip
    result = _json_lines(capsys.readouterr().out)[0]
    assert {"accuracy", "n", "per_class"} <= set(result) and result["n"] == 8
    assert len(result["per_class"]) == 8 and plot.read_bytes().startswith(PNG_MAGIC)


def test_activity_series_and_bad_input(tmp_path, capsys):
    train = tmp_path / "train.ts"
    rows = [f"{','.join(str(v) for v in np.sin(np.arange(12) * (1 + k % 2)))}:{'ab'[k % 2]}"
            for k in range(12)]  # fmt: skip
    train.write_text("@univariate true\n@classLabel true a b\n@data\n" + "\n".join(rows) + "\n")
    out = tmp_path / "m"
    assert main(["activity", "train", str(train), *TINY_ACTIVITY, "--out", str(out)]) == 0
    capsys.readouterr()
    ragged = tmp_path / "ragged.ts"
    ragged.write_text("@univariate false\n@dimensions 2\n@classLabel true a b\n@data\n1,2:3:a\n")
    code = main(["activity", "evaluate", str(out), str(train), str(ragged), "--json"])
    captured = capsys.readouterr()
    assert code == 2 and "ragged channels" in captured.err and "skipped" in captured.err
    assert _json_lines(captured.out)[0]["n"] == 12
    unknown = tmp_path / "unknown.ts"
    unknown.write_text("@univariate true\n@classLabel true c\n@data\n1,2,3:c\n")
    _fails(["activity", "evaluate", out, unknown], "label 'c' is unknown to the model", capsys)
    missing = tmp_path / "missing.ts"
    missing.write_text("@univariate true\n@classLabel true a\n@data\n1,?,3:a\n")
    _fails(["activity", "train", missing, "--out", tmp_path / "x"], "missing value", capsys)


def test_clips_of_another_size_are_an_error_or_resized(activity_model, fashion, tmp_path,
                                                      capsys):  # fmt: skip
    small = tmp_path / "small"
    assert main(["activity", "clips", "-n", "8", "--frames", "4", "--size", "16", "--data",
                 str(fashion), "--out", str(small)]) == 0  # fmt: skip
    capsys.readouterr()
    _fails(["activity", "predict", activity_model, small],
           "none of the 8 clips could be read (first problem: ", capsys)  # fmt: skip
    assert main(["activity", "predict", str(activity_model), str(small), "--on-size", "resize",
                 "--json"]) == 0  # fmt: skip
    assert len(_json_lines(capsys.readouterr().out)) == 8


def test_a_bad_clip_among_many_is_skipped_and_an_empty_labels_line_refused(
    activity_model, clips, tmp_path, capsys
):
    folder = Path(shutil.copytree(clips / "test", tmp_path / "test"))
    first = sorted((folder / "clips").iterdir())[0]
    first.write_bytes(PNG_MAGIC + b"garbage")
    capsys.readouterr()
    code = main(["activity", "evaluate", str(activity_model), str(folder), "--json"])
    captured = capsys.readouterr()
    assert code == 2 and _json_lines(captured.out)[0]["n"] == 7
    assert first.name in captured.err and captured.err.strip().endswith("(skipped)")
    code = main(["activity", "train", str(folder), *TINY_ACTIVITY, "--out", str(tmp_path / "m")])
    captured = capsys.readouterr()
    assert code == 0 and captured.err.startswith(f"seqlab: warning: skipped {folder}")
    text = (folder / "labels.tsv").read_text()
    (folder / "labels.tsv").write_text(text.replace("\n", "\n\n", 1))
    _fails(["activity", "predict", activity_model, folder], "labels.tsv: line 2 is empty", capsys)
    _fails(["activity", "train", folder, "--out", tmp_path / "x"], "line 2 is empty", capsys)
