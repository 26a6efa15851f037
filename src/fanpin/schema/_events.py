"""Department pushes (部门推送) against the contract: checked whole, or row by row.

A push table is checked like a panel (:func:`validate_events`), with two more
things departments need:

- **Their own names.** ``推送部门`` may be written as the department calls
  itself (``医保局``, ``医疗保障局``, ``市医保``): the synonyms of the pushes
  config map it onto a source of the contract; a name that contains exactly
  one source's name or synonym (``某某县医疗保障局``) is understood too.
- **One bad row is not a bad table.** With ``on_bad="skip"`` a row that
  cannot be read (no household code, a date or amount that is not one, an
  unknown source or event type), names a household not in the panel or is
  dated after ``today`` is kept with its reason in ``why``
  (:data:`EVENT_SKIP_REASONS`) and the column and value in ``detail``
  (redacted: never a name or an ID number); the alerts job skips it and lists
  it in ``exclusions.csv``. Only a table without the contract's columns is
  refused.
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np
import pandas as pd

from ..config import PushesConfig
from ..exceptions import ConfigError, InputError, SchemaError
from ..messages import N_, Message
from ._columns import EVENT_COLUMNS, EVENT_SOURCES
from ._text import redact
from ._validate import (
    MSG_EVENTS_FUTURE,
    MSG_EVENTS_UNKNOWN,
    Screen,
    _validate,
)
from ._where import Locator

__all__ = [
    "EVENT_SKIP_REASONS",
    "ON_BAD",
    "SKIP_DATE",
    "SKIP_FUTURE",
    "SKIP_SOURCE",
    "SKIP_TYPE",
    "SKIP_UNKNOWN",
    "source_names",
    "validate_events",
]

SKIP_NO_HOUSEHOLD = N_("no household code (户编码)")
SKIP_DATE = N_("date not understood")
SKIP_TYPE = N_("unknown event type")
SKIP_SOURCE = N_("unknown source (推送部门)")
SKIP_AMOUNT = N_("amount not understood (金额)")
SKIP_PERSONS = N_("persons not understood (人数)")
SKIP_UNKNOWN = N_("household not in the panel")
SKIP_FUTURE = N_("dated after as_of")
EVENT_SKIP_REASONS = (
    SKIP_NO_HOUSEHOLD, SKIP_DATE, SKIP_TYPE, SKIP_SOURCE, SKIP_AMOUNT,
    SKIP_PERSONS, SKIP_UNKNOWN, SKIP_FUTURE,
)  # fmt: skip
"""Why :func:`validate_events` marks a row (``on_bad="skip"``), first first."""
_REASON_OF = {
    "household_id": SKIP_NO_HOUSEHOLD, "date": SKIP_DATE, "event_type": SKIP_TYPE,
    "source": SKIP_SOURCE, "amount": SKIP_AMOUNT, "persons": SKIP_PERSONS,
}  # fmt: skip
ON_BAD = ("raise", "skip")
MSG_ON_BAD = N_("on_bad must be 'raise' or 'skip'; got {got!r}.")
MSG_SYNONYM_TARGET = N_(
    "sources.synonyms in {source!r}: {name!r} is not a push source; the sources "
    "are {sources}."
)


def source_names(
    values: pd.Series, synonyms: Mapping[str, str] | None = None
) -> pd.Series:
    """Department names (cleaned text) as the contract's push sources.

    A source itself stays; a synonym becomes its source; a name holding
    exactly one source's name or synonym (the longest found) becomes that
    source; anything else is left as it is (and refused or skipped later).

    Examples
    --------
    >>> syn = {"医疗保障局": "医保", "市医保": "医保", "民政局": "民政"}
    >>> source_names(pd.Series(["医保", "市医保", "某县医疗保障局", "民政局残联",
    ...                         "水利局"]), syn).tolist()
    ['医保', '医保', '医保', '民政局残联', '水利']
    """
    syn = dict(synonyms or {})
    known = {**{s: s for s in EVENT_SOURCES}, **syn}
    words = sorted(known, key=len, reverse=True)

    def one(v: object) -> object:
        if v is None or pd.isna(v):
            return v
        text = str(v).strip()
        if text in known:
            return known[text]
        found = {known[w] for w in words if w and w in text}
        return found.pop() if len(found) == 1 else text

    return pd.Series([one(v) for v in values], index=values.index, dtype=values.dtype)


def _check_synonyms(config: PushesConfig) -> None:
    for name in sorted(set(config.synonyms.values())):
        if name not in EVENT_SOURCES:
            raise ConfigError(
                Message(
                    MSG_SYNONYM_TARGET, source=config.source, name=name,
                    sources=", ".join(EVENT_SOURCES),
                )
            )  # fmt: skip


def _detail(raw: pd.DataFrame, column: str, i: int) -> str:
    alias = next(c.alias for c in EVENT_COLUMNS if c.name == column)
    if column not in raw:
        return alias
    value = raw[column].iloc[i]
    return f"{alias}: {'' if pd.isna(value) else redact(value)}"


def validate_events(
    events: pd.DataFrame,
    panel: pd.DataFrame | None = None,
    *,
    today: pd.Timestamp | None = None,
    on_bad: str = "raise",
    config: PushesConfig | None = None,
) -> pd.DataFrame:
    """Check a department-push table against the contract and return it typed.

    With ``panel``, every event must name a household of the panel; dates after
    ``today`` (default: now) are refused. A table with the header and no rows
    means no pushes this month: an empty table is returned.

    Parameters
    ----------
    events : DataFrame
        The table as read (English or Chinese headers).
    panel : DataFrame, optional
        Households the events must name.
    today : Timestamp, optional
        The latest date allowed (default: now).
    on_bad : {"raise", "skip"}
        ``"raise"``: any bad row refuses the table (:class:`SchemaError`,
        every problem listed). ``"skip"``: bad rows are kept with their reason
        in ``why`` and ``detail`` (the column and its redacted value); good
        rows have ``why`` missing. Only missing columns refuse the table.
    config : PushesConfig, optional
        The synonyms of the sources (default: the shipped ``pushes.yaml``).

    Examples
    --------
    >>> raw = pd.DataFrame({"户编码": ["0001", "0002", "0003"],
    ...     "日期": ["2026年1月5日", "2026/2/30", "2026.01.20"],
    ...     "推送部门": ["医疗保障局", "医保", "市医保"],
    ...     "事件类型": ["住院自付"] * 3, "金额": ["12000", "800", "1,500"]})
    >>> import warnings
    >>> with warnings.catch_warnings():
    ...     warnings.simplefilter("ignore")
    ...     ev = validate_events(raw, on_bad="skip", today=pd.Timestamp("2026-03-31"))
    >>> ev["source"].tolist(), ev["why"].tolist()
    (['医保', '医保', '医保'], [<NA>, 'date not understood', <NA>])
    >>> ev["detail"].tolist()[1]
    '日期: 2026/2/30'
    """
    from ..config import shipped_configs

    if on_bad not in ON_BAD:
        raise InputError(Message(MSG_ON_BAD, got=on_bad))
    cfg = config if config is not None else shipped_configs().pushes
    _check_synonyms(cfg)
    names = {"source": lambda text: source_names(text, cfg.synonyms)}
    screen = Screen(skip=on_bad == "skip")
    out, rows = _validate(events, EVENT_COLUMNS, "events", screen, names)
    limit = pd.Timestamp.now() if today is None else pd.Timestamp(today)
    if not screen.skip:
        if len(out):
            _refuse_unknown_and_future(out, panel, limit, rows, screen.sheets)
        return _with_position(out, rows, screen.sheets)
    why = np.full(len(out), None, dtype=object)
    detail = np.full(len(out), None, dtype=object)
    raw = screen.raw if screen.raw is not None else pd.DataFrame(index=out.index)
    for column, reason in _REASON_OF.items():
        mask = screen.masks.get(column)
        if mask is None or not len(mask):
            continue
        hit = np.flatnonzero(mask & pd.isna(why))
        why[hit] = reason
        for i in hit:
            detail[i] = _detail(raw, column, int(i))
    if len(out):
        if panel is not None:
            known = set(panel["household_id"].astype(str))
            unknown = ~out["household_id"].isin(known).fillna(False).to_numpy(bool)
            why[unknown & pd.isna(why)] = SKIP_UNKNOWN
        future = (out["date"] > limit).fillna(False).to_numpy(dtype=bool)
        why[future & pd.isna(why)] = SKIP_FUTURE
    out["why"] = pd.array(why.tolist(), dtype="string")
    out["detail"] = pd.array(detail.tolist(), dtype="string")
    return _with_position(out, rows, screen.sheets)


def _with_position(
    out: pd.DataFrame, rows: np.ndarray | None, sheets: np.ndarray | None
) -> pd.DataFrame:
    """``sheet`` and ``file_row`` (where each event is in its file), when known."""
    if sheets is not None and len(sheets) == len(out):
        out["sheet"] = pd.array([None if s is None else str(s) for s in sheets],
                                dtype="string")  # fmt: skip
    if rows is not None and len(rows) == len(out):
        r = np.asarray(rows, dtype="float64")
        out["file_row"] = pd.array(
            pd.Series(r).round().astype("Int64").to_numpy(), dtype="Int64"
        )
    return out


def _refuse_unknown_and_future(
    out: pd.DataFrame,
    panel: pd.DataFrame | None,
    limit: pd.Timestamp,
    rows: np.ndarray | None,
    sheets: np.ndarray | None,
) -> None:
    problems: list[str] = []
    ids = out["household_id"]
    at = Locator(ids, out["date"], rows, events=True, sheets=sheets)
    if panel is not None:
        unknown = ~ids.isin(set(panel["household_id"].astype(str))).to_numpy()
        if unknown.any():
            problems.append(
                Message(MSG_EVENTS_UNKNOWN, n=int(unknown.sum()), where=at(unknown))
            )
    future = (out["date"] > limit).to_numpy()
    if future.any():
        problems.append(
            Message(
                MSG_EVENTS_FUTURE,
                n=int(future.sum()),
                limit=limit.date().isoformat(),
                where=at(future),
            )
        )
    if problems:
        raise SchemaError(problems)
