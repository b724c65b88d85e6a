"""``seqlab translate``: train, run, evaluate, analyze, attention, dates (the encoder-decoder).

One command group, one module (~460 lines): its six verbs share the search flags, the
translator loading and the long-input warnings.
"""

from __future__ import annotations

import argparse
import contextlib
import sys
import warnings
from pathlib import Path

from seqlab.cli._common import (
    CLIError,
    add_config_flags,
    add_model_flags,
    add_output_flags,
    add_trainer_flags,
    auto_threads,
    config_from_args,
    data_args,
    deprecated_alias,
    emit_json,
    load_task_model,
    out_dir_flags,
    pick_device,
    progress,
    read_stdin,
    set_threads,
    train_summary,
)
from seqlab.cli._figures import plot_losses, save_figure
from seqlab.cli._recipes import add_recipe_flag, choose_recipe, trainer_config
from seqlab.seq2seq.config import PRESETS, Seq2SeqConfig, Seq2SeqDataConfig, seq2seq_recipe

TRAIN_EPILOG = """examples:
  seqlab translate dates -n 20000 --out dates.tsv
  seqlab translate dates -n 80000 --styles --out styles.tsv   # composed styles
  seqlab translate train dates.tsv --preset dates --out dates-model
  seqlab translate train multi30k:train.de multi30k:train.en \\
      --dev multi30k:val.de multi30k:val.en --preset multi30k-cpu \\
      --src-lang de --tgt-lang en --out de-en

PAIRS is a TSV of source<TAB>target lines, or two line-aligned files (source, target).
--json prints one line at the end: {"val_loss", "train_seconds", "steps", ...}
"""

RUN_EPILOG = """examples:
  echo "Zwei Hunde spielen im Schnee." | seqlab translate run de-en --beam 5 --alpha 0.7
  seqlab translate run dates-model --beam 3 --json < dates.txt
      # {"src": ..., "hyp": ..., "score": logprob / T_y^alpha, "logprob": ..., "n_unk": ...}
"""

EVALUATE_EPILOG = """examples:
  seqlab translate evaluate de-en test.de test.en --beam 5      # BLEU, sacrebleu-compatible
  seqlab translate evaluate dates-model held_out.tsv --json     # exact match and BLEU
"""

ANALYZE_EPILOG = """examples:
  seqlab translate analyze de-en val.de val.en --beam 5
  seqlab translate analyze de-en val.de val.en --hyp val.hyp --json

Per sentence: P(y*|x) of the reference vs P(ŷ|x) of the output, length-normalised as the search
ranks them. score(y*) > score(ŷ): the search missed a better translation ("search");
otherwise the model prefers the worse one ("model"). --json prints one object per sentence,
then {"summary": {...}}.
"""

ATTENTION_EPILOG = """example:
  seqlab translate attention dates-model "the 3rd of March 1997" --plot attention.png
"""


def register(sub: argparse._SubParsersAction) -> None:
    group = sub.add_parser("translate", help="encoder-decoder with attention: train, run, ...")
    verbs = group.add_subparsers(dest="verb", metavar="VERB", required=True)
    raw = argparse.RawDescriptionHelpFormatter

    p = verbs.add_parser("train", help="train on sentence pairs", epilog=TRAIN_EPILOG,
                         formatter_class=raw)  # fmt: skip
    p.add_argument("pairs", nargs="+", metavar="PAIRS",
                   help="a TSV file (source<TAB>target), or SOURCE TARGET files")  # fmt: skip
    p.add_argument(
        "--dev",
        nargs="+",
        metavar="FILE",
        help="validation pairs, like PAIRS (default: a random --val-fraction)",
    )
    p.add_argument("--out", required=True, help="the model folder to write")
    add_recipe_flag(p, PRESETS, "dates for short targets, multi30k-cpu for 10,000 sentence pairs "
                    "or more")  # fmt: skip
    p.add_argument("--src-lang", help="source language code (recorded; the word tokenizer is "
                   "the same for every language)")  # fmt: skip
    p.add_argument("--tgt-lang", help="target language code (recorded)")
    p.add_argument("--encoding", default="utf-8", help="the files' encoding")
    add_config_flags(p, Seq2SeqConfig, exclude=["src_vocab_size", "tgt_vocab_size"],
                     group="model")  # fmt: skip
    add_config_flags(p, Seq2SeqDataConfig, group="data")
    add_trainer_flags(p, exclude=["shuffle"])
    add_output_flags(p, "print the summary as one JSON line")
    p.set_defaults(func=run_train)
    data_args(p, "pairs", "dev")

    p = verbs.add_parser("run", help="translate stdin (or --file), one sentence per line",
                         epilog=RUN_EPILOG, formatter_class=raw)  # fmt: skip
    p.add_argument("model", help="a folder written by `seqlab translate train`")
    p.add_argument("--file", help="read sentences from this file instead of stdin")
    _add_search_flags(p)
    n = p.add_argument(
        "-n", type=int, default=1, help="the n best hypotheses per sentence (<= --beam; default: 1)"
    )
    deprecated_alias(p, "--n-best", n)
    p.set_defaults(func=run_run)
    data_args(p, "file")

    p = verbs.add_parser("evaluate", help="BLEU (and exact match) on a test set",
                         epilog=EVALUATE_EPILOG, formatter_class=raw)  # fmt: skip
    p.add_argument("model", help="a folder written by `seqlab translate train`")
    p.add_argument("pairs", nargs="+", metavar="PAIRS", help="TSV, or SOURCE REFERENCE files")
    p.add_argument("--hyp-out", help="also write the translations to this file")
    _add_search_flags(p)
    p.set_defaults(func=run_evaluate)
    data_args(p, "pairs")

    p = verbs.add_parser("analyze", help="error analysis: blame the search or the model",
                         epilog=ANALYZE_EPILOG, formatter_class=raw)  # fmt: skip
    p.add_argument("model", help="a folder written by `seqlab translate train`")
    p.add_argument("src", help="source sentences, one per line")
    p.add_argument("ref", help="reference translations, line-aligned with SRC")
    p.add_argument("--hyp", help="the translations to judge (default: decode SRC now)")
    n = p.add_argument("-n", type=int, default=5, help="examples printed per verdict (default: 5)")
    deprecated_alias(p, "--show", n)
    _add_search_flags(p)
    p.set_defaults(func=run_analyze)
    data_args(p, "src", "ref", "hyp")

    p = verbs.add_parser("attention", help="heat map of the attention weights for a sentence",
                         epilog=ATTENTION_EPILOG, formatter_class=raw)  # fmt: skip
    p.add_argument("model", help="a folder written by `seqlab translate train`")
    p.add_argument("sentence", help="the source sentence")
    plot = p.add_argument("--plot", required=True, metavar="PNG", help="the PNG file to write")
    deprecated_alias(p, "--out", plot)
    _add_search_flags(p)
    p.set_defaults(func=run_attention)

    p = verbs.add_parser("dates", help="generate the date-normalisation task (Faker + Babel)")
    n = p.add_argument("-n", type=int, default=20000, help="pairs to generate (default: 20000)")
    deprecated_alias(p, "--n", n)
    p.add_argument("--out", required=True, help="the TSV file to write (source<TAB>ISO date)")
    p.add_argument(
        "--held-out",
        action="store_true",
        help="use the formats never used for training (with --styles: the held-out style families)",
    )
    p.add_argument(
        "--styles",
        action="store_true",
        help="compose each date's style from parts (order, separators, case, locale names, "
        "noise; see seqlab.seq2seq.date_styles) instead of the 40 registry formats",
    )
    p.add_argument("--seed", type=int, default=0, help="same seed, same pairs")
    p.add_argument("--json", action="store_true", help="print a summary as one JSON line")
    p.set_defaults(func=run_dates)


def _add_search_flags(p: argparse.ArgumentParser) -> None:
    p.add_argument("--beam", type=int, default=5, help="beam size K; 1 = greedy (default: 5)")
    p.add_argument(
        "--alpha",
        type=float,
        default=0.7,
        help="length normalisation: score = logprob / T_y^alpha (default: 0.7)",
    )
    p.add_argument(
        "--max-len",
        type=int,
        default=None,
        help="most output tokens (default: 2 * source length + 10)",
    )
    p.add_argument("--batch-size", type=int, default=64, help="sentences searched together")
    p.add_argument(
        "--on-long",
        choices=("error", "truncate"),
        default="error",
        help="a source longer than the model's max_src_len (default: error)",
    )
    p.add_argument("--encoding", default="utf-8", help="encoding of the input files / stdin")
    p.add_argument("--json", action="store_true", help="one JSON object per line")
    add_model_flags(p)


# --- train -------------------------------------------------------------------------------------


def _read_pairs(files: list[str], flag: str, encoding: str):
    from seqlab.seq2seq import read_pairs

    if len(files) > 2:
        raise CLIError(f"{flag}: give one TSV file or two parallel files, got {len(files)} files")
    return read_pairs(files[0], files[1] if len(files) == 2 else None, encoding=encoding)


def run_train(args: argparse.Namespace) -> int:
    from seqlab.seq2seq import greedy_decode
    from seqlab.seq2seq.train import train_seq2seq

    train_pairs = _read_pairs(args.pairs, "PAIRS", args.encoding)
    val_pairs = _read_pairs(args.dev, "--dev", args.encoding) if args.dev else None
    explicit = getattr(args, "_explicit", set())
    target_chars = sum(len(p[1]) for p in train_pairs) / max(len(train_pairs), 1)
    recipe = choose_recipe(args, PRESETS, seq2seq_recipe(
        n_pairs=len(train_pairs), mean_target_chars=target_chars,
        level=args.level if "level" in explicit else None))  # fmt: skip
    model_cfg = config_from_args(Seq2SeqConfig, args, preset=recipe.part("model"))
    data_cfg = config_from_args(Seq2SeqDataConfig, args, preset=recipe.part("data"))
    set_threads(auto_threads(args.threads, model_cfg.hidden_size))
    show = not args.no_progress and sys.stderr.isatty()
    trainer_cfg = trainer_config(args, recipe, progress=show)
    out = Path(args.out)
    if out.exists() and not out.is_dir():
        raise CLIError(f"--out {out} exists and is not a folder")
    sources = {"pairs": [str(Path(f).resolve()) for f in args.pairs],
               "dev": [str(Path(f).resolve()) for f in args.dev or []],
               "src_lang": args.src_lang, "tgt_lang": args.tgt_lang}  # fmt: skip
    trained = train_seq2seq(train_pairs, model_cfg, data_cfg, trainer_cfg, out,
                            val_pairs=val_pairs, sources=sources,
                            **out_dir_flags(args), callbacks=recipe.callbacks())  # fmt: skip
    plot_file = plot_losses(out, title=f"Encoder-decoder: {out.name}")
    r = trained.result
    summary = train_summary(r, trained.record, out, recipe)
    held = val_pairs or _held_out(trained, train_pairs, data_cfg)
    if held:
        sample = held[:500]
        hyps = greedy_decode(trained.model, [s for s, _ in sample], on_long="truncate")
        summary["val_exact_match"] = sum(h.text == t for h, (_, t) in zip(hyps, sample)) / len(
            sample
        )
        summary["val_sentences_checked"] = len(sample)
    if args.json:
        emit_json(summary)
        return 0
    if r.best_val_loss is not None:
        print(f"validation loss {r.best_val_loss:.4f} nats/token (best at step {r.best_step})")
    if "val_exact_match" in summary:
        print(f"greedy exact match on {summary['val_sentences_checked']} validation pairs: "
              f"{summary['val_exact_match']:.1%}")  # fmt: skip
    print(f"{r.steps} steps, {r.epochs} epochs in {r.elapsed:.0f} s "
          f"(stopped: {r.stopped_because}); model in {out}/")  # fmt: skip
    if plot_file:
        print(f"loss curves: {plot_file}")
    print(f"next: echo 'a sentence' | seqlab translate run {out}")
    return 0


def _held_out(trained, train_pairs, data_cfg):
    """The validation pairs the random split held out (same seed as training used)."""
    from seqlab.seq2seq import split_pairs

    if data_cfg.val_fraction <= 0:
        return []
    return split_pairs(train_pairs, data_cfg.val_fraction, seed=data_cfg.split_seed)[1]


# --- using a model -----------------------------------------------------------------------------


def load_translator(folder: str, device: str = "cpu"):
    """The encoder-decoder of a folder, on ``--device``; a clear error for anything else."""
    _warned.clear()  # a new command (tests run several in one process) warns afresh
    return load_task_model(folder, "seq2seq", "a translation model", pick_device(device))


def _lines(text: str, what: str) -> list[str]:
    lines = text.split("\n")
    if lines and lines[-1] == "":
        lines.pop()
    for i, line in enumerate(lines, 1):
        if not line.strip():
            raise CLIError(f"{what}: line {i} is empty (every line must hold a sentence)")
    if not lines:
        raise CLIError(f"{what}: no sentences")
    return lines


def _search(model, sources: list[str], args: argparse.Namespace, n_best: int = 1):
    """Beam search with the command's flags; alpha warnings become one stderr line."""
    from seqlab.seq2seq import beam_search

    if args.beam < 1:
        raise CLIError(f"--beam must be at least 1, got {args.beam}")
    show = len(sources) > args.batch_size and sys.stderr.isatty() and not args.no_progress
    with _one_line_warnings(), progress(len(sources), "translating", enabled=show,
                                        unit="sent") as bar:  # fmt: skip
        found = beam_search(model, sources, beam_size=args.beam, alpha=args.alpha,
                            max_len=args.max_len, n_best=n_best, batch_size=args.batch_size,
                            on_long=args.on_long, on_batch=bar.update)  # fmt: skip
    return found


_warned: set[str] = set()


@contextlib.contextmanager
def _one_line_warnings():
    """Library warnings become one ``seqlab: warning:`` line each, printed once per command."""
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        try:
            yield
        finally:
            for w in caught:
                text = str(w.message)
                if text not in _warned:
                    _warned.add(text)
                    print(f"seqlab: warning: {text}", file=sys.stderr)


def _warn_unknown(model, sources: list[str], on_long: str) -> list[int]:
    """Unknown source tokens per sentence; one warning line when there are any."""
    counts = []
    for s in sources:
        try:
            counts.append(model.source_ids(s, on_long=on_long)[1])
        except ValueError:
            counts.append(0)  # the search reports it with the sentence number
    total = sum(counts)
    if total:
        print(f"seqlab: warning: {total} source token(s) in {sum(c > 0 for c in counts)} "
              "sentence(s) are not in the model's vocabulary (read as <unk>)",
              file=sys.stderr)  # fmt: skip
    long = [i + 1 for i, s in enumerate(sources)
            if len(model.src_tokenizer.tokenize(s)) > model.config.max_src_len]  # fmt: skip
    if long and on_long == "truncate":
        print(f"seqlab: warning: {len(long)} source(s) truncated to "
              f"{model.config.max_src_len} tokens (first: line {long[0]})",
              file=sys.stderr)  # fmt: skip
    return counts


def run_run(args: argparse.Namespace) -> int:
    from seqlab.datasets import read_text

    set_threads(args.threads)
    model = load_translator(args.model, args.device)
    if args.beam < 1:
        raise CLIError(f"--beam must be at least 1, got {args.beam}")
    if args.n < 1 or args.n > args.beam:
        raise CLIError(f"-n must be in [1, --beam={args.beam}], got {args.n}")
    text = read_text(args.file, encoding=args.encoding) if args.file else read_stdin(args.encoding)
    sources = _lines(text, args.file or "stdin")
    unk = _warn_unknown(model, sources, args.on_long)
    found = _search(model, sources, args, n_best=args.n)
    for src, hyps, n_unk in zip(sources, found, unk):
        best = hyps[0]
        if args.json:
            obj = {"src": src, "hyp": best.text, "score": best.score, "logprob": best.logprob,
                   "finished": best.finished, "n_unk": n_unk}  # fmt: skip
            if args.n > 1:
                obj["n_best"] = [{"hyp": h.text, "score": h.score, "logprob": h.logprob}
                                 for h in hyps]  # fmt: skip
            emit_json(obj)
        elif args.n > 1:
            for h in hyps:
                print(f"{h.score:.4f}\t{h.text}")
            print()
        else:
            print(best.text)
    return 0


def run_evaluate(args: argparse.Namespace) -> int:
    from seqlab._atomic import atomic_write_text
    from seqlab.metrics import corpus_bleu

    set_threads(args.threads)
    model = load_translator(args.model, args.device)
    pairs = _read_pairs(args.pairs, "PAIRS", args.encoding)
    sources, refs = [s for s, _ in pairs], [t for _, t in pairs]
    _warn_unknown(model, sources, args.on_long)
    hyps = [h[0].text for h in _search(model, sources, args)]
    bleu = corpus_bleu(hyps, [refs])
    exact = sum(h == r for h, r in zip(hyps, refs)) / len(refs)
    if args.hyp_out:
        atomic_write_text(args.hyp_out, "".join(h + "\n" for h in hyps))
    summary = {"bleu": bleu.score, "exact_match": exact, "n": len(refs),
               "beam": args.beam, "alpha": args.alpha, "precisions": bleu.precisions,
               "bp": bleu.bp, "sys_len": bleu.sys_len, "ref_len": bleu.ref_len}  # fmt: skip
    if args.json:
        emit_json(summary)
        return 0
    print(bleu.format())
    print(f"exact match {exact:.2%} of {len(refs)} sentences (beam {args.beam}, "
          f"alpha {args.alpha})")  # fmt: skip
    return 0


def run_analyze(args: argparse.Namespace) -> int:
    from seqlab.datasets import read_text
    from seqlab.seq2seq import error_analysis

    set_threads(args.threads)
    model = load_translator(args.model, args.device)
    sources = _lines(read_text(args.src, encoding=args.encoding), args.src)
    refs = _lines(read_text(args.ref, encoding=args.encoding), args.ref)
    if len(sources) != len(refs):
        raise CLIError(f"{args.src} has {len(sources)} lines but {args.ref} has {len(refs)}")
    if args.hyp:
        hyps = _lines(read_text(args.hyp, encoding=args.encoding), args.hyp)
        if len(hyps) != len(sources):
            raise CLIError(f"{args.hyp} has {len(hyps)} lines but {args.src} has {len(sources)}")
    else:  # the ids the search found (their text could hold "<unk>", which re-tokenizes)
        hyps = [h[0].ids for h in _search(model, sources, args)]
    with _one_line_warnings():
        report = error_analysis(model, sources, refs, hyps, alpha=args.alpha,
                                batch_size=args.batch_size, on_long=args.on_long)  # fmt: skip
    if args.json:
        for row in report.sentences:
            emit_json(row.to_json())
        emit_json({"summary": report.summary()})
        return 0
    s = report.summary()
    wrong = s["search"] + s["model"]
    print(f"{s['n']} sentences: {s['correct']} translated exactly, {wrong} not.")
    print(f"Of the {wrong} wrong ones, the search is to blame for {s['search']} "
          f"({s['search_fraction']:.0%}) and the model for {s['model']} "
          f"({s['model_fraction']:.0%}) (alpha {args.alpha}).")  # fmt: skip
    if s["search_fraction"] > 0.5:
        print("Mostly search errors: a larger beam (--beam) should help.")
    elif wrong:
        print("Mostly model errors: more data, a bigger model or regularisation should help.")
    for verdict in ("search", "model"):
        rows = [r for r in report.sentences if r.verdict == verdict][: args.n]
        if rows:
            print(f"\nblamed on the {verdict}:")
        for r in rows:
            print(f"  source     {r.source}\n  reference  {r.reference}  "
                  f"(score {r.ref_score:.3f})\n  output     {r.hypothesis}  "
                  f"(score {r.hyp_score:.3f})")  # fmt: skip
    return 0


def run_attention(args: argparse.Namespace) -> int:
    from seqlab.seq2seq import attention_figure

    set_threads(args.threads)
    model = load_translator(args.model, args.device)
    if not model.config.attention:
        raise CLIError(f"{args.model} was trained without attention (--no-attention)")
    if not args.sentence.strip():
        raise CLIError("the sentence is empty")
    hyp = _search(model, [args.sentence], args)[0][0]
    src_tokens = model.src_tokenizer.tokenize(args.sentence)[: model.config.max_src_len]
    fig = attention_figure(hyp.attention, src_tokens, hyp.output_tokens, title=hyp.text)
    path = save_figure(fig, args.plot)
    if args.json:
        emit_json({"src": args.sentence, "hyp": hyp.text, "score": hyp.score, "plot": str(path),
                   "attention": hyp.attention.tolist()})  # fmt: skip
    else:
        print(hyp.text)
        print(f"attention map: {path}")
    return 0


def run_dates(args: argparse.Namespace) -> int:
    from seqlab.seq2seq.dates import HELD_OUT_FORMATS, TRAIN_FORMATS, date_pairs, write_tsv

    if args.n < 1:
        raise CLIError(f"-n must be at least 1, got {args.n}")
    if args.styles:
        from seqlab.seq2seq.date_styles import date_style_pairs, split_styles

        split = "held_out" if args.held_out else "train"
        pairs = [(s, t) for s, t, _ in date_style_pairs(args.n, seed=args.seed, split=split)]
        n_styles = len(split_styles(split))
        what = f"{n_styles} composed styles"
    else:
        formats = HELD_OUT_FORMATS if args.held_out else TRAIN_FORMATS
        pairs = date_pairs(args.n, formats=list(formats), seed=args.seed)
        what, n_styles = f"{len(formats)} formats", len(formats)
    write_tsv(pairs, args.out)
    if args.json:
        emit_json({"out": args.out, "n": len(pairs), "formats": n_styles,
                   "held_out": args.held_out, "styles": args.styles,
                   "seed": args.seed})  # fmt: skip
    else:
        print(f"{len(pairs)} pairs in {what} -> {args.out}")
        for s, t in pairs[:3]:
            print(f"  {s}\t{t}")
    return 0
