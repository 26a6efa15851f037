"""The HTML report for bureau leadership: one self-contained file, Chinese and English.

:func:`build_report` returns the document, :func:`write_report` writes it
atomically; ``fanpin report`` is the command-line form. Charts draw Chinese with
the packaged Noto Sans CJK SC (:func:`find_cjk_font`, registered with matplotlib at
run time: no system font needed); without it they fall back to English-only labels
with a :class:`ChartFontWarning`.

The chart style (:class:`ChartStyle`: fonts, rcParams, colours, bilingual
labels, deterministic PNG bytes, the calibration chart) is the one every
fanpin chart uses, the notebooks' :mod:`fanpin.plotting` included. The report
needs matplotlib (``pip install 'fanpin[notebooks]'``); without it
:func:`build_report` raises :class:`~fanpin.exceptions.MissingDependencyError`
saying so.

Examples
--------
>>> ChartStyle("Noto Sans CJK SC").label("风险评分", "risk score")
'风险评分 / risk score'
>>> ChartStyle(None).label("风险评分", "risk score")  # no CJK font: English only
'risk score'
"""

from ._build import build_report, write_report
from ._data import ReportData, compute_report_data
from ._fonts import (
    MSG_NO_CJK_FONT,
    ChartFontWarning,
    cjk_font_path,
    find_cjk_font,
    register_cjk_font,
)
from ._style import (
    COLOURS,
    FOR_PLOTS,
    FOR_REPORT,
    MSG_NO_MATPLOTLIB,
    ChartStyle,
    chart_font,
    chart_style,
    display_label,
    draw_calibration,
    png_bytes,
    require_matplotlib,
)

__all__ = [
    "COLOURS",
    "FOR_PLOTS",
    "FOR_REPORT",
    "MSG_NO_CJK_FONT",
    "MSG_NO_MATPLOTLIB",
    "ChartFontWarning",
    "ChartStyle",
    "ReportData",
    "build_report",
    "chart_font",
    "chart_style",
    "cjk_font_path",
    "compute_report_data",
    "display_label",
    "draw_calibration",
    "find_cjk_font",
    "png_bytes",
    "register_cjk_font",
    "require_matplotlib",
    "write_report",
]
