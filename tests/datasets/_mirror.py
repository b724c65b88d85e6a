"""A data set of the catalogue's kind, small enough for tests, and a local HTTP server for it.

``TINY`` has every kind of file the real catalogue has: a plain file (corpus.txt), a gzipped
file whose archive checksum is known (words.txt), a zip member of which only the first lines
are kept (vectors.txt), an optional import-only file (extra.txt), and a folder of recordings
from a tarball (recordings/). Its URLs are ``https://example.org/tiny/...``; the tests point
them at ``serve(folder)`` through the documented mirror override (``MIRROR/HOST/PATH``), so no
test reaches the internet. The files it serves: tests/datasets/fixtures/mirror/.
"""

from __future__ import annotations

import functools
import http.server
import shutil
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from seqlab.datasets.catalog import DataFile, DataSet, DataTree, Source

FIXTURES = Path(__file__).parent / "fixtures" / "mirror"
URL = "https://example.org/tiny/"
CORPUS = (FIXTURES / "example.org" / "tiny" / "corpus.txt").read_text(encoding="utf-8")
EXTRA = b"extra words\n"

TINY = DataSet(
    name="tiny",
    description="a tiny data set for the tests",
    licence="CC0-1.0",
    source="tests/datasets/fixtures/mirror",
    homepage="https://example.org/tiny",
    files=(
        DataFile("corpus.txt", 532,
                 "af0ed9b5d804f063d48d36f793b27e1c7dcfb7d4c29ef9fe355b7976210b61e7",
                 Source(URL + "corpus.txt")),
        DataFile("lists/words.txt", 23,
                 "927c9bb49935d22cfef1df0fd954eb8011420a9b1ec2350d65647accf201bbe9",
                 Source(URL + "words.txt.gz", unpack="gzip", size=41,
                        sha256="3acf6a3404013ecc190a1931316612167dc10f6bd159931065a43022024e3e68")),
        DataFile("vectors.txt", 36,
                 "6eefcfdb988948fa3e739dc7fc4352753ec8d5505e46c8d2003f0bda34add3fa",
                 Source(URL + "vectors.zip", unpack="zip", member="vectors.txt", head_lines=3)),
        DataFile("extra.txt", len(EXTRA),
                 "8ad66d92c8d36a7c966ccf69df6a81aecf8da045deeec9d29c7956caca7c4f0e", None,
                 required=False),
    ),
    trees=(
        DataTree("recordings", "*.wav", count=2, size=48,
                 sha256="5df8dbb47369ab68ab77b3546503b1a868df7746ed153b1f1124964f3445fc23",
                 source=Source(URL + "archive.tar.gz", unpack="tar.gz",
                               member="tiny-0123abc/recordings")),
    ),
    parts={"text": "corpus.txt", "words": "lists/words.txt", "recordings": "recordings"},
    default="text",
)  # fmt: skip
DOWNLOAD_BYTES = 532 + 41 + 290 + 267  # what a fetch of TINY downloads


def copy_fixtures(folder: Path) -> Path:
    """A copy of the served files that a test may damage; returns its root."""
    shutil.copytree(FIXTURES, folder)
    return folder


def sparse_copy(dataset: DataSet, root: Path) -> Path:
    """Files of the catalogue's names and sizes (holes, not data) under ``root/NAME``: enough
    for ``catalog.missing`` and ``catalog.locate``, which check names, sizes and counts."""
    folder = root / dataset.name
    for f in dataset.files:
        (folder / f.path).parent.mkdir(parents=True, exist_ok=True)
        with open(folder / f.path, "wb") as out:
            out.truncate(f.size)
    for t in dataset.trees:
        (folder / t.path).mkdir(parents=True, exist_ok=True)
        for i in range(t.count):
            (folder / t.path / f"{i}{t.pattern.lstrip('*')}").touch()
    return folder


class _Handler(http.server.SimpleHTTPRequestHandler):
    """Serves a folder; a path listed in ``server.close_early`` gets its Content-Length, then
    half its bytes and a closed connection."""

    def do_GET(self) -> None:  # noqa: N802 (http.server's name)
        if self.path in self.server.close_early:  # type: ignore[attr-defined]
            data = Path(self.translate_path(self.path)).read_bytes()
            self.send_response(200)
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data[: len(data) // 2])
            self.wfile.flush()
            self.close_connection = True
            return
        super().do_GET()

    def log_message(self, format: str, *args: object) -> None:  # noqa: A002
        pass  # quiet tests


@contextmanager
def serve(folder: Path, *, close_early: tuple[str, ...] = ()) -> Iterator[str]:
    """An HTTP server on 127.0.0.1 (a free port) serving ``folder``; yields its base URL."""
    handler = functools.partial(_Handler, directory=str(folder))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    server.close_early = set(close_early)  # type: ignore[attr-defined]
    thread = threading.Thread(target=server.serve_forever, args=(0.05,), daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}"
    finally:
        server.shutdown()
        server.server_close()
        thread.join()
