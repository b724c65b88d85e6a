"""Task registry: task name -> task model class, so a model folder can be rebuilt from its name.

Every task package decorates its model with ``@register_task("lm")`` (say); ``load_model`` reads
``"task"`` from a folder's ``config.json`` and asks :func:`get_task` for the class. Importing the
task packages here would reverse the import direction (``train`` <- task packages), so
:func:`get_task` imports them lazily, by name, only when a name is not yet known.
"""

from __future__ import annotations

import importlib
import logging
from collections.abc import Callable
from typing import TypeVar

from torch import nn

logger = logging.getLogger(__name__)

T = TypeVar("T", bound=type[nn.Module])

# The modules that define task models; imported on a miss so `seqlab.load(path)` works in a
# fresh interpreter (the task packages' __init__ import nothing until a name is asked for). A
# module that does not exist (yet) is skipped.
_TASK_MODULES = (
    "seqlab.lm.model",
    "seqlab.classify.classifier",
    "seqlab.classify.tagger",
    "seqlab.seq2seq.model",
    "seqlab.speech.model",
    "seqlab.speech.trigger",
    "seqlab.diagnose.vanishing",
    "seqlab.music.model",
)

_TASKS: dict[str, type[nn.Module]] = {}


def register_task(name: str) -> Callable[[T], T]:
    """Class decorator that registers a task model under ``name`` and sets ``cls.task = name``.

    Args:
        name: the task name written to ``config.json`` (e.g. ``"lm"``).

    Returns:
        The decorator; it returns the class unchanged apart from ``task``.

    Raises:
        ValueError: if ``name`` is empty, already taken by a different class, or the class has no
            ``config_class``.
    """
    if not name or not isinstance(name, str):
        raise ValueError(f"task name must be a non-empty string, got {name!r}")

    def decorator(cls: T) -> T:
        if not hasattr(cls, "config_class"):
            raise ValueError(
                f"task {name!r}: {cls.__qualname__} has no class attribute config_class"
            )
        known = _TASKS.get(name)
        # The same class imported twice (module reloaded, or under two names) may re-register.
        if known is not None and known.__qualname__ != cls.__qualname__:
            raise ValueError(
                f"task {name!r} is already registered to {known.__module__}.{known.__qualname__}"
            )
        cls.task = name
        _TASKS[name] = cls
        logger.debug("registered task %r -> %s.%s", name, cls.__module__, cls.__qualname__)
        return cls

    return decorator


def get_task(name: str) -> type[nn.Module]:
    """Return the task model class registered under ``name``.

    Args:
        name: a task name, as found under ``"task"`` in ``config.json``.

    Returns:
        The registered ``nn.Module`` subclass.

    Raises:
        ValueError: if no task of that name is known; the message lists the known ones.
    """
    if name not in _TASKS:
        _import_task_packages()
    if name not in _TASKS:
        known = ", ".join(sorted(_TASKS)) or "none"
        raise ValueError(f"unknown task {name!r}; known tasks: {known}")
    return _TASKS[name]


def known_tasks() -> list[str]:
    """Return the sorted names of every registered task (after importing the task packages)."""
    _import_task_packages()
    return sorted(_TASKS)


def _import_task_packages() -> None:
    for module in _TASK_MODULES:
        try:
            importlib.import_module(module)
        except ModuleNotFoundError as error:
            if error.name is None or not module.startswith(error.name):
                raise  # the module exists but one of its own imports is missing
