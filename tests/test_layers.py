"""The house's layering (ARCHITECTURE.md "Layers"): imports go downward only, with no cycles.

The layer of every package is written here, once; the test reads every module's imports with
``ast`` (module level and inside functions; ``if TYPE_CHECKING:`` blocks are type-only and do
not count) and fails on:

- a package importing one of a higher layer (``train`` importing ``seqlab.lm``);
- a package importing a submodule of another package of its own layer (a task package uses
  another only through its public API: ``from seqlab.lm import ...``, not ``seqlab.lm.model``);
- ``reference`` importing any other seqlab package (it stands apart: NumPy only);
- the top package (``seqlab.load``) imported from below; only the command line and the server,
  which serve every task, use it;
- a cycle between packages, or between modules at import time (module-level imports).
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

SRC = Path(__file__).resolve().parents[1] / "src" / "seqlab"

# package (first component under seqlab) -> layer; None = the top package seqlab/__init__.py
LAYERS: dict[str | None, int] = {
    "_version": 0,
    "_config": 0,
    "_atomic": 0,
    "_lazy": 0,
    "data": 0,  # bundled data files and their paths
    "nn": 1,
    "text": 1,
    "metrics": 1,
    "reference": 1,
    "datasets": 2,
    "train": 2,
    "lm": 3,
    "embeddings": 3,
    "classify": 3,
    "seq2seq": 3,
    "speech": 3,
    "music": 3,
    "diagnose": 3,
    "vision": 3,
    "cli": 4,
    "serve": 4,
    "__main__": 4,
    None: 5,  # seqlab.load and the task registry may import any layer
}
APART = {"reference"}  # imports no other seqlab package
TOP_USERS = {"cli", "serve", "__main__"}  # may call seqlab.load


def _module_name(path: Path) -> str:
    parts = path.relative_to(SRC.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _package(module: str) -> str | None:
    parts = module.split(".")
    return parts[1] if len(parts) > 1 else None


def _type_checking(node: ast.If) -> bool:
    test = node.test
    return (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING") or (
        isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING"
    )


def _imports(path: Path) -> list[tuple[str, bool, int]]:
    """(imported seqlab module, at module level?, line) for every import in the file."""
    module = _module_name(path)
    is_package = path.name == "__init__.py"
    found: list[tuple[str, bool, int]] = []

    def visit(node: ast.AST, top: bool) -> None:
        for child in ast.iter_child_nodes(node):
            if isinstance(child, ast.If) and _type_checking(child):
                for sub in child.orelse:
                    visit(ast.Module(body=[sub], type_ignores=[]), top)
                continue
            if isinstance(child, ast.Import):
                found.extend((a.name, top, child.lineno) for a in child.names)
            elif isinstance(child, ast.ImportFrom):
                base = child.module or ""
                if child.level:
                    anchor = module.split(".")
                    anchor = anchor if is_package else anchor[:-1]
                    anchor = anchor[: len(anchor) - child.level + 1]
                    base = ".".join([*anchor, base] if base else anchor)
                # `from seqlab import lm` imports the module seqlab.lm; a name imports base
                for alias in child.names:
                    sub = f"{base}.{alias.name}"
                    file = SRC.parent.joinpath(*sub.split("."))
                    is_module = file.is_dir() or file.with_suffix(".py").is_file()
                    found.append((sub if is_module else base, top, child.lineno))
            else:
                inner = isinstance(child, (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda))
                visit(child, top and not inner)

    visit(ast.parse(path.read_text(encoding="utf-8")), True)
    return [(name, top, line) for name, top, line in found if name.split(".")[0] == "seqlab"]


MODULES = {_module_name(p): p for p in sorted(SRC.rglob("*.py"))}


def test_every_package_has_a_layer():
    missing = sorted({_package(m) for m in MODULES} - set(LAYERS), key=str)
    assert not missing, f"give these packages a layer in LAYERS: {missing}"


def _violations() -> list[str]:
    problems = []
    for module, path in MODULES.items():
        own = _package(module)
        for name, _, line in _imports(path):
            other = _package(name)
            if other == own or (other is None and own in TOP_USERS):
                continue
            where = f"{path.relative_to(SRC.parent)}:{line} imports {name}"
            if own in APART:
                problems.append(f"{where} ({own} imports no other seqlab package)")
            elif LAYERS[other] > LAYERS[own]:
                problems.append(f"{where} (layer {LAYERS[other]} above {LAYERS[own]})")
            elif LAYERS[other] == LAYERS[own] and name != f"seqlab.{other}":
                problems.append(f"{where} (same layer: use the public seqlab.{other})")
    return problems


def test_imports_go_downward_only():
    problems = _violations()
    assert not problems, "\n".join(problems)


def _cycle(graph: dict[str, set[str]]) -> list[str] | None:
    """A cycle of ``graph`` (as a path that ends where it starts), or None."""
    state: dict[str, int] = {}  # 1 = on the current path, 2 = done
    path: list[str] = []

    def visit(node: str) -> list[str] | None:
        state[node], path[len(path) :] = 1, [node]
        for nxt in sorted(graph.get(node, ())):
            if state.get(nxt) == 1:
                return path[path.index(nxt) :] + [nxt]
            if nxt not in state and (found := visit(nxt)):
                return found
        state[node] = 2
        path.pop()
        return None

    for node in sorted(graph):
        if node not in state and (found := visit(node)):
            return found
    return None


def test_packages_form_no_cycle():
    graph: dict[str, set[str]] = {}
    for module, path in MODULES.items():
        own = _package(module)
        if own is None:
            continue
        for name, _, _ in _imports(path):
            other = _package(name)
            if other is not None and other != own:
                graph.setdefault(own, set()).add(other)
    assert _cycle(graph) is None, " -> ".join(_cycle(graph))


def test_modules_form_no_cycle_at_import_time():
    graph: dict[str, set[str]] = {}
    for module, path in MODULES.items():
        for name, top, _ in _imports(path):
            # `from seqlab.x import y` may name a module y or a name y: resolve to a module
            target = name if name in MODULES else name.rsplit(".", 1)[0]
            if top and target in MODULES and target != module:
                graph.setdefault(module, set()).add(target)
                # importing a.b.c runs a/__init__ and a/b/__init__ first (the importing
                # module's own ancestors are already running)
                parts, mine = target.split("."), module.split(".")
                parents = {".".join(parts[:i]) for i in range(2, len(parts))}
                graph[module] |= {p for p in parents if mine[: p.count(".") + 1] != p.split(".")}
    cycle = _cycle(graph)
    assert cycle is None, " -> ".join(cycle)


@pytest.mark.parametrize(
    ("source", "expected"),
    [
        ("import seqlab.lm.model\n", ["seqlab.lm.model"]),
        ("from seqlab.train import Trainer\n", ["seqlab.train"]),
        ("from seqlab import lm, load\n", ["seqlab", "seqlab.lm"]),
        ("from seqlab.speech import trigger\n", ["seqlab.speech.trigger"]),
        ("def f():\n    from seqlab.nn import GRU\n", ["seqlab.nn"]),
        ("if TYPE_CHECKING:\n    from seqlab.lm import LanguageModel\n", []),
        ("from . import model\n", ["seqlab.speech.trigger"]),
        ("from . import clips\n", ["seqlab.speech.trigger.clips"]),
        ("from .clips import Clip\n", ["seqlab.speech.trigger.clips"]),
        ("import numpy\n", []),
    ],
)
def test_imports_are_read_as_python_reads_them(tmp_path, source, expected, monkeypatch):
    package = tmp_path / "seqlab" / "speech" / "trigger"
    package.mkdir(parents=True)
    file = package / "__init__.py"
    file.write_text(source, encoding="utf-8")
    monkeypatch.setattr(f"{__name__}.SRC", tmp_path / "seqlab")
    (tmp_path / "seqlab" / "lm").mkdir()
    (package / "clips.py").write_text("", encoding="utf-8")
    assert sorted(name for name, _, _ in _imports(file)) == expected


def test_an_upward_import_is_caught(monkeypatch):
    real = _imports

    def with_upward(path: Path):
        extra = [("seqlab.lm", True, 1)] if path.name == "trainer.py" else []
        return real(path) + extra

    monkeypatch.setattr(f"{__name__}._imports", with_upward)
    assert any("train/trainer.py:1 imports seqlab.lm" in p for p in _violations())
