"""Tests of seqlab.nn.masks: lengths_to_mask, the real positions of a padded batch."""

import pytest
import torch

from seqlab.nn import lengths_to_mask


@pytest.mark.parametrize(
    ("lengths", "max_len", "expected"),
    [
        ([1], None, [[True]]),
        ([3, 1], None, [[True, True, True], [True, False, False]]),
        ([2, 0], None, [[True, True], [False, False]]),
        ([2, 1], 4, [[True, True, False, False], [True, False, False, False]]),
        (torch.tensor([1, 2]), None, [[True, False], [True, True]]),
        ([0], None, [[]]),
    ],
)
def test_lengths_to_mask(lengths, max_len, expected):
    mask = lengths_to_mask(lengths, max_len)
    assert mask.dtype == torch.bool
    assert mask.tolist() == expected


@pytest.mark.parametrize(
    ("lengths", "max_len", "match"),
    [
        ([], None, "non-empty 1-D"),
        (torch.tensor([[1, 2]]), None, "non-empty 1-D tensor, got shape"),
        ([1.0, 2.0], None, "must be integers, got dtype torch.float32"),
        ([True], None, "must be integers, got dtype torch.bool"),
        ([2, -1], None, r"lengths must be >= 0, got \[2, -1\]"),
        ([3, 1], 2, "max_len must be an int >= the longest length 3, got 2"),
        ([3, 1], 3.0, "max_len must be an int"),
    ],
)
def test_lengths_to_mask_rejects_bad_input(lengths, max_len, match):
    with pytest.raises(ValueError, match=match):
        lengths_to_mask(lengths, max_len)
