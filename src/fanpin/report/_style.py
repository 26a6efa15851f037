"""The one chart style of fanpin: the report's charts and the notebook plots.

Fonts (a CJK font when one is installed, :func:`find_cjk_font`), rcParams,
colours, bilingual labels, figures without pyplot and deterministic PNG bytes,
and the calibration chart both draw. matplotlib is imported only when a chart
is drawn; without it, :func:`require_matplotlib` raises
:class:`~fanpin.exceptions.MissingDependencyError` naming the extra to install.
"""

from __future__ import annotations

import io
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from ..exceptions import MissingDependencyError
from ..messages import N_, Message
from ._fonts import find_cjk_font

__all__ = [
    "COLOURS",
    "FOR_CHARTS",
    "FOR_PLOTS",
    "FOR_REPORT",
    "MSG_NO_MATPLOTLIB",
    "ChartStyle",
    "chart_font",
    "chart_style",
    "display_label",
    "draw_calibration",
    "png_bytes",
    "require_matplotlib",
]

MSG_NO_MATPLOTLIB = N_(
    "{what} needs matplotlib, which is not installed. Install it with: pip "
    "install 'fanpin[notebooks]' (or pip install matplotlib)."
)
FOR_CHARTS = N_("Drawing charts")
FOR_REPORT = N_("The report")
FOR_PLOTS = N_("Plotting")
"""What needs matplotlib (the ``what`` of :data:`MSG_NO_MATPLOTLIB`)."""

COLOURS = {
    "model": "#1f5fa8",
    "logistic": "#7f7f7f",
    "rules": "#d62728",
    "oracle": "#2ca02c",
    "other": "#9467bd",
    "stable": "#4c9a5b",
    "shift": "#e0a030",
    "significant": "#c8403a",
    "up": "#c8403a",
    "down": "#4c9a5b",
    "diagonal": "#bbbbbb",
    "guide": "#999999",
    "marker": "#444444",
    "trial": "#888888",
}
"""Colours of every chart: one per ranker (the model always the same blue),
the PSI bands (stable, slight shift, significant shift), contributions that
raise (up) or lower (down) the risk, and the greys of guides."""

DPI = 100

RC = {
    "font.size": 10,
    "axes.unicode_minus": False,
    "svg.hashsalt": "fanpin",
    "path.simplify": True,
    "axes.spines.top": False,
    "axes.spines.right": False,
}


def require_matplotlib(what: str = FOR_CHARTS) -> Any:
    """The ``matplotlib`` module, or :class:`MissingDependencyError` with the
    install hint (``what``, an N_ template such as :data:`FOR_REPORT`, names
    what needs it)."""
    try:
        import matplotlib
    except ImportError as exc:
        raise MissingDependencyError(
            Message(MSG_NO_MATPLOTLIB, what=Message(what))
        ) from exc
    return matplotlib


def chart_font() -> str | None:
    """The CJK font family the charts use, or None (labels then stay English).

    Examples
    --------
    >>> name = chart_font()
    >>> name is None or isinstance(name, str)
    True
    """
    try:
        require_matplotlib()
    except MissingDependencyError:
        return None  # no charts without matplotlib, so no chart font either
    return find_cjk_font()


@dataclass(frozen=True)
class ChartStyle:
    """Font and language of the charts.

    ``font`` is a family that draws Chinese, or None for English-only labels.

    Examples
    --------
    >>> ChartStyle("Noto Sans CJK SC").label("风险", "risk")
    '风险 / risk'
    >>> ChartStyle(None).label("风险", "risk"), ChartStyle(None).title("风险", "risk")
    ('risk', 'risk')
    """

    font: str | None

    def label(self, zh: str, en: str, *, sep: str = " / ") -> str:
        """Bilingual label, or the English part alone when no CJK font exists."""
        return f"{zh}{sep}{en}" if self.font else en

    def title(self, zh: str, en: str) -> str:
        """The Chinese text when a CJK font exists, else the English."""
        return zh if self.font else en

    def name(self, name: str) -> str:
        """The Chinese label of a feature, domain or column name when a CJK
        font exists, else the name itself."""
        name = str(name)
        if self.font is None:
            return name
        if name == "score":
            return "风险评分"
        from ..features import DOMAIN_LABELS, FEATURE_LABELS
        from ..schema import COLUMNS

        aliases = {c.name: c.alias for c in COLUMNS}
        return FEATURE_LABELS.get(
            name, DOMAIN_LABELS.get(name, aliases.get(name, name))
        )

    @contextmanager
    def context(self) -> Iterator[None]:
        """rcParams for one chart: font, no unicode minus, deterministic output;
        matplotlib's global state is left as it was."""
        matplotlib = require_matplotlib()
        family = [self.font, "DejaVu Sans"] if self.font else ["DejaVu Sans"]
        with matplotlib.rc_context({"font.family": family, **RC}):
            yield

    def figure(self, width: float, height: float, **subplots: Any) -> tuple[Any, Any]:
        """A Figure on an Agg canvas (no pyplot) and its axes."""
        require_matplotlib()
        from matplotlib.backends.backend_agg import FigureCanvasAgg
        from matplotlib.figure import Figure

        fig = Figure(figsize=(width, height), dpi=DPI, layout="constrained")
        FigureCanvasAgg(fig)
        axes = fig.subplots(**subplots) if subplots else fig.add_subplot()
        return fig, axes


def chart_style(what: str = FOR_CHARTS) -> ChartStyle:
    """The style of this machine's charts (its CJK font, if any).

    Raises :class:`MissingDependencyError` (naming ``what``) without matplotlib.
    """
    require_matplotlib(what)
    return ChartStyle(chart_font())


def display_label(name: str) -> str:
    """Chinese label of a feature or domain name when a CJK font exists, else the name.

    Examples
    --------
    >>> display_label("score") in ("score", "风险评分")
    True
    """
    return ChartStyle(chart_font()).name(name)


def png_bytes(fig: Any) -> bytes:
    """The figure as PNG bytes without metadata (the same chart, the same bytes)."""
    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=DPI, metadata={"Software": None})
    return buf.getvalue()


def draw_calibration(
    ax: Any,
    table: pd.DataFrame,
    style: ChartStyle,
    *,
    percent: bool,
    true_rate: Sequence[float] | None = None,
) -> None:
    """Observed fall rate (with its 95 % interval) against mean predicted risk.

    ``table``: :func:`fanpin.monitor.calibration_curve_table` (one line) or
    :func:`fanpin.monitor.calibration_by_year` (a line per ``year``);
    ``percent``: axes in % (else probabilities); ``true_rate``: the mean true
    risk of each bin (one line only).
    """
    scale = 100 if percent else 1
    groups = (
        list(table.groupby("year", sort=True)) if "year" in table else [(None, table)]
    )
    top = 0.0
    for _, part in groups:
        x = part["mean_predicted"].to_numpy(dtype="float64") * scale
        hi = part["observed_high"].to_numpy(dtype="float64") * scale
        top = max(top, float(np.max(hi, initial=scale * 0.01)))
        top = max(top, float(np.max(x, initial=scale * 0.01)))
    top *= 1.05
    ax.plot(
        [0, top],
        [0, top],
        color=COLOURS["diagonal"],
        linestyle=":",
        label=style.label("完美校准", "perfect calibration"),
    )
    for year, part in groups:
        x = part["mean_predicted"].to_numpy(dtype="float64") * scale
        y = part["observed_rate"].to_numpy(dtype="float64") * scale
        lo = part["observed_low"].to_numpy(dtype="float64") * scale
        hi = part["observed_high"].to_numpy(dtype="float64") * scale
        ax.errorbar(
            x,
            y,
            # Round-off can put the rate a hair outside its interval (e.g. 0 of n).
            yerr=[np.clip(y - lo, 0, None), np.clip(hi - y, 0, None)],
            fmt="o-",
            color=COLOURS["model"] if year is None else None,
            capsize=3,
            label=(
                style.label("实际返贫致贫率", "observed rate")
                if year is None
                else str(year)
            ),
        )
    if true_rate is not None:
        ax.plot(
            groups[0][1]["mean_predicted"].to_numpy(dtype="float64") * scale,
            np.asarray(true_rate) * scale,
            "s--",
            color=COLOURS["oracle"],
            label=style.label("真实概率均值", "mean true risk"),
        )
    ax.set_xlim(0, top)
    ax.set_ylim(0, top)
    unit = "（%）" if percent else ""
    unit_en = " (%)" if percent else ""
    ax.set_xlabel(style.label(f"预测风险均值{unit}", f"mean predicted risk{unit_en}"))
    ax.set_ylabel(style.label(f"实际发生率{unit}", f"observed rate{unit_en}"))
    ax.grid(alpha=0.3)
    ax.legend(loc="upper left", frameon=False)
