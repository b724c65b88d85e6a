"""``seqlab diagnose vanishing``: the notes' vanishing-gradient section, measured."""

from __future__ import annotations

import argparse
import math
from typing import TYPE_CHECKING

from seqlab.cli._common import (
    add_config_flags,
    add_model_flags,
    config_from_args,
    deprecated_alias,
    emit_json,
    pick_device,
    rename_flag,
    set_threads,
)
from seqlab.cli._figures import pyplot, save_figure
from seqlab.cli._vanishing import format_table, vanishing_with_progress
from seqlab.diagnose.config import VanishingConfig

if TYPE_CHECKING:
    from seqlab.diagnose import CellResult

EPILOG = """example:
  seqlab diagnose vanishing --seq-len 50 --max-steps 300 --plot vanishing.png
  seqlab diagnose vanishing --seq-len 100 --cell rnn lstm --json

Every cell trains --max-steps steps on freshly drawn batches (no epochs: the data is endless).
"""


def register(sub: argparse._SubParsersAction) -> None:
    group = sub.add_parser("diagnose", help="measure what the notes describe (vanishing gradients)")
    verbs = group.add_subparsers(dest="verb", metavar="VERB", required=True)
    p = verbs.add_parser(
        "vanishing",
        help="train RNN, GRU and LSTM to recall the first token after T steps",
        description="Train each cell on the same long-dependency task (recall the first of T "
        "tokens), print accuracy and the gradient norm ||dL/da<t>|| reaching t = 1 at "
        "initialisation, and optionally plot the gradient norm over t.",
        epilog=EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    add_config_flags(p, VanishingConfig)
    rename_flag(p, "--T", "--seq-len")  # the config keeps the notes' T
    rename_flag(p, "--steps", "--max-steps")  # training steps, as every train command says
    cell = p.add_argument("--cell", nargs="+", default=["rnn", "gru", "lstm"],
                          choices=["rnn", "gru", "lstm"], help="cells to compare")  # fmt: skip
    deprecated_alias(p, "--cells", cell)
    p.add_argument("--plot", metavar="PNG", help="write ||dL/da<t>|| over t for every cell")
    p.add_argument("--json", action="store_true", help="one JSON object per cell")
    add_model_flags(p)
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    set_threads(args.threads)
    config = config_from_args(VanishingConfig, args)
    device = pick_device(args.device)
    results = vanishing_with_progress(config, tuple(args.cell), not args.no_progress, device)
    if args.json:
        for r in results:
            emit_json(r.to_json())
    else:
        print(format_table(results, config))
    if args.plot:
        plot_gradient_flow(results, args.plot)
        if not args.json:
            print(f"wrote {args.plot}")
    return 0


def plot_gradient_flow(results: list[CellResult], path: str) -> None:
    """||dL/da<t>|| over t on a log scale, one line per cell."""
    plt = pyplot()
    fig, ax = plt.subplots(figsize=(7, 4))
    for r in results:
        norms = [max(n, 1e-30) for n in r.grad_norms]
        ax.plot(range(1, len(norms) + 1), norms, label=f"{r.cell} (accuracy {r.accuracy:.0%})")
    ax.set_yscale("log")
    ax.set_xlabel("time step t")
    ax.set_ylabel("||dL/da<t>|| at initialisation")
    T = results[0].T if results else 0
    ax.set_title(f"Gradient reaching each step, loss at t = {T}")
    ax.grid(True, which="both", alpha=0.3)
    ax.legend()
    lo = min((min(r.grad_norms) for r in results), default=1.0)
    if lo > 0 and math.isfinite(lo):
        ax.set_ylim(bottom=max(lo / 10, 1e-30))
    save_figure(fig, path)
    plt.close(fig)
