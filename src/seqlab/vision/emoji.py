"""Noto emoji and their Unicode names: real images with short captions written by people.

``emoji_images/`` (emoji-datasource-google 16.0.0) holds one RGBA sprite sheet of 64 x 64
images and ``emoji.json``: for each emoji its Unicode name ("FATHER CHRISTMAS"), its place on
the sheet and its skin-tone variants. A variant's caption is the base name and its tone(s),
from the skin-tone modifiers U+1F3FB..U+1F3FF::

    father christmas                              (the base emoji)
    father christmas, medium-light skin tone      (a variant)
    people holding hands, light skin tone, dark skin tone

Two splits (:func:`emoji_captions`):

- ``"tones"``: for every emoji with variants, the variants of one skin tone (chosen at random)
  are held out. The base emoji and that tone (on other emoji) are both seen in training, their
  combination is not: a test of composition.
- ``"novel"``: 20% of the base emoji are held out with all their variants: images never seen.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import numpy as np

from seqlab._config import read_json
from seqlab.vision.images import crop_sprite, read_rgba

__all__ = ["SKIN_TONES", "emoji_captions", "read_emoji"]

SKIN_TONES = {"1F3FB": "light", "1F3FC": "medium-light", "1F3FD": "medium",
              "1F3FE": "medium-dark", "1F3FF": "dark"}  # fmt: skip
SHEET, INDEX = "sheet_google_64.png", "emoji.json"


def read_emoji(root: str | os.PathLike[str]) -> list[dict[str, Any]]:
    """Every image of the sheet with its caption: dicts ``caption``, ``base`` (the base
    emoji's name), ``tones`` (tuple of tone words, empty for a base), ``image`` uint8
    (64, 64, 4) RGBA.

    Raises:
        ValueError: on a missing or bad file (named), or an entry outside the sheet.
    """
    root = Path(root)
    for name in (SHEET, INDEX):
        if not (root / name).is_file():
            raise ValueError(f"{root}: no {name} (the emoji_images data set)")
    entries = read_json(root / INDEX)  # size and nesting capped, a ValueError naming the file
    if not isinstance(entries, list):
        raise ValueError(f"{root / INDEX}: expected a JSON list of emoji, got "
                         f"{type(entries).__name__}")  # fmt: skip
    sheet = read_rgba(root / SHEET)
    out = []
    for number, entry in enumerate(entries, start=1):
        where = f"{root / INDEX}: emoji {number}"
        name = entry.get("name") if isinstance(entry, dict) else None
        if not isinstance(name, str):
            raise ValueError(f"{where}: expected an object with a string 'name'")
        base = " ".join(name.lower().split())
        out.append(_example(sheet, entry, base, (), where))
        variants = entry.get("skin_variations") or {}
        if not isinstance(variants, dict):
            raise ValueError(f"{where} ({name}): 'skin_variations' must be an object")
        for code, variant in sorted(variants.items()):
            if not all(c in SKIN_TONES for c in code.split("-")):
                raise ValueError(f"{where} ({name}): {code!r} is not a skin-tone modifier "
                                 f"({', '.join(SKIN_TONES)})")  # fmt: skip
            tones = tuple(SKIN_TONES[c] for c in code.split("-"))
            out.append(_example(sheet, variant, base, tones, f"{where} ({name}, {code})"))
    return out


def _example(
    sheet: np.ndarray, entry: Any, base: str, tones: tuple[str, ...], where: str
) -> dict[str, Any]:
    place = [entry.get(k) if isinstance(entry, dict) else None for k in ("sheet_x", "sheet_y")]
    if not all(type(v) is int for v in place):  # bool is an int subclass: not a place
        raise ValueError(f"{where}: expected integer 'sheet_x' and 'sheet_y', got {place}")
    try:
        image = crop_sprite(sheet, *place, size=64, padding=1)
    except ValueError as error:
        raise ValueError(f"{where}: {error}") from None
    caption = ", ".join([base, *(f"{t} skin tone" for t in tones)])
    return {"caption": caption, "base": base, "tones": tones, "image": image}


def emoji_captions(
    root: str | os.PathLike[str], *, split: str = "tones", seed: int = 0, novel: float = 0.2
) -> dict[str, list[dict[str, Any]]]:
    """The train and test examples of one split (see the module docstring).

    Args:
        root: the ``emoji_images`` folder.
        split: ``"tones"`` or ``"novel"``.
        seed: which tone (per emoji) or which emoji are held out.
        novel: the fraction of base emoji held out by the "novel" split.

    Returns:
        ``{"train": [...], "test": [...]}``, examples as :func:`read_emoji` gives them, in
        sheet order.

    Raises:
        ValueError: on an unknown split or a bad data folder.
    """
    if split not in ("tones", "novel"):
        raise ValueError(f"split must be 'tones' or 'novel', got {split!r}")
    examples = read_emoji(root)
    rng = np.random.default_rng(seed)
    bases = list(dict.fromkeys(e["base"] for e in examples))
    if split == "novel":
        held = set(rng.choice(bases, size=round(novel * len(bases)), replace=False).tolist())
        test = [e["base"] in held for e in examples]
    else:
        tones = list(SKIN_TONES.values())
        chosen = {b: tones[int(rng.integers(len(tones)))] for b in bases}
        test = [bool(e["tones"]) and e["tones"][0] == chosen[e["base"]] for e in examples]
    return {"train": [e for e, t in zip(examples, test) if not t],
            "test": [e for e, t in zip(examples, test) if t]}  # fmt: skip
