"""seqlab.reference.clip: tables of inputs and expected outputs, and properties."""

import math

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

from seqlab.reference import clip_by_global_norm, clip_by_value


@pytest.mark.parametrize(
    ("grads", "max_value", "expected"),
    [
        ({"W": [[-10.0, 0.5], [3.0, -0.2]]}, 1.0, {"W": [[-1.0, 0.5], [1.0, -0.2]]}),
        ({"W": [1.0, -1.0], "b": [7.0]}, 5.0, {"W": [1.0, -1.0], "b": [5.0]}),
        ({"b": [np.inf, -np.inf, 0.0]}, 2.0, {"b": [2.0, -2.0, 0.0]}),
        ({"b": [5.0, -5.0]}, 5.0, {"b": [5.0, -5.0]}),
        ({}, 1.0, {}),
    ],
)
def test_clip_by_value_table(grads, max_value, expected):
    before = {k: np.array(v) for k, v in grads.items()}
    inputs = {k: v.copy() for k, v in before.items()}
    clipped = clip_by_value(inputs, max_value)
    assert clipped.keys() == expected.keys()
    for name, value in expected.items():
        np.testing.assert_array_equal(clipped[name], value)
        np.testing.assert_array_equal(inputs[name], before[name])  # pure: inputs untouched


@pytest.mark.parametrize(
    ("grads", "max_norm", "expected", "total_norm"),
    [
        ({"W": [3.0, 4.0]}, 1.0, {"W": [0.6, 0.8]}, 5.0),
        ({"W": [3.0], "b": [4.0]}, 2.5, {"W": [1.5], "b": [2.0]}, 5.0),
        ({"W": [3.0], "b": [4.0]}, 5.0, {"W": [3.0], "b": [4.0]}, 5.0),  # at the bound: no-op
        ({"W": [[1.0, 1.0], [1.0, 1.0]]}, 10.0, {"W": [[1.0, 1.0], [1.0, 1.0]]}, 2.0),
        ({"W": [0.0, 0.0]}, 1.0, {"W": [0.0, 0.0]}, 0.0),
        ({}, 1.0, {}, 0.0),
    ],
)
def test_clip_by_global_norm_table(grads, max_norm, expected, total_norm):
    inputs = {k: np.array(v) for k, v in grads.items()}
    clipped, total = clip_by_global_norm(inputs, max_norm)
    assert isinstance(total, float) and total == pytest.approx(total_norm)
    assert clipped.keys() == expected.keys()
    for name, value in expected.items():
        np.testing.assert_allclose(clipped[name], value, rtol=1e-15)
        np.testing.assert_array_equal(inputs[name], grads[name])  # pure: inputs untouched
        assert clipped[name] is not inputs[name]


def global_norm(grads):
    return math.sqrt(sum(float(np.sum(g**2)) for g in grads.values()))


finite = st.floats(-1e3, 1e3, allow_nan=False)
grad_dicts = st.dictionaries(
    st.sampled_from(["W_a", "b_a", "W_u", "b_u"]),
    arrays(np.float64, st.tuples(st.integers(1, 4), st.integers(1, 4)), elements=finite),
    min_size=1,
)


@given(grads=grad_dicts, max_norm=st.floats(1e-3, 1e3))
def test_global_norm_clip_bounds_the_norm_and_keeps_the_direction(grads, max_norm):
    clipped, total = clip_by_global_norm(grads, max_norm)
    assert total == pytest.approx(global_norm(grads))
    if total > max_norm:
        assert global_norm(clipped) == pytest.approx(max_norm, rel=1e-12)
        for name, grad in grads.items():
            np.testing.assert_allclose(clipped[name], grad * (max_norm / total), rtol=1e-12)
    else:
        for name, grad in grads.items():
            np.testing.assert_array_equal(clipped[name], grad)


@given(grads=grad_dicts, max_value=st.floats(1e-3, 1e3))
def test_value_clip_bounds_every_element(grads, max_value):
    clipped = clip_by_value(grads, max_value)
    for name, grad in grads.items():
        assert np.all(np.abs(clipped[name]) <= max_value)
        inside = np.abs(grad) <= max_value
        np.testing.assert_array_equal(clipped[name][inside], grad[inside])


@pytest.mark.parametrize("bound", [0.0, -1.0, float("nan")])
def test_clips_reject_a_non_positive_bound(bound):
    grads = {"W": np.ones(2)}
    with pytest.raises(ValueError, match="max_value must be positive"):
        clip_by_value(grads, bound)
    with pytest.raises(ValueError, match="max_norm must be positive"):
        clip_by_global_norm(grads, bound)


def test_clips_reject_nan_and_global_norm_rejects_inf():
    with pytest.raises(ValueError, match=r"grads\['b'\] contains NaN"):
        clip_by_value({"W": np.ones(2), "b": np.array([np.nan])}, 1.0)
    with pytest.raises(ValueError, match=r"grads\['b'\] contains NaN"):
        clip_by_global_norm({"W": np.ones(2), "b": np.array([np.nan])}, 1.0)
    with pytest.raises(ValueError, match="global gradient norm is inf"):
        clip_by_global_norm({"W": np.array([np.inf, 1.0])}, 1.0)
