"""What the server holds: each loaded model with its name, task and verbs.

A verb is a function ``(served, options, upload) -> dict`` that returns the answer's
``results`` (the CLI's ``--json`` objects) and extras. It reads the model and never changes it:
models are in eval mode and requests run concurrently in threads.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

__all__ = ["Served", "Upload", "Verb"]


@dataclass(frozen=True)
class Upload:
    """A file sent as the request body: its bytes and the name the client gave it."""

    data: bytes
    name: str


@dataclass(frozen=True)
class Verb:
    """One endpoint ``POST /api/<model>/<name>``."""

    run: Callable[..., dict[str, Any]]
    keys: tuple[str, ...]  # the options it reads
    upload: str | None = None  # "wav" or "png": the body is that file (options: the query)


@dataclass
class Served:
    """One loaded model."""

    name: str  # the URL part: the folder's (or vectors file's) base name, made unique
    task: str  # the panel: lm, seq2seq, classify, tag, vectors, speech, trigger, music, caption
    path: str  # where it was loaded from
    model: Any
    verbs: dict[str, Verb]
    info: dict[str, Any] = field(default_factory=dict)  # what the page shows about it
    state: dict[str, Any] = field(default_factory=dict)  # read-only helpers built at load time

    def describe(self) -> dict[str, Any]:
        return {"name": self.name, "task": self.task, "verbs": list(self.verbs),
                "info": self.info}  # fmt: skip
