"""SentenceClassifier: the notes' averaging model vs NumPy, padding, word order, folders."""

import itertools
import json

import numpy as np
import pytest
import torch

import seqlab
from seqlab.classify import (
    ClassifierConfig,
    ClassifierDataConfig,
    ClassifierEnsemble,
    SentenceClassifier,
    build_word_vocab,
    evaluate_classifier,
    order_labels,
    pretrained_rows,
    train_classifier,
)
from seqlab.text import Vocabulary, WordTokenizer, pad_sequences
from seqlab.train import TrainerConfig, save_model


def test_validation_accuracy_is_per_sentence_not_per_word(tmp_path):
    """The Trainer weights each validation batch by count_tokens: for a classifier that must be
    its sentences, or the epoch picked by accuracy favours long sentences. Compared with the
    accuracy of predict() on the same sentences, and with the word-weighted figure it used to be.
    """
    short = [("good", "pos"), ("bad", "neg"), ("taste", "pos"), ("movie", "neg")] * 3
    long_ = [(" ".join(["good", "bad", "taste", "movie", "lacking", "in"] * 3), lab)
             for lab in ("pos", "neg")] * 3  # fmt: skip
    val = short + long_
    trained = train_classifier(
        short, ClassifierConfig(model="rnn", embedding_size=4, hidden_size=4),
        ClassifierDataConfig(val_fraction=0.0, batch_size=4),
        TrainerConfig(epochs=30, lr=0.05, seed=0), tmp_path / "m", val_rows=val,
    )  # fmt: skip
    lines = (tmp_path / "m" / "metrics.jsonl").read_text().splitlines()
    logged = [json.loads(x) for x in lines if json.loads(x)["kind"] == "eval"][-1]["val_accuracy"]
    model = trained.model  # the last weights: those of the last evaluation
    right = [p.label == lab for p, (_, lab) in zip(model.predict([t for t, _ in val]), val)]
    words = [len(t.split()) for t, _ in val]
    per_sentence = sum(right) / len(val)
    per_word = sum(r * w for r, w in zip(right, words)) / sum(words)
    assert abs(per_sentence - per_word) > 0.01  # the data tell the two apart
    assert logged == pytest.approx(per_sentence, abs=1e-9)


WORDS = ["good", "bad", "taste", "lacking", "completely", "in", "movie"]


def _model(kind="average", **kw) -> SentenceClassifier:
    torch.manual_seed(0)
    vocab = Vocabulary(WORDS)
    config = ClassifierConfig(model=kind, embedding_size=6, hidden_size=5, **kw)
    return SentenceClassifier(config, vocab, ["neg", "pos"], WordTokenizer(lower=True))


def test_average_model_equals_numpy():
    """ŷ = softmax(W avg + b), avg = mean of the sentence's embedding rows."""
    model = _model("average")
    E = model.embed.weight.detach().numpy()
    W, b = model.out.weight.detach().numpy(), model.out.bias.detach().numpy()
    texts = ["completely lacking in good taste", "good movie"]
    probs, _ = model.predict_proba(texts)
    for text, p in zip(texts, probs.numpy()):
        avg = E[model.vocab.encode(text.split())].mean(0)
        z = W @ avg + b
        expected = np.exp(z - z.max()) / np.exp(z - z.max()).sum()
        np.testing.assert_allclose(p, expected, rtol=1e-5, atol=1e-6)


@pytest.mark.parametrize("kind", ["average", "rnn"])
@pytest.mark.parametrize("pool", ["last", "mean", "max"])
def test_padding_does_not_change_the_logits(kind, pool):
    model = _model(kind, pool=pool, cell="gru", num_layers=2).eval()
    a = model.vocab.encode(["good", "movie", "in"])
    b = model.vocab.encode(["bad"])
    ids, lengths = pad_sequences([a, b])
    together = model(ids, lengths)  # (2, C)
    alone = torch.cat([model(torch.tensor([a]), torch.tensor([3])),
                       model(torch.tensor([b]), torch.tensor([1]))])  # fmt: skip
    assert together.shape == (2, 2)
    torch.testing.assert_close(together, alone, atol=1e-6, rtol=1e-5)


def test_the_averaging_model_cannot_see_word_order_and_the_rnn_can():
    """The notes' point: label = does "good" come before "bad"? Same bag of words, two labels."""
    words = ["good", "bad", "taste", "movie"]
    rows = [(" ".join(p), "pos" if p.index("good") < p.index("bad") else "neg")
            for p in itertools.permutations(words)]  # fmt: skip
    results = {}
    for kind in ("average", "rnn"):
        config = ClassifierConfig(model=kind, cell="gru", embedding_size=8, hidden_size=16,
                                  bidirectional=False)  # fmt: skip
        trained = train_classifier(
            rows, config, ClassifierDataConfig(val_fraction=0.0, batch_size=8),
            TrainerConfig(epochs=60, lr=0.02), _tmp(kind),
        )  # fmt: skip
        scores, predicted = evaluate_classifier(trained.model, rows)
        results[kind] = scores.accuracy
        if kind == "average":  # one prediction for all 24 orders of the same four words
            assert len(set(predicted)) == 1
    assert results["average"] == 0.5
    assert results["rnn"] == 1.0


def _tmp(name):
    import tempfile

    return tempfile.mkdtemp(prefix=f"cls-{name}-")


def test_folder_round_trip_gives_the_same_predictions(tmp_path):
    rows = [("good movie", "pos"), ("bad movie", "neg"), ("good taste", "pos"), ("bad", "neg")]
    trained = train_classifier(
        rows, ClassifierConfig(model="rnn", embedding_size=4, hidden_size=4),
        ClassifierDataConfig(val_fraction=0.0), TrainerConfig(epochs=2), tmp_path / "m",
    )  # fmt: skip
    loaded = seqlab.load(tmp_path / "m")
    assert isinstance(loaded, SentenceClassifier)
    assert loaded.labels == ["neg", "pos"]
    a = trained.model.predict(["good", "bad taste"])
    b = loaded.predict(["good", "bad taste"])
    assert [(p.label, round(p.prob, 6)) for p in a] == [(p.label, round(p.prob, 6)) for p in b]
    assert sorted((tmp_path / "m").iterdir()) and (tmp_path / "m" / "labels.json").is_file()


def test_a_folder_saved_with_static_channel_off_still_loads_and_one_with_it_on_is_named(
    tmp_path,
):
    """static_channel was removed: config.json files written before hold false and load."""
    model = _model("rnn")
    save_model(model, tmp_path / "m")
    file = tmp_path / "m" / "config.json"
    saved = json.loads(file.read_text())
    assert "static_channel" not in saved["config"]
    saved["config"]["static_channel"] = False
    file.write_text(json.dumps(saved))
    texts = ["good movie", "bad taste"]
    torch.testing.assert_close(seqlab.load(tmp_path / "m").predict_proba(texts)[0],
                               model.predict_proba(texts)[0])  # fmt: skip
    saved["config"]["static_channel"] = True
    file.write_text(json.dumps(saved))
    removed = (
        r"config\.json: ClassifierConfig\.static_channel=True: this option was removed from "
        r"seqlab \(only static_channel=False loads\)"
    )
    with pytest.raises(ValueError, match=removed):
        seqlab.load(tmp_path / "m")


def test_labels_keep_the_file_spelling_and_a_stable_order():
    assert order_labels(["3", "10", "2", "3"]) == ["2", "3", "10"]
    assert order_labels(["pos", "neg"]) == ["neg", "pos"]


def test_unseen_validation_label_and_empty_sentence_are_named(tmp_path):
    rows = [("good", "pos"), ("bad", "neg")]
    cfg = ClassifierConfig(model="average", embedding_size=4)
    with pytest.raises(ValueError, match="validation sentence 1 has label 'meh'"):
        train_classifier(rows, cfg, ClassifierDataConfig(), TrainerConfig(epochs=1),
                         tmp_path / "a", val_rows=[("ok", "meh")])  # fmt: skip
    with pytest.raises(ValueError, match="training sentence 2: empty sentence"):
        train_classifier([("good", "pos"), ("  ", "neg")], cfg, ClassifierDataConfig(),
                         TrainerConfig(epochs=1), tmp_path / "b", val_rows=rows)  # fmt: skip
    assert not (tmp_path / "a").exists() and not (tmp_path / "b").exists()
    with pytest.raises(ValueError, match="at least 2 labels"):
        SentenceClassifier(cfg, Vocabulary(["a"]), ["x"], WordTokenizer())
    with pytest.raises(ValueError, match="text 1 is empty"):
        _model().predict(["good", ""])


class _Vectors:
    """The part of WordVectors the classifiers use."""

    def __init__(self, table: dict[str, list[float]]):
        self.table = {w: np.asarray(v, dtype=np.float32) for w, v in table.items()}
        self.words = list(self.table)
        self.dim = len(next(iter(self.table.values())))

    def __contains__(self, word):
        return word in self.table

    def vector(self, word):
        return self.table[word]


def test_pretrained_vectors_extend_the_vocabulary_and_fill_the_rows():
    vectors = _Vectors({"good": [1, 2], "great": [3, 4], "Paris": [5, 6]})
    vocab = build_word_vocab([["good", "movie"]], extra_words=vectors.words)
    assert list(vocab.tokens[4:]) == ["good", "movie", "great", "Paris"]
    matrix, found = pretrained_rows(vocab, vectors)
    assert found.tolist() == [False] * 4 + [True, False, True, True]
    assert matrix[vocab.token_to_id("great")].tolist() == [3, 4]
    assert matrix[vocab.token_to_id("movie")].tolist() == [0, 0]


_VECTORS = {"good": [1.0, 0.5], "bad": [-1.0, 0.25], "unused": [9.0, 9.0]}
_ROWS = [("good", "pos"), ("bad", "neg"), ("good good", "pos"), ("bad bad", "neg")]


def _train_average_on_vectors(out, **config):
    """The averaging model (E = 2) trained on _ROWS with _VECTORS loaded: (trained, vectors)."""
    vectors = _Vectors(_VECTORS)
    config = ClassifierConfig(model="average", embedding_size=2, **config)
    trained = train_classifier(_ROWS, config, ClassifierDataConfig(val_fraction=0.0),
                               TrainerConfig(epochs=20, lr=0.05), out, vectors=vectors)  # fmt: skip
    return trained, vectors


def test_frozen_pretrained_embeddings_stay_and_a_wrong_dimension_is_an_error(tmp_path):
    trained, vectors = _train_average_on_vectors(tmp_path / "m", freeze_embeddings=True)
    rows = _ROWS
    model = trained.model
    assert trained.record["vectors_found"] == 3
    for word in ("good", "bad", "unused"):
        assert model.embed.weight[model.vocab.token_to_id(word)].tolist() == pytest.approx(
            vectors.vector(word).tolist())  # fmt: skip
    assert [p.label for p in model.predict(["good", "bad"])] == ["pos", "neg"]
    with pytest.raises(ValueError, match="dimension 2 but embedding_size is 3"):
        train_classifier(rows, ClassifierConfig(model="average", embedding_size=3),
                         ClassifierDataConfig(val_fraction=0.0), TrainerConfig(epochs=1),
                         tmp_path / "x", vectors=vectors)  # fmt: skip


def test_config_and_vocabulary_mismatch_is_caught():
    with pytest.raises(ValueError, match="vocabulary has 99 entries but it has"):
        SentenceClassifier(ClassifierConfig(vocab_size=99), Vocabulary(WORDS), ["a", "b"],
                           WordTokenizer())  # fmt: skip


def test_an_ensemble_averages_the_probabilities_label_by_label():
    texts = ["good movie", "completely lacking in good taste", "bad"]
    a = _model("rnn")
    torch.manual_seed(1)
    b = SentenceClassifier(ClassifierConfig(model="average", embedding_size=3),
                           Vocabulary(["good", "bad", "movie", "zzz"]), ["pos", "neg"],
                           WordTokenizer(lower=True))  # fmt: skip  # other words, label order
    pa, ua = a.predict_proba(texts)
    pb, ub = b.predict_proba(texts)
    ensemble = ClassifierEnsemble([a, b])
    assert ensemble.labels == ["neg", "pos"] and len(ensemble) == 2
    probs, unk = ensemble.predict_proba(texts)
    want = (pa.numpy() + pb.numpy()[:, ::-1]) / 2  # b's columns are pos, neg
    np.testing.assert_allclose(probs.numpy(), want, atol=1e-6)
    assert unk == [max(x, y) for x, y in zip(ua, ub)] and unk[1] == 4  # b lacks 4 words
    for p, row in zip(ensemble.predict(texts), want):
        assert p.label == ["neg", "pos"][int(row.argmax())] and p.prob == pytest.approx(row.max())
    scores, predicted = evaluate_classifier(ensemble, [(texts[0], "pos"), (texts[2], "neg")])
    assert predicted == [p.label for p in ensemble.predict([texts[0], texts[2]])]
    one = ClassifierEnsemble([a]).predict_proba(texts)[0]
    torch.testing.assert_close(one, pa)
    with pytest.raises(ValueError, match="share their labels"):
        ClassifierEnsemble(
            [
                a,
                SentenceClassifier(
                    ClassifierConfig(), Vocabulary(WORDS), ["neg", "pos", "mixed"], WordTokenizer()
                ),
            ]
        )
    with pytest.raises(ValueError, match="at least one"):
        ClassifierEnsemble([])
