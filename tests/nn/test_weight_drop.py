"""DropConnect on the recurrent weights (weight_drop): the mask acts on W_h and nothing else."""

import pytest
import torch
import torch.nn.functional as F

from seqlab.nn import GRU, LSTM, RNN

CASES = [(RNN, "kernel"), (RNN, "scan"), (LSTM, "kernel"), (LSTM, "scan"), (GRU, "scan")]


def _dropped_copy(layer, seed: int, p: float):
    """The same layer in eval mode with W_h replaced by the mask the training call draws."""
    copy = type(layer)(layer.input_size, layer.hidden_size, impl="loop")
    copy.load_state_dict(layer.state_dict())
    torch.manual_seed(seed)
    n_a = layer.hidden_size
    for cell_src, cell in zip(layer.cells[0], copy.cells[0]):
        W_h, _, _ = cell_src.weights()
        dropped = F.dropout(W_h.detach(), p, training=True)  # the draw _drop_recurrent makes
        start = 0
        for g in cell.gate_names:
            W = getattr(cell, f"W_{g}")
            with torch.no_grad():
                W[:, :n_a] = dropped[start : start + n_a]
            start += n_a
    return copy.eval()


@pytest.mark.parametrize("cls,impl", CASES)
def test_weight_drop_equals_a_dropped_recurrent_matrix(cls, impl):
    torch.manual_seed(1)
    layer = cls(3, 5, weight_drop=0.5, impl=impl).double().train()
    x = torch.randn(2, 6, 3, dtype=torch.float64)
    torch.manual_seed(7)
    a, _ = layer(x)
    reference = _dropped_copy(layer, 7, 0.5).double()
    a_ref, _ = reference(x)
    torch.testing.assert_close(a, a_ref, rtol=1e-10, atol=1e-10)


@pytest.mark.parametrize("cls,impl", CASES)
def test_weight_drop_is_off_in_eval(cls, impl):
    torch.manual_seed(1)
    layer = cls(3, 5, weight_drop=0.5, impl=impl).eval()
    plain = cls(3, 5, impl=impl).eval()
    plain.load_state_dict(layer.state_dict())
    x = torch.randn(2, 6, 3)
    torch.testing.assert_close(layer(x)[0], plain(x)[0])


def test_weight_drop_changes_training_outputs_and_masks_gradients():
    torch.manual_seed(0)
    layer = LSTM(3, 4, weight_drop=0.5, impl="scan").train()
    x = torch.randn(2, 5, 3)
    a1, _ = layer(x)
    a2, _ = layer(x)
    assert not torch.allclose(a1, a2)  # a new mask per call


def test_weight_drop_validation_and_loop():
    with pytest.raises(ValueError, match="weight_drop"):
        LSTM(3, 4, weight_drop=1.0)
    layer = GRU(3, 4, weight_drop=0.3, impl="loop").train()
    with pytest.raises(ValueError, match="weight_drop"):
        layer(torch.randn(1, 2, 3))
    layer.eval()
    layer(torch.randn(1, 2, 3))  # fine without training
