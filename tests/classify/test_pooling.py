"""The classifier's position-aware readouts: additive attention pooling and concatenation of
every step, each checked against a NumPy computation on the model's own weights."""

import numpy as np
import pytest
import torch

import seqlab
from seqlab.classify import (
    ClassifierConfig,
    ClassifierDataConfig,
    SentenceClassifier,
    explain,
    train_classifier,
)
from seqlab.nn import GRU, AdditiveAttention, concat_steps
from seqlab.text import CharTokenizer, Vocabulary, pad_sequences
from seqlab.train import TrainerConfig

B, T, H = 2, 5, 4


def _dna_model(**kw) -> SentenceClassifier:
    torch.manual_seed(0)
    config = ClassifierConfig(model="rnn", cell="gru", embedding_size=6, hidden_size=H,
                              alphabet="dna", **kw)  # fmt: skip
    return SentenceClassifier(config, Vocabulary(list("ACGTN")), ["EI", "IE", "N"],
                              CharTokenizer()).double().eval()  # fmt: skip


def _batch(model: SentenceClassifier, *texts: str) -> tuple[torch.Tensor, torch.Tensor]:
    """Padded ids (B, T) and lengths (B,) of DNA strings."""
    return pad_sequences([model.vocab.encode(list(text)) for text in texts])


def _activations(model: SentenceClassifier, ids: torch.Tensor, lengths: torch.Tensor):
    """a (B, T, 2H) of the model's BiGRU, as NumPy."""
    return model.rnn(model.embed(ids), lengths=lengths)[0].detach().numpy()


def _numpy_attention(a: np.ndarray, W_a, b_a, v):
    """e<t> = v . tanh(W_a a<t> + b_a), α = softmax(e), h = Σ_t α<t> a<t>, one sequence a (T, D)."""
    e = np.array([v @ np.tanh(W_a @ a_t + b_a) for a_t in a])  # (T,)
    alpha = np.exp(e - e.max()) / np.exp(e - e.max()).sum()  # (T,)
    return alpha, (alpha[:, None] * a).sum(0)  # (T,), (D,)


def test_attention_pool_equals_numpy_and_gives_padding_zero_weight():
    pool = AdditiveAttention(2 * H, 3).double()
    a = torch.randn(B, T, 2 * H, dtype=torch.float64)
    lengths = torch.tensor([5, 3])
    h, alpha = pool(a, lengths)
    assert h.shape == (B, 2 * H) and alpha.shape == (B, T)
    W_a, b_a = pool.W_a.weight.detach().numpy(), pool.W_a.bias.detach().numpy()
    v = pool.v.weight.detach().numpy()[0]
    for i, n in enumerate(lengths.tolist()):
        expected_alpha, expected_h = _numpy_attention(a[i, :n].numpy(), W_a, b_a, v)
        np.testing.assert_allclose(alpha[i, :n].detach().numpy(), expected_alpha, rtol=1e-10)
        np.testing.assert_allclose(h[i].detach().numpy(), expected_h, rtol=1e-10)
        assert alpha[i, n:].abs().sum() == 0  # exactly zero on padding
    torch.testing.assert_close(pool(a)[1].sum(1), torch.ones(B, dtype=torch.float64))


def test_attention_classifier_logits_equal_numpy():
    """ŷ = softmax(W Σ_t α<t> a<t> + b) on the model's own BiGRU activations and weights."""
    model = _dna_model(pool="attention", attention_size=3)
    ids, lengths = _batch(model, "ACGTA", "GTN")
    logits = model(ids, lengths).detach().numpy()  # (B, C)
    a = _activations(model, ids, lengths)
    att = model.attention
    W_a, b_a = att.W_a.weight.detach().numpy(), att.W_a.bias.detach().numpy()
    v = att.v.weight.detach().numpy()[0]
    W, b = model.out.weight.detach().numpy(), model.out.bias.detach().numpy()
    for i, n in enumerate(lengths.tolist()):
        _, h = _numpy_attention(a[i, :n], W_a, b_a, v)
        np.testing.assert_allclose(logits[i], W @ h + b, rtol=1e-10, atol=1e-12)


def test_attention_padding_does_not_change_a_rows_logits():
    model = _dna_model(pool="attention", num_layers=2)
    seqs = [model.vocab.encode(list("ACGTACG")), model.vocab.encode(list("GTN"))]
    ids, lengths = pad_sequences(seqs)
    together = model(ids, lengths)  # (2, C)
    alone = torch.cat([model(torch.tensor([s]), torch.tensor([len(s)])) for s in seqs])
    torch.testing.assert_close(together, alone, atol=1e-12, rtol=1e-10)


def test_concat_classifier_has_weights_per_position():
    """z = Σ_t W_t a<t> + b, W_t the block of W that sees position t (an explicit loop)."""
    model = _dna_model(pool="concat", n_steps=T)
    assert model.out.weight.shape == (3, T * 2 * H)
    ids, lengths = _batch(model, "ACGTA", "GTNCA")
    logits = model(ids, lengths).detach().numpy()  # (B, C)
    a = _activations(model, ids, lengths)  # (B, T, 2H)
    W, b = model.out.weight.detach().numpy(), model.out.bias.detach().numpy()
    for i in range(B):
        z = b + sum(W[:, t * 2 * H : (t + 1) * 2 * H] @ a[i, t] for t in range(T))
        np.testing.assert_allclose(logits[i], z, rtol=1e-10, atol=1e-12)


def test_concat_rejects_other_lengths_and_needs_n_steps():
    model = _dna_model(pool="concat", n_steps=T)
    with pytest.raises(ValueError, match=r"exactly 5 steps, got length\(s\) \[4\]"):
        model(torch.tensor([model.vocab.encode(list("ACGT"))]), torch.tensor([4]))
    with pytest.raises(ValueError, match=r"exactly 5 steps, got length\(s\) \[3, 5\]"):
        model.predict_proba(["ACGTA", "ACG"])  # padded to 5, but one sequence is shorter
    with pytest.raises(ValueError, match="exactly 5 steps"):
        concat_steps(torch.zeros(1, 6, 2), None, 5)
    with pytest.raises(ValueError, match="invalid ClassifierConfig: n_steps=0"):
        ClassifierConfig(pool="concat")
    with pytest.raises(ValueError, match="invalid ClassifierConfig: pool='sum'"):
        ClassifierConfig(pool="sum")


@pytest.mark.parametrize(("pool", "concat_inputs"), [("attention", False), ("concat", False),
                                                    ("concat", True)])  # fmt: skip
def test_position_bound_toy_task_is_learned_and_the_folder_round_trips(
    pool, concat_inputs, tmp_path
):
    """Label = the letter at position 4 of 8: the new readouts learn it; a saved model reloads."""
    g = np.random.default_rng(0)
    rows = ["".join(g.choice(list("ACGT"), 8)) for _ in range(64)]
    rows = [(s, "EI" if s[3] in "AG" else "IE") for s in rows]
    config = ClassifierConfig(model="rnn", cell="gru", embedding_size=4, hidden_size=8,
                              pool=pool, n_steps=8 if pool == "concat" else 0,
                              concat_inputs=concat_inputs)  # fmt: skip
    trained = train_classifier(rows, config, ClassifierDataConfig(val_fraction=0.0, level="char"),
                               TrainerConfig(epochs=40, lr=0.02), tmp_path / "m")  # fmt: skip
    predicted = trained.model.predict([s for s, _ in rows])
    assert np.mean([p.label == y for p, (_, y) in zip(predicted, rows)]) >= 0.95
    loaded = seqlab.load(tmp_path / "m")
    assert loaded.config == trained.model.config
    again = loaded.predict([s for s, _ in rows[:4]])
    assert [round(p.prob, 6) for p in again] == [round(p.prob, 6) for p in predicted[:4]]
    assert len(explain(loaded, rows[0][0]).saliency) == 8


def test_attention_pool_follows_a_bigru_shape():
    a, _ = GRU(3, H, bidirectional=True)(torch.randn(B, T, 3))
    h, alpha = AdditiveAttention(2 * H, 5)(a, torch.tensor([5, 2]))
    assert h.shape == (B, 2 * H) and alpha.shape == (B, T)


def test_concat_inputs_puts_each_embedding_beside_its_activation():
    """z = Σ_t (W_t a<t> + U_t e<t>) + b: the readout also sees the letter at each position."""
    model = _dna_model(pool="concat", n_steps=T, concat_inputs=True)
    F = 2 * H + model.config.embedding_size  # features per step: a<t> then e<t>
    assert model.out.weight.shape == (3, T * F)
    ids, lengths = _batch(model, "ACGTA", "GTNCA")
    logits = model(ids, lengths).detach().numpy()  # (B, C)
    a = _activations(model, ids, lengths)  # (B, T, 2H)
    e = model.embed.weight.detach().numpy()[ids.numpy()]  # (B, T, E), a plain table lookup
    W, b = model.out.weight.detach().numpy(), model.out.bias.detach().numpy()
    for i in range(B):
        z = b + sum(
            W[:, t * F : t * F + 2 * H] @ a[i, t] + W[:, t * F + 2 * H : (t + 1) * F] @ e[i, t]
            for t in range(T)
        )
        np.testing.assert_allclose(logits[i], z, rtol=1e-10, atol=1e-12)
    with pytest.raises(ValueError, match="invalid ClassifierConfig: concat_inputs=True"):
        ClassifierConfig(pool="last", concat_inputs=True)
