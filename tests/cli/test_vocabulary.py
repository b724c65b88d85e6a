"""One command-line vocabulary (docs/cli.md): the test walks the whole parser.

Every flag of every command is in the vocabulary's tables and every flag there exists; a shared
flag means one thing wherever it appears; old spellings are hidden aliases that warn; choices
are listed in --help and in the error; -v works anywhere; a parse error shows the command's
usage; --device cuda without CUDA is a one-line error.
"""

import argparse
import re
from pathlib import Path

import pytest

from seqlab.cli import build_parser, commands, main
from seqlab.cli._common import Switch

DOC = Path(__file__).resolve().parents[2] / "docs" / "cli.md"
TEST_ONLY = {"--quick"}  # demo's tiny sizes, hidden on purpose


def _tables() -> tuple[set[str], set[str]]:
    """The flags in the first column of the vocabulary's tables, and those of the old
    spellings' table."""
    text = DOC.read_text(encoding="utf-8")
    section = text.split("## One vocabulary of flags", 1)[1].split("\n## ", 1)[0]
    current, old = section.split("### Old spellings", 1)

    def flags(part: str) -> set[str]:
        cells = [line.split("|")[1] for line in part.splitlines() if line.startswith("| `")]
        return {f for cell in cells for f in re.findall(r"`(-{1,2}[A-Za-z][\w-]*)", cell)}

    return flags(current), flags(old)


def _actions():
    """(command, action) for every action of every command (and the top level)."""
    parser = build_parser()
    yield "seqlab", parser
    for command in commands(parser):
        yield command.prog, command


def _visible() -> dict[str, list[tuple[str, argparse.Action]]]:
    found: dict[str, list] = {}
    for prog, parser in _actions():
        for action in parser._actions:
            if action.help == argparse.SUPPRESS:
                continue
            for option in action.option_strings:
                found.setdefault(option, []).append((prog, action))
    return found


def test_every_flag_of_every_command_is_in_the_vocabulary():
    documented, _ = _tables()
    missing = sorted({f"{prog}: {option}" for option, uses in _visible().items()
                      for prog, _ in uses if option not in documented})  # fmt: skip
    assert not missing, "flags missing from docs/cli.md: " + ", ".join(missing)


def test_every_flag_in_the_vocabulary_exists():
    documented, _ = _tables()
    assert not documented - set(_visible()), "docs/cli.md names flags no command has"


def _type_name(action: argparse.Action) -> str | None:
    return getattr(action.type, "__name__", None)


def _names(action: argparse.Action) -> list[str]:
    """The values a flag lists: argparse's choices, or a ``{a,b,c}`` metavar."""
    if action.choices:
        return list(action.choices)
    metavar = action.metavar if isinstance(action.metavar, str) else ""
    return metavar[1:-1].split(",") if metavar.startswith("{") else []


SHARED = {
    # flag: (what every use must satisfy, description)
    "--lr": (lambda a: _type_name(a) == "float", "a float learning rate"),
    "--min-lr": (lambda a: _type_name(a) == "float", "a float learning rate"),
    "--num-layers": (lambda a: _type_name(a) == "int", "an int"),
    "--hidden-size": (lambda a: _type_name(a) == "int", "an int"),
    "--embedding-size": (lambda a: _type_name(a) == "int", "an int"),
    "--epochs": (lambda a: _type_name(a) == "int", "an int"),
    "--max-steps": (lambda a: _type_name(a) == "int", "an int"),
    "--max-minutes": (lambda a: _type_name(a) == "float", "a float"),
    "--batch-size": (lambda a: _type_name(a) == "int", "an int"),
    "--seed": (lambda a: _type_name(a) == "int", "an int"),
    "--threads": (lambda a: _type_name(a) == "int", "an int"),
    "-n": (lambda a: _type_name(a) == "int", "an int count"),
    "--device": (lambda a: _names(a) == ["auto", "cpu", "cuda"], "auto|cpu|cuda"),
    "--cell": (lambda a: set(_names(a)) <= {"rnn", "gru", "lstm"}, "a cell name"),
    "--json": (lambda a: isinstance(a, argparse._StoreTrueAction), "a plain switch"),
    "--no-progress": (lambda a: isinstance(a, argparse._StoreTrueAction), "a plain switch"),
    "--resume": (lambda a: isinstance(a, argparse._StoreTrueAction), "a plain switch"),
    "--lowercase": (lambda a: isinstance(a, Switch), "--lowercase / --no-lowercase"),
    "--plot": (lambda a: "png" in (a.help or "").lower() + str(a.metavar).lower(), "a PNG"),
    "--out": (lambda a: "png" not in (a.help or "").lower(), "not a picture (that is --plot)"),
}


@pytest.mark.parametrize("flag", sorted(SHARED))
def test_a_shared_flag_means_one_thing_everywhere(flag):
    check, what = SHARED[flag]
    uses = _visible()[flag]
    wrong = [prog for prog, action in uses if not check(action)]
    assert not wrong, f"{flag} is not {what} in: {', '.join(wrong)}"


def test_settings_are_switches_and_named_values_list_their_choices():
    for option, uses in _visible().items():
        for prog, action in uses:
            assert action.metavar != "BOOL", f"{prog} {option}: a BOOL value, not a switch"
    for option in ("--cell", "--level", "--mode", "--pool", "--scheme", "--optimizer",
                   "--lr-schedule", "--on-long", "--model", "--alphabet", "--device",
                   "--preset", "--split", "--format", "--method"):  # fmt: skip
        for prog, action in _visible()[option]:
            assert _names(action), f"{prog} {option} lists no choices"


def test_every_hidden_flag_is_an_old_spelling_that_is_documented():
    _, old = _tables()
    for prog, parser in _actions():
        for action in parser._actions:
            if action.help != argparse.SUPPRESS or not action.option_strings:
                continue
            for option in action.option_strings:
                if option in TEST_ONLY:
                    continue
                assert type(action).__name__ == "_Deprecated", f"{prog} {option}"
                assert option in old, f"{prog} {option} is not in docs/cli.md's old spellings"


# --- old spellings: hidden aliases that still work and warn ------------------------------------

M = ["m"]  # a model folder (parsing does not read it)
ALIASES = [
    (["music", "train", "d", "--out", "o"], ["--n-layers", "2"], ["--num-layers", "2"]),
    (["speech", "train", "d", "--out", "o"], ["--n-layers", "1"], ["--num-layers", "1"]),
    (["trigger", "train", "d", "--out", "o"], ["--n-layers", "1"], ["--num-layers", "1"]),
    (["trigger", "train", "d", "--out", "o"], ["--freq-mask", "3"], ["--freq-mask-width", "3"]),
    (["trigger", "train", "d", "--out", "o"], ["--n-freq-masks", "1"], ["--freq-masks", "1"]),
    (["lm", "train", "--out", "o"], ["--lower", "true"], ["--lowercase"]),
    (["classify", "train", "t", "--out", "o"], ["--lower", "false"], ["--no-lowercase"]),
    (["translate", "train", "t", "--out", "o"], ["--lower", "true"], ["--lowercase"]),
    (["tag", "train", "t", "--out", "o"], ["--lower-words", "false"], ["--no-lowercase"]),
    (["classify", "train", "t", "--out", "o"], ["--bidirectional", "false"],
     ["--no-bidirectional"]),
    (["classify", "train", "t", "--out", "o"], ["--bidirectional=no"], ["--no-bidirectional"]),
    (["tag", "train", "t", "--out", "o"], ["--crf", "true"], ["--crf"]),
    (["embed", "evaluate", "v"], ["--case-sensitive"], ["--no-lowercase"]),
    (["embed", "train", "c", "--out", "v"], ["--alpha", "0.1"], ["--lr", "0.1"]),
    (["embed", "train", "c", "--out", "v"], ["--min-alpha", "0.01"], ["--min-lr", "0.01"]),
    (["embed", "similar", "v", "king"], ["--topn", "3"], ["-n", "3"]),
    (["embed", "analogy", "v", "a", "b", "c"], ["--topn", "3"], ["-n", "3"]),
    (["embed", "plot", "v", "--plot", "p.png"], ["--top", "5"], ["-n", "5"]),
    (["embed", "plot", "v"], ["--out", "p.png"], ["--plot", "p.png"]),
    (["translate", "dates", "--out", "d.tsv"], ["--n", "5"], ["-n", "5"]),
    (["translate", "run", *M], ["--n-best", "2"], ["-n", "2"]),
    (["translate", "analyze", *M, "s", "r"], ["--show", "2"], ["-n", "2"]),
    (["translate", "attention", *M, "x"], ["--out", "a.png"], ["--plot", "a.png"]),
    (["classify", "explain", *M, "x"], ["--out", "a.png"], ["--plot", "a.png"]),
    (["diagnose", "vanishing"], ["--T", "5"], ["--seq-len", "5"]),
    (["diagnose", "vanishing"], ["--steps", "3"], ["--max-steps", "3"]),
    (["diagnose", "vanishing"], ["--cells", "rnn", "gru"], ["--cell", "rnn", "gru"]),
    (["music", "sample", *M, "--out", "x.mid"], ["--steps", "5"], ["--length", "5"]),
    (["music", "sample", *M, "--out", "x.mid"], ["--prime-steps", "2"], ["--prime-length", "2"]),
]  # fmt: skip


@pytest.mark.parametrize(("command", "old", "new"), ALIASES,
                         ids=[f"{' '.join(c[:2])} {o[0]}" for c, o, _ in ALIASES])  # fmt: skip
def test_an_old_spelling_still_works_and_warns_once(command, old, new, capsys):
    parser = build_parser()
    got = vars(parser.parse_args([*command, *old]))
    warning = capsys.readouterr().err.strip()
    expected = vars(parser.parse_args([*command, *new]))
    assert capsys.readouterr().err == ""
    assert got.pop("_explicit", set()) >= expected.pop("_explicit", set())  # presets yield
    assert got == expected
    assert len(warning.splitlines()) == 1 and warning.startswith("seqlab: warning: ")
    assert old[0].split("=")[0] in warning and new[0] in warning and "deprecated" in warning


def test_old_spellings_are_not_in_help(capsys):
    with pytest.raises(SystemExit):
        main(["music", "train", "--help"])
    out = capsys.readouterr().out
    assert "--num-layers" in out and "--n-layers" not in out


# --- -v anywhere, the command's usage on a parse error, choices in --help and errors -------------


@pytest.mark.parametrize(
    ("argv", "verbose"),
    [
        (["lm", "sample", "m"], False),
        (["-v", "lm", "sample", "m"], True),
        (["lm", "sample", "m", "-v"], True),
        (["bleu", "h", "r", "--verbose"], True),
    ],
)
def test_verbose_works_before_the_group_and_after_the_command(argv, verbose):
    assert build_parser().parse_args(argv).verbose is verbose


def test_an_unknown_flag_shows_the_command_s_usage(capsys):
    with pytest.raises(SystemExit) as exit_:
        main(["lm", "sample", "m", "--bogus"])
    assert exit_.value.code == 2
    err = capsys.readouterr().err
    assert err.startswith("usage: seqlab lm sample") and "unrecognized arguments: --bogus" in err


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["lm", "train", "--cell", "lstmm"], "cell='lstmm' (one of 'rnn', 'gru', 'lstm')"),
        (
            ["lm", "train", "--preset", "x"],
            "unknown preset 'x'; known: auto, none, dinos, shakespeare-cpu",
        ),
        (["lm", "train", "--optimizer", "adam"], "optimizer='adam' (one of 'adamw', 'sgd')"),
        (["lm", "sample", "m", "--device", "gpu"], "--device gpu: expected one of auto, cpu"),
    ],
)
def test_a_bad_name_is_one_line_that_lists_the_valid_ones(argv, message, capsys, tmp_path):
    out = ["--out", str(tmp_path / "m"), "--no-progress"] if argv[1] == "train" else []
    assert main([*argv, *out]) == 2
    err = capsys.readouterr().err.strip()
    assert err.startswith("seqlab: error: ") and message in err and "\n" not in err
    assert not (tmp_path / "m").exists()


def test_help_lists_the_valid_names(capsys):
    with pytest.raises(SystemExit):
        main(["lm", "train", "--help"])
    out = capsys.readouterr().out
    assert "--cell {rnn,gru,lstm}" in out and "--device {auto,cpu,cuda}" in out
    assert "--preset [{auto,none,dinos,shakespeare-cpu,shakespeare-gpu}]" in out


def test_a_config_error_names_the_valid_values():
    from seqlab.lm.config import LMConfig

    with pytest.raises(ValueError, match=r"cell='lstmm' \(one of 'rnn', 'gru', 'lstm'\)"):
        LMConfig(cell="lstmm")


def test_a_switch_given_a_word_that_is_not_true_or_false_is_refused(capsys):
    with pytest.raises(SystemExit):
        main(["classify", "train", "t", "--out", "o", "--bidirectional=maybe"])
    err = capsys.readouterr().err
    assert err.startswith("usage: seqlab classify train") and "expected true/false" in err


# --- --device: every command that runs a model ---------------------------------------------------

RUNS_A_MODEL = [
    ["lm", "sample", "m"],
    ["lm", "score", "m", "a b"],
    ["classify", "predict", "m"],
    ["classify", "evaluate", "m", "t.tsv"],
    ["classify", "explain", "m", "ACGT"],
    ["tag", "predict", "m"],
    ["tag", "evaluate", "m", "t.conll"],
    ["translate", "run", "m"],
    ["translate", "evaluate", "m", "t.tsv"],
    ["translate", "analyze", "m", "s.txt", "r.txt"],
    ["translate", "attention", "m", "x", "--plot", "a.png"],
    ["music", "sample", "m", "--out", "x.mid"],
    ["music", "evaluate", "m", "d.json"],
    ["speech", "transcribe", "m", "a.wav"],
    ["speech", "evaluate", "m", "d"],
    ["trigger", "evaluate", "m", "d"],
    ["trigger", "detect", "m", "a.wav"],
    ["diagnose", "vanishing"],
    ["caption", "run", "m", "x.png"],
    ["caption", "evaluate", "m", "d"],
    ["caption", "attention", "m", "x.png", "--plot", "a.png"],
    ["activity", "predict", "m", "d.ts"],
    ["activity", "evaluate", "m", "d.ts"],
]


def test_every_command_that_runs_a_model_takes_device():
    covered = {" ".join(argv[:2]) for argv in RUNS_A_MODEL}
    for prog, parser in _actions():
        name = prog.removeprefix("seqlab ")
        if name.split()[-1] in ("train", "sample", "score", "predict", "evaluate", "explain",
                                "run", "analyze", "attention", "transcribe", "detect",
                                "vanishing"):  # fmt: skip
            if name.startswith("embed"):  # word vectors: NumPy and Numba on the CPU
                continue
            assert "--device" in parser._option_string_actions, prog
            assert name.endswith("train") or name in covered, prog


@pytest.mark.parametrize("argv", RUNS_A_MODEL, ids=[" ".join(a[:2]) for a in RUNS_A_MODEL])
def test_device_cuda_without_cuda_is_a_one_line_error(argv, monkeypatch, capsys):
    import torch

    monkeypatch.setattr(torch.cuda, "is_available", lambda: False)
    assert main([*argv, "--device", "cuda"]) == 2
    err = capsys.readouterr().err.strip()
    assert err == (
        "seqlab: error: --device cuda: torch sees no CUDA device here; use --device cpu or auto"
    )
