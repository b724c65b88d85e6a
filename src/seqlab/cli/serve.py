"""``seqlab serve MODEL...``: a web page and an HTTP JSON API over trained models."""

from __future__ import annotations

import argparse
import ipaddress
import sys

from seqlab.cli._common import CLIError, add_threads_flag, data_args, set_threads

EPILOG = """examples:
  seqlab demo --keep models             # the demo's models, saved
  seqlab serve models/*                 # then open http://127.0.0.1:7860
  seqlab serve dates-model glove --port 8000
  curl -s localhost:7860/api/dates-model/run -d '{"text": "3 March 1997", "beam": 5}'

MODEL is a model folder of any task (lm, seq2seq, classify, tag, speech, trigger, music,
caption), or a word-vectors file or data set (glove) for nearest words, analogies and the
debiasing projection. The API's answers hold the same objects as the CLI's --json output;
docs/serve.md lists every endpoint. Needs the serve extra: pip install 'seqlab[serve]'.
"""


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "serve",
        help="try trained models in a web page and over HTTP",
        epilog=EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    p.add_argument("models", nargs="+", metavar="MODEL",
                   help="model folders or word-vectors files")  # fmt: skip
    p.add_argument("--host", default="127.0.0.1",
                   help="address to listen on (default: 127.0.0.1, this machine only)")  # fmt: skip
    p.add_argument("--port", type=int, default=7860, help="port (default: 7860; 0: a free one)")
    limits = p.add_argument_group("input limits (a request over one gets HTTP 400 or 413)")
    limits.add_argument("--max-text-chars", type=int, default=2000,
                        help="characters of text per request (default: 2000)")  # fmt: skip
    limits.add_argument("--max-lines", type=int, default=16,
                        help="sentences per request (default: 16)")  # fmt: skip
    limits.add_argument("--max-upload-mb", type=float, default=5.0,
                        help="size of a WAV or PNG upload in MiB (default: 5)")  # fmt: skip
    limits.add_argument("--max-beam", type=int, default=16, help="beam size (default: 16)")
    limits.add_argument("--max-length", type=int, default=1000,
                        help="sampled or decoded length (default: 1000)")  # fmt: skip
    limits.add_argument("--max-n", type=int, default=50,
                        help="samples, n-best answers or neighbours (default: 50)")  # fmt: skip
    p.add_argument("--workers", type=int, default=None,
                   help="requests that run a model at once; the others wait their turn "
                   "(default: one per CPU core)")  # fmt: skip
    add_threads_flag(p)
    data_args(p, "models")
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from seqlab import serve

    missing = serve.extra_missing()
    if missing:
        raise CLIError(missing)

    set_threads(args.threads)
    limits = serve.Limits(max_text_chars=args.max_text_chars, max_lines=args.max_lines,
                    max_upload_bytes=int(args.max_upload_mb * 2**20), max_beam=args.max_beam,
                    max_length=args.max_length, max_n=args.max_n)  # fmt: skip
    if not _is_loopback(args.host):
        print(f"seqlab: warning: --host {args.host} lets other machines reach these models; "
              "the server has no login: use it on networks you trust", file=sys.stderr)  # fmt: skip
    served = serve.load_served(args.models)
    sock = serve.bind(args.host, args.port)  # a port in use: one line, exit 2
    width = max(len(s.name) for s in served)
    for s in served:
        print(f"  {s.name:<{width}}  {s.task:<8}  {', '.join(s.verbs):<22}  {s.path}")
    url = serve.url_of(sock)
    print(f"seqlab serve: {len(served)} model(s) at {url}/ (Ctrl-C stops)", flush=True)
    try:
        serve.serve_forever(serve.build_app(served, limits, workers=args.workers), sock)
    finally:
        sock.close()
    return 0


def _is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False
