"""seqlab.train: the one training loop, model folders, gradient clipping and data parallelism.

Every task package (lm, embeddings, classify, seq2seq, speech) registers its model with
:func:`register_task` and trains it with :class:`Trainer`; :func:`save_model` / :func:`load_model`
write and read model folders (safetensors + JSON, never pickle).
"""

from seqlab.train.checkpoint import (
    config_from_dict,
    load_model,
    load_weights,
    read_config,
    save_model,
)
from seqlab.train.clip import clip_grad_norm_, clip_grad_value_
from seqlab.train.data import random_split
from seqlab.train.distributed import (
    DistributedContext,
    destroy_distributed,
    init_distributed,
    resolve_device,
    shard_batches,
)
from seqlab.train.fit import TaskData, Trained, fit_task
from seqlab.train.registry import get_task, known_tasks, register_task
from seqlab.train.trainer import (
    Trainer,
    TrainerConfig,
    TrainResult,
    batch_size,
    move_to_device,
    seed_everything,
)

__all__ = [
    "DistributedContext",
    "TaskData",
    "TrainResult",
    "Trained",
    "Trainer",
    "TrainerConfig",
    "batch_size",
    "clip_grad_norm_",
    "clip_grad_value_",
    "config_from_dict",
    "destroy_distributed",
    "fit_task",
    "get_task",
    "init_distributed",
    "known_tasks",
    "load_model",
    "load_weights",
    "move_to_device",
    "random_split",
    "read_config",
    "register_task",
    "resolve_device",
    "save_model",
    "seed_everything",
    "shard_batches",
]
