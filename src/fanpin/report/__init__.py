"""The HTML report for bureau leadership: one self-contained file, Chinese and English.

:func:`build_report` returns the document, :func:`write_report` writes it
atomically; ``fanpin report`` is the command-line form. Charts draw Chinese with
the packaged Noto Sans CJK SC (:func:`find_cjk_font`, registered with matplotlib at
run time: no system font needed); without it they fall back to English-only labels
with a :class:`ChartFontWarning`.
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

__all__ = [
    "MSG_NO_CJK_FONT",
    "ChartFontWarning",
    "ReportData",
    "build_report",
    "cjk_font_path",
    "compute_report_data",
    "find_cjk_font",
    "register_cjk_font",
    "write_report",
]
