"""The piano-roll RNN: shapes, the loss against a NumPy reference, padding, and learning."""

import numpy as np
import pytest
import torch

from seqlab.music import (
    CELLS,
    MusicConfig,
    PianoRollRNN,
    RollBatches,
    nll_per_step,
    read_chorales,
    step_nll,
)
from seqlab.music.data import collate


def _numpy_nll_per_step(logits: np.ndarray, y: np.ndarray) -> np.ndarray:
    """Independent reference: 88 binary cross-entropies per step, summed. (T, 88) -> (T,)."""
    p = 1.0 / (1.0 + np.exp(-logits.astype(np.float64)))
    return -(y * np.log(p) + (1 - y) * np.log(1 - p)).sum(-1)


@pytest.mark.parametrize("cell", sorted(CELLS))
def test_forward_shapes(cell):
    model = PianoRollRNN(MusicConfig(cell=cell, hidden_size=8, num_layers=2))
    x = torch.rand(2, 5, 88).round()  # (B, T, 88)
    logits, state = model(x, lengths=torch.tensor([5, 3]))
    assert logits.shape == (2, 5, 88)
    a = state[0] if cell == "lstm" else state
    assert a.shape == (2, 2, 8)  # (L, B, H)


def test_a_folder_saved_with_n_layers_loads_as_num_layers(tmp_path):
    import json

    import seqlab
    from seqlab.train import save_model

    model = PianoRollRNN(MusicConfig(hidden_size=8, num_layers=2)).eval()
    save_model(model, tmp_path / "m")
    file = tmp_path / "m" / "config.json"
    saved = json.loads(file.read_text())
    saved["config"]["n_layers"] = saved["config"].pop("num_layers")  # the old spelling
    file.write_text(json.dumps(saved))
    loaded = seqlab.load(tmp_path / "m")
    assert loaded.config.num_layers == 2
    x = torch.rand(1, 4, 88).round()
    torch.testing.assert_close(loaded(x)[0], model(x)[0])


@pytest.mark.parametrize("cell", sorted(CELLS))
def test_loss_is_the_mean_over_steps_of_88_summed_cross_entropies(cell, chorales_path):
    model = PianoRollRNN(MusicConfig(cell=cell, hidden_size=8))
    rolls = read_chorales(chorales_path)["train"]
    batch = collate([torch.as_tensor(r, dtype=torch.float32) for r in rolls])  # padded
    loss = float(model.loss(batch).detach())
    per_step = []
    for r in rolls:  # each piece alone, unpadded
        one = collate([torch.as_tensor(r, dtype=torch.float32)])
        logits, _ = model(one["x"])
        per_step.append(_numpy_nll_per_step(logits[0].detach().numpy(), r.astype(np.float64)))
    expected = np.concatenate(per_step).mean()
    assert loss == pytest.approx(expected, rel=1e-5)
    assert nll_per_step(model, rolls, batch_size=3) == pytest.approx(expected, rel=1e-5)
    assert model.count_tokens(batch) == sum(len(r) for r in rolls)


def test_step_nll_matches_numpy():
    logits, y = torch.randn(2, 4, 88), torch.rand(2, 4, 88).round()
    expected = _numpy_nll_per_step(logits.numpy(), y.numpy())
    np.testing.assert_allclose(step_nll(logits, y).numpy(), expected, rtol=1e-5)


def test_uniform_model_costs_88_log_2_per_step():
    model = PianoRollRNN(MusicConfig(cell="rnn", hidden_size=4))
    with torch.no_grad():
        model.out.weight.zero_()
        model.out.bias.zero_()
    batch = collate([torch.rand(6, 88).round()])
    assert float(model.loss(batch).detach()) == pytest.approx(88 * np.log(2), rel=1e-6)


def test_presets_have_about_equal_sizes():
    from seqlab.music import preset_configs

    sizes = [PianoRollRNN(preset_configs(f"jsb-{c}")[0]).n_parameters() for c in CELLS]
    assert max(sizes) / min(sizes) < 1.35  # 27.8k (tanh), 22.8k (GRU), 21.3k (LSTM)


@pytest.mark.parametrize("cell", sorted(CELLS))
def test_loss_falls_on_the_fixture(cell, chorales_path):
    model = PianoRollRNN(MusicConfig(cell=cell, hidden_size=16))
    batches = RollBatches(read_chorales(chorales_path)["train"], 4)(0)
    opt = torch.optim.Adam(model.parameters(), lr=0.02)
    first = float(model.loss(batches[0]).detach())
    for _ in range(60):
        for batch in batches:
            opt.zero_grad()
            model.loss(batch).backward()
            opt.step()
    assert float(model.loss(batches[0]).detach()) < 0.3 * first


def test_bad_config_names_the_field():
    with pytest.raises(ValueError, match="cell='tanh'"):
        MusicConfig(cell="tanh")
