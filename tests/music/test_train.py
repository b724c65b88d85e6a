"""Training through the one Trainer: the folder, its record, reloading, and a falling loss."""

import json

import pytest

import seqlab
from seqlab.music import (
    PRESETS,
    MusicConfig,
    MusicDataConfig,
    PianoRollRNN,
    nll_per_step,
    preset_configs,
    read_chorales,
    train_music_model,
)
from seqlab.train import TrainerConfig


@pytest.mark.slow
def test_training_lowers_the_validation_nll_and_leaves_a_model_folder(chorales_path, tmp_path):
    rolls = read_chorales(chorales_path)
    config = MusicConfig(cell="lstm", hidden_size=16)
    before = nll_per_step(PianoRollRNN(config), rolls["valid"])
    trained = train_music_model(rolls, config, MusicDataConfig(batch_size=2),
                                TrainerConfig(lr=0.02, epochs=30, clip_norm=1.0), tmp_path,
                                data_path=chorales_path)  # fmt: skip
    assert trained.result.best_val_loss < 0.5 * before
    record = json.loads((tmp_path / "data.json").read_text())
    assert record["train_pieces"] == 4 and record["val_steps"] == 14
    assert record["n_parameters"] == trained.model.n_parameters()
    reloaded = seqlab.load(tmp_path)
    assert isinstance(reloaded, PianoRollRNN) and reloaded.config == config
    exact = nll_per_step(reloaded, rolls["valid"])
    assert exact == pytest.approx(trained.result.best_val_loss, rel=1e-4)
    assert isinstance(seqlab.load(tmp_path), PianoRollRNN)


def test_presets_build_for_every_cell():
    assert sorted(PRESETS) == ["jsb-gru", "jsb-lstm", "jsb-rnn"]
    model, data, trainer = preset_configs("jsb-lstm", trainer={"epochs": 2})
    assert (model.cell, model.hidden_size, trainer.epochs) == ("lstm", 36, 2)
    with pytest.raises(ValueError, match="unknown preset"):
        preset_configs("jsb-tanh")


def test_no_training_pieces_is_an_error(tmp_path):
    with pytest.raises(ValueError, match="no training pieces"):
        train_music_model({"train": []}, MusicConfig(), MusicDataConfig(),
                          TrainerConfig(epochs=1), tmp_path / "out")  # fmt: skip
    assert not (tmp_path / "out").exists()
