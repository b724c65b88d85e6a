"""The vision models' settings: captioner, activity recogniser, their data, and the generators.

Standard library only (no torch, no NumPy), so the command line derives its flags from these
fields without importing a model; the model and training modules re-export what they use.

- :class:`CaptionerConfig`, :class:`CaptionDataConfig`: Show and Tell / Show, Attend and Tell.
- :class:`ActivityConfig`, :class:`ActivityDataConfig`: many-to-one over frames or sensor series.
- :class:`SceneConfig`, :class:`ClipConfig`: the Fashion scene and Fashion clip generators.
- :data:`CAPTION_TRAINER`, :data:`ACTIVITY_TRAINER`: the training defaults of each task (the
  command line's defaults; every benchmark in docs/vision.md used them unchanged).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, ClassVar

from seqlab._config import check_fields

__all__ = [
    "ACTIVITIES",
    "ACTIVITY_TRAINER",
    "CAPTION_TRAINER",
    "CELL_NAMES",
    "ON_SIZE",
    "POOLS",
    "ActivityConfig",
    "ActivityDataConfig",
    "CaptionDataConfig",
    "CaptionerConfig",
    "ClipConfig",
    "SceneConfig",
]

CELL_NAMES = ("rnn", "gru", "lstm")  # seqlab.nn's recurrent layers
POOLS = ("last", "mean", "max")  # the activity recogniser's readouts over time
ON_SIZE = ("error", "resize")  # what an image of another size than the model's gets
# The Fashion clips' eight activities, in label order.
ACTIVITIES = ("move left", "move right", "move up", "move down",
              "rotate clockwise", "rotate anticlockwise", "zoom in", "zoom out")  # fmt: skip


@dataclass(frozen=True)
class CaptionerConfig:
    """The captioner's architecture: CNN encoder, optional attention, recurrent decoder."""

    # The valid values of the fields that take one of a few names (--help and errors list them).
    CHOICES: ClassVar[dict[str, tuple[str, ...]]] = {"cell": CELL_NAMES}

    attention: bool = True  # Show, Attend and Tell; False = Show and Tell (image vector only)
    cnn_width: int = 16  # channels of the first conv block; each later block doubles them
    cnn_blocks: int = 4  # conv blocks, each halving the image: grid side = image_size / 2^blocks
    vector_size: int = 256  # the image vector v (a linear map of the whole feature grid)
    cell: str = "lstm"  # "rnn" | "gru" | "lstm", the decoder
    embedding_size: int = 64  # E, word embeddings
    hidden_size: int = 128  # n_a of the decoder
    attention_size: int = 128  # hidden units of the alignment network
    dropout: float = 0.1  # on embeddings, the image vector and o<t>
    # Xu et al. 2015's doubly stochastic attention (their lambda = 1 won on validation scenes,
    # BENCHMARKS.md). Training only: models saved before the field load with it and caption
    # exactly as they did.
    attention_penalty: float = 1.0  # lambda: adds lambda sum_l (1 - sum_t alpha<t,l>)^2 per caption
    max_caption_len: int = 40  # most words a generated caption may have (<eos> aside)
    image_size: int = 0  # H = W of the input images; set from the data
    in_channels: int = 0  # 1 (grey) or 3 (RGB); set from the data
    vocab_size: int = 0  # set from the vocabulary

    def __post_init__(self) -> None:
        checks = {
            "cnn_width": self.cnn_width >= 1,
            "cnn_blocks": self.cnn_blocks >= 1,
            "vector_size": self.vector_size >= 1,
            "cell": self.cell in CELL_NAMES,
            "embedding_size": self.embedding_size >= 1,
            "hidden_size": self.hidden_size >= 1,
            "attention_size": self.attention_size >= 1,
            "dropout": 0.0 <= self.dropout < 1.0,
            "attention_penalty": self.attention_penalty >= 0.0,
            "max_caption_len": self.max_caption_len >= 1,
            "image_size": self.image_size >= 0,
            "in_channels": self.in_channels in (0, 1, 3),
            "vocab_size": self.vocab_size >= 0,
        }
        check_fields(self, checks)
        if self.image_size and self.image_size % (2**self.cnn_blocks):
            raise ValueError(
                f"image_size={self.image_size} must be divisible by 2^cnn_blocks = "
                f"{2**self.cnn_blocks} (each conv block halves the image)"
            )


@dataclass(frozen=True)
class CaptionDataConfig:
    """How a captions folder becomes batches."""

    CHOICES: ClassVar[dict[str, tuple[str, ...]]] = {"on_size": ON_SIZE}

    batch_size: int = 32  # images per step
    val_fraction: float = 0.05  # held out at random for validation
    split_seed: int = 0  # which images are held out
    min_count: int = 1  # keep words seen at least this often; the rest become <unk>
    lowercase: bool = True  # lowercase the captions' words
    on_size: str = "error"  # an image of another size: "error" | "resize"
    shift: int = 0  # training: move each image by up to this many pixels (border replicated)

    def __post_init__(self) -> None:
        checks = {
            "batch_size": self.batch_size >= 1,
            "val_fraction": 0.0 <= self.val_fraction < 1.0,
            "min_count": self.min_count >= 1,
            "shift": self.shift >= 0,
            "on_size": self.on_size in ON_SIZE,
        }
        check_fields(self, checks)


@dataclass(frozen=True)
class ActivityConfig:
    """The activity recogniser: per-frame CNN (frames) or the raw channels (series), then a
    recurrent layer and a many-to-one head."""

    CHOICES: ClassVar[dict[str, tuple[str, ...]]] = {"cell": CELL_NAMES, "pool": POOLS}

    recurrent: bool = True  # False = the frame-averaging baseline: mean of per-step features
    cell: str = "gru"  # "rnn" | "gru" | "lstm"
    hidden_size: int = 64  # n_a per direction
    num_layers: int = 1  # stacked recurrent layers (the notes' deep RNN)
    bidirectional: bool = True  # read the sequence both ways (the notes' BRNN)
    pool: str = "max"  # readout over time: "last" | "mean" | "max"
    frame_size: int = 64  # per-frame feature size (frames only)
    cnn_width: int = 16  # channels of the first conv block (frames only), doubled per block
    cnn_blocks: int = 3  # conv blocks, each halving the frame (frames only)
    dropout: float = 0.1  # on the per-step inputs and before the head
    input: str = ""  # "frames" | "series"; set from the data
    in_channels: int = 0  # frame channels (1 or 3) or series channels; set from the data
    image_size: int = 0  # H = W of the frames (frames only); set from the data
    num_classes: int = 0  # set from the labels

    def __post_init__(self) -> None:
        checks = {
            "cell": self.cell in CELL_NAMES,
            "hidden_size": self.hidden_size >= 1,
            "num_layers": self.num_layers >= 1,
            "pool": self.pool in POOLS,
            "frame_size": self.frame_size >= 1,
            "cnn_width": self.cnn_width >= 1,
            "cnn_blocks": self.cnn_blocks >= 1,
            "dropout": 0.0 <= self.dropout < 1.0,
            "input": self.input in ("", "frames", "series"),
            "in_channels": self.in_channels >= 0,
            "image_size": self.image_size >= 0,
            "num_classes": self.num_classes >= 0,
        }
        check_fields(self, checks)
        if self.input == "frames" and self.image_size % (2**self.cnn_blocks):
            raise ValueError(
                f"image_size={self.image_size} must be divisible by 2^cnn_blocks = "
                f"{2**self.cnn_blocks} (each conv block halves the frame)"
            )


@dataclass(frozen=True)
class ActivityDataConfig:
    """How clips or series become batches."""

    CHOICES: ClassVar[dict[str, tuple[str, ...]]] = {"on_size": ON_SIZE}

    batch_size: int = 32  # sequences per step
    val_fraction: float = 0.1  # held out at random (stratified by label) for validation
    min_val: int = 500  # smaller training sets keep every example (and the last weights)
    split_seed: int = 0  # which sequences are held out
    normalize: bool = True  # series: z-normalise each series' channels (UCR practice)
    augment: bool = True  # series: random scaling, shifts and crops in training
    on_size: str = "error"  # frames of another size: "error" | "resize"

    def __post_init__(self) -> None:
        checks = {
            "batch_size": self.batch_size >= 1,
            "val_fraction": 0.0 <= self.val_fraction < 1.0,
            "min_val": self.min_val >= 0,
            "on_size": self.on_size in ON_SIZE,
        }
        check_fields(self, checks)


@dataclass(frozen=True)
class SceneConfig:
    """Fashion scenes: photos on a grid and a caption naming each item and its place."""

    CHOICES: ClassVar[dict[str, tuple[str, ...]]] = {"words": ("coarse", "fine")}

    grid: int = 3  # cells per side (2 or 3)
    min_items: int = 1  # items per scene, at least
    max_items: int = 4  # and at most
    cell_size: int = 32  # pixels per cell; the 28x28 photo is placed with a random offset
    words: str = "coarse"  # "coarse" (5 kinds the photos show reliably) | "fine" (10 classes)

    def __post_init__(self) -> None:
        checks = {
            "grid": self.grid in (2, 3),
            "min_items": 1 <= self.min_items <= self.grid**2,
            "max_items": self.min_items <= self.max_items <= self.grid**2,
            "cell_size": self.cell_size >= 28,
            "words": self.words in self.CHOICES["words"],
        }
        check_fields(self, checks)


@dataclass(frozen=True)
class ClipConfig:
    """Fashion clips: one photo doing one of eight activities over a few frames."""

    frames: int = 16  # frames per clip
    size: int = 32  # frame side in pixels (the photo is 28x28)
    shift: float = 1.0  # pixels per frame when moving
    angle: float = 5.0  # degrees per frame when rotating
    zoom: float = 0.03  # scale change per frame when zooming (multiplicative)

    def __post_init__(self) -> None:
        checks = {
            "frames": self.frames >= 2,
            "size": self.size >= 16,
            "shift": self.shift > 0,
            "angle": self.angle > 0,
            "zoom": 0 < self.zoom < 0.2,
        }
        check_fields(self, checks)


# The training defaults (TrainerConfig fields) of `caption train` and `activity train`.
CAPTION_TRAINER: dict[str, Any] = {
    "lr": 3e-3,
    "epochs": None,
    "max_minutes": 14.0,
    "lr_schedule": "cosine",
    "warmup_steps": 100,
    "clip_norm": 1.0,
}
ACTIVITY_TRAINER: dict[str, Any] = {
    "lr": 3e-3,
    "epochs": None,
    "max_steps": 1000,
    "max_minutes": 14.0,
    "lr_schedule": "cosine",
    "warmup_steps": 100,
    "clip_norm": 1.0,
    "weight_decay": 1e-4,
    "eval_every": 200,
    "checkpoint_every": 500,
}
