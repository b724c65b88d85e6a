"""One run owns its output folder (issue 24, class 1).

A fresh run refuses a folder that holds a model, a training run or foreign files; --overwrite
replaces a model whole once the new one is complete (the folder is always the old model or the
new one, even under kill -9); --resume reads only last/; a second run into the same folder fails
at once, and a killed run leaves no stale lock; a path through a file is a one-line error.
"""

from __future__ import annotations

import json
import os
import random
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
import torch

import seqlab
from seqlab.cli import main
from seqlab.train import TaskData, TrainerConfig, claim_out_dir, fit_task
from seqlab.train import outdir as outdir_module
from tests.train._tiny_task import TinyLM, TinyLMConfig, make_batches, one_thread  # noqa: F401

from ._folders import tiny_folder

ROOT = Path(__file__).resolve().parents[2]
SYMBOLS = ["<pad>"] + [f"s{i}" for i in range(1, 12)]
ENV = {**os.environ, "PYTHONPATH": str(ROOT / "src"), "OMP_NUM_THREADS": "1"}


def _fit(out, **kwargs):
    def build_model(resume_dir):
        if resume_dir is not None:
            return TinyLM.from_dir(resume_dir, TinyLMConfig())
        return TinyLM(TinyLMConfig(), SYMBOLS)

    def make_data(model):
        return TaskData(make_batches(4, seed=1), make_batches(2, seed=2), {"n": 4})

    config = TrainerConfig(epochs=1, lr=0.05, device="cpu")
    return fit_task(build_model, make_data, config, out, record_file="data.json", **kwargs)


def _snapshot(folder: Path) -> dict[str, bytes]:
    return {
        str(p.relative_to(folder)): p.read_bytes()
        for p in sorted(folder.rglob("*"))
        if p.is_file() and p.name != outdir_module.LOCK_FILE
    }


# --- what a fresh run accepts --------------------------------------------------------------


def test_a_fresh_run_into_another_model_is_refused_and_names_it(tmp_path):
    folder = tiny_folder("classify", tmp_path / "clf")
    before = _snapshot(folder)
    with pytest.raises(ValueError, match=r"holds a model of task 'classify' \(config\.json, "):
        _fit(folder)
    assert _snapshot(folder) == before


def test_a_fresh_run_into_foreign_files_is_refused(tmp_path):
    folder = tmp_path / "mine"
    folder.mkdir()
    (folder / "notes.txt").write_text("keep me")
    with pytest.raises(ValueError, match=r"files seqlab did not write \(notes\.txt\)"):
        _fit(folder)
    with pytest.raises(ValueError, match="replaces only a model folder"):
        _fit(folder, overwrite=True)
    assert [p.name for p in folder.iterdir()] == ["notes.txt"]


def test_an_unfinished_run_is_named_and_an_empty_folder_is_fine(tmp_path):
    out = tmp_path / "m"
    out.mkdir()
    _fit(out)  # empty: a fresh run may use it
    (out / "config.json").unlink()
    with pytest.raises(ValueError, match="an unfinished training run"):
        _fit(out)


def test_overwrite_replaces_the_whole_folder(tmp_path):
    folder = tiny_folder("classify", tmp_path / "m")
    trained = _fit(folder, overwrite=True)
    assert json.loads((folder / "config.json").read_text())["task"] == "tiny_lm"
    assert not (folder / "labels.json").exists()  # nothing of the classifier stays beside it
    assert sorted(p.name for p in tmp_path.iterdir()) == ["m"]  # no staging left
    assert trained.model.symbols == SYMBOLS


def test_resume_and_overwrite_together_are_refused(tmp_path):
    with pytest.raises(ValueError, match="not both"):
        _fit(tmp_path / "m", resume=True, overwrite=True)


# --- paths ---------------------------------------------------------------------------------


@pytest.mark.parametrize("where", ["file/sub", "file", "file/a/b"])
def test_a_path_through_a_file_is_a_value_error(tmp_path, where):
    (tmp_path / "file").write_text("x")
    with pytest.raises(ValueError, match="is a file, not a folder"):
        _fit(tmp_path / where)
    assert (tmp_path / "file").read_text() == "x"


# --- the lock ------------------------------------------------------------------------------


def test_a_second_claim_fails_at_once_naming_the_holder(tmp_path):
    with claim_out_dir(tmp_path / "m"):
        start = time.monotonic()
        holder = rf"being written by another run \(process {os.getpid()}\)"
        with pytest.raises(ValueError, match=holder):
            _fit(tmp_path / "m")
        assert time.monotonic() - start < 1.0
    _fit(tmp_path / "m")  # released


_HOLD = """
import sys, time
from seqlab.train import claim_out_dir
with claim_out_dir(sys.argv[1]):
    print("locked", flush=True)
    time.sleep(600)
"""


def test_a_run_killed_with_sigkill_leaves_no_stale_lock(tmp_path):
    out = tmp_path / "m"
    holder = subprocess.Popen([sys.executable, "-c", _HOLD, str(out)], env=ENV,
                              stdout=subprocess.PIPE, text=True)  # fmt: skip
    try:
        assert holder.stdout.readline().strip() == "locked"
        with pytest.raises(ValueError, match="being written by another run"):
            _fit(out)
        # the other process holds it: a CLI run into the folder fails fast with one line
        cli = subprocess.run([sys.executable, "-m", "seqlab", "lm", "train", "--out", str(out),
                              "--max-steps", "1", "--hidden-size", "4", "--no-progress"],
                             env=ENV, capture_output=True, text=True, timeout=120)  # fmt: skip
        assert cli.returncode == 2
        assert (
            cli.stderr.startswith("seqlab: error:") and "being written by another run" in cli.stderr
        )
        assert "Traceback" not in cli.stderr
    finally:
        holder.send_signal(signal.SIGKILL)
        holder.wait()
    assert (
        out / outdir_module.LOCK_FILE
    ).exists()  # the file stays; the lock went with the process
    _fit(out)
    assert seqlab.train.load_model(out, TinyLM).symbols == SYMBOLS


@pytest.mark.slow
def test_two_real_trainings_into_one_folder(tmp_path):
    """The second fails fast with a clear message; the first finishes and its model is whole."""
    out = tmp_path / "m"
    argv = [sys.executable, "-m", "seqlab", "lm", "train", "--out", str(out), "--hidden-size",
            "16", "--max-minutes", "0.25", "--epochs", "none", "--eval-every", "20",
            "--no-progress", "--json"]  # fmt: skip
    first = subprocess.Popen(argv, env=ENV, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                             text=True)  # fmt: skip
    try:
        deadline = time.monotonic() + 120
        while not (out / outdir_module.LOCK_FILE).exists() and time.monotonic() < deadline:
            time.sleep(0.1)
        assert first.poll() is None, first.communicate()
        second = subprocess.run(argv, env=ENV, capture_output=True, text=True, timeout=120)
        assert second.returncode == 2 and "being written by another run" in second.stderr
        assert "Traceback" not in second.stderr
        assert first.poll() is None  # the first was still training while the second gave up
        stdout, stderr = first.communicate(timeout=300)
    finally:
        if first.poll() is None:
            first.kill()
    assert first.returncode == 0, stderr
    summary = json.loads(stdout.strip().splitlines()[-1])
    model = seqlab.load(out)
    assert summary["steps"] > 0 and model.task == "lm"
    state = json.loads((out / "trainer_state.json").read_text())
    assert state["step"] == summary["steps"]


# --- overwrite under kill -9 -----------------------------------------------------------------


def _overwrite_argv(out: Path) -> list[str]:
    return [sys.executable, "-m", "seqlab", "lm", "train", "--out", str(out), "--overwrite",
            "--hidden-size", "8", "--max-steps", "30", "--checkpoint-every", "5",
            "--no-progress"]  # fmt: skip


def _is_old_or_new(folder: Path, old: dict[str, bytes]) -> str:
    if _snapshot(folder) == old:
        return "old"
    model = seqlab.load(folder)  # a complete model of the new run, nothing of the old beside it
    assert model.task == "lm" and not (folder / "labels.json").exists()
    assert json.loads((folder / "trainer_state.json").read_text())["step"] == 30
    return "new"


@pytest.mark.slow
def test_kill_9_at_random_moments_during_overwrite_leaves_the_old_model_or_the_new(tmp_path):
    rng = random.Random(24)
    start = time.monotonic()
    complete = subprocess.run(_overwrite_argv(tmp_path / "probe"), env=ENV, capture_output=True,
                              text=True, timeout=300)  # fmt: skip
    assert complete.returncode == 0, complete.stderr
    duration = time.monotonic() - start
    seen = []
    for trial in range(5):
        folder = tiny_folder("classify", tmp_path / f"m{trial}")
        old = _snapshot(folder)
        run = subprocess.Popen(_overwrite_argv(folder), env=ENV, stdout=subprocess.DEVNULL,
                               stderr=subprocess.DEVNULL)  # fmt: skip
        time.sleep(rng.uniform(0.2, 1.1) * duration)
        run.send_signal(signal.SIGKILL)
        run.wait()
        seen.append(_is_old_or_new(folder, old))
        assert sorted(p.name for p in tmp_path.iterdir() if p.name.startswith(f".m{trial}")) in (
            [],
            [f".m{trial}.overwrite"],  # at most the killed run's unfinished staging
        )
    assert "old" in seen, seen  # at least one kill landed before the swap


def test_a_swap_interrupted_between_its_two_renames_is_recovered(tmp_path, monkeypatch):
    """Without renameat2 the fallback renames the old folder aside first: a death right there
    leaves no folder, and the next claim puts the old model back."""
    folder = tiny_folder("music", tmp_path / "m")
    old = _snapshot(folder)
    staging = tiny_folder("lm", tmp_path / ".m.overwrite")
    monkeypatch.setattr(outdir_module, "_exchange", lambda a, b: False)
    real_replace = os.replace
    calls = []

    def dying_replace(src, dst):
        calls.append((src, dst))
        if len(calls) == 2:
            raise KeyboardInterrupt  # the process dies between the two renames
        real_replace(src, dst)

    monkeypatch.setattr(outdir_module.os, "replace", dying_replace)
    with pytest.raises(KeyboardInterrupt):
        outdir_module.swap_in(staging, folder)
    monkeypatch.setattr(outdir_module.os, "replace", real_replace)
    assert not folder.exists()
    with claim_out_dir(folder, overwrite=True):
        assert _snapshot(folder) == old


def test_the_atomic_exchange_swaps_two_folders(tmp_path):
    a, b = tiny_folder("music", tmp_path / "a"), tiny_folder("lm", tmp_path / "b")
    before_a, before_b = _snapshot(a), _snapshot(b)
    outdir_module.swap_in(a, b)
    assert _snapshot(b) == before_a and not a.exists() and before_b


# --- the command line ----------------------------------------------------------------------


def test_cli_lm_train_into_a_classifier_folder_is_refused_then_overwritten(tmp_path, capsys):
    folder = tiny_folder("classify", tmp_path / "clf")
    before = _snapshot(folder)
    argv = ["lm", "train", "--out", str(folder), "--max-steps", "2", "--hidden-size", "4",
            "--no-progress"]  # fmt: skip
    assert main(argv) == 2
    err = capsys.readouterr().err
    assert err.startswith("seqlab: error:") and "model of task 'classify'" in err
    assert "--overwrite" in err and _snapshot(folder) == before
    assert main([*argv, "--overwrite", "--json"]) == 0
    assert seqlab.load(folder).task == "lm" and not (folder / "labels.json").exists()
    assert main([*argv, "--overwrite", "--resume"]) == 2
    assert "not both" in capsys.readouterr().err


def test_cli_resume_reads_the_vocabulary_from_last(tmp_path, capsys):
    """Regression (issue 24): a resumed run trained with the top-level vocab.json of whatever
    was in the folder before; it must read last/ only, and continue as if never stopped."""
    corpus = tmp_path / "a.txt"
    corpus.write_text("abcab\nbcabc\ncabca\n" * 40, encoding="utf-8")
    common = [str(corpus), "--mode", "lines", "--hidden-size", "8", "--no-progress", "--json",
              "--checkpoint-every", "3", "--seed", "1"]  # fmt: skip
    out, whole = tmp_path / "resumed", tmp_path / "whole"
    assert main(["lm", "train", *common, "--out", str(whole), "--max-steps", "12"]) == 0
    assert main(["lm", "train", *common, "--out", str(out), "--max-steps", "6"]) == 0
    capsys.readouterr()
    # another model's vocabulary lands at the top of the folder (the scenario)
    (out / "vocab.json").write_text((tiny_folder("lm", tmp_path / "x") / "vocab.json").read_text())
    assert main(["lm", "train", *common, "--out", str(out), "--max-steps", "12", "--resume"]) == 0
    resumed, reference = seqlab.load(out / "last"), seqlab.load(whole / "last")
    assert resumed.vocab.to_dict() == reference.vocab.to_dict()
    for name, value in reference.state_dict().items():  # the last weights, bit for bit
        assert torch.equal(value, resumed.state_dict()[name]), name
