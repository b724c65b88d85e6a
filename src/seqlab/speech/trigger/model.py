"""Trigger-word detection as in the notes: a spectrogram in, "the trigger just ended" per step out.

    log-mel frames (B, T, F) -> normalise -> causal Conv1d (stride s: T' = ceil(T / s))
    -> BatchNorm -> ReLU -> GRU stack (seqlab.nn, one direction) -> Linear -> sigmoid  (B, T')

The targets y<t> are 1 for the ``label_steps`` (50) output steps right after each trigger word
ends and 0 elsewhere (the notes' ``insert_ones``: with e = floor(end / step), steps
e + 1 .. e + 50). The convolution sees only past frames and the GRU runs forward only, so the
detector can listen to a recording of any length chunk by chunk, carrying its state
(:func:`trigger_probabilities`); a trigger fires when the probability crosses the threshold,
at most once per ``refractory`` seconds, so one utterance fires once (``detect_triggers``).

Frame accuracy is misleading here (an all-zero output scores ~90%), so the detector is judged
by events (:mod:`seqlab.speech.trigger.events` matches detections to spoken triggers one to one).

Training can hide random bands of mel features (``freq_masks`` masks up to ``freq_mask_width``
bands wide: SpecAugment's frequency masks), so that the detector does not lean on one part of
the spectrum that another microphone or voice may lack.

Deliberate differences from the notes' Keras model: log-mel bands (not the raw 101-bin
spectrogram), a causal convolution (theirs is "valid" and sees the future within its window),
and 10 ms output steps by default (5 ms frames, stride 2; theirs are 7.3 ms), so the 50 labelled
steps last 0.5 s (theirs 0.36 s). Longer steps would halve the training time, but then 50 steps
outlast the shortest "activate" and two triggers said back to back merge into one run of 1s.
"""

from __future__ import annotations

import json
import math
from collections.abc import Sequence
from dataclasses import asdict
from pathlib import Path

import numpy as np
import torch
import torch.nn.functional as F
from torch import Tensor, nn

from seqlab._config import read_json
from seqlab.nn import GRU
from seqlab.speech.config import FeatureConfig, TriggerConfig
from seqlab.speech.features import log_mel_spectrogram
from seqlab.speech.model import output_lengths
from seqlab.train import config_from_dict

__all__ = [
    "TRIGGER_FILE",
    "TriggerConfig",
    "TriggerWordDetector",
    "frequency_masks",
    "n_output_steps",
    "trigger_features",
    "trigger_frames",
    "trigger_labels",
    "trigger_probabilities",
]

TRIGGER_FILE = "trigger.json"  # feature settings, label_steps and the tuned threshold


def trigger_features(
    sample_rate: int = 16000, n_mels: int = 40, hop_ms: float = 5.0
) -> FeatureConfig:
    """The detector's log-mel settings: 25 ms windows every ``hop_ms``, no per-clip dB floor.

    ``top_db`` is off so a frame's value never depends on the rest of the recording (streaming).
    """
    win = int(round(sample_rate * 0.025))
    n_fft = 1 << (win - 1).bit_length()
    hop = int(round(sample_rate * hop_ms / 1000))
    return FeatureConfig(sample_rate=sample_rate, n_fft=n_fft, win_length=win, hop_length=hop,
                         n_mels=n_mels, n_mfcc=1, top_db=None)  # fmt: skip


def trigger_frames(samples: np.ndarray, features: FeatureConfig) -> np.ndarray:
    """Log-mel frames (dB) of a waveform at ``features.sample_rate``: float32 (T, n_mels)."""
    wave = torch.from_numpy(np.ascontiguousarray(samples, dtype=np.float32))
    return log_mel_spectrogram(wave, features)[0].T.contiguous().numpy()


def n_output_steps(n_samples: int, features: FeatureConfig, subsample: int) -> int:
    """Output steps for a waveform of ``n_samples``: ceil((1 + N // hop) / s)."""
    frames = 1 + n_samples // features.hop_length
    return -(-frames // subsample)


def trigger_labels(
    ends: Sequence[float], n_steps: int, step_seconds: float, label_steps: int = 50
) -> np.ndarray:
    """The notes' targets: float32 (n_steps,), 1 on steps e+1 .. e+label_steps after each end.

    Args:
        ends: the trigger words' end times, seconds.
        n_steps: output steps of the clip.
        step_seconds: seconds per output step (step t looks at audio up to t * step_seconds).
        label_steps: how many steps are 1 after each end (clipped at the clip's end).

    Raises:
        ValueError: a negative end time, non-positive step or label_steps.
    """
    if step_seconds <= 0 or label_steps < 1 or n_steps < 0:
        raise ValueError("step_seconds and label_steps must be positive and n_steps >= 0")
    y = np.zeros(n_steps, dtype=np.float32)
    for end in ends:
        if end < 0 or not math.isfinite(end):
            raise ValueError(f"trigger end time must be a finite time >= 0 s, got {end}")
        e = int(end / step_seconds)
        y[e + 1 : e + 1 + label_steps] = 1.0
    return y


class TriggerWordDetector(nn.Module):
    """Conv1d + BatchNorm + GRU stack + per-step sigmoid; see the module docstring.

    Args:
        config: the architecture.
        features: how audio becomes frames (kept in the model folder's trigger.json).
        label_steps: steps labelled 1 after a trigger (kept for reference and plots).
        threshold: the probability that fires a detection (tuned on validation clips).
    """

    task = "trigger"  # config.json's "task" (seqlab.TASKS)
    config_class = TriggerConfig

    def __init__(
        self,
        config: TriggerConfig,
        features: FeatureConfig | None = None,
        *,
        label_steps: int = 50,
        threshold: float = 0.5,
    ) -> None:
        super().__init__()
        if features is not None and features.n_mels != config.n_features:
            raise ValueError(f"features have {features.n_mels} mel bands but the model reads "
                             f"{config.n_features}")  # fmt: skip
        self.config, self.features = config, features
        self.label_steps, self.threshold = label_steps, threshold
        c = config
        self.conv = nn.Conv1d(c.n_features, c.conv_channels, c.conv_kernel, stride=c.subsample)
        self.norm = nn.BatchNorm1d(c.conv_channels)
        self.rnn = GRU(c.conv_channels, c.hidden_size, num_layers=c.num_layers, dropout=c.dropout)
        self.out = nn.Linear(c.hidden_size, 1)
        # training-set statistics of the log-mel frames (set by the trainer, saved with weights)
        self.register_buffer("feature_mean", torch.zeros(c.n_features))
        self.register_buffer("feature_std", torch.ones(c.n_features))

    @property
    def step_seconds(self) -> float:
        """Seconds per output step: hop * subsample / sample_rate."""
        if self.features is None:
            raise ValueError("the detector has no feature settings (trigger.json)")
        return self.features.hop_length * self.config.subsample / self.features.sample_rate

    def set_normalisation(self, mean: Tensor, std: Tensor) -> None:
        """Store the training frames' per-band mean and standard deviation."""
        self.feature_mean.copy_(torch.as_tensor(mean, dtype=torch.float32))
        self.feature_std.copy_(torch.as_tensor(std, dtype=torch.float32).clamp(min=1e-3))

    def forward(
        self,
        features: Tensor,
        lengths: Tensor | None = None,
        state: tuple[Tensor, Tensor] | None = None,
    ) -> tuple[Tensor, Tensor, tuple[Tensor, Tensor]]:
        """Per-step logits of "a trigger just ended".

        Args:
            features: (B, T, F) log-mel frames in dB, padded at the end.
            lengths: (B,) real frames per row; None = all T.
            state: from a previous chunk (streaming): (context (B, k-1, F) of normalised
                frames, GRU state (L, B, H)); None = the start of the recordings.

        Returns:
            logits (B, T') with T' = ceil(T / s), out_lengths (B,), and the state after the chunk.
            For streaming, every chunk but the last must hold a multiple of s frames.
        """
        c = self.config
        if features.dim() != 3 or features.shape[-1] != c.n_features:
            raise ValueError(f"features must be (B, T, {c.n_features}), got "
                             f"{tuple(features.shape)}")  # fmt: skip
        if not torch.isfinite(features).all():
            raise ValueError("features hold NaN or infinite values")
        B, T, _ = features.shape
        if lengths is None:
            lengths = torch.full((B,), T, dtype=torch.long)
        x = (features - self.feature_mean) / self.feature_std  # (B, T, F)
        if self.training and c.freq_mask_width > 0:
            x = x.masked_fill(frequency_masks(B, c.n_features, c.freq_mask_width, c.freq_masks,
                                              x.device)[:, None, :], 0.0)  # fmt: skip
        if state is None:
            context, h0 = x.new_zeros(B, c.conv_kernel - 1, c.n_features), None
        else:
            context, h0 = state
        padded = torch.cat([context, x], dim=1)  # (B, k - 1 + T, F): causal
        h = self.conv(padded.transpose(1, 2))  # (B, C, T')
        h = F.relu(self.norm(h)).transpose(1, 2)  # (B, T', C)
        h = F.dropout(h, c.dropout, self.training)
        out_lengths = output_lengths(lengths.cpu(), c.subsample)  # ceil(T / s)
        a, h_n = self.rnn(h, h0, out_lengths)  # (B, T', H)
        a = F.dropout(a, c.dropout, self.training)
        new_context = padded[:, padded.shape[1] - (c.conv_kernel - 1) :]  # (B, k - 1, F)
        return self.out(a).squeeze(-1), out_lengths, (new_context, h_n)

    # --- the Trainer's protocol -----------------------------------------------------------

    def _masked(self, batch: dict[str, Tensor]) -> tuple[Tensor, Tensor, Tensor]:
        logits, out_lengths, _ = self(batch["features"], batch["lengths"])  # (B, T')
        steps = torch.arange(logits.shape[1])[None, :]
        mask = steps < out_lengths[:, None]  # (B, T')
        return logits, batch["labels"][:, : logits.shape[1]], mask.to(logits.device)

    def loss(self, batch: dict[str, Tensor]) -> Tensor:
        """Binary cross-entropy per output step, averaged over the real steps."""
        logits, y, mask = self._masked(batch)
        per_step = F.binary_cross_entropy_with_logits(logits, y, reduction="none")  # (B, T')
        return (per_step * mask).sum() / mask.sum().clamp(min=1)

    @torch.no_grad()
    def evaluate(self, batch: dict[str, Tensor]) -> dict[str, float]:
        """``{"loss", "frame_accuracy"}`` (at probability 0.5)."""
        logits, y, mask = self._masked(batch)
        correct = (((logits > 0).float() == y) & mask).sum() / mask.sum().clamp(min=1)
        return {"loss": float(self.loss(batch)), "frame_accuracy": float(correct)}

    def count_tokens(self, batch: dict[str, Tensor]) -> int:
        """Output steps in a batch (what ``loss`` averages over)."""
        return int(output_lengths(batch["lengths"], self.config.subsample).sum())

    # --- model folders ------------------------------------------------------------------------

    def save_assets(self, folder: Path) -> None:
        """trigger.json: the feature settings, label_steps and the detection threshold."""
        if self.features is None:
            return
        record = {"features": asdict(self.features), "label_steps": self.label_steps,
                  "threshold": self.threshold}  # fmt: skip
        (Path(folder) / TRIGGER_FILE).write_text(json.dumps(record, indent=2) + "\n", "utf-8")

    @classmethod
    def from_dir(cls, folder: Path, config: TriggerConfig) -> TriggerWordDetector:
        """Rebuild the (untrained) model of a folder with its trigger.json, if there is one."""
        path = Path(folder) / TRIGGER_FILE
        if not path.is_file():
            return cls(config)
        try:
            record = read_json(path)
            return cls(config, config_from_dict(FeatureConfig, record["features"], source=path),
                       label_steps=int(record["label_steps"]),
                       threshold=float(record["threshold"]))  # fmt: skip
        except (ValueError, KeyError, TypeError, AttributeError) as e:
            raise ValueError(f"{path}: invalid ({e})") from e


def frequency_masks(
    batch: int, n_features: int, width: int, count: int, device: torch.device | None = None
) -> Tensor:
    """SpecAugment's frequency masks (Park et al. 2019): bool (batch, n_features), True on
    ``count`` bands per row, each of w ~ U{0..width} adjacent features starting at
    f0 ~ U{0..n_features - w} (bands may overlap). Draws from torch's global generator."""
    bands = torch.arange(n_features, device=device)
    mask = torch.zeros(batch, n_features, dtype=torch.bool, device=device)
    for _ in range(count):
        w = torch.randint(0, width + 1, (batch, 1), device=device)
        f0 = (torch.rand(batch, 1, device=device) * (n_features - w + 1)).floor().long()
        mask |= (bands >= f0) & (bands < f0 + w)
    return mask


@torch.no_grad()
def trigger_probabilities(
    model: TriggerWordDetector, samples: np.ndarray, *, chunk_seconds: float = 10.0
) -> np.ndarray:
    """P(trigger just ended) at every output step of a recording, streamed chunk by chunk.

    Args:
        model: a detector with feature settings.
        samples: float mono waveform at ``model.features.sample_rate``.
        chunk_seconds: audio per chunk; the state carries over, so the result equals one pass
            over the whole recording while memory stays bounded by the chunk.

    Returns:
        float32 (T',) probabilities; step t is at t * model.step_seconds seconds.
    """
    if model.features is None:
        raise ValueError("the detector has no feature settings (trigger.json)")
    model.eval()
    frames = torch.from_numpy(trigger_frames(samples, model.features))  # (T, F)
    s = model.config.subsample
    per_chunk = max(s, int(chunk_seconds * model.features.sample_rate
                           / model.features.hop_length) // s * s)  # fmt: skip
    state, out = None, []
    device = model.feature_mean.device
    for start in range(0, frames.shape[0], per_chunk):
        chunk = frames[start : start + per_chunk][None].to(device)  # (1, n, F)
        logits, _, state = model(chunk, state=state)
        out.append(torch.sigmoid(logits[0]).cpu())
    return torch.cat(out).numpy().astype(np.float32)
