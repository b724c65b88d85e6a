"""Character language model on Tiny Shakespeare: quality in 20 minutes, and speed vs torch.nn.

Quality: train ``--preset shakespeare-cpu`` (first 90% of input.txt train, last 10% validate, as
char-rnn and nanoGPT split it) and report the validation loss in nats per character: the
Trainer's (batched columns, state carried across segments) and the exact one (the whole
validation text scored as one stream by ``seqlab.lm.score_text``).

Speed: tokens per second of training steps (forward, backward, AdamW) for seqlab's
LanguageModel and a plain PyTorch model of the same size (nn.Embedding -> nn.LSTM -> nn.Linear)
on the same batches, alternating, in the same process; the ratio is seqlab / torch.

    .venv/bin/python benchmarks/lm_shakespeare.py --part speed
    .venv/bin/python benchmarks/lm_shakespeare.py --part quality --out runs/shakespeare
    .venv/bin/python benchmarks/lm_shakespeare.py --part quality --minutes 5 \
        --set model.dropout=0.3 --set trainer.lr=3e-3

Each result is printed as one JSON line (and appended to ``--log`` when given).
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import os
import platform
import statistics
import sys
import time
from pathlib import Path

import torch
import torch.nn.functional as F
from torch import nn

from preset_sets import preset_changes
from seqlab.datasets import read_text
from seqlab.lm import PRESETS, preset_configs, score_text, split_corpus
from seqlab.lm.train import train_language_model

DEFAULT_CORPUS = Path(__file__).resolve().parents[1] / "../shared/data/tinyshakespeare/input.txt"


def configs(preset: str, overrides: list[str], minutes: float | None):
    """The preset's three configs with ``section.field=value`` overrides applied."""
    changes = preset_changes(overrides, progress=True)
    if minutes is not None:
        changes["trainer"]["max_minutes"] = minutes
    return preset_configs(preset, **changes)


def quality(args: argparse.Namespace) -> dict:
    text = read_text(args.corpus)
    model_cfg, data_cfg, trainer_cfg = configs(args.preset, args.set, args.minutes)
    start = time.perf_counter()
    trained = train_language_model(text, model_cfg, data_cfg, trainer_cfg, args.out,
                                   corpus_path=args.corpus)  # fmt: skip
    train_seconds = time.perf_counter() - start
    _, val_text = split_corpus(text, model_cfg.mode, data_cfg.val_fraction)
    exact = score_text(trained.model, val_text)
    metrics = [json.loads(line) for line in open(Path(args.out) / "metrics.jsonl")]
    train_losses = [m["train_loss"] for m in metrics if m.get("kind") == "train"]
    return {
        "part": "quality",
        "preset": args.preset,
        "overrides": args.set,
        "val_loss": trained.result.best_val_loss,
        "val_loss_exact_stream": exact.nats_per_token,
        "val_bpc_exact_stream": exact.nats_per_token / 0.6931471805599453,
        "last_train_loss": train_losses[-1] if train_losses else None,
        "steps": trained.result.steps,
        "epochs": trained.result.epochs,
        "best_step": trained.result.best_step,
        "stopped_because": trained.result.stopped_because,
        "train_seconds": trained.result.elapsed,
        "wall_seconds": train_seconds,
        "model": dataclasses.asdict(model_cfg),
        "data": dataclasses.asdict(data_cfg),
        "trainer": {k: v for k, v in dataclasses.asdict(trainer_cfg).items() if k != "progress"},
    }


class TorchCharLM(nn.Module):
    """The plain PyTorch baseline: nn.Embedding -> nn.LSTM -> dropout -> nn.Linear."""

    def __init__(self, V: int, E: int, H: int, L: int, dropout: float) -> None:
        super().__init__()
        self.embed = nn.Embedding(V, E)
        self.rnn = nn.LSTM(E, H, L, batch_first=True, dropout=dropout if L > 1 else 0.0)
        self.drop = nn.Dropout(dropout)
        self.out = nn.Linear(H, V)

    def forward(self, x, state=None):
        a, state = self.rnn(self.drop(self.embed(x)), state)
        return self.out(self.drop(a)), state


def speed(args: argparse.Namespace) -> dict:
    text = read_text(args.corpus)
    model_cfg, data_cfg, _ = configs(args.preset, args.set, None)
    from seqlab.lm import StreamBatches, build_vocab, stream_ids
    from seqlab.lm.model import LanguageModel
    from seqlab.text import CharTokenizer

    tok = CharTokenizer()
    vocab = build_vocab(text, tok, "stream")
    ids, _ = stream_ids(text, tok, vocab)
    batches = StreamBatches(ids, data_cfg.batch_size, data_cfg.bptt)(0)[: args.steps * 3]
    torch.manual_seed(0)
    ours = LanguageModel(model_cfg, vocab, tok)
    ref = TorchCharLM(len(vocab), model_cfg.embedding_size, model_cfg.hidden_size,
                      model_cfg.num_layers, model_cfg.dropout)  # fmt: skip

    def run(model, steps, stateful_ref: bool) -> float:
        opt = torch.optim.AdamW(model.parameters(), lr=1e-3)
        model.train()
        state = None
        tokens, t0 = 0, time.perf_counter()
        for batch in batches[:steps]:
            if stateful_ref:
                logits, state = model(batch["x"], state)
                state = tuple(s.detach() for s in state)
                loss = F.cross_entropy(logits.flatten(0, 1), batch["y"].flatten())
            else:
                loss = model.loss(batch)
            opt.zero_grad(set_to_none=True)
            loss.backward()
            torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
            opt.step()
            tokens += batch["y"].numel()
        return tokens / (time.perf_counter() - t0)

    run(ours, 3, False), run(ref, 3, True)  # warm up
    ours_rates, ref_rates = [], []
    for _ in range(args.repeats):
        ref_rates.append(run(ref, args.steps, True))
        ours_rates.append(run(ours, args.steps, False))
    ours_tps, ref_tps = statistics.median(ours_rates), statistics.median(ref_rates)
    return {
        "part": "speed",
        "preset": args.preset,
        "threads": torch.get_num_threads(),
        "seqlab_tokens_per_s": ours_tps,
        "torch_tokens_per_s": ref_tps,
        "ratio": ours_tps / ref_tps,
        "batch": [data_cfg.batch_size, data_cfg.bptt],
        "hidden_size": model_cfg.hidden_size,
        "num_layers": model_cfg.num_layers,
        "embedding_size": model_cfg.embedding_size,
        "repeats": args.repeats,
        "steps": args.steps,
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--part", choices=["quality", "speed", "all"], default="all")
    parser.add_argument("--corpus", default=os.path.normpath(DEFAULT_CORPUS))
    parser.add_argument("--preset", default="shakespeare-cpu", choices=sorted(PRESETS))
    parser.add_argument("--set", action="append", default=[], metavar="SECTION.FIELD=JSON",
                        help="override a preset field, e.g. model.dropout=0.3")  # fmt: skip
    parser.add_argument("--minutes", type=float, help="override the training budget")
    parser.add_argument("--out", default="runs/shakespeare", help="model folder (quality)")
    parser.add_argument("--steps", type=int, default=10, help="steps per speed measurement")
    parser.add_argument("--repeats", type=int, default=5, help="speed measurements per model")
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--log", help="append the JSON results to this file")
    args = parser.parse_args()
    torch.set_num_threads(args.threads)
    parts = ["speed", "quality"] if args.part == "all" else [args.part]
    for part in parts:
        result = speed(args) if part == "speed" else quality(args)
        result.update(date=time.strftime("%Y-%m-%d"), machine=platform.processor() or
                      platform.machine(), cpus=os.cpu_count(), torch=torch.__version__)  # fmt: skip
        line = json.dumps(result)
        print(line, flush=True)
        if args.log:
            with open(args.log, "a", encoding="utf-8") as f:
                f.write(line + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
