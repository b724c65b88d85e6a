"""A server on 127.0.0.1 (a free port) over one real model folder of every task the page has a
panel for: the shipped speech recogniser and captioner, the bundled GloVe sample, and small
saved models of the other tasks (safetensors + JSON, loaded through seqlab.load as any)."""

from __future__ import annotations

import json
import urllib.error
import urllib.request
from dataclasses import dataclass
from importlib.resources import files
from pathlib import Path
from typing import Any

import pytest
import torch

pytest.importorskip("starlette", reason="seqlab[serve] is not installed (make test installs it)")
pytest.importorskip("uvicorn", reason="seqlab[serve] is not installed (make test installs it)")

from seqlab.serve import Limits, build_app, load_served, running  # noqa: E402
from seqlab.train import save_model  # noqa: E402
from tests.reliability._folders import tiny_model  # noqa: E402

DATA = files("seqlab") / "data"
SPEECH = Path(str(DATA / "speech" / "fsdd-digits-64"))
CAPTION = Path(str(DATA / "vision" / "fashion-scenes-att"))
VECTORS = Path(str(DATA / "glove.6B.50d.demo.txt"))
RECORDINGS = Path(str(DATA / "speech" / "recordings"))
SCENES = Path(str(DATA / "vision" / "scenes"))
LIMITS = Limits(max_text_chars=300, max_lines=4, max_upload_bytes=200_000, max_beam=8,
                max_length=200, max_n=20)  # fmt: skip


def _tagger() -> torch.nn.Module:
    """A tagger whose emissions favour B-X everywhere: every word is an entity of type X."""
    model = tiny_model("tag")
    with torch.no_grad():
        model.out.bias.copy_(torch.tensor([-5.0, 5.0, -5.0]))  # O, B-X, I-X
    return model


def _trigger() -> torch.nn.Module:
    from seqlab.speech.config import FeatureConfig, TriggerConfig
    from seqlab.speech.trigger.model import TriggerWordDetector

    torch.manual_seed(0)
    features = FeatureConfig(
        sample_rate=8000, n_fft=256, win_length=200, hop_length=80, n_mels=4, n_mfcc=4
    )
    config = TriggerConfig(n_features=4, conv_channels=3, hidden_size=3)
    return TriggerWordDetector(config, features, threshold=0.5)


def make_zoo(root: Path) -> dict[str, Path]:
    """name -> model folder (or vectors file) for every panel."""
    folders = {"speech": SPEECH, "caption": CAPTION, "vectors": VECTORS}
    for name, model in (("lm", tiny_model("lm")), ("dates", tiny_model("seq2seq")),
                        ("classify", tiny_model("classify")), ("tag", _tagger()),
                        ("music", tiny_model("music")), ("trigger", _trigger())):  # fmt: skip
        folders[name] = save_model(model, root / name)
    return folders


@dataclass
class Served:
    url: str
    folders: dict[str, Path]  # panel -> what was loaded
    names: dict[str, str]  # panel -> the model's name in URLs

    def post(self, path: str, body: Any = None, *, data: bytes | None = None,
             query: str = "") -> tuple[int, dict]:  # fmt: skip
        """(status, JSON answer) of POST /api/<path>: ``body`` as JSON or raw ``data``."""
        raw = data if data is not None else json.dumps(body or {}).encode()
        url = f"{self.url}/api/{path}" + (f"?{query}" if query else "")
        request = urllib.request.Request(url, data=raw, method="POST")
        try:
            with urllib.request.urlopen(request, timeout=60) as answer:
                return answer.status, json.loads(answer.read())
        except urllib.error.HTTPError as error:
            return error.code, json.loads(error.read())

    def get(self, path: str) -> tuple[int, bytes]:
        try:
            with urllib.request.urlopen(f"{self.url}{path}", timeout=60) as answer:
                return answer.status, answer.read()
        except urllib.error.HTTPError as error:
            return error.code, error.read()


@pytest.fixture(scope="session")
def served(tmp_path_factory) -> Served:
    folders = make_zoo(tmp_path_factory.mktemp("zoo"))
    loaded = load_served([str(p) for p in folders.values()])
    names = {panel: s.name for panel, s in zip(folders, loaded)}
    with running(build_app(loaded, LIMITS)) as url:
        yield Served(url, folders, names)
