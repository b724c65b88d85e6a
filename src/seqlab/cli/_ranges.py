"""The documented range of every numeric flag, checked once, when the parser is built.

:func:`apply_ranges` walks the whole command tree and wraps the type of every ``int`` and
``float`` flag with its range from :data:`RANGES` (by the flag's destination name; a command
may override one in :data:`COMMAND_RANGES`), and writes the range into ``--help``. A value
outside its range, NaN or an infinity is a :class:`FlagRangeError`: ``main`` prints one line,
``seqlab: error: -n must be at least 1, got 0 (n=0, allowed: [1, 100000])``, and exits
with 2. The config classes keep their own checks (tests/reliability/test_numbers.py checks that
every value a range allows is one its config accepts); cross-field rules (``hop_ms <=
win_ms``) stay with the configs.

Ranges are intervals: ``[1, 65536]``, ``(0, 1)``, ``[0, inf)``. Upper limits are there for what
would otherwise allocate or run without bound (sizes, beams, output lengths); learning rates
have none: a diverging run already stops with a clear error.
"""

from __future__ import annotations

import argparse
import math
import re
from collections.abc import Callable, Iterator
from typing import Any

__all__ = ["COMMAND_RANGES", "RANGES", "FlagRangeError", "apply_ranges", "numeric_actions"]

_SIZE = "[1, 65536]"  # units, channels, embedding sizes: a 65536^2 matrix is 16 GiB already
_SIZE0 = "[0, 65536]"  # the same where 0 switches the part off
_COUNT = "[1, 1000000000]"  # steps, intervals, vocabulary limits
_SEED = "[0, 4294967295]"  # NumPy seeds are 32-bit
_FRACTION = "[0, 1)"

RANGES: dict[str, str] = {
    # budgets and the optimizer (TrainerConfig)
    "epochs": "[1, 1000000]",
    "max_steps": "[0, 1000000000]",
    "max_minutes": "[0, 525600]",  # a year
    "lr": "(0, inf)",
    "warmup_steps": "[0, 1000000000]",
    "min_lr_ratio": "[0, 1]",
    "weight_decay": "[0, inf)",
    "momentum": "[0, 1]",
    "clip_norm": "(0, inf)",
    "clip_value": "(0, inf)",
    "eval_every": _COUNT,
    "patience": _COUNT,
    "seed": _SEED,
    "split_seed": _SEED,
    "checkpoint_every": _COUNT,
    "log_every": _COUNT,
    # model sizes
    "hidden_size": _SIZE,
    "embedding_size": _SIZE,
    "attention_size": _SIZE,
    "output_size": _SIZE0,
    "casing_size": _SIZE0,
    "char_embedding_size": _SIZE0,
    "char_hidden_size": _SIZE,
    "conv_channels": _SIZE,
    "conv_kernel": "[1, 1025]",
    "subsample": "[1, 64]",
    "num_layers": "[1, 64]",
    "n_steps": "[0, 100000]",
    "max_src_len": "[1, 100000]",
    "dropout": _FRACTION,
    "label_smoothing": _FRACTION,
    # data
    "batch_size": "[1, 65536]",
    "val_batch_size": "[1, 65536]",
    "bptt": "[1, 100000]",
    "val_fraction": _FRACTION,
    "min_count": _COUNT,
    "max_vocab": _COUNT,
    "singleton_unk": "[0, 1]",
    "sample_rate": "[8000, 48000]",
    "n_mels": "[1, 512]",
    "win_ms": "(0, 1000]",
    "hop_ms": "(0, 1000]",
    "freq_masks": "[0, 100]",
    "freq_mask_width": "[1, 512]",
    "time_masks": "[0, 100]",
    "time_mask_width": "[1, 100000]",
    "speed_perturb": "[0, 0.5)",
    "word_column": "[0, 1000]",
    "tag_column": "[-1000, 1000]",  # negative: counted from the end of the row
    # decoding and output lengths
    "beam": "[1, 256]",
    "max_len": "[1, 10000]",
    "temperature": "(0, 100]",
    "top_k": _COUNT,
    "n": "[1, 100000]",
    "steps": "[1, 100000]",
    "tempo": "(0, 1000]",
    "restrict_vocab": _COUNT,
    "perplexity": "(0, 10000]",
    "lm_weight": "[0, 100]",
    "insertion_bonus": "[-100, 100]",
    "max_seconds": "[1, 3600]",
    "threshold": "(0, 1)",
    "refractory": "[0, 60]",
    "max_delay": "[0, 60]",
    "smooth_value": "(0, inf)",
    "threads": "[1, 1024]",
    # seqlab serve
    "port": "[0, 65535]",  # 0: a free port
    "max_text_chars": "[1, 10000000]",
    "max_lines": "[1, 100000]",
    "max_upload_mb": "(0, 4096]",
    "max_beam": "[1, 256]",
    "max_length": "[1, 10000]",
    "max_n": "[1, 100000]",
    "workers": "[1, 1024]",
    # trigger-word clips
    "train": "[1, 10000000]",
    "test": "[1, 10000000]",
    "test_fraction": "(0, 1)",
    "seconds": "(0, 600]",
    "word_db": "[-120, 0]",
    "train_word_db": "[-120, 0]",
    "train_noise_db": "[-120, 0]",
    "train_tilt_db": "[0, 60)",
    "train_eq_db": "[0, 60)",
    # the vanishing-gradient experiment
    "T": "[2, 100000]",
    "n_symbols": "[2, 100000]",
    "gate_bias": "[-100, 100]",
    "test_size": "[1, 10000000]",
    # word vectors
    "dim": _SIZE,
    "window": "[1, 1000]",
    "negative": "[0, 1000]",
    "sample": "[0, 1]",
    "alpha": "(0, inf)",  # the initial learning rate (embed train)
    "min_alpha": "[0, inf)",
    "min_lr": "[0, inf)",  # the final learning rate (embed train)
    "x_max": "(0, inf)",
    # vision: the CNN encoder, the captioner, the activity recogniser and their data
    "cnn_width": "[1, 1024]",  # channels of the first block; each later block doubles them
    "cnn_blocks": "[1, 8]",  # each halves the image (a 256-pixel image ends 1x1)
    "vector_size": _SIZE,
    "frame_size": _SIZE,
    "max_caption_len": "[1, 10000]",
    "attention_penalty": "[0, inf)",  # lambda of Xu et al.'s doubly stochastic attention
    "min_val": "[0, 1000000000]",
    # the Fashion scene and clip generators
    "grid": "[2, 3]",
    "min_items": "[1, 9]",  # at most grid^2 (SceneConfig checks with the grid)
    "max_items": "[1, 9]",
    "cell_size": "[28, 512]",  # a 28x28 photo fits
    "frames": "[2, 1000]",
    "size": "[16, 1024]",
    "shift": "(0, 100]",  # pixels per frame
    "angle": "(0, 360]",  # degrees per frame
    "zoom": "(0, 0.2)",  # scale change per frame
}

# Where one command gives a name another meaning, its range: command -> {dest: range}.
_LENGTH_PENALTY = {"alpha": "[0, 10]"}  # length normalisation of beam search (translate, caption)
COMMAND_RANGES: dict[str, dict[str, str]] = {
    "lm train": {"embedding_size": _SIZE0},  # 0: one-hot input, as in the notes
    "translate run": _LENGTH_PENALTY | {"n": "[1, 256]"},  # the n best: at most --beam
    "translate evaluate": _LENGTH_PENALTY,
    "translate analyze": _LENGTH_PENALTY | {"n": "[0, 100000]"},  # examples shown; 0: none
    "translate attention": _LENGTH_PENALTY,
    "lm sample": {"max_len": "[1, 100000]", "n": "[1, 100000]"},
    "translate dates": {"n": "[1, 10000000]"},
    "embed plot": {"n": "[2, 100000]"},  # a 2-D map needs two words
    "music sample": {"length": "[1, 10000]", "prime_length": "[1, 10000]"},
    "diagnose vanishing": {"steps": "[1, 1000000]"},
    "caption scenes": {"n": "[1, 1000000]"},
    "caption train": {"shift": "[0, 64]"},  # pixels an image may move in training; 0: none
    "caption run": _LENGTH_PENALTY,
    "caption evaluate": _LENGTH_PENALTY,
    "caption attention": _LENGTH_PENALTY,
    "activity clips": {"n": "[1, 1000000]"},
}

_INTERVAL = re.compile(r"^([\[(])(-?[0-9.e+]+|-inf), (-?[0-9.e+]+|inf)([\])])$")


class FlagRangeError(Exception):
    """A numeric flag outside its range; ``main`` prints it as one line and exits with 2.

    Not a ValueError, so that argparse passes it through instead of printing its usage.
    """


class Interval:
    """A closed, open or half-open interval parsed from ``"[1, 65536]"``-style text."""

    def __init__(self, text: str) -> None:
        match = _INTERVAL.match(text)
        if match is None:
            raise ValueError(f"not an interval: {text!r}")
        left, lo, hi, right = match.groups()
        self.text = text
        self.lo, self.hi = float(lo), float(hi)
        self.lo_open, self.hi_open = left == "(", right == ")"

    def violation(self, value: float) -> str | None:
        """Why ``value`` is outside, in words ("at least 1"), or None when it is inside."""
        if not math.isfinite(value):
            return "a finite number"
        if value < self.lo or (self.lo_open and value == self.lo):
            return f"{'greater than' if self.lo_open else 'at least'} {_num(self.lo)}"
        if value > self.hi or (self.hi_open and value == self.hi):
            return f"{'less than' if self.hi_open else 'at most'} {_num(self.hi)}"
        return None


def _num(x: float) -> str:
    return str(int(x)) if x.is_integer() and abs(x) < 1e15 else f"{x:g}"


def range_of(command: str, dest: str) -> str | None:
    """The range text of a flag of ``command`` ("lm train"), or None if it has none."""
    return COMMAND_RANGES.get(command, {}).get(dest, RANGES.get(dest))


def numeric_actions(
    parser: argparse.ArgumentParser, command: str = ""
) -> Iterator[tuple[str, argparse.Action]]:
    """Every ``int``/``float`` flag of the command tree, as (command, action)."""
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            for name, sub in action.choices.items():
                yield from numeric_actions(sub, f"{command} {name}".strip())
        elif _kind(action.type) is not None:
            yield command, action


def _kind(conv: Any) -> type | None:
    """int or float for a flag's type (the optional wrappers keep the base's name), else None."""
    return {"int": int, "float": float}.get(getattr(conv, "__name__", ""))


def apply_ranges(parser: argparse.ArgumentParser) -> None:
    """Wrap every numeric flag's type with its range check and show the range in ``--help``.

    A flag without a range (tests/reliability/test_numbers.py fails on one) is still refused
    NaN and infinities.
    """
    for command, action in list(numeric_actions(parser)):
        text = range_of(command, action.dest)
        interval = Interval(text) if text else None
        action.type = _checked(action.type, interval, action)
        if interval is not None and action.help not in (None, argparse.SUPPRESS):
            action.help = _with_range(action.help, text)


def _checked(conv: Callable[[str], Any], interval: Interval | None, action: argparse.Action):
    flag = max(action.option_strings, key=len) if action.option_strings else action.dest

    def check(text: str) -> Any:
        value = conv(text)  # argparse turns its ValueError into "invalid int value"
        if value is None:
            return None
        why = "a finite number" if not math.isfinite(value) else None
        why = why or (interval.violation(value) if interval else None)
        if why is not None:
            allowed = f", allowed: {interval.text}" if interval else ""
            raise FlagRangeError(f"{flag} must be {why}, got {text} ({action.dest}={value!r}"
                                 f"{allowed})")  # fmt: skip
        return value

    check.__name__ = conv.__name__  # argparse names the type in its own messages
    return check


def _with_range(help_text: str, text: str) -> str:
    if help_text.endswith(")") and "(default: " in help_text:
        head, _, tail = help_text.rpartition("(default: ")
        return f"{head}(default: {tail[:-1]}; range {text})"
    return f"{help_text} (range {text})"
