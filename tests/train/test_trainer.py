"""The training loop: learning, budgets, early stopping, validation, metrics, data order, resume."""

import json
import time
from pathlib import Path

import pytest
import torch
from torch.utils.data import DataLoader, DistributedSampler

from seqlab.train import Trainer, TrainerConfig, load_model
from seqlab.train.trainer import METRICS_FILE

from ._tiny_task import (
    TinyLM,
    TinyLMConfig,
    combine_batches,
    make_batches,
    one_thread,  # noqa: F401 (autouse fixture)
)

TRAIN = make_batches(5, seed=0)
VAL = make_batches(3, seed=1)


def _model(dropout: float = 0.0) -> TinyLM:
    torch.manual_seed(0)
    return TinyLM(TinyLMConfig(dropout=dropout))


def _params(model: torch.nn.Module) -> dict[str, torch.Tensor]:
    return {k: v.detach().clone() for k, v in model.state_dict().items()}


def _assert_same_params(a: torch.nn.Module, b: torch.nn.Module) -> None:
    pa, pb = _params(a), _params(b)
    assert pa.keys() == pb.keys()
    for name in pa:
        assert torch.equal(pa[name], pb[name]), name


def _metrics(out_dir: Path) -> list[dict]:
    def reject(constant):
        raise ValueError(f"non-standard JSON constant {constant}")

    lines = (out_dir / METRICS_FILE).read_text().splitlines()
    return [json.loads(line, parse_constant=reject) for line in lines]


@torch.no_grad()
def _loss(model: TinyLM, batch: dict) -> float:
    return float(model.loss(batch))


class _Sleep:
    def __init__(self, seconds: float) -> None:
        self.seconds = seconds

    def on_step(self, trainer, step, logs):
        time.sleep(self.seconds)


def test_loss_falls_on_one_small_batch(tmp_path):
    model, batch = _model(), TRAIN[0]
    before = _loss(model, batch)
    config = TrainerConfig(epochs=1, lr=0.05, log_every=10)
    result = Trainer(model, config, tmp_path, train_data=[batch] * 60).fit()
    after = _loss(model, batch)
    assert result.steps == 60 and result.stopped_because == "epochs"
    assert after < 0.3 * before


@pytest.mark.parametrize(
    ("budget", "reason", "steps"),
    [
        ({"epochs": 2}, "epochs", 10),
        ({"epochs": 5, "max_steps": 7}, "max_steps", 7),
        ({"epochs": 1000, "max_minutes": 0.4 / 60}, "max_minutes", None),
    ],
)
def test_budgets_stop_with_the_right_reason(tmp_path, budget, reason, steps):
    config = TrainerConfig(lr=0.01, log_every=3, **budget)
    callbacks = [_Sleep(0.05)] if "max_minutes" in budget else []
    trainer = Trainer(
        _model(), config, tmp_path, train_data=TRAIN, val_data=VAL, callbacks=callbacks
    )
    result = trainer.fit()
    assert result.stopped_because == reason
    if steps is not None:
        assert result.steps == steps
    else:  # 0.4 s at >= 0.05 s per step: stops within a step of the budget
        assert 2 <= result.steps <= 9
        assert result.elapsed >= 0.4
    assert result.epochs == result.steps // len(TRAIN)
    # the best model folder and the resumable state are always there
    best = load_model(tmp_path, TinyLM)
    assert float(best.evaluate(combine_batches(VAL))["loss"]) == pytest.approx(
        result.best_val_loss, rel=1e-5
    )
    assert (tmp_path / "last" / "trainer_state.json").is_file()
    load_model(tmp_path / "last", TinyLM)  # the resumable state is a model folder too
    state = json.loads((tmp_path / "trainer_state.json").read_text())
    assert state["stopped_because"] == reason and state["best_step"] == result.best_step


def test_early_stopping_keeps_the_best_checkpoint(tmp_path):
    # The validation data follows a different rule: fitting the training rule hurts it.
    val = make_batches(3, rule=6, noise=0.0, seed=2)
    config = TrainerConfig(epochs=100, lr=0.05, eval_every=2, patience=3, log_every=5)
    result = Trainer(_model(), config, tmp_path, train_data=TRAIN, val_data=val).fit()
    assert result.stopped_because == "early_stopping"
    assert result.steps < 100 * len(TRAIN)
    evals = [line for line in _metrics(tmp_path) if line["kind"] == "eval"]
    best = min(evals, key=lambda line: line["val_loss"])
    assert result.best_val_loss == best["val_loss"] and result.best_step == best["step"]
    assert [line["step"] for line in evals[-3:]] == [
        result.steps - 4,
        result.steps - 2,
        result.steps,
    ]
    assert all(line["val_loss"] >= best["val_loss"] for line in evals[-3:])
    reloaded = Trainer(load_model(tmp_path, TinyLM), config, tmp_path / "again", train_data=TRAIN)
    assert reloaded.evaluate(val)["loss"] == pytest.approx(result.best_val_loss, rel=1e-6)


class _Scored(TinyLM):
    """TinyLM whose validation also reports a derived score (as a tagger's entity F1 is)."""

    def summarize_metrics(self, means: dict) -> dict:
        return {**means, "score": 1.0 - abs(means["accuracy"] - 0.6)}  # best near 60%


def test_select_picks_the_best_weights_by_another_metric(tmp_path):
    torch.manual_seed(0)
    model = _Scored(TinyLMConfig())
    config = TrainerConfig(epochs=6, lr=0.05, eval_every=1, select="score")
    result = Trainer(model, config, tmp_path, train_data=TRAIN, val_data=VAL).fit()
    evals = [line for line in _metrics(tmp_path) if line["kind"] == "eval"]
    best = max(evals, key=lambda line: line["val_score"])
    assert result.best_step == best["step"] and result.best_val_loss == best["val_loss"]
    assert best["step"] != min(evals, key=lambda line: line["val_loss"])["step"]
    assert evals[-1]["best_val_score"] == best["val_score"]
    reloaded = _Scored(TinyLMConfig())
    reloaded.load_state_dict(load_model(tmp_path, TinyLM).state_dict())  # the folder holds the best
    trainer = Trainer(reloaded, config, tmp_path / "x", train_data=TRAIN)
    assert trainer.evaluate(VAL)["score"] == pytest.approx(best["val_score"], rel=1e-6)
    with pytest.raises(ValueError, match="select='f1', but validation gives"):
        Trainer(_model(), TrainerConfig(epochs=1, select="f1"), tmp_path / "y",
                train_data=TRAIN, val_data=VAL).fit()  # fmt: skip


def test_select_last_keeps_the_latest_weights_although_validation_got_worse(tmp_path):
    val = make_batches(3, rule=6, noise=0.0, seed=2)  # fitting the training rule hurts it
    model = _model()
    config = TrainerConfig(epochs=8, lr=0.05, eval_every=2, patience=1, select="last")
    result = Trainer(model, config, tmp_path, train_data=TRAIN, val_data=val).fit()
    evals = [line for line in _metrics(tmp_path) if line["kind"] == "eval"]
    assert result.stopped_because == "epochs"  # no early stopping on a worse validation loss
    assert min(line["val_loss"] for line in evals) < evals[-1]["val_loss"]  # it did get worse
    assert result.best_step == result.steps and result.best_val_loss == evals[-1]["val_loss"]
    saved = load_model(tmp_path, TinyLM).state_dict()
    for name, value in model.state_dict().items():
        torch.testing.assert_close(saved[name], value, rtol=0, atol=0)


def test_metrics_jsonl_lines_are_valid_json(tmp_path):
    config = TrainerConfig(epochs=2, lr=0.01, log_every=2, clip_norm=1.0)
    Trainer(_model(), config, tmp_path, train_data=TRAIN, val_data=VAL).fit()
    lines = _metrics(tmp_path)
    train = [line for line in lines if line["kind"] == "train"]
    evals = [line for line in lines if line["kind"] == "eval"]
    assert [line["step"] for line in train] == [2, 4, 6, 8, 10]
    assert [line["step"] for line in evals] == [5, 10]  # end of each epoch
    for line in train:
        assert {"epoch", "train_loss", "lr", "tokens_per_s", "elapsed", "grad_norm"} <= set(line)
        assert line["train_loss"] > 0 and line["tokens_per_s"] > 0 and line["lr"] == 0.01
    for line in evals:
        assert {"epoch", "val_loss", "val_accuracy", "lr", "elapsed"} <= set(line)


def test_validation_is_weighted_by_tokens(tmp_path):
    model = _model()
    trainer = Trainer(model, TrainerConfig(), tmp_path, train_data=TRAIN, val_data=VAL)
    metrics = trainer.evaluate()
    assert model.training  # evaluate() puts the model back in training mode
    model.eval()
    counts = [model.count_tokens(b) for b in VAL]
    losses = [model.evaluate(b)["loss"] for b in VAL]
    expected = sum(n * loss for n, loss in zip(counts, losses, strict=True)) / sum(counts)
    assert metrics["loss"] == pytest.approx(expected, rel=1e-9)
    # ... which is the loss over all validation tokens at once
    assert metrics["loss"] == pytest.approx(_loss(model, combine_batches(VAL)), rel=1e-5)


def test_without_validation_the_folder_holds_the_last_weights(tmp_path):
    model = _model()
    result = Trainer(model, TrainerConfig(epochs=2, lr=0.01), tmp_path, train_data=TRAIN).fit()
    assert result.best_val_loss is None and result.best_step == result.steps == 10
    _assert_same_params(load_model(tmp_path, TinyLM), model)


def test_callbacks_see_every_step_and_evaluation(tmp_path):
    class Recorder:
        def __init__(self):
            self.steps, self.evals = [], []

        def on_step(self, trainer, step, logs):
            self.steps.append((step, logs["loss"], logs["tokens"]))

        def on_evaluate(self, trainer, step, metrics):
            self.evals.append((step, metrics["loss"]))

    recorder = Recorder()
    config = TrainerConfig(epochs=1, eval_every=2)
    Trainer(_model(), config, tmp_path, train_data=TRAIN, val_data=VAL, callbacks=[recorder]).fit()
    assert [s for s, _, _ in recorder.steps] == [1, 2, 3, 4, 5]
    assert sorted(n for _, _, n in recorder.steps) == sorted(
        TinyLM.count_tokens(None, b) for b in TRAIN
    )
    assert [s for s, _ in recorder.evals] == [2, 4, 5]  # the last one: the final evaluation


def test_progress_bar_goes_to_stderr_only_when_asked(tmp_path, capfd):
    Trainer(_model(), TrainerConfig(epochs=1), tmp_path / "quiet", train_data=TRAIN).fit()
    out, err = capfd.readouterr()
    assert out == "" and err == ""
    config = TrainerConfig(epochs=1, progress=True)
    Trainer(_model(), config, tmp_path / "loud", train_data=TRAIN).fit()
    out, err = capfd.readouterr()
    assert out == ""
    assert "5/5" in err and "loss=" in err and "tok_s=" in err


class _Recording(list):
    """A list of batches that records which indices were read."""

    def __init__(self, batches):
        super().__init__(batches)
        self.reads = []

    def __getitem__(self, index):
        self.reads.append(index)
        return super().__getitem__(index)


def test_list_order_is_shuffled_per_epoch_and_reproducible(tmp_path):
    runs = []
    for name in ("a", "b"):
        data = _Recording(TRAIN)
        Trainer(_model(), TrainerConfig(epochs=3, seed=7), tmp_path / name, train_data=data).fit()
        runs.append(data.reads)
    assert runs[0] == runs[1]
    epochs = [runs[0][i : i + 5] for i in range(0, 15, 5)]
    assert all(sorted(order) == list(range(5)) for order in epochs)
    assert len({tuple(order) for order in epochs}) > 1
    data = _Recording(TRAIN)
    Trainer(_model(), TrainerConfig(epochs=2, shuffle=False), tmp_path / "c", train_data=data).fit()
    assert data.reads == [0, 1, 2, 3, 4] * 2


def _data(kind: str):
    if kind == "list":
        return TRAIN
    if kind == "callable":
        return lambda epoch: make_batches(4, seed=100 + epoch)
    examples = [
        {k: v[i : i + 1] for k, v in b.items()} for b in TRAIN for i in range(len(b["tokens"]))
    ]
    return DataLoader(examples, batch_size=3, shuffle=True, collate_fn=combine_batches)


@pytest.mark.parametrize("kind", ["list", "callable", "dataloader"])
def test_stop_and_resume_equals_an_uninterrupted_run(tmp_path, kind):
    config = TrainerConfig(epochs=4, lr=0.02, eval_every=3, log_every=4, seed=3)
    straight = _model(dropout=0.2)
    expected = Trainer(
        straight, config, tmp_path / "straight", train_data=_data(kind), val_data=VAL
    ).fit()

    first = Trainer(
        _model(dropout=0.2),
        TrainerConfig(**{**config.__dict__, "max_steps": 7}),  # stops in the middle of epoch 2
        tmp_path / "resumed",
        train_data=_data(kind),
        val_data=VAL,
    ).fit()
    assert first.stopped_because == "max_steps" and first.steps == 7
    resumed_model = TinyLM(TinyLMConfig(dropout=0.2))  # other initial weights: all overwritten
    trainer = Trainer(
        resumed_model,
        config,
        tmp_path / "resumed",
        train_data=_data(kind),
        val_data=VAL,
        resume=True,
    )
    assert trainer.step == 7
    result = trainer.fit()
    assert result.steps == expected.steps and result.stopped_because == "epochs"
    _assert_same_params(resumed_model, straight)
    # the metrics file has no duplicated steps after the resume
    steps = [(line["kind"], line["step"]) for line in _metrics(tmp_path / "resumed")]
    assert len(steps) == len(set(steps))


def test_a_distributed_sampler_gets_its_epoch(tmp_path):
    class Sampler(DistributedSampler):
        def set_epoch(self, epoch):
            epochs.append(epoch)
            super().set_epoch(epoch)

    epochs = []
    examples = _data("dataloader").dataset
    sampler = Sampler(examples, num_replicas=1, rank=0, shuffle=True, seed=0)
    loader = DataLoader(examples, batch_size=4, sampler=sampler, collate_fn=combine_batches)
    result = Trainer(_model(), TrainerConfig(epochs=3), tmp_path, train_data=loader).fit()
    assert epochs == [0, 1, 2]
    assert result.steps == 3 * len(loader)


def test_resume_accepts_a_state_saved_with_ema_decay_off_and_refuses_it_on(tmp_path):
    """ema_decay was removed: a trainer_state.json written before holds null and resumes."""
    config = TrainerConfig(epochs=None, max_steps=2)
    Trainer(_model(), config, tmp_path, train_data=TRAIN).fit()
    state_file = tmp_path / "last" / "trainer_state.json"
    state = json.loads(state_file.read_text())
    assert "ema_decay" not in state["trainer_config"]
    state["trainer_config"]["ema_decay"] = None
    state_file.write_text(json.dumps(state))
    assert Trainer(_model(), config, tmp_path, train_data=TRAIN, resume=True).step == 2
    state["trainer_config"]["ema_decay"] = 0.999
    state_file.write_text(json.dumps(state))
    removed = r"trainer_state\.json: TrainerConfig\.ema_decay=0\.999: this option was removed"
    with pytest.raises(ValueError, match=removed):
        Trainer(_model(), config, tmp_path, train_data=TRAIN, resume=True)


def test_resume_without_a_checkpoint_fails(tmp_path):
    with pytest.raises(ValueError, match="no checkpoint"):
        Trainer(_model(), TrainerConfig(), tmp_path, train_data=TRAIN, resume=True)
    # a folder the failed call made is removed again; one that was there stays
    with pytest.raises(ValueError, match="no checkpoint"):
        Trainer(_model(), TrainerConfig(), tmp_path / "new", train_data=TRAIN, resume=True)
    assert not (tmp_path / "new").exists() and tmp_path.is_dir()


def test_sgd_with_clipping_trains(tmp_path):
    model = _model()
    before = _loss(model, combine_batches(TRAIN))
    config = TrainerConfig(
        epochs=2, optimizer="sgd", lr=0.5, momentum=0.9, clip_norm=0.5, clip_value=0.1
    )
    Trainer(model, config, tmp_path, train_data=TRAIN * 10).fit()
    assert _loss(model, combine_batches(TRAIN)) < 0.7 * before
    norms = [line["grad_norm"] for line in _metrics(tmp_path)]
    assert len(norms) == 2 and all(n > 0 for n in norms)  # the pre-clip norm is logged


def test_nan_loss_stops_with_an_error(tmp_path):
    empty = {
        "tokens": torch.ones(2, 3, dtype=torch.int64),
        "targets": torch.zeros(2, 3, dtype=torch.int64),
    }
    with pytest.raises(FloatingPointError, match="step 1"):
        Trainer(_model(), TrainerConfig(), tmp_path, train_data=[empty]).fit()


@pytest.mark.parametrize(
    "fields",
    [{"optimizer": "adam"}, {"lr": 0.0}, {"device": "tpu"}, {"epochs": None}, {"patience": 0}],
)
def test_config_validation(fields):
    with pytest.raises(ValueError):
        TrainerConfig(**fields)


@pytest.mark.skipif(torch.cuda.is_available(), reason="checks the no-CUDA error")
def test_cuda_without_cuda_is_a_clear_error(tmp_path):
    with pytest.raises(ValueError, match="CUDA"):
        Trainer(_model(), TrainerConfig(device="cuda"), tmp_path, train_data=TRAIN)


def test_not_a_task_model(tmp_path):
    with pytest.raises(TypeError, match="not a task model"):
        Trainer(torch.nn.Linear(2, 2), TrainerConfig(), tmp_path, train_data=TRAIN)
