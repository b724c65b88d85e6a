"""``seqlab trigger build-data | train | evaluate | detect``: trigger-word detection."""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

from seqlab.cli._common import (
    CLIError,
    Switch,
    add_config_flags,
    add_model_flags,
    add_output_flags,
    add_trainer_flags,
    config_from_args,
    data_args,
    emit_json,
    out_dir_flags,
    pick_device,
    print_train_footer,
    progress,
    set_threads,
    train_summary,
)
from seqlab.cli._figures import plot_losses, save_figure
from seqlab.speech.config import ClipConfig, TriggerConfig
from seqlab.train.config import TrainerConfig

BUILD_EPILOG = """examples:
  seqlab trigger build-data trigger_word --out trigger-data
  seqlab trigger build-data raw/ --out data --train 4000 --test 300 --extra-negatives more_words/
RAW holds activates/ (the trigger word), negatives/ (other words) and backgrounds/ (noise).
Writes DIR/train and DIR/test (10 s WAV clips + clips.jsonl) and DIR/split.json; the test clips
use only recordings the training clips never use (--test-fraction of each kind); --extra-*
folders (e.g. synthesised voices) go into training clips only.
"""

TRAIN_EPILOG = """examples:
  seqlab trigger train trigger-data --out activate-model
  seqlab trigger train trigger-data/train --epochs 5 --hidden-size 64 --out quick
DATA is a folder from build-data (its train/ is used) or a clip folder with clips.jsonl.
--json prints one line at the end: {"val_loss", "threshold", "val_f1", "train_seconds", ...}
"""

EVALUATE_EPILOG = """examples:
  seqlab trigger evaluate activate-model trigger-data          # its test/ clips
  seqlab trigger evaluate activate-model trigger-data/test --json
      # {"precision", "recall", "f1", "tp", "fp", "fn", "frame_accuracy", ...}
"""

DETECT_EPILOG = """examples:
  seqlab trigger detect activate-model long.wav
  seqlab trigger detect activate-model a.wav b.wav --json          # {"file", "times"} a line
  seqlab trigger detect activate-model long.wav --plot long.png     # waveform + detections
  seqlab trigger detect activate-model a.wav b.wav --plot plots/    # plots/a.png, plots/b.png
A file that cannot be read is reported on stderr and skipped; the exit code is then 2.
"""


def register(sub: argparse._SubParsersAction) -> None:
    group = sub.add_parser("trigger", help="trigger-word detection: build data, train, detect")
    verbs = group.add_subparsers(dest="verb", metavar="VERB", required=True)
    raw = argparse.RawDescriptionHelpFormatter

    p = verbs.add_parser("build-data", help="synthesise labelled 10 s training and test clips",
                         epilog=BUILD_EPILOG, formatter_class=raw)  # fmt: skip
    p.add_argument("raw", help="folder with activates/, negatives/, backgrounds/ of WAV files")
    p.add_argument("--out", required=True, help="the folder to create")
    p.add_argument("--train", type=int, default=2000, help="training clips (default: 2000)")
    p.add_argument("--test", type=int, default=200, help="test clips (default: 200)")
    p.add_argument(
        "--test-fraction",
        type=float,
        default=0.3,
        help="share of the word recordings kept for test clips (default: 0.3)",
    )
    p.add_argument("--extra-activates", nargs="+", default=[], metavar="DIR",
                   help="more folders of trigger words, for training clips only")  # fmt: skip
    p.add_argument("--extra-negatives", nargs="+", default=[], metavar="DIR",
                   help="more folders of other words, for training clips only")  # fmt: skip
    p.add_argument(
        "--holdout-backgrounds",
        action=Switch,
        default=False,
        help="split the backgrounds between train and test too (default: --no-holdout-backgrounds)",
    )
    p.add_argument("--seconds", type=float, default=10.0, help="clip length (default: 10)")
    p.add_argument("--word-db", type=float, nargs=2, default=[-26.0, -14.0], metavar=("LO", "HI"),
                   help="RMS level range of the words, dBFS (default: -26 -14)")  # fmt: skip
    p.add_argument("--train-word-db", type=float, nargs=2, metavar=("LO", "HI"),
                   help="another level range for the training clips only (e.g. -34 -14: "
                   "train on quieter words than the test clips hold)")  # fmt: skip
    p.add_argument("--train-noise-db", type=float, nargs=2, metavar=("LO", "HI"),
                   help="add white or pink noise at this RMS level range (dBFS) to the "
                   "training clips only, for more varied backgrounds")  # fmt: skip
    p.add_argument("--train-tilt-db", type=float, metavar="DB",
                   help="tilt each training word's spectrum by a random slope of up to +-DB "
                   "(0 Hz to Nyquist), as another microphone would; training only")  # fmt: skip
    p.add_argument("--train-eq-db", type=float, metavar="DB",
                   help="pass each training word through a random equaliser, octave band "
                   "gains (125 Hz-8 kHz) drawn in +-DB; training only")  # fmt: skip
    p.add_argument("--sample-rate", type=int, default=16000, help="Hz (default: 16000)")
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--json", action="store_true", help="one JSON line: the split's counts")
    p.add_argument("--no-progress", action="store_true", help="no progress bar")
    p.set_defaults(func=run_build, clip_class=ClipConfig)
    data_args(p, "raw", "extra_activates", "extra_negatives")

    p = verbs.add_parser("train", help="train a detector on built clips", epilog=TRAIN_EPILOG,
                         formatter_class=raw)  # fmt: skip
    p.add_argument("data", help="a build-data folder (its train/) or a folder with clips.jsonl")
    p.add_argument("--out", required=True, help="the model folder to write")
    add_config_flags(p, TriggerConfig, exclude=["n_features"], group="model")
    p.add_argument("--n-mels", type=int, default=40, help="log-mel bands (default: 40)")
    p.add_argument("--hop-ms", type=float, default=5.0, help="frame step in ms (default: 5)")
    p.add_argument("--batch-size", type=int, default=32, help="clips per batch (default: 32)")
    p.add_argument(
        "--val-fraction",
        type=float,
        default=0.1,
        help="clips held out to pick the best weights and the threshold",
    )
    p.add_argument(
        "--refractory",
        type=float,
        default=0.5,
        help="seconds after a detection in which no other fires (default: 0.5)",
    )
    add_trainer_flags(p, exclude=["shuffle"])
    add_output_flags(p, "one JSON line at the end (the training summary)")
    p.set_defaults(func=run_train)

    p = verbs.add_parser("evaluate", help="event precision/recall/F1 on labelled clips",
                         epilog=EVALUATE_EPILOG, formatter_class=raw)  # fmt: skip
    p.add_argument("model", help="a model folder from seqlab trigger train")
    p.add_argument("data", help="a build-data folder (its test/) or a folder with clips.jsonl")
    _add_detection_flags(p)
    p.add_argument(
        "--max-delay",
        type=float,
        default=1.0,
        help="a detection counts up to this many seconds after the word ends",
    )
    p.add_argument("--json", action="store_true", help="one JSON line")
    add_model_flags(p)
    p.set_defaults(func=run_evaluate)

    p = verbs.add_parser("detect", help="times the trigger word is said in recordings",
                         epilog=DETECT_EPILOG, formatter_class=raw)  # fmt: skip
    p.add_argument("model", help="a model folder from seqlab trigger train")
    p.add_argument("files", nargs="+", metavar="FILE.wav")
    _add_detection_flags(p)
    p.add_argument(
        "--plot",
        metavar="PNG|DIR",
        help="draw the waveform, the probability and the detections: one FILE.wav to "
        "this PNG; several into this folder (created), one NAME.png per FILE.wav",
    )
    p.add_argument("--json", action="store_true", help='{"file", "times"} a line')
    add_model_flags(p)
    p.set_defaults(func=run_detect)
    data_args(p, "files")


def _add_detection_flags(p: argparse.ArgumentParser) -> None:
    p.add_argument(
        "--threshold",
        type=float,
        help="probability that fires (default: the one tuned in training)",
    )
    p.add_argument(
        "--refractory",
        type=float,
        default=0.5,
        help="seconds after a detection in which no other fires (default: 0.5)",
    )


def _clip_folder(data: str, split: str) -> Path:
    folder = Path(data)
    if not folder.is_dir():
        raise CLIError(f"{folder}: no such folder")
    if (folder / split / "clips.jsonl").is_file():
        return folder / split
    return folder


def _bar_enabled(args: argparse.Namespace) -> bool:
    return not getattr(args, "no_progress", False) and sys.stderr.isatty()


def run_build(args: argparse.Namespace) -> int:
    from seqlab.speech import build_trigger_data

    config = args.clip_class(sample_rate=args.sample_rate, seconds=args.seconds,
                             word_db=tuple(args.word_db))  # fmt: skip
    train_config = config.for_training(
        word_db=args.train_word_db,
        noise_db=args.train_noise_db,
        tilt_db=args.train_tilt_db,
        eq_db=args.train_eq_db,
    )
    with progress(args.train + args.test, "clips", enabled=_bar_enabled(args), unit="clip") as bar:
        record = build_trigger_data(args.raw, args.out, n_train=args.train, n_test=args.test,
                                    test_fraction=args.test_fraction,
                                    extra_activates=args.extra_activates,
                                    extra_negatives=args.extra_negatives,
                                    holdout_backgrounds=args.holdout_backgrounds,
                                    config=config, train_config=train_config,
                                    seed=args.seed,
                                    on_progress=bar.update)  # fmt: skip
    counts = {split: {role: len(files) for role, files in record[split].items()}
              for split in ("train", "test")}  # fmt: skip
    if args.json:
        emit_json({"out": args.out, "train": args.train, "test": args.test, "recordings": counts})
        return 0
    for split in ("train", "test"):
        c = counts[split]
        print(f"{split}: {getattr(args, split)} clips from {c['activates']} trigger, "
              f"{c['negatives']} other-word and {c['backgrounds']} background "
              "recordings")  # fmt: skip
    print(f"written to {args.out}/ (split.json names the recordings)")
    print(f"next: seqlab trigger train {args.out} --out MODEL")
    return 0


def run_train(args: argparse.Namespace) -> int:
    from seqlab.speech import read_clips, train_detector

    clips = read_clips(_clip_folder(args.data, "train"))
    set_threads(args.threads or 1)
    model_cfg = config_from_args(TriggerConfig, args, n_features=args.n_mels)
    bar_on = _bar_enabled(args)
    trainer_cfg = config_from_args(TrainerConfig, args, progress=bar_on)
    out = Path(args.out)
    with progress(len(clips), "features", enabled=bar_on, unit="clip") as bar:
        trained = train_detector(clips, model_cfg, trainer_cfg, out,
                                 val_fraction=args.val_fraction, batch_size=args.batch_size,
                                 hop_ms=args.hop_ms, refractory=args.refractory,
                                 **out_dir_flags(args), on_progress=bar.update)  # fmt: skip
    val = trained.scores
    data = {"clips": len(clips), "threshold": trained.model.threshold,
            **{f"val_{k}": v for k, v in val.items() if k != "threshold"}}  # fmt: skip
    plot_file = plot_losses(out, title=f"Trigger-word detector: {out.name}",
                            ylabel="loss (binary cross-entropy per output step)")  # fmt: skip
    if args.json:
        emit_json(train_summary(trained.result, data, out))
        return 0
    if val:
        print(f"{len(clips)} clips; validation events: precision {val['precision']:.3f}, "
              f"recall {val['recall']:.3f}, F1 {val['f1']:.3f} at threshold "
              f"{val['threshold']:.2f}")  # fmt: skip
    print_train_footer(trained.result, out, plot_file, f"seqlab trigger detect {out} FILE.wav")
    return 0


def run_evaluate(args: argparse.Namespace) -> int:
    from seqlab.speech import evaluate_detector, load_detector, read_clips

    set_threads(args.threads or 1)
    model = load_detector(args.model, map_location=pick_device(args.device))
    clips = read_clips(_clip_folder(args.data, "test"))
    with progress(len(clips), "clips", enabled=_bar_enabled(args), unit="clip") as bar:
        report = evaluate_detector(model, clips, threshold=args.threshold,
                                   refractory=args.refractory, max_delay=args.max_delay,
                                   on_progress=bar.update)  # fmt: skip
    report = {"n": report.pop("clips"), **report}  # the count is "n" in every command
    if args.json:
        emit_json(report)
        return 0
    print(f"{report['n']} clips, {report['triggers']} spoken triggers: precision "
          f"{report['precision']:.3f}, recall {report['recall']:.3f}, F1 {report['f1']:.3f} "
          f"(threshold {report['threshold']:.2f}; {report['tp']} hits, {report['fp']} false "
          f"alarms, {report['fn']} missed)")  # fmt: skip
    print(f"frame accuracy {report['frame_accuracy']:.3f} (an all-zero output scores "
          f"{report['all_zero_frame_accuracy']:.3f}: judge by events, not frames)")  # fmt: skip
    return 0


def run_detect(args: argparse.Namespace) -> int:
    import warnings

    from seqlab.speech import detect_triggers, load_detector, trigger_probabilities
    from seqlab.speech.audio import is_silent, read_wav

    set_threads(args.threads or 1)
    plots = _plot_paths(args.plot, args.files)
    model = load_detector(args.model, map_location=pick_device(args.device))
    threshold = model.threshold if args.threshold is None else args.threshold
    failed = 0
    for path in args.files:
        try:
            samples, rate = read_wav(path, sample_rate=model.features.sample_rate)
            if is_silent(samples):
                print(f"seqlab: warning: {path}: silence only (nothing to detect)",
                      file=sys.stderr)  # fmt: skip
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                probs = trigger_probabilities(model, samples)
            times = detect_triggers(probs, model.step_seconds, threshold=threshold,
                                    refractory=args.refractory)  # fmt: skip
        except ValueError as e:  # one bad file does not lose the others
            print(f"seqlab: error: {' '.join(str(e).split())}", file=sys.stderr)
            failed += 1
            continue
        if plots:
            _plot(samples, rate, probs, model.step_seconds, times, threshold, Path(path).name,
                  plots[path])  # fmt: skip
        if args.json:
            emit_json({"file": path, "times": [round(t, 3) for t in times]})
        else:
            shown = ", ".join(f"{t:.2f}" for t in times) or "none"
            print(f"{path}\t{len(times)} detected at {shown} s")
    return 2 if failed else 0


def _plot_paths(plot: str | None, files: list[str]) -> dict[str, Path]:
    """FILE.wav -> the PNG ``--plot`` names for it: the PNG itself for one recording given a
    file name; DIR/NAME.png for each recording when ``--plot`` is a folder (created when
    missing); CLIError for several recordings and a file name, or two recordings of one name."""
    if not plot:
        return {}
    target = Path(plot)
    as_folder = (
        target.is_dir() or plot.endswith(("/", os.sep)) or (len(files) > 1 and not target.suffix)
    )
    if not as_folder:
        if len(files) > 1:
            raise CLIError(f"--plot {plot}: {len(files)} recordings need a folder, one PNG each "
                           "(e.g. --plot plots/)")  # fmt: skip
        if not target.parent.is_dir():
            raise CLIError(f"folder does not exist: {target.parent}")
        return {files[0]: target}
    paths = {file: target / f"{Path(file).stem}.png" for file in files}
    clash = [f for f in files if list(paths.values()).count(paths[f]) > 1]
    if clash:
        raise CLIError(f"--plot {plot}: {clash[0]} and {clash[1]} would both be drawn to "
                       f"{paths[clash[0]]}; give them one at a time")  # fmt: skip
    if not target.parent.is_dir():
        raise CLIError(f"folder does not exist: {target.parent}")
    target.mkdir(exist_ok=True)
    return paths


def _plot(samples, rate, probs, step, times, threshold, title, path) -> None:
    from seqlab.speech import trigger_figure

    save_figure(trigger_figure(samples, rate, probs, step, times, threshold, title), path)
