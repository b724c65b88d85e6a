"""``seqlab data list | fetch | path | import``: the data sets the docs use, by name.

A data set is fetched from its original public location (every file's SHA-256 checked) or
imported from a local copy, into ``$SEQLAB_DATA`` (default ``~/.cache/seqlab/data``). Then
every command that reads a data file also takes the data set's name: ``NAME`` for its main
file, ``NAME:PART`` for another part or file (resolved by ``_common.resolve_data``).
"""

from __future__ import annotations

import argparse
import sys

from seqlab.cli._common import emit_json

LIST_EPILOG = """examples:
  seqlab data list
  seqlab data list --json     # one object a line: {"name", "size", "licence", "source", ...}
"""

FETCH_EPILOG = """examples:
  seqlab data fetch tinyshakespeare
  seqlab data fetch conll2003 glove          # several at once
  SEQLAB_DATA=~/data seqlab data fetch fsdd  # somewhere else than ~/.cache/seqlab/data
Downloads go to a temporary folder beside the destination; only when every file's size and
SHA-256 are right does it become $SEQLAB_DATA/NAME. $SEQLAB_DATA_MIRROR=URL serves each
https://HOST/PATH from URL/HOST/PATH instead (a local mirror, or file:///folder).
"""

PATH_EPILOG = """examples:
  seqlab data path conll2003                 # its folder
  seqlab data path sst2:test                 # one part: a file (or a folder)
  wc -l $(seqlab data path multi30k)/train.de
"""

IMPORT_EPILOG = """examples:
  seqlab data import conll2003 ../shared/data/conll2003
  seqlab data import conll2003 ../shared/data    # the folder that holds it also works
Every file is checked against the catalogue (size and SHA-256) before the copy takes its
place. A folder that already holds the data sets can also be used as it is:
SEQLAB_DATA=../shared/data.
"""


def register(sub: argparse._SubParsersAction) -> None:
    group = sub.add_parser("data", help="data sets by name: list, fetch, path, import")
    verbs = group.add_subparsers(dest="verb", metavar="VERB", required=True)
    raw = argparse.RawDescriptionHelpFormatter

    p = verbs.add_parser("list", help="every data set: size, licence, source, and whether "
                         "it is here", epilog=LIST_EPILOG, formatter_class=raw)  # fmt: skip
    p.add_argument("--json", action="store_true", help="one JSON object per data set")
    p.set_defaults(func=run_list)

    p = verbs.add_parser("fetch", help="download data sets from their original locations",
                         epilog=FETCH_EPILOG, formatter_class=raw)  # fmt: skip
    p.add_argument("names", nargs="+", metavar="NAME", help="data sets (seqlab data list)")
    p.add_argument("--force", action="store_true", help="download again although it is here")
    p.add_argument("--json", action="store_true", help='one line per data set: {"name", "path", '
                   '"files", "size", "fetched"}')  # fmt: skip
    p.add_argument("--no-progress", action="store_true", help="no progress bar")
    p.set_defaults(func=run_fetch)

    p = verbs.add_parser("path", help="where a data set (or one of its parts) is",
                         epilog=PATH_EPILOG, formatter_class=raw)  # fmt: skip
    p.add_argument("name", metavar="NAME[:PART]", help="a data set, or one of its parts")
    p.set_defaults(func=run_path)

    p = verbs.add_parser("import", help="check a local copy of a data set and copy it in",
                         epilog=IMPORT_EPILOG, formatter_class=raw)  # fmt: skip
    p.add_argument("name", metavar="NAME", help="the data set (seqlab data list)")
    p.add_argument("source", metavar="DIR", help="the copy's folder, or the folder holding it")
    p.add_argument("--json", action="store_true", help='one line: {"name", "path", "files", '
                   '"size"}')  # fmt: skip
    p.add_argument("--no-progress", action="store_true", help="no progress bar")
    p.set_defaults(func=run_import)


def megabytes(n: int | None) -> str:
    """Bytes as a person reads them: 19,909 -> '20 KB', 1,115,394 -> '1.1 MB'."""
    if n is None:
        return "?"
    if n < 1_000_000:
        return f"{max(n / 1000, 1):.0f} KB"
    return f"{n / 1e6:.1f} MB" if n < 100e6 else f"{n / 1e6:.0f} MB"


def files(n: int) -> str:
    """'1 file', '3,000 files'."""
    return f"{n:,} file" if n == 1 else f"{n:,} files"


def run_list(args: argparse.Namespace) -> int:
    from seqlab.datasets.catalog import CATALOG, data_root, missing

    root = data_root()
    rows = []
    for d in CATALOG.values():
        here = not missing(d, root / d.name)
        if args.json:
            emit_json({"name": d.name, "description": d.description, "size": d.size,
                       "files": d.n_files, "licence": d.licence, "source": d.source,
                       "homepage": d.homepage, "urls": d.urls, "parts": d.parts,
                       "default": d.default, "here": here, "path": str(root / d.name)})  # fmt: skip
        rows.append((d.name, megabytes(d.size), "yes" if here else "-", d.licence, d.source))
    if args.json:
        return 0
    table = [("name", "size", "here", "licence", "source"), *rows]
    widths = [max(len(r[i]) for r in table) for i in range(4)]
    for row in table:
        print("  ".join(cell.ljust(w) for cell, w in zip(row, widths)) + "  " + row[4])
    print(f"\ndata folder: {root} ($SEQLAB_DATA); get one with `seqlab data fetch NAME` "
          "or `seqlab data import NAME DIR`")  # fmt: skip
    return 0


def run_fetch(args: argparse.Namespace) -> int:
    from seqlab.datasets.catalog import data_root, get_dataset, missing
    from seqlab.datasets.fetch import download_size, fetch

    for d in [get_dataset(name) for name in dict.fromkeys(args.names)]:
        folder = data_root() / d.name
        fetched = args.force or bool(missing(d, folder))
        if fetched:
            total = download_size(d)
            if not args.json:
                hosts = sorted({url.split("/")[2] for url in d.urls})
                big = f"; a {megabytes(total)} download" if total and total > 2 * d.size else ""
                print(f"fetching {d.name} ({files(d.n_files)}, {megabytes(d.size)}{big}) "
                      f"from {', '.join(hosts)}")  # fmt: skip
            with _byte_bar(total, d.name, args.no_progress) as bar:
                fetch(d.name, force=args.force, on_bytes=bar.update)
        if args.json:
            emit_json({"name": d.name, "path": str(folder), "files": d.n_files, "size": d.size,
                       "fetched": fetched})  # fmt: skip
        elif fetched:
            print(f"{d.name}: {files(d.n_files)} checked (SHA-256) and saved in {folder}")
        else:
            print(f"{d.name} is already here: {folder} (--force downloads it again)")
    return 0


def run_path(args: argparse.Namespace) -> int:
    from seqlab.datasets.catalog import (
        DataError,
        data_root,
        get_dataset,
        locate,
        missing,
        not_here_message,
    )

    name, colon, _ = args.name.partition(":")
    dataset = get_dataset(name)
    if colon:
        print(locate(args.name))
        return 0
    folder = data_root() / dataset.name
    if missing(dataset, folder):
        raise DataError(not_here_message(name))
    print(folder)
    return 0


def run_import(args: argparse.Namespace) -> int:
    from seqlab.datasets.catalog import get_dataset
    from seqlab.datasets.fetch import import_data

    d = get_dataset(args.name)
    with _byte_bar(d.size, d.name, args.no_progress) as bar:
        folder = import_data(d.name, args.source, on_bytes=bar.update)
    if args.json:
        emit_json({"name": d.name, "path": str(folder), "files": d.n_files, "size": d.size})
    else:
        print(f"{d.name}: {files(d.n_files)} checked (SHA-256) and copied to {folder}")
    return 0


def _byte_bar(total: int | None, desc: str, no_progress: bool):
    """A progress bar in bytes on stderr, drawn only on a terminal."""
    from tqdm.auto import tqdm

    return tqdm(total=total, desc=desc, unit="B", unit_scale=True, unit_divisor=1000,
                file=sys.stderr, disable=no_progress or not sys.stderr.isatty(),
                dynamic_ncols=True, leave=False)  # fmt: skip
