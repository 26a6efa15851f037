"""The report's charts, in the one chart style (:mod:`fanpin.report._style`),
drawn to deterministic PNG bytes."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd

from ._style import COLOURS, ChartStyle, draw_calibration, png_bytes

__all__ = ["bar_chart", "calibration_chart", "capacity_chart"]


def capacity_chart(
    curves: pd.DataFrame,
    names: dict[str, tuple[str, str]],
    style: ChartStyle,
    *,
    marker: float | None = None,
) -> bytes:
    """Share of falls caught against list size, one line per ranker.

    ``curves`` has columns ``ranker``, ``fraction`` and ``caught`` (both shares).
    """
    with style.context():
        fig, ax = style.figure(7.2, 4.2)
        for ranker, part in curves.groupby("ranker", sort=False):
            part = part.sort_values("fraction")
            x = np.r_[0.0, part["fraction"].to_numpy()] * 100
            y = np.r_[0.0, part["caught"].to_numpy()] * 100
            zh, en = names.get(str(ranker), (str(ranker), str(ranker)))
            ax.plot(
                x,
                y,
                label=style.label(zh, en),
                color=COLOURS.get(str(ranker), COLOURS["other"]),
                linewidth=2,
            )
        x_max = float(curves["fraction"].max()) * 100 if len(curves) else 100.0
        ax.plot(
            [0, x_max],
            [0, x_max],
            color=COLOURS["diagonal"],
            linestyle=":",
            label=style.label("随机名单", "random list"),
        )
        if marker is not None:
            ax.axvline(
                marker * 100, color=COLOURS["marker"], linestyle="--", linewidth=1
            )
        ax.set_xlim(0, x_max)
        ax.set_ylim(0, 100)
        ax.set_xlabel(
            style.label("名单规模（占可排序农户 %）", "list size (% of households)")
        )
        ax.set_ylabel(style.label("发现的返贫致贫户（%）", "falls caught (%)"))
        ax.grid(alpha=0.3)
        ax.legend(loc="lower right", frameon=False)
        return png_bytes(fig)


def calibration_chart(
    table: pd.DataFrame, style: ChartStyle, *, true_rate: Sequence[float] | None = None
) -> bytes:
    """Observed fall rate (with 95 % interval) against mean predicted risk per bin."""
    with style.context():
        fig, ax = style.figure(5.6, 4.6)
        draw_calibration(ax, table, style, percent=True, true_rate=true_rate)
        return png_bytes(fig)


def bar_chart(
    labels: Sequence[str],
    values: Sequence[float],
    style: ChartStyle,
    *,
    xlabel: str,
    percent: bool = False,
    colour: str = COLOURS["model"],
) -> bytes:
    """Horizontal bars, the first label on top; values as % when ``percent``."""
    n = len(labels)
    with style.context():
        fig, ax = style.figure(7.2, max(2.0, 0.32 * n + 1.0))
        pos = np.arange(n)[::-1]
        vals = np.asarray(values, dtype=float) * (100 if percent else 1)
        ax.barh(pos, vals, color=colour, height=0.7)
        ax.set_yticks(pos, labels=list(labels))
        ax.set_xlabel(xlabel)
        ax.grid(axis="x", alpha=0.3)
        ax.set_xlim(0, float(np.max(vals, initial=0.0)) * 1.15 or 1.0)
        for p_, v in zip(pos, vals, strict=True):
            ax.text(
                v,
                p_,
                f" {v:.1f}%" if percent else f" {v:,.1f}",
                va="center",
                fontsize=8,
            )
        return png_bytes(fig)
