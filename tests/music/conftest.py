"""The tiny made-up chorales every music test reads (never the real data in /work/shared)."""

from pathlib import Path

import pytest

FIXTURE = Path(__file__).parent / "fixtures" / "tiny_chorales.json"


@pytest.fixture
def chorales_path() -> Path:
    return FIXTURE


@pytest.fixture(autouse=True)
def _one_thread():
    """Small models run fastest on one thread (and leave the other core to other work)."""
    import torch

    threads = torch.get_num_threads()
    torch.set_num_threads(1)
    yield
    torch.set_num_threads(threads)
