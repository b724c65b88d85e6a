"""DNA splice junctions (UCI primate splice-junction data): 10-fold cross-validated accuracy.

    .venv/bin/python benchmarks/dna_splice.py                    # all 10 folds, the preset
    .venv/bin/python benchmarks/dna_splice.py --folds-to-run 2 --json
    .venv/bin/python benchmarks/dna_splice.py --set model.hidden_size=64 --set trainer.epochs=30
    .venv/bin/python benchmarks/dna_splice.py --folds-to-run 1 --set model.pool=attention

3,190 sequences of 60 nucleotides, classes EI (767), IE (768), N (1,655). The classic protocol
for this set is 10-fold cross-validation: KBANN-era systems report about 95% (Towell & Shavlik
1994); the goal here is >= 96%. Folds are stratified and seeded (scikit-learn's
StratifiedKFold); inside each fold the ``splice`` preset trains on the whole training part and
keeps the last weights (``--set data.val_fraction=0.1`` holds out 10% of it to pick the best
epoch by accuracy instead), and the fold's test part is seen only once, at the end.

Prints a Markdown table (per fold, then mean ± std), or one JSON object with --json.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import sys
import tempfile
import time
from pathlib import Path

import torch
from sklearn.model_selection import StratifiedKFold

from preset_sets import preset_changes
from seqlab.classify import evaluate_classifier, preset_configs, train_classifier
from seqlab.datasets.dna import read_splice

DATA = Path(__file__).resolve().parents[1] / "../shared/data/dna_splice/splice.data"


def parse_changes(items: list[str]) -> dict[str, dict]:
    """``--set section.field=value`` (JSON values, else strings) -> preset overrides."""
    return preset_changes(items)


def read_val_curve(metrics_file: Path) -> list[dict]:
    """Each evaluation's step, validation loss and accuracy, from a model's metrics.jsonl."""
    curve = []
    for line in metrics_file.read_text("utf-8").splitlines():
        record = json.loads(line)
        if record.get("kind") == "eval":
            curve.append({k: record.get(k) for k in ("step", "val_loss", "val_accuracy")})
    return curve


def run_fold(rows, train_idx, test_idx, changes, seed: int) -> dict:
    """Train on one fold's training part, score its test part."""
    trainer = {"seed": seed, "progress": False, "device": "cpu", **changes["trainer"]}
    configs = preset_configs(
        "splice", model=changes["model"], data=changes["data"], trainer=trainer
    )
    train = [rows[i] for i in train_idx]
    test = [rows[i] for i in test_idx]
    start = time.perf_counter()
    with tempfile.TemporaryDirectory() as tmp:
        trained = train_classifier(train, *configs, Path(tmp) / "model")
        scores, _ = evaluate_classifier(trained.model, test)
        val_curve = read_val_curve(Path(tmp) / "model" / "metrics.jsonl")
    return {
        "accuracy": scores.accuracy,
        "val_accuracy": (trained.scores or {}).get("accuracy"),
        "val_curve": val_curve,
        "best_step": trained.result.best_step,
        "seconds": time.perf_counter() - start,
        "n_test": len(test),
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--data", default=str(DATA), help="splice.data")
    parser.add_argument("--folds", type=int, default=10, help="k of k-fold CV")
    parser.add_argument("--folds-to-run", type=int, default=None, help="stop after this many")
    parser.add_argument("--seed", type=int, default=0, help="the folds' and training's seed")
    parser.add_argument("--threads", type=int, default=1)
    parser.add_argument("--set", action="append", default=[], help="section.field=value")
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    torch.set_num_threads(args.threads)
    changes = parse_changes(args.set)
    rows = read_splice(args.data)
    labels = [label for _, label in rows]
    folds = StratifiedKFold(args.folds, shuffle=True, random_state=args.seed)
    results = []
    for k, (train_idx, test_idx) in enumerate(folds.split(rows, labels)):
        if args.folds_to_run is not None and k >= args.folds_to_run:
            break
        results.append(run_fold(rows, train_idx, test_idx, changes, args.seed + k))
        r = results[-1]
        print(f"fold {k + 1}: accuracy {r['accuracy']:.4f} ({r['seconds']:.0f} s)", file=sys.stderr)
    acc = [r["accuracy"] for r in results]
    summary = {
        "benchmark": "dna_splice",
        "folds": args.folds,
        "folds_run": len(results),
        "accuracy_mean": statistics.mean(acc),
        "accuracy_std": statistics.stdev(acc) if len(acc) > 1 else 0.0,
        "per_fold": results,
        "seconds": sum(r["seconds"] for r in results),
        "changes": changes,
        "machine": f"{platform.machine()}, {os.cpu_count()} cores, {args.threads} thread(s), "
        f"torch {torch.__version__}",
    }
    if args.json:
        print(json.dumps(summary))
        return 0
    print("| fold | accuracy | val accuracy | seconds |\n|---:|---:|---:|---:|")
    for k, r in enumerate(results, 1):
        val = f"{r['val_accuracy']:.4f}" if r["val_accuracy"] is not None else "-"
        print(f"| {k} | {r['accuracy']:.4f} | {val} | {r['seconds']:.0f} |")
    print(
        f"\n{len(results)}/{args.folds} folds: accuracy {summary['accuracy_mean']:.2%} "
        f"± {summary['accuracy_std']:.2%} (std over folds), {summary['seconds']:.0f} s "
        f"({summary['machine']})"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
