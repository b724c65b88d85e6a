"""seqlab: the models of the Sequence Models notes as a tested PyTorch library and CLI.

    import seqlab
    from seqlab.nn import GRU, LSTM, RNN          # the notes' recurrent layers
    model = seqlab.load("runs/my-model")            # any trained model folder

Packages: ``nn`` (cells, layers, architectures), ``reference`` (NumPy forward/BPTT),
``text`` (vocabulary, tokenizers, batching), ``train`` (the one training loop, model folders),
``diagnose`` (gradient flow, vanishing gradients).
"""

from __future__ import annotations

import os

from seqlab._version import __version__

__all__ = ["__version__", "load"]


def load(path: str | os.PathLike[str], *, map_location: str = "cpu"):
    """Rebuild a trained model from its folder (``config.json`` + ``model.safetensors``).

    The folder's ``"task"`` picks the class; weights load strictly, never through pickle.

    Raises:
        ValueError: missing folder or file, invalid JSON, unknown task or config field,
            weights that do not fit the config.
    """
    from seqlab.train.checkpoint import load_model

    return load_model(path, map_location=map_location)
