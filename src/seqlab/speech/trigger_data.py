"""Training clips for the trigger-word detector, built as the notes build them, and its training.

The notes' recipe: take a 10 s background, overlay 0-4 recordings of the trigger word and 0-2 of
other words at random positions that do not overlap, and label the 50 output steps after each
trigger's end with 1. Here the words are also played at a random speed (0.9-1.1, pitch moving
with it) and level (and, optionally, through a random spectral tilt or a random octave-band
equaliser: another microphone, another voice), the background at a random level and offset,
and the clip at a random gain, so a few recordings give thousands of different clips.

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
from dataclasses import asdict, dataclass, field
from fractions import Fraction
from pathlib import Path

import numpy as np
import torch

from seqlab.speech.audio import read_wav, trim_silence
from seqlab.speech.config import ClipConfig
from seqlab.speech.strings import coloured_noise
from seqlab.speech.trigger import (
    EventScores,
    TriggerConfig,
    TriggerWordDetector,
    detect_triggers,
    event_scores,
    n_output_steps,
    trigger_features,
    trigger_frames,
    trigger_labels,
    trigger_probabilities,
)
from seqlab.train import Trainer, TrainerConfig, TrainResult, load_model, random_split

__all__ = [
    "CLIPS_FILE",
    "Clip",
    "ClipConfig",
    "TrainedDetector",
    "build_trigger_data",
    "equalise",
    "evaluate_detector",
    "load_detector",
    "overlay_clip",
    "read_clips",
    "tilt",
    "train_detector",
    "tune_threshold",
]

logger = logging.getLogger(__name__)

CLIPS_FILE = "clips.jsonl"
ROLES = ("activates", "negatives", "backgrounds")
SPEEDS = (0.9, 0.95, 1.0, 1.05, 1.1)


@dataclass
class Clip:
    """One synthesised clip: the waveform and where each word was placed (seconds)."""

    samples: np.ndarray
    triggers: list[tuple[float, float]] = field(default_factory=list)
    negatives: list[tuple[float, float]] = field(default_factory=list)


def _rms_db(x: np.ndarray) -> float:
    return 20 * math.log10(math.sqrt(float(np.mean(x.astype(np.float64) ** 2))) + 1e-12)


def _scaled(x: np.ndarray, db: float) -> np.ndarray:
    return x * np.float32(10 ** ((db - _rms_db(x)) / 20))


def tilt(x: np.ndarray, db: float) -> np.ndarray:
    """``x`` through y[n] = x[n] - a x[n-1], the first-order filter whose gain rises by ``db``
    from 0 Hz to the Nyquist frequency (falls, for db < 0): a microphone's frequency response,
    coarsely. |H(w)|^2 = 1 + a^2 - 2a cos w, so the gains at 0 and Nyquist are 1 - a and 1 + a,
    and a = (r - 1) / (r + 1) with r = 10^(db / 20)."""
    r = 10 ** (db / 20)
    a = (r - 1) / (r + 1)
    y = x.astype(np.float32)  # a copy
    y[1:] -= np.float32(a) * x[:-1]
    return y


EQ_CENTRES = (125.0, 250.0, 500.0, 1000.0, 2000.0, 4000.0, 8000.0)  # Hz: octave bands


def equalise(
    x: np.ndarray, gains_db: Sequence[float], sample_rate: int,
    centres: Sequence[float] = EQ_CENTRES,
) -> np.ndarray:  # fmt: skip
    """``x`` through a zero-phase equaliser: gain ``gains_db[k]`` at ``centres[k]`` Hz, linear in
    dB against log-frequency between centres and flat beyond the first and last. Applied as
    one FFT over the whole (word-long) signal: X(f) * 10^(g(f) / 20).

    Raises:
        ValueError: gains and centres of different lengths, centres not increasing and > 0.
    """
    centres = np.asarray(centres, dtype=np.float64)
    gains = np.asarray(gains_db, dtype=np.float64)
    if gains.shape != centres.shape or centres.ndim != 1 or len(centres) == 0:
        raise ValueError(f"need one gain per centre: {gains.shape} gains, {centres.shape} centres")
    if centres[0] <= 0 or np.any(np.diff(centres) <= 0):
        raise ValueError("centres must be increasing frequencies > 0 Hz")
    n = len(x)
    freqs = np.fft.rfftfreq(n, 1.0 / sample_rate)
    curve = np.interp(np.log(np.maximum(freqs, 1e-3)), np.log(centres), gains)  # dB
    spectrum = np.fft.rfft(x.astype(np.float64)) * 10 ** (curve / 20)
    return np.fft.irfft(spectrum, n).astype(np.float32)


def overlay_clip(
    background: np.ndarray,
    triggers: Sequence[np.ndarray],
    negatives: Sequence[np.ndarray],
    rng: np.random.Generator,
    config: ClipConfig,
) -> Clip:
    """The notes' ``create_training_example``: words overlaid on a background, never overlapping.

    Args:
        background: noise at ``config.sample_rate`` (cropped at a random offset or tiled).
        triggers, negatives: word recordings at ``config.sample_rate`` (each variant of a word
            is one entry: the caller passes speed variants when it wants them).
        rng: the random source (seeded by the caller).
        config: counts and levels.

    Returns:
        The clip; a word that finds no free place in 50 tries is left out.
    """
    n = int(round(config.seconds * config.sample_rate))
    if len(background) == 0:
        raise ValueError("empty background recording")
    start = int(rng.integers(len(background)))
    reps = math.ceil((start + n) / len(background))
    audio = np.tile(background, reps)[start : start + n].astype(np.float32)
    audio = _scaled(audio, rng.uniform(*config.background_db)) if _rms_db(audio) > -120 else audio
    if config.noise_db is not None:  # another background: white or pink noise
        noise = coloured_noise(n, str(rng.choice(["white", "pink"])), rng).astype(np.float32)
        audio += _scaled(noise, rng.uniform(*config.noise_db))
    placed: list[tuple[int, int]] = []
    spans: dict[str, list[tuple[float, float]]] = {"t": [], "n": []}
    words = [("t", w) for w in _pick(triggers, rng.integers(config.max_triggers + 1), rng)]
    words += [("n", w) for w in _pick(negatives, rng.integers(config.max_negatives + 1), rng)]
    rng.shuffle(words)
    for kind, word in words:
        if len(word) >= n:
            continue
        for _ in range(50):
            s = int(rng.integers(0, n - len(word)))
            e = s + len(word)
            if all(e <= a or s >= b for a, b in placed):
                placed.append((s, e))
                if config.tilt_db > 0:  # draws nothing when off: clips stay as they were
                    word = tilt(word, rng.uniform(-config.tilt_db, config.tilt_db))
                if config.eq_db > 0:  # likewise
                    gains = rng.uniform(-config.eq_db, config.eq_db, size=len(EQ_CENTRES))
                    word = equalise(word, gains, config.sample_rate)
                audio[s:e] += _scaled(word, rng.uniform(*config.word_db))
                spans[kind].append((s / config.sample_rate, e / config.sample_rate))
                break
    audio *= np.float32(10 ** (rng.uniform(-config.clip_gain_db, config.clip_gain_db) / 20))
    peak = float(np.abs(audio).max())
    if peak > 0.99:  # keep the 16-bit file unclipped
        audio *= np.float32(0.99 / peak)
    return Clip(audio, sorted(spans["t"]), sorted(spans["n"]))


def _pick(pool: Sequence[np.ndarray], k: int, rng: np.random.Generator) -> list[np.ndarray]:
    if not pool or k == 0:
        return []
    return [pool[i] for i in rng.integers(len(pool), size=int(k))]


def _wavs(folder: Path) -> list[Path]:
    return sorted(p for p in folder.iterdir() if p.suffix.lower() == ".wav")


def _load_words(paths: Sequence[Path], rate: int, speeds: Sequence[float]) -> list[np.ndarray]:
    out = []
    for path in paths:
        x, _ = read_wav(path, sample_rate=rate)
        x = trim_silence(x, rate, min_burst=0.15)  # a click before the word goes too
        for speed in speeds:  # stretched by 1 / speed and played at rate: speed x faster
            out.append(x if speed == 1.0 else _stretch(x, speed))
    return out


def _stretch(x: np.ndarray, speed: float) -> np.ndarray:
    """``x`` resampled to len(x) / speed samples (polyphase, a small rational factor)."""
    from scipy.signal import resample_poly

    ratio = Fraction(speed).limit_denominator(100)  # 0.95 -> 19/20: up 20, down 19
    return resample_poly(x, ratio.denominator, ratio.numerator).astype(np.float32)


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


def _examples(clips, features, subsample, label_steps, on_progress=None):
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


@dataclass(frozen=True)
class TrainedDetector:
    """What :func:`train_detector` returns."""

    model: TriggerWordDetector  # the best weights, with the tuned threshold
    result: TrainResult
    validation: dict[str, float]  # event scores on the validation clips at that threshold


def train_detector(
    clips: Sequence[LabelledClip],
    model_config: TriggerConfig,
    trainer_config: TrainerConfig,
    out_dir: str | os.PathLike[str],
    *,
    val: Sequence[LabelledClip] | None = None,
    val_fraction: float = 0.1,
    batch_size: int = 16,
    sample_rate: int = 16000,
    hop_ms: float = 5.0,
    label_steps: int = 50,
    refractory: float = 0.5,
    resume: bool = False,
    on_progress: Callable[[int], None] | None = None,
) -> TrainedDetector:
    """Train on labelled clips, keep the best validation loss, tune the threshold on validation.

    ``model_config.n_features`` decides the mel bands. The threshold that maximises event F1
    on the validation clips is saved in the folder's trigger.json (0.5 without validation).
    ``resume`` continues the run saved in ``out_dir/last``.

    Raises:
        ValueError: no clips, a bad clip file (named).
    """
    if not clips:
        raise ValueError("no training clips")
    clips = list(clips)
    if val is None and val_fraction > 0 and len(clips) > 1:
        clips, val = random_split(clips, val_fraction, seed=trainer_config.seed)
    feats = trigger_features(sample_rate, model_config.n_features, hop_ms)
    s = model_config.subsample
    frames, labels = _examples(clips, feats, s, label_steps, on_progress)
    stacked = np.concatenate(frames)  # (sum T, F)
    torch.manual_seed(trainer_config.seed)
    model = TriggerWordDetector(model_config, feats, label_steps=label_steps)
    model.set_normalisation(torch.from_numpy(stacked.mean(0)), torch.from_numpy(stacked.std(0)))
    del stacked
    train_b = ClipBatches(frames, labels, batch_size, shuffle=True, seed=trainer_config.seed)
    val_b = None
    if val:
        vf, vl = _examples(val, feats, s, label_steps, on_progress)
        val_b = ClipBatches(vf, vl, batch_size, shuffle=False, seed=0)
    out_dir = Path(out_dir)
    result = Trainer(model, trainer_config, out_dir, train_data=train_b, val_data=val_b,
                     resume=resume).fit()  # fmt: skip
    best = load_detector(out_dir)
    validation: dict[str, float] = {}
    if val:
        probs = [_clip_probs(best, c) for c in val]
        threshold, scores = tune_threshold(probs, [c.triggers for c in val], best.step_seconds,
                                           refractory=refractory)  # fmt: skip
        best.threshold = threshold
        best.save_assets(out_dir)
        validation = {"threshold": threshold, **scores.as_dict()}
    return TrainedDetector(best, result, validation)


def _clip_probs(model: TriggerWordDetector, clip: LabelledClip) -> np.ndarray:
    samples, _ = read_wav(clip.path, sample_rate=model.features.sample_rate)
    return trigger_probabilities(model, samples)


def tune_threshold(
    probs: Sequence[np.ndarray],
    triggers: Sequence[Sequence[tuple[float, float]]],
    step_seconds: float,
    *,
    refractory: float = 0.5,
    max_delay: float = 1.0,
    grid: Sequence[float] = tuple(round(0.1 + 0.05 * i, 2) for i in range(18)),
) -> tuple[float, EventScores]:
    """The threshold of ``grid`` with the best event F1 over the clips (ties: nearest 0.5)."""
    best: tuple[float, float, EventScores] | None = None
    for threshold in grid:
        total = EventScores(0, 0, 0)
        for p, spans in zip(probs, triggers):
            found = detect_triggers(p, step_seconds, threshold=threshold, refractory=refractory)
            total = total + event_scores(found, spans, max_delay=max_delay)
        key = (total.f1, -abs(threshold - 0.5))
        if best is None or key > (best[0], -abs(best[1] - 0.5)):
            best = (total.f1, float(threshold), total)
    assert best is not None
    return best[1], best[2]


def load_detector(folder: str | os.PathLike[str]) -> TriggerWordDetector:
    """A trained detector with its feature settings, in eval mode.

    Raises:
        ValueError: the folder holds another task's model, or no trigger.json.
    """
    model = load_model(folder)
    if not isinstance(model, TriggerWordDetector):
        raise ValueError(f"{folder} does not hold a trigger-word model")
    if model.features is None:
        raise ValueError(f"{folder}: missing trigger.json (the feature settings)")
    return model.eval()


def evaluate_detector(
    model: TriggerWordDetector,
    clips: Sequence[LabelledClip],
    *,
    threshold: float | None = None,
    refractory: float = 0.5,
    max_delay: float = 1.0,
    on_progress: Callable[[int], None] | None = None,
) -> dict[str, float]:
    """Event precision, recall and F1 over labelled clips, with frame accuracy for contrast.

    Returns:
        ``{"precision", "recall", "f1", "tp", "fp", "fn", "clips", "triggers", "threshold",
        "frame_accuracy", "all_zero_frame_accuracy"}``.
    """
    threshold = model.threshold if threshold is None else threshold
    total, correct, ones, steps = EventScores(0, 0, 0), 0, 0, 0
    for clip in clips:
        probs = _clip_probs(model, clip)
        found = detect_triggers(probs, model.step_seconds, threshold=threshold,
                                refractory=refractory)  # fmt: skip
        total = total + event_scores(found, clip.triggers, max_delay=max_delay)
        y = trigger_labels([e for _, e in clip.triggers], len(probs), model.step_seconds,
                           model.label_steps)  # fmt: skip
        correct += int(((probs >= threshold) == (y > 0.5)).sum())
        ones += int(y.sum())
        steps += len(y)
        if on_progress:
            on_progress(1)
    return {**total.as_dict(), "clips": len(clips), "triggers": total.tp + total.fn,
            "threshold": threshold, "frame_accuracy": correct / max(steps, 1),
            "all_zero_frame_accuracy": 1 - ones / max(steps, 1)}  # fmt: skip
