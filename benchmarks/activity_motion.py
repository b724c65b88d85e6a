"""Real motion series (UEA/UCR archive, .ts): GunPoint, BasicMotions, PickupGestureWiimoteZ.

    .venv/bin/python benchmarks/activity_motion.py                        # about 20 minutes

Trains `seqlab activity train DATA_TRAIN.ts` (no tuning flags, one thread: the bidirectional
GRU reads the channels directly) on the archive's training split and evaluates on its test
split with `seqlab activity evaluate`. Published accuracies for comparison (UCR/UEA archive):
GunPoint ROCKET 100%, MiniRocket 99.2%; PickupGestureWiimoteZ ROCKET 83.0%; BasicMotions 100%.
Prints a Markdown table; --log keeps every command, its time and the load average.
"""

from __future__ import annotations

import argparse
from pathlib import Path

from caption_runs import SHARED, print_accuracy_table, seqlab, write_log

PROBLEMS = ("GunPoint", "BasicMotions", "PickupGestureWiimoteZ")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--work", default="runs/motion", help="folder for the models")
    parser.add_argument("--data", default=str(SHARED / "motion"))
    parser.add_argument("--problems", nargs="+", default=list(PROBLEMS))
    parser.add_argument("--log", help="write every command and result to this JSON file")
    args = parser.parse_args()
    work, log, rows = Path(args.work).resolve(), [], []
    for name in args.problems:
        folder = Path(args.data) / name
        out = work / name
        train = seqlab("activity", "train", folder / f"{name}_TRAIN.ts", "--threads", "1",
                       "--out", out, "--json", log=log)  # fmt: skip
        r = seqlab("activity", "evaluate", out, folder / f"{name}_TEST.ts", "--json", log=log)
        rows.append((name, r, train))
    print_accuracy_table("data set", "series", rows)
    if args.log:
        write_log(log, Path(args.log))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
