"""Numbers outside their domain (issue 24, class 3): every numeric flag of every command has a
documented range, checked once at the parser: one line, exit 2, never a traceback, a silent
wrong answer or an unbounded run; --help shows the range. Each range agrees with its config."""

from __future__ import annotations

import dataclasses
import importlib
import math
import pkgutil
import typing

import pytest

import seqlab
from seqlab.cli import build_parser, main
from seqlab.cli._ranges import RANGES, Interval, numeric_actions, range_of

PARSER = build_parser()
FLAGS = sorted(
    {(command, action.option_strings[-1], action.dest): action
     for command, action in numeric_actions(PARSER) if action.option_strings}.items()
)  # fmt: skip
# config fields whose range also depends on another field: the partner's value that allows all
PARTNERS = {
    "SpeechDataConfig.freq_mask_width": {"n_mels": 512},
    "SpeechDataConfig.n_mels": {"freq_mask_width": 1},
    "SpeechDataConfig.hop_ms": {"win_ms": 1000.0},
    "SpeechDataConfig.win_ms": {"hop_ms": 1e-6},
    "FeatureConfig.n_mels": {"n_mfcc": 1},
    "TriggerConfig.freq_mask_width": {"n_features": 512},
    "Word2VecConfig.negative": {"hs": True},
    "Word2VecConfig.min_alpha": {"alpha": 1e9},
    "Word2VecConfig.alpha": {"min_alpha": 0.0},
    "SceneConfig.min_items": {"max_items": 9},
}


def test_every_numeric_flag_has_a_documented_range():
    missing = [(c, flag) for (c, flag, dest), _ in FLAGS if range_of(c, dest) is None]
    assert missing == []
    assert len(FLAGS) > 150


def _outside(interval: Interval, kind: type) -> list[float]:
    values = [math.nan, math.inf, -math.inf] if kind is float else []
    if math.isfinite(interval.lo):
        values.append(
            interval.lo if interval.lo_open else interval.lo - (1 if kind is int else 1e-6)
        )
    if math.isfinite(interval.hi):
        values.append(
            interval.hi if interval.hi_open else interval.hi + (1 if kind is int else 1e-6)
        )
    return values


def _inside(interval: Interval, kind: type) -> list[float]:
    step = 1 if kind is int else 1e-6
    lo = interval.lo + step if interval.lo_open else interval.lo
    hi = interval.hi - step if interval.hi_open else interval.hi
    lo = lo if math.isfinite(lo) else -1e9
    hi = hi if math.isfinite(hi) else 1e9
    values = [lo, hi, (lo + hi) / 2]
    return [int(v) if kind is int else v for v in values]


def _text(value: float, kind: type) -> str:
    return str(int(value)) if kind is int else repr(float(value))


@pytest.mark.parametrize(("key", "action"), FLAGS, ids=[" ".join(k[:2]) for k, _ in FLAGS])
def test_values_outside_the_range_are_one_line_and_exit_2(key, action, capsys):
    command, flag, dest = key
    interval = Interval(range_of(command, dest))
    kind = {"int": int, "float": float}[action.type.__name__]
    cases = _outside(interval, kind)
    assert cases, key  # every flag has at least one bound (or is a float: NaN, inf)
    for value in cases:
        text = _text(value, kind)
        if isinstance(action.nargs, int):  # LO HI pairs: argparse reads "-inf" as a flag
            if text == "-inf":
                continue
            argv = [*command.split(), flag, *[text] * action.nargs]
        else:
            argv = [*command.split(), f"{flag}={text}"]
        assert main(argv) == 2, (key, text)
        err = capsys.readouterr().err.strip()
        assert len(err.splitlines()) == 1 and err.startswith(f"seqlab: error: {flag} must be "), err
        assert f"got {text}" in err and "Traceback" not in err
    for value in _inside(interval, kind):
        assert action.type(_text(value, kind)) == value, (key, value)


def test_help_shows_the_range(capsys):
    with pytest.raises(SystemExit):
        main(["embed", "similar", "--help"])
    out = " ".join(capsys.readouterr().out.split())
    assert "how many answers (default: 10; range [1, 100000])" in out


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["embed", "similar", "v.txt", "king", "--topn", "0"], "--topn must be at least 1, got 0"),
        (["embed", "analogy", "v.txt", "a", "b", "c", "--topn", "-1"], "--topn must be at least"),
        (["bleu", "h.txt", "r.txt", "--smooth", "add-k", "--smooth-value", "-100"],
         "--smooth-value must be greater than 0, got -100"),
        (["lm", "train", "--out", "x", "--lr", "nan"], "--lr must be a finite number, got nan"),
        (["lm", "train", "--out", "x", "--lr", "inf"], "--lr must be a finite number"),
        (["translate", "run", "m", "--max-len", "1000000"], "--max-len must be at most 10000"),
        (["music", "sample", "m", "--out", "x.mid", "--length", "100000000"],
         "--length must be at most 10000"),  # the issue's --steps, now --length
        (["lm", "sample", "m", "--max-len", "1000000"], "--max-len must be at most 100000"),
        (["lm", "sample", "m", "-n", "1000000000"], "-n must be at most 100000"),
        (["translate", "run", "m", "--beam", "100000"], "--beam must be at most 256"),
        (["lm", "train", "--out", "x", "--hidden-size", "1000000"], "--hidden-size must be at"),
        (["lm", "train", "--out", "x", "--seed", "-1"], "--seed must be at least 0"),
        (["lm", "train", "--out", "x", "--dropout", "1"], "--dropout must be less than 1"),
    ],
)  # fmt: skip
def test_the_issues_cases(argv, message, capsys):
    assert main(argv) == 2
    err = capsys.readouterr().err.strip()
    assert len(err.splitlines()) == 1 and message in err, err


def _config_classes() -> list[type]:
    classes = []
    for package in pkgutil.iter_modules(seqlab.__path__):
        if not package.ispkg:
            continue
        try:
            module = importlib.import_module(f"seqlab.{package.name}.config")
        except ModuleNotFoundError:
            continue
        classes += [obj for obj in vars(module).values()
                    if dataclasses.is_dataclass(obj)
                    and obj.__module__ == module.__name__]  # fmt: skip
    return classes


CONFIG_FIELDS = [
    (cls, f.name, hint)
    for cls in _config_classes()
    for f in dataclasses.fields(cls)
    if f.name in RANGES
    and (hint := typing.get_type_hints(cls)[f.name]) in (int, float, int | None, float | None)
]


@pytest.mark.parametrize(("cls", "name", "hint"), CONFIG_FIELDS,
                         ids=[f"{c.__name__}.{n}" for c, n, _ in CONFIG_FIELDS])  # fmt: skip
def test_every_value_a_range_allows_is_one_its_config_accepts(cls, name, hint):
    kind = int if hint in (int, int | None) else float
    try:
        base = cls()
    except TypeError:
        pytest.skip(f"{cls.__name__} has required fields")
    for value in _inside(Interval(RANGES[name]), kind):
        partner = PARTNERS.get(f"{cls.__name__}.{name}", {})
        dataclasses.replace(base, **{**partner, name: value})  # must not raise


def test_a_huge_learning_rate_is_a_clear_error_not_an_overflow(tmp_path, capsys):
    """lm train --lr 1e6 raised OverflowError in math.exp; a diverged or huge loss is either a
    one-line error or an infinite perplexity, never a traceback."""
    argv = ["lm", "train", "--out", str(tmp_path / "m"), "--lr", "1e6", "--max-steps", "3",
            "--hidden-size", "8", "--no-progress", "--json"]  # fmt: skip
    code = main(argv)
    captured = capsys.readouterr()
    assert "Traceback" not in captured.err
    if code == 2:
        assert captured.err.startswith("seqlab: error:") and len(captured.err.splitlines()) == 1
    else:
        assert code == 0 and '"perplexity"' in captured.out
