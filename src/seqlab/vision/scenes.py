"""Fashion scenes: real photos placed on a grid, and a caption that says what is where.

A scene is a ``grid x grid`` board of cells (3 x 3 by default, 32 pixels each); 1 to 4 cells hold
a Fashion-MNIST photo (28 x 28, at a random offset inside its cell), the others stay empty.
The caption names every item and its place, in reading order, with a small grammar::

    caption := item | item " and " item | item ", " item ... " and " item
    item    := phrase " in the " place           ("a bag in the upper left")
    place   := "upper left" | "upper middle" | "upper right" | "middle left" | "centre" | ...

so the caption is a function of the scene and :func:`parse_caption` reads the (word, place) set
back from it. The words (``SceneConfig.words``):

- ``"coarse"`` (default): top (T-shirt/top, pullover, coat, shirt), trousers, dress, shoe
  (sandal, sneaker, ankle boot), bag: the kinds of item a 28 x 28 photo shows reliably.
  Fashion-MNIST's four upper-body classes are confused even by people (Xiao et al. report
  83.5% human accuracy over the 10 classes), so a caption that names them would be scored on a
  guess no model can make;
- ``"fine"``: the ten Fashion-MNIST classes.

Items are drawn word first (uniformly), then a photo of that word, so every word is as common.
Composition: one (word, place) pair per word never occurs in training scenes
(:func:`held_out_pairs`); ``held_out=True`` makes test scenes that each contain one.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from seqlab.vision.config import SceneConfig

__all__ = [
    "Item",
    "Scene",
    "held_out_pairs",
    "item_cells",
    "make_scenes",
    "parse_caption",
    "place_names",
    "scene_caption",
    "scene_words",
]

PLACES = {
    2: ("upper left", "upper right", "lower left", "lower right"),
    3: ("upper left", "upper middle", "upper right", "middle left", "centre", "middle right",
        "lower left", "lower middle", "lower right"),
}  # fmt: skip
# Fashion-MNIST class -> (word, the phrase that names one item).
COARSE = ("top", "trousers", "top", "dress", "top", "shoe", "top", "shoe", "bag", "shoe")
FINE = ("t-shirt", "trousers", "pullover", "dress", "coat", "sandal", "shirt", "sneaker", "bag",
        "ankle boot")  # fmt: skip
PHRASES = {"trousers": "a pair of trousers", "ankle boot": "an ankle boot"}  # else "a " + word


@dataclass(frozen=True)
class Item:
    """One photo in a scene."""

    word: str  # what the caption calls it ("bag")
    place: str  # where ("upper left")
    cell: int  # its cell, row-major: row = cell // grid, column = cell % grid
    label: int  # the Fashion-MNIST class (0..9)
    photo: int  # index of the photo in its split


@dataclass(frozen=True)
class Scene:
    """A generated scene: the image, its caption, and the items (in caption order)."""

    image: np.ndarray  # uint8 (grid * cell_size, grid * cell_size), white on black
    caption: str
    items: tuple[Item, ...]


def place_names(grid: int) -> tuple[str, ...]:
    """The place of each cell, row-major (2 x 2: four corners; 3 x 3: nine places)."""
    if grid not in PLACES:
        raise ValueError(f"grid must be 2 or 3, got {grid!r}")
    return PLACES[grid]


def scene_words(words: str) -> tuple[str, ...]:
    """The caption word of each Fashion-MNIST class (0..9), for ``"coarse"`` or ``"fine"``."""
    if words not in ("coarse", "fine"):
        raise ValueError(f"words must be 'coarse' or 'fine', got {words!r}")
    return COARSE if words == "coarse" else FINE


def _phrase(word: str) -> str:
    return PHRASES.get(word, f"a {word}")


def held_out_pairs(config: SceneConfig | None = None) -> frozenset[tuple[str, str]]:
    """The (word, place) pairs no training scene contains: word k never sits at place
    (5k + 8) mod P, which spreads the pairs over the board."""
    config = config or SceneConfig()
    words = list(dict.fromkeys(scene_words(config.words)))  # distinct, in class order
    places = place_names(config.grid)
    return frozenset((w, places[(5 * k + 8) % len(places)]) for k, w in enumerate(words))


def scene_caption(pairs: Sequence[tuple[str, str]], grid: int = 3) -> str:
    """The caption of items given as (word, place), written in reading order.

    Raises:
        ValueError: on no items, an unknown place, or two items in one place.
    """
    places = place_names(grid)
    if not pairs:
        raise ValueError("a scene caption needs at least one item")
    for _, place in pairs:
        if place not in places:
            raise ValueError(f"unknown place {place!r} for a {grid}x{grid} grid")
    ordered = sorted(pairs, key=lambda wp: places.index(wp[1]))
    if len({p for _, p in ordered}) != len(ordered):
        raise ValueError("two items in the same place")
    parts = [f"{_phrase(w)} in the {p}" for w, p in ordered]
    return parts[0] if len(parts) == 1 else ", ".join(parts[:-1]) + " and " + parts[-1]


def parse_caption(caption: str, config: SceneConfig | None = None) -> set[tuple[str, str]]:
    """The (word, place) set a caption of :func:`scene_caption` describes.

    Raises:
        ValueError: if the caption does not follow the grammar (naming the part that does not).
    """
    config = config or SceneConfig()
    phrase_of = {_phrase(w): w for w in scene_words(config.words)}
    places = place_names(config.grid)
    text = " ".join(caption.split())
    head, _, last = text.rpartition(" and ")
    parts = [*(head.split(", ") if head else []), last]
    found: set[tuple[str, str]] = set()
    for part in parts:
        phrase, sep, place = part.partition(" in the ")
        if not sep or phrase not in phrase_of or place not in places:
            raise ValueError(f"not a scene item: {part!r} (expected e.g. 'a bag in the centre')")
        if any(p == place for _, p in found):
            raise ValueError(f"two items in the {place}")
        found.add((phrase_of[phrase], place))
    return found


def item_cells(caption_items: Sequence[Item], grid: int) -> dict[str, int]:
    """Place -> cell index of the items (for grounding checks)."""
    places = place_names(grid)
    return {item.place: places.index(item.place) for item in caption_items}


def make_scenes(
    photos: np.ndarray,
    labels: np.ndarray,
    n: int,
    *,
    seed: int = 0,
    config: SceneConfig | None = None,
    held_out: bool = False,
) -> list[Scene]:
    """Generate ``n`` scenes from one split's photos; the same arguments give the same scenes.

    Args:
        photos: uint8 (N, 28, 28), e.g. from :func:`seqlab.vision.read_fashion_mnist`.
        labels: (N,) classes 0..9.
        n: scenes to make.
        seed: the generator's seed.
        config: grid, items per scene, cell size, words.
        held_out: False: no scene contains a pair of :func:`held_out_pairs`; True: every scene
            contains exactly one such pair (the others are ordinary).

    Raises:
        ValueError: on n < 1, photos and labels that disagree, or a word with no photo.
    """
    config = config or SceneConfig()
    if isinstance(n, bool) or not isinstance(n, int) or n < 1:
        raise ValueError(f"n must be an int >= 1, got {n!r}")
    if photos.ndim != 3 or photos.shape[1:] != (28, 28) or len(labels) != len(photos):
        raise ValueError(f"photos must be (N, 28, 28) with N labels, got {photos.shape} and "
                         f"{len(labels)} labels")  # fmt: skip
    word_of = scene_words(config.words)
    words = list(dict.fromkeys(word_of))
    by_word = {w: np.flatnonzero(np.isin(labels, [c for c, x in enumerate(word_of) if x == w]))
               for w in words}  # fmt: skip
    for w, idx in by_word.items():
        if len(idx) == 0:
            raise ValueError(f"no photo of a {w!r} among the {len(photos)} photos")
    places = place_names(config.grid)
    banned = held_out_pairs(config)
    rng = np.random.default_rng(seed)
    banned_list = sorted(banned)
    scenes = []
    for _ in range(n):
        k = int(rng.integers(config.min_items, config.max_items + 1))
        pairs: list[tuple[str, int]] = []
        if held_out:  # one held-out pair first, then k - 1 ordinary items in other cells
            w, p = banned_list[int(rng.integers(len(banned_list)))]
            pairs.append((w, places.index(p)))
        free = [c for c in range(len(places)) if c not in {c for _, c in pairs}]
        for cell in rng.choice(free, size=k - len(pairs), replace=False).tolist():
            allowed = [w for w in words if (w, places[cell]) not in banned]
            pairs.append((allowed[int(rng.integers(len(allowed)))], int(cell)))
        scenes.append(_render(photos, labels, pairs, by_word, rng, config, places))
    return scenes


def _render(photos, labels, pairs, by_word, rng, config, places) -> Scene:
    """Draw the photos into their cells (random offsets) and write the caption."""
    side = config.grid * config.cell_size
    image = np.zeros((side, side), dtype=np.uint8)
    items = []
    for word, cell in sorted(pairs, key=lambda wc: wc[1]):
        photo = int(by_word[word][int(rng.integers(len(by_word[word])))])
        dy, dx = (int(v) for v in rng.integers(0, config.cell_size - 28 + 1, size=2))
        top = (cell // config.grid) * config.cell_size + dy
        left = (cell % config.grid) * config.cell_size + dx
        image[top : top + 28, left : left + 28] = photos[photo]
        items.append(Item(word, places[cell], cell, int(labels[photo]), photo))
    caption = scene_caption([(it.word, it.place) for it in items], config.grid)
    return Scene(image=image, caption=caption, items=tuple(items))
