"""Noto emoji -> Unicode names: held-out skin tones and held-out emoji, with the defaults.

    .venv/bin/python benchmarks/caption_emoji.py --work runs/emoji        # about 30 minutes

For each split (`tones`: one skin tone of every emoji with variants held out; `novel`: 20% of
the emoji held out with all their variants) writes the folders with `seqlab caption emoji`,
trains Show, Attend and Tell with `seqlab caption train` (no tuning flags, one thread) and
evaluates the test folder with beam 3. Prints a Markdown table; --log keeps every command.
"""

from __future__ import annotations

import argparse
import shlex
from pathlib import Path

from caption_runs import SHARED, seqlab, write_log


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--work", default="runs/emoji", help="folder for data and models")
    parser.add_argument("--data", default=str(SHARED / "emoji_images"))
    parser.add_argument("--splits", nargs="+", default=["tones", "novel"])
    parser.add_argument("--log", help="write every command and result to this JSON file")
    parser.add_argument("--train-args", default="",
                        help="extra `caption train` flags (for trials)")  # fmt: skip
    args = parser.parse_args()
    work, log, rows = Path(args.work).resolve(), [], []
    extra = shlex.split(args.train_args)
    for split in args.splits:
        folder = work / split
        made = seqlab("caption", "emoji", "--split", split, "--data", args.data, "--out", folder,
                      "--json", log=log)  # fmt: skip
        train = seqlab("caption", "train", folder / "train", *extra, "--threads", "1", "--out",
                       folder / "model", "--json", log=log)  # fmt: skip
        r = seqlab("caption", "evaluate", folder / "model", folder / "test", "--beam", "3",
                   "--json", log=log)  # fmt: skip
        rows.append((split, made, r, train))
    print("| split | train / test images | exact | BLEU-4 | train (steps, min) |")
    print("|---|---|---|---|---|")
    for split, made, r, t in rows:
        print(f"| {split} | {made['train']} / {made['test']} | {r['exact_match']:.1%} "
              f"| {r['bleu']:.1f} | {t['steps']}, {t['train_seconds'] / 60:.1f} |")  # fmt: skip
    if args.log:
        write_log(log, Path(args.log))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
