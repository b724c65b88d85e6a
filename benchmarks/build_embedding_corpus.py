"""Build an English corpus of a few million words for comparing word2vec implementations.

    apt-get install -y bible-kjv bible-kjv-text dict-gcide dict-wn dict-devil jargon-text fortunes
    .venv/bin/python benchmarks/build_embedding_corpus.py                  # runs/embed_corpus.txt
    .venv/bin/python benchmarks/build_embedding_corpus.py --max-words 1000000 --out runs/small.txt
    .venv/bin/python benchmarks/build_embedding_corpus.py --skip-missing --json

Sources, taken in this order until ``--max-words`` corpus tokens are reached (the source that
crosses the limit gives a random subset of its sentences, later ones give nothing):

    ../shared/data  lee_corpus (news), conll2003 (Reuters news; read, never copied), sst2
                    sentence level and mr_polarity (movie reviews), multi30k English side
                    (image captions), tinyshakespeare (speeches, speaker names dropped)
    fortunes        /usr/share/games/fortunes/* (quotations and jokes; attributions dropped)
    dict-devil      /usr/share/dictd/devil.dict.dz (Bierce, The Devil's Dictionary)
    jargon-text     /usr/share/doc/jargon-text/jargon.txt.gz (the Jargon File entries)
    bible-kjv(-text) the King James Bible, one verse per line from the ``bible`` program (its
                    /usr/lib/bible.data is in the program's own compressed format)
    dict-wn         /usr/share/dictd/wn.dict.dz (WordNet glosses and usage examples)
    dict-gcide      /usr/share/dictd/gcide.dict.dz (GCIDE: Webster 1913 definitions and the
                    quotations that illustrate them; headwords, pronunciations, etymologies
                    and source tags dropped)

The dictd files are dictzip, which gzip reads; each entry is found through the ``.index`` file
(headword, base-64 offset and length). Sentences are split at . ! ? before a capital letter,
lowercased and cut into words (letters and digits, apostrophes kept inside words, punctuation
dropped); sentences under three words or mostly without letters (CoNLL score tables) and
exact repeats (WordNet repeats a gloss for every synonym) are dropped, and the result is
shuffled with ``--seed`` so that no source sits at the end of word2vec's learning-rate decay.
Written atomically, one sentence per line. The defaults give 390,253 sentences, 4,999,992
words, 37,362 words at min_count 5 (GCIDE gives 0.98M of its 3.5M words) in about a minute.

Debian packages installed to build it (Debian 12): bible-kjv bible-kjv-text dict-gcide dict-wn
dict-devil jargon-text fortunes (fortunes pulls fortunes-min; dict-* pull dictd, which need not
run). Licences: GCIDE GPL-2+, WordNet (Princeton licence), the Jargon File, The Devil's
Dictionary and the KJV public domain or free; see each package's copyright file and
../shared/data/README.md. The corpus is a local build product and is never committed.

Prints a summary (sentences and words per source, total, vocabulary at min_count 5), or one
JSON line with ``--json``.
"""

from __future__ import annotations

import argparse
import gzip
import json
import random
import re
import shutil
import subprocess
import sys
import time
from collections import Counter
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

from seqlab._atomic import atomic_write

DATA = (Path(__file__).resolve().parents[1] / "../shared/data").resolve()
DICTD = Path("/usr/share/dictd")
FORTUNES = Path("/usr/share/games/fortunes")
JARGON = Path("/usr/share/doc/jargon-text/jargon.txt.gz")
MIN_WORDS = 3  # shorter sentences give word2vec (almost) no context pairs

_WORD = re.compile(r"[^\W_]+(?:'[^\W_]+)*")
_LETTER = re.compile(r"[^\W\d_]")
_SENTENCE_END = re.compile(r"(?<=[.!?])\s+(?=[\"'(\u201c\u2018]?[A-Z])")
_BRACKETS = re.compile(r"\[[^\[\]]*\]")
_B64 = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/"


@dataclass(frozen=True)
class Source:
    """A named source of English paragraphs; ``needs``: (file or program, Debian package)."""

    name: str
    read: Callable[[], Iterable[str]]
    needs: tuple[tuple[str, str], ...] = ()


def tokenize(sentence: str) -> list[str]:
    """Lowercased words of one sentence: letters and digits, inner apostrophes kept."""
    return _WORD.findall(sentence.lower().replace("\u2019", "'"))


def _has_letter(word: str) -> bool:
    return _LETTER.search(word) is not None


def sentences(paragraph: str) -> Iterator[list[str]]:
    """Split a paragraph into sentences (at . ! ? before a capital) and tokenize each; keep
    those of ``MIN_WORDS`` or more words, most of them with a letter (no score tables)."""
    for sentence in _SENTENCE_END.split(" ".join(paragraph.split())):
        words = tokenize(sentence)
        if len(words) >= MIN_WORDS and 2 * sum(map(_has_letter, words)) > len(words):
            yield words


# ---- ../shared/data ------------------------------------------------------------------------


def lee() -> Iterator[str]:
    for name in ("lee_background.cor", "lee.cor"):
        yield from (DATA / "lee_corpus" / name).read_text(encoding="latin-1").splitlines()


def conll() -> Iterator[str]:
    """CoNLL-2003 sentences (column 1 of the token lines); read only, never copied anywhere."""
    for name in ("train.txt", "valid.txt", "test.txt"):
        words: list[str] = []
        for line in (DATA / "conll2003" / name).read_text(encoding="utf-8").splitlines():
            if line.startswith("-DOCSTART-"):
                continue
            if line.strip():
                words.append(line.split()[0])
            elif words:
                yield " ".join(words)
                words = []
        if words:
            yield " ".join(words)


def reviews() -> Iterator[str]:
    """SST-2 sentence-level (label dropped) and MR polarity (Latin-1)."""
    for split in ("train", "dev", "test"):
        path = DATA / "sst2/sentence_level" / f"stsa.binary.{split}"
        yield from (line[2:] for line in path.read_text(encoding="utf-8").splitlines())
    for name in ("rt-polarity.pos", "rt-polarity.neg"):
        yield from (DATA / "mr_polarity" / name).read_text(encoding="latin-1").splitlines()


def multi30k() -> Iterator[str]:
    for split in ("train", "val", "test_2016_flickr"):
        yield from (DATA / "multi30k" / f"{split}.en").read_text(encoding="utf-8").splitlines()


def shakespeare() -> Iterator[str]:
    """One paragraph per speech; the speaker line ("First Citizen:") is dropped."""
    text = (DATA / "tinyshakespeare/input.txt").read_text(encoding="utf-8")
    for block in text.split("\n\n"):
        lines = block.strip().split("\n")
        yield " ".join(lines[1:] if lines[0].endswith(":") else lines)


# ---- Debian packages -----------------------------------------------------------------------


def dictd_entries(name: str) -> Iterator[str]:
    """Each entry of /usr/share/dictd/NAME.dict.dz once, in file order, via NAME.index."""
    data = gzip.decompress((DICTD / f"{name}.dict.dz").read_bytes())
    spans = set()
    for line in (DICTD / f"{name}.index").read_text(encoding="utf-8", errors="replace").split("\n"):
        fields = line.split("\t")
        if len(fields) >= 3 and not fields[0].startswith("00"):  # 00-database-* metadata
            spans.add((_b64(fields[1]), _b64(fields[2])))
    for start, length in sorted(spans):
        yield data[start : start + length].decode("utf-8", errors="replace")


def _b64(digits: str) -> int:
    value = 0
    for digit in digits:
        value = value * 64 + _B64.index(digit)
    return value


def _unbracket(text: str) -> str:
    """Drop [bracketed] text, innermost first (GCIDE nests brackets in etymologies)."""
    while True:
        text, n = _BRACKETS.subn(" ", text)
        if not n:
            return text


def gcide() -> Iterator[str]:
    """Definitions and quotations; headword, pronunciation, part of speech, etymology,
    ``[1913 Webster]``-style tags and ``--Milton.``-style attributions dropped."""
    head = re.compile(  # one or more "Word \\Pro*nun"ci*a*tion\\," groups, then "v. t."
        r"^(?:[^\\]{0,80}?\\[^\\]{0,80}\\[,\s]*)+(?:\([^)]*\)[,\s]*)?(?:(?:[a-z]{1,6}\.|&|;|,)\s*)*"
    )
    attribution = re.compile(r"--\s?[A-Z][\w.',&\- ]{0,60}$")
    sense = re.compile(r"(?:^|\s)(?:\d+\.|\([a-z]\))\s")
    label = re.compile(r"\((?:[A-Z][a-z]{0,10}\.\s*)+\)")  # (Zool.), (Bot.), (Law.)
    for entry in dictd_entries("gcide"):
        for i, item in enumerate(re.split(r"\n\s*(?:\[[^\]\n]*\]\s*)?\n", entry)):
            lines = [attribution.sub("", line).strip() for line in item.split("\n")]
            text = _unbracket(" ".join(line for line in lines if line))
            if i == 0:
                text = head.sub("", text, count=1)
            text = label.sub(" ", text.replace("{", "").replace("}", ""))
            yield sense.sub(" ", text.replace("\\", " "))


def wordnet() -> Iterator[str]:
    """WordNet glosses and their quoted examples, one paragraph per gloss or example."""
    marker = re.compile(r"(?:^|\s)(?:(?:n|v|adj|adv)\s+)?\d+:\s")
    for entry in dictd_entries("wn"):
        body = _unbracket(" ".join(entry.split("\n")[1:]))
        for gloss in marker.split(body):
            for part in gloss.split(";"):
                part = part.strip().strip('"').replace("{", "").replace("}", "")
                if part:
                    yield part[0].upper() + part[1:]


def devil() -> Iterator[str]:
    """The Devil's Dictionary: definitions and verses; "WORD, n." and signatures dropped."""
    head = re.compile(r"^[A-Z][A-Z'\- ]*,\s*(?:[a-z]{1,5}\.\s*)*")
    for entry in dictd_entries("devil"):
        for i, block in enumerate(entry.split("\n\n")):
            lines = [line for line in block.split("\n") if not line.startswith(" " * 20)]
            text = " ".join(line.strip() for line in lines)
            yield head.sub("", text, count=1) if i == 0 else text


def jargon() -> Iterator[str]:
    """Jargon File paragraphs from the first ``:entry:`` on; entry headers dropped."""
    text = gzip.decompress(JARGON.read_bytes()).decode("utf-8", errors="replace")
    started = False
    for block in text.split("\n\n"):
        if re.match(r"\s*:[^:\n]+:", block):
            started = True
            continue
        if started:
            yield block.replace("{", "").replace("}", "")


def kjv() -> Iterator[str]:
    """The King James Bible, one verse per paragraph, from the ``bible`` program.

    ``-l2000``: lines of up to 2,000 characters, so that no verse (at most 532) is wrapped; the
    program's memory grows with the square of this width (5 GB at -l100000).
    """
    out = subprocess.run(
        [shutil.which("bible") or "bible", "-l2000", "gen1:1-rev22:21"],
        stdin=subprocess.DEVNULL, capture_output=True, check=True, text=True,
    )  # fmt: skip
    for line in out.stdout.splitlines():
        verse = re.match(r"\s+\d+\s+(.*)", line)
        if verse:
            yield verse.group(1)


def fortunes() -> Iterator[str]:
    """Every fortune file but the ASCII-art ones; ``-- Author`` lines dropped."""
    for path in sorted(FORTUNES.iterdir()):
        if path.suffix in (".dat", ".u8") or path.name in ("art", "ascii-art") or path.is_dir():
            continue
        text = path.read_text(encoding="utf-8", errors="replace")
        for cookie in re.split(r"\n%\n", text):
            lines = [line for line in cookie.split("\n") if not line.strip().startswith("--")]
            yield " ".join(lines)


SOURCES = [
    Source("lee_corpus", lee),
    Source("conll2003", conll),
    Source("sst2+mr", reviews),
    Source("multi30k_en", multi30k),
    Source("tinyshakespeare", shakespeare),
    Source("fortunes", fortunes, ((str(FORTUNES / "cookie"), "fortunes"),)),
    Source("devil", devil, ((str(DICTD / "devil.dict.dz"), "dict-devil"),)),
    Source("jargon", jargon, ((str(JARGON), "jargon-text"),)),
    Source(
        "kjv",
        kjv,
        (("bible", "bible-kjv"), ("/usr/lib/bible.data", "bible-kjv-text")),
    ),
    Source("wordnet", wordnet, ((str(DICTD / "wn.dict.dz"), "dict-wn"),)),
    Source("gcide", gcide, ((str(DICTD / "gcide.dict.dz"), "dict-gcide"),)),
]


def missing_packages(sources: list[Source]) -> dict[str, list[str]]:
    """Source name -> the Debian packages whose files are not on this machine."""
    missing = {}
    for source in sources:
        packages = [pkg for need, pkg in source.needs if not _present(need)]
        if packages:
            missing[source.name] = packages
    return missing


def _present(need: str) -> bool:
    """A file (absolute path) or a program on PATH."""
    return Path(need).exists() if need.startswith("/") else shutil.which(need) is not None


def collect(sources: list[Source], max_words: int, seed: int) -> tuple[list, list[dict]]:
    """Sentences of each source in turn, without repeats, until ``max_words`` words."""
    rng = random.Random(seed)
    seen: set[str] = set()
    kept: list[list[str]] = []
    stats = []
    budget = max_words
    for source in sources:
        start = time.perf_counter()
        found, repeats = [], 0
        for paragraph in source.read():
            for words in sentences(paragraph):
                key = " ".join(words)
                if key in seen:
                    repeats += 1
                    continue
                seen.add(key)
                found.append(words)
        available = sum(map(len, found))
        if available > budget:  # a random subset, not the first entries (A-words only)
            rng.shuffle(found)
            taken, total = [], 0
            for words in found:
                if total + len(words) > budget:
                    break
                taken.append(words)
                total += len(words)
            found = taken
        words = sum(map(len, found))
        budget -= words
        kept.extend(found)
        stats.append({"source": source.name, "sentences": len(found), "words": words,
                      "words_available": available, "repeats_dropped": repeats,
                      "seconds": round(time.perf_counter() - start, 1)})  # fmt: skip
        print(f"{source.name}: {len(found):,} sentences, {words:,} words", file=sys.stderr)
    return kept, stats


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__.split("\n\n")[0],
        formatter_class=argparse.ArgumentDefaultsHelpFormatter,
        epilog="example: .venv/bin/python benchmarks/build_embedding_corpus.py --max-words 5000000",
    )
    parser.add_argument("--out", default="runs/embed_corpus.txt", help="corpus file to write")
    parser.add_argument("--max-words", type=int, default=5_000_000, help="stop at this many words")
    parser.add_argument("--sources", default=",".join(s.name for s in SOURCES),
                        help="comma-separated sources, in priority order")  # fmt: skip
    parser.add_argument("--skip-missing", action="store_true",
                        help="leave out sources whose Debian package is not installed")  # fmt: skip
    parser.add_argument("--seed", type=int, default=0, help="shuffle and subset seed")
    parser.add_argument("--no-shuffle", action="store_true", help="keep the sources in order")
    parser.add_argument("--min-count", type=int, default=5, help="for the vocabulary size shown")
    parser.add_argument("--json", action="store_true", help="print one JSON line instead")
    args = parser.parse_args(argv)
    by_name = {s.name: s for s in SOURCES}
    names = [n.strip() for n in args.sources.split(",") if n.strip()]
    unknown = [n for n in names if n not in by_name]
    if unknown or not names:
        print(f"error: unknown source(s) {unknown}; choose from {list(by_name)}", file=sys.stderr)
        return 2
    if args.max_words < 1:
        print(f"error: --max-words must be at least 1, got {args.max_words}", file=sys.stderr)
        return 2
    if not DATA.is_dir():
        print(f"error: {DATA} not found (the shared data folder)", file=sys.stderr)
        return 2
    chosen = [by_name[n] for n in names]
    missing = missing_packages(chosen)
    if missing:
        packages = sorted({pkg for pkgs in missing.values() for pkg in pkgs})
        if not args.skip_missing:
            print(f"error: sources {sorted(missing)} need Debian packages that are not installed; "
                  f"run: apt-get install -y {' '.join(packages)} (or pass --skip-missing)",
                  file=sys.stderr)  # fmt: skip
            return 2
        print(f"warning: skipping {sorted(missing)} (apt-get install -y {' '.join(packages)})",
              file=sys.stderr)  # fmt: skip
        chosen = [s for s in chosen if s.name not in missing]

    start = time.perf_counter()
    corpus, stats = collect(chosen, args.max_words, args.seed)
    if not args.no_shuffle:
        random.Random(args.seed).shuffle(corpus)
    out = Path(args.out)
    out.parent.mkdir(parents=True, exist_ok=True)

    def write(tmp: Path) -> None:
        with open(tmp, "w", encoding="utf-8") as f:
            f.writelines(" ".join(words) + "\n" for words in corpus)

    atomic_write(out, write)
    counts = Counter(word for words in corpus for word in words)
    record = {
        "benchmark": "embedding_corpus",
        "out": str(out),
        "sentences": len(corpus),
        "words": sum(counts.values()),
        "distinct_words": len(counts),
        "min_count": args.min_count,
        "vocab_at_min_count": sum(1 for c in counts.values() if c >= args.min_count),
        "max_words": args.max_words,
        "seed": args.seed,
        "shuffled": not args.no_shuffle,
        "skipped_sources": sorted(missing),
        "sources": stats,
        "build_seconds": round(time.perf_counter() - start, 1),
        "date": time.strftime("%Y-%m-%d"),
    }
    if args.json:
        print(json.dumps(record))
        return 0
    print(f"{'source':<16} {'sentences':>10} {'words':>11} {'available':>11} {'repeats':>8}")
    for s in stats:
        print(f"{s['source']:<16} {s['sentences']:>10,} {s['words']:>11,} "
              f"{s['words_available']:>11,} {s['repeats_dropped']:>8,}")  # fmt: skip
    print(f"{'total':<16} {record['sentences']:>10,} {record['words']:>11,}")
    print(f"vocabulary: {record['distinct_words']:,} distinct words, "
          f"{record['vocab_at_min_count']:,} at min_count {args.min_count}")  # fmt: skip
    print(f"wrote {out} in {record['build_seconds']} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
