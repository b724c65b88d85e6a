"""Piano rolls as standard MIDI files (via ``mido``), and back.

A roll (T, 88) becomes one track on channel 0: each step lasts one quarter note (``ticks_per_beat``
ticks) at ``tempo`` beats per minute; a key held over consecutive steps is one long note (the
roll cannot tell a held note from a repeated one, so neither can the file). Reading sums the
note-on/note-off events of every track back onto the same grid.
"""

from __future__ import annotations

import os
from pathlib import Path

import numpy as np

from seqlab._atomic import atomic_write
from seqlab.music.data import LOWEST_PITCH, N_KEYS

__all__ = ["read_midi", "write_midi"]

TICKS_PER_BEAT = 480


def write_midi(
    roll: np.ndarray, path: str | os.PathLike[str], *, tempo: float = 100.0, velocity: int = 80
) -> Path:
    """Write roll (T, 88) as a type-0 MIDI file (atomically), one quarter note per step.

    Raises:
        ValueError: if the roll is not (T, 88) or tempo / velocity are out of range.
    """
    import mido

    roll = np.asarray(roll).astype(bool)
    if roll.ndim != 2 or roll.shape[1] != N_KEYS:
        raise ValueError(f"roll must have shape (T, {N_KEYS}), got {roll.shape}")
    if not tempo > 0 or not 1 <= velocity <= 127:
        raise ValueError(f"need tempo > 0 and velocity in 1..127, got {tempo}, {velocity}")
    track = mido.MidiTrack()
    track.append(mido.MetaMessage("set_tempo", tempo=mido.bpm2tempo(tempo), time=0))
    padded = np.vstack([np.zeros((1, N_KEYS), bool), roll, np.zeros((1, N_KEYS), bool)])
    last_tick = 0
    for t in range(1, len(padded)):  # events at the start of step t - 1 of the roll
        offs = np.flatnonzero(padded[t - 1] & ~padded[t])
        ons = np.flatnonzero(padded[t] & ~padded[t - 1])
        tick = (t - 1) * TICKS_PER_BEAT
        for kind, keys, vel in (("note_off", offs, 0), ("note_on", ons, velocity)):
            for k in keys:
                track.append(mido.Message(kind, note=int(k) + LOWEST_PITCH, velocity=vel,
                                          time=tick - last_tick))  # fmt: skip
                last_tick = tick
    end = len(roll) * TICKS_PER_BEAT
    track.append(mido.MetaMessage("end_of_track", time=end - last_tick))
    midi = mido.MidiFile(type=0, ticks_per_beat=TICKS_PER_BEAT, tracks=[track])
    path = Path(path)
    atomic_write(path, lambda tmp: midi.save(str(tmp)))
    return path


def read_midi(path: str | os.PathLike[str]) -> np.ndarray:
    """Read a MIDI file onto a grid of one quarter note per step -> roll (T, 88) uint8.

    Notes outside the piano's range are dropped; a note sounds in every step it overlaps by at
    least half a step.

    Raises:
        ValueError: if the file cannot be read as MIDI.
    """
    import mido

    try:
        midi = mido.MidiFile(str(path))
    except (OSError, EOFError, ValueError, KeyError, IndexError) as error:
        raise ValueError(f"{path}: not a readable MIDI file ({error})") from None
    step = midi.ticks_per_beat
    if step < 1:  # the header's division field: 0 (or an SMPTE time code) has no quarter note
        raise ValueError(f"{path}: not a readable MIDI file (ticks per beat is {step})")
    notes: list[tuple[int, int, int]] = []  # (key, start tick, end tick)
    end_tick = 0
    for track in midi.tracks:
        tick, started = 0, {}
        for msg in track:
            tick += msg.time
            if msg.type == "note_on" and msg.velocity > 0:
                started.setdefault(msg.note, tick)
            elif msg.type in ("note_off", "note_on") and msg.note in started:
                notes.append((msg.note, started.pop(msg.note), tick))
        end_tick = max(end_tick, tick)
    n_steps = max([round(end_tick / step)] + [round(e / step) for _, _, e in notes])
    roll = np.zeros((n_steps, N_KEYS), dtype=np.uint8)
    for note, start, end in notes:
        if LOWEST_PITCH <= note < LOWEST_PITCH + N_KEYS:
            roll[round(start / step) : round(end / step), note - LOWEST_PITCH] = 1
    return roll
