"""Learning-rate schedules of the Trainer: warm-up, cosine and linear decay over the budget."""

import math

import pytest
import torch

from seqlab.train import Trainer, TrainerConfig

from ._tiny_task import TinyLM, TinyLMConfig, make_batches, one_thread  # noqa: F401


class _Record:
    def __init__(self):
        self.lrs = []

    def on_step(self, trainer, step, logs):
        self.lrs.append(logs["lr"])


def _lrs(tmp_path, **config):
    torch.manual_seed(0)
    record = _Record()
    trainer = Trainer(TinyLM(TinyLMConfig()), TrainerConfig(**config), tmp_path,
                      train_data=make_batches(5, seed=0), callbacks=[record])  # fmt: skip
    trainer.fit()
    return record.lrs


def test_cosine_decay_over_max_steps(tmp_path):
    lrs = _lrs(tmp_path, lr=0.1, epochs=None, max_steps=10, lr_schedule="cosine", min_lr_ratio=0.1)
    expected = [0.1 * (0.1 + 0.9 * (1 + math.cos(math.pi * s / 10)) / 2) for s in range(10)]
    assert lrs == pytest.approx(expected)


def test_linear_decay_over_epochs_with_warmup(tmp_path):
    # 5 batches x 2 epochs = 10 steps; 2 warm-up steps, then 8 steps of linear decay to 0.
    lrs = _lrs(tmp_path, lr=1.0, epochs=2, lr_schedule="linear", warmup_steps=2)
    assert lrs[:2] == pytest.approx([0.5, 1.0])
    assert lrs[2:] == pytest.approx([1 - s / 8 for s in range(8)])


def test_constant_is_the_default(tmp_path):
    assert _lrs(tmp_path, lr=0.01, epochs=1) == pytest.approx([0.01] * 5)


def test_time_budget_decays_with_elapsed_time(tmp_path):
    lrs = _lrs(tmp_path, lr=1.0, epochs=None, max_minutes=1e-9, lr_schedule="linear")
    assert lrs and lrs[-1] == pytest.approx(0.0)  # the whole (tiny) budget is spent at once


@pytest.mark.parametrize("field,value", [("lr_schedule", "step"), ("warmup_steps", -1),
                                         ("min_lr_ratio", 1.5)])  # fmt: skip
def test_bad_schedule_settings(field, value):
    with pytest.raises(ValueError, match=field):
        TrainerConfig(**{field: value})
