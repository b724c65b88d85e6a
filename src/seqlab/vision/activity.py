"""Activity recognition: the notes' many-to-one architecture on video frames or sensor series.

A sequence x<1..T> goes in, one label comes out ("Running"). Per step t an input vector:

- frames: a :class:`~seqlab.vision.encoder.CNNEncoder` reads frame t into its image vector,
  x<t> = tanh(BN(W_v flatten(CNN(frame<t>)) + b_v)), the same CNN for every frame;
- series: the recurrent layer reads the channels directly, x<t> = (values<t> - mean) / std,
  with each channel's mean and standard deviation over the training set (model buffers).

Then a seqlab recurrent layer (RNN, GRU or LSTM; deep and bidirectional optional) gives
a<1..T>, a readout (``seqlab.nn.pool_steps``: the last step, or the mean or max over the real
steps) one vector, and ŷ = softmax(W_y · + b_y).

``recurrent=False`` is the frame-averaging baseline, the Emojify average model for frames:
ŷ = softmax(W_y mean_t x<t> + b_y). It sees which frames occur, never their order, so "move
left" and "move right" (the same frames in reverse) look the same to it.
"""

from __future__ import annotations

import dataclasses
import json
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import torch
import torch.nn.functional as F
from torch import Tensor, nn

from seqlab._config import read_json
from seqlab.metrics import ClassificationScores, classification_scores
from seqlab.nn import GRU, LSTM, RNN, lengths_to_mask, pool_steps
from seqlab.vision.config import ActivityConfig
from seqlab.vision.encoder import CNNEncoder

__all__ = ["ActivityConfig", "ActivityPrediction", "ActivityRecognizer", "evaluate_activity"]

CELLS = {"rnn": RNN, "gru": GRU, "lstm": LSTM}
LABELS_FILE = "labels.json"


@dataclass(frozen=True)
class ActivityPrediction:
    """The model's answer for one sequence."""

    id: str
    label: str
    prob: float  # P(label | sequence)
    probs: dict[str, float]  # every label's probability


class ActivityRecognizer(nn.Module):
    """Per-step inputs (frame CNN or channels) -> recurrent layer -> readout -> classes.

    Args:
        config: the architecture; ``input`` and ``in_channels`` (and ``image_size`` for
            frames) must be set from the data; ``num_classes`` is taken from ``labels``.
        labels: the class names, in output order.
        mean, std: (C,) per-channel statistics of the training series (series only); None =
            0 and 1 (no normalisation; a model folder's weights restore the real ones).
        normalize: False leaves series unnormalised even when mean and std are computed.

    Raises:
        ValueError: on a config without input kind or channels, fewer than two labels, or a
            label count that differs from the config's.
    """

    task = "activity"  # config.json's "task" (seqlab.TASKS)
    config_class = ActivityConfig

    def __init__(
        self,
        config: ActivityConfig,
        labels: Sequence[str],
        *,
        mean: Tensor | None = None,
        std: Tensor | None = None,
        normalize: bool = True,
    ) -> None:
        super().__init__()
        labels = [str(y) for y in labels]
        if not config.input or not config.in_channels:
            raise ValueError("ActivityConfig needs input and in_channels (from the data)")
        if len(labels) < 2 or len(set(labels)) != len(labels):
            raise ValueError(f"need at least two distinct labels, got {labels}")
        if config.num_classes not in (0, len(labels)):
            raise ValueError(f"config says {config.num_classes} classes but {len(labels)} labels "
                             "are given: the folder's files do not belong together")  # fmt: skip
        config = dataclasses.replace(config, num_classes=len(labels))
        self.config, self.labels = config, tuple(labels)
        self.index = {y: i for i, y in enumerate(self.labels)}
        C = config.in_channels
        if config.input == "frames":
            self.encoder = CNNEncoder(C, config.image_size, config.cnn_width, config.cnn_blocks,
                                      vector_size=config.frame_size)  # fmt: skip
            n_x = config.frame_size
        else:
            self.encoder = None
            n_x = C
            stats = mean is not None and std is not None and normalize
            self.register_buffer("mean", mean.float() if stats else torch.zeros(C))
            self.register_buffer("std", std.float().clamp_min(1e-6) if stats else torch.ones(C))
        D = 2 if config.bidirectional else 1
        if config.recurrent:
            self.rnn = CELLS[config.cell](n_x, config.hidden_size, num_layers=config.num_layers,
                                          bidirectional=D == 2, dropout=config.dropout)  # fmt: skip
            n_out = D * config.hidden_size
        else:
            self.rnn = None
            n_out = n_x
        self.W_y = nn.Linear(n_out, len(labels))

    def step_inputs(self, x: Tensor) -> Tensor:
        """x<t> for every step: frames (B, T, C, S, S) -> (B, T, F); series (B, T, C) -> same."""
        if self.encoder is None:
            return (x - self.mean) / self.std  # (B, T, C)
        B, T = x.shape[:2]
        _, v = self.encoder(x.flatten(0, 1))  # (B*T, F)
        return v.view(B, T, -1)  # (B, T, F)

    def forward(self, x: Tensor, lengths: Tensor | None = None) -> Tensor:
        """Logits of every class.

        Args:
            x: (B, T, C, S, S) frames in [0, 1], or (B, T, C) series; zero-padded.
            lengths: (B,) real lengths; None = all T.

        Returns:
            (B, num_classes) logits.
        """
        inputs = self._dropout(self.step_inputs(x))  # (B, T, n_x)
        if self.rnn is None:  # the averaging baseline: the mean over the real steps
            B, T, _ = inputs.shape
            L = lengths if lengths is not None else torch.full((B,), T)
            mask = lengths_to_mask(L.to(x.device), T).unsqueeze(2).to(inputs.dtype)
            h = (inputs * mask).sum(1) / L.to(inputs.device).unsqueeze(1)  # (B, n_x)
        else:
            a, _ = self.rnn(inputs, lengths=lengths)  # (B, T, D*H)
            h = pool_steps(a, lengths, self.config.pool, self.rnn.num_directions)  # (B, D*H)
        return self.W_y(self._dropout(h))  # (B, num_classes)

    def _dropout(self, x: Tensor) -> Tensor:
        return F.dropout(x, self.config.dropout, self.training) if self.config.dropout else x

    # --- the Trainer's protocol -----------------------------------------------------------------

    def loss(self, batch: dict[str, Tensor]) -> Tensor:
        """Mean cross-entropy over the batch's sequences."""
        return F.cross_entropy(self(batch["x"], batch["lengths"]), batch["y"])

    @torch.no_grad()
    def evaluate(self, batch: dict[str, Tensor]) -> dict[str, float]:
        """``{"loss", "accuracy"}`` of one batch."""
        logits = self(batch["x"], batch["lengths"])
        loss = F.cross_entropy(logits, batch["y"])
        return {
            "loss": float(loss),
            "accuracy": float((logits.argmax(1) == batch["y"]).float().mean()),
        }

    # --- data -----------------------------------------------------------------------------

    def prepare(self, data: Any, *, labelled: bool = True) -> dict[str, Any]:
        """A :class:`~seqlab.vision.sequences.SequenceSet` -> ``{"x": [...], "y": (N,)}``.

        Raises:
            ValueError: on data of another kind, channel count or frame size than the model's,
                or (with ``labelled``) a label the model does not know.
        """
        fields = data.shape_fields()
        want = {"input": self.config.input, "in_channels": self.config.in_channels,
                "image_size": self.config.image_size}  # fmt: skip
        if fields != want:
            raise ValueError(f"the model reads {want}, the data is {fields}")
        y = []
        for i, label in enumerate(data.labels):
            if label in self.index:
                y.append(self.index[label])
            elif labelled:
                raise ValueError(f"{data.ids[i]}: label {label!r} is unknown to the model "
                                 f"(it knows {list(self.labels)})")  # fmt: skip
            else:
                y.append(-1)
        return {"x": list(data.data), "y": torch.tensor(y, dtype=torch.long)}

    @torch.no_grad()
    def predict(self, data: Any, *, batch_size: int = 64) -> list[ActivityPrediction]:
        """The most probable label of every sequence (labels in ``data`` are not needed)."""
        from seqlab.vision.sequences import SequenceBatches

        self.eval()
        batches = SequenceBatches(self.prepare(data, labelled=False), batch_size)
        device = self.W_y.weight.device
        out: list[ActivityPrediction] = []
        for batch in batches(0):
            probs = self(batch["x"].to(device), batch["lengths"].to(device)).softmax(1).cpu()
            for row in probs.tolist():
                k = max(range(len(row)), key=row.__getitem__)
                out.append(ActivityPrediction(data.ids[len(out)], self.labels[k], row[k],
                                              dict(zip(self.labels, row))))  # fmt: skip
        return out

    # --- model folders ----------------------------------------------------------------------------

    def save_assets(self, folder: Path) -> None:
        """Write labels.json into ``folder``."""
        text = json.dumps({"labels": list(self.labels)}, indent=2, ensure_ascii=False) + "\n"
        (Path(folder) / LABELS_FILE).write_text(text, encoding="utf-8")

    @classmethod
    def from_dir(cls, folder: Path, config: ActivityConfig) -> ActivityRecognizer:
        """Rebuild the (untrained) model of a folder; its weights restore the statistics."""
        path = Path(folder) / LABELS_FILE
        if not path.is_file():
            raise ValueError(f"{folder}: missing {LABELS_FILE}")
        data = read_json(path)  # the folder is untrusted: size and nesting capped
        labels = data.get("labels") if isinstance(data, dict) else None
        if not isinstance(labels, list) or not all(isinstance(y, str) for y in labels):
            raise ValueError(f'{path}: expected {{"labels": [label names]}}')
        return cls(config, labels)

    def describe(self) -> dict[str, Any]:
        """A short summary for the CLI."""
        return {
            "input": self.config.input,
            "recurrent": self.config.recurrent,
            "cell": self.config.cell if self.config.recurrent else None,
            "labels": list(self.labels),
            "parameters": sum(p.numel() for p in self.parameters()),
        }


def evaluate_activity(
    model: ActivityRecognizer, data: Any, *, batch_size: int = 64
) -> tuple[ClassificationScores, list[ActivityPrediction]]:
    """Accuracy, per-class scores and the confusion matrix on labelled sequences.

    Returns:
        The scores (classes in the model's label order) and the predictions.

    Raises:
        ValueError: on a label the model does not know, or data of another kind.
    """
    model.prepare(data)  # refuses unknown labels before any work
    predictions = model.predict(data, batch_size=batch_size)
    scores = classification_scores(list(data.labels), [p.label for p in predictions],
                                   labels=list(model.labels))  # fmt: skip
    return scores, predictions
