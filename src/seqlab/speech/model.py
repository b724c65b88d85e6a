"""The CTC recogniser of the notes: audio frames in, a character or blank per output step out.

    features (B, T, F) -> Conv1d (stride s: T' = ceil(T / s)) -> ReLU -> bidirectional GRU/LSTM
    (seqlab.nn, deep) -> Linear -> log_softmax over the C labels (blank = 0)   (B, T', C)

Trained with ``torch.nn.functional.ctc_loss`` (Graves et al. 2006), which sums the probability of
every frame path that collapses to the transcript; the convolution shortens the sequence first,
as deep speech models do, since the input is much longer than the output. Decoding lives in
:mod:`seqlab.speech.ctc`.
"""

from __future__ import annotations

import json
from dataclasses import asdict
from pathlib import Path

import torch
import torch.nn.functional as F
from torch import Tensor, nn

from seqlab._config import read_json
from seqlab.nn import GRU, LSTM
from seqlab.speech.config import CTCConfig, FeatureConfig
from seqlab.speech.data import Alphabet
from seqlab.train import config_from_dict

__all__ = ["SPEECH_FILE", "CTCConfig", "CTCRecognizer", "output_lengths"]

SPEECH_FILE = "speech.json"  # the alphabet and feature settings, beside config.json

CELLS = {"gru": GRU, "lstm": LSTM}


def output_lengths(lengths: Tensor, subsample: int) -> Tensor:
    """Output steps for inputs of ``lengths`` frames: ceil(T / s) (the padded convolution's)."""
    return torch.div(lengths + subsample - 1, subsample, rounding_mode="floor")


class CTCRecognizer(nn.Module):
    """Conv front-end + bidirectional RNN + per-step label distribution; see the module docstring.

    Args:
        config: the architecture.
    """

    task = "speech"  # config.json's "task" (seqlab.TASKS)
    config_class = CTCConfig

    def __init__(
        self,
        config: CTCConfig,
        alphabet: Alphabet | None = None,
        features: FeatureConfig | None = None,
    ) -> None:
        super().__init__()
        self.config = config
        self.alphabet, self.features = alphabet, features  # how to read audio and write text
        c = config
        self.conv = nn.Conv1d(c.n_features, c.conv_channels, c.conv_kernel, stride=c.subsample,
                              padding=c.conv_kernel // 2)  # fmt: skip
        self.rnn = CELLS[c.cell](c.conv_channels, c.hidden_size, num_layers=c.num_layers,
                                 bidirectional=True, dropout=c.dropout)  # fmt: skip
        self.out = nn.Linear(2 * c.hidden_size, c.n_labels)

    def forward(self, features: Tensor, lengths: Tensor | None = None) -> tuple[Tensor, Tensor]:
        """Per-step log-probabilities.

        Args:
            features: (B, T, F) float frames, padded at the end.
            lengths: (B,) real frames of each row; None = all T.

        Returns:
            log_probs: (B, T', C) log_softmax over the labels, T' = ceil(T / subsample).
            out_lengths: (B,) real output steps of each row.
        """
        if features.dim() != 3 or features.shape[-1] != self.config.n_features:
            raise ValueError(f"features must be (B, T, {self.config.n_features}), got "
                             f"{tuple(features.shape)}")  # fmt: skip
        B, T, _ = features.shape
        if lengths is None:
            lengths = torch.full((B,), T, dtype=torch.long)
        h = F.relu(self.conv(features.transpose(1, 2))).transpose(1, 2)  # (B, T', channels)
        h = F.dropout(h, self.config.dropout, self.training)  # (B, T', channels)
        out_lengths = output_lengths(lengths.cpu(), self.config.subsample)  # (B,)
        a, _ = self.rnn(h, None, out_lengths)  # (B, T', 2H)
        a = F.dropout(a, self.config.dropout, self.training)  # (B, T', 2H)
        return F.log_softmax(self.out(a), dim=-1), out_lengths  # (B, T', C)

    # --- the Trainer's protocol -----------------------------------------------------------

    def loss(self, batch: dict[str, Tensor]) -> Tensor:
        """CTC loss per transcript label: summed over the batch, divided by its labels."""
        log_probs, out_lengths = self(batch["features"], batch["lengths"])  # (B, T', C)
        total = F.ctc_loss(log_probs.transpose(0, 1), batch["targets"], out_lengths,
                           batch["target_lengths"], blank=0, reduction="sum",
                           zero_infinity=True)  # fmt: skip
        return total / batch["target_lengths"].sum().clamp(min=1)

    @torch.no_grad()
    def evaluate(self, batch: dict[str, Tensor]) -> dict[str, float]:
        """``{"loss": CTC loss per label}``."""
        return {"loss": float(self.loss(batch))}

    def count_tokens(self, batch: dict[str, Tensor]) -> int:
        """Transcript labels in a batch (what ``loss`` averages over)."""
        return int(batch["target_lengths"].sum())

    # --- model folders ------------------------------------------------------------------------

    def save_assets(self, folder: Path) -> None:
        """speech.json: the alphabet and the feature settings (when the model has them)."""
        if self.alphabet is None or self.features is None:
            return
        record = {"alphabet": self.alphabet.chars, "features": asdict(self.features)}
        (Path(folder) / SPEECH_FILE).write_text(json.dumps(record, indent=2) + "\n", "utf-8")

    @classmethod
    def from_dir(cls, folder: Path, config: CTCConfig) -> CTCRecognizer:
        """Rebuild the (untrained) model of a folder with its speech.json, if there is one."""
        path = Path(folder) / SPEECH_FILE
        if not path.is_file():
            return cls(config)
        try:
            record = read_json(path)
            features = config_from_dict(FeatureConfig, record["features"], source=path)
            return cls(config, Alphabet(record["alphabet"]), features)
        except (ValueError, KeyError, TypeError, AttributeError) as e:
            raise ValueError(f"{path}: invalid ({e})") from e
