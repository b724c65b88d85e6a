"""Model folders: round trip, tied weights, every bad-folder case, atomic writes; the registry."""

import dataclasses
import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any, ClassVar

import pytest
import torch
from safetensors import safe_open
from safetensors.torch import save_file

import seqlab
from seqlab.train import (
    config_from_dict,
    load_model,
    read_config,
    save_model,
)
from seqlab.train import folder as folder_module
from seqlab.train import io as io_module
from seqlab.train.io import read_safetensors, write_safetensors
from seqlab.train.state import decode_tree, encode_tree

from ._tiny_task import (
    TinyLM,
    TinyLMConfig,
    make_batches,
    one_thread,  # noqa: F401 (autouse fixture)
)


@pytest.fixture
def model() -> TinyLM:
    torch.manual_seed(0)
    return TinyLM(TinyLMConfig(vocab_size=10, embedding_size=6, hidden_size=5))


@pytest.fixture
def folder(model, tmp_path) -> Path:
    return save_model(model, tmp_path / "model", extra_config={"note": "hi"})


def _files(path: Path) -> list[str]:
    return sorted(p.name for p in path.iterdir())


def test_round_trip_gives_identical_outputs(model, folder):
    loaded = load_model(folder, TinyLM)
    batch = make_batches(1, vocab_size=10)[0]
    model.eval()
    assert torch.equal(loaded(batch["tokens"]), model(batch["tokens"]))
    assert not loaded.training
    assert loaded.config == model.config
    assert loaded.symbols == model.symbols  # read back by from_dir from vocab.json
    assert loaded.output.weight is loaded.embedding.weight  # still tied


def test_folder_layout_and_config_json(folder, model):
    assert _files(folder) == ["config.json", "model.safetensors", "vocab.json"]
    config = json.loads((folder / "config.json").read_text())
    assert config["task"] == "tiny_lm"
    assert config["seqlab_version"] == seqlab.__version__
    assert config["config"] == {
        "vocab_size": 10,
        "embedding_size": 6,
        "hidden_size": 5,
        "dropout": 0,
    }
    assert config["note"] == "hi"
    assert read_config(folder) == config


def test_tied_weights_are_stored_once(folder):
    with safe_open(str(folder / "model.safetensors"), framework="pt") as f:
        keys = set(f.keys())
        aliases = json.loads(f.metadata()["seqlab.aliases"])
    assert aliases == {"output.weight": "embedding.weight"}
    assert "output.weight" not in keys and "embedding.weight" in keys


def test_shared_storage_views_are_copied(tmp_path):
    base = torch.arange(12.0)
    tensors = {"a": base[:6], "b": base[6:].view(2, 3), "c": base[:6]}
    write_safetensors(tmp_path / "t.safetensors", tensors)
    back = read_safetensors(tmp_path / "t.safetensors")
    assert torch.equal(back["a"], base[:6]) and torch.equal(back["c"], base[:6])
    assert torch.equal(back["b"], base[6:].view(2, 3))


def _rewrite_config(folder: Path, edit) -> None:
    config = json.loads((folder / "config.json").read_text())
    edit(config)
    (folder / "config.json").write_text(json.dumps(config))


def test_missing_folder(tmp_path):
    with pytest.raises(ValueError, match="does not exist"):
        load_model(tmp_path / "nowhere", TinyLM)


@pytest.mark.parametrize("name", ["config.json", "model.safetensors"])
def test_missing_file(folder, name):
    (folder / name).unlink()
    with pytest.raises(ValueError, match=f"missing {name}"):
        load_model(folder, TinyLM)


def test_corrupted_json(folder):
    (folder / "config.json").write_text('{"task": "tiny_lm", "config": {')
    with pytest.raises(ValueError, match=r"config\.json: invalid JSON"):
        load_model(folder, TinyLM)


def test_corrupted_safetensors(folder):
    (folder / "model.safetensors").write_bytes(b"\x08\x00\x00\x00\x00\x00\x00\x00{not json")
    with pytest.raises(ValueError, match=r"model\.safetensors: not a readable safetensors"):
        load_model(folder, TinyLM)


def test_a_folder_of_an_unknown_task_is_named(folder):
    # (seqlab.load, which reads any task, lists the known ones: tests/test_tasks.py)
    _rewrite_config(folder, lambda c: c.update(task="no_such_task"))
    with pytest.raises(ValueError, match=r"holds a 'no_such_task' model, not a 'tiny_lm' model"):
        load_model(folder, TinyLM)


def test_unknown_config_field(folder):
    _rewrite_config(folder, lambda c: c["config"].update(n_heads=4))
    with pytest.raises(
        ValueError, match=r"config\.json: TinyLMConfig: unknown field\(s\) \['n_heads'\]"
    ):
        load_model(folder, TinyLM)


def test_missing_config_field_takes_its_default(folder):
    # The default (16) does not fit the saved weights (5): a mismatch named by file and shapes.
    _rewrite_config(folder, lambda c: c["config"].pop("hidden_size"))
    with pytest.raises(ValueError, match=r"hidden\.weight: expected shape \(16, 6\), got \(5, 6\)"):
        load_model(folder, TinyLM)


def test_missing_config_field_without_default():
    @dataclasses.dataclass(frozen=True)
    class Needs:
        size: int  # no default

    with pytest.raises(ValueError, match=r"missing field\(s\) \['size'\]"):
        config_from_dict(Needs, {}, source="config.json")
    assert config_from_dict(Needs, {"size": 3}).size == 3


def test_wrong_shape_names_key_and_shapes(folder):
    _rewrite_config(folder, lambda c: c["config"].update(hidden_size=7))
    with pytest.raises(ValueError, match=r"model\.safetensors") as info:
        load_model(folder, TinyLM)
    assert "hidden.weight: expected shape (7, 6), got (5, 6)" in str(info.value)


def test_missing_and_unexpected_keys(folder, model):
    state = {k: v.clone() for k, v in model.state_dict().items() if k != "hidden.bias"}
    state.pop("output.weight")
    state["extra.weight"] = torch.zeros(2)
    save_file(state, str(folder / "model.safetensors"))
    with pytest.raises(ValueError) as info:
        load_model(folder, TinyLM)
    message = str(info.value)
    assert "model.safetensors" in message
    assert "missing keys ['hidden.bias', 'output.weight']" in message
    assert "unexpected keys ['extra.weight']" in message


def test_extra_config_may_not_override_reserved_keys(model, tmp_path):
    with pytest.raises(ValueError, match="reserved keys: task"):
        save_model(model, tmp_path / "m", extra_config={"task": "other"})
    assert not (tmp_path / "m").exists()


def test_failed_weight_write_keeps_old_files_and_leaves_no_temp(model, folder, monkeypatch):
    before = {name: (folder / name).read_bytes() for name in _files(folder)}

    def broken_save_file(tensors, filename, metadata=None):
        Path(filename).write_bytes(b"half a file")
        raise OSError("disk full")

    monkeypatch.setattr(io_module, "save_file", broken_save_file)
    with torch.no_grad():
        model.hidden.weight.add_(1.0)
    with pytest.raises(OSError, match="disk full"):
        save_model(model, folder)
    assert _files(folder) == sorted(before)  # no temporary files left behind
    assert {name: (folder / name).read_bytes() for name in before} == before
    load_model(folder, TinyLM)  # still a valid folder


def test_failed_assets_leave_nothing_half_written(model, tmp_path):
    def broken_assets(path: Path) -> None:
        (path / "vocab.json").write_text('["<pad>", "t1"')  # half written, then a crash
        raise RuntimeError("boom")

    model.save_assets = broken_assets
    with pytest.raises(RuntimeError, match="boom"):
        save_model(model, tmp_path / "m")
    assert list((tmp_path / "m").iterdir()) == []


def test_failed_config_write_leaves_no_config(model, tmp_path, monkeypatch):
    # config.json is written last: a folder without one was never finished and will not load.
    def broken_write_text(path, text):
        raise OSError("no space")

    monkeypatch.setattr(folder_module, "atomic_write_text", broken_write_text)
    with pytest.raises(OSError):
        save_model(model, tmp_path / "m")
    assert "config.json" not in _files(tmp_path / "m")
    assert all(not name.endswith(".tmp") for name in _files(tmp_path / "m"))


def test_tree_encoding_round_trips_without_pickle():
    tree = {
        "state": {0: {"step": torch.tensor(3.0), "buf": torch.ones(2)}, 1: {"m": None}},
        "groups": [{"betas": (0.9, 0.999), "lr": 1e-3, "name": "x", "inf": float("inf")}],
    }
    tensors = {}
    encoded = encode_tree(tree, tensors, "opt")
    json.dumps(encoded, allow_nan=False)
    decoded = decode_tree(json.loads(json.dumps(encoded)), tensors)
    assert decoded["groups"] == tree["groups"]
    assert isinstance(decoded["groups"][0]["betas"], tuple)
    assert set(decoded["state"]) == {0, 1}
    assert torch.equal(decoded["state"][0]["buf"], torch.ones(2))


@dataclass(frozen=True)
class _Nested:
    sizes: tuple[int, ...] = (1, 2)
    pair: tuple[int, str] | None = None


@dataclass(frozen=True)
class _Outer:
    inner: _Nested = _Nested()
    name: str = "x"


def test_config_from_dict_restores_tuples_and_nested_configs():
    config = config_from_dict(_Outer, {"inner": {"sizes": [3, 4], "pair": [1, "a"]}, "name": "y"})
    assert config == _Outer(_Nested((3, 4), (1, "a")), "y")
    hash(config)  # frozen and made of tuples, so hashable


@dataclass(frozen=True)
class _Retiring:
    RETIRED_FIELDS: ClassVar[dict[str, Any]] = {"old_switch": False, "old_rate": None}
    size: int = 3


def test_a_retired_field_loads_at_its_old_value_and_is_named_at_any_other():
    saved = {"size": 4, "old_switch": False, "old_rate": None}
    assert config_from_dict(_Retiring, saved) == _Retiring(4)
    with pytest.raises(ValueError, match=r"^config\.json: _Retiring\.old_rate=0\.9: this option "
                       r"was removed from seqlab \(only old_rate=None loads\)$"):  # fmt: skip
        config_from_dict(_Retiring, {"old_rate": 0.9}, source="config.json")
    with pytest.raises(ValueError, match="old_switch=True"):
        config_from_dict(_Retiring, {"old_switch": True})
    with pytest.raises(ValueError, match=r"unknown field\(s\) \['never'\]"):
        config_from_dict(_Retiring, {"never": 1})


@dataclass(frozen=True)
class _Renaming:
    RENAMED_FIELDS: ClassVar[dict[str, str]] = {"n_layers": "num_layers", "lower": "lowercase"}
    num_layers: int = 1
    lowercase: bool = False


def test_a_renamed_field_loads_under_its_old_name_and_both_names_are_an_error():
    assert config_from_dict(_Renaming, {"n_layers": 3, "lower": True}) == _Renaming(3, True)
    assert config_from_dict(_Renaming, {"num_layers": 2}) == _Renaming(2)
    with pytest.raises(ValueError, match=r"^config\.json: _Renaming has both n_layers \(the old "
                       r"name of num_layers\) and num_layers$"):  # fmt: skip
        config_from_dict(_Renaming, {"n_layers": 3, "num_layers": 3}, source="config.json")


@pytest.mark.parametrize(
    ("module", "cls", "old", "new"),
    [
        ("seqlab.music.config", "MusicConfig", {"n_layers": 2}, {"num_layers": 2}),
        ("seqlab.speech.config", "CTCConfig", {"n_layers": 1}, {"num_layers": 1}),
        ("seqlab.speech.config", "TriggerConfig", {"n_layers": 1, "freq_mask": 3,
         "n_freq_masks": 1}, {"num_layers": 1, "freq_mask_width": 3, "freq_masks": 1}),
        ("seqlab.classify.config", "TaggerConfig", {"lower_words": False}, {"lowercase": False}),
        ("seqlab.classify.config", "ClassifierDataConfig", {"lower": False}, {"lowercase": False}),
        ("seqlab.lm.config", "LMDataConfig", {"lower": True}, {"lowercase": True}),
        ("seqlab.seq2seq.config", "Seq2SeqDataConfig", {"lower": True}, {"lowercase": True}),
    ],
)  # fmt: skip
def test_the_library_s_renamed_fields_read_their_old_names(module, cls, old, new):
    import importlib

    config_class = getattr(importlib.import_module(module), cls)
    assert config_from_dict(config_class, old) == config_class(**new)


def test_a_folder_of_another_task_is_named(tmp_path):
    folder = save_model(TinyLM(TinyLMConfig()), tmp_path / "m")

    class Other(TinyLM):
        task = "other"

    with pytest.raises(ValueError, match=r"m holds a 'tiny_lm' model, not a 'other' model"):
        load_model(folder, Other)


def test_library_never_unpickles():
    source = Path(folder_module.__file__).parent
    for file in source.glob("*.py"):
        text = file.read_text()
        assert "torch.load" not in text and "import pickle" not in text, file
