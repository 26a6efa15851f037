"""Department pushes (部门推送): events update the current-year record year to date.

Each event changes the household's record of the event's year (``date.year``):

==========  ==============================================================
event       effect on the record
==========  ==============================================================
住院自付    medical_cost_oop and medical_cost_total += amount
大病        serious_ill_count += persons (capped at household_size);
            medical costs += amount when given
新增残疾    disabled_count += persons (capped)
灾害损失    disaster_loss += amount; income_business -= amount x
            ``disaster_business_share`` (config, a placeholder judgement);
            disaster_type 其他 when it was empty or 无
意外事故    accident_count += persons; medical costs += amount when given
失业返乡    migrant_workers -= persons (>= 0); income_wage -= amount, or when
            no amount, the returning workers' share of wages
            (persons / migrant workers) for the months left in the year
新增低保    dibao = True; income_transfer += amount when given
临时救助    income_transfer += amount
辍学        dropout_count += persons
危房        housing_safe = False
饮水中断    water_safe = False
==========  ==============================================================

``persons`` defaults to ``events.default_persons`` (1).

Which events are new information (documented rule). Department pushes arrive
BETWEEN annual sweeps: the annual record of a year already covers what happened
in that year, including what departments pushed during it. So, by default
(``covered="skip"``), an event is applied only when it is dated after the
period of the household's latest annual record (event year > latest record
year, and date <= ``as_of``); an event dated within a year for which the
household already has a record is skipped with :data:`SKIP_COVERED`, so its
effect is not counted twice. A county whose annual records are exported
without the pushes can pass ``covered="apply"``: the event then updates the
existing record of its year too.

An applied event updates the household's record of the event's year
(``date.year``), year to date. When the household has no record for that year
(always the case under ``covered="skip"``), the record is created from the
latest one (documented choice): household make-up, incomes (the best guess of
this year's until the sweep), guarantees and assistance are carried over; the
year-to-date flows (medical costs, disaster loss and type, accidents, dropouts)
start at zero before the events are added. Nothing is dropped silently: every
event not applied is listed in ``skipped`` with ``why`` — covered by an annual
record, a year before the latest record that has no row, household not in the
panel, unknown type, or dated after ``as_of``.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import date
from typing import Any

import numpy as np
import pandas as pd

from ..config import AlertsConfig, shipped_configs
from ..exceptions import InputError
from ..messages import N_, Message
from ._pushes import among

__all__ = ["SKIP_COVERED", "AppliedEvents", "apply_events", "event_reason"]

logger = logging.getLogger(__name__)

RESET_ON_NEW_ROW = {
    "medical_cost_oop": 0.0, "medical_cost_total": 0.0, "disaster_loss": 0.0,
    "accident_count": 0, "dropout_count": 0, "disaster_type": "无",
}  # fmt: skip
"""Year-to-date flows that start at zero in a record created for a new year."""

EVENT_FIELDS = (
    "household_size", "labor_count", "migrant_workers", "medical_cost_oop",
    "medical_cost_total", "serious_ill_count", "disabled_count", "disaster_loss",
    "income_business", "disaster_type", "accident_count", "income_wage", "dibao",
    "income_transfer", "dropout_count", "housing_safe", "water_safe",
)  # fmt: skip
"""The fields of a record that events read or change (:func:`_apply_one`)."""

SKIP_FUTURE = "dated after as_of"
SKIP_UNKNOWN = "household not in the panel"
SKIP_PAST = "no record for that year (before the household's latest record)"
SKIP_TYPE = "unknown event type"
SKIP_COVERED = "already covered by the annual record of that year"
COVERED_MODES = ("skip", "apply")
BAD_COVERED = N_(
    "covered must be one of {modes}; got {got!r}. Use 'skip' (the default: the "
    "annual record of a year already holds that year's pushes) or 'apply' (your "
    "annual records were exported without them)."
)
MSG_EVENT_COLUMNS = N_(
    "The events table needs columns {need}; got {got}. Read it with "
    "fanpin.schema.read_events."
)
EVENT_TYPES = ("住院自付", "大病", "新增残疾", "灾害损失", "意外事故", "失业返乡",
               "新增低保", "临时救助", "辍学", "危房", "饮水中断")  # fmt: skip


def event_reason(
    source: object,
    when: object,
    event_type: object,
    amount: object = None,
    persons: object = None,
) -> str:
    """The reason line of an event: ``医保推送：2025年3月2日住院自付 12,000 元``.

    Examples
    --------
    >>> event_reason("医保", pd.Timestamp("2025-03-02"), "住院自付", 12000.0)
    '医保推送：2025年3月2日住院自付 12,000 元'
    >>> event_reason("残联", pd.Timestamp("2025-01-05"), "新增残疾", None, 1)
    '残联推送：2025年1月5日新增残疾 1 人'
    """
    day = pd.Timestamp(when)
    text = f"{source}推送：{day.year}年{day.month}月{day.day}日{event_type}"
    if amount is not None and not pd.isna(amount):
        text += f" {float(amount):,.0f} 元"
    elif persons is not None and not pd.isna(persons):
        text += f" {int(persons)} 人"
    return text


@dataclass(frozen=True)
class AppliedEvents:
    """The result of :func:`apply_events`.

    Attributes
    ----------
    panel : DataFrame
        The updated panel (a copy; new rows appended at the end).
    applied : DataFrame
        The events applied, with ``year``, ``row`` (index label of the updated
        record), ``created`` (that record was made from the latest annual one)
        and ``reason`` (:func:`event_reason`).
    skipped : DataFrame
        Events not applied, with ``why``.
    """

    panel: pd.DataFrame
    applied: pd.DataFrame
    skipped: pd.DataFrame

    @property
    def rows(self) -> pd.Index:
        """Index labels of the records changed (one per household and year)."""
        return pd.Index(self.applied["row"].unique())


class _Records:
    """The records events touch, as dicts: what :func:`_apply_one` reads and
    writes with ``.at[row, column]`` like a DataFrame's, at a dict's speed."""

    def __init__(self, frame: pd.DataFrame) -> None:
        self.columns = frame.columns
        self.dtypes = frame.dtypes
        self.data = frame.to_dict("index")
        self.at = self
        self.changed: set[str] = set()

    def __contains__(self, column: object) -> bool:
        return column in self.columns

    def __getitem__(self, key: tuple[Any, str]) -> Any:
        row, column = key
        return self.data[row][column]

    def __setitem__(self, key: tuple[Any, str], value: Any) -> None:
        row, column = key
        self.data[row][column] = value
        self.changed.add(column)


def _add(
    df: pd.DataFrame | _Records,
    row: int,
    col: str,
    value: float,
    cap: float | None = None,
    floor: float | None = 0.0,
) -> None:
    if col not in df.columns:
        return
    old = df.at[row, col]
    new = (0.0 if pd.isna(old) else float(old)) + float(value)
    if cap is not None and not pd.isna(cap):
        new = min(new, float(cap))
    if floor is not None:
        new = max(new, floor)
    df.at[row, col] = (
        round(new) if pd.api.types.is_integer_dtype(df.dtypes[col]) else new
    )


def _money(amount: object) -> float:
    return 0.0 if amount is None or pd.isna(amount) else float(amount)


def _apply_one(
    df: pd.DataFrame | _Records, row: int, ev: dict, cfg: AlertsConfig
) -> None:
    kind = ev["event_type"]
    amount = _money(ev["amount"])
    persons = ev["persons"]
    persons = (
        cfg.default_persons if persons is None or pd.isna(persons) else int(persons)
    )
    size = df.at[row, "household_size"]
    if kind in ("住院自付", "大病", "意外事故") and amount:
        _add(df, row, "medical_cost_oop", amount)
        _add(df, row, "medical_cost_total", amount)
    if kind == "大病":
        _add(df, row, "serious_ill_count", persons, cap=size)
    elif kind == "新增残疾":
        _add(df, row, "disabled_count", persons, cap=size)
    elif kind == "灾害损失":
        _add(df, row, "disaster_loss", amount)
        _add(
            df,
            row,
            "income_business",
            -amount * cfg.disaster_business_share,
            floor=None,
        )
        if "disaster_type" in df.columns:
            t = df.at[row, "disaster_type"]
            if pd.isna(t) or str(t) in ("", "无"):
                df.at[row, "disaster_type"] = "其他"
    elif kind == "意外事故":
        _add(df, row, "accident_count", persons)
    elif kind == "失业返乡":
        wage = _money(df.at[row, "income_wage"])
        if amount:
            lost = amount
        else:
            migrants = (
                df.at[row, "migrant_workers"] if "migrant_workers" in df else None
            )
            base = (
                df.at[row, "labor_count"]
                if migrants is None or pd.isna(migrants)
                else migrants
            )
            share = min(persons / max(float(base), 1.0), 1.0)
            months_left = (12 - pd.Timestamp(ev["date"]).month) / 12
            lost = wage * share * months_left
        _add(df, row, "income_wage", -min(lost, wage))
        _add(df, row, "migrant_workers", -persons)
    elif kind == "新增低保":
        if "dibao" in df.columns:
            df.at[row, "dibao"] = True
        _add(df, row, "income_transfer", amount)
    elif kind == "临时救助":
        _add(df, row, "income_transfer", amount)
    elif kind == "辍学":
        _add(df, row, "dropout_count", persons)
    elif kind == "危房":
        df.at[row, "housing_safe"] = False
    elif kind == "饮水中断":
        df.at[row, "water_safe"] = False


def apply_events(
    panel: pd.DataFrame,
    events: pd.DataFrame,
    *,
    as_of: date | pd.Timestamp,
    config: AlertsConfig | None = None,
    covered: str | None = None,
) -> AppliedEvents:
    """Update each affected household's current-year record with its events.

    Parameters
    ----------
    panel : DataFrame
        A validated panel (not modified).
    events : DataFrame
        A validated events table (:func:`fanpin.schema.read_events`).
    as_of : date
        Events dated after it are skipped.
    config : AlertsConfig, optional
        Event parameters (default: the shipped ``alerts.yaml``).
    covered : {"skip", "apply"}, optional
        Events dated within a year for which the household already has an annual
        record (default: ``events.covered`` of the alerts config, ``"skip"``):
        ``"skip"`` lists them in ``skipped`` with
        :data:`SKIP_COVERED`, since that record already holds their effects;
        ``"apply"`` adds them to that record (for annual records exported
        without the pushes). Events after the latest record are always applied.

    Raises
    ------
    InputError
        If the events table lacks a needed column or ``covered`` is unknown.

    Examples
    --------
    An event in 2025 after the 2024 annual record creates the 2025 record, year
    to date; an event of 2024 is already in the 2024 record and is skipped:

    >>> panel = pd.DataFrame({"household_id": ["a"], "year": [2024],
    ...     "household_size": [3], "labor_count": [2], "medical_cost_oop": [500.0],
    ...     "medical_cost_total": [900.0], "housing_safe": [True]})
    >>> ev = pd.DataFrame({"household_id": ["a", "a", "a"], "date": pd.to_datetime(
    ...     ["2024-11-20", "2025-03-02", "2025-04-01"]),
    ...     "source": ["残联", "医保", "住建"],
    ...     "event_type": ["新增残疾", "住院自付", "危房"],
    ...     "amount": [None, 12000.0, None], "persons": [1, None, None]})
    >>> res = apply_events(panel, ev, as_of=pd.Timestamp("2025-05-01"))
    >>> new = res.panel.iloc[-1]
    >>> int(new["year"]), float(new["medical_cost_oop"]), bool(new["housing_safe"])
    (2025, 12000.0, False)
    >>> res.applied["reason"].tolist()[0]
    '医保推送：2025年3月2日住院自付 12,000 元'
    >>> res.skipped["why"].tolist()
    ['already covered by the annual record of that year']
    """
    res = apply_events_quietly(
        panel, events, as_of=as_of, config=config, covered=covered
    )
    log_skipped(res.skipped)
    return res


def check_events(events: pd.DataFrame, covered: str) -> None:
    """Raise :class:`InputError` if ``covered`` is unknown or a column is missing."""
    if covered not in COVERED_MODES:
        modes = ", ".join(COVERED_MODES)
        raise InputError(Message(BAD_COVERED, modes=modes, got=covered))
    need = {"household_id", "date", "event_type"}
    if not need <= set(events.columns):
        raise InputError(
            Message(MSG_EVENT_COLUMNS, need=sorted(need), got=list(events.columns))
        )


def log_skipped(skipped: pd.DataFrame) -> None:
    """Log the skipped events: covered ones at INFO, any other at WARNING."""
    # Events covered by an annual record are expected in normal operation (the
    # record already holds them): INFO. Any other skip is worth a look: WARNING.
    n_covered = int((skipped["why"] == SKIP_COVERED).sum())
    if n_covered:
        logger.info(
            "skipped %d event(s) already covered by the annual record", n_covered
        )
    if len(skipped) > n_covered:
        logger.warning(
            "skipped %d event(s) (see the skipped table)", len(skipped) - n_covered
        )


def _event_rows(
    df: pd.DataFrame,
    ids: pd.Series,
    latest: pd.Series,
    ev: pd.DataFrame,
    why: np.ndarray,
    skip_covered: bool,
) -> tuple[np.ndarray, dict[int, tuple[int, int]]]:
    """The record (index label) each event updates, and the records to create.

    Events still to place (``why`` None) are decided in their order: one dated
    within a year the household has a record for updates that record (or, with
    ``skip_covered``, is skipped as covered, like one dated in an earlier year
    without a record: :data:`SKIP_PAST`); one after the household's latest
    record creates that year's record, once per household and year, labelled
    after the panel's labels in order of first appearance. ``why`` is filled
    in place. Returns the label of each event (-1 when skipped) and, for each
    new label, the (latest record's label, year) it is made from.
    """
    n = len(ev)
    rows = np.full(n, -1, dtype="int64")
    todo = np.flatnonzero(pd.isna(why))
    if not len(todo):
        return rows, {}
    hid = ev["household_id"].to_numpy(dtype=object)[todo]
    yr = ev["year"].to_numpy(dtype="int64")[todo]
    last = latest.reindex(hid).to_numpy()
    last_year = df["year"].to_numpy(dtype="int64")[df.index.get_indexer(last)]
    existing = pd.Series(
        df.index, index=pd.MultiIndex.from_arrays([ids, df["year"].astype("int64")])
    )
    at = existing.reindex(pd.MultiIndex.from_arrays([hid, yr]))
    exists = at.notna().to_numpy()
    covered = skip_covered & (yr <= last_year)
    why[todo[covered & exists]] = SKIP_COVERED
    why[todo[covered & ~exists]] = SKIP_PAST
    update = ~covered & exists
    rows[todo[update]] = at.to_numpy()[update].astype("int64")
    past = ~covered & ~exists & (last_year > yr)
    why[todo[past]] = SKIP_PAST
    create = np.flatnonzero(~covered & ~exists & ~(last_year > yr))
    new: dict[int, tuple[int, int]] = {}
    if len(create):
        keys = pd.MultiIndex.from_arrays([hid[create], yr[create]])
        codes, uniq = pd.factorize(keys)  # in order of first appearance
        first = np.full(len(uniq), -1)
        first[codes[::-1]] = create[::-1]
        start = int(df.index.max()) + 1 if len(df) else 0
        rows[todo[create]] = start + codes
        for j, k in enumerate(first):
            new[start + j] = (last[k], int(yr[k]))
    return rows, new


def _new_records(
    df: pd.DataFrame, labels_of_new: dict[int, tuple[int, int]]
) -> pd.DataFrame:
    """The created records: each a copy of the household's latest record with
    the event's year, the year-to-date flows (:data:`RESET_ON_NEW_ROW`) at zero."""
    labels = list(labels_of_new)
    add = df.loc[[labels_of_new[k][0] for k in labels]].copy()
    add.index = labels
    add["year"] = [labels_of_new[k][1] for k in labels]
    for c, v in RESET_ON_NEW_ROW.items():
        if c in add:
            add[c] = v
    return add.astype(df.dtypes.to_dict())


def _apply_all(
    df: pd.DataFrame, rows: np.ndarray, records: list[dict], cfg: AlertsConfig
) -> None:
    """Apply the events to their records, one after the other (in place).

    Each event reads the record as the earlier events left it (caps, floors,
    the wage left when workers return), so the order is kept; the work is done
    on the touched records as dicts, then written back column by column.
    """
    if not len(rows):
        return
    touched = pd.Index(pd.unique(rows))
    recs = _Records(df.loc[touched, [c for c in EVENT_FIELDS if c in df.columns]])
    for row, rec in zip(rows, records, strict=True):
        _apply_one(recs, int(row), rec, cfg)
    for c in sorted(recs.changed, key=list(df.columns).index):
        values = [recs.data[r][c] for r in touched]
        df.loc[touched, c] = pd.Series(values, index=touched, dtype=df.dtypes[c])


def apply_events_quietly(
    panel: pd.DataFrame,
    events: pd.DataFrame,
    *,
    as_of: date | pd.Timestamp,
    config: AlertsConfig | None = None,
    covered: str | None = None,
) -> AppliedEvents:
    """:func:`apply_events` without logging the skipped events (a part of a
    panel: the caller logs them once, with :func:`log_skipped`)."""
    cfg = config if config is not None else shipped_configs().alerts
    covered = covered if covered is not None else cfg.covered_events
    check_events(events, covered)
    skip_covered = covered == "skip"
    ev = events.copy()
    for c in ("source", "amount", "persons"):
        if c not in ev:
            ev[c] = None
    ev["household_id"] = ev["household_id"].astype(str)
    ev["date"] = pd.to_datetime(ev["date"])
    ev = ev.sort_values(["date", "household_id"], kind="stable").reset_index(drop=True)
    ev["year"] = ev["date"].dt.year.astype("int64")
    df = panel.copy()
    ids = df["household_id"].astype(str)
    latest = df.groupby(ids.to_numpy(), sort=False)["year"].idxmax()
    why = np.full(len(ev), None, dtype=object)
    why[(ev["date"] > pd.Timestamp(as_of)).to_numpy()] = SKIP_FUTURE
    why[~ev["event_type"].isin(EVENT_TYPES).to_numpy() & pd.isna(why)] = SKIP_TYPE
    why[~among(ev["household_id"], latest.index) & pd.isna(why)] = SKIP_UNKNOWN
    rows, labels_of_new = _event_rows(df, ids, latest, ev, why, skip_covered)
    if labels_of_new:
        add = _new_records(df, labels_of_new)
        df = pd.concat([df, add])
        logger.info("created %d current-year records from the latest ones", len(add))
    ok = pd.isna(why)
    _apply_all(df, rows[ok], ev.loc[ok].to_dict("records"), cfg)
    applied = ev.loc[ok].copy()
    applied["row"] = rows[ok]
    applied["created"] = ~np.isin(rows[ok], panel.index)  # a record made from pushes
    applied["reason"] = pd.array(
        [
            event_reason(
                r["source"], r["date"], r["event_type"], r["amount"], r["persons"]
            )
            for r in applied.to_dict("records")
        ],
        dtype="string",
    )
    skipped = ev.loc[~ok].copy()
    skipped["why"] = pd.array(why[~ok].tolist(), dtype="string")
    return AppliedEvents(
        panel=df,
        applied=applied.reset_index(drop=True),
        skipped=skipped.reset_index(drop=True),
    )
