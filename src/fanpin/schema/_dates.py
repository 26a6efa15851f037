"""Dates as departments send them, read one way only.

Accepted: ``2026-02-03`` (also with ``/`` or ``.``, and a time), ``20260203``,
``2026年2月3日``, Excel serial day numbers (``46056``, between 2000 and 2100)
and dates with a time zone (``2026-02-01T10:00:00+08:00``: converted to China
time, UTC+8, whose calendar date is the one that counts).

Refused as ambiguous, never guessed: a two-digit year (``26-02-03``: 2026 or
2003? February 3 or March 2?) and day and month before a four-digit year
(``02/03/2026``: 2 March or February 3?).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

__all__ = ["parse_dates"]

_ISO = (
    r"^(?P<y>\d{4})[-/.](?P<m>\d{1,2})[-/.](?P<d>\d{1,2})"
    r"(?:[ T](?P<H>\d{1,2}):(?P<M>\d{2})(?::(?P<S>\d{2})(?:\.\d+)?)?)?"
    r"\s*(?P<tz>Z|[+-]\d{2}:?\d{2})?$"
)
_COMPACT = r"^(?P<y>\d{4})(?P<m>\d{2})(?P<d>\d{2})$"
_CHINESE = r"^(?P<y>\d{4})\s*年\s*(?P<m>\d{1,2})\s*月\s*(?P<d>\d{1,2})\s*[日号]?$"
_AMBIGUOUS = r"^\d{1,2}[-/.]\d{1,2}[-/.](?:\d{2}|\d{4})$"
_SERIAL = r"^\d{5}(?:\.\d+)?$"
_SERIAL_RANGE = (36526, 73051)  # 2000-01-01 .. 2100-01-01
_EXCEL_EPOCH = pd.Timestamp("1899-12-30")
CHINA = "+08:00"


def _offset_minutes(tz: pd.Series) -> np.ndarray:
    """Minutes east of UTC of ``Z`` / ``+08:00`` / ``+0800`` (NaN where none)."""
    t = tz.fillna("").str.replace(":", "", regex=False)
    out = np.full(len(t), np.nan)
    z = (t == "Z").to_numpy()
    out[z] = 0.0
    has = t.str.len().eq(5).to_numpy()
    if has.any():
        sign = np.where(t[has].str[0] == "-", -1.0, 1.0)
        hours = t[has].str[1:3].astype(int).to_numpy()
        minutes = t[has].str[3:5].astype(int).to_numpy()
        out[has] = sign * (hours * 60 + minutes)
    return out


def parse_dates(text: pd.Series) -> tuple[pd.Series, np.ndarray, np.ndarray, int]:
    """Parse cleaned date text (no missing values expected to be handled here).

    Returns the dates (``datetime64[ns]``, NaT where not a date), which values
    are not dates, which are ambiguous (two-digit years, day/month order), and
    how many carried a time zone.

    Examples
    --------
    >>> import pandas as pd
    >>> s = pd.Series(["2026-02-03", "2026年2月3日", "46056", "20260203",
    ...                "2026-02-01T20:00:00Z", "26-02-03", "02/03/2026", "soon"])
    >>> dates, bad, ambiguous, zoned = parse_dates(s)
    >>> [d.strftime("%Y-%m-%d") if pd.notna(d) else None for d in dates]
    ['2026-02-03', '2026-02-03', '2026-02-03', '2026-02-03', '2026-02-02', None, None, None]
    >>> bad.tolist(), ambiguous.tolist(), zoned
    ([False, False, False, False, False, False, False, True], [False, False, False, False, False, True, True, False], 1)
    """  # noqa: E501
    s = text.astype("string").str.strip()
    present = s.notna().to_numpy()
    parts = s.str.extract(_ISO)
    for pattern in (_COMPACT, _CHINESE):
        more = s.str.extract(pattern)
        fill = parts["y"].isna() & more["y"].notna()
        for c in ("y", "m", "d"):
            parts.loc[fill, c] = more.loc[fill, c]
    found = parts["y"].notna().to_numpy()
    stamp = (
        parts["y"].fillna("1970")
        + "-"
        + parts["m"].fillna("1").str.zfill(2)
        + "-"
        + parts["d"].fillna("1").str.zfill(2)
        + " "
        + parts["H"].fillna("0").str.zfill(2)
        + ":"
        + parts["M"].fillna("00")
        + ":"
        + parts["S"].fillna("00")
    )
    dates = pd.to_datetime(stamp, format="%Y-%m-%d %H:%M:%S", errors="coerce")
    dates = dates.where(found)
    offset = _offset_minutes(parts["tz"])
    zoned = ~np.isnan(offset) & found
    if zoned.any():
        shift = pd.to_timedelta(480 - np.where(zoned, offset, 480), unit="min")
        dates = dates + shift
    serial = s.str.fullmatch(_SERIAL).fillna(False).to_numpy(dtype=bool) & ~found
    if serial.any():
        days = pd.to_numeric(s.where(serial), errors="coerce").astype("float64")
        ok = days.between(*_SERIAL_RANGE).to_numpy(dtype=bool) & serial
        from_serial = _EXCEL_EPOCH + pd.to_timedelta(days.where(ok), unit="D")
        dates = dates.where(~ok, from_serial)
    ambiguous = s.str.fullmatch(_AMBIGUOUS).fillna(False).to_numpy(dtype=bool)
    dates = pd.Series(dates, index=text.index).astype("datetime64[ns]")
    bad = present & dates.isna().to_numpy() & ~ambiguous
    return dates, bad, ambiguous & present, int(zoned.sum())
