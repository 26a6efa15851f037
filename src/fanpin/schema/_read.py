"""Reading household panels and department events from files.

Both go through the one reader of :mod:`fanpin.io` (the header found by the
contract's column names, title rows and notes sheets skipped), with each row's
number in the file kept for the messages.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pandas as pd

from ..io import read_table
from ._columns import COLUMNS, EVENT_COLUMNS, PII_COLUMNS
from ._headers import normalise_headers
from ._validate import validate_events, validate_households

__all__ = ["EVENT_HEADER_NAMES", "HEADER_NAMES", "read_events", "read_households"]

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


def read_events(
    path: str | Path,
    panel: pd.DataFrame | None = None,
    *,
    today: pd.Timestamp | None = None,
    sheet: str | int | None = None,
) -> pd.DataFrame:
    """Read and validate a department-push (部门筛查预警) event table.

    A file with the header and no rows means no pushes: an empty table.
    """
    raw = read_table(
        path, known_columns=EVENT_HEADER_NAMES, sheet=sheet, row_numbers=True
    )
    return validate_events(raw, panel, today=today)
