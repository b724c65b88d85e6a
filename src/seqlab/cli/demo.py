"""``seqlab demo``: a short tour of what seqlab does, one part per capability (each < 1 min)."""

from __future__ import annotations

import argparse
import contextlib
import shutil
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

from seqlab.cli._common import CLIError, add_threads_flag, set_threads
from seqlab.cli._figures import plot_roll
from seqlab.cli._vanishing import format_table, vanishing_with_progress
from seqlab.diagnose.config import VanishingConfig

EPILOG = """example:
  seqlab demo                 # every part
  seqlab demo --parts vanishing
"""

# The full-size commands each part ends with ("Do it yourself: ..."). They run as printed, data
# sets by name (`seqlab data fetch` first); tests/cli/test_data.py parses every one.
DO_IT_YOURSELF = {
    "dinosaurs": "seqlab lm train --out dinos-lm && seqlab lm sample dinos-lm",
    "dates": "seqlab translate dates -n 10000 --out dates.tsv && "
    "seqlab translate train dates.tsv --out dates-model",
    "emoji": "seqlab data fetch emojify glove && seqlab classify train emojify "
    "--vectors glove --out emoji && "
    "seqlab classify evaluate emoji emojify:test",
    "words": "seqlab data fetch lee_corpus glove && seqlab embed train lee_corpus "
    "--method skipgram --min-count 3 --out lee.txt && seqlab embed similar lee.txt police && "
    "seqlab embed analogy glove man woman king",
    "music": "seqlab data fetch jsb_chorales && seqlab music train jsb_chorales "
    "--cell gru --out jsb-gru && seqlab music sample jsb-gru --out chorale.mid "
    "--plot roll.png",
    "speech": "seqlab data fetch fsdd && seqlab speech train --fsdd fsdd --out digits && "
    "seqlab speech transcribe digits fsdd:recordings/7_jackson_0.wav --beam 8",
    "caption": "seqlab data fetch fashion_mnist && "
    "seqlab caption scenes -n 20000 --out scenes && "
    "seqlab caption train scenes --out scenes-att",
    "serve": "seqlab demo --keep models && seqlab serve models/*",
}


_KEEP: list[Path] = []  # --keep DIR: the parts save their models there (set by run)


@contextlib.contextmanager
def _model_folder(name: str) -> Iterator[str]:
    """Where a part trains its model: DIR/name with --keep, else a temporary folder."""
    if _KEEP:
        yield str(_KEEP[0] / name)
        return
    with tempfile.TemporaryDirectory() as folder:
        yield folder


def _keep_copy(source: Any, name: str) -> None:
    """With --keep, a copy of a shipped model folder or file in DIR/name."""
    if not _KEEP:
        return
    source, target = Path(str(source)), _KEEP[0] / name
    if source.is_dir():
        shutil.copytree(source, target)
    else:
        shutil.copyfile(source, target)


def part_vanishing(show_progress: bool, quick: bool) -> None:
    """The notes' vanishing gradients: RNN vs GRU vs LSTM on a long-dependency task."""
    print("== Vanishing gradients: can each cell carry information across T steps? ==")
    config = VanishingConfig(T=8, steps=3, test_size=16) if quick else VanishingConfig()
    results = vanishing_with_progress(config, ("rnn", "gru", "lstm"), show_progress)
    print(format_table(results, config))
    print("Plot it: seqlab diagnose vanishing --plot vanishing.png (see --help)")


def part_dinosaurs(show_progress: bool, quick: bool) -> None:
    """A character language model on the bundled dinosaur names, then novel names from it."""
    from seqlab.lm import dinosaur_names_path, preset_configs
    from seqlab.lm.train import train_language_model

    print("== Language model: new dinosaur names, one character at a time ==")
    budget = {"epochs": 1, "max_steps": 5} if quick else {}
    model, data, trainer = preset_configs("dinos", trainer={**budget, "progress": show_progress})
    text = dinosaur_names_path().read_text(encoding="utf-8")
    names = set(text.split())  # (a few names appear twice in the file)
    with _model_folder("dinosaurs") as folder:
        trained = train_language_model(text, model, data, trainer, folder)
    r = trained.result
    hidden = trained.model.config.hidden_size
    print(f"{len(text.split())} names; an LSTM with {hidden} units trained "
          f"{r.epochs} epochs ({r.steps} steps) in {r.elapsed:.0f} s; held-out loss "
          f"{r.best_val_loss:.3f} nats/char.")  # fmt: skip
    print("Sampled names (temperature 0.8):")
    for name in trained.model.sample(10, temperature=0.8, seed=1):
        print(f"  {name:<22} {'in the training set' if name in names else 'new'}")
    print(f"Do it yourself: {DO_IT_YOURSELF['dinosaurs']}")


def part_dates(show_progress: bool, quick: bool) -> None:
    """The notes' attention exercise: dates in many formats and languages -> ISO dates."""
    from seqlab.cli._figures import save_figure
    from seqlab.seq2seq import attention_figure, beam_search, preset_configs, train_seq2seq
    from seqlab.seq2seq.dates import HELD_OUT_FORMATS, date_pairs, format_date_as

    print("== Attention: human-readable dates -> ISO dates (encoder-decoder, Bahdanau) ==")
    n, budget = (300, {"epochs": 1, "max_steps": 5}) if quick else (10000, {})
    model_cfg, data, trainer = preset_configs(
        "dates", trainer={**budget, "progress": show_progress}
    )
    pairs = date_pairs(n, seed=0)
    test = date_pairs(200 if quick else 1000, seed=1)
    held = date_pairs(50 if quick else 600, formats=list(HELD_OUT_FORMATS), seed=2)
    with _model_folder("dates") as folder:
        trained = train_seq2seq(pairs, model_cfg, data, trainer, folder)
    model, r = trained.model, trained.result
    print(
        f"{n} generated pairs (Faker + Babel, 34 formats, 10 locales); a BiLSTM encoder and an "
        f"attention decoder trained {r.epochs} epochs in {r.elapsed:.0f} s."
    )
    for name, rows in (("held-out dates, seen formats", test), ("formats never seen", held)):
        found = beam_search(model, [s for s, _ in rows], beam_size=3, batch_size=256)
        exact = sum(h[0].text == t for h, (_, t) in zip(found, rows)) / len(rows)
        print(f"  exact match on {len(rows)} {name}: {exact:.1%}")
    from datetime import date

    examples = [
        format_date_as(f, date(1997, 3, 3))
        for f in ("en_ordinal_the_of", "en_US_short", "en_US_full", "fr_FR_long", "it_IT_full")
    ]
    found = beam_search(model, examples, beam_size=3)
    for src, hyps in zip(examples, found):
        print(f"  {src:<26} -> {hyps[0].text}")
    out = Path("seqlab-demo")
    out.mkdir(exist_ok=True)
    best = found[0][0]
    fig = attention_figure(
        best.attention, list(examples[0]), best.output_tokens, title=f"{examples[0]} -> {best.text}"
    )
    path = save_figure(fig, out / "dates_attention.png")
    print(f"Attention map of the first example: {path}")
    print(f"Do it yourself: {DO_IT_YOURSELF['dates']}")


def part_emoji(show_progress: bool, quick: bool) -> None:
    """The notes' Emojify: the averaging model over frozen GloVe vectors, and where it fails."""
    from seqlab.classify import (
        EMOJI,
        emoji_paths,
        evaluate_classifier,
        preset_configs,
        train_classifier,
    )
    from seqlab.datasets import read_labelled
    from seqlab.embeddings import WordVectors

    print("== Sentiment (many-to-one): sentences -> emoji, the average of GloVe vectors ==")
    paths = emoji_paths()
    train = read_labelled(paths["train"])
    test = read_labelled(paths["test"])
    vectors = WordVectors.load(paths["vectors"])
    budget = {"epochs": 2} if quick else {}
    model_cfg, data, trainer = preset_configs(
        "emojify-average", trainer={**budget, "progress": show_progress}
    )
    with _model_folder("emoji") as folder:
        trained = train_classifier(train, model_cfg, data, trainer, folder, vectors=vectors)
    model, r = trained.model, trained.result
    scores, _ = evaluate_classifier(model, test)
    print(
        f"{len(train)} sentences, GloVe 6B 50d (frozen); softmax(W avg(e) + b) trained "
        f"{r.epochs} epochs in {r.elapsed:.1f} s; test accuracy {scores.accuracy:.0%} "
        f"on {len(test)} new sentences."
    )
    examples = ["I love baseball", "lets eat", "you are a stupid player", "food is life",
                "I am happy not sad", "I am sad not happy"]  # fmt: skip
    for p in model.predict(examples):
        print(f"  {p.text:<26} {EMOJI[p.label]}  ({p.prob:.0%})")
    print("The last two have the same words, so the average gives them the same answer: it")
    print("ignores word order. An RNN reads the order (--preset emojify-rnn, docs/classify.md).")
    print(f"Do it yourself (docs/classify.md): {DO_IT_YOURSELF['emoji']}")


def part_words(show_progress: bool, quick: bool) -> None:
    """Word embeddings: analogies and debiasing on GloVe, then skip-gram trained on the spot."""
    from seqlab.embeddings import WordVectors, debias, direct_bias, load_word_list
    from seqlab.embeddings.bundled import bundled_paths
    from seqlab.embeddings.corpus import read_corpus
    from seqlab.embeddings.word2vec import Word2Vec, Word2VecConfig

    print("== Word embeddings: analogies, debiasing, and skip-gram trained here ==")
    paths = bundled_paths()
    wv = WordVectors.load(paths["vectors"])
    _keep_copy(paths["vectors"], "glove.6B.50d.demo.txt")
    print(f"GloVe 6B 50d ({len(wv):,} bundled words); a : b :: c : ? by 3CosAdd:")
    for a, b, c in (("man", "woman", "king"), ("paris", "france", "rome"),
                    ("big", "bigger", "small"), ("france", "paris", "japan")):  # fmt: skip
        answer, score = wv.most_similar(positive=[b, c], negative=[a], topn=1)[0]
        print(f"  {f'{a} : {b} :: {c} : {answer}':<36} (cosine {score:.2f})")
    professions = [w for w in load_word_list("professions") if w in wv]
    debiased, report = debias(wv, definitional=load_word_list("definitional_pairs"),
                              equalize_pairs=load_word_list("equalize_pairs"),
                              gender_specific=load_word_list("gender_specific"))  # fmt: skip
    g = report["direction"]
    print(f"Gender direction from 10 definitional pairs; direct bias of {len(professions)} "
          f"professions: {direct_bias(wv, professions, g):.3f} -> "
          f"{direct_bias(debiased, professions, g):.3f} after neutralize + equalize.")  # fmt: skip
    corpus = read_corpus(paths["corpus"], min_count=3)
    cfg = Word2VecConfig(sg=True, negative=5, dim=50, epochs=2 if quick else 10, seed=1)
    model = Word2Vec(cfg)
    stats = model.train(corpus)
    seconds = sum(s.seconds for s in stats)
    print(f"Skip-gram with negative sampling on the Lee news corpus ({corpus.n_tokens:,} "
          f"tokens, {len(corpus):,} words): {cfg.epochs} epochs in {seconds:.1f} s "
          f"({cfg.epochs * corpus.n_tokens / seconds:,.0f} words/s), loss {stats[0].loss:.2f} "
          f"-> {stats[-1].loss:.2f}.")  # fmt: skip
    for word in ("police", "Australia"):
        near = ", ".join(w for w, _ in model.vectors.most_similar(word, topn=5))
        print(f"  nearest to {word!r}: {near}")
    print(f"Do it yourself: {DO_IT_YOURSELF['words']}")


def _jsb_chorales():
    """The chorales file: the data set jsb_chorales if it is here (``seqlab data fetch``),
    else the project's copy in ``../shared/data``; None when neither is."""
    from seqlab.datasets.catalog import DataError, locate

    try:
        return locate("jsb_chorales")
    except DataError:
        path = Path("../shared/data/jsb_chorales/jsb-chorales-quarter.json")
        return path if path.is_file() else None


def part_music(show_progress: bool, quick: bool) -> None:
    """One-to-many: a GRU learns JSB chorales, then writes a new one (MIDI + piano roll)."""
    from seqlab.music import nll_per_step, preset_configs, read_chorales, sample, write_midi
    from seqlab.music.train import train_music_model

    print("== Music (one-to-many): Bach chorales as 88-key piano rolls, a GRU, a new chorale ==")
    path = _jsb_chorales()
    if path is None:
        print("(skipped: needs the JSB chorales: seqlab data fetch jsb_chorales)")
        return
    rolls = read_chorales(path)
    if quick:
        rolls = {split: pieces[:4] for split, pieces in rolls.items()}
    budget = {"epochs": 1} if quick else {"epochs": 12}
    trainer_overrides = {**budget, "progress": show_progress}
    model_cfg, data, trainer = preset_configs("jsb-gru", trainer=trainer_overrides)
    with _model_folder("chorales") as folder:
        trained = train_music_model(rolls, model_cfg, data, trainer, folder, data_path=path)
    model, r = trained.model, trained.result
    test_nll = nll_per_step(model, rolls["test"])
    print(f"{len(rolls['train'])} chorales; a GRU with {model_cfg.hidden_size} units "
          f"({trained.record['n_parameters']:,} parameters) trained {r.epochs} epochs in "
          f"{r.elapsed:.0f} s: test NLL {test_nll:.2f} nats per step (Chung et al. 2014: 8.54; "
          "`seqlab music train jsb_chorales --cell gru` trains to about 8.5).")  # fmt: skip
    prime = rolls["test"][0][:8]
    roll = sample(model, 32, prime=prime, seed=1)
    out = Path("seqlab-demo")
    out.mkdir(exist_ok=True)
    midi = write_midi(roll, out / "chorale.mid")
    png = plot_roll(
        roll,
        out / "chorale_roll.png",
        n_prime=len(prime),
        title="A chorale sampled by the demo's GRU (shaded: the prime)",
    )
    print(f"Primed with 8 steps of a test chorale, 32 new steps ({int(roll[8:].sum())} notes): "
          f"{midi} and {png}")  # fmt: skip
    print(f"Do it yourself: {DO_IT_YOURSELF['music']}")


def part_speech(show_progress: bool, quick: bool) -> None:
    """CTC on real recordings: a shipped digit recogniser reads spoken digits, frame by frame."""
    from importlib.resources import files

    from seqlab.speech import load_recognizer, transcribe_file

    print("== Speech (CTC): real spoken digits -> text, a character or a blank every 20 ms ==")
    root = files("seqlab") / "data" / "speech"
    model = load_recognizer(str(root / "fsdd-digits-64"))
    _keep_copy(root / "fsdd-digits-64", "digits")
    n_params = sum(p.numel() for p in model.parameters())
    print(f"A bidirectional GRU recogniser shipped with seqlab ({n_params:,} parameters, 93.3% "
          "exact on the FSDD test split), on FSDD test recordings of 6 speakers:")  # fmt: skip
    wavs = sorted((root / "recordings").iterdir(), key=lambda p: p.name)
    wavs = [w for w in wavs if w.name.endswith(".wav")][: 3 if quick else None]
    for wav in wavs:
        beam = transcribe_file(model, str(wav), beam_size=8)
        greedy = transcribe_file(model, str(wav)).text
        said = wav.name.split("_")[0]
        print(f"  {wav.name:<18} said {said}  heard {beam.text!r:<8} "
              f"frames {beam.frames.strip('_')[:44]}")  # fmt: skip
        if greedy != beam.text:
            print(f"  {'':<18} (greedy decoding: {greedy!r})")
    print('The frames show the notes\' collapse: repeats merge, then blanks "_" drop; "three" '
          'needs a blank between its two e\'s ("rrreee___ee" -> "ree").')  # fmt: skip
    print(f"Do it yourself: {DO_IT_YOURSELF['speech']}")


def part_caption(show_progress: bool, quick: bool) -> None:
    """Image captioning: a shipped Show, Attend and Tell model describes Fashion scenes."""
    import json
    from importlib.resources import files

    from seqlab.cli._figures import save_figure
    from seqlab.train import load_model
    from seqlab.vision.caption import caption_images
    from seqlab.vision.captioner import Captioner
    from seqlab.vision.images import read_image
    from seqlab.vision.plot import attention_panels

    print("== Image captioning (Show, Attend and Tell): Fashion scenes -> what is where ==")
    root = files("seqlab") / "data" / "vision"
    model = load_model(str(root / "fashion-scenes-att"), Captioner)
    _keep_copy(root / "fashion-scenes-att", "scenes")
    scenes = json.loads((root / "scenes" / "scenes.json").read_text(encoding="utf-8"))
    n_params = sum(p.numel() for p in model.parameters())
    print(f"A CNN + LSTM captioner with attention shipped with seqlab ({n_params:,} parameters, "
          f"trained from scratch on generated scenes of real Fashion-MNIST photos), on test "
          "scenes (photos it never saw):")  # fmt: skip
    images = [read_image(str(root / "scenes" / s["image"])) for s in scenes]
    hyps = caption_images(model, images, beam_size=3)
    for scene, hyp in zip(scenes[: 2 if quick else None], hyps):
        mark = "exact" if hyp.text == scene["caption"] else f"reference: {scene['caption']}"
        print(f"  {scene['image']:<10} {hyp.text}  ({mark})")
    out = Path("seqlab-demo")
    out.mkdir(exist_ok=True)
    words = hyps[0].output_tokens
    fig = attention_panels(images[0], words, hyps[0].attention.numpy(), title=hyps[0].text)
    path = save_figure(fig, out / "caption_attention.png")
    print(f"Where it looked for each of the {len(words)} words of the first caption: {path}")
    print(f"Do it yourself (docs/vision.md): {DO_IT_YOURSELF['caption']}")


def part_serve(show_progress: bool, quick: bool) -> None:
    """seqlab serve: the shipped models behind the HTTP API, two requests, the page's address."""
    import json
    import urllib.request
    from importlib.resources import files

    print("== Try models in a browser or over HTTP: seqlab serve ==")
    from seqlab import serve

    missing = serve.extra_missing()
    if missing:
        print(f"(skipped: {missing})")
        return

    root = files("seqlab") / "data"
    sources = [root / "speech" / "fsdd-digits-64", root / "vision" / "fashion-scenes-att",
               root / "glove.6B.50d.demo.txt"]  # fmt: skip
    served = serve.load_served([str(s) for s in sources])
    wav = root / "speech" / "recordings" / "9_theo_4.wav"
    png = root / "vision" / "scenes" / "scene-00001.png"
    analogy = json.dumps({"a": "man", "b": "woman", "c": "king", "n": 3}).encode()
    requests = [  # (path, body, what the answer shows)
        ("fsdd-digits-64/transcribe?beam=8&name=9_theo_4.wav", wav.read_bytes(),
         lambda a: f"{a['results'][0]['text']!r}, CTC frames {a['frames'].strip('_')}"),
        ("fashion-scenes-att/run?name=scene-00001.png", png.read_bytes(),
         lambda a: f"{a['results'][0]['caption']!r}, alpha over {len(a['alpha'][0])} cells"),
        ("glove.6B.50d.demo/analogy", analogy,
         lambda a: "man : woman :: king : " + ", ".join(
             f"{w} ({c:.2f})" for w, c in a["results"][0]["results"])),
    ]  # fmt: skip
    with serve.running(serve.build_app(served)) as url:
        print(f"{len(served)} shipped models served at {url}/ (a page with one panel each):")
        for path, body, show in requests:
            with urllib.request.urlopen(urllib.request.Request(f"{url}/api/{path}", body)) as r:
                answer = json.loads(r.read())
            print(f"  POST /api/{path}\n      -> {show(answer)}")
    print("The answers hold what the CLI's --json prints, plus what the page draws (CTC frames, "
          "attention, pictures).")  # fmt: skip
    print(f"Do it yourself (docs/serve.md): {DO_IT_YOURSELF['serve']}")


PARTS: dict[str, Callable[[bool, bool], None]] = {
    "vanishing": part_vanishing,
    "dinosaurs": part_dinosaurs,
    "words": part_words,
    "emoji": part_emoji,
    "music": part_music,
    "speech": part_speech,
    "dates": part_dates,
    "caption": part_caption,
    "serve": part_serve,
}


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "demo",
        help="a short tour of seqlab (under 3 minutes on 2 CPU cores)",
        epilog=EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    p.add_argument("--parts", nargs="+", choices=list(PARTS), default=list(PARTS),
                   help="which parts to run")  # fmt: skip
    p.add_argument("--keep", metavar="DIR",
                   help="save the parts' models in DIR (a new folder) to try them afterwards: "
                   "seqlab serve DIR/*")  # fmt: skip
    p.add_argument("--no-progress", action="store_true", help="no progress bars")
    add_threads_flag(p)
    p.add_argument("--quick", action="store_true", help=argparse.SUPPRESS)  # tiny sizes, for tests
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    set_threads(args.threads)
    if args.keep:
        keep = Path(args.keep)
        if keep.exists() and (not keep.is_dir() or any(keep.iterdir())):
            raise CLIError(f"--keep {args.keep}: it exists and is not an empty folder; "
                           "give a new one")  # fmt: skip
        keep.mkdir(parents=True, exist_ok=True)
        _KEEP[:] = [keep]
    start = time.perf_counter()
    try:
        for name in args.parts:
            t0 = time.perf_counter()
            PARTS[name](not args.no_progress and sys.stderr.isatty(), args.quick)
            print(f"({name}: {time.perf_counter() - t0:.0f} s)\n")
    finally:
        _KEEP.clear()
    print(f"demo finished in {time.perf_counter() - start:.0f} s")
    if args.keep:
        kept = sorted(p.name for p in Path(args.keep).iterdir())
        print(f"Models kept in {args.keep}/ ({', '.join(kept) or 'none'}); try them in a "
              f"browser: seqlab serve {args.keep}/*")  # fmt: skip
    return 0
