"""Character-level classifiers on DNA: --level char, the IUPAC check, "auto" detection, and
folders that remember both."""

import pytest

import seqlab
from seqlab.classify import (
    ClassifierConfig,
    ClassifierDataConfig,
    resolve_alphabet,
    train_classifier,
)
from seqlab.train import TrainerConfig

# Made-up sequences: donors carry GT after the middle, acceptors AG before it.
ROWS = [
    ("CCAGGTAAGT", "EI"),
    ("acaggtgagc", "EI"),  # lower case is read as upper case
    ("TTCCAGGCTA", "IE"),
    ("CTTTAGGTCA", "IE"),
    ("GCTCAGCCCA", "N"),
    ("ACGTNCCTGA", "N"),  # N, an ambiguity code, is a symbol of its own
]
TINY = TrainerConfig(epochs=2, device="cpu")
CHAR = ClassifierDataConfig(level="char", val_fraction=0.0, batch_size=4)


def _config(**kw) -> ClassifierConfig:
    return ClassifierConfig(cell="gru", embedding_size=4, hidden_size=4, **kw)


def test_char_level_tokenizes_characters_and_the_folder_remembers(tmp_path):
    trained = train_classifier(ROWS, _config(), CHAR, TINY, tmp_path / "m")
    model = trained.model
    assert model.config.alphabet == "dna"  # "auto" on DNA
    assert model.tokenizer.level == "char"
    assert sorted(model.vocab.tokens[4:]) == ["A", "C", "G", "N", "T"]
    assert model.tokenize("acgtR") == ["A", "C", "G", "T", "R"]
    assert model.encode("acgtR")[1] == 1  # R never seen in training: <unk>
    loaded = seqlab.load(tmp_path / "m")
    assert (loaded.tokenizer.level, loaded.config.alphabet) == ("char", "dna")
    a, b = trained.model.predict(["CCAGGTAAGT"]), loaded.predict(["ccaggtaagt"])
    assert (a[0].label, round(a[0].prob, 6)) == (b[0].label, round(b[0].prob, 6))
    with pytest.raises(ValueError, match=r"texts\[1\]: position 3: 'X' is not a DNA letter"):
        loaded.predict(["ACGT", "ACXT"])


def test_word_level_is_the_default_and_char_level_text_is_not_dna(tmp_path):
    rows = [("a good film", "pos"), ("a bad film", "neg")]
    words = train_classifier(rows, _config(), ClassifierDataConfig(val_fraction=0.0), TINY,
                             tmp_path / "w").model  # fmt: skip
    assert (words.tokenizer.level, words.config.alphabet) == ("word", "any")
    chars = train_classifier(rows, _config(), CHAR, TINY, tmp_path / "c").model
    assert (chars.tokenizer.level, chars.config.alphabet) == ("char", "any")
    assert chars.tokenize("a b") == ["a", " ", "b"]


def test_bad_letter_in_training_names_sentence_position_letter(tmp_path):
    rows = [*ROWS, ("ACGTACGZAC", "N")]
    with pytest.raises(ValueError, match="training sentence 7: position 8: 'Z' is not a DNA"):
        train_classifier(rows, _config(), CHAR, TINY, tmp_path / "m")
    assert not (tmp_path / "m").exists()
    with pytest.raises(ValueError, match="validation sentence 1: position 1: 'U'"):
        train_classifier(ROWS, _config(alphabet="dna"), CHAR, TINY, tmp_path / "v",
                         val_rows=[("UCGA", "N")])  # fmt: skip


@pytest.mark.parametrize(
    ("alphabet", "level", "texts", "expected"),
    [
        ("auto", "char", ["ACGT", "GGTA"], "dna"),
        ("auto", "word", ["ACGT", "GGTA"], "any"),  # words are never checked as DNA
        ("auto", "char", ["a good film"], "any"),
        ("any", "char", ["ACGT"], "any"),
        ("dna", "word", ["hello"], "dna"),
    ],
)
def test_resolve_alphabet(alphabet, level, texts, expected):
    assert resolve_alphabet(alphabet, level, texts) == expected


def test_bad_level_and_alphabet_are_config_errors():
    with pytest.raises(ValueError, match="level"):
        ClassifierDataConfig(level="byte")
    with pytest.raises(ValueError, match="alphabet"):
        ClassifierConfig(alphabet="rna")
