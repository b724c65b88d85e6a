"""Trigger-word detection on the notes' "activate" recordings: event precision, recall and F1.

    .venv/bin/python benchmarks/trigger_word.py                  # build, train, evaluate
    .venv/bin/python benchmarks/trigger_word.py --train-clips 300 --epochs 2   # a quick look
    .venv/bin/python benchmarks/trigger_word.py --json
    .venv/bin/python benchmarks/trigger_word.py --extra runs/trigger-synth   # + espeak-ng voices
    .venv/bin/python benchmarks/trigger_word.py --extra runs/trigger-synth --train-word-db -36 -14 \
        --train-noise-db -65 -35 --train-tilt-db 18 --train-clips 2000 --epochs 12 \
        --freq-mask 10                              # m9 of BENCHMARKS.md (F1 0.963)

Data: ``../shared/data/trigger_word/raw_data`` (10 recordings of "activate", 10 of other
words, 2 ten-second backgrounds; the Coursera assignment's raw clips). ``seqlab trigger
build-data`` keeps 30% of the activates and of the other words for the test clips (3 + 3
recordings that training never hears) and synthesises 10 s clips the notes' way (0-4 triggers
and 0-2 other words at random non-overlapping places on a background, here also at random
speed 0.9-1.1 and level). The detector (Conv1d + BatchNorm + 2 GRU layers, 10 ms output steps,
50 steps labelled 1 after each trigger) trains on the training clips (10% of them pick the best
epoch and the detection threshold) and is scored on the held-out test clips by events: a
detection counts when it falls between a trigger's start and 1 s after its end, each trigger
and detection matched at most once. Frame accuracy and the all-zero baseline's frame accuracy
are printed for contrast (the notes' warning). Generated clips go to ``--work`` (runs/).
"""

from __future__ import annotations

import argparse
import json
import platform
import sys
import time
from pathlib import Path

import torch

from seqlab.speech import (
    ClipConfig,
    TriggerConfig,
    build_trigger_data,
    evaluate_detector,
    read_clips,
    train_detector,
)
from seqlab.train import TrainerConfig

ROOT = Path(__file__).resolve().parents[1]
RAW = ROOT / "../shared/data/trigger_word/raw_data"


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    p.add_argument("--raw", default=str(RAW), help="the raw_data folder")
    p.add_argument("--work", default=str(ROOT / "runs" / "trigger-bench"),
                   help="where clips and the model go (default: runs/trigger-bench)")  # fmt: skip
    p.add_argument("--extra", help="a folder from benchmarks/synth_trigger_words.py: its "
                   "activates/ and negatives/ join the training clips")  # fmt: skip
    p.add_argument("--train-word-db", type=float, nargs=2, metavar=("LO", "HI"),
                   help="word levels of the training clips (dBFS), e.g. -36 -14")  # fmt: skip
    p.add_argument(
        "--train-noise-db",
        type=float,
        nargs=2,
        metavar=("LO", "HI"),
        help="white/pink noise added to the training clips (dBFS), e.g. -65 -35",
    )
    p.add_argument("--train-tilt-db", type=float, metavar="DB",
                   help="random spectral tilt, up to +-DB, of each training word")  # fmt: skip
    p.add_argument(
        "--train-eq-db",
        type=float,
        metavar="DB",
        help="random octave-band equaliser (gains in +-DB) on each training word",
    )
    p.add_argument(
        "--freq-mask",
        type=int,
        default=0,
        metavar="BANDS",
        help="SpecAugment frequency masks, up to BANDS mel bands, in training",
    )
    p.add_argument("--train-clips", type=int, default=1000, help="synthesised training clips")
    p.add_argument("--test-clips", type=int, default=200, help="held-out test clips")
    p.add_argument("--epochs", type=int, default=10)
    p.add_argument("--lr", type=float, default=2e-3)
    p.add_argument("--batch-size", type=int, default=32)
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--threads", type=int, default=1)
    p.add_argument("--json", action="store_true", help="one JSON object")
    args = p.parse_args(argv)
    raw = Path(args.raw)
    if not (raw / "activates").is_dir():
        print(f"benchmarks/trigger_word.py: {raw} has no activates/ (see ../shared/data/README.md)",
              file=sys.stderr)  # fmt: skip
        return 2
    torch.set_num_threads(args.threads)
    work = Path(args.work)
    tag = f"{args.train_clips}-{args.test_clips}-seed{args.seed}" + ("-extra" if args.extra else "")
    if args.train_word_db:
        tag += "-w{:g}_{:g}".format(*args.train_word_db)
    if args.train_noise_db:
        tag += "-n{:g}_{:g}".format(*args.train_noise_db)
    if args.train_tilt_db:
        tag += f"-t{args.train_tilt_db:g}"
    if args.train_eq_db:
        tag += f"-eq{args.train_eq_db:g}"
    train_config = ClipConfig().for_training(
        word_db=args.train_word_db,
        noise_db=args.train_noise_db,
        tilt_db=args.train_tilt_db,
        eq_db=args.train_eq_db,
    )
    data = work / f"data-{tag}"
    if not data.exists():
        extra = {}
        if args.extra:
            extra = {"extra_activates": [Path(args.extra) / "activates"],
                     "extra_negatives": [Path(args.extra) / "negatives"]}  # fmt: skip
        if train_config is not None:
            extra["train_config"] = train_config
        build_trigger_data(raw, data, n_train=args.train_clips, n_test=args.test_clips,
                           seed=args.seed, **extra)  # fmt: skip
    masks = f"-fm{args.freq_mask}" if args.freq_mask else ""
    model_dir = work / f"model-{tag}-e{args.epochs}{masks}"
    t0 = time.perf_counter()
    model_cfg = TriggerConfig(freq_mask_width=args.freq_mask)
    trained = train_detector(read_clips(data / "train"), model_cfg,
                             TrainerConfig(epochs=args.epochs, lr=args.lr, lr_schedule="cosine",
                                           clip_norm=5.0, seed=args.seed),
                             model_dir, batch_size=args.batch_size)  # fmt: skip
    seconds = time.perf_counter() - t0
    report = evaluate_detector(trained.model, read_clips(data / "test"))
    result = {"train_clips": args.train_clips, "extra": args.extra, "epochs": args.epochs,
              "train_seconds": seconds,
              "validation": trained.scores, "test": report, "model": str(model_dir),
              "machine": platform.machine(), "threads": args.threads}  # fmt: skip
    if args.json:
        print(json.dumps(result))
        return 0
    split = json.loads((data / "split.json").read_text())
    held = {role: [Path(f).name for f in split["test"][role]]
            for role in ("activates", "negatives")}  # fmt: skip
    print(f"held-out recordings: activates {held['activates']}, negatives {held['negatives']}")
    print(f"trained {args.epochs} epochs on {args.train_clips} clips in {seconds:.0f} s; "
          f"threshold {trained.model.threshold:.2f} (tuned on validation clips)")  # fmt: skip
    print("| clips | triggers | precision | recall | F1 | frame acc. | all-zero frame acc. |")
    print("|---|---|---|---|---|---|---|")
    print(f"| {report['clips']} | {report['triggers']} | {report['precision']:.3f} | "
          f"{report['recall']:.3f} | **{report['f1']:.3f}** | {report['frame_accuracy']:.3f} | "
          f"{report['all_zero_frame_accuracy']:.3f} |")  # fmt: skip
    return 0


if __name__ == "__main__":
    sys.exit(main())
