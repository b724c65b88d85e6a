"""Corpus BLEU speed: seqlab.metrics.corpus_bleu vs sacrebleu.corpus_bleu on 10,000 sentences.

The references are the first 10,000 English sentences of Multi30k's training set; the
hypotheses are the same sentences with words dropped and swapped (seeded), so every n-gram order
has matches and misses. Both libraries run alternately, several times, in one process; the
scores must agree to 1e-9.

    .venv/bin/python benchmarks/bleu_speed.py [--repeats 7]
"""

from __future__ import annotations

import argparse
import json
import os
import random
import statistics
import time
from pathlib import Path

import sacrebleu

from seqlab.metrics import corpus_bleu

DATA = Path(__file__).resolve().parents[1] / "../shared/data/multi30k/train.en"


def perturb(sentence: str, rng: random.Random) -> str:
    words = sentence.split()
    for _ in range(3):
        if words and rng.random() < 0.5:
            words.pop(rng.randrange(len(words)))
        if words and rng.random() < 0.5:
            i = rng.randrange(len(words))
            words[i], words[-1] = words[-1], words[i]
    return " ".join(words)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--refs", default=os.path.normpath(DATA))
    parser.add_argument("--n", type=int, default=10_000)
    parser.add_argument("--repeats", type=int, default=7)
    args = parser.parse_args()
    refs = Path(args.refs).read_text(encoding="utf-8").splitlines()[: args.n]
    rng = random.Random(0)
    hyps = [perturb(r, rng) for r in refs]
    ours, theirs = [], []
    for _ in range(args.repeats):
        start = time.perf_counter()
        a = corpus_bleu(hyps, [refs])
        ours.append(time.perf_counter() - start)
        start = time.perf_counter()
        b = sacrebleu.corpus_bleu(hyps, [refs])
        theirs.append(time.perf_counter() - start)
    assert abs(a.score - b.score) < 1e-9, (a.score, b.score)
    t_ours, t_theirs = statistics.median(ours), statistics.median(theirs)
    print(json.dumps({"sentences": len(hyps), "bleu": a.score, "seqlab_s": t_ours,
                      "sacrebleu_s": t_theirs, "speedup": t_theirs / t_ours,
                      "sacrebleu_version": sacrebleu.__version__,
                      "date": time.strftime("%Y-%m-%d")}))  # fmt: skip
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
