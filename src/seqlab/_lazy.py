"""Packages whose public names load on first use (PEP 562 module ``__getattr__``).

A package's ``__init__`` used to import every submodule, so ``import seqlab.lm.config`` (a few
dataclasses the command line reads its flags from) imported torch through ``seqlab/lm/__init__``.
Now each package lists its public names with the submodule that defines them,

    __all__ = ["LMConfig", "LanguageModel", ...]
    _EXPORTS = {"LMConfig": "config", "LanguageModel": "model", ...}
    __getattr__, __dir__ = lazy_exports(__name__, _EXPORTS)

and ``from seqlab.lm import LanguageModel`` imports ``seqlab.lm.model`` at that moment; the
object is the one the submodule defines, as before.

Imports nothing from seqlab, so every package may use it.
"""

from __future__ import annotations

import importlib
import sys
import types
from collections.abc import Callable, Mapping
from typing import Any

__all__ = ["lazy_exports"]


class _LazyPackage(types.ModuleType):
    """A package whose exports win over its submodules of the same name.

    Importing a submodule binds it on its package (``setattr(seqlab.lm, "sample", <module>)``).
    Where the package exports something else under that name (the function
    ``seqlab.lm.sample``), the binding is skipped, so the name still means the export, as it
    did when ``__init__`` ran ``from seqlab.lm.sample import sample``.
    """

    def __setattr__(self, name: str, value: Any) -> None:
        exports = self.__dict__.get("_EXPORTS", {})
        if (
            name in exports
            and isinstance(value, types.ModuleType)
            and value.__name__ == f"{self.__name__}.{name}"
        ):
            return
        super().__setattr__(name, value)


def lazy_exports(
    package: str, exports: Mapping[str, str]
) -> tuple[Callable[[str], Any], Callable[[], list[str]]]:
    """The ``__getattr__`` and ``__dir__`` of a package whose names load on first use.

    Args:
        package: the package's ``__name__`` (its ``__init__`` is running).
        exports: public name -> the submodule (relative to ``package``) that defines it; kept
            as the package's ``_EXPORTS``.

    Returns:
        ``(__getattr__, __dir__)`` for the package's globals. ``__getattr__`` imports the
        submodule of a listed name, caches the object in the package and returns it; any
        other name raises AttributeError (so ``from package import submodule`` still works).
    """
    module = sys.modules[package]
    module.__dict__["_EXPORTS"] = exports
    module.__class__ = _LazyPackage

    def get_export(name: str) -> Any:
        if name not in exports:
            raise AttributeError(f"module {package!r} has no attribute {name!r}")
        value = getattr(importlib.import_module(f"{package}.{exports[name]}"), name)
        module.__dict__[name] = value
        return value

    def names() -> list[str]:
        return sorted({*module.__dict__, *exports})

    return get_export, names
