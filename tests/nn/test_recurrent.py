"""Recurrent layers: torch.nn on copied weights, an independent GRU reference, every impl agrees,
padding never leaks, bad input is refused."""

import numpy as np
import pytest
import torch

from seqlab.nn import GRU, LSTM, RNN, reverse_padded

B, T, n_x, n_a = 2, 5, 3, 8
IMPLS = ["kernel", "scan", "loop"]


def copy_to_torch(ours, ref):
    """Copy seqlab weights into a torch.nn.RNN/LSTM: [W_h | W_x] split, our bias into bias_ih."""
    with torch.no_grad():
        for l, row in enumerate(ours.cells):
            for d, cell in enumerate(row):
                sfx = f"_l{l}" + ("_reverse" if d else "")
                W_h, W_x, b = cell.weights()
                getattr(ref, "weight_ih" + sfx).copy_(W_x)
                getattr(ref, "weight_hh" + sfx).copy_(W_h)
                getattr(ref, "bias_ih" + sfx).copy_(b)
                getattr(ref, "bias_hh" + sfx).zero_()


def grads_by_cell(ours):
    """Our parameter gradients regrouped as torch.nn names them, for comparison."""
    out = {}
    for l, row in enumerate(ours.cells):
        for d, cell in enumerate(row):
            sfx = f"_l{l}" + ("_reverse" if d else "")
            W = torch.cat([getattr(cell, f"W_{g}").grad for g in cell.gate_names])
            out["weight_hh" + sfx] = W[:, : cell.hidden_size]
            out["weight_ih" + sfx] = W[:, cell.hidden_size :]
            out["bias_ih" + sfx] = torch.cat(
                [getattr(cell, f"b_{g}").grad for g in cell.gate_names]
            )
    return out


def run(layer, x, state=None, lengths=None):
    x = x.clone().requires_grad_()
    layer.zero_grad()
    a, final = layer(x, state, lengths=lengths)
    finals = final if isinstance(final, tuple) else (final,)
    weights = torch.linspace(-1, 1, a.numel(), dtype=a.dtype).view_as(a)
    ((a * weights).sum() + sum((f**2).sum() for f in finals)).backward()
    return a.detach(), [f.detach() for f in finals], x.grad


def torch_run(ref, x, lengths, n_states):
    x = x.clone().requires_grad_()
    ref.zero_grad()
    if lengths is None:
        a, final = ref(x)
    else:
        packed = torch.nn.utils.rnn.pack_padded_sequence(x, lengths, True, enforce_sorted=False)
        a, final = ref(packed)
        a, _ = torch.nn.utils.rnn.pad_packed_sequence(a, True, total_length=x.shape[1])
    finals = final if isinstance(final, tuple) else (final,)
    weights = torch.linspace(-1, 1, a.numel(), dtype=a.dtype).view_as(a)
    ((a * weights).sum() + sum((f**2).sum() for f in finals)).backward()
    return a.detach(), [f.detach() for f in finals], x.grad


CASES = [
    (RNN, torch.nn.RNN, {"nonlinearity": "tanh"}),
    (RNN, torch.nn.RNN, {"nonlinearity": "relu"}),
    (LSTM, torch.nn.LSTM, {}),
]


@pytest.mark.parametrize("impl", IMPLS)
@pytest.mark.parametrize("ours_cls,ref_cls,kw", CASES)
@pytest.mark.parametrize("num_layers,bidirectional", [(1, False), (2, True)])
@pytest.mark.parametrize("padded", [False, True])
def test_matches_torch_nn_on_copied_weights(
    ours_cls, ref_cls, kw, impl, num_layers, bidirectional, padded
):
    ours = ours_cls(n_x, n_a, num_layers=num_layers, bidirectional=bidirectional, impl=impl, **kw)
    ref = ref_cls(
        n_x, n_a, num_layers=num_layers, bidirectional=bidirectional, batch_first=True, **kw
    )
    copy_to_torch(ours, ref)
    x = torch.randn(3, T, n_x)
    lengths = torch.tensor([5, 2, 4]) if padded else None
    a, finals, dx = run(ours, x, lengths=lengths)
    a_ref, finals_ref, dx_ref = torch_run(ref, x, lengths, len(finals))
    torch.testing.assert_close(a, a_ref, atol=1e-5, rtol=1e-5)
    for f, f_ref in zip(finals, finals_ref):
        torch.testing.assert_close(f, f_ref, atol=1e-5, rtol=1e-5)
    torch.testing.assert_close(dx, dx_ref, atol=1e-5, rtol=1e-5)
    for name, g in grads_by_cell(ours).items():
        torch.testing.assert_close(g, getattr(ref, name).grad, atol=1e-5, rtol=1e-5, msg=name)


# An independent NumPy GRU of the notes, written here without looking at seqlab.nn.
def numpy_gru(x, c0, P, relevance_gate):
    def sig(z):
        return 1 / (1 + np.exp(-z))

    c, out = c0, []
    for t in range(x.shape[1]):
        xt = x[:, t]
        gu = sig(np.hstack([c, xt]) @ P["W_u"].T + P["b_u"])
        rc = sig(np.hstack([c, xt]) @ P["W_r"].T + P["b_r"]) * c if relevance_gate else c
        ct = np.tanh(np.hstack([rc, xt]) @ P["W_c"].T + P["b_c"])
        c = gu * ct + (1 - gu) * c
        out.append(c)
    return np.stack(out, 1), c


@pytest.mark.parametrize("impl", ["scan", "loop"])
@pytest.mark.parametrize("relevance_gate", [True, False])
def test_gru_matches_independent_numpy_reference(impl, relevance_gate):
    layer = GRU(n_x, n_a, relevance_gate=relevance_gate, impl=impl).double()
    x = torch.randn(B, T, n_x, dtype=torch.float64)
    c0 = torch.randn(1, B, n_a, dtype=torch.float64)
    P = {k: v.detach().numpy() for k, v in layer.cells[0][0].named_parameters()}
    want, want_last = numpy_gru(x.numpy(), c0[0].numpy(), P, relevance_gate)
    a, last = layer(x, c0)
    np.testing.assert_allclose(a.detach().numpy(), want, rtol=1e-12, atol=1e-12)
    np.testing.assert_allclose(last[0].detach().numpy(), want_last, rtol=1e-12, atol=1e-12)


def test_gru_is_not_torch_gru():
    # Same shapes, different function: the relevance gate acts before the product in the notes.
    layer = GRU(n_x, n_a, impl="scan")
    x = torch.randn(B, T, n_x)
    ref = torch.nn.GRU(n_x, n_a, batch_first=True)
    with torch.no_grad():
        W_h, W_x, b = layer.cells[0][0].weights()
        ref.weight_ih_l0.copy_(W_x)
        ref.weight_hh_l0.copy_(W_h)
        ref.bias_ih_l0.copy_(b)
        ref.bias_hh_l0.zero_()
    assert not torch.allclose(layer(x)[0], ref(x)[0], atol=1e-3)


ALL = [
    (RNN, {}),
    (RNN, {"nonlinearity": "relu"}),
    (GRU, {}),
    (GRU, {"relevance_gate": False}),
    (LSTM, {}),
    (LSTM, {"peephole": True}),
]


def impls_of(layer):
    return ["kernel", "scan", "loop"] if layer.has_kernel else ["scan", "loop"]


@pytest.mark.parametrize("cls,kw", ALL)
@pytest.mark.parametrize("num_layers,bidirectional", [(1, False), (1, True), (2, True)])
def test_every_impl_agrees_with_the_loop(cls, kw, num_layers, bidirectional):
    layer = cls(n_x, n_a, num_layers=num_layers, bidirectional=bidirectional, **kw).double()
    x = torch.randn(3, T, n_x, dtype=torch.float64)
    lengths = torch.tensor([5, 1, 3])
    D = 2 if bidirectional else 1
    h0 = torch.randn(num_layers * D, 3, n_a, dtype=torch.float64)
    state = (h0, torch.randn_like(h0)) if cls is LSTM else h0
    results = {}
    for impl in impls_of(layer):
        layer.impl = impl
        a, finals, dx = run(layer, x, state, lengths)
        grads = [p.grad.clone() for p in layer.parameters()]
        results[impl] = (a, finals, dx, grads)
    ref = results.pop("loop")
    for impl, (a, finals, dx, grads) in results.items():
        torch.testing.assert_close(a, ref[0], rtol=1e-10, atol=1e-12, msg=impl)
        for f, g in zip(finals, ref[1]):
            torch.testing.assert_close(f, g, rtol=1e-10, atol=1e-12)
        torch.testing.assert_close(dx, ref[2], rtol=1e-10, atol=1e-12)
        for g, g_ref in zip(grads, ref[3]):
            torch.testing.assert_close(g, g_ref, rtol=1e-10, atol=1e-12)


@pytest.mark.parametrize("cls,kw", ALL)
@pytest.mark.parametrize("bidirectional", [False, True])
def test_padding_never_leaks(cls, kw, bidirectional):
    layer = cls(n_x, n_a, num_layers=2, bidirectional=bidirectional, **kw).double().eval()
    lengths = torch.tensor([5, 2, 3])
    x = torch.randn(3, T, n_x, dtype=torch.float64)
    for impl in impls_of(layer):
        layer.impl = impl
        a, final = layer(x, lengths=lengths)
        garbage = x.clone()
        for b, L in enumerate(lengths):
            garbage[b, L:] = 1e3  # padding content must not matter
        a2, final2 = layer(garbage, lengths=lengths)
        torch.testing.assert_close(a, a2)
        for b, L in enumerate(lengths.tolist()):
            alone, final_alone = layer(x[b : b + 1, :L])
            torch.testing.assert_close(a[b : b + 1, :L], alone, rtol=1e-10, atol=1e-12)
            assert torch.all(a[b, L:] == 0), "outputs at padded steps are zero"
            finals = final if isinstance(final, tuple) else (final,)
            finals_alone = final_alone if isinstance(final_alone, tuple) else (final_alone,)
            for f, fa in zip(finals, finals_alone):
                torch.testing.assert_close(f[:, b : b + 1], fa, rtol=1e-10, atol=1e-12)


def test_gradient_of_padding_is_zero():
    layer = GRU(n_x, n_a, bidirectional=True)
    x = torch.randn(2, T, n_x, requires_grad=True)
    a, _ = layer(x, lengths=torch.tensor([5, 2]))
    a.sum().backward()
    assert torch.all(x.grad[1, 2:] == 0)
    assert torch.any(x.grad[1, :2] != 0)


def test_bidirectional_output_is_forward_then_backward():
    layer = LSTM(n_x, n_a, bidirectional=True).double()
    x = torch.randn(B, T, n_x, dtype=torch.float64)
    a, _ = layer(x)
    fwd, bwd = LSTM(n_x, n_a).double(), LSTM(n_x, n_a).double()
    fwd.cells[0][0].load_state_dict(layer.cells[0][1 - 1].state_dict())
    bwd.cells[0][0].load_state_dict(layer.cells[0][1].state_dict())
    torch.testing.assert_close(a[..., :n_a], fwd(x)[0])
    torch.testing.assert_close(a[..., n_a:], bwd(x.flip(1))[0].flip(1))


def test_deep_layer_reads_previous_layer():
    layer = RNN(n_x, n_a, num_layers=2).double()
    x = torch.randn(B, T, n_x, dtype=torch.float64)
    first, second = RNN(n_x, n_a).double(), RNN(n_a, n_a).double()
    first.cells[0][0].load_state_dict(layer.cells[0][0].state_dict())
    second.cells[0][0].load_state_dict(layer.cells[1][0].state_dict())
    torch.testing.assert_close(layer(x)[0], second(first(x)[0])[0])


def test_dropout_only_between_layers_and_only_in_training():
    layer = GRU(n_x, n_a, num_layers=2, dropout=0.5)
    x = torch.randn(B, T, n_x)
    layer.eval()
    torch.testing.assert_close(layer(x)[0], layer(x)[0])
    layer.train()
    assert not torch.allclose(layer(x)[0], layer(x)[0])
    single = GRU(n_x, n_a, dropout=0.5).train()  # one layer: nothing between layers
    torch.testing.assert_close(single(x)[0], single(x)[0])


@pytest.mark.parametrize("cls,kw,names", [
    (RNN, {}, {"a"}),
    (GRU, {}, {"gamma_u", "gamma_r", "c_tilde"}),
    (GRU, {"relevance_gate": False}, {"gamma_u", "c_tilde"}),
    (LSTM, {"peephole": True}, {"gamma_u", "gamma_f", "gamma_o", "c_tilde", "c"}),
])  # fmt: skip
def test_return_gates(cls, kw, names):
    layer = cls(n_x, n_a, num_layers=2, bidirectional=True, **kw)
    x = torch.randn(B, T, n_x)
    a, _, gates = layer(x, return_gates=True)
    assert len(gates) == 2 and len(gates[0]) == 2
    torch.testing.assert_close(a, layer(x)[0])
    for g in gates[1]:
        assert set(g) == names
        for name, v in g.items():
            assert v.shape == (B, T, n_a)
            if name.startswith("gamma"):
                assert torch.all((v > 0) & (v < 1))
    if cls is GRU:  # the top layer's backward direction ends at t = 1: c<1> from the gates
        g = gates[1][1]
        assert g["gamma_u"].shape == (B, T, n_a)


def test_output_shapes_and_state_round_trip():
    layer = LSTM(n_x, n_a, num_layers=3, bidirectional=True)
    x = torch.randn(B, T, n_x)
    a, (h, c) = layer(x)
    assert a.shape == (B, T, 2 * n_a)
    assert h.shape == c.shape == (6, B, n_a)
    # Running two halves with the state carried equals running the whole (forward only).
    uni = GRU(n_x, n_a, num_layers=2)
    whole, _ = uni(x)
    first, s = uni(x[:, :2])
    second, _ = uni(x[:, 2:], s)
    torch.testing.assert_close(torch.cat([first, second], 1), whole)


def test_reverse_padded_is_an_involution():
    x = torch.arange(10.0).view(2, 5, 1)
    lengths = torch.tensor([5, 3])
    r = reverse_padded(x, lengths)
    assert r[1, :, 0].tolist() == [7.0, 6.0, 5.0, 8.0, 9.0]
    torch.testing.assert_close(reverse_padded(r, lengths), x)


@pytest.mark.parametrize("bad,match", [
    (lambda: torch.randn(B, n_x), "3-D"),
    (lambda: torch.randn(B, T, n_x + 1), "input_size"),
    (lambda: torch.zeros(B, T, n_x, dtype=torch.long), "floating-point"),
    (lambda: torch.randn(B, 0, n_x), "empty"),
    (lambda: torch.full((B, T, n_x), float("nan")), "NaN"),
])  # fmt: skip
def test_bad_inputs_are_refused(bad, match):
    with pytest.raises(ValueError, match=match):
        GRU(n_x, n_a)(bad())


@pytest.mark.parametrize("lengths,match", [
    (torch.tensor([5, 0]), r"\[1, T = 5\]"),
    (torch.tensor([6, 2]), r"\[1, T = 5\]"),
    (torch.tensor([5]), "shape"),
    (torch.tensor([5.0, 2.0]), "integer"),
])  # fmt: skip
def test_bad_lengths_are_refused(lengths, match):
    for layer in (LSTM(n_x, n_a), GRU(n_x, n_a)):
        with pytest.raises(ValueError, match=match):
            layer(torch.randn(B, T, n_x), lengths=lengths)


def test_bad_state_and_options_are_refused():
    x = torch.randn(B, T, n_x)
    with pytest.raises(ValueError, match=r"\(1, 2, 8\)"):
        GRU(n_x, n_a)(x, torch.zeros(1, 3, n_a))
    with pytest.raises(ValueError, match="tuple"):
        LSTM(n_x, n_a)(x, torch.zeros(1, B, n_a))
    with pytest.raises(ValueError, match="kernel"):
        GRU(n_x, n_a, impl="kernel")
    with pytest.raises(ValueError, match="kernel"):
        LSTM(n_x, n_a, peephole=True, impl="kernel")
    with pytest.raises(ValueError, match="impl"):
        RNN(n_x, n_a, impl="fast")
    with pytest.raises(ValueError, match="return_gates"):
        RNN(n_x, n_a, impl="kernel")(x, return_gates=True)


@pytest.mark.parametrize("layer", [RNN, GRU, LSTM])
@pytest.mark.parametrize(
    ("argument", "match"),
    [
        ({"batch_first": True}, r"\(batch_first=\.\.\.\): seqlab's layers are always batch-first"),
        ({"batch_first": False}, r"\(batch_first=\.\.\.\): .* x is \(B, T, E\)"),
        ({"bias": False}, r"\(bias=\.\.\.\): every gate has its bias"),
        ({"proj_size": 4}, r"\(proj_size=\.\.\.\): there is no projection"),
    ],
)
def test_torch_nn_only_arguments_get_a_clear_error_naming_the_layer(layer, argument, match):
    with pytest.raises(ValueError, match=f"^{layer.__name__}{match}") as caught:
        layer(n_x, n_a, **argument)
    assert "Cell" not in str(caught.value)  # not the cell's "unexpected keyword argument"
