"""``seqlab tag train | predict | evaluate``: named-entity tagging (many-to-many, T_x = T_y)."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from seqlab.classify.config import PRESETS, TaggerConfig, TaggerDataConfig, tagger_recipe
from seqlab.cli._common import (
    CLIError,
    add_config_flags,
    add_model_flags,
    add_on_long_flag,
    add_output_flags,
    add_trainer_flags,
    auto_threads,
    config_from_args,
    data_args,
    emit_json,
    input_lines,
    load_task_model,
    load_vectors,
    out_dir_flags,
    pick_device,
    print_train_footer,
    set_threads,
    train_summary,
)
from seqlab.cli._figures import plot_losses
from seqlab.cli._recipes import add_recipe_flag, choose_recipe, trainer_config

TAGGER_PRESETS = tuple(name for name in PRESETS if name.startswith("conll"))

TRAIN_EPILOG = """examples:
  seqlab tag train conll2003 --dev conll2003:dev --preset conll-cpu --vectors glove --out ner
  seqlab tag train train.conll --crf --char-embedding-size 25 --out ner-small --epochs 5

CoNLL files: one token per line, whitespace-separated columns (the word first, the tag last by
default: --word-column, --tag-column), a blank line between sentences, -DOCSTART- skipped.
Tags that are not valid in --scheme are an error; --repair reads them as conlleval does.
--json prints one line at the end: {"val_f1", "val_loss", "train_seconds", ...}
"""

PREDICT_EPILOG = """examples:
  echo "EU rejects German call to boycott British lamb ." | seqlab tag predict ner
  seqlab tag predict ner --file sentences.txt --json
      # {"tokens": [...], "tags": [...], "entities": [{"text", "type", "start", "end"}]}

Input: one whitespace-tokenized sentence per line. Entity offsets are token indices, end
exclusive.
"""

EVALUATE_EPILOG = """examples:
  seqlab tag evaluate ner conll2003:test
  seqlab tag evaluate ner test.conll --json     # {"precision", "recall", "f1", "per_type", "n"}
  seqlab tag evaluate ner test.conll --write-conll pred.txt   # word gold predicted

Scores are entity-level (an entity counts only with its type and both boundaries right), as
seqeval and conlleval compute them.
"""


def register(sub: argparse._SubParsersAction) -> None:
    group = sub.add_parser("tag", help="sequence taggers (NER): train, predict, evaluate")
    verbs = group.add_subparsers(dest="verb", metavar="VERB", required=True)
    raw = argparse.RawDescriptionHelpFormatter

    p = verbs.add_parser(
        "train", help="train on a CoNLL file", epilog=TRAIN_EPILOG, formatter_class=raw
    )
    p.add_argument("train", help="tagged sentences in CoNLL column format")
    p.add_argument("--dev", help="validation sentences (default: a random --val-fraction)")
    p.add_argument("--out", required=True, help="the model folder to write")
    add_recipe_flag(p, TAGGER_PRESETS, "conll-cpu for 1,000 or more sentences of CoNLL-2003's "
                    "entity types")  # fmt: skip
    p.add_argument("--vectors", help="pretrained word vectors (GloVe or word2vec format)")
    p.add_argument(
        "--repair",
        action="store_true",
        help="read invalid tag sequences as conlleval does instead of failing",
    )
    _add_conll_flags(p)
    add_config_flags(
        p,
        TaggerConfig,
        group="model",
        exclude=["word_vocab_size", "char_vocab_size", "n_tags"],
    )
    add_config_flags(p, TaggerDataConfig, group="data")
    add_trainer_flags(p, exclude=["shuffle"])
    add_output_flags(p, "print the summary as one JSON line")
    p.set_defaults(func=run_train)
    data_args(p, "train", "dev", "vectors")

    p = verbs.add_parser(
        "predict",
        help="tag each line of stdin (or --file)",
        epilog=PREDICT_EPILOG,
        formatter_class=raw,
    )
    p.add_argument("model", help="a folder written by `seqlab tag train`")
    p.add_argument("--file", help="read sentences from this file instead of stdin")
    p.add_argument("--encoding", default="utf-8", help="encoding of the input")
    p.add_argument("--json", action="store_true", help="one JSON object per sentence")
    add_model_flags(p)
    add_on_long_flag(p)
    p.set_defaults(func=run_predict)
    data_args(p, "file")

    p = verbs.add_parser(
        "evaluate",
        help="entity-level precision, recall and F1 (seqeval)",
        epilog=EVALUATE_EPILOG,
        formatter_class=raw,
    )
    p.add_argument("model", help="a folder written by `seqlab tag train`")
    p.add_argument("test", help="tagged sentences in CoNLL column format")
    p.add_argument("--write-conll", help="also write word, gold and predicted tag per line")
    _add_conll_flags(p)
    p.add_argument("--json", action="store_true", help="print the scores as one JSON line")
    add_on_long_flag(p)  # truncate: the first tokens of a long sentence, and their gold tags
    add_model_flags(p)
    p.set_defaults(func=run_evaluate)
    data_args(p, "test")


def _add_conll_flags(p: argparse.ArgumentParser) -> None:
    p.add_argument("--word-column", type=int, default=0, help="column of the words (default: 0)")
    p.add_argument(
        "--tag-column",
        type=int,
        default=-1,
        help="column of the tags; negative counts from the end (default: -1)",
    )
    p.add_argument("--encoding", default="utf-8", help="the files' encoding")


def _read(path: str, args: argparse.Namespace, *, repair: bool = False, scheme: str = "BIO"):
    from seqlab.datasets import TaggedSentence, read_conll
    from seqlab.text import repair_tags

    sentences = read_conll(
        path, word_column=args.word_column, tag_column=args.tag_column, encoding=args.encoding
    )
    if repair:
        sentences = [
            TaggedSentence(s.tokens, repair_tags(s.tags, scheme=scheme)) for s in sentences
        ]
    return sentences


def run_train(args: argparse.Namespace) -> int:
    from seqlab.classify import train_tagger

    scheme = args.scheme
    train = _read(args.train, args, repair=args.repair, scheme=scheme)
    types = {tag.partition("-")[2] for s in train for tag in s.tags if tag != "O"}
    recipe = choose_recipe(args, {n: PRESETS[n] for n in TAGGER_PRESETS},
                           tagger_recipe(n_train=len(train), entity_types=types))  # fmt: skip
    model_cfg = config_from_args(TaggerConfig, args, preset=recipe.part("model"))
    data_cfg = config_from_args(TaggerDataConfig, args, preset=recipe.part("data"))
    if model_cfg.scheme != scheme:  # a recipe's scheme: read the tags again in it
        train = _read(args.train, args, repair=args.repair, scheme=model_cfg.scheme)
    dev = _read(args.dev, args, repair=args.repair, scheme=model_cfg.scheme) if args.dev else None
    set_threads(auto_threads(args.threads, model_cfg.hidden_size))
    show = not args.no_progress and sys.stderr.isatty()
    trainer_cfg = trainer_config(args, recipe, progress=show)
    out = Path(args.out)
    if out.exists() and not out.is_dir():
        raise CLIError(f"--out {out} exists and is not a folder")
    vectors = load_vectors(args.vectors)
    sources = {
        "train": str(Path(args.train).resolve()),
        "dev": str(Path(args.dev).resolve()) if args.dev else None,
        "vectors": str(Path(args.vectors).resolve()) if args.vectors else None,
    }
    trained = train_tagger(
        train,
        model_cfg,
        data_cfg,
        trainer_cfg,
        out,
        val_sentences=dev,
        vectors=vectors,
        sources=sources,
        **out_dir_flags(args),
        callbacks=recipe.callbacks(),
    )
    plot_file = plot_losses(out, title=f"Tagger: {out.name}")
    r = trained.result
    summary = train_summary(r, trained.record, out, recipe)
    if trained.scores:
        summary.update({f"val_{k}": v for k, v in trained.scores.items()})
    if args.json:
        emit_json(summary)
        return 0
    if vectors is not None:
        print(
            f"pretrained vectors for {trained.record['vectors_found']} of "
            f"{trained.record['vocab_size']} vocabulary words ({args.vectors})"
        )
    if trained.scores:
        v = trained.scores
        print(
            f"validation entity F1 {v['f1']:.2%} (precision {v['precision']:.2%}, recall "
            f"{v['recall']:.2%}) on {trained.record['val_sentences']} sentences"
        )
    hint = f"echo 'EU rejects German call .' | seqlab tag predict {out}"
    print_train_footer(r, out, plot_file, hint)
    return 0


def load_tagger(folder: str, device: str = "cpu"):
    """The tagger of a folder, on ``--device``; a clear error for anything else."""
    return load_task_model(folder, "tag", "a sequence tagger", pick_device(device))


def run_predict(args: argparse.Namespace) -> int:
    set_threads(args.threads)
    model = load_tagger(args.model, args.device)
    lines = input_lines(args.file, args.encoding)
    n_unk = 0
    for p in model.predict([_words(line, i, args) for i, line in enumerate(lines, 1)]):
        n_unk += p.n_unk
        if args.json:
            emit_json(p.to_json())
            continue
        marked = list(p.tokens)
        for e in reversed(p.entities):  # brackets from the right keep the offsets valid
            marked[e.start : e.end] = [f"[{' '.join(p.tokens[e.start : e.end])}]{e.type}"]
        print(" ".join(marked))
    if n_unk:
        print(f"seqlab: warning: {n_unk} word(s) not in the model's vocabulary (read as <unk>; "
              "their characters and shape still count)", file=sys.stderr)  # fmt: skip
    return 0


def _words(line: str, i: int, args: argparse.Namespace) -> list[str]:
    """A line's words, at most MAX_TOKENS of them (--on-long)."""
    from seqlab.text.limits import MAX_TOKENS, limit_tokens

    try:
        return limit_tokens(str.split, line, MAX_TOKENS, on_long=args.on_long, what="the line")
    except ValueError as error:
        raise CLIError(f"{args.file or 'stdin'}: line {i}: {error}") from None


def _limited(sentences: list, path: str, on_long: str) -> list:
    """Sentences of at most MAX_TOKENS tokens: a longer one is an error, or its first tokens with
    their gold tags (``--on-long truncate``)."""
    from seqlab.datasets import TaggedSentence
    from seqlab.text.limits import MAX_TOKENS

    kept = []
    for i, s in enumerate(sentences, 1):
        if len(s.tokens) > MAX_TOKENS:
            if on_long == "error":
                raise CLIError(f"{path}: sentence {i} has {len(s.tokens)} tokens, more than the "
                               f"{MAX_TOKENS} allowed (--on-long truncate keeps the first "
                               "ones)")  # fmt: skip
            s = TaggedSentence(s.tokens[:MAX_TOKENS], s.tags[:MAX_TOKENS])
        kept.append(s)
    return kept


def run_evaluate(args: argparse.Namespace) -> int:
    from seqlab.classify import evaluate_tagger
    from seqlab.datasets import write_conll

    set_threads(args.threads)
    if args.write_conll and not Path(args.write_conll).resolve().parent.is_dir():
        raise CLIError(f"folder does not exist: {Path(args.write_conll).parent}")
    model = load_tagger(args.model, args.device)
    sentences = _limited(_read(args.test, args), args.test, args.on_long)
    scores, predicted = evaluate_tagger(model, sentences)
    if args.write_conll:
        write_conll(args.write_conll, sentences, predicted)
    if args.json:
        per_type = {
            k: {"precision": v.precision, "recall": v.recall, "f1": v.f1, "support": v.support}
            for k, v in scores.per_type.items()
        }
        emit_json(
            {
                "precision": scores.precision,
                "recall": scores.recall,
                "f1": scores.f1,
                "per_type": per_type,
                "n": len(sentences),
                "n_true": scores.n_true,
                "n_pred": scores.n_pred,
                "n_correct": scores.n_correct,
            }
        )
        return 0
    print(scores.format())
    if args.write_conll:
        print(f"predictions: {args.write_conll}")
    return 0
