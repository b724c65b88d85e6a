"""SentenceClassifier: the notes' averaging model vs NumPy, padding, word order, folders."""

import itertools

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
from seqlab.train import TrainerConfig

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
    assert trained.data["vectors_found"] == 3
    for word in ("good", "bad", "unused"):
        assert model.embed.weight[model.vocab.token_to_id(word)].tolist() == pytest.approx(
            vectors.vector(word).tolist())  # fmt: skip
    assert [p.label for p in model.predict(["good", "bad"])] == ["pos", "neg"]
    with pytest.raises(ValueError, match="dimension 2 but embedding_size is 3"):
        train_classifier(rows, ClassifierConfig(model="average", embedding_size=3),
                         ClassifierDataConfig(val_fraction=0.0), TrainerConfig(epochs=1),
                         tmp_path / "x", vectors=vectors)  # fmt: skip


def test_the_static_channel_keeps_the_loaded_vectors_while_E_is_fine_tuned(tmp_path):
    """e<t> = [E o_w ; E_0 o_w]: E_0 stays as loaded (a word never trained keeps it in both
    channels), E moves, and the averaging model's softmax reads both halves."""
    trained, vectors = _train_average_on_vectors(tmp_path / "m", static_channel=True)
    rows, config = _ROWS, trained.model.config
    model = seqlab.load(tmp_path / "m")
    E, E0 = model.embed.weight.detach().numpy(), model.embed_static.weight.detach().numpy()
    for word in ("good", "bad", "unused"):
        np.testing.assert_allclose(E0[model.vocab.token_to_id(word)], vectors.vector(word))
    for word in ("good", "bad"):  # trained: E moved away from E_0
        assert np.abs(E[model.vocab.token_to_id(word)] - vectors.vector(word)).max() > 1e-3
    np.testing.assert_allclose(E[model.vocab.token_to_id("unused")], vectors.vector("unused"))
    assert model.out.weight.shape == (2, 4)  # W reads 2E
    W, b = model.out.weight.detach().numpy(), model.out.bias.detach().numpy()
    ids = model.vocab.encode(["good", "unused", "bad"])
    z = W @ np.concatenate([E[ids], E0[ids]], axis=1).mean(0) + b
    expected = np.exp(z - z.max()) / np.exp(z - z.max()).sum()
    np.testing.assert_allclose(model.predict_proba(["good unused bad"])[0][0], expected,
                               rtol=1e-5, atol=1e-6)  # fmt: skip
    assert [p.label for p in trained.model.predict(["good", "bad"])] == ["pos", "neg"]
    # the RNN reads 2E-wide inputs too, and saliency differentiates through both channels
    rnn = ClassifierConfig(model="rnn", embedding_size=2, hidden_size=3, static_channel=True)
    trained = train_classifier(rows, rnn, ClassifierDataConfig(val_fraction=0.0),
                               TrainerConfig(epochs=1), tmp_path / "r",
                               vectors=vectors)  # fmt: skip
    assert len(seqlab.classify.explain(trained.model, "good bad").saliency) == 2
    with pytest.raises(ValueError, match="static_channel keeps a frozen copy"):
        train_classifier(rows, config, ClassifierDataConfig(val_fraction=0.0),
                         TrainerConfig(epochs=1), tmp_path / "x")  # fmt: skip
    with pytest.raises(ValueError, match="static_channel"):
        ClassifierConfig(static_channel=True, freeze_embeddings=True)


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


def test_the_soft_target_loss_equals_numpy_and_one_hot_targets_give_the_label_loss():
    model = _model("rnn", cell="gru")
    ids, lengths = pad_sequences(
        [model.vocab.encode(["good", "movie"]), model.vocab.encode(["bad"])]
    )
    q = torch.tensor([[0.2, 0.8], [0.9, 0.1]])
    labels = torch.tensor([1, 0])
    z = model(ids, lengths).detach().double().numpy()  # (2, C)
    log_p = z - z.max(1, keepdims=True)
    log_p = log_p - np.log(np.exp(log_p).sum(1, keepdims=True))
    expected = -(q.double().numpy() * log_p).sum(1).mean()
    batch = {"ids": ids, "lengths": lengths, "labels": labels}
    one_hot = torch.nn.functional.one_hot(labels, 2).float()
    with torch.no_grad():
        assert float(model.loss({**batch, "targets": q})) == pytest.approx(expected, rel=1e-5)
        assert float(model.loss({**batch, "targets": one_hot})) == pytest.approx(
            float(model.loss(batch)), rel=1e-6
        )


def test_distillation_targets_mix_the_label_and_the_teacher_by_label_name():
    from seqlab.classify.train import _distill_targets

    torch.manual_seed(1)
    config = ClassifierConfig(model="average", embedding_size=4)
    teacher = SentenceClassifier(config, Vocabulary(WORDS), ["pos", "neg"], WordTokenizer())
    rows = [("good movie", "pos"), ("bad taste", "neg"), ("movie", "neg")]
    y = [1, 0, 0]  # ids in the student's order ["neg", "pos"]
    q = _distill_targets(teacher, ["neg", "pos"], rows, y, 0.3)
    p, _ = teacher.predict_proba([t for t, _ in rows])  # columns: pos, neg
    expected = 0.7 * torch.tensor([[0.0, 1.0], [1.0, 0.0], [1.0, 0.0]]) + 0.3 * p[:, [1, 0]]
    torch.testing.assert_close(q, expected)
    assert torch.allclose(q.sum(1), torch.ones(3))


def test_a_student_with_distill_1_learns_the_teacher_not_the_labels(tmp_path):
    rows = [("good movie", "pos"), ("bad movie", "neg"), ("good taste", "pos"),
            ("bad taste", "neg"), ("good", "pos"), ("bad", "neg")]  # fmt: skip
    flipped = [(t, "neg" if y == "pos" else "pos") for t, y in rows]
    config = ClassifierConfig(model="average", embedding_size=4)
    data = ClassifierDataConfig(val_fraction=0.0)
    trainer = TrainerConfig(epochs=40, lr=0.05)
    teacher = train_classifier(flipped, config, data, trainer, tmp_path / "t").model
    assert [p.label for p in teacher.predict(["good", "bad"])] == ["neg", "pos"]
    for distill, expected in ((1.0, ["neg", "pos"]), (0.0, ["pos", "neg"])):
        student = train_classifier(
            rows, config, ClassifierDataConfig(val_fraction=0.0, distill=distill), trainer,
            tmp_path / f"s{distill}", teacher=teacher,
        )  # fmt: skip
        assert [p.label for p in student.model.predict(["good", "bad"])] == expected
        assert student.data["teacher"] == {"models": 1, "distill": distill}
    other = SentenceClassifier(config, Vocabulary(WORDS), ["a", "b"], WordTokenizer())
    with pytest.raises(ValueError, match="teacher's labels"):
        train_classifier(rows, config, data, trainer, tmp_path / "x", teacher=other)
    assert not (tmp_path / "x").exists()
    with pytest.raises(ValueError, match="distill"):
        ClassifierDataConfig(distill=1.5)


def test_word_dropout_reads_tokens_as_unk_at_its_rate_and_leaves_padding_and_labels():
    from seqlab.classify.data import ClassBatches

    rng = np.random.default_rng(0)
    ids = [rng.integers(2, 50, rng.integers(1, 30)).tolist() for _ in range(300)]
    labels = rng.integers(0, 2, 300).tolist()
    kw = {"shuffle": True, "seed": 3, "unk_id": 1}
    clean = ClassBatches(ids, labels, 16, **kw)(0)
    noisy = ClassBatches(ids, labels, 16, word_dropout=0.25, **kw)
    dropped = real = 0
    for a, b in zip(clean, noisy(0), strict=True):
        assert torch.equal(a["labels"], b["labels"]) and torch.equal(a["lengths"], b["lengths"])
        is_real = torch.arange(a["ids"].shape[1]) < a["lengths"][:, None]
        changed = a["ids"] != b["ids"]
        assert not (changed & ~is_real).any()  # padding stays padding
        assert (b["ids"][changed] == 1).all()  # a dropped word is read as <unk>
        dropped, real = dropped + int(changed.sum()), real + int(is_real.sum())
    assert real > 3000 and abs(dropped / real - 0.25) < 0.035  # 4 standard errors
    again, later = noisy(0), noisy(1)
    assert all(torch.equal(x["ids"], y["ids"]) for x, y in zip(noisy(0), again, strict=True))
    assert not all(torch.equal(x["ids"], y["ids"]) for x, y in zip(again, later, strict=True))
    with pytest.raises(ValueError, match="word_dropout"):
        ClassBatches(ids, labels, 16, word_dropout=1.0)
    with pytest.raises(ValueError, match="word_dropout"):
        ClassifierDataConfig(word_dropout=-0.1)


def test_word_dropout_reaches_the_training_batches_only(tmp_path, monkeypatch):
    import seqlab.classify.train as train_module
    from seqlab.classify.data import ClassBatches

    made = []

    class Recording(ClassBatches):
        def __init__(self, *args, **kw):
            super().__init__(*args, **kw)
            made.append((kw["shuffle"], self.word_dropout, self.unk_id))

    monkeypatch.setattr(train_module, "ClassBatches", Recording)
    rows = [("good movie", "pos"), ("bad movie", "neg"), ("good taste", "pos"),
            ("bad taste", "neg")]  # fmt: skip
    trained = train_classifier(
        rows, ClassifierConfig(model="average", embedding_size=4),
        ClassifierDataConfig(val_fraction=0.0, word_dropout=0.3), TrainerConfig(epochs=1),
        tmp_path / "m", val_rows=rows,
    )  # fmt: skip
    unk = trained.model.vocab.unk_id
    assert made == [(True, 0.3, unk), (False, 0.0, unk)]
