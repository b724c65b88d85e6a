"""Gradient clipping helpers against manual computations and torch.nn.utils."""

import math

import pytest
import torch
from hypothesis import given, settings
from hypothesis import strategies as st

from seqlab.train import clip_grad_norm_, clip_grad_value_

from ._tiny_task import one_thread  # noqa: F401 (autouse fixture)


def _params_with_grads(seed: int, scale: float = 1.0) -> list[torch.nn.Parameter]:
    generator = torch.Generator().manual_seed(seed)
    params = []
    for shape in [(3, 4), (4,), (2, 2, 2)]:
        p = torch.nn.Parameter(torch.randn(shape, generator=generator))
        p.grad = scale * torch.randn(shape, generator=generator)
        params.append(p)
    return params


def _manual_norm(params: list[torch.nn.Parameter]) -> float:
    return math.sqrt(sum(float(x) ** 2 for p in params for x in p.grad.flatten()))


def test_clip_value_clamps_each_entry():
    params = _params_with_grads(0, scale=3.0)
    expected = [[max(-1.5, min(1.5, float(x))) for x in p.grad.flatten()] for p in params]
    clip_grad_value_(params, 1.5)
    for p, want in zip(params, expected, strict=True):
        assert p.grad.flatten().tolist() == pytest.approx(want, abs=0)


@pytest.mark.parametrize("max_norm", [0.5, 2.0, 1000.0])
def test_clip_norm_returns_pre_clip_norm_and_scales(max_norm):
    params = _params_with_grads(1)
    before = [p.grad.clone() for p in params]
    norm = _manual_norm(params)
    total = clip_grad_norm_(params, max_norm)
    assert float(total) == pytest.approx(norm, rel=1e-6)
    scale = min(1.0, max_norm / (norm + 1e-6))
    for p, g in zip(params, before, strict=True):
        torch.testing.assert_close(p.grad, g * scale, rtol=1e-6, atol=1e-7)
    if max_norm < norm:
        assert _manual_norm(params) == pytest.approx(max_norm, rel=1e-5)


@settings(max_examples=30, deadline=None)
@given(seed=st.integers(0, 10_000), max_norm=st.floats(0.01, 10.0), scale=st.floats(0.01, 10.0))
def test_clip_norm_matches_torch(seed, max_norm, scale):
    ours, theirs = _params_with_grads(seed, scale), _params_with_grads(seed, scale)
    total = clip_grad_norm_(ours, max_norm)
    expected = torch.nn.utils.clip_grad_norm_(theirs, max_norm)
    torch.testing.assert_close(total, expected)
    for a, b in zip(ours, theirs, strict=True):
        torch.testing.assert_close(a.grad, b.grad)


def test_clip_skips_missing_grads_and_accepts_a_tensor():
    p = torch.nn.Parameter(torch.ones(3))
    p.grad = torch.tensor([3.0, 0.0, 4.0])
    q = torch.nn.Parameter(torch.ones(2))  # no grad
    assert float(clip_grad_norm_([p, q], 1.0)) == pytest.approx(5.0)
    assert q.grad is None
    assert float(clip_grad_norm_(p, 1.0)) == pytest.approx(1.0, rel=1e-5)
    assert float(clip_grad_norm_([q], 1.0)) == 0.0


def test_clip_rejects_bad_limits_and_nonfinite_norms():
    params = _params_with_grads(2)
    with pytest.raises(ValueError, match="max_norm"):
        clip_grad_norm_(params, 0.0)
    with pytest.raises(ValueError, match="max_value"):
        clip_grad_value_(params, -1.0)
    params[0].grad[0, 0] = float("inf")
    with pytest.raises(FloatingPointError):
        clip_grad_norm_(params, 1.0, error_if_nonfinite=True)
