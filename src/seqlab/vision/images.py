"""Image files: IDX (.gz) arrays, PNG images and sprite sheets, with clear errors.

Every reader returns uint8 NumPy arrays, channels last: grey images (H, W), colour images
(H, W, 3). Colour handling, the same everywhere:

- grey (PNG mode ``L``, ``I;16``, ...) stays grey; ``mode="RGB"`` repeats it into three channels;
- RGB stays RGB; ``mode="L"`` converts it with ITU-R 601 luma (Pillow's ``convert("L")``);
- RGBA, LA and palette images with transparency are composited over a **white** background
  (an emoji's transparent corners become white paper, not black), then treated as RGB or grey.

The models read ``to_chw(image)``: float32 (C, H, W) in [0, 1].

IDX is the format of the MNIST family (LeCun et al. 1998): a big-endian header
``0x00 0x00 <dtype> <n_dims>``, then one uint32 size per dimension, then the values.
"""

from __future__ import annotations

import gzip
import math
import os
import struct
import warnings
import zlib
from collections.abc import Sequence
from pathlib import Path

import numpy as np

__all__ = [
    "IMAGE_MODES",
    "crop_sprite",
    "fit_size",
    "read_idx",
    "read_image",
    "read_images",
    "read_rgba",
    "to_chw",
    "write_png",
]

IMAGE_MODES = ("auto", "L", "RGB")  # "auto": grey stays grey, anything else becomes RGB
_IDX_TYPES = {0x08: ">u1", 0x09: ">i1", 0x0B: ">i2", 0x0C: ">i4", 0x0D: ">f4", 0x0E: ">f8"}


def read_idx(path: str | os.PathLike[str]) -> np.ndarray:
    """Read an IDX file (gzipped when its name ends in ``.gz``).

    Args:
        path: e.g. ``train-images-idx3-ubyte.gz``.

    Returns:
        The array with the file's shape, in native byte order (uint8 for image and label files).

    Raises:
        ValueError: naming the file: a wrong magic number, an unknown type code, a truncated or
            corrupt gzip stream, or fewer (or more) bytes than the header announces.
    """
    name = str(path)
    try:
        raw = Path(path).read_bytes()
        if name.endswith(".gz"):
            raw = gzip.decompress(raw)
    except (EOFError, gzip.BadGzipFile, zlib.error) as error:
        raise ValueError(f"{name}: not a complete gzip file ({error})") from None
    if len(raw) < 4 or raw[0] != 0 or raw[1] != 0 or raw[2] not in _IDX_TYPES or raw[3] == 0:
        magic = raw[:4].hex() if len(raw) >= 4 else raw.hex() or "nothing"
        raise ValueError(
            f"{name}: wrong magic number 0x{magic} (an IDX file starts 00 00, a type code and "
            "the number of dimensions, e.g. 0x00000803 for images)"
        )
    n_dims = raw[3]
    header = 4 + 4 * n_dims
    if len(raw) < header:
        raise ValueError(f"{name}: truncated IDX header ({len(raw)} bytes)")
    shape = struct.unpack(f">{n_dims}I", raw[4:header])
    dtype = np.dtype(_IDX_TYPES[raw[2]])
    want = math.prod(shape) * dtype.itemsize  # exact: np.prod wraps around past 2^63
    if len(raw) - header != want:
        raise ValueError(
            f"{name}: the header announces {shape} ({want} bytes of data), "
            f"the file has {len(raw) - header} bytes: truncated or not this file"
        )
    return (
        np.frombuffer(raw, dtype=dtype, offset=header)
        .reshape(shape)
        .astype(dtype.newbyteorder("="))
    )


def _open_image(path: str | os.PathLike[str]):
    """A fully decoded Pillow image, or ValueError naming the file.

    An image larger than Pillow's ``MAX_IMAGE_PIXELS`` (89 million pixels; Pillow only warns
    up to twice that) is refused before it is decoded: a few kilobytes of PNG can declare it.
    """
    from PIL import Image, UnidentifiedImageError

    name = str(path)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(path) as image:
                image.load()
                return image.copy()
    except (Image.DecompressionBombWarning, Image.DecompressionBombError):
        raise ValueError(f"{name}: the image declares more than {Image.MAX_IMAGE_PIXELS} "
                         "pixels, too large to read") from None  # fmt: skip
    except UnidentifiedImageError:
        raise ValueError(f"{name}: not an image file (Pillow cannot identify it)") from None
    except (OSError, SyntaxError, ValueError, struct.error, zlib.error) as error:
        if isinstance(error, FileNotFoundError | IsADirectoryError | PermissionError):
            raise
        raise ValueError(f"{name}: truncated or corrupt image ({error})") from None


def _to_mode(image, mode: str):
    """Composite transparency over white, then give grey ("L") or "RGB" (see the module)."""
    from PIL import Image

    if image.mode == "P":
        image = image.convert("RGBA" if "transparency" in image.info else "RGB")
    if image.mode in ("RGBA", "LA", "PA", "RGBa", "La"):
        rgba = image.convert("RGBA")
        white = Image.new("RGBA", rgba.size, (255, 255, 255, 255))
        image = Image.alpha_composite(white, rgba).convert("RGB")
    grey = image.mode in ("1", "L", "I", "I;16", "I;16B", "I;16L", "F")
    if mode == "auto":
        mode = "L" if grey else "RGB"
    if grey and image.mode != "L":
        image = image.convert("L")
    return image.convert(mode) if image.mode != mode else image


def fit_size(image: np.ndarray, size: int | None, *, on_size: str = "error", name: str = "image"):
    """The image as (size, size): unchanged when it is already, else resized or refused.

    Args:
        image: (H, W) or (H, W, 3) uint8.
        size: the side wanted; None accepts any size.
        on_size: ``"error"`` | ``"resize"`` (bilinear, Pillow; the aspect ratio is not kept).
        name: the file, for the message.

    Raises:
        ValueError: on another size with ``on_size="error"``, or an unknown ``on_size``.
    """
    if on_size not in ("error", "resize"):
        raise ValueError(f"on_size must be 'error' or 'resize', got {on_size!r}")
    if size is None or image.shape[:2] == (size, size):
        return image
    if on_size == "error":
        H, W = image.shape[:2]
        raise ValueError(
            f"{name}: image is {W}x{H}, the model reads {size}x{size} (resize it, e.g. "
            "--on-size resize)"
        )
    from PIL import Image

    return np.asarray(Image.fromarray(image).resize((size, size), Image.Resampling.BILINEAR))


def read_image(
    path: str | os.PathLike[str],
    *,
    mode: str = "auto",
    size: int | None = None,
    on_size: str = "error",
) -> np.ndarray:
    """Read one image file (PNG, or anything Pillow reads).

    Args:
        path: the file.
        mode: ``"auto"`` (grey stays grey, the rest RGB), ``"L"`` (grey) or ``"RGB"``.
        size: the side the result must have; None = as stored.
        on_size: another size: ``"error"`` or ``"resize"``.

    Returns:
        uint8 (H, W) for grey, (H, W, 3) for RGB.

    Raises:
        ValueError: naming the file: not an image, truncated, of another size (see
            :func:`fit_size`), or an unknown mode.
    """
    if mode not in IMAGE_MODES:
        raise ValueError(f"mode must be one of {IMAGE_MODES}, got {mode!r}")
    image = np.asarray(_to_mode(_open_image(path), mode), dtype=np.uint8)
    return fit_size(image, size, on_size=on_size, name=str(path))


def read_images(
    paths: Sequence[str | os.PathLike[str]],
    *,
    mode: str = "auto",
    size: int | None = None,
    on_size: str = "error",
) -> tuple[list[np.ndarray | None], list[str]]:
    """Read many images; a bad one is reported and skipped, the others are still read.

    Returns:
        ``(images, problems)``: one array per path (None where it failed), and one line per
        failure ("path: what is wrong"), in order.

    Raises:
        ValueError: only for an unknown mode or on_size (a problem of the call, not the files).
    """
    if mode not in IMAGE_MODES:
        raise ValueError(f"mode must be one of {IMAGE_MODES}, got {mode!r}")
    if on_size not in ("error", "resize"):
        raise ValueError(f"on_size must be 'error' or 'resize', got {on_size!r}")
    images: list[np.ndarray | None] = []
    problems: list[str] = []
    for path in paths:
        try:
            images.append(read_image(path, mode=mode, size=size, on_size=on_size))
        except ValueError as error:
            images.append(None)
            problems.append(str(error))
        except OSError as error:  # missing, a folder, unreadable
            images.append(None)
            problems.append(f"{path}: {error.strerror or error}")
    return images, problems


def read_rgba(path: str | os.PathLike[str]) -> np.ndarray:
    """Read an image as stored, with its transparency: uint8 (H, W, 4) RGBA (a sprite sheet).

    Raises:
        ValueError: naming the file, if it is not a readable image.
    """
    return np.asarray(_open_image(path).convert("RGBA"), dtype=np.uint8)


def write_png(path: str | os.PathLike[str], image: np.ndarray) -> None:
    """Write a uint8 (H, W), (H, W, 3) or (H, W, 4) array as PNG (same array, same bytes)."""
    from PIL import Image

    if image.dtype != np.uint8 or image.ndim not in (2, 3):
        raise ValueError(f"write_png needs a uint8 (H, W[, C]) array, got {image.dtype} "
                         f"{image.shape}")  # fmt: skip
    Image.fromarray(image).save(path, format="PNG")


def crop_sprite(sheet: np.ndarray, x: int, y: int, *, size: int = 64, padding: int = 1):
    """Image (x, y) of a sprite sheet: each image sits in a (size + 2 * padding) cell.

    Image (x, y) starts at pixel ((size + 2p) x + p, (size + 2p) y + p), as emoji-datasource
    lays out its sheets (``sheet_x``, ``sheet_y``).

    Raises:
        ValueError: if the image lies outside the sheet.
    """
    cell = size + 2 * padding
    left, top = cell * x + padding, cell * y + padding
    if x < 0 or y < 0 or top + size > sheet.shape[0] or left + size > sheet.shape[1]:
        raise ValueError(f"sprite ({x}, {y}) lies outside the {sheet.shape[1]}x{sheet.shape[0]} "
                         "sheet")  # fmt: skip
    return sheet[top : top + size, left : left + size]


def to_chw(image: np.ndarray) -> np.ndarray:
    """uint8 (H, W) or (H, W, C) -> float32 (C, H, W) in [0, 1]."""
    x = image.astype(np.float32) / 255.0
    return x[None] if x.ndim == 2 else np.ascontiguousarray(x.transpose(2, 0, 1))
