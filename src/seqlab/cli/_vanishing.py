"""The vanishing-gradient experiment as two commands show it (``diagnose vanishing`` and the
demo's first part): one progress bar per cell, and the comparison table."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from seqlab.cli._common import progress

if TYPE_CHECKING:
    from seqlab.diagnose import CellResult, VanishingConfig

__all__ = ["format_table", "vanishing_with_progress"]


def vanishing_with_progress(
    config: VanishingConfig, cells: tuple[str, ...], show: bool, device: Any = "cpu"
) -> list[CellResult]:
    """run_vanishing with one progress bar per cell (stderr)."""
    from seqlab.diagnose import run_vanishing

    bars: dict[str, object] = {}

    def on_step(cell: str, step: int, loss: float) -> None:
        if cell not in bars:
            for bar in bars.values():
                bar.close()
            bars[cell] = progress(config.steps, f"{cell:>4}", enabled=show)
        bars[cell].update(1)
        bars[cell].set_postfix(loss=f"{loss:.3f}", refresh=False)

    try:
        return run_vanishing(config, cells, on_step=on_step, device=device)
    finally:
        for bar in bars.values():
            bar.close()


def format_table(results: list[CellResult], config: VanishingConfig) -> str:
    """A readable comparison of the cells."""
    chance = 1 / config.n_symbols
    lines = [
        f"Recall the first of T = {config.T} tokens ({config.n_symbols} symbols, chance "
        f"{chance:.0%}), {config.steps} Adam steps of {config.batch_size} sequences each.",
        "",
        f"{'cell':>5}  {'accuracy':>8}  {'||dL/da<1>||':>13}  {'||dL/da<T>||':>13}  "
        f"{'ratio 1/T':>10}",
    ]
    for r in results:
        ratio = r.grad_norm_first_step / r.grad_norm_last_step if r.grad_norm_last_step else 0.0
        lines.append(
            f"{r.cell:>5}  {r.accuracy:>8.1%}  {r.grad_norm_first_step:>13.2e}  "
            f"{r.grad_norm_last_step:>13.2e}  {ratio:>10.1e}"
        )
    lines += ["", "Gradient norms are measured at initialisation, before any training step."]
    return "\n".join(lines)
