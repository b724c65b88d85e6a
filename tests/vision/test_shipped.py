"""The captioner and scenes shipped for the demo: the model loads and describes the scenes."""

import json
from importlib.resources import files

import pytest

from seqlab.train import load_model
from seqlab.vision.caption import caption_images
from seqlab.vision.captioner import Captioner
from seqlab.vision.images import read_image
from seqlab.vision.scenes import parse_caption

ROOT = files("seqlab") / "data" / "vision"


@pytest.mark.skipif(not (ROOT / "fashion-scenes-att").is_dir(), reason="no shipped model")
def test_the_shipped_captioner_describes_the_shipped_scenes():
    model = load_model(str(ROOT / "fashion-scenes-att"), Captioner)
    assert model.config.attention and sum(p.numel() for p in model.parameters()) < 500_000
    scenes = json.loads((ROOT / "scenes" / "scenes.json").read_text(encoding="utf-8"))
    images = [read_image(str(ROOT / "scenes" / s["image"])) for s in scenes]
    hyps = caption_images(model, images, beam_size=3)
    for scene, hyp in zip(scenes, hyps):
        assert parse_caption(scene["caption"])  # the references follow the grammar
        assert hyp.text == scene["caption"]
        assert hyp.attention.shape == (len(hyp.output_tokens), 36)
