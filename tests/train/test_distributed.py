"""Data parallelism: sharding, and 2 gloo processes (torchrun) == 1 process on combined batches."""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
import torch

from seqlab.train import DistributedContext, Trainer, init_distributed, shard_batches
from seqlab.train.io import read_safetensors

from ._tiny_task import one_thread  # noqa: F401 (autouse fixture)
from ._train_script import ddp_setup, grouped

SCRIPT = Path(__file__).with_name("_train_script.py")


@pytest.mark.parametrize(
    ("n", "world_size", "rank", "expected"),
    [
        (4, 1, 0, [(0, True, 1), (1, True, 1), (2, True, 1), (3, True, 1)]),
        (6, 3, 1, [(1, True, 3), (4, True, 3)]),
        (7, 2, 0, [(0, True, 2), (2, True, 2), (4, True, 2), (6, True, 1)]),
        (7, 2, 1, [(1, True, 2), (3, True, 2), (5, True, 2), (6, False, 1)]),  # stand-in
        (2, 3, 2, [(0, False, 2)]),
    ],
)
def test_shard_batches(n, world_size, rank, expected):
    assert list(shard_batches(range(n), rank, world_size)) == expected


def test_single_process_context():
    assert "WORLD_SIZE" not in os.environ or os.environ["WORLD_SIZE"] == "1"
    ctx = init_distributed("cpu")
    assert ctx == DistributedContext() and ctx.is_main and not ctx.enabled


@pytest.mark.slow
def test_two_gloo_processes_equal_one_process_on_combined_batches(tmp_path):
    out = tmp_path / "ddp"
    env = {**os.environ, "OMP_NUM_THREADS": "1"}
    env.pop("WORLD_SIZE", None)
    command = [sys.executable, "-m", "torch.distributed.run", "--nproc_per_node=2", "--standalone"]
    proc = subprocess.run(
        [*command, str(SCRIPT), "ddp", str(out)],
        env=env,
        capture_output=True,
        text=True,
        timeout=240,
    )
    assert proc.returncode == 0, proc.stdout + proc.stderr
    result = json.loads((out / "result.json").read_text())
    assert result["world_size"] == 2

    # The reference: one process, each step on the two ranks' batches concatenated.
    model, config, ddp_batches, val = ddp_setup()
    reference = Trainer(
        model,
        config,
        tmp_path / "single",
        train_data=lambda e: grouped(ddp_batches(e), 2),
        val_data=val,
    ).fit()
    assert result["steps"] == reference.steps == 8  # 2 epochs of ceil(7 / 2) steps
    assert result["best_val_loss"] == pytest.approx(reference.best_val_loss, abs=1e-6)

    weights = read_safetensors(out / "last" / "model.safetensors")
    for name, value in model.state_dict().items():
        torch.testing.assert_close(weights[name], value, rtol=0, atol=1e-6, msg=name)
    # only rank 0 wrote metrics: one line per (kind, step), as in the single-process run
    ours = [json.loads(line) for line in (out / "metrics.jsonl").read_text().splitlines()]
    theirs = [
        json.loads(line)
        for line in (tmp_path / "single" / "metrics.jsonl").read_text().splitlines()
    ]
    assert [(m["kind"], m["step"]) for m in ours] == [(m["kind"], m["step"]) for m in theirs]
    for a, b in zip(ours, theirs, strict=True):
        for key in ("train_loss", "val_loss"):
            if key in a:
                assert a[key] == pytest.approx(b[key], abs=1e-6)


# The command docs/train.md shows ("Training on several processes or machines"), on tiny data.
CORPUS = "".join(f"line {i}: the quick brown fox jumps over the lazy dog.\n" for i in range(60))
LM_FLAGS = ["--mode", "stream", "--hidden-size", "16", "--bptt", "10", "--epochs", "1",
            "--lr", "0.01", "--log-every", "1", "--device", "cpu", "--threads", "1", "--json",
            "--no-progress"]  # fmt: skip


@pytest.mark.slow
def test_seqlab_lm_train_stream_mode_under_torchrun_equals_one_process_and_rank_0_reports(
    tmp_path, capsys
):
    from seqlab.cli import main

    corpus = tmp_path / "corpus.txt"
    corpus.write_text(CORPUS, encoding="utf-8")
    env = {**os.environ, "OMP_NUM_THREADS": "1"}
    env.pop("WORLD_SIZE", None)
    command = [sys.executable, "-m", "torch.distributed.run", "--nproc_per_node=2", "--standalone"]
    proc = subprocess.run(
        [*command, "-m", "seqlab", "lm", "train", str(corpus), "--batch-size", "2",
         "--out", str(tmp_path / "ddp"), *LM_FLAGS],
        env=env, capture_output=True, text=True, timeout=240,
    )  # fmt: skip
    assert proc.returncode == 0, proc.stdout + proc.stderr
    lines = [line for line in proc.stdout.splitlines() if line.startswith("{")]
    assert len(lines) == 1, proc.stdout  # rank 0 alone prints its summary
    ddp = json.loads(lines[0])

    # One process with the two ranks' columns (2 x 2) in one batch: the same steps and loss.
    assert main(["lm", "train", str(corpus), "--batch-size", "4", "--out",
                 str(tmp_path / "single"), *LM_FLAGS]) == 0  # fmt: skip
    single = json.loads(capsys.readouterr().out)
    assert ddp["steps"] == single["steps"] > 1
    assert ddp["val_loss"] == pytest.approx(single["val_loss"], rel=1e-5)
    # only rank 0 wrote the metrics and the loss curves
    steps = [json.loads(line)["step"] for line in (tmp_path / "ddp" / "metrics.jsonl").open()
             if json.loads(line)["kind"] == "train"]  # fmt: skip
    assert steps == list(range(1, ddp["steps"] + 1))
    assert (tmp_path / "ddp" / "loss.png").is_file()
