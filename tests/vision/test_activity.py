"""The activity recogniser: shapes, the averaging baseline's equation, an order-dependent toy
task a recurrent model learns and the average cannot, data checks and model folders."""

import numpy as np
import pytest
import torch

from seqlab.train import TrainerConfig, save_model
from seqlab.vision.activity import ActivityRecognizer, evaluate_activity
from seqlab.vision.config import ActivityConfig, ActivityDataConfig
from seqlab.vision.sequences import SequenceBatches, SequenceSet, read_series, stratified_split
from seqlab.vision.train import train_activity


def _frames(n=4, T=5, S=16):
    data = [(torch.rand(T, 1, S, S) * 255).to(torch.uint8) for _ in range(n)]
    return SequenceSet("frames", data, ["a", "b"] * (n // 2), [f"c{i}" for i in range(n)])


def _series(n=4, C=3, lengths=(6, 4, 5, 6)):
    data = [torch.randn(lengths[i % len(lengths)], C) for i in range(n)]
    return SequenceSet("series", data, ["x", "y"] * (n // 2), [f"s{i}" for i in range(n)])


def _config(data, **kw):
    return ActivityConfig(**{"hidden_size": 8, "frame_size": 6, "cnn_width": 4, "cnn_blocks": 2,
                             "dropout": 0.0, **data.shape_fields(), **kw})  # fmt: skip


@pytest.mark.parametrize("recurrent", [True, False])
@pytest.mark.parametrize("make", [_frames, _series])
def test_shapes(make, recurrent):
    data = make()
    model = ActivityRecognizer(_config(data, recurrent=recurrent), sorted(set(data.labels))).eval()
    batch = next(iter(SequenceBatches(model.prepare(data), 4)(0)))
    assert batch["x"].shape[:2] == (4, max(len(x) for x in data.data))
    logits = model(batch["x"], batch["lengths"])
    assert logits.shape == (4, 2)
    preds = model.predict(data)
    assert [p.id for p in preds] == data.ids
    assert all(abs(sum(p.probs.values()) - 1) < 1e-5 and p.prob == max(p.probs.values())
               for p in preds)  # fmt: skip


def test_average_baseline_equation():
    """recurrent=False: softmax(W_y mean_t x<t> + b_y), the mean over the real steps only."""
    torch.manual_seed(0)
    data = _series(lengths=(6, 3))
    model = ActivityRecognizer(_config(data, recurrent=False), ["x", "y"]).eval()
    batch = next(iter(SequenceBatches(model.prepare(data), 4)(0)))
    logits = model(batch["x"], batch["lengths"])
    for i, x in enumerate(data.data):
        mean = x.mean(0)  # mean and std buffers are 0 and 1 here
        ref = mean @ model.W_y.weight.T + model.W_y.bias
        torch.testing.assert_close(logits[i], ref)


def test_series_normalisation_uses_training_statistics():
    data = _series()
    mean, std = torch.tensor([1.0, 2.0, 3.0]), torch.tensor([2.0, 2.0, 4.0])
    model = ActivityRecognizer(_config(data), ["x", "y"], mean=mean, std=std).eval()
    x = torch.randn(1, 4, 3)
    torch.testing.assert_close(model.step_inputs(x), (x - mean) / std)
    off = ActivityRecognizer(_config(data), ["x", "y"], mean=mean, std=std, normalize=False)
    torch.testing.assert_close(off.step_inputs(x), x)


def test_padding_does_not_change_predictions():
    torch.manual_seed(1)
    data = _series(n=2, lengths=(6, 3))
    for pool in ("last", "mean", "max"):
        model = ActivityRecognizer(_config(data, pool=pool), ["x", "y"]).eval()
        alone = model(data.data[1].unsqueeze(0))
        batch = next(iter(SequenceBatches(model.prepare(data), 2)(0)))
        torch.testing.assert_close(model(batch["x"], batch["lengths"])[1:], alone)


def _order_task(n, seed):
    """Two pulses, one per channel, at random times; the label says which comes first.

    Both orders have the same per-channel averages, so an average of the steps cannot tell."""
    rng = np.random.default_rng(seed)
    data, labels = [], []
    for i in range(n):
        x = np.zeros((10, 2), np.float32)
        t1, t2 = sorted(rng.choice(10, size=2, replace=False))
        first = i % 2
        x[t1, first] = 1.0
        x[t2, 1 - first] = 1.0
        data.append(torch.from_numpy(x + 0.05 * rng.standard_normal(x.shape).astype(np.float32)))
        labels.append("channel 0 first" if first == 0 else "channel 1 first")
    return SequenceSet("series", data, labels, [str(i) for i in range(n)])


@pytest.mark.slow
def test_recurrent_learns_order_average_cannot(tmp_path):
    train, test = _order_task(400, 0), _order_task(200, 1)
    trainer = TrainerConfig(epochs=None, max_steps=300, lr=1e-2, seed=0, device="cpu")
    data = ActivityDataConfig(batch_size=32, val_fraction=0.0, augment=False)
    accuracy = {}
    for recurrent in (True, False):
        config = ActivityConfig(recurrent=recurrent, hidden_size=16, dropout=0.0)
        trained = train_activity(train, config, data, trainer, tmp_path / str(recurrent))
        accuracy[recurrent] = evaluate_activity(trained.model, test)[0].accuracy
    assert accuracy[True] >= 0.95
    assert accuracy[False] <= 0.65


def test_unknown_label_and_wrong_data():
    data = _series()
    model = ActivityRecognizer(_config(data), ["x", "y"])
    other = SequenceSet("series", data.data[:1], ["z"], ["file.ts:1"])
    with pytest.raises(ValueError, match="file.ts:1: label 'z' is unknown to the model"):
        evaluate_activity(model, other)
    assert model.predict(other)[0].label in ("x", "y")  # predicting needs no label
    with pytest.raises(ValueError, match="the model reads"):
        model.prepare(_frames())
    with pytest.raises(ValueError, match="two distinct labels"):
        ActivityRecognizer(_config(data), ["x"])


def test_stratified_split():
    labels = ["a"] * 10 + ["b"] * 4 + ["c"]
    train, val = stratified_split(labels, 0.2, seed=0)
    assert sorted(train + val) == list(range(15))
    assert [labels[i] for i in val].count("a") == 2 and [labels[i] for i in val].count("b") == 1
    assert "c" not in [labels[i] for i in val]  # a label's only example stays in training


def test_model_folder_round_trip(tmp_path):
    import seqlab.vision.activity  # noqa: F401  (registers "activity")

    data = _series()
    model = ActivityRecognizer(_config(data), ["x", "y"], mean=torch.ones(3), std=torch.ones(3))
    save_model(model, tmp_path / "m")
    again = seqlab.load(tmp_path / "m").eval()
    assert again.labels == ("x", "y")
    torch.testing.assert_close(again.mean, torch.ones(3))
    x = torch.randn(2, 5, 3)
    torch.testing.assert_close(model.eval()(x), again(x))


def test_read_series_skips_bad_files(tmp_path):
    good = tmp_path / "good.ts"
    good.write_text("@univariate true\n@classLabel true a b\n@data\n1,2,3:a\n4,5,6:b\n")
    bad = tmp_path / "bad.ts"
    bad.write_text("@univariate true\n@classLabel true a\n@data\n1,?,3:a\n")
    data, problems = read_series([good, bad, tmp_path / "missing.ts"])
    assert len(data) == 2 and data.ids == ["good.ts:1", "good.ts:2"]
    assert len(problems) == 2 and "missing value" in problems[0]
    with pytest.raises(ValueError, match="no .ts file could be read"):
        read_series([bad])


def test_augment_is_a_function_of_seed_and_epoch():
    data = _series(n=4, lengths=(20,))
    model = ActivityRecognizer(_config(data), ["x", "y"])
    batches = SequenceBatches(model.prepare(data), 2, shuffle=True, augment=True, seed=3)
    first = [b["x"] for b in batches(1)]
    again = [b["x"] for b in batches(1)]
    other = [b["x"] for b in batches(2)]
    assert all(torch.equal(a, b) for a, b in zip(first, again))
    assert not all(a.shape == b.shape and torch.equal(a, b) for a, b in zip(first, other))
    assert all(18 <= b.shape[1] <= 20 for b in first)  # crops keep 90-100% of the steps
