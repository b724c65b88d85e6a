"""DNA: the IUPAC check (which letter, where), DNA detection, the UCI splice.data reader, and
label<TAB>sequence files read as DNA, every error with its line."""

import pytest

from seqlab.datasets import read_labelled
from seqlab.datasets.dna import IUPAC, check_dna, looks_like_dna, read_splice

# A made-up splice.data: the UCI layout (class, name, 60 nt), padded with spaces as the file is.
SPLICE = [
    "EI,    DONOR-1, " + "CCAGCTGCATCACAGGAGGCCAGCGAGCAGGTCTGTTCCAAGGGCCTTCGAGCCAGTCTG",
    "IE,    ACCEPTOR-7, " + "TTTCTCCTTTCCCTTCTCCCTCAGGCTAACGTGGAGCTGCTGAGGGAGGAAGCAGCCAGT",
    "N,     NEITHER-3,  " + "GCTCAGCCCAGGTTCAGCGCGGGGGCAGGACAGTCACGGCACTCAGGCNCCAGGGAGRAC",
]


@pytest.mark.parametrize(
    ("sequence", "expected"),
    [
        ("ACGT", "ACGT"),
        ("acgtn", "ACGTN"),  # case-insensitive, upper-cased
        (IUPAC, IUPAC),  # every ambiguity code is a letter of its own
        (IUPAC.lower(), IUPAC),
        ("GGTRAGT", "GGTRAGT"),
    ],
)
def test_check_dna_accepts_iupac(sequence, expected):
    assert check_dna(sequence) == expected


@pytest.mark.parametrize(
    ("sequence", "position", "letter"),
    [
        ("ACGX", 4, "'X'"),
        ("ACGU", 4, "'U'"),  # RNA's U is not a DNA letter
        ("xcgt", 1, "'x'"),  # reported as written
        ("AC GT", 3, "' '"),
        ("ACG-T", 4, "'-'"),
        ("ACGTEACGT", 5, "'E'"),
    ],
)
def test_check_dna_names_the_letter_and_its_position(sequence, position, letter):
    with pytest.raises(ValueError, match=f"position {position}: {letter} is not a DNA letter"):
        check_dna(sequence)


def test_check_dna_empty():
    with pytest.raises(ValueError, match="empty DNA sequence"):
        check_dna("")


@pytest.mark.parametrize(
    ("texts", "expected"),
    [
        (["ACGTACGT", "ttgacA"], True),
        (["ACGTACGTAX"], True),  # 90%: a bad letter does not stop it being DNA (it is reported)
        (["ACGTACGXXX"], False),
        (["a gripping film", "dull and slow"], False),
        (["   "], False),
    ],
)
def test_looks_like_dna(texts, expected):
    assert looks_like_dna(texts) is expected


def _write(tmp_path, lines, name="splice.data"):
    path = tmp_path / name
    path.write_text("".join(line + "\n" for line in lines), encoding="utf-8")
    return path


def test_read_splice(tmp_path):
    pairs = read_splice(_write(tmp_path, ["", *SPLICE, ""]))
    assert [label for _, label in pairs] == ["EI", "IE", "N"]
    assert all(len(seq) == 60 for seq, _ in pairs)
    assert pairs[0][0].startswith("CCAGCTGCAT") and pairs[2][0].endswith("GGGAGRAC")  # R kept


@pytest.mark.parametrize(
    ("line", "match"),
    [
        ("EI, NAME-ONLY", "line 3: expected CLASS, NAME, SEQUENCE (3 fields), found 2"),
        ("XX, NAME, ACGT", "line 3: class 'XX' is not one of ['EI', 'IE', 'N']"),
        ("N, NAME, ACGTACGTZA", "line 3: position 9: 'Z' is not a DNA letter"),
        ("N, NAME, ", "line 3: empty DNA sequence"),
    ],
)
def test_read_splice_errors_name_the_line(tmp_path, line, match):
    path = _write(tmp_path, [SPLICE[0], "", line])
    with pytest.raises(ValueError, match=f"{path}: {match}".replace("(", r"\(").replace(")", r"\)")
                       .replace("[", r"\[").replace("]", r"\]")):  # fmt: skip
        read_splice(path)


def test_read_splice_empty_file(tmp_path):
    with pytest.raises(ValueError):
        read_splice(_write(tmp_path, [""]))


def test_tsv_label_sequence_read_as_dna(tmp_path):
    path = _write(
        tmp_path, ["label\tsequence", "EI\tccagGTaagt", "", "N\tACGTACGTACGTNR"], "dna.tsv"
    )
    expected = [("CCAGGTAAGT", "EI"), ("ACGTACGTACGTNR", "N")]
    assert read_labelled(path, alphabet="dna") == expected
    assert read_labelled(path, alphabet="auto") == expected
    assert read_labelled(path)[0] == ("ccagGTaagt", "EI")  # "any": as written


@pytest.mark.parametrize("alphabet", ["dna", "auto"])
def test_tsv_bad_letter_names_line_position_letter(tmp_path, alphabet):
    path = _write(tmp_path, ["EI\tCCAGGTAAGT", "", "IE\tTTTCTCCAGG", "N\tACGTACGTACGTAXGT"])
    with pytest.raises(ValueError, match=f"{path}: line 4: position 14: 'X' is not a DNA letter"):
        read_labelled(path, format="tsv", alphabet=alphabet)


def test_auto_alphabet_leaves_text_alone(tmp_path):
    path = _write(tmp_path, ["pos\ta gripping film", "neg\tdull"])
    assert read_labelled(path, alphabet="auto") == [("a gripping film", "pos"), ("dull", "neg")]


def test_unknown_alphabet(tmp_path):
    with pytest.raises(ValueError, match="unknown alphabet 'rna'"):
        read_labelled(_write(tmp_path, ["a\tb"]), alphabet="rna")
