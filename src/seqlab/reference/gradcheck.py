"""Gradient checking with centered finite differences (notes, course 2: "Gradient checking";
used here on the backward passes of course 5).

    dL/dtheta_i  ~=  (L(theta + eps e_i) - L(theta - eps e_i)) / (2 eps)

and the relative error of an analytic gradient g against the numerical one g_num:

    ||g - g_num|| / (||g|| + ||g_num||)

In float64 with eps = 1e-6 a correct backward pass gives about 1e-9 or less; around 1e-5 or
more usually means a bug.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping

import numpy as np


def numerical_gradient(
    f: Callable[[np.ndarray], float], array: np.ndarray, *, eps: float = 1e-6
) -> np.ndarray:
    """dL/darray by centered differences, one element at a time.

    Args:
        f: A scalar function of one array of ``array``'s shape.
        array: The point to differentiate at, any shape, float. It is not modified: ``f`` is
            called on perturbed copies.
        eps: The step.

    Returns:
        The numerical gradient, same shape as ``array``, float64.

    Raises:
        ValueError: If ``eps`` is not positive.
    """
    if not eps > 0:
        raise ValueError(f"eps must be positive, got {eps}")
    point = np.array(array, dtype=np.float64)  # a private copy, float64 whatever came in
    grad = np.zeros_like(point)
    flat_point, flat_grad = point.reshape(-1), grad.reshape(-1)  # views into point and grad
    for i in range(flat_point.size):
        original = flat_point[i]
        flat_point[i] = original + eps
        f_plus = float(f(point.copy()))
        flat_point[i] = original - eps
        f_minus = float(f(point.copy()))
        flat_point[i] = original
        flat_grad[i] = (f_plus - f_minus) / (2.0 * eps)
    return grad


def relative_error(grad: np.ndarray, grad_num: np.ndarray) -> float:
    """||grad - grad_num|| / (||grad|| + ||grad_num||), 0.0 when both are zero.

    Args:
        grad: Analytic gradient, any shape.
        grad_num: Numerical gradient, same shape.

    Returns:
        The relative error, in [0, 1].

    Raises:
        ValueError: If the shapes differ.
    """
    grad, grad_num = np.asarray(grad), np.asarray(grad_num)
    if grad.shape != grad_num.shape:
        raise ValueError(f"gradient must have shape {grad_num.shape}, got {grad.shape}")
    denominator = np.linalg.norm(grad) + np.linalg.norm(grad_num)
    if denominator == 0.0:
        return 0.0
    return float(np.linalg.norm(grad - grad_num) / denominator)


def gradient_check(
    f: Callable[[dict[str, np.ndarray]], float],
    params: Mapping[str, np.ndarray],
    analytic_grads: Mapping[str, np.ndarray],
    *,
    eps: float = 1e-6,
) -> dict[str, float]:
    """Compare analytic gradients with centered differences, one relative error per name.

    Inputs and initial states can be checked too: put them in ``params`` under any name
    (``"x"``, ``"a0"``) and have ``f`` read them from there.

    Args:
        f: The loss, a scalar function of a dict with the keys of ``params``.
        params: The point to check at, name -> array. Not modified.
        analytic_grads: dL/dparams[name] for every name of ``params`` (extra keys are ignored),
            each of that parameter's shape.
        eps: Finite-difference step.

    Returns:
        name -> relative error ||g - g_num|| / (||g|| + ||g_num||), for every name of
        ``params``.

    Raises:
        ValueError: If a gradient is missing or has the wrong shape, or ``eps`` is not positive.

    Example:
        >>> errors = gradient_check(loss, {"W_a": W_a, "b_a": b_a}, grads)
        >>> assert max(errors.values()) < 1e-7
    """
    missing = [name for name in params if name not in analytic_grads]
    if missing:
        raise ValueError(f"analytic_grads is missing {missing}")
    errors = {}
    for name, value in params.items():
        grad = np.asarray(analytic_grads[name])
        if grad.shape != np.shape(value):
            raise ValueError(
                f"analytic_grads[{name!r}] must have shape {np.shape(value)}, got {grad.shape}"
            )

        def f_of(array: np.ndarray, name: str = name) -> float:
            return f({**params, name: array})

        errors[name] = relative_error(grad, numerical_gradient(f_of, value, eps=eps))
    return errors
