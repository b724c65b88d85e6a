"""seqlab.music: polyphonic music (JSB Chorales piano rolls) with the notes' RNN, GRU and LSTM.

:func:`read_chorales` reads piano rolls (T, 88); :class:`PianoRollRNN` predicts each step's
88 keys from the steps before it (independent sigmoids, NLL per time step as in Chung et al.
2014); :func:`train_music_model` trains it with the one Trainer; :func:`sample` draws new pieces
step by step; :func:`write_midi` / :func:`read_midi` move rolls to and from MIDI files.
"""

from seqlab.music.data import (
    LOWEST_PITCH,
    N_KEYS,
    RollBatches,
    pitches_to_roll,
    read_chorales,
    roll_to_pitches,
    shift_inputs,
)
from seqlab.music.midi import read_midi, write_midi
from seqlab.music.model import CELLS, MusicConfig, PianoRollRNN, step_nll
from seqlab.music.sample import sample
from seqlab.music.train import (
    PRESETS,
    MusicDataConfig,
    nll_per_step,
    preset_configs,
    train_music_model,
)

__all__ = [
    "CELLS",
    "LOWEST_PITCH",
    "MusicConfig",
    "MusicDataConfig",
    "N_KEYS",
    "PRESETS",
    "PianoRollRNN",
    "RollBatches",
    "nll_per_step",
    "pitches_to_roll",
    "preset_configs",
    "read_chorales",
    "read_midi",
    "roll_to_pitches",
    "sample",
    "shift_inputs",
    "step_nll",
    "train_music_model",
    "write_midi",
]
