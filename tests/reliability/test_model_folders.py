"""A model folder is untrusted input (issue 24, class 2): every crafted folder is a ValueError
with a message, never a traceback, a hang or an allocation beyond what its weights file holds.

Config mutations (huge, float, bool, negative, string, nested, null, deep JSON, wrong task) on
every int field of every task; asset files replaced by garbage; safetensors files truncated,
retyped, poisoned with NaN/Inf, reshaped, or with a header that lies about sizes.
"""

from __future__ import annotations

import json
import math
import struct
import subprocess
import sys
from pathlib import Path

import pytest
import torch
from safetensors.torch import save_file

import seqlab
from seqlab.train.io import read_safetensors, read_safetensors_header

from ._folders import tiny_folder

TASKS = sorted(seqlab.TASKS)
DEEP = "[" * 100_000 + "]" * 100_000
# A value of the right kind but the wrong type, size or sign, for an int config field.
INT_MUTATIONS = [10**6, 10**9, 10**30, 32.0, True, -1, "4", [4], {"n": 4}, None]


def _config(folder: Path) -> dict:
    return json.loads((folder / "config.json").read_text())


def _write_config(folder: Path, data: dict | str) -> None:
    text = data if isinstance(data, str) else json.dumps(data)
    (folder / "config.json").write_text(text)


def _load_error(folder: Path) -> str:
    with pytest.raises(ValueError) as info:
        seqlab.load(folder)
    message = str(info.value)
    assert message and "\n" not in message.strip()[:200], message
    return message


@pytest.fixture(scope="module")
def folders(tmp_path_factory) -> dict[str, Path]:
    root = tmp_path_factory.mktemp("tiny")
    return {task: tiny_folder(task, root / task) for task in TASKS}


def _copy(folder: Path, tmp_path: Path) -> Path:
    import shutil

    return Path(shutil.copytree(folder, tmp_path / folder.name))


@pytest.mark.parametrize("task", TASKS)
def test_every_tiny_folder_loads(folders, task):
    assert seqlab.load(folders[task]).task == task


@pytest.mark.parametrize("task", TASKS)
def test_every_int_config_field_mutated_is_a_value_error(folders, task, tmp_path):
    folder = _copy(folders[task], tmp_path)
    original = _config(folder)
    int_fields = [k for k, v in original["config"].items() if type(v) is int]
    assert int_fields
    cases = 0
    for name in int_fields:
        for value in INT_MUTATIONS:
            if value == original["config"][name]:
                continue
            _write_config(folder, {**original, "config": {**original["config"], name: value}})
            try:
                seqlab.load(folder)
            except ValueError as error:
                assert str(error), (name, value)
            else:  # a value the model does not depend on may load, but only as its own type
                assert type(value) is int, (name, value)
            cases += 1
    assert cases >= len(int_fields) * (len(INT_MUTATIONS) - 1)


@pytest.mark.parametrize("task", TASKS)
def test_float_and_bool_fields_mistyped_are_value_errors(folders, task, tmp_path):
    folder = _copy(folders[task], tmp_path)
    original = _config(folder)
    for name, value in original["config"].items():
        wrong = {bool: [0, "true", None], float: ["0.5", True, [0.5]], str: [1, None, ["x"]]}
        for bad in wrong.get(type(value), []):
            _write_config(folder, {**original, "config": {**original["config"], name: bad}})
            assert name in _load_error(folder)


def test_a_float_or_bool_for_an_int_names_the_field_and_the_type(folders, tmp_path):
    folder = _copy(folders["lm"], tmp_path)
    original = _config(folder)
    for value, shown in ((32.0, "float 32.0"), (True, "bool True")):
        _write_config(folder, {**original, "config": {**original["config"], "hidden_size": value}})
        message = _load_error(folder)
        assert "LMConfig.hidden_size: expected int, got " + shown in message


@pytest.mark.parametrize(
    "text",
    [
        DEEP,
        '{"task": "lm", "config": ' + DEEP + "}",
        '{"task": ' + DEEP + ', "config": {}}',
        '{"task": ["lm"], "config": {}}',
        '{"task": "lm", "config": []}',
        '{"task": "nope", "config": {}}',
        '{"task": "lm", "config": {"hidden_size": 1' + "0" * 5000 + "}}",
        "[]",
        "",
        "\xff\xfe",
        '{"task": "lm"}',
    ],
    ids=[
        "deep",
        "deep-config",
        "deep-task",
        "task-list",
        "config-list",
        "unknown-task",
        "5000-digit-int",
        "list",
        "empty",
        "not-utf8",
        "no-config",
    ],  # fmt: skip
)
def test_broken_config_json_is_a_value_error(folders, tmp_path, text):
    folder = _copy(folders["lm"], tmp_path)
    (folder / "config.json").write_bytes(text.encode("utf-8", "surrogateescape"))
    _load_error(folder)


@pytest.mark.parametrize("task", [t for t in TASKS if t != "lm"])
def test_another_tasks_config_in_the_folder_is_a_value_error(folders, task, tmp_path):
    folder = _copy(folders["lm"], tmp_path)
    _write_config(folder, _config(folders[task]))
    _load_error(folder)


ASSET_GARBAGE = [DEEP, '{"x": 1}', '"text"', "[1, 2]", "null", "{not json", "\xff"]


@pytest.mark.parametrize("task", TASKS)
def test_every_asset_file_replaced_by_garbage_is_a_value_error(folders, task, tmp_path):
    folder = _copy(folders[task], tmp_path)
    for asset in sorted(p.name for p in folder.glob("*.json") if p.name != "config.json"):
        original = (folder / asset).read_bytes()
        for garbage in ASSET_GARBAGE:
            (folder / asset).write_bytes(garbage.encode("utf-8", "surrogateescape"))
            _load_error(folder)
        (folder / asset).write_bytes(original)


# --- the weights file ---------------------------------------------------------------------


def _tensors(folder: Path) -> dict[str, torch.Tensor]:
    return dict(read_safetensors(folder / "model.safetensors"))


def _save(folder: Path, tensors: dict[str, torch.Tensor]) -> None:
    unique = {}
    for name, t in tensors.items():  # tied weights: one copy each
        unique[name] = t.clone()
    save_file(unique, str(folder / "model.safetensors"))


def _weights_folder(folders, tmp_path, task="music") -> tuple[Path, dict[str, torch.Tensor]]:
    folder = _copy(folders[task], tmp_path)
    return folder, _tensors(folder)


@pytest.mark.parametrize("dtype", [torch.int64, torch.int32, torch.uint8, torch.bool])
def test_weights_of_a_non_float_dtype_are_refused(folders, tmp_path, dtype):
    folder, tensors = _weights_folder(folders, tmp_path)
    _save(folder, {k: t.to(dtype) for k, t in tensors.items()})
    assert "expected a float type" in _load_error(folder)


@pytest.mark.parametrize("dtype", [torch.float16, torch.bfloat16, torch.float64])
def test_weights_of_another_float_dtype_are_cast(folders, tmp_path, dtype):
    folder, tensors = _weights_folder(folders, tmp_path)
    _save(folder, {k: t.to(dtype) for k, t in tensors.items()})
    model = seqlab.load(folder)
    for name, value in model.state_dict().items():
        assert value.dtype == torch.float32
        assert torch.equal(value, tensors[name].to(dtype).float()), name


@pytest.mark.parametrize("poison", [math.nan, math.inf, -math.inf])
def test_nan_or_inf_weights_are_refused_at_load(folders, tmp_path, poison):
    folder, tensors = _weights_folder(folders, tmp_path)
    name = sorted(tensors)[0]
    tensors[name].view(-1)[0] = poison
    _save(folder, tensors)
    message = _load_error(folder)
    assert "NaN or Inf" in message and name in message


def test_a_tensor_of_another_shape_is_named(folders, tmp_path):
    folder, tensors = _weights_folder(folders, tmp_path)
    name = sorted(tensors)[0]
    tensors[name] = torch.zeros(*tensors[name].shape[:-1], tensors[name].shape[-1] + 1)
    _save(folder, tensors)
    assert f"{name}: expected shape" in _load_error(folder)


def test_a_missing_and_an_extra_tensor_are_named(folders, tmp_path):
    folder, tensors = _weights_folder(folders, tmp_path)
    name = sorted(tensors)[0]
    tensors["extra"] = tensors.pop(name)
    _save(folder, tensors)
    message = _load_error(folder)
    assert "missing keys" in message and "unexpected keys ['extra']" in message


@pytest.mark.parametrize("task", TASKS)
def test_a_truncated_weights_file_is_a_value_error_at_every_length(folders, task, tmp_path):
    folder = _copy(folders[task], tmp_path)
    data = (folder / "model.safetensors").read_bytes()
    lengths = sorted({0, 1, 7, 8, 9, 20, len(data) // 2, len(data) - 1, *range(0, len(data), 97)})
    for n in lengths:
        (folder / "model.safetensors").write_bytes(data[:n])
        _load_error(folder)


def _header_file(folder: Path, header: dict, data: bytes = b"") -> None:
    raw = json.dumps(header).encode()
    (folder / "model.safetensors").write_bytes(struct.pack("<Q", len(raw)) + raw + data)


@pytest.mark.parametrize(
    "header",
    [
        {"w": {"dtype": "F32", "shape": [10**9, 10**9], "data_offsets": [0, 4 * 10**18]}},
        {"w": {"dtype": "F32", "shape": [10**6], "data_offsets": [0, 16]}},
        {"w": {"dtype": "F32", "shape": [4], "data_offsets": [0, 16]}},  # promises 16, has 8
        {"w": {"dtype": "F32", "shape": [-4], "data_offsets": [0, 16]}},
        {"w": {"dtype": "F32", "shape": [2.0], "data_offsets": [0, 8]}},
        {"w": {"dtype": "F32", "shape": [True, 2], "data_offsets": [0, 8]}},
        {"w": {"dtype": "X99", "shape": [2], "data_offsets": [0, 8]}},
        {"w": {"dtype": "F32", "shape": [2], "data_offsets": [8, 0]}},
        {"w": {"dtype": "F32", "shape": [2], "data_offsets": [0]}},
        {"w": [1, 2]},
        {
            "a": {"dtype": "F32", "shape": [2], "data_offsets": [0, 8]},
            "b": {"dtype": "F32", "shape": [1], "data_offsets": [4, 8]},
        },  # fmt: skip
        {"__metadata__": {"seqlab.aliases": "[1]"}},
        {"__metadata__": {"seqlab.aliases": '{"x": "missing"}'}},
        {"__metadata__": {"seqlab.aliases": DEEP}},
        {"__metadata__": [1]},
    ],
)
def test_a_header_that_lies_is_refused_before_allocating(tmp_path, header):
    folder = tmp_path
    _header_file(folder, header, b"\x00" * 8)
    with pytest.raises(ValueError, match="model.safetensors"):
        read_safetensors_header(folder / "model.safetensors")
        read_safetensors(folder / "model.safetensors")


def test_a_header_length_larger_than_the_file_is_refused(tmp_path):
    file = tmp_path / "model.safetensors"
    file.write_bytes(struct.pack("<Q", 2**63) + b"{}")
    with pytest.raises(ValueError, match="header claims"):
        read_safetensors_header(file)
    file.write_bytes(struct.pack("<Q", 1000) + b"{}")
    with pytest.raises(ValueError, match="header claims"):
        read_safetensors_header(file)


_MEMORY_PROBE = r"""
import json, resource, shutil, sys
from pathlib import Path
import torch, seqlab
src, work = Path(sys.argv[1]), Path(sys.argv[2])
base = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
cases = 0
for name, value in [("hidden_size", 12000), ("hidden_size", 10**6), ("num_layers", 10**6),
                    ("embedding_size", 10**9), ("vocab_size", 10**9)]:
    folder = work / f"{name}-{value}"
    shutil.copytree(src, folder)
    data = json.loads((folder / "config.json").read_text())
    data["config"][name] = value
    (folder / "config.json").write_text(json.dumps(data))
    try:
        seqlab.load(folder)
    except ValueError:
        cases += 1
grown = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - base
print(json.dumps({"cases": cases, "grown_kib": grown}))
"""


def test_huge_sizes_in_a_config_allocate_nothing_and_do_not_hang(folders, tmp_path):
    """hidden_size 12000 used to allocate 2.5 GB before the shape error; num_layers 10**6 grew
    past 2.6 GB and hung. Now each is refused from the header, in a fresh process whose peak
    memory must not grow by more than 200 MB over all five."""
    probe = subprocess.run(
        [sys.executable, "-c", _MEMORY_PROBE, str(folders["lm"]), str(tmp_path)],
        capture_output=True, text=True, timeout=120, check=True,
    )  # fmt: skip
    result = json.loads(probe.stdout.strip().splitlines()[-1])
    assert result["cases"] == 5
    assert result["grown_kib"] < 200 * 1024, result
