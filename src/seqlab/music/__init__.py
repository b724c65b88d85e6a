"""seqlab.music: polyphonic music (JSB Chorales piano rolls) with the notes' RNN, GRU and LSTM.

:func:`read_chorales` reads piano rolls (T, 88); :class:`PianoRollRNN` predicts each step's
88 keys from the steps before it (independent sigmoids, NLL per time step as in Chung et al.
2014); :func:`train_music_model` trains it with the one Trainer; :func:`sample` draws new pieces
step by step; :func:`write_midi` / :func:`read_midi` move rolls to and from MIDI files.
"""

from seqlab._lazy import lazy_exports

__all__ = [
    "CELLS",
    "LOWEST_PITCH",
    "NOTE_NAMES",
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
    "note_name",
    "roll_figure",
    "sample",
    "shift_inputs",
    "step_nll",
    "train_music_model",
    "write_midi",
]

# Each name and the submodule that defines it, imported on first use (seqlab._lazy), so that
# importing one light submodule (seqlab.music.config, say) does not import them all.
_EXPORTS = {
    "LOWEST_PITCH": "data",
    "N_KEYS": "data",
    "RollBatches": "data",
    "pitches_to_roll": "data",
    "read_chorales": "data",
    "roll_to_pitches": "data",
    "shift_inputs": "data",
    "read_midi": "midi",
    "write_midi": "midi",
    "CELLS": "model",
    "MusicConfig": "config",
    "PianoRollRNN": "model",
    "step_nll": "model",
    "sample": "sample",
    "NOTE_NAMES": "plot",
    "note_name": "plot",
    "roll_figure": "plot",
    "PRESETS": "config",
    "MusicDataConfig": "config",
    "nll_per_step": "train",
    "preset_configs": "train",
    "train_music_model": "train",
}

__getattr__, __dir__ = lazy_exports(__name__, _EXPORTS)
