"""Loading what ``seqlab serve`` serves: model folders of any task (through ``seqlab.load``:
safetensors + JSON, no code), and word-vector files or data-set names for the vectors panel."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from seqlab.serve.media import MEDIA_TASKS
from seqlab.serve.served import Served, Verb
from seqlab.serve.text import TEXT_TASKS

__all__ = ["PANELS", "load_served"]

# task -> (prepare(served) or None, {verb: Verb}): every task the page has a panel for
PANELS: dict[str, tuple[Any, dict[str, Verb]]] = {**TEXT_TASKS, **MEDIA_TASKS}


def load_served(sources: list[str]) -> list[Served]:
    """Load each source: a model folder, a word-vectors file, or a data set's name (``glove``).

    Raises:
        ValueError: naming the source: missing, not a model folder or vectors file, or of a
            task the page has no panel for.
    """
    if not sources:
        raise ValueError("give at least one model folder (or word-vectors file) to serve")
    served: list[Served] = []
    taken: set[str] = set()
    for source in sources:
        one = _load_one(source)
        one.name = _unique(_url_name(one.name), taken)
        taken.add(one.name)
        prepare = PANELS[one.task][0]
        if prepare is not None:
            prepare(one)
        served.append(one)
    return served


def _load_one(source: str) -> Served:
    import seqlab
    from seqlab.train import read_config

    path = Path(source)
    if not path.exists():
        path = _data_set(source)
    if path.is_dir():
        task = read_config(path)["task"]
        if task not in PANELS:
            raise ValueError(f"{source}: seqlab serve has no panel for {task!r} models; it serves "
                             f"{', '.join(sorted(PANELS))}")  # fmt: skip
        model = seqlab.load(path).eval()
        return Served(path.resolve().name, task, str(path), model, PANELS[task][1])
    from seqlab.embeddings import WordVectors

    wv = WordVectors.load(path)
    wv.most_similar(wv.words[0], topn=1)  # builds its normalised table now, not in a request
    name = path.name.removesuffix(".txt").removesuffix(".bin").removesuffix(".vec")
    return Served(name, "vectors", str(path), wv, PANELS["vectors"][1])


def _data_set(source: str) -> Path:
    """A data set's name -> its local file (``seqlab data fetch``).

    Raises:
        ValueError: ``source`` names no data set (a missing path), or a DataError (a
            ValueError) saying how to fetch a data set that is not here.
    """
    from seqlab.datasets.catalog import locate

    path = locate(source)
    if path is None:
        raise ValueError(f"{source}: no such model folder or file")
    return Path(path)


def _url_name(name: str) -> str:
    """Letters, digits, '.', '_' and '-' only: the name goes into URLs."""
    return re.sub(r"[^A-Za-z0-9._-]+", "-", name).strip("-.") or "model"


def _unique(name: str, taken: set[str]) -> str:
    if name not in taken:
        return name
    i = 2
    while f"{name}-{i}" in taken:
        i += 1
    return f"{name}-{i}"
