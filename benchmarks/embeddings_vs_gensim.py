"""Word2vec side by side with gensim: words per second and vector quality on the same corpus.

    .venv/bin/python benchmarks/build_embedding_corpus.py        # writes runs/embed_corpus.txt
    .venv/bin/python benchmarks/embeddings_vs_gensim.py
    .venv/bin/python benchmarks/embeddings_vs_gensim.py --methods gensim-only
    .venv/bin/python benchmarks/embeddings_vs_gensim.py --methods skipgram --repeats 3 --json

For each method (skip-gram, CBOW) gensim's ``Word2Vec`` and seqlab's ``Word2Vec`` train on the
same corpus with the same hyperparameters (negative sampling 5, window 5, dim 100, sample 1e-3,
min_count 5, 5 epochs, alpha 0.025 -> 0.0001, 2 threads; every flag can be changed), one after
the other in this process. gensim reads the file itself (``corpus_file=``, its fastest input
with several workers: here 1.3x the words/s of a list of sentences for skip-gram, 1.07x for
CBOW; ``--gensim-input list`` gives it the lists instead, read before its clock starts).
``--methods glove`` adds seqlab's GloVe alone (time and quality).

Speed: words/s = corpus tokens (every token of the file, counted once here) x epochs / train
seconds, the same definition for both; train seconds exclude building the vocabulary
(gensim's ``build_vocab``, seqlab's ``read_corpus``), which "total s" adds back. seqlab's train
time includes its one-off compile or cache load of the training loop.

Quality: analogy accuracy on questions-words.txt over the 30,000 most frequent words and
Spearman's rho on WordSim-353, SimLex-999 and MEN (3k), both sets of vectors scored by
``seqlab.embeddings.evaluate_analogies`` / ``evaluate_similarity``; gensim's own
``evaluate_word_analogies`` scores the gensim vectors too, as a cross-check. Differences are
seqlab minus gensim: accuracy in percentage points, Spearman in rho.

If seqlab's trainers cannot be imported the gensim half runs alone (with a warning). Prints a
Markdown table for BENCHMARKS.md, or one JSON object with ``--json`` (also appended to
``--log`` when given).
"""

from __future__ import annotations

import argparse
import dataclasses
import gc
import json
import logging
import os
import platform
import statistics
import sys
import time
from pathlib import Path

import numpy as np

from seqlab.embeddings import WordVectors, evaluate_analogies, evaluate_similarity

EVAL = (Path(__file__).resolve().parents[1] / "../shared/data/word_similarity_analogy").resolve()
ANALOGIES = EVAL / "questions-words.txt"
SIMILARITY = {
    "WS353": EVAL / "wordsim353.tsv",
    "SimLex999": EVAL / "simlex999.txt",
    "MEN": EVAL / "faruqui_word_sim/EN-MEN-TR-3k.txt",
}
WORD2VEC_METHODS = ("skipgram", "cbow")


def count_tokens(path: Path) -> tuple[int, int]:
    """(sentences, whitespace-separated tokens) of the corpus file."""
    sentences = tokens = 0
    with open(path, encoding="utf-8") as f:
        for line in f:
            n = len(line.split())
            sentences += n > 0
            tokens += n
    return sentences, tokens


def quality(wv: WordVectors, restrict_vocab: int) -> dict:
    """Analogy accuracy (percent) and Spearman's rho per similarity set, scored by seqlab."""
    analogy = evaluate_analogies(wv, ANALOGIES, restrict_vocab=restrict_vocab)
    result = {
        "analogy_accuracy": 100 * analogy.accuracy,
        "analogy_correct": analogy.correct,
        "analogy_covered": analogy.covered,
        "analogy_semantic": _share(analogy.sections, semantic=True),
        "analogy_syntactic": _share(analogy.sections, semantic=False),
    }
    for name, path in SIMILARITY.items():
        sim = evaluate_similarity(wv, path)
        result[f"spearman_{name}"] = sim.spearman
        result[f"pairs_{name}"] = f"{sim.covered}/{sim.total}"
    return result


def _share(sections: dict[str, tuple[int, int]], *, semantic: bool) -> float:
    """Percent correct over the semantic (first five) or syntactic (gram*) sections."""
    hits = total = 0
    for name, (correct, covered) in sections.items():
        if name.startswith("gram") != semantic:
            hits, total = hits + correct, total + covered
    return 100 * hits / total if total else 0.0


def run_gensim(method: str, args: argparse.Namespace, seed: int, tokens: int) -> dict:
    from gensim.models import Word2Vec as GensimWord2Vec

    model = GensimWord2Vec(
        sg=int(method == "skipgram"), vector_size=args.dim, window=args.window,
        negative=args.negative, hs=0, sample=args.sample, min_count=args.min_count,
        epochs=args.epochs, alpha=args.alpha, min_alpha=args.min_alpha, workers=args.threads,
        seed=seed,
    )  # fmt: skip
    sentences = None
    if args.gensim_input == "list":  # read before the clock starts: gensim's best case
        with open(args.corpus, encoding="utf-8") as f:
            sentences = [line.split() for line in f]
    source = {"corpus_iterable": sentences} if sentences else {"corpus_file": str(args.corpus)}
    start = time.perf_counter()
    model.build_vocab(**source)
    built = time.perf_counter()
    model.train(**source, total_examples=model.corpus_count,
                total_words=model.corpus_total_words, epochs=args.epochs)  # fmt: skip
    done = time.perf_counter()
    kv = model.wv
    wv = WordVectors(list(kv.index_to_key), kv.vectors)
    own, _ = kv.evaluate_word_analogies(ANALOGIES, restrict_vocab=args.restrict_vocab)
    record = _timing("gensim", method, seed, built - start, done - built, tokens, args, len(kv))
    record["gensim_corpus_words"] = model.corpus_total_words
    return {**record, **quality(wv, args.restrict_vocab), "analogy_accuracy_gensim_eval": 100 * own}


def run_seqlab(method: str, args: argparse.Namespace, seed: int, tokens: int) -> dict:
    from seqlab.embeddings.corpus import read_corpus
    from seqlab.embeddings.word2vec import Word2Vec, Word2VecConfig

    cfg = Word2VecConfig(
        sg=method == "skipgram", dim=args.dim, window=args.window, negative=args.negative,
        hs=False, sample=args.sample, epochs=args.epochs, alpha=args.alpha,
        min_alpha=args.min_alpha, threads=args.threads, seed=seed,
    )  # fmt: skip
    start = time.perf_counter()
    corpus = read_corpus(args.corpus, min_count=args.min_count)
    built = time.perf_counter()
    model = Word2Vec(cfg)
    stats = model.train(corpus)
    done = time.perf_counter()
    record = _timing("seqlab", method, seed, built - start, done - built, tokens, args, len(corpus))
    record["epoch_seconds"] = round(sum(s.seconds for s in stats), 2)
    record["final_loss"] = stats[-1].loss if stats else None
    record["config"] = dataclasses.asdict(cfg)
    return {**record, **quality(model.vectors, args.restrict_vocab)}


def run_glove(args: argparse.Namespace, seed: int, tokens: int) -> dict:
    from seqlab.embeddings.corpus import read_corpus
    from seqlab.embeddings.glove import GloVe, GloVeConfig

    cfg = GloVeConfig(dim=args.dim, window=args.glove_window, epochs=args.glove_epochs,
                      threads=args.threads, seed=seed)  # fmt: skip
    start = time.perf_counter()
    corpus = read_corpus(args.corpus, min_count=args.min_count)
    built = time.perf_counter()
    model = GloVe(cfg)
    stats = model.train(corpus)
    done = time.perf_counter()
    seconds = (built - start, done - built)
    record = _timing("seqlab", "glove", seed, *seconds, tokens, args, len(corpus))
    record["words_per_second"] = None  # GloVe's epochs pass over co-occurrences, not tokens
    record["epoch_seconds"] = round(sum(s.seconds for s in stats), 2)
    record["final_loss"] = stats[-1].loss if stats else None
    record["config"] = dataclasses.asdict(cfg)
    return {**record, **quality(model.vectors, args.restrict_vocab)}


def _timing(impl, method, seed, vocab_s, train_s, tokens, args, vocab_size) -> dict:
    return {
        "implementation": impl,
        "method": method,
        "seed": seed,
        "vocab_size": vocab_size,
        "vocab_seconds": round(vocab_s, 2),
        "train_seconds": round(train_s, 2),
        "total_seconds": round(vocab_s + train_s, 2),
        "words_per_second": tokens * args.epochs / train_s,
    }


def summarize(runs: list[dict]) -> list[dict]:
    """One row per (method, implementation): median speed, mean quality, seqlab - gensim."""
    rows = []
    keys = list(dict.fromkeys((r["method"], r["implementation"]) for r in runs))
    for method, impl in keys:
        group = [r for r in runs if r["method"] == method and r["implementation"] == impl]
        row = {"method": method, "implementation": impl, "repeats": len(group)}
        for key in ("vocab_seconds", "train_seconds", "total_seconds", "words_per_second"):
            values = [r[key] for r in group if r.get(key) is not None]
            row[key] = statistics.median(values) if values else None
        for key in group[0]:
            if key.startswith(("analogy_", "spearman_")):
                row[key] = statistics.mean(r[key] for r in group)
        rows.append(row)
    by_key = {(r["method"], r["implementation"]): r for r in rows}
    for row in rows:
        ref = by_key.get((row["method"], "gensim"))
        if row["implementation"] != "seqlab" or ref is None:
            continue
        row["speed_ratio"] = row["words_per_second"] / ref["words_per_second"]
        row["analogy_delta_points"] = row["analogy_accuracy"] - ref["analogy_accuracy"]
        for name in SIMILARITY:
            row[f"spearman_delta_{name}"] = row[f"spearman_{name}"] - ref[f"spearman_{name}"]
    return rows


def markdown(rows: list[dict]) -> str:
    head = ("| method | implementation | vocab s | train s | words/s | seqlab/gensim "
            "| analogy % (delta) | WS-353 rho | SimLex-999 rho | MEN rho |")  # fmt: skip
    lines = [head, "|" + "---|" * 10]
    for r in rows:
        wps = f"{r['words_per_second']:,.0f}" if r["words_per_second"] else "-"
        ratio = f"{r['speed_ratio']:.2f}" if "speed_ratio" in r else ""
        analogy = f"{r['analogy_accuracy']:.2f}" + _delta(r, "analogy_delta_points", ".2f")
        if "analogy_accuracy_gensim_eval" in r:
            analogy += f" (gensim's eval {r['analogy_accuracy_gensim_eval']:.2f})"
        sims = [f"{r[f'spearman_{n}']:.3f}" + _delta(r, f"spearman_delta_{n}", ".3f")
                for n in SIMILARITY]  # fmt: skip
        lines.append(f"| {r['method']} | {r['implementation']} | {r['vocab_seconds']:.1f} | "
                     f"{r['train_seconds']:.1f} | {wps} | {ratio} | {analogy} | "
                     + " | ".join(sims) + " |")  # fmt: skip
    return "\n".join(lines)


def _delta(row: dict, key: str, fmt: str) -> str:
    return f" ({row[key]:+{fmt}})" if key in row else ""


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        description=__doc__.split("\n\n")[0],
        formatter_class=argparse.ArgumentDefaultsHelpFormatter,
        epilog="example: .venv/bin/python benchmarks/embeddings_vs_gensim.py --methods cbow",
    )
    parser.add_argument("--corpus", default="runs/embed_corpus.txt",
                        help="one sentence per line, from build_embedding_corpus.py")  # fmt: skip
    parser.add_argument("--methods", default="skipgram,cbow",
                        help="comma-separated: skipgram, cbow, glove; or gensim-only")  # fmt: skip
    parser.add_argument("--repeats", type=int, default=1, help="runs per method and library")
    parser.add_argument("--dim", type=int, default=100)
    parser.add_argument("--window", type=int, default=5)
    parser.add_argument("--negative", type=int, default=5)
    parser.add_argument("--sample", type=float, default=1e-3)
    parser.add_argument("--min-count", type=int, default=5)
    parser.add_argument("--epochs", type=int, default=5)
    parser.add_argument("--alpha", type=float, default=0.025)
    parser.add_argument("--min-alpha", type=float, default=0.0001)
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--seed", type=int, default=1, help="seed of the first repeat (+1 each)")
    parser.add_argument("--glove-window", type=int, default=10)
    parser.add_argument("--glove-epochs", type=int, default=25)
    parser.add_argument("--restrict-vocab", type=int, default=30000, help="for the analogies")
    parser.add_argument("--gensim-input", choices=("corpus_file", "list"), default="corpus_file")
    parser.add_argument("--json", action="store_true", help="print one JSON object instead")
    parser.add_argument("--log", help="append the JSON result to this file")
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    args.corpus = Path(args.corpus)
    if not args.corpus.is_file():
        print(f"error: {args.corpus}: no such file; build it with "
              "benchmarks/build_embedding_corpus.py", file=sys.stderr)  # fmt: skip
        return 2
    methods = [m.strip() for m in args.methods.split(",") if m.strip()]
    gensim_only = methods == ["gensim-only"]
    if gensim_only:
        methods = list(WORD2VEC_METHODS)
    if not methods or any(m not in (*WORD2VEC_METHODS, "glove") for m in methods):
        print(f"error: --methods {args.methods!r}: use skipgram, cbow, glove or gensim-only",
              file=sys.stderr)  # fmt: skip
        return 2
    if args.repeats < 1:
        print(f"error: --repeats must be at least 1, got {args.repeats}", file=sys.stderr)
        return 2
    if not gensim_only:
        try:
            from seqlab.embeddings import word2vec  # noqa: F401

            if "glove" in methods:
                from seqlab.embeddings import glove  # noqa: F401
        except ImportError as error:
            print(f"warning: seqlab trainers unavailable ({error}); running gensim only",
                  file=sys.stderr)  # fmt: skip
            gensim_only = True
            methods = [m for m in methods if m != "glove"] or list(WORD2VEC_METHODS)
    logging.getLogger("gensim").setLevel(logging.WARNING)
    n_sentences, tokens = count_tokens(args.corpus)
    runs = []
    for method in methods:
        for repeat in range(args.repeats):
            seed = args.seed + repeat
            for impl in ("gensim", "seqlab"):
                if (impl == "seqlab" and gensim_only) or (impl == "gensim" and method == "glove"):
                    continue
                gc.collect()
                if method == "glove":
                    record = run_glove(args, seed, tokens)
                else:
                    run = run_gensim if impl == "gensim" else run_seqlab
                    record = run(method, args, seed, tokens)
                print(f"{record['method']} {record['implementation']} seed {seed}: "
                      f"train {record['train_seconds']:.1f} s, analogy "
                      f"{record['analogy_accuracy']:.2f}%", file=sys.stderr)  # fmt: skip
                runs.append(record)
    result = {
        "benchmark": "embeddings_vs_gensim",
        "corpus": str(args.corpus),
        "corpus_sentences": n_sentences,
        "corpus_tokens": tokens,
        "settings": {k: v for k, v in vars(args).items() if k not in ("json", "log", "corpus")},
        "gensim_only": gensim_only,
        "summary": summarize(runs),
        "runs": runs,
        "date": time.strftime("%Y-%m-%d"),
        "machine": f"{platform.machine()}, {os.cpu_count()} cores",
        "numpy": np.__version__,
        "gensim": _version("gensim"),
    }
    line = json.dumps(result)
    if args.log:
        with open(args.log, "a", encoding="utf-8") as f:
            f.write(line + "\n")
    if args.json:
        print(line)
    else:
        print(f"corpus {args.corpus}: {n_sentences:,} sentences, {tokens:,} tokens; "
              f"{args.threads} threads, {args.epochs} epochs, {result['machine']}")  # fmt: skip
        print(markdown(result["summary"]))
        first = runs[0]
        pairs = ", ".join(f"{name} {first[f'pairs_{name}']}" for name in SIMILARITY)
        print(f"covered: analogies {first['analogy_covered']:,} of 19,544 (restrict_vocab "
              f"{args.restrict_vocab:,}); pairs {pairs}")  # fmt: skip
    return 0


def _version(package: str) -> str | None:
    try:
        from importlib.metadata import version

        return version(package)
    except Exception:  # noqa: BLE001 - a missing version must not fail the benchmark
        return None


if __name__ == "__main__":
    sys.exit(main())
