"""Piano-roll RNN, GRU and LSTM on JSB Chorales: test NLL per time step vs Chung et al. (2014).

Reference: Junyoung Chung, Caglar Gulcehre, KyungHyun Cho, Yoshua Bengio, "Empirical Evaluation
of Gated Recurrent Neural Networks on Sequence Modeling", arXiv:1412.3555 (NIPS 2014 Deep
Learning Workshop). Table 1: music models of one layer with about 20k parameters each: 100 tanh
units, 46 GRU units, 36 LSTM units. Table 2, JSB Chorales, average negative log-probability per
time step (nats):

    cell    train   test
    tanh    8.82    9.19
    GRU     6.94    8.54
    LSTM    8.15    8.67

GRU test 8.54 also appears on paperswithcode.com/paper/empirical-evaluation-of-gated-recurrent2;
the full table as quoted in the README of github.com/2j2h5/lstm-gru. (The tanh test value should
be checked against the PDF: it was not found in a primary source here.)

Data: the quarter-note JSB Chorales of Boulanger-Lewandowski et al. (2012), 229/76/77 pieces.
Each cell is trained with its ``jsb-CELL`` preset (AdamW with clipping, not the paper's
RMSProp; best weights by validation NLL) and scored exactly on every split. Our first step of a
piece is predicted from a zero input, so it is included in the average (the paper's convention
for the first step is not stated in the table).

    .venv/bin/python benchmarks/jsb_chorales.py                       # full run (presets)
    .venv/bin/python benchmarks/jsb_chorales.py --epochs 3 --cells gru   # a smoke run

Prints one JSON line per cell; ``--json`` / ``--markdown`` write the table to files.
"""

from __future__ import annotations

import argparse
import json
import platform
import sys
import tempfile
import time
from pathlib import Path

import torch

from seqlab.music import nll_per_step, preset_configs, read_chorales, train_music_model

DEFAULT_DATA = (
    Path(__file__).resolve().parents[1] / "../shared/data/jsb_chorales/jsb-chorales-quarter.json"
)
PUBLISHED = {  # Chung et al. (2014), Table 2, JSB Chorales (see the module docstring)
    "rnn": {"units": 100, "train": 8.82, "test": 9.19},
    "gru": {"units": 46, "train": 6.94, "test": 8.54},
    "lstm": {"units": 36, "train": 8.15, "test": 8.67},
}


def run_cell(cell: str, rolls: dict, args: argparse.Namespace, out_root: Path) -> dict:
    """Train one cell with its preset (budgets overridden by the flags) and score every split."""
    trainer = {"seed": args.seed, "progress": sys.stderr.isatty()}
    if args.epochs is not None:
        trainer["epochs"] = args.epochs
    if args.minutes is not None:
        trainer["max_minutes"] = args.minutes
    model_cfg, data_cfg, trainer_cfg = preset_configs(f"jsb-{cell}", trainer=trainer)
    start = time.monotonic()
    trained = train_music_model(rolls, model_cfg, data_cfg, trainer_cfg, out_root / cell)
    seconds = time.monotonic() - start
    nll = {split: nll_per_step(trained.model, rolls[split]) for split in rolls}
    return {
        "cell": cell,
        "hidden_size": model_cfg.hidden_size,
        "n_parameters": trained.model.n_parameters(),
        "epochs": trained.result.epochs,
        "steps": trained.result.steps,
        "stopped_because": trained.result.stopped_because,
        "train_seconds": round(seconds, 1),
        **{f"{split}_nll": round(value, 4) for split, value in nll.items()},
        "published_train_nll": PUBLISHED[cell]["train"],
        "published_test_nll": PUBLISHED[cell]["test"],
    }


def markdown(results: list[dict], meta: dict) -> str:
    lines = [
        "| cell | units | params | epochs | train s | train NLL | valid NLL | test NLL | "
        "paper train | paper test |",
        "|---|---|---|---|---|---|---|---|---|---|",
    ]
    for r in results:
        lines.append(
            f"| {r['cell']} | {r['hidden_size']} | {r['n_parameters']} | {r['epochs']} | "
            f"{r['train_seconds']:.0f} | {r['train_nll']:.2f} | {r['valid_nll']:.2f} | "
            f"{r['test_nll']:.2f} | {r['published_train_nll']:.2f} | "
            f"{r['published_test_nll']:.2f} |"
        )
    lines.append("")
    lines.append(f"NLL in nats per time step. {json.dumps(meta)}")
    return "\n".join(lines) + "\n"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--data", default=str(DEFAULT_DATA), help="jsb-chorales-quarter.json")
    parser.add_argument("--cells", nargs="+", default=["rnn", "gru", "lstm"])
    parser.add_argument("--epochs", type=int, help="override the presets' epochs (100)")
    parser.add_argument("--minutes", type=float, help="wall-clock budget per cell")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--threads", type=int, default=1, help="torch CPU threads")
    parser.add_argument("--out", help="keep the model folders here (default: a temp folder)")
    parser.add_argument("--json", help="write all results to this JSON file")
    parser.add_argument("--markdown", help="write the results table to this Markdown file")
    args = parser.parse_args()
    torch.set_num_threads(args.threads)
    rolls = read_chorales(args.data)
    meta = {"platform": platform.platform(), "torch": torch.__version__,
            "threads": args.threads, "seed": args.seed}  # fmt: skip
    results = []
    with tempfile.TemporaryDirectory() as tmp:
        out_root = Path(args.out) if args.out else Path(tmp)
        for cell in args.cells:
            results.append(run_cell(cell, rolls, args, out_root))
            print(json.dumps(results[-1]), flush=True)
    if args.json:
        Path(args.json).write_text(json.dumps({"meta": meta, "results": results}, indent=2) + "\n")
    if args.markdown:
        Path(args.markdown).write_text(markdown(results, meta))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
