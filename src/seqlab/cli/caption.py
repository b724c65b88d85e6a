"""``seqlab caption``: scenes, emoji, train, run, evaluate, attention (image captioning)."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from seqlab.cli._common import (
    CLIError,
    add_config_flags,
    add_model_flags,
    add_output_flags,
    add_trainer_flags,
    auto_threads,
    config_from_args,
    data_args,
    default_data,
    emit_json,
    load_task_model,
    out_dir_flags,
    pick_device,
    print_train_footer,
    set_threads,
    train_summary,
)
from seqlab.cli._figures import save_figure

SCENES_EPILOG = """examples:
  seqlab caption scenes -n 10000 --seed 0 --split train --out scenes-train
  seqlab caption scenes -n 1000 --seed 1 --split test --out scenes-test
  seqlab caption scenes -n 1000 --seed 2 --split test --held-out --out scenes-held-out

Photos come from that split of Fashion-MNIST (--data); the same arguments write the same bytes.
Without --held-out no scene holds one of the held-out (item, place) pairs; with it every scene
holds one (training never sees them: a test of composition).
"""

EMOJI_EPILOG = """examples:
  seqlab caption emoji --split tones --out emoji-tones     # writes emoji-tones/{train,test}
  seqlab caption emoji --split novel --out emoji-novel

tones: one skin tone of every emoji with variants is held out (emoji and tone both seen, never
together); novel: 20% of the emoji are held out with all their variants.
"""

TRAIN_EPILOG = """examples:
  seqlab caption train scenes-train --out scenes-att
  seqlab caption train scenes-train --no-attention --out scenes-sat     # Show and Tell
  seqlab caption train emoji-tones/train --out emoji-tones-model

FOLDER is a captions folder: captions.tsv (IMAGE<TAB>CAPTION per line) and the images; an
image that cannot be read is skipped with a warning.
--json prints one line at the end: {"val_loss", "train_seconds", "steps", ...}
"""

RUN_EPILOG = """examples:
  seqlab caption run scenes-att scenes-test/images/00000.png --beam 3
  seqlab caption run scenes-att img1.png img2.png --json     # {"image", "caption", "score"}

An image that cannot be read is reported and skipped; the others are captioned (exit code 2).
"""

EVALUATE_EPILOG = """examples:
  seqlab caption evaluate scenes-att scenes-test --json   # {"bleu", "exact_match", "n", ...}
  seqlab caption evaluate emoji-tones-model emoji-tones/test --hyp-out hyps.txt

Scenes folders (with items.jsonl) also report attention grounding for an attention model.
An image that cannot be read is reported and skipped; the rest are scored (exit code 2).
"""

ATTENTION_EPILOG = """example:
  seqlab caption attention scenes-att scenes-test/images/00000.png --plot att.png
"""


def register(sub: argparse._SubParsersAction) -> None:
    from seqlab.vision.config import CaptionDataConfig, CaptionerConfig, SceneConfig

    group = sub.add_parser("caption", help="image captioning: scenes, emoji, train, run, ...")
    verbs = group.add_subparsers(dest="verb", metavar="VERB", required=True)
    raw = argparse.RawDescriptionHelpFormatter

    p = verbs.add_parser("scenes", help="generate Fashion scenes and their captions",
                         epilog=SCENES_EPILOG, formatter_class=raw)  # fmt: skip
    p.add_argument("-n", type=int, default=1000, help="scenes to write (default: 1000)")
    p.add_argument("--seed", type=int, default=0, help="same seed, same scenes (default: 0)")
    p.add_argument("--split", choices=("train", "test"), default="train",
                   help="which Fashion-MNIST photos (default: train)")  # fmt: skip
    p.add_argument("--held-out", action="store_true",
                   help="every scene holds one held-out (item, place) pair")  # fmt: skip
    p.add_argument("--data", help="the Fashion-MNIST folder (default: the data set fashion_mnist "
                   "once fetched, else ../shared/data/fashion_mnist)")  # fmt: skip
    p.add_argument("--out", required=True, help="the captions folder to write")
    add_config_flags(p, SceneConfig, group="scenes")
    p.add_argument("--json", action="store_true", help="print a summary as one JSON line")
    p.set_defaults(func=run_scenes)
    data_args(p, "data")

    p = verbs.add_parser("emoji", help="Noto emoji images and their Unicode names",
                         epilog=EMOJI_EPILOG, formatter_class=raw)  # fmt: skip
    p.add_argument("--split", choices=("tones", "novel"), default="tones",
                   help="what is held out (default: tones)")  # fmt: skip
    p.add_argument("--seed", type=int, default=0, help="which tones or emoji are held out")
    p.add_argument("--data", help="the emoji_images folder (default: the data set emoji_images "
                   "once fetched, else ../shared/data/emoji_images)")  # fmt: skip
    p.add_argument("--out", required=True, help="the folder to write (train/ and test/)")
    p.add_argument("--json", action="store_true", help="print a summary as one JSON line")
    p.set_defaults(func=run_emoji)
    data_args(p, "data")

    p = verbs.add_parser("train", help="train a captioner on a captions folder",
                         epilog=TRAIN_EPILOG, formatter_class=raw)  # fmt: skip
    p.add_argument("folder", metavar="FOLDER", help="a captions folder")
    p.add_argument("--dev", metavar="FOLDER", help="validation folder (default: a random "
                   "--val-fraction of FOLDER)")  # fmt: skip
    p.add_argument("--out", required=True, help="the model folder to write")
    add_config_flags(p, CaptionerConfig, exclude=["image_size", "in_channels", "vocab_size"],
                     group="model")  # fmt: skip
    add_config_flags(p, CaptionDataConfig, group="data")
    add_trainer_flags(p, exclude=["shuffle"])
    _vision_defaults(p, "caption")
    add_output_flags(p, "one JSON line at the end (the training summary)")
    p.set_defaults(func=run_train)
    data_args(p, "folder", "dev")

    p = verbs.add_parser("run", help="caption images", epilog=RUN_EPILOG, formatter_class=raw)
    p.add_argument("model", help="a folder written by `seqlab caption train`")
    p.add_argument("images", nargs="+", metavar="IMAGE", help="image files (PNG, ...)")
    _add_search_flags(p)
    p.set_defaults(func=run_run)

    p = verbs.add_parser("evaluate", help="BLEU-4 and exact match on a captions folder",
                         epilog=EVALUATE_EPILOG, formatter_class=raw)  # fmt: skip
    p.add_argument("model", help="a folder written by `seqlab caption train`")
    p.add_argument("folder", metavar="FOLDER", help="a captions folder")
    p.add_argument("--hyp-out", help="also write the generated captions to this file")
    _add_search_flags(p)
    p.set_defaults(func=run_evaluate)
    data_args(p, "folder")

    p = verbs.add_parser("attention", help="where the decoder looked for each word (PNG)",
                         epilog=ATTENTION_EPILOG, formatter_class=raw)  # fmt: skip
    p.add_argument("model", help="a folder written by `seqlab caption train` (with attention)")
    p.add_argument("image", help="the image file")
    p.add_argument("--plot", metavar="PNG", required=True,
                   help="the picture to write: one panel per word (PNG)")  # fmt: skip
    _add_search_flags(p)
    p.set_defaults(func=run_attention)


def _vision_defaults(p: argparse.ArgumentParser, task: str) -> None:
    """Make the task's training defaults (seqlab.vision.config) the flags' defaults."""
    from seqlab.vision.config import ACTIVITY_TRAINER, CAPTION_TRAINER

    defaults = CAPTION_TRAINER if task == "caption" else ACTIVITY_TRAINER
    for action in p._actions:
        if action.dest in defaults:
            old = action.default
            action.default = defaults[action.dest]
            if action.help:
                action.help = action.help.replace(f"(default: {old})",
                                                  f"(default: {action.default})")  # fmt: skip


def _add_search_flags(p: argparse.ArgumentParser) -> None:
    p.add_argument("--beam", type=int, default=3, help="beam size K; 1 = greedy (default: 3)")
    p.add_argument("--alpha", type=float, default=0.7,
                   help="length normalisation: logprob / T_y^alpha (default: 0.7)")  # fmt: skip
    p.add_argument("--max-len", type=int, default=None,
                   help="most words (default: the model's max_caption_len)")  # fmt: skip
    p.add_argument("--batch-size", type=int, default=64, help="images searched together")
    p.add_argument("--on-size", choices=("error", "resize"), default="error",
                   help="an image of another size than the model's (default: error)")  # fmt: skip
    p.add_argument("--json", action="store_true", help="one JSON object per line")
    add_model_flags(p)


def _load(folder: str, device: str = "cpu"):
    return load_task_model(folder, "caption", "a captioner (caption)", pick_device(device))


# --- data --------------------------------------------------------------------------------------


def run_scenes(args: argparse.Namespace) -> int:
    import dataclasses

    from seqlab.vision.captions import write_captions_folder
    from seqlab.vision.config import SceneConfig
    from seqlab.vision.fashion import read_fashion_mnist
    from seqlab.vision.scenes import held_out_pairs, make_scenes

    if args.n < 1:
        raise CLIError(f"-n must be at least 1, got {args.n}")
    config = config_from_args(SceneConfig, args)
    data = args.data or default_data("fashion_mnist", "../shared/data/fashion_mnist")
    photos, labels = read_fashion_mnist(data, args.split)
    scenes = make_scenes(photos, labels, args.n, seed=args.seed, config=config,
                         held_out=args.held_out)  # fmt: skip
    items = [[{"word": i.word, "place": i.place, "cell": i.cell, "label": i.label,
               "photo": i.photo} for i in s.items] for s in scenes]  # fmt: skip
    record = {"generator": "fashion-scenes", "split": args.split, "seed": args.seed, "n": args.n,
              "held_out": args.held_out, "config": dataclasses.asdict(config),
              "held_out_pairs": sorted(map(list, held_out_pairs(config)))}  # fmt: skip
    out = write_captions_folder(args.out, [s.image for s in scenes], [s.caption for s in scenes],
                                items=items, grid=config.grid, record=record)  # fmt: skip
    if args.json:
        emit_json({"out": str(out), "n": args.n, "split": args.split, "held_out": args.held_out})
    else:
        print(f"{args.n} scenes ({args.split} photos{', held-out pairs' if args.held_out else ''})"
              f" in {out}/: captions.tsv, items.jsonl, images/")  # fmt: skip
        print(f"first: {scenes[0].caption}")
    return 0


def run_emoji(args: argparse.Namespace) -> int:
    from seqlab.vision.captions import write_captions_folder
    from seqlab.vision.emoji import emoji_captions

    data = args.data or default_data("emoji_images", "../shared/data/emoji_images")
    parts = emoji_captions(data, split=args.split, seed=args.seed)
    out = Path(args.out)
    for name, examples in parts.items():
        record = {"generator": "emoji", "split": args.split, "part": name, "seed": args.seed,
                  "n": len(examples)}  # fmt: skip
        write_captions_folder(out / name, [e["image"] for e in examples],
                              [e["caption"] for e in examples], record=record)  # fmt: skip
    counts = {name: len(v) for name, v in parts.items()}
    if args.json:
        emit_json({"out": str(out), "split": args.split, **counts})
    else:
        print(f"emoji split {args.split!r}: {counts['train']} training and {counts['test']} test "
              f"images in {out}/train and {out}/test")  # fmt: skip
    return 0


def _read_folder(folder: str, args: argparse.Namespace, *, size=None, mode="auto",
                 training: bool = False):  # fmt: skip
    """A captions folder and how many images were skipped, each reported on stderr: a
    warning when training (the model is complete without them), an error otherwise (the
    command's output is incomplete, and it exits with 2)."""
    from seqlab.vision.captions import read_captions_folder

    data, problems = read_captions_folder(folder, mode=mode, size=size,
                                          on_size=getattr(args, "on_size", "error"))  # fmt: skip
    for problem in problems:
        line = f"warning: skipped {problem}" if training else f"error: {problem} (skipped)"
        print(f"seqlab: {line}", file=sys.stderr)
    return data, len(problems)


# --- train -------------------------------------------------------------------------------------


def run_train(args: argparse.Namespace) -> int:
    from seqlab.train import TrainerConfig
    from seqlab.vision.config import CaptionDataConfig, CaptionerConfig
    from seqlab.vision.train import train_captioner

    model_cfg = config_from_args(CaptionerConfig, args)
    data_cfg = config_from_args(CaptionDataConfig, args)
    set_threads(auto_threads(args.threads, model_cfg.hidden_size))
    show = not args.no_progress and sys.stderr.isatty()
    trainer_cfg = config_from_args(TrainerConfig, args, progress=show)
    out = Path(args.out)
    if out.exists() and not out.is_dir():
        raise CLIError(f"--out {out} exists and is not a folder")
    train, _ = _read_folder(args.folder, args, training=True)
    size, mode = train.images.shape[-1], "L" if train.images.shape[1] == 1 else "RGB"
    dev = None
    if args.dev:
        dev, _ = _read_folder(args.dev, args, size=size, mode=mode, training=True)
    sources = {"folder": str(Path(args.folder).resolve()),
               "dev": str(Path(args.dev).resolve()) if args.dev else None}  # fmt: skip
    trained = train_captioner(train, model_cfg, data_cfg, trainer_cfg, out, val_set=dev,
                              sources=sources, **out_dir_flags(args))  # fmt: skip
    if args.json:
        emit_json(train_summary(trained.result, trained.record, out))
        return 0
    d = trained.model.describe()
    kind = "Show, Attend and Tell" if d["attention"] else "Show and Tell"
    print(f"{kind}: {d['parameters']:,} parameters, {d['grid'][0]}x{d['grid'][1]} grid, "
          f"{d['vocab']} words; {len(train)} images")  # fmt: skip
    print_train_footer(trained.result, out, None, f"seqlab caption evaluate {out} TEST_FOLDER")
    return 0


# --- run, evaluate, attention --------------------------------------------------------------------


def _read_inputs(model, paths: list[str], on_size: str):
    """The images the model can read, and how many were skipped (each reported)."""
    from seqlab.vision.images import read_images

    mode = "L" if model.config.in_channels == 1 else "RGB"
    images, problems = read_images(paths, mode=mode, size=model.config.image_size,
                                   on_size=on_size)  # fmt: skip
    for problem in problems:
        print(f"seqlab: error: {problem} (skipped)", file=sys.stderr)
    keep = [(p, im) for p, im in zip(paths, images) if im is not None]
    return keep, len(problems)


def _search(model, images, args):
    from seqlab.vision.caption import caption_images

    if args.beam < 1:
        raise CLIError(f"--beam must be at least 1, got {args.beam}")
    return caption_images(model, images, beam_size=args.beam, alpha=args.alpha,
                          max_len=args.max_len, batch_size=args.batch_size)  # fmt: skip


def run_run(args: argparse.Namespace) -> int:
    set_threads(args.threads)
    model = _load(args.model, args.device)
    keep, skipped = _read_inputs(model, args.images, args.on_size)
    if keep:
        hyps = _search(model, [im for _, im in keep], args)
        for (path, _), hyp in zip(keep, hyps):
            if args.json:
                emit_json({"image": path, "caption": hyp.text, "score": hyp.score})
            else:
                print(f"{path}\t{hyp.text}\t{hyp.score:.4f}")
    return 2 if skipped else 0


def run_evaluate(args: argparse.Namespace) -> int:
    from seqlab.vision.caption import evaluate_captions, grounding

    set_threads(args.threads)
    model = _load(args.model, args.device)
    mode = "L" if model.config.in_channels == 1 else "RGB"
    data, skipped = _read_folder(args.folder, args, size=model.config.image_size, mode=mode)
    hyps = _search(model, data.images, args)
    texts = [h.text for h in hyps]
    scores = evaluate_captions(texts, data.captions)
    result = scores.to_dict()
    if model.config.attention and data.items and data.grid:
        found = grounding(model, data)
        result.update({"grounding": found["grounding"], "grounding_n": found["n"],
                       "grounding_by_word": found["by_word"]})  # fmt: skip
    if args.hyp_out:
        Path(args.hyp_out).write_text("".join(t + "\n" for t in texts), encoding="utf-8")
    if args.json:
        emit_json(result)
        return 2 if skipped else 0
    print(f"BLEU-4 {scores.bleu:.2f}, exact match {scores.exact_match:.1%} on {scores.n} images "
          f"(beam {args.beam})")  # fmt: skip
    if "grounding" in result:
        print(f"attention grounding: {result['grounding']:.1%} of {result['grounding_n']} item "
              "words look most at their item's cell")  # fmt: skip
        words = ", ".join(f"{w} {f:.0%}" for w, f in result["grounding_by_word"].items())
        print(f"  by item word: {words}")
    for text, ref in list(zip(texts, data.captions))[:3]:
        print(f"  {text}\n    ref: {ref}")
    return 2 if skipped else 0


def run_attention(args: argparse.Namespace) -> int:
    from seqlab.vision.plot import attention_panels

    set_threads(args.threads)
    model = _load(args.model, args.device)
    if not model.config.attention:
        raise CLIError(f"{args.model} is a Show and Tell model: it has no attention to draw")
    keep, skipped = _read_inputs(model, [args.image], args.on_size)
    if skipped:
        return 2
    image = keep[0][1]
    hyp = _search(model, [image], args)[0]
    words = hyp.output_tokens
    fig = attention_panels(image, words, hyp.attention.numpy(), title=hyp.text)
    out = save_figure(fig, args.plot)
    if args.json:
        emit_json({"image": args.image, "caption": hyp.text, "score": hyp.score,
                   "words": words, "alpha": hyp.attention.tolist(), "plot": str(out)})  # fmt: skip
    else:
        print(f"{hyp.text}\nattention panels ({len(words)} words): {out}")
    return 0
