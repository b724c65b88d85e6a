"""``seqlab lm train | sample | score``: the notes' language models from the command line."""

from __future__ import annotations

import argparse
import dataclasses
import json
import math
import sys
from pathlib import Path

from seqlab.cli._common import (
    CLIError,
    add_config_flags,
    add_model_flags,
    add_on_long_flag,
    add_threads_flag,
    add_trainer_flags,
    auto_threads,
    config_from_args,
    data_args,
    emit_json,
    load_task_model,
    out_dir_flags,
    pick_device,
    read_stdin,
    set_threads,
    train_summary,
)
from seqlab.cli._figures import plot_losses
from seqlab.cli._recipes import add_recipe_flag, choose_recipe, trainer_config
from seqlab.lm.config import PRESETS, LMConfig, LMDataConfig, lm_recipe

TRAIN_EPILOG = """examples:
  seqlab lm train --out dinos-lm                      # the bundled dinosaur names
  seqlab lm train input.txt --preset shakespeare-cpu --out shakespeare
  seqlab lm train corpus.txt --level word --cell gru --embedding-size 128 --out word-lm \\
      --max-minutes 10 --eval-every 500 --patience 5
  seqlab lm train input.txt --out shakespeare --resume   # continue a stopped run

--json prints one line at the end: {"val_loss": nats per token, "train_seconds": ..., ...}
"""

SAMPLE_EPILOG = """examples:
  seqlab lm sample dinos-lm -n 10 --temperature 0.8 --seed 1
  seqlab lm sample shakespeare --prefix "ROMEO:" --max-len 300 --seed 1
  seqlab lm sample dinos-lm --json       # {"text": ..., "in_training_set": true|false|null}
"""

SCORE_EPILOG = """examples:
  seqlab lm score dinos-lm "Tyrannosaurus" --tokens
  printf 'the cat sat\\nsat cat the\\n' | seqlab lm score word-lm --json
  seqlab lm score shakespeare --file held_out.txt    # one continuous text, state carried

--json prints one object per sentence:
  {"text", "logprob" (natural log), "n_tokens" (with <eos>), "perplexity", "n_unk"}
"""


def register(sub: argparse._SubParsersAction) -> None:
    group = sub.add_parser("lm", help="language models: train, sample, score")
    verbs = group.add_subparsers(dest="verb", metavar="VERB", required=True)

    p = verbs.add_parser("train", help="train a character or word language model on a text",
                         epilog=TRAIN_EPILOG,
                         formatter_class=argparse.RawDescriptionHelpFormatter)  # fmt: skip
    p.add_argument("corpus", nargs="?", help="a UTF-8 text file (default: the bundled "
                   "dinosaur names, with --preset dinos)")  # fmt: skip
    p.add_argument("--out", required=True, help="the model folder to write")
    add_recipe_flag(p, PRESETS, "dinos for many short lines or no corpus, shakespeare-cpu for a "
                    "long text")  # fmt: skip
    p.add_argument("--encoding", default="utf-8", help="the corpus's encoding")
    add_config_flags(p, LMConfig, exclude=["vocab_size"], group="model")
    add_config_flags(p, LMDataConfig, group="data")
    add_trainer_flags(p, exclude=["shuffle"])
    _add_output_flags(p, progress=True)
    p.set_defaults(func=run_train)
    data_args(p, "corpus")

    p = verbs.add_parser("sample", help="draw new text from a trained model",
                         epilog=SAMPLE_EPILOG,
                         formatter_class=argparse.RawDescriptionHelpFormatter)  # fmt: skip
    p.add_argument("model", help="a model folder written by `seqlab lm train`")
    p.add_argument("-n", type=int, default=10, help="how many samples (default: 10)")
    p.add_argument("--temperature", type=float, default=1.0, help="> 0; lower is more conservative")
    p.add_argument("--top-k", type=int, help="sample only among the k most likely tokens")
    p.add_argument(
        "--max-len",
        type=int,
        default=None,
        help="tokens per sample (default: 100 for sentence models, 500 for streams)",
    )
    p.add_argument("--prefix", default="", help="text that starts every sample")
    p.add_argument("--seed", type=int, help="same seed, same samples")
    p.add_argument("--greedy", action="store_true", help="most likely token each step")
    _add_output_flags(p, progress=False)
    p.set_defaults(func=run_sample)

    p = verbs.add_parser("score", help="log-probability and perplexity of sentences or a file",
                         epilog=SCORE_EPILOG,
                         formatter_class=argparse.RawDescriptionHelpFormatter)  # fmt: skip
    p.add_argument("model", help="a model folder written by `seqlab lm train`")
    p.add_argument("sentences", nargs="*", help="sentences to score (default: stdin, one per line)")
    p.add_argument(
        "--file", help="score this whole file as one text, the state carried across lines"
    )
    p.add_argument("--tokens", action="store_true", help="print every token's log-probability")
    p.add_argument("--encoding", default="utf-8", help="encoding of --file and stdin")
    add_on_long_flag(p, "10000 tokens (sentences; --file reads any length)")
    _add_output_flags(p, progress=False)
    p.set_defaults(func=run_score)
    data_args(p, "file")


def _add_output_flags(p: argparse.ArgumentParser, *, progress: bool) -> None:
    p.add_argument("--json", action="store_true", help="one JSON object per result line")
    if progress:  # train: --device is TrainerConfig's
        p.add_argument("--no-progress", action="store_true", help="no progress bar")
        add_threads_flag(p, auto=True)
    else:
        add_model_flags(p)


# --- train -------------------------------------------------------------------------------------


def run_train(args: argparse.Namespace) -> int:
    from seqlab.datasets import read_text
    from seqlab.lm import dinosaur_names_path
    from seqlab.lm.train import train_language_model

    corpus = args.corpus or str(dinosaur_names_path())
    text = read_text(corpus, encoding=args.encoding)
    explicit = getattr(args, "_explicit", set())
    recipe = choose_recipe(args, PRESETS, lm_recipe(
        n_chars=len(text), n_lines=text.count("\n") + 1,
        level=args.level if "level" in explicit else None))  # fmt: skip
    model_cfg = config_from_args(LMConfig, args, preset=recipe.part("model"))
    data_cfg = config_from_args(LMDataConfig, args, preset=recipe.part("data"))
    set_threads(auto_threads(args.threads, model_cfg.hidden_size))
    progress = not args.no_progress and sys.stderr.isatty()
    trainer_cfg = trainer_config(args, recipe, progress=progress)
    out = Path(args.out)
    if out.exists() and not out.is_dir():
        raise CLIError(f"--out {out} exists and is not a folder")
    trained = train_language_model(text, model_cfg, data_cfg, trainer_cfg, out, corpus_path=corpus,
                                   encoding=args.encoding, **out_dir_flags(args),
                                   callbacks=recipe.callbacks())  # fmt: skip
    plot_file = plot_losses(out)
    result = trained.result
    record = trained.record
    extra = {"perplexity": _exp(result.best_val_loss), "vocab_size": record["vocab_size"],
             "train_tokens": record["train_tokens"]}  # fmt: skip
    summary = train_summary(result, extra, out, recipe)
    if args.json:
        emit_json(summary)
        return 0
    unit = "char" if model_cfg.level == "char" else "token"
    if result.best_val_loss is not None:
        bits = result.best_val_loss / math.log(2)
        print(f"validation loss {result.best_val_loss:.4f} nats/{unit} "
              f"({bits:.3f} bits/{unit}), perplexity {summary['perplexity']:.2f} "
              f"(best at step {result.best_step})")  # fmt: skip
    print(f"{result.steps} steps, {result.epochs} epochs in {result.elapsed:.0f} s "
          f"(stopped: {result.stopped_because}); model in {out}/")  # fmt: skip
    if plot_file:
        print(f"loss curves: {plot_file}")
    print(f"next: seqlab lm sample {out} -n 5")
    return 0


def _exp(loss: float | None) -> float | None:
    """The perplexity of a validation loss (inf past what a float holds: lr 1e6 gets there)."""
    return None if loss is None else (math.exp(loss) if loss < 709 else math.inf)


# --- sample and score --------------------------------------------------------------------------


def load_lm(folder: str, device: str = "cpu"):
    """The language model of a folder (on ``--device``); a clear error for anything else."""
    return load_task_model(folder, "lm", "a language model (lm)", pick_device(device))


def run_sample(args: argparse.Namespace) -> int:
    from seqlab.lm import training_membership

    set_threads(args.threads)
    model = load_lm(args.model, args.device)
    lines_mode = model.config.mode == "lines"
    max_len = args.max_len if args.max_len is not None else (100 if lines_mode else 500)
    texts = model.sample(args.n, temperature=args.temperature, top_k=args.top_k,
                         max_len=max_len, prefix=args.prefix, seed=args.seed,
                         greedy=args.greedy)  # fmt: skip
    seen = training_membership(args.model, lines=lines_mode)
    for text in texts:
        known = seen(text)
        if args.json:
            emit_json({"text": text, "in_training_set": known})
        elif lines_mode:
            mark = "" if known is None else ("  (in the training set)" if known else "  (new)")
            print(f"{text}{mark}")
        else:
            print(text, end="\n\n" if len(texts) > 1 else "\n")
    return 0


def run_score(args: argparse.Namespace) -> int:
    from seqlab.datasets.lines import iter_lines
    from seqlab.lm import score_lines, score_sentences

    set_threads(args.threads)
    model = load_lm(args.model, args.device)
    if args.file and args.sentences:
        raise CLIError("give sentences or --file, not both")
    if args.file:  # streamed: memory holds a chunk, not the file (--tokens keeps every token)
        lines = iter_lines(args.file, encoding=args.encoding)
        results = [score_lines(model, lines, keep_tokens=args.tokens)]
        if args.json and not args.tokens:
            _emit_file_score(results[0], args.file, args.encoding)
            return 0
        if args.json:
            results = [dataclasses.replace(results[0], text="".join(
                iter_lines(args.file, encoding=args.encoding)))]  # fmt: skip
    else:
        sentences = args.sentences or _stdin_lines(args.encoding)
        if not sentences:
            raise CLIError("no sentences to score (give them as arguments or on stdin)")
        results = score_sentences(model, sentences, on_long=args.on_long)
    for r in results:
        if args.json:
            obj = r.to_json()
            if args.tokens:
                obj["tokens"] = r.tokens
                obj["token_logprobs"] = r.token_logprobs
            emit_json(obj)
            continue
        shown = r.text if not args.file else args.file
        print(f"logprob {r.logprob:.3f}  perplexity {r.perplexity:.3f}  tokens {r.n_tokens}  "
              f"unk {r.n_unk}  {shown}")  # fmt: skip
        if args.tokens:
            print(_token_table(r))
    return 0


def _emit_file_score(r, file: str, encoding: str) -> None:
    """The --json line of ``lm score --file``, its "text" copied from the file block by block:
    the same bytes as ``emit_json(r.to_json())`` with the whole text in memory."""
    from seqlab.datasets.lines import iter_lines

    rest = json.dumps({k: v for k, v in r.to_json().items() if k != "text"}, ensure_ascii=False)
    sys.stdout.write('{"text": "')
    for line in iter_lines(file, encoding=encoding):
        sys.stdout.write(json.dumps(line, ensure_ascii=False)[1:-1])
    sys.stdout.write('", ' + rest[1:] + "\n")
    sys.stdout.flush()


def _stdin_lines(encoding: str) -> list[str]:
    return [line for line in read_stdin(encoding).split("\n") if line.strip()]


def _token_table(r) -> str:
    """One row per token: the token, log P, P, and whether it was <unk>."""
    rows = [f"    {'token':<16} {'log P':>9} {'P':>8}"]
    for token, logprob, unk in zip(r.tokens, r.token_logprobs, r.unknown):
        shown = repr(token)[1:-1] if token != "<eos>" else token
        rows.append(f"    {shown:<16} {logprob:>9.3f} {math.exp(logprob):>8.4f}"
                    + ("  <unk>" if unk else ""))  # fmt: skip
    return "\n".join(rows)
