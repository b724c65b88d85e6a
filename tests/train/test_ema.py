"""TrainerConfig.ema_decay: the moving average of the weights against a NumPy recursion."""

import numpy as np
import pytest
import torch

from seqlab.train import Trainer, TrainerConfig, load_model

from ._tiny_task import (
    TinyLM,
    TinyLMConfig,
    make_batches,
    one_thread,  # noqa: F401 (autouse fixture)
)


class _Record:
    """Every parameter after every optimizer step, as NumPy arrays."""

    def __init__(self) -> None:
        self.thetas: list[dict[str, np.ndarray]] = []

    def on_step(self, trainer, step, logs):
        self.thetas.append(
            {n: p.detach().numpy().copy() for n, p in trainer.model.named_parameters()}
        )


def _ema(thetas, theta0, decay):
    """θ̄_0 = θ_0; after step t (0-based, t steps before it): d_t = min(d, (1+t)/(10+t))."""
    avg = {n: v.astype(np.float64) for n, v in theta0.items()}
    for t, theta in enumerate(thetas):
        d = min(decay, (1 + t) / (10 + t))
        avg = {n: d * avg[n] + (1 - d) * theta[n] for n in avg}
    return avg


def _model():
    torch.manual_seed(0)
    return TinyLM(TinyLMConfig(dropout=0.1))


def test_the_saved_model_is_the_moving_average_and_training_goes_on_from_theta(tmp_path):
    model = _model()
    theta0 = {n: p.detach().numpy().copy() for n, p in model.named_parameters()}
    record = _Record()
    config = TrainerConfig(epochs=3, lr=0.05, ema_decay=0.9, seed=3)
    Trainer(model, config, tmp_path, train_data=make_batches(7), callbacks=[record]).fit()
    assert len(record.thetas) == 21
    expected = _ema(record.thetas, theta0, 0.9)
    saved = dict(load_model(tmp_path).named_parameters())
    for name, value in expected.items():
        np.testing.assert_allclose(saved[name].detach().numpy(), value, rtol=1e-5, atol=1e-6)
        # the live model keeps the raw weights of the last step
        np.testing.assert_array_equal(
            dict(model.named_parameters())[name].detach().numpy(), record.thetas[-1][name]
        )
    # the average really differs from the last weights (the test could not pass without it)
    gap = max(np.abs(expected[n] - record.thetas[-1][n]).max() for n in expected)
    assert gap > 1e-3


def test_validation_scores_and_selects_the_average(tmp_path):
    model = _model()
    val = make_batches(3, seed=1)
    record = _Record()
    config = TrainerConfig(epochs=2, lr=0.05, ema_decay=0.8, eval_every=4, seed=3)
    trainer = Trainer(
        model, config, tmp_path, train_data=make_batches(6), val_data=val, callbacks=[record]
    )
    theta0 = {n: p.detach().numpy().copy() for n, p in model.named_parameters()}
    result = trainer.fit()
    best = load_model(tmp_path)
    expected = _ema(record.thetas[: result.best_step], theta0, 0.8)
    for name, p in best.named_parameters():
        np.testing.assert_allclose(p.detach().numpy(), expected[name], rtol=1e-5, atol=1e-6)
    # the recorded best val loss is the average's, computed afresh on the saved weights
    reloaded = Trainer(best, TrainerConfig(epochs=1), tmp_path / "again", train_data=val)
    assert reloaded.evaluate(val)["loss"] == pytest.approx(result.best_val_loss, rel=1e-6)


def test_a_resumed_run_has_the_same_averages(tmp_path):
    def run(out, steps, resume=False):
        config = TrainerConfig(epochs=None, max_steps=steps, lr=0.05, ema_decay=0.9, seed=2)
        model = _model()
        Trainer(model, config, out, train_data=make_batches(5), resume=resume).fit()
        return dict(load_model(out).named_parameters())

    whole = run(tmp_path / "whole", 12)
    run(tmp_path / "split", 7)
    resumed = run(tmp_path / "split", 12, resume=True)
    for name, p in whole.items():
        torch.testing.assert_close(resumed[name], p, rtol=0, atol=0)


def test_a_decay_outside_0_1_is_refused():
    for bad in (0.0, 1.0, 1.5):
        with pytest.raises(ValueError, match="ema_decay"):
            TrainerConfig(ema_decay=bad)
