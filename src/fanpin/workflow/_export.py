"""Exports of an alerts run: CSV, Parquet, and per-township Excel workbooks.

Personal data (户主姓名, 联系电话) is never in the run's tables: it is joined from
the user's own file (:func:`read_pii`) only into the Excel workbooks, at the
moment they are written.
"""

from __future__ import annotations

import datetime
import logging
import os
import re
import warnings
from collections.abc import Callable, Iterator
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd
import xlsxwriter
from xlsxwriter.worksheet import Worksheet

from ..exceptions import FanpinWarning, InputError
from ..io import (
    FORMULA_START,
    PLACE_COLUMNS,
    atomic_path,
    clean_text,
    has_personal_numbers,
    read_table,
    safe_frame,
    warn_text_repairs,
    write_table,
)
from ..messages import N_, Message
from ._alerts import NO_TOWNSHIP
from ._upsert import CASE_CLOSED
from ._wrapped_text import text_lines

if TYPE_CHECKING:
    from ._run import AlertRun

__all__ = [
    "ALERT_OUTPUT_FILES",
    "CHECK_RESULTS",
    "EXCEL_HEADERS",
    "VERIFY_COLUMNS",
    "attach_cases",
    "column_widths",
    "print_scale",
    "text_lines",
    "read_pii",
    "workbook_name",
    "write_alert_files",
    "write_township_workbook",
    "write_workbooks",
]

ALERT_OUTPUT_FILES = (
    "alerts.csv", "alerts.parquet", "scored.*", "monitored.*", "exclusions.*",
    "summary.txt", "excel", ".fanpin-work-*", ".fanpin-alerts-*",
)  # fmt: skip
"""What an alerts output folder holds (glob patterns): an older folder with only
these may be replaced whole (:func:`fanpin.io.replace_directory`). The
``.fanpin-work-*`` folders are a killed run's work folders (``.fanpin-alerts-*``
of older versions)."""

logger = logging.getLogger(__name__)

EXCEL_HEADERS = {
    "rank": "序号", "household_id": "户编码", "head_name": "户主姓名",
    "phone": "联系电话", "village": "村", "case_id": "案件号", "case_state": "状态",
    "case_status": "新增/延续", "risk_level": "风险等级", "risk_score": "风险概率",
    "risk_names": "风险类型", "reasons": "风险原因",
    "measures": "建议帮扶措施（牵头部门）", "deadline": "核实截止日期",
    "overdue": "逾期", "check_result": "核查结果", "category": "认定类别",
    "check_date": "核查日期", "checker": "核查人", "note": "备注",
    # on screen only, right of the print area
    "what_if": "措施效果预估", "discovered": "发现日期", "source": "来源",
}  # fmt: skip
"""Columns of the township workbooks (in order) and their Chinese headers.

The sheet is printed from 序号 to 备注 (A4 landscape); 措施效果预估, 发现日期
and 来源 follow on screen, outside the print area. 村 is a column only on the
one list sheet of a township with very many villages (else the sheet is the
village). 建议帮扶措施 shows each measure with its lead department."""

SCREEN_ONLY = ("what_if", "discovered", "source")
"""Columns right of the print area (shown on screen, not printed)."""

VERIFY_COLUMNS = ("check_result", "category", "check_date", "checker", "note")
"""The columns a township fills in (read back by ``fanpin cases import``)."""

CHECK_RESULTS = ("属实-纳入监测", "不属实-排除", "待核查")
"""The values of 核查结果 (the drop-down)."""

OVERDUE = "已逾期"
"""逾期: an open case still to be verified (预警, 核查中) past its deadline."""

TITLE = "{county}{township} 防止返贫致贫监测预警核查表"
FOOTER_LEGEND = (
    "核查结果：属实-纳入监测（须填认定类别）/ 不属实-排除 / 待核查；"
    "已结案：已排除或风险消除且无新情况，无需再核查"
)
FONT_NAME = "Arial"
"""The workbook's font (Chinese text falls back to the reader's CJK font).
Column widths are counted in its digits, which Excel, WPS and LibreOffice
(Liberation Sans, the same metrics) measure alike; Calibri, the usual default,
is missing from many Linux clients, whose substitute makes every column wider."""
FONT_SIZE = 9
"""Body text (points); the title is 14 pt. The printed columns fit the width of
A4 landscape at 100 % (风险原因 takes the width left), so print is 9 pt."""

# column widths (Excel character units: a digit of Arial 10, 7 pixels)
_WIDTHS = {
    "rank": 3, "household_id": 8.5, "head_name": 6, "phone": 10.5, "village": 10,
    "case_id": 4.5, "case_state": 6, "case_status": 5.2, "risk_level": 4.2,
    "risk_score": 5.2, "risk_names": 7.5, "measures": 14, "deadline": 9.3,
    "overdue": 6, "check_result": 8.5, "category": 7.5, "check_date": 9.3,
    "checker": 5.5, "note": 7, "what_if": 30, "discovered": 9.3, "source": 8,
}  # fmt: skip
_HEADER_LINES = {
    "rank": "序\n号", "case_id": "案件\n号", "case_status": "新增/\n延续",
    "risk_level": "风险\n等级", "risk_score": "风险\n概率",
    "measures": "建议帮扶措施\n（牵头部门）", "deadline": "核实\n截止日期",
    "check_date": "核查\n日期", "category": "认定\n类别",
}  # fmt: skip
"""Headers as printed, broken where a narrow column needs it (the import reads
them without the line breaks)."""
_WRAPPED = ("reasons", "risk_names", "measures", "what_if", "village", "household_id",
            "category", "check_result")  # fmt: skip
MIN_REASONS_WIDTH = 18
PAGE_WIDTH_PX = 1010
"""Printable width of A4 landscape (11.69 in less 0.2 in margins each side) in
the pixels LibreOffice counts a column in (7.45 per width unit; Excel counts 7,
so there the sheet fills 94 % of the width): a column of width w takes about
7w + 5 of these."""
_LINE_PT = 12.0  # a line of FONT_SIZE text, CJK fonts' line heights included
_PAD_PT = 4
MAX_ROW_PT = 409  # Excel's tallest row
_PII_NAMES = {"head_name": ("head_name", "户主姓名"), "phone": ("phone", "联系电话")}
_BAD_SHEET = re.compile(r"[\[\]:*?/\\\x00-\x1f]")
_BAD_FILE = re.compile(r'[<>:"/\\|?*\x00-\x1f\x7f]')
_RESERVED = re.compile(
    r"(?i)^(con|prn|aux|nul|conin\$|conout\$|com[0-9¹²³]|lpt[0-9¹²³])(\..*)?$"
)

MAX_VILLAGE_SHEETS = 200
"""A township with more villages gets one list sheet (全部村) instead of a sheet
per village: a workbook of thousands of sheets cannot be opened or printed."""
MAX_SHEET_ROWS = 1_000_000
"""Rows per sheet at most (Excel's limit is 1,048,576)."""
MAX_NAME_BYTES = 180
"""Longest workbook file stem (UTF-8 bytes): file systems allow 255 bytes, and
the temporary file beside it needs the rest."""
ALL_VILLAGES = "全部村"
NO_VILLAGE = "(未填村)"
NO_NAME = "未填乡镇"
HEADER_ROW = 1
"""0-based row of the column headers (row 0 is the title)."""

MSG_MANY_VILLAGES = N_(
    "Workbook {file}: {n:,} villages, more than the {cap} sheets a workbook holds "
    "(one per village); the township's list is on one sheet ({sheet}), sorted by "
    "village."
)
MSG_PII_NO_ID = N_(
    "The personal-data file {name!r} needs a household_id (户编码) column to join "
    "on; its columns are not shown here on purpose."
)


def read_pii(path: str | Path) -> pd.DataFrame:
    """Read the user's personal-data file: household_id (户编码) + name / phone.

    Only ``household_id``, ``head_name`` and ``phone`` are kept (English or
    Chinese headers); nothing else of the file is read into fanpin.
    """
    raw = read_table(path)
    cols = {str(c).strip(): c for c in raw.columns}
    hid = cols.get("household_id", cols.get("户编码"))
    if hid is None:
        raise InputError(Message(MSG_PII_NO_ID, name=Path(path).name))
    out = pd.DataFrame({"household_id": raw[hid].astype("string").str.strip()})
    for name, aliases in _PII_NAMES.items():
        src = next((cols[a] for a in aliases if a in cols), None)
        if src is not None:
            out[name] = raw[src].astype("string")
    return out.drop_duplicates("household_id")


def _sheet_title(name: str, used: set[str]) -> str:
    base = _BAD_SHEET.sub("_", name).strip("'") or "村"
    title, k = base[:31], 2
    while title.casefold() in used:
        suffix = f"_{k}"
        title, k = base[: 31 - len(suffix)] + suffix, k + 1
    used.add(title.casefold())
    return title


def workbook_name(stem: str, used: set[str] | None = None) -> str:
    """A safe, visible workbook file name for a township: ``<stem>.xlsx``.

    Characters no file system allows become ``_``; leading and trailing dots and
    spaces go (no hidden file, nothing Windows drops); Windows' reserved names
    (``CON``, ``NUL``, ``COM1`` ...) get a ``_``; the stem is cut to
    :data:`MAX_NAME_BYTES`; a name already in ``used`` gets ``_2``, ``_3`` ...

    Examples
    --------
    >>> [workbook_name(s) for s in ("乙镇", "..", "CON", "a/b", "镇" * 300)][:4]
    ['乙镇.xlsx', '未填乡镇.xlsx', 'CON_.xlsx', 'a_b.xlsx']
    >>> len(workbook_name("镇" * 300).encode())
    185
    """
    base = _BAD_FILE.sub("_", clean_text(str(stem))).strip(" .") or NO_NAME
    if _RESERVED.match(base):
        base += "_"
    base = _cut(base, MAX_NAME_BYTES)
    name, k = base, 2
    while used is not None and name.casefold() in used:
        suffix = f"_{k}"
        name, k = _cut(base, MAX_NAME_BYTES - len(suffix)) + suffix, k + 1
    if used is not None:
        used.add(name.casefold())
    return f"{name}.xlsx"


def _cut(text: str, limit: int) -> str:
    data = text.encode("utf-8")
    if len(data) <= limit:
        return text
    return data[:limit].decode("utf-8", "ignore").rstrip(" .")


def column_widths(cols: list[str]) -> dict[str, float]:
    """Width (Excel units) of each column; 风险原因 takes the page width left.

    The printed columns (all but :data:`SCREEN_ONLY`) fill the printable width
    of A4 landscape (:data:`PAGE_WIDTH_PX`), so the sheet prints at 100 %
    unless the fixed columns alone are wider (personal-data columns on a list
    sheet); 风险原因 is never narrower than :data:`MIN_REASONS_WIDTH`.

    Examples
    --------
    >>> w = column_widths(["rank", "household_id", "reasons", "what_if"])
    >>> w["reasons"] > 100, w["what_if"]
    (True, 30)
    """
    widths = {c: _WIDTHS.get(c, 12) for c in cols if c != "reasons"}
    if "reasons" in cols:
        printed = [c for c in cols if c not in SCREEN_ONLY]
        fixed = sum(7 * widths[c] + 5 for c in printed if c != "reasons")
        widths["reasons"] = max(MIN_REASONS_WIDTH, (PAGE_WIDTH_PX - fixed - 5) / 7)
    return widths


def print_scale(widths: dict[str, float]) -> float:
    """The scale a fit-to-width print of the printed columns comes out at (1.0:
    100 %, never above)."""
    px = sum(7 * w + 5 for c, w in widths.items() if c not in SCREEN_ONLY)
    return min(1.0, PAGE_WIDTH_PX / px) if px else 1.0


# -- values as the sheet shows them --------------------------------------------
def _listed(value: object, sep: str = "、") -> object:
    if value is None or (not isinstance(value, str) and pd.isna(value)):
        return value
    parts = str(value).replace("；", ";").split(";")
    return sep.join([q for q in map(str.strip, parts) if q])


def _split_list(text: str) -> list[str]:
    """``text`` split at ``;``, ``；`` and ``、``."""
    return text.replace("；", ";").replace("、", ";").split(";")


def _measure_lines(measures: object, departments: object) -> object:
    """'健康帮扶;综合保障' + '医保;民政' -> '健康帮扶(医保)\\n综合保障(民政)'."""
    if measures is None or (not isinstance(measures, str) and pd.isna(measures)):
        return measures
    ms = [m for m in map(str.strip, _split_list(str(measures))) if m]
    ds: list[str] = []
    if isinstance(departments, str):
        ds = [d.strip() for d in _split_list(departments)]
    lines = [
        f"{m}({ds[i]})" if i < len(ds) and ds[i] else m for i, m in enumerate(ms)
    ]
    return "\n".join(lines)


def _overdue(df: pd.DataFrame, as_of: pd.Timestamp | None) -> pd.Series:
    """已逾期 for rows still to be verified past their deadline at ``as_of``."""
    return pd.Series(_overdue_values(df, as_of), index=df.index, dtype=object)


def _overdue_values(df: pd.DataFrame, as_of: pd.Timestamp | None) -> np.ndarray:
    if "overdue" in df:
        flag = df["overdue"]
        if flag.dtype == bool or str(flag.dtype) == "boolean":
            shown = np.where(flag.fillna(False).to_numpy(dtype=bool), OVERDUE, "")
            return shown.astype(object)
        return flag.astype(object).to_numpy(dtype=object)
    out = np.full(len(df), "", dtype=object)
    if as_of is None or "deadline" not in df:
        return out
    deadline = df["deadline"]
    day = as_of.normalize()
    if deadline.dtype.kind == "M" and deadline.dt.tz is None and day.tzinfo is None:
        # before the day's midnight: its date is before the day (NaT is not)
        due = deadline.to_numpy() < day.to_datetime64()
    else:
        dates = pd.to_datetime(deadline, errors="coerce")
        due = (dates.dt.normalize() < day).fillna(False).to_numpy(dtype=bool)
    if "case_state" in df:
        due &= df["case_state"].isin(("预警", "核查中")).to_numpy(dtype=bool)
    out[due] = OVERDUE
    return out


def sheet_rows(rows: pd.DataFrame, as_of: pd.Timestamp | None) -> pd.DataFrame:
    """The alert rows as the workbook shows them: each reason on a line, risk
    names joined with 、, each measure with its lead department, the overdue
    flag, and blank columns for the township to fill (:data:`VERIFY_COLUMNS`)."""
    df = rows.reset_index(drop=True).copy()
    if "reasons" in df:
        df["reasons"] = df["reasons"].map(_reasons_listed)
    if "risk_names" in df:
        df["risk_names"] = df["risk_names"].map(_listed)
    if "measures" in df:
        df["measures"] = _measures_shown(df)
    if "deadline" in df or "overdue" in df:
        df["overdue"] = _overdue(df, as_of)
    for c in VERIFY_COLUMNS:
        if c not in df:
            df[c] = None
    return df


def _reasons_listed(value: object) -> object:
    return _listed(value, "\n")


def _measures_shown(df: pd.DataFrame) -> list:
    measures = df["measures"].to_numpy(dtype=object)
    depts = (
        df["departments"].to_numpy(dtype=object)
        if "departments" in df
        else [None] * len(df)
    )
    shown: dict[tuple, object] = {}  # the same measures recur
    out = []
    for m, d in zip(measures, depts, strict=True):
        if isinstance(m, str) and (d is None or isinstance(d, str)):
            line = shown.get((m, d))
            if line is None:
                line = shown[m, d] = _measure_lines(m, d)
            out.append(line)
        else:
            out.append(_measure_lines(m, d))
    return out


def _sheet_values(
    rows: pd.DataFrame, as_of: pd.Timestamp | None, columns: set[str]
) -> dict[str, np.ndarray]:
    """The ``columns`` of :func:`sheet_rows` (those it has), as arrays of
    objects, without building its frame; in its order of columns."""
    out: dict[str, np.ndarray] = {}
    for c in rows.columns:
        if c not in columns:
            continue
        if c == "reasons":
            out[c] = _objects(map(_reasons_listed, rows[c].to_numpy(dtype=object)))
        elif c == "risk_names":
            out[c] = _objects(map(_listed, rows[c].to_numpy(dtype=object)))
        elif c == "measures":
            out[c] = _objects(_measures_shown(rows))
        elif c != "overdue":
            out[c] = rows[c].to_numpy(dtype=object)
    if "deadline" in rows or "overdue" in rows:
        out["overdue"] = _overdue_values(rows, as_of)
    for c in VERIFY_COLUMNS:
        if c not in out:
            out[c] = np.full(len(rows), None, dtype=object)
    return {c: out[c] for c in (*rows.columns, "overdue", *VERIFY_COLUMNS) if c in out}


def _objects(values: Iterator[object] | list) -> np.ndarray:
    """A 1-d array of the objects ``values``."""
    return np.fromiter(values, dtype=object)


# -- the workbook ----------------------------------------------------------------
class _Formats:
    """The workbook's cell formats (XlsxWriter makes them per workbook)."""

    def __init__(self, wb: xlsxwriter.Workbook) -> None:
        self._wb = wb
        self._made: dict[tuple, object] = {}
        #: (column, value or None, quoted) -> format, for ``_cell_format``
        self.cells: dict[tuple, object] = {}
        base = {"font_size": FONT_SIZE, "valign": "top", "border": 1}
        # the title and headers: bold, larger; the body: FONT_SIZE
        self.title = wb.add_format({"bold": True, "font_size": 14, "valign": "vcenter"})
        self.header = wb.add_format(
            {**base, "bold": True, "text_wrap": True, "align": "center",
             "valign": "vcenter", "bg_color": "#D9D9D9"}
        )  # fmt: skip
        self._base = base

    def get(self, **props: object) -> object:
        """The format of ``props`` over the body base (made once)."""
        key = tuple(sorted(props.items()))
        if key not in self._made:
            self._made[key] = self._wb.add_format({**self._base, **props})
        return self._made[key]


_CENTRED = (
    "rank", "case_id", "case_state", "case_status", "risk_level", "risk_score",
    "overdue", "deadline", "discovered", "check_date",
)  # fmt: skip
_INPUT_FILL = "#FFF7D6"
_ALERT_RED = "#C00000"


_VALUE_STYLED = frozenset(("overdue", "risk_level", "case_status"))
"""Columns whose cells' format depends on their value."""


def _cell_format(fmt: _Formats, col: str, value: object, *, quoted: bool = False):  # noqa: ANN202
    key = (col, value if col in _VALUE_STYLED else None, quoted)
    try:
        return fmt.cells[key]
    except (KeyError, TypeError):  # first use (or a value that cannot be a key)
        pass
    made = _make_cell_format(fmt, col, value, quoted=quoted)
    try:
        fmt.cells[key] = made
    except TypeError:
        pass
    return made


def _make_cell_format(fmt: _Formats, col: str, value: object, *, quoted: bool):  # noqa: ANN202
    props: dict[str, object] = {"text_wrap": True}
    if col in _CENTRED:
        props["align"] = "center"
    if col in VERIFY_COLUMNS:
        props["bg_color"] = _INPUT_FILL
    if col in ("deadline", "discovered", "check_date"):
        props["num_format"] = "yyyy-mm-dd"
    elif col == "risk_score":
        props["num_format"] = "0.0%"
    elif col in ("rank", "case_id"):
        props["num_format"] = "0"
    if (col == "overdue" and value == OVERDUE) or (
        col == "risk_level" and value == "紧急"
    ):
        props.update(bold=True, font_color=_ALERT_RED)
    elif col == "risk_level" and value == "高":
        props["bold"] = True
    elif col == "case_status" and value == CASE_CLOSED:
        props["font_color"] = "#595959"
    if quoted:
        props["quote_prefix"] = True
    return fmt.get(**props)


def _title(
    table: _Table, rows: np.ndarray, village: str, as_of: pd.Timestamp | None
) -> str:
    county, township = table.first("county", rows), table.first("township", rows)
    text = TITLE.format(county=f"{county} " if county else "", township=township)
    parts = [text.strip()]
    if village and village != ALL_VILLAGES:
        parts.append(f"村：{village}")
    if as_of is not None:
        parts.append(f"截至 {as_of:%Y-%m-%d}")
    parts.append(f"共 {len(rows)} 户")
    return "　".join(parts)


def _hf(text: str) -> str:
    """Text safe inside an Excel page header or footer (``&`` is a code there)."""
    return clean_text(text).replace("&", "&&")


def _write_sheet(ws, table, rows, cols, fmt, *, title, first_date) -> None:  # noqa: ANN001, PLR0913
    """One sheet: the township's ``rows`` (positions in ``table``), ``cols``."""
    widths = column_widths(cols)
    printed = [c for c in cols if c not in SCREEN_ONLY]
    last_row = HEADER_ROW + len(rows)
    ws.set_landscape()
    ws.set_paper(9)  # A4
    ws.fit_to_pages(1, 0)  # the page width; rows flow onto further pages
    ws.set_margins(left=0.2, right=0.2, top=0.4, bottom=0.55)
    ws.set_footer(
        f"&L&8{_hf(FOOTER_LEGEND)}&R&9第 &P 页，共 &N 页", {"margin": 0.25}
    )
    ws.repeat_rows(0, HEADER_ROW)
    ws.print_area(0, 0, last_row, max(len(printed) - 1, 0))
    ws.freeze_panes(HEADER_ROW + 1, 2)
    for j, c in enumerate(cols):
        ws.set_column(j, j, widths[c])
    ws.set_row(0, 24)
    if len(printed) > 1:
        ws.merge_range(0, 0, 0, len(printed) - 1, title, fmt.title)
    else:
        ws.write_string(0, 0, title, fmt.title)
    heads = [_HEADER_LINES.get(c, EXCEL_HEADERS[c]) for c in cols]
    lines = max(text_lines(h, widths[c]) for c, h in zip(cols, heads, strict=True))
    ws.set_row(HEADER_ROW, lines * _LINE_PT + _PAD_PT)
    for j, h in enumerate(heads):
        ws.write_string(HEADER_ROW, j, h, fmt.header)
    heights = table.heights(cols, widths)
    cells = [table.cells(c, fmt) for c in cols]
    set_row = ws.set_row
    for row, i in enumerate(rows.tolist(), start=HEADER_ROW + 1):
        set_row(row, heights[i])
        for j, column in enumerate(cells):
            write, value, cell_format = column[i]
            write(ws, row, j, value, cell_format)
    if len(rows):
        _validations(ws, cols, HEADER_ROW + 1, last_row, first_date)


class _Table:
    """A township's rows as the sheets write them, column by column: the values
    (objects), which are missing, and, made once for all its sheets, how each
    cell is written and each row's height."""

    def __init__(self, columns: dict[str, np.ndarray], n: int) -> None:
        self._arrays = columns
        self.n = n
        self._values: dict[str, list] = {}
        self._missing: dict[str, list[bool]] = {}
        self._cells: dict[str, list[tuple]] = {}
        self._heights: dict[tuple, list[float]] = {}

    def values(self, col: str) -> list:
        if col not in self._values:
            arr = self._arrays[col]
            self._values[col] = arr.tolist()
            self._missing[col] = pd.isna(arr).tolist()
        return self._values[col]

    def first(self, col: str, rows: np.ndarray) -> str:
        """The first value of ``col`` in ``rows`` that is not missing, as text."""
        if col not in self._arrays:
            return ""
        values, missing = self.values(col), self._missing[col]
        for i in rows.tolist():
            if not missing[i]:
                return str(values[i])
        return ""

    def heights(self, cols: list[str], widths: dict[str, float]) -> list[float]:
        """Each row's height: tall enough for its longest wrapped cell."""
        key = tuple(cols)
        if key not in self._heights:
            most = [1] * self.n
            for c in cols:
                if c not in _WRAPPED:
                    continue
                w = widths[c]
                for i, v in enumerate(self.values(c)):
                    if isinstance(v, str) and v:
                        k = text_lines(v, w)
                        if k > most[i]:
                            most[i] = k
            self._heights[key] = [min(MAX_ROW_PT, k * _LINE_PT + _PAD_PT) for k in most]
        return self._heights[key]

    def cells(self, col: str, fmt: _Formats) -> list[tuple]:
        """How each cell of ``col`` is written: (method, value, format)."""
        if col not in self._cells:
            self._cells[col] = _column_cells(
                fmt, col, self.values(col), self._missing[col]
            )
        return self._cells[col]


def _column_cells(
    fmt: _Formats, col: str, values: list, missing: list[bool]
) -> list[tuple]:
    """(method, value, format) of each cell of a column: blank when missing,
    text as text (with Excel's quote prefix when it looks like a formula),
    booleans, numbers and dates as such, anything else as its text. The
    format depends on the column, and for :data:`_VALUE_STYLED` columns on the
    value; a format is made when a cell first needs it."""
    styled = col in _VALUE_STYLED
    out: list[tuple] = []
    known: dict[object, tuple] = {}
    blank = plain = None
    for v, na in zip(values, missing, strict=True):
        if na:
            if blank is None:
                blank = (_BLANK, None, _cell_format(fmt, col, None))
            out.append(blank)
        elif type(v) is str and not styled:
            if not v.startswith(FORMULA_START):
                if plain is None:
                    plain = _cell_format(fmt, col, None)
                out.append((_STRING, v, plain))
            else:
                out.append((_STRING, v, _cell_format(fmt, col, v, quoted=True)))
        elif type(v) is str or (type(v) is pd.Timestamp and v.tzinfo is None):
            # recurring values: a risk level, a date (equal ones written alike)
            cell = known.get(v)
            if cell is None:
                cell = known[v] = _cell(fmt, col, v)
            out.append(cell)
        else:
            out.append(_cell(fmt, col, v))
    return out


_BLANK = Worksheet.write_blank
_STRING = Worksheet.write_string


def _cell(fmt: _Formats, col: str, v: object) -> tuple:
    """(method, value, format) of one cell that is not missing."""
    if isinstance(v, str):
        quoted = v.startswith(FORMULA_START)
        return _STRING, v, _cell_format(fmt, col, v, quoted=quoted)
    if isinstance(v, (bool, np.bool_)):
        return Worksheet.write_boolean, bool(v), _cell_format(fmt, col, v)
    if isinstance(v, (int, float, np.integer, np.floating)):
        num = v.item() if hasattr(v, "item") else v
        return Worksheet.write_number, num, _cell_format(fmt, col, v)
    if isinstance(v, (pd.Timestamp, datetime.date)):
        day = pd.Timestamp(v).to_pydatetime().replace(tzinfo=None)
        return Worksheet.write_datetime, day, _cell_format(fmt, col, v)
    return _STRING, str(v), _cell_format(fmt, col, v)


def _validations(ws, cols, first, last, first_date) -> None:  # noqa: ANN001
    """Drop-downs for 核查结果 and 认定类别, a date for 核查日期, lengths the case
    store holds for 核查人 and 备注."""
    from ._case_values import MAX_NOTE
    from ._states import CATEGORIES
    from ._tables import LIMITS

    rules = {
        "check_result": {
            "validate": "list", "source": list(CHECK_RESULTS),
            "input_title": "核查结果", "input_message": "从下拉列表选择",
            "error_title": "核查结果", "error_message": "请从下拉列表中选择："
            + " / ".join(CHECK_RESULTS),
        },
        "category": {
            "validate": "list", "source": list(CATEGORIES),
            "input_title": "认定类别", "input_message": "核查属实时选择监测对象类别",
            "error_title": "认定类别", "error_message": "请从下拉列表中选择："
            + " / ".join(CATEGORIES),
        },
        "check_date": {
            "validate": "date", "criteria": ">=", "value": first_date,
            "input_title": "核查日期", "input_message": "如 2026-07-03",
            "error_title": "核查日期",
            "error_message": f"请填写日期，如 2026-07-03，不早于 {first_date:%Y-%m-%d}",
        },
        "checker": {
            "validate": "length", "criteria": "<=", "value": LIMITS["actor"],
            "input_title": "核查人", "input_message": "姓名或岗位，勿填电话、身份证号",
            "error_title": "核查人",
            "error_message": f"核查人最多 {LIMITS['actor']} 个字",
        },
        "note": {
            "validate": "length", "criteria": "<=", "value": MAX_NOTE,
            "error_title": "备注", "error_message": f"备注最多 {MAX_NOTE} 个字",
        },
    }  # fmt: skip
    for j, c in enumerate(cols):
        if c in rules:
            ws.data_validation(first, j, last, j, rules[c])


def write_township_workbook(
    rows: pd.DataFrame,
    path: str | Path,
    *,
    columns: list[str] | None = None,
    as_of: date | pd.Timestamp | None = None,
) -> Path:
    """Write one township's alert rows as one workbook for verification, atomically.

    One sheet per village (sorted by name; rows in the order given), or one
    list sheet when the township has more than :data:`MAX_VILLAGE_SHEETS`
    villages. Each sheet: a title (township, village, as-of date, households)
    and bold column headers, both repeated on every printed page; per household
    its case id, state, 新增/延续, risk level and probability (as a percentage),
    risk types, reasons (one a line, wrapped, rows tall enough to show them
    whole), measures with their lead departments, deadline and 已逾期, then the
    columns the township fills: 核查结果 and 认定类别 (drop-downs), 核查日期
    (a date), 核查人 and 备注 (Excel data validation). Printed on A4
    landscape fitted to the page width only (rows flow onto further pages),
    page numbers in the footer, 10 pt text at 100 % (风险原因 takes the width
    left: :func:`column_widths`).

    Every text cell is a string (never a formula; one that looks like a formula
    is shown with Excel's quote prefix), numbers stay numbers. Control
    characters are removed (a warning names the column); ID- and phone-like
    numbers in place names are masked. Written in XlsxWriter's constant-memory
    mode; the same rows give the same bytes (the document's date is the as-of
    date, else the list's discovery date).

    Parameters
    ----------
    rows : DataFrame
        The township's rows (alert columns, the case columns of
        :meth:`CaseStore.listing` and head_name / phone with ``--pii``).
    path : str or Path
        The workbook to write (``.xlsx``).
    columns : list of str, optional
        Columns to write, in order (default: those of :data:`EXCEL_HEADERS` that
        ``rows`` has, and always :data:`VERIFY_COLUMNS`).
    as_of : date, optional
        The run date (title; 已逾期 when ``rows`` has no ``overdue``); default
        the list's latest discovery date.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> rows = pd.DataFrame({"household_id": ["01", "02"], "village": ["甲村", "乙村"],
    ...                      "risk_score": [0.4, 0.2]})
    >>> p = write_township_workbook(rows, pathlib.Path(tempfile.mkdtemp()) / "镇.xlsx")
    >>> from openpyxl import load_workbook
    >>> wb = load_workbook(p)
    >>> wb.sheetnames, [c.value.replace("\\n", "") for c in wb["甲村"][2]][:3]
    (['乙村', '甲村'], ['户编码', '风险概率', '核查结果'])
    """
    p = Path(path)
    when = _list_date(rows) if as_of is None else pd.Timestamp(as_of).normalize()
    wanted = {*EXCEL_HEADERS, *(columns or ()), "departments", "county", "township"}
    data = _sheet_values(rows, when, wanted)
    cols = columns or [c for c in EXCEL_HEADERS if c in data and c != "village"]
    keep = [*cols, *(["village"] if "village" not in cols else [])]
    shown = [c for c in keep if c in data]
    discovered = rows["discovered"] if "discovered" in rows else None
    if _may_need_repair(data, shown):  # the columns shown made safe
        df = sheet_rows(rows, when)
        named, repairs = safe_frame(
            df[shown].rename(columns=EXCEL_HEADERS), formulas=False
        )
        warn_text_repairs(p, repairs)
        for c, (_, col) in zip(shown, named.items(), strict=True):
            data[c] = col.to_numpy(dtype=object)
            if c == "discovered":
                discovered = col
    table = _Table(data, len(rows))
    village = (
        pd.Series(data["village"], dtype=object)
        .astype("string")
        .fillna(NO_VILLAGE)
        .to_numpy(dtype=object)
        if "village" in data
        else np.full(len(rows), NO_VILLAGE, dtype=object)
    )
    names, codes = np.unique(village, return_inverse=True)
    n_villages = len(names)
    if n_villages <= MAX_VILLAGE_SHEETS:  # one sheet per village, by name
        order = np.argsort(codes, kind="stable")
        starts = np.searchsorted(codes[order], np.arange(n_villages + 1))
        groups = [
            (names[k], order[starts[k] : starts[k + 1]]) for k in range(n_villages)
        ]
        sheet_cols = [c for c in cols if c != "village"]
    else:
        warnings.warn(
            Message(
                MSG_MANY_VILLAGES,
                file=p.name,
                n=n_villages,
                cap=MAX_VILLAGE_SHEETS,
                sheet=ALL_VILLAGES,
            ),
            FanpinWarning,
            stacklevel=2,
        )
        order = np.argsort(village, kind="stable")
        starts = range(0, max(len(order), 1), MAX_SHEET_ROWS)
        groups = [(ALL_VILLAGES, order[s : s + MAX_SHEET_ROWS]) for s in starts]
        sheet_cols = list(cols)
        if "village" in data and "village" not in sheet_cols:
            at = sheet_cols.index("household_id") + 1 if "household_id" in cols else 0
            sheet_cols.insert(at, "village")
    stamp = _stamp(discovered, when)
    first_date = _first_date(discovered, stamp)
    with atomic_path(p) as tmp:
        wb = xlsxwriter.Workbook(
            str(tmp),
            {
                "constant_memory": True,
                "strings_to_numbers": False,
                "strings_to_formulas": False,
                "strings_to_urls": False,
                "tmpdir": str(tmp.parent),
                # Arial 10 as the workbook's font: column widths are counted in
                # its digits, which Excel, WPS and LibreOffice (Liberation Sans,
                # the same metrics) measure alike; Calibri is missing from many
                # Linux clients, whose substitute makes every column wider.
                "default_format_properties": {
                    "font_name": FONT_NAME,
                    "font_size": 10,  # the unit of column widths: 7 pixels
                    "font_scheme": False,
                },
            },
        )
        wb.set_properties({"created": stamp})
        fmt = _Formats(wb)
        used: set[str] = set()
        for name, rows_at in groups:
            ws = wb.add_worksheet(_sheet_title(str(name), used))
            title = _title(table, rows_at, str(name), when)
            _write_sheet(
                ws, table, rows_at, sheet_cols, fmt, title=title, first_date=first_date
            )
        wb.close()
    return p


def _may_need_repair(columns: dict[str, np.ndarray], shown: list[str]) -> bool:
    """Whether :func:`~fanpin.io.safe_frame` could change a text cell of the
    ``shown`` columns: a control character in any, an ID- or phone-like number
    in a place column. Most townships have neither, and skip it (what it
    returns for them is what they hold)."""
    text: list[str] = []
    places: list[str] = []
    for c in shown:
        values = [v for v in columns[c].tolist() if isinstance(v, str)]
        text += values
        if EXCEL_HEADERS.get(c, c) in PLACE_COLUMNS:
            places += values
    joined = "\n".join(text)  # a newline is kept, and ends a number
    return clean_text(joined) != joined or has_personal_numbers("\n".join(places))


def _list_date(rows: pd.DataFrame) -> pd.Timestamp | None:
    """The list's date when no as-of date is given: its latest discovery date."""
    if "discovered" not in rows:
        return None
    day = _dates(rows["discovered"]).max()
    return None if pd.isna(day) else day.normalize()


def _dates(values: pd.Series) -> pd.Series:
    """``values`` as dates (those that are not, missing)."""
    if values.dtype.kind == "M":  # dates already (with a time zone or not)
        return values
    return pd.to_datetime(values, errors="coerce")


def _stamp(
    discovered: pd.Series | None, as_of: pd.Timestamp | None
) -> datetime.datetime:
    """The workbook's only timestamp (reproducible): the as-of date, else the
    list's discovery date."""
    if as_of is not None:
        return as_of.to_pydatetime()
    if discovered is None:
        return datetime.datetime(1980, 1, 1)
    day = _dates(discovered).max()
    return datetime.datetime(1980, 1, 1) if pd.isna(day) else day.to_pydatetime()


def _first_date(
    discovered: pd.Series | None, stamp: datetime.datetime
) -> datetime.date:
    """The earliest 核查日期 the sheet accepts: its earliest discovery date."""
    if discovered is not None:
        day = _dates(discovered).min()
        if not pd.isna(day):
            return day.date()
    return min(stamp.date(), datetime.date(2000, 1, 1))


_Task = tuple[pd.DataFrame, Path, list[str], "date | pd.Timestamp | None"]
PROCESS_MIN_ROWS = 20_000
"""Fewer listed rows than this are written in this process: a worker process
costs a few CPU seconds to start (it imports fanpin.workflow: about 220 MB)
and a row about 0.5 ms, so processes pay off on long lists only (measured on
the 1M bench list, quiet machine: 37,580 rows in 20.2 s in this process
against 15.8 s on two; 18,500 rows 9.2 against 7.7 s)."""
IN_FLIGHT = 4
"""Townships sent ahead to each worker process (memory holds only these)."""


def _write_one(task: _Task) -> tuple[Path, list[tuple[str, type[Warning]]]]:
    """Write one township's workbook; its warnings, to give in the caller."""
    rows, path, cols, as_of = task
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        write_township_workbook(rows, path, columns=cols, as_of=as_of)
    return path, [(w.message, w.category) for w in caught]


def _write_all(tasks: Iterator[_Task], n: int) -> Iterator[Path]:
    """Write the workbooks, in order: here (``n`` 1), or on ``n`` worker
    processes (joblib's loky: fresh interpreters that never run the caller's
    main module; each workbook is written by the same code from the same rows,
    so the bytes are those of one process), a few townships in flight per
    process. Warnings are given here, in the workbooks' order."""
    if n <= 1:
        for rows, path, cols, as_of in tasks:
            yield write_township_workbook(rows, path, columns=cols, as_of=as_of)
        return
    from joblib import Parallel, delayed

    run = Parallel(
        n_jobs=n, backend="loky", return_as="generator", batch_size=1,
        pre_dispatch=f"{IN_FLIGHT}*n_jobs",
    )  # fmt: skip
    for result in run(delayed(_write_one)(task) for task in tasks):
        yield _given(result)


def _given(result: tuple[Path, list[tuple[str, type[Warning]]]]) -> Path:
    path, caught = result
    for message, category in caught:
        warnings.warn(message, category, stacklevel=4)
    return path


def write_workbooks(
    alerts: pd.DataFrame,
    directory: str | Path,
    *,
    pii: pd.DataFrame | None = None,
    as_of: date | pd.Timestamp | None = None,
    progress: Callable[[int, int], None] | None = None,
    workers: int | None = 1,
) -> list[Path]:
    """One workbook per township (``<township>.xlsx``), one sheet per village.

    Each is the township's verification sheet (:func:`write_township_workbook`):
    ready to print on A4 for home visits, and to fill and read back with
    ``fanpin cases import``. With a case store, pass the alerts with the case
    columns (:func:`attach_cases`): case id, state, 新增/延续 and the store's
    deadline and 已逾期. ``pii`` (from :func:`read_pii`) adds 户主姓名 / 联系电话
    to these workbooks only. A township name met in several counties gets
    ``<county>_<township>``. ``progress(done, total)`` is called after each
    workbook. ``workers``: processes writing workbooks at once (None: one per
    core; the same bytes as one).

    Examples
    --------
    >>> import tempfile
    >>> a = pd.DataFrame({"household_id": ["1"], "county": ["甲县"],
    ...     "township": ["乙镇"], "village": ["丙村"], "rank": [1]})
    >>> [p.name for p in write_workbooks(a, tempfile.mkdtemp())]
    ['乙镇.xlsx']
    """
    d = Path(directory)
    df = alerts  # read only (each township's rows are taken from it)
    if pii is not None:
        df = df.merge(pii, on="household_id", how="left")
    if "rank" in df:  # each township's rows by rank (ties as given)
        df = df.sort_values("rank", kind="stable")
    cols = [c for c in EXCEL_HEADERS if c != "village" and (
        c in df.columns or c in VERIFY_COLUMNS or (c == "overdue" and "deadline" in df)
    )]  # fmt: skip
    town = (
        df["township"].astype("string").fillna(NO_TOWNSHIP)
        if "township" in df
        else pd.Series(NO_TOWNSHIP, index=df.index, dtype="string")
    )
    county = (
        df["county"].astype("string").fillna("")
        if "county" in df
        else pd.Series("", index=df.index, dtype="string")
    )
    counties_per_town = county.groupby(town.to_numpy()).nunique()
    paths: list[Path] = []
    used: set[str] = set()
    groups = df.groupby([county.to_numpy(), town.to_numpy()], sort=True)

    def tasks() -> Iterator[_Task]:  # one township at a time
        for (cty, t), part in groups:
            stem = t if counties_per_town[t] <= 1 else f"{cty}_{t}"
            yield part, d / workbook_name(str(stem), used), cols, as_of

    n = min(workers or os.cpu_count() or 1, groups.ngroups)
    if len(df) < PROCESS_MIN_ROWS:
        n = 1
    if progress is not None:
        progress(0, groups.ngroups)
    for path in _write_all(tasks(), n):
        paths.append(path)
        if progress is not None:
            progress(len(paths), groups.ngroups)
    logger.info("wrote %d township workbooks", len(paths))
    return paths


def attach_cases(alerts: pd.DataFrame, cases: pd.DataFrame) -> pd.DataFrame:
    """``alerts`` with the case columns of :meth:`CaseStore.listing`: case_id,
    case_state, case_status (新增/延续/已结案), overdue; ``deadline`` becomes the
    store's (one deadline, the store's, in every output).

    Examples
    --------
    >>> a = pd.DataFrame({"household_id": ["1", "2"],
    ...                   "deadline": pd.to_datetime(["2026-07-15"] * 2)})
    >>> c = pd.DataFrame({"household_id": ["1"], "case_id": [7],
    ...     "case_state": ["核查中"], "case_status": ["延续"],
    ...     "deadline": pd.to_datetime(["2026-06-20"]), "overdue": [True]})
    >>> out = attach_cases(a, c)
    >>> out["deadline"].dt.strftime("%m-%d").tolist(), out["case_id"].tolist()
    (['06-20', '07-15'], [7, <NA>])
    """
    c = cases.set_index(cases["household_id"].astype(str))
    hid = alerts["household_id"].astype(str)
    out = alerts.copy()
    out["case_id"] = pd.array(c["case_id"].reindex(hid).to_numpy(), dtype="Int64")
    for col in ("case_state", "case_status"):
        out[col] = pd.array(c[col].reindex(hid).to_numpy(), dtype="string")
    store_deadline = pd.to_datetime(c["deadline"]).reindex(hid).to_numpy()
    if "deadline" in out:
        own = pd.to_datetime(out["deadline"]).to_numpy()
        out["deadline"] = np.where(pd.isna(store_deadline), own, store_deadline)
        out["deadline"] = pd.to_datetime(out["deadline"])
    else:
        out["deadline"] = pd.to_datetime(store_deadline)
    out["overdue"] = (
        c["overdue"].reindex(hid).fillna(False).to_numpy(dtype=bool)
    )
    return out


def write_alert_files(
    run: AlertRun, directory: str | Path, *, pii: pd.DataFrame | None = None
) -> dict[str, Path | list[Path]]:
    """Write an alerts run to ``directory`` (every file atomically).

    ``alerts.csv``, ``alerts.parquet``, ``scored.csv`` (every scored household
    with ``alerted`` / ``over_capacity``), ``monitored.csv``, ``exclusions.csv``
    (only when something was left out) and ``excel/<township>.xlsx``. ``pii``
    reaches only the Excel workbooks.
    """
    d = Path(directory)
    out: dict[str, Path | list[Path]] = {
        "alerts_csv": write_table(run.alerts, d / "alerts.csv"),
        "alerts_parquet": write_table(run.alerts, d / "alerts.parquet"),
        "scored": write_table(run.scored, d / "scored.csv"),
        "monitored": write_table(run.monitored, d / "monitored.csv"),
    }
    if len(run.exclusions):
        out["exclusions"] = write_table(run.exclusions, d / "exclusions.csv")
    out["excel"] = write_workbooks(run.alerts, d / "excel", pii=pii)
    return out
