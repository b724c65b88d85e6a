"""``seqlab activity``: clips, train, predict, evaluate (many-to-one activity recognition)."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from seqlab.cli._common import (
    CLIError,
    add_config_flags,
    add_model_flags,
    add_output_flags,
    add_trainer_flags,
    auto_threads,
    config_from_args,
    data_args,
    default_data,
    emit_json,
    load_task_model,
    out_dir_flags,
    pick_device,
    print_train_footer,
    set_threads,
    train_summary,
)
from seqlab.cli._figures import save_figure

CLIPS_EPILOG = """examples:
  seqlab activity clips -n 8000 --seed 0 --split train --out clips-train
  seqlab activity clips -n 2000 --seed 1 --split test --out clips-test

Eight activities (move left/right/up/down, rotate clockwise/anticlockwise, zoom in/out) of one
Fashion-MNIST photo of that split (--data); each is the time reversal of its opposite, so only
the frames' order tells them apart. Same arguments, same bytes.
"""

TRAIN_EPILOG = """examples:
  seqlab activity train clips-train --out clips-gru
  seqlab activity train clips-train --no-recurrent --out clips-average    # the baseline
  seqlab activity train motion:gunpoint-train --out gunpoint     # seqlab data fetch motion

DATA is a clips folder (labels.tsv + PNG strips) or one or more .ts files; a clip or file that
cannot be read is skipped with a warning.
--json prints one line at the end: {"val_loss", "train_seconds", "steps", ...}
"""

PREDICT_EPILOG = """examples:
  seqlab activity predict gunpoint motion:gunpoint-test --json     # {"id", "label", "prob"}
  seqlab activity predict clips-gru clips-test

A clip or .ts file that cannot be read is reported and skipped; the rest are labelled (exit
code 2).
"""

EVALUATE_EPILOG = """examples:
  seqlab activity evaluate gunpoint motion:gunpoint-test
  seqlab activity evaluate clips-gru clips-test --plot confusion.png --json
      # {"accuracy", "n", "per_class": {label: {"precision", "recall", "f1", "support"}}, ...}

A clip or .ts file that cannot be read is reported and skipped; the rest are scored (exit
code 2). A label the model does not know is an error.
"""


def register(sub: argparse._SubParsersAction) -> None:
    from seqlab.vision.config import ActivityConfig, ActivityDataConfig, ClipConfig

    group = sub.add_parser("activity", help="activity recognition: clips, train, predict, ...")
    verbs = group.add_subparsers(dest="verb", metavar="VERB", required=True)
    raw = argparse.RawDescriptionHelpFormatter

    p = verbs.add_parser("clips", help="generate Fashion clips (video) with activity labels",
                         epilog=CLIPS_EPILOG, formatter_class=raw)  # fmt: skip
    p.add_argument("-n", type=int, default=1000, help="clips to write (default: 1000)")
    p.add_argument("--seed", type=int, default=0, help="same seed, same clips (default: 0)")
    p.add_argument("--split", choices=("train", "test"), default="train",
                   help="which Fashion-MNIST photos (default: train)")  # fmt: skip
    p.add_argument("--data", help="the Fashion-MNIST folder (default: the data set fashion_mnist "
                   "once fetched, else ../shared/data/fashion_mnist)")  # fmt: skip
    p.add_argument("--out", required=True, help="the clips folder to write")
    add_config_flags(p, ClipConfig, group="clips")
    p.add_argument("--json", action="store_true", help="print a summary as one JSON line")
    p.set_defaults(func=run_clips)
    data_args(p, "data")

    p = verbs.add_parser("train", help="train on clips or .ts series", epilog=TRAIN_EPILOG,
                         formatter_class=raw)  # fmt: skip
    p.add_argument("data", nargs="+", metavar="DATA", help="a clips folder, or .ts files")
    p.add_argument("--dev", nargs="+", metavar="DATA",
                   help="validation data, like DATA (default: --val-fraction of DATA)")  # fmt: skip
    p.add_argument("--out", required=True, help="the model folder to write")
    add_config_flags(p, ActivityConfig, group="model",
                     exclude=["input", "in_channels", "image_size", "num_classes"])  # fmt: skip
    add_config_flags(p, ActivityDataConfig, group="data")
    add_trainer_flags(p, exclude=["shuffle"])
    _activity_defaults(p)
    add_output_flags(p, "one JSON line at the end (the training summary)")
    p.set_defaults(func=run_train)
    data_args(p, "data", "dev")

    for verb, func, epilog, text in (
        ("predict", run_predict, PREDICT_EPILOG, "the label of every clip or series"),
        ("evaluate", run_evaluate, EVALUATE_EPILOG, "accuracy, per-class scores, confusion"),
    ):
        p = verbs.add_parser(verb, help=text, epilog=epilog, formatter_class=raw)
        p.add_argument("model", help="a folder written by `seqlab activity train`")
        p.add_argument("data", nargs="+", metavar="DATA", help="a clips folder, or .ts files")
        p.add_argument("--on-size", choices=("error", "resize"), default="error",
                       help="frames of another size than the model's (default: error)")  # fmt: skip
        if verb == "evaluate":
            p.add_argument("--plot", metavar="PNG", help="also draw the confusion matrix (PNG)")
        p.add_argument("--json", action="store_true", help="one JSON object per line")
        add_model_flags(p)
        p.set_defaults(func=func)
        data_args(p, "data")


def _activity_defaults(p: argparse.ArgumentParser) -> None:
    """The activity task's training defaults (seqlab.vision.config) as the flags' defaults."""
    from seqlab.vision.config import ACTIVITY_TRAINER

    for action in p._actions:
        if action.dest in ACTIVITY_TRAINER:
            old, action.default = action.default, ACTIVITY_TRAINER[action.dest]
            if action.help:
                action.help = action.help.replace(f"(default: {old})",
                                                  f"(default: {action.default})")  # fmt: skip


def run_clips(args: argparse.Namespace) -> int:
    import dataclasses

    from seqlab.vision.clips import make_clips
    from seqlab.vision.config import ClipConfig
    from seqlab.vision.fashion import read_fashion_mnist
    from seqlab.vision.sequences import write_clips_folder

    if args.n < 1:
        raise CLIError(f"-n must be at least 1, got {args.n}")
    config = config_from_args(ClipConfig, args)
    data = args.data or default_data("fashion_mnist", "../shared/data/fashion_mnist")
    photos, _ = read_fashion_mnist(data, args.split)
    clips, labels = make_clips(photos, args.n, seed=args.seed, config=config)
    record = {"generator": "fashion-clips", "split": args.split, "seed": args.seed, "n": args.n,
              "config": dataclasses.asdict(config)}  # fmt: skip
    out = write_clips_folder(args.out, clips, labels, record=record)
    if args.json:
        emit_json({"out": str(out), "n": args.n, "split": args.split})
    else:
        print(f"{args.n} clips of {config.frames} frames ({args.split} photos) in {out}/: "
              "labels.tsv, clips/")  # fmt: skip
    return 0


def read_data(
    paths: list[str], *, size: int | None = None, on_size: str = "error", training: bool = False
):
    """A clips folder or .ts files -> (SequenceSet, how many files were skipped); each skipped
    file is reported on stderr: a warning when training (the model is complete without it), an
    error otherwise (the command's output is incomplete, and it exits with 2)."""
    from seqlab.vision.sequences import read_clips_folder, read_series

    folders = [p for p in paths if Path(p).is_dir()]
    if folders and len(paths) > 1:
        raise CLIError("give one clips folder, or .ts files (not both, not several folders)")
    if folders:
        data, problems = read_clips_folder(folders[0], size=size, on_size=on_size)
    else:
        data, problems = read_series(paths)
    for problem in problems:
        line = f"warning: skipped {problem}" if training else f"error: {problem} (skipped)"
        print(f"seqlab: {line}", file=sys.stderr)
    return data, len(problems)


def run_train(args: argparse.Namespace) -> int:
    from seqlab.train import TrainerConfig
    from seqlab.vision.config import ActivityConfig, ActivityDataConfig
    from seqlab.vision.train import train_activity

    model_cfg = config_from_args(ActivityConfig, args)
    data_cfg = config_from_args(ActivityDataConfig, args)
    set_threads(auto_threads(args.threads, model_cfg.hidden_size))
    show = not args.no_progress and sys.stderr.isatty()
    trainer_cfg = config_from_args(TrainerConfig, args, progress=show)
    out = Path(args.out)
    if out.exists() and not out.is_dir():
        raise CLIError(f"--out {out} exists and is not a folder")
    train, _ = read_data(args.data, on_size=data_cfg.on_size, training=True)
    dev = None
    if args.dev:
        size = train.shape_fields()["image_size"] or None
        dev, _ = read_data(args.dev, size=size, on_size=data_cfg.on_size, training=True)
    sources = {"data": [str(Path(p).resolve()) for p in args.data],
               "dev": [str(Path(p).resolve()) for p in args.dev or []]}  # fmt: skip
    trained = train_activity(train, model_cfg, data_cfg, trainer_cfg, out, val_set=dev,
                             sources=sources, **out_dir_flags(args))  # fmt: skip
    if args.json:
        emit_json(train_summary(trained.result, trained.record, out))
        return 0
    d = trained.model.describe()
    kind = f"{d['cell'].upper()}" if d["recurrent"] else "frame-averaging baseline"
    print(f"{kind} on {d['input']}: {d['parameters']:,} parameters, {len(d['labels'])} "
          f"classes, {len(train)} sequences")  # fmt: skip
    print_train_footer(trained.result, out, None, f"seqlab activity evaluate {out} TEST_DATA")
    return 0


def _load_and_read(args: argparse.Namespace):
    set_threads(args.threads)
    device = pick_device(args.device)
    model = load_task_model(args.model, "activity", "an activity recogniser (activity)", device)
    size = model.config.image_size or None
    data, skipped = read_data(args.data, size=size, on_size=args.on_size)
    return model, data, skipped


def run_predict(args: argparse.Namespace) -> int:
    model, data, skipped = _load_and_read(args)
    for p in model.predict(data):
        if args.json:
            emit_json({"id": p.id, "label": p.label, "prob": p.prob})
        else:
            print(f"{p.id}\t{p.label}\t{p.prob:.4f}")
    return 2 if skipped else 0


def run_evaluate(args: argparse.Namespace) -> int:
    from seqlab.vision.activity import evaluate_activity
    from seqlab.vision.plot import confusion_figure

    model, data, skipped = _load_and_read(args)
    scores, _ = evaluate_activity(model, data)
    labels = [str(x) for x in scores.labels]
    plot = None
    if args.plot:
        fig = confusion_figure(scores.confusion, labels,
                               title=f"accuracy {scores.accuracy:.1%} on {len(data)}")  # fmt: skip
        plot = save_figure(fig, args.plot)
    per_class = {str(k): {"precision": v.precision, "recall": v.recall, "f1": v.f1,
                          "support": v.support} for k, v in scores.per_class.items()}  # fmt: skip
    if args.json:
        emit_json({"accuracy": scores.accuracy, "n": len(data), "per_class": per_class,
                   "labels": labels, "confusion": scores.confusion,
                   "plot": str(plot) if plot else None})  # fmt: skip
        return 2 if skipped else 0
    print(f"accuracy {scores.accuracy:.1%} on {len(data)} sequences")
    width = max(8, *(len(x) for x in labels))
    for label in labels:
        c = per_class[label]
        print(f"  {label:<{width}} recall {c['recall']:.1%}  precision {c['precision']:.1%}  "
              f"(n={c['support']})")  # fmt: skip
    if plot:
        print(f"confusion matrix: {plot}")
    return 2 if skipped else 0
