"""Exports of an alerts run: CSV, Parquet, and per-township Excel workbooks.

Personal data (户主姓名, 联系电话) is never in the run's tables: it is joined from
the user's own file (:func:`read_pii`) only into the Excel workbooks, at the
moment they are written.
"""

from __future__ import annotations

import datetime
import logging
import re
import warnings
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd
import xlsxwriter

from ..exceptions import FanpinWarning, InputError
from ..io import (
    FORMULA_START,
    atomic_path,
    clean_text,
    read_table,
    safe_frame,
    warn_text_repairs,
    write_table,
)
from ..messages import N_, Message
from ._alerts import NO_TOWNSHIP

if TYPE_CHECKING:
    from ._run import AlertRun

__all__ = [
    "ALERT_OUTPUT_FILES",
    "EXCEL_HEADERS",
    "read_pii",
    "workbook_name",
    "write_alert_files",
    "write_township_workbook",
    "write_workbooks",
]

ALERT_OUTPUT_FILES = (
    "alerts.csv", "alerts.parquet", "scored.*", "monitored.*", "exclusions.*",
    "excel", ".fanpin-work-*", ".fanpin-alerts-*",
)  # fmt: skip
"""What an alerts output folder holds (glob patterns): an older folder with only
these may be replaced whole (:func:`fanpin.io.replace_directory`). The
``.fanpin-work-*`` folders are a killed run's work folders (``.fanpin-alerts-*``
of older versions)."""

logger = logging.getLogger(__name__)

EXCEL_HEADERS = {
    "rank": "序号", "household_id": "户编码", "head_name": "户主姓名",
    "phone": "联系电话", "county": "县", "township": "乡镇", "village": "村",
    "risk_score": "风险概率", "risk_level": "风险等级", "risk_names": "风险类型",
    "reasons": "风险原因", "measures": "建议帮扶措施", "departments": "牵头部门",
    "what_if": "措施效果预估", "discovered": "发现日期", "deadline": "核实截止日期",
    "source": "来源", "check_result": "核查结果", "note": "备注",
}  # fmt: skip
"""Columns of the Excel workbooks (in order) and their Chinese headers."""

_WIDTHS = {
    "rank": 6, "household_id": 12, "head_name": 10, "phone": 14, "county": 10,
    "township": 10, "village": 10, "risk_score": 9, "risk_level": 8,
    "risk_names": 18, "reasons": 60, "measures": 24, "departments": 16,
    "what_if": 30, "discovered": 12, "deadline": 12, "source": 10,
    "check_result": 14, "note": 14,
}  # fmt: skip
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


class _Formats:
    """The workbook's cell formats (XlsxWriter makes them per workbook)."""

    def __init__(self, wb: xlsxwriter.Workbook) -> None:
        self.header = wb.add_format({"bold": True, "text_wrap": True, "valign": "top"})
        self.cell = wb.add_format({"text_wrap": True, "valign": "top"})
        # a text that looks like a formula is text, and stays text when edited
        self.quoted = wb.add_format(
            {"text_wrap": True, "valign": "top", "quote_prefix": True}
        )


def _write_sheet(ws, part: pd.DataFrame, cols: list[str], fmt: _Formats) -> None:  # noqa: ANN001
    ws.freeze_panes(1, 0)
    ws.repeat_rows(0)
    ws.set_landscape()
    ws.set_paper(9)  # A4
    ws.fit_to_pages(1, 0)
    for j, c in enumerate(cols):
        ws.set_column(j, j, _WIDTHS.get(c, 12))
        ws.write_string(0, j, EXCEL_HEADERS[c], fmt.header)
    columns = [part[c].to_numpy(dtype=object) for c in cols]
    for i in range(len(part)):
        row = i + 1
        for j, values in enumerate(columns):
            v = values[i]
            if v is None or (not isinstance(v, str) and pd.isna(v)):
                ws.write_blank(row, j, None, fmt.cell)
            elif isinstance(v, str):
                quoted = v.startswith(FORMULA_START)
                ws.write_string(row, j, v, fmt.quoted if quoted else fmt.cell)
            elif isinstance(v, (bool, np.bool_)):
                ws.write_boolean(row, j, bool(v), fmt.cell)
            elif isinstance(v, (int, float, np.integer, np.floating)):
                ws.write_number(row, j, v.item() if hasattr(v, "item") else v, fmt.cell)
            elif isinstance(v, (pd.Timestamp, datetime.date)):
                ws.write_string(row, j, v.strftime("%Y-%m-%d"), fmt.cell)
            else:
                ws.write_string(row, j, str(v), fmt.cell)


def write_township_workbook(
    rows: pd.DataFrame, path: str | Path, *, columns: list[str] | None = None
) -> Path:
    """Write one township's alert rows as one workbook, atomically.

    One sheet per village (sorted by name; rows in the order given), or one
    list sheet when the township has more than :data:`MAX_VILLAGE_SHEETS`
    villages. Chinese headers in a bold, frozen first row repeated on every
    printed page, set column widths, A4 landscape fitted to the page width.
    Every text cell is a string (never a formula; one that looks like a formula
    is shown with Excel's quote prefix), numbers stay numbers. Control
    characters are removed (a warning names the column); ID- and phone-like
    numbers in place names are masked. Written in XlsxWriter's constant-memory
    mode; the same rows give the same bytes (the document's date is the list's
    discovery date).

    Parameters
    ----------
    rows : DataFrame
        The township's rows (alert columns, and head_name / phone with ``--pii``).
    path : str or Path
        The workbook to write (``.xlsx``).
    columns : list of str, optional
        Columns to write, in order (default: those of :data:`EXCEL_HEADERS` that
        ``rows`` has).

    Examples
    --------
    >>> import tempfile, pathlib
    >>> rows = pd.DataFrame({"household_id": ["01", "02"], "village": ["甲村", "乙村"],
    ...                      "risk_score": [0.4, 0.2]})
    >>> p = write_township_workbook(rows, pathlib.Path(tempfile.mkdtemp()) / "镇.xlsx")
    >>> from openpyxl import load_workbook
    >>> load_workbook(p).sheetnames
    ['乙村', '甲村']
    """
    p = Path(path)
    cols = columns or [c for c in EXCEL_HEADERS if c in rows.columns]
    df = rows.reset_index(drop=True)
    named, repairs = safe_frame(df[cols].rename(columns=EXCEL_HEADERS), formulas=False)
    warn_text_repairs(p, repairs)
    df = named.set_axis(cols, axis=1)
    village = (
        df["village"].astype("string").fillna(NO_VILLAGE)
        if "village" in df
        else pd.Series(NO_VILLAGE, index=df.index, dtype="string")
    )
    n_villages = village.nunique(dropna=False)
    if n_villages <= MAX_VILLAGE_SHEETS:
        groups = list(df.groupby(village.to_numpy(), sort=True))
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
        order = np.argsort(village.to_numpy(dtype=object), kind="stable")
        whole = df.iloc[order]
        starts = range(0, max(len(whole), 1), MAX_SHEET_ROWS)
        groups = [(ALL_VILLAGES, whole.iloc[s : s + MAX_SHEET_ROWS]) for s in starts]
    stamp = _stamp(df)
    with atomic_path(p) as tmp:
        wb = xlsxwriter.Workbook(
            str(tmp),
            {
                "constant_memory": True,
                "strings_to_numbers": False,
                "strings_to_formulas": False,
                "strings_to_urls": False,
                "tmpdir": str(tmp.parent),
            },
        )
        wb.set_properties({"created": stamp})
        fmt = _Formats(wb)
        used: set[str] = set()
        for name, part in groups:
            ws = wb.add_worksheet(_sheet_title(str(name), used))
            _write_sheet(ws, part, cols, fmt)
        wb.close()
    return p


def _stamp(df: pd.DataFrame) -> datetime.datetime:
    """The list's discovery date: the workbook's only timestamp (reproducible)."""
    if "discovered" not in df:
        return datetime.datetime(1980, 1, 1)
    day = pd.to_datetime(df["discovered"], errors="coerce").max()
    return datetime.datetime(1980, 1, 1) if pd.isna(day) else day.to_pydatetime()


def write_workbooks(
    alerts: pd.DataFrame,
    directory: str | Path,
    *,
    pii: pd.DataFrame | None = None,
    progress: Callable[[int, int], None] | None = None,
) -> list[Path]:
    """One workbook per township (``<township>.xlsx``), one sheet per village.

    Chinese headers, a frozen, bold header row repeated on every printed page,
    set column widths, landscape fit-to-width: ready to print for home visits.
    ``pii`` (from :func:`read_pii`) adds 户主姓名 / 联系电话 to these workbooks
    only. A township name met in several counties gets ``<county>_<township>``.
    ``progress(done, total)`` is called after each workbook.

    Examples
    --------
    >>> import tempfile
    >>> a = pd.DataFrame({"household_id": ["1"], "county": ["甲县"],
    ...     "township": ["乙镇"], "village": ["丙村"], "rank": [1]})
    >>> [p.name for p in write_workbooks(a, tempfile.mkdtemp())]
    ['乙镇.xlsx']
    """
    d = Path(directory)
    df = alerts.copy()
    for c in ("check_result", "note"):
        df[c] = None
    if pii is not None:
        df = df.merge(pii, on="household_id", how="left")
    cols = [c for c in EXCEL_HEADERS if c in df.columns]
    town = (
        df["township"].astype("string").fillna(NO_TOWNSHIP)
        if "township" in df
        else pd.Series(NO_TOWNSHIP, index=df.index, dtype="string")
    )
    county = df["county"].astype("string").fillna("")
    counties_per_town = county.groupby(town.to_numpy()).nunique()
    paths: list[Path] = []
    used: set[str] = set()
    groups = df.groupby([county.to_numpy(), town.to_numpy()], sort=True)
    for (cty, t), part in groups:
        stem = t if counties_per_town[t] <= 1 else f"{cty}_{t}"
        path = d / workbook_name(str(stem), used)
        write_township_workbook(
            part.sort_values("rank", kind="stable") if "rank" in part else part,
            path,
            columns=cols,
        )
        paths.append(path)
        if progress is not None:
            progress(len(paths), groups.ngroups)
    logger.info("wrote %d township workbooks", len(paths))
    return paths


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
