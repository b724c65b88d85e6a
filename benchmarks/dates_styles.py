"""Date normalisation on composed styles: exact match on whole held-out style families.

Trains ``--preset`` (default ``dates-styles``, changed with ``--set``) on ``--n`` pairs drawn
from the training space of :mod:`seqlab.seq2seq.date_styles` (seed 0), validating on ``--val``
new draws from that space (split "val", training sources removed); with ``--val-family``, a
validation family is also held out of training and scored. Only these choose settings.
Then it reports exact match, greedy and beam 3, on

- seen: new draws from the training space (split "val", seed 1), training and validation
  sources removed;
- each held-out family (``FAMILIES``, split "held_out", seed 2), training sources removed;
- the registry's six ``HELD_OUT_FORMATS`` (:mod:`seqlab.seq2seq.dates`, seed 2);
- ``BY_HAND``: dates written by hand as a new user would, none generated;

and runs the error analysis of ``seqlab translate analyze`` (search or model to blame) on the
held-out-family errors of beam 3.

    # choosing settings (the validation split and a validation family only):
    .venv/bin/python benchmarks/dates_styles.py --preset dates --n 40000 --val-family ymd_dots \
        --val-only --set model.bidirectional=false --set model.dropout=0.3
    # the chosen recipe (--preset dates-styles) on 80,000 pairs, then the test sets, once:
    .venv/bin/python benchmarks/dates_styles.py --val-only --save runs/dates-styles
    .venv/bin/python benchmarks/dates_styles.py --load runs/dates-styles --log runs/dates.jsonl

Prints one JSON line (and appends it to ``--log``).
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import time
from collections import Counter
from datetime import timedelta

import numpy as np
import torch

import seqlab
from preset_sets import preset_changes
from seqlab.seq2seq import (
    beam_search,
    error_analysis,
    greedy_decode,
    preset_configs,
    train_seq2seq,
)
from seqlab.seq2seq.date_styles import FAMILIES, allowed_styles, date_style_pairs
from seqlab.seq2seq.dates import HELD_OUT_FORMATS, TWO_DIGIT_YEARS, date_pairs

# Written by hand (not generated), as people type dates; several are in no generated style.
BY_HAND = [
    ("the 3rd of March 1997", "1997-03-03"),
    ("March 3rd 1997", "1997-03-03"),
    ("3 Mar 97", "1997-03-03"),
    ("Tue 14 Jul 2015", "2015-07-14"),
    ("july 4, 1976", "1976-07-04"),
    ("Sat, 1 Jan 2000", "2000-01-01"),
    ("December 25th, 2020", "2020-12-25"),
    ("12/25/2020", "2020-12-25"),
    ("2021-06-30", "2021-06-30"),
    ("31.12.1999", "1999-12-31"),
    ("1er mai 2010", "2010-05-01"),
    ("14 juillet 1989", "1989-07-14"),
    ("vendredi 13 février 2015", "2015-02-13"),
    ("le 8 mai 1965", "1965-05-08"),
    ("3. Oktober 1990", "1990-10-03"),
    ("Mittwoch, 9. Nov. 1989", "1989-11-09"),
    ("24.12.21", "2021-12-24"),
    ("2 de mayo de 2008", "2008-05-02"),
    ("domingo, 20 de julio de 1969", "1969-07-20"),
    ("15-ago-2019", "2019-08-15"),
    ("25 aprile 1995", "1995-04-25"),
    ("sabato 2 giugno 1956", "1956-06-02"),
    ("1º de janeiro de 2001", "2001-01-01"),
    ("7 de set. de 1972", "1972-09-07"),
    ("quinta-feira, 22 de abril de 1999", "1999-04-22"),
    ("5 mei 2045", "2045-05-05"),
    ("zondag 27 april 2014", "2014-04-27"),
    ("11-11-1918", "1918-11-11"),
    ("1969.07.20", "1969-07-20"),
    ("FRIDAY, MAY 8, 1970", "1970-05-08"),
]


# Validation families, for choosing settings: also taken out of training (only with --val-family),
# so that held-out combinations can be measured without touching the test families.
VAL_FAMILIES = {
    "ymd_dots": {"month": ("number", "padded"), "order": ("YMD",), "sep": ("dot",)},
}


def matches(style, predicate: dict) -> bool:
    return all(getattr(style, part) in values for part, values in predicate.items())


def family_rows(predicate: dict, n: int, seed: int) -> list[tuple]:
    """``n`` (source, target, style) drawn like date_style_pairs, from the styles matching."""
    styles = [s for s in allowed_styles() if matches(s, predicate)]
    rng = np.random.default_rng(seed)
    low, high = TWO_DIGIT_YEARS
    rows = []
    for _ in range(n):
        style = styles[int(rng.integers(len(styles)))]
        day = low + timedelta(days=int(rng.integers((high - low).days + 1)))
        rows.append((style.format(day), day.isoformat(), style))
    return rows


def decode(model, sources: list[str], beam: int):
    if beam == 1:
        return greedy_decode(model, sources, batch_size=256)
    return [h[0] for h in beam_search(model, sources, beam_size=beam, batch_size=256)]


def exact(model, rows, beam: int) -> tuple[float, list, list]:
    """Exact match of ``rows`` ((source, target, ...)), a few errors, every hypothesis."""
    hyps = decode(model, [r[0] for r in rows], beam)
    wrong = [(r[0], r[1], h.text) for r, h in zip(rows, hyps) if h.text != r[1]]
    return round(1 - len(wrong) / len(rows), 4), wrong[:5], hyps


def parse_sets(items: list[str]) -> dict[str, dict]:
    return preset_changes(items, progress=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--n", type=int, default=60000, help="training pairs")
    parser.add_argument("--val", type=int, default=3000, help="validation pairs (split val)")
    parser.add_argument("--test", type=int, default=3000, help="seen-space test pairs")
    parser.add_argument("--per-family", type=int, default=300, help="test pairs per family")
    parser.add_argument("--preset", default="dates-styles", help="a seq2seq preset")
    parser.add_argument("--set", action="append", default=[], metavar="SECTION.FIELD=JSON")
    parser.add_argument("--threads", type=int, default=1)
    parser.add_argument(
        "--val-family",
        choices=sorted(VAL_FAMILIES),
        help="also hold this validation family out of training and report it",
    )
    parser.add_argument("--val-only", action="store_true", help="report the validation split only")
    parser.add_argument("--save", help="keep the trained model in this folder")
    parser.add_argument("--load", help="evaluate this saved model instead of training")
    parser.add_argument("--log", help="append the JSON result to this file")
    args = parser.parse_args()
    torch.set_num_threads(args.threads)
    train = date_style_pairs(args.n, seed=0)
    seen = {s for s, _, _ in train}
    val = date_style_pairs(args.val, seed=0, split="val", exclude=seen)
    if args.val_family:
        predicate = VAL_FAMILIES[args.val_family]
        train = [t for t in date_style_pairs(2 * args.n, seed=0) if not matches(t[2], predicate)]
        train = train[: args.n]
        seen = {s for s, _, _ in train}
        val = date_style_pairs(2 * args.val, seed=0, split="val", exclude=seen)
        val = [t for t in val if not matches(t[2], predicate)][: args.val]
    record: dict = {"benchmark": "dates_styles", "date": time.strftime("%Y-%m-%d"),
                    "machine": f"{platform.machine()}, {os.cpu_count()} cores, torch "
                    f"{torch.__version__}", "threads": args.threads, "train_pairs": args.n,
                    "preset": args.preset, "sets": args.set}  # fmt: skip
    if args.load:
        model = seqlab.load(args.load)
        record["model"] = args.load
    else:
        model_cfg, data_cfg, trainer_cfg = preset_configs(args.preset, **parse_sets(args.set))
        folder = args.save or f"/tmp/dates-styles-{os.getpid()}"
        trained = train_seq2seq([(s, t) for s, t, _ in train], model_cfg, data_cfg, trainer_cfg,
                                folder, val_pairs=[(s, t) for s, t, _ in val],
                                overwrite=True)  # fmt: skip
        model, r = trained.model, trained.result
        record.update(train_seconds=round(r.elapsed, 1), epochs=r.epochs, steps=r.steps,
                      best_val_loss=r.best_val_loss)  # fmt: skip
    model.eval()
    record["parameters"] = model.describe()["parameters"]
    record["val_exact_greedy"], record["val_errors"], _ = exact(model, val, 1)
    if args.val_family:
        rows = family_rows(VAL_FAMILIES[args.val_family], 1000, seed=7)
        record["val_family"] = args.val_family
        record["val_family_exact_greedy"], record["val_family_errors"], _ = exact(model, rows, 1)
    if not args.val_only:
        evaluate(model, args, seen | {s for s, _, _ in val}, record)
    line = json.dumps(record, ensure_ascii=False)
    print(line)
    if args.log:
        with open(args.log, "a", encoding="utf-8") as f:
            f.write(line + "\n")


def evaluate(model, args, seen: set[str], record: dict) -> None:
    """The test sets (never used to choose settings), greedy and beam 3, and the blame."""
    test = date_style_pairs(args.test, seed=1, split="val", exclude=seen)
    families = {name: date_style_pairs(args.per_family, seed=2, split="held_out",
                                       families=[name], exclude=seen)
                for name in FAMILIES}  # fmt: skip
    registry = date_pairs(2000, formats=list(HELD_OUT_FORMATS), seed=2)
    record.update(test_pairs=len(test), family_pairs=args.per_family)
    for beam in (1, 3):
        name = "greedy" if beam == 1 else f"beam{beam}"
        record[f"seen_exact_{name}"], record[f"seen_errors_{name}"], _ = exact(model, test, beam)
        per_family, all_rows, all_hyps = {}, [], []
        for family, rows in families.items():
            per_family[family], _, hyps = exact(model, rows, beam)
            all_rows += rows
            all_hyps += hyps
        record[f"families_{name}"] = per_family
        wrong = [(r, h) for r, h in zip(all_rows, all_hyps) if h.text != r[1]]
        record[f"families_exact_{name}"] = round(1 - len(wrong) / len(all_rows), 4)
        record[f"families_errors_{name}"] = [(r[0], r[1], h.text) for r, h in wrong[:8]]
        record[f"registry_held_out_exact_{name}"], _, _ = exact(model, registry, beam)
        record[f"by_hand_exact_{name}"], _, hyps = exact(model, BY_HAND, beam)
        record[f"by_hand_errors_{name}"] = [(s, t, h.text) for (s, t), h in zip(BY_HAND, hyps)
                                            if h.text != t]  # fmt: skip
    if wrong:  # beam 3's held-out-family errors: the search or the model to blame?
        report = error_analysis(
            model,
            [r[0] for r, _ in wrong],
            [r[1] for r, _ in wrong],
            [h.ids for _, h in wrong],
            batch_size=256,
            on_long="truncate",
        )
        record["families_blame_beam3"] = report.summary()
        record["families_errors_by_locale_beam3"] = dict(
            Counter(r[2].name.split("/")[0] for r, _ in wrong)
        )


if __name__ == "__main__":
    main()
