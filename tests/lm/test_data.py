"""seqlab.lm.data: stream (truncated BPTT) and sentence batches, the corpus split, ids, vocab."""

import pytest
import torch

from seqlab.lm import (
    SentenceBatches,
    StreamBatches,
    build_vocab,
    sentence_ids,
    split_corpus,
    stream_ids,
)
from seqlab.text import CharTokenizer, Vocabulary, WordTokenizer

CHAR = CharTokenizer()

# --- StreamBatches -------------------------------------------------------------------------------


def test_stream_batches_follow_the_module_docstring_sketch():
    # ids a..x = 0..23, B = 3, T = 3: columns a-h, i-p, q-x; segments 0:3, 3:6, 6:7.
    batches = StreamBatches(torch.arange(24), batch_size=3, bptt=3)(0)
    cols = torch.arange(24).view(3, 8)
    expected = [(0, 3), (3, 6), (6, 7)]
    assert len(batches) == len(expected)
    for batch, (start, end) in zip(batches, expected):
        assert torch.equal(batch["x"], cols[:, start:end])
        assert torch.equal(batch["y"], cols[:, start + 1 : end + 1])
    assert [b["reset"] for b in batches] == [True, False, False]
    assert [b["x"].shape for b in batches] == [(3, 3), (3, 3), (3, 1)]  # a shorter last segment


def test_stream_columns_are_the_stream_cut_into_batch_size_rows():
    ids = torch.arange(26)  # 26 // 4 = 6 per column, the last two ids dropped
    cols = StreamBatches(ids, batch_size=4, bptt=2).columns(0)
    assert torch.equal(cols, torch.arange(24).view(4, 6))


@pytest.mark.parametrize(("n", "world_size"), [(26, 2), (100, 3), (61, 2)])
def test_with_several_ranks_each_takes_its_columns_of_one_cut_of_the_stream(n, world_size):
    """W ranks of B columns == one process of W * B columns, segment by segment."""
    B, T = 2, 3
    whole = StreamBatches(torch.arange(n), B * world_size, T, shift=True, seed=1)
    ranks = [StreamBatches(torch.arange(n), B, T, shift=True, seed=1, rank=r,
                           world_size=world_size) for r in range(world_size)]  # fmt: skip
    assert all(r.presharded for r in ranks) and not whole.presharded
    for epoch in (0, 1):
        expected = whole(epoch)
        for step, batch in enumerate(expected):
            for key in ("x", "y"):
                parts = [r(epoch)[step][key] for r in ranks]
                assert torch.equal(torch.cat(parts), batch[key])  # rows r*B .. r*B + B - 1
        assert all(len(r(epoch)) == len(expected) and len(r) == len(whole) for r in ranks)
    with pytest.raises(ValueError, match=r"batch size 2 x 3 processes"):
        StreamBatches(torch.arange(10), 2, 3, rank=0, world_size=3)


@pytest.mark.parametrize(
    ("n", "batch_size", "bptt"),
    [(24, 3, 3), (25, 3, 3), (10, 5, 4), (100, 4, 7), (100, 1, 100), (97, 2, 1), (8, 4, 50)],
)
def test_stream_y_is_x_shifted_by_one_and_batches_cover_every_column(n, batch_size, bptt):
    data = StreamBatches(torch.arange(n), batch_size, bptt)
    batches = data(0)
    cols = data.columns(0)
    xs = torch.cat([b["x"] for b in batches], dim=1)  # (B, n_cols - 1)
    ys = torch.cat([b["y"] for b in batches], dim=1)  # (B, n_cols - 1)
    assert torch.equal(xs, cols[:, :-1]) and torch.equal(ys, cols[:, 1:])
    assert all(b["x"].shape == b["y"].shape for b in batches)
    assert all(0 < b["x"].shape[1] <= bptt for b in batches)
    assert [b["reset"] for b in batches] == [True] + [False] * (len(batches) - 1)
    assert len(data) == len(batches)


@pytest.mark.parametrize(("n", "batch_size", "bptt"), [(24, 3, 3), (100, 4, 7), (61, 2, 10)])
def test_stream_shifted_epochs_start_at_an_offset_below_bptt(n, batch_size, bptt):
    data = StreamBatches(torch.arange(n), batch_size, bptt, shift=True, seed=5)
    assert data(0)[0]["x"][0, 0] == 0  # epoch 0: offset 0, the longest epoch
    offsets = []
    for epoch in range(1, 12):
        batches = data(epoch)
        offset = int(batches[0]["x"][0, 0])
        offsets.append(offset)
        assert 0 <= offset < bptt
        per_col = (n - offset) // batch_size
        cols = torch.arange(offset, offset + per_col * batch_size).view(batch_size, per_col)
        assert torch.equal(torch.cat([b["x"] for b in batches], 1), cols[:, :-1])
        assert torch.equal(torch.cat([b["y"] for b in batches], 1), cols[:, 1:])
        assert [b["reset"] for b in batches] == [True] + [False] * (len(batches) - 1)
        assert 1 <= len(batches) <= len(data)  # a shifted epoch may have one batch less
    assert len(set(offsets)) > 1  # segment boundaries move from epoch to epoch


def test_stream_same_seed_and_epoch_give_the_same_batches():
    ids = torch.randint(0, 50, (200,))
    a = StreamBatches(ids, 4, 9, shift=True, seed=3)
    b = StreamBatches(ids, 4, 9, shift=True, seed=3)
    for epoch in (1, 2, 7):
        for u, v in zip(a(epoch), b(epoch), strict=True):
            assert torch.equal(u["x"], v["x"]) and torch.equal(u["y"], v["y"])
    starts = {int(StreamBatches(torch.arange(200), 4, 9, shift=True, seed=s)(1)[0]["x"][0, 0])
              for s in range(10)}  # fmt: skip
    assert len(starts) > 1  # the seed matters


def test_stream_without_shift_every_epoch_is_epoch_zero():
    data = StreamBatches(torch.arange(50), 2, 4, shift=False, seed=9)
    for epoch in (1, 5):
        for u, v in zip(data(0), data(epoch), strict=True):
            assert torch.equal(u["x"], v["x"]) and torch.equal(u["y"], v["y"])


def test_stream_two_ids_per_column_is_the_shortest_corpus():
    batches = StreamBatches(torch.arange(6), batch_size=3, bptt=5)(0)
    assert len(batches) == 1 and batches[0]["x"].tolist() == [[0], [2], [4]]
    assert batches[0]["y"].tolist() == [[1], [3], [5]]


@pytest.mark.parametrize(
    ("n", "batch_size", "bptt", "shift"),
    [(5, 3, 2, False), (1, 1, 1, False), (0, 1, 1, False), (10, 4, 4, True), (6, 3, 2, True)],
)
def test_stream_too_short_corpus_raises(n, batch_size, bptt, shift):
    with pytest.raises(ValueError, match="too short for one batch"):
        StreamBatches(torch.arange(n), batch_size, bptt, shift=shift)


@pytest.mark.parametrize(("batch_size", "bptt"), [(0, 5), (2, 0), (-1, 3)])
def test_stream_bad_sizes_raise(batch_size, bptt):
    with pytest.raises(ValueError, match="must be >= 1"):
        StreamBatches(torch.arange(100), batch_size, bptt)


# --- SentenceBatches -----------------------------------------------------------------------------

SENTENCES = [[4, 5, 6], [7], [8, 9], [], [10, 11, 12, 13], [5, 5]]


@pytest.mark.parametrize("batch_size", [1, 2, 4, 10])
def test_sentence_batches_layout(batch_size):
    data = SentenceBatches(SENTENCES, batch_size, start_id=2, eos_id=3)
    batches = data(0)
    assert len(data) == len(batches)
    seen = []
    for batch in batches:
        x, y, lengths = batch["x"], batch["y"], batch["lengths"]
        assert x.dtype == y.dtype == lengths.dtype == torch.long
        assert x.shape == y.shape and x.shape[0] == lengths.shape[0] <= batch_size
        assert x.shape[1] == int(lengths.max())
        assert (x[:, 0] == 2).all()  # every sentence starts with start_id
        for row, length in enumerate(lengths.tolist()):
            sentence = x[row, 1:length].tolist()
            assert y[row, :length].tolist() == [*sentence, 3]  # y ends with <eos>
            assert (x[row, length:] == 0).all() and (y[row, length:] == 0).all()  # padding 0
            assert length == len(sentence) + 1
            seen.append(sentence)
    assert sorted(seen) == sorted(SENTENCES)  # every sentence exactly once


def test_sentence_batches_shuffle_is_seeded_and_fixed_order_is_stable():
    def rows(data, epoch):
        return [b["x"].tolist() for b in data(epoch)]

    many = [[4 + i % 7] * (1 + i % 5) for i in range(40)]
    a = SentenceBatches(many, 4, start_id=2, eos_id=3, shuffle=True, seed=1)
    b = SentenceBatches(many, 4, start_id=2, eos_id=3, shuffle=True, seed=1)
    assert rows(a, 3) == rows(b, 3)
    assert any(rows(a, 0) != rows(a, e) for e in range(1, 5))  # new batches each epoch
    fixed = SentenceBatches(many, 4, start_id=2, eos_id=3)
    assert rows(fixed, 0) == rows(fixed, 1)


def test_sentence_batches_need_a_sentence():
    with pytest.raises(ValueError, match="no sentences"):
        SentenceBatches([], 4, start_id=2, eos_id=3)


# --- split_corpus ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("n_chars", "val_fraction", "n_train"),
    [(100, 0.1, 90), (1000, 0.1, 900), (50, 0.2, 40), (10, 0.5, 5), (7, 0.5, 3), (33, 0.25, 24)],
)
def test_split_stream_is_by_character_position(n_chars, val_fraction, n_train):
    text = "".join("abcdefghij\n"[i % 11] for i in range(n_chars))
    train, val = split_corpus(text, "stream", val_fraction)
    assert train == text[:n_train] and val == text[n_train:]


def test_split_stream_ignores_the_seed():
    text = "the quick brown fox\njumps over\nthe lazy dog\n" * 5
    assert split_corpus(text, "stream", 0.1, seed=0) == split_corpus(text, "stream", 0.1, seed=7)


@pytest.mark.parametrize("mode", ["stream", "lines"])
def test_split_zero_fraction_keeps_everything(mode):
    text = "abc\n\ndef\n"
    assert split_corpus(text, mode, 0.0) == (text, "")


def _lines(text):
    return [line for line in text.split("\n") if line.strip()]


@pytest.mark.parametrize(
    ("n_lines", "val_fraction", "n_val"), [(20, 0.1, 2), (50, 0.3, 15), (7, 0.5, 4)]
)
def test_split_lines_is_random_seeded_disjoint_and_covering(n_lines, val_fraction, n_val):
    names = [f"name{i:03d}" for i in range(n_lines)]  # sorted, like the dinosaur names
    text = "\n\n".join(names) + "\n  \n"  # blank and whitespace-only lines are dropped
    train, val = split_corpus(text, "lines", val_fraction, seed=0)
    train_lines, val_lines = _lines(train), _lines(val)
    assert len(val_lines) == n_val
    assert not set(train_lines) & set(val_lines)
    assert sorted(train_lines + val_lines) == names
    assert train_lines == sorted(train_lines)  # both parts keep the corpus order
    assert val_lines == sorted(val_lines)
    assert split_corpus(text, "lines", val_fraction, seed=0) == (train, val)
    vals = {split_corpus(text, "lines", val_fraction, seed=s)[1] for s in range(8)}
    assert len(vals) > 1  # the seed picks the lines
    assert any(_lines(v) != names[-n_val:] for v in vals)  # not just the tail


@pytest.mark.parametrize(
    ("text", "mode", "val_fraction", "match"),
    [
        ("abc\ndef\n", "words", 0.1, "mode must be one of"),
        ("abc\ndef\n", "stream", 1.0, r"val_fraction must be in \[0, 1\)"),
        ("abc\ndef\n", "lines", -0.1, r"val_fraction must be in \[0, 1\)"),
        ("a\nb\nc\n", "lines", 0.1, "corpus too short"),  # no line left for validation
        ("a\n\n\n", "lines", 0.5, "corpus too short"),  # one non-blank line
        ("ab", "stream", 0.9, "corpus too short"),  # nothing left to train on
        ("abcdefgh\n\n", "stream", 0.2, "corpus too short"),  # validation part is blank
    ],
)
def test_split_errors(text, mode, val_fraction, match):
    with pytest.raises(ValueError, match=match):
        split_corpus(text, mode, val_fraction)


# --- stream_ids, sentence_ids, build_vocab -----------------------------------------------------


def test_stream_ids_every_newline_is_eos():
    vocab = Vocabulary(list("ab"))  # a = 4, b = 5
    ids, n_unk = stream_ids("ab\nba\n\nb", CHAR, vocab)
    eos = vocab.eos_id
    assert ids.dtype == torch.long
    assert ids.tolist() == [4, 5, eos, 5, 4, eos, eos, 5]
    assert n_unk == 0


def test_stream_ids_count_unknown_tokens():
    vocab = Vocabulary(list("ab"))
    ids, n_unk = stream_ids("azb\nzz", CHAR, vocab)
    unk, eos = vocab.unk_id, vocab.eos_id
    assert ids.tolist() == [4, unk, 5, eos, unk, unk]
    assert n_unk == 3


def test_stream_ids_word_level():
    vocab = Vocabulary(["the", "cat", "."])
    ids, n_unk = stream_ids("the cat .\nthe dog .", WordTokenizer(), vocab)
    assert ids.tolist() == [4, 5, 6, vocab.eos_id, 4, vocab.unk_id, 6]
    assert n_unk == 1


def test_sentence_ids_drop_blank_lines_and_count_unknowns():
    vocab = Vocabulary(list("ab"))
    sentences, n_unk = sentence_ids("ab\n\n  \nbz\n", CHAR, vocab)
    assert sentences == [[4, 5], [5, vocab.unk_id]]
    assert n_unk == 1


@pytest.mark.parametrize("mode", ["stream", "lines"])
def test_build_vocab_char_newlines_are_not_tokens(mode):
    vocab = build_vocab("abca\nb a\n\nc\n", CHAR, mode)
    assert vocab.tokens[:4] == ("<pad>", "<unk>", "<bos>", "<eos>")
    assert vocab.tokens[4:] == ("a", "b", "c", " ")  # by count (3, 2, 2, 1), ties in corpus order
    assert "\n" not in vocab
    assert dict(vocab.counts) == {"a": 3, "b": 2, "c": 2, " ": 1}


def test_build_vocab_word_level_min_count_and_max_size():
    text = "the cat sat\nthe dog sat\nthe end\n"
    tokenizer = WordTokenizer()
    assert build_vocab(text, tokenizer, "lines").tokens[4:] == ("the", "sat", "cat", "dog", "end")
    assert build_vocab(text, tokenizer, "lines", min_count=2).tokens[4:] == ("the", "sat")
    assert build_vocab(text, tokenizer, "stream", max_size=1).tokens[4:] == ("the",)


def test_build_vocab_bad_mode():
    with pytest.raises(ValueError, match="mode must be one of"):
        build_vocab("abc", CHAR, "sentences")
