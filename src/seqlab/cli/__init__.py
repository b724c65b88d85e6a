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

from seqlab import __version__
from seqlab.cli import (
    activity,
    bleu,
    caption,
    classify,
    demo,
    diagnose,
    embed,
    lm,
    music,
    speech,
    tag,
    translate,
    trigger,
)
from seqlab.cli._common import CLIError

__all__ = ["main", "build_parser"]

GROUPS = (demo, lm, embed, classify, tag, translate, music, speech, trigger, caption, activity,
          bleu, diagnose)


def build_parser() -> argparse.ArgumentParser:
    """The whole command tree."""
    parser = argparse.ArgumentParser(
        prog="seqlab",
        description="The models of the Sequence Models notes, on real data.",
        epilog="example: seqlab demo",
    )
    parser.add_argument("--version", action="version", version=f"seqlab {__version__}")
    parser.add_argument("-v", "--verbose", action="store_true", help="log progress details")
    sub = parser.add_subparsers(dest="group", metavar="COMMAND")
    for group in GROUPS:
        group.register(sub)
    return parser


def main(argv: list[str] | None = None) -> int:
    """Run one command; returns the exit code (0 ok, 2 bad input, 130 interrupted)."""
    parser = build_parser()
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO if args.verbose else logging.WARNING,
                        format="%(levelname)s %(name)s: %(message)s")  # fmt: skip
    if not hasattr(args, "func"):
        parser.print_help(sys.stderr)
        return 2
    try:
        return int(args.func(args) or 0)
    except (CLIError, ValueError, FloatingPointError, FileNotFoundError, IsADirectoryError,
            PermissionError) as e:  # fmt: skip
        print(f"seqlab: error: {_one_line(e)}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("seqlab: interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:
        # The reader went away (`seqlab lm sample ... | head`): stop quietly, as Unix tools do.
        # Point stdout at /dev/null so the interpreter's final flush does not raise again.
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 141


def _one_line(e: BaseException) -> str:
    if isinstance(e, OSError) and e.filename:
        return f"{e.strerror}: {e.filename}"
    return " ".join(str(e).split())
