"""Diagnostics of the notes made measurable: gradient flow, vanishing gradients."""

from seqlab.diagnose.gradient_flow import gradient_flow
from seqlab.diagnose.vanishing import (
    CellResult,
    RecallConfig,
    RecallModel,
    VanishingConfig,
    make_recall_batch,
    run_vanishing,
)

__all__ = [
    "gradient_flow",
    "RecallConfig",
    "RecallModel",
    "VanishingConfig",
    "CellResult",
    "make_recall_batch",
    "run_vanishing",
]
