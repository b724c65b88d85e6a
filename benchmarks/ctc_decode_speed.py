"""CTC prefix beam search speed: seqlab.speech.prefix_beam_search vs pyctcdecode, no LM.

Both decode the same peaked random log-probabilities, shaped like a trained CTC model's output:
each frame's target is the blank (70%) or a random character, raised 8 nats above unit-normal
noise, then log-softmax; T is drawn from 100..400 frames. Two alphabets: digits (C=12: blank,
0-9, space) and letters (C=29: blank, a-z, space, apostrophe); beams 8, 16 and 32.

Three decoders run on every utterance in turn (interleaved, so machine noise hits all alike):
- ``exact``: ours, every label of every frame (``min_log_prob=None``);
- ``pruned``: ours with ``min_log_prob=-5``, the threshold of pyctcdecode's ``token_min_logp``;
- ``pyctcdecode``: ``build_ctcdecoder(labels)`` (labels[0] = "" is the blank), no LM,
  ``decoder.decode(log_probs, beam_width=K)`` with its default pruning.
The table gives utterances per second of each and how often the top texts agree (whitespace
normalised: pyctcdecode joins words with one space).

    make bench-deps       # pyctcdecode 0.5.0 + pygtrie, --no-deps: it pins numpy<2 but runs on 2
    .venv/bin/python benchmarks/ctc_decode_speed.py            # the table (about a minute)
    .venv/bin/python benchmarks/ctc_decode_speed.py --json     # one JSON object per row
    .venv/bin/python benchmarks/ctc_decode_speed.py --n 50 --beams 8 32
"""

from __future__ import annotations

import argparse
import json
import logging
import platform
import string
import sys
import time
from importlib.metadata import version

import numpy as np

from seqlab.speech import prefix_beam_search

ALPHABETS = {"digits": "0123456789 ", "letters": string.ascii_lowercase + " '"}


def peaked_log_probs(rng: np.random.Generator, T: int, C: int) -> np.ndarray:
    """float (T, C): a frame's target (blank 70%, else a random character) 8 nats above noise."""
    targets = np.where(rng.random(T) < 0.7, 0, rng.integers(1, C, size=T))
    logits = rng.normal(size=(T, C))
    logits[np.arange(T), targets] += 8.0
    return logits - np.logaddexp.reduce(logits, axis=1, keepdims=True)


def normalise(text: str) -> str:
    return " ".join(text.split())


def bench(alphabet: str, beam: int, n: int, seed: int) -> dict:
    from pyctcdecode import build_ctcdecoder

    chars = ALPHABETS[alphabet]
    C = len(chars) + 1
    decoder = build_ctcdecoder(["", *chars])
    rng = np.random.default_rng(seed)
    utterances = [peaked_log_probs(rng, int(rng.integers(100, 401)), C) for _ in range(n)]
    seconds = {"exact": 0.0, "pruned": 0.0, "pyctcdecode": 0.0}
    texts: dict[str, list[str]] = {k: [] for k in seconds}
    decoders = {
        "exact": lambda lp: prefix_beam_search(lp, beam_size=beam)[0].labels,
        "pruned": lambda lp: prefix_beam_search(lp, beam_size=beam, min_log_prob=-5.0)[0].labels,
        "pyctcdecode": lambda lp: decoder.decode(lp, beam_width=beam),
    }
    for decode in decoders.values():  # warm-up: imports, first-call caches
        decode(utterances[0])
    for log_probs in utterances:
        for name, decode in decoders.items():
            start = time.perf_counter()
            out = decode(log_probs)
            seconds[name] += time.perf_counter() - start
            text = out if isinstance(out, str) else "".join(chars[i - 1] for i in out)
            texts[name].append(normalise(text))

    def agree(a: str, b: str) -> float:
        return sum(x == y for x, y in zip(texts[a], texts[b])) / n

    return {
        "alphabet": alphabet, "C": C, "beam": beam, "n": n,
        "frames_mean": float(np.mean([len(u) for u in utterances])),
        **{f"{k}_utt_per_s": n / s for k, s in seconds.items()},
        "exact_vs_pyctcdecode_speedup": seconds["pyctcdecode"] / seconds["exact"],
        "pruned_vs_pyctcdecode_speedup": seconds["pyctcdecode"] / seconds["pruned"],
        "agree_exact_pyctcdecode": agree("exact", "pyctcdecode"),
        "agree_pruned_pyctcdecode": agree("pruned", "pyctcdecode"),
        "agree_pruned_exact": agree("pruned", "exact"),
    }  # fmt: skip


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    p.add_argument("--n", type=int, default=20, help="utterances per row (default: 20)")
    p.add_argument("--beams", type=int, nargs="+", default=[8, 16, 32])
    p.add_argument("--alphabets", nargs="+", default=list(ALPHABETS), choices=list(ALPHABETS))
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--json", action="store_true", help="one JSON object per row")
    args = p.parse_args(argv)
    try:
        import pyctcdecode  # noqa: F401
    except ImportError:
        print("benchmarks/ctc_decode_speed.py: pyctcdecode is not installed; run: make bench-deps",
              file=sys.stderr)  # fmt: skip
        return 2
    logging.getLogger("pyctcdecode").setLevel(logging.ERROR)  # "kenlm not installed" etc.
    if not args.json:
        machine = platform.processor() or platform.machine()
        python = platform.python_version()
        print(f"pyctcdecode {version('pyctcdecode')}, numpy {np.__version__}, Python {python}, "
              f"{machine}, {args.n} utterances a row")  # fmt: skip
        print(f"{'alphabet':8} {'C':>3} {'beam':>4} {'exact/s':>8} {'pruned/s':>9} {'pyctc/s':>8} "
              f"{'agree exact':>11} {'agree pruned':>12} {'pruned=exact':>12}")  # fmt: skip
    for alphabet in args.alphabets:
        for beam in args.beams:
            r = bench(alphabet, beam, args.n, args.seed)
            if args.json:
                print(json.dumps(r), flush=True)
                continue
            print(f"{alphabet:8} {r['C']:>3} {beam:>4} {r['exact_utt_per_s']:>8.1f} "
                  f"{r['pruned_utt_per_s']:>9.1f} {r['pyctcdecode_utt_per_s']:>8.1f} "
                  f"{r['agree_exact_pyctcdecode']:>11.0%} {r['agree_pruned_pyctcdecode']:>12.0%} "
                  f"{r['agree_pruned_exact']:>12.0%}", flush=True)  # fmt: skip
    return 0


if __name__ == "__main__":
    sys.exit(main())
