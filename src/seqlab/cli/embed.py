"""``seqlab embed train | similar | analogy | evaluate | plot | debias``: word embeddings."""

from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path

from seqlab.cli._common import (
    CLIError,
    Switch,
    data_args,
    deprecated_alias,
    emit_json,
    progress,
)
from seqlab.cli._figures import pyplot, save_figure

TRAIN_EPILOG = """examples:
  seqlab embed train corpus.txt --method skipgram --out vectors.txt
  seqlab embed train corpus.txt --method cbow --dim 100 --window 5 --negative 5 --epochs 5 \\
      --threads 2 --out cbow.bin --format binary
  seqlab embed train lee_corpus --method glove --dim 50 \\
      --epochs 25 --out glove.txt --format glove
The corpus: one sentence per line, words separated by whitespace.
--json prints one line per epoch {"epoch", "loss", "words_per_second"} and ends with
{"words_per_second", "train_seconds", "vocab_size", ...}.
"""

QUERY_EPILOG = """examples:
  seqlab embed similar glove frog                   # glove: a data set (seqlab data list)
  seqlab embed analogy glove man woman king          # man is to woman as king is to ?
  seqlab embed analogy glove man woman king -n 3 --json   # {"results": [[word, score], ...]}
"""

EVALUATE_EPILOG = """examples:
  W=word_similarity_analogy
  seqlab embed evaluate vectors.txt --analogies $W --similarity $W:wordsim353 $W:simlex999 --json
"""

PLOT_EPILOG = """examples:
  seqlab embed plot vectors.txt king queen man woman paris france rome italy --plot map.png
  seqlab embed plot vectors.txt -n 300 --method tsne --plot map.png
"""

DEBIAS_EPILOG = """examples:
  seqlab embed debias glove --out debiased.txt
Bolukbasi et al. 2016 hard debiasing with the word lists shipped in seqlab.
"""


def register(sub: argparse._SubParsersAction) -> None:
    group = sub.add_parser("embed", help="word embeddings: train, query, evaluate, plot, debias")
    verbs = group.add_subparsers(dest="verb", metavar="VERB", required=True)
    raw = argparse.RawDescriptionHelpFormatter

    p = verbs.add_parser(
        "train",
        help="train word vectors on a text corpus",
        epilog=TRAIN_EPILOG,
        formatter_class=raw,
    )
    _add_train_flags(p)
    p.set_defaults(func=run_train)
    data_args(p, "corpus")

    p = verbs.add_parser(
        "similar",
        help="nearest words by cosine similarity",
        epilog=QUERY_EPILOG,
        formatter_class=raw,
    )
    p.add_argument("vectors", help="word2vec text/binary or GloVe file")
    p.add_argument("words", nargs="+", metavar="WORD", help="one word, or several (summed)")
    p.add_argument(
        "--negative-words", nargs="*", default=[], metavar="WORD", help="words to subtract"
    )
    _add_query_flags(p)
    p.set_defaults(func=run_similar)
    data_args(p, "vectors")

    p = verbs.add_parser(
        "analogy", help="a is to b as c is to ?", epilog=QUERY_EPILOG, formatter_class=raw
    )
    p.add_argument("vectors", help="word2vec text/binary or GloVe file")
    p.add_argument("a")
    p.add_argument("b")
    p.add_argument("c")
    p.add_argument("--cosmul", action="store_true", help="3CosMul instead of 3CosAdd")
    _add_query_flags(p)
    p.set_defaults(func=run_analogy)
    data_args(p, "vectors")

    p = verbs.add_parser(
        "evaluate",
        help="analogy accuracy and word-similarity Spearman",
        epilog=EVALUATE_EPILOG,
        formatter_class=raw,
    )
    p.add_argument("vectors", help="word2vec text/binary or GloVe file")
    p.add_argument("--analogies", help="questions-words.txt style file")
    p.add_argument(
        "--similarity",
        nargs="*",
        default=[],
        metavar="FILE",
        help="word pairs with human scores (TSV or space separated)",
    )
    p.add_argument(
        "--restrict-vocab",
        type=int,
        default=30000,
        help="analogies: only the most frequent N words (default: 30000)",
    )
    lowercase = p.add_argument("--lowercase", action=Switch, default=True,
                               help="compare words lower-cased (default: --lowercase)")  # fmt: skip
    deprecated_alias(p, "--case-sensitive", lowercase, value=False, new="--no-lowercase")
    p.add_argument("--json", action="store_true", help="one JSON line")
    p.set_defaults(func=run_evaluate)
    data_args(p, "vectors", "analogies", "similarity")

    p = verbs.add_parser(
        "plot",
        help="2-D map of words (PCA or t-SNE) as PNG",
        epilog=PLOT_EPILOG,
        formatter_class=raw,
    )
    p.add_argument("vectors", help="word2vec text/binary or GloVe file")
    p.add_argument("words", nargs="*", metavar="WORD", help="words to place (default: -n)")
    n = p.add_argument("-n", type=int, default=100, help="with no WORDs: the N most frequent "
                       "words, punctuation left out (default: 100)")  # fmt: skip
    deprecated_alias(p, "--top", n)
    p.add_argument(
        "--method",
        choices=("pca", "tsne"),
        default="pca",
        help="principal components, or scikit-learn's t-SNE (default: pca)",
    )
    p.add_argument("--perplexity", type=float, default=30.0, help="t-SNE perplexity")
    p.add_argument("--seed", type=int, default=0, help="t-SNE's random seed")
    plot = p.add_argument("--plot", required=True, metavar="PNG", help="the PNG to write")
    deprecated_alias(p, "--out", plot)
    p.add_argument("--json", action="store_true", help='{"words", "coordinates", "plot"}')
    p.set_defaults(func=run_plot)
    data_args(p, "vectors")

    p = verbs.add_parser(
        "debias",
        help="remove the gender direction from neutral words",
        epilog=DEBIAS_EPILOG,
        formatter_class=raw,
    )
    p.add_argument("vectors", help="word2vec text/binary or GloVe file")
    p.add_argument("--out", required=True, help="the debiased vectors to write")
    p.add_argument("--format", choices=("word2vec", "glove", "binary"), default="word2vec")
    p.add_argument("--json", action="store_true", help="the report as one JSON line")
    p.set_defaults(func=run_debias)
    data_args(p, "vectors")


def _add_train_flags(p: argparse.ArgumentParser) -> None:
    p.add_argument("corpus", help="text file: one sentence per line, whitespace-separated words")
    p.add_argument("--method", choices=("skipgram", "cbow", "glove", "nplm"), default="skipgram")
    p.add_argument("--out", required=True, help="the vectors file to write")
    p.add_argument(
        "--format",
        choices=("word2vec", "glove", "binary"),
        default="word2vec",
        help="word2vec text (header 'V dim'), GloVe text or word2vec binary",
    )
    c = p.add_argument_group("corpus")
    c.add_argument("--min-count", type=int, default=5, help="drop rarer words (default: 5)")
    c.add_argument("--max-vocab", type=int, help="keep only the N most frequent words")
    c.add_argument("--lowercase", action=Switch, default=False,
                   help="lowercase the corpus first (default: --no-lowercase)")  # fmt: skip
    c.add_argument("--encoding", default="utf-8")
    t = p.add_argument_group("training (gensim's names; default: each method's own)")
    for flag, kind, text in (
        ("--dim", int, "vector size (100)"),
        ("--window", int, "context window (5; glove 10; nplm: previous words, 4)"),
        ("--negative", int, "negative samples per positive (word2vec: 5; 0 = off)"),
        ("--sample", float, "subsampling threshold for frequent words (word2vec: 1e-3)"),
        ("--epochs", int, "passes over the corpus (5; glove 25)"),
        (
            "--lr",
            float,
            "initial learning rate, word2vec's alpha (word2vec 0.025, glove 0.05, nplm 1e-3)",
        ),
        ("--min-lr", float, "final learning rate, word2vec's min_alpha (word2vec 1e-4)"),
        ("--x-max", float, "glove: cutoff of the weighting f (100)"),
        ("--hidden-size", int, "nplm: hidden units (128)"),
        ("--batch-size", int, "nplm: windows per batch (256)"),
        ("--threads", int, "worker threads (2)"),
        ("--seed", int, "random seed"),
    ):
        action = t.add_argument(flag, type=kind, help=text)
        if flag in ("--lr", "--min-lr"):  # word2vec's names, as seqlab spelled them before
            deprecated_alias(t, flag.replace("lr", "alpha"), action)
    t.add_argument("--hs", action=Switch, default=None,
                   help="hierarchical softmax (word2vec; default: --no-hs)")  # fmt: skip
    p.add_argument("--json", action="store_true", help="JSON lines: each epoch, then a summary")
    p.add_argument("--no-progress", action="store_true", help="no progress bar")


def _add_query_flags(p: argparse.ArgumentParser) -> None:
    n = p.add_argument("-n", type=int, default=10, help="how many answers (default: 10)")
    deprecated_alias(p, "--topn", n)
    p.add_argument("--restrict-vocab", type=int, help="search only the N most frequent words")
    p.add_argument("--json", action="store_true", help='{"results": [[word, score], ...]}')


OPTION_NAMES = (
    "dim",
    "window",
    "negative",
    "hs",
    "sample",
    "epochs",
    "lr",
    "min_lr",
    "x_max",
    "hidden_size",
    "batch_size",
    "threads",
    "seed",
)


def run_train(args: argparse.Namespace) -> int:
    from seqlab.embeddings.corpus import read_corpus
    from seqlab.embeddings.trainers import make_trainer, method_options

    out = Path(args.out)
    if not out.parent.is_dir():
        raise CLIError(f"folder does not exist: {out.parent}")
    if args.max_vocab is not None and args.max_vocab < 1:
        raise CLIError(f"--max-vocab must be at least 1, got {args.max_vocab}")
    options = {name: getattr(args, name) for name in OPTION_NAMES}
    allowed = method_options(args.method)
    for name, value in options.items():
        if value is not None and name not in allowed:
            flags = " ".join("--" + n.replace("_", "-") for n in allowed)
            raise CLIError(
                f"--{name.replace('_', '-')} does not apply to {args.method} (its flags: {flags})"
            )
    trainer = make_trainer(args.method, **options)
    corpus = read_corpus(
        args.corpus,
        min_count=args.min_count,
        max_vocab=args.max_vocab,
        lowercase=args.lowercase,
        encoding=args.encoding,
    )
    epochs = trainer.config.epochs
    if not args.json:
        print(
            f"{args.method}: {corpus.n_tokens:,} tokens, {corpus.n_sentences:,} sentences, "
            f"{len(corpus):,} words (min-count {args.min_count})"
        )
    bar = progress(epochs * corpus.n_tokens, args.method, enabled=not args.no_progress, unit="word")
    bar.unit_scale = True

    def report(stats) -> None:
        line = {
            "epoch": stats.epoch,
            "loss": stats.loss,
            "words_per_second": stats.words_per_second,
        }
        if args.json:
            emit_json(line)
        else:
            bar.write(
                f"epoch {stats.epoch}/{epochs}: loss {stats.loss:.4f}, "
                f"{stats.words_per_second:,.0f} words/s",
                file=sys.stderr,
            )

    start = time.perf_counter()
    with bar:
        stats = trainer.train(corpus, callbacks=[report], on_progress=bar.update)
    total_seconds = time.perf_counter() - start
    seconds = sum(s.seconds for s in stats)  # the epochs alone, not compiling the loop
    trainer.vectors.save(out, format=args.format)
    summary = {
        "method": args.method,
        "words_per_second": epochs * corpus.n_tokens / seconds,
        "train_seconds": seconds,
        "total_seconds": total_seconds,
        "compile_seconds": getattr(trainer, "compile_seconds", 0.0),  # word2vec's loop, once
        "vocab_size": len(corpus),
        "tokens": corpus.n_tokens,
        "epochs": epochs,
        "final_loss": stats[-1].loss,
        "out": str(out),
    }
    if args.json:
        emit_json(summary)
    else:
        print(
            f"{len(corpus):,} vectors of {trainer.config.dim} in {seconds:.1f} s "
            f"({summary['words_per_second']:,.0f} words/s); written to {out} ({args.format})"
        )
        if summary["compile_seconds"] >= 1.0:
            print(f"(before that, {summary['compile_seconds']:.1f} s compiling the training loop: "
                  "once, later runs load it from the cache)")  # fmt: skip
        print(f"next: seqlab embed similar {out} {corpus.words[min(50, len(corpus) - 1)]}")
    return 0


def _load(path: str):
    from seqlab.embeddings import WordVectors

    if not os.path.exists(path):
        raise CLIError(f"vectors file not found: {path}")
    return WordVectors.load(path)


def _print_results(results: list[tuple[str, float]], as_json: bool) -> None:
    if as_json:
        emit_json({"results": [[word, float(score)] for word, score in results]})
        return
    for word, score in results:
        print(f"{word}\t{score:.4f}")


def run_similar(args: argparse.Namespace) -> int:
    wv = _load(args.vectors)
    results = wv.most_similar(
        positive=args.words,
        negative=args.negative_words,
        topn=args.n,
        restrict_vocab=args.restrict_vocab,
    )
    _print_results(results, args.json)
    return 0


def run_analogy(args: argparse.Namespace) -> int:
    wv = _load(args.vectors)
    query = wv.most_similar_cosmul if args.cosmul else wv.most_similar
    results = query(
        positive=[args.b, args.c],
        negative=[args.a],
        topn=args.n,
        restrict_vocab=args.restrict_vocab,
    )
    if not args.json:
        print(f"{args.a} : {args.b} :: {args.c} : ?")
    _print_results(results, args.json)
    return 0


def run_evaluate(args: argparse.Namespace) -> int:
    from seqlab.embeddings import evaluate_analogies, evaluate_similarity

    if not args.analogies and not args.similarity:
        raise CLIError("nothing to evaluate: give --analogies FILE and/or --similarity FILE...")
    wv = _load(args.vectors)
    fold = args.lowercase
    report: dict = {}
    if args.analogies:
        result = evaluate_analogies(
            wv, args.analogies, restrict_vocab=args.restrict_vocab, case_insensitive=fold
        )
        report.update(
            analogy_accuracy=result.accuracy,
            analogy_covered=result.covered,
            analogy_skipped=result.skipped,
        )
        if not args.json:
            print(
                f"analogies: {result.accuracy:.2%} of {result.covered} covered "
                f"({result.skipped} skipped)"
            )
            for name, (correct, total) in result.sections.items():
                print(f"  {name:<32} {correct / max(total, 1):7.2%} of {total}")
    similarity = {}
    for path in args.similarity:
        res = evaluate_similarity(wv, path, case_insensitive=fold)
        similarity[Path(path).stem] = {
            "spearman": res.spearman,
            "covered": res.covered,
            "total": res.total,
        }
        if not args.json:
            print(
                f"{Path(path).stem}: Spearman {res.spearman:.4f} "
                f"({res.covered} of {res.total} pairs)"
            )
    if args.similarity:
        report["similarity"] = similarity
    if args.json:
        emit_json(report)
    return 0


def run_plot(args: argparse.Namespace) -> int:
    from seqlab.embeddings import project

    wv = _load(args.vectors)
    if args.n < 2:
        raise CLIError(f"-n must be at least 2, got {args.n}")
    words = args.words or most_frequent_words(wv.words, args.n)
    words, xy = project(wv, words, method=args.method, perplexity=args.perplexity, seed=args.seed)
    plt = pyplot()
    fig, ax = plt.subplots(figsize=(9, 7))
    ax.scatter(xy[:, 0], xy[:, 1], s=8, color="tab:blue")
    place_labels(ax, words, xy)
    if args.method == "pca":
        ax.set_xlabel("first principal component")
        ax.set_ylabel("second principal component")
    else:  # t-SNE's axes have no meaning, only the neighbourhoods do
        ax.set_xlabel("t-SNE 1 (only distances between neighbours mean something)")
        ax.set_ylabel("t-SNE 2")
        ax.tick_params(labelbottom=False, labelleft=False)
    ax.set_title(f"{Path(args.vectors).name}: {len(words)} words, {args.method.upper()}")
    out = save_figure(fig, args.plot)
    plt.close(fig)
    if args.json:
        emit_json({"words": words, "coordinates": xy.tolist(), "plot": str(out)})
    else:
        print(f"{len(words)} words placed by {args.method}: {out}")
    return 0


def most_frequent_words(words, n: int) -> list[str]:
    """The first ``n`` words of a frequency-ordered table that hold a letter or a digit:
    punctuation (``,`` ``.`` ``"``) says nothing on a map of meanings."""
    picked = []
    for word in words:
        if any(ch.isalnum() for ch in word):
            picked.append(word)
            if len(picked) == n:
                break
    return picked


def place_labels(ax, words: list[str], xy) -> list:
    """Label each point with its word where the label overlaps no other label: beside the
    point (right, left, above, below, then farther out); a label with no free place is left
    out (the point stays). Returns the labels drawn."""
    from matplotlib.transforms import Bbox

    ax.figure.canvas.draw()  # fixes the axes' limits and the renderer's text sizes
    renderer = ax.figure.canvas.get_renderer()
    taken: list[Bbox] = []
    drawn = []
    offsets = [(dx * r, dy * r) for r in (1, 2, 3)
               for dx, dy in ((3, 2), (-3, 2), (3, -8), (-3, -8), (0, 6), (0, -12))]  # fmt: skip
    for word, (x, y) in zip(words, xy):
        for dx, dy in offsets:
            label = ax.annotate(word, (x, y), xytext=(dx, dy), textcoords="offset points",
                                fontsize=8, ha="left" if dx >= 0 else "right")  # fmt: skip
            box = label.get_window_extent(renderer).expanded(1.05, 1.1)
            if not any(box.overlaps(other) for other in taken):
                taken.append(box)
                drawn.append(label)
                break
            label.remove()
    return drawn


def run_debias(args: argparse.Namespace) -> int:
    from seqlab.embeddings import debias, direct_bias, load_word_list

    wv = _load(args.vectors)
    out = Path(args.out)
    if not out.parent.is_dir():
        raise CLIError(f"folder does not exist: {out.parent}")
    debiased, report = debias(
        wv,
        definitional=load_word_list("definitional_pairs"),
        equalize_pairs=load_word_list("equalize_pairs"),
        gender_specific=load_word_list("gender_specific"),
    )
    professions = [w for w in load_word_list("professions") if w in wv]
    g = report["direction"]
    summary = {
        "direct_bias_before": report["direct_bias_before"],
        "direct_bias_after": report["direct_bias_after"],
        "professions_bias_before": direct_bias(wv, professions, g) if professions else None,
        "professions_bias_after": direct_bias(debiased, professions, g) if professions else None,
        "neutralized": report["neutralized"],
        "equalized": report["equalized"],
        "skipped_pairs": len(report["skipped_pairs"]),
    }
    debiased.save(out, format=args.format)
    summary["out"] = str(out)
    if args.json:
        emit_json(summary)
    else:
        print(
            f"direct bias over {summary['neutralized']:,} neutral words: "
            f"{summary['direct_bias_before']:.4f} -> {summary['direct_bias_after']:.2e}"
        )
        if professions:
            print(
                f"direct bias over {len(professions)} professions: "
                f"{summary['professions_bias_before']:.4f} -> "
                f"{summary['professions_bias_after']:.2e}"
            )
        print(f"{summary['equalized']} pairs equalized; written to {out} ({args.format})")
    return 0
