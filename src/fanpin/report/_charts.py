"""The report's charts: matplotlib (Agg, no pyplot) drawn to deterministic PNG bytes."""

from __future__ import annotations

import io
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass

import numpy as np
import pandas as pd

__all__ = ["ChartStyle", "calibration_chart", "capacity_chart", "bar_chart"]

#: One colour per ranker, the model always the same blue.
RANKER_COLOURS = {
    "model": "#1f5fa8",
    "logistic": "#7f7f7f",
    "rules": "#d62728",
    "oracle": "#2ca02c",
}
_DPI = 100


@dataclass(frozen=True)
class ChartStyle:
    """Font and language of the charts.

    ``font`` is a family that draws Chinese, or None for English-only labels.
    """

    font: str | None

    def label(self, zh: str, en: str, *, sep: str = " / ") -> str:
        """Bilingual label, or the English part alone when no CJK font exists."""
        return f"{zh}{sep}{en}" if self.font else en

    @contextmanager
    def context(self) -> Iterator[None]:
        """rcParams for one chart: font, no unicode minus, deterministic output."""
        import matplotlib

        family = [self.font, "DejaVu Sans"] if self.font else ["DejaVu Sans"]
        rc = {
            "font.family": family,
            "font.size": 10,
            "axes.unicode_minus": False,
            "svg.hashsalt": "fanpin",
            "path.simplify": True,
            "axes.spines.top": False,
            "axes.spines.right": False,
        }
        with matplotlib.rc_context(rc):
            yield


def _figure(width: float, height: float):  # noqa: ANN202 - matplotlib Figure
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    fig = Figure(figsize=(width, height), dpi=_DPI, layout="constrained")
    FigureCanvasAgg(fig)
    return fig


def _png(fig) -> bytes:  # noqa: ANN001
    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=_DPI, metadata={"Software": None})
    return buf.getvalue()


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
        fig = _figure(7.2, 4.2)
        ax = fig.add_subplot()
        for ranker, part in curves.groupby("ranker", sort=False):
            part = part.sort_values("fraction")
            x = np.r_[0.0, part["fraction"].to_numpy()] * 100
            y = np.r_[0.0, part["caught"].to_numpy()] * 100
            zh, en = names.get(str(ranker), (str(ranker), str(ranker)))
            ax.plot(
                x,
                y,
                label=style.label(zh, en),
                color=RANKER_COLOURS.get(str(ranker), "#9467bd"),
                linewidth=2,
            )
        x_max = float(curves["fraction"].max()) * 100 if len(curves) else 100.0
        ax.plot(
            [0, x_max],
            [0, x_max],
            color="#bbbbbb",
            linestyle=":",
            label=style.label("随机名单", "random list"),
        )
        if marker is not None:
            ax.axvline(marker * 100, color="#444444", linestyle="--", linewidth=1)
        ax.set_xlim(0, x_max)
        ax.set_ylim(0, 100)
        ax.set_xlabel(
            style.label("名单规模（占可排序农户 %）", "list size (% of households)")
        )
        ax.set_ylabel(style.label("发现的返贫致贫户（%）", "falls caught (%)"))
        ax.grid(alpha=0.3)
        ax.legend(loc="lower right", frameon=False)
        return _png(fig)


def calibration_chart(
    table: pd.DataFrame, style: ChartStyle, *, true_rate: Sequence[float] | None = None
) -> bytes:
    """Observed fall rate (with 95 % interval) against mean predicted risk per bin."""
    with style.context():
        fig = _figure(5.6, 4.6)
        ax = fig.add_subplot()
        x = table["mean_predicted"].to_numpy() * 100
        y = table["observed_rate"].to_numpy() * 100
        lo = table["observed_low"].to_numpy() * 100
        hi = table["observed_high"].to_numpy() * 100
        top = float(max(np.max(hi, initial=1.0), np.max(x, initial=1.0))) * 1.05
        ax.plot(
            [0, top],
            [0, top],
            color="#bbbbbb",
            linestyle=":",
            label=style.label("完美校准", "perfect calibration"),
        )
        ax.errorbar(
            x,
            y,
            # Round-off can put the rate a hair outside its interval (e.g. 0 of n).
            yerr=[np.clip(y - lo, 0, None), np.clip(hi - y, 0, None)],
            fmt="o-",
            color=RANKER_COLOURS["model"],
            capsize=3,
            label=style.label("实际返贫致贫率", "observed rate"),
        )
        if true_rate is not None:
            ax.plot(
                x,
                np.asarray(true_rate) * 100,
                "s--",
                color="#2ca02c",
                label=style.label("真实概率均值", "mean true risk"),
            )
        ax.set_xlim(0, top)
        ax.set_ylim(0, top)
        ax.set_xlabel(style.label("预测风险均值（%）", "mean predicted risk (%)"))
        ax.set_ylabel(style.label("实际发生率（%）", "observed rate (%)"))
        ax.grid(alpha=0.3)
        ax.legend(loc="upper left", frameon=False)
        return _png(fig)


def bar_chart(
    labels: Sequence[str],
    values: Sequence[float],
    style: ChartStyle,
    *,
    xlabel: str,
    percent: bool = False,
    colour: str = "#1f5fa8",
) -> bytes:
    """Horizontal bars, the first label on top; values as % when ``percent``."""
    n = len(labels)
    with style.context():
        fig = _figure(7.2, max(2.0, 0.32 * n + 1.0))
        ax = fig.add_subplot()
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
        return _png(fig)
