"""Multi30k German -> English: test BLEU with and without attention, greedy vs beam, and the
throughput of batched vs one-sentence-at-a-time beam search.

Trains ``--preset multi30k-cpu`` (train 29,000 pairs, validation val.de/val.en 1,014) under a
time budget, then translates test_2016_flickr (1,000 pairs) and scores it with seqlab's
sacrebleu-compatible corpus BLEU (13a tokenization, cased, detokenized output vs the raw
references) and, for comparison with papers that report it, lower-cased BLEU.

    .venv/bin/python benchmarks/multi30k.py --minutes 35 --out runs/multi30k-att
    .venv/bin/python benchmarks/multi30k.py --minutes 15 --set model.attention=false \
        --out runs/multi30k-plain
    .venv/bin/python benchmarks/multi30k.py --eval-only --out runs/multi30k-att   # re-score

Each result is printed as one JSON line (and appended to ``--log`` when given).
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import time
from pathlib import Path

import torch

import seqlab
from preset_sets import preset_changes
from seqlab.metrics import corpus_bleu
from seqlab.seq2seq import beam_search, greedy_decode, preset_configs, read_pairs, train_seq2seq

DATA = Path(__file__).resolve().parents[1] / "../shared/data/multi30k"


def configs(overrides: list[str], minutes: float | None):
    """The preset's configs with ``section.field=JSON`` overrides applied."""
    changes = preset_changes(overrides, progress=True)
    if minutes is not None:
        changes["trainer"].update({"max_minutes": minutes, "epochs": None})
    return preset_configs("multi30k-cpu", **changes)


def evaluate(model, test, beams: list[int], alpha: float) -> dict:
    """BLEU (cased and lower-cased) and decoding time per search setting."""
    sources, refs = [s for s, _ in test], [t for _, t in test]
    out = {}
    for beam in beams:
        start = time.perf_counter()
        if beam == 1:
            hyps = [h.text for h in greedy_decode(model, sources, on_long="truncate")]
        else:
            found = beam_search(model, sources, beam_size=beam, alpha=alpha, on_long="truncate")
            hyps = [h[0].text for h in found]
        seconds = time.perf_counter() - start
        cased = corpus_bleu(hyps, [refs])
        lower = corpus_bleu(hyps, [refs], lowercase=True)
        name = "greedy" if beam == 1 else f"beam{beam}"
        out[name] = {"bleu": round(cased.score, 2), "bleu_lowercase": round(lower.score, 2),
                     "bleu_line": cased.format(), "seconds": round(seconds, 1),
                     "examples": [{"src": s, "ref": r, "hyp": h}
                                  for s, r, h in list(zip(sources, refs, hyps))[:3]]}  # fmt: skip
    return out


def throughput(model, sources: list[str], beam: int, alpha: float) -> dict:
    """Sentences per second of beam search: the batch together vs one sentence at a time."""
    result = {}
    for name, batch_size in (("batched", 64), ("one_at_a_time", 1)):
        start = time.perf_counter()
        beam_search(model, sources, beam_size=beam, alpha=alpha, batch_size=batch_size,
                    on_long="truncate")  # fmt: skip
        seconds = time.perf_counter() - start
        result[name] = round(len(sources) / seconds, 2)
    result["speedup"] = round(result["batched"] / result["one_at_a_time"], 2)
    result.update({"sentences": len(sources), "beam": beam})
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--data", default=str(DATA), help="the multi30k folder")
    parser.add_argument("--out", default="runs/multi30k", help="the model folder")
    parser.add_argument("--minutes", type=float, default=None, help="training time budget")
    parser.add_argument("--set", action="append", default=[], metavar="SECTION.FIELD=JSON")
    parser.add_argument("--threads", type=int, default=os.cpu_count() or 1)
    parser.add_argument("--alpha", type=float, default=0.7)
    parser.add_argument("--throughput-sentences", type=int, default=200)
    parser.add_argument("--eval-only", action="store_true", help="score the model in --out")
    parser.add_argument("--log", help="append the JSON result to this file")
    args = parser.parse_args()
    torch.set_num_threads(args.threads)
    data = Path(args.data)
    train = read_pairs(data / "train.de", data / "train.en")
    val = read_pairs(data / "val.de", data / "val.en")
    test = read_pairs(data / "test_2016_flickr.de", data / "test_2016_flickr.en")
    out = Path(args.out)
    record: dict = {"benchmark": "multi30k de-en", "machine": f"{platform.machine()}, "
                    f"{os.cpu_count()} cores, torch {torch.__version__}",
                    "threads": args.threads, "date": time.strftime("%Y-%m-%d")}  # fmt: skip
    if args.eval_only:
        model = seqlab.load(out)
    else:
        model_cfg, data_cfg, trainer_cfg = configs(args.set, args.minutes)
        trained = train_seq2seq(
            train,
            model_cfg,
            data_cfg,
            trainer_cfg,
            out,
            val_pairs=val,
            sources={"pairs": "multi30k train", "dev": "multi30k val"},
        )
        model, r = trained.model, trained.result
        record.update({"train_seconds": round(r.elapsed), "steps": r.steps, "epochs": r.epochs,
                       "best_val_loss": r.best_val_loss, "stopped_because": r.stopped_because,
                       "vocab": [trained.record[f"{side}_vocab_size"] for side in ("src", "tgt")],
                       "sets": args.set})  # fmt: skip
    record["model"] = model.describe()
    record["test"] = evaluate(model, test, [1, 5], args.alpha)
    n = args.throughput_sentences
    record["beam_throughput"] = throughput(model, [s for s, _ in test[:n]], 5, args.alpha)
    line = json.dumps(record, ensure_ascii=False)
    print(line)
    if args.log:
        with open(args.log, "a", encoding="utf-8") as f:
            f.write(line + "\n")


if __name__ == "__main__":
    main()
