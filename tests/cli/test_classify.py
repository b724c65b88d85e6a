"""``seqlab classify train | predict | evaluate`` through main([...]), on tiny made-up data."""

import json
import shutil

import numpy as np
import pytest
from sklearn.metrics import accuracy_score, confusion_matrix, precision_recall_fscore_support

import seqlab
from seqlab.cli import main
from seqlab.datasets.labelled import EMOJIFY_CLASSES
from seqlab.train import save_model

from ._helpers import capture_figures, tick_labels
from ._helpers import fails as _fails
from ._helpers import feed_stdin as _stdin
from ._helpers import json_lines as _json_lines
from ._helpers import write_lines as _write

pytestmark = pytest.mark.slow

PNG_MAGIC = b"\x89PNG\r\n\x1a\n"
TINY = ["--epochs", "3", "--hidden-size", "8", "--embedding-size", "8", "--batch-size", "8",
        "--no-progress", "--device", "cpu", "--threads", "1"]  # fmt: skip
LABELS = ["0", "2", "10"]  # as written in the CSV; ordered numerically, not as strings
# Emojify's layout: sentence,label without a header; a quoted sentence may end with a TAB and
# a line may carry empty extra fields.
EMOJI_CSV = [
    "I love you,0",
    "you are my love,0",
    "love you forever,0",
    "my dear love,0",
    "I adore you,0",
    "so happy today,2",
    "what a happy day,2",
    "happy birthday to you,2",
    "great news today,2",
    "she smiled at me,2,,",
    '"I want to eat\t",10',
    "lets eat pizza,10",
    "food is ready,10",
    "I am hungry,10",
    "dinner is served,10",
]
EMOJI_TEST = [
    ("I love you so much", "0"),
    ("a happy day", "2"),
    ("eat your dinner", "10"),
    ("my love is hungry", "0"),
    ("happy news", "2"),
    ("pizza is ready", "10"),
]
REVIEWS = [
    ("pos", "a gripping film"),
    ("pos", "a great and moving story"),
    ("pos", "moving and funny"),
    ("pos", "great acting"),
    ("neg", "a dull film"),
    ("neg", "boring and slow"),
    ("neg", "a slow and dull story"),
    ("neg", "bad acting"),
]
REVIEWS_DEV = [("pos", "a funny story"), ("neg", "dull and bad")]


def _glove(path, words, dim: int, seed: int = 0):
    """A GloVe text file of seeded random vectors; returns the path and the vectors written."""
    vectors = np.round(np.random.default_rng(seed).normal(size=(len(words), dim)), 6)
    rows = [w + " " + " ".join(f"{x:.6f}" for x in v) for w, v in zip(words, vectors)]
    return _write(path, rows), dict(zip(words, vectors))


def _words(lines) -> list[str]:
    """The lower-cased words of the sentences of CSV lines."""
    words = {w.strip('"').lower() for line in lines for w in line.split(",")[0].split()}
    return sorted(words - {""})


@pytest.fixture(scope="module")
def data(tmp_path_factory):
    folder = tmp_path_factory.mktemp("classify-data")
    return {
        "csv": _write(folder / "train_emoji.csv", EMOJI_CSV),
        "test": _write(folder / "test_emoji.csv", [f"{t},{y}" for t, y in EMOJI_TEST]),
        "tsv": _write(folder / "reviews.tsv", ["label\ttext", *(f"{y}\t{t}" for y, t in REVIEWS)]),
        "dev": _write(folder / "reviews_dev.tsv", [f"{y}\t{t}" for y, t in REVIEWS_DEV]),
    }


@pytest.fixture(scope="module")
def model_dir(data, tmp_path_factory):
    out = tmp_path_factory.mktemp("models") / "emoji"
    assert main(["classify", "train", data["csv"], *TINY, "--val-fraction", "0", "--out",
                 str(out)]) == 0  # fmt: skip
    return out


# --- train ---------------------------------------------------------------------------------------


def test_train_json_summary_and_files(data, tmp_path, capsys):
    out = tmp_path / "m"
    assert main(["classify", "train", data["csv"], *TINY, "--out", str(out), "--json"]) == 0
    lines = capsys.readouterr().out.strip().splitlines()
    assert len(lines) == 1
    summary = json.loads(lines[0])
    assert {"val_loss", "val_accuracy", "train_seconds", "steps", "epochs", "best_step",
            "stopped_because", "train_sentences", "val_sentences", "labels", "vocab_size",
            "vectors_found", "out"} <= set(summary)  # fmt: skip
    assert summary["train_sentences"] + summary["val_sentences"] == len(EMOJI_CSV)
    assert summary["val_sentences"] == 2  # 10% of 15, rounded
    assert summary["epochs"] == 3 and summary["stopped_because"] == "epochs"
    assert summary["val_loss"] > 0 and 0.0 <= summary["val_accuracy"] <= 1.0
    assert set(summary["labels"]) <= set(LABELS) and summary["vectors_found"] == 0
    assert summary["out"] == str(out)
    config = json.loads((out / "config.json").read_text(encoding="utf-8"))
    assert config["task"] == "classify"
    c = config["config"]
    assert (c["model"], c["hidden_size"], c["embedding_size"], c["n_classes"]) == ("rnn", 8, 8, 3)
    assert c["vocab_size"] == summary["vocab_size"]
    assert json.loads((out / "labels.json").read_text(encoding="utf-8")) == LABELS
    assert (out / "model.safetensors").is_file() and (out / "vocab.json").is_file()
    assert (out / "loss.png").read_bytes().startswith(PNG_MAGIC)


def test_train_prints_a_summary(data, tmp_path, capsys):
    out = tmp_path / "m"
    assert main(["classify", "train", data["csv"], *TINY, "--out", str(out)]) == 0
    text = capsys.readouterr().out
    assert "validation loss" in text and "accuracy" in text and "on 2 sentences" in text
    assert "6 steps, 3 epochs in" in text and f"model in {out}/" in text
    assert f"next: echo 'a sentence' | seqlab classify predict {out}" in text


@pytest.mark.parametrize(
    "flags",
    [["--model", "average"], ["--cell", "gru", "--pool", "max", "--no-bidirectional"]],
)
def test_train_other_architectures(data, tmp_path, monkeypatch, capsys, flags):
    out = tmp_path / "m"
    assert main(["classify", "train", data["csv"], *TINY, *flags, "--out", str(out)]) == 0
    config = json.loads((out / "config.json").read_text(encoding="utf-8"))["config"]
    for flag, value in zip(flags[::2], flags[1::2]):
        assert str(config[flag[2:].replace("-", "_")]).lower() == value
    assert config["bidirectional"] is ("--no-bidirectional" not in flags)
    capsys.readouterr()
    _stdin(monkeypatch, "I love pizza\n")
    assert main(["classify", "predict", str(out), "--json"]) == 0
    (row,) = _json_lines(capsys.readouterr().out)
    assert row["label"] in LABELS


def test_tsv_with_header_and_dev_keeps_labels_as_written(data, tmp_path, monkeypatch, capsys):
    out = tmp_path / "reviews"
    assert main(["classify", "train", data["tsv"], "--dev", data["dev"], *TINY, "--out", str(out),
                 "--json"]) == 0  # fmt: skip
    (summary,) = _json_lines(capsys.readouterr().out)
    assert summary["train_sentences"] == len(REVIEWS)  # the header is not a sentence
    assert summary["val_sentences"] == len(REVIEWS_DEV)
    assert summary["labels"] == {"pos": 4, "neg": 4}
    _stdin(monkeypatch, "a gripping story\nslow\n")
    assert main(["classify", "predict", str(out), "--json"]) == 0
    rows = _json_lines(capsys.readouterr().out)
    assert [r["text"] for r in rows] == ["a gripping story", "slow"]
    assert all(r["label"] in {"pos", "neg"} and 0.5 <= r["prob"] <= 1.0 for r in rows)
    # GLUE's layout (sentence<TAB>label, with its header) is read by evaluate too
    glue = _write(tmp_path / "glue.tsv", ["sentence\tlabel", *(f"{t}\t{y}" for y, t in REVIEWS)])
    assert main(["classify", "evaluate", str(out), glue, "--json"]) == 0
    (scores,) = _json_lines(capsys.readouterr().out)
    assert scores["n"] == len(REVIEWS) and scores["labels"] == ["neg", "pos"]


def test_train_with_vectors_and_a_preset(data, tmp_path, monkeypatch, capsys):
    glove, vectors = _glove(tmp_path / "glove.8d.txt", [*_words(EMOJI_CSV), "zebra"], 8)
    out = tmp_path / "avg"
    assert main(["classify", "train", data["csv"], "--preset", "emojify-average", "--vectors",
                 glove, *TINY, "--epochs", "2", "--out", str(out)]) == 0  # fmt: skip
    text = capsys.readouterr().out
    n_words = len(_words(EMOJI_CSV)) + 1
    assert f"pretrained vectors for {n_words} of {n_words + 4} vocabulary words ({glove})" in text
    assert "validation loss" not in text  # the preset trains on everything
    assert "4 steps, 2 epochs" in text  # --epochs beats the preset's 200
    model = seqlab.load(out)
    assert (model.config.model, model.config.freeze_embeddings) == ("average", True)
    for word in ("love", "zebra"):  # frozen rows are the file's vectors
        row = model.embed.weight[model.vocab.encode([word])[0]].detach().numpy()
        np.testing.assert_allclose(row, vectors[word], atol=1e-6)
    _stdin(monkeypatch, "zebra\n")  # a word of the vectors only is in the vocabulary
    assert main(["classify", "predict", str(out), "--json"]) == 0
    captured = capsys.readouterr()
    assert _json_lines(captured.out)[0]["n_unk"] == 0 and captured.err == ""


def test_train_vectors_of_another_dimension(data, tmp_path, capsys):
    glove, _ = _glove(tmp_path / "glove.6d.txt", _words(EMOJI_CSV), 6)
    out = tmp_path / "m"
    err = _fails(["classify", "train", data["csv"], "--vectors", glove, *TINY, "--out", out],
                 "dimension 6", capsys)  # fmt: skip
    assert "embedding_size is 8" in err and "--embedding-size 6" in err
    assert not out.exists()


def test_train_bad_input(data, tmp_path, capsys):
    out = tmp_path / "m"
    argv = ["classify", "train", data["csv"], *TINY, "--out", out]
    _fails(
        [*argv, "--preset", "nope"],
        "unknown preset 'nope'; known: auto, none, emojify-average",
        capsys,
    )
    _fails([*argv, "--preset", "conll-cpu"], "unknown preset 'conll-cpu'", capsys)
    _fails([*argv, "--hidden-size", "0"], "hidden_size=0", capsys)
    _fails([*argv, "--threads", "0"], "--threads must be at least 1, got 0", capsys)
    _fails([*argv, "--format", "tsv"], "line 1: no TAB", capsys)
    _fails([*argv, "--vectors", tmp_path / "none.txt"], "none.txt: no such file", capsys)
    _fails([*argv, "--resume"], "cannot resume", capsys)
    _fails(["classify", "train", tmp_path / "none.csv", *TINY, "--out", out],
           "none.csv: no such file", capsys)  # fmt: skip
    one = _write(tmp_path / "one.csv", ["I love you,1", "love you too,1"])
    _fails(["classify", "train", one, *TINY, "--val-fraction", "0", "--out", out],
           "at least 2 labels", capsys)  # fmt: skip
    dev = _write(tmp_path / "dev.csv", ["I love you,0", "hello there,7"])
    err = _fails([*argv, "--dev", dev], "validation sentence 2 has label '7'", capsys)
    assert "not among the training labels" in err
    assert not out.exists()  # nothing half-written
    taken = tmp_path / "taken"
    taken.write_text("x", encoding="utf-8")
    _fails(["classify", "train", data["csv"], *TINY, "--out", taken], "not a folder", capsys)


def test_train_failure_keeps_an_existing_folder(data, tmp_path, capsys):
    out = tmp_path / "mine"
    out.mkdir()
    (out / "notes.txt").write_text("keep me", encoding="utf-8")
    dev = _write(tmp_path / "dev.csv", ["hello there,7"])
    _fails(["classify", "train", data["csv"], "--dev", dev, *TINY, "--out", out], "'7'", capsys)
    _fails(["classify", "train", data["csv"], "--resume", *TINY, "--out", out], "cannot resume",
           capsys)  # fmt: skip
    assert [p.name for p in out.iterdir()] == ["notes.txt"]


def test_a_diverging_run_fails_cleanly(data, tmp_path, capsys):
    out = tmp_path / "m"
    sgd = ["--optimizer", "sgd", "--lr", "1e38", "--epochs", "4", "--val-fraction", "0"]
    try:
        _fails(["classify", "train", data["csv"], *TINY, *sgd, "--out", out],
               "training loss is inf", capsys)  # fmt: skip
    finally:
        leftover = sorted(p.name for p in out.iterdir()) if out.exists() else []
    assert leftover == []  # today: config.json, data.json, model.safetensors, ...


# --- predict -------------------------------------------------------------------------------------


def test_predict_json_from_stdin_matches_the_library(model_dir, monkeypatch, capsys):
    sentences = ["I love you", "what a happy day", "I want pizza"]
    _stdin(monkeypatch, "\r\n".join(sentences) + "\r\n")  # Windows line ends read as "\n"
    assert main(["classify", "predict", str(model_dir), "--json"]) == 0
    captured = capsys.readouterr()
    rows = _json_lines(captured.out)
    assert captured.err == ""  # every word is known
    assert [r["text"] for r in rows] == sentences
    expected = seqlab.load(model_dir).predict(sentences)
    for row, p in zip(rows, expected):
        assert {"text", "label", "prob"} <= set(row)
        assert isinstance(row["label"], str) and row["label"] in LABELS
        assert row["label"] == p.label and row["prob"] == pytest.approx(p.prob, abs=1e-6)
        assert row["prob"] == pytest.approx(max(p.probs.values())) and 1 / 3 <= row["prob"] <= 1


def test_predict_text_output_from_a_file(model_dir, tmp_path, capsys):
    file = _write(tmp_path / "in.txt", ["I love you", "zebras love xylophones"])
    assert main(["classify", "predict", str(model_dir), "--file", file, "--json"]) == 0
    rows = _json_lines(capsys.readouterr().out)
    assert [r["n_unk"] for r in rows] == [0, 2]
    assert main(["classify", "predict", str(model_dir), "--file", file]) == 0
    captured = capsys.readouterr()
    lines = captured.out.splitlines()
    assert len(lines) == 2
    for line, row in zip(lines, rows):
        label, prob, text = line.split("\t")
        assert (label, text) == (row["label"], row["text"])
        assert float(prob) == pytest.approx(row["prob"], abs=1e-4)
    assert captured.err.strip().splitlines() == [
        "seqlab: warning: 2 word(s) not in the model's vocabulary (read as <unk>)"
    ]


@pytest.mark.parametrize(
    ("text", "match"),
    [
        ("I love you\n\nhappy\n", "stdin: line 2 is empty"),
        ("I love you\n   \n", "stdin: line 2 is empty"),
        ("", "stdin: no input lines"),
    ],
)
def test_predict_bad_stdin(model_dir, monkeypatch, capsys, text, match):
    _stdin(monkeypatch, text)
    _fails(["classify", "predict", model_dir], match, capsys)
    assert capsys.readouterr().out == ""


def test_predict_bad_files(model_dir, tmp_path, capsys):
    _fails(["classify", "predict", model_dir, "--file", tmp_path / "none.txt"], "no such file",
           capsys)  # fmt: skip
    gap = _write(tmp_path / "gap.txt", ["I love you", "", "happy"])
    _fails(["classify", "predict", model_dir, "--file", gap], "gap.txt: line 2 is empty", capsys)
    _fails(["classify", "predict", tmp_path / "nothing"], "does not exist", capsys)


def test_a_tagger_folder_is_refused(data, tmp_path, monkeypatch, capsys):
    from seqlab.classify import SequenceTagger, TaggerConfig
    from seqlab.text import Vocabulary

    config = TaggerConfig(embedding_size=4, hidden_size=4, casing_size=0)
    tagger = save_model(SequenceTagger(config, Vocabulary(["anna"]), None, ["O", "B-PER"]),
                        tmp_path / "ner")  # fmt: skip
    _stdin(monkeypatch, "I love you\n")
    _fails(["classify", "predict", tagger], "holds a 'tag' model, not a sentence classifier",
           capsys)  # fmt: skip
    _fails(["classify", "evaluate", tagger, data["test"]], "not a sentence classifier", capsys)


@pytest.mark.parametrize(("key", "delta"), [("vocab_size", 3), ("n_classes", 1)])
def test_a_folder_whose_config_disagrees_with_its_files(model_dir, data, tmp_path, monkeypatch,
                                                       capsys, key, delta):  # fmt: skip
    broken = tmp_path / "broken"
    shutil.copytree(model_dir, broken)
    file = broken / "config.json"
    config = json.loads(file.read_text(encoding="utf-8"))
    config["config"][key] += delta
    file.write_text(json.dumps(config), encoding="utf-8")
    _stdin(monkeypatch, "I love you\n")
    err = _fails(["classify", "predict", broken], "do not belong to its config.json", capsys)
    assert "config says the" in err
    _fails(["classify", "evaluate", broken, data["test"]], "do not belong", capsys)


# --- evaluate ------------------------------------------------------------------------------------


def test_evaluate_json_matches_sklearn(model_dir, data, capsys):
    assert main(["classify", "evaluate", str(model_dir), data["test"], "--json"]) == 0
    (scores,) = _json_lines(capsys.readouterr().out)
    assert {"accuracy", "macro_f1", "per_class", "labels", "confusion", "n"} <= set(scores)
    assert scores["labels"] == LABELS and list(scores["per_class"]) == LABELS
    assert scores["n"] == len(EMOJI_TEST) and scores["plot"] is None
    gold = [y for _, y in EMOJI_TEST]
    pred = [p.label for p in seqlab.load(model_dir).predict([t for t, _ in EMOJI_TEST])]
    assert scores["accuracy"] == pytest.approx(accuracy_score(gold, pred))
    assert scores["confusion"] == confusion_matrix(gold, pred, labels=LABELS).tolist()
    p, r, f, s = precision_recall_fscore_support(gold, pred, labels=LABELS, zero_division=0)
    for i, label in enumerate(LABELS):
        row = scores["per_class"][label]
        assert (row["precision"], row["recall"], row["f1"]) == pytest.approx((p[i], r[i], f[i]))
        assert row["support"] == s[i] == 2
    assert scores["macro_f1"] == pytest.approx(f.mean())
    assert all(0.0 <= v <= 1.0 for v in (scores["accuracy"], scores["macro_f1"]))


def test_predict_and_evaluate_an_ensemble(model_dir, data, tmp_path, monkeypatch, capsys):
    other = tmp_path / "seed1"
    assert main(["classify", "train", data["csv"], *TINY, "--val-fraction", "0", "--seed", "1",
                 "--out", str(other)]) == 0  # fmt: skip
    capsys.readouterr()
    texts = [t for t, _ in EMOJI_TEST]
    pa = seqlab.load(model_dir).predict_proba(texts)[0]
    pb = seqlab.load(other).predict_proba(texts)[0]
    mean = ((pa + pb) / 2).numpy()
    _stdin(monkeypatch, "\n".join(texts) + "\n")
    assert main(["classify", "predict", str(model_dir), "--ensemble", str(other), "--json"]) == 0
    rows = _json_lines(capsys.readouterr().out)
    assert [r["label"] for r in rows] == [LABELS[i] for i in mean.argmax(1)]
    assert [r["prob"] for r in rows] == pytest.approx(mean.max(1).tolist(), abs=1e-6)
    argv = [
        "classify",
        "evaluate",
        str(model_dir),
        data["test"],
        "--ensemble",
        str(other),
        "--json",
    ]
    assert main(argv) == 0
    (scores,) = _json_lines(capsys.readouterr().out)
    gold = [y for _, y in EMOJI_TEST]
    assert scores["accuracy"] == pytest.approx(
        accuracy_score(gold, [LABELS[i] for i in mean.argmax(1)])
    )
    _fails(["classify", "evaluate", str(model_dir), data["test"], "--ensemble", str(tmp_path)],
           "config.json", capsys)  # fmt: skip


def test_evaluate_text_and_plot(model_dir, data, tmp_path, capsys):
    plot = tmp_path / "confusion.png"
    assert main(["classify", "evaluate", str(model_dir), data["test"], "--plot", str(plot)]) == 0
    assert plot.read_bytes().startswith(PNG_MAGIC)
    lines = capsys.readouterr().out.splitlines()
    assert lines[0].split() == ["precision", "recall", "f1-score", "support"]
    assert [line.split()[0] for line in lines[2:5]] == LABELS
    accuracy = next(line.split() for line in lines if line.strip().startswith("accuracy"))
    assert accuracy[-1] == str(len(EMOJI_TEST))
    assert lines[-1] == f"confusion matrix: {plot}"
    assert main(["classify", "evaluate", str(model_dir), data["test"], "--plot", str(plot),
                 "--json"]) == 0  # fmt: skip
    assert _json_lines(capsys.readouterr().out)[0]["plot"] == str(plot)


def test_evaluate_bad_input(model_dir, data, tmp_path, capsys):
    plot = tmp_path / "c.png"
    unseen = _write(tmp_path / "unseen.csv", ["I love you,0", "hello there,7"])
    match = "sentence 2 has label '7', which the model was not trained on"
    err = _fails(["classify", "evaluate", model_dir, unseen, "--plot", plot], match, capsys)
    assert "'0', '2', '10'" in err
    _fails(["classify", "evaluate", model_dir, tmp_path / "none.csv"], "no such file", capsys)
    _fails(["classify", "evaluate", model_dir, data["test"], "--plot", tmp_path / "no" / "c.png"],
           "folder does not exist", capsys)  # fmt: skip
    quote = _write(tmp_path / "quote.csv", ["I love you,0", '"never closed,2'])
    _fails(["classify", "evaluate", model_dir, quote, "--format", "emojify"],
           "quote.csv: line 2: not valid CSV", capsys)  # fmt: skip
    assert not plot.exists()


def test_evaluate_a_csv_with_a_header(model_dir, tmp_path, capsys):
    test = _write(tmp_path / "test.csv", ["sentence,label", *(f"{t},{y}" for t, y in EMOJI_TEST)])
    assert main(["classify", "evaluate", str(model_dir), test, "--json"]) == 0, capsys.readouterr()
    assert _json_lines(capsys.readouterr().out)[0]["n"] == len(EMOJI_TEST)


# --- DNA: --level char, IUPAC letters, splice.data, explain ---------------------------------------

DNA = [
    ("EI", "CCAGGTAAGTCA"),
    ("EI", "acaggtgagcta"),  # lower case reads as upper case
    ("EI", "GAAGGTAAGGAC"),
    ("IE", "TTCCAGGCTACC"),
    ("IE", "CTTTAGGTCAAT"),
    ("IE", "TCCTAGGAACTG"),
    ("N", "GCTCAGCCCAGC"),
    ("N", "ACGTNCCTGACR"),  # ambiguity codes
    ("N", "CCCGGGTTTAAA"),
]
CHAR = ["--level", "char", "--model", "rnn", "--val-fraction", "0"]


@pytest.fixture(scope="module")
def dna_dir(tmp_path_factory):
    folder = tmp_path_factory.mktemp("dna")
    train = _write(folder / "train.tsv", ["label\tsequence", *(f"{y}\t{s}" for y, s in DNA)])
    out = folder / "model"
    # the defaults (last-state pooling), not the splice recipe this data would pick
    assert main(["classify", "train", train, *TINY, *CHAR, "--preset", "none", "--out",
                 str(out)]) == 0  # fmt: skip
    return out


def test_char_level_dna_model_folder(dna_dir):
    config = json.loads((dna_dir / "config.json").read_text(encoding="utf-8"))["config"]
    assert config["alphabet"] == "dna"  # --alphabet auto saw DNA
    tokenizer = json.loads((dna_dir / "tokenizer.json").read_text(encoding="utf-8"))
    assert tokenizer == {"level": "char"}
    assert set(json.loads((dna_dir / "labels.json").read_text(encoding="utf-8"))) == {
        "EI", "IE", "N"}  # fmt: skip


def test_char_level_predict_and_evaluate(dna_dir, tmp_path, monkeypatch, capsys):
    _stdin(monkeypatch, "CCAGGTAAGTCA\nttccaggctacc\n")
    assert main(["classify", "predict", str(dna_dir), "--json"]) == 0
    rows = _json_lines(capsys.readouterr().out)
    assert [r["text"] for r in rows] == ["CCAGGTAAGTCA", "ttccaggctacc"]
    assert all(r["label"] in {"EI", "IE", "N"} and r["n_unk"] == 0 for r in rows)
    library = seqlab.load(dna_dir).predict(["CCAGGTAAGTCA"])[0]
    assert rows[0]["prob"] == pytest.approx(library.prob, rel=1e-6)
    test = _write(tmp_path / "test.tsv", [f"{y}\t{s}" for y, s in DNA[:4]])
    assert main(["classify", "evaluate", str(dna_dir), test, "--json"]) == 0
    assert _json_lines(capsys.readouterr().out)[0]["n"] == 4


def test_explain_json_and_png(dna_dir, tmp_path, capsys):
    png = tmp_path / "saliency.png"
    seq = "ccaggtaagtca"
    assert main(["classify", "explain", str(dna_dir), seq, "--plot", str(png), "--json"]) == 0
    (row,) = _json_lines(capsys.readouterr().out)
    assert {"label", "prob", "saliency", "tokens", "plot"} <= set(row)
    assert len(row["saliency"]) == len(seq) and row["tokens"] == list(seq.upper())
    assert row["plot"] == str(png) and png.read_bytes().startswith(PNG_MAGIC)
    predicted = seqlab.load(dna_dir).predict([seq])[0]
    assert (row["label"], row["prob"]) == (predicted.label, pytest.approx(predicted.prob))
    assert main(["classify", "explain", str(dna_dir), seq, "--label", "N"]) == 0
    text = capsys.readouterr().out
    assert text.startswith("N\t") and "most salient positions" in text


def test_saliency_plot_numbers_the_positions(dna_dir, tmp_path, monkeypatch, capsys):
    from seqlab.cli import classify as module

    figures = capture_figures(monkeypatch, module)
    seq = "ccaggtaagtca" * 3  # 36 positions: every 10th numbered along the top
    assert main(["classify", "explain", str(dna_dir), seq, "--plot", str(tmp_path / "s.png")]) == 0
    (ax,) = [a for a in figures[0].axes if a.get_xlabel() != "position"]
    (top,) = ax.child_axes
    assert tick_labels(top.xaxis) == ["1", "10", "20", "30"] and top.get_xlabel() == "position"
    assert tick_labels(ax.xaxis) == list(seq.upper())  # the letters stay along the bottom


EMOJIFY_FIVE = [f"{text},{label}" for label, texts in enumerate([
    ["I love you", "you are my love", "love you forever"],
    ["lets play ball", "he threw the ball", "a great game"],
    ["so happy today", "what a happy day", "I smiled"],
    ["I am sad", "she is so sad", "a bad day"],
    ["lets eat pizza", "food is ready", "I am hungry"],
]) for text in texts]  # fmt: skip


def test_emojify_classes_are_shown_by_name(tmp_path, monkeypatch, capsys):
    from seqlab.cli import _figures, classify

    csv = _write(tmp_path / "emoji.csv", EMOJIFY_FIVE)
    out = tmp_path / "m"
    figures = capture_figures(monkeypatch, _figures, classify)
    assert main(["classify", "train", csv, *TINY, "--out", str(out)]) == 0
    (loss,) = figures
    assert loss.axes[0].get_ylabel() == "loss (nats per sentence)"  # one loss per sentence
    capsys.readouterr()
    _stdin(monkeypatch, "I love you\n")
    assert main(["classify", "predict", str(out)]) == 0
    label, _, text = capsys.readouterr().out.strip().split("\t")
    names = EMOJIFY_CLASSES
    assert label == f"{label.split()[0]} {names[label.split()[0]]}" and text == "I love you"
    assert names == {"0": "heart", "1": "baseball", "2": "smile", "3": "disappointed",
                     "4": "fork_and_knife"}  # fmt: skip
    _stdin(monkeypatch, "I love you\n")
    assert main(["classify", "predict", str(out), "--json"]) == 0
    (row,) = _json_lines(capsys.readouterr().out)
    assert row["name"] == names[row["label"]]
    assert main(["classify", "evaluate", str(out), csv, "--plot", str(tmp_path / "c.png")]) == 0
    text = capsys.readouterr().out
    assert "0 heart" in text.split("confusion matrix (rows")[1]
    ax = figures[-1].axes[0]
    shown = [f"{k} {v}" for k, v in names.items()]
    assert tick_labels(ax.xaxis) == tick_labels(ax.yaxis) == shown


def test_other_labels_stay_as_they_are(model_dir, monkeypatch, capsys):
    _stdin(monkeypatch, "I love you\n")  # labels 0, 2, 10: not Emojify's five
    assert main(["classify", "predict", str(model_dir), "--json"]) == 0
    assert "name" not in _json_lines(capsys.readouterr().out)[0]


def test_splice_format(tmp_path, capsys):
    lines = [f"{y},  MADE-UP-{i}, {s.upper()}" for i, (y, s) in enumerate(DNA)]
    data = _write(tmp_path / "splice.data", lines)
    out = tmp_path / "m"
    assert main(["classify", "train", data, "--format", "splice", *TINY, *CHAR, "--out",
                 str(out), "--json"]) == 0  # fmt: skip
    (summary,) = _json_lines(capsys.readouterr().out)
    assert summary["train_sentences"] == len(DNA)
    assert summary["labels"] == {"EI": 3, "IE": 3, "N": 3}
    bad = _write(tmp_path / "bad.data", [*lines[:2], "EI, X-1, ACGTQ"])
    _fails(["classify", "train", bad, "--format", "splice", *TINY, *CHAR, "--out",
            tmp_path / "b"], "line 3: position 5: 'Q' is not a DNA letter", capsys)  # fmt: skip


def test_dna_training_speaks_of_sequences(tmp_path, capsys):
    train = _write(tmp_path / "train.tsv", [f"{y}\t{s}" for y, s in DNA])
    argv = ["classify", "train", train, *TINY, *CHAR[:-2], "--val-fraction", "0.34", "--out"]
    assert main([*map(str, argv), str(tmp_path / "m")]) == 0
    text = capsys.readouterr().out
    assert " sequences\n" in text and "next: echo 'a sequence' | seqlab classify predict" in text


def test_bad_dna_letters_exit_2(dna_dir, tmp_path, monkeypatch, capsys):
    bad = _write(tmp_path / "bad.tsv", [*(f"{y}\t{s}" for y, s in DNA), "N\tACGTACGUAC"])
    err = _fails(["classify", "train", bad, *TINY, *CHAR, "--out", tmp_path / "m"],
                 "line 10: position 8: 'U' is not a DNA letter", capsys)  # fmt: skip
    assert str(bad) in err and not (tmp_path / "m").exists()
    _stdin(monkeypatch, "ACGT\nACGT\nAC-GT\n")
    _fails(["classify", "predict", dna_dir], "stdin: line 3: position 3: '-'", capsys)
    _fails(["classify", "explain", dna_dir, "ACGTXACGT"], "position 5: 'X'", capsys)
    _fails(["classify", "explain", dna_dir, "ACGT", "--label", "ZZ"], "unknown label", capsys)
    test = _write(tmp_path / "test.tsv", ["EI\tACGT", "N\tACGJ"])
    _fails(["classify", "evaluate", dna_dir, test], "line 2: position 4: 'J'", capsys)
    # --alphabet any trains on anything, as characters
    assert main(["classify", "train", bad, *TINY, *CHAR, "--alphabet", "any", "--out",
                 str(tmp_path / "any")]) == 0  # fmt: skip
