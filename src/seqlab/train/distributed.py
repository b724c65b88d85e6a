"""Data-parallel training with ``torch.distributed``, as launched by ``torchrun``.

``torchrun --nproc_per_node=W train.py`` starts W copies of the same script with WORLD_SIZE, RANK
and LOCAL_RANK set; :func:`init_distributed` joins them (gloo on CPU, nccl on CUDA) and the
:class:`~seqlab.train.Trainer` does the rest.

How the batches are shared out: every rank reads the same stream of batches (same seed, same
order) and takes one batch of each group of W consecutive batches::

    batches:  b0 b1 b2 | b3 b4 b5 | b6 b7      (W = 3)
    rank 0:   b0       | b3       | b6
    rank 1:      b1    |    b4    |    b7
    rank 2:         b2 |       b5 | (b6, weight 0)
    step:       1          2          3

One optimizer step sees the whole group, so it equals one single-process step on the group's
batches concatenated: each rank scales its loss (a mean over its own tokens, n_r of them) by
``n_r * W / N`` with ``N = sum_r n_r`` all-reduced, and DDP's gradient average then gives
``sum_r n_r * grad_r / N``, the gradient of the mean over all N tokens. In a last incomplete
group a rank with no batch of its own runs the group's first batch with weight 0, so every rank
still joins each collective. A ``DataLoader`` whose sampler is a ``DistributedSampler`` is
already sharded, and so are batches that say ``presharded = True`` (a language model's stream,
cut into columns per rank: :class:`seqlab.lm.data.StreamBatches`); then each rank simply takes
its own batches, and every rank must get as many as the others.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from typing import Any

import torch
import torch.distributed as dist
from torch import Tensor, nn
from torch.nn.parallel import DistributedDataParallel

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class DistributedContext:
    """Where this process sits in a data-parallel job (the defaults: a single process)."""

    rank: int = 0  # global rank, 0 .. world_size - 1; rank 0 writes files and shows progress
    local_rank: int = 0  # rank on this machine; picks the CUDA device
    world_size: int = 1  # number of processes

    @property
    def enabled(self) -> bool:
        """True when more than one process trains together."""
        return self.world_size > 1

    @property
    def is_main(self) -> bool:
        """True on the process that writes files, logs metrics and shows progress."""
        return self.rank == 0


def resolve_device(name: str, local_rank: int = 0) -> torch.device:
    """Turn ``"auto" | "cpu" | "cuda"`` into a device; "auto" takes CUDA when available.

    Raises:
        ValueError: for an unknown name, or "cuda" without a CUDA device.
    """
    if name == "auto":
        name = "cuda" if torch.cuda.is_available() else "cpu"
    if name == "cpu":
        return torch.device("cpu")
    if name == "cuda":
        if not torch.cuda.is_available():
            raise ValueError("device 'cuda' was asked for but torch sees no CUDA device")
        return torch.device("cuda", local_rank % torch.cuda.device_count())
    raise ValueError(f"unknown device {name!r}; expected 'auto', 'cpu' or 'cuda'")


def init_distributed(device: str = "auto") -> DistributedContext:
    """Join the process group when launched by torchrun (WORLD_SIZE > 1); else a no-op.

    Args:
        device: the trainer's device setting; CUDA -> nccl backend, CPU -> gloo.

    Returns:
        This process's :class:`DistributedContext`.
    """
    world_size = int(os.environ.get("WORLD_SIZE", "1"))
    if world_size <= 1 and not dist.is_initialized():
        return DistributedContext()
    local_rank = int(os.environ.get("LOCAL_RANK", "0"))
    if not dist.is_initialized():
        target = resolve_device(device, local_rank)
        if target.type == "cuda":
            torch.cuda.set_device(target)
        backend = "nccl" if target.type == "cuda" else "gloo"
        dist.init_process_group(backend=backend)  # env://: MASTER_ADDR, MASTER_PORT from torchrun
        logger.info(
            "joined process group: rank %d of %d (%s)", dist.get_rank(), world_size, backend
        )
    return DistributedContext(
        rank=dist.get_rank(), local_rank=local_rank, world_size=dist.get_world_size()
    )


def destroy_distributed() -> None:
    """Leave the process group (call once at the end of a torchrun script)."""
    if dist.is_initialized():
        dist.destroy_process_group()


class LossModule(nn.Module):
    """Makes ``forward(batch)`` mean ``model.loss(batch)``, which is what DDP calls."""

    def __init__(self, model: nn.Module) -> None:
        super().__init__()
        self.model = model

    def forward(self, batch: Any) -> Tensor:
        """Return the task model's scalar loss on ``batch``."""
        return self.model.loss(batch)


def wrap_model(model: nn.Module, ctx: DistributedContext, device: torch.device) -> nn.Module:
    """Wrap ``model`` (already on ``device``) so that ``wrapped(batch) == model.loss(batch)``.

    With more than one process the wrapper is a ``DistributedDataParallel``, which broadcasts
    rank 0's parameters now and averages the gradients in ``backward``.
    """
    module = LossModule(model)
    if not ctx.enabled:
        return module
    device_ids = [device.index] if device.type == "cuda" else None
    return DistributedDataParallel(module, device_ids=device_ids)


def is_presharded(data: Any) -> bool:
    """True for data that already gives each rank its own batches: a DataLoader whose sampler
    is a ``DistributedSampler``, or batches that say so (``presharded = True``, e.g. a language
    model's stream cut into columns per rank)."""
    if getattr(data, "presharded", False) is True:
        return True
    sampler = getattr(data, "sampler", None)
    return isinstance(sampler, torch.utils.data.DistributedSampler)


def shard_batches(
    batches: Iterable[Any], rank: int, world_size: int
) -> Iterator[tuple[Any, bool, int]]:
    """Take this rank's batch of every group of ``world_size`` consecutive batches.

    Args:
        batches: the stream every rank reads in the same order.
        rank: this process's rank.
        world_size: the number of processes W.

    Yields:
        ``(batch, active, n_batches)`` per group: the batch, False when it is a stand-in with
        weight 0 (last incomplete group), and how many stream batches the group used.
    """
    first = mine = None
    size = 0
    for i, batch in enumerate(batches):
        position = i % world_size
        if position == 0:
            first, mine, size = batch, None, 0
        if position == rank:
            mine = batch
        size += 1
        if position == world_size - 1:
            yield mine, True, size
    if 0 < size < world_size:
        yield (mine, True, size) if mine is not None else (first, False, size)


def all_reduce_sum(values: Tensor, ctx: DistributedContext) -> Tensor:
    """Sum a tensor over all ranks (in place, and returned); a no-op for one process."""
    if ctx.enabled:
        dist.all_reduce(values, op=dist.ReduceOp.SUM)
    return values


def all_gather_tensors(
    tensors: Mapping[str, Tensor], ctx: DistributedContext, device: torch.device
) -> list[dict[str, Tensor]]:
    """Gather a dict of tensors (same names and shapes on every rank) from all ranks.

    Returns:
        One dict per rank, in rank order, on the CPU.
    """
    if not ctx.enabled:
        return [dict(tensors)]
    gathered: list[dict[str, Tensor]] = [{} for _ in range(ctx.world_size)]
    # nccl only moves CUDA tensors; gloo is happy with CPU ones.
    comm_device = device if dist.get_backend() == "nccl" else torch.device("cpu")
    for name in sorted(tensors):
        local = tensors[name].to(comm_device).contiguous()
        parts = [torch.empty_like(local) for _ in range(ctx.world_size)]
        dist.all_gather(parts, local)
        for rank, part in enumerate(parts):
            gathered[rank][name] = part.cpu()
    return gathered


def barrier(ctx: DistributedContext) -> None:
    """Wait for every rank (no-op for one process)."""
    if ctx.enabled:
        dist.barrier()
