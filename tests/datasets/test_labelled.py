"""Labelled-sentence readers: every format, format detection, and every error with its line."""

from pathlib import Path

import pytest

from seqlab.datasets import read_labelled, read_polarity

FIXTURES = Path(__file__).parent / "fixtures"
EMOJIFY_SAMPLE = [
    ("we baked bread all morning", "4"),
    ("the match went to extra innings", "1"),
    ("I miss my grandmother", "0"),
    ("this is the best news all week", "2"),
    ("my phone broke again", "3"),
]


def _write(tmp_path, text: str, name="data.txt") -> Path:
    path = tmp_path / name
    path.write_bytes(text.encode("utf-8"))
    return path


@pytest.mark.parametrize("fmt", ["auto", "emojify"])
def test_emojify_fixture(fmt):
    # CRLF lines, quoted sentences ending in a TAB, trailing ",," and " [0]" fields
    assert read_labelled(FIXTURES / "emojify_sample.csv", format=fmt) == EMOJIFY_SAMPLE


# (file text, format, expected pairs); each is read with its format and with "auto"
CASES = [
    ("pos\ta gripping film\nneg\tdull , dull , dull\n", "tsv",
     [("a gripping film", "pos"), ("dull , dull , dull", "neg")]),
    ("label\ttext\n1\tfine\n\n0\tnot fine\n", "tsv", [("fine", "1"), ("not fine", "0")]),
    ("sentence\tlabel\nhide new secretions \t0\nit 's a charming journey . \t1\n", "tsv",
     [("hide new secretions", "0"), ("it 's a charming journey .", "1")]),  # GLUE SST-2
    ("Text\tLabel\na\tb\n", "tsv", [("a", "b")]),  # header words in any case
    ("label\tsentence\n2\tok\n", "tsv", [("ok", "2")]),
    ("pos\tthe \"best\" film\n", "tsv", [('the "best" film', "pos")]),  # a quote in a TSV text
    ("1 a stirring , funny and finally transporting film\n0 apparently reassembled\n", "sst",
     [("a stirring , funny and finally transporting film", "1"), ("apparently reassembled", "0")]),
    ("\n\n3 spaced   out  \n\n", "sst", [("spaced   out", "3")]),  # blank lines skipped
    ("never talk to me again,3,,\n\"I want to eat\t\",4\n", "emojify",
     [("never talk to me again", "3"), ("I want to eat", "4")]),
    ("\"I want to eat\t\",4\nfood is life,4,,\n", "emojify",
     [("I want to eat", "4"), ("food is life", "4")]),  # a TAB inside quotes is not TSV
    ("\"she said \"\"hi\"\"\",2\n", "emojify", [('she said "hi"', "2")]),  # CSV quote escapes
    ("great day,2,, v2\n", "emojify", [("great day", "2")]),  # extra fields ignored
]  # fmt: skip


@pytest.mark.parametrize(("text", "fmt", "expected"), CASES)
def test_formats(tmp_path, text, fmt, expected):
    path = _write(tmp_path, text)
    assert read_labelled(path, format=fmt) == expected
    assert read_labelled(path) == expected  # "auto" picks the same format


def test_a_str_path_and_another_encoding(tmp_path):
    path = tmp_path / "latin.tsv"
    path.write_bytes("pos\tna\u00efve\n".encode("latin-1"))
    assert read_labelled(str(path), encoding="latin-1") == [("na\u00efve", "pos")]


@pytest.mark.parametrize(
    ("text", "fmt", "message"),
    [
        ("pos\tgood\nneg bad\n", "tsv", "line 2: no TAB; expected LABEL<TAB>TEXT"),
        ("sentence\tlabel\ngood\t1\n\nbad 0\n", "tsv", "line 4: no TAB; expected TEXT<TAB>LABEL"),
        ("pos\tgood\nneg\t  \n", "tsv", "line 2: label 'neg' has no text"),
        ("pos\tgood\n\t bad\n", "tsv", "line 2: empty label"),
        ("sentence\tlabel\ngood\t\n", "tsv", "line 2: empty label"),
        ("1 good\n\n\n0\n", "sst", "line 4: label '0' has no text"),
        ("1 good\n0   \t\n", "sst", "line 2: label '0' has no text"),
        ("fine,2,,\nno comma here\n", "emojify", "line 2: expected SENTENCE,LABEL, found no comma"),
        ('fine,2,,\n"unclosed,3\n', "emojify", "line 2: not valid CSV"),
        ("fine,2\n,3\n", "emojify", "line 2: label '3' has no text"),
        ('fine,2\n\n"\t",3\n', "emojify", "line 3: label '3' has no text"),
        ("fine,\n", "emojify", "line 1: empty label"),
        ("label\ttext\n", "auto", "no labelled sentences \\(only a header\\)"),
    ],
)
def test_line_errors(tmp_path, text, fmt, message):
    path = _write(tmp_path, text)
    with pytest.raises(ValueError, match=f"^{path}: {message}"):
        read_labelled(path, format=fmt)


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"", "is empty"),
        (b" \n\n\t\n", "is empty"),
        (b"pos\tok\x00\n", "binary file"),
        (b"pos\tna\xefve\n", "not valid utf-8 at byte offset 6"),
    ],
)
def test_file_errors_come_from_read_text(tmp_path, data, message):
    path = tmp_path / "bad.tsv"
    path.write_bytes(data)
    with pytest.raises(ValueError, match=message):
        read_labelled(path)


def test_missing_file_and_unknown_format(tmp_path):
    with pytest.raises(ValueError, match="no such file"):
        read_labelled(tmp_path / "missing.tsv")
    with pytest.raises(ValueError, match="unknown format 'csv'"):
        read_labelled(_write(tmp_path, "a,1\n"), format="csv")


def test_read_polarity(tmp_path):
    pos, neg = tmp_path / "rt-polarity.pos", tmp_path / "rt-polarity.neg"
    # Latin-1, with a 0x85 byte (U+0085 once decoded) that str.splitlines would split on
    pos.write_bytes(b"simply the best \xe9t\xe9 film . \nwait\x85 what a ride\n")
    neg.write_bytes(b"a dull mess\r\n\r\ntoo long . \r\n")
    assert read_polarity(pos, neg) == [
        ("simply the best \u00e9t\u00e9 film .", "pos"),
        ("wait\x85 what a ride", "pos"),
        ("a dull mess", "neg"),
        ("too long .", "neg"),
    ]


def test_read_polarity_errors(tmp_path):
    pos = _write(tmp_path, "good\n", "pos.txt")
    with pytest.raises(ValueError, match="neg.txt: no such file"):
        read_polarity(pos, tmp_path / "neg.txt")
    with pytest.raises(ValueError, match="is empty"):
        read_polarity(pos, _write(tmp_path, "\n", "neg.txt"))
