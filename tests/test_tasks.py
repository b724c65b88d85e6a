"""The task table (seqlab.TASKS) and seqlab.load: one entry per task model class, both ways."""

import ast
from pathlib import Path

import pytest
import torch

import seqlab
from seqlab.train import save_model

SRC = Path(__file__).resolve().parents[1] / "src" / "seqlab"


def _declared_tasks() -> dict[str, str]:
    """task name -> "module:Class" for every class in src/ that sets a ``task = "..."``."""
    found = {}
    for file in SRC.rglob("*.py"):
        module = ".".join(file.relative_to(SRC.parent).with_suffix("").parts)
        for node in ast.walk(ast.parse(file.read_text(encoding="utf-8"))):
            if not isinstance(node, ast.ClassDef):
                continue
            for stmt in node.body:
                if (isinstance(stmt, ast.Assign) and len(stmt.targets) == 1
                        and getattr(stmt.targets[0], "id", None) == "task"
                        and isinstance(stmt.value, ast.Constant)):  # fmt: skip
                    found[stmt.value.value] = f"{module}:{node.name}"
    return found


def test_every_task_class_is_in_the_table_and_every_entry_names_its_class():
    assert _declared_tasks() == seqlab.TASKS


@pytest.mark.parametrize("name", sorted(seqlab.TASKS))
def test_each_entry_imports_a_task_model_class(name):
    cls = seqlab.task_class(name)
    assert cls.task == name
    assert isinstance(cls.config_class, type)
    assert all(hasattr(cls, m) for m in ("loss", "evaluate"))


def test_an_unknown_task_lists_the_known_ones(tmp_path):
    known = r"unknown task 'nope'; known tasks: activity, caption, classify, lm, "
    with pytest.raises(ValueError, match=known):
        seqlab.task_class("nope")
    folder = save_model(seqlab.task_class("music")(_music_config()), tmp_path / "m")
    text = (folder / "config.json").read_text().replace('"task": "music"', '"task": "nope"')
    (folder / "config.json").write_text(text)
    with pytest.raises(ValueError, match="unknown task 'nope'"):
        seqlab.load(folder)


def _music_config():
    from seqlab.music import MusicConfig

    return MusicConfig(hidden_size=4)


def test_load_picks_the_class_from_the_folder(tmp_path):
    model = seqlab.task_class("music")(_music_config())
    loaded = seqlab.load(save_model(model, tmp_path / "m"))
    assert type(loaded) is type(model) and not loaded.training
    for name, value in model.state_dict().items():
        assert torch.equal(value, loaded.state_dict()[name]), name
