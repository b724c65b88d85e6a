"""``seqlab lm train | sample | score`` through main([...]) on tiny corpora; bad input exits 2."""

import io
import json
import math
import sys
import types

import pytest
import torch

import seqlab
from seqlab.cli import main
from seqlab.lm import score_sentences, score_text

PNG_MAGIC = b"\x89PNG\r\n\x1a\n"
NAMES = ["aardonyx", "abelisaurus", "achelousaurus", "bambiraptor", "baryonyx", "coelophysis",
         "compsognathus", "dilophosaurus", "diplodocus", "edmontosaurus", "gallimimus",
         "iguanodon", "maiasaura", "oviraptor", "protoceratops", "spinosaurus", "stegosaurus",
         "triceratops", "troodon", "velociraptor"]  # fmt: skip
STREAM = "the cat sat on the mat.\nthe dog ran to the cat.\na bird sang.\n" * 3
TINY = ["--hidden-size", "8", "--batch-size", "2", "--no-progress"]


def _json_lines(out: str) -> list[dict]:
    return [json.loads(line) for line in out.strip().splitlines()]


def _train(corpus, out, *extra) -> int:
    return main(["lm", "train", str(corpus), "--out", str(out), *TINY, *extra])


def _config(folder) -> dict:
    return json.loads((folder / "config.json").read_text(encoding="utf-8"))["config"]


@pytest.fixture(scope="module")
def corpora(tmp_path_factory):
    folder = tmp_path_factory.mktemp("corpora")
    names, stream = folder / "names.txt", folder / "stream.txt"
    names.write_text("\n".join(NAMES) + "\n", encoding="utf-8")
    stream.write_text(STREAM, encoding="utf-8")
    return types.SimpleNamespace(names=names, stream=stream)


@pytest.fixture(scope="module")
def lines_lm(corpora, tmp_path_factory):
    """A character GRU trained for one epoch on the names, one per line."""
    out = tmp_path_factory.mktemp("models") / "lines-lm"
    assert _train(corpora.names, out, "--mode", "lines", "--cell", "gru", "--epochs", "1") == 0
    return out


@pytest.fixture(scope="module")
def stream_lm(corpora, tmp_path_factory):
    """A character LSTM trained for 3 steps of truncated BPTT on a stream."""
    out = tmp_path_factory.mktemp("models") / "stream-lm"
    assert _train(corpora.stream, out, "--mode", "stream", "--bptt", "5", "--max-steps", "3") == 0
    return out


# --- train -------------------------------------------------------------------------------------


def test_train_lines_json_and_files(corpora, tmp_path, capsys):
    out = tmp_path / "lm"
    assert _train(corpora.names, out, "--mode", "lines", "--cell", "gru", "--epochs", "1",
                  "--json") == 0  # fmt: skip
    lines = capsys.readouterr().out.strip().splitlines()
    assert len(lines) == 1  # one JSON line and nothing else on stdout
    summary = json.loads(lines[0])
    assert {"val_loss", "train_seconds"} <= set(summary)
    assert summary["val_loss"] > 0 and summary["train_seconds"] >= 0
    assert summary["perplexity"] == pytest.approx(math.exp(summary["val_loss"]))
    assert summary["epochs"] == 1 and summary["stopped_because"] == "epochs"
    assert (out / "loss.png").read_bytes().startswith(PNG_MAGIC)
    assert _config(out) | {"vocab_size": 0} == {
        "level": "char", "mode": "lines", "cell": "gru", "hidden_size": 8, "num_layers": 1,
        "embedding_size": 0, "dropout": 0.0, "vocab_size": 0,
    }  # fmt: skip
    for name in ("model.safetensors", "vocab.json", "tokenizer.json", "corpus.json"):
        assert (out / name).is_file()
    corpus = json.loads((out / "corpus.json").read_text(encoding="utf-8"))
    assert corpus["path"] == str(corpora.names.resolve())
    assert corpus["vocab_size"] == summary["vocab_size"] == _config(out)["vocab_size"]


def test_train_stream_json(corpora, tmp_path, capsys):
    out = tmp_path / "lm"
    assert _train(corpora.stream, out, "--mode", "stream", "--cell", "lstm", "--bptt", "4",
                  "--max-steps", "3", "--json") == 0  # fmt: skip
    summary = _json_lines(capsys.readouterr().out)[-1]
    assert summary["steps"] == 3 and summary["stopped_because"] == "max_steps"
    assert summary["val_loss"] > 0 and summary["train_seconds"] >= 0
    assert summary["train_tokens"] == int(len(STREAM) * 0.9)  # one token per char or newline
    assert (out / "loss.png").read_bytes().startswith(PNG_MAGIC)
    assert _config(out)["mode"] == "stream" and _config(out)["cell"] == "lstm"


def test_train_prints_a_summary(corpora, tmp_path, capsys):
    out = tmp_path / "lm"
    assert _train(corpora.names, out, "--mode", "lines", "--max-steps", "2") == 0
    text = capsys.readouterr().out
    assert "validation loss" in text and "nats/char" in text and "bits/char" in text
    assert f"next: seqlab lm sample {out} -n 5" in text


def test_train_word_level(corpora, tmp_path, capsys):
    out = tmp_path / "lm"
    assert _train(corpora.stream, out, "--level", "word", "--embedding-size", "4", "--mode",
                  "lines", "--max-steps", "2", "--json") == 0  # fmt: skip
    assert _config(out)["level"] == "word" and _config(out)["embedding_size"] == 4
    capsys.readouterr()
    assert main(["lm", "score", str(out), "the cat flew .", "--json"]) == 0
    (row,) = _json_lines(capsys.readouterr().out)
    assert row["n_tokens"] == 5 and row["n_unk"] == 1  # "flew" is not in the vocabulary


@pytest.mark.parametrize("hidden_size", ["16", "256"])  # 256 is also LMConfig's default
def test_preset_flags_override_the_preset(corpora, tmp_path, hidden_size):
    out = tmp_path / "lm"
    argv = ["lm", "train", str(corpora.names), "--preset", "dinos", "--hidden-size", hidden_size,
            "--out", str(out), "--max-steps", "1", "--no-progress"]  # fmt: skip
    assert main(argv) == 0
    config = _config(out)
    assert config["hidden_size"] == int(hidden_size)  # the flag wins
    assert config["mode"] == "lines" and config["cell"] == "lstm"  # the rest from the preset


def test_train_without_a_corpus_uses_the_dinosaur_names(tmp_path):
    out = tmp_path / "lm"
    assert main(["lm", "train", "--out", str(out), *TINY, "--max-steps", "1"]) == 0
    assert _config(out)["mode"] == "lines"  # the dinos preset
    corpus = json.loads((out / "corpus.json").read_text(encoding="utf-8"))
    assert corpus["path"].endswith("dinos.txt")


# --- sample ------------------------------------------------------------------------------------


def test_sample_json(lines_lm, capsys):
    assert main(["lm", "sample", str(lines_lm), "-n", "4", "--seed", "1", "--json"]) == 0
    rows = _json_lines(capsys.readouterr().out)
    assert len(rows) == 4
    for row in rows:
        assert set(row) == {"text", "in_training_set"}
        assert isinstance(row["text"], str) and "\n" not in row["text"]
        assert isinstance(row["in_training_set"], bool)
        assert not row["in_training_set"] or row["text"] in NAMES


def test_sample_and_score_run_on_the_device_asked_for(lines_lm, capsys):
    import torch

    argv = ["lm", "sample", str(lines_lm), "-n", "3", "--seed", "1", "--json"]
    assert main([*argv, "--device", "cpu"]) == 0
    on_cpu = capsys.readouterr().out
    if not torch.cuda.is_available():  # auto = cpu here: the same samples
        assert main(argv) == 0 and capsys.readouterr().out == on_cpu
    assert main(["lm", "score", str(lines_lm), "trex", "--device", "cpu", "--json"]) == 0
    assert _json_lines(capsys.readouterr().out)[0]["n_tokens"] == 5


def test_sample_seed_prefix_and_greedy(lines_lm, capsys):
    argv = ["lm", "sample", str(lines_lm), "-n", "3", "--seed", "5", "--prefix", "tri", "--json"]
    assert main(argv) == 0
    first = [r["text"] for r in _json_lines(capsys.readouterr().out)]
    assert main(argv) == 0
    assert [r["text"] for r in _json_lines(capsys.readouterr().out)] == first
    assert all(text.startswith("tri") for text in first)
    assert main(["lm", "sample", str(lines_lm), "-n", "3", "--greedy", "--json"]) == 0
    assert len({r["text"] for r in _json_lines(capsys.readouterr().out)}) == 1


def test_sample_text_output_marks_new_names(lines_lm, capsys):
    assert main(["lm", "sample", str(lines_lm), "-n", "5", "--seed", "0", "--max-len", "8"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert len(lines) == 5
    assert all(line.endswith(("  (new)", "  (in the training set)")) for line in lines)


def test_sample_stream_model(stream_lm, capsys):
    argv = ["lm", "sample", str(stream_lm), "-n", "2", "--seed", "0", "--max-len", "30",
            "--top-k", "3", "--temperature", "0.7", "--json"]  # fmt: skip
    assert main(argv) == 0
    rows = _json_lines(capsys.readouterr().out)
    assert len(rows) == 2 and all(isinstance(r["in_training_set"], bool) for r in rows)


def test_sample_in_training_set_is_null_when_the_corpus_changed(corpora, tmp_path, capsys):
    corpus = tmp_path / "names.txt"
    corpus.write_text(corpora.names.read_text(encoding="utf-8"), encoding="utf-8")
    out = tmp_path / "lm"
    assert _train(corpus, out, "--mode", "lines", "--max-steps", "1") == 0
    corpus.write_text("something else\nentirely\n", encoding="utf-8")
    capsys.readouterr()
    assert main(["lm", "sample", str(out), "-n", "2", "--seed", "0", "--json"]) == 0
    assert [r["in_training_set"] for r in _json_lines(capsys.readouterr().out)] == [None, None]


# --- score -------------------------------------------------------------------------------------


def test_score_arguments_json(lines_lm, capsys):
    texts = ["triceratops", "zzz", "abel"]
    assert main(["lm", "score", str(lines_lm), *texts, "--json"]) == 0
    rows = _json_lines(capsys.readouterr().out)
    assert [r["text"] for r in rows] == texts
    expected = score_sentences(seqlab.load(lines_lm), texts)
    for row, score in zip(rows, expected, strict=True):
        assert set(row) == {"text", "logprob", "n_tokens", "perplexity", "n_unk"}
        assert row["logprob"] == pytest.approx(score.logprob, abs=1e-9)
        assert row["n_tokens"] == len(row["text"]) + 1  # <eos> included
        assert row["perplexity"] == pytest.approx(math.exp(-row["logprob"] / row["n_tokens"]))
    assert [r["n_unk"] for r in rows] == [0, 3, 0]  # no z in the names


def test_score_table_and_tokens(lines_lm, capsys):
    assert main(["lm", "score", str(lines_lm), "troodon", "--tokens"]) == 0
    out = capsys.readouterr().out.splitlines()
    assert out[0].startswith("logprob ") and "tokens 8" in out[0] and out[0].endswith("troodon")
    assert "log P" in out[1]
    rows = out[2:]
    assert len(rows) == 8 and rows[-1].split()[0] == "<eos>"
    assert [row.split()[0] for row in rows[:-1]] == list("troodon")


def test_score_tokens_json(lines_lm, capsys):
    assert main(["lm", "score", str(lines_lm), "bambi", "--tokens", "--json"]) == 0
    (row,) = _json_lines(capsys.readouterr().out)
    assert row["tokens"] == [*"bambi", "<eos>"]
    assert math.fsum(row["token_logprobs"]) == pytest.approx(row["logprob"], abs=1e-9)


def test_score_stdin(lines_lm, monkeypatch, capsys):
    data = b"stegosaurus\r\n\r\ntroodon\n"
    monkeypatch.setattr(sys, "stdin", types.SimpleNamespace(buffer=io.BytesIO(data)))
    assert main(["lm", "score", str(lines_lm), "--json"]) == 0
    rows = _json_lines(capsys.readouterr().out)
    assert [r["text"] for r in rows] == ["stegosaurus", "troodon"]  # blank lines skipped


def test_score_stdin_with_an_encoding(lines_lm, monkeypatch, capsys):
    data = "abel\n".encode("utf-16")
    monkeypatch.setattr(sys, "stdin", types.SimpleNamespace(buffer=io.BytesIO(data)))
    assert main(["lm", "score", str(lines_lm), "--encoding", "utf-16", "--json"]) == 0
    assert [r["text"] for r in _json_lines(capsys.readouterr().out)] == ["abel"]


def test_score_file_carries_the_state(stream_lm, tmp_path, capsys):
    file = tmp_path / "held_out.txt"
    file.write_text("the cat ran.\nthe bird sat.\n", encoding="utf-8")
    assert main(["lm", "score", str(stream_lm), "--file", str(file), "--json"]) == 0
    (row,) = _json_lines(capsys.readouterr().out)
    expected = score_text(seqlab.load(stream_lm), "the cat ran.\nthe bird sat.\n")
    assert row["n_tokens"] == expected.n_tokens == len("the cat ran.\nthe bird sat.\n")
    assert row["logprob"] == pytest.approx(expected.logprob, abs=1e-9)
    assert main(["lm", "score", str(stream_lm), "--file", str(file)]) == 0
    assert capsys.readouterr().out.rstrip().endswith(str(file))


# --- errors: exit 2 and one line ---------------------------------------------------------------


def _fails(argv, match, capsys) -> str:
    assert main([str(a) for a in argv]) == 2
    captured = capsys.readouterr()
    err = captured.err.strip()
    assert len(err.splitlines()) == 1, err
    assert err.startswith("seqlab: error: ") and match in err and "Traceback" not in err
    return err


def test_train_missing_corpus(tmp_path, capsys):
    _fails(["lm", "train", tmp_path / "nope.txt", "--out", tmp_path / "lm"], "no such file", capsys)
    assert not (tmp_path / "lm").exists()


def test_train_binary_corpus(tmp_path, capsys):
    corpus = tmp_path / "model.bin"
    corpus.write_bytes(b"\x89PNG\x00\x00\x01\x02" * 20)
    _fails(["lm", "train", corpus, "--out", tmp_path / "lm"], "binary file", capsys)
    assert not (tmp_path / "lm").exists()


def test_train_invalid_utf8_corpus(tmp_path, capsys):
    corpus = tmp_path / "latin1.txt"
    corpus.write_bytes("na\u00efve\ncaf\u00e9\n".encode("latin-1"))
    _fails(["lm", "train", corpus, "--out", tmp_path / "lm"], "byte offset 2", capsys)


def test_train_latin1_corpus_with_encoding(tmp_path):
    corpus = tmp_path / "latin1.txt"
    corpus.write_bytes(("\n".join(NAMES) + "\ncaf\u00e9\n").encode("latin-1"))
    out = tmp_path / "lm"
    assert _train(corpus, out, "--encoding", "latin-1", "--mode", "lines", "--max-steps", "1") == 0
    assert json.loads((out / "corpus.json").read_text(encoding="utf-8"))["encoding"] == "latin-1"


@pytest.mark.parametrize(
    ("text", "extra", "match"),
    [
        ("abcdefghij" * 10, ["--mode", "stream"], "corpus too short for one batch"),
        ("abcdefghij" * 10, ["--mode", "stream", "--batch-size", "4", "--bptt", "88"],
         "corpus too short for one batch"),
        ("abc\ndef\n", ["--mode", "lines"], "corpus too short"),
    ],
)  # fmt: skip
def test_train_corpus_too_short_writes_nothing(tmp_path, capsys, text, extra, match):
    corpus = tmp_path / "short.txt"
    corpus.write_text(text, encoding="utf-8")
    out = tmp_path / "lm"
    _fails(["lm", "train", corpus, "--out", out, "--no-progress", "--epochs", "1", *extra],
           match, capsys)  # fmt: skip
    assert not out.exists()


@pytest.mark.parametrize(
    ("extra", "match"),
    [
        (["--preset", "nope"], "unknown preset 'nope'"),
        (["--hidden-size", "0"], "hidden_size=0"),
        (["--cell", "transformer"], "cell='transformer'"),
        (["--val-fraction", "1.5"], "val_fraction=1.5"),
        (["--epochs", "0"], "epochs=0"),
        (["--encoding", "klingon"], "unknown encoding 'klingon'"),
        (["--threads", "0"], "--threads must be at least 1"),
    ],
)
def test_train_bad_settings(corpora, tmp_path, capsys, extra, match):
    out = tmp_path / "lm"
    _fails(["lm", "train", corpora.names, "--out", out, "--no-progress", *extra], match, capsys)
    assert not out.exists()


def test_train_out_is_a_file(corpora, tmp_path, capsys):
    out = tmp_path / "taken"
    out.write_text("x", encoding="utf-8")
    _fails(["lm", "train", corpora.names, "--out", out, "--mode", "lines"], "not a folder", capsys)


@pytest.mark.parametrize(
    ("extra", "match"),
    [
        (["--temperature", "0"], "--temperature must be greater than 0, got 0"),
        (["--temperature", "-1"], "--temperature must be greater than 0, got -1"),
        (["--temperature", "nan"], "--temperature must be a finite number, got nan"),
        (["-n", "0"], "-n must be at least 1, got 0"),
        (["--top-k", "0"], "--top-k must be at least 1, got 0"),
        (["--max-len", "-3"], "--max-len must be at least 1, got -3"),
        (["--prefix", "tri!Q"], "outside the model's vocabulary: '!', 'Q'"),
    ],
)
def test_sample_bad_arguments(lines_lm, capsys, extra, match):
    _fails(["lm", "sample", lines_lm, *extra], match, capsys)


def test_model_folder_of_another_task(tmp_path, capsys):
    from seqlab.diagnose import RecallConfig, RecallModel
    from seqlab.train import save_model

    folder = save_model(RecallModel(RecallConfig()), tmp_path / "recall")
    _fails(["lm", "sample", folder], "not a language model", capsys)
    _fails(["lm", "score", folder, "abc"], "not a language model", capsys)


def test_missing_model_folder(tmp_path, capsys):
    _fails(["lm", "sample", tmp_path / "nothing"], "does not exist", capsys)
    _fails(["lm", "score", tmp_path / "nothing", "abc"], "does not exist", capsys)


def test_score_errors(lines_lm, tmp_path, monkeypatch, capsys):
    _fails(["lm", "score", lines_lm, "abc", "--file", tmp_path / "f.txt"], "not both", capsys)
    _fails(["lm", "score", lines_lm, "--file", tmp_path / "f.txt"], "no such file", capsys)
    monkeypatch.setattr(sys, "stdin", types.SimpleNamespace(buffer=io.BytesIO(b" \n\n")))
    _fails(["lm", "score", lines_lm], "no sentences to score", capsys)
    monkeypatch.setattr(sys, "stdin", types.SimpleNamespace(buffer=io.BytesIO(b"ab\xffc\n")))
    _fails(["lm", "score", lines_lm], "stdin: not valid utf-8 at byte offset 2", capsys)


def test_sample_max_len_zero_is_an_error(lines_lm, capsys):
    _fails(["lm", "sample", lines_lm, "--max-len", "0"], "--max-len must be at least 1", capsys)


def test_train_one_token_validation_part_is_explained(tmp_path, capsys):
    corpus = tmp_path / "text.txt"
    corpus.write_text("abcdefgh " * 111 + "a", encoding="utf-8")  # 1000 characters
    argv = ["lm", "train", corpus, "--out", tmp_path / "lm", "--val-fraction", "0.001",
            "--bptt", "4", "--max-steps", "1", *TINY]  # fmt: skip
    rc = main([str(a) for a in argv])
    err = capsys.readouterr().err
    assert rc == 0 or ("valid" in err and "--batch-size" not in err)


def test_train_resume_without_a_checkpoint_writes_nothing(corpora, tmp_path, capsys):
    out = tmp_path / "lm"
    _fails(["lm", "train", corpora.names, "--out", out, "--mode", "lines", "--resume",
            "--max-steps", "1", *TINY], "cannot resume", capsys)  # fmt: skip
    assert not out.exists()


@pytest.mark.skipif(torch.cuda.is_available(), reason="needs a machine without CUDA")
def test_train_on_a_missing_device_writes_nothing(corpora, tmp_path, capsys):
    out = tmp_path / "lm"
    _fails(["lm", "train", corpora.names, "--out", out, "--mode", "lines", "--device", "cuda",
            "--max-steps", "1", *TINY], "CUDA", capsys)  # fmt: skip
    assert not out.exists()


def test_a_closed_pipe_ends_quietly(tmp_path):
    """`seqlab lm sample ... | head -1`: no traceback when the reader goes away."""
    import subprocess

    folder = tmp_path / "m"
    corpus = tmp_path / "names.txt"
    corpus.write_text("\n".join(["anna", "bob", "carl", "dora"] * 10) + "\n", encoding="utf-8")
    assert main(["lm", "train", str(corpus), "--out", str(folder), "--mode", "lines",
                 "--hidden-size", "8", "--max-steps", "2", "--epochs", "none",
                 "--no-progress"]) == 0  # fmt: skip
    run = subprocess.run(
        f"{sys.executable} -m seqlab lm sample {folder} -n 5000 --max-len 30 | head -1",
        shell=True, capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    assert run.stdout.count("\n") == 1
    assert "Traceback" not in run.stderr, run.stderr
