"""The HTML report for bureau leadership: one self-contained file, Chinese and English.

:func:`build_report` returns the document, :func:`write_report` writes it
atomically; ``fanpin report`` is the command-line form. Charts use a CJK font
found by :func:`find_cjk_font` (install one with ``scripts/install_fonts.sh``)
and fall back to English-only labels with a :class:`ChartFontWarning`.
"""

from ._build import build_report, write_report
from ._data import ReportData, compute_report_data
from ._fonts import MSG_NO_CJK_FONT, ChartFontWarning, find_cjk_font

__all__ = [
    "MSG_NO_CJK_FONT",
    "ChartFontWarning",
    "ReportData",
    "build_report",
    "compute_report_data",
    "find_cjk_font",
    "write_report",
]
