"""`seqlab serve` under load: N concurrent API requests from a bounded local client.

    .venv/bin/python benchmarks/serve_load.py --work runs/serve      # about 5 minutes

Saves the demo's models with `seqlab demo --keep` (unless --models names a folder that holds
them), starts `seqlab serve` on them in its own process on 127.0.0.1 (loopback only), and for
each endpoint sends --requests requests with at most C in flight (C = each --concurrency),
from a thread pool of C clients. Prints a Markdown table of latency percentiles and
throughput; every answer is checked (status 200 and the same "results" as the first answer:
concurrent requests must not disturb one another).
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import time
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
DATA = ROOT / "src" / "seqlab" / "data"
SEQLAB = [sys.executable, "-m", "seqlab"]


def endpoints() -> list[tuple[str, str, bytes, str]]:
    """(label, path, body, content type) of each request kind."""
    wav = (DATA / "speech" / "recordings" / "7_jackson_3.wav").read_bytes()
    png = (DATA / "vision" / "scenes" / "scene-00000.png").read_bytes()
    return [
        ("dates run, beam 5 (BiLSTM + attention)", "dates/run",
         json.dumps({"text": "3 March 1997", "beam": 5}).encode(), "application/json"),
        ("dates run, beam 5, + attention PNG (the page)", "dates/run",
         json.dumps({"text": "3 March 1997", "beam": 5, "plot": True}).encode(),
         "application/json"),
        ("emoji predict + saliency (average of GloVe)", "emoji/predict",
         json.dumps({"text": "I love baseball"}).encode(), "application/json"),
        ("GloVe similar, 10 words of 1,811", "glove.6B.50d.demo/similar",
         json.dumps({"words": ["king"], "n": 10}).encode(), "application/json"),
        ("speech transcribe, 0.4 s WAV upload, beam 8", "digits/transcribe?beam=8", wav,
         "audio/wav"),
        ("caption run, 96x96 PNG upload, beam 3", "scenes/run", png, "image/png"),
        ("caption run, + attention panels PNG (the page)", "scenes/run?plot=true", png,
         "image/png"),
    ]  # fmt: skip


def start_server(models: Path) -> tuple[subprocess.Popen, str]:
    folders = sorted(str(p) for p in models.iterdir())
    env = {**os.environ, "PYTHONPATH": str(ROOT / "src")}
    proc = subprocess.Popen([*SEQLAB, "serve", *folders, "--port", "0"], stdout=subprocess.PIPE,
                            text=True, env=env)  # fmt: skip
    for line in proc.stdout:
        if line.startswith("seqlab serve:"):
            return proc, line.split(" at ")[1].split("/ ")[0]
    raise SystemExit(f"seqlab serve did not start (exit {proc.wait()})")


def one(url: str, body: bytes, kind: str) -> tuple[float, int, dict]:
    request = urllib.request.Request(url, data=body, headers={"Content-Type": kind})
    t0 = time.perf_counter()
    with urllib.request.urlopen(request, timeout=120) as answer:
        data = json.loads(answer.read())
        status = answer.status
    return time.perf_counter() - t0, status, data


def run(url: str, body: bytes, kind: str, n: int, concurrency: int) -> dict:
    first = one(url, body, kind)[2]["results"]  # warm, and the answer every other must equal
    with ThreadPoolExecutor(max_workers=concurrency) as pool:
        t0 = time.perf_counter()
        done = list(pool.map(lambda _: one(url, body, kind), range(n)))
        wall = time.perf_counter() - t0
    latencies = np.array([d[0] for d in done]) * 1000
    wrong = sum(d[1] != 200 or d[2]["results"] != first for d in done)
    return {"p50": float(np.percentile(latencies, 50)), "p90": float(np.percentile(latencies, 90)),
            "p99": float(np.percentile(latencies, 99)), "per_second": n / wall,
            "wrong": wrong}  # fmt: skip


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--work", default="runs/serve", help="folder for the demo's models")
    parser.add_argument("--models", help="a `seqlab demo --keep` folder (default: make one)")
    parser.add_argument("--requests", type=int, default=200, help="requests per endpoint and C")
    parser.add_argument("--concurrency", type=int, nargs="+", default=[1, 4, 16])
    parser.add_argument("--json", action="store_true", help="one JSON line per row")
    args = parser.parse_args()
    models = Path(args.models) if args.models else Path(args.work).resolve() / "models"
    if not models.is_dir():
        subprocess.run([*SEQLAB, "demo", "--parts", "words", "emoji", "speech", "dates",
                        "caption", "--no-progress", "--keep", str(models)], check=True,
                       stdout=subprocess.DEVNULL, cwd=ROOT)  # fmt: skip
    proc, base = start_server(models)
    rows = []
    try:
        for label, path, body, kind in endpoints():
            for c in args.concurrency:
                r = run(f"{base}/api/{path}", body, kind, args.requests, c)
                rows.append({"endpoint": label, "concurrency": c, **r})
                if args.json:
                    print(json.dumps(rows[-1]), flush=True)
    finally:
        proc.terminate()
        proc.wait()
    if not args.json:
        print(f"{args.requests} requests per row; load average {os.getloadavg()[0]:.1f} at the end")
        print("| endpoint | C | p50 ms | p90 ms | p99 ms | requests/s | wrong |")
        print("| --- | ---: | ---: | ---: | ---: | ---: | ---: |")
        for r in rows:
            print(
                f"| {r['endpoint']} | {r['concurrency']} | {r['p50']:.1f} | {r['p90']:.1f} | "
                f"{r['p99']:.1f} | {r['per_second']:.1f} | {r['wrong']} |"
            )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
