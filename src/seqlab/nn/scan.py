"""Fused sequence kernels with hand-written backpropagation through time.

The cells in ``cells.py`` state the notes' equations once, readably. Running them step by step
under autograd records a dozen graph nodes per step and accumulates every weight gradient one
step at a time. These ``torch.autograd.Function`` s run the same equations over a whole sequence:

- the input half of every gate, ``W_x x<t> + b``, arrives precomputed for all steps (one matrix
  product outside, ``xp``), and is read per step with ``unbind`` (indexing ``xp[:, t]`` inside
  the loop would make autograd build a full-size zero gradient per step);
- the forward loop runs without autograd and keeps only the gate values BPTT needs;
- the backward loop is the notes' BPTT, step by step from t = T down to 1, and the recurrent
  weight gradients are summed over all steps in ONE matrix product at the end.

They are a second implementation of the cells' equations, tested against the cells under
autograd (float64 ``gradcheck`` and value comparisons) in ``tests/nn/test_scan.py``.

Padding: ``mask`` (B, T) marks real steps. At a padded step the state is carried unchanged and
the output is zero, so padding never leaks into states, outputs or gradients. Every recurrence
below is written in its masked form ``h + m * (h_new - h)``.

Shapes: xp (B, T, G * H) with the gates in the cell's ``gate_names`` order; W_h (G * H, H);
states (B, H); mask (B, T) of 0/1 in the dtype of xp, or None.
"""

from __future__ import annotations

import torch
from torch import Tensor
from torch.autograd.function import once_differentiable

__all__ = ["rnn_scan", "gru_scan", "lstm_scan"]


def _steps(mask: Tensor | None, T: int) -> list[Tensor | None]:
    """Per-step masks (B, 1), or Nones."""
    return [None] * T if mask is None else [m.unsqueeze(1) for m in mask.unbind(1)]


def _stack_outputs(outs: list[Tensor]) -> Tensor:
    return torch.stack(outs, dim=1)  # (B, T, H)


class _RNNScan(torch.autograd.Function):
    """a<t> = g(W_a [a<t-1>, x<t>] + b_a) over a sequence; g = tanh or relu."""

    @staticmethod
    def forward(ctx, xp, W_h, a0, mask, relu: bool):  # noqa: D102
        a, outs, prevs = a0, [], []
        for xp_t, m in zip(xp.unbind(1), _steps(mask, xp.shape[1])):
            pre = torch.addmm(xp_t, a, W_h.t())  # (B, H)
            a_new = pre.relu_() if relu else pre.tanh_()  # (B, H)
            prevs.append(a)
            if m is not None:
                a_new = a + m * (a_new - a)  # (B, H)
                outs.append(a_new * m)
            else:
                outs.append(a_new)
            a = a_new
        ctx.relu = relu
        # The post-activation value of every step is what the derivative of g needs.
        ctx.save_for_backward(W_h, torch.stack(prevs), _stack_outputs(outs), mask)
        return _stack_outputs(outs), a

    @staticmethod
    @once_differentiable
    def backward(ctx, g_out, g_last):  # noqa: D102
        W_h, A_prev, out, mask = ctx.saved_tensors
        T = out.shape[1]
        ms = _steps(mask, T)
        da = g_last.clone() if g_last is not None else torch.zeros_like(A_prev[0])
        g_out = torch.zeros_like(out) if g_out is None else g_out
        dpres = [None] * T
        outs, gs = out.unbind(1), g_out.unbind(1)
        for t in range(T - 1, -1, -1):
            m = ms[t]
            da_new = da + gs[t] if m is None else m * (da + gs[t])  # (B, H)
            a_t = outs[t]
            dpre = da_new * (a_t > 0) if ctx.relu else da_new * (1 - a_t * a_t)  # (B, H)
            dpres[t] = dpre
            da = dpre @ W_h if m is None else (1 - m) * da + dpre @ W_h  # (B, H)
        dxp = torch.stack(dpres, dim=1)  # (B, T, H)
        H = W_h.shape[1]
        dW_h = dxp.transpose(0, 1).reshape(-1, H).t() @ A_prev.reshape(-1, H)  # (H, H)
        return dxp, dW_h, da, None, None


class _GRUScan(torch.autograd.Function):
    """The notes' GRU over a sequence; ``relevance_gate=False`` is the simplified GRU."""

    @staticmethod
    def forward(ctx, xp, W_h, c0, mask, relevance_gate: bool):  # noqa: D102
        H = c0.shape[1]
        W_g, W_c = W_h[: 2 * H], W_h[2 * H :]  # (u, r) read c_prev; c reads Γr * c_prev
        c, outs, prevs, gates = c0, [], [], []
        for xp_t, m in zip(xp.unbind(1), _steps(mask, xp.shape[1])):
            if relevance_gate:
                g = torch.addmm(xp_t[:, : 2 * H], c, W_g.t()).sigmoid_()  # (B, 2H)
                gamma_u, gamma_r = g[:, :H], g[:, H:]
                c_tilde = torch.addmm(xp_t[:, 2 * H :], gamma_r * c, W_c.t()).tanh_()  # (B, H)
                gates.append(torch.cat([g, c_tilde], dim=1))  # (B, 3H)
            else:
                g = torch.addmm(xp_t, c, W_h.t())  # (B, 2H)
                gamma_u, c_tilde = g[:, :H].sigmoid_(), g[:, H:].tanh_()
                gates.append(g)
            update = gamma_u if m is None else gamma_u * m  # (B, H)
            prevs.append(c)
            c_new = torch.addcmul(c, update, c_tilde - c)  # c + Γu (c̃ - c): (B, H)
            outs.append(c_new if m is None else c_new * m)
            c = c_new
        ctx.relevance_gate = relevance_gate
        ctx.save_for_backward(W_h, torch.stack(prevs), torch.stack(gates), mask)
        return _stack_outputs(outs), c

    @staticmethod
    @once_differentiable
    def backward(ctx, g_out, g_last):  # noqa: D102
        W_h, C_prev, G, mask = ctx.saved_tensors
        T, _, H = C_prev.shape
        rg = ctx.relevance_gate
        ms = _steps(mask, T)
        dc = g_last.clone() if g_last is not None else torch.zeros_like(C_prev[0])
        gs = [None] * T if g_out is None else g_out.unbind(1)
        W_direct = W_h[: 2 * H]  # rows that multiply c_prev itself (u, r) or (u, c)
        W_c = W_h[2 * H :]
        dxps = [None] * T
        for t in range(T - 1, -1, -1):
            m, c_prev, g = ms[t], C_prev[t], G[t]
            gamma_u, c_tilde = g[:, :H], g[:, -H:]
            d_new = dc if gs[t] is None else dc + gs[t]  # (B, H)
            update = gamma_u
            if m is not None:
                d_new, update = d_new * m, gamma_u * m
            d_gamma_u = d_new * (c_tilde - c_prev)  # (B, H)
            d_pre_c = d_new * update * (1 - c_tilde * c_tilde)  # (B, H)
            dc = d_new * (1 - update) if m is None else dc * (1 - m) + d_new * (1 - update)
            d_pre_u = d_gamma_u * gamma_u * (1 - gamma_u)  # (B, H)
            if rg:
                gamma_r = g[:, H : 2 * H]
                d_rc = d_pre_c @ W_c  # d(Γr * c_prev): (B, H)
                d_pre_r = d_rc * c_prev * gamma_r * (1 - gamma_r)  # (B, H)
                dc = dc + d_rc * gamma_r
                d_direct = torch.cat([d_pre_u, d_pre_r], dim=1)  # (B, 2H)
                dc = dc + d_direct @ W_direct
                dxps[t] = torch.cat([d_direct, d_pre_c], dim=1)  # (B, 3H)
            else:
                d_direct = torch.cat([d_pre_u, d_pre_c], dim=1)  # (B, 2H)
                dc = dc + d_direct @ W_direct
                dxps[t] = d_direct
        dxp = torch.stack(dxps, dim=1)  # (B, T, G*H)
        dG = dxp.transpose(0, 1)  # (T, B, G*H)
        flat_prev = C_prev.reshape(-1, H)  # (T*B, H)
        if rg:
            rc = (G[:, :, H : 2 * H] * C_prev).reshape(-1, H)  # Γr * c_prev: (T*B, H)
            dW_direct = dG[:, :, : 2 * H].reshape(-1, 2 * H).t() @ flat_prev  # (2H, H)
            dW_c = dG[:, :, 2 * H :].reshape(-1, H).t() @ rc  # (H, H)
            dW_h = torch.cat([dW_direct, dW_c], dim=0)  # (3H, H)
        else:
            dW_h = dG.reshape(-1, 2 * H).t() @ flat_prev  # (2H, H)
        return dxp, dW_h, dc, None, None


class _LSTMScan(torch.autograd.Function):
    """The notes' LSTM over a sequence; optional peephole weights p (3, H) = (p_u, p_f, p_o)."""

    @staticmethod
    def forward(ctx, xp, W_h, a0, c0, p, mask):  # noqa: D102
        H = a0.shape[1]
        a, c = a0, c0
        outs, a_prevs, c_prevs, c_news, gates = [], [], [], [], []
        for xp_t, m in zip(xp.unbind(1), _steps(mask, xp.shape[1])):
            g = torch.addmm(xp_t, a, W_h.t())  # (B, 4H) in order u, f, c, o
            if p is not None:
                g[:, : 2 * H] += torch.cat([p[0] * c, p[1] * c], dim=1)
            g[:, : 2 * H].sigmoid_()
            gamma_u, gamma_f = g[:, :H], g[:, H : 2 * H]
            c_tilde = g[:, 2 * H : 3 * H].tanh_()
            c_new = gamma_u * c_tilde + gamma_f * c  # (B, H)
            if p is not None:
                g[:, 3 * H :] += p[2] * c_new
            gamma_o = g[:, 3 * H :].sigmoid_()
            a_new = gamma_o * torch.tanh(c_new)  # (B, H)
            a_prevs.append(a)
            c_prevs.append(c)
            c_news.append(c_new)
            gates.append(g)
            if m is not None:
                outs.append(a_new * m)
                a_new = a + m * (a_new - a)
                c_new = c + m * (c_new - c)
            else:
                outs.append(a_new)
            a, c = a_new, c_new
        ctx.save_for_backward(
            W_h, p, torch.stack(a_prevs), torch.stack(c_prevs), torch.stack(c_news),
            torch.stack(gates), mask,
        )  # fmt: skip
        return _stack_outputs(outs), a, c

    @staticmethod
    @once_differentiable
    def backward(ctx, g_out, g_a_last, g_c_last):  # noqa: D102
        W_h, p, A_prev, C_prev, C_new, G, mask = ctx.saved_tensors
        T, _, H = A_prev.shape
        ms = _steps(mask, T)
        da = g_a_last.clone() if g_a_last is not None else torch.zeros_like(A_prev[0])
        dc = g_c_last.clone() if g_c_last is not None else torch.zeros_like(C_prev[0])
        gs = [None] * T if g_out is None else g_out.unbind(1)
        dxps = [None] * T
        for t in range(T - 1, -1, -1):
            m, g, c_prev, c_new = ms[t], G[t], C_prev[t], C_new[t]
            gamma_u, gamma_f = g[:, :H], g[:, H : 2 * H]
            c_tilde, gamma_o = g[:, 2 * H : 3 * H], g[:, 3 * H :]
            da_new = da if gs[t] is None else da + gs[t]  # (B, H)
            dc_new = dc
            if m is not None:
                da_new, dc_new = da_new * m, dc * m
            tanh_c = torch.tanh(c_new)  # (B, H)
            d_pre_o = da_new * tanh_c * gamma_o * (1 - gamma_o)  # (B, H)
            dc_new = dc_new + da_new * gamma_o * (1 - tanh_c * tanh_c)  # (B, H)
            if p is not None:
                dc_new = dc_new + d_pre_o * p[2]
            d_pre_u = dc_new * c_tilde * gamma_u * (1 - gamma_u)  # (B, H)
            d_pre_f = dc_new * c_prev * gamma_f * (1 - gamma_f)  # (B, H)
            d_pre_c = dc_new * gamma_u * (1 - c_tilde * c_tilde)  # (B, H)
            dG = torch.cat([d_pre_u, d_pre_f, d_pre_c, d_pre_o], dim=1)  # (B, 4H)
            dxps[t] = dG
            dc_prev = dc_new * gamma_f  # (B, H)
            if p is not None:
                dc_prev = dc_prev + d_pre_u * p[0] + d_pre_f * p[1]
            da_prev = dG @ W_h  # (B, H)
            if m is not None:
                dc_prev = dc_prev + (1 - m) * dc
                da_prev = da_prev + (1 - m) * da
            da, dc = da_prev, dc_prev
        dxp = torch.stack(dxps, dim=1)  # (B, T, 4H)
        dGt = dxp.transpose(0, 1)  # (T, B, 4H)
        dW_h = dGt.reshape(-1, 4 * H).t() @ A_prev.reshape(-1, H)  # (4H, H)
        dp = None
        if p is not None:
            dp = torch.stack(
                [
                    (dGt[:, :, :H] * C_prev).sum((0, 1)),
                    (dGt[:, :, H : 2 * H] * C_prev).sum((0, 1)),
                    (dGt[:, :, 3 * H :] * C_new).sum((0, 1)),
                ]
            )  # (3, H)
        return dxp, dW_h, da, dc, dp, None


def rnn_scan(
    xp: Tensor, W_h: Tensor, a0: Tensor, mask: Tensor | None = None, *, relu: bool = False
) -> tuple[Tensor, Tensor]:
    """Basic RNN over a sequence. xp: (B, T, H), W_h: (H, H), a0: (B, H) -> a (B, T, H), a_T."""
    return _RNNScan.apply(xp, W_h, a0, mask, relu)


def gru_scan(
    xp: Tensor, W_h: Tensor, c0: Tensor, mask: Tensor | None = None, *, relevance_gate: bool = True
) -> tuple[Tensor, Tensor]:
    """GRU over a sequence. xp: (B, T, G*H) gates (u, r, c) or (u, c); W_h: (G*H, H); c0: (B, H).

    Returns:
        c: (B, T, H) outputs (zero at padded steps), c_T: (B, H) each sequence's last state.
    """
    return _GRUScan.apply(xp, W_h, c0, mask, relevance_gate)


def lstm_scan(
    xp: Tensor,
    W_h: Tensor,
    a0: Tensor,
    c0: Tensor,
    mask: Tensor | None = None,
    *,
    peephole: Tensor | None = None,
) -> tuple[Tensor, Tensor, Tensor]:
    """LSTM over a sequence. xp: (B, T, 4H) gates (u, f, c, o); W_h: (4H, H); a0, c0: (B, H).

    Args:
        peephole: (3, H) rows p_u, p_f, p_o, or None.

    Returns:
        a: (B, T, H) outputs (zero at padded steps), a_T, c_T: (B, H) last states.
    """
    return _LSTMScan.apply(xp, W_h, a0, c0, peephole, mask)
