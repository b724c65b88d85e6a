"""Fashion clips (video): the recurrent recogniser beside the frame-averaging baseline.

    .venv/bin/python benchmarks/activity_clips.py --work runs/clips       # about 25 minutes

Writes 8,000 training clips (train-split photos) and 2,000 test clips (test-split photos) with
`seqlab activity clips`, trains the default recogniser (per-frame CNN -> bidirectional GRU) and
the baseline (`--no-recurrent`: the mean of the per-frame features, which cannot see
order) with `seqlab activity train` and no other flags, and evaluates both. Prints a Markdown
table; --log keeps every command, its time and the load average.
"""

from __future__ import annotations

import argparse
from pathlib import Path

from caption_runs import SHARED, print_accuracy_table, seqlab, write_log


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--work", default="runs/clips", help="folder for data and models")
    parser.add_argument("--data", default=str(SHARED / "fashion_mnist"))
    parser.add_argument("-n", type=int, default=8000, help="training clips")
    parser.add_argument("--log", help="write every command and result to this JSON file")
    args = parser.parse_args()
    work, log, rows = Path(args.work).resolve(), [], []
    seqlab("activity", "clips", "-n", args.n, "--seed", "0", "--split", "train", "--data",
           args.data, "--out", work / "train", "--json", log=log)  # fmt: skip
    seqlab("activity", "clips", "-n", "2000", "--seed", "1", "--split", "test", "--data",
           args.data, "--out", work / "test", "--json", log=log)  # fmt: skip
    for name, flags in (("CNN + BiGRU", []), ("frame average", ["--no-recurrent"])):
        out = work / ("gru" if not flags else "average")
        train = seqlab("activity", "train", work / "train", *flags, "--threads", "1", "--out",
                       out, "--json", log=log)  # fmt: skip
        r = seqlab("activity", "evaluate", out, work / "test", "--plot", f"{out}/confusion.png",
                   "--json", log=log)  # fmt: skip
        rows.append((name, r, train))
    print_accuracy_table("model", "clips", rows)
    if args.log:
        write_log(log, Path(args.log))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
