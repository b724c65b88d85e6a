"""The ``seqlab`` command line: ``seqlab GROUP VERB`` == ``python -m seqlab GROUP VERB``.

Each group lives in its own module with a ``register(subparsers)`` function that adds its
parsers and sets ``func`` to a short function ``(args) -> int``. Errors a user can cause
(ValueError from the library, CLIError, missing files) print one line and exit with code 2.
"""

from __future__ import annotations

import argparse
import logging
import os
import sys

from seqlab._version import __version__
from seqlab.cli import (
    activity,
    bleu,
    caption,
    classify,
    data,
    demo,
    diagnose,
    embed,
    lm,
    music,
    serve,
    speech,
    tag,
    translate,
    trigger,
)
from seqlab.cli._common import CLIError, Parser, is_main_process, resolve_data_args
from seqlab.cli._ranges import FlagRangeError, apply_ranges

__all__ = ["main", "build_parser", "commands"]

GROUPS = (
    demo,
    data,
    lm,
    embed,
    classify,
    tag,
    translate,
    music,
    speech,
    trigger,
    caption,
    activity,
    serve,
    bleu,
    diagnose,
)


def build_parser() -> argparse.ArgumentParser:
    """The whole command tree."""
    parser = Parser(
        prog="seqlab",
        description="The models of the Sequence Models notes, on real data.",
        epilog="example: seqlab demo",
    )
    parser.add_argument("--version", action="version", version=f"seqlab {__version__}")
    parser.add_argument("-v", "--verbose", action="store_true", help="log progress details")
    sub = parser.add_subparsers(dest="group", metavar="COMMAND")
    for group in GROUPS:
        group.register(sub)
    for command in commands(parser):  # -v works after the command too
        command.add_argument("-v", "--verbose", action="store_true", default=argparse.SUPPRESS,
                             help="log progress details")  # fmt: skip
    apply_ranges(parser)  # every numeric flag's documented range (cli/_ranges.py)
    return parser


def commands(parser: argparse.ArgumentParser) -> list[argparse.ArgumentParser]:
    """The parsers of every command (the leaves of the tree: ``lm train``, ``bleu``, ...)."""
    found = []
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            for child in dict.fromkeys(action.choices.values()):  # aliases appear twice
                found += commands(child) if child._subparsers is not None else [child]
    return found


def main(argv: list[str] | None = None) -> int:
    """Run one command; returns the exit code (0 ok, 2 bad input, 130 interrupted)."""
    parser = build_parser()
    try:
        args = parser.parse_args(argv)
    except FlagRangeError as e:
        print(f"seqlab: error: {e}", file=sys.stderr)
        return 2
    logging.basicConfig(level=logging.INFO if args.verbose else logging.WARNING,
                        format="%(levelname)s %(name)s: %(message)s")  # fmt: skip
    if not hasattr(args, "func"):
        parser.print_help(sys.stderr)
        return 2
    if not is_main_process():  # under torchrun only rank 0 prints (errors still do)
        sys.stdout = open(os.devnull, "w", encoding="utf-8")  # noqa: SIM115
    try:
        resolve_data_args(args)  # data set names -> local paths
        return int(args.func(args) or 0)
    except BrokenPipeError:
        # The reader went away (`seqlab lm sample ... | head`): stop quietly, as Unix tools do.
        # Point stdout at /dev/null so the interpreter's final flush does not raise again.
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 141
    except (CLIError, ValueError, FloatingPointError, OSError) as e:
        # OSError: every path problem a user can cause (a missing file, a folder where a file
        # belongs, `--out file/sub`, no permission, a full disk), one line each.
        print(f"seqlab: error: {_one_line(e)}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("seqlab: interrupted", file=sys.stderr)
        return 130
    finally:
        _leave_process_group()


def _leave_process_group() -> None:
    """Under torchrun, leave the process group a training command joined."""
    if "torch.distributed" in sys.modules:
        from seqlab.train import destroy_distributed

        destroy_distributed()


def _one_line(e: BaseException) -> str:
    if isinstance(e, OSError) and e.filename:
        return f"{e.strerror}: {e.filename}"
    return " ".join(str(e).split())
