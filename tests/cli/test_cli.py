"""Every CLI command through main([...]) on tiny sizes; bad input exits 2 with one line."""

import json
import subprocess
import sys

import pytest

from seqlab.cli import main

PNG_MAGIC = b"\x89PNG\r\n\x1a\n"


def test_diagnose_vanishing_json_and_plot(tmp_path, capsys):
    png = tmp_path / "flow.png"
    argv = ["diagnose", "vanishing", "--seq-len", "6", "--max-steps", "2", "--batch-size", "4",
            "--test-size", "8", "--json", "--no-progress", "--plot", str(png)]  # fmt: skip
    assert main(argv) == 0
    lines = capsys.readouterr().out.strip().splitlines()
    rows = [json.loads(line) for line in lines]
    assert [r["cell"] for r in rows] == ["rnn", "gru", "lstm"]
    assert all(r["T"] == 6 and 0 <= r["accuracy"] <= 1 for r in rows)
    assert png.read_bytes().startswith(PNG_MAGIC)


def test_diagnose_vanishing_table(capsys):
    argv = ["diagnose", "vanishing", "--seq-len", "5", "--max-steps", "1", "--test-size", "4",
            "--cell", "lstm", "--no-progress"]  # fmt: skip
    assert main(argv) == 0
    out = capsys.readouterr().out
    assert "lstm" in out and "accuracy" in out


@pytest.mark.parametrize("argv,match", [
    (["diagnose", "vanishing", "--seq-len", "1", "--max-steps", "1", "--no-progress"],
     "--seq-len must be at least 2"),
    (["diagnose", "vanishing", "--seq-len", "5", "--max-steps", "1", "--test-size", "4",
      "--no-progress",
      "--plot", "/nonexistent/dir/x.png"], "does not exist"),
])  # fmt: skip
def test_bad_input_is_one_line_and_exit_2(argv, match, capsys):
    assert main(argv) == 2
    err = capsys.readouterr().err.strip()
    assert len(err.splitlines()) == 1 and match in err and "Traceback" not in err


def test_no_command_prints_help_and_exits_2(capsys):
    assert main([]) == 2


def test_demo_quick(capsys):
    assert main(["demo", "--quick", "--no-progress"]) == 0
    out = capsys.readouterr().out
    assert "Vanishing gradients" in out
    assert "man : woman :: king : queen" in out and "nearest to 'police'" in out
    assert "said 1  heard 'one'" in out  # the shipped recogniser on a shipped FSDD recording


def test_python_dash_m_and_version():
    out = subprocess.run(
        [sys.executable, "-m", "seqlab", "--version"], capture_output=True, text=True
    )
    assert out.returncode == 0 and out.stdout.startswith("seqlab ")
