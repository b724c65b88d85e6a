"""FSDD isolated digits with an open vocabulary: exact match of the characters a CTC model writes.

    .venv/bin/python benchmarks/fsdd_open.py runs/fsdd-open --train          # train, then val
    .venv/bin/python benchmarks/fsdd_open.py runs/fsdd-open --split test     # the test split
    .venv/bin/python benchmarks/fsdd_open.py runs/a runs/b runs/c --split val  # an ensemble

Open vocabulary: the decoder may write any string of the model's characters (greedy, or prefix
beam search without an LM); no digit lexicon. ``--split val`` rebuilds the validation split
``seqlab speech train`` held out of the official training recordings (``random_split`` of
indexes 5-49 with the run's seed and ``--val-fraction``), so settings are chosen without the
test split; ``--split test`` reads the official test split (indexes 0-4, 300 recordings).

Several model folders make an ensemble (their validation splits must be the same: the same
``--seed``). ``--ensemble rescore`` (the default): every model's prefix beam search proposes its
final beam (``--beams`` K > 1) and the proposal with the highest summed CTC log-likelihood over
the models wins; still open vocabulary (any string a model proposes). ``--ensemble average``
decodes the mean of the models' per-frame probabilities, which fails for CTC: each model puts
its label spikes on frames of its own, and the averaged spikes lose to the blank or repeat.
``--speeds 0.9 1 1.1``: test-time augmentation, each recording also played at these speeds
(``seqlab.speech.change_speed``); every (model, speed) pair is a member of the ensemble.

``--train`` first runs ``seqlab speech train`` with ``TRAIN_FLAGS`` (the fsdd recipe plus the
flags chosen in docs/benchmarks/fsdd_open.md) into the (single) model folder if it holds no
model yet. Prints one JSON object: per decoder, exact match, WER, CER and the misses.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import torch

from seqlab.metrics import cer, wer
from seqlab.speech import greedy_decode, load_recognizer, prefix_beam_search, read_fsdd
from seqlab.speech.audio import change_speed, read_wav
from seqlab.speech.ctc import ctc_log_likelihood
from seqlab.speech.data import collate
from seqlab.speech.train import features_of_samples
from seqlab.train import random_split

ROOT = Path(__file__).resolve().parents[1]
DATA = Path(os.environ.get("SEQLAB_DATA", ROOT / "../shared/data")) / "fsdd"
# on top of the fsdd recipe (--conv-channels 128 --hidden-size 128 --num-layers 2 --dropout 0.2
# --epochs 60 --lr 0.003 --lr-schedule cosine --clip-norm 5)
TRAIN_FLAGS = ["--freq-masks", "2", "--time-masks", "2", "--speed-perturb", "0.1",
               "--epochs", "120"]  # fmt: skip


def split_of(data: Path, split: str, seed: int, val_fraction: float) -> list:
    """The utterances of ``split``: "test" (official), "val" (held out by speech train)."""
    parts = read_fsdd(data)
    if split == "test":
        return parts["test"]
    return random_split(parts["train"], val_fraction, seed=seed)[1]


def seed_of(folder: Path) -> int:
    state = json.loads((folder / "trainer_state.json").read_text())
    return int(state["trainer_config"]["seed"])


@torch.no_grad()
def posteriors(models: list, path: Path, speeds: list[float]) -> list[np.ndarray]:
    """Each model's per-frame label log-probabilities at each speed: [(T', C)] a pair."""
    out, read = [], {}  # the recording, read once per sample rate
    for model in models:
        rate = model.features.sample_rate
        if rate not in read:
            read[rate] = read_wav(path, sample_rate=rate)[0]
        samples = read[rate]
        for speed in speeds:
            frames = features_of_samples(change_speed(samples, speed), model.features)
            batch = collate([frames])
            log_probs, lengths = model(batch["features"], batch["lengths"])
            out.append(log_probs[0, : int(lengths[0])].numpy())  # (T', C)
    return out


def decode(lps: list[np.ndarray], beam: int, ensemble: str) -> tuple[int, ...]:
    """One recording's labels from its models' log-probabilities (see the module docstring)."""
    if len(lps) == 1 or ensemble == "average":
        lp = lps[0] if len(lps) == 1 else np.log(np.mean(np.exp(lps), axis=0) + 1e-30)
        return tuple(greedy_decode(lp) if beam == 1 else
                     prefix_beam_search(lp, beam_size=beam)[0].labels)  # fmt: skip
    if beam == 1:
        proposals = {tuple(greedy_decode(lp)) for lp in lps}
    else:
        proposals = {h.labels for lp in lps for h in prefix_beam_search(lp, beam_size=beam)}
    ranked = sorted(proposals)  # a fixed order: ties go to the first
    scores = [sum(ctc_log_likelihood(lp, c) for lp in lps) for c in ranked]
    return ranked[int(np.argmax(scores))]


def evaluate(models: list, utterances: list, beams: list[int], ensemble: str,
             speeds: list[float]) -> dict:  # fmt: skip
    """Exact match, WER, CER and the misses of each decoder."""
    alphabet = models[0].alphabet
    lps = [posteriors(models, u.path, speeds) for u in utterances]
    refs = [u.text for u in utterances]
    out = {}
    for beam in beams:
        hyps = [alphabet.decode(decode(lp, beam, ensemble)) for lp in lps]
        misses = [f"{u.path.name}: {h!r}" for u, h in zip(utterances, hyps) if h != u.text]
        out[f"beam{beam}"] = {
            "exact_match": 1 - len(misses) / len(refs),
            "wer": wer(refs, hyps),
            "cer": cer(refs, hyps),
            "misses": misses,
        }
    return out


def train(folder: Path, data: Path) -> None:
    cmd = [sys.executable, "-m", "seqlab", "speech", "train", "--fsdd", str(data), "--out",
           str(folder), *TRAIN_FLAGS, "--threads", "1", "--json", "--no-progress"]  # fmt: skip
    print(" ".join(cmd), file=sys.stderr)
    subprocess.run(cmd, check=True)


def main() -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("models", nargs="+", type=Path, help="model folders (several: an ensemble)")
    p.add_argument("--split", choices=["val", "test"], default="val")
    p.add_argument("--beams", type=int, nargs="+", default=[1, 8], help="1 = greedy")
    p.add_argument("--ensemble", choices=["rescore", "average"], default="rescore")
    p.add_argument("--speeds", type=float, nargs="+", default=[1.0],
                   help="test-time augmentation: each recording also played at these speeds, "
                   "each (model, speed) one member of the rescoring ensemble")  # fmt: skip
    p.add_argument("--val-fraction", type=float, default=0.1, help="as speech train had it")
    p.add_argument("--data", type=Path, default=DATA)
    p.add_argument("--train", action="store_true", help="train the model first (TRAIN_FLAGS)")
    args = p.parse_args()
    torch.set_num_threads(1)
    if args.train:
        if len(args.models) != 1:
            p.error("--train trains one model folder")
        if not (args.models[0] / "model.safetensors").is_file():
            train(args.models[0], args.data)
    seeds = {seed_of(m) for m in args.models}
    if args.split == "val" and len(seeds) > 1:
        p.error(f"the models were trained with different seeds {sorted(seeds)}: their "
                "validation splits differ")  # fmt: skip
    models = [load_recognizer(m) for m in args.models]
    if len({m.alphabet.chars for m in models}) > 1:
        p.error("the models have different alphabets")
    utterances = split_of(args.data, args.split, seeds.pop(), args.val_fraction)
    start = time.perf_counter()
    result = evaluate(models, utterances, args.beams, args.ensemble, args.speeds)
    report = {
        "models": [str(m) for m in args.models],
        "split": args.split,
        "ensemble": args.ensemble if len(models) * len(args.speeds) > 1 else None,
        "speeds": args.speeds,
        "n": len(utterances),
        "decode_seconds": round(time.perf_counter() - start, 1),
        "torch": torch.__version__,
        "machine": platform.machine(),
        **result,
    }
    print(json.dumps(report))
    return 0


if __name__ == "__main__":
    sys.exit(main())
