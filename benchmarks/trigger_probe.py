"""Which trigger recordings a detector finds: each one alone on a background, level by level.

    .venv/bin/python benchmarks/trigger_probe.py runs/trigger_m4
    .venv/bin/python benchmarks/trigger_probe.py runs/trigger_m4 --names 1_act3 --tilt 12

Each named recording of ``raw_data/activates`` (trimmed as the clip builder trims it) is placed
alone at 1.0, 3.5, 6.0 and 8.2 s on the first 10 s of each background, for backgrounds at -45,
-35 and -25 dBFS and words at -26, -20 and -14 dBFS (72 placements per recording). A placement
counts as found when the detector's probability passes its threshold between the word's start
and 1 s after its end, the window `seqlab trigger evaluate` scores. ``--tilt DB`` first passes
the words through the spectral tilt of ``seqlab.speech.trigger_data.tilt`` (what the
training-side ``--train-tilt-db`` does at random). Prints one line per recording, or JSON.
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

import numpy as np
import torch

from seqlab.speech.audio import read_wav, trim_silence
from seqlab.speech.trigger import load_detector, tilt, trigger_probabilities
from seqlab.speech.trigger.clips import _scaled

RAW = Path(__file__).resolve().parents[1] / "../shared/data/trigger_word/raw_data"
PLACES = (1.0, 3.5, 6.0, 8.2)
BACKGROUND_DB = (-45.0, -35.0, -25.0)
WORD_DB = (-26.0, -20.0, -14.0)


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("model", help="a trained trigger model folder")
    p.add_argument("--raw", default=str(RAW), help="the raw_data folder")
    p.add_argument("--names", nargs="+", default=["1_act3", "2_act2", "3", "1_act2", "2_act3"],
                   help="activates/ recordings (without .wav)")  # fmt: skip
    p.add_argument("--threshold", type=float, help="default: the model's own")
    p.add_argument("--tilt", type=float, default=0.0, help="tilt each word by this many dB")
    p.add_argument("--json", action="store_true")
    args = p.parse_args()
    torch.set_num_threads(1)
    model = load_detector(args.model)
    threshold = model.threshold if args.threshold is None else args.threshold
    rate = model.features.sample_rate
    raw = Path(args.raw)
    backgrounds = [read_wav(f, sample_rate=rate)[0][: 10 * rate]
                   for f in sorted((raw / "backgrounds").glob("*.wav"))]  # fmt: skip
    for name in args.names:
        word, _ = read_wav(raw / "activates" / f"{name}.wav", sample_rate=rate)
        word = trim_silence(word, rate, min_burst=0.15)
        if args.tilt:
            word = tilt(word, args.tilt)
        words = [_scaled(word, word_db) for word_db in WORD_DB]
        peaks = []
        for background in backgrounds:
            for bg_db in BACKGROUND_DB:
                scaled = _scaled(background.astype(np.float32), bg_db)
                for level in words:
                    for place in PLACES:
                        audio = scaled.copy()
                        start = int(place * rate)
                        audio[start : start + len(word)] += level
                        prob = trigger_probabilities(model, audio)
                        end = (start + len(word)) / rate
                        step = model.step_seconds
                        peaks.append(float(prob[int(place / step) : int((end + 1.0) / step)].max()))
        found = sum(x >= threshold for x in peaks)
        row = {"recording": name, "found": found, "placements": len(peaks),
               "mean_peak": round(float(np.mean(peaks)), 3), "threshold": threshold}  # fmt: skip
        if args.json:
            print(json.dumps(row))
        else:
            print(f"{name}: found in {found} of {len(peaks)} placements (mean peak "
                  f"probability {row['mean_peak']:.2f}, threshold {threshold:.2f})")  # fmt: skip


if __name__ == "__main__":
    main()
