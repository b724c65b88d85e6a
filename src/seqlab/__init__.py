"""seqlab: the models of the Sequence Models notes as a tested PyTorch library and CLI.

    import seqlab
    from seqlab.nn import GRU, LSTM, RNN          # the notes' recurrent layers
    model = seqlab.load("runs/my-model")            # any trained model folder

Packages, by layer (imports go downward only): ``nn`` (cells, recurrent layers, attention),
``text`` (vocabulary, tokenizers, batching), ``metrics`` (BLEU, F1, WER) and ``reference``
(NumPy forward/BPTT); ``datasets`` (readers) and ``train`` (the one training recipe, model
folders); the task packages ``lm``, ``embeddings``, ``classify``, ``seq2seq``, ``speech``,
``music``, ``diagnose``, ``vision``; ``cli``. This module holds what spans every task: the table
of tasks a model folder can hold, and :func:`load`.
"""

from __future__ import annotations

import importlib
import os
from typing import Any

from seqlab._version import __version__

__all__ = ["TASKS", "__version__", "load", "task_class"]

# Every task a model folder can hold: config.json's "task" -> "module:Class" that rebuilds it.
# Each class names its task in the class attribute ``task`` (tests/test_tasks.py checks both).
TASKS: dict[str, str] = {
    "lm": "seqlab.lm.model:LanguageModel",
    "classify": "seqlab.classify.classifier:SentenceClassifier",
    "tag": "seqlab.classify.tagger:SequenceTagger",
    "seq2seq": "seqlab.seq2seq.model:Seq2Seq",
    "speech": "seqlab.speech.model:CTCRecognizer",
    "trigger": "seqlab.speech.trigger.model:TriggerWordDetector",
    "music": "seqlab.music.model:PianoRollRNN",
    "recall": "seqlab.diagnose.vanishing:RecallModel",
    "caption": "seqlab.vision.captioner:Captioner",
    "activity": "seqlab.vision.activity:ActivityRecognizer",
}


def task_class(name: str) -> type:
    """The model class of task ``name`` (imported on first use).

    Raises:
        ValueError: if no task has that name; the message lists the known ones.
    """
    if name not in TASKS:
        raise ValueError(f"unknown task {name!r}; known tasks: {', '.join(sorted(TASKS))}")
    module, _, cls = TASKS[name].partition(":")
    return getattr(importlib.import_module(module), cls)


def load(path: str | os.PathLike[str], *, map_location: str = "cpu") -> Any:
    """Rebuild a trained model from its folder (``config.json`` + ``model.safetensors``).

    The folder's ``"task"`` picks the class (:data:`TASKS`); weights load strictly, never
    through pickle.

    Raises:
        ValueError: missing folder or file, invalid JSON, unknown task or config field,
            weights that do not fit the config.
    """
    from seqlab.train.folder import load_model, read_config

    return load_model(path, task_class(read_config(path)["task"]), map_location=map_location)
