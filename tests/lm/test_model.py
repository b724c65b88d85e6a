"""LanguageModel: shapes, one-hot vs embedding input, removed options, the stateful carry, loss."""

import json

import numpy as np
import pytest
import torch
import torch.nn.functional as F

import seqlab
from seqlab.lm import LanguageModel, LMConfig, StreamBatches
from seqlab.text import Vocabulary
from seqlab.train import save_model

VOCAB = Vocabulary(list("abcdefg"))  # V = 11 with the four specials


def _model(**kw) -> LanguageModel:
    torch.manual_seed(0)
    return LanguageModel(LMConfig(hidden_size=8, **kw), VOCAB)


@pytest.mark.parametrize("cell", ["rnn", "gru", "lstm"])
@pytest.mark.parametrize("embedding_size", [0, 6])
def test_forward_shapes(cell, embedding_size):
    model = _model(cell=cell, embedding_size=embedding_size, num_layers=2)
    ids = torch.randint(4, len(VOCAB), (3, 5))
    logits, state = model(ids)
    assert logits.shape == (3, 5, len(VOCAB))
    a = state[0] if cell == "lstm" else state
    assert a.shape == (2, 3, 8)
    assert model.config.vocab_size == len(VOCAB)


def test_one_hot_input_is_the_notes_x():
    model = _model(embedding_size=0)
    x = model.inputs(torch.tensor([[4, 6]]))
    assert x.shape == (1, 2, len(VOCAB))
    assert x[0, 0, 4] == 1 and x[0, 0].sum() == 1 and x[0, 1, 6] == 1


@pytest.mark.parametrize(
    ("name", "old", "other"), [("weight_drop", 0.0, 0.2), ("tie_weights", False, True)]
)
def test_a_folder_saved_with_a_removed_option_at_its_default_loads_and_any_other_is_named(
    tmp_path, name, old, other
):
    """weight_drop and tie_weights were removed: config.json files written before hold the
    defaults and load; another value names the option."""
    model = _model(embedding_size=8).eval()
    file = save_model(model, tmp_path / "m") / "config.json"
    saved = json.loads(file.read_text())
    assert name not in saved["config"]
    saved["config"][name] = old
    file.write_text(json.dumps(saved))
    ids = torch.tensor([[4, 5, 6]])
    torch.testing.assert_close(seqlab.load(tmp_path / "m")(ids)[0], model(ids)[0])
    saved["config"][name] = other
    file.write_text(json.dumps(saved))
    removed = (
        rf"config\.json: LMConfig\.{name}={other!r}: this option was removed from seqlab "
        rf"\(only {name}={old!r} loads\)"
    )
    with pytest.raises(ValueError, match=removed):
        seqlab.load(tmp_path / "m")


def test_config_and_vocab_mismatch_are_errors():
    with pytest.raises(ValueError, match="cell"):
        LMConfig(cell="transformer")
    with pytest.raises(ValueError, match="vocab_size"):
        LanguageModel(LMConfig(vocab_size=99), VOCAB)
    with pytest.raises(ValueError, match="<unk>"):
        LanguageModel(LMConfig(), Vocabulary(["a"], specials=False))


def test_loss_is_the_mean_cross_entropy_over_real_tokens():
    model = _model(mode="lines").eval()
    x = torch.tensor([[2, 4, 5], [2, 6, 0]])
    y = torch.tensor([[4, 5, 3], [6, 3, 0]])
    lengths = torch.tensor([3, 2])
    logits, _ = model(x, None, lengths)
    logp = F.log_softmax(logits.detach().double(), -1).numpy()
    picks = [logp[b, t, y[b, t]] for b in range(2) for t in range(int(lengths[b]))]
    expected = -np.mean(picks)
    batch = {"x": x, "y": y, "lengths": lengths}
    assert float(model.loss(batch).detach()) == pytest.approx(expected, rel=1e-6)
    assert model.evaluate(batch)["loss"] == pytest.approx(expected, rel=1e-6)
    assert model.count_tokens(batch) == 5


@pytest.mark.parametrize("cell", ["gru", "lstm"])
def test_stream_batches_carry_the_state_like_one_long_sequence(cell):
    model = _model(cell=cell).eval()
    ids = torch.randint(4, len(VOCAB), (40,))
    batches = StreamBatches(ids, batch_size=2, bptt=4)(0)
    losses = [model.evaluate(b)["loss"] for b in batches]
    # The same columns in one forward pass: carrying the state is exactly that.
    cols = StreamBatches(ids, batch_size=2, bptt=4).columns(0)
    with torch.no_grad():
        logits, _ = model(cols[:, :-1])
    full = F.cross_entropy(logits.flatten(0, 1), cols[:, 1:].flatten(), reduction="none")
    full = full.view(2, -1)
    for i, (b, loss) in enumerate(zip(batches, losses)):
        T = b["x"].shape[1]
        assert loss == pytest.approx(float(full[:, 4 * i : 4 * i + T].mean()), rel=1e-5)


def test_reset_starts_from_zero_and_training_truncates_gradients():
    model = _model(cell="lstm").train()
    ids = torch.randint(4, len(VOCAB), (40,))
    b0, b1 = StreamBatches(ids, batch_size=2, bptt=4)(0)[:2]
    model.loss(b0)
    carried = model._carry["train"]
    assert not carried[0].requires_grad  # detached: gradients stop at the segment boundary
    model.eval()
    fresh = model.evaluate({**b1, "reset": True})["loss"]
    with torch.no_grad():
        logits, _ = model(b1["x"])
    assert fresh == pytest.approx(float(F.cross_entropy(logits.flatten(0, 1), b1["y"].flatten())),
                                  rel=1e-6)  # fmt: skip


def test_loss_falls_on_one_small_batch():
    model = _model(cell="gru", mode="lines", embedding_size=8)
    batch = {"x": torch.tensor([[2, 4, 5, 6]]), "y": torch.tensor([[4, 5, 6, 3]]),
             "lengths": torch.tensor([4])}  # fmt: skip
    opt = torch.optim.Adam(model.parameters(), lr=0.05)
    first = float(model.loss(batch).detach())
    for _ in range(30):
        opt.zero_grad()
        model.loss(batch).backward()
        opt.step()
    assert float(model.loss(batch).detach()) < first / 5


@pytest.mark.parametrize("cell", ["rnn", "gru", "lstm"])
def test_next_log_probs_steps_like_forward_over_the_whole_sequence(cell):
    model = _model(cell=cell, num_layers=2).eval()
    ids = torch.randint(4, len(VOCAB), (3, 5))  # (B, T)
    logits, _ = model(ids)  # (B, T, V)
    expected = F.log_softmax(logits.double(), dim=-1)  # (B, T, V)
    state = None
    for t in range(5):
        log_probs, state = model.next_log_probs(ids[:, t], state)  # (B, V)
        assert log_probs.shape == (3, len(VOCAB)) and log_probs.dtype == torch.float64
        assert not log_probs.requires_grad
        torch.testing.assert_close(log_probs, expected[:, t], atol=1e-6, rtol=0)
    assert model.device == torch.device("cpu")
