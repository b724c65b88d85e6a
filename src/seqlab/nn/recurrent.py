"""Recurrent layers of the notes: deep and bidirectional RNN, GRU and LSTM over whole sequences.

A layer is a grid of cells, ``cells[l][d]`` for layer ``l`` and direction ``d`` (0 forward,
1 backward). Layer ``l`` reads layer ``l - 1``'s activations (the notes' deep RNN); with
``bidirectional=True`` every position sees ``[a→<t>, a←<t>]`` (the notes' BRNN).

Three implementations compute the same function on the same parameters (``impl=``):

- ``"kernel"``: PyTorch's fused kernels (cuDNN on GPU, the fused CPU kernel otherwise), for the
  variants that are the same function as torch.nn's: tanh/relu RNN and the LSTM without
  peepholes;
- ``"scan"``: ``seqlab.nn.scan``, a whole-sequence autograd Function with hand-written BPTT, for
  every cell (the only fast path for the notes' GRU and the peephole LSTM);
- ``"loop"``: the cells step by step under autograd; slow, but it is the notes' equations
  verbatim and the only one that can return every gate (``return_gates=True``).

``"auto"`` picks kernel where it exists, else scan, and loop when gates are asked for.

Shapes: x (B, T, n_x); lengths (B,) with 1 <= lengths <= T; a (B, T, D * n_a);
state (num_layers * D, B, n_a), ordered layer-major as torch.nn orders it (layer 0 forward,
layer 0 backward, layer 1 forward, ...); for the LSTM a tuple (a0, c0) of two such tensors.

The three layers share one grid, one state layout and one dispatch between the three
implementations, so they stay in one module (~440 lines); the kernels live in ``scan``.
"""

from __future__ import annotations

import warnings
from typing import Any

import torch
import torch.nn.functional as F
from torch import Tensor, nn
from torch.nn.utils.rnn import pack_padded_sequence, pad_packed_sequence

from seqlab.nn.cells import GRUCell, LSTMCell, RNNCell
from seqlab.nn.masks import lengths_to_mask
from seqlab.nn.scan import gru_scan, lstm_scan, rnn_scan

__all__ = ["RNN", "GRU", "LSTM", "reverse_padded"]

IMPLS = ("auto", "kernel", "scan", "loop")


def reverse_padded(x: Tensor, lengths: Tensor | None) -> Tensor:
    """Reverse every sequence within its own length; padding stays where it is.

    x: (B, T, ...) -> (B, T, ...). Applying it twice gives x back. With lengths None it is a
    plain flip over time.
    """
    if lengths is None:
        return x.flip(1)
    T = x.shape[1]
    t = torch.arange(T, device=x.device).unsqueeze(0)  # (1, T)
    L = lengths.to(x.device).unsqueeze(1)  # (B, 1)
    idx = torch.where(t < L, L - 1 - t, t)  # (B, T)
    idx = idx.view(*idx.shape, *([1] * (x.dim() - 2))).expand_as(x)
    return x.gather(1, idx)


def _time_major_inputs(
    cell: nn.Module, x: Tensor, mask: Tensor | None
) -> tuple[Tensor, Tensor, Tensor | None]:
    """W_h and the input half of every gate for all steps, time-major, for the scans.

    x: (B, T, n_x), mask: (B, T) -> W_h (G*n_a, n_a), xp (T, B, G*n_a), mask (T, B).
    One matrix product computes W_x x<t> + b for every t.
    """
    W_h, W_x, b = cell.weights()
    xp = F.linear(x.transpose(0, 1), W_x, b)  # (T, B, G*n_a)
    return W_h, xp, None if mask is None else mask.t()


# torch.nn.RNN/GRU/LSTM arguments seqlab's layers do not take, and why.
_TORCH_ONLY = {
    "batch_first": "seqlab's layers are always batch-first: x is (B, T, E), as torch.nn's with "
    "batch_first=True; leave the argument out (transpose time-first input: x.transpose(0, 1))",
    "bias": "every gate has its bias (b_u, b_r, ...)",
    "proj_size": "there is no projection of a<t>",
    "device": "build the layer, then move it: layer.to(device)",
    "dtype": "build the layer, then convert it: layer.to(dtype)",
}


def _refuse_torch_only_arguments(layer: str, kwargs: dict[str, Any]) -> None:
    """A clear ValueError for a torch.nn argument a seqlab layer does not take (the cell would
    say only that it got an unexpected keyword)."""
    for name in kwargs:
        if name in _TORCH_ONLY:
            raise ValueError(f"{layer}({name}=...): {_TORCH_ONLY[name]}")


class _RecurrentLayer(nn.Module):
    """Deep, bidirectional stack of one cell type; subclasses say which cell and kernels."""

    n_states = 1  # 2 for the LSTM: (a, c)
    # seqlab.diagnose.gradient_flow sets a list here; the loop then records every state a<t>
    # of layer 0's forward direction, through which the recurrence flows.
    _capture_states: list[Tensor] | None = None

    def __init__(
        self,
        input_size: int,
        hidden_size: int,
        *,
        num_layers: int = 1,
        bidirectional: bool = False,
        dropout: float = 0.0,
        impl: str = "auto",
        **cell_kwargs: Any,
    ) -> None:
        super().__init__()
        _refuse_torch_only_arguments(type(self).__name__, cell_kwargs)
        if num_layers < 1:
            raise ValueError(f"num_layers must be >= 1, got {num_layers}")
        if not 0.0 <= dropout < 1.0:
            raise ValueError(f"dropout must be in [0, 1), got {dropout}")
        if impl not in IMPLS:
            raise ValueError(f"impl must be one of {IMPLS}, got {impl!r}")
        self.input_size, self.hidden_size = input_size, hidden_size
        self.num_layers, self.bidirectional, self.dropout = num_layers, bidirectional, dropout
        self.num_directions = 2 if bidirectional else 1
        D = self.num_directions
        self.cells = nn.ModuleList(
            nn.ModuleList(
                self._make_cell(
                    input_size if l == 0 else hidden_size * D, hidden_size, **cell_kwargs
                )
                for _ in range(D)
            )
            for l in range(num_layers)
        )
        self.impl = impl
        if impl == "kernel" and not self.has_kernel:
            raise ValueError(f"impl='kernel' is not available for {self._describe()}: use 'scan'")

    # -- what subclasses provide ---------------------------------------------------------
    def _make_cell(self, input_size: int, hidden_size: int, **kw: Any) -> nn.Module:
        raise NotImplementedError

    @property
    def has_kernel(self) -> bool:
        """True when a fused PyTorch kernel computes exactly this layer's function."""
        return False

    def _describe(self) -> str:
        return type(self).__name__

    # -- checks ----------------------------------------------------------------------------
    def _check(self, x: Tensor, state: Any, lengths: Tensor | None) -> Tensor | None:
        if not isinstance(x, Tensor):
            raise ValueError(f"x must be a torch.Tensor (B, T, n_x), got {type(x).__name__}")
        if x.dim() != 3:
            raise ValueError(f"x must be 3-D (B, T, n_x), got shape {tuple(x.shape)}")
        B, T, n_x = x.shape
        if not x.is_floating_point():
            raise ValueError(f"x must be a floating-point tensor, got dtype {x.dtype}")
        if n_x != self.input_size:
            raise ValueError(f"x has n_x = {n_x} features, expected input_size = {self.input_size}")
        if B == 0 or T == 0:
            raise ValueError(f"empty batch or sequence: x has shape {tuple(x.shape)}")
        if not torch.isfinite(x).all():
            raise ValueError("x contains NaN or infinite values")
        if state is not None:
            states = state if self.n_states == 2 else (state,)
            if self.n_states == 2 and not (isinstance(state, tuple | list) and len(state) == 2):
                raise ValueError("LSTM state must be a tuple (a0, c0)")
            want = (self.num_layers * self.num_directions, B, self.hidden_size)
            for s in states:
                if not isinstance(s, Tensor) or tuple(s.shape) != want:
                    got = tuple(s.shape) if isinstance(s, Tensor) else type(s).__name__
                    raise ValueError(f"initial state must have shape {want}, got {got}")
                if not torch.isfinite(s).all():
                    raise ValueError("initial state contains NaN or infinite values")
        if lengths is None:
            return None
        if not isinstance(lengths, Tensor):
            lengths = torch.as_tensor(lengths)
        if lengths.dim() != 1 or lengths.shape[0] != B:
            raise ValueError(f"lengths must have shape ({B},), got {tuple(lengths.shape)}")
        if lengths.is_floating_point() or lengths.dtype == torch.bool:
            raise ValueError(f"lengths must be an integer tensor, got dtype {lengths.dtype}")
        lo, hi = int(lengths.min()), int(lengths.max())
        if lo <= 0 or hi > T:
            raise ValueError(f"lengths must lie in [1, T = {T}], got min {lo}, max {hi}")
        return lengths

    # -- forward ---------------------------------------------------------------------------
    def forward(
        self,
        x: Tensor,
        state: Any = None,
        lengths: Tensor | None = None,
        *,
        return_gates: bool = False,
    ) -> tuple[Tensor, Any] | tuple[Tensor, Any, list[list[dict[str, Tensor]]]]:
        """Run the stack over a batch of sequences.

        Args:
            x: (B, T, n_x) inputs.
            state: initial state (num_layers * D, B, n_a), a tuple (a0, c0) for the LSTM;
                zeros when None.
            lengths: (B,) real lengths for a padded batch; padded steps neither change any
                state nor produce output (their outputs are zero).
            return_gates: also return every gate per step: ``gates[l][d][name]`` (B, T, n_a).

        Returns:
            a: (B, T, D * n_a) activations of the last layer, final_state (same structure
            as ``state``: each sequence's state after its own last step), and the gates when
            asked.

        Raises:
            ValueError: wrong shape, dtype, NaN, lengths outside [1, T], bad state.
        """
        lengths = self._check(x, state, lengths)
        impl = self.impl
        if impl == "auto":
            impl = "loop" if return_gates else ("kernel" if self.has_kernel else "scan")
        if return_gates and impl != "loop":
            raise ValueError(f"return_gates=True needs impl='loop' or 'auto', not {impl!r}")
        if impl == "kernel":
            return self._forward_kernel(x, state, lengths)
        return self._forward_stack(x, state, lengths, loop=impl == "loop", gates=return_gates)

    def _initial(self, x: Tensor, state: Any) -> list[tuple[Tensor, ...]]:
        """Per (layer, direction) index k, the initial state tuple of (B, n_a) tensors."""
        LD, B, H = self.num_layers * self.num_directions, x.shape[0], self.hidden_size
        if state is None:
            zero = x.new_zeros(B, H)
            return [(zero,) * self.n_states for _ in range(LD)]
        states = state if self.n_states == 2 else (state,)
        return [tuple(s[k] for s in states) for k in range(LD)]

    def _forward_stack(
        self, x: Tensor, state: Any, lengths: Tensor | None, *, loop: bool, gates: bool
    ) -> tuple:
        B, T, _ = x.shape
        mask = None if lengths is None else lengths_to_mask(lengths.to(x.device), T).to(x.dtype)
        init = self._initial(x, state)
        finals: list[tuple[Tensor, ...]] = []
        all_gates: list[list[dict[str, Tensor]]] = []
        layer_in = x  # (B, T, n_x) then (B, T, D*n_a)
        for l, row in enumerate(self.cells):
            outs, layer_gates = [], []
            for d, cell in enumerate(row):
                k = l * self.num_directions + d
                seq = layer_in if d == 0 else reverse_padded(layer_in, lengths)
                if loop:
                    capture = self._capture_states if k == 0 else None
                    out, final, g = self._run_loop(cell, seq, init[k], mask, capture)
                else:
                    out, final, g = self._run_scan(cell, seq, init[k], mask)
                if d == 1:
                    out = reverse_padded(out, lengths)
                    g = {n: reverse_padded(v, lengths) for n, v in g.items()}
                outs.append(out)
                finals.append(final)
                layer_gates.append(g)
            all_gates.append(layer_gates)
            layer_in = outs[0] if len(outs) == 1 else torch.cat(outs, dim=2)  # (B, T, D*n_a)
            if self.dropout > 0 and self.training and l < self.num_layers - 1:
                layer_in = F.dropout(layer_in, self.dropout, training=True)
        final_state = tuple(torch.stack([f[i] for f in finals]) for i in range(self.n_states))
        final_state = final_state if self.n_states == 2 else final_state[0]
        return (layer_in, final_state, all_gates) if gates else (layer_in, final_state)

    def _run_loop(
        self,
        cell: nn.Module,
        x: Tensor,
        init: tuple[Tensor, ...],
        mask: Tensor | None,
        capture: list[Tensor] | None = None,
    ) -> tuple[Tensor, tuple[Tensor, ...], dict[str, Tensor]]:
        """The cell's equations one step at a time under autograd; keeps every gate."""
        state = init if self.n_states == 2 else init[0]
        outs, gates = [], []
        for t, x_t in enumerate(x.unbind(1)):
            new, g = cell.step(x_t, state)
            if mask is not None:
                m = mask[:, t].unsqueeze(1)  # (B, 1): padded steps carry the state unchanged
                if self.n_states == 2:
                    new = tuple(s + m * (n - s) for n, s in zip(new, state))
                else:
                    new = state + m * (new - state)
                g = {n: v * m for n, v in g.items()}
            a_t = new[0] if self.n_states == 2 else new
            if capture is not None:
                capture.append(a_t)
            outs.append(a_t if mask is None else a_t * mask[:, t].unsqueeze(1))
            gates.append(g)
            state = new
        final = state if self.n_states == 2 else (state,)
        stacked = {n: torch.stack([g[n] for g in gates], dim=1) for n in gates[0]}
        return torch.stack(outs, dim=1), tuple(final), stacked

    def _run_scan(
        self, cell: nn.Module, x: Tensor, init: tuple[Tensor, ...], mask: Tensor | None
    ) -> tuple[Tensor, tuple[Tensor, ...], dict[str, Tensor]]:
        raise NotImplementedError

    def _forward_kernel(self, x: Tensor, state: Any, lengths: Tensor | None) -> tuple:
        raise NotImplementedError

    def extra_repr(self) -> str:
        return (
            f"input_size={self.input_size}, hidden_size={self.hidden_size}, "
            f"num_layers={self.num_layers}, bidirectional={self.bidirectional}, "
            f"dropout={self.dropout}, impl={self.impl!r}"
        )


class _KernelMixin:
    """Runs torch's fused multi-layer kernels (torch.rnn_tanh, torch.rnn_relu, torch.lstm)."""

    def _flat_weights(self) -> list[Tensor]:
        # torch wants (w_ih, w_hh, b_ih, b_hh) per layer and direction; our single bias b_g goes
        # in b_ih and b_hh is zero (the sum is what the equations see).
        flat = []
        for row in self.cells:
            for cell in row:
                W_h, W_x, b = cell.weights()
                flat += [W_x.contiguous(), W_h.contiguous(), b, torch.zeros_like(b)]
        return flat

    def _kernel(self):
        raise NotImplementedError

    def _forward_kernel(self, x: Tensor, state: Any, lengths: Tensor | None) -> tuple:
        B, LD, H = x.shape[0], self.num_layers * self.num_directions, self.hidden_size
        if state is None:
            zero = x.new_zeros(LD, B, H)
            hx = (zero, zero) if self.n_states == 2 else zero
        else:
            hx = tuple(state) if self.n_states == 2 else state
        args = (self._flat_weights(), True, self.num_layers, self.dropout, self.training)
        kernel = self._kernel()
        with warnings.catch_warnings():
            # cuDNN warns when weights are not one flat buffer; ours are rebuilt per call.
            warnings.filterwarnings("ignore", message=".*contiguous chunk of memory.*")
            if lengths is None:
                out = kernel(x, hx, *args, self.bidirectional, True)
                a, final = out[0], out[1:]
            else:
                packed = pack_padded_sequence(
                    x, lengths.cpu(), batch_first=True, enforce_sorted=False
                )
                idx = packed.sorted_indices
                hx_sorted = (
                    tuple(h.index_select(1, idx) for h in hx)
                    if self.n_states == 2
                    else hx.index_select(1, idx)
                )
                out = kernel(packed.data, packed.batch_sizes, hx_sorted, *args, self.bidirectional)
                a_packed = packed._replace(data=out[0])
                a, _ = pad_packed_sequence(a_packed, batch_first=True, total_length=x.shape[1])
                unsort = packed.unsorted_indices
                final = tuple(h.index_select(1, unsort) for h in out[1:])
        return (a, tuple(final)) if self.n_states == 2 else (a, final[0])


class RNN(_KernelMixin, _RecurrentLayer):
    """Basic RNN of the notes, deep and bidirectional: a<t> = g(W_a [a<t-1>, x<t>] + b_a).

    Args:
        input_size: n_x.
        hidden_size: n_a.
        num_layers: stacked layers (deep RNN).
        bidirectional: add a backward direction; outputs are [a→<t>, a←<t>].
        dropout: dropout on the activations between layers (training only).
        nonlinearity: "tanh" or "relu".
        impl: "auto", "kernel", "scan" or "loop" (see the module docstring).
    """

    def __init__(self, input_size: int, hidden_size: int, *, nonlinearity: str = "tanh", **kw: Any):
        super().__init__(input_size, hidden_size, nonlinearity=nonlinearity, **kw)
        self.nonlinearity = nonlinearity

    def _make_cell(self, input_size: int, hidden_size: int, **kw: Any) -> nn.Module:
        return RNNCell(input_size, hidden_size, **kw)

    @property
    def has_kernel(self) -> bool:
        return True

    def _kernel(self):
        return torch.rnn_tanh if self.nonlinearity == "tanh" else torch.rnn_relu

    def _run_scan(self, cell, x, init, mask):
        W_h, xp, mask = _time_major_inputs(cell, x, mask)
        a, a_T = rnn_scan(xp, W_h, init[0], mask, relu=cell.nonlinearity == "relu")
        return a.transpose(0, 1), (a_T,), {}


class GRU(_RecurrentLayer):
    """The notes' GRU (Cho et al. 2014), deep and bidirectional. a<t> = c<t>.

    Not torch.nn.GRU: there the reset gate acts after the matrix product and z = 1 - Γu.

    Args:
        input_size: n_x.
        hidden_size: n_a.
        relevance_gate: False gives the simplified GRU of the notes (no Γr).
        num_layers, bidirectional, dropout, impl: as for ``RNN`` ("kernel" is not available).
    """

    def __init__(
        self, input_size: int, hidden_size: int, *, relevance_gate: bool = True, **kw: Any
    ):
        super().__init__(input_size, hidden_size, relevance_gate=relevance_gate, **kw)
        self.relevance_gate = relevance_gate

    def _make_cell(self, input_size: int, hidden_size: int, **kw: Any) -> nn.Module:
        return GRUCell(input_size, hidden_size, **kw)

    def _describe(self) -> str:
        return "the notes' GRU (torch's fused GRU computes a different function)"

    def _run_scan(self, cell, x, init, mask):
        W_h, xp, mask = _time_major_inputs(cell, x, mask)
        c, c_T = gru_scan(xp, W_h, init[0], mask, relevance_gate=cell.relevance_gate)
        return c.transpose(0, 1), (c_T,), {}


class LSTM(_KernelMixin, _RecurrentLayer):
    """The notes' LSTM, deep and bidirectional, optionally with peephole connections.

    Args:
        input_size: n_x.
        hidden_size: n_a.
        peephole: gates also see the memory cell (p_u, p_f from c<t-1>, p_o from c<t>).
        num_layers, bidirectional, dropout, impl: as for ``RNN`` ("kernel" only without
            peepholes).
    """

    n_states = 2

    def __init__(self, input_size: int, hidden_size: int, *, peephole: bool = False, **kw: Any):
        self.peephole = peephole
        super().__init__(input_size, hidden_size, peephole=peephole, **kw)

    def _make_cell(self, input_size: int, hidden_size: int, **kw: Any) -> nn.Module:
        return LSTMCell(input_size, hidden_size, **kw)

    @property
    def has_kernel(self) -> bool:
        return not self.peephole

    def _describe(self) -> str:
        return "the peephole LSTM (no fused kernel has peepholes)"

    def _kernel(self):
        return torch.lstm

    def _run_scan(self, cell, x, init, mask):
        W_h, xp, mask = _time_major_inputs(cell, x, mask)
        p = torch.stack([cell.p_u, cell.p_f, cell.p_o]) if cell.peephole else None  # (3, n_a)
        a, a_T, c_T = lstm_scan(xp, W_h, init[0], init[1], mask, peephole=p)
        return a.transpose(0, 1), (a_T, c_T), {}
