"""Clip folders for the trigger-word detector: building them from raw recordings, reading them,
and batching them for training.

A raw folder has the notes' layout: ``activates/`` (the trigger word), ``negatives/`` (other
words) and ``backgrounds/`` (noise), each of WAV files. :func:`build_trigger_data` splits the
word recordings into train and test sets (test clips are built only from recordings training
never hears) and writes ``train/`` and ``test/`` folders of 16-bit WAV clips, each with a
``clips.jsonl`` (``{"file", "triggers": [[start, end], ...], "negatives": [...]}`` in seconds),
plus ``split.json`` naming which recording went where.
"""

from __future__ import annotations

import json
import logging
import math
import os
import shutil
import tempfile
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass
from pathlib import Path

import numpy as np
import torch

from seqlab.speech.audio import change_speed, read_wav, trim_silence
from seqlab.speech.config import ClipConfig
from seqlab.speech.trigger.clips import overlay_clip
from seqlab.speech.trigger.model import n_output_steps, trigger_frames, trigger_labels

__all__ = [
    "CLIPS_FILE",
    "ClipBatches",
    "LabelledClip",
    "build_trigger_data",
    "encode_clips",
    "read_clips",
]

logger = logging.getLogger(__name__)

CLIPS_FILE = "clips.jsonl"
ROLES = ("activates", "negatives", "backgrounds")
SPEEDS = (0.9, 0.95, 1.0, 1.05, 1.1)


def _wavs(folder: Path) -> list[Path]:
    return sorted(p for p in folder.iterdir() if p.suffix.lower() == ".wav")


def _load_words(paths: Sequence[Path], rate: int, speeds: Sequence[float]) -> list[np.ndarray]:
    out = []
    for path in paths:
        x, _ = read_wav(path, sample_rate=rate)
        x = trim_silence(x, rate, min_burst=0.15)  # a click before the word goes too
        for speed in speeds:  # stretched by 1 / speed and played at rate: speed x faster
            out.append(change_speed(x, speed))
    return out


def _word_pool(paths, extra, rate, speeds) -> list[np.ndarray]:
    """The words a clip draws from: the raw recordings ``paths``, repeated so that ``extra``
    recordings (however many) make up at most about half the draws."""
    own = _load_words(paths, rate, speeds)
    more = _load_words(extra, rate, speeds)
    reps = max(1, round(len(more) / len(own))) if own else 1
    return own * reps + more


def _split(paths: list[Path], fraction: float, rng: np.random.Generator) -> tuple[list, list]:
    if fraction <= 0 or len(paths) < 2:
        return paths, []
    order = rng.permutation(len(paths))
    n_test = min(len(paths) - 1, max(1, round(fraction * len(paths))))
    test = sorted(paths[i] for i in order[:n_test])
    return [p for p in paths if p not in test], test


def build_trigger_data(
    raw: str | os.PathLike[str],
    out: str | os.PathLike[str],
    *,
    n_train: int = 2000,
    n_test: int = 200,
    test_fraction: float = 0.3,
    extra_activates: Sequence[str | os.PathLike[str]] = (),
    extra_negatives: Sequence[str | os.PathLike[str]] = (),
    holdout_backgrounds: bool = False,
    config: ClipConfig = ClipConfig(),
    train_config: ClipConfig | None = None,
    seed: int = 0,
    on_progress: Callable[[int], None] | None = None,
) -> dict[str, object]:
    """Write ``out/train`` and ``out/test`` clip folders and ``out/split.json``.

    Args:
        raw: a folder with ``activates/``, ``negatives/`` and ``backgrounds/`` of WAV files.
        out: the folder to create (must not exist or be empty); written under a temporary name
            and renamed at the end, so a crash leaves nothing half-written.
        n_train, n_test: clips per split.
        test_fraction: share of the activates and negatives recordings kept for test clips.
        extra_activates, extra_negatives: more folders of trigger and other words (e.g.
            synthesised voices, FSDD recordings) for the training clips only: the test clips
            are built from the raw folder's held-out recordings alone. The raw recordings
            stay about half of what training clips draw, however many extras there are.
        holdout_backgrounds: split the backgrounds too (else both splits use all of them).
        config: synthesis settings.
        train_config: other settings for the training clips (e.g. quieter words, to train for
            harder clips than the test's); None = ``config``. Same sample rate and length.
        seed: the random seed (the same seed writes the same clips; the test clips depend
            only on it and the raw folder, not on n_train or the extra folders).
        on_progress: called with 1 after each clip written.

    Returns:
        The split record (also written to split.json).

    Raises:
        ValueError: a missing role folder, a role with no WAV files, an unreadable recording
            (named), an existing non-empty ``out``.
    """
    raw, out = Path(raw), Path(out)
    if not raw.is_dir():
        raise ValueError(f"{raw}: no such folder")
    if out.exists() and (not out.is_dir() or any(out.iterdir())):
        raise ValueError(f"{out} already exists and is not empty; choose a new folder")
    if n_train < 0 or n_test < 0 or n_train + n_test == 0:
        raise ValueError("n_train and n_test must be >= 0, and not both 0")
    if not 0.0 <= test_fraction < 1.0:
        raise ValueError(f"test_fraction must be in [0, 1), got {test_fraction}")
    files: dict[str, list[Path]] = {}
    for role in ROLES:
        if not (raw / role).is_dir():
            raise ValueError(f"{raw}: no {role}/ folder (expected activates/, negatives/, "
                             "backgrounds/)")  # fmt: skip
    for role in ROLES:
        folder = raw / role
        files[role] = _wavs(folder)
        if not files[role]:
            raise ValueError(f"{folder}: no WAV files")
    extra: dict[str, list[Path]] = {"activates": [], "negatives": [], "backgrounds": []}
    for role, folders in (("activates", extra_activates), ("negatives", extra_negatives)):
        for folder in map(Path, folders):
            if not folder.is_dir() or not _wavs(folder):
                raise ValueError(f"{folder}: not a folder of WAV files")
            extra[role] += _wavs(folder)
    train_config = config if train_config is None else train_config
    if (train_config.sample_rate, train_config.seconds) != (config.sample_rate, config.seconds):
        raise ValueError("train_config must keep config's sample_rate and seconds")
    rng = np.random.default_rng(seed)
    split = {"train": {}, "test": {}}
    for role in ROLES:
        fraction = test_fraction if role != "backgrounds" or holdout_backgrounds else 0.0
        train, test = _split(files[role], fraction, rng)
        split["train"][role], split["test"][role] = train, test or train
    rate = config.sample_rate
    speeds = SPEEDS if config.speed else (1.0,)
    record: dict[str, object] = {"seed": seed, "config": asdict(config),
                                 "train_config": asdict(train_config),
                                 "n_train": n_train, "n_test": n_test}  # fmt: skip
    out.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(dir=out.parent, prefix=f".{out.name}.", suffix=".tmp"))
    try:
        for name, n in (("train", n_train), ("test", n_test)):
            roles = split[name]
            extras = extra if name == "train" else {role: [] for role in ROLES}
            record[name] = {role: [str(p) for p in roles[role] + extras[role]] for role in ROLES}
            if n == 0:
                continue
            backgrounds = [read_wav(p, sample_rate=rate)[0] for p in roles["backgrounds"]]
            acts = _word_pool(roles["activates"], extras["activates"], rate, speeds)
            negs = _word_pool(roles["negatives"], extras["negatives"], rate, speeds)
            clip_rng = np.random.default_rng([seed, 0 if name == "train" else 1])
            cfg = train_config if name == "train" else config
            _write_clips(tmp / name, n, backgrounds, acts, negs, clip_rng, cfg, on_progress)
        (tmp / "split.json").write_text(json.dumps(record, indent=1) + "\n", encoding="utf-8")
        if out.exists():
            try:
                out.rmdir()
            except OSError:
                raise ValueError(
                    f"{out} was filled by something else (another build?) while "
                    "the clips were written; nothing of this build was kept"
                ) from None
        os.replace(tmp, out)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    return record


def _write_clips(folder, n, backgrounds, acts, negs, rng, config, on_progress) -> None:
    from scipy.io import wavfile

    folder.mkdir()
    with open(folder / CLIPS_FILE, "w", encoding="utf-8") as index:
        for i in range(n):
            bg = backgrounds[int(rng.integers(len(backgrounds)))]
            clip = overlay_clip(bg, acts, negs, rng, config)
            name = f"clip_{i:05d}.wav"
            pcm = np.clip(np.round(clip.samples * 32767), -32768, 32767).astype(np.int16)
            wavfile.write(folder / name, config.sample_rate, pcm)
            row = {"file": name, "triggers": _rounded(clip.triggers),
                   "negatives": _rounded(clip.negatives)}  # fmt: skip
            index.write(json.dumps(row) + "\n")
            if on_progress:
                on_progress(1)


def _rounded(spans: list[tuple[float, float]]) -> list[list[float]]:
    return [[round(s, 4), round(e, 4)] for s, e in spans]


@dataclass(frozen=True)
class LabelledClip:
    """A clip file and its trigger spans (seconds)."""

    path: Path
    triggers: list[tuple[float, float]]


def read_clips(folder: str | os.PathLike[str]) -> list[LabelledClip]:
    """The clips of a folder written by :func:`build_trigger_data` (its ``clips.jsonl``).

    Raises:
        ValueError: no clips.jsonl, a malformed line (named), a listed file that is missing.
    """
    folder = Path(folder)
    index = folder / CLIPS_FILE
    if not index.is_file():
        raise ValueError(f"{folder}: no {CLIPS_FILE} (build clips with seqlab trigger build-data)")
    clips = []
    for n, line in enumerate(index.read_text(encoding="utf-8").splitlines(), 1):
        if not line.strip():
            continue
        try:
            row = json.loads(line)
            spans = [(float(s), float(e)) for s, e in row["triggers"]]
            path = folder / row["file"]
        except (ValueError, KeyError, TypeError) as e:
            raise ValueError(f"{index}:{n}: malformed line ({e})") from e
        if not path.is_file():
            raise ValueError(f"{index}:{n}: {path} is missing")
        clips.append(LabelledClip(path, spans))
    if not clips:
        raise ValueError(f"{index}: no clips")
    return clips


def encode_clips(clips, features, subsample, label_steps, on_progress=None):
    """The detector's input frames and per-step targets of each clip (read from its WAV)."""
    frames, labels = [], []
    step = features.hop_length * subsample / features.sample_rate
    for clip in clips:
        samples, _ = read_wav(clip.path, sample_rate=features.sample_rate)
        frames.append(trigger_frames(samples, features))
        n = n_output_steps(len(samples), features, subsample)
        labels.append(trigger_labels([e for _, e in clip.triggers], n, step, label_steps))
        if on_progress:
            on_progress(1)
    return frames, labels


class ClipBatches:
    """Padded batches of clips: a callable ``epoch -> batches`` (shuffled when asked)."""

    def __init__(self, frames, labels, batch_size: int, *, shuffle: bool, seed: int) -> None:
        self.frames, self.labels = frames, labels
        self.batch_size, self.shuffle, self.seed = batch_size, shuffle, seed

    def __len__(self) -> int:
        return math.ceil(len(self.frames) / self.batch_size)

    def __call__(self, epoch: int) -> list[dict[str, torch.Tensor]]:
        order = np.arange(len(self.frames))
        if self.shuffle:
            order = np.random.default_rng(self.seed + epoch).permutation(len(order))
        return [self._collate(order[i : i + self.batch_size])
                for i in range(0, len(order), self.batch_size)]  # fmt: skip

    def _collate(self, idx) -> dict[str, torch.Tensor]:
        T = max(len(self.frames[i]) for i in idx)
        S = max(len(self.labels[i]) for i in idx)
        F = self.frames[idx[0]].shape[1]
        x = torch.zeros(len(idx), T, F)
        y = torch.zeros(len(idx), S)
        for row, i in enumerate(idx):
            x[row, : len(self.frames[i])] = torch.from_numpy(self.frames[i])
            y[row, : len(self.labels[i])] = torch.from_numpy(self.labels[i])
        lengths = torch.tensor([len(self.frames[i]) for i in idx])
        return {"features": x, "lengths": lengths, "labels": y}
