"""seqlab.datasets.read_text: a text file, or one clear error naming why it cannot be read."""

import pytest

from seqlab.datasets import read_text


def _write(tmp_path, data: bytes, name="corpus.txt"):
    path = tmp_path / name
    path.write_bytes(data)
    return path


@pytest.mark.parametrize(
    ("data", "expected"),
    [
        (b"hello\nworld\n", "hello\nworld\n"),
        (b"one line, no newline", "one line, no newline"),
        (b"a\r\nb\r\n", "a\nb\n"),  # CRLF -> LF
        (b"a\rb\r", "a\nb\n"),  # old Mac CR -> LF
        (b"a\r\nb\rc\n", "a\nb\nc\n"),  # mixed
        (b"\xef\xbb\xbfhello\n", "hello\n"),  # UTF-8 byte-order mark dropped
        (b"\xef\xbb\xbfa\r\nb", "a\nb"),
        ("caf\u00e9 \u2014 \u65e5\u672c\n".encode(), "caf\u00e9 \u2014 \u65e5\u672c\n"),
        (b"  \n  x  \n\n", "  \n  x  \n\n"),  # whitespace kept as it is
    ],
)
def test_reads_text(tmp_path, data, expected):
    assert read_text(_write(tmp_path, data)) == expected


def test_accepts_a_str_path(tmp_path):
    assert read_text(str(_write(tmp_path, b"abc"))) == "abc"


def test_latin1_with_encoding(tmp_path):
    path = _write(tmp_path, "na\u00efve caf\u00e9\n".encode("latin-1"))
    assert read_text(path, encoding="latin-1") == "na\u00efve caf\u00e9\n"
    assert read_text(path, encoding="ISO-8859-1") == "na\u00efve caf\u00e9\n"


def test_utf16_with_its_bom_is_text_not_binary(tmp_path):
    path = _write(tmp_path, "h\u00e9llo\r\nworld\n".encode("utf-16"))
    assert read_text(path, encoding="utf-16") == "h\u00e9llo\nworld\n"


def test_missing_file(tmp_path):
    with pytest.raises(ValueError, match="no such file") as info:
        read_text(tmp_path / "nope.txt")
    assert "nope.txt" in str(info.value)


def test_folder(tmp_path):
    with pytest.raises(ValueError, match="is a folder"):
        read_text(tmp_path)


@pytest.mark.parametrize(("data", "offset"), [(b"\x00abc", 0), (b"abc\x00\x01\x02", 3)])
def test_binary_file_with_a_nul_byte(tmp_path, data, offset):
    with pytest.raises(ValueError, match=f"binary file \\(NUL byte at offset {offset}\\)"):
        read_text(_write(tmp_path, data, "model.bin"))


def test_binary_file_even_with_another_byte_encoding(tmp_path):
    with pytest.raises(ValueError, match="binary"):
        read_text(_write(tmp_path, b"PK\x03\x04\x00\x00"), encoding="latin-1")


@pytest.mark.parametrize(
    ("data", "offset", "byte"),
    [
        (b"\xffabc", 0, "ff"),
        (b"abc\xe9def", 3, "e9"),  # latin-1 e-acute in a UTF-8 file
        ("\u00e9\u00e9".encode() + b"\x80", 4, "80"),  # offset in bytes, not characters
        (b"\xef\xbb\xbfab\xc3(", 5, "c3"),  # counted from the file's first byte (BOM included)
    ],
)
def test_invalid_utf8_gives_the_byte_offset(tmp_path, data, offset, byte):
    path = _write(tmp_path, data)
    with pytest.raises(ValueError, match=f"not valid utf-8 at byte offset {offset} ") as info:
        read_text(path)
    message = str(info.value)
    assert f"(byte 0x{byte})" in message and "latin-1" in message and str(path) in message


def test_unknown_encoding(tmp_path):
    with pytest.raises(ValueError, match="unknown encoding 'klingon'"):
        read_text(_write(tmp_path, b"abc"), encoding="klingon")


@pytest.mark.parametrize("data", [b"", b"   ", b"\n\n\n", b" \t\r\n \r\n", b"\xef\xbb\xbf\n"])
def test_empty_or_whitespace_only_file(tmp_path, data):
    with pytest.raises(ValueError, match="is empty"):
        read_text(_write(tmp_path, data))


def test_utf32_text_is_not_binary(tmp_path):
    path = _write(tmp_path, "hello\n".encode("utf-32"))
    assert read_text(path, encoding="utf-32") == "hello\n"


def test_utf16_alias_without_hyphen(tmp_path):
    path = _write(tmp_path, "hello\n".encode("utf-16"))
    assert read_text(path, encoding="utf16") == "hello\n"
