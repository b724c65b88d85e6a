"""``seqlab bleu HYP REF [REF...]``: corpus BLEU, sacrebleu-compatible, from files or stdin."""

from __future__ import annotations

import argparse

from seqlab.cli._common import CLIError, Switch, data_args, emit_json, read_stdin

EPILOG = """examples:
  seqlab bleu hyp.txt ref.txt
  seqlab bleu hyp.txt ref1.txt ref2.txt --json
  seqlab translate run model/ < src.txt | seqlab bleu - ref.txt

Prints sacrebleu's line: BLEU = score p1/p2/p3/p4 (BP = ... ratio = ... hyp_len = ... ref_len = ...)
then sacrebleu's signature of the settings: nrefs:1|case:mixed|eff:no|tok:13a|smooth:exp|version:...
--json: {"bleu": 0..100, "precisions": [p1..p4], "bp", "sys_len", "ref_len", "signature"}
"""


def register(sub: argparse._SubParsersAction) -> None:
    from seqlab.metrics.bleu import SMOOTHING

    p = sub.add_parser("bleu", help="corpus BLEU of a hypothesis file against references",
                       epilog=EPILOG,
                       formatter_class=argparse.RawDescriptionHelpFormatter)  # fmt: skip
    p.add_argument("hyp", help="hypotheses, one sentence per line ('-' = stdin)")
    p.add_argument("refs", nargs="+", help="reference files, line-parallel to the hypotheses")
    p.add_argument("--smooth", choices=list(SMOOTHING), default="exp",
                   help="smoothing of zero n-gram counts (default: exp, as sacrebleu)")  # fmt: skip
    p.add_argument("--smooth-value", type=float, help="the constant of floor / add-k")
    p.add_argument("--tokenize", choices=["13a", "none"], default="13a",
                   help="tokenizer (default: 13a, as sacrebleu)")  # fmt: skip
    p.add_argument("--lowercase", action=Switch, default=False,
                   help="case-insensitive BLEU (default: --no-lowercase)")  # fmt: skip
    p.add_argument("--encoding", default="utf-8", help="encoding of the files and stdin")
    p.add_argument("--json", action="store_true", help="one JSON object")
    p.set_defaults(func=run)
    data_args(p, "hyp", "refs")


def _lines(path: str, encoding: str) -> list[str]:
    from seqlab.datasets import read_text

    if path == "-":
        text = read_stdin(encoding)
        if not text.strip():
            raise CLIError("stdin: no hypotheses")
    else:
        text = read_text(path, encoding=encoding)
    lines = text.split("\n")
    return lines[:-1] if lines and lines[-1] == "" else lines


def run(args: argparse.Namespace) -> int:
    from seqlab.metrics.bleu import bleu_signature, corpus_bleu

    if args.refs.count("-") or (args.hyp != "-" and args.hyp in args.refs):
        raise CLIError("a reference cannot be stdin or the hypothesis file itself")
    hyps = _lines(args.hyp, args.encoding)
    refs = [_lines(path, args.encoding) for path in args.refs]
    for path, stream in zip(args.refs, refs):
        if len(stream) != len(hyps):
            raise CLIError(f"{args.hyp} has {len(hyps)} lines but {path} has {len(stream)}")
    score = corpus_bleu(hyps, refs, smooth=args.smooth, smooth_value=args.smooth_value,
                        tokenize=args.tokenize, lowercase=args.lowercase)  # fmt: skip
    signature = bleu_signature(n_refs=len(refs), lowercase=args.lowercase,
                               tokenize=args.tokenize, smooth=args.smooth,
                               smooth_value=args.smooth_value)  # fmt: skip
    if args.json:
        emit_json({**score.to_json(), "signature": signature})
    else:
        print(score.format())
        print(f"signature: {signature}")
    return 0
