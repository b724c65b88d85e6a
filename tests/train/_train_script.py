"""Training runs for the multi-process tests, importable by the tests and runnable as a script.

    python tests/train/_train_script.py crash OUT_DIR      # killed with SIGKILL by test_resume
    torchrun --nproc_per_node=2 tests/train/_train_script.py ddp OUT_DIR   # test_distributed

The tests build their reference runs from the same ``*_setup`` functions.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

import torch

try:  # imported by the tests as part of their package
    from ._tiny_task import TinyLM, TinyLMConfig, combine_batches, make_batches
except ImportError:  # run as a script
    sys.path.insert(0, str(Path(__file__).resolve().parent))
    from _tiny_task import TinyLM, TinyLMConfig, combine_batches, make_batches

from seqlab.train import Trainer, TrainerConfig, destroy_distributed


def crash_setup():
    """Model (with dropout, so RNG state matters), config, train and validation data."""
    torch.manual_seed(0)
    model = TinyLM(TinyLMConfig(dropout=0.2))
    config = TrainerConfig(
        epochs=100, max_steps=40, lr=0.02, eval_every=3, checkpoint_every=2, log_every=4, seed=1
    )
    return model, config, make_batches(6, seed=0), make_batches(3, seed=1)


def ddp_batches(epoch: int) -> list[dict[str, torch.Tensor]]:
    """Seven ragged batches per epoch (an odd number: the last group of two is incomplete)."""
    return make_batches(7, batch_size=5, seed=10 + epoch)


def grouped(batches: list, world_size: int) -> list:
    """What one data-parallel step sees: each group of ``world_size`` batches, concatenated."""
    return [
        combine_batches(batches[i : i + world_size]) for i in range(0, len(batches), world_size)
    ]


def ddp_setup():
    """Model, config, train data (a callable of the epoch) and validation data."""
    torch.manual_seed(0)
    model = TinyLM(TinyLMConfig())
    config = TrainerConfig(
        epochs=2, lr=0.05, clip_norm=1.0, eval_every=2, log_every=2, seed=2, device="cpu"
    )
    return model, config, ddp_batches, make_batches(3, seed=1)


class _Sleep:
    def __init__(self, seconds: float) -> None:
        self.seconds = seconds

    def on_step(self, trainer: Trainer, step: int, logs: dict) -> None:
        time.sleep(self.seconds)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("mode", choices=["crash", "ddp"])
    parser.add_argument("out_dir", type=Path)
    parser.add_argument("--sleep", type=float, default=0.05, help="seconds per step (crash)")
    args = parser.parse_args(argv)
    if args.mode == "crash":
        model, config, train, val = crash_setup()
        callbacks = [_Sleep(args.sleep)]
    else:
        model, config, train, val = ddp_setup()
        callbacks = []
    trainer = Trainer(
        model, config, args.out_dir, train_data=train, val_data=val, callbacks=callbacks
    )
    result = trainer.fit()
    if trainer.dist.is_main:
        summary = {"steps": result.steps, "best_val_loss": result.best_val_loss}
        summary["world_size"] = trainer.dist.world_size
        (args.out_dir / "result.json").write_text(json.dumps(summary))
    destroy_distributed()
    return 0


if __name__ == "__main__":
    sys.exit(main())
