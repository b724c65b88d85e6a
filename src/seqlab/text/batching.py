"""Batching sequences of different lengths: padding and length buckets.

After the notes' recipe (tokenize, build a vocabulary, `<unk>` for words outside it, `<eos>` at
the end of each sentence) every sentence is a list of ids of its own length. A batch pads them to
the longest one with `<pad>` (id 0) and keeps the true lengths, so layers and losses can ignore
the padding (ARCHITECTURE.md: padding never leaks into states, outputs or losses); the mask of
the real positions is ``seqlab.nn.lengths_to_mask(lengths)``::

    [[5, 9, 3],            ids     = [[5, 9, 3, 0],     lengths = [3,      mask = [[T, T, T, F],
     [7, 3],        -->               [7, 3, 0, 0],                2,              [T, T, F, F],
     [4, 8, 6, 3]]                    [4, 8, 6, 3]]                4]              [T, T, T, T]]

Padding costs compute, so `BucketBatchSampler` batches sentences of similar length together::

    indices  --seeded shuffle-->  pools of batch_size * bucket_size_multiplier
             --sort each pool by length-->  cut into batches of batch_size
             --shuffle the batch order-->  yield one list of indices per batch
"""

from __future__ import annotations

import math
import operator
from collections.abc import Iterator, Sequence

import torch
from torch import Tensor
from torch.nn.utils.rnn import pad_sequence
from torch.utils.data import Sampler

__all__ = ["BucketBatchSampler", "collate_padded", "pad_sequences"]


def _to_tensor(seq: Sequence[int] | Tensor, i: int, dtype: torch.dtype) -> Tensor:
    """Sequence ``i`` of a batch as a tensor of ``dtype`` with at least one step."""
    if isinstance(seq, Tensor):
        if seq.dim() == 0:
            raise ValueError(f"seqs[{i}] is a 0-d tensor; a sequence needs a time dimension")
        t = seq
    else:
        if isinstance(seq, (str, bytes)):
            raise ValueError(f"seqs[{i}] is a {type(seq).__name__}; encode it to ids first")
        try:
            t = torch.tensor(list(seq))
        except (TypeError, ValueError, RuntimeError) as e:
            raise ValueError(f"seqs[{i}] must be a flat sequence of numbers: {e}") from None
        if t.dim() != 1:
            raise ValueError(f"seqs[{i}] must be a flat sequence of numbers, got shape {t.shape}")
    if t.shape[0] == 0:
        raise ValueError(f"seqs[{i}] has length 0; every sequence needs at least one step")
    # Casting 2.7 to the id 2 would hide a bug: floats only go into a float dtype.
    if (t.is_floating_point() or t.is_complex()) and not (
        dtype.is_floating_point or dtype.is_complex
    ):
        raise ValueError(
            f"seqs[{i}] holds {t.dtype} values but dtype is {dtype}; pass a float dtype for "
            "features, integers for ids"
        )
    return t.to(dtype)


def pad_sequences(
    seqs: Sequence[Sequence[int]] | Sequence[Tensor],
    *,
    pad_id: int = 0,
    dtype: torch.dtype = torch.long,
) -> tuple[Tensor, Tensor]:
    """Pad sequences of different lengths into one batch-first tensor.

    Args:
        seqs: B sequences: lists of ids, or tensors of shape (T_i,) or (T_i, *) (for example
            audio features (T_i, F)), every one with T_i >= 1.
        pad_id: The value put after the end of each shorter sequence.
        dtype: The dtype of the result (inputs are converted): use a float dtype for
            features; float inputs are refused for an integer dtype.

    Returns:
        ``(padded, lengths)``: padded of shape (B, T, *) with T = max T_i and dtype ``dtype``,
        and lengths (B,) int64 with ``lengths[b] = T_b``. Both are on the device of the input
        tensors (the CPU for lists).

    Raises:
        ValueError: If ``seqs`` is empty, a sequence has length 0 (naming its index), is not a
            flat list of numbers, holds floats for an integer ``dtype``, or the tensors differ
            in trailing shape or device.
    """
    if isinstance(seqs, (str, bytes)):
        raise ValueError("seqs must be a list of sequences of ids, got a single str")
    seqs = list(seqs)
    if not seqs:
        raise ValueError("seqs is empty; a batch needs at least one sequence")
    tensors = [_to_tensor(seq, i, dtype) for i, seq in enumerate(seqs)]
    first = tensors[0]
    for i, t in enumerate(tensors):
        if t.shape[1:] != first.shape[1:] or t.device != first.device:
            raise ValueError(
                f"seqs[{i}] has trailing shape {tuple(t.shape[1:])} on {t.device}, but seqs[0] "
                f"has {tuple(first.shape[1:])} on {first.device}; they must agree"
            )
    lengths = torch.tensor([t.shape[0] for t in tensors], dtype=torch.long, device=first.device)
    padded = pad_sequence(tensors, batch_first=True, padding_value=pad_id)  # (B, T, *)
    return padded, lengths


def collate_padded(
    batch_of_id_lists: Sequence[Sequence[int]], pad_id: int = 0
) -> dict[str, Tensor]:
    """A ``DataLoader`` ``collate_fn``: pad a batch of id lists.

    Args:
        batch_of_id_lists: B lists (or 1-D tensors) of ids, each of length >= 1.
        pad_id: The padding id (``functools.partial(collate_padded, pad_id=...)`` to change it).

    Returns:
        ``{"ids": (B, T) int64, "lengths": (B,) int64}``.

    Raises:
        ValueError: As `pad_sequences`.
    """
    ids, lengths = pad_sequences(batch_of_id_lists, pad_id=pad_id)
    return {"ids": ids, "lengths": lengths}


class BucketBatchSampler(Sampler[list[int]]):
    """Batches of dataset indices whose sequences have similar lengths, to waste less padding.

    Each epoch: shuffle all indices with a generator seeded by ``seed + epoch`` (as
    ``DistributedSampler`` does), cut them into pools of ``batch_size * bucket_size_multiplier``,
    sort each pool by length (stable), cut into batches of ``batch_size`` (only the last batch
    can be smaller), then shuffle the batch order. Every index appears exactly once per epoch,
    except those of a short last batch dropped by ``drop_last``. With ``shuffle=False`` the pools
    are taken in index order and the batches come out in order.

    Use it as ``DataLoader(dataset, batch_sampler=sampler, collate_fn=collate_padded)`` and call
    ``set_epoch(epoch)`` before each epoch.

    Args:
        lengths: (N,) length of every example, each >= 1.
        batch_size: Indices per batch (>= 1).
        shuffle: Shuffle indices and batches; otherwise a fixed order.
        seed: Seed of the shuffle (>= 0); the same seed and epoch give the same batches.
        drop_last: Drop the last batch if it is smaller than ``batch_size``.
        bucket_size_multiplier: Pool size in batches (>= 1): larger pools give batches of
            closer lengths but less random batches.

    Raises:
        ValueError: If ``lengths`` is empty, a length is not an int >= 1 (naming its index),
            or ``batch_size``, ``seed`` or ``bucket_size_multiplier`` is out of range.
    """

    def __init__(
        self,
        lengths: Sequence[int] | Tensor,
        batch_size: int,
        *,
        shuffle: bool = True,
        seed: int = 0,
        drop_last: bool = False,
        bucket_size_multiplier: int = 50,
    ) -> None:
        self.lengths = _check_lengths(lengths)
        _check_int(batch_size, "batch_size", minimum=1)
        _check_int(seed, "seed", minimum=0)
        _check_int(bucket_size_multiplier, "bucket_size_multiplier", minimum=1)
        self.batch_size = batch_size
        self.shuffle = shuffle
        self.seed = seed
        self.drop_last = drop_last
        self.bucket_size_multiplier = bucket_size_multiplier
        self.epoch = 0

    def set_epoch(self, epoch: int) -> None:
        """Use the shuffle of ``epoch`` (>= 0) from now on."""
        _check_int(epoch, "epoch", minimum=0)
        self.epoch = epoch

    def __len__(self) -> int:
        n = len(self.lengths)
        return n // self.batch_size if self.drop_last else math.ceil(n / self.batch_size)

    def __iter__(self) -> Iterator[list[int]]:
        yield from self._batches()

    def _batches(self) -> list[list[int]]:
        n, size = len(self.lengths), self.batch_size
        g = torch.Generator().manual_seed(self.seed + self.epoch)
        order = torch.randperm(n, generator=g).tolist() if self.shuffle else list(range(n))
        pool_size = size * self.bucket_size_multiplier
        for start in range(0, n, pool_size):
            order[start : start + pool_size] = sorted(
                order[start : start + pool_size], key=self.lengths.__getitem__
            )
        batches = [order[start : start + size] for start in range(0, n, size)]
        if self.drop_last and len(batches[-1]) < size:
            batches.pop()
        if self.shuffle:
            batches = [batches[i] for i in torch.randperm(len(batches), generator=g).tolist()]
        return batches


def _check_int(value: object, name: str, *, minimum: int) -> None:
    if isinstance(value, bool) or not isinstance(value, int) or value < minimum:
        raise ValueError(f"{name} must be an int >= {minimum}, got {value!r}")


def _check_lengths(lengths: Sequence[int] | Tensor) -> list[int]:
    """``lengths`` as a list of ints, each >= 1."""
    if isinstance(lengths, Tensor):
        if lengths.dim() != 1:
            raise ValueError(f"lengths must be 1-D, got shape {tuple(lengths.shape)}")
        lengths = lengths.tolist()
    checked = []
    for i, length in enumerate(lengths):
        try:
            length = operator.index(length)
        except TypeError:
            raise ValueError(f"lengths[{i}] must be an int, got {length!r}") from None
        if length < 1:
            raise ValueError(f"lengths[{i}] is {length}; every sequence needs length >= 1")
        checked.append(length)
    if not checked:
        raise ValueError("lengths is empty; the sampler needs at least one sequence")
    return checked
