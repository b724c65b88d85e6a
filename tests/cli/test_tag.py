"""``seqlab tag train | predict | evaluate`` through main([...]), on made-up CoNLL sentences."""

import json
import shutil
from collections import Counter
from pathlib import Path

import numpy as np
import pytest
from seqeval.metrics import classification_report, f1_score, precision_score, recall_score

import seqlab
from seqlab.cli import main
from seqlab.train import save_model

from ._helpers import fails as _fails
from ._helpers import feed_stdin as _stdin
from ._helpers import json_lines as _json_lines
from ._helpers import write_lines as _write

pytestmark = [pytest.mark.slow, pytest.mark.filterwarnings("ignore")]  # seqeval's zero divisions

TINY = ["--epochs", "2", "--hidden-size", "8", "--embedding-size", "8", "--batch-size", "8",
        "--no-progress", "--device", "cpu", "--threads", "1"]  # fmt: skip
# Enough for the tiny model to learn its six training sentences by heart.
MEMORIZE = [*TINY, "--epochs", "20", "--lr", "0.05", "--dropout", "0", "--singleton-unk", "0",
            "--val-fraction", "0", "--checkpoint-every", "1000"]  # fmt: skip
TRAIN = [
    ("Anna Berg visited Oslo .", "B-PER I-PER O B-LOC O"),
    ("Lars Dahl lives in Bergen .", "B-PER I-PER O O B-LOC O"),
    ("Nordvik Data hired Anna .", "B-ORG I-ORG O B-PER O"),
    ("Kari works for Fjordtech in Tromso .", "B-PER O O B-ORG O B-LOC O"),
    ("Oslo is cold .", "B-LOC O O O"),
    ("Lars met Kari in Oslo .", "B-PER O B-PER O B-LOC O"),
]
DEV = [("Kari visited Bergen .", "B-PER O B-LOC O"),
       ("Fjordtech hired Lars Dahl .", "B-ORG O B-PER I-PER O")]  # fmt: skip
TEST = [
    ("Anna lives in Tromso .", "B-PER O O B-LOC O"),
    ("Nordvik Data is in Oslo .", "B-ORG I-ORG O O B-LOC O"),
    ("Lars Berg met Kari .", "B-PER I-PER O B-PER O"),
]


def _conll(path, sentences, *, middle: str = "", docstart: bool = False) -> str:
    """A CoNLL file: one ``word [middle columns] tag`` line per token, a blank line after each
    sentence."""
    lines = [f"-DOCSTART- {middle}O", ""] if docstart else []
    for words, tags in sentences:
        lines += [f"{w} {middle}{t}" for w, t in zip(words.split(), tags.split())] + [""]
    return _write(path, lines)


def _glove(path, words, dim: int, seed: int = 0):
    """A GloVe text file of seeded random vectors; returns the path and the vectors written."""
    vectors = np.round(np.random.default_rng(seed).normal(size=(len(words), dim)), 6)
    rows = [w + " " + " ".join(f"{x:.6f}" for x in v) for w, v in zip(words, vectors)]
    return _write(path, rows), dict(zip(words, vectors))


def _config(folder) -> dict:
    return json.loads((folder / "config.json").read_text(encoding="utf-8"))["config"]


@pytest.fixture(scope="module")
def files(tmp_path_factory):
    folder = tmp_path_factory.mktemp("conll")
    return {
        # CoNLL-2003's layout: word POS chunk NER, documents opened by -DOCSTART-
        "train": _conll(folder / "train.txt", TRAIN, middle="NNP I-NP ", docstart=True),
        "dev": _conll(folder / "valid.txt", DEV),
        "test": _conll(folder / "test.txt", TEST),
    }


@pytest.fixture(scope="module")
def model_dir(files, tmp_path_factory):
    """A softmax tagger that knows its training sentences by heart."""
    out = tmp_path_factory.mktemp("models") / "ner"
    assert main(["tag", "train", files["train"], *MEMORIZE, "--out", str(out)]) == 0
    return out


# --- train ---------------------------------------------------------------------------------------


def test_train_json_summary_and_files(files, tmp_path, capsys):
    out = tmp_path / "m"
    assert main(["tag", "train", files["train"], "--dev", files["dev"], *TINY, "--out", str(out),
                 "--json"]) == 0  # fmt: skip
    lines = capsys.readouterr().out.strip().splitlines()
    assert len(lines) == 1
    summary = json.loads(lines[0])
    assert {"val_loss", "val_precision", "val_recall", "val_f1", "train_seconds", "steps",
            "epochs", "best_step", "stopped_because", "train_sentences", "val_sentences", "tags",
            "vocab_size", "vectors_found", "out"} <= set(summary)  # fmt: skip
    assert summary["train_sentences"] == len(TRAIN) and summary["val_sentences"] == len(DEV)
    assert summary["epochs"] == 2 and summary["steps"] == 2 and summary["val_loss"] > 0
    assert all(0.0 <= summary[k] <= 1.0 for k in ("val_precision", "val_recall", "val_f1"))
    assert summary["tags"] == dict(Counter(t for _, tags in TRAIN for t in tags.split()))
    assert summary["sources"]["dev"] == str(Path(files["dev"]).resolve())
    config = json.loads((out / "config.json").read_text(encoding="utf-8"))
    assert config["task"] == "tag"
    c = config["config"]
    assert (c["char_embedding_size"], c["hidden_size"], c["n_tags"]) == (0, 8, 6)
    assert not c["crf"]  # a softmax per word (False: see test_crf_defaults_to_false)
    assert json.loads((out / "tags.json").read_text(encoding="utf-8"))[0] == "O"
    assert (out / "vocab_words.json").is_file() and not (out / "vocab_chars.json").exists()
    assert (out / "model.safetensors").is_file() and (out / "loss.png").is_file()


def test_train_prints_a_summary(files, tmp_path, capsys):
    out = tmp_path / "m"
    assert main(["tag", "train", files["train"], "--dev", files["dev"], *TINY, "--out",
                 str(out)]) == 0  # fmt: skip
    text = capsys.readouterr().out
    assert "validation entity F1" in text and f"on {len(DEV)} sentences" in text
    assert "2 steps, 2 epochs in" in text and f"model in {out}/" in text
    assert f"next: echo 'EU rejects German call .' | seqlab tag predict {out}" in text


def test_crf_alone_with_character_features(files, tmp_path, monkeypatch, capsys):
    out = tmp_path / "crf"
    assert main(["tag", "train", files["train"], "--crf", "--char-embedding-size", "4",
                 "--char-hidden-size", "4", *TINY, "--out", str(out)]) == 0  # fmt: skip
    c = _config(out)
    assert (c["crf"], c["char_embedding_size"], c["char_hidden_size"]) == (True, 4, 4)
    assert (out / "vocab_chars.json").is_file()
    assert any(k.startswith("crf.") for k in seqlab.load(out).state_dict())
    capsys.readouterr()
    _stdin(monkeypatch, "Øystein Ødegård visited Åsgårdstrand .\n")  # characters never seen
    assert main(["tag", "predict", str(out), "--json"]) == 0
    (row,) = _json_lines(capsys.readouterr().out)
    tags = json.loads((out / "tags.json").read_text(encoding="utf-8"))
    assert len(row["tags"]) == 5 and set(row["tags"]) <= set(tags)


def test_crf_defaults_to_false(files, tmp_path):
    out = tmp_path / "m"
    assert main(["tag", "train", files["train"], *TINY, "--epochs", "1", "--out", str(out)]) == 0
    assert _config(out)["crf"] is False and seqlab.load(out).config.crf is False


def test_crf_false_beats_the_preset(files, tmp_path, capsys):
    out = tmp_path / "preset"
    assert main(["tag", "train", files["train"], "--preset", "conll-cpu", "--no-crf",
                 *TINY, "--out", str(out), "--json"]) == 0  # fmt: skip
    (summary,) = _json_lines(capsys.readouterr().out)
    assert summary["epochs"] == 2  # flags beat the preset's 25 epochs too
    c = _config(out)
    assert c["crf"] is False and c["hidden_size"] == 8
    assert c["char_embedding_size"] == 25  # from the preset (the default is 0)
    assert not any(k.startswith("crf.") for k in seqlab.load(out).state_dict())


def test_train_with_vectors(files, tmp_path, capsys):
    words = sorted({w.lower() for s, _ in TRAIN for w in s.split()} | {"zebra"})
    glove, vectors = _glove(tmp_path / "glove.8d.txt", words, 8)
    out = tmp_path / "m"
    assert main(["tag", "train", files["train"], "--vectors", glove, "--freeze-embeddings",
                 *TINY, "--val-fraction", "0", "--out", str(out)]) == 0  # fmt: skip
    text = capsys.readouterr().out
    n = len(words)
    assert f"pretrained vectors for {n} of {n + 4} vocabulary words ({glove})" in text
    model = seqlab.load(out)
    for word in ("oslo", "zebra"):  # frozen rows are the file's vectors
        row = model.embed.weight[model.words.encode([word])[0]].detach().numpy()
        np.testing.assert_allclose(row, vectors[word], atol=1e-6)


def test_train_vectors_of_another_dimension(files, tmp_path, capsys):
    glove, _ = _glove(tmp_path / "glove.6d.txt", ["oslo", "anna"], 6)
    out = tmp_path / "m"
    err = _fails(["tag", "train", files["train"], "--vectors", glove, *TINY, "--out", out],
                 "dimension 6", capsys)  # fmt: skip
    assert "embedding_size is 8" in err and "--embedding-size 6" in err
    assert not out.exists()


def test_invalid_bio_then_repair(tmp_path, capsys):
    bad = _conll(tmp_path / "bad.txt", [TRAIN[0], ("met Anna Berg .", "O I-PER I-PER O")])
    out = tmp_path / "m"
    argv = ["tag", "train", bad, *TINY, "--val-fraction", "0", "--out", out]
    err = _fails(argv, "training sentence 2 is not valid BIO", capsys)
    assert "I-PER follows O" in err and "--repair" in err
    assert not out.exists()
    dev = _conll(tmp_path / "dev.txt", [("Berg left .", "I-PER O O")])
    good = ["tag", "train", _conll(tmp_path / "good.txt", TRAIN[:2]), *TINY, "--out", out]
    _fails([*good, "--dev", dev], "validation sentence 1 is not valid BIO", capsys)
    assert not out.exists()
    assert main([str(a) for a in [*argv, "--repair", "--dev", dev, "--json"]]) == 0
    (summary,) = _json_lines(capsys.readouterr().out)
    # read as conlleval does: the entity that opens with I-PER starts there, as B-PER
    assert summary["tags"] == {"B-PER": 2, "I-PER": 2, "O": 4, "B-LOC": 1}
    assert summary["val_sentences"] == 1


def test_an_infinite_learning_rate_is_refused(files, tmp_path, capsys):
    out = tmp_path / "m"
    try:
        _fails(["tag", "train", files["train"], *TINY, "--lr", "inf", "--out", out], "lr", capsys)
    finally:
        leftover = sorted(p.name for p in out.iterdir()) if out.exists() else []
    assert leftover == []


def test_invalid_bio_names_the_sentence_of_the_file(tmp_path, capsys):
    # ten sentences: --val-fraction 0.1 holds out one of them (the 8th with split seed 0)
    sentences = [(f"Anna{i} Berg .", "B-PER I-PER O") for i in range(10)]
    sentences[8] = ("Anna8 Berg .", "I-PER I-PER O")
    bad = _conll(tmp_path / "bad.txt", sentences)
    err = _fails(["tag", "train", bad, *TINY, "--out", tmp_path / "m"], "not valid BIO", capsys)
    assert "sentence 9" in err or "line 33" in err  # the 9th sentence starts on line 33


def test_train_bad_input(files, tmp_path, capsys):
    out = tmp_path / "m"
    argv = ["tag", "train", files["train"], *TINY, "--out", out]
    _fails([*argv, "--preset", "nope"], "unknown preset 'nope'; known: conll-cpu", capsys)
    _fails([*argv, "--preset", "emojify-average"], "unknown preset 'emojify-average'", capsys)
    _fails([*argv, "--scheme", "BILOU"], "scheme", capsys)
    _fails([*argv, "--tag-column", "7"], "too few for word_column=0 and tag_column=7", capsys)
    _fails([*argv, "--threads", "0"], "--threads must be at least 1", capsys)
    _fails(["tag", "train", tmp_path / "none.txt", *TINY, "--out", out], "none.txt: no such file",
           capsys)  # fmt: skip
    lines = Path(files["train"]).read_text(encoding="utf-8").splitlines()
    lines[6] = "Oslo NNP B-LOC"  # line 7: three columns in a file of four
    malformed = _write(tmp_path / "malformed.txt", lines)
    _fails(["tag", "train", malformed, *TINY, "--out", out],
           "malformed.txt: line 7: 3 columns, but line 3 has 4", capsys)  # fmt: skip
    dev = _conll(tmp_path / "dev.txt", [("Oslo Expo opened .", "B-MISC I-MISC O O")])
    err = _fails([*argv, "--dev", dev], "validation sentence 1 has tag 'B-MISC'", capsys)
    assert "not among the training tags" in err
    assert not out.exists()  # nothing half-written


# --- predict -------------------------------------------------------------------------------------


def test_predict_json_entities_end_exclusive(model_dir, monkeypatch, capsys):
    sentences = ["Anna Berg visited Oslo .", "Lars met Kari in Oslo ."]
    _stdin(monkeypatch, "\r\n".join(sentences) + "\r\n")
    assert main(["tag", "predict", str(model_dir), "--json"]) == 0
    rows = _json_lines(capsys.readouterr().out)
    assert rows[0] == {
        "tokens": ["Anna", "Berg", "visited", "Oslo", "."],
        "tags": ["B-PER", "I-PER", "O", "B-LOC", "O"],
        "entities": [
            {"text": "Anna Berg", "type": "PER", "start": 0, "end": 2},
            {"text": "Oslo", "type": "LOC", "start": 3, "end": 4},
        ],
        "n_unk": 0,
    }
    assert [(e["text"], e["type"]) for e in rows[1]["entities"]] == [
        ("Lars", "PER"), ("Kari", "PER"), ("Oslo", "LOC")]  # fmt: skip
    expected = seqlab.load(model_dir).predict([s.split() for s in sentences])
    assert rows == [p.to_json() for p in expected]
    for row in rows:
        for e in row["entities"]:
            assert " ".join(row["tokens"][e["start"] : e["end"]]) == e["text"]


def test_predict_text_output_from_a_file(model_dir, tmp_path, capsys):
    file = _write(tmp_path / "in.txt", ["Anna Berg visited Oslo .", "Oslo is cold ."])
    assert main(["tag", "predict", str(model_dir), "--file", file]) == 0
    assert capsys.readouterr().out.splitlines() == [
        "[Anna Berg]PER visited [Oslo]LOC .", "[Oslo]LOC is cold ."]  # fmt: skip


@pytest.mark.parametrize(
    ("text", "match"),
    [("Anna Berg\n\nOslo\n", "stdin: line 2 is empty"), ("", "stdin: no input lines")],
)
def test_predict_bad_stdin(model_dir, monkeypatch, capsys, text, match):
    _stdin(monkeypatch, text)
    _fails(["tag", "predict", model_dir], match, capsys)
    assert capsys.readouterr().out == ""


def test_predict_bad_files(model_dir, tmp_path, capsys):
    _fails(["tag", "predict", model_dir, "--file", tmp_path / "none.txt"], "no such file", capsys)
    _fails(["tag", "predict", tmp_path / "nothing"], "does not exist", capsys)


def test_a_classifier_folder_is_refused(files, tmp_path, monkeypatch, capsys):
    from seqlab.classify import ClassifierConfig, SentenceClassifier
    from seqlab.text import Vocabulary, WordTokenizer

    config = ClassifierConfig(embedding_size=4, hidden_size=4)
    model = SentenceClassifier(config, Vocabulary(["good"]), ["neg", "pos"], WordTokenizer())
    folder = save_model(model, tmp_path / "sentiment")
    _stdin(monkeypatch, "Anna Berg\n")
    _fails(["tag", "predict", folder], "holds a 'classify' model, not a sequence tagger", capsys)
    _fails(["tag", "evaluate", folder, files["test"]], "not a sequence tagger", capsys)


@pytest.mark.parametrize(("key", "delta"), [("word_vocab_size", 3), ("n_tags", 1)])
def test_a_folder_whose_config_disagrees_with_its_files(model_dir, files, tmp_path, monkeypatch,
                                                       capsys, key, delta):  # fmt: skip
    broken = tmp_path / "broken"
    shutil.copytree(model_dir, broken)
    file = broken / "config.json"
    config = json.loads(file.read_text(encoding="utf-8"))
    config["config"][key] += delta
    file.write_text(json.dumps(config), encoding="utf-8")
    _stdin(monkeypatch, "Anna Berg\n")
    err = _fails(["tag", "predict", broken], "do not belong to its config.json", capsys)
    assert "config says the" in err
    _fails(["tag", "evaluate", broken, files["test"]], "do not belong", capsys)


# --- evaluate ------------------------------------------------------------------------------------


def test_evaluate_json_matches_seqeval(model_dir, files, tmp_path, capsys):
    pred_file = tmp_path / "pred.txt"
    assert main(["tag", "evaluate", str(model_dir), files["test"], "--json", "--write-conll",
                 str(pred_file)]) == 0  # fmt: skip
    (scores,) = _json_lines(capsys.readouterr().out)
    assert {"precision", "recall", "f1", "per_type"} <= set(scores)
    assert scores["n"] == len(TEST) and scores["n_true"] == 6
    blocks = pred_file.read_text(encoding="utf-8").rstrip("\n").split("\n\n")
    rows = [[line.split() for line in block.split("\n")] for block in blocks]
    assert [" ".join(r[0] for r in block) for block in rows] == [s for s, _ in TEST]
    assert [" ".join(r[1] for r in block) for block in rows] == [t for _, t in TEST]
    gold = [[r[1] for r in block] for block in rows]
    pred = [[r[2] for r in block] for block in rows]
    assert scores["precision"] == pytest.approx(precision_score(gold, pred))
    assert scores["recall"] == pytest.approx(recall_score(gold, pred))
    assert scores["f1"] == pytest.approx(f1_score(gold, pred))
    report = classification_report(gold, pred, output_dict=True)
    assert set(scores["per_type"]) == set(report) - {"micro avg", "macro avg", "weighted avg"}
    for name, row in scores["per_type"].items():
        assert row["precision"] == pytest.approx(report[name]["precision"])
        assert row["f1"] == pytest.approx(report[name]["f1-score"])
        assert row["support"] == report[name]["support"]
    keys = ("precision", "recall", "f1")
    values = [scores[k] for k in keys] + [r[k] for r in scores["per_type"].values() for k in keys]
    assert all(0.0 <= v <= 1.0 for v in values)


def test_evaluate_training_sentences_text_and_conll(model_dir, files, tmp_path, capsys):
    pred_file = tmp_path / "pred.txt"
    assert main(["tag", "evaluate", str(model_dir), files["train"], "--write-conll",
                 str(pred_file)]) == 0  # fmt: skip
    lines = capsys.readouterr().out.splitlines()
    assert lines[0].split() == ["precision", "recall", "f1-score", "support"]
    assert [line.split()[0] for line in lines[2:5]] == ["LOC", "ORG", "PER"]
    micro = next(line.split() for line in lines if line.strip().startswith("micro avg"))
    assert micro[2:] == ["1.0000", "1.0000", "1.0000", "13"]  # learned by heart
    assert lines[-1] == f"predictions: {pred_file}"
    written = pred_file.read_text(encoding="utf-8").splitlines()
    assert written[:6] == ["Anna B-PER B-PER", "Berg I-PER I-PER", "visited O O",
                           "Oslo B-LOC B-LOC", ". O O", ""]  # fmt: skip
    assert len(written) == sum(len(s.split()) + 1 for s, _ in TRAIN) - 1  # no -DOCSTART-


def test_evaluate_bad_input(model_dir, files, tmp_path, capsys):
    pred_file = tmp_path / "pred.txt"
    unseen = _conll(tmp_path / "unseen.txt", [TEST[0], ("Oslo Expo opened .", "B-MISC I-MISC O O")])
    match = "sentence 2 has tag(s) ['B-MISC', 'I-MISC'] the model was not trained on"
    err = _fails(["tag", "evaluate", model_dir, unseen, "--write-conll", pred_file], match, capsys)
    assert "B-PER" in err
    _fails(["tag", "evaluate", model_dir, tmp_path / "none.txt"], "no such file", capsys)
    malformed = _write(tmp_path / "malformed.txt", ["Anna B-PER", "Berg I-PER", "", "Oslo"])
    _fails(["tag", "evaluate", model_dir, malformed], "malformed.txt: line 4: 1 column", capsys)
    assert not pred_file.exists()


def test_write_conll_into_a_missing_folder(model_dir, files, tmp_path, capsys):
    target = tmp_path / "no" / "pred.txt"
    err = _fails(["tag", "evaluate", model_dir, files["test"], "--write-conll", target], "no",
                 capsys)  # fmt: skip
    assert ".tmp" not in err and (str(target) in err or str(target.parent) in err)
