"""Training and running the CTC recogniser: WAV files -> log-mel frames -> the one Trainer.

Each utterance is read at ``sample_rate``, turned into a log-mel spectrogram (B=1) and normalised
per mel band over the utterance (zero mean, unit variance: removes the recording's gain and
channel), then batched by length. The model folder keeps the alphabet and the feature settings
(``speech.json``), so ``transcribe`` reads new files exactly as training did.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Sequence
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

import numpy as np
import torch

from seqlab.speech.audio import change_speed, is_silent, read_wav
from seqlab.speech.config import SpeechDataConfig
from seqlab.speech.ctc import CharLM, greedy_decode, lexicon_decode, prefix_beam_search
from seqlab.speech.data import Alphabet, Utterance, collate
from seqlab.speech.features import FeatureConfig, log_mel_spectrogram
from seqlab.speech.model import SPEECH_FILE, CTCConfig, CTCRecognizer
from seqlab.text import BucketBatchSampler
from seqlab.train import TaskData, Trained, TrainerConfig, fit_task, load_model, random_split

__all__ = [
    "SPEECH_FILE",
    "SpeechBatches",
    "spec_augment",
    "SpeechDataConfig",
    "Transcript",
    "features_of",
    "features_of_samples",
    "load_recognizer",
    "split_points",
    "train_recognizer",
    "transcribe",
    "transcribe_file",
]

logger = logging.getLogger(__name__)


def features_of(path: str | os.PathLike[str], config: FeatureConfig) -> np.ndarray:
    """Normalised log-mel frames of one file: float32 (T, n_mels)."""
    samples, _ = read_wav(path, sample_rate=config.sample_rate)
    return features_of_samples(samples, config)


def features_of_samples(samples: np.ndarray, config: FeatureConfig) -> np.ndarray:
    """Normalised log-mel frames of a waveform at ``config.sample_rate``: float32 (N,) ->
    float32 (T, n_mels)."""
    db = log_mel_spectrogram(torch.from_numpy(samples), config)[0].T  # (T, n_mels)
    mean, std = db.mean(0, keepdim=True), db.std(0, keepdim=True)  # per band, this utterance
    return ((db - mean) / (std + 1e-5)).numpy().astype(np.float32)


class SpeechBatches:
    """Padded batches of utterances of similar lengths: a callable ``epoch -> batches``.

    ``masks`` = (freq_masks, freq_width, time_masks, time_width) applies SpecAugment's masks
    to every utterance, drawn from (seed, epoch): the same epoch gives the same batches.
    ``alternatives`` gives each utterance other versions of its frames (the speed-perturbed
    copies, each (T_i', F)); every epoch then takes one of its 1 + n versions, uniformly at
    random from (seed, epoch), before the masks. Batches are bucketed by the first version's T.
    """

    def __init__(self, features: Sequence[np.ndarray], labels: Sequence[Sequence[int]],
                 batch_size: int, *, shuffle: bool = False, seed: int = 0,
                 masks: tuple[int, int, int, int] = (0, 1, 0, 1),
                 alternatives: Sequence[Sequence[np.ndarray]] | None = None) -> None:  # fmt: skip
        if not features:
            raise ValueError("no utterances to batch")
        if alternatives is not None and len(alternatives) != len(features):
            raise ValueError(f"{len(features)} utterances but {len(alternatives)} alternatives")
        self.features, self.labels = list(features), list(labels)
        self.versions = [[f, *alts] for f, alts in zip(features, alternatives)] if alternatives \
            else None  # fmt: skip
        self.seed, self.masks = seed, masks
        self.sampler = BucketBatchSampler([len(f) for f in features], batch_size,
                                          shuffle=shuffle, seed=seed)  # fmt: skip

    def __len__(self) -> int:
        return len(self.sampler)

    def __call__(self, epoch: int) -> list[dict[str, Any]]:
        self.sampler.set_epoch(epoch)
        features = self.features
        if self.versions is not None:  # its own stream: the masks stay those of no alternatives
            pick = np.random.default_rng([self.seed, epoch, 1])
            features = [v[int(pick.integers(len(v)))] for v in self.versions]
        if self.masks[0] or self.masks[2]:
            rng = np.random.default_rng([self.seed, epoch])
            features = [spec_augment(f, rng, *self.masks) for f in features]
        return [collate([features[i] for i in idx], [self.labels[i] for i in idx])
                for idx in self.sampler]  # fmt: skip


def spec_augment(
    frames: np.ndarray,
    rng: np.random.Generator,
    freq_masks: int,
    freq_width: int,
    time_masks: int,
    time_width: int,
) -> np.ndarray:
    """A copy of (T, F) ``frames`` with SpecAugment's masks set to 0: ``freq_masks`` bands
    [f0, f0 + f) with f uniform in 0..freq_width, and ``time_masks`` stretches [t0, t0 + t)
    with t uniform in 0..min(time_width, T // 5) (a mask never hides most of a short word)."""
    out = frames.copy()
    T, F = out.shape
    for _ in range(freq_masks):
        f = int(rng.integers(0, min(freq_width, F) + 1))
        f0 = int(rng.integers(0, F - f + 1))
        out[:, f0 : f0 + f] = 0.0
    for _ in range(time_masks):
        t = int(rng.integers(0, min(time_width, T // 5) + 1))
        t0 = int(rng.integers(0, T - t + 1))
        out[t0 : t0 + t] = 0.0
    return out


def train_recognizer(
    train: Sequence[Utterance],
    model_config: CTCConfig,
    data_config: SpeechDataConfig,
    trainer_config: TrainerConfig,
    out_dir: str | os.PathLike[str],
    *,
    val: Sequence[Utterance] | None = None,
    resume: bool = False,
    overwrite: bool = False,
    callbacks: Sequence[Any] = (),
) -> Trained[CTCRecognizer]:
    """Train on ``train`` (validating on ``val`` or a held-out ``val_fraction``), keep the best.

    The alphabet is every character of the training transcripts; ``model_config``'s
    ``n_features`` and ``n_labels`` are set from the data. ``resume`` continues the run saved
    in ``out_dir/last`` (with the alphabet saved there); ``overwrite`` replaces the model already
    in ``out_dir`` once the new one is complete; ``callbacks`` go to the Trainer.

    Raises:
        ValueError: no utterances, a bad file (named), a validation transcript with a character
            the training transcripts lack.
    """
    if not train:
        raise ValueError("no training utterances")
    if val is None and data_config.val_fraction > 0 and len(train) > 1:
        train, val = random_split(list(train), data_config.val_fraction, seed=trainer_config.seed)
    alphabet = Alphabet.from_texts([u.text for u in train])
    feats = data_config.features()
    cfg = CTCConfig(**{**asdict(model_config), "n_features": feats.n_mels,
                       "n_labels": len(alphabet)})  # fmt: skip

    def make_data(model: CTCRecognizer) -> TaskData:  # the model's alphabet: last/'s on resume
        abc, fc = model.alphabet, model.features
        train_b = _batches(train, abc, fc, data_config.batch_size, True, trainer_config.seed,
                           data_config.masks(), data_config.speeds())  # fmt: skip
        val_b = _batches(val, abc, fc, data_config.batch_size, False, 0) if val else None
        return TaskData(train_b, val_b)

    def build_model(resume_dir: Path | None) -> CTCRecognizer:
        if resume_dir is not None:
            return CTCRecognizer.from_dir(resume_dir, cfg)
        return CTCRecognizer(cfg, alphabet, feats)

    return fit_task(build_model, make_data, trainer_config, out_dir, resume=resume,
                    overwrite=overwrite, callbacks=callbacks)  # fmt: skip


def _batches(utts, alphabet, feats, batch_size, shuffle, seed, masks=(0, 1, 0, 1), speeds=(1.0,)):
    versions = [_versions(u.path, feats, speeds) for u in utts]  # [speed 1, perturbed...]
    labels = [alphabet.encode(u.text) for u in utts]
    alternatives = [v[1:] for v in versions] if len(speeds) > 1 else None
    return SpeechBatches([v[0] for v in versions], labels, batch_size, shuffle=shuffle,
                         seed=seed, masks=masks, alternatives=alternatives)  # fmt: skip


def _versions(path, feats, speeds):
    """Frames of the file played at each of ``speeds`` (1.0 first: :func:`features_of`'s)."""
    samples, _ = read_wav(path, sample_rate=feats.sample_rate)
    return [features_of_samples(change_speed(samples, s), feats) for s in speeds]


def load_recognizer(
    folder: str | os.PathLike[str], *, map_location: str | torch.device = "cpu"
) -> CTCRecognizer:
    """A trained recogniser with its alphabet and feature settings, in eval mode, on
    ``map_location``.

    Raises:
        ValueError: the folder holds another task's model, or no speech.json.
    """
    model = load_model(folder, CTCRecognizer, map_location=map_location)
    if model.alphabet is None or model.features is None:
        raise ValueError(f"{folder}: missing {SPEECH_FILE} (the alphabet and feature settings)")
    return model.eval()


@dataclass(frozen=True)
class Transcript:
    """What :func:`transcribe_file` found in one recording."""

    path: str
    text: str  # the chunks' texts joined with a space; "" for silence
    silent: bool = False  # the whole recording is below the silence threshold (not decoded)
    seconds: float = 0.0  # the recording's duration
    n_chunks: int = 1  # pieces it was decoded in (> 1: longer than max_seconds)
    frames: str = ""  # the most likely symbol of each output frame, "_" = blank; pieces " "-joined


def transcribe(
    model: CTCRecognizer,
    paths: Sequence[str | os.PathLike[str]],
    *,
    beam_size: int = 1,
    **options: Any,
) -> list[str]:
    """Text of each file: greedy decoding (beam_size 1) or prefix beam search.

    ``options`` are those of :func:`transcribe_file` (``lm``, ``lm_weight``,
    ``insertion_bonus``, ``max_seconds``).
    """
    return [transcribe_file(model, p, beam_size=beam_size, **options).text for p in paths]


@torch.no_grad()
def transcribe_file(
    model: CTCRecognizer,
    path: str | os.PathLike[str],
    *,
    beam_size: int = 1,
    lm: CharLM | None = None,
    lm_weight: float = 0.5,
    insertion_bonus: float = 0.0,
    max_seconds: float | None = None,
    vocabulary: Sequence[str] | None = None,
) -> Transcript:
    """Transcribe one recording.

    A recording that is silence only is not decoded (its text is ""). One longer than
    ``max_seconds`` is cut at its quietest frames near each limit (:func:`split_points`), each
    piece is transcribed alone and the texts are joined with a space.

    Args:
        model: a trained recogniser.
        path: the WAV file.
        beam_size: 1 for greedy decoding, more for prefix beam search.
        lm: a character LM for the beam search (see :mod:`seqlab.speech.lm`).
        lm_weight, insertion_bonus: the shallow-fusion weights (see ``prefix_beam_search``).
        max_seconds: the longest piece decoded at once; None: no limit.
        vocabulary: closed-vocabulary decoding: each piece becomes the phrase of this list with
            the highest CTC likelihood (:func:`~seqlab.speech.ctc.lexicon_decode`).

    Raises:
        ValueError: a bad file (named), an LM with greedy decoding, max_seconds <= 0.
    """
    if lm is not None and beam_size <= 1:
        raise ValueError("a language model needs beam search (beam_size 2 or more)")
    model.eval()
    samples, rate = read_wav(path, sample_rate=model.features.sample_rate)
    seconds = len(samples) / rate
    if is_silent(samples):
        return Transcript(str(path), "", silent=True, seconds=seconds, n_chunks=0)
    cuts = [] if max_seconds is None else split_points(samples, rate, max_seconds)
    lexicon = [model.alphabet.encode(w) for w in vocabulary] if vocabulary else None
    texts, frames = [], []
    device = next(model.parameters()).device
    for chunk in np.split(samples, cuts):
        if is_silent(chunk):
            continue
        batch = collate([features_of_samples(chunk, model.features)])
        log_probs, lengths = model(batch["features"].to(device), batch["lengths"])
        lp = log_probs[0, : int(lengths[0])].cpu().numpy()  # (T, C)
        symbols = ["_", *model.alphabet.chars]  # label 0 is the blank
        frames.append("".join(symbols[c] for c in lp.argmax(1)))
        if lexicon:
            best, _ = lexicon_decode(lp, lexicon)
            texts.append(vocabulary[best])
            continue
        if beam_size <= 1:
            labels = greedy_decode(lp)
        else:
            labels = prefix_beam_search(lp, beam_size=beam_size, lm=lm, lm_weight=lm_weight,
                                        insertion_bonus=insertion_bonus)[0].labels  # fmt: skip
        texts.append(model.alphabet.decode(labels))
    text = " ".join(t for t in texts if t)
    return Transcript(str(path), text, seconds=seconds, n_chunks=len(cuts) + 1,
                      frames=" ".join(frames))  # fmt: skip


def split_points(
    samples: np.ndarray, rate: int, max_seconds: float, *, frame_ms: float = 10.0
) -> list[int]:
    """Where to cut a long waveform so that no piece is longer than ``max_seconds``.

    Each cut is the middle of the quietest ``frame_ms`` frame (least mean square) in the last
    quarter before the limit, but never leaves less than a quarter of ``max_seconds`` behind, so
    the last piece is not a sliver::

        |<------------ max ------------>|
        |        piece 1     [ search  ]|
                              ^ quietest frame: cut, the next piece starts here

    Args:
        samples: float (N,) the waveform.
        rate: its sample rate (Hz).
        max_seconds: the longest piece.
        frame_ms: the loudness is compared over frames this long.

    Returns:
        Sample indexes, increasing (``np.split(samples, cuts)`` gives the pieces); [] when the
        waveform is short enough.

    Raises:
        ValueError: max_seconds too short for one frame.
    """
    max_len, frame = int(max_seconds * rate), max(1, int(frame_ms * rate / 1000))
    if max_len < 4 * frame:
        raise ValueError(f"max_seconds must be at least {4 * frame / rate:g} s, got {max_seconds}")
    power = np.asarray(samples, dtype=np.float64) ** 2  # (N,)
    cuts, start = [], 0
    while len(samples) - start > max_len:
        hi = min(start + max_len, len(samples) - max_len // 4)
        lo = max(start + frame, hi - max_len // 4)
        n = max(1, (hi - lo) // frame)
        loudness = power[lo : lo + n * frame].reshape(n, -1).mean(axis=1)  # (n,)
        start = lo + int(np.argmin(loudness)) * frame + frame // 2
        cuts.append(start)
    return cuts
