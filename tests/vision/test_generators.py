"""The data generators: Fashion scenes (captions parse back), Fashion clips, emoji captions.

Small synthetic "photos" stand in for Fashion-MNIST (each photo's class written in its pixels),
so the tests need no data files; the real files are used when ../shared/data is there.
"""

import hashlib
import json
from pathlib import Path

import numpy as np
import pytest

from seqlab.vision.captions import read_captions_folder, write_captions_folder
from seqlab.vision.clips import clip_frames, make_clips, render_frame
from seqlab.vision.config import ACTIVITIES, SceneConfig
from seqlab.vision.emoji import emoji_captions, read_emoji
from seqlab.vision.images import write_png
from seqlab.vision.scenes import (
    held_out_pairs,
    make_scenes,
    parse_caption,
    place_names,
    scene_caption,
    scene_words,
)
from seqlab.vision.sequences import read_clips_folder, write_clips_folder

SHARED = Path(__file__).resolve().parents[3] / "shared" / "data"


@pytest.fixture(scope="module")
def photos():
    rng = np.random.default_rng(0)
    images = rng.integers(1, 255, (200, 28, 28), dtype=np.uint8)
    labels = np.arange(200) % 10
    images[:, 0, 0] = labels  # the class, readable back from the scene
    return images, labels.astype(np.uint8)


def _digest(folder: Path) -> str:
    h = hashlib.sha256()
    for path in sorted(p for p in folder.rglob("*") if p.is_file()):
        h.update(str(path.relative_to(folder)).encode() + path.read_bytes())
    return h.hexdigest()


# --- scenes --------------------------------------------------------------------------------------


@pytest.mark.parametrize("config", [SceneConfig(), SceneConfig(grid=2, max_items=3),
                                    SceneConfig(words="fine")])  # fmt: skip
@pytest.mark.parametrize("held_out", [False, True])
def test_every_caption_parses_back_to_its_items(photos, config, held_out):
    scenes = make_scenes(*photos, 300, seed=3, config=config, held_out=held_out)
    banned = held_out_pairs(config)
    words = scene_words(config.words)
    places = place_names(config.grid)
    side = config.grid * config.cell_size
    for scene in scenes:
        pairs = {(it.word, it.place) for it in scene.items}
        assert parse_caption(scene.caption, config) == pairs
        assert len(pairs) == len(scene.items)
        assert config.min_items <= len(scene.items) <= config.max_items
        assert scene.image.shape == (side, side) and scene.image.dtype == np.uint8
        n_banned = len(pairs & banned)
        assert n_banned == (1 if held_out else 0)
        for it in scene.items:
            assert words[it.label] == it.word and places[it.cell] == it.place
            # the photo is inside its own cell
            row, col = divmod(it.cell, config.grid)
            cell = scene.image[row * config.cell_size : (row + 1) * config.cell_size,
                               col * config.cell_size : (col + 1) * config.cell_size]  # fmt: skip
            assert (cell > 0).sum() >= 28 * 28 - 28  # (pixel [0, 0] may hold class 0)


def test_caption_grammar_by_hand():
    assert scene_caption([("bag", "centre")]) == "a bag in the centre"
    assert (
        scene_caption([("shoe", "lower right"), ("trousers", "upper left"), ("top", "centre")])
        == "a pair of trousers in the upper left, a top in the centre and a shoe in the lower right"
    )
    assert scene_caption([("ankle boot", "upper left")], 2) == "an ankle boot in the upper left"
    fine = SceneConfig(words="fine")
    assert parse_caption("an ankle boot in the centre and a t-shirt in the lower left", fine) == {
        ("ankle boot", "centre"),
        ("t-shirt", "lower left"),
    }


@pytest.mark.parametrize("bad", ["a cat in the centre", "a bag at the centre",
                                 "a bag in the middle",
                                 "a bag in the centre and a top in the centre", ""])  # fmt: skip
def test_parse_refuses_other_text(bad):
    with pytest.raises(ValueError):
        parse_caption(bad)


def test_held_out_pairs_one_per_word():
    pairs = held_out_pairs(SceneConfig())
    assert sorted(w for w, _ in pairs) == ["bag", "dress", "shoe", "top", "trousers"]
    assert len({p for _, p in pairs}) == 5


def test_scenes_folder_same_seed_same_bytes(photos, tmp_path):
    def write(folder, seed):
        scenes = make_scenes(*photos, 20, seed=seed)
        items = [[{"word": i.word, "place": i.place, "cell": i.cell} for i in s.items]
                 for s in scenes]  # fmt: skip
        return write_captions_folder(folder, [s.image for s in scenes],
                                     [s.caption for s in scenes], items=items, grid=3)  # fmt: skip

    a, b, c = write(tmp_path / "a", 0), write(tmp_path / "b", 0), write(tmp_path / "c", 1)
    assert _digest(a) == _digest(b) != _digest(c)
    data, problems = read_captions_folder(a)
    assert problems == [] and len(data) == 20 and data.images.shape == (20, 1, 96, 96)
    assert data.grid == 3 and data.items[0][0]["word"] in scene_words("coarse")


def test_captions_folder_bad_input(tmp_path, photos):
    folder = write_captions_folder(tmp_path / "f", [photos[0][0]] * 2, ["a bag", "a top"])
    text = (folder / "captions.tsv").read_text()
    (folder / "captions.tsv").write_text(text.replace("\n", "\n\n", 1))
    with pytest.raises(ValueError, match="line 2 is empty"):
        read_captions_folder(folder)
    (folder / "captions.tsv").write_text(text)
    (folder / "images" / "00001.png").write_text("not a png")
    data, problems = read_captions_folder(folder)
    assert len(data) == 1 and len(problems) == 1 and "00001.png" in problems[0]
    write_png(folder / "images" / "00001.png", np.zeros((30, 30), np.uint8))
    data, problems = read_captions_folder(folder)
    assert len(data) == 1 and "30x30" in problems[0]
    data, problems = read_captions_folder(folder, on_size="resize")
    assert len(data) == 2 and problems == []


# --- clips ---------------------------------------------------------------------------------------


def test_clips_balanced_shapes_deterministic(photos, tmp_path):
    clips, labels = make_clips(photos[0], 16, seed=5)
    assert clips.shape == (16, 16, 32, 32) and clips.dtype == np.uint8
    assert labels == list(ACTIVITIES) * 2
    again, _ = make_clips(photos[0], 16, seed=5)
    np.testing.assert_array_equal(clips, again)
    a = write_clips_folder(tmp_path / "a", clips, labels)
    b = write_clips_folder(tmp_path / "b", again, labels)
    assert _digest(a) == _digest(b)
    data, problems = read_clips_folder(a)
    assert problems == [] and data.kind == "frames" and len(data) == 16
    assert data.data[0].shape == (16, 1, 32, 32)
    np.testing.assert_array_equal(data.data[3].numpy()[:, 0], clips[3])


def test_opposites_are_time_reversals(photos):
    """With the same random draws, an activity and its opposite are the same frames in reverse
    order: only the order tells them apart."""
    photo = photos[0][7]
    for forward, backward in (("move left", "move right"), ("move up", "move down"),
                              ("rotate clockwise", "rotate anticlockwise"),
                              ("zoom in", "zoom out")):  # fmt: skip
        a = clip_frames(photo, forward, np.random.default_rng(4))
        b = clip_frames(photo, backward, np.random.default_rng(4))
        assert a.shape == (16, 32, 32)
        np.testing.assert_array_equal(a[::-1], b)
        assert not np.array_equal(a, b)
    with pytest.raises(ValueError, match="unknown activity"):
        clip_frames(photo, "jump", np.random.default_rng(0))


def test_render_frame_geometry():
    photo = np.zeros((28, 28), np.uint8)
    photo[1:4, 12:16] = 255  # a bar at the top of the photo
    centre = 15.5
    up = render_frame(photo, 32, x=centre, y=centre, angle=0, scale=1.0)
    rows, cols = np.nonzero(up > 100)
    assert rows.mean() < 8 and abs(cols.mean() - centre) < 1
    clockwise = render_frame(photo, 32, x=centre, y=centre, angle=90, scale=1.0)
    rows, cols = np.nonzero(clockwise > 100)
    assert cols.mean() > 24 and abs(rows.mean() - centre) < 1  # the top turned to the right
    left = render_frame(photo, 32, x=centre - 6, y=centre, angle=0, scale=1.0)
    assert np.nonzero(left > 100)[1].mean() < centre - 5
    small = render_frame(photo, 32, x=centre, y=centre, angle=0, scale=0.5)
    assert (small > 100).sum() < (up > 100).sum() / 2


def test_clip_motion_direction(photos):
    clips, labels = make_clips(photos[0], 8, seed=2)

    def centroid(frame):
        rows, cols = np.nonzero(frame > 0)
        return rows.mean(), cols.mean()

    first, last = centroid(clips[0, 0]), centroid(clips[0, -1])
    assert labels[0] == "move left" and last[1] < first[1] - 5
    first, last = centroid(clips[3, 0]), centroid(clips[3, -1])
    assert labels[3] == "move down" and last[0] > first[0] + 5
    assert (clips[6, -1] > 0).sum() > (clips[6, 0] > 0).sum()  # zoom in: the photo grows


# --- emoji ---------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def emoji_root(tmp_path_factory):
    """A 3 x 3 sheet: two base emoji, one with two skin-tone variants (one of two tones)."""
    root = tmp_path_factory.mktemp("emoji")
    sheet = np.zeros((3 * 66, 3 * 66, 4), np.uint8)
    for k in range(9):
        x, y = divmod(k, 3)
        sheet[66 * y + 1 : 66 * y + 65, 66 * x + 1 : 66 * x + 65] = (k * 20, 0, 0, 255)
    write_png(root / "sheet_google_64.png", sheet)
    entries = [
        {"name": "GRINNING FACE", "sheet_x": 0, "sheet_y": 0},
        {"name": "WAVING HAND SIGN", "sheet_x": 0, "sheet_y": 1, "skin_variations": {
            "1F3FB": {"sheet_x": 0, "sheet_y": 2}, "1F3FF": {"sheet_x": 1, "sheet_y": 0}}},
        {"name": "PEOPLE HOLDING HANDS", "sheet_x": 1, "sheet_y": 1, "skin_variations": {
            "1F3FB-1F3FF": {"sheet_x": 1, "sheet_y": 2}}},
    ]  # fmt: skip
    (root / "emoji.json").write_text(json.dumps(entries), encoding="utf-8")
    return root


def test_emoji_captions_by_hand(emoji_root):
    examples = read_emoji(emoji_root)
    captions = [e["caption"] for e in examples]
    assert captions == [
        "grinning face",
        "waving hand sign",
        "waving hand sign, light skin tone",
        "waving hand sign, dark skin tone",
        "people holding hands",
        "people holding hands, light skin tone, dark skin tone",
    ]
    assert examples[2]["image"].shape == (64, 64, 4)
    assert int(examples[2]["image"][0, 0, 0]) == 2 * 20  # sheet (x=0, y=2) is cell k = 2
    assert int(examples[3]["image"][0, 0, 0]) == 3 * 20  # sheet (x=1, y=0) is cell k = 3


def test_emoji_splits(emoji_root):
    tones = emoji_captions(emoji_root, split="tones", seed=0)
    assert all(e["tones"] for e in tones["test"])
    train_bases = {e["base"] for e in tones["train"]}
    assert {e["base"] for e in tones["test"]} <= train_bases  # the base emoji is seen
    held = {(e["base"], e["tones"][0]) for e in tones["test"]}
    assert not {(e["base"], e["tones"][0]) for e in tones["train"] if e["tones"]} & held
    novel = emoji_captions(emoji_root, split="novel", seed=0, novel=0.34)
    assert not {e["base"] for e in novel["train"]} & {e["base"] for e in novel["test"]}
    assert len(novel["train"]) + len(novel["test"]) == 6
    with pytest.raises(ValueError, match="split"):
        emoji_captions(emoji_root, split="colours")


@pytest.mark.skipif(not (SHARED / "emoji_images").is_dir(), reason="needs ../shared/data")
def test_emoji_real_counts():
    parts = emoji_captions(SHARED / "emoji_images", split="tones")
    assert len(parts["train"]) + len(parts["test"]) == 1911 + 1875
    assert all(e["tones"] for e in parts["test"])
