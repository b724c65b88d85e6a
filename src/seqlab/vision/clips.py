"""Fashion clips: short videos of one real photo doing one of eight activities.

A clip is T frames (16 by default) of ``size x size`` pixels; one Fashion-MNIST photo moves
left, right, up or down, rotates clockwise or anticlockwise, or zooms in or out, from a random
start (position, angle, scale). The label depends on the frames' **order**: every activity is
made as the time reversal of its opposite ("move right" is a "move left" clip played
backwards), so the two have the same frames, in the same distribution, and only the order
tells them apart. A model that averages its frames cannot; a recurrent one can.

Frames are drawn with an affine map of the photo (bilinear, ``scipy.ndimage``), black outside.
"""

from __future__ import annotations

import math

import numpy as np
from scipy import ndimage

from seqlab.vision.config import ACTIVITIES, ClipConfig

__all__ = ["ACTIVITIES", "clip_frames", "make_clips", "render_frame"]

# The four activities generated forwards; each one's opposite is the same clip reversed.
_FORWARD = {"move left": "move right", "move up": "move down",
            "rotate clockwise": "rotate anticlockwise", "zoom in": "zoom out"}  # fmt: skip


def render_frame(
    photo: np.ndarray, size: int, *, x: float, y: float, angle: float, scale: float
) -> np.ndarray:
    """The photo (28, 28) drawn into a (size, size) frame.

    Args:
        photo: uint8 (h, w).
        size: the frame's side.
        x, y: where the photo's centre lands (pixels; (0, 0) is the top left corner).
        angle: rotation in degrees, clockwise on screen.
        scale: zoom factor (1 = the photo's own size).

    Returns:
        uint8 (size, size).
    """
    h, w = photo.shape
    theta = math.radians(angle)
    cos, sin = math.cos(theta), math.sin(theta)
    # The inverse map: frame pixel (r, c) -> photo pixel. Screen-clockwise rotation by theta
    # maps photo offsets (dr, dc) to (dr cos + dc sin, -dr sin + dc cos)... its inverse is below.
    inverse = np.array([[cos, -sin], [sin, cos]]) / scale
    centre_photo = np.array([(h - 1) / 2, (w - 1) / 2])
    offset = centre_photo - inverse @ np.array([y, x])
    out = ndimage.affine_transform(photo.astype(np.float32), inverse, offset=offset,
                                   output_shape=(size, size), order=1, cval=0.0)  # fmt: skip
    return np.clip(np.rint(out), 0, 255).astype(np.uint8)


def _trajectory(activity: str, rng: np.random.Generator, config: ClipConfig) -> list[tuple]:
    """(x, y, angle, scale) for each frame of a forward activity, from a random start."""
    T, S = config.frames, config.size
    travel = config.shift * (T - 1)
    centre = (S - 1) / 2
    x0 = centre + rng.uniform(-2, 2)
    y0 = centre + rng.uniform(-2, 2)
    angle0 = rng.uniform(-20, 20)
    scale0 = rng.uniform(0.85, 1.0)
    steps = range(T)
    if activity == "move left":  # start right of centre, end left of it
        x0 = centre + travel / 2 + rng.uniform(-3, 3)
        return [(x0 - config.shift * t, y0, angle0, scale0) for t in steps]
    if activity == "move up":
        y0 = centre + travel / 2 + rng.uniform(-3, 3)
        return [(x0, y0 - config.shift * t, angle0, scale0) for t in steps]
    if activity == "rotate clockwise":
        angle0 = rng.uniform(0, 360)
        return [(x0, y0, angle0 + config.angle * t, scale0) for t in steps]
    # zoom in: the photo grows from a random small scale
    s0 = rng.uniform(0.55, 0.75)
    return [(x0, y0, angle0, s0 * (1 + config.zoom) ** t) for t in steps]


def clip_frames(
    photo: np.ndarray,
    activity: str,
    rng: np.random.Generator,
    config: ClipConfig | None = None,
) -> np.ndarray:
    """One clip, uint8 (T, size, size), of ``photo`` doing ``activity`` from a random start.

    The four activities of ``_FORWARD`` draw a path; each opposite draws the same path (the
    same random numbers) and plays it backwards.

    Raises:
        ValueError: on an unknown activity.
    """
    config = config or ClipConfig()
    if activity not in ACTIVITIES:
        raise ValueError(f"unknown activity {activity!r}; known: {list(ACTIVITIES)}")
    reverse_of = {v: k for k, v in _FORWARD.items()}
    forward = activity if activity in _FORWARD else reverse_of[activity]
    path = _trajectory(forward, rng, config)
    if forward != activity:
        path = path[::-1]
    return np.stack([render_frame(photo, config.size, x=x, y=y, angle=angle, scale=scale)
                     for x, y, angle, scale in path])  # fmt: skip


def make_clips(
    photos: np.ndarray,
    n: int,
    *,
    seed: int = 0,
    config: ClipConfig | None = None,
) -> tuple[np.ndarray, list[str]]:
    """Generate ``n`` clips (activities in turn, so the classes are balanced).

    Args:
        photos: uint8 (N, 28, 28), e.g. one split of Fashion-MNIST.
        n: clips to make.
        seed: the generator's seed; the same arguments give the same clips.
        config: frames, frame size and motion speeds.

    Returns:
        clips: uint8 (n, T, size, size); labels: one of :data:`ACTIVITIES` each.

    Raises:
        ValueError: on n < 1 or photos that are not (N, h, w) uint8.
    """
    config = config or ClipConfig()
    if isinstance(n, bool) or not isinstance(n, int) or n < 1:
        raise ValueError(f"n must be an int >= 1, got {n!r}")
    if photos.ndim != 3 or photos.dtype != np.uint8 or len(photos) == 0:
        raise ValueError(f"photos must be uint8 (N, h, w), got {photos.dtype} {photos.shape}")
    rng = np.random.default_rng(seed)
    clips = np.zeros((n, config.frames, config.size, config.size), dtype=np.uint8)
    labels = []
    for i in range(n):
        activity = ACTIVITIES[i % len(ACTIVITIES)]
        photo = photos[int(rng.integers(len(photos)))]
        clips[i] = clip_frames(photo, activity, rng, config)
        labels.append(activity)
    return clips, labels
