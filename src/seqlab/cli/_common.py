"""What every command shares: flags from config dataclasses, errors, JSON lines, progress, data
names, devices and threads, and the helpers several command groups use (training summaries,
word vectors, input lines): no group module imports another. The shared figures live in
:mod:`seqlab.cli._figures`, the vanishing-gradient table in :mod:`seqlab.cli._vanishing`, the
recipes of ``train`` commands in :mod:`seqlab.cli._recipes`.

Standard library and config modules only at the top, so that building the parser (``seqlab
--help``) imports neither torch, NumPy nor matplotlib; the rest is imported where it is used.
"""

from __future__ import annotations

import argparse
import ast
import dataclasses
import functools
import inspect
import json
import os
import sys
import textwrap
import types
import typing
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

from seqlab.train.config import TrainerConfig

__all__ = [
    "CLIError",
    "Parser",
    "Switch",
    "add_config_flags",
    "add_model_flags",
    "deprecated_alias",
    "one_of",
    "rename_flag",
    "add_on_long_flag",
    "add_trainer_flags",
    "out_dir_flags",
    "config_from_args",
    "data_args",
    "default_data",
    "emit_json",
    "field_comments",
    "progress",
    "read_stdin",
    "resolve_data",
    "resolve_data_args",
    "add_threads_flag",
    "is_main_process",
    "pick_device",
    "auto_threads",
    "set_threads",
    "input_lines",
    "load_vectors",
]


class CLIError(Exception):
    """A problem the user can fix; printed as one line, exit code 2."""


@functools.cache
def field_comments(cls: type) -> dict[str, str]:
    """The trailing ``# comment`` of every field of a dataclass, read from its source."""
    module = _module_source(cls.__module__) if cls.__qualname__ == cls.__name__ else None
    if module is not None:  # a class at the top of its module: one parse serves all of them
        lines, tree = module
        for node in tree.body:
            if isinstance(node, ast.ClassDef) and node.name == cls.__name__:
                return _comments(node, lines)
    try:
        source = textwrap.dedent(inspect.getsource(cls))
    except (OSError, TypeError):
        return {}
    return _comments(ast.parse(source), source.splitlines())


@functools.cache
def _module_source(name: str) -> tuple[list[str], ast.Module] | None:
    """A module's source lines and syntax tree, read once (inspect.getsource(cls) would parse
    the whole module again for every class)."""
    try:
        source = inspect.getsource(sys.modules[name])
    except (KeyError, OSError, TypeError):
        return None
    return source.splitlines(), ast.parse(source)


def _comments(node: ast.AST, lines: list[str]) -> dict[str, str]:
    """Annotated name -> the text after ``#`` on its line, for every annotation in ``node``."""
    comments: dict[str, str] = {}
    for child in ast.walk(node):
        if isinstance(child, ast.AnnAssign) and isinstance(child.target, ast.Name):
            line = lines[child.lineno - 1]
            if "#" in line:
                comments[child.target.id] = line.split("#", 1)[1].strip()
    return comments


def _flag_type(tp: Any) -> tuple[Callable[[str], Any] | None, bool]:
    """An argparse type for a field's annotation, and whether it may be None."""
    origin = typing.get_origin(tp)
    if origin in (typing.Union, types.UnionType):
        args = [a for a in typing.get_args(tp) if a is not type(None)]
        return _flag_type(args[0])[0], True
    if tp in (int, float, str):
        return tp, False
    return None, False


def _parse_bool(text: str) -> bool:
    if text.lower() in ("1", "true", "yes", "on"):
        return True
    if text.lower() in ("0", "false", "no", "off"):
        return False
    raise argparse.ArgumentTypeError(f"expected true/false, got {text!r}")


def _mark_explicit(namespace: argparse.Namespace, dest: str) -> None:
    explicit = set(getattr(namespace, "_explicit", set()))
    explicit.add(dest)
    namespace._explicit = explicit


class _Store(argparse.Action):
    """``store``, and remember that the user gave this flag (so a preset does not override it)."""

    def __call__(self, parser, namespace, values, option_string=None):  # noqa: ANN001
        setattr(namespace, self.dest, values)
        _mark_explicit(namespace, self.dest)


class Switch(argparse.BooleanOptionalAction):
    """``--x`` / ``--no-x`` for a boolean setting, remembering that the user gave it. (The old
    spelling ``--x true|false`` still works, with a warning: see :class:`Parser`.)"""

    def __init__(self, option_strings, dest, default=None, help=None, **kwargs):  # noqa: ANN001
        super().__init__(option_strings, dest, default=default, help=help, **kwargs)
        self.help = help  # as given: Python < 3.14 appends its own "(default: ...)"

    def __call__(self, parser, namespace, values, option_string=None):  # noqa: ANN001
        super().__call__(parser, namespace, values, option_string)
        _mark_explicit(namespace, self.dest)


def warn_deprecated(old: str, new: str) -> None:
    """The one line an old spelling of a flag prints (stderr); the command then runs."""
    print(f"seqlab: warning: {old} is deprecated and will be removed; use {new}", file=sys.stderr)


class _Deprecated(argparse.Action):
    """A hidden old spelling of a flag: one warning line, then what the new flag does."""

    def __init__(self, option_strings, dest, *, new: str, **kwargs):  # noqa: ANN001
        super().__init__(option_strings, dest, help=argparse.SUPPRESS,
                         default=argparse.SUPPRESS, **kwargs)  # fmt: skip
        self.new = new

    def __call__(self, parser, namespace, values, option_string=None):  # noqa: ANN001
        warn_deprecated(option_string, self.new)
        setattr(namespace, self.dest, self.const if self.nargs == 0 else values)
        _mark_explicit(namespace, self.dest)


_UNSET = object()


def deprecated_alias(
    parser: argparse.ArgumentParser | argparse._ArgumentGroup,
    old: str,
    target: argparse.Action,
    *,
    value: Any = _UNSET,
    new: str | None = None,
) -> argparse.Action:
    """Keep ``old``, a retired spelling of ``target``'s flag, as a hidden alias that warns.

    The alias takes what the old flag took: the target's values, or ``BOOL`` for a switch
    (``--lower true`` for ``--lowercase``), or nothing when ``value`` is given (``--case-sensitive``
    = ``--no-lowercase``: ``value=False``).
    """
    new = new or next((o for o in target.option_strings if o.startswith("--")),
                      target.option_strings[0])  # fmt: skip
    kwargs: dict[str, Any]
    if value is not _UNSET:
        kwargs = {"nargs": 0, "const": value}
    elif isinstance(target, argparse.BooleanOptionalAction):
        kwargs = {"type": _parse_bool, "metavar": "BOOL"}
        new = f"{new} or --no-{new[2:]}"
    elif target.nargs == 0:
        kwargs = {"nargs": 0, "const": target.const}
    else:
        kwargs = {"nargs": target.nargs, "type": target.type, "choices": target.choices,
                  "metavar": target.metavar}  # fmt: skip
    if target.required:  # argparse would not count the alias: Parser checks the destination
        target.required, target.required_dest = False, True
    return parser.add_argument(old, dest=target.dest, action=_Deprecated, new=new, **kwargs)


def rename_flag(parser: argparse.ArgumentParser, old: str, new: str) -> argparse.Action:
    """Give the flag ``old`` (e.g. one derived from a config field) the name ``new``; ``old``
    stays as a hidden alias that warns. The destination (the field) is unchanged."""
    action = parser._option_string_actions.pop(old)
    action.option_strings = [new if o == old else o for o in action.option_strings]
    parser._option_string_actions[new] = action
    if action.metavar is None and action.nargs != 0:
        action.metavar = new.lstrip("-").replace("-", "_").upper()
    deprecated_alias(parser, old, action)
    return action


def _renamed_field_aliases(target: Any, cls: type) -> None:
    """Hidden, warning aliases for the flags of fields a config class renamed
    (``RENAMED_FIELDS``: ``--n-layers`` for ``--num-layers``)."""
    for old, new in getattr(cls, "RENAMED_FIELDS", {}).items():
        action = target._option_string_actions.get("--" + new.replace("_", "-"))
        if action is not None:
            deprecated_alias(target, "--" + old.replace("_", "-"), action)


class Parser(argparse.ArgumentParser):
    """argparse with the command line's conventions (every group's parsers are of this class).

    - An unknown flag is reported with the usage of the command it was given to (argparse
      would show the top-level usage).
    - A switch (``--lowercase`` / ``--no-lowercase``) still takes the old spelling with a value,
      ``--lowercase false`` or ``--lowercase=false``, with a one-line warning.
    """

    def parse_known_args(self, args=None, namespace=None):  # noqa: ANN001
        if args is not None:
            args = self._old_switch_values(list(args))
        namespace, extras = super().parse_known_args(args, namespace)
        if extras and self._subparsers is None:  # a command, not a group
            self.error(f"unrecognized arguments: {' '.join(extras)}")
        for action in self._actions:  # required, and an old spelling may give it too
            if getattr(action, "required_dest", False) and getattr(namespace, action.dest) is None:
                self.error(f"the following arguments are required: {action.option_strings[0]}")
        return namespace, extras

    def _old_switch_values(self, args: list[str]) -> list[str]:
        out: list[str] = []
        i = 0
        while i < len(args):
            token = args[i]
            if token == "--":
                out.extend(args[i:])
                break
            name, eq, word = token.partition("=")
            action = self._option_string_actions.get(name)
            is_switch = isinstance(action, Switch) and not name.startswith("--no-")
            if is_switch and not eq and i + 1 < len(args) and args[i + 1].lower() in _BOOL_WORDS:
                word, eq = args[i + 1], "="
                i += 1
            if is_switch and eq:
                try:
                    on = _parse_bool(word)
                except argparse.ArgumentTypeError as error:
                    self.error(f"argument {name}: {error}")
                token = name if on else "--no-" + name[2:]
                warn_deprecated(f"{name} {word}", token)
            out.append(token)
            i += 1
        return out


_BOOL_WORDS = ("1", "true", "yes", "on", "0", "false", "no", "off")


def add_config_flags(
    parser: argparse.ArgumentParser,
    cls: type,
    *,
    exclude: Iterable[str] = (),
    group: str | None = None,
) -> None:
    """Add one ``--kebab-case`` flag per field of the dataclass ``cls`` (STYLE.md "Configs").

    The flag's default is the field's default, its help the field's trailing comment. A boolean
    field is a switch, ``--x`` / ``--no-x``; a field with names to choose from (the class's
    ``CHOICES``) lists them. Optional fields accept ``none``. Fields listed in ``exclude`` get no
    flag. A field renamed since (``RENAMED_FIELDS``) keeps its old flag as a hidden alias.
    """
    target = parser.add_argument_group(group) if group else parser
    hints = typing.get_type_hints(cls)
    comments = field_comments(cls)
    for f in dataclasses.fields(cls):
        if f.name in exclude or not f.init:
            continue
        tp = hints[f.name]
        flag = "--" + f.name.replace("_", "-")
        default = f.default if f.default is not dataclasses.MISSING else None
        help_text = comments.get(f.name, "")
        if tp is bool:
            help_text = f"{help_text} (default: {'--' if default else '--no-'}{flag[2:]})"
            target.add_argument(flag, dest=f.name, default=default, help=help_text,
                                action=Switch)  # fmt: skip
            continue
        conv, optional = _flag_type(tp)
        if conv is None:
            continue
        if optional:
            base = conv

            def conv(text: str, base: Callable[[str], Any] = base) -> Any:
                return None if text.lower() == "none" else base(text)

            conv.__name__ = base.__name__
        target.add_argument(flag, dest=f.name, type=conv, default=default, action=_Store,
                            metavar=one_of(getattr(cls, "CHOICES", {}).get(f.name)),
                            help=f"{help_text} (default: {default})")  # fmt: skip
    _renamed_field_aliases(target, cls)


def one_of(names: Iterable[str] | None) -> str | None:
    """The metavar that lists the names a flag accepts, ``{rnn,gru,lstm}`` (None: any value).

    Not argparse's ``choices``: the value is checked where it is used (a config, a preset
    table), so a wrong one is the usual one-line error, which names the valid ones too.
    """
    return "{" + ",".join(names) + "}" if names else None


def config_from_args(
    cls: type,
    args: argparse.Namespace,
    *,
    preset: dict[str, Any] | None = None,
    **overrides: Any,
) -> Any:
    """Build ``cls`` from the parsed flags; bad values -> CLIError.

    Precedence: ``overrides`` > flags the user gave > ``preset`` > the flags' defaults.
    """
    explicit = getattr(args, "_explicit", set())
    values = {
        f.name: getattr(args, f.name) for f in dataclasses.fields(cls) if hasattr(args, f.name)
    }
    for name, value in (preset or {}).items():
        if name not in explicit:
            values[name] = value
    values.update(overrides)
    try:
        return cls(**values)
    except (TypeError, ValueError) as e:
        raise CLIError(str(e)) from e


# TrainerConfig fields every `train` command shares, the budgets first.
BUDGET_FIELDS = ("epochs", "max_steps", "max_minutes")


def add_trainer_flags(parser: argparse.ArgumentParser, *, exclude: Iterable[str] = ()) -> None:
    """The shared flags of every ``train`` command: budgets (``--epochs``, ``--max-steps``,
    ``--max-minutes``; training stops cleanly and keeps the best checkpoint), then the rest of
    TrainerConfig (optimizer, schedule, clipping, validation, device), ``--resume`` and
    ``--overwrite``."""
    skip = {"progress", *exclude}
    non_budget = [f.name for f in dataclasses.fields(TrainerConfig) if f.name not in BUDGET_FIELDS]
    add_config_flags(parser, TrainerConfig, exclude=[*skip, *non_budget],
                     group="budget (the first one reached stops training)")  # fmt: skip
    add_config_flags(parser, TrainerConfig, exclude=[*skip, *BUDGET_FIELDS], group="training")
    parser.add_argument("--resume", action="store_true",
                        help="continue the run saved in the output folder")  # fmt: skip
    parser.add_argument("--overwrite", action="store_true",
                        help="replace the model in the output folder (it stays until the new "
                        "one is complete); without it or --resume the folder must be empty "
                        "or missing")  # fmt: skip


def out_dir_flags(args: argparse.Namespace) -> dict[str, bool]:
    """``resume`` and ``overwrite`` for a ``train_*`` function, from ``add_trainer_flags``'s
    flags (seqlab.train.outdir: one run owns its output folder)."""
    if args.resume and args.overwrite:
        raise CLIError("give --resume or --overwrite, not both")
    return {"resume": args.resume, "overwrite": args.overwrite}


def data_args(parser: argparse.ArgumentParser, *dests: str) -> None:
    """Mark the arguments ``dests`` of ``parser`` as data: each takes a path or a data set's
    name (``NAME`` or ``NAME:PART``, see ``seqlab data list``), which ``main`` resolves with
    :func:`resolve_data` before the command runs."""
    parser.set_defaults(data_args=dests)
    for action in parser._actions:
        if action.dest in dests and action.help:
            action.help += "; or a data set's name (seqlab data list)"


def resolve_data(value: str) -> str:
    """A data argument: a path as given, or a data set's name -> its local path.

    What exists on disk stays a path, as does what names no data set of the catalogue (the
    command then reports the missing file). ``NAME`` is the data set's main file, ``NAME:PART``
    another part or file (``sst2:test``, ``multi30k:train.de``); a data set that is not here is
    a DataError: "data set X is not here: run `seqlab data fetch X` (...)".
    """
    if not value or value == "-" or os.path.exists(value):
        return value
    from seqlab.datasets.catalog import locate

    path = locate(value)
    return value if path is None else str(path)


def default_data(name: str, fallback: str) -> str:
    """A data argument left out: the data set ``name``'s local path when it is here (fetched
    or imported), else ``fallback`` (a folder, the project's copy) when that exists.

    Raises:
        DataError: neither is here ("data set X is not here: run `seqlab data fetch X` ...").
    """
    from seqlab.datasets.catalog import DataError, locate, not_here_message

    try:
        return str(locate(name))
    except DataError:
        if os.path.isdir(fallback):
            return fallback
        raise DataError(not_here_message(name)) from None


def resolve_data_args(args: argparse.Namespace) -> None:
    """Resolve, in place, every argument the command marked with :func:`data_args`."""
    for dest in getattr(args, "data_args", ()):
        value = getattr(args, dest, None)
        if isinstance(value, list):
            setattr(args, dest, [resolve_data(v) for v in value])
        elif isinstance(value, str):
            setattr(args, dest, resolve_data(value))


def add_threads_flag(parser: argparse.ArgumentParser, *, auto: bool = False) -> None:
    """``--threads``: torch's CPU threads; small models run fastest on one (the default).

    With ``auto`` the default is None: the command picks by model size (see ``auto_threads``).
    """
    if auto:
        help_text = "CPU threads for torch (default: 1 for models under 256 units, where one "
        help_text += "thread is fastest; every core otherwise)"
        parser.add_argument("--threads", type=int, default=None, help=help_text)
        return
    parser.add_argument("--threads", type=int, default=1,
                        help="CPU threads for torch (small models run fastest on one)")  # fmt: skip


def auto_threads(threads: int | None, hidden_size: int) -> int:
    """The thread count to use: the flag's, or 1 for small models and every core otherwise."""
    if threads is not None:
        return threads
    return 1 if hidden_size < 256 else max(os.cpu_count() or 1, 1)


def read_stdin(encoding: str = "utf-8") -> str:
    """All of stdin as text, decoded with the checks of :func:`seqlab.datasets.decode_text`."""
    from seqlab.datasets import decode_text

    stdin = sys.stdin
    data = stdin.buffer.read() if hasattr(stdin, "buffer") else stdin.read().encode()
    return decode_text(data, "stdin", encoding=encoding)


def emit_json(obj: dict[str, Any], stream=None) -> None:
    """One JSON object on one line (the --json contract), flushed."""
    stream = stream or sys.stdout
    stream.write(json.dumps(obj, ensure_ascii=False) + "\n")
    stream.flush()


def progress(total: int | None, desc: str, *, enabled: bool = True, unit: str = "step"):
    """A tqdm progress bar on stderr, drawn only on a terminal (and not with enabled=False)."""
    from tqdm.auto import tqdm

    disable = not enabled or not sys.stderr.isatty()
    return tqdm(total=total, desc=desc, unit=unit, file=sys.stderr, disable=disable,
                dynamic_ncols=True, leave=False)  # fmt: skip


def set_threads(n: int) -> None:
    """torch's intra-op CPU threads; CLIError when n < 1."""
    import torch

    if n < 1:
        raise CLIError(f"--threads must be at least 1, got {n}")
    torch.set_num_threads(n)


def train_summary(
    result: Any, data: dict[str, Any], out: Path, recipe: Any = None
) -> dict[str, Any]:
    """The ``--json`` summary every ``train`` command ends with (TrainResult + data.json), led
    by the name of the recipe it ran (``--preset``, cli/_recipes.py) when it ran one."""
    return {
        **({"recipe": recipe.name} if recipe is not None else {}),
        "val_loss": result.best_val_loss,
        "train_seconds": result.elapsed,
        "steps": result.steps,
        "epochs": result.epochs,
        "best_step": result.best_step,
        "stopped_because": result.stopped_because,
        **data,
        "out": str(out),
    }


def print_train_footer(result: Any, out: Path, plot_file: Path | None, next_hint: str) -> None:
    """The last lines of a ``train`` command: steps and time, the folder, the plot, what next."""
    print(
        f"{result.steps} steps, {result.epochs} epochs in {result.elapsed:.0f} s "
        f"(stopped: {result.stopped_because}); model in {out}/"
    )
    if plot_file:
        print(f"loss curves: {plot_file}")
    print(f"next: {next_hint}")


def load_task_model(folder: str, task: str, what: str, device: Any = "cpu"):
    """The model of a folder if it is of ``task`` (on ``device``); otherwise a CLIError naming
    both."""
    from seqlab import task_class
    from seqlab.train import load_model, read_config

    config = read_config(folder)
    if config["task"] != task:
        raise CLIError(f"{folder} holds a {config['task']!r} model, not {what}")
    return load_model(folder, task_class(task), map_location=device)


DEVICES = ("auto", "cpu", "cuda")


def add_model_flags(p: argparse.ArgumentParser, *, auto_threads: bool = False) -> None:
    """The flags of every command that runs a model: ``--device``, ``--threads`` (1, or by
    model size with ``auto_threads``) and ``--no-progress``."""
    p.add_argument(
        "--device",
        metavar=one_of(DEVICES),
        default="auto",
        help="where the model runs: auto = CUDA when available (default: auto)",
    )
    add_threads_flag(p, auto=auto_threads)
    p.add_argument("--no-progress", action="store_true", help="no progress bar")


def pick_device(name: str):
    """The torch device ``--device NAME`` asks for: ``auto`` = CUDA when torch sees it.

    Raises:
        CLIError: ``--device cuda`` on a machine where torch sees no CUDA device.
    """
    import torch

    if name not in DEVICES:
        raise CLIError(f"--device {name}: expected one of {', '.join(DEVICES)}")
    if name == "auto":
        name = "cuda" if torch.cuda.is_available() else "cpu"
    if name == "cuda" and not torch.cuda.is_available():
        raise CLIError("--device cuda: torch sees no CUDA device here; use --device cpu or auto")
    return torch.device(name)


def is_main_process() -> bool:
    """False on every process but rank 0 of a ``torchrun`` job (only rank 0 prints and writes
    the command's own files: summaries, plots)."""
    return os.environ.get("RANK", "0") == "0"


def add_on_long_flag(p: argparse.ArgumentParser, limit: str = "10000 tokens") -> None:
    """``--on-long error|truncate``: what to do with an input over the command's limit."""
    p.add_argument("--on-long", choices=("error", "truncate"), default="error",
                   help=f"an input longer than {limit}: stop with an error (default) or keep "
                   "its beginning")  # fmt: skip


def add_output_flags(p: argparse.ArgumentParser, json_help: str) -> None:
    """``--json`` and ``--no-progress`` of a training command, and ``--threads`` (auto)."""
    p.add_argument("--json", action="store_true", help=json_help)
    p.add_argument("--no-progress", action="store_true", help="no progress bar")
    add_threads_flag(p, auto=True)


# --- helpers that several command groups share ----------------------------------------------


def load_vectors(path: str | None):
    """WordVectors from a file, or None."""
    if path is None:
        return None
    from seqlab.embeddings import WordVectors

    return WordVectors.load(path)


def input_lines(file: str | None, encoding: str) -> list[str]:
    """The non-empty input lines (stdin or a file); an empty line is an error naming it."""
    from seqlab.datasets import read_text

    source = file or "stdin"
    text = read_text(file, encoding=encoding) if file else read_stdin(encoding)
    lines = text.split("\n")
    if lines and lines[-1] == "":
        lines.pop()
    if not lines:
        raise CLIError(f"{source}: no input lines")
    for i, line in enumerate(lines, 1):
        if not line.strip():
            raise CLIError(f"{source}: line {i} is empty")
    return lines
