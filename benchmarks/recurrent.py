"""Forward + backward time of seqlab's recurrent layers against torch.nn, measured in one run.

For each size and each variant (RNN, LSTM, peephole LSTM, the notes' GRU, the simplified GRU)
it times one forward+backward pass of a batch for seqlab and for the torch.nn layer of the same
size (torch.nn.RNN / LSTM / GRU; there is no torch.nn peephole LSTM or notes' GRU, so those are
compared with the nearest torch.nn layer, as the issue asks), interleaving the two so that
machine noise hits both alike, and reports the median times and the ratio torch.nn / seqlab
(> 1 means seqlab is faster).

    python benchmarks/recurrent.py                 # both sizes of the issue, CPU
    python benchmarks/recurrent.py --device cuda   # on a GPU
    python benchmarks/recurrent.py --json          # one JSON object per line
"""

from __future__ import annotations

import argparse
import json
import platform
import statistics
import sys
import time

import torch

import seqlab.nn as snn

SIZES = [  # (B, T, n_x, n_a)
    (32, 100, 128, 256),
    (64, 50, 256, 512),
]

VARIANTS = {  # name: (seqlab factory, torch.nn factory)
    "rnn": (lambda E, H: snn.RNN(E, H), lambda E, H: torch.nn.RNN(E, H, batch_first=True)),
    "lstm": (lambda E, H: snn.LSTM(E, H), lambda E, H: torch.nn.LSTM(E, H, batch_first=True)),
    "lstm_peephole": (
        lambda E, H: snn.LSTM(E, H, peephole=True),
        lambda E, H: torch.nn.LSTM(E, H, batch_first=True),
    ),
    "gru": (lambda E, H: snn.GRU(E, H), lambda E, H: torch.nn.GRU(E, H, batch_first=True)),
    "gru_simplified": (
        lambda E, H: snn.GRU(E, H, relevance_gate=False),
        lambda E, H: torch.nn.GRU(E, H, batch_first=True),
    ),
}


def _sync(device: torch.device) -> None:
    if device.type == "cuda":
        torch.cuda.synchronize()


def time_fwd_bwd(layer: torch.nn.Module, x: torch.Tensor) -> float:
    """Seconds for one forward + backward of ``layer`` on ``x`` (B, T, n_x)."""
    _sync(x.device)
    t0 = time.perf_counter()
    a, _ = layer(x)
    a.sum().backward()
    _sync(x.device)
    return time.perf_counter() - t0


def bench(name: str, size: tuple[int, int, int, int], device: torch.device, repeats: int) -> dict:
    """Median fwd+bwd times of seqlab and torch.nn for one variant and size."""
    B, T, E, H = size
    make_ours, make_ref = VARIANTS[name]
    ours, ref = make_ours(E, H).to(device), make_ref(E, H).to(device)
    x = torch.randn(B, T, E, device=device, requires_grad=True)
    for _ in range(2):  # warm-up: allocator, kernels, cuDNN plans
        time_fwd_bwd(ours, x), time_fwd_bwd(ref, x)
    t_ours, t_ref = [], []
    for _ in range(repeats):
        t_ours.append(time_fwd_bwd(ours, x))
        t_ref.append(time_fwd_bwd(ref, x))
    m_ours, m_ref = statistics.median(t_ours), statistics.median(t_ref)
    return {
        "variant": name,
        "B": B,
        "T": T,
        "n_x": E,
        "n_a": H,
        "device": device.type,
        "seqlab_ms": round(m_ours * 1e3, 3),
        "torch_ms": round(m_ref * 1e3, 3),
        "ratio": round(m_ref / m_ours, 3),
    }


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    p.add_argument("--device", default="cpu")
    p.add_argument("--repeats", type=int, default=10)
    p.add_argument("--variants", nargs="*", default=list(VARIANTS), choices=list(VARIANTS))
    p.add_argument("--json", action="store_true", help="one JSON object per line")
    args = p.parse_args(argv)
    device = torch.device(args.device)
    torch.manual_seed(0)
    if not args.json:
        cpu = platform.processor() or platform.machine()
        print(
            f"torch {torch.__version__}, device {device}, threads {torch.get_num_threads()}, {cpu}"
        )
        print(f"{'variant':16} {'B':>3} {'T':>4} {'n_x':>4} {'n_a':>4} "
              f"{'seqlab ms':>10} {'torch ms':>10} {'torch/seqlab':>12}")  # fmt: skip
    for size in SIZES:
        for name in args.variants:
            r = bench(name, size, device, args.repeats)
            if args.json:
                print(json.dumps(r), flush=True)
            else:
                print(
                    f"{name:16} {r['B']:>3} {r['T']:>4} {r['n_x']:>4} {r['n_a']:>4} "
                    f"{r['seqlab_ms']:>10.2f} {r['torch_ms']:>10.2f} {r['ratio']:>12.3f}",
                    flush=True,
                )
    return 0


if __name__ == "__main__":
    sys.exit(main())
