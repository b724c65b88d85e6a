"""``seqlab data list | fetch | path | import`` through main([...]), and data set names in the
other commands (``seqlab lm train NAME``, ``seqlab bleu NAME:PART ...``). No test reaches the
internet: fetches go to a local server through $SEQLAB_DATA_MIRROR (tests/datasets/_mirror.py).
"""

import json
import shlex

import pytest

from seqlab.cli import main
from seqlab.datasets import catalog
from tests.cli._helpers import fails, json_lines
from tests.datasets._mirror import CORPUS, TINY, copy_fixtures, serve, sparse_copy


@pytest.fixture(autouse=True)
def _data_root(tmp_path, monkeypatch):
    """An empty data folder ($SEQLAB_DATA), the tiny data set in the catalogue, no mirror."""
    monkeypatch.setenv("SEQLAB_DATA", str(tmp_path / "data"))
    monkeypatch.delenv("SEQLAB_DATA_MIRROR", raising=False)
    monkeypatch.setitem(catalog.CATALOG, "tiny", TINY)


@pytest.fixture
def mirror(tmp_path, monkeypatch):
    """A local server with the tiny data set's files, named by $SEQLAB_DATA_MIRROR."""
    with serve(copy_fixtures(tmp_path / "mirror")) as url:
        monkeypatch.setenv("SEQLAB_DATA_MIRROR", url)
        yield tmp_path / "mirror"


@pytest.fixture
def tiny_copy(tmp_path, mirror):
    """A local copy of the tiny data set in tmp_path/copy/tiny (fetched, then moved aside)."""
    assert main(["data", "fetch", "tiny", "--no-progress"]) == 0
    copy = tmp_path / "copy"
    copy.mkdir()
    (tmp_path / "data" / "tiny").rename(copy / "tiny")
    return copy / "tiny"


# --- list -----------------------------------------------------------------------------------


def test_list_json(tmp_path, capsys):
    assert main(["data", "list", "--json"]) == 0
    rows = {r["name"]: r for r in json_lines(capsys.readouterr().out)}
    assert set(rows) == set(catalog.CATALOG)
    assert {"name", "description", "size", "files", "licence", "source", "homepage", "urls",
            "parts", "default", "here", "path"} <= set(rows["conll2003"])  # fmt: skip
    assert rows["tinyshakespeare"]["size"] == 1115394 and rows["fsdd"]["files"] == 3000
    assert rows["fsdd"]["licence"] == "CC BY-SA 4.0"
    assert rows["conll2003"]["path"] == str(tmp_path / "data" / "conll2003")
    assert not any(r["here"] for r in rows.values())


def test_list_table(capsys):
    assert main(["data", "list"]) == 0
    out = capsys.readouterr().out
    assert out.splitlines()[0].split() == ["name", "size", "here", "licence", "source"]
    assert "tinyshakespeare          1.1 MB   -     MIT; text public domain" in out
    assert "seqlab data fetch NAME" in out


# --- fetch ----------------------------------------------------------------------------------


def test_fetch_then_path(tmp_path, mirror, capsys):
    assert main(["data", "fetch", "tiny", "--no-progress"]) == 0
    out = capsys.readouterr().out
    folder = tmp_path / "data" / "tiny"
    assert out.startswith("fetching tiny (5 files, 1 KB) from example.org\n")
    assert out.endswith(f"tiny: 5 files checked (SHA-256) and saved in {folder}\n")
    assert (folder / "corpus.txt").read_text(encoding="utf-8") == CORPUS
    assert main(["data", "path", "tiny"]) == 0
    assert capsys.readouterr().out == f"{folder}\n"
    assert main(["data", "path", "tiny:words"]) == 0
    assert capsys.readouterr().out == f"{folder / 'lists' / 'words.txt'}\n"
    assert main(["data", "fetch", "tiny", "--json"]) == 0  # already here: no download
    assert json.loads(capsys.readouterr().out) == {
        "name": "tiny", "path": str(folder), "files": 5, "size": TINY.size, "fetched": False,
    }  # fmt: skip


def test_fetch_failure_is_one_line_and_writes_nothing(tmp_path, mirror, capsys):
    (mirror / "example.org/tiny/corpus.txt").write_bytes(b"changed\n")
    err = fails(["data", "fetch", "tiny", "--no-progress"], "corpus.txt: 8 bytes, expected 532",
                capsys)  # fmt: skip
    assert "/example.org/tiny/corpus.txt" in err
    assert not (tmp_path / "data").exists() or not list((tmp_path / "data").iterdir())


def test_fetch_unknown_name(capsys):
    fails(["data", "fetch", "shakespeare"], "no data set named 'shakespeare'", capsys)


# --- path -----------------------------------------------------------------------------------


def test_path_of_a_data_set_not_here(capsys):
    fails(["data", "path", "conll2003"], "data set conll2003 is not here: run `seqlab data "
          "fetch conll2003` (or `seqlab data import conll2003 DIR`)", capsys)  # fmt: skip
    fails(["data", "path", "sst2:test"], "data set sst2 is not here", capsys)


# --- import ---------------------------------------------------------------------------------


def test_import(tmp_path, tiny_copy, capsys):
    assert main(["data", "import", "tiny", str(tiny_copy), "--json", "--no-progress"]) == 0
    folder = tmp_path / "data" / "tiny"
    assert json_lines(capsys.readouterr().out) == [
        {"name": "tiny", "path": str(folder), "files": 5, "size": TINY.size}
    ]
    assert (folder / "corpus.txt").read_text(encoding="utf-8") == CORPUS


def test_import_from_the_folder_holding_it(tmp_path, tiny_copy, capsys):
    assert main(["data", "import", "tiny", str(tiny_copy.parent), "--no-progress"]) == 0
    assert capsys.readouterr().out.startswith("tiny: 5 files checked (SHA-256) and copied to ")


def test_import_with_a_file_missing(tmp_path, tiny_copy, capsys):
    (tiny_copy / "vectors.txt").unlink()
    fails(["data", "import", "tiny", tiny_copy, "--no-progress"],
          f"{tiny_copy} is not a copy of tiny: vectors.txt: missing", capsys)  # fmt: skip
    assert not (tmp_path / "data" / "tiny").exists()


def test_import_from_no_folder(tmp_path, capsys):
    fails(["data", "import", "tiny", tmp_path / "nowhere"], "nowhere: no such folder", capsys)


# --- names in the other commands -----------------------------------------------------------


def test_lm_train_takes_a_data_set_name(tmp_path, tiny_copy, capsys):
    assert main(["data", "import", "tiny", str(tiny_copy), "--no-progress"]) == 0
    capsys.readouterr()
    out = tmp_path / "lm"
    tiny = ["--hidden-size", "8", "--batch-size", "2", "--max-steps", "2", "--no-progress"]
    assert main(["lm", "train", "tiny", "--out", str(out), *tiny, "--json"]) == 0
    summary = json_lines(capsys.readouterr().out)[-1]
    assert summary["steps"] == 2 and summary["out"] == str(out)
    assert (out / "config.json").is_file()


def test_a_name_with_a_part_and_a_list_of_names(tmp_path, tiny_copy, capsys):
    assert main(["data", "import", "tiny", str(tiny_copy), "--no-progress"]) == 0
    capsys.readouterr()
    hyp = tmp_path / "hyp.txt"
    hyp.write_text("alpha\nbeta\ngamma\ndelta\n")
    assert main(["bleu", str(hyp), "tiny:words", "tiny:lists/words.txt", "--json"]) == 0
    result = json.loads(capsys.readouterr().out)  # one word a line: no 4-grams, BLEU 0
    assert result["precisions"][0] == pytest.approx(100.0) and result["ref_len"] == 4


def test_a_command_given_a_data_set_that_is_not_here(capsys):
    fails(["lm", "train", "tinyshakespeare", "--out", "x"],
          "data set tinyshakespeare is not here: run `seqlab data fetch tinyshakespeare`",
          capsys)  # fmt: skip
    fails(["classify", "train", "sst2", "--dev", "sst2:dev", "--out", "x"],
          "data set sst2 is not here", capsys)  # fmt: skip
    fails(["speech", "train", "--fsdd", "fsdd", "--out", "x"], "data set fsdd is not here", capsys)


def test_a_file_that_exists_wins_over_a_name(tmp_path, monkeypatch, capsys):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "tinyshakespeare").write_text("a local file\nnamed like a data set\n")
    assert main(["bleu", "tinyshakespeare", "tinyshakespeare", "--json"]) == 2  # not a name
    assert "a reference cannot be" in capsys.readouterr().err


def test_help_says_names_are_accepted(capsys):
    with pytest.raises(SystemExit):
        main(["classify", "train", "--help"])
    assert "or a data set's name (seqlab data list)" in capsys.readouterr().out


def test_the_demo_do_it_yourself_lines_run_as_printed(tmp_path):
    """Every command parses, and each data argument is a data set's name (here: files of the
    right sizes) or a file an earlier command of the line writes."""
    from seqlab.cli import build_parser
    from seqlab.cli.demo import DO_IT_YOURSELF, PARTS

    assert set(DO_IT_YOURSELF) <= set(PARTS)
    for name in ("emojify", "glove", "lee_corpus", "jsb_chorales", "fsdd"):
        sparse_copy(catalog.CATALOG[name], tmp_path)
    for part, line in DO_IT_YOURSELF.items():
        written: set[str] = set()
        for command in line.split(" && "):
            argv = shlex.split(command)
            assert argv[0] == "seqlab", (part, command)
            args = build_parser().parse_args(argv[1:])  # SystemExit on a flag or verb unknown
            for dest in getattr(args, "data_args", ()):
                values = getattr(args, dest)
                for value in values if isinstance(values, list) else [values]:
                    folder = value.removesuffix("/*") if value else value  # a shell glob in it
                    if value is not None and folder not in written:
                        assert catalog.locate(value, root=tmp_path) is not None, (part, value)
            if getattr(args, "group", None) == "data":
                assert all(n in catalog.CATALOG for n in args.names), (part, command)
            written.add(getattr(args, "out", None))
            written.add(getattr(args, "keep", None))  # seqlab demo --keep DIR
