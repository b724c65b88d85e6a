"""An instant CLI: building the parser imports neither torch, NumPy nor matplotlib, and the
lazy package ``__init__`` files (seqlab._lazy) still give every name of their ``__all__``."""

import importlib
import json
import os
import pkgutil
import subprocess
import sys
import types
from pathlib import Path

import pytest

import seqlab

HEAVY = ("torch", "numpy", "matplotlib")
SRC = Path(seqlab.__file__).resolve().parents[1]

# Prints every command's --help through main() (the top level, each GROUP, each GROUP VERB),
# makes one parse error, imports every config module, then reports what got imported.
HELP_EVERYTHING = """
import argparse, contextlib, importlib, io, json, pkgutil, sys
import seqlab
from seqlab.cli import build_parser, main

def commands(parser, path=()):
    yield path
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            for name, sub in action.choices.items():
                yield from commands(sub, (*path, name))

helps = {}
for path in commands(build_parser()):
    with contextlib.redirect_stdout(io.StringIO()) as out:
        try:
            main([*path, "--help"])
        except SystemExit as e:
            code = e.code
    helps[" ".join(path)] = [code, out.getvalue()]
with contextlib.redirect_stderr(io.StringIO()) as err:
    try:
        main(["lm", "train", "--out", "x", "--hidden-size", "many"])
    except SystemExit as e:
        parse_error = [e.code, err.getvalue()]
packages = [m.name for m in pkgutil.iter_modules(seqlab.__path__) if m.ispkg]
configs = [f"seqlab.{p}.config" for p in packages  # listed without importing the packages
           if "config" in {m.name for m in pkgutil.iter_modules([f"{seqlab.__path__[0]}/{p}"])}]
for name in configs:
    importlib.import_module(name)
heavy = [m for m in ("torch", "numpy", "matplotlib") if m in sys.modules]
print(json.dumps({"helps": helps, "parse_error": parse_error, "configs": configs, "heavy": heavy}))
"""


@pytest.fixture(scope="module")
def startup() -> dict:
    path = os.pathsep.join([str(SRC), os.environ.get("PYTHONPATH", "")])
    env = {**os.environ, "PYTHONPATH": path}  # the seqlab under test, installed or not
    done = subprocess.run([sys.executable, "-c", HELP_EVERYTHING], capture_output=True, text=True,
                          env=env, timeout=300, check=True)  # fmt: skip
    return json.loads(done.stdout)


def test_help_of_every_command_imports_no_torch_numpy_or_matplotlib(startup):
    assert startup["heavy"] == []
    helps = startup["helps"]
    some = {"", "lm", "lm train", "classify predict", "translate run", "trigger detect"}
    assert some <= set(helps)
    for command, (code, text) in helps.items():
        assert code == 0, command
        assert text.startswith(f"usage: seqlab {command}".rstrip()), command


def test_a_parse_error_still_exits_2(startup):
    code, message = startup["parse_error"]
    assert code == 2
    assert "--hidden-size: invalid int value: 'many'" in message


def test_config_modules_import_no_torch_or_numpy(startup):
    names = set(startup["configs"])
    packages = ("train", "lm", "classify", "seq2seq", "speech", "music", "diagnose", "embeddings",
                "vision")  # fmt: skip
    assert {f"seqlab.{p}.config" for p in packages} <= names
    assert startup["heavy"] == []


def _packages() -> list[str]:
    subpackages = [m.name for m in pkgutil.iter_modules(seqlab.__path__) if m.ispkg]
    return ["seqlab", *(f"seqlab.{name}" for name in subpackages)]


def _import_every_module() -> None:
    """Every submodule, so that each package also has its submodules bound as attributes."""
    for info in pkgutil.walk_packages(seqlab.__path__, "seqlab."):
        if not info.name.endswith("__main__"):
            importlib.import_module(info.name)


@pytest.mark.parametrize("package", _packages())
def test_every_name_of_every_all_is_importable(package):
    _import_every_module()  # the case that matters: seqlab.lm.sample (module) vs sample (function)
    module = importlib.import_module(package)
    exports = getattr(module, "_EXPORTS", {})
    for name in getattr(module, "__all__", []):
        obj = getattr(module, name)
        namespace: dict = {}
        exec(f"from {package} import {name}", namespace)
        assert namespace[name] is obj, name
        if name in exports:  # lazy: the very object of the submodule that defines it
            defining = importlib.import_module(f"{package}.{exports[name]}")
            assert obj is getattr(defining, name), name
            assert not isinstance(obj, types.ModuleType), name
    assert set(getattr(module, "__all__", [])) <= set(dir(module))
    assert set(exports) <= set(getattr(module, "__all__", []))


def test_an_unknown_name_is_an_attribute_error():
    import seqlab.lm

    with pytest.raises(AttributeError, match="has no attribute 'nothing_here'"):
        seqlab.lm.nothing_here  # noqa: B018
    from seqlab.train import folder  # a submodule still imports through the package

    assert isinstance(folder, types.ModuleType)


@pytest.mark.parametrize(
    "package, module",
    [("lm", "model"), ("classify", "classifier"), ("seq2seq", "model"), ("speech", "model"),
     ("music", "model"), ("vision", "captioner"), ("vision", "activity")],
)  # fmt: skip
def test_config_cell_names_are_the_models_cells(package, module):
    config = importlib.import_module(f"seqlab.{package}.config")
    model = importlib.import_module(f"seqlab.{package}.{module}")
    assert tuple(model.CELLS) == config.CELL_NAMES
