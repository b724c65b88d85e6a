"""Connected digit strings from the Free Spoken Digit Dataset: WER/CER of a CTC recogniser.

    .venv/bin/python benchmarks/fsdd_connected.py --out runs/fsdd-connected/model
    .venv/bin/python benchmarks/fsdd_connected.py --n-train 1000 --epochs 3 --json   # a quick run
    .venv/bin/python benchmarks/fsdd_connected.py --eval-only --out runs/fsdd-connected/model

The FSDD holds isolated digits (6 speakers, 50 takes of each digit). Strings of 3-7 digits are
built from them with ``seqlab.speech.strings.build_digit_strings`` (one speaker per string,
trimmed edges, random gaps, white/pink noise at 10-30 dB SNR): the training and validation
strings from the official train split (takes 5-49), the test strings from the test split (takes
0-4), so no test recording is ever heard in training. The goal of the speech issue: WER <= 5%
with beam search. The strings are cached under ``--cache`` (built once per size and seed).

Decoding, from one forward pass per string: greedy, prefix beam search (widths ``--beams``), and
beam search constrained to a digit lexicon (a character "LM" that allows only prefixes of digit
words; the final text must end on a whole word). Prints a Markdown table, or one JSON object
with --json.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import sys
import time
from pathlib import Path

import numpy as np
import torch

from seqlab.metrics import cer, wer
from seqlab.speech import (
    DIGIT_NAMES,
    CTCConfig,
    SpeechDataConfig,
    greedy_decode,
    load_recognizer,
    prefix_beam_search,
    read_fsdd,
    read_transcripts,
    train_recognizer,
)
from seqlab.speech.data import collate
from seqlab.speech.strings import build_digit_strings
from seqlab.speech.train import features_of
from seqlab.train import TrainerConfig

ROOT = Path(__file__).resolve().parents[1]
DATA = ROOT / "../shared/data/fsdd"


def strings(utterances, cache: Path, name: str, n: int, seed: int, args) -> list:
    """Build (or reuse from the cache) ``n`` strings of ``utterances``."""
    folder = cache / f"{name}-n{n}-seed{seed}-snr{args.snr[0]:g}-{args.snr[1]:g}"
    if folder.is_dir():  # written atomically: if it is there, it is whole
        return read_transcripts(folder)
    return build_digit_strings(utterances, folder, n=n, min_digits=args.min_digits,
                               max_digits=args.max_digits, noise_db=tuple(args.snr),
                               seed=seed)  # fmt: skip


def lexicon_lm(alphabet, words=DIGIT_NAMES):
    """A character "LM" over the alphabet's labels: 0 for a label that keeps the text a
    sequence of ``words`` separated by single spaces, -inf otherwise (a constraint, not
    probabilities). The blank (id 0) is never asked about."""
    prefixes = {w[:i] for w in words for i in range(len(w) + 1)}
    C = len(alphabet)

    def lm(prefix: tuple[int, ...]) -> np.ndarray:
        partial = alphabet.decode(prefix).rpartition(" ")[2]
        out = np.full(C, -np.inf)
        for i, ch in enumerate(alphabet.chars, start=1):
            if ch == " " and partial in words or ch != " " and partial + ch in prefixes:
                out[i] = 0.0
        return out

    return lm


def _whole_words(text: str) -> bool:
    """Whether ``text`` is one or more digit words (the lexicon LM lets a last word be cut)."""
    words = text.split()
    return bool(words) and all(w in DIGIT_NAMES for w in words)


def decode_all(model, paths, beams: list[int], lexicon_beam: int) -> dict[str, tuple]:
    """Texts of every file for each decoder, and seconds spent decoding (the forward pass apart)."""
    alphabet, lm = model.alphabet, lexicon_lm(model.alphabet)
    names = ["greedy"] + [f"beam{k}" for k in beams]
    names += [f"beam{lexicon_beam}+lexicon"] if lexicon_beam else []
    texts: dict[str, list[str]] = {name: [] for name in names}
    seconds = dict.fromkeys(names, 0.0)
    forward = 0.0
    with torch.no_grad():
        for path in paths:
            start = time.perf_counter()
            batch = collate([features_of(path, model.features)])
            log_probs, lengths = model(batch["features"], batch["lengths"])
            lp = log_probs[0, : int(lengths[0])].numpy()  # (T', C)
            forward += time.perf_counter() - start
            for name in names:
                start = time.perf_counter()
                if name == "greedy":
                    labels = greedy_decode(lp)
                elif name.endswith("+lexicon"):
                    found = prefix_beam_search(lp, beam_size=lexicon_beam, lm=lm, lm_weight=1.0)
                    whole = [h for h in found if _whole_words(alphabet.decode(h.labels))]
                    labels = list((whole or found)[0].labels)
                else:
                    labels = list(prefix_beam_search(lp, beam_size=int(name[4:]))[0].labels)
                texts[name].append(alphabet.decode(labels))
                seconds[name] += time.perf_counter() - start
    return {name: (texts[name], seconds[name] + forward) for name in names}


def train(args, train_utts, val_utts) -> dict:
    model_cfg = CTCConfig(conv_channels=args.conv_channels, hidden_size=args.hidden_size,
                          num_layers=args.num_layers, dropout=args.dropout)  # fmt: skip
    data_cfg = SpeechDataConfig(batch_size=args.batch_size)
    trainer_cfg = TrainerConfig(epochs=args.epochs, max_minutes=args.max_minutes, lr=args.lr,
                                lr_schedule="cosine", warmup_steps=args.warmup_steps,
                                clip_norm=5.0, seed=args.seed, device="cpu",
                                progress=sys.stderr.isatty())  # fmt: skip
    trained = train_recognizer(train_utts, model_cfg, data_cfg, trainer_cfg, args.out,
                               val=val_utts)  # fmt: skip
    r = trained.result
    return {"train_seconds": round(r.elapsed, 1), "epochs": r.epochs, "steps": r.steps,
            "best_val_loss": r.best_val_loss, "stopped_because": r.stopped_because,
            "model": {"conv_channels": args.conv_channels, "hidden_size": args.hidden_size,
                      "num_layers": args.num_layers, "dropout": args.dropout}}  # fmt: skip


def parse_args() -> argparse.Namespace:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0],
                                formatter_class=argparse.ArgumentDefaultsHelpFormatter)  # fmt: skip
    p.add_argument("--fsdd", default=str(DATA), help="the FSDD folder (holds recordings/)")
    p.add_argument("--cache", default=str(ROOT / "runs/fsdd-connected/data"),
                   help="where the built strings are kept")  # fmt: skip
    p.add_argument("--out", default=str(ROOT / "runs/fsdd-connected/model"), help="model folder")
    p.add_argument("--eval-only", action="store_true", help="score the model already in --out")
    p.add_argument("--n-train", type=int, default=4000, help="training strings")
    p.add_argument("--n-val", type=int, default=200, help="validation strings (train split)")
    p.add_argument("--n-test", type=int, default=500, help="test strings (test split)")
    p.add_argument("--min-digits", type=int, default=3)
    p.add_argument("--max-digits", type=int, default=7)
    p.add_argument("--snr", type=float, nargs=2, default=[10.0, 30.0], metavar=("LOW", "HIGH"))
    p.add_argument("--conv-channels", type=int, default=128)
    p.add_argument("--hidden-size", type=int, default=128)
    p.add_argument("--num-layers", type=int, default=2)
    p.add_argument("--dropout", type=float, default=0.2)
    p.add_argument("--batch-size", type=int, default=32)
    p.add_argument("--epochs", type=int, default=12)
    p.add_argument("--max-minutes", type=float, default=None, help="training time budget")
    p.add_argument("--lr", type=float, default=0.003)
    p.add_argument("--warmup-steps", type=int, default=100)
    p.add_argument("--beams", type=int, nargs="*", default=[8, 16], help="beam widths")
    p.add_argument("--lexicon-beam", type=int, default=16, help="0: no lexicon decoding")
    p.add_argument("--seed", type=int, default=0, help="the strings' and training's seed")
    p.add_argument("--threads", type=int, default=1)
    p.add_argument("--json", action="store_true")
    return p.parse_args()


def main() -> int:
    args = parse_args()
    try:
        split = read_fsdd(args.fsdd)
    except ValueError as e:
        print(f"fsdd_connected: {e} (give --fsdd DIR)", file=sys.stderr)
        return 2
    torch.set_num_threads(args.threads)
    cache = Path(args.cache)
    start = time.perf_counter()
    train_utts = strings(split["train"], cache, "train", args.n_train, args.seed, args)
    val_utts = strings(split["train"], cache, "val", args.n_val, args.seed + 1000, args)
    test_utts = strings(split["test"], cache, "test", args.n_test, args.seed + 2000, args)
    build_seconds = time.perf_counter() - start
    summary = {"benchmark": "fsdd_connected", "n_train": len(train_utts), "n_val": len(val_utts),
               "n_test": len(test_utts), "digits": [args.min_digits, args.max_digits],
               "snr_db": args.snr, "build_seconds": round(build_seconds, 1)}  # fmt: skip
    if not args.eval_only:
        summary.update(train(args, train_utts, val_utts))
    model = load_recognizer(args.out)
    refs = [u.text for u in test_utts]
    results = {}
    for name, (hyps, seconds) in decode_all(model, [u.path for u in test_utts], args.beams,
                                            args.lexicon_beam).items():  # fmt: skip
        exact = sum(h == r for h, r in zip(hyps, refs)) / len(refs)
        results[name] = {"wer": wer(refs, hyps), "cer": cer(refs, hyps), "exact": exact,
                         "seconds": round(seconds, 1)}  # fmt: skip
    summary.update(results=results, out=str(args.out),
                   machine=f"{platform.machine()}, {os.cpu_count()} cores, {args.threads} "
                   f"thread(s), torch {torch.__version__}")  # fmt: skip
    if args.json:
        print(json.dumps(summary))
        return 0
    print(f"{len(refs)} test strings of {args.min_digits}-{args.max_digits} digits "
          f"(held-out recordings), model {args.out}\n")  # fmt: skip
    print("| decoder | WER | CER | strings exact | seconds |\n|---|---:|---:|---:|---:|")
    for name, r in results.items():
        print(f"| {name} | {r['wer']:.2%} | {r['cer']:.2%} | {r['exact']:.2%} | {r['seconds']} |")
    if "train_seconds" in summary:
        print(f"\ntrained {summary['epochs']} epochs ({summary['steps']} steps) in "
              f"{summary['train_seconds']:.0f} s; {summary['machine']}")  # fmt: skip
    return 0


if __name__ == "__main__":
    sys.exit(main())
