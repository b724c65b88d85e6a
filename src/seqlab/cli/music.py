"""``seqlab music train | sample | evaluate``: piano-roll RNNs on JSB Chorales."""

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
    deprecated_alias,
    emit_json,
    load_task_model,
    one_of,
    out_dir_flags,
    pick_device,
    print_train_footer,
    set_threads,
    train_summary,
)
from seqlab.cli._figures import plot_losses, plot_roll
from seqlab.cli._recipes import add_recipe_flag, choose_recipe, trainer_config
from seqlab.music.config import PRESETS, MusicConfig, MusicDataConfig

SPLITS = ("train", "valid", "test")

TRAIN_EPILOG = """examples:
  seqlab music train jsb_chorales --cell gru --out jsb-gru   # the jsb-gru recipe
  seqlab music train jsb_chorales --preset jsb-lstm --epochs 20 --out jsb-lstm
  seqlab music train chorales.json --cell rnn --hidden-size 64 --max-minutes 2 --out tiny

The JSON holds {"train": [...], "valid": [...], "test": [...]}: pieces, each a list of time steps,
each a list of MIDI pitches (21..108). The recipe is jsb-CELL (Chung et al. 2014 sizes) unless
--preset names another (none: the bare defaults).
--json prints one line at the end: {"val_loss": NLL per time step (nats), "train_seconds": ...}
"""

SAMPLE_EPILOG = """examples:
  seqlab music sample jsb-gru --out chorale.mid --plot chorale.png --length 64 --seed 1
  seqlab music sample jsb-gru --out primed.mid --prime-from jsb_chorales \\
      --prime-length 8 --seed 1 --json   # {"out": ..., "time_steps": ..., "notes": ..., ...}
"""

EVALUATE_EPILOG = """examples:
  seqlab music evaluate jsb-gru jsb_chorales --split test --json
      # {"nll_per_step": nats per time step, "split": "test", "n": pieces, "time_steps": ...}
"""


def register(sub: argparse._SubParsersAction) -> None:
    group = sub.add_parser("music", help="polyphonic music (piano rolls): train, sample, evaluate")
    verbs = group.add_subparsers(dest="verb", metavar="VERB", required=True)

    p = verbs.add_parser("train", help="train a piano-roll RNN/GRU/LSTM on chorales",
                         epilog=TRAIN_EPILOG,
                         formatter_class=argparse.RawDescriptionHelpFormatter)  # fmt: skip
    p.add_argument("data", help="chorales JSON with train/valid/test splits")
    p.add_argument("--out", required=True, help="the model folder to write")
    add_recipe_flag(p, PRESETS, "jsb-CELL for the --cell given")
    add_config_flags(p, MusicConfig, group="model")
    add_config_flags(p, MusicDataConfig, group="data")
    add_trainer_flags(p, exclude=["shuffle"])
    add_output_flags(p, "one JSON line at the end (the training summary)")
    p.set_defaults(func=run_train)
    data_args(p, "data")

    p = verbs.add_parser("sample", help="draw a new piece and write it as MIDI",
                         epilog=SAMPLE_EPILOG,
                         formatter_class=argparse.RawDescriptionHelpFormatter)  # fmt: skip
    p.add_argument("model", help="a model folder written by `seqlab music train`")
    p.add_argument("--out", required=True, help="the MIDI file to write")
    p.add_argument("--plot", metavar="PNG", help="also draw the piano roll as this PNG")
    length = p.add_argument(
        "--length",
        type=int,
        default=64,
        help="new time steps (quarter notes) to draw (default: 64)",
    )
    deprecated_alias(p, "--steps", length)
    p.add_argument("--temperature", type=float, default=1.0, help="> 0; lower is more conservative")
    p.add_argument("--prime-from", help="chorales JSON whose first piece opens the sample")
    p.add_argument("--prime-split", default="test", metavar=one_of(SPLITS),
                   help="the split to take the prime from (default: test)")  # fmt: skip
    prime = p.add_argument("--prime-length", type=int, default=8,
                           help="time steps of the prime (default: 8)")  # fmt: skip
    deprecated_alias(p, "--prime-steps", prime)
    p.add_argument("--tempo", type=float, default=100.0, help="quarter notes per minute")
    p.add_argument("--seed", type=int, help="same seed, same piece")
    p.add_argument("--json", action="store_true", help="one JSON line describing the piece")
    add_model_flags(p)
    p.set_defaults(func=run_sample)
    data_args(p, "prime_from")

    p = verbs.add_parser("evaluate", help="NLL per time step of a split",
                         epilog=EVALUATE_EPILOG,
                         formatter_class=argparse.RawDescriptionHelpFormatter)  # fmt: skip
    p.add_argument("model", help="a model folder written by `seqlab music train`")
    p.add_argument("data", help="chorales JSON with train/valid/test splits")
    p.add_argument("--split", default="test", metavar=one_of(SPLITS),
                   help="the split (default: test)")  # fmt: skip
    p.add_argument("--json", action="store_true", help="one JSON line")
    add_model_flags(p)
    p.set_defaults(func=run_evaluate)
    data_args(p, "data")


def run_train(args: argparse.Namespace) -> int:
    from seqlab.music import read_chorales
    from seqlab.music.train import train_music_model

    jsb = f"jsb-{args.cell}"  # no preset for a bad --cell: MusicConfig names the valid ones
    auto = (jsb, "piano rolls (the JSB Chorales recipe: Chung et al. 2014 sizes)")
    recipe = choose_recipe(args, PRESETS, auto if jsb in PRESETS else (None, "no such cell"))
    if recipe.name is not None and "cell" in getattr(args, "_explicit", set()):
        if args.cell != recipe.part("model")["cell"]:
            raise CLIError(f"--cell {args.cell} contradicts --preset {recipe.name}")
    out = Path(args.out)
    if out.exists() and not out.is_dir():
        raise CLIError(f"--out {out} exists and is not a folder")
    rolls = read_chorales(args.data)
    model_cfg = config_from_args(MusicConfig, args, preset=recipe.part("model"))
    data_cfg = config_from_args(MusicDataConfig, args, preset=recipe.part("data"))
    set_threads(auto_threads(args.threads, model_cfg.hidden_size))
    progress = not args.no_progress and sys.stderr.isatty()
    trainer_cfg = trainer_config(args, recipe, progress=progress)
    trained = train_music_model(rolls, model_cfg, data_cfg, trainer_cfg, out,
                                data_path=args.data, **out_dir_flags(args),
                                callbacks=recipe.callbacks())  # fmt: skip
    plot_file = _plot_losses(out)
    result = trained.result
    summary = train_summary(result, trained.record, out, recipe)
    if args.json:
        emit_json(summary)
        return 0
    if result.best_val_loss is not None:
        print(
            f"validation NLL {result.best_val_loss:.4f} nats per time step "
            f"(best at step {result.best_step}); {trained.record['n_parameters']} parameters"
        )
    print_train_footer(result, out, plot_file, f"seqlab music sample {out} --out chorale.mid")
    return 0


def _plot_losses(folder: Path) -> Path | None:
    return plot_losses(folder, title=f"Piano-roll RNN: {folder.name} (nats per time step)")


def _load(folder: str, device: str = "cpu"):
    return load_task_model(folder, "music", "a music model (music)", pick_device(device))


def run_sample(args: argparse.Namespace) -> int:
    from seqlab.music import read_chorales, sample, write_midi

    set_threads(args.threads)
    if args.length < 1:
        raise CLIError(f"--length must be at least 1, got {args.length}")
    out, plot = Path(args.out), Path(args.plot) if args.plot else None
    for path in (out, plot):
        if path is not None and not path.parent.is_dir():
            raise CLIError(f"folder does not exist: {path.parent}")
    model = _load(args.model, args.device)
    prime = None
    if args.prime_from:
        if args.prime_length < 1:
            raise CLIError(f"--prime-length must be at least 1, got {args.prime_length}")
        piece = read_chorales(args.prime_from, splits=[args.prime_split])[args.prime_split][0]
        prime = piece[: args.prime_length]
    roll = sample(model, args.length, prime=prime, temperature=args.temperature, seed=args.seed)
    if plot is not None:  # draw first: a failing plot leaves no MIDI file behind
        title = f"Sampled from {Path(args.model).name} (temperature {args.temperature:g}"
        title += f", seed {args.seed})" if args.seed is not None else ")"
        plot_roll(roll, plot, n_prime=0 if prime is None else len(prime), title=title)
    write_midi(roll, out, tempo=args.tempo)
    info = {
        "out": str(out),
        "time_steps": int(len(roll)),
        "prime_time_steps": 0 if prime is None else int(len(prime)),
        "notes": int(roll.sum()),
        "plot": str(plot) if plot else None,
    }
    if args.json:
        emit_json(info)
    else:
        print(
            f"wrote {out}: {info['time_steps']} time steps ({info['prime_time_steps']} primed), "
            f"{info['notes']} key-steps" + (f"; piano roll in {plot}" if plot else "")
        )
    return 0


def run_evaluate(args: argparse.Namespace) -> int:
    from seqlab.music import nll_per_step, read_chorales

    set_threads(args.threads)
    model = _load(args.model, args.device)
    rolls = read_chorales(args.data, splits=[args.split])[args.split]
    nll = nll_per_step(model, rolls)
    result = {"nll_per_step": nll, "split": args.split, "n": len(rolls),
              "time_steps": int(sum(len(r) for r in rolls))}  # fmt: skip
    if args.json:
        emit_json(result)
    else:
        print(f"{args.split}: NLL {nll:.4f} nats per time step over {result['time_steps']} "
              f"time steps of {result['n']} pieces")  # fmt: skip
    return 0
