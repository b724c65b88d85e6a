"""Date normalisation (the notes' attention exercise): exact match on held-out dates and formats.

Trains ``--preset dates`` on ``--n`` generated pairs (training formats, seed 0), then reports
exact-match accuracy (greedy and beam search) on

- a held-out generated set: new draws (seed 1) from the training formats, with every source
  string that also occurs in the training pairs removed, so no test sentence was seen;
- the formats never used for training (``HELD_OUT_FORMATS``, seed 2).

    .venv/bin/python benchmarks/dates.py
    .venv/bin/python benchmarks/dates.py --n 10000 --set trainer.epochs=6   # the demo's size

Prints one JSON line (and appends it to ``--log``).
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import tempfile
import time

import torch

from preset_sets import preset_changes
from seqlab.seq2seq import beam_search, greedy_decode, preset_configs, train_seq2seq
from seqlab.seq2seq.dates import HELD_OUT_FORMATS, date_pairs


def exact(model, rows, beam: int) -> tuple[float, list]:
    sources = [s for s, _ in rows]
    if beam == 1:
        hyps = [h.text for h in greedy_decode(model, sources, batch_size=256)]
    else:
        hyps = [h[0].text for h in beam_search(model, sources, beam_size=beam, batch_size=256)]
    wrong = [(s, t, h) for (s, t), h in zip(rows, hyps) if h != t]
    return 1 - len(wrong) / len(rows), wrong[:5]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--n", type=int, default=30000, help="training pairs")
    parser.add_argument("--test", type=int, default=5000, help="held-out pairs per test set")
    parser.add_argument("--set", action="append", default=[], metavar="SECTION.FIELD=JSON")
    parser.add_argument("--threads", type=int, default=1)
    parser.add_argument("--log", help="append the JSON result to this file")
    args = parser.parse_args()
    torch.set_num_threads(args.threads)
    changes = preset_changes(args.set, progress=True)
    model_cfg, data_cfg, trainer_cfg = preset_configs("dates", **changes)
    train = date_pairs(args.n, seed=0)
    seen = {s for s, _ in train}
    drawn = date_pairs(args.test, seed=1)
    test = [p for p in drawn if p[0] not in seen]
    unseen_formats = date_pairs(args.test, formats=list(HELD_OUT_FORMATS), seed=2)
    with tempfile.TemporaryDirectory() as folder:
        trained = train_seq2seq(train, model_cfg, data_cfg, trainer_cfg, folder)
    model, r = trained.model, trained.result
    record = {"benchmark": "dates", "date": time.strftime("%Y-%m-%d"),
              "machine": f"{platform.machine()}, {os.cpu_count()} cores, torch "
              f"{torch.__version__}", "threads": args.threads, "train_pairs": args.n,
              "train_seconds": round(r.elapsed, 1), "epochs": r.epochs, "steps": r.steps,
              "best_val_loss": r.best_val_loss, "sets": args.set,
              "parameters": model.describe()["parameters"],
              "test_pairs": len(test), "test_dropped_as_seen": len(drawn) - len(test),
              "unseen_format_pairs": len(unseen_formats)}  # fmt: skip
    for beam in (1, 3):
        name = "greedy" if beam == 1 else f"beam{beam}"
        record[f"test_exact_{name}"], wrong = exact(model, test, beam)
        record[f"unseen_formats_exact_{name}"], _ = exact(model, unseen_formats, beam)
        record[f"test_errors_{name}"] = wrong
    line = json.dumps(record, ensure_ascii=False)
    print(line)
    if args.log:
        with open(args.log, "a", encoding="utf-8") as f:
            f.write(line + "\n")


if __name__ == "__main__":
    main()
