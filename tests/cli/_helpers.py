"""Helpers shared by the CLI tests: stdin, small files, JSON lines, and one-line errors."""

import io
import json
import sys

from seqlab.cli import main


def json_lines(out: str) -> list[dict]:
    """Every line of ``out`` parsed as JSON (the --json contract: one object per line)."""
    return [json.loads(line) for line in out.strip().splitlines()]


def feed_stdin(monkeypatch, text: str) -> None:
    """Make ``text`` (UTF-8) the process's stdin."""
    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(text.encode("utf-8"))))


def write_lines(path, lines) -> str:
    """Write ``lines`` with a newline after each; returns the path as str."""
    path.write_text("".join(line + "\n" for line in lines), encoding="utf-8")
    return str(path)


def fails(argv, match, capsys) -> str:
    """Run the CLI; it must exit 2 with one ``seqlab: error:`` line holding ``match``."""
    assert main([str(a) for a in argv]) == 2
    err = capsys.readouterr().err.strip()
    assert len(err.splitlines()) == 1, err
    assert err.startswith("seqlab: error: ") and match in err and "Traceback" not in err
    return err


def capture_figures(monkeypatch, *modules) -> list:
    """Keep every matplotlib figure the given CLI modules save (they still write their PNG):
    a test can then read the titles, axis labels and ticks."""
    from seqlab.cli import _figures

    figures = []
    original = _figures.save_figure

    def save(fig, path):
        figures.append(fig)
        return original(fig, path)

    for module in modules:
        monkeypatch.setattr(module, "save_figure", save)
    return figures


def tick_labels(axis) -> list[str]:
    """The texts of an axis's tick labels (x or y)."""
    return [t.get_text() for t in axis.get_ticklabels()]
