"""Tests of seqlab.text.batching: padding, collation and the bucket batch sampler."""

import functools

import pytest
import torch
from hypothesis import given, settings
from hypothesis import strategies as st
from torch.utils.data import DataLoader

from seqlab.nn import lengths_to_mask
from seqlab.text import BucketBatchSampler, collate_padded, pad_sequences

# --- pad_sequences -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("seqs", "pad_id", "ids", "lengths"),
    [
        ([[5]], 0, [[5]], [1]),
        (
            [[5, 9, 3], [7, 3], [4, 8, 6, 3]],
            0,
            [[5, 9, 3, 0], [7, 3, 0, 0], [4, 8, 6, 3]],
            [3, 2, 4],
        ),
        ([[1, 2], [3, 4]], 0, [[1, 2], [3, 4]], [2, 2]),
        ([[1], [2, 3]], -1, [[1, -1], [2, 3]], [1, 2]),
        (((1, 2, 3), (4,)), 9, [[1, 2, 3], [4, 9, 9]], [3, 1]),
        ([torch.tensor([1, 2]), torch.tensor([3])], 0, [[1, 2], [3, 0]], [2, 1]),
        ([torch.tensor([1, 2]), [3]], 0, [[1, 2], [3, 0]], [2, 1]),
    ],
)
def test_pad_sequences(seqs, pad_id, ids, lengths):
    padded, lens = pad_sequences(seqs, pad_id=pad_id)
    assert padded.dtype == torch.long and lens.dtype == torch.long
    assert padded.tolist() == ids
    assert lens.tolist() == lengths


def test_pad_sequences_features_keep_trailing_dims():
    seqs = [torch.randn(3, 4), torch.randn(1, 4)]
    padded, lengths = pad_sequences(seqs, pad_id=0, dtype=torch.float32)
    assert padded.shape == (2, 3, 4) and padded.dtype == torch.float32
    assert lengths.tolist() == [3, 1]
    assert torch.equal(padded[0], seqs[0]) and torch.equal(padded[1, :1], seqs[1])
    assert torch.all(padded[1, 1:] == 0)


def test_pad_sequences_dtype():
    padded, _ = pad_sequences([[1, 2], [3]], dtype=torch.int32)
    assert padded.dtype == torch.int32


@pytest.mark.parametrize(
    ("seqs", "match"),
    [
        ([], "seqs is empty"),
        ("abc", "got a single str"),
        ([[1, 2], [], [3]], r"seqs\[1\] has length 0"),
        ([[1], torch.tensor([], dtype=torch.long)], r"seqs\[1\] has length 0"),
        ([[1], torch.tensor(5)], r"seqs\[1\] is a 0-d tensor"),
        ([[1], "ab"], r"seqs\[1\] is a str"),
        ([[1], [[1, 2], [3]]], r"seqs\[1\] must be a flat sequence of numbers"),
        ([[1], [[1, 2], [3, 4]]], r"seqs\[1\] must be a flat sequence of numbers, got shape"),
        ([[1], [None]], r"seqs\[1\] must be a flat sequence of numbers"),
        (
            [torch.zeros(2, 3, dtype=torch.long), torch.zeros(2, 4, dtype=torch.long)],
            r"seqs\[1\] has trailing shape \(4,\)",
        ),
        ([[1], [2.5]], r"seqs\[1\] holds torch.float32 values but dtype is torch.int64"),
        ([torch.randn(2, 3)], r"seqs\[0\] holds torch.float32 values .* pass a float dtype"),
    ],
)
def test_pad_sequences_rejects_bad_input(seqs, match):
    with pytest.raises(ValueError, match=match):
        pad_sequences(seqs)


@settings(deadline=None)
@given(
    seqs=st.lists(st.lists(st.integers(1, 1000), min_size=1, max_size=12), min_size=1, max_size=8),
    pad_id=st.integers(-5, 0),
)
def test_padding_and_mask_recover_the_sequences(seqs, pad_id):
    padded, lengths = pad_sequences(seqs, pad_id=pad_id)
    mask = lengths_to_mask(lengths)
    assert padded.shape == mask.shape == (len(seqs), max(map(len, seqs)))
    assert [row[m].tolist() for row, m in zip(padded, mask)] == seqs
    assert torch.all(padded[~mask] == pad_id)
    assert mask.sum(dim=1).tolist() == [len(s) for s in seqs]


# --- collate_padded ----------------------------------------------------------------------------


def test_collate_padded():
    batch = collate_padded([[4, 5, 3], [6, 3]])
    assert set(batch) == {"ids", "lengths"}
    assert batch["ids"].tolist() == [[4, 5, 3], [6, 3, 0]]
    assert batch["lengths"].tolist() == [3, 2]
    assert collate_padded([[4, 5], [6]], 7)["ids"].tolist() == [[4, 5], [6, 7]]


def test_collate_padded_rejects_empty_sequences():
    with pytest.raises(ValueError, match=r"seqs\[0\] has length 0"):
        collate_padded([[], [1]])


# --- BucketBatchSampler ------------------------------------------------------------------------

LENGTHS = [3, 1, 4, 1, 5, 9, 2, 6, 5, 3, 5, 8, 9, 7, 9, 3, 2, 3, 8, 4, 6, 2, 6, 4, 3, 3]


def _flat(batches):
    return [i for batch in batches for i in batch]


@pytest.mark.parametrize(
    ("n", "batch_size", "drop_last", "n_batches"),
    [(26, 4, False, 7), (26, 4, True, 6), (24, 4, True, 6), (24, 4, False, 6), (3, 5, False, 1)],
)
def test_bucket_sampler_len(n, batch_size, drop_last, n_batches):
    sampler = BucketBatchSampler(LENGTHS[:n], batch_size, drop_last=drop_last)
    batches = list(sampler)
    assert len(sampler) == len(batches) == n_batches
    assert sum(len(batch) == batch_size for batch in batches) == n // batch_size
    assert len(_flat(batches)) == (n - n % batch_size if drop_last else n)


def test_bucket_sampler_drop_last_drops_only_the_short_batch():
    batches = list(BucketBatchSampler(LENGTHS, 4, drop_last=True, bucket_size_multiplier=2))
    assert all(len(batch) == 4 for batch in batches)
    assert len(set(_flat(batches))) == 24


def test_bucket_sampler_is_deterministic_for_a_seed():
    def batches(seed, epoch):
        sampler = BucketBatchSampler(LENGTHS, 3, seed=seed, bucket_size_multiplier=2)
        sampler.set_epoch(epoch)
        return list(sampler)

    assert batches(0, 0) == batches(0, 0)
    assert batches(0, 0) != batches(0, 1)  # set_epoch changes the shuffle
    assert batches(0, 0) != batches(1, 0)
    sampler = BucketBatchSampler(LENGTHS, 3, seed=0, bucket_size_multiplier=2)
    assert list(sampler) == list(sampler)  # iterating again repeats the epoch


def test_bucket_sampler_without_shuffle_sorts_each_pool():
    sampler = BucketBatchSampler(
        [5, 1, 4, 2, 3, 9, 7, 8], 2, shuffle=False, bucket_size_multiplier=2
    )
    # pools [0..3] and [4..7], each sorted by length (stable), batches in order
    assert list(sampler) == [[1, 3], [2, 0], [4, 6], [7, 5]]


def test_bucket_sampler_groups_similar_lengths():
    lengths = torch.randint(1, 200, (2000,), generator=torch.Generator().manual_seed(0))
    sampler = BucketBatchSampler(lengths, 16, seed=3)

    def padding(batches):
        return sum(len(b) * max(lengths[b].tolist()) - int(lengths[b].sum()) for b in batches)

    random_batches = torch.randperm(2000, generator=torch.Generator().manual_seed(1)).split(16)
    assert padding(list(sampler)) < padding([b.tolist() for b in random_batches]) / 10


def test_bucket_sampler_with_a_dataloader():
    data = [[i + 1] * length for i, length in enumerate(LENGTHS)]
    sampler = BucketBatchSampler([len(x) for x in data], 4, seed=1)
    loader = DataLoader(
        data, batch_sampler=sampler, collate_fn=functools.partial(collate_padded, pad_id=0)
    )
    seen = []
    for batch in loader:
        assert batch["ids"].shape == (len(batch["lengths"]), int(batch["lengths"].max()))
        seen += [int(row[0]) - 1 for row in batch["ids"]]
    assert sorted(seen) == list(range(len(data)))


@pytest.mark.parametrize(
    ("lengths", "batch_size", "kwargs", "match"),
    [
        (LENGTHS, 0, {}, "batch_size must be an int >= 1, got 0"),
        (LENGTHS, -2, {}, "batch_size must be an int >= 1, got -2"),
        (LENGTHS, 2.0, {}, "batch_size must be an int >= 1"),
        (LENGTHS, True, {}, "batch_size must be an int >= 1"),
        ([], 2, {}, "lengths is empty"),
        ([3, 0, 2], 2, {}, r"lengths\[1\] is 0; every sequence needs length >= 1"),
        ([3, -1], 2, {}, r"lengths\[1\] is -1"),
        ([3, 1.5], 2, {}, r"lengths\[1\] must be an int"),
        (torch.ones(2, 2, dtype=torch.long), 2, {}, "lengths must be 1-D"),
        (LENGTHS, 2, {"seed": -1}, "seed must be an int >= 0"),
        (LENGTHS, 2, {"bucket_size_multiplier": 0}, "bucket_size_multiplier must be an int >= 1"),
    ],
)
def test_bucket_sampler_rejects_bad_input(lengths, batch_size, kwargs, match):
    with pytest.raises(ValueError, match=match):
        BucketBatchSampler(lengths, batch_size, **kwargs)


def test_bucket_sampler_set_epoch_rejects_negative():
    with pytest.raises(ValueError, match="epoch must be an int >= 0, got -1"):
        BucketBatchSampler(LENGTHS, 2).set_epoch(-1)


@settings(deadline=None)
@given(
    lengths=st.lists(st.integers(1, 50), min_size=1, max_size=200),
    batch_size=st.integers(1, 20),
    multiplier=st.integers(1, 5),
    shuffle=st.booleans(),
    seed=st.integers(0, 2**31),
    epoch=st.integers(0, 100),
)
def test_bucket_sampler_yields_a_permutation(lengths, batch_size, multiplier, shuffle, seed, epoch):
    sampler = BucketBatchSampler(
        lengths, batch_size, shuffle=shuffle, seed=seed, bucket_size_multiplier=multiplier
    )
    sampler.set_epoch(epoch)
    batches = list(sampler)
    assert len(batches) == len(sampler)
    assert sorted(_flat(batches)) == list(range(len(lengths)))
    assert all(1 <= len(batch) <= batch_size for batch in batches)
    assert sum(len(batch) < batch_size for batch in batches) <= 1
    # within a pool the batches are sorted by length: every batch is a run of sorted lengths
    assert all(
        [lengths[i] for i in batch] == sorted(lengths[i] for i in batch) for batch in batches
    )
