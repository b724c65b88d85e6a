"""CLI start-up: wall time of ``seqlab --help`` and ``seqlab GROUP VERB --help`` in fresh
interpreters, beside ``python -c pass`` (the interpreter alone) and ``python -c "import torch"``.

Building the parser imports neither torch, NumPy nor matplotlib (tests/cli/test_startup.py
checks that), so a help text should cost about an interpreter start, not a torch import. Every
command runs once to warm the file cache and write the .pyc files an installed seqlab has
(PYTHONDONTWRITEBYTECODE is dropped; --no-bytecode keeps it, and seqlab is then compiled from
source every time), then ``--repeats`` times, the commands interleaved so that a busy machine
slows them all alike; the table gives the median, min and max, the last line the medians and
their ratios.

    .venv/bin/python benchmarks/cli_startup.py [--repeats 7] [--json]
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

SRC = Path(__file__).resolve().parents[1] / "src"

COMMANDS: dict[str, list[str]] = {
    "python -c pass": ["-c", "pass"],
    "python -c 'import torch'": ["-c", "import torch"],
    "seqlab --help": ["-m", "seqlab", "--help"],
    "seqlab lm train --help": ["-m", "seqlab", "lm", "train", "--help"],
    "seqlab classify train --help": ["-m", "seqlab", "classify", "train", "--help"],
    "seqlab translate run --help": ["-m", "seqlab", "translate", "run", "--help"],
    "seqlab speech transcribe --help": ["-m", "seqlab", "speech", "transcribe", "--help"],
    "seqlab embed train --help": ["-m", "seqlab", "embed", "train", "--help"],
}


def wall_time(argv: list[str], env: dict[str, str]) -> float:
    """Seconds from start to exit of ``python argv`` (its output discarded; it must exit 0)."""
    start = time.perf_counter()
    subprocess.run([sys.executable, *argv], env=env, check=True, stdout=subprocess.DEVNULL)
    return time.perf_counter() - start


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=7, help="runs per command (default: 7)")
    parser.add_argument("--json", action="store_true", help="only the last line (JSON)")
    parser.add_argument(
        "--no-bytecode", action="store_true", help="keep PYTHONDONTWRITEBYTECODE (no .pyc files)"
    )
    args = parser.parse_args()
    # This checkout's seqlab, whether or not it is the one installed.
    path = os.pathsep.join(p for p in (str(SRC), os.environ.get("PYTHONPATH")) if p)
    env = {**os.environ, "PYTHONPATH": path}
    if not args.no_bytecode:
        env.pop("PYTHONDONTWRITEBYTECODE", None)
    times: dict[str, list[float]] = {name: [] for name in COMMANDS}
    for argv in COMMANDS.values():  # once first: warm the file cache and .pyc files
        wall_time(argv, env)
    for _ in range(args.repeats):
        for name, argv in COMMANDS.items():
            times[name].append(wall_time(argv, env))
    median = {name: statistics.median(t) for name, t in times.items()}
    python, torch = median["python -c pass"], median["python -c 'import torch'"]
    if not args.json:
        print(f"{'command':<34} {'median s':>9} {'min s':>7} {'max s':>7} {'/ torch':>8}")
        for name, t in times.items():
            print(f"{name:<34} {median[name]:>9.3f} {min(t):>7.3f} {max(t):>7.3f} "
                  f"{median[name] / torch:>8.2f}")  # fmt: skip
    helps = {name: t for name, t in median.items() if name.startswith("seqlab")}
    print(json.dumps({
        "repeats": args.repeats,
        "median_s": median,
        "help_over_import_torch": {name: t / torch for name, t in helps.items()},
        "help_minus_python_s": {name: t - python for name, t in helps.items()},
        "slowest_help_s": max(helps.values()),
        "bytecode": not args.no_bytecode,
        "cpus": os.cpu_count(),
        "date": time.strftime("%Y-%m-%d"),
    }))  # fmt: skip
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
