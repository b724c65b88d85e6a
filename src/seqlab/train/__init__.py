"""seqlab.train: the one training loop, model folders, gradient clipping and data parallelism.

Every task package trains its model with :func:`fit_task` (the one recipe around
:class:`Trainer`); :func:`save_model` / :func:`load_model` write and read model folders
(safetensors + JSON, never pickle).
"""

from seqlab._lazy import lazy_exports

__all__ = [
    "DistributedContext",
    "TaskData",
    "TrainResult",
    "Trained",
    "Trainer",
    "TrainerConfig",
    "batch_size",
    "claim_out_dir",
    "clip_grad_norm_",
    "clip_grad_value_",
    "config_from_dict",
    "destroy_distributed",
    "fit_task",
    "init_distributed",
    "load_model",
    "load_weights",
    "move_to_device",
    "random_split",
    "read_config",
    "resolve_device",
    "save_model",
    "seed_everything",
    "shard_batches",
]

# Each name and the submodule that defines it, imported on first use (seqlab._lazy), so that
# importing one light submodule (seqlab.train.config, say) does not import them all.
_EXPORTS = {
    "TrainerConfig": "config",
    "config_from_dict": "folder",
    "load_model": "folder",
    "load_weights": "folder",
    "read_config": "folder",
    "save_model": "folder",
    "clip_grad_norm_": "clip",
    "clip_grad_value_": "clip",
    "random_split": "data",
    "TaskData": "fit",
    "Trained": "fit",
    "fit_task": "fit",
    "claim_out_dir": "outdir",
    "DistributedContext": "distributed",
    "destroy_distributed": "distributed",
    "init_distributed": "distributed",
    "resolve_device": "distributed",
    "shard_batches": "distributed",
    "Trainer": "trainer",
    "TrainResult": "trainer",
    "batch_size": "trainer",
    "move_to_device": "trainer",
    "seed_everything": "trainer",
}

__getattr__, __dir__ = lazy_exports(__name__, _EXPORTS)
