"""Reading household panels and department events from files."""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from ..io import read_table
from ._columns import COLUMNS, EVENT_COLUMNS, PII_COLUMNS
from ._headers import normalise_headers
from ._validate import validate_events, validate_households

__all__ = ["read_events", "read_households"]

_KNOWN = (
    {c.name for c in COLUMNS}
    | {c.alias for c in COLUMNS}
    | set(PII_COLUMNS)
    | set(PII_COLUMNS.values())
)
_KNOWN_EVENTS = {c.name for c in EVENT_COLUMNS} | {c.alias for c in EVENT_COLUMNS}


def read_households(
    path: str | Path, *, validate: bool = True, sheet: str | int | None = None
) -> pd.DataFrame:
    """Read a household panel from CSV (UTF-8/GBK), Parquet or Excel.

    Headers may be English, Chinese or mixed; ``household_id`` stays text (leading
    zeros kept); personal-data columns (户主姓名, 身份证号, 联系电话) are dropped on
    read. With ``validate=True`` (default) the result is a validated, typed panel.

    Examples
    --------
    >>> from fanpin.config import default_config_path
    >>> sample = default_config_path("x").parents[3] / "data/synthetic/panel.parquet"
    >>> panel = read_households(sample) if sample.exists() else None
    """
    raw = read_table(path, known_columns=_KNOWN, sheet=sheet)
    if not validate:
        return normalise_headers(raw)[0]
    return validate_households(raw)


def read_events(
    path: str | Path,
    panel: pd.DataFrame | None = None,
    *,
    today: pd.Timestamp | None = None,
) -> pd.DataFrame:
    """Read and validate a department-push (部门筛查预警) event table."""
    raw = read_table(path, known_columns=_KNOWN_EVENTS)
    return validate_events(raw, panel, today=today)
