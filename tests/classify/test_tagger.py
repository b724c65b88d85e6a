"""SequenceTagger: features, padding, the CRF loss, learning a toy NER task, folders, errors."""

import json

import pytest
import torch

import seqlab
from seqlab.classify import (
    CASINGS,
    SequenceTagger,
    TaggerConfig,
    TaggerDataConfig,
    casing,
    collate_tagged,
    evaluate_tagger,
    train_tagger,
)
from seqlab.datasets import TaggedSentence
from seqlab.text import Vocabulary
from seqlab.train import TrainerConfig, save_model

TAGS = ["O", "B-PER", "I-PER", "B-LOC", "I-LOC"]


@pytest.mark.parametrize(
    "word, shape",
    [("paris", "lower"), ("Paris", "Title"), ("EU", "UPPER"), ("McDonald", "MiXed"),
     ("1997", "number"), ("3.14", "number"), ("12-3", "number"), ("A4", "has_digit"),
     (".", "other"), ("I", "UPPER"), ("X", "UPPER")],
)  # fmt: skip
def test_casing(word, shape):
    assert CASINGS[casing(word)] == shape


def _model(**kw) -> SequenceTagger:
    torch.manual_seed(0)
    words = Vocabulary(["anna", "berg", "visited", "oslo", "."])
    chars = Vocabulary(list("AaBbeginorsOtvld.")) if kw.get("char_embedding_size") else None
    config = TaggerConfig(embedding_size=6, hidden_size=5, casing_size=3, **kw)
    return SequenceTagger(config, words, chars, TAGS)


@pytest.mark.parametrize("crf", [False, True])
@pytest.mark.parametrize("chars", [0, 4])
def test_emissions_shape_and_padding_independence(crf, chars):
    model = _model(crf=crf, char_embedding_size=chars).eval()
    a = model.encode(["Anna", "Berg", "visited", "Oslo", "."])
    b = model.encode(["Oslo"])
    batch = collate_tagged([a, b])
    P = model.emissions(batch)
    assert P.shape == (2, 5, len(TAGS))
    alone = model.emissions(collate_tagged([b]))
    torch.testing.assert_close(P[1, :1], alone[0], atol=1e-6, rtol=1e-5)
    decoded = model.decode(batch)
    assert [len(r) for r in decoded] == [5, 1]
    assert decoded[1] == model.decode(collate_tagged([b]))[0]


def test_crf_loss_is_the_negative_log_likelihood_per_word():
    model = _model(crf=True).eval()
    sents = [model.encode(["Anna", "Berg", "visited", "Oslo"]), model.encode(["Oslo", "."])]
    tags = [[1, 2, 0, 3], [3, 0]]
    batch = collate_tagged(sents, tags=tags)
    P = model.emissions(batch)
    mask = torch.tensor([[1, 1, 1, 1], [1, 1, 0, 0]], dtype=torch.bool)
    ll = model.crf.log_likelihood(P, batch["tags"].clamp(min=0), mask)
    assert model.loss(batch).item() == pytest.approx(-ll.sum().item() / 6, rel=1e-6)


def test_softmax_loss_is_cross_entropy_over_real_words():
    model = _model(crf=False).eval()
    batch = collate_tagged([model.encode(["Anna", "Berg"]), model.encode(["Oslo"])],
                           tags=[[1, 2], [3]])  # fmt: skip
    logp = model.emissions(batch).log_softmax(-1)
    expected = -(logp[0, 0, 1] + logp[0, 1, 2] + logp[1, 0, 3]) / 3
    assert model.loss(batch).item() == pytest.approx(expected.item(), rel=1e-6)


NAMES = ["Anna", "Berg", "Carl", "Dahl", "Eva", "Falk"]
PLACES = ["Oslo", "Rome", "Lima", "Kyiv"]


def _toy(n: int, seed: int) -> list[TaggedSentence]:
    """First names (+ surname) are PER, capitals after 'in' are LOC."""
    import random

    rng = random.Random(seed)
    out = []
    for _ in range(n):
        first, last = rng.choice(NAMES[::2]), rng.choice(NAMES[1::2])
        person = [first, last] if rng.random() < 0.5 else [first]
        tokens = [*person, "lives", "in", rng.choice(PLACES), "."]
        tags = ["B-PER", *(["I-PER"] if len(person) == 2 else []), "O", "O", "B-LOC", "O"]
        out.append(TaggedSentence(tokens, tags))
    return out


@pytest.mark.parametrize("crf", [False, True])
def test_learns_a_toy_ner_task(tmp_path, crf):
    config = TaggerConfig(embedding_size=8, hidden_size=16, casing_size=4, crf=crf,
                          char_embedding_size=4, char_hidden_size=4, dropout=0.0)  # fmt: skip
    trained = train_tagger(_toy(120, 0), config, TaggerDataConfig(batch_size=8),
                           TrainerConfig(epochs=8, lr=0.02), tmp_path / "m",
                           val_sentences=_toy(30, 1))  # fmt: skip
    assert trained.scores["f1"] == 1.0
    scores, _ = evaluate_tagger(trained.model, _toy(30, 2))
    assert scores.f1 == 1.0
    (p,) = trained.model.predict([["Eva", "Dahl", "lives", "in", "Rome", "."]])
    assert [(e.type, e.start, e.end) for e in p.entities] == [("PER", 0, 2), ("LOC", 4, 5)]
    assert p.to_json()["entities"][0] == {"text": "Eva Dahl", "type": "PER", "start": 0, "end": 2}
    loaded = seqlab.load(tmp_path / "m")
    assert loaded.predict([p.tokens])[0].tags == p.tags
    # a folder written before lower_words was renamed lowercase still loads
    file = tmp_path / "m" / "config.json"
    saved = json.loads(file.read_text())
    saved["config"]["lower_words"] = saved["config"].pop("lowercase")
    file.write_text(json.dumps(saved))
    assert seqlab.load(tmp_path / "m").predict([p.tokens])[0].tags == p.tags


def test_invalid_bio_is_refused_with_a_hint(tmp_path):
    bad = [TaggedSentence(["Anna", "lives"], ["I-PER", "O"])]
    with pytest.raises(ValueError, match=r"training sentence 1 is not valid BIO.*--repair"):
        train_tagger(bad, TaggerConfig(), TaggerDataConfig(val_fraction=0.0),
                     TrainerConfig(epochs=1), tmp_path / "m")  # fmt: skip
    assert not (tmp_path / "m").exists()


def test_unseen_validation_tag_and_token_count_mismatch(tmp_path):
    train = _toy(10, 0)
    with pytest.raises(ValueError, match="validation sentence 1 has tag 'B-ORG'"):
        train_tagger(train, TaggerConfig(embedding_size=4, hidden_size=4), TaggerDataConfig(),
                     TrainerConfig(epochs=1), tmp_path / "a",
                     val_sentences=[TaggedSentence(["Acme"], ["B-ORG"])])  # fmt: skip
    with pytest.raises(ValueError, match="2 tokens but 1 tags"):
        train_tagger([TaggedSentence(["a", "b"], ["O"])], TaggerConfig(), TaggerDataConfig(),
                     TrainerConfig(epochs=1), tmp_path / "b")  # fmt: skip


def test_predict_refuses_strings_and_empty_sentences():
    model = _model()
    with pytest.raises(ValueError, match="lists of tokens"):
        model.predict(["Anna lives"])
    with pytest.raises(ValueError, match="sentence 1: empty sentence"):
        model.predict([["Anna"], []])


def test_config_and_vocabulary_mismatch_is_caught():
    with pytest.raises(ValueError, match="word vocabulary has 7 entries but it has 9"):
        SequenceTagger(TaggerConfig(word_vocab_size=7), Vocabulary(list("abcde")), None, TAGS)
    with pytest.raises(ValueError, match="character vocabulary is needed"):
        SequenceTagger(TaggerConfig(char_embedding_size=4), Vocabulary(["a"]), None, TAGS)


def test_a_folder_saved_with_constrain_on_still_loads_and_one_with_it_off_is_named(tmp_path):
    """constrain was removed (the CRF always forbids the scheme's invalid transitions):
    config.json files written before hold true and load."""
    model = _model(crf=True).eval()
    file = save_model(model, tmp_path / "m") / "config.json"
    saved = json.loads(file.read_text())
    assert "constrain" not in saved["config"]
    saved["config"]["constrain"] = True
    file.write_text(json.dumps(saved))
    batch = collate_tagged([model.encode(["Anna", "Berg", "visited", "Oslo", "."])])
    loaded = seqlab.load(tmp_path / "m")
    torch.testing.assert_close(loaded.emissions(batch), model.emissions(batch))
    assert loaded.decode(batch) == model.decode(batch)
    saved["config"]["constrain"] = False
    file.write_text(json.dumps(saved))
    removed = (
        r"config\.json: TaggerConfig\.constrain=False: this option was removed from seqlab "
        r"\(only constrain=True loads\)"
    )
    with pytest.raises(ValueError, match=removed):
        seqlab.load(tmp_path / "m")


def test_iobes_data_trains_with_the_iobes_scheme_and_is_named_otherwise(tmp_path):
    from seqlab.text import convert_tags

    def iobes(sents):
        return [TaggedSentence(s.tokens, convert_tags(s.tags, source="BIO", target="IOBES"))
                for s in sents]  # fmt: skip

    train, val = iobes(_toy(120, 0)), iobes(_toy(30, 1))
    assert any(t.startswith("S-") for s in train for t in s.tags)
    with pytest.raises(ValueError, match=r"E-/S- prefixes, which is IOBES, not BIO.*--scheme"):
        train_tagger(train, TaggerConfig(), TaggerDataConfig(), TrainerConfig(epochs=1),
                     tmp_path / "bio")  # fmt: skip
    config = TaggerConfig(embedding_size=8, hidden_size=16, crf=True, scheme="IOBES",
                          dropout=0.0)  # fmt: skip
    trained = train_tagger(train, config, TaggerDataConfig(batch_size=8),
                           TrainerConfig(epochs=8, lr=0.02), tmp_path / "m",
                           val_sentences=val)  # fmt: skip
    assert trained.scores["f1"] == 1.0
    (p,) = trained.model.predict([["Eva", "lives", "in", "Rome", "."]])
    assert p.tags == ["S-PER", "O", "O", "S-LOC", "O"]
    assert [(e.type, e.start, e.end) for e in p.entities] == [("PER", 0, 1), ("LOC", 3, 4)]


@pytest.mark.parametrize("crf", [False, True])
def test_validation_f1_over_batches_equals_span_scores_of_the_whole_set(tmp_path, crf):
    """The Trainer averages per-word entity counts over batches; summarize_metrics makes F1."""
    from seqlab.classify import TagBatches
    from seqlab.train import Trainer

    sents = _toy(40, 3)
    trained = train_tagger(_toy(40, 0), TaggerConfig(embedding_size=4, hidden_size=4, crf=crf),
                           TaggerDataConfig(val_fraction=0.0), TrainerConfig(epochs=1, lr=0.01),
                           tmp_path / "m")  # fmt: skip
    model = trained.model
    expected, _ = evaluate_tagger(model, sents)
    assert 0 < expected.f1 < 1  # barely trained: some entities right, some wrong
    enc = [model.encode(s.tokens) for s in sents]
    ids = [[model.tags.index(t) for t in s.tags] for s in sents]
    trainer = Trainer(model, TrainerConfig(epochs=1), tmp_path / "t",
                      train_data=TagBatches(enc, ids, 7))  # fmt: skip
    got = trainer.evaluate(TagBatches(enc, ids, 7))
    assert got["f1"] == pytest.approx(expected.f1, abs=1e-12)
    assert got["precision"] == pytest.approx(expected.precision, abs=1e-12)
    assert got["recall"] == pytest.approx(expected.recall, abs=1e-12)
