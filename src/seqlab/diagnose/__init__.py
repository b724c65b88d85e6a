"""Diagnostics of the notes made measurable: gradient flow, vanishing gradients."""

from seqlab._lazy import lazy_exports

__all__ = [
    "gradient_flow",
    "RecallConfig",
    "RecallModel",
    "VanishingConfig",
    "CellResult",
    "make_recall_batch",
    "run_vanishing",
]

# Each name and the submodule that defines it, imported on first use (seqlab._lazy), so that
# importing one light submodule (seqlab.diagnose.config, say) does not import them all.
_EXPORTS = {
    "RecallConfig": "config",
    "VanishingConfig": "config",
    "gradient_flow": "gradient_flow",
    "CellResult": "vanishing",
    "RecallModel": "vanishing",
    "make_recall_batch": "vanishing",
    "run_vanishing": "vanishing",
}

__getattr__, __dir__ = lazy_exports(__name__, _EXPORTS)
