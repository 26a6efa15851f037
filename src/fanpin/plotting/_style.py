"""Fonts, labels and an empty figure for the plotting helpers."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from ..exceptions import MissingDependencyError
from ..features import DOMAIN_LABELS, FEATURE_LABELS
from ..messages import N_

__all__ = ["chart_font", "display_label", "new_figure", "style"]

MSG_NO_MATPLOTLIB = N_(
    "Plotting needs matplotlib, which is not installed. Install the notebook "
    "extra: pip install 'fanpin[notebooks]'"
)
#: Colours of the PSI bands (stable, slight shift, significant shift).
BAND_COLOURS = ("#4c9a5b", "#e0a030", "#c8403a")
MODEL_BLUE = "#1f5fa8"


def chart_font() -> str | None:
    """The CJK font family the charts use, or None (labels then stay English).

    Examples
    --------
    >>> name = chart_font()
    >>> name is None or isinstance(name, str)
    True
    """
    from ..report import find_cjk_font

    return find_cjk_font()


def display_label(name: str) -> str:
    """Chinese label of a feature or domain name when a CJK font exists, else the name.

    Examples
    --------
    >>> display_label("score") in ("score", "风险评分")
    True
    """
    name = str(name)
    if chart_font() is None:
        return name
    if name == "score":
        return "风险评分"
    from ..schema import COLUMNS

    aliases = {c.name: c.alias for c in COLUMNS}
    return FEATURE_LABELS.get(name, DOMAIN_LABELS.get(name, aliases.get(name, name)))


def zh(chinese: str, english: str) -> str:
    """A title in Chinese when a CJK font exists, else in English."""
    return chinese if chart_font() is not None else english


@contextmanager
def style() -> Iterator[None]:
    """rcParams for one chart (font, plain minus sign); global state is untouched."""
    try:
        import matplotlib
    except ImportError as exc:
        raise MissingDependencyError(MSG_NO_MATPLOTLIB) from exc
    font = chart_font()
    rc = {
        "font.family": [font, "DejaVu Sans"] if font else ["DejaVu Sans"],
        "font.size": 10,
        "axes.unicode_minus": False,
        "axes.spines.top": False,
        "axes.spines.right": False,
    }
    with matplotlib.rc_context(rc):
        yield


def new_figure(width: float, height: float, **subplots: Any) -> tuple[Any, Any]:
    """A Figure on an Agg canvas (no pyplot) and its axes."""
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    fig = Figure(figsize=(width, height), dpi=100, layout="constrained")
    FigureCanvasAgg(fig)
    axes = fig.subplots(**subplots) if subplots else fig.add_subplot()
    return fig, axes
