"""``seqlab classify train | predict | evaluate | explain``: sentence classification (many-to-one).

Character level (``--level char``) reads each text as a sequence of characters, e.g. DNA. With
``--alphabet auto`` (the default) a character-level model whose training texts look like DNA
(90% or more of their characters ACGT) checks every text against the IUPAC letters, in
training files, predict's input and explain's sequence alike; ``--alphabet dna`` asks for that
check, ``--alphabet any`` turns it off. A letter outside IUPAC is an error naming the line,
the position and the letter (exit code 2).
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from seqlab.classify.config import (
    PRESETS,
    ClassifierConfig,
    ClassifierDataConfig,
    classifier_recipe,
)
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
    deprecated_alias,
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
from seqlab.cli._figures import plot_losses, pyplot, save_figure
from seqlab.cli._recipes import add_recipe_flag, choose_recipe, trainer_config

TRAIN_EPILOG = """examples:
  seqlab classify train emojify --preset emojify-average --vectors glove --out emoji-avg
  seqlab classify train sst2 --dev sst2:dev --preset sst2 --vectors glove --out sst2-model
  seqlab classify train reviews.tsv --model rnn --cell gru --hidden-size 64 --out reviews
  seqlab classify train dna_splice --format splice --preset splice --out splice
  seqlab classify train dna.tsv --level char --model rnn --out dna   # label<TAB>ACGT...

Files: TSV (label<TAB>text, header optional; GLUE's sentence<TAB>label with its header), SST
("label text"), the Emojify CSV (sentence,label), UCI splice.data (class, name, sequence:
--format splice); --format picks one, auto guesses (all but splice).
--json prints one line at the end: {"val_accuracy", "val_loss", "train_seconds", ...}
"""

PREDICT_EPILOG = """examples:
  echo "I love you" | seqlab classify predict emoji-avg
  seqlab classify predict sst2 --file sentences.txt --json   # {"text", "label", "prob"}
"""

EXPLAIN_EPILOG = """examples:
  seqlab classify explain splice CCAGCTGCATCACAGGAGGCCAGCGAGCAGGTCTGTTCCAAGGGCCTTCGAGCCAGTCTG \\
      --plot saliency.png
  seqlab classify explain sst2 "a gripping , funny film" --json  # {"label", "prob", "saliency"}

Saliency is gradient x input on the embeddings: for the class's logit z_c and each position t,
s_t = sum_k dz_c/de_tk * e_tk (positive: the token pushed towards the class).
"""

EVALUATE_EPILOG = """examples:
  seqlab classify evaluate emoji-avg emojify:test --plot confusion.png
  seqlab classify evaluate sst2 stsa.binary.test --json  # {"accuracy", "per_class", ...}
"""

FORMATS = ("auto", "tsv", "sst", "emojify", "splice")
CLASSIFIER_PRESETS = tuple(name for name in PRESETS if not name.startswith("conll"))


def register(sub: argparse._SubParsersAction) -> None:
    group = sub.add_parser("classify", help="sentence classifiers: train, predict, evaluate")
    verbs = group.add_subparsers(dest="verb", metavar="VERB", required=True)
    raw = argparse.RawDescriptionHelpFormatter

    p = verbs.add_parser(
        "train", help="train on labelled sentences", epilog=TRAIN_EPILOG, formatter_class=raw
    )
    p.add_argument("train", help="labelled sentences (TSV, SST or Emojify CSV)")
    p.add_argument("--dev", help="validation sentences (default: a random --val-fraction)")
    p.add_argument("--out", required=True, help="the model folder to write")
    add_recipe_flag(p, CLASSIFIER_PRESETS, "by the data: DNA windows, a small set with "
                    "--vectors, or a large set")  # fmt: skip
    p.add_argument("--vectors", help="pretrained word vectors (GloVe or word2vec format)")
    _add_file_flags(p)
    add_config_flags(p, ClassifierConfig, exclude=["vocab_size", "n_classes"], group="model")
    add_config_flags(p, ClassifierDataConfig, group="data")
    add_trainer_flags(p, exclude=["shuffle"])
    add_output_flags(p, "print the summary as one JSON line")
    p.set_defaults(func=run_train)
    data_args(p, "train", "dev", "vectors")

    p = verbs.add_parser(
        "predict",
        help="label each line of stdin (or --file)",
        epilog=PREDICT_EPILOG,
        formatter_class=raw,
    )
    p.add_argument("model", help="a folder written by `seqlab classify train`")
    p.add_argument("--file", help="read sentences from this file instead of stdin")
    p.add_argument("--encoding", default="utf-8", help="encoding of the input")
    p.add_argument("--json", action="store_true", help='one {"text", "label", "prob"} per line')
    _add_ensemble_flag(p)
    add_model_flags(p)
    add_on_long_flag(p)
    p.set_defaults(func=run_predict)
    data_args(p, "file")

    p = verbs.add_parser(
        "evaluate",
        help="accuracy, per-class P/R/F1, confusion matrix",
        epilog=EVALUATE_EPILOG,
        formatter_class=raw,
    )
    p.add_argument("model", help="a folder written by `seqlab classify train`")
    p.add_argument("test", help="labelled sentences, in any format train reads")
    p.add_argument("--plot", help="draw the confusion matrix to this PNG file")
    _add_file_flags(p)
    p.add_argument("--json", action="store_true", help="print the scores as one JSON line")
    add_on_long_flag(p)
    _add_ensemble_flag(p)
    add_model_flags(p)
    p.set_defaults(func=run_evaluate)
    data_args(p, "test")

    p = verbs.add_parser(
        "explain",
        help="which tokens (nucleotides, words) drove the decision: saliency per position",
        epilog=EXPLAIN_EPILOG,
        formatter_class=raw,
    )
    p.add_argument("model", help="a folder written by `seqlab classify train`")
    p.add_argument("text", help="the sequence or sentence to explain")
    p.add_argument("--label", help="the class to explain (default: the predicted one)")
    plot = p.add_argument("--plot", metavar="PNG", help="draw the saliency per position as a PNG")
    deprecated_alias(p, "--out", plot)
    p.add_argument("--json", action="store_true", help='one {"label", "prob", "saliency", ...}')
    add_model_flags(p)
    p.set_defaults(func=run_explain)


def _add_file_flags(p: argparse.ArgumentParser) -> None:
    p.add_argument("--format", choices=FORMATS, default="auto", help="file format (default: auto)")
    p.add_argument("--encoding", default="utf-8", help="the files' encoding")


def read_rows(path: str, args: argparse.Namespace, alphabet: str = "any") -> list[tuple[str, str]]:
    """(text, label) rows of a file in ``--format``; DNA checked when ``alphabet`` is "dna"."""
    from seqlab.datasets import read_labelled
    from seqlab.datasets.dna import read_splice

    if args.format == "splice":
        return read_splice(path, encoding=args.encoding)
    return read_labelled(path, format=args.format, encoding=args.encoding, alphabet=alphabet)


def run_train(args: argparse.Namespace) -> int:
    import dataclasses

    from seqlab.classify import resolve_alphabet, train_classifier

    rows = read_rows(args.train, args)
    texts = [t for t, _ in rows]
    recipe = choose_recipe(args, {n: PRESETS[n] for n in CLASSIFIER_PRESETS},
                           _classifier_recipe(args, texts))  # fmt: skip
    model_preset = recipe.part("model")
    if model_preset.get("pool") == "concat" and len({len(t) for t in texts}) == 1:
        model_preset["n_steps"] = len(texts[0])  # the windows' length (the splice recipe: 60)
    model_cfg = config_from_args(ClassifierConfig, args, preset=model_preset)
    data_cfg = config_from_args(ClassifierDataConfig, args, preset=recipe.part("data"))
    alphabet = resolve_alphabet(model_cfg.alphabet, data_cfg.level, texts)
    if alphabet == "dna":  # again, so that a bad letter is reported with its line
        rows = read_rows(args.train, args, "dna")
    dev = read_rows(args.dev, args, alphabet) if args.dev else None
    model_cfg = dataclasses.replace(model_cfg, alphabet=alphabet)
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
        "format": _file_format(args.train, args),  # e.g. emojify: its classes have names
        "recipe": recipe.name,
    }
    trained = train_classifier(
        rows,
        model_cfg,
        data_cfg,
        trainer_cfg,
        out,
        val_rows=dev,
        vectors=vectors,
        sources=sources,
        **out_dir_flags(args),
        callbacks=recipe.callbacks(),
    )
    unit = "sequence" if alphabet == "dna" else "sentence"
    plot_file = plot_losses(out, title=f"Classifier: {out.name}",
                            ylabel=f"loss (nats per {unit})")  # fmt: skip
    r = trained.result
    summary = train_summary(r, trained.record, out, recipe)
    if trained.scores:
        summary["val_accuracy"] = trained.scores["accuracy"]
    if args.json:
        emit_json(summary)
        return 0
    if vectors is not None:
        print(
            f"pretrained vectors for {trained.record['vectors_found']} of "
            f"{trained.record['vocab_size']} vocabulary words ({args.vectors})"
        )
    if r.best_val_loss is not None:
        print(
            f"validation loss {r.best_val_loss:.4f} (best at step {r.best_step}), "
            f"accuracy {trained.scores['accuracy']:.1%} on {trained.record['val_sentences']} "
            f"{unit}s"
        )
    print_train_footer(r, out, plot_file, f"echo 'a {unit}' | seqlab classify predict {out}")
    return 0


def _classifier_recipe(args: argparse.Namespace, texts: list[str]) -> tuple[str | None, str]:
    """(recipe, reason) for these training texts: the facts classifier_recipe decides on."""
    from seqlab.datasets.dna import looks_like_dna

    explicit = getattr(args, "_explicit", set())
    level = args.level if "level" in explicit else None
    lengths = {len(t) for t in texts}
    one_length = len(lengths) == 1 and level != "word" and looks_like_dna(texts)
    return classifier_recipe(
        n_train=len(texts),
        level=level,
        dna_length=lengths.pop() if one_length else None,
        model=args.model if "model" in explicit else None,
        has_vectors=args.vectors is not None,
    )


def _file_format(path: str, args: argparse.Namespace) -> str:
    """The format a labelled file is read in (``--format``, or the one auto picks)."""
    from seqlab.datasets.labelled import labelled_format

    if args.format != "auto":
        return args.format
    return labelled_format(path, encoding=args.encoding)


def shown(label: str, names: dict[str, str]) -> str:
    """A label as the user reads it: ``0 heart`` when it has a name, else as it is."""
    return f"{label} {names[label]}" if label in names else label


def load_classifier(folder: str, device: str = "cpu"):
    """The classifier of a folder, on ``--device``; a clear error for anything else."""
    return load_task_model(folder, "classify", "a sentence classifier", pick_device(device))


def _add_ensemble_flag(p: argparse.ArgumentParser) -> None:
    p.add_argument("--ensemble", nargs="+", default=[], metavar="MODEL",
                   help="more classifier folders of the same labels (e.g. other seeds): "
                   "average all the models' probabilities")  # fmt: skip


def load_classifiers(args: argparse.Namespace):
    """The model folder's classifier, or with --ensemble the ensemble of all the folders."""
    if not args.ensemble:
        return load_classifier(args.model, args.device)
    return load_ensemble([args.model, *args.ensemble], "--ensemble", args.device)


def load_ensemble(folders: list[str], flag: str, device: str = "cpu"):
    """The classifiers of these folders as one ClassifierEnsemble (one model is an ensemble of
    one); a mismatch between them is an error naming the flag."""
    from seqlab.classify import ClassifierEnsemble

    models = [load_classifier(folder, device) for folder in folders]
    try:
        return ClassifierEnsemble(models)
    except ValueError as error:
        raise CLIError(f"{flag}: {error}") from None


def run_predict(args: argparse.Namespace) -> int:
    set_threads(args.threads)
    model = load_classifiers(args)
    lines = input_lines(args.file, args.encoding)
    for i, line in enumerate(lines, 1):
        try:
            model.tokenize(line, on_long=args.on_long)
        except ValueError as error:
            raise CLIError(f"{args.file or 'stdin'}: line {i}: {error}") from None
    from seqlab.classify import class_names

    names = class_names(args.model, [str(label) for label in model.labels])
    n_unk = 0
    for p in model.predict(lines, on_long=args.on_long):
        n_unk += p.n_unk
        if args.json:
            name = {"name": names[p.label]} if p.label in names else {}
            emit_json({"text": p.text, "label": p.label, **name, "prob": p.prob, "n_unk": p.n_unk})
        else:
            print(f"{shown(p.label, names)}\t{p.prob:.4f}\t{p.text}")
    if n_unk:
        print(
            f"seqlab: warning: {n_unk} word(s) not in the model's vocabulary (read as <unk>)",
            file=sys.stderr,
        )
    return 0


def run_evaluate(args: argparse.Namespace) -> int:
    from seqlab.classify import class_names, evaluate_classifier

    set_threads(args.threads)
    model = load_classifiers(args)
    rows = read_rows(args.test, args, "dna" if model.config.alphabet == "dna" else "any")
    scores, _ = evaluate_classifier(model, rows, on_long=args.on_long)
    names = class_names(args.model, [str(label) for label in scores.labels])
    plot = (plot_confusion(scores, args.plot, title=Path(args.test).name, names=names)
            if args.plot else None)  # fmt: skip
    if args.json:
        per_class = {
            str(k): {"precision": v.precision, "recall": v.recall, "f1": v.f1, "support": v.support}
            for k, v in scores.per_class.items()
        }
        emit_json(
            {
                "accuracy": scores.accuracy,
                "macro_f1": scores.macro_f1,
                "per_class": per_class,
                "labels": [str(x) for x in scores.labels],
                **({"names": [names[str(x)] for x in scores.labels]} if names else {}),
                "confusion": scores.confusion,
                "n": len(rows),
                "plot": str(plot) if plot else None,
            }
        )
        return 0
    print(scores.format())
    print(format_confusion(scores, names))
    if plot:
        print(f"confusion matrix: {plot}")
    return 0


def format_confusion(scores, names: dict[str, str] | None = None) -> str:
    """The confusion matrix as text: one row per true label (with its name, if it has one),
    one column per prediction."""
    labels = [str(x) for x in scores.labels]
    rows = [shown(x, names or {}) for x in labels]
    width = max(6, *(len(x) for x in labels), *(len(str(v)) for r in scores.confusion for v in r))
    first = max(width, *(len(x) for x in rows))
    lines = ["confusion matrix (rows: true label, columns: predicted)",
             " " * first + " " + " ".join(f"{x:>{width}}" for x in labels)]  # fmt: skip
    for label, row in zip(rows, scores.confusion):
        lines.append(f"{label:>{first}} " + " ".join(f"{v:>{width}}" for v in row))
    return "\n".join(lines)


def plot_confusion(scores, path: str, *, title: str = "", names: dict[str, str] | None = None):
    """Draw the confusion matrix (rows: true label, columns: predicted) as a PNG; the classes
    by their names where they have one."""
    import numpy as np

    plt = pyplot()
    labels = [shown(str(x), names or {}) for x in scores.labels]
    m = np.array(scores.confusion)
    fig, ax = plt.subplots(figsize=(1.0 + 0.6 * len(labels), 0.8 + 0.6 * len(labels)))
    ax.imshow(m, cmap="Blues")
    ax.set_xticks(range(len(labels)), labels, rotation=30 if names else 0,
                  ha="right" if names else "center")  # fmt: skip
    ax.set_yticks(range(len(labels)), labels)
    ax.set_xlabel("predicted")
    ax.set_ylabel("true")
    for i in range(len(labels)):
        for j in range(len(labels)):
            color = "white" if m[i, j] > m.max() / 2 else "black"
            ax.text(j, i, str(m[i, j]), ha="center", va="center", color=color)
    ax.set_title(f"{title}: accuracy {scores.accuracy:.1%}" if title else "")
    out = save_figure(fig, path)
    plt.close(fig)
    return out


def run_explain(args: argparse.Namespace) -> int:
    from seqlab.classify import explain

    set_threads(args.threads)
    model = load_classifier(args.model, args.device)
    try:
        result = explain(model, args.text, label=args.label)
    except ValueError as error:
        raise CLIError(f"SEQUENCE: {error}") from None
    plot = plot_saliency(result, args.plot) if args.plot else None
    if args.json:
        emit_json(
            {
                "label": result.label,
                "prob": result.prob,
                "tokens": result.tokens,
                "saliency": result.saliency,
                "plot": str(plot) if plot else None,
            }
        )
        return 0
    print(f"{result.label}\t{result.prob:.4f}")
    top = sorted(range(len(result.tokens)), key=lambda t: -abs(result.saliency[t]))[:10]
    print("most salient positions (1-based): " + ", ".join(
        f"{t + 1}:{result.tokens[t]} {result.saliency[t]:+.3f}" for t in sorted(top)))  # fmt: skip
    if plot:
        print(f"saliency plot: {plot}")
    return 0


def plot_saliency(result, path: str) -> Path:
    """Bars of the saliency per position, the tokens on the x axis (red: towards the class)."""
    plt = pyplot()
    T = len(result.tokens)
    fig, ax = plt.subplots(figsize=(max(6.0, 0.2 * T + 1.0), 3.0))
    colors = ["tab:red" if v > 0 else "tab:blue" for v in result.saliency]
    ax.bar(range(T), result.saliency, color=colors, width=0.8)
    ax.axhline(0.0, color="black", linewidth=0.5)
    ax.set_xticks(range(T), result.tokens, fontsize=7 if T > 30 else 9, family="monospace")
    ax.set_xlim(-0.6, T - 0.4)
    every = 1 if T <= 20 else 10  # positions (1-based) along the top, every 10th when long
    at = [t for t in range(T) if (t + 1) % every == 0 or t == 0]
    top = ax.secondary_xaxis("top")
    top.set_xticks(at, [str(t + 1) for t in at], fontsize=7)
    top.set_xlabel("position", fontsize=8)
    ax.set_ylabel("gradient x input")
    ax.set_title(f"saliency for {result.label} (p = {result.prob:.3f})", pad=22)
    out = save_figure(fig, path)
    plt.close(fig)
    return out
