"""seqlab.embeddings.WordVectors: the table, its queries (vs gensim and NumPy) and its files."""

import re
import struct

import numpy as np
import pytest

from seqlab.embeddings import WordVectors

V, E = 300, 20


@pytest.fixture(scope="module")
def wv() -> WordVectors:
    rng = np.random.default_rng(7)
    words = [f"w{i:03d}" for i in range(V - 4)] + ["king", "kings", "Queen", "last"]
    return WordVectors(words, rng.normal(size=(V, E)))


def _gensim(wv: WordVectors):
    gensim_kv = pytest.importorskip("gensim.models.keyedvectors")
    kv = gensim_kv.KeyedVectors(wv.dim)
    kv.add_vectors(list(wv.words), wv.vectors.copy())
    return kv


def _assert_same_results(ours, theirs):
    assert [word for word, _ in ours] == [word for word, _ in theirs]
    np.testing.assert_allclose([s for _, s in ours], [s for _, s in theirs], atol=1e-5)


# -- the table --------------------------------------------------------------------------------


def test_table_basics(wv):
    assert (len(wv), wv.dim, wv.vectors.shape, wv.vectors.dtype) == (V, E, (V, E), np.float32)
    assert wv.words[0] == "w000" and "king" in wv and "nope" not in wv and 3 not in wv
    assert wv.index("king") == V - 4
    assert np.array_equal(wv.vector("king"), wv.vectors[V - 4])
    assert repr(wv) == "WordVectors(300 words x 20 dims)"


def test_vectors_are_a_read_only_copy():
    vectors = np.ones((2, 3))
    wv = WordVectors(["a", "b"], vectors)
    vectors[0, 0] = 5.0
    assert wv.vectors[0, 0] == 1.0
    with pytest.raises(ValueError, match="read-only"):
        wv.vectors[0, 0] = 2.0


@pytest.mark.parametrize(
    ("words", "vectors", "message"),
    [
        (["a", "b", "a"], np.ones((3, 2)), "duplicate word 'a' \\(positions 0 and 2\\)"),
        (["a", "b"], np.ones((3, 2)), "shape \\(V, E\\) = \\(2, E >= 1\\).*got \\(3, 2\\)"),
        (["a", "b"], np.ones(2), "got \\(2,\\)"),
        (["a", "b"], np.ones((2, 0)), "got \\(2, 0\\)"),
        ([], np.ones((0, 2)), "at least one word"),
        (["a", "b"], [[1.0, np.nan], [1.0, 2.0]], "vector of 'a' \\(position 0\\) holds NaN"),
        (["a", "b"], [[1.0, 2.0], [np.inf, 2.0]], "vector of 'b' \\(position 1\\) holds NaN"),
        (["a", 7], np.ones((2, 2)), "word 1 is int 7, expected str"),
    ],
)
def test_constructor_errors(words, vectors, message):
    with pytest.raises(ValueError, match=message):
        WordVectors(words, vectors)


def test_unknown_word_suggests_close_words(wv):
    with pytest.raises(ValueError, match="unknown word 'kingz'.*did you mean 'king', 'kings'"):
        wv.vector("kingz")
    with pytest.raises(ValueError, match="unknown word 'QUEEN'.*did you mean 'Queen'"):
        wv.index("QUEEN")
    with pytest.raises(ValueError, match="unknown word 'KINGS'.*did you mean 'kings'"):
        wv.similarity("king", "KINGS")  # the lower-cased form comes first


def test_subset_keeps_the_order_given(wv):
    small = wv.subset(["king", "w005", "Queen"])
    assert small.words == ("king", "w005", "Queen")
    assert np.array_equal(small.vectors, wv.vectors[[V - 4, 5, V - 2]])
    with pytest.raises(ValueError, match="unknown word 'nope'"):
        wv.subset(["king", "nope"])


def test_matrix_for_a_model_vocabulary(wv):
    tokens = ["<pad>", "<unk>", "king", "King", "QUEEN", "Queen", "w001"]
    matrix, n_found = wv.matrix_for(tokens)
    assert matrix.shape == (7, E) and matrix.dtype == np.float32
    assert n_found == 4  # king, King -> king, Queen, w001; "QUEEN" lowers to "queen": absent
    assert not matrix[[0, 1, 4]].any()  # rows without a vector stay zero
    assert np.array_equal(matrix[3], wv.vector("king"))
    assert np.array_equal(matrix[5], wv.vector("Queen"))
    _, n_exact = wv.matrix_for(tokens, lower_fallback=False)
    assert n_exact == 3


# -- queries ----------------------------------------------------------------------------------


def test_similarity_is_cosine(wv):
    a, b = wv.vector("w001").astype(np.float64), wv.vector("w002").astype(np.float64)
    expected = a @ b / np.linalg.norm(a) / np.linalg.norm(b)
    assert wv.similarity("w001", "w002") == pytest.approx(expected, abs=1e-6)
    assert wv.similarity("w001", "w001") == pytest.approx(1.0, abs=1e-6)


def test_3cosadd_against_numpy(wv):
    # independent: unit rows, query = unit(u_b + u_c - u_a), best other row by cosine
    X = wv.vectors.astype(np.float64)
    U = X / np.maximum(np.linalg.norm(X, axis=1, keepdims=True), 1e-12)
    a, b, c = (wv.index(w) for w in ("w010", "w020", "w030"))
    query = U[b] + U[c] - U[a]
    cos = U @ (query / np.linalg.norm(query))
    cos[[a, b, c]] = -np.inf
    order = np.argsort(-cos)[:3]
    result = wv.analogy("w010", "w020", "w030", topn=3)
    assert [word for word, _ in result] == [wv.words[i] for i in order]
    np.testing.assert_allclose([s for _, s in result], cos[order], atol=1e-6)


@pytest.mark.parametrize(
    ("positive", "negative", "topn", "restrict_vocab"),
    [
        (["w001", "w002"], ["w003"], 10, None),
        ("w005", [], 5, None),
        (["king"], [], 20, None),
        ([], ["w010"], 10, None),
        (["w001", "w002", "king"], ["w003", "Queen"], 7, None),
        (["w001", "w002"], ["w003"], 10, 100),
        (["king", "w002"], ["w003"], 10, 50),  # "king" lies past the restricted rows
        (["w001"], [], 400, None),  # more than there are
    ],
)
def test_most_similar_matches_gensim(wv, positive, negative, topn, restrict_vocab):
    kv = _gensim(wv)
    ours = wv.most_similar(positive, negative, topn=topn, restrict_vocab=restrict_vocab)
    theirs = kv.most_similar(positive, negative, topn=topn, restrict_vocab=restrict_vocab)
    _assert_same_results(ours, theirs)
    if topn > V:
        assert len(ours) == V - 1


@pytest.mark.parametrize(
    ("positive", "negative", "topn"),
    [
        (["w001", "w002"], ["w003"], 10),
        ("w005", [], 5),
        (["w001", "w002", "king"], ["w003", "Queen"], 7),
        (["w001"], ["w002", "w003"], 3),
    ],
)
@pytest.mark.filterwarnings("ignore:Call to deprecated:DeprecationWarning")  # gensim's own
def test_most_similar_cosmul_matches_gensim(wv, positive, negative, topn):
    _assert_same_results(
        wv.most_similar_cosmul(positive, negative, topn=topn),
        _gensim(wv).most_similar_cosmul(positive, negative, topn=topn),
    )


def test_cosmul_restrict_vocab_searches_the_first_rows(wv):
    # gensim 4.4 ignores restrict_vocab here; ours equals searching a table of those rows
    head = wv.subset(wv.words[:100])
    assert wv.most_similar_cosmul(["w001", "w002"], ["w003"], restrict_vocab=100) == (
        head.most_similar_cosmul(["w001", "w002"], ["w003"])
    )


def test_analogy_is_most_similar_of_b_c_minus_a(wv):
    assert wv.analogy("w001", "w002", "w003", topn=4) == wv.most_similar(
        ["w002", "w003"], ["w001"], topn=4
    )
    assert wv.analogy("w001", "w002", "w003", method="mul") == wv.most_similar_cosmul(
        ["w002", "w003"], ["w001"], topn=1
    )


def test_gensim_lookups_equal_gensim_s(wv):
    kv = _gensim(wv)
    assert dict(wv.key_to_index) == kv.key_to_index and wv.index_to_key == kv.index_to_key
    np.testing.assert_array_equal(wv["king"], kv["king"])
    np.testing.assert_array_equal(wv[["king", "w003"]], kv[["king", "w003"]])
    np.testing.assert_array_equal(wv.get_vector("Queen"), kv.get_vector("Queen"))
    np.testing.assert_allclose(wv.get_vector("Queen", norm=True),
                               kv.get_vector("Queen", norm=True), atol=1e-7)  # fmt: skip
    with pytest.raises(TypeError):
        wv.key_to_index["new"] = 1  # read-only


@pytest.mark.parametrize(
    "words",
    [["king", "kings", "Queen", "w001"], ["w010", "w011", "w012"], ["last", "king"],
     [f"w{i:03d}" for i in range(0, 120, 7)]],
)  # fmt: skip
def test_doesnt_match_equals_gensim_s(wv, words):
    assert wv.doesnt_match(words) == _gensim(wv).doesnt_match(words)


def test_an_unknown_word_is_a_key_error_as_in_gensim_and_a_value_error():
    wv = WordVectors(["king", "queen"], np.eye(2))
    for lookup in (lambda: wv["kingg"], lambda: wv.get_vector("x"), lambda: wv[["king", "x"]]):
        with pytest.raises(KeyError) as caught:
            lookup()
        assert isinstance(caught.value, ValueError) and "unknown word" in str(caught.value)
        assert not str(caught.value).startswith("'")  # one plain line, not a quoted repr
    with pytest.raises(ValueError, match="unknown word 'kingg'.*did you mean 'king'"):
        wv.doesnt_match(["king", "kingg"])
    with pytest.raises(ValueError, match="needs a list of words"):
        wv.doesnt_match([])


def test_gensim_s_own_kv_pickle_is_named_and_never_unpickled(tmp_path, wv, monkeypatch):
    import pickle

    kv = _gensim(wv)
    kv.save(str(tmp_path / "vectors.kv"))  # gensim's native format: a pickle (+ .npy arrays)
    monkeypatch.setattr(pickle, "load", lambda *a, **k: pytest.fail("unpickled"))
    monkeypatch.setattr(pickle, "loads", lambda *a, **k: pytest.fail("unpickled"))
    with pytest.raises(ValueError, match=r"vectors\.kv: a Python pickle \(gensim's "
                       r"KeyedVectors\.save.*never unpickles.*save_word2vec_format"):  # fmt: skip
        WordVectors.load(tmp_path / "vectors.kv")
    np.save(tmp_path / "m.npy", np.ones((2, 2)))
    with pytest.raises(ValueError, match=r"m\.npy: a NumPy array"):
        WordVectors.load(tmp_path / "m.npy")


def test_zero_vector_scores_zero():
    wv = WordVectors(["a", "b", "zero"], [[1.0, 0.0], [1.0, 1.0], [0.0, 0.0]])
    assert wv.most_similar("a") == [("b", pytest.approx(0.5**0.5)), ("zero", 0.0)]
    assert wv.similarity("a", "zero") == 0.0
    assert wv.most_similar_cosmul("a")[1] == ("zero", pytest.approx(0.5 / (1 + 1e-6)))


def test_query_errors(wv):
    with pytest.raises(ValueError, match="at least one positive or negative"):
        wv.most_similar()
    with pytest.raises(ValueError, match="needs at least one positive"):
        wv.most_similar_cosmul(negative=["w001"])
    with pytest.raises(ValueError, match="unknown word 'nope'"):
        wv.most_similar(["w001", "nope"])
    with pytest.raises(ValueError, match="restrict_vocab must be at least 1"):
        wv.most_similar(["w001"], restrict_vocab=0)
    with pytest.raises(ValueError, match="method must be 'add' or 'mul'"):
        wv.analogy("w001", "w002", "w003", method="set")
    assert wv.most_similar("w001", topn=0) == []


# -- files ------------------------------------------------------------------------------------

FORMATS = ["word2vec", "glove", "binary"]


def _awkward_table() -> WordVectors:
    """Values whose text form is tricky: tiny, huge, negative zero, many digits; odd words."""
    rng = np.random.default_rng(3)
    vectors = rng.normal(size=(6, 5)).astype(np.float32)
    vectors[0] = [1e-8, -0.0, 3.4e38, -1.1754944e-38, 1 / 3]
    words = ["the", ",", "caf\u00e9", "\u65e5\u672c", "a\tb", "1999"]
    return WordVectors(words, vectors)


@pytest.mark.parametrize("format", FORMATS)
def test_round_trip(tmp_path, format):
    wv = _awkward_table()
    path = tmp_path / f"vectors.{format}"
    wv.save(path, format=format)
    for load_format in (format, "auto"):
        back = WordVectors.load(path, format=load_format)
        assert back.words == wv.words
        assert np.array_equal(back.vectors, wv.vectors)  # exact: shortest float32 text form


def test_file_layouts(tmp_path):
    wv = WordVectors(["a", "b"], [[0.5, -1.0], [0.1, 2.0]])
    wv.save(tmp_path / "w2v.txt")
    assert (tmp_path / "w2v.txt").read_text() == "2 2\na 0.5 -1.0\nb 0.1 2.0\n"
    wv.save(tmp_path / "glove.txt", format="glove")
    assert (tmp_path / "glove.txt").read_text() == "a 0.5 -1.0\nb 0.1 2.0\n"
    wv.save(tmp_path / "w2v.bin", format="binary")
    floats = [struct.pack("<2f", *row) for row in ([0.5, -1.0], [0.1, 2.0])]
    expected = b"2 2\na " + floats[0] + b"\nb " + floats[1] + b"\n"
    assert (tmp_path / "w2v.bin").read_bytes() == expected


@pytest.mark.parametrize("format", FORMATS)
def test_gensim_reads_our_files(tmp_path, format):
    gensim_kv = pytest.importorskip("gensim.models.keyedvectors")
    wv = _awkward_table().subset(["the", ",", "caf\u00e9", "\u65e5\u672c", "1999"])
    path = tmp_path / "vectors"
    wv.save(path, format=format)
    kv = gensim_kv.KeyedVectors.load_word2vec_format(
        str(path), binary=format == "binary", no_header=format == "glove"
    )
    assert kv.index_to_key == list(wv.words)
    assert np.array_equal(kv.vectors, wv.vectors)


@pytest.mark.parametrize("format", FORMATS)
def test_we_read_gensim_files(tmp_path, wv, format):
    kv = _gensim(wv)
    path = tmp_path / "vectors"
    kv.save_word2vec_format(str(path), binary=format == "binary", write_header=format != "glove")
    back = WordVectors.load(path)  # auto-detected
    assert back.words == wv.words
    assert np.array_equal(back.vectors, wv.vectors)


def test_auto_detects_binary_with_zero_vectors(tmp_path):
    wv = WordVectors(["a", "b"], np.zeros((2, 3)))
    wv.save(tmp_path / "zeros.bin", format="binary")
    assert WordVectors.load(tmp_path / "zeros.bin").words == ("a", "b")


@pytest.mark.parametrize(
    "data",
    [
        b"\xef\xbb\xbfa 1 2\r\nb 3 4\r\n",  # byte-order mark, CRLF
        b"a 1 2\nb 3 4",  # no final newline
        b"a 1 2 \nb 3   4\n\n\n",  # extra spaces between numbers, blank lines at the end
        b"2 2\na 1 2\nb 3 4\n",  # word2vec text
        b"\xef\xbb\xbf2 2\na 1 2\nb 3 4\n",  # ... behind a byte-order mark
        b"2 2\na " + struct.pack("<2f", 1, 2) + b"b " + struct.pack("<2f", 3, 4),  # gensim binary
        b"2 2\na " + struct.pack("<2f", 1, 2) + b"\n\nb " + struct.pack("<2f", 3, 4) + b"\n\n",
    ],
)
def test_reads_variants(tmp_path, data):
    path = tmp_path / "vectors"
    path.write_bytes(data)
    wv = WordVectors.load(path)
    assert wv.words == ("a", "b")
    assert np.array_equal(wv.vectors, [[1, 2], [3, 4]])


@pytest.mark.parametrize("format", FORMATS)
def test_limit(tmp_path, wv, format):
    path = tmp_path / "vectors"
    wv.save(path, format=format)
    head = WordVectors.load(path, limit=5)
    assert head.words == wv.words[:5]
    assert np.array_equal(head.vectors, wv.vectors[:5])
    assert len(WordVectors.load(path, limit=10 * V)) == V


def test_latin1_words(tmp_path):
    wv = WordVectors(["caf\u00e9", "na\u00efve"], np.eye(2))
    wv.save(tmp_path / "v.txt", encoding="latin-1")
    with pytest.raises(ValueError, match="line 2: not valid utf-8 \\(byte 0xe9\\)"):
        WordVectors.load(tmp_path / "v.txt")
    assert WordVectors.load(tmp_path / "v.txt", encoding="latin-1").words == wv.words


def _floats(*values):
    return struct.pack(f"<{len(values)}f", *values)


@pytest.mark.parametrize(
    ("data", "format", "message"),
    [
        (b"a 1 2 3\nb 1 2 3\nc 1 2\n", "auto", "line 3: 2 values, expected 3 \\(as on the first"),
        (b"a 1 2 3\nb 1 2 3 4\n", "glove", "line 2: 4 values, expected 3"),
        (b"a 1\nb\n", "glove", "line 2: 0 values, expected 1"),
        (b"a\nb 1\n", "glove", "line 1: no numbers after the word 'a'"),
        (b"3 3\na 1 2 3\nb 1 2\nc 1 2 3\n", "auto", "line 3: 2 values, expected 3 \\(the header"),
        (b"2 4\na 1 2 3\nb 1 2 3\n", "auto", "line 2: 3 values, expected 4 \\(the header on"),
        (b"3 2\na 1 2\nb 1 2\n", "auto", "line 1: header says 3 words, the file has 2 lines"),
        (b"1 2\na 1 2\nb 1 2\n", "word2vec", "line 1: header says 1 words, the file has 2 lines"),
        (b"0 50\n", "auto", "line 1: header says 0 words of 50 dims"),
        (b"a 1 2\nb 1 x\n", "auto", "line 2: 'x' is not a number \\(word 'b'\\)"),
        (b"a 1 2\nb 1 1_0\n", "auto", "line 2: '1_0' is not a number"),
        (b"a 1 2\n\nb 1 2\n", "auto", "line 2: blank line, expected a word and 2 values"),
        (b"a 1 2\n 1 2\n", "auto", "line 2: empty word"),
        (b"a 1 2\nb 1 2\na 3 4\n", "auto", "line 3: duplicate word 'a' \\(first on line 1\\)"),
        (b"2 2\na 1 2\nb nan 2\n", "auto", "line 3: vector of 'b' holds NaN or infinity"),
        (b"a 1 2\n\xff 1 2\n", "auto", "line 2: not valid utf-8 \\(byte 0xff\\)"),
        (b"a 1 2\n", "word2vec", "line 1: expected a word2vec header"),
        (b"a 1 2\n", "binary", "line 1: expected a word2vec header"),
        (b"", "auto", "is empty"),
        (b"\n \n", "auto", "is empty"),
        (b"2 3\n", "auto", "is empty"),
        (
            b"2 3\na " + _floats(1, 2, 3) + b"\nb " + _floats(1)[:3],
            "auto",
            "truncated binary file: the header says 2 vectors of 3 float32, but it ends in "
            "vector 2",
        ),
        (b"2 3\na " + _floats(1, 2, 3), "binary", "truncated binary file.*ends in vector 2"),
        (
            b"1 2\na " + _floats(1, 2) + b"\nb " + _floats(3, 4) + b"\n",
            "auto",
            "line 1: header says 1 vectors of 2 float32, but more bytes follow vector 1",
        ),
        (
            b"2 2\na " + _floats(1, 2) + b"a " + _floats(3, 4),
            "auto",
            "vector 2: duplicate word 'a' \\(first on vector 1\\)",
        ),
        (b"1 2\n\xff\xfe " + _floats(1, 2), "auto", "vector 1: word .* is not valid utf-8"),
        (b"1 2\na " + _floats(1, float("inf")), "auto", "vector 1: vector of 'a' holds NaN"),
    ],
)
def test_load_errors_name_file_and_line(tmp_path, data, format, message):
    path = tmp_path / "bad.txt"
    path.write_bytes(data)
    with pytest.raises(ValueError, match=message) as info:
        WordVectors.load(path, format=format)
    assert str(info.value).startswith(f"{path}: ")


def test_load_argument_errors(tmp_path):
    with pytest.raises(ValueError, match="no such file") as info:
        WordVectors.load(tmp_path / "missing.txt")
    assert "missing.txt" in str(info.value)
    with pytest.raises(ValueError, match="is a folder"):
        WordVectors.load(tmp_path)
    (tmp_path / "v.txt").write_text("a 1\n")
    with pytest.raises(ValueError, match="format must be 'auto'"):
        WordVectors.load(tmp_path / "v.txt", format="fasttext")
    with pytest.raises(ValueError, match="limit must be at least 1"):
        WordVectors.load(tmp_path / "v.txt", limit=0)
    with pytest.raises(ValueError, match="unknown encoding 'klingon'"):
        WordVectors.load(tmp_path / "v.txt", encoding="klingon")


@pytest.mark.parametrize("format", FORMATS)
@pytest.mark.parametrize("word", ["new york", "a\nb", "", "x\r"])
def test_save_refuses_words_that_break_the_format(tmp_path, format, word):
    path = tmp_path / "v.txt"
    path.write_text("old content")
    with pytest.raises(ValueError, match=re.escape(f"cannot write word {word!r}")):
        WordVectors([word, "ok"], np.ones((2, 2))).save(path, format=format)
    assert path.read_text() == "old content"


def test_save_format_error(tmp_path, wv):
    with pytest.raises(ValueError, match="format must be 'word2vec', 'glove' or 'binary'"):
        wv.save(tmp_path / "v", format="auto")
