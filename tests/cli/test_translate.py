"""``seqlab translate dates | train | run | evaluate | analyze | attention`` through main([...])."""

import json
import warnings

import pytest
import sacrebleu
import torch

import seqlab
from seqlab.cli import main
from seqlab.lm import LanguageModel, LMConfig
from seqlab.seq2seq import Seq2Seq, Seq2SeqConfig, beam_search, read_pairs
from seqlab.text import Vocabulary
from seqlab.train import save_model

from ._helpers import fails as _fails
from ._helpers import feed_stdin as _stdin
from ._helpers import json_lines as _json_lines
from ._helpers import write_lines as _write

PNG_MAGIC = b"\x89PNG\r\n\x1a\n"
TINY = ["--epochs", "1", "--hidden-size", "16", "--embedding-size", "8", "--attention-size", "8",
        "--batch-size", "32", "--no-progress", "--device", "cpu", "--threads", "1"]  # fmt: skip
FAST = ["--max-len", "12", "--threads", "1"]  # junk outputs of a 1-epoch model stay short
SOURCES = ["3 mars 1997", "March 3, 1997", "03.03.97"]
REFERENCES = ["1997-03-03", "1997-03-03", "1997-03-03"]


@pytest.fixture(scope="module")
def dates(tmp_path_factory):
    folder = tmp_path_factory.mktemp("dates")
    train, test = folder / "train.tsv", folder / "test.tsv"
    assert main(["translate", "dates", "-n", "300", "--out", str(train)]) == 0
    assert main(["translate", "dates", "-n", "12", "--held-out", "--seed", "1", "--out",
                 str(test)]) == 0  # fmt: skip
    return train, test


@pytest.fixture(scope="module")
def model_dir(dates, tmp_path_factory):
    """The dates preset (char LSTM with attention), shrunk, trained for one epoch."""
    out = tmp_path_factory.mktemp("models") / "dates"
    assert main(["translate", "train", str(dates[0]), "--preset", "dates", *TINY,
                 "--out", str(out)]) == 0  # fmt: skip
    return out


@pytest.fixture(scope="module")
def no_attention_dir(tmp_path_factory):
    torch.manual_seed(0)
    config = Seq2SeqConfig(level="char", attention=False, embedding_size=4, hidden_size=8)
    model = Seq2Seq(config, Vocabulary(list("0123456789 ")), Vocabulary(list("0123456789-")))
    return save_model(model, tmp_path_factory.mktemp("models") / "plain")


# --- dates ---------------------------------------------------------------------------------------


def test_dates_json_and_file(tmp_path, capsys):
    out = tmp_path / "f.tsv"
    assert main(["translate", "dates", "-n", "300", "--out", str(out), "--json"]) == 0
    (summary,) = _json_lines(capsys.readouterr().out)
    assert summary["n"] == 300 and summary["held_out"] is False and summary["seed"] == 0
    assert summary["out"] == str(out) and summary["formats"] > 1
    pairs = read_pairs(out)
    assert len(pairs) == 300
    assert all(len(t) == 10 and t[4] == t[7] == "-" for _, t in pairs)
    again = tmp_path / "g.tsv"
    assert main(["translate", "dates", "-n", "300", "--out", str(again)]) == 0
    assert again.read_bytes() == out.read_bytes()  # same seed, same pairs
    text = capsys.readouterr().out.splitlines()
    assert text[0].startswith("300 pairs in ") and text[0].endswith(str(again))
    assert len(text) == 4 and all("\t" in line for line in text[1:])


def test_dates_held_out_differs_and_bad_n(tmp_path, capsys):
    train, held = tmp_path / "t.tsv", tmp_path / "h.tsv"
    assert main(["translate", "dates", "-n", "50", "--out", str(train)]) == 0
    assert main(["translate", "dates", "-n", "50", "--out", str(held), "--held-out"]) == 0
    assert not {s for s, _ in read_pairs(train)} & {s for s, _ in read_pairs(held)}
    capsys.readouterr()
    _fails(["translate", "dates", "-n", "0", "--out", tmp_path / "x.tsv"], "-n must be", capsys)
    assert not (tmp_path / "x.tsv").exists()


def test_dates_styles_and_held_out_families(tmp_path, capsys):
    train, held = tmp_path / "t.tsv", tmp_path / "h.tsv"
    assert main(["translate", "dates", "-n", "200", "--styles", "--out", str(train),
                 "--json"]) == 0  # fmt: skip
    (summary,) = _json_lines(capsys.readouterr().out)
    assert summary["styles"] is True and summary["n"] == 200 and summary["formats"] > 1000
    assert main(["translate", "dates", "-n", "200", "--styles", "--held-out", "--out",
                 str(held)]) == 0  # fmt: skip
    assert "composed styles" in capsys.readouterr().out
    pairs, held_pairs = read_pairs(train), read_pairs(held)
    assert len(pairs) == len(held_pairs) == 200
    assert all(len(t) == 10 and t[4] == t[7] == "-" for _, t in pairs + held_pairs)
    assert len({s for s, _ in pairs} & {s for s, _ in held_pairs}) <= 2


# --- train ---------------------------------------------------------------------------------------


def test_train_json_summary_and_files(dates, tmp_path, capsys):
    out = tmp_path / "m"
    assert main(["translate", "train", str(dates[0]), "--preset", "dates", *TINY, "--out",
                 str(out), "--json"]) == 0  # fmt: skip
    lines = capsys.readouterr().out.strip().splitlines()
    assert len(lines) == 1
    summary = json.loads(lines[0])
    assert {"val_loss", "train_seconds", "steps", "epochs", "best_step", "stopped_because",
            "train_pairs", "val_pairs", "src_vocab_size", "tgt_vocab_size", "out",
            "val_exact_match", "val_sentences_checked", "sources"} <= set(summary)  # fmt: skip
    assert summary["train_pairs"] + summary["val_pairs"] == 300
    assert summary["val_sentences_checked"] == summary["val_pairs"] == 15  # 5% held out
    assert 0.0 <= summary["val_exact_match"] <= 1.0
    assert summary["epochs"] == 1 and summary["stopped_because"] == "epochs"
    assert summary["val_loss"] > 0 and summary["steps"] == 9  # ceil(285 / 32)
    assert summary["tgt_vocab_size"] == 4 + 11  # ten digits and "-"
    assert summary["sources"]["pairs"] == [str(dates[0].resolve())]
    config = json.loads((out / "config.json").read_text(encoding="utf-8"))
    assert config["task"] == "seq2seq"
    c = config["config"]
    assert (c["level"], c["cell"], c["hidden_size"], c["max_src_len"]) == ("char", "lstm", 16, 64)
    assert (out / "loss.png").read_bytes().startswith(PNG_MAGIC)


def test_train_without_validation(dates, tmp_path, capsys):
    out = tmp_path / "m"
    assert main(["translate", "train", str(dates[0]), "--preset", "dates", *TINY,
                 "--val-fraction", "0", "--out", str(out), "--json"]) == 0  # fmt: skip
    summary = _json_lines(capsys.readouterr().out)[-1]
    assert summary["val_loss"] is None and summary["train_pairs"] == 300
    assert summary["val_pairs"] == 0 and "val_exact_match" not in summary
    assert (out / "model.safetensors").is_file()


def test_train_prints_a_summary(dates, tmp_path, capsys):
    out = tmp_path / "m"
    assert main(["translate", "train", str(dates[0]), "--preset", "dates", *TINY, "--out",
                 str(out), "--max-steps", "2"]) == 0  # fmt: skip
    text = capsys.readouterr().out
    assert "validation loss" in text and "greedy exact match on 15 validation pairs" in text
    assert f"next: echo 'a sentence' | seqlab translate run {out}" in text


def test_train_two_files_with_dev_files(tmp_path, capsys):
    de = ["zwei hunde", "ein hund", "zwei katzen", "eine katze", "ein haus"] * 4
    en = ["two dogs", "a dog", "two cats", "a cat", "a house"] * 4
    src, tgt = _write(tmp_path / "train.de", de), _write(tmp_path / "train.en", en)
    dev_src, dev_tgt = _write(tmp_path / "val.de", de[:3]), _write(tmp_path / "val.en", en[:3])
    out = tmp_path / "de-en"
    assert main(["translate", "train", src, tgt, "--dev", dev_src, dev_tgt, "--level", "word",
                 "--src-lang", "de", "--tgt-lang", "en", *TINY, "--out", str(out),
                 "--json"]) == 0  # fmt: skip
    summary = _json_lines(capsys.readouterr().out)[-1]
    assert summary["train_pairs"] == 20 and summary["val_pairs"] == 3
    assert summary["val_sentences_checked"] == 3
    assert summary["sources"]["src_lang"] == "de" and summary["sources"]["tgt_lang"] == "en"
    assert summary["src_vocab_size"] == 4 + 8 and summary["tgt_vocab_size"] == 4 + 7


def test_train_bad_input(dates, tmp_path, capsys):
    argv = ["translate", "train", dates[0], "--out", tmp_path / "m", "--no-progress"]
    _fails([*argv, "--preset", "nope"], "unknown preset 'nope'", capsys)
    _fails([*argv, "--cell", "transformer"], "cell='transformer'", capsys)
    _fails(["translate", "train", dates[0], dates[0], dates[0], "--out", tmp_path / "m"],
           "give one TSV file or two parallel files, got 3 files", capsys)  # fmt: skip
    _fails(["translate", "train", tmp_path / "none.tsv", "--out", tmp_path / "m"], "no such file",
           capsys)  # fmt: skip
    assert not (tmp_path / "m").exists()
    taken = tmp_path / "taken"
    taken.write_text("x", encoding="utf-8")
    _fails(["translate", "train", dates[0], "--out", taken, *TINY], "not a folder", capsys)


# --- run -----------------------------------------------------------------------------------------


def test_run_json_from_stdin_matches_the_library(model_dir, monkeypatch, capsys):
    _stdin(monkeypatch, "\r\n".join(SOURCES) + "\r\n")  # Windows line ends are read as "\n"
    assert main(["translate", "run", str(model_dir), "--json", "--beam", "3", *FAST]) == 0
    rows = _json_lines(capsys.readouterr().out)
    assert [r["src"] for r in rows] == SOURCES
    expected = beam_search(seqlab.load(model_dir), SOURCES, beam_size=3, max_len=12)
    for row, (hyp,) in zip(rows, expected):
        assert {"src", "hyp", "score", "logprob", "finished", "n_unk"} <= set(row)
        assert "n_best" not in row
        assert row["hyp"] == hyp.text and row["finished"] == hyp.finished
        assert row["score"] == pytest.approx(hyp.score, abs=1e-6)
        assert row["logprob"] == pytest.approx(hyp.logprob, abs=1e-6)
        assert row["n_unk"] == 0


def test_run_n_best(model_dir, monkeypatch, capsys):
    _stdin(monkeypatch, "3 mars 1997\n")
    assert main(["translate", "run", str(model_dir), "--json", "-n", "2", "--beam", "2",
                 *FAST]) == 0  # fmt: skip
    (row,) = _json_lines(capsys.readouterr().out)
    assert len(row["n_best"]) == 2
    assert row["n_best"][0]["hyp"] == row["hyp"] and row["n_best"][0]["score"] == row["score"]
    assert row["n_best"][0]["score"] >= row["n_best"][1]["score"]
    assert row["n_best"][0]["hyp"] != row["n_best"][1]["hyp"]
    _stdin(monkeypatch, "3 mars 1997\n1/2/97\n")
    assert main(["translate", "run", str(model_dir), "-n", "2", "--beam", "2", *FAST]) == 0
    lines = capsys.readouterr().out.split("\n")
    assert lines[2] == "" and lines[5] == ""  # a blank line after each sentence's list
    for line in (lines[0], lines[1], lines[3], lines[4]):
        score, _ = line.split("\t")
        assert float(score) <= 0


def test_run_text_output_file_and_unknown_tokens(model_dir, tmp_path, capsys):
    file = _write(tmp_path / "src.txt", ["3 mars 1997", "\u263a\u263a 3"])
    assert main(["translate", "run", str(model_dir), "--file", file, *FAST]) == 0
    captured = capsys.readouterr()
    assert len(captured.out.splitlines()) == 2
    assert "2 source token(s) in 1 sentence(s) are not in the model's vocabulary" in captured.err
    assert main(["translate", "run", str(model_dir), "--file", file, "--json", *FAST]) == 0
    assert [r["n_unk"] for r in _json_lines(capsys.readouterr().out)] == [0, 2]


def test_run_alpha_outside_zero_one_warns_and_works(model_dir, monkeypatch, capsys):
    _stdin(monkeypatch, "3 mars 1997\n")
    assert main(["translate", "run", str(model_dir), "--alpha", "1.5", "--json", *FAST]) == 0
    captured = capsys.readouterr()
    assert captured.err.strip().splitlines() == [
        "seqlab: warning: alpha=1.5 is outside [0, 1]: the notes' length normalisation uses "
        "0 <= alpha <= 1 (0.7 is typical)"]  # fmt: skip
    (row,) = _json_lines(captured.out)
    n = len(row["hyp"]) + int(row["finished"])
    assert row["score"] == pytest.approx(row["logprob"] / n**1.5)


def test_run_long_sources(model_dir, monkeypatch, capsys):
    long = "3 mars 1997 " * 6  # 72 characters > max_src_len = 64 of the dates preset
    _stdin(monkeypatch, long + "\n")
    _fails(["translate", "run", model_dir, *FAST], "source 1: source has 72 tokens", capsys)
    _stdin(monkeypatch, long + "\n")
    assert main(["translate", "run", str(model_dir), "--on-long", "truncate", *FAST]) == 0
    assert "1 source(s) truncated to 64 tokens (first: line 1)" in capsys.readouterr().err


@pytest.mark.parametrize(
    ("text", "extra", "match"),
    [
        ("3 mars 1997\n\n1/2/97\n", [], "stdin: line 2 is empty"),
        ("", [], "stdin: no sentences"),
        ("3 mars 1997\n", ["-n", "3", "--beam", "2"], "-n must be in [1, --beam=2]"),
        ("3 mars 1997\n", ["--alpha", "nan"], "alpha must be a finite number, got nan"),
        ("3 mars 1997\n", ["--max-len", "0"], "--max-len must be at least 1, got 0"),
        ("3 mars 1997\n", ["--batch-size", "0"], "--batch-size must be at least 1, got 0"),
        ("3 mars 1997\n", ["--threads", "0"], "--threads must be at least 1"),
    ],
)
def test_run_bad_input(model_dir, monkeypatch, capsys, text, extra, match):
    _stdin(monkeypatch, text)
    _fails(["translate", "run", model_dir, *extra], match, capsys)


def test_run_beam_zero_names_the_beam(model_dir, monkeypatch, capsys):
    _stdin(monkeypatch, "3 mars 1997\n")
    _fails(["translate", "run", model_dir, "--beam", "0"], "--beam must be at least 1, got 0",
           capsys)  # fmt: skip


def test_run_other_folders(tmp_path, monkeypatch, capsys):
    lm_model = LanguageModel(LMConfig(hidden_size=8), Vocabulary(list("abc")))
    lm = save_model(lm_model, tmp_path / "lm")
    _stdin(monkeypatch, "abc\n")
    _fails(["translate", "run", lm], "holds a 'lm' model, not a translation model", capsys)
    _fails(["translate", "run", tmp_path / "nothing"], "does not exist", capsys)


# --- evaluate ------------------------------------------------------------------------------------


def test_evaluate_json_and_hyp_out(model_dir, dates, tmp_path, capsys):
    hyp_out = tmp_path / "hyps.txt"
    assert main(["translate", "evaluate", str(model_dir), str(dates[1]), "--json", "--beam", "2",
                 "--hyp-out", str(hyp_out), *FAST]) == 0  # fmt: skip
    (summary,) = _json_lines(capsys.readouterr().out)
    assert {"bleu", "exact_match", "n", "beam", "alpha", "precisions", "bp", "sys_len",
            "ref_len"} <= set(summary)  # fmt: skip
    refs = [t for _, t in read_pairs(dates[1])]
    hyps = hyp_out.read_text(encoding="utf-8").split("\n")[:-1]
    assert summary["n"] == len(hyps) == len(refs) == 12
    assert summary["exact_match"] == sum(h == r for h, r in zip(hyps, refs)) / 12
    assert summary["bleu"] == pytest.approx(sacrebleu.corpus_bleu(hyps, [refs]).score, abs=1e-6)
    assert summary["beam"] == 2 and summary["alpha"] == 0.7


def test_evaluate_two_files_text_output(model_dir, tmp_path, capsys):
    src = _write(tmp_path / "src.txt", SOURCES)
    ref = _write(tmp_path / "ref.txt", REFERENCES)
    assert main(["translate", "evaluate", str(model_dir), src, ref, "--beam", "1", *FAST]) == 0
    out = capsys.readouterr().out.splitlines()
    assert out[0].startswith("BLEU") and out[1].startswith("exact match")
    assert "of 3 sentences (beam 1, alpha 0.7)" in out[1]


def test_evaluate_bad_input(model_dir, tmp_path, capsys):
    _fails(["translate", "evaluate", model_dir, tmp_path / "none.tsv"], "no such file", capsys)
    src, ref = _write(tmp_path / "s", SOURCES), _write(tmp_path / "r", REFERENCES[:2])
    _fails(["translate", "evaluate", model_dir, src, ref], "has 3 lines but", capsys)
    pairs = _write(tmp_path / "p.tsv", ["3 mars 1997\t1997-03-03"])
    _fails(["translate", "evaluate", model_dir, pairs, "--beam", "0"], "--beam must be at least 1",
           capsys)  # fmt: skip


# --- analyze -------------------------------------------------------------------------------------


def test_analyze_json(model_dir, tmp_path, capsys):
    src, ref = _write(tmp_path / "src.txt", SOURCES), _write(tmp_path / "ref.txt", REFERENCES)
    assert main(["translate", "analyze", str(model_dir), src, ref, "--json", "--beam", "2",
                 *FAST]) == 0  # fmt: skip
    rows = _json_lines(capsys.readouterr().out)
    assert len(rows) == 4 and set(rows[-1]) == {"summary"}
    for row, source, reference in zip(rows, SOURCES, REFERENCES):
        assert row["source"] == source and row["reference"] == reference
        assert row["verdict"] in {"search", "model", "correct"}
        if row["verdict"] != "correct":
            assert (row["verdict"] == "search") == (row["ref_score"] > row["hyp_score"])
    summary = rows[-1]["summary"]
    assert summary["n"] == 3
    assert summary["search"] + summary["model"] + summary["correct"] == 3
    assert summary["alpha"] == 0.7


def test_analyze_given_hypotheses_and_text_output(model_dir, tmp_path, capsys):
    src, ref = _write(tmp_path / "src.txt", SOURCES), _write(tmp_path / "ref.txt", REFERENCES)
    hyp = _write(tmp_path / "hyp.txt", ["1997-03-03", "1997-03-04", "2097-03-03"])
    assert main(["translate", "analyze", str(model_dir), src, ref, "--hyp", hyp, "--json"]) == 0
    rows = _json_lines(capsys.readouterr().out)
    assert [r["hypothesis"] for r in rows[:3]] == ["1997-03-03", "1997-03-04", "2097-03-03"]
    assert rows[0]["verdict"] == "correct" and rows[-1]["summary"]["correct"] == 1
    assert main(["translate", "analyze", str(model_dir), src, ref, "--hyp", hyp]) == 0
    out = capsys.readouterr().out
    assert out.startswith("3 sentences: 1 translated exactly, 2 not.")
    assert "the search is to blame for" in out and "(alpha 0.7)" in out


def test_analyze_bad_input(model_dir, tmp_path, capsys):
    src, ref = _write(tmp_path / "src.txt", SOURCES), _write(tmp_path / "ref.txt", REFERENCES[:2])
    err = _fails(["translate", "analyze", model_dir, src, ref], "has 3 lines but", capsys)
    assert "src.txt has 3 lines" in err and "ref.txt has 2" in err
    ref = _write(tmp_path / "ref3.txt", REFERENCES)
    hyp = _write(tmp_path / "hyp.txt", ["1997-03-03"])
    err = _fails(["translate", "analyze", model_dir, src, ref, "--hyp", hyp], "has 1 lines", capsys)
    assert "src.txt has 3" in err
    _fails(["translate", "analyze", model_dir, src, ref, "--beam", "0"], "--beam must be at least",
           capsys)  # fmt: skip
    gap = _write(tmp_path / "gap.txt", ["3 mars 1997", " ", "1/2/97"])
    _fails(["translate", "analyze", model_dir, gap, ref], "line 2 is empty", capsys)


def test_analyze_alpha_warning_is_one_line(model_dir, tmp_path, capsys):
    src, ref = _write(tmp_path / "src.txt", SOURCES), _write(tmp_path / "ref.txt", REFERENCES)
    with warnings.catch_warnings(record=True) as leaked:
        warnings.simplefilter("always")
        assert main(["translate", "analyze", str(model_dir), src, ref, "--alpha", "1.5",
                     "--hyp", ref, "--json"]) == 0  # fmt: skip
    assert [str(w.message) for w in leaked] == []
    assert "seqlab: warning: alpha=1.5" in capsys.readouterr().err


# --- attention -----------------------------------------------------------------------------------


def test_attention_writes_a_png(model_dir, tmp_path, capsys):
    out = tmp_path / "a.png"
    assert main(["translate", "attention", str(model_dir), "3 mars 1997", "--plot", str(out),
                 *FAST]) == 0  # fmt: skip
    assert out.read_bytes().startswith(PNG_MAGIC)
    lines = capsys.readouterr().out.splitlines()
    assert lines[1] == f"attention map: {out}"
    assert main(["translate", "attention", str(model_dir), "3 mars 1997", "--plot", str(out),
                 "--json", *FAST]) == 0  # fmt: skip
    (row,) = _json_lines(capsys.readouterr().out)
    weights = torch.tensor(row["attention"])
    (hyp,) = beam_search(seqlab.load(model_dir), ["3 mars 1997"], max_len=12)[0]
    assert row["hyp"] == hyp.text == lines[0]
    assert weights.shape == (len(hyp.ids) + int(hyp.finished), len("3 mars 1997"))
    assert torch.allclose(weights.sum(1), torch.ones(weights.shape[0]), atol=1e-5)


def test_attention_bad_input(model_dir, no_attention_dir, tmp_path, capsys):
    out = tmp_path / "a.png"
    _fails(["translate", "attention", no_attention_dir, "1 2", "--plot", out],
           "trained without attention", capsys)  # fmt: skip
    _fails(["translate", "attention", model_dir, "  ", "--plot", out], "the sentence is empty",
           capsys)  # fmt: skip
    _fails(["translate", "attention", model_dir, "3 mars", "--plot", tmp_path / "no" / "a.png",
            *FAST], "folder does not exist", capsys)  # fmt: skip
    _fails(["translate", "attention", model_dir, "3 mars", "--plot", out, "--beam", "0"],
           "--beam must be at least 1", capsys)  # fmt: skip
    assert not out.exists()
