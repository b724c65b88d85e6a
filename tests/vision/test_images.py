"""seqlab.vision.images: IDX, PNG (grey, RGB, RGBA), sprite sheets, and their errors."""

import gzip
import struct

import numpy as np
import pytest
from PIL import Image

from seqlab.vision.images import (
    crop_sprite,
    fit_size,
    read_idx,
    read_image,
    read_images,
    read_rgba,
    to_chw,
    write_png,
)


def _idx_bytes(array: np.ndarray, code: int = 0x08) -> bytes:
    header = bytes([0, 0, code, array.ndim]) + struct.pack(f">{array.ndim}I", *array.shape)
    return header + array.astype(">u1" if code == 0x08 else ">i4").tobytes()


@pytest.mark.parametrize("gz", [True, False])
def test_idx_round_trip(tmp_path, gz):
    a = np.arange(2 * 3 * 4, dtype=np.uint8).reshape(2, 3, 4)
    raw = _idx_bytes(a)
    path = tmp_path / ("x.idx.gz" if gz else "x.idx")
    path.write_bytes(gzip.compress(raw) if gz else raw)
    out = read_idx(path)
    assert out.dtype == np.uint8 and out.shape == (2, 3, 4)
    np.testing.assert_array_equal(out, a)


def test_idx_int32_big_endian(tmp_path):
    a = np.array([1, -2, 70000], dtype=np.int32)
    path = tmp_path / "x.idx"
    path.write_bytes(_idx_bytes(a, 0x0C))
    np.testing.assert_array_equal(read_idx(path), a)


def test_idx_wrong_magic(tmp_path):
    path = tmp_path / "x.idx"
    path.write_bytes(b"\x12\x34\x08\x01" + b"\x00" * 8)
    with pytest.raises(ValueError, match="wrong magic number 0x12340801"):
        read_idx(path)


def test_idx_truncated_gzip(tmp_path):
    data = gzip.compress(_idx_bytes(np.zeros((10, 5), np.uint8)))
    path = tmp_path / "x.idx.gz"
    path.write_bytes(data[: len(data) // 2])
    with pytest.raises(ValueError, match="not a complete gzip file"):
        read_idx(path)


def test_idx_truncated_data(tmp_path):
    path = tmp_path / "x.idx"
    path.write_bytes(_idx_bytes(np.zeros((10, 5), np.uint8))[:-3])
    with pytest.raises(ValueError, match=r"announces \(10, 5\)"):
        read_idx(path)


def test_png_grey_rgb_rgba(tmp_path):
    grey = np.arange(16, dtype=np.uint8).reshape(4, 4) * 10
    write_png(tmp_path / "g.png", grey)
    np.testing.assert_array_equal(read_image(tmp_path / "g.png"), grey)
    rgb = read_image(tmp_path / "g.png", mode="RGB")
    assert rgb.shape == (4, 4, 3) and (rgb[..., 0] == grey).all()

    colour = np.zeros((4, 4, 3), np.uint8)
    colour[..., 0] = 200
    write_png(tmp_path / "c.png", colour)
    assert read_image(tmp_path / "c.png").shape == (4, 4, 3)
    luma = read_image(tmp_path / "c.png", mode="L")
    assert luma.shape == (4, 4) and int(luma[0, 0]) == round(200 * 299 / 1000)  # ITU-R 601

    rgba = np.zeros((2, 2, 4), np.uint8)
    rgba[0, 0] = (255, 0, 0, 255)  # opaque red
    rgba[0, 1] = (0, 0, 255, 0)  # transparent: white paper
    rgba[1, 0] = (0, 0, 0, 128)  # half-transparent black over white: grey
    write_png(tmp_path / "a.png", rgba)
    out = read_image(tmp_path / "a.png")
    assert out.shape == (2, 2, 3)
    assert tuple(out[0, 0]) == (255, 0, 0)
    assert tuple(out[0, 1]) == (255, 255, 255)
    assert all(abs(int(v) - 127) <= 1 for v in out[1, 0])
    np.testing.assert_array_equal(read_rgba(tmp_path / "a.png"), rgba)


def test_png_write_is_byte_deterministic(tmp_path):
    image = np.random.default_rng(0).integers(0, 256, (8, 8), dtype=np.uint8)
    write_png(tmp_path / "1.png", image)
    write_png(tmp_path / "2.png", image)
    assert (tmp_path / "1.png").read_bytes() == (tmp_path / "2.png").read_bytes()


def test_not_an_image_and_truncated(tmp_path):
    (tmp_path / "text.png").write_text("hello", encoding="utf-8")
    with pytest.raises(ValueError, match="not an image file"):
        read_image(tmp_path / "text.png")
    noise = np.random.default_rng(0).integers(0, 256, (64, 64), dtype=np.uint8)
    write_png(tmp_path / "ok.png", noise)
    data = (tmp_path / "ok.png").read_bytes()
    (tmp_path / "cut.png").write_bytes(data[: len(data) // 2])
    with pytest.raises(ValueError, match="truncated or corrupt"):
        read_image(tmp_path / "cut.png")


def test_other_size_error_or_resize(tmp_path):
    write_png(tmp_path / "big.png", np.zeros((40, 30), np.uint8))
    with pytest.raises(ValueError, match="image is 30x40, the model reads 32x32"):
        read_image(tmp_path / "big.png", size=32)
    assert read_image(tmp_path / "big.png", size=32, on_size="resize").shape == (32, 32)
    with pytest.raises(ValueError, match="on_size"):
        fit_size(np.zeros((4, 4), np.uint8), 2, on_size="crop")


def test_read_images_reports_and_skips(tmp_path):
    write_png(tmp_path / "a.png", np.zeros((4, 4), np.uint8))
    (tmp_path / "b.png").write_bytes(b"\x89PNG\r\n\x1a\n broken")
    write_png(tmp_path / "c.png", np.ones((4, 4), np.uint8))
    paths = [tmp_path / "a.png", tmp_path / "b.png", tmp_path / "missing.png", tmp_path / "c.png"]
    images, problems = read_images(paths)
    assert [im is None for im in images] == [False, True, True, False]
    assert len(problems) == 2
    assert "b.png" in problems[0] and "missing.png" in problems[1]


def test_crop_sprite_layout():
    size, pad = 4, 1
    sheet = np.zeros((2 * (size + 2 * pad), 3 * (size + 2 * pad), 4), np.uint8)
    sheet[1 * 6 + 1 : 1 * 6 + 5, 2 * 6 + 1 : 2 * 6 + 5] = 9  # image (x=2, y=1)
    out = crop_sprite(sheet, 2, 1, size=size, padding=pad)
    assert out.shape == (4, 4, 4) and (out == 9).all()
    with pytest.raises(ValueError, match="outside"):
        crop_sprite(sheet, 3, 0, size=size, padding=pad)


def test_to_chw():
    grey = np.full((2, 3), 255, np.uint8)
    assert to_chw(grey).shape == (1, 2, 3) and to_chw(grey).max() == 1.0
    rgb = np.zeros((2, 3, 3), np.uint8)
    rgb[..., 2] = 51
    x = to_chw(rgb)
    assert x.shape == (3, 2, 3) and x.dtype == np.float32 and np.isclose(x[2, 0, 0], 0.2)


def test_palette_with_transparency(tmp_path):
    image = Image.new("P", (2, 1))
    image.putpalette([0, 0, 0, 255, 0, 0] + [0] * 762)
    image.putpixel((0, 0), 0)
    image.putpixel((1, 0), 1)
    image.info["transparency"] = 0
    image.save(tmp_path / "p.png", transparency=0)
    out = read_image(tmp_path / "p.png")
    assert tuple(out[0, 0]) == (255, 255, 255) and tuple(out[0, 1]) == (255, 0, 0)
