"""seqlab.datasets.catalog: every entry well formed, and names -> local paths (or one clear
error saying how to get the data set)."""

import hashlib
import os
import re
import subprocess
import sys
from pathlib import Path, PurePosixPath

import pytest

from seqlab.datasets import catalog
from seqlab.datasets.catalog import CATALOG, DataError, data_root, locate, manifest_sha256, missing
from tests.datasets._mirror import sparse_copy

HEX64 = re.compile(r"[0-9a-f]{64}")
# Every data set a command of the docs reads (README.md, docs/*.md).
USED_BY_THE_DOCS = {"tinyshakespeare", "conll2003", "sst2", "word_similarity_analogy", "glove",
                    "lee_corpus", "emojify", "trigger_word", "jsb_chorales", "fsdd", "dna_splice",
                    "multi30k", "fashion_mnist", "emoji_images", "motion"}  # fmt: skip


def test_the_catalogue_holds_every_data_set_the_docs_use():
    assert USED_BY_THE_DOCS <= set(CATALOG)


@pytest.mark.parametrize("dataset", CATALOG.values(), ids=list(CATALOG))
def test_every_entry_is_complete(dataset):
    assert dataset.name == dataset.name.strip() and ":" not in dataset.name
    assert dataset.description and dataset.licence and dataset.source
    assert dataset.homepage.startswith("https://")
    assert dataset.size > 0 and dataset.n_files > 0
    for f in dataset.files:
        assert HEX64.fullmatch(f.sha256) and f.size > 0, f.path
        assert not f.path.startswith("/") and ".." not in f.path.split("/")
        if f.required:  # every required file has its original, public, pinned location
            assert f.source is not None and f.source.url.startswith("https://"), f.path
            if "raw.githubusercontent.com" in f.source.url:
                assert re.search(r"/[0-9a-f]{40}/", f.source.url), f.source.url
        if f.source is not None and f.source.sha256 is not None:
            assert HEX64.fullmatch(f.source.sha256)
    for t in dataset.trees:
        assert HEX64.fullmatch(t.sha256) and t.count > 0 and t.source.unpack == "tar.gz"
    if dataset.default is not None:
        assert dataset.default in dataset.parts
    paths = {f.path for f in dataset.files} | {t.path for t in dataset.trees}
    folders = {p.as_posix() for path in paths for p in PurePosixPath(path).parents}
    for part, path in dataset.parts.items():
        assert path == "." or path in paths or path in folders, (part, path)


def test_only_glove_is_derived():
    derived = {
        d.name for d in CATALOG.values() for f in d.files if f.source and f.source.head_lines
    }
    assert derived == {"glove"}
    assert [f.path for f in CATALOG["glove"].files if not f.required] == ["glove.6B.50d.extra.txt"]


def test_data_root(monkeypatch, tmp_path):
    monkeypatch.setenv("SEQLAB_DATA", str(tmp_path))
    assert data_root() == tmp_path
    monkeypatch.delenv("SEQLAB_DATA")
    assert data_root() == Path.home() / ".cache" / "seqlab" / "data"


@pytest.mark.parametrize(
    ("spec", "inside"),
    [
        ("tinyshakespeare", "tinyshakespeare/input.txt"),
        ("sst2", "sst2/glue/train.tsv"),
        ("sst2:test", "sst2/sentence_level/stsa.binary.test"),
        ("sst2:glue/dev.tsv", "sst2/glue/dev.tsv"),
        ("multi30k:train.de", "multi30k/train.de"),
        ("multi30k:test.en", "multi30k/test_2016_flickr.en"),
        ("glove", "glove/glove.6B.50d.top40k.txt"),
        ("fsdd", "fsdd"),
        ("fsdd:recordings/7_jackson_0.wav", "fsdd/recordings/7_jackson_0.wav"),
        ("trigger_word", "trigger_word/raw_data"),
        ("trigger_word:dev", "trigger_word/raw_data/dev"),
        ("trigger_word:raw_data/negatives/", "trigger_word/raw_data/negatives"),
        ("trigger_word:raw_data/dev/2.wav", "trigger_word/raw_data/dev/2.wav"),
        ("word_similarity_analogy:wordsim353", "word_similarity_analogy/wordsim353.tsv"),
        ("fashion_mnist", "fashion_mnist"),
        ("fashion_mnist:t10k-labels-idx1-ubyte.gz", "fashion_mnist/t10k-labels-idx1-ubyte.gz"),
        ("emoji_images", "emoji_images"),
        ("emoji_images:sheet_google_64.png", "emoji_images/sheet_google_64.png"),
        ("motion:gunpoint-train", "motion/GunPoint/GunPoint_TRAIN.ts"),
        ("motion:BasicMotions/BasicMotions_TEST.ts", "motion/BasicMotions/BasicMotions_TEST.ts"),
        ("motion:PickupGestureWiimoteZ", "motion/PickupGestureWiimoteZ"),
    ],
)
def test_locate(tmp_path, spec, inside):
    sparse_copy(CATALOG[spec.partition(":")[0]], tmp_path)
    assert locate(spec, root=tmp_path) == tmp_path / inside


def test_locate_reads_the_data_root_from_the_environment(tmp_path, monkeypatch):
    sparse_copy(CATALOG["emojify"], tmp_path)
    monkeypatch.setenv("SEQLAB_DATA", str(tmp_path))
    assert locate("emojify:test") == tmp_path / "emojify" / "tesss.csv"


@pytest.mark.parametrize("spec", ["corpus.txt", "data/train.txt", "-", "", "Tinyshakespeare"])
def test_what_names_no_data_set_is_left_alone(tmp_path, spec):
    assert locate(spec, root=tmp_path) is None


def test_a_data_set_that_is_not_here(tmp_path):
    with pytest.raises(DataError) as e:
        locate("conll2003:test", root=tmp_path)
    assert str(e.value) == (
        "data set conll2003 is not here: run `seqlab data fetch conll2003` "
        "(or `seqlab data import conll2003 DIR`)"
    )


def test_a_data_set_that_is_partly_here(tmp_path):
    folder = sparse_copy(CATALOG["conll2003"], tmp_path)
    (folder / "valid.txt").unlink()
    assert missing(CATALOG["conll2003"], folder) == ["valid.txt: missing"]
    with pytest.raises(DataError, match="data set conll2003 is not here"):
        locate("conll2003", root=tmp_path)


def test_unknown_part_and_no_main_file(tmp_path):
    sparse_copy(CATALOG["multi30k"], tmp_path)
    with pytest.raises(DataError, match=r"multi30k has no part 'train\.fr' \(parts: test\.en"):
        locate("multi30k:train.fr", root=tmp_path)
    with pytest.raises(DataError, match="has no part"):
        locate("multi30k:../multi30k/train.de", root=tmp_path)
    with pytest.raises(DataError, match=r"multi30k has no main file: name one as multi30k:PART"):
        locate("multi30k", root=tmp_path)


def test_missing_names_wrong_sizes_and_counts(tmp_path):
    folder = sparse_copy(CATALOG["fsdd"], tmp_path)
    assert missing(CATALOG["fsdd"], folder) == []
    next((folder / "recordings").iterdir()).unlink()
    assert missing(CATALOG["fsdd"], folder) == ["recordings/: 2999 *.wav files, expected 3000"]
    folder = sparse_copy(CATALOG["dinos"], tmp_path)
    (folder / "dinos.txt").write_text("Tyrannosaurus\n")
    assert missing(CATALOG["dinos"], folder) == ["dinos.txt: 14 bytes, expected 19909"]


def test_manifest_sha256_is_sha256sum_of_the_listing(tmp_path):
    (tmp_path / "recordings").mkdir()
    for name, data in (("b.wav", b"bee"), ("a.wav", b"ay")):
        (tmp_path / "recordings" / name).write_bytes(data)
    listing = "".join(
        f"{hashlib.sha256(data).hexdigest()}  recordings/{name}\n"
        for name, data in (("a.wav", b"ay"), ("b.wav", b"bee"))
    )
    expected = hashlib.sha256(listing.encode()).hexdigest()
    assert manifest_sha256(tmp_path, ["recordings/b.wav", "recordings/a.wav"]) == expected


def test_the_catalogue_and_fetcher_import_neither_torch_nor_numpy():
    code = (
        "import sys, seqlab.datasets.catalog, seqlab.datasets.fetch; "
        "print([m for m in ('torch', 'numpy') if m in sys.modules])"
    )
    src = str(Path(catalog.__file__).resolve().parents[2])
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([src, os.environ.get("PYTHONPATH", "")])}
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env,
                          check=True)  # fmt: skip
    assert done.stdout.strip() == "[]"
