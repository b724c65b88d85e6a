"""Synthesise extra training words for the trigger-word detector with Debian's espeak-ng.

    apt-get install espeak-ng                                  # once, as root
    .venv/bin/python benchmarks/synth_trigger_words.py --out runs/trigger-synth
    S=runs/trigger-synth; seqlab trigger build-data ../shared/data/trigger_word/raw_data \\
        --out runs/trigger-data --extra-activates $S/activates --extra-negatives $S/negatives

The notes' raw data hold 10 recordings of "activate": a detector trained on 7 of them hears
few voices. espeak-ng adds many (English accents x voice variants x speeds x pitches); they
are used for training clips only (build-data never puts extra folders into test clips), so the
test set stays the held-out real recordings. Negatives are other words, many of them close to
"activate" in sound ("active", "activity", "captivate", "motivate"...), so the detector learns
the whole word, not its first syllable. Written as 16-bit WAV at 16 kHz; deterministic for a seed.
"""

from __future__ import annotations

import argparse
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

import numpy as np

TRIGGER = "activate"
NEGATIVES = (
    "active activity activist action actor actually captivate motivate cultivate elevate "
    "navigate relate create evaluate accurate vacate candidate "
    "kitchen cat hat bat table apple water music seven eight nine hello okay computer "
    "window yesterday tomorrow coffee garden purple orange basket pocket rocket ticket "
    "attitude acrobat accident adequate"
).split()
ACCENTS = ("en-us", "en", "en-gb-scotland", "en-gb-x-rp", "en-029", "en-gb-x-gbclan",
           "en-gb-x-gbcwmd")  # fmt: skip
VARIANTS = ("", "+f1", "+f2", "+f3", "+f4", "+f5", "+m1", "+m2", "+m3", "+m4", "+m5", "+m6",
            "+m7", "+klatt", "+klatt2", "+klatt3", "+Andy", "+Annie", "+linda", "+steph",
            "+max", "+paul", "+robert", "+travis", "+grandma", "+grandpa")  # fmt: skip


def say(text: str, voice: str, speed: int, pitch: int, out: Path, rate: int) -> None:
    """espeak-ng -> a temporary WAV -> resampled to ``rate``, trimmed, 16-bit ``out``."""
    from scipy.io import wavfile

    from seqlab.speech.audio import read_wav, trim_silence

    with tempfile.TemporaryDirectory() as tmp:
        raw = Path(tmp) / "w.wav"
        subprocess.run(["espeak-ng", "-v", voice, "-s", str(speed), "-p", str(pitch),
                        "-w", str(raw), text], check=True, capture_output=True)  # fmt: skip
        x, _ = read_wav(raw, sample_rate=rate)
    x = trim_silence(x, rate, min_burst=0.15)
    x = 0.5 * x / max(float(np.abs(x).max()), 1e-6)
    wavfile.write(out, rate, (x * 32767).astype(np.int16))


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    p.add_argument("--out", required=True, help="folder to create (activates/, negatives/)")
    p.add_argument("--activates", type=int, default=150, help="trigger recordings to make")
    p.add_argument("--negatives", type=int, default=300, help="other-word recordings to make")
    p.add_argument("--rate", type=int, default=16000)
    p.add_argument("--seed", type=int, default=0)
    args = p.parse_args(argv)
    if shutil.which("espeak-ng") is None:
        print("benchmarks/synth_trigger_words.py: espeak-ng is missing; run: apt-get install "
              "espeak-ng", file=sys.stderr)  # fmt: skip
        return 2
    out = Path(args.out)
    if out.exists():
        print(f"benchmarks/synth_trigger_words.py: {out} exists; choose a new folder",
              file=sys.stderr)  # fmt: skip
        return 2
    rng = np.random.default_rng(args.seed)
    tmp = Path(tempfile.mkdtemp(dir=out.parent if out.parent.exists() else None))
    try:
        for role, n in (("activates", args.activates), ("negatives", args.negatives)):
            (tmp / role).mkdir()
            for i in range(n):
                voice = str(rng.choice(ACCENTS)) + str(rng.choice(VARIANTS))
                text = TRIGGER if role == "activates" else str(rng.choice(NEGATIVES))
                speed, pitch = int(rng.integers(110, 210)), int(rng.integers(20, 80))
                say(text, voice, speed, pitch, tmp / role / f"{i:04d}.wav", args.rate)
        shutil.move(str(tmp), out)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    print(f"{args.activates} activates and {args.negatives} other words in {out}/")
    return 0


if __name__ == "__main__":
    sys.exit(main())
