"""seqlab.reference.gradcheck: centered differences on functions with known gradients."""

import numpy as np
import pytest

from seqlab.reference import gradient_check, numerical_gradient, relative_error


@pytest.fixture
def rng() -> np.random.Generator:
    return np.random.default_rng(3)


@pytest.mark.parametrize(
    ("f", "grad"),
    [
        (lambda x: np.sum(x**2), lambda x: 2 * x),
        (lambda x: np.sum(x**3), lambda x: 3 * x**2),
        (lambda x: np.sum(np.sin(x)), np.cos),
        (lambda x: np.prod(x), lambda x: np.prod(x) / x),
        (lambda x: np.log(np.sum(np.exp(x))), lambda x: np.exp(x) / np.sum(np.exp(x))),
    ],
)
def test_numerical_gradient_of_known_functions(rng, f, grad):
    x = rng.uniform(0.5, 1.5, size=(3, 4))
    np.testing.assert_allclose(numerical_gradient(f, x), grad(x), rtol=1e-8, atol=1e-9)


def test_numerical_gradient_of_a_quadratic_form_is_exact(rng):
    """Centered differences are exact on quadratics up to round-off: (A + A^T) x."""
    A, x = rng.normal(size=(5, 5)), rng.normal(size=5)
    got = numerical_gradient(lambda v: v @ A @ v, x, eps=1e-3)
    np.testing.assert_allclose(got, (A + A.T) @ x, rtol=1e-9)


def test_numerical_gradient_leaves_its_input_untouched(rng):
    x = rng.normal(size=(2, 3))
    before = x.copy()
    numerical_gradient(lambda v: np.sum(v**2), x)
    np.testing.assert_array_equal(x, before)


@pytest.mark.parametrize(
    ("grad", "grad_num", "expected"),
    [
        ([1.0, 2.0], [1.0, 2.0], 0.0),
        ([0.0, 0.0], [0.0, 0.0], 0.0),
        ([1.0, 0.0], [0.0, 0.0], 1.0),
        ([1.0, 0.0], [-1.0, 0.0], 1.0),
        ([3.0, 0.0], [0.0, 4.0], 5.0 / 7.0),
        ([2.0], [1.0], 1.0 / 3.0),
    ],
)
def test_relative_error_table(grad, grad_num, expected):
    assert relative_error(np.array(grad), np.array(grad_num)) == pytest.approx(expected)


def test_gradient_check_accepts_right_and_flags_wrong_gradients(rng):
    W, b, x = rng.normal(size=(3, 4)), rng.normal(size=3), rng.normal(size=(5, 4))

    def loss(p):
        return np.sum(np.tanh(x @ p["W"].T + p["b"]))

    dz = 1 - np.tanh(x @ W.T + b) ** 2  # (5, 3)
    right = {"W": dz.T @ x, "b": dz.sum(axis=0)}
    errors = gradient_check(loss, {"W": W, "b": b}, right)
    assert set(errors) == {"W", "b"} and max(errors.values()) < 1e-8

    wrong = {"W": right["W"], "b": 1.1 * right["b"]}  # a 10% bug in one gradient
    errors = gradient_check(loss, {"W": W, "b": b}, wrong)
    assert errors["W"] < 1e-8 and errors["b"] == pytest.approx(0.1 / 2.1, rel=1e-6)


def test_gradient_check_ignores_extra_gradients_and_leaves_params_untouched(rng):
    params = {"w": rng.normal(size=3)}
    before = params["w"].copy()
    errors = gradient_check(lambda p: np.sum(p["w"] ** 2), params, {"w": 2 * before, "v": 0})
    assert list(errors) == ["w"]
    np.testing.assert_array_equal(params["w"], before)


def test_gradient_check_rejects_missing_or_misshapen_gradients():
    params = {"w": np.ones(3), "b": np.ones(2)}
    with pytest.raises(ValueError, match=r"analytic_grads is missing \['b'\]"):
        gradient_check(lambda p: 0.0, params, {"w": np.ones(3)})
    with pytest.raises(
        ValueError, match=r"analytic_grads\['b'\] must have shape \(2,\), got \(3,\)"
    ):
        gradient_check(lambda p: 0.0, params, {"w": np.ones(3), "b": np.ones(3)})
    with pytest.raises(ValueError, match="eps must be positive"):
        numerical_gradient(lambda v: 0.0, np.ones(2), eps=0.0)
    with pytest.raises(ValueError, match=r"gradient must have shape \(2,\), got \(3,\)"):
        relative_error(np.ones(3), np.ones(2))
