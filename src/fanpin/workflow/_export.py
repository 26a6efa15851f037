"""Exports of an alerts run: CSV, Parquet, and per-township Excel workbooks.

Personal data (户主姓名, 联系电话) is never in the run's tables: it is joined from
the user's own file (:func:`read_pii`) only into the Excel workbooks, at the
moment they are written.
"""

from __future__ import annotations

import datetime
import logging
import re
import zipfile
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

import pandas as pd
from openpyxl import Workbook
from openpyxl.styles import Alignment, Font
from openpyxl.utils import get_column_letter

from ..exceptions import InputError
from ..io import atomic_path, read_table, write_table
from ._alerts import NO_TOWNSHIP

if TYPE_CHECKING:
    from ._run import AlertRun

__all__ = [
    "ALERT_OUTPUT_FILES",
    "EXCEL_HEADERS",
    "read_pii",
    "write_alert_files",
    "write_workbooks",
]

ALERT_OUTPUT_FILES = (
    "alerts.csv", "alerts.parquet", "scored.*", "monitored.*", "exclusions.*",
    "excel", ".fanpin-alerts-*",
)  # fmt: skip
"""What an alerts output folder holds (glob patterns): an older folder with only
these may be replaced whole (:func:`fanpin.io.replace_directory`)."""

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
_BAD_SHEET = re.compile(r"[\[\]:*?/\\]")
_BAD_FILE = re.compile(r'[<>:"/\\|?*\x00-\x1f]')


def read_pii(path: str | Path) -> pd.DataFrame:
    """Read the user's personal-data file: household_id (户编码) + name / phone.

    Only ``household_id``, ``head_name`` and ``phone`` are kept (English or
    Chinese headers); nothing else of the file is read into fanpin.
    """
    raw = read_table(path)
    cols = {str(c).strip(): c for c in raw.columns}
    hid = cols.get("household_id", cols.get("户编码"))
    if hid is None:
        raise InputError(
            f"The personal-data file {Path(path).name!r} needs a household_id (户编码) "
            "column to join on; its columns are not shown here on purpose."
        )
    out = pd.DataFrame({"household_id": raw[hid].astype("string").str.strip()})
    for name, aliases in _PII_NAMES.items():
        src = next((cols[a] for a in aliases if a in cols), None)
        if src is not None:
            out[name] = raw[src].astype("string")
    return out.drop_duplicates("household_id")


def _sheet_title(name: str, used: set[str]) -> str:
    base = _BAD_SHEET.sub("_", name).strip("'") or "村"
    title, k = base[:31], 2
    while title in used:
        suffix = f"_{k}"
        title, k = base[: 31 - len(suffix)] + suffix, k + 1
    used.add(title)
    return title


def _cell(v: object) -> object:
    if v is None or (not isinstance(v, str) and pd.isna(v)):
        return None
    if isinstance(v, pd.Timestamp):
        return v.strftime("%Y-%m-%d")
    if hasattr(v, "item"):
        return v.item()
    return v


def _write_book(df: pd.DataFrame, path: Path, cols: list[str]) -> None:
    wb = Workbook()
    wb.remove(wb.active)
    used: set[str] = set()
    village = df["village"].astype("string").fillna("(未填村)")
    for name, part in df.groupby(village.to_numpy(), sort=True):
        ws = wb.create_sheet(_sheet_title(str(name), used))
        ws.append([EXCEL_HEADERS[c] for c in cols])
        for rec in part[cols].itertuples(index=False):
            ws.append([_cell(v) for v in rec])
        for j, c in enumerate(cols, start=1):
            ws.column_dimensions[get_column_letter(j)].width = _WIDTHS.get(c, 12)
            ws.cell(row=1, column=j).font = Font(bold=True)
        for row in ws.iter_rows(min_row=2):
            for cell in row:
                cell.alignment = Alignment(wrap_text=True, vertical="top")
        ws.freeze_panes = "A2"
        ws.print_title_rows = "1:1"
        ws.page_setup.orientation = "landscape"
        ws.page_setup.fitToWidth = 1
        ws.page_setup.fitToHeight = 0
        ws.sheet_properties.pageSetUpPr.fitToPage = True
    stamp = _stamp(df)
    wb.properties.created = stamp
    with atomic_path(path) as tmp:
        wb.save(tmp)
        _fix_zip_times(tmp, stamp)


def _stamp(df: pd.DataFrame) -> datetime.datetime:
    """The list's discovery date: the workbook's only timestamp (reproducible)."""
    if "discovered" not in df:
        return datetime.datetime(1980, 1, 1)
    day = pd.to_datetime(df["discovered"], errors="coerce").max()
    return datetime.datetime(1980, 1, 1) if pd.isna(day) else day.to_pydatetime()


def _fix_zip_times(path: Path, stamp: datetime.datetime) -> None:
    """Give every zip entry and docProps/core.xml the same stamp, so that the same
    alerts give the same bytes (openpyxl writes the current time in both)."""
    iso = stamp.strftime("%Y-%m-%dT%H:%M:%SZ")
    with zipfile.ZipFile(path) as zin:
        entries = [(info, zin.read(info.filename)) for info in zin.infolist()]
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED) as zout:
        for info, data in entries:
            if info.filename == "docProps/core.xml":
                data = re.sub(
                    rb"(<dcterms:(?:created|modified)[^>]*>)[^<]*(<)",
                    rb"\g<1>" + iso.encode() + rb"\g<2>",
                    data,
                )
            fixed = zipfile.ZipInfo(info.filename, date_time=stamp.timetuple()[:6])
            fixed.compress_type = zipfile.ZIP_DEFLATED
            fixed.external_attr = info.external_attr
            zout.writestr(fixed, data)


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
    paths = []
    groups = df.groupby([county.to_numpy(), town.to_numpy()], sort=True)
    for (cty, t), part in groups:
        stem = t if counties_per_town[t] <= 1 else f"{cty}_{t}"
        path = d / f"{_BAD_FILE.sub('_', str(stem))}.xlsx"
        _write_book(
            part.sort_values("rank", kind="stable") if "rank" in part else part,
            path,
            cols,
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
