"""Fused sequence kernels with hand-written backpropagation through time.

The cells in ``cells.py`` state the notes' equations once, readably. Running them step by step
under autograd records a dozen graph nodes per step and accumulates every weight gradient one
step at a time. These ``torch.autograd.Function`` s run the same equations over a whole sequence:

- the input half of every gate, ``W_x x<t> + b``, arrives precomputed for all steps in one
  matrix product outside (``xp``), time-major so that each step reads a contiguous slab;
- the forward loop runs without autograd, writing states and gate values into preallocated
  time-major buffers (what BPTT needs, nothing more);
- the backward loop is the notes' BPTT, step by step from t = T down to 1. Every factor that
  does not depend on the incoming gradient (σ', tanh', c̃ - c<t-1>, ...) is computed for all
  steps at once before the loop, so the loop runs only a handful of small ops per step, and the
  recurrent weight gradients are summed over all steps in ONE matrix product at the end.

They are a second implementation of the cells' equations, tested against the cells under
autograd (float64 ``gradcheck`` and value comparisons) in ``tests/nn/test_scan.py``.

Padding: ``mask`` (T, B) marks real steps with 1. At a padded step the state is carried
unchanged (``lerp(h, h_new, m)``) and the output is zero, so padding never leaks into states,
outputs or gradients.

Shapes (time-major, unlike the batch-first layers): xp (T, B, G * H) with the gates in the
cell's ``gate_names`` order; W_h (G * H, H); states (B, H); outputs (T, B, H).
"""

from __future__ import annotations

import torch
from torch import Tensor
from torch.autograd.function import once_differentiable

__all__ = ["rnn_scan", "gru_scan", "lstm_scan"]


def _time_major_mask(mask: Tensor | None) -> Tensor | None:
    """(T, B) -> (T, B, 1), broadcastable against the per-step (B, H) buffers."""
    return None if mask is None else mask.unsqueeze(2)


def _masked_grad(g_out: Tensor | None, M: Tensor | None) -> Tensor | None:
    """dL/d(outputs) (T, B, H); padded outputs are constant zeros, so their gradient is dropped."""
    if g_out is None:
        return None
    return g_out * M if M is not None else g_out


def _outputs(states: Tensor, M: Tensor | None) -> Tensor:
    """Outputs (T, B, H) from the states a<1..T>: a fresh tensor, zero at padded steps."""
    return states * M if M is not None else states.clone()


class _RNNScan(torch.autograd.Function):
    """a<t> = g(W_a [a<t-1>, x<t>] + b_a) over a sequence; g = tanh or relu."""

    @staticmethod
    def forward(ctx, xp, W_h, a0, mask, relu: bool):  # noqa: D102
        T, B, H = xp.shape
        W = W_h.contiguous().t()  # (H, H); a contiguous copy multiplies ~10% faster per step
        AS = xp.new_empty(T + 1, B, H)  # states a<0..T>
        Y = xp.new_empty(T, B, H)  # g(pre) per step, before masking
        AS[0] = a0
        M = _time_major_mask(mask)
        for t in range(T):
            y = torch.addmm(xp[t], AS[t], W, out=Y[t])
            y.relu_() if relu else y.tanh_()
            if M is None:
                AS[t + 1] = y
            else:
                torch.lerp(AS[t], y, M[t], out=AS[t + 1])
        ctx.save_for_backward(W_h)
        ctx.relu, ctx.AS, ctx.Y, ctx.M = relu, AS, Y, M
        return _outputs(AS[1:], M), AS[-1].clone()

    @staticmethod
    @once_differentiable
    def backward(ctx, g_out, g_last):  # noqa: D102
        (W_h,) = ctx.saved_tensors
        AS, Y, M = ctx.AS, ctx.Y, ctx.M
        T, B, H = Y.shape
        D = (Y > 0).to(Y.dtype) if ctx.relu else 1 - Y * Y  # g'(pre) from g(pre)
        if M is not None:
            D = D * M
        gs = _masked_grad(g_out, M)
        DXP = torch.empty_like(Y)
        W_h = W_h.contiguous()
        da = g_last.clone() if g_last is not None else AS.new_zeros(B, H)
        for t in range(T - 1, -1, -1):
            e = da if gs is None else da + gs[t]  # dL/da<t>: (B, H)
            dpre = torch.mul(e, D[t], out=DXP[t])
            da = dpre @ W_h if M is None else torch.addmm(da * (1 - M[t]), dpre, W_h)
        dW_h = DXP.view(T * B, H).t() @ AS[:-1].reshape(T * B, H)  # (H, H)
        return DXP, dW_h, da, None, None


class _GRUScan(torch.autograd.Function):
    """The notes' GRU over a sequence; ``relevance_gate=False`` is the simplified GRU.

    Forward, per step (6 ops): [Γu, Γr] = σ(xp_ur + c W_ur^T); c̃ = tanh(xp_c + (Γr * c) W_c^T);
    c<t> = lerp(c<t-1>, c̃, Γu) = Γu * c̃ + (1 - Γu) * c<t-1>. A padded step uses Γu * m = 0.

    Backward: every factor that does not depend on the incoming gradient (σ', tanh', c̃ - c, ...)
    is computed for all steps at once before the loop, which then runs 8 small ops per step.
    """

    @staticmethod
    def forward(ctx, xp, W_h, c0, mask, relevance_gate: bool):  # noqa: D102
        T, B, GH = xp.shape
        H = c0.shape[1]
        W_h = W_h.contiguous()  # one copy; strided weights multiply ~10% slower per step
        W_ur, W_c = W_h[: 2 * H].t(), W_h[2 * H :].t()  # (H, 2H), (H, H)
        CS = xp.new_empty(T + 1, B, H)  # states c<0..T>
        G = xp.new_empty(T, B, GH)  # post-activation gates per step: Γu, (Γr,) c̃
        CS[0] = c0
        M = _time_major_mask(mask)
        for t in range(T):
            xp_t, c, g = xp[t], CS[t], G[t]
            if relevance_gate:
                torch.addmm(xp_t[:, : 2 * H], c, W_ur, out=g[:, : 2 * H]).sigmoid_()
                gamma_u, gamma_r = g[:, :H], g[:, H : 2 * H]
                c_tilde = torch.addmm(xp_t[:, 2 * H :], gamma_r * c, W_c, out=g[:, 2 * H :])
            else:
                torch.addmm(xp_t, c, W_ur, out=g)
                gamma_u, c_tilde = g[:, :H].sigmoid_(), g[:, H:]
            c_tilde.tanh_()
            update = gamma_u if M is None else gamma_u * M[t]  # (B, H)
            torch.lerp(c, c_tilde, update, out=CS[t + 1])  # c + Γu (c̃ - c)
        ctx.save_for_backward(W_h)  # inputs through save_for_backward: in-place edits are caught
        ctx.relevance_gate, ctx.CS, ctx.G, ctx.M = relevance_gate, CS, G, M
        return _outputs(CS[1:], M), CS[-1].clone()

    @staticmethod
    @once_differentiable
    def backward(ctx, g_out, g_last):  # noqa: D102
        (W_h,) = ctx.saved_tensors
        CS, G, M, rg = ctx.CS, ctx.G, ctx.M, ctx.relevance_gate
        T, B, H = G.shape[0], G.shape[1], CS.shape[2]
        C = CS[:-1]  # (T, B, H) c<t-1>
        U, CT = G[..., :H], G[..., -H:]  # Γu, c̃: (T, B, H)
        update = U if M is None else U * M
        K_u = (CT - C) * U * (1 - U)  # dL/dpre_u = d * K_u
        K_c = update * (1 - CT * CT)  # dL/dpre_c = d * K_c
        K_keep = 1 - update  # direct path c<t-1> -> c<t>
        if M is not None:
            K_u = K_u * M
        if rg:
            R = G[..., H : 2 * H]
            K_r = C * R * (1 - R)  # dL/dpre_r = d(Γr c) * K_r
        gs = _masked_grad(g_out, M)
        DXP = G.new_empty(T, B, G.shape[2])  # dL/dxp, time-major
        dc = g_last.clone() if g_last is not None else CS.new_zeros(B, H)
        W_h = W_h.contiguous()
        W_direct = W_h[: 2 * H]  # rows multiplying c<t-1> itself: (u, r) or (u, c)
        W_c = W_h[2 * H :]
        for t in range(T - 1, -1, -1):
            d = dc if gs is None else dc + gs[t]  # dL/dc<t>: (B, H)
            dxp = DXP[t]
            torch.mul(d, K_u[t], out=dxp[:, :H])
            d_pre_c = torch.mul(d, K_c[t], out=dxp[:, -H:])  # (B, H)
            dc = d * K_keep[t]
            if rg:
                d_rc = d_pre_c @ W_c  # dL/d(Γr * c<t-1>): (B, H)
                torch.mul(d_rc, K_r[t], out=dxp[:, H : 2 * H])
                dc.addcmul_(d_rc, R[t])
            dc.addmm_(dxp[:, : 2 * H], W_direct)
        if rg:
            flat = DXP.view(T * B, 3 * H)
            dW_ur = flat[:, : 2 * H].t() @ C.reshape(T * B, H)  # (2H, H)
            dW_c = flat[:, 2 * H :].t() @ (R * C).reshape(T * B, H)  # (H, H)
            dW_h = torch.cat([dW_ur, dW_c])  # (3H, H)
        else:
            dW_h = DXP.view(T * B, 2 * H).t() @ C.reshape(T * B, H)  # (2H, H)
        return DXP, dW_h, dc, None, None


class _LSTMScan(torch.autograd.Function):
    """The notes' LSTM over a sequence; optional peephole weights p (3, H) = (p_u, p_f, p_o).

    Same structure as the GRU scan: states and gates in preallocated time-major buffers during
    the forward loop, all gradient factors computed for every step at once before the backward
    loop.
    """

    @staticmethod
    def forward(ctx, xp, W_h, a0, c0, p, mask):  # noqa: D102
        T, B, _ = xp.shape
        H = a0.shape[1]
        W = W_h.contiguous().t()  # (H, 4H)
        AS, CS = xp.new_empty(T + 1, B, H), xp.new_empty(T + 1, B, H)  # a<0..T>, c<0..T>
        G = xp.new_empty(T, B, 4 * H)  # Γu, Γf, c̃, Γo per step
        TC = xp.new_empty(T, B, H)  # tanh(c<t>)
        AS[0], CS[0] = a0, c0
        M = _time_major_mask(mask)
        for t in range(T):
            xp_t, a, c, g = xp[t], AS[t], CS[t], G[t]
            torch.addmm(xp_t, a, W, out=g)
            if p is not None:
                g.view(B, 4, H)[:, :2].addcmul_(p[:2], c.unsqueeze(1))  # + p_u c, + p_f c
            g[:, : 2 * H].sigmoid_()
            gamma_u, gamma_f = g[:, :H], g[:, H : 2 * H]
            c_tilde = g[:, 2 * H : 3 * H].tanh_()
            c_new = torch.addcmul(gamma_f * c, gamma_u, c_tilde)  # (B, H)
            if p is not None:
                g[:, 3 * H :].addcmul_(p[2], c_new)  # + p_o c<t>
            gamma_o = g[:, 3 * H :].sigmoid_()
            tanh_c = torch.tanh(c_new, out=TC[t])
            if M is None:
                CS[t + 1] = c_new
                torch.mul(gamma_o, tanh_c, out=AS[t + 1])
            else:  # padded steps carry the state
                torch.lerp(c, c_new, M[t], out=CS[t + 1])
                torch.lerp(a, gamma_o * tanh_c, M[t], out=AS[t + 1])
        ctx.save_for_backward(W_h, p)
        ctx.AS, ctx.CS, ctx.G, ctx.TC, ctx.M = AS, CS, G, TC, M
        return _outputs(AS[1:], M), AS[-1].clone(), CS[-1].clone()

    @staticmethod
    @once_differentiable
    def backward(ctx, g_out, g_a_last, g_c_last):  # noqa: D102
        W_h, p = ctx.saved_tensors
        AS, CS, G, TC, M = ctx.AS, ctx.CS, ctx.G, ctx.TC, ctx.M
        T, B, H = TC.shape
        G4 = G.view(T, B, 4, H)
        U, F_, CT, O = G4.unbind(2)  # (T, B, H) each
        C_prev, C_new = CS[:-1], CS[1:]  # at padded steps every factor below is masked anyway
        K_o = TC * O * (1 - O)  # dL/dpre_o = e * K_o, e = dL/da<t>
        K_c = O * (1 - TC * TC)  # dL/dc<t> += e * K_c
        K3 = torch.stack([CT * U * (1 - U), C_prev * F_ * (1 - F_), U * (1 - CT * CT)], dim=2)
        if M is not None:
            K_o, K_c = K_o * M, K_c * M
        gs = _masked_grad(g_out, M)
        DXP = G.new_empty(T, B, 4 * H)
        DXP4 = DXP.view(T, B, 4, H)
        W_h = W_h.contiguous()
        da = g_a_last.clone() if g_a_last is not None else AS.new_zeros(B, H)
        dc = g_c_last.clone() if g_c_last is not None else CS.new_zeros(B, H)
        for t in range(T - 1, -1, -1):
            e = da if gs is None else da + gs[t]  # dL/da<t>: (B, H)
            d_pre_o = torch.mul(e, K_o[t], out=DXP4[t, :, 3])
            dc_new = dc if M is None else dc * M[t]
            dc_new = torch.addcmul(dc_new, e, K_c[t])  # dL/dc<t>: (B, H)
            if p is not None:
                dc_new.addcmul_(d_pre_o, p[2])
            torch.mul(dc_new.unsqueeze(1), K3[t], out=DXP4[t, :, :3])
            dc_prev = dc_new * F_[t]
            if p is not None:
                dc_prev.addcmul_(DXP4[t, :, 0], p[0]).addcmul_(DXP4[t, :, 1], p[1])
            if M is None:
                da = DXP[t] @ W_h
            else:
                keep = 1 - M[t]
                dc_prev.addcmul_(dc, keep)
                da = torch.addmm(da * keep, DXP[t], W_h)
            dc = dc_prev
        dW_h = DXP.view(T * B, 4 * H).t() @ AS[:-1].reshape(T * B, H)  # (4H, H)
        dp = None
        if p is not None:
            dp = torch.stack([
                (DXP4[:, :, 0] * C_prev).sum((0, 1)),
                (DXP4[:, :, 1] * C_prev).sum((0, 1)),
                (DXP4[:, :, 3] * C_new).sum((0, 1)),
            ])  # fmt: skip
        return DXP, dW_h, da, dc, dp, None


def rnn_scan(
    xp: Tensor, W_h: Tensor, a0: Tensor, mask: Tensor | None = None, *, relu: bool = False
) -> tuple[Tensor, Tensor]:
    """Basic RNN over a sequence. xp: (T, B, H), W_h: (H, H), a0: (B, H), mask: (T, B).

    Returns:
        a: (T, B, H) outputs (zero at padded steps), a_T: (B, H) each sequence's last state.
    """
    return _RNNScan.apply(xp, W_h, a0, mask, relu)


def gru_scan(
    xp: Tensor, W_h: Tensor, c0: Tensor, mask: Tensor | None = None, *, relevance_gate: bool = True
) -> tuple[Tensor, Tensor]:
    """GRU over a sequence. xp: (T, B, G*H) gates (u, r, c) or (u, c); W_h: (G*H, H); c0: (B, H).

    Returns:
        c: (T, B, H) outputs (zero at padded steps), c_T: (B, H) each sequence's last state.
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
    """LSTM over a sequence. xp: (T, B, 4H) gates (u, f, c, o); W_h: (4H, H); a0, c0: (B, H).

    Args:
        peephole: (3, H) rows p_u, p_f, p_o, or None.

    Returns:
        a: (T, B, H) outputs (zero at padded steps), a_T, c_T: (B, H) last states.
    """
    return _LSTMScan.apply(xp, W_h, a0, c0, peephole, mask)
