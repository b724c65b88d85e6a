"""CoNLL column files: reading (columns, -DOCSTART-, every error with its line) and writing."""

from pathlib import Path

import pytest

from seqlab.datasets import TaggedSentence, read_conll, write_conll

FIXTURES = Path(__file__).parent / "fixtures"


def _write(tmp_path, text: str, name="data.conll") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def test_fixture():
    sentences = read_conll(FIXTURES / "ner_sample.conll")
    assert [s.tokens for s in sentences] == [
        ["Marta", "Quispe", "teaches", "at", "Lakeside", "College", "in", "Tromso", "."],
        ["She", "likes", "Nordic", "jazz", "."],
        ["Oslo", "wins"],  # the last sentence has no blank line after it
    ]
    assert sentences[0].tags == ["B-PER", "I-PER", "O", "O", "B-ORG", "I-ORG", "O", "B-LOC", "O"]
    assert sentences[1].tags == ["O", "O", "B-MISC", "O", "O"]
    chunks = read_conll(FIXTURES / "ner_sample.conll", tag_column=2)
    assert chunks[2].tags == ["B-NP", "B-VP"]
    pos = read_conll(FIXTURES / "ner_sample.conll", word_column=-4, tag_column=1)
    assert pos[1] == TaggedSentence(["She", "likes", "Nordic", "jazz", "."],
                                    ["PRP", "VBZ", "JJ", "NN", "."])  # fmt: skip


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("a O\nb B-X\n", [(["a", "b"], ["O", "B-X"])]),
        ("\n\n\na O\n\n\n\nb O\n\n", [(["a"], ["O"]), (["b"], ["O"])]),  # blank runs
        ("a\tO\r\nb  \t B-X  \r\n\r\nc O", [(["a", "b"], ["O", "B-X"]), (["c"], ["O"])]),
        ("-DOCSTART- O\n\na O\n-DOCSTART- O\nb O\n", [(["a"], ["O"]), (["b"], ["O"])]),
        ("   \t \na O\n", [(["a"], ["O"])]),  # a whitespace-only line is blank
    ],
)
def test_read(tmp_path, text, expected):
    sentences = read_conll(_write(tmp_path, text))
    assert [(s.tokens, s.tags) for s in sentences] == expected


@pytest.mark.parametrize(
    ("text", "kwargs", "message"),
    [
        ("a O B\nb O\n", {}, "line 2: 2 columns, but line 1 has 3"),
        ("-DOCSTART- -X- O\n\na O\n\nb O C\n", {}, "line 5: 3 columns, but line 3 has 2"),
        ("a O\n\n\nlonely\n", {}, "line 4: 1 column, but line 1 has 2"),
        ("\nlonely\n", {}, "line 2: 1 column, too few for word_column=0 and tag_column=-1"),
        ("a O\n", {"tag_column": 2}, "line 1: 2 columns, too few for word_column=0 and "
                                     "tag_column=2"),
        ("a O\n", {"word_column": -3}, "line 1: 2 columns, too few"),
        ("a O\n", {"word_column": 1}, "line 1: 2 columns, too few"),  # word is the tag
        ("-DOCSTART- -X- O\n\n", {}, "no sentences \\(only -DOCSTART- lines\\)"),
    ],
)  # fmt: skip
def test_read_errors(tmp_path, text, kwargs, message):
    path = _write(tmp_path, text)
    with pytest.raises(ValueError, match=f"^{path}: {message}"):
        read_conll(path, **kwargs)


@pytest.mark.parametrize(
    ("data", "message"),
    [(b"", "is empty"), (b"\n\n", "is empty"), (b"a O\x00", "binary"), (b"\xff O", "utf-8")],
)
def test_file_errors_come_from_read_text(tmp_path, data, message):
    path = tmp_path / "bad.conll"
    path.write_bytes(data)
    with pytest.raises(ValueError, match=message):
        read_conll(path)
    with pytest.raises(ValueError, match="no such file"):
        read_conll(tmp_path / "missing.conll")


def test_tagged_sentence():
    sentence = TaggedSentence(["a", "b"], ["O", "B-X"])
    assert len(sentence) == 2
    with pytest.raises(ValueError, match="2 tokens but 1 tags"):
        TaggedSentence(["a", "b"], ["O"])
    with pytest.raises(AttributeError):
        sentence.tags = []


SENTENCES = [
    TaggedSentence(["Marta", "Quispe", "sings"], ["B-PER", "I-PER", "O"]),
    TaggedSentence(["Caf\u00e9", "!"], ["B-ORG", "O"]),
]


def test_write_and_read_back(tmp_path):
    path = tmp_path / "gold.conll"
    write_conll(path, SENTENCES)
    assert path.read_text(encoding="utf-8") == (
        "Marta B-PER\nQuispe I-PER\nsings O\n\nCaf\u00e9 B-ORG\n! O\n"
    )
    assert read_conll(path) == SENTENCES
    assert [p.name for p in tmp_path.iterdir()] == ["gold.conll"]  # no temporary file left


def test_write_with_predictions_for_conlleval(tmp_path):
    path = tmp_path / "pred.conll"
    predicted = [["B-PER", "O", "O"], ["B-LOC", "O"]]
    write_conll(path, SENTENCES, predicted)
    assert path.read_text(encoding="utf-8").splitlines()[:2] == [
        "Marta B-PER B-PER",
        "Quispe I-PER O",
    ]
    assert read_conll(path, tag_column=1) == SENTENCES
    assert [s.tags for s in read_conll(path)] == predicted


def test_write_replaces_an_existing_file(tmp_path):
    path = _write(tmp_path, "old content\n", "out.conll")
    write_conll(path, SENTENCES[:1])
    assert read_conll(path) == SENTENCES[:1]


@pytest.mark.parametrize(
    ("sentences", "predicted", "message"),
    [
        (SENTENCES, [["O", "O", "O"]], "2 sentences but 1 predicted tag lists"),
        (SENTENCES, [["O", "O", "O"], ["O"]], "sentence 1: 2 tokens but 1 predicted tags"),
        ([TaggedSentence([], [])], None, "sentence 0 has no tokens"),
        ([TaggedSentence(["New York"], ["B-LOC"])], None,
         "sentence 0, token 0: word 'New York' is empty or has whitespace"),
        ([TaggedSentence(["a", ""], ["O", "O"])], None, "sentence 0, token 1: word ''"),
        ([TaggedSentence(["a"], ["B X"])], None, "sentence 0, token 0: tag 'B X'"),
        (SENTENCES, [["O", "O", "O"], ["O", "I\tX"]], "sentence 1, token 1: predicted tag"),
    ],
)  # fmt: skip
def test_write_errors_leave_no_file(tmp_path, sentences, predicted, message):
    path = tmp_path / "out.conll"
    with pytest.raises(ValueError, match=message):
        write_conll(path, sentences, predicted)
    assert not path.exists() and list(tmp_path.iterdir()) == []
