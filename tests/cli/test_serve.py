"""``seqlab serve`` on the command line: what it loads, its one-line errors, the --host warning,
the missing extra, and ``seqlab demo --keep`` (the demo's models, saved to be served)."""

from __future__ import annotations

import builtins
import json
import socket

import pytest

from seqlab.cli import main
from tests.reliability._folders import tiny_folder

pytest.importorskip("starlette", reason="seqlab[serve] is not installed (make test installs it)")


@pytest.fixture
def no_serving(monkeypatch):
    """serve_forever records its app instead of serving it."""
    calls = []
    record = lambda app, sock, **kw: calls.append((app, sock.getsockname()))  # noqa: E731
    monkeypatch.setattr("seqlab.serve.serve_forever", record)
    return calls


def test_serve_lists_what_it_loaded_and_serves_on_loopback(tmp_path, no_serving, capsys):
    folder = tiny_folder("music", tmp_path / "chorales")
    assert main(["serve", str(folder), "--port", "0"]) == 0
    out, err = capsys.readouterr()
    assert "chorales  music" in out and "seqlab serve: 1 model(s) at http://127.0.0.1:" in out
    assert err == "" and no_serving[0][1][0] == "127.0.0.1"


def test_a_host_beyond_this_machine_prints_a_warning(tmp_path, no_serving, capsys):
    folder = tiny_folder("music", tmp_path / "m")
    assert main(["serve", str(folder), "--host", "0.0.0.0", "--port", "0"]) == 0
    err = capsys.readouterr().err
    assert "seqlab: warning: --host 0.0.0.0 lets other machines reach these models" in err


def test_a_port_in_use_is_one_line(tmp_path, capsys):
    folder = tiny_folder("music", tmp_path / "m")
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        port = busy.getsockname()[1]
        assert main(["serve", str(folder), "--port", str(port)]) == 2
    err = capsys.readouterr().err.strip()
    assert err == f"seqlab: error: cannot listen on 127.0.0.1 port {port}: Address already in use"


@pytest.mark.parametrize(
    ("make", "message"),
    [
        (lambda p: p / "missing", "missing: no such model folder or file"),
        (lambda p: "nope", "nope: no such model folder or file"),  # names no data set either
        (lambda p: tiny_folder("activity", p / "clips"), "seqlab serve has no panel for "
                                                          "'activity' models"),
        (lambda p: (p / "v.txt").write_text("not vectors\n") and p / "v.txt", "v.txt"),
    ],
)  # fmt: skip
def test_what_cannot_be_served_is_one_line(tmp_path, no_serving, capsys, make, message):
    assert main(["serve", str(make(tmp_path))]) == 2
    err = capsys.readouterr().err.strip()
    assert len(err.splitlines()) == 1 and message in err and not no_serving, err


def test_without_the_serve_extra_it_names_the_extra(tmp_path, monkeypatch, capsys):
    real_import = builtins.__import__

    def without_uvicorn(name, *args, **kwargs):
        if name == "uvicorn":
            raise ImportError("No module named 'uvicorn'")
        return real_import(name, *args, **kwargs)

    monkeypatch.setattr(builtins, "__import__", without_uvicorn)
    assert main(["serve", str(tiny_folder("music", tmp_path / "m"))]) == 2
    err = capsys.readouterr().err
    assert "seqlab serve needs the serve extra: pip install 'seqlab[serve]'" in err


def test_demo_keep_saves_models_that_serve_loads(tmp_path, capsys, monkeypatch):
    from seqlab.serve import load_served

    monkeypatch.chdir(tmp_path)
    keep = tmp_path / "kept"
    assert main(["demo", "--quick", "--no-progress", "--parts", "dinosaurs", "speech",
                 "--keep", str(keep)]) == 0  # fmt: skip
    out = capsys.readouterr().out
    assert f"Models kept in {keep}/ (digits, dinosaurs)" in out and f"seqlab serve {keep}/*" in out
    served = load_served([str(p) for p in sorted(keep.iterdir())])
    assert [(s.name, s.task) for s in served] == [("digits", "speech"), ("dinosaurs", "lm")]
    assert json.loads((keep / "dinosaurs" / "config.json").read_text())["task"] == "lm"
    assert main(["demo", "--quick", "--parts", "vanishing", "--keep", str(keep)]) == 2
    assert "it exists and is not an empty folder" in capsys.readouterr().err
