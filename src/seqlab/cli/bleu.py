"""``seqlab bleu HYP REF [REF...]``: corpus BLEU, sacrebleu-compatible, from files or stdin."""

from __future__ import annotations

import argparse
import io
import itertools
import sys
from collections.abc import Iterator

from seqlab.cli._common import CLIError, Switch, data_args, emit_json

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


def _lines(path: str, encoding: str) -> Iterator[str]:
    """The lines of a file or stdin ("-"), one at a time, without their newline."""
    from seqlab.datasets.lines import iter_lines

    if path == "-":
        stdin = sys.stdin.buffer if hasattr(sys.stdin, "buffer") else _encoded(sys.stdin)
        try:
            for line in iter_lines(stdin, encoding=encoding):
                yield line.removesuffix("\n")
        except ValueError as error:
            if "is empty" in str(error):
                raise CLIError("stdin: no hypotheses") from None
            raise
        return
    for line in iter_lines(path, encoding=encoding):
        yield line.removesuffix("\n")


def _encoded(stream) -> io.BytesIO:
    return io.BytesIO(stream.read().encode())


def run(args: argparse.Namespace) -> int:
    """Corpus BLEU over the files read in step, line by line: BLEU's statistics add up over
    sentences, so memory holds one line of each file, not the files (the score is the same)."""
    from seqlab.metrics.bleu import MAX_N, BleuStats, bleu_signature, bleu_stats, score_from_stats

    if args.refs.count("-") or (args.hyp != "-" and args.hyp in args.refs):
        raise CLIError("a reference cannot be stdin or the hypothesis file itself")
    streams = [_lines(args.hyp, args.encoding), *(_lines(p, args.encoding) for p in args.refs)]
    total = BleuStats((0,) * MAX_N, (0,) * MAX_N, 0, 0)
    n = 0
    for row in itertools.zip_longest(*streams):
        if None in row:
            _length_mismatch(args, row, n, streams)
        total += bleu_stats(row[0], row[1:], tokenize=args.tokenize, lowercase=args.lowercase)
        n += 1
    score = score_from_stats(total, smooth=args.smooth, smooth_value=args.smooth_value)
    signature = bleu_signature(n_refs=len(args.refs), lowercase=args.lowercase,
                               tokenize=args.tokenize, smooth=args.smooth,
                               smooth_value=args.smooth_value)  # fmt: skip
    if args.json:
        emit_json({**score.to_json(), "signature": signature})
    else:
        print(score.format())
        print(f"signature: {signature}")
    return 0


def _length_mismatch(args: argparse.Namespace, row: tuple, n: int, streams: list) -> None:
    """Count what is left of every file and name the first that differs from the hypotheses."""
    counts = [n + (line is not None) + sum(1 for _ in stream) for line, stream in zip(row, streams)]
    for path, count in zip(args.refs, counts[1:]):
        if count != counts[0]:
            raise CLIError(f"{args.hyp} has {counts[0]} lines but {path} has {count}")
