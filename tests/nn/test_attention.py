"""AdditiveAttention: a NumPy reference on the same weights, masking, gradcheck, shapes, errors."""

import numpy as np
import pytest
import torch

from seqlab.nn import AdditiveAttention, lengths_to_mask

B, T_x, D, A, H_s, T_y = 3, 5, 4, 6, 7, 2
LENGTHS = torch.tensor([5, 3, 1])


def _inputs(dtype=torch.float64):
    """a (B, T_x, D) and a query s<t-1> (B, H_s)."""
    return torch.randn(B, T_x, D, dtype=dtype), torch.randn(B, H_s, dtype=dtype)


def _weights(att: AdditiveAttention) -> dict[str, np.ndarray]:
    W = {"W_a": att.W_a.weight, "b": att.W_a.bias, "v": att.v.weight[0]}
    if att.W_s is not None:
        W["W_s"] = att.W_s.weight
    return {k: w.detach().double().numpy() for k, w in W.items()}


def _numpy_attention(W, a, s, lengths):
    """One sequence at a time, one position at a time: energies, alpha, context.

    a: (B, T_x, D); s: (B, H_s) or None; lengths: (B,). Returns e (B, T_x) (-inf on padding),
    alpha (B, T_x), context (B, D).
    """
    e = np.full(a.shape[:2], -np.inf)
    alpha, context = np.zeros(a.shape[:2]), np.zeros((a.shape[0], a.shape[2]))
    for n, length in enumerate(lengths):
        for t in range(length):
            query = W["W_s"] @ s[n] if s is not None else 0.0
            e[n, t] = W["v"] @ np.tanh(query + W["W_a"] @ a[n, t] + W["b"])
        weights = np.exp(e[n, :length] - e[n, :length].max())
        alpha[n, :length] = weights / weights.sum()
        context[n] = sum(alpha[n, t] * a[n, t] for t in range(length))
    return e, alpha, context


def _check_energies(alpha: torch.Tensor, e: np.ndarray, lengths):
    """log alpha<t'> - log alpha<t''> = e<t'> - e<t''>: energies up to the softmax's constant."""
    for n, length in enumerate(lengths):
        log_alpha = np.log(alpha[n, :length].detach().numpy())
        np.testing.assert_allclose(
            log_alpha - log_alpha[0], e[n, :length] - e[n, 0], rtol=1e-10, atol=1e-12
        )


# --- against NumPy -------------------------------------------------------------------------------


def test_decoder_attention_matches_numpy():
    att = AdditiveAttention(D, A, query_size=H_s).double()
    a, s = _inputs()
    context, alpha = att(a, LENGTHS, s_prev=s)
    W = _weights(att)
    e, ref_alpha, ref_context = _numpy_attention(W, a.numpy(), s.numpy(), LENGTHS.tolist())
    np.testing.assert_allclose(att.keys(a).detach().numpy(), a.numpy() @ W["W_a"].T + W["b"])
    _check_energies(alpha, e, LENGTHS.tolist())
    np.testing.assert_allclose(alpha.detach().numpy(), ref_alpha, rtol=1e-10, atol=1e-12)
    np.testing.assert_allclose(context.detach().numpy(), ref_context, rtol=1e-10, atol=1e-12)


def test_pooling_attention_matches_numpy():
    att = AdditiveAttention(D, A).double()
    a, _ = _inputs()
    context, alpha = att(a, LENGTHS)
    e, ref_alpha, ref_context = _numpy_attention(_weights(att), a.numpy(), None, LENGTHS.tolist())
    _check_energies(alpha, e, LENGTHS.tolist())
    np.testing.assert_allclose(alpha.detach().numpy(), ref_alpha, rtol=1e-10, atol=1e-12)
    np.testing.assert_allclose(context.detach().numpy(), ref_context, rtol=1e-10, atol=1e-12)


def test_several_queries_match_numpy_one_query_at_a_time():
    att = AdditiveAttention(D, A, query_size=H_s).double()
    a, _ = _inputs()
    s = torch.randn(B, T_y, H_s, dtype=torch.float64)
    context, alpha = att(a, LENGTHS, s_prev=s)
    assert context.shape == (B, T_y, D) and alpha.shape == (B, T_y, T_x)
    W = _weights(att)
    for t in range(T_y):
        _, ref_alpha, ref_context = _numpy_attention(
            W, a.numpy(), s[:, t].numpy(), LENGTHS.tolist()
        )
        np.testing.assert_allclose(alpha[:, t].detach().numpy(), ref_alpha, rtol=1e-10)
        np.testing.assert_allclose(context[:, t].detach().numpy(), ref_context, rtol=1e-10)


# --- masking -------------------------------------------------------------------------------------


@pytest.mark.parametrize("query_size", [0, H_s])
def test_alpha_sums_to_one_on_real_positions_and_is_exactly_zero_on_padding(query_size):
    att = AdditiveAttention(D, A, query_size=query_size)
    a, s = _inputs(torch.float32)
    s_prev = s if query_size else None
    for kw in ({"lengths": LENGTHS}, {"mask": lengths_to_mask(LENGTHS, T_x)}):
        _, alpha = att(a, s_prev=s_prev, **kw)
        for n, length in enumerate(LENGTHS.tolist()):
            torch.testing.assert_close(alpha[n, :length].sum(), torch.tensor(1.0))
            assert (alpha[n, :length] > 0).all()
            assert (alpha[n, length:] == 0).all()  # exactly zero, not merely small


def test_padding_does_not_change_a_rows_context():
    att = AdditiveAttention(D, A, query_size=H_s).double()
    a, s = _inputs()
    a[1, 3:] = 1e3  # whatever sits in the padding must not matter
    context, alpha = att(a, LENGTHS, s_prev=s)
    alone, alpha_alone = att(a[1:2, :3], s_prev=s[1:2])
    torch.testing.assert_close(context[1:2], alone)
    torch.testing.assert_close(alpha[1:2, :3], alpha_alone)


def test_without_lengths_every_position_is_real():
    att = AdditiveAttention(D, A, query_size=H_s)
    a, s = _inputs(torch.float32)
    full = torch.full((B,), T_x)
    torch.testing.assert_close(att(a, s_prev=s), att(a, full, s_prev=s), rtol=0, atol=0)


# --- keys computed once --------------------------------------------------------------------------


def test_precomputed_keys_give_the_same_result_and_serve_repeated_rows():
    """A decoder computes W_a a + b once; a beam search repeats each sentence's rows K times."""
    att = AdditiveAttention(D, A, query_size=H_s)
    a, s = _inputs(torch.float32)
    mask = lengths_to_mask(LENGTHS, T_x)
    keys = att.keys(a)  # (B, T_x, A)
    assert keys.shape == (B, T_x, A)
    direct = att(a, s_prev=s, mask=mask)
    torch.testing.assert_close(att(a, s_prev=s, mask=mask, keys=keys), direct, rtol=0, atol=0)
    K = 2
    rows = torch.arange(B).repeat_interleave(K)  # (K*B,)
    s_beams = torch.randn(K * B, H_s)
    beams = att(a[rows], s_prev=s_beams, mask=mask[rows], keys=keys[rows])
    torch.testing.assert_close(beams, att(a[rows], s_prev=s_beams, mask=mask[rows]))


# --- gradients -----------------------------------------------------------------------------------


@pytest.mark.parametrize("query_size", [0, H_s])
def test_gradcheck_in_float64(query_size):
    """Gradients with respect to a, s<t-1> and every weight, against finite differences."""
    att = AdditiveAttention(D, A, query_size=query_size).double()
    names = [name for name, _ in att.named_parameters()]
    a, s = _inputs()
    inputs = [a.requires_grad_(), *(p.detach().clone().requires_grad_() for p in att.parameters())]
    if query_size:
        inputs.append(s.requires_grad_())

    def attend(a, *rest):
        params = dict(zip(names, rest[: len(names)]))
        s_prev = rest[len(names)] if query_size else None
        return torch.func.functional_call(att, params, (a, LENGTHS), {"s_prev": s_prev})

    assert torch.autograd.gradcheck(attend, tuple(inputs))


# --- shapes, names -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("query_size", "s_shape", "context_shape", "alpha_shape"),
    [
        (0, None, (B, D), (B, T_x)),  # attention pooling
        (H_s, (B, H_s), (B, D), (B, T_x)),  # one decoding step
        (H_s, (B, T_y, H_s), (B, T_y, D), (B, T_y, T_x)),  # T_y queries at once
    ],
)
def test_shapes(query_size, s_shape, context_shape, alpha_shape):
    att = AdditiveAttention(D, A, query_size=query_size)
    s_prev = None if s_shape is None else torch.randn(s_shape)
    context, alpha = att(torch.randn(B, T_x, D), LENGTHS, s_prev=s_prev)
    assert context.shape == context_shape and alpha.shape == alpha_shape


def test_a_cnn_feature_map_is_read_as_grid_positions():
    """An image captioner: a (B, C, 3, 4) feature map -> (B, L = 12, C) positions, no padding."""
    att = AdditiveAttention(D, A, query_size=H_s)
    grid = torch.randn(B, D, 3, 4).flatten(2).transpose(1, 2)  # (B, L, D)
    context, alpha = att(grid, s_prev=torch.randn(B, H_s))
    assert context.shape == (B, D) and alpha.shape == (B, 12)
    torch.testing.assert_close(alpha.sum(1), torch.ones(B))


def test_parameter_names_and_their_creation_order():
    """The notes' names, created W_s, W_a, v: a seeded model starts from the same weights."""
    assert list(AdditiveAttention(D, A, query_size=H_s).state_dict()) == [
        "W_s.weight", "W_a.weight", "W_a.bias", "v.weight"
    ]  # fmt: skip
    assert list(AdditiveAttention(D, A).state_dict()) == ["W_a.weight", "W_a.bias", "v.weight"]
    torch.manual_seed(1)
    att = AdditiveAttention(D, A, query_size=H_s)
    torch.manual_seed(1)
    layers = [torch.nn.Linear(H_s, A, bias=False), torch.nn.Linear(D, A), torch.nn.Linear(A, 1)]
    for ours, theirs in zip((att.W_s, att.W_a, att.v), layers):
        torch.testing.assert_close(ours.weight, theirs.weight, rtol=0, atol=0)


# --- bad input -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("query_size", "a_shape", "kw", "match"),
    [
        (H_s, (B, T_x), {}, r"a must be \(B, T_x, 4\)"),
        (H_s, (B, T_x, D + 1), {}, r"a must be \(B, T_x, 4\) \(input_size=4\), got shape"),
        (H_s, (B, T_x, D), {"s_prev": None}, "needs the query s_prev"),
        (0, (B, T_x, D), {"s_prev": (B, H_s)}, "has no query"),
        (H_s, (B, T_x, D), {"s_prev": (B + 1, H_s)}, r"s_prev must be \(B, H_s\) or"),
        (H_s, (B, T_x, D), {"s_prev": (H_s,)}, r"s_prev must be \(B, H_s\) or"),
        (H_s, (B, T_x, D), {"s_prev": (B, H_s + 1)}, "s_prev has size 8, query_size is 7"),
        (H_s, (B, T_x, D), {"lengths": torch.tensor([5, 3])}, r"lengths must be \(3,\)"),
        (H_s, (B, T_x, D), {"lengths": torch.tensor([5, 0, 1])}, r"lengths must lie in \[1, 5\]"),
        (H_s, (B, T_x, D), {"lengths": torch.tensor([6, 3, 1])}, r"lengths must lie in \[1, 5\]"),
        (H_s, (B, T_x, D), {"lengths": LENGTHS, "mask": torch.ones(B, T_x, dtype=torch.bool)},
         "lengths or mask, not both"),
        (H_s, (B, T_x, D), {"mask": torch.ones(B, T_x)}, r"mask must be a \(3, 5\) bool tensor"),
        (H_s, (B, T_x, D), {"mask": torch.ones(B, T_x + 1, dtype=torch.bool)}, "mask must be"),
        (H_s, (B, T_x, D), {"keys": torch.zeros(B, T_x, A + 1)}, r"keys must be \(3, 5, 6\)"),
    ],
)  # fmt: skip
def test_mismatched_shapes_and_lengths_are_refused(query_size, a_shape, kw, match):
    att = AdditiveAttention(D, A, query_size=query_size)
    kw = dict(kw)
    if isinstance(kw.get("s_prev"), tuple):
        kw["s_prev"] = torch.randn(kw["s_prev"])
    elif "s_prev" not in kw and query_size:
        kw["s_prev"] = torch.randn(B, H_s)
    with pytest.raises(ValueError, match=match):
        att(torch.randn(a_shape), **kw)


def test_keys_checks_its_input_and_sizes_are_checked():
    with pytest.raises(ValueError, match=r"a must be \(B, T_x, 4\)"):
        AdditiveAttention(D, A).keys(torch.randn(B, T_x, D + 1))
    for args, match in (((0, A), "input_size must be an int >= 1, got 0"),
                        ((D, 0), "attention_size must be an int >= 1"),
                        ((D, A, -1), "query_size must be an int >= 0, got -1"),
                        ((D, True), "attention_size must be an int >= 1, got True")):  # fmt: skip
        with pytest.raises(ValueError, match=match):
            AdditiveAttention(*args)
