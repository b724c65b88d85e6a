"""Choose `seqlab activity train`'s settings for the motion series by cross-validation on the
training split only; then train the choice on the whole training split and test it once.

    .venv/bin/python benchmarks/activity_motion_cv.py --cv-json runs/motion_cv_folds.json \
        --log motion_cv.json      # the whole grid: hours on one core; --settings picks rows

For each problem (GunPoint, BasicMotions, PickupGestureWiimoteZ: 40-50 training series), every
setting of GRID is trained on k-1 folds of the TRAIN split (stratified by label, seeded) and
scored on the held-out fold; the table gives the mean and standard deviation of the fold
accuracies. Each test problem gets the setting with the best mean CV accuracy on its own
training split (ties: fewer steps, then the earlier in GRID; none cross-validated: the
defaults), and the best mean over all --problems is printed (a candidate for the command's
default). `seqlab activity train DATA_TRAIN.ts FLAGS` then trains the choice on all of TRAIN
and `seqlab activity evaluate` scores it on TEST: the only time TEST is read.

Each setting is a set of `seqlab activity train` flags on top of its defaults; the folds run the
library call that command makes (`seqlab.vision.train.train_activity`), one torch thread.
Deterministic: the folds depend on --fold-seed, each training on --seed. --cv-json keeps the
fold scores after each setting, so a cut-short run goes on where it stopped.
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import os
import random
import statistics
import sys
import tempfile
import time
from pathlib import Path

import torch

from caption_runs import SHARED, seqlab, write_log
from seqlab.train import TrainerConfig
from seqlab.vision import read_series
from seqlab.vision.activity import evaluate_activity
from seqlab.vision.config import ACTIVITY_TRAINER, ActivityConfig, ActivityDataConfig
from seqlab.vision.train import train_activity

PROBLEMS = ("GunPoint", "BasicMotions", "PickupGestureWiimoteZ")
# name -> `seqlab activity train` flags (config field -> value) on top of the defaults.
# One change at a time: the step count against the defaults (1,000 steps), then other
# settings at 500 steps (half the cost). The time box of 2026-12-05 (one shared core) allowed
# only part of it: see BENCHMARKS.md for what was run.
GRID: dict[str, dict[str, object]] = {
    "defaults (1,000 steps)": {},
    "500 steps": {"max_steps": 500},
    "2,000 steps": {"max_steps": 2000},
    "500, pool mean": {"max_steps": 500, "pool": "mean"},
    "500, no augment": {"max_steps": 500, "augment": False},
    "500, dropout 0.3": {"max_steps": 500, "dropout": 0.3},
}


def stratified_folds(labels: list[str], k: int, *, seed: int) -> list[list[int]]:
    """k disjoint index lists: each label's examples shuffled with ``seed`` and dealt in turn."""
    rng, folds = random.Random(seed), [[] for _ in range(k)]
    turn = 0
    for label in sorted(set(labels)):
        idx = [i for i, y in enumerate(labels) if y == label]
        rng.shuffle(idx)
        for i in idx:
            folds[turn % k].append(i)
            turn += 1
    return [sorted(f) for f in folds]


def configs(flags: dict[str, object], seed: int):
    """The three configs `seqlab activity train` builds from ``flags`` (field -> value)."""
    parts = []
    trainer = {**ACTIVITY_TRAINER, "seed": seed, "device": "cpu"}
    for cls, base in ((ActivityConfig, {}), (ActivityDataConfig, {}), (TrainerConfig, trainer)):
        names = {f.name for f in dataclasses.fields(cls)}
        parts.append(cls(**{**base, **{k: v for k, v in flags.items() if k in names}}))
    unknown = set(flags) - {f.name for c in parts for f in dataclasses.fields(c)}
    if unknown:
        raise SystemExit(f"unknown settings {sorted(unknown)}")
    return parts


def cross_validate(data, flags: dict[str, object], folds: list[list[int]], seed: int) -> list:
    """Accuracy on each held-out fold of a model trained on the other folds."""
    model_cfg, data_cfg, trainer_cfg = configs(flags, seed)
    scores = []
    for held in folds:
        out = set(held)
        train = data.subset([i for i in range(len(data)) if i not in out])
        with tempfile.TemporaryDirectory() as tmp:
            trained = train_activity(train, model_cfg, data_cfg, trainer_cfg, Path(tmp) / "m")
            result, _ = evaluate_activity(trained.model, data.subset(held))
        scores.append(result.accuracy)
    return scores


def cli_flags(flags: dict[str, object]) -> list[str]:
    """``{"pool": "mean", "augment": False}`` -> ``["--pool", "mean", "--no-augment"]``."""
    out = []
    for key, value in flags.items():
        name = "--" + key.replace("_", "-")
        if isinstance(value, bool):
            out.append(name if value else "--no-" + key.replace("_", "-"))
        else:
            out += [name, str(value)]
    return out


def choose(cv: dict[str, dict[str, list[float]]], settings: list[str], problems: list[str]) -> str:
    """The setting with the best mean CV accuracy over ``problems`` (ties: fewer steps, then the
    earlier one); among those cross-validated on all of them. None run: the defaults."""
    done = [s for s in settings if all(p in cv.get(s, {}) for p in problems)]
    if not done:
        return "defaults (not cross-validated)"

    def rank(s: str) -> tuple[float, int, int]:
        steps = GRID[s].get("max_steps", ACTIVITY_TRAINER["max_steps"])
        return (
            statistics.mean(statistics.mean(cv[s][p]) for p in problems),
            -steps,
            -settings.index(s),
        )

    return max(done, key=rank)


def print_cv_table(cv: dict[str, dict[str, list[float]]], settings: list[str],
                   problems: list[str], k: int) -> None:  # fmt: skip
    """Markdown: one row per setting, the mean ± std of the fold accuracies per problem."""
    print(f"{k}-fold CV on the TRAIN splits (accuracy, mean ± std over the folds)\n")
    print(f"| setting | flags | {' | '.join(problems)} |")
    print("|---|---|" + "---|" * len(problems))
    for s in settings:
        if s not in cv:
            continue
        cells = [f"{statistics.mean(cv[s][p]):.1%} ± {statistics.pstdev(cv[s][p]):.1%}"
                 if p in cv[s] else "not run" for p in problems]  # fmt: skip
        print(f"| {s} | `{' '.join(cli_flags(GRID[s])) or '(none)'}` | {' | '.join(cells)} |")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--work", default="runs/motion-cv", help="folder for the final models")
    parser.add_argument("--data", default=str(SHARED / "motion"))
    parser.add_argument("--problems", nargs="+", default=list(PROBLEMS))
    parser.add_argument("--settings", nargs="+", default=list(GRID), choices=list(GRID))
    parser.add_argument("--folds", type=int, default=3, help="k of the k-fold split")
    parser.add_argument("--fold-seed", type=int, default=0)
    parser.add_argument("--seed", type=int, default=0, help="every training's --seed")
    parser.add_argument("--no-test", action="store_true", help="stop after the CV table")
    parser.add_argument("--no-cv", action="store_true",
                        help="train no fold: only the scores --cv-json holds")  # fmt: skip
    parser.add_argument(
        "--test-problems",
        nargs="+",
        choices=list(PROBLEMS),
        help="train the choice and test it on these (default: --problems)",
    )
    parser.add_argument("--log", help="write the CV scores and every command to this JSON file")
    parser.add_argument("--cv-json", help="keep the fold scores here after each setting, and "
                        "take those already there (an interrupted run goes on)")  # fmt: skip
    args = parser.parse_args()
    torch.set_num_threads(1)
    kept = Path(args.cv_json) if args.cv_json else None
    cv: dict[str, dict[str, list[float]]] = {}
    if kept and kept.exists():
        cv = json.loads(kept.read_text())
    log: list[dict] = []
    sets = {name: read_series([Path(args.data) / name / f"{name}_TRAIN.ts"])[0]
            for name in args.problems}  # fmt: skip
    for setting in args.settings:  # setting by setting: a cut-short run has whole rows
        for name, train in sets.items():
            if name in cv.get(setting, {}) or args.no_cv:
                continue
            folds = stratified_folds(list(train.labels), args.folds, seed=args.fold_seed)
            start = time.perf_counter()
            scores = cross_validate(train, GRID[setting], folds, args.seed)
            cv.setdefault(setting, {})[name] = scores
            print(f"{name} {setting}: {statistics.mean(scores):.1%} {scores} "
                  f"({time.perf_counter() - start:.0f} s, load {os.getloadavg()[0]:.1f})",
                  file=sys.stderr, flush=True)  # fmt: skip
            if kept:
                kept.write_text(json.dumps(cv, indent=1) + "\n")

    print_cv_table(cv, args.settings, args.problems, args.folds)
    chosen = {p: choose(cv, args.settings, [p]) for p in args.test_problems or args.problems}
    overall = choose(cv, args.settings, args.problems)
    print(f"\nbest over {', '.join(args.problems)}: {overall}; per problem: {chosen}")
    if not args.no_test:
        work = Path(args.work).resolve()
        print("\n| problem | setting (CV) | test accuracy | test series | train (steps, min) |")
        print("|---|---|---|---|---|")
        for name, setting in chosen.items():
            folder, out = Path(args.data) / name, work / name
            t = seqlab("activity", "train", folder / f"{name}_TRAIN.ts",
                       *cli_flags(GRID.get(setting, {})), "--seed", args.seed, "--threads", "1",
                       "--out", out, "--overwrite", "--json", log=log)  # fmt: skip
            r = seqlab("activity", "evaluate", out, folder / f"{name}_TEST.ts", "--json", log=log)
            print(f"| {name} | {setting} | {r['accuracy']:.1%} | {r['n']} | {t['steps']}, "
                  f"{t['train_seconds'] / 60:.1f} |", flush=True)  # fmt: skip
    if args.log:
        write_log([{"cv": cv, "folds": args.folds, "fold_seed": args.fold_seed,
                    "seed": args.seed, "chosen": chosen}, *log], Path(args.log))  # fmt: skip
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
