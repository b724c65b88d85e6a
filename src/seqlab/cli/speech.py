"""``seqlab speech train | transcribe | evaluate``: CTC speech recognition."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from seqlab.cli._common import (
    CLIError,
    add_config_flags,
    add_model_flags,
    add_trainer_flags,
    config_from_args,
    data_args,
    emit_json,
    out_dir_flags,
    pick_device,
    print_train_footer,
    progress,
    set_threads,
    train_summary,
)
from seqlab.cli._figures import plot_losses
from seqlab.cli._recipes import add_recipe_flag, choose_recipe, trainer_config
from seqlab.speech.config import PRESETS, CTCConfig, SpeechDataConfig, recognizer_recipe

TRAIN_EPILOG = """examples:
  seqlab speech train --fsdd fsdd --out digits      # FSDD (seqlab data fetch fsdd), its split
  seqlab speech train my_recordings/ --out my-model                # WAVs + transcripts.tsv
A data folder holds WAV files and transcripts.tsv (file<TAB>text a line).
--json prints one line at the end: {"val_loss", "train_seconds", ...}
"""

TRANSCRIBE_EPILOG = """examples:
  seqlab speech transcribe digits a.wav b.wav
  seqlab speech transcribe digits *.wav --beam 8 --json     # {"file", "text"} a line
  seqlab speech transcribe digits a.wav --beam 16 --lm names-lm --lm-weight 0.5
A file that cannot be read is reported on stderr and skipped; the exit code is then 2.
A silence-only file gets a warning and an empty text; a file longer than --max-seconds is
cut at its quietest moments and transcribed piece by piece (a note says so).
"""

EVALUATE_EPILOG = """examples:
  seqlab speech evaluate digits --fsdd fsdd                 # the official test split
  seqlab speech evaluate digits my_test_folder/ --json       # {"wer", "cer", "exact_match", "n"}
  seqlab speech evaluate digits my_test_folder/ --beam 16 --lm my-char-lm --insertion-bonus 1
"""


def register(sub: argparse._SubParsersAction) -> None:
    group = sub.add_parser("speech", help="CTC speech recognition: train, transcribe, evaluate")
    verbs = group.add_subparsers(dest="verb", metavar="VERB", required=True)
    raw = argparse.RawDescriptionHelpFormatter

    p = verbs.add_parser("train", help="train a recogniser", epilog=TRAIN_EPILOG,
                         formatter_class=raw)  # fmt: skip
    p.add_argument("data", nargs="?", help="folder of WAV files with transcripts.tsv")
    p.add_argument("--fsdd", metavar="DIR", help="the Free Spoken Digit Dataset folder instead")
    p.add_argument("--out", required=True, help="the model folder to write")
    add_recipe_flag(p, PRESETS, "fsdd for --fsdd")
    add_config_flags(p, CTCConfig, exclude=["n_features", "n_labels"], group="model")
    add_config_flags(p, SpeechDataConfig, group="data")
    add_trainer_flags(p, exclude=["shuffle"])
    p.add_argument("--json", action="store_true", help="print the summary as one JSON line")
    p.add_argument("--no-progress", action="store_true", help="no progress bar")
    p.add_argument("--threads", type=int, default=1, help="CPU threads for torch (default: 1)")
    p.set_defaults(func=run_train)
    data_args(p, "data", "fsdd")

    p = verbs.add_parser("transcribe", help="write what each WAV file says",
                         epilog=TRANSCRIBE_EPILOG, formatter_class=raw)  # fmt: skip
    p.add_argument("model", help="a model folder from seqlab speech train")
    p.add_argument("files", nargs="+", metavar="FILE.wav")
    _add_decoding_flags(p)
    p.add_argument("--json", action="store_true", help='{"file", "text"} a line')
    add_model_flags(p)
    p.set_defaults(func=run_transcribe)
    data_args(p, "files")

    p = verbs.add_parser("evaluate", help="WER and CER on transcribed recordings",
                         epilog=EVALUATE_EPILOG, formatter_class=raw)  # fmt: skip
    p.add_argument("model", help="a model folder from seqlab speech train")
    p.add_argument("data", nargs="?", help="folder of WAV files with transcripts.tsv")
    p.add_argument("--fsdd", metavar="DIR", help="the FSDD folder: its official test split")
    _add_decoding_flags(p)
    p.add_argument("--json", action="store_true", help='{"wer", "cer", "exact_match", "n"}')
    add_model_flags(p)
    p.set_defaults(func=run_evaluate)
    data_args(p, "data", "fsdd")


def _add_decoding_flags(p: argparse.ArgumentParser) -> None:
    p.add_argument("--beam", type=int, default=1, help="prefix beam width (1: greedy)")
    p.add_argument("--lm", metavar="DIR", help="a character LM folder from `seqlab lm train` "
                   "to rank the beams (needs --beam 2 or more)")  # fmt: skip
    p.add_argument("--lm-weight", type=float, default=0.5,
                   help="alpha: weight of the LM's log-probability (default: 0.5)")  # fmt: skip
    p.add_argument("--insertion-bonus", type=float, default=0.0,
                   help="beta: score added per character (default: 0.0)")  # fmt: skip
    p.add_argument("--max-seconds", type=float, default=30.0,
                   help="longer recordings are transcribed in pieces (default: 30)")  # fmt: skip
    p.add_argument("--vocabulary", metavar="FILE",
                   help="closed vocabulary: each recording becomes the most likely phrase of "
                   "FILE (one a line; 'digits' = the ten digit words)")  # fmt: skip


def _vocabulary(spec: str | None) -> list[str] | None:
    from seqlab.datasets import decode_text
    from seqlab.speech import DIGIT_NAMES

    if spec is None:
        return None
    if spec == "digits":
        return list(DIGIT_NAMES)
    path = Path(spec)
    if not path.is_file():
        raise CLIError(f"--vocabulary {spec}: no such file")
    words = [line.strip() for line in decode_text(path.read_bytes(), spec).splitlines()]
    words = [w for w in words if w]
    if not words:
        raise CLIError(f"--vocabulary {spec}: no phrases in it")
    return words


def _utterances(args: argparse.Namespace, split: str):
    from seqlab.speech import read_fsdd, read_transcripts

    if bool(args.data) == bool(args.fsdd):
        raise CLIError("give either a data folder or --fsdd DIR (one of them)")
    if args.fsdd:
        return read_fsdd(args.fsdd)[split]
    return read_transcripts(args.data)


def run_train(args: argparse.Namespace) -> int:
    from seqlab.speech import train_recognizer

    utterances = _utterances(args, "train")
    set_threads(args.threads)
    recipe = choose_recipe(args, PRESETS, recognizer_recipe(fsdd=bool(args.fsdd)))
    model_cfg = config_from_args(CTCConfig, args, preset=recipe.part("model"))
    data_cfg = config_from_args(SpeechDataConfig, args, preset=recipe.part("data"))
    progress = not args.no_progress and sys.stderr.isatty()
    trainer_cfg = trainer_config(args, recipe, progress=progress)
    out = Path(args.out)
    trained = train_recognizer(
        utterances,
        model_cfg,
        data_cfg,
        trainer_cfg,
        out,
        **out_dir_flags(args),
        callbacks=recipe.callbacks(),
    )
    plot_file = plot_losses(out, title=f"Speech recogniser: {out.name}",
                            ylabel="CTC loss (nats per transcript label)")  # fmt: skip
    result = trained.result
    data = {"utterances": len(utterances), "alphabet": trained.model.alphabet.chars}
    if args.json:
        emit_json(train_summary(result, data, out, recipe))
        return 0
    print(f"{len(utterances)} utterances, alphabet {trained.model.alphabet.chars!r}; "
          f"validation CTC loss {result.best_val_loss:.4f} per label")  # fmt: skip
    print_train_footer(result, out, plot_file, f"seqlab speech transcribe {out} FILE.wav")
    return 0


def _decoding(args: argparse.Namespace):
    """The recogniser and the transcribe_file options the flags ask for; CLIError on bad ones."""
    from seqlab.speech import char_lm_scorer, load_recognizer

    if args.beam < 1:
        raise CLIError(f"--beam must be at least 1, got {args.beam}")
    if args.lm and args.beam < 2:
        raise CLIError("--lm needs beam search: give --beam 2 or more")
    if args.max_seconds < 1:
        raise CLIError(f"--max-seconds must be at least 1, got {args.max_seconds:g}")
    set_threads(args.threads)
    device = pick_device(args.device)
    model = load_recognizer(args.model, map_location=device)
    options = {"beam_size": args.beam, "lm_weight": args.lm_weight, "max_seconds": args.max_seconds,
               "insertion_bonus": args.insertion_bonus}  # fmt: skip
    if args.lm:
        options["lm"] = char_lm_scorer(args.lm, model.alphabet, device=device)
    vocabulary = _vocabulary(args.vocabulary)
    if vocabulary:
        if args.lm or args.beam > 1:
            raise CLIError("--vocabulary decodes on its own: leave out --lm and --beam")
        missing = sorted({c for w in vocabulary for c in w} - set(model.alphabet.chars))
        if missing:
            raise CLIError(f"--vocabulary has characters the model cannot write: {missing}")
        options["vocabulary"] = vocabulary
    return model, options


def _notes(t, max_seconds: float) -> list[str]:
    """The stderr lines a transcript deserves: silence, pieces."""
    if t.silent:
        return [f"seqlab: warning: {t.path}: silence only (nothing above -60 dBFS); "
                "transcribed as empty"]  # fmt: skip
    if t.n_chunks > 1:
        return [f"seqlab: note: {t.path}: {t.seconds:.1f} s is longer than --max-seconds "
                f"{max_seconds:g}: transcribed in {t.n_chunks} pieces"]  # fmt: skip
    return []


def run_transcribe(args: argparse.Namespace) -> int:
    from seqlab.speech import transcribe_file

    model, options = _decoding(args)
    failed = 0
    for path in args.files:
        try:
            t = transcribe_file(model, path, **options)
        except ValueError as e:  # one bad file does not lose the others
            print(f"seqlab: error: {' '.join(str(e).split())}", file=sys.stderr)
            failed += 1
            continue
        for line in _notes(t, args.max_seconds):
            print(line, file=sys.stderr)
        if args.json:
            emit_json({"file": path, "text": t.text})
        else:
            print(f"{path}\t{t.text}")
    return 2 if failed else 0


def run_evaluate(args: argparse.Namespace) -> int:
    from seqlab.metrics import cer, wer
    from seqlab.speech import transcribe_file

    model, options = _decoding(args)
    utterances = _utterances(args, "test")
    show = not args.no_progress and sys.stderr.isatty()
    hyps = []
    with progress(len(utterances), "transcribing", enabled=show, unit="file") as bar:
        for u in utterances:
            t = transcribe_file(model, u.path, **options)
            for line in _notes(t, args.max_seconds):
                bar.write(line, file=sys.stderr)  # above the bar, not through it
            hyps.append(t.text)
            bar.update(1)
    refs = [u.text for u in utterances]
    exact = sum(h == r for h, r in zip(hyps, refs)) / len(refs)
    report = {"wer": wer(refs, hyps), "cer": cer(refs, hyps), "exact_match": exact, "n": len(refs)}
    if args.json:
        emit_json(report)
    else:
        how = f"beam {args.beam}" + (f", LM {args.lm} weight {args.lm_weight:g}" if args.lm else "")
        if args.vocabulary:
            how = f"closed vocabulary: {args.vocabulary}"
        print(f"{len(refs)} utterances: WER {report['wer']:.2%}, CER {report['cer']:.2%}, "
              f"exact {exact:.2%} ({how})")  # fmt: skip
    return 0
