"""CoNLL-2003 English NER: test entity F1 (seqeval) of seqlab's taggers, with training time.

Reads the data from ``../shared/data/conll2003`` (research-use data: never copied into the
repository). Trains one configuration under a time budget, picks the best epoch by validation
loss (valid.txt = eng.testa), and scores test.txt (eng.testb) with seqlab.metrics.span_scores
and, when installed, seqeval itself on the same predictions.

    .venv/bin/python benchmarks/ner_conll.py --config softmax --minutes 20 --threads 1
    .venv/bin/python benchmarks/ner_conll.py --config crf --minutes 20 --threads 1
    .venv/bin/python benchmarks/ner_conll.py --config char-crf --minutes 55
    .venv/bin/python benchmarks/ner_conll.py --minutes 55 --threads 1 --vectors full  # 89.85
    .venv/bin/python benchmarks/ner_conll.py --train-on train+valid --epochs 20 --minutes 95 \
        --threads 1 --vectors full

--train-on train+valid trains on train.txt and valid.txt together (as Chiu & Nichols 2016 and
Akbik et al. 2018 do for their final models): nothing is held out, the last weights are kept,
and the epoch budget must come from an earlier run that did hold valid.txt out.

Configurations (all: GloVe 6B 50d top-40k vectors, or with --vectors full also the data's rarer
GloVe words (benchmarks/glove_wheel.py), fine-tuned; word shape embedding; 1-layer
BiLSTM of 200 per direction; dropout 0.5; Adam with cosine decay):
  softmax   BiLSTM, softmax per word (the notes)
  crf       BiLSTM-CRF
  char-crf  character BiLSTM (25 + 25) + BiLSTM-CRF (Lample et al. 2016)

Prints one JSON line (appended to --log when given).
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import tempfile
import time
from pathlib import Path

import torch

from preset_sets import preset_changes
from seqlab.classify import evaluate_tagger, preset_configs, train_tagger
from seqlab.datasets import read_conll
from seqlab.embeddings import WordVectors

DATA = Path(__file__).resolve().parents[1] / "../shared/data"
CONFIGS = {
    "softmax": {"crf": False, "char_embedding_size": 0},
    "crf": {"crf": True, "char_embedding_size": 0},
    "char-crf": {"crf": True, "char_embedding_size": 25},
}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--config", choices=sorted(CONFIGS), default="char-crf")
    parser.add_argument("--minutes", type=float, default=55.0, help="training time budget")
    parser.add_argument("--epochs", type=int, default=None, help="epoch budget (default: preset)")
    parser.add_argument("--threads", type=int, default=os.cpu_count() or 1)
    parser.add_argument("--set", action="append", default=[], metavar="SECTION.FIELD=JSON")
    parser.add_argument("--out", help="keep the model folder here (default: a temp folder)")
    parser.add_argument("--log", help="append the JSON result to this file")
    parser.add_argument(
        "--train-on",
        choices=["train", "train+valid"],
        default="train",
        help="train+valid: no validation, last weights kept (fix --epochs from a train run)",
    )
    parser.add_argument(
        "--vectors",
        choices=["top40k", "full"],
        default="top40k",
        help="GloVe 6B 50d: the shared top-40k file, or full = also the data's rarer GloVe words "
        "(benchmarks/glove_wheel.py; make bench-deps)",
    )
    args = parser.parse_args()
    torch.set_num_threads(args.threads)
    sets = preset_changes(args.set, progress=True)
    changes = {"model": {**CONFIGS[args.config], **sets["model"]}, "data": sets["data"],
               "trainer": {"max_minutes": args.minutes, **sets["trainer"]}}  # fmt: skip
    if args.epochs:
        changes["trainer"].setdefault("epochs", args.epochs)
    if args.train_on == "train+valid":
        if not args.epochs:
            parser.error("--train-on train+valid needs --epochs (nothing is held out to stop on)")
        changes["trainer"]["select"] = "last"
        changes["data"]["val_fraction"] = 0.0
    model_cfg, data_cfg, trainer_cfg = preset_configs("conll-cpu", **changes)
    conll = DATA / "conll2003"
    train, valid, test = (read_conll(conll / f) for f in ("train.txt", "valid.txt", "test.txt"))
    fit_on, held_out = (train + valid, None) if args.train_on == "train+valid" else (train, valid)
    if args.vectors == "full":
        from glove_wheel import glove_for

        vectors = glove_for(w for data in (train, valid, test) for s in data for w in s.tokens)
    else:
        vectors = WordVectors.load(DATA / "glove/glove.6B.50d.top40k.txt")
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(args.out or tmp)
        trained = train_tagger(
            fit_on, model_cfg, data_cfg, trainer_cfg, out, val_sentences=held_out, vectors=vectors
        )
        model, r = trained.model, trained.result
        start = time.perf_counter()
        scores, predicted = evaluate_tagger(model, test)
        tag_seconds = time.perf_counter() - start
    record = {
        "benchmark": "conll2003 ner",
        "config": args.config,
        "train_on": args.train_on,
        "date": time.strftime("%Y-%m-%d"),
        "machine": f"{platform.machine()}, {os.cpu_count()} cores, torch {torch.__version__}",
        "threads": args.threads,
        "train_seconds": round(r.elapsed, 1),
        "epochs": r.epochs,
        "steps": r.steps,
        "stopped_because": r.stopped_because,
        "best_val_loss": r.best_val_loss,
        "val": trained.scores,
        "sets": args.set,
        "vectors": f"glove 6B 50d {args.vectors} ({len(vectors)} words)",
        "model": model.describe() | {"tags": None},
        "test": {
            "precision": scores.precision,
            "recall": scores.recall,
            "f1": scores.f1,
            "per_type": {k: v.f1 for k, v in scores.per_type.items()},
        },
        "test_tagging_sentences_per_s": round(len(test) / tag_seconds, 1),
    }
    try:
        from seqeval.metrics import f1_score

        record["test"]["seqeval_f1"] = f1_score([s.tags for s in test], predicted)
    except ImportError:
        pass
    line = json.dumps(record)
    print(line)
    if args.log:
        with open(args.log, "a", encoding="utf-8") as f:
            f.write(line + "\n")


if __name__ == "__main__":
    main()
