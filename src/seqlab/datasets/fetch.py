"""Get a data set of the catalogue onto this machine: download it, or copy a local copy.

Both end the same way: every file checked against the catalogue's size and SHA-256, then the
whole data set moved into place at once. Files are written into a hidden temporary folder
beside the destination (``$SEQLAB_DATA/.NAME.*.tmp``); only when every file is right does
that folder become ``$SEQLAB_DATA/NAME``. An error, a wrong byte or Ctrl-C removes the
temporary folder and leaves the destination as it was: never a half-written data set.

Downloads come from each file's original URL, or from a mirror (``mirror=`` or
``$SEQLAB_DATA_MIRROR``) that serves the same bytes under ``MIRROR/HOST/PATH`` for the URL
``https://HOST/PATH``: ``http://127.0.0.1:8000`` or ``file:///srv/seqlab-mirror``. Archives
are unpacked without trusting their paths: only the catalogue's member (zip, or one regular
file of a tar.gz) or the regular files under its folder (tar.gz) are read, a member whose path
leaves that folder is refused, and so is a link or device. An archive that holds several files
of a data set is downloaded once per fetch. Standard library only (urllib, hashlib, gzip,
zipfile, tarfile).
"""

from __future__ import annotations

import fnmatch
import gzip
import hashlib
import http.client
import os
import shutil
import tarfile
import tempfile
import zipfile
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path, PurePosixPath
from typing import BinaryIO
from urllib.error import HTTPError, URLError
from urllib.parse import urlsplit
from urllib.request import Request, urlopen

from seqlab._version import __version__
from seqlab.datasets.catalog import (
    DataError,
    DataFile,
    DataSet,
    DataTree,
    Source,
    data_root,
    get_dataset,
    manifest_sha256,
    missing,
    tree_files,
)

__all__ = ["download_size", "fetch", "import_data", "mirror_url", "verify"]

_CHUNK = 1 << 16
OnBytes = Callable[[int], None]


def mirror_url(url: str, mirror: str | None) -> str:
    """``url`` as a mirror serves it (``MIRROR/HOST/PATH``), or ``url`` when there is none."""
    if not mirror:
        return url
    parts = urlsplit(url)
    return f"{mirror.rstrip('/')}/{parts.netloc}{parts.path}"


def download_size(dataset: DataSet) -> int | None:
    """Bytes a fetch downloads, or None when a server decides (an archive built on request)."""
    archives: dict[str, int | None] = {}  # URL -> size: an archive is downloaded once
    sizes: list[int | None] = []
    for f in dataset.files:
        if f.required and f.source is not None and f.source.unpack:
            archives[f.source.url] = f.source.size
        elif f.required and f.source is not None:
            sizes.append(f.size)
    sizes += [*archives.values(), *(t.source.size for t in dataset.trees)]
    return None if None in sizes else sum(sizes)  # type: ignore[arg-type]


def fetch(
    name: str,
    *,
    root: str | os.PathLike[str] | None = None,
    mirror: str | None = None,
    force: bool = False,
    timeout: float = 60.0,
    on_bytes: OnBytes | None = None,
) -> Path:
    """Download a data set from its original location into ``root/NAME``.

    Args:
        name: a data set of the catalogue.
        root: the data root (default: ``$SEQLAB_DATA`` or ``~/.cache/seqlab/data``).
        mirror: serve the URLs from here (default: ``$SEQLAB_DATA_MIRROR``, if set).
        force: download again although the data set is here.
        timeout: seconds a server may stay silent.
        on_bytes: called with the number of bytes of each chunk downloaded (a progress bar).

    Returns:
        The data set's folder.

    Raises:
        DataError: unknown name, a file with no public location, an HTTP or network error, or
            a download whose size or SHA-256 differs from the catalogue's (nothing is written).
    """
    dataset = get_dataset(name)
    folder = _root(root) / name
    if not force and not missing(dataset, folder):
        return folder
    if not dataset.fetchable:
        raise DataError(f"{name} has no public copy to download: `seqlab data import {name} DIR`")
    mirror = mirror if mirror is not None else os.environ.get("SEQLAB_DATA_MIRROR") or None
    with _staging(folder) as tmp:
        archives: dict[str, Path] = {}  # URL -> its download, read by every file it holds
        try:
            for f in dataset.files:
                if f.required and f.source is not None:
                    _fetch_file(f, tmp, archives, mirror=mirror, timeout=timeout,
                                on_bytes=on_bytes)  # fmt: skip
        finally:
            for archive in archives.values():
                archive.unlink(missing_ok=True)
        for t in dataset.trees:
            _fetch_tree(t, tmp, mirror=mirror, timeout=timeout, on_bytes=on_bytes)
    return folder


def import_data(
    name: str,
    source: str | os.PathLike[str],
    *,
    root: str | os.PathLike[str] | None = None,
    on_bytes: OnBytes | None = None,
) -> Path:
    """Copy a local copy of a data set into ``root/NAME``, checking every file on the way.

    Args:
        name: a data set of the catalogue.
        source: the copy's folder (``.../conll2003``), or the folder that holds it (``...``).
        root: the data root (default: ``$SEQLAB_DATA`` or ``~/.cache/seqlab/data``).
        on_bytes: called with the number of bytes of each chunk copied.

    Returns:
        The data set's folder.

    Raises:
        DataError: unknown name, no such folder, a missing file, or a file whose size or
            SHA-256 differs from the catalogue's (nothing is written).
    """
    dataset = get_dataset(name)
    src = Path(source)
    if not src.is_dir():
        raise DataError(f"{src}: no such folder")
    if missing(dataset, src) and (src / name).is_dir():
        src = src / name
    problems = missing(dataset, src)
    if problems:
        more = f" (and {len(problems) - 1} more)" if len(problems) > 1 else ""
        raise DataError(f"{src} is not a copy of {name}: {problems[0]}{more}")
    folder = _root(root) / name
    if folder.exists() and folder.resolve() == src.resolve():
        verify(name, folder)
        return folder
    with _staging(folder) as tmp:
        for f in dataset.files:
            if (src / f.path).is_file():
                with open(src / f.path, "rb") as stream:
                    _write_checked(
                        stream, tmp / f.path, f, label=str(src / f.path), on_bytes=on_bytes
                    )
        for t in dataset.trees:
            for path in tree_files(src, t):
                _copy(src / path, tmp / path, on_bytes)
            _check_tree(t, tmp, label=str(src / t.path))
    return folder


def verify(name: str, folder: str | os.PathLike[str]) -> None:
    """Check every file of a data set in ``folder`` against its size and SHA-256.

    Raises:
        DataError: naming the first file that is missing or differs.
    """
    dataset = get_dataset(name)
    folder = Path(folder)
    problems = missing(dataset, folder)
    if problems:
        raise DataError(f"{folder}: {problems[0]}")
    for f in dataset.files:
        path = folder / f.path
        if path.is_file():
            _check_file(path, f, label=str(path))
    for t in dataset.trees:
        _check_tree(t, folder, label=str(folder / t.path))


# --- staging: a temporary folder that becomes the data set only when complete ---------------


@contextmanager
def _staging(folder: Path) -> Iterator[Path]:
    """``with _staging(folder) as tmp:`` fill ``tmp``; when the block ends well, ``tmp``
    replaces ``folder``; when it raises, ``tmp`` is removed and ``folder`` is untouched."""
    folder.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=f".{folder.name}.", suffix=".tmp", dir=folder.parent))
    try:
        yield tmp
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    os.chmod(tmp, 0o755)  # mkdtemp makes it private to the user
    old = None
    if folder.exists():
        old = folder.with_name(f".{folder.name}.{os.getpid()}.old")
        os.replace(folder, old)
    os.replace(tmp, folder)
    if old is not None:
        shutil.rmtree(old, ignore_errors=True)


def _root(root: str | os.PathLike[str] | None) -> Path:
    return Path(root) if root is not None else data_root()


# --- downloads ------------------------------------------------------------------------------


def _fetch_file(
    f: DataFile,
    tmp: Path,
    archives: dict[str, Path],
    *,
    mirror: str | None,
    timeout: float,
    on_bytes: OnBytes | None,
) -> None:
    """Download one file of the catalogue (unpacking it if served packed) to ``tmp/f.path``.

    An archive is downloaded (and its size and SHA-256 checked) only the first time; ``archives``
    keeps it, by URL, for the other files it holds; the caller removes it."""
    source = f.source
    assert source is not None
    dest = tmp / f.path
    dest.parent.mkdir(parents=True, exist_ok=True)
    url = mirror_url(source.url, mirror)
    if source.unpack is None:
        _download(url, dest, size=f.size, sha256=f.sha256, timeout=timeout, on_bytes=on_bytes)
        return
    archive = archives.get(url)
    if archive is None:
        archive = archives[url] = tmp / f".download-{len(archives)}"
        _download(
            url, archive, size=source.size, sha256=source.sha256, timeout=timeout,
            on_bytes=on_bytes,
        )  # fmt: skip
    with _open_member(archive, source, url) as stream:
        _write_checked(stream, dest, f, label=f"{url} ({f.path})", head_lines=source.head_lines)


def _fetch_tree(
    t: DataTree, tmp: Path, *, mirror: str | None, timeout: float, on_bytes: OnBytes | None
) -> None:
    """Download an archive and keep the files of its member folder that match the pattern."""
    url = mirror_url(t.source.url, mirror)
    archive = tmp / f".download-{PurePosixPath(urlsplit(url).path).name}"
    _download(
        url, archive, size=t.source.size, sha256=t.source.sha256, timeout=timeout, on_bytes=on_bytes
    )
    try:
        for relative, stream in _tar_members(archive, t.source.member or "", url):
            if fnmatch.fnmatch(PurePosixPath(relative).name, t.pattern):
                dest = tmp / t.path / relative
                dest.parent.mkdir(parents=True, exist_ok=True)
                with open(dest, "wb") as out:
                    shutil.copyfileobj(stream, out, _CHUNK)
    finally:
        archive.unlink(missing_ok=True)
    _check_tree(t, tmp, label=url)


def _download(
    url: str,
    dest: Path,
    *,
    size: int | None,
    sha256: str | None,
    timeout: float,
    on_bytes: OnBytes | None,
) -> None:
    """Stream ``url`` into ``dest``; check the length the server announced, then size and hash."""
    request = Request(url, headers={"User-Agent": f"seqlab/{__version__}"})
    digest, n = hashlib.sha256(), 0
    try:
        with urlopen(request, timeout=timeout) as response, open(dest, "wb") as out:
            announced = response.headers.get("Content-Length")
            while chunk := response.read(_CHUNK):
                out.write(chunk)
                digest.update(chunk)
                n += len(chunk)
                if on_bytes is not None:
                    on_bytes(len(chunk))
    except HTTPError as e:
        raise DataError(f"{url}: HTTP error {e.code} ({e.reason})") from None
    except (URLError, OSError, http.client.HTTPException) as e:
        reason = getattr(e, "reason", None) or e.__class__.__name__
        raise DataError(f"{url}: download failed ({reason})") from None
    if announced is not None and announced.isdigit() and n != int(announced):
        raise DataError(f"{url}: the connection closed after {n:,} of {int(announced):,} bytes")
    if size is not None and n != size:
        raise DataError(f"{url}: {n:,} bytes, expected {size:,} (truncated or changed upstream)")
    if sha256 is not None and digest.hexdigest() != sha256:
        raise DataError(_mismatch(url, digest.hexdigest(), sha256))


@contextmanager
def _open_member(archive: Path, source: Source, url: str) -> Iterator[BinaryIO]:
    """The one file a gzip, zip or tar.gz archive holds for us, as a binary stream."""
    if source.unpack == "gzip":
        with gzip.open(archive, "rb") as stream:
            yield stream  # type: ignore[misc]
        return
    if source.unpack == "tar.gz":
        with _tar_member(archive, source.member or "", url) as stream:
            yield stream
        return
    if source.unpack != "zip":
        raise DataError(f"{url}: unknown archive kind {source.unpack!r}")
    try:
        zf = zipfile.ZipFile(archive)
    except (OSError, zipfile.BadZipFile) as e:
        raise DataError(f"{url}: not a zip archive ({e})") from None
    with zf:
        try:
            stream = zf.open(source.member or "")
        except KeyError:
            raise DataError(f"{url}: no {source.member} in the archive") from None
        with stream:
            yield stream  # type: ignore[misc]


@contextmanager
def _tar_member(archive: Path, member: str, url: str) -> Iterator[BinaryIO]:
    """The regular file named ``member`` in a .tar.gz, as a binary stream.

    Only the catalogue's name is looked up (the file is written under the catalogue's path,
    never the archive's); a link or device of that name is refused rather than followed.
    """
    try:
        tar = tarfile.open(archive, "r:gz")
    except (tarfile.TarError, OSError, EOFError) as e:
        raise DataError(f"{url}: not a readable tar.gz archive ({e})") from None
    with tar:
        try:
            info = tar.getmember(member)  # the last of that name, as tar itself would extract
        except KeyError:
            raise DataError(f"{url}: no {member} in the archive") from None
        except (tarfile.TarError, OSError, EOFError) as e:
            raise DataError(f"{url}: not a readable tar.gz archive ({e})") from None
        if not info.isfile():
            raise DataError(f"{url}: {info.name} is a link or device, not a file")
        stream = tar.extractfile(info)
        assert stream is not None
        with stream:
            yield stream  # type: ignore[misc]


def _tar_members(archive: Path, folder: str, url: str) -> Iterator[tuple[str, BinaryIO]]:
    """(path under ``folder``, stream) of each regular file under ``folder`` in a .tar.gz.

    Paths are checked, not trusted: one that is absolute or climbs out with ``..`` is refused,
    and links or devices under ``folder`` are refused rather than followed.
    """
    prefix = folder.strip("/") + "/"
    try:
        with tarfile.open(archive, "r:gz") as tar:
            for member in tar:
                name = member.name[2:] if member.name.startswith("./") else member.name
                if not name.startswith(prefix) or member.isdir():
                    continue
                relative = PurePosixPath(name[len(prefix) :])
                if ".." in relative.parts or relative.is_absolute() or not relative.parts:
                    raise DataError(f"{url}: unsafe path in the archive: {member.name}")
                if not member.isfile():
                    raise DataError(f"{url}: {member.name} is a link or device, not a file")
                stream = tar.extractfile(member)
                assert stream is not None
                yield relative.as_posix(), stream  # type: ignore[misc]
    except (tarfile.TarError, OSError, EOFError) as e:
        raise DataError(f"{url}: not a readable tar.gz archive ({e})") from None


# --- writing and checking -------------------------------------------------------------------


def _write_checked(
    stream: BinaryIO,
    dest: Path,
    f: DataFile,
    *,
    label: str,
    head_lines: int | None = None,
    on_bytes: OnBytes | None = None,
) -> None:
    """Copy ``stream`` (its first ``head_lines`` lines) to ``dest``, checking size and hash."""
    dest.parent.mkdir(parents=True, exist_ok=True)
    digest, n = hashlib.sha256(), 0
    try:
        with open(dest, "wb") as out:
            for chunk in _lines(stream, head_lines) if head_lines else _chunks(stream):
                out.write(chunk)
                digest.update(chunk)
                n += len(chunk)
                if on_bytes is not None:
                    on_bytes(len(chunk))
    except (OSError, EOFError, zipfile.BadZipFile, tarfile.TarError) as e:
        raise DataError(f"{label}: cannot be read ({e})") from None
    if n != f.size:
        raise DataError(f"{label}: {n:,} bytes, expected {f.size:,}")
    if digest.hexdigest() != f.sha256:
        raise DataError(_mismatch(label, digest.hexdigest(), f.sha256))


def _chunks(stream: BinaryIO) -> Iterator[bytes]:
    while chunk := stream.read(_CHUNK):
        yield chunk


def _lines(stream: BinaryIO, n: int) -> Iterator[bytes]:
    for i, line in enumerate(stream):
        if i == n:
            return
        yield line


def _copy(src: Path, dest: Path, on_bytes: OnBytes | None) -> None:
    dest.parent.mkdir(parents=True, exist_ok=True)
    with open(src, "rb") as stream, open(dest, "wb") as out:
        for chunk in _chunks(stream):
            out.write(chunk)
            if on_bytes is not None:
                on_bytes(len(chunk))


def _check_file(path: Path, f: DataFile, *, label: str) -> None:
    with open(path, "rb") as stream:
        digest = hashlib.sha256()
        for chunk in _chunks(stream):
            digest.update(chunk)
    if digest.hexdigest() != f.sha256:
        raise DataError(_mismatch(label, digest.hexdigest(), f.sha256))


def _check_tree(t: DataTree, folder: Path, *, label: str) -> None:
    """The files of ``t`` under ``folder``: their count, total size and manifest checksum."""
    files = tree_files(folder, t)
    size = sum((folder / p).stat().st_size for p in files)
    if len(files) != t.count or size != t.size:
        raise DataError(
            f"{label}: {len(files)} {t.pattern} files of {size:,} bytes, expected "
            f"{t.count} of {t.size:,}"
        )
    got = manifest_sha256(folder, files)
    if got != t.sha256:
        raise DataError(_mismatch(f"{label} ({t.count} files)", got, t.sha256))


def _mismatch(label: str, got: str, expected: str) -> str:
    return f"{label}: SHA-256 {got[:16]}... differs from the catalogue's {expected[:16]}..."
