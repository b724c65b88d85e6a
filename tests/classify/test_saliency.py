"""explain(): gradient x input saliency, one value per token, checked against the averaging
model's closed form and against finite differences through a BiGRU (float64)."""

import pytest
import torch

from seqlab.classify import ClassifierConfig, SentenceClassifier, explain
from seqlab.text import CharTokenizer, Vocabulary, WordTokenizer

SEQUENCE = "CCAGGTAAGTNR"


def _dna_model(kind="rnn", **kw) -> SentenceClassifier:
    torch.manual_seed(0)
    config = ClassifierConfig(model=kind, embedding_size=6, hidden_size=5, alphabet="dna", **kw)
    return SentenceClassifier(config, Vocabulary(list("ACGTNR")), ["EI", "IE", "N"],
                              CharTokenizer())  # fmt: skip


def test_average_model_saliency_is_the_closed_form():
    """z_c = W_c . mean_t(e<t>) + b_c, so s<t> = W_c . e<t> / T and Σ_t s<t> = z_c - b_c."""
    model = _dna_model("average")
    result = explain(model, SEQUENCE.lower())  # DNA is case-insensitive
    ids = model.vocab.encode(list(SEQUENCE))
    e = model.embed.weight.detach()[ids]  # (T, E)
    logits = model(torch.tensor([ids]), torch.tensor([len(ids)]))[0].detach()  # (C,)
    c = int(logits.argmax())
    assert result.label == model.labels[c]
    assert result.prob == pytest.approx(float(torch.softmax(logits, 0)[c]), rel=1e-6)
    assert result.tokens == list(SEQUENCE)
    expected = e @ model.out.weight.detach()[c] / len(ids)  # (T,)
    torch.testing.assert_close(torch.tensor(result.saliency), expected, atol=1e-6, rtol=1e-5)
    total = float(logits[c] - model.out.bias.detach()[c])
    assert sum(result.saliency) == pytest.approx(total, abs=1e-5)


@pytest.mark.parametrize("label", [None, "N"])
@pytest.mark.parametrize("pool", ["last", "max"])
def test_rnn_saliency_equals_finite_differences(pool, label):
    """s<t> is the derivative of z_c along e<t> itself: d/dh z_c(e<t> * (1 + h)) at h = 0."""
    model = _dna_model("rnn", cell="gru", pool=pool, bidirectional=True).double()
    result = explain(model, SEQUENCE, label=label)
    assert len(result.saliency) == len(SEQUENCE)
    c = model.labels.index(result.label)
    ids = torch.tensor([model.vocab.encode(list(SEQUENCE))])
    lengths = torch.tensor([len(SEQUENCE)])
    e = model.embed(ids).detach()  # (1, T, E)
    h = 1e-6
    with torch.no_grad():
        for t, s_t in enumerate(result.saliency):
            up, down = e.clone(), e.clone()
            up[0, t] *= 1 + h
            down[0, t] *= 1 - h
            fd = (model.classify_embedded(up, lengths)[0, c]
                  - model.classify_embedded(down, lengths)[0, c]) / (2 * h)  # fmt: skip
            assert s_t == pytest.approx(float(fd), abs=1e-7, rel=1e-5)


def test_explain_switches_dropout_off_and_restores_the_mode():
    model = _dna_model("rnn", dropout=0.5).train()
    a = explain(model, SEQUENCE)
    b = explain(model, SEQUENCE)
    assert a == b and model.training


def test_explain_words_and_errors():
    torch.manual_seed(0)
    model = SentenceClassifier(ClassifierConfig(embedding_size=4, hidden_size=3),
                               Vocabulary(["good", "film"]), ["neg", "pos"],
                               WordTokenizer(lower=True))  # fmt: skip
    result = explain(model, "Good unseen film")
    assert result.tokens == ["good", "unseen", "film"] and len(result.saliency) == 3
    with pytest.raises(ValueError, match="unknown label 'meh'"):
        explain(model, "good", label="meh")
    with pytest.raises(ValueError, match="position 5: 'U' is not a DNA letter"):
        explain(_dna_model(), "ACGTUACGT")
