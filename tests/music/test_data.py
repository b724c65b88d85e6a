"""Reading chorales into piano rolls, clear errors for bad files, and padded shifted batches."""

import json

import numpy as np
import pytest
import torch

from seqlab.music import (
    N_KEYS,
    RollBatches,
    pitches_to_roll,
    read_chorales,
    roll_to_pitches,
    shift_inputs,
)


def test_reads_the_fixture_as_rolls(chorales_path):
    rolls = read_chorales(chorales_path)
    raw = json.loads(chorales_path.read_text())
    assert [len(rolls[s]) for s in ("train", "valid", "test")] == [4, 2, 2]
    for split in rolls:
        for roll, piece in zip(rolls[split], raw[split]):
            assert roll.shape == (len(piece), N_KEYS) and roll.dtype == np.uint8
            assert roll_to_pitches(roll) == [sorted(step) for step in piece]


def test_key_index_is_pitch_minus_21():
    roll = pitches_to_roll([[21, 108], [], [60]])
    assert roll[0, 0] == 1 and roll[0, 87] == 1 and roll[1].sum() == 0 and roll[2, 39] == 1


@pytest.mark.parametrize(
    ("content", "match"),
    [
        ("{not json", "invalid JSON"),
        ("[1, 2]", "expected a JSON object"),
        ('{"train": [[[60]]], "valid": [[[60]]]}', "missing split(s) test"),
        ('{"train": [], "valid": [[[60]]], "test": [[[60]]]}', "split 'train'"),
        ('{"train": [[]], "valid": [[[60]]], "test": [[[60]]]}', "train piece 0"),
        ('{"train": [[[60]]], "valid": [[[60], [20]]], "test": [[[60]]]}', "valid piece 0, step 1"),
        ('{"train": [[[60]]], "valid": [[[60]]], "test": [[[60, 109]]]}', "outside the piano"),
        ('{"train": [[[60.5]]], "valid": [[[60]]], "test": [[[60]]]}', "not an integer"),
        ('{"train": [[["C4"]]], "valid": [[[60]]], "test": [[[60]]]}', "not an integer"),
        ('{"train": [[[true]]], "valid": [[[60]]], "test": [[[60]]]}', "not an integer"),
        ('{"train": [[60]], "valid": [[[60]]], "test": [[[60]]]}', "step 0: expected a list"),
    ],
)
def test_bad_files_name_the_file_and_the_place(tmp_path, content, match):
    path = tmp_path / "bad.json"
    path.write_text(content, encoding="utf-8")
    with pytest.raises(ValueError, match="bad.json") as info:
        read_chorales(path)
    assert match in str(info.value)


def test_missing_file_is_a_value_error(tmp_path):
    with pytest.raises(ValueError, match="no such file"):
        read_chorales(tmp_path / "nope.json")


def test_inputs_are_the_targets_shifted_by_one_step():
    y = torch.tensor([[[1.0, 0], [0, 1], [1, 1]]])  # (1, 3, 2)
    assert shift_inputs(y).tolist() == [[[0, 0], [1, 0], [0, 1]]]


def test_batches_are_padded_with_lengths(chorales_path):
    rolls = read_chorales(chorales_path)["train"]
    batches = RollBatches(rolls, 3, shuffle=True, seed=1)(0)
    assert sum(len(b["lengths"]) for b in batches) == len(rolls)
    seen = []
    for b in batches:
        B, T = len(b["lengths"]), int(b["lengths"].max())
        assert b["x"].shape == b["y"].shape == (B, T, N_KEYS)
        for row, n in enumerate(b["lengths"].tolist()):
            assert b["y"][row, n:].sum() == 0  # padding is silence
            assert torch.equal(b["x"][row, 1:n], b["y"][row, : n - 1])
            assert b["x"][row, 0].sum() == 0  # the first step is predicted from zeros
            seen.append(b["y"][row, :n].numpy().astype(np.uint8).tobytes())
    assert sorted(seen) == sorted(r.tobytes() for r in rolls)
