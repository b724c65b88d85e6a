"""Crash and resume: a run killed with SIGKILL and resumed equals an uninterrupted run."""

import json
import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
import torch

from seqlab.train import Trainer, TrainerConfig, load_model

from ._tiny_task import (
    TinyLM,
    TinyLMConfig,
    make_batches,
    one_thread,  # noqa: F401 (autouse fixture)
)
from ._train_script import crash_setup

SCRIPT = Path(__file__).with_name("_train_script.py")


def _env() -> dict[str, str]:
    return {**os.environ, "OMP_NUM_THREADS": "1", "PYTHONUNBUFFERED": "1"}


def _checkpoint_step(out_dir: Path) -> int:
    try:  # the folder is swapped in by renames: it may be missing for a moment
        return json.loads((out_dir / "last" / "trainer_state.json").read_text())["step"]
    except (FileNotFoundError, json.JSONDecodeError):
        return -1


def _kill_after_checkpoint(out_dir: Path, min_step: int, *, sleep: float, delay: float) -> None:
    proc = subprocess.Popen(
        [sys.executable, str(SCRIPT), "crash", str(out_dir), "--sleep", str(sleep)],
        env=_env(),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    deadline = time.monotonic() + 120
    try:
        while _checkpoint_step(out_dir) < min_step:
            if proc.poll() is not None:
                pytest.fail(f"training ended before it was killed:\n{proc.stderr.read().decode()}")
            if time.monotonic() > deadline:
                pytest.fail("no checkpoint within 120 s")
            time.sleep(0.01)
        time.sleep(delay)  # land somewhere in the following steps, maybe inside a save
    finally:
        proc.send_signal(signal.SIGKILL)
        proc.communicate()
    assert proc.returncode == -signal.SIGKILL


def _params(model: torch.nn.Module) -> dict[str, torch.Tensor]:
    return {k: v.detach().clone() for k, v in model.state_dict().items()}


@pytest.mark.slow
@pytest.mark.parametrize(
    ("sleep", "delay"),
    [(0.05, 0.07), (0.005, 0.03)],  # the second mostly kills it in the middle of a save
    ids=["between-saves", "during-save"],
)
def test_killed_run_resumes_to_the_same_parameters(tmp_path, sleep, delay):
    _kill_after_checkpoint(tmp_path / "killed", min_step=6, sleep=sleep, delay=delay)
    model, config, train, val = crash_setup()
    with torch.no_grad():  # the resume must overwrite every weight
        for p in model.parameters():
            p.fill_(0.5)
    trainer = Trainer(
        model, config, tmp_path / "killed", train_data=train, val_data=val, resume=True
    )
    assert 6 <= trainer.step < config.max_steps  # it really was interrupted
    resumed = trainer.fit()

    reference_model, config, train, val = crash_setup()
    reference = Trainer(
        reference_model, config, tmp_path / "straight", train_data=train, val_data=val
    )
    expected = reference.fit()

    assert resumed.steps == expected.steps == config.max_steps
    assert resumed.best_val_loss == expected.best_val_loss
    assert resumed.best_step == expected.best_step
    ours, theirs = _params(model), _params(reference_model)
    for name in ours:
        assert torch.equal(ours[name], theirs[name]), name
    best = load_model(tmp_path / "killed", TinyLM)
    best_reference = load_model(tmp_path / "straight", TinyLM)
    for name, value in _params(best).items():
        assert torch.equal(value, _params(best_reference)[name]), name
    # nothing half-written left behind; metrics have one line per (kind, step)
    leftovers = [p.name for p in (tmp_path / "killed").iterdir() if p.name.startswith(".")]
    assert leftovers == []
    lines = (tmp_path / "killed" / "metrics.jsonl").read_text().splitlines()
    keys = [(json.loads(line)["kind"], json.loads(line)["step"]) for line in lines]
    assert len(keys) == len(set(keys))


def test_resume_survives_a_crash_between_the_two_renames(tmp_path):
    train, val = make_batches(4), make_batches(2, seed=1)
    config = TrainerConfig(epochs=3, max_steps=5, lr=0.02, seed=4)
    torch.manual_seed(0)
    Trainer(TinyLM(TinyLMConfig()), config, tmp_path, train_data=train, val_data=val).fit()
    # Simulate a kill inside commit_dir: the old state moved aside, the new one half written.
    os.replace(tmp_path / "last", tmp_path / "last.old")
    (tmp_path / "last.tmp").mkdir()
    (tmp_path / "last.tmp" / "model.safetensors").write_bytes(b"half")
    (tmp_path / ".model.safetensors.x1y2.tmp").write_bytes(b"half")  # a killed atomic_write
    (tmp_path / ".assets-x1y2").mkdir()  # a killed save_assets

    longer = TrainerConfig(**{**config.__dict__, "max_steps": 9})
    model = TinyLM(TinyLMConfig())
    trainer = Trainer(model, longer, tmp_path, train_data=train, val_data=val, resume=True)
    assert trainer.step == 5
    assert trainer.fit().steps == 9
    assert sorted(p.name for p in tmp_path.iterdir() if p.name.startswith("last")) == ["last"]
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".")] == []

    torch.manual_seed(0)
    reference = TinyLM(TinyLMConfig())
    Trainer(reference, longer, tmp_path / "ref", train_data=train, val_data=val).fit()
    for name, value in _params(model).items():
        assert torch.equal(value, _params(reference)[name]), name


def test_resume_with_a_corrupt_state_file_names_it(tmp_path):
    train = make_batches(2)
    config = TrainerConfig(epochs=1)
    torch.manual_seed(0)
    Trainer(TinyLM(TinyLMConfig()), config, tmp_path, train_data=train).fit()
    (tmp_path / "last" / "trainer_state.json").write_text("{")
    with pytest.raises(ValueError, match=r"last/trainer_state\.json: invalid JSON"):
        Trainer(TinyLM(TinyLMConfig()), config, tmp_path, train_data=train, resume=True)
    shutil.rmtree(tmp_path / "last")
    with pytest.raises(ValueError, match="no checkpoint"):
        Trainer(TinyLM(TinyLMConfig()), config, tmp_path, train_data=train, resume=True)
