"""Run seqlab commands as a user would and keep what they report (vision benchmarks, shared by
caption_*.py and activity_*.py).

Each step is one ``python -m seqlab ...`` process; its last stdout line (``--json``) is parsed,
and the wall time and the machine's load average are recorded beside it, so a figure says
whether the two cores were shared when it was measured.
"""

from __future__ import annotations

import json
import os
import shlex
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SHARED = ROOT.parent / "shared" / "data"


def seqlab(*args: str, log: list[dict]) -> dict:
    """Run ``seqlab ARGS`` (from the repository root); return its last JSON line."""
    command = [sys.executable, "-m", "seqlab", *map(str, args)]
    shown = "seqlab " + " ".join(shlex.quote(str(a)) for a in args)
    print(f"$ {shown}", file=sys.stderr, flush=True)
    load = os.getloadavg()[0]
    start = time.perf_counter()
    done = subprocess.run(command, cwd=ROOT, capture_output=True, text=True)
    seconds = time.perf_counter() - start
    if done.returncode != 0:
        raise SystemExit(f"{shown} failed ({done.returncode}): {done.stderr.strip()}")
    lines = [line for line in done.stdout.splitlines() if line.startswith("{")]
    result = json.loads(lines[-1]) if lines else {}
    log.append({"command": shown, "seconds": round(seconds, 1), "load_before": load,
                "load_after": os.getloadavg()[0], "result": result})  # fmt: skip
    print(f"  {seconds:.0f} s, load {load:.1f} -> {os.getloadavg()[0]:.1f}: "
          f"{json.dumps(result)[:300]}", file=sys.stderr, flush=True)  # fmt: skip
    return result


def write_log(log: list[dict], path: Path) -> None:
    """Every command, its time, the load and its JSON result, as one JSON file."""
    path.write_text(json.dumps(log, indent=2) + "\n", encoding="utf-8")


def print_accuracy_table(what: str, unit: str, rows: list[tuple[str, dict, dict]]) -> None:
    """A Markdown table of (name, evaluate's JSON, train's JSON) rows: accuracy, test size, time."""
    print(f"| {what} | test accuracy | test {unit} | train (steps, min) |")
    print("|---|---|---|---|")
    for name, r, t in rows:
        print(f"| {name} | {r['accuracy']:.1%} | {r['n']} | {t['steps']}, "
              f"{t['train_seconds'] / 60:.1f} |")  # fmt: skip
