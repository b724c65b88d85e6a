"""What a plain ``train`` command runs: the recipe behind the benchmark figure for its data, and
a ``--max-minutes`` budget that is used.

A recipe is one of a task package's ``PRESETS`` (the settings BENCHMARKS.md measured). With no
``--preset`` (or ``--preset auto``) a ``train`` command asks its package which recipe fits the
data it has just read (``recipe_for`` in the package's torch-free ``config.py``: the data's
size, level, alphabet or format) and says which on stderr; ``--preset NAME`` names one;
``--preset none`` keeps the config classes' bare defaults. Flags the user gives override the
recipe field by field (:func:`seqlab.cli._common.config_from_args`).

The budget rule (:func:`trainer_config`): ``--max-minutes`` given without ``--epochs`` or
``--max-steps`` makes time the budget. Training goes on until the minutes are spent or early
stopping (``--patience``) ends it, and the learning rate decays over the minutes (cosine,
unless the recipe or ``--lr-schedule`` names another schedule). Without this rule the default of
10 epochs stopped training long before a budget the user had asked for.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from seqlab.cli._common import CLIError, config_from_args, is_main_process, one_of
from seqlab.train.config import TrainerConfig

__all__ = ["AUTO", "NONE", "Recipe", "add_recipe_flag", "choose_recipe", "trainer_config"]

AUTO = "auto"  # the package picks the recipe for the data (the default)
NONE = "none"  # no recipe: the config classes' defaults


@dataclass(frozen=True)
class Recipe:
    """The settings a ``train`` command starts from, before the user's flags."""

    name: str | None  # a preset's name; None: the config classes' defaults
    reason: str  # why this one, in words ("a small set (132 sentences) with word vectors")
    settings: Mapping[str, Mapping[str, Any]] = field(default_factory=dict)  # model/data/trainer
    chosen: bool = False  # picked for the data (not named by --preset): announced

    def part(self, name: str) -> dict[str, Any]:
        """The recipe's fields for one config ("model", "data" or "trainer")."""
        return dict(self.settings.get(name, {}))

    def callbacks(self) -> list[Any]:
        """Trainer callbacks that say, at the first step, which recipe was picked for the data."""
        return [_Announce(self)] if self.chosen and is_main_process() else []


class _Announce:
    """A Trainer callback: one stderr line at the run's first step (above a progress bar)."""

    def __init__(self, recipe: Recipe) -> None:
        self.line: str | None = (f"seqlab: recipe {recipe.name!r}: {recipe.reason}; --preset "
                                 "none for the bare defaults")  # fmt: skip

    def on_step(self, trainer: Any, step: int, logs: Any) -> None:
        if self.line is not None:
            from tqdm.auto import tqdm

            tqdm.write(self.line, file=sys.stderr)
            self.line = None


def add_recipe_flag(parser: argparse.ArgumentParser, presets: Iterable[str], what: str) -> None:
    """``--preset auto|none|NAME`` (``--preset`` alone: auto); ``what`` says how auto chooses."""
    parser.add_argument(
        "--preset",
        nargs="?",
        const=AUTO,
        default=AUTO,
        metavar=one_of((AUTO, NONE, *presets)),
        help=f"the recipe to start from; flags you give override it (default: auto, {what}; "
        "none: the bare defaults)",
    )


def choose_recipe(
    args: argparse.Namespace,
    presets: Mapping[str, Mapping[str, Mapping[str, Any]]],
    auto: tuple[str | None, str],
) -> Recipe:
    """The recipe of ``--preset`` (auto: ``auto``, the package's (name, reason) for the data).

    A recipe picked for the data is announced on stderr when training takes its first step
    (:meth:`Recipe.callbacks`), so that every error before it (a flag, the data, the output
    folder) is still the only line; rank 0 only. ``--json`` summaries carry it as ``"recipe"``
    (null: the defaults).
    """
    name = getattr(args, "preset", AUTO) or AUTO
    if name == NONE:
        return Recipe(None, "--preset none")
    if name == AUTO:
        name, reason = auto
        if name is not None and name not in presets:  # a package's table and its chooser disagree
            raise AssertionError(f"recipe_for chose {name!r}, which is not a preset")
        if name is None:  # nothing measured fits: the defaults, as with --preset none
            return Recipe(None, reason)
        return Recipe(name, reason, presets[name], chosen=True)
    if name not in presets:
        known = ", ".join((AUTO, NONE, *sorted(presets)))
        raise CLIError(f"unknown preset {name!r}; known: {known}")
    return Recipe(name, "--preset", presets[name])


def budget_overrides(args: argparse.Namespace, trainer_preset: Mapping[str, Any]) -> dict[str, Any]:
    """The TrainerConfig fields the budget rule sets (see the module's docstring)."""
    explicit = getattr(args, "_explicit", set())
    if "max_minutes" not in explicit or explicit & {"epochs", "max_steps"}:
        return {}
    overrides: dict[str, Any] = {"epochs": None, "max_steps": None}
    schedule = trainer_preset.get("lr_schedule", TrainerConfig.lr_schedule)
    if "lr_schedule" not in explicit and schedule == "constant":
        overrides["lr_schedule"] = "cosine"
    return overrides


def trainer_config(args: argparse.Namespace, recipe: Recipe, **overrides: Any) -> TrainerConfig:
    """TrainerConfig from the flags over the recipe, with the budget rule applied."""
    preset = recipe.part("trainer")
    budget = budget_overrides(args, preset)
    return config_from_args(TrainerConfig, args, preset=preset, **{**budget, **overrides})
