"""Reading household panels and department events from files.

Both go through the one reader of :mod:`fanpin.io` (the header found by the
contract's column names, title rows and notes sheets skipped), with each row's
number in the file kept for the messages.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from pathlib import Path

import pandas as pd

from ..config import PushesConfig
from ..exceptions import InputError
from ..io import NUMBER_CELLS, check_input_file, inspect_table, read_table
from ..messages import N_, Message
from ._columns import COLUMNS, EVENT_COLUMNS, PII_COLUMNS
from ._events import validate_events
from ._headers import normalise_headers
from ._validate import validate_households
from ._where import SHEET_COLUMN

__all__ = ["EVENT_HEADER_NAMES", "HEADER_NAMES", "read_events", "read_households"]

logger = logging.getLogger(__name__)

MSG_SHEETS_REFUSED = N_(
    "{name}: every sheet of a pushes workbook is read, and these sheets are not "
    "push tables: {sheets}. The push sheets are {good}. Delete those sheets, or "
    "give their pushes the columns {columns}, so that no push is left unread."
)
MSG_SHEET_PARTIAL = N_("sheet {sheet!r} lacks the column(s) {missing}")
MSG_SHEET_OTHER = N_("sheet {sheet!r} holds a table without the push columns")

HEADER_NAMES: tuple[str, ...] = tuple(
    sorted(
        {c.name for c in COLUMNS}
        | {c.alias for c in COLUMNS}
        | set(PII_COLUMNS)
        | set(PII_COLUMNS.values())
    )
)
"""Every header a panel file may have (English, Chinese, personal data): the
names that mark the header row and the right sheet."""
EVENT_HEADER_NAMES: tuple[str, ...] = tuple(
    sorted({c.name for c in EVENT_COLUMNS} | {c.alias for c in EVENT_COLUMNS})
)
"""The same for a department-push file."""


def read_households(
    path: str | Path,
    *,
    validate: bool = True,
    sheet: str | int | None = None,
    progress: Callable[[int, int], None] | None = None,
) -> pd.DataFrame:
    """Read a household panel from CSV (UTF-8/GBK), Parquet or Excel.

    Headers may be English, Chinese or mixed, below title rows; in a workbook
    the sheet holding the panel is found by its columns. ``household_id`` stays
    text (leading zeros kept); personal-data columns (户主姓名, 身份证号, 联系电话)
    are dropped on read. With ``validate=True`` (default) the result is a
    validated, typed panel, and every message names the file's rows.

    Examples
    --------
    >>> from fanpin.config import default_config_path
    >>> sample = default_config_path("x").parents[3] / "data/synthetic/panel.parquet"
    >>> panel = read_households(sample) if sample.exists() else None
    """
    raw = read_table(
        path,
        known_columns=HEADER_NAMES,
        sheet=sheet,
        row_numbers=validate,
        progress=progress,
    )
    if not validate:
        return normalise_headers(raw)[0]
    return validate_households(raw)


def _event_sheets(path: Path) -> list[str] | None:
    """The sheets of a workbook that hold department pushes (None: not a
    workbook with several sheets, read it as one table).

    A sheet with the event columns (户编码, 日期, 推送部门, 事件类型) holds pushes;
    an empty sheet, or one of notes (no row of three cells or more), holds
    none. Any other sheet — a table without those columns, or with only some
    of them — refuses the workbook, naming the sheets: nothing is left unread
    in silence.
    """
    if path.suffix.lower() not in (".xlsx", ".xlsm", ".xls"):
        return None
    first = inspect_table(path, known_columns=EVENT_HEADER_NAMES)
    if first.n_sheets <= 1:
        return [first.sheet] if first.sheet is not None else None
    need = [c.name for c in EVENT_COLUMNS if c.required]
    good: list[str] = []
    bad: list[Message] = []
    for i in range(first.n_sheets):
        try:
            layout = inspect_table(path, known_columns=EVENT_HEADER_NAMES, sheet=i)
        except InputError:  # an empty sheet
            continue
        named = normalise_headers(pd.DataFrame(columns=list(layout.columns)),
                                  EVENT_COLUMNS)[0].columns  # fmt: skip
        have = [c for c in need if c in named]
        filled = [c for c in layout.columns if not str(c).startswith("Unnamed")]
        if len(have) == len(need):
            good.append(str(layout.sheet))
        elif have:
            lack = set(need) - set(have)
            missing = [c.alias for c in EVENT_COLUMNS if c.name in lack]
            bad.append(Message(MSG_SHEET_PARTIAL, sheet=str(layout.sheet),
                               missing="、".join(missing)))  # fmt: skip
        elif len(filled) >= 3:
            bad.append(Message(MSG_SHEET_OTHER, sheet=str(layout.sheet)))
        else:
            logger.info("sheet %r of %s holds no table: not read", layout.sheet,
                        path.name)  # fmt: skip
    if bad:
        items = "; ".join(f"{{i{k}}}" for k in range(len(bad)))
        raise InputError(
            Message(
                MSG_SHEETS_REFUSED, name=path.name,
                sheets=Message(items, **{f"i{k}": b for k, b in enumerate(bad)}),
                good=", ".join(repr(g) for g in good) or "-",
                columns="、".join(c.alias for c in EVENT_COLUMNS if c.required),
            )
        )  # fmt: skip
    return good or None


def _read_sheets(path: Path, sheets: list[str]) -> pd.DataFrame:
    """The event sheets stacked, each row with its sheet (and row) kept."""
    frames = []
    numbers: dict[str, tuple[int, int]] = {}
    for name in sheets:
        raw = read_table(
            path, known_columns=EVENT_HEADER_NAMES, sheet=name, row_numbers=True
        )
        found = raw.attrs.get(NUMBER_CELLS) or {}
        frame = normalise_headers(raw, EVENT_COLUMNS)[0]
        renamed = dict(zip(raw.columns, frame.columns, strict=False))
        for k, (n, row) in found.items():
            key = renamed.get(k, k)
            had = numbers.get(key)
            numbers[key] = (n, row) if had is None else (had[0] + n, min(had[1], row))
        frame[SHEET_COLUMN] = name
        frames.append(frame)
    out = pd.concat(frames, ignore_index=True) if len(frames) > 1 else frames[0]
    out.attrs = {NUMBER_CELLS: numbers}
    if len(frames) > 1:
        logger.info("read %d event rows from %d sheets of %s", len(out),
                    len(frames), path.name)  # fmt: skip
    return out


def read_events(
    path: str | Path,
    panel: pd.DataFrame | None = None,
    *,
    today: pd.Timestamp | None = None,
    sheet: str | int | None = None,
    on_bad: str = "raise",
    config: PushesConfig | None = None,
) -> pd.DataFrame:
    """Read and validate a department-push (部门筛查预警) event table.

    A file with the header and no rows means no pushes: an empty table. Every
    sheet of a workbook is read (unless ``sheet`` names one): the sheets with
    the event columns are stacked, each row keeping its ``sheet`` and
    ``file_row``; a sheet holding another table refuses the workbook, naming
    it. The result has ``file`` (the file's name) too. ``on_bad`` and
    ``config`` are those of :func:`validate_events`: with ``on_bad="skip"``
    no bad row refuses the table, it is kept with its reason in ``why``.

    Examples
    --------
    >>> import tempfile, pathlib, warnings
    >>> d = pathlib.Path(tempfile.mkdtemp())
    >>> with pd.ExcelWriter(d / "pushes.xlsx") as xw:
    ...     for name, day in (("1月", "2026-01-05"), ("2月", "2026-02-03")):
    ...         pd.DataFrame({"户编码": ["0001"], "日期": [day], "推送部门": ["医保局"],
    ...             "事件类型": ["住院自付"], "金额": [9000]}).to_excel(
    ...             xw, sheet_name=name, index=False)
    >>> with warnings.catch_warnings():
    ...     warnings.simplefilter("ignore")
    ...     ev = read_events(d / "pushes.xlsx", on_bad="skip")
    >>> ev[["sheet", "file_row", "source"]].values.tolist()
    [['1月', 2, '医保'], ['2月', 2, '医保']]
    """
    p = Path(path)
    sheets = _event_sheets(check_input_file(p)) if sheet is None else None
    if sheets:
        raw = _read_sheets(p, sheets)
    else:
        raw = read_table(
            path, known_columns=EVENT_HEADER_NAMES, sheet=sheet, row_numbers=True
        )
    out = validate_events(raw, panel, today=today, on_bad=on_bad, config=config)
    out["file"] = pd.array([p.name] * len(out), dtype="string")
    return out
