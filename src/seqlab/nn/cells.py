"""One time step of the recurrent cells of the notes: RNN, GRU (full and simplified), LSTM.

The notes write every gate as a matrix times the concatenation ``[a<t-1>, x<t>]``. The cells keep
exactly those parameters: each ``W_g`` has shape ``(n_a, n_a + n_x)`` and multiplies
``[a_prev, x_t]`` in that order (``a_prev`` first); each ``b_g`` has shape ``(n_a,)``.

Shapes: ``x_t`` is ``(B, n_x)`` and every state is ``(B, n_a)``; ``n_x`` is ``input_size`` and
``n_a`` is ``hidden_size``, as torch.nn names them.

Gotcha: torch.nn.GRU (and cuDNN) compute a different GRU: the reset gate multiplies after the
matrix product and z = 1 - gamma_u. Ours follows the notes (Cho et al. 2014): the relevance gate
multiplies ``c_prev`` before ``W_c``.
"""

from __future__ import annotations

import math

import torch
from torch import Tensor, nn

__all__ = ["RNNCell", "GRUCell", "LSTMCell"]


class _RecurrentCell(nn.Module):
    """Shared parameter bookkeeping: one ``W_g`` (n_a, n_a + n_x) and ``b_g`` (n_a,) per gate."""

    gate_names: tuple[str, ...] = ()

    def __init__(self, input_size: int, hidden_size: int) -> None:
        super().__init__()
        if input_size <= 0 or hidden_size <= 0:
            raise ValueError(
                f"input_size and hidden_size must be positive, got {input_size}, {hidden_size}"
            )
        self.input_size = input_size
        self.hidden_size = hidden_size
        for g in self.gate_names:
            self.register_parameter(
                f"W_{g}", nn.Parameter(torch.empty(hidden_size, hidden_size + input_size))
            )
            self.register_parameter(f"b_{g}", nn.Parameter(torch.empty(hidden_size)))
        self.reset_parameters()

    def reset_parameters(self) -> None:
        """Uniform(-1/sqrt(n_a), 1/sqrt(n_a)) for every weight, as torch.nn initialises."""
        bound = 1.0 / math.sqrt(self.hidden_size)
        for p in self.parameters():
            nn.init.uniform_(p, -bound, bound)

    def _gate(self, g: str, a_prev: Tensor, x_t: Tensor) -> Tensor:
        """W_g [a_prev, x_t] + b_g, without building the concatenation: (B, n_a)."""
        W = getattr(self, f"W_{g}")
        b = getattr(self, f"b_{g}")
        n_a = self.hidden_size
        return torch.addmm(b, a_prev, W[:, :n_a].t()) + x_t @ W[:, n_a:].t()  # (B, n_a)

    def weights(self) -> tuple[Tensor, Tensor, Tensor]:
        """The gates stacked in ``gate_names`` order, split the way fused kernels want them.

        Returns:
            W_h: (G * n_a, n_a) the part that multiplies a_prev,
            W_x: (G * n_a, n_x) the part that multiplies x_t,
            b: (G * n_a,).
        """
        W = torch.cat([getattr(self, f"W_{g}") for g in self.gate_names], dim=0)  # (G*n_a, n_a+n_x)
        b = torch.cat([getattr(self, f"b_{g}") for g in self.gate_names], dim=0)  # (G*n_a,)
        n_a = self.hidden_size
        return W[:, :n_a], W[:, n_a:], b

    def extra_repr(self) -> str:
        return f"input_size={self.input_size}, hidden_size={self.hidden_size}"


class RNNCell(_RecurrentCell):
    """Basic RNN step of the notes: a<t> = g(W_a [a<t-1>, x<t>] + b_a), g = tanh or relu.

    Args:
        input_size: n_x.
        hidden_size: n_a.
        nonlinearity: "tanh" or "relu".
    """

    gate_names = ("a",)

    def __init__(self, input_size: int, hidden_size: int, nonlinearity: str = "tanh") -> None:
        if nonlinearity not in ("tanh", "relu"):
            raise ValueError(f"nonlinearity must be 'tanh' or 'relu', got {nonlinearity!r}")
        self.nonlinearity = nonlinearity
        super().__init__(input_size, hidden_size)

    def step(self, x_t: Tensor, a_prev: Tensor) -> tuple[Tensor, dict[str, Tensor]]:
        """One step; returns a_t (B, n_a) and the gate values {"a": a_t}."""
        g = torch.tanh if self.nonlinearity == "tanh" else torch.relu
        a_t = g(self._gate("a", a_prev, x_t))  # (B, n_a)
        return a_t, {"a": a_t}

    def forward(self, x_t: Tensor, a_prev: Tensor) -> Tensor:
        """x_t: (B, n_x), a_prev: (B, n_a) -> a_t: (B, n_a)."""
        return self.step(x_t, a_prev)[0]

    def extra_repr(self) -> str:
        return super().extra_repr() + f", nonlinearity={self.nonlinearity!r}"


class GRUCell(_RecurrentCell):
    """Full GRU step of the notes (Cho et al. 2014); a<t> = c<t>.

    Args:
        input_size: n_x.
        hidden_size: n_a.
        relevance_gate: False gives the simplified GRU of the notes (no gamma_r, no W_r, b_r).
    """

    def __init__(self, input_size: int, hidden_size: int, relevance_gate: bool = True) -> None:
        self.relevance_gate = relevance_gate
        # Order matters for the fused kernels: gates that read c_prev directly come first.
        self.gate_names = ("u", "r", "c") if relevance_gate else ("u", "c")
        super().__init__(input_size, hidden_size)

    def step(self, x_t: Tensor, c_prev: Tensor) -> tuple[Tensor, dict[str, Tensor]]:
        """One step; returns c_t (B, n_a) and the gate values."""
        gamma_u = torch.sigmoid(self._gate("u", c_prev, x_t))  # (B, n_a)
        if self.relevance_gate:
            gamma_r = torch.sigmoid(self._gate("r", c_prev, x_t))  # (B, n_a)
            c_tilde = torch.tanh(self._gate("c", gamma_r * c_prev, x_t))  # (B, n_a)
        else:
            c_tilde = torch.tanh(self._gate("c", c_prev, x_t))  # (B, n_a)
        c_t = gamma_u * c_tilde + (1 - gamma_u) * c_prev  # (B, n_a)
        gates = {"gamma_u": gamma_u, "c_tilde": c_tilde}
        if self.relevance_gate:
            gates["gamma_r"] = gamma_r
        return c_t, gates

    def forward(self, x_t: Tensor, c_prev: Tensor) -> Tensor:
        """x_t: (B, n_x), c_prev: (B, n_a) -> c_t: (B, n_a)."""
        return self.step(x_t, c_prev)[0]

    def extra_repr(self) -> str:
        return super().extra_repr() + f", relevance_gate={self.relevance_gate}"


class LSTMCell(_RecurrentCell):
    """LSTM step of the notes, optionally with peephole connections.

    With ``peephole=True`` the update and forget gates also see c<t-1> and the output gate sees
    c<t>, through diagonal weights ``p_u``, ``p_f``, ``p_o`` of shape (n_a,).

    Args:
        input_size: n_x.
        hidden_size: n_a.
        peephole: add the peephole connections.
    """

    # The order of torch's fused LSTM kernel (input, forget, cell, output), so no reshuffling.
    gate_names = ("u", "f", "c", "o")

    def __init__(self, input_size: int, hidden_size: int, peephole: bool = False) -> None:
        self.peephole = peephole
        super().__init__(input_size, hidden_size)
        if peephole:
            self.p_u = nn.Parameter(torch.zeros(hidden_size))
            self.p_f = nn.Parameter(torch.zeros(hidden_size))
            self.p_o = nn.Parameter(torch.zeros(hidden_size))
            self.reset_parameters()

    def step(
        self, x_t: Tensor, state: tuple[Tensor, Tensor]
    ) -> tuple[tuple[Tensor, Tensor], dict[str, Tensor]]:
        """One step; returns (a_t, c_t), each (B, n_a), and the gate values."""
        a_prev, c_prev = state
        c_tilde = torch.tanh(self._gate("c", a_prev, x_t))  # (B, n_a)
        pre_u, pre_f = self._gate("u", a_prev, x_t), self._gate("f", a_prev, x_t)  # (B, n_a)
        if self.peephole:
            pre_u, pre_f = pre_u + self.p_u * c_prev, pre_f + self.p_f * c_prev  # (B, n_a)
        gamma_u, gamma_f = torch.sigmoid(pre_u), torch.sigmoid(pre_f)  # (B, n_a)
        c_t = gamma_u * c_tilde + gamma_f * c_prev  # (B, n_a)
        pre_o = self._gate("o", a_prev, x_t)  # (B, n_a)
        gamma_o = torch.sigmoid(pre_o + self.p_o * c_t if self.peephole else pre_o)  # (B, n_a)
        a_t = gamma_o * torch.tanh(c_t)  # (B, n_a)
        gates = {"gamma_u": gamma_u, "gamma_f": gamma_f, "gamma_o": gamma_o, "c_tilde": c_tilde}
        gates["c"] = c_t
        return (a_t, c_t), gates

    def forward(self, x_t: Tensor, state: tuple[Tensor, Tensor]) -> tuple[Tensor, Tensor]:
        """x_t: (B, n_x), state (a_prev, c_prev) each (B, n_a) -> (a_t, c_t) each (B, n_a)."""
        return self.step(x_t, state)[0]

    def extra_repr(self) -> str:
        return super().extra_repr() + f", peephole={self.peephole}"
