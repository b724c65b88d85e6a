"""Error analysis, sentence pairs and batches, training and model folders, the attention figure."""

import json
import math
import random
import shutil

import pytest
import torch

import seqlab
from seqlab.seq2seq import (
    PairBatches,
    Seq2Seq,
    Seq2SeqConfig,
    Seq2SeqDataConfig,
    attention_figure,
    beam_search,
    build_vocabs,
    encode_pairs,
    error_analysis,
    greedy_decode,
    normalized_score,
    preset_configs,
    read_pairs,
    split_pairs,
    target_logprobs,
    train_seq2seq,
)
from seqlab.text import CharTokenizer, Vocabulary, WordTokenizer
from seqlab.train import TrainerConfig

SRC_VOCAB = Vocabulary(list("abcdefgh"))
TGT_VOCAB = Vocabulary(list("wxyz"))


@pytest.fixture(autouse=True)
def _one_thread():
    threads = torch.get_num_threads()
    torch.set_num_threads(1)
    yield
    torch.set_num_threads(threads)


def _model(**kw) -> Seq2Seq:
    torch.manual_seed(0)
    sizes = {"level": "char", "embedding_size": 6, "hidden_size": 8, "attention_size": 5}
    return Seq2Seq(Seq2SeqConfig(**{**sizes, **kw}), SRC_VOCAB, TGT_VOCAB).eval()


def _stepped_logprob(model, source: str, target_ids: list[int]) -> float:
    """log P(target <eos> | source), one model.step at a time (independent of target_logprobs)."""
    src = torch.tensor([model.source_ids(source)[0]])
    with torch.no_grad():
        memory, state = model.encode(src, torch.tensor([src.shape[1]]))
        y_prev, total = torch.tensor([model.tgt_vocab.bos_id]), 0.0
        for y in [*target_ids, model.tgt_vocab.eos_id]:
            logp, state, _ = model.step(y_prev, state, memory)
            total += float(logp[0, y])
            y_prev = torch.tensor([y])
    return total


# --- error analysis ------------------------------------------------------------------------------


@pytest.mark.parametrize("alpha", [0.0, 0.7, 1.0])
def test_verdicts_follow_the_scores_of_reference_and_output(alpha):
    model = _model()
    sources = ["abc", "hgfe", "a", "bbbbbb", "cab"]
    outputs = ["wx", "zzzz", "y", "w", "xyz"]
    references = ["wxyzw", "z", "yy", "wwwwww", "xyz"]  # the last one is translated exactly
    # Each pair both ways round: one of the two must be a search error, the other a model error.
    report = error_analysis(model, sources + sources[:4], references + outputs[:4],
                            outputs + references[:4], alpha=alpha)  # fmt: skip
    verdicts = [s.verdict for s in report.sentences]
    assert verdicts[4] == "correct"
    for i, s in enumerate(report.sentences):
        ref_lp = _stepped_logprob(model, s.source, model.target_ids(s.reference))
        hyp_lp = _stepped_logprob(model, s.source, model.target_ids(s.hypothesis))
        assert s.ref_logprob == pytest.approx(ref_lp, abs=1e-5)
        assert s.hyp_logprob == pytest.approx(hyp_lp, abs=1e-5)
        ref_score = ref_lp / (len(s.reference) + 1) ** alpha
        hyp_score = hyp_lp / (len(s.hypothesis) + 1) ** alpha
        assert s.ref_score == pytest.approx(ref_score, abs=1e-5)
        assert s.hyp_score == pytest.approx(hyp_score, abs=1e-5)
        if i != 4:
            assert s.verdict == ("search" if ref_score > hyp_score else "model")
    for i in range(4):
        assert {verdicts[i], verdicts[5 + i]} == {"search", "model"}
    assert report.counts == {"search": 4, "model": 4, "correct": 1}
    assert report.fractions == {"search": 0.5, "model": 0.5}
    assert report.summary() == {"n": 9, "search": 4, "model": 4, "correct": 1,
                                "search_fraction": 0.5, "model_fraction": 0.5,
                                "alpha": alpha}  # fmt: skip


def test_fractions_without_wrong_sentences_are_zero():
    model = _model()
    report = error_analysis(model, ["abc", "de"], ["wx", "y"], ["wx", "y"])
    assert report.counts == {"search": 0, "model": 0, "correct": 2}
    assert report.fractions == {"search": 0.0, "model": 0.0}
    row = report.sentences[0].to_json()
    assert set(row) == {"source", "reference", "hypothesis", "ref_logprob", "hyp_logprob",
                        "ref_score", "hyp_score", "verdict"}  # fmt: skip
    assert json.loads(json.dumps(row)) == row


def test_mismatched_lists_name_all_three_counts():
    with pytest.raises(ValueError, match="3 sources, 2 references and 1 hypotheses"):
        error_analysis(_model(), ["a", "b", "c"], ["w", "x"], ["y"])


def test_empty_reference_and_bad_alpha_are_errors():
    with pytest.raises(ValueError, match="reference 2 is empty"):
        error_analysis(_model(), ["a", "b"], ["w", ""], ["y", "x"])
    with pytest.raises(ValueError, match="alpha must be a finite number"):
        error_analysis(_model(), ["a"], ["w"], ["y"], alpha=float("nan"))
    with pytest.warns(UserWarning, match="alpha=2.0 is outside"):
        report = error_analysis(_model(), ["a"], ["w"], ["y"], alpha=2.0)
    s = report.sentences[0]
    assert s.ref_score == pytest.approx(normalized_score(s.ref_logprob, 2, 2.0))


def test_different_unknown_words_are_not_a_correct_translation():
    src, tgt = Vocabulary("the a cat".split()), Vocabulary("le la chat".split())
    torch.manual_seed(0)
    model = Seq2Seq(
        Seq2SeqConfig(level="word", embedding_size=6, hidden_size=8, attention_size=5),
        src,
        tgt,
        WordTokenizer(),
        WordTokenizer(),
    )
    report = error_analysis(model, ["the cat"], ["le zebre"], ["le girafe"])
    assert report.sentences[0].verdict != "correct"


def test_an_empty_output_of_the_search_can_be_analysed():
    model = _model()
    with torch.no_grad():
        model.out.bias[TGT_VOCAB.eos_id] += 30  # <eos> first: the translation is empty
    (hyp,) = beam_search(model, ["abc"], beam_size=2)[0]
    assert hyp.finished and hyp.text == ""
    report = error_analysis(model, ["abc"], ["wx"], [hyp.text])
    assert report.sentences[0].hyp_logprob == pytest.approx(hyp.logprob, abs=1e-5)


def test_a_hypothesis_with_unk_is_scored_as_the_sequence_the_search_found():
    model = _model()
    ids = [TGT_VOCAB.unk_id, 4]  # what the search may output: <unk> w
    text = model.target_text(ids)
    assert text == "<unk>w"
    report = error_analysis(model, ["abc"], ["wx"], [ids])  # the ids, as the CLI passes them
    expected = target_logprobs(model, ["abc"], [ids])[0][0]
    assert report.sentences[0].hypothesis == text
    assert report.sentences[0].hyp_logprob == pytest.approx(expected, abs=1e-5)


# --- read_pairs ----------------------------------------------------------------------------------


def test_read_pairs_from_a_tsv(tmp_path):
    path = tmp_path / "pairs.tsv"
    path.write_text("3 mars 1997\t1997-03-03\n\n  March 3, 1997 \t 1997-03-03\n", encoding="utf-8")
    assert read_pairs(path) == [("3 mars 1997", "1997-03-03"), ("March 3, 1997", "1997-03-03")]


def test_read_pairs_crlf_and_bom(tmp_path):
    path = tmp_path / "pairs.tsv"
    path.write_bytes("\ufeffa b\tc d\r\ne\tf\r\n".encode())
    assert read_pairs(path) == [("a b", "c d"), ("e", "f")]
    src, tgt = tmp_path / "train.de", tmp_path / "train.en"
    src.write_bytes(b"Hallo Welt\r\nZwei Hunde\r\n")
    tgt.write_bytes(b"Hello world\nTwo dogs\n")
    assert read_pairs(src, tgt) == [("Hallo Welt", "Hello world"), ("Zwei Hunde", "Two dogs")]


def test_read_pairs_from_two_files_with_an_encoding(tmp_path):
    src, tgt = tmp_path / "a.de", tmp_path / "a.en"
    src.write_bytes("Gr\u00fc\u00dfe\nsch\u00f6n\n".encode("latin-1"))
    tgt.write_bytes(b"greetings\nbeautiful")  # no final newline
    assert read_pairs(src, tgt, encoding="latin-1") == [("Gr\u00fc\u00dfe", "greetings"),
                                                        ("sch\u00f6n", "beautiful")]  # fmt: skip


@pytest.mark.parametrize(
    ("text", "match"),
    [
        ("a\tb\nno tab here\n", r"pairs.tsv:2: expected 'source<TAB>target', found 0 TABs"),
        ("a\tb\tc\n", r"pairs.tsv:1: expected 'source<TAB>target', found 2 TABs"),
        ("a\tb\n \tb\n", r"pairs.tsv:2: empty source sentence"),
        ("a\t  \n", r"pairs.tsv:1: empty target sentence"),
        ("\n\n  \n", r"pairs.tsv: is empty"),
    ],
)
def test_read_pairs_tsv_errors(tmp_path, text, match):
    path = tmp_path / "pairs.tsv"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(ValueError, match=match):
        read_pairs(path)


def test_read_pairs_two_file_errors(tmp_path):
    src, tgt = tmp_path / "s.txt", tmp_path / "t.txt"
    src.write_text("a\nb\nc\n", encoding="utf-8")
    tgt.write_text("x\ny\n", encoding="utf-8")
    with pytest.raises(ValueError, match=r"s.txt has 3 lines but .*t.txt has 2"):
        read_pairs(src, tgt)
    tgt.write_text("x\n\nz\n", encoding="utf-8")
    with pytest.raises(ValueError, match="line 2 of .*: empty target sentence"):
        read_pairs(src, tgt)
    with pytest.raises(ValueError, match="no such file"):
        read_pairs(tmp_path / "missing.tsv")
    with pytest.raises(ValueError, match="no such file"):
        read_pairs(src, tmp_path / "missing.en")


# --- split, vocabularies, ids --------------------------------------------------------------------


PAIRS = [(f"s{i}", f"t{i}") for i in range(40)]


def test_split_pairs_is_seeded_and_partitions_the_pairs():
    train, val = split_pairs(PAIRS, 0.25, seed=3)
    assert (train, val) == split_pairs(PAIRS, 0.25, seed=3)
    assert len(val) == 10 and len(train) == 30
    assert sorted(train + val) == sorted(PAIRS)
    assert [p for p in PAIRS if p in train] == train  # the original order is kept
    assert split_pairs(PAIRS, 0.25, seed=4)[1] != val
    assert split_pairs(PAIRS, 0.0) == (PAIRS, [])


@pytest.mark.parametrize("fraction", [1.0, -0.1])
def test_split_pairs_bad_fraction(fraction):
    with pytest.raises(ValueError, match="val_fraction"):
        split_pairs(PAIRS, fraction)


def test_split_pairs_that_leaves_nothing_to_train_on():
    with pytest.raises(ValueError, match="only 1 pairs"):
        split_pairs(PAIRS[:1], 0.9)


def test_build_vocabs_one_per_side():
    pairs = [("the cat", "le chat"), ("the dog", "le chien")]
    src, tgt = build_vocabs(pairs, WordTokenizer(), WordTokenizer())
    assert src.tokens[4:] == ("the", "cat", "dog") and tgt.tokens[4:] == ("le", "chat", "chien")
    src, _ = build_vocabs(pairs, WordTokenizer(), WordTokenizer(), min_count=2)
    assert src.tokens[4:] == ("the",)


def test_encode_pairs_counts_unknowns_and_truncations():
    model = _model(max_src_len=3)
    out = encode_pairs(model, [("abcde", "wxq"), ("zz", "w")])
    assert out["src"] == [[4, 5, 6], [1, 1]] and out["tgt"] == [[4, 5, 1], [4]]
    assert (out["src_unk"], out["tgt_unk"], out["truncated"]) == (2, 1, 1)
    with pytest.raises(ValueError, match="5 tokens > max_src_len=3"):
        encode_pairs(model, [("abcde", "w")], on_long="error")


# --- PairBatches ---------------------------------------------------------------------------------


def test_pair_batches_shapes_and_contents():
    rng = random.Random(0)
    src = [[rng.randint(4, 11) for _ in range(rng.randint(1, 7))] for _ in range(23)]
    tgt = [[rng.randint(4, 7) for _ in range(rng.randint(1, 5))] for _ in range(23)]
    batches = PairBatches(src, tgt, 5, bos_id=2, eos_id=3, pad_id=0)(0)
    assert len(batches) == 5 and sum(b["src"].shape[0] for b in batches) == 23
    seen = []
    for b in batches:
        B, T_x = b["src"].shape
        assert b["src_lengths"].shape == (B,) and int(b["src_lengths"].max()) == T_x
        assert b["tgt_in"].shape == b["tgt_out"].shape and b["tgt_in"].shape[0] == B
        for i in range(B):
            n = int(b["src_lengths"][i])
            row = b["src"][i, :n].tolist()
            assert (b["src"][i, n:] == 0).all()
            k = next(k for k in range(23) if src[k] == row and k not in seen)
            seen.append(k)
            m = len(tgt[k]) + 1
            assert b["tgt_in"][i, :m].tolist() == [2, *tgt[k]]
            assert b["tgt_out"][i, :m].tolist() == [*tgt[k], 3]
            assert (b["tgt_in"][i, m:] == 0).all() and (b["tgt_out"][i, m:] == 0).all()
    assert sorted(seen) == list(range(23))  # every pair exactly once per epoch


def test_pair_batches_shuffle_is_seeded():
    src = [[4] * (1 + i % 6) for i in range(30)]
    tgt = [[5, 6] for _ in range(30)]

    def order(batches):
        return [b["src_lengths"].tolist() for b in batches]

    shuffled = PairBatches(src, tgt, 4, bos_id=2, eos_id=3, shuffle=True, seed=1)
    again = PairBatches(src, tgt, 4, bos_id=2, eos_id=3, shuffle=True, seed=1)
    assert order(shuffled(0)) == order(again(0))
    fixed = PairBatches(src, tgt, 4, bos_id=2, eos_id=3)
    assert order(fixed(0)) == order(fixed(1))


def test_pair_batches_errors():
    with pytest.raises(ValueError, match="no sentence pairs"):
        PairBatches([], [], 4, bos_id=2, eos_id=3)
    with pytest.raises(ValueError, match="2 sources but 1 targets"):
        PairBatches([[4], [5]], [[4]], 4, bos_id=2, eos_id=3)


# --- training and model folders ------------------------------------------------------------------


def _reverse_pairs(n: int) -> list[tuple[str, str]]:
    rng = random.Random(0)
    sources = ["".join(rng.choices("abcdef", k=rng.randint(2, 5))) for _ in range(n)]
    return [(s, s[::-1]) for s in sources]


@pytest.fixture(scope="module")
def trained(tmp_path_factory):
    """A char GRU with attention, 3 epochs on reversing 270 strings of a-f."""
    torch.set_num_threads(1)
    out = tmp_path_factory.mktemp("models") / "reverse"
    config = Seq2SeqConfig(level="char", cell="gru", embedding_size=8, hidden_size=16,
                           attention_size=8)  # fmt: skip
    return train_seq2seq(_reverse_pairs(300), config,
                         Seq2SeqDataConfig(batch_size=32, val_fraction=0.1),
                         TrainerConfig(epochs=3, lr=1e-2, device="cpu"), out,
                         sources={"pairs": "reverse"}), out  # fmt: skip


def test_training_writes_a_folder_and_the_loss_falls(trained):
    result, out = trained
    for name in ("config.json", "model.safetensors", "vocab_src.json", "vocab_tgt.json",
                 "tokenizers.json", "data.json"):  # fmt: skip
        assert (out / name).is_file(), name
    record = json.loads((out / "data.json").read_text(encoding="utf-8"))
    assert record == result.record
    assert record["train_pairs"] == 270 and record["val_pairs"] == 30
    assert record["sources"] == {"pairs": "reverse"}
    assert record["src_vocab_size"] == record["tgt_vocab_size"] == 4 + 6
    evals = [json.loads(line) for line in (out / "metrics.jsonl").read_text().splitlines()]
    val_losses = [e["val_loss"] for e in evals if e["kind"] == "eval"]
    assert len(val_losses) == 3 and val_losses[-1] < val_losses[0] < math.log(10)
    assert result.result.best_val_loss == pytest.approx(min(val_losses))


def test_a_saved_model_loads_back_to_the_same_translations(trained):
    result, out = trained
    loaded = seqlab.load(out)
    assert isinstance(loaded, Seq2Seq) and not loaded.training
    original = result.model.state_dict()
    assert all(torch.equal(original[k], v) for k, v in loaded.state_dict().items())
    sources = ["abc", "fedcba", "a", "ddeeff"]
    assert [h.text for h in greedy_decode(loaded, sources)] == [
        h.text for h in greedy_decode(result.model, sources)]  # fmt: skip
    before = beam_search(result.model, sources, beam_size=3)
    after = beam_search(loaded, sources, beam_size=3)
    assert [(r[0].text, r[0].score) for r in before] == [(r[0].text, r[0].score) for r in after]


def _copy(out, tmp_path):
    folder = tmp_path / "copy"
    shutil.copytree(out, folder)
    return folder


def test_a_config_that_does_not_fit_the_vocabulary_is_an_error(trained, tmp_path):
    folder = _copy(trained[1], tmp_path)
    data = json.loads((folder / "config.json").read_text(encoding="utf-8"))
    data["config"]["tgt_vocab_size"] += 1
    (folder / "config.json").write_text(json.dumps(data), encoding="utf-8")
    with pytest.raises(ValueError, match="target vocabulary has 11 tokens but it has 10"):
        seqlab.load(folder)


def test_a_vocabulary_that_does_not_fit_the_config_is_an_error(trained, tmp_path):
    folder = _copy(trained[1], tmp_path)
    Vocabulary(list("abcdefghij")).save(folder / "vocab_src.json")
    with pytest.raises(ValueError, match="source vocabulary has 10 tokens but it has 14"):
        seqlab.load(folder)


def test_missing_or_wrong_tokenizers_are_errors(trained, tmp_path):
    folder = _copy(trained[1], tmp_path)
    (folder / "tokenizers.json").write_text(json.dumps({"src": {"level": "word"},
                                                        "tgt": {"level": "char"}}))  # fmt: skip
    with pytest.raises(ValueError, match="tokenizer level 'word' != config level 'char'"):
        seqlab.load(folder)
    (folder / "tokenizers.json").write_text("{not json")
    with pytest.raises(ValueError, match="tokenizers.json: invalid"):
        seqlab.load(folder)
    (folder / "tokenizers.json").unlink()
    with pytest.raises(ValueError, match="missing tokenizers.json"):
        seqlab.load(folder)


def test_training_without_pairs_is_an_error(tmp_path):
    with pytest.raises(ValueError, match="no training pairs"):
        train_seq2seq([], Seq2SeqConfig(), Seq2SeqDataConfig(), TrainerConfig(), tmp_path / "m")


def test_preset_configs_and_overrides():
    model, data, trainer = preset_configs("dates", model={"hidden_size": 16})
    assert model.level == "char" and model.cell == "lstm" and model.hidden_size == 16
    assert data.batch_size == 64 and trainer.epochs == 6
    with pytest.raises(ValueError, match="unknown preset 'nope'"):
        preset_configs("nope")
    with pytest.raises(ValueError, match="hidden_size"):
        preset_configs("dates", model={"hidden_size": 0})


# --- the attention figure ------------------------------------------------------------------------


def test_attention_figure_draws_the_map_and_checks_the_shape():
    weights = torch.softmax(torch.randn(3, 4), dim=1)
    fig = attention_figure(weights, ["a", " ", "b", "c"], ["w", "x", "<eos>"], title="wx")
    ax = fig.axes[0]
    assert [t.get_text() for t in ax.get_xticklabels()] == ["a", "\u2423", "b", "c"]
    assert [t.get_text() for t in ax.get_yticklabels()] == ["w", "x", "<eos>"]
    assert ax.get_title() == "wx"
    assert ax.images[0].get_array().shape == (3, 4)
    with pytest.raises(ValueError, match=r"shape \(3, 4\), expected \(4, 3\)"):
        attention_figure(weights, ["a", "b", "c"], ["w", "x", "y", "z"])


def test_char_tokenizer_is_the_default_of_a_char_model():
    assert isinstance(_model().src_tokenizer, CharTokenizer)
