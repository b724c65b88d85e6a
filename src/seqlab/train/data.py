"""Data for the training loop: seeding, replayable epoch streams and moving batches to a device.

Data order is a function of (seed, epoch) only: a list of batches is shuffled with a generator
seeded per epoch, and a DataLoader or a callable ``epoch -> batches`` is started inside a
scope where every RNG is seeded per epoch. So a resumed run sees the same batches, and a resume
in the middle of an epoch skips the batches already used. (A data pipeline that draws from the
global RNG lazily, batch after batch, in the main process cannot be replayed; take randomness
from the ``epoch`` argument or a DataLoader's workers/generator instead.)

With several processes (``torchrun``) every rank reads the same stream and one step takes one
batch per rank; see :mod:`seqlab.train.distributed`.
"""

from __future__ import annotations

import contextlib
import copy
import math
import random
from collections.abc import Iterable, Iterator, Sequence
from itertools import islice
from typing import Any

import numpy as np
import torch
from torch import Tensor

from seqlab.train.distributed import DistributedContext, is_presharded, shard_batches
from seqlab.train.state import rng_state, set_rng_state

_END = object()


def random_split(
    items: Sequence[Any], val_fraction: float, *, seed: int = 0, what: str = "examples"
) -> tuple[list, list]:
    """A seeded random validation split of examples: (train, val), each in the input order.

    ``what`` names the examples in the error message ("pairs", "sentences").

    Raises:
        ValueError: if ``val_fraction`` is outside [0, 1) or nothing is left to train on.
    """
    if not 0.0 <= val_fraction < 1.0:
        raise ValueError(f"val_fraction must be in [0, 1), got {val_fraction}")
    order = list(range(len(items)))
    random.Random(seed).shuffle(order)
    val_idx = set(order[: int(round(len(items) * val_fraction))])
    train = [x for i, x in enumerate(items) if i not in val_idx]
    val = [x for i, x in enumerate(items) if i in val_idx]
    if not train:
        raise ValueError(f"only {len(items)} {what}: nothing left to train on after the split")
    return train, val


def seed_everything(seed: int) -> None:
    """Seed ``random``, NumPy and torch (all devices)."""
    random.seed(seed)
    np.random.seed(seed % 2**32)
    torch.manual_seed(seed)


def derive_seed(*numbers: int) -> int:
    """A well-mixed seed from several integers (base seed, epoch, rank, ...)."""
    return int(np.random.SeedSequence([n % 2**63 for n in numbers]).generate_state(1)[0])


def move_to_device(batch: Any, device: torch.device) -> Any:
    """Move the tensors in nested dicts, lists and tuples (namedtuples too) to ``device``."""
    if isinstance(batch, Tensor):
        # non_blocking only towards an accelerator: a non-blocking copy to the CPU may be read
        # before it has landed.
        return batch.to(device, non_blocking=device.type == "cuda")
    if isinstance(batch, dict):
        moved = {k: move_to_device(v, device) for k, v in batch.items()}
        if type(batch) is dict:
            return moved
        out = copy.copy(batch)  # OrderedDict, defaultdict, BatchEncoding-like mappings
        out.update(moved)
        return out
    if isinstance(batch, tuple) and hasattr(batch, "_fields"):
        return type(batch)(*(move_to_device(v, device) for v in batch))
    if isinstance(batch, (list, tuple)):
        return type(batch)(move_to_device(v, device) for v in batch)
    return batch


def batch_size(batch: Any) -> int:
    """The first dimension of the first tensor in ``batch`` (1 when it holds no tensor)."""
    tensor = _first_tensor(batch)
    return int(tensor.shape[0]) if tensor is not None and tensor.dim() > 0 else 1


def _first_tensor(obj: Any) -> Tensor | None:
    if isinstance(obj, Tensor):
        return obj
    values = (
        obj.values() if isinstance(obj, dict) else obj if isinstance(obj, (list, tuple)) else ()
    )
    for value in values:
        tensor = _first_tensor(value)
        if tensor is not None:
            return tensor
    return None


@contextlib.contextmanager
def _seeded(seed: int) -> Iterator[None]:
    """Run a block with every RNG seeded, then put the RNGs back as they were."""
    saved = rng_state()
    seed_everything(seed)
    try:
        yield
    finally:
        set_rng_state(saved)


def epoch_stream(data: Any, epoch: int, seed: int, *, skip: int, shuffle: bool) -> Iterator[Any]:
    """One epoch of batches, in an order fixed by ``seed``, without the first ``skip``."""
    with _seeded(seed):
        # A callable decides the order itself; only a Sequence handed in directly is shuffled.
        shuffle = shuffle and not callable(data)
        source = data(epoch) if callable(data) else data
        if hasattr(getattr(source, "sampler", None), "set_epoch"):
            source.sampler.set_epoch(epoch)
        if isinstance(source, Sequence):
            generator = torch.Generator().manual_seed(seed)
            order = torch.randperm(len(source), generator=generator).tolist() if shuffle else None
            indices = (order or range(len(source)))[skip:]
            iterator = (source[i] for i in indices)
        else:
            iterator = islice(iter(source), skip, None)
        # DataLoader samplers draw their seed lazily, at the first batch: keep it in the scope.
        first = next(iterator, _END)
    if first is _END:
        return
    yield first
    yield from iterator


def rank_batches(
    data: Any,
    epoch: int,
    *,
    seed: int,
    skip: int,
    train: bool,
    shuffle: bool,
    dist: DistributedContext,
) -> Iterator[tuple]:
    """This rank's ``(batch, active, n_batches)`` groups of one epoch's stream.

    Args:
        data: a re-iterable of batches or a callable ``epoch -> iterable of batches``.
        epoch: the epoch number (seeds the order together with ``seed``).
        seed: the run's base seed (``TrainerConfig.seed``).
        skip: batches of the stream already used (a resume in the middle of an epoch).
        train: the training stream (else validation: another order, never shuffled).
        shuffle: reshuffle a Sequence of batches (training only).
        dist: the distributed context (rank, world size).
    """
    stream_seed = derive_seed(seed, epoch, 0 if train else 1)
    stream = epoch_stream(data, epoch, stream_seed, skip=skip, shuffle=train and shuffle)
    if is_presharded(data):
        return ((batch, True, 1) for batch in stream)
    return shard_batches(stream, dist.rank, dist.world_size)


def total_steps(
    data: Any, *, epochs: int | None, max_steps: int | None, world_size: int
) -> int | None:
    """The number of optimizer steps the budgets allow, when it is known (progress bar)."""
    totals = [max_steps] if max_steps is not None else []
    # A callable ``epoch -> batches`` may say how many batches an epoch has through __len__.
    if epochs is not None and hasattr(data, "__len__"):
        per_epoch = len(data)
        if not is_presharded(data):
            per_epoch = math.ceil(per_epoch / world_size)
        totals.append(epochs * per_epoch)
    return min(totals) if totals else None


def with_last(iterable: Iterable[Any]) -> Iterator[tuple[Any, bool]]:
    """Yield ``(item, is_last)`` with one item of lookahead."""
    iterator = iter(iterable)
    current = next(iterator, _END)
    while current is not _END:
        following = next(iterator, _END)
        yield current, following is _END
        current = following
