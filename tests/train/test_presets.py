"""Presets: a named model/data/trainer triple, with overrides checked by field name."""

from dataclasses import dataclass

import pytest

from seqlab.train import TrainerConfig
from seqlab.train.presets import build_configs


@dataclass(frozen=True)
class ModelConfig:
    hidden_size: int = 8  # H
    RETIRED_FIELDS = {"static_channel": False}


@dataclass(frozen=True)
class DataConfig:
    batch_size: int = 4  # B
    lowercase: bool = False
    RENAMED_FIELDS = {"lower": "lowercase"}


PRESETS = {"small": {"model": {"hidden_size": 4}, "data": {}, "trainer": {"lr": 0.01}}}


def test_a_preset_with_overrides():
    overrides = {"model": {"hidden_size": 16}, "trainer": {"epochs": 3}}
    model, data, trainer = build_configs(PRESETS, "small", ModelConfig, DataConfig, **overrides)
    assert model == ModelConfig(16) and data == DataConfig()
    assert trainer == TrainerConfig(lr=0.01, epochs=3)


def test_a_renamed_field_is_read_under_its_old_name():
    _, data, _ = build_configs(PRESETS, "small", ModelConfig, DataConfig, data={"lower": True})
    assert data == DataConfig(lowercase=True)


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"model": {"hiden_size": 3}}, r"model settings: ModelConfig has no field\(s\) hiden_size"),
        ({"trainer": {"ema_decay": 0.9}}, r"TrainerConfig.ema_decay=0.9: this option was removed"),
        ({"model": {"static_channel": True}}, r"static_channel=True: this option was removed"),
        ({"trainer": {"epochs": 0}}, r"invalid TrainerConfig: epochs=0"),
    ],
)
def test_unknown_removed_and_bad_fields_are_value_errors(kwargs, message):
    with pytest.raises(ValueError, match=message):
        build_configs(PRESETS, "small", ModelConfig, DataConfig, **kwargs)


def test_a_removed_field_at_its_old_value_is_accepted():
    model, _, trainer = build_configs(PRESETS, "small", ModelConfig, DataConfig,
                                      model={"static_channel": False},
                                      trainer={"ema_decay": None})  # fmt: skip
    assert model == ModelConfig(4) and trainer.lr == 0.01


def test_an_unknown_preset_lists_the_known_ones():
    with pytest.raises(ValueError, match="unknown preset 'big'; known: small"):
        build_configs(PRESETS, "big", ModelConfig, DataConfig)
