"""Fashion scenes: Show, Attend and Tell beside Show and Tell, with the command line's defaults.

    .venv/bin/python benchmarks/caption_scenes.py --work runs/scenes      # about 30 minutes

Writes 20,000 training scenes (train-split photos), 1,000 test scenes of seen (item, place)
combinations and 1,000 with one held-out combination each (test-split photos), trains both
captioners with `seqlab caption train` and no tuning flags (one thread, 14 minutes each), and
evaluates with beam 3: BLEU-4, exact match, and for the attention model the grounding (argmax
of alpha in the named item's cell). Prints a Markdown table; --log keeps every command, its
time and the load average (JSON).
"""

from __future__ import annotations

import argparse
import shlex
from pathlib import Path

from caption_runs import SHARED, seqlab, write_log


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--work", default="runs/scenes", help="folder for data and models")
    parser.add_argument("--data", default=str(SHARED / "fashion_mnist"))
    parser.add_argument("-n", type=int, default=20000, help="training scenes")
    parser.add_argument("--log", help="write every command and result to this JSON file")
    parser.add_argument("--models", nargs="+", choices=("att", "sat"), default=["att", "sat"],
                        help="att: Show, Attend and Tell; sat: Show and Tell")  # fmt: skip
    parser.add_argument("--train-args", default="",
                        help="extra `caption train` flags (for trials)")  # fmt: skip
    args = parser.parse_args()
    work, log = Path(args.work).resolve(), []
    sets = {"seen": ("1", []), "held-out": ("2", ["--held-out"])}
    seqlab("caption", "scenes", "-n", args.n, "--seed", "0", "--split", "train", "--data",
           args.data, "--out", work / "train", "--json", log=log)  # fmt: skip
    for name, (seed, flag) in sets.items():
        seqlab("caption", "scenes", "-n", "1000", "--seed", seed, "--split", "test", *flag,
               "--data", args.data, "--out", work / name, "--json", log=log)  # fmt: skip
    rows, extra = [], shlex.split(args.train_args)
    for model, name, flags in (
        ("Show, Attend and Tell", "att", []),
        ("Show and Tell", "sat", ["--no-attention"]),
    ):
        if name not in args.models:
            continue
        out = work / name
        train = seqlab("caption", "train", work / "train", *flags, *extra, "--threads", "1",
                       "--out", out, "--json", log=log)  # fmt: skip
        for name in sets:
            r = seqlab("caption", "evaluate", out, work / name, "--beam", "3", "--json", log=log)
            rows.append((model, name, r, train))
    print("| model | test scenes | exact | BLEU-4 | grounding | train (steps, min) |")
    print("|---|---|---|---|---|---|")
    for model, name, r, t in rows:
        grounding = f"{r['grounding']:.1%}" if "grounding" in r else "-"
        print(f"| {model} | {name} ({r['n']}) | {r['exact_match']:.1%} | {r['bleu']:.1f} "
              f"| {grounding} | {t['steps']}, {t['train_seconds'] / 60:.1f} |")  # fmt: skip
    if args.log:
        write_log(log, Path(args.log))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
