"""Config validation shared by every ``@dataclass(frozen=True)`` config.

Imports nothing from seqlab, so every package may use it.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

__all__ = ["check_fields"]


def check_fields(config: Any, checks: Mapping[str, bool]) -> None:
    """Raise one ValueError naming every field whose check failed, with its value.

    Args:
        config: the dataclass instance (its class name heads the message).
        checks: field name -> whether its value is valid.

    Raises:
        ValueError: ``invalid LMConfig: hidden_size=0, cell='x'`` when any check is False.
    """
    bad = [name for name, ok in checks.items() if not ok]
    if bad:
        values = ", ".join(f"{name}={getattr(config, name)!r}" for name in bad)
        raise ValueError(f"invalid {type(config).__name__}: {values}")
