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
BETWEEN annual sweeps: the annual record of a year already holds what
departments pushed up to its collection date (``collection_dates`` of
``pushes.yaml``, per year and province; by default the year's end, 12-31). So,
by default (``covered="skip"``), an event is applied only when it is dated
after the collection date of the household's latest annual record (and on or
before ``as_of``); an event dated on or before it is skipped with
:data:`SKIP_COVERED`, so its effect is not counted twice. A county whose
annual records are exported without the pushes can pass ``covered="apply"``:
every event then updates the record of its year (or creates it).

An applied event updates the household's record of the event's year
(``date.year``): the latest annual record itself when the event falls in its
year after its collection date, else the record of that later year, created
from the latest one (documented choice). Nothing the annual record knew is
lost: household make-up, incomes (the best guess of this year's until the next
sweep), guarantees, assistance AND the running totals (medical costs, disaster
loss and type, accidents, dropouts) are carried over, and the events add to
them. A household in hardship in its annual record therefore stays in hardship
unless the pushes show it recovered (a 低保 or 临时救助 transfer that lifts it).
Each applied event carries the ``period`` its record now covers
(``2025年度及2026年1-3月累计``), which the sentences quote with the figures.

Nothing is dropped silently: every event not applied is listed in ``skipped``
with ``why`` (:data:`SKIP_REASONS`) — covered by the annual record, a year
before the latest record that has no row, household not in the panel, unknown
type or source, dated after ``as_of``, no date or amount that can be read
(marked by :func:`fanpin.schema.read_events` with ``on_bad="skip"``), or an
exact duplicate of an earlier event.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import date
from typing import Any

import numpy as np
import pandas as pd

from ..config import AlertsConfig, PushesConfig, shipped_configs
from ..exceptions import InputError
from ..messages import N_, Message
from ..schema import (
    EVENT_SKIP_REASONS,
    EVENT_SOURCES,
    SKIP_DATE,
    SKIP_FUTURE,
    SKIP_SOURCE,
    SKIP_TYPE,
    SKIP_UNKNOWN,
)
from ._pushes import among

__all__ = [
    "SKIP_COVERED",
    "SKIP_REASONS",
    "AppliedEvents",
    "apply_events",
    "event_reason",
    "push_period",
]

logger = logging.getLogger(__name__)

EVENT_FIELDS = (
    "household_size", "labor_count", "migrant_workers", "medical_cost_oop",
    "medical_cost_total", "serious_ill_count", "disabled_count", "disaster_loss",
    "income_business", "disaster_type", "accident_count", "income_wage", "dibao",
    "income_transfer", "dropout_count", "housing_safe", "water_safe",
)  # fmt: skip
"""The fields of a record that events read or change (:func:`_apply_one`)."""

SKIP_PAST = N_("no record for that year (before the household's latest record)")
SKIP_COVERED = N_("already covered by the annual record of that year")
SKIP_DUPLICATE = N_("exact duplicate of an earlier event")
SKIP_REASONS = tuple(
    dict.fromkeys(
        (SKIP_FUTURE, SKIP_UNKNOWN, SKIP_PAST, SKIP_TYPE, SKIP_COVERED, SKIP_SOURCE,
         SKIP_DUPLICATE, SKIP_DATE, *EVENT_SKIP_REASONS)
    )
)  # fmt: skip
"""Every reason an event is skipped, those the reader marks
(:data:`fanpin.schema.EVENT_SKIP_REASONS`) included."""
DUPLICATE_KEY = ("household_id", "date", "source", "event_type", "amount", "persons")
"""The fields that make two events the same (an exact duplicate is skipped)."""
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


def _span(start: pd.Timestamp, end: pd.Timestamp) -> str:
    """``2026年1-3月``, ``2026年3月``, ``2025年12月-2026年3月`` or, when the
    period starts within a month, ``2025年12月16日-2026年3月``."""
    first = f"{start.month}月" if start.day == 1 else f"{start.month}月{start.day}日"
    if start.year == end.year:
        if start.month == end.month:
            return f"{start.year}年{first}"
        if start.day == 1:
            return f"{start.year}年{start.month}-{end.month}月"
        return f"{start.year}年{first}-{end.month}月"
    return f"{start.year}年{first}-{end.year}年{end.month}月"


def push_period(
    base_year: int, start: object, end: object, *, with_base: bool = True
) -> str:
    """The period a record updated by pushes covers, as its sentences quote it.

    ``base_year``: the annual record the figures start from; ``start`` and
    ``end``: the first day after its collection date and the run date.

    Examples
    --------
    >>> push_period(2025, "2026-01-01", "2026-03-31")
    '2025年度及2026年1-3月累计'
    >>> push_period(2025, "2025-12-01", "2026-02-15")
    '2025年度及2025年12月-2026年2月累计'
    >>> push_period(2025, "2026-03-01", "2026-03-31")
    '2025年度及2026年3月累计'
    """
    a, b = pd.Timestamp(start), pd.Timestamp(end)
    if b < a:
        b = a
    span = _span(a, b)
    return f"{base_year}年度及{span}累计" if with_base else f"{span}累计"


@dataclass(frozen=True)
class AppliedEvents:
    """The result of :func:`apply_events`.

    Attributes
    ----------
    panel : DataFrame
        The updated panel (a copy; new rows appended at the end).
    applied : DataFrame
        The events applied, with ``year``, ``row`` (index label of the updated
        record), ``created`` (that record was made from the latest annual one),
        ``base_year`` (the year of the annual record its figures start from),
        ``period`` (what the record now covers, :func:`push_period`) and
        ``reason`` (:func:`event_reason`).
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
    pushes: PushesConfig | None = None,
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
        Events dated on or before the collection date of the household's latest
        annual record (default: ``events.covered`` of the alerts config,
        ``"skip"``): ``"skip"`` lists them in ``skipped`` with
        :data:`SKIP_COVERED`, since that record already holds their effects;
        ``"apply"`` adds them to the record of their year (for annual records
        exported without the pushes). Later events are always applied.
    pushes : PushesConfig, optional
        The collection dates (default: the shipped ``pushes.yaml``: 12-31 of
        the record's year).

    Raises
    ------
    InputError
        If the events table lacks a needed column or ``covered`` is unknown.

    Examples
    --------
    An event in 2025 after the 2024 annual record (collected by 2024-12-31)
    creates the 2025 record, starting from the 2024 figures (its 500 yuan of
    medical costs kept); an event of 2024 is already in the 2024 record and is
    skipped:

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
    (2025, 12500.0, False)
    >>> res.applied["reason"].tolist()[0]
    '医保推送：2025年3月2日住院自付 12,000 元'
    >>> res.applied["period"].tolist()[0]
    '2024年度及2025年1-5月累计'
    >>> res.skipped["why"].tolist()
    ['already covered by the annual record of that year']
    """
    res = apply_events_quietly(
        panel, events, as_of=as_of, config=config, covered=covered, pushes=pushes
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


def _collection_days(
    df: pd.DataFrame, last: np.ndarray, last_year: np.ndarray, pushes: PushesConfig
) -> np.ndarray:
    """The collection date (``datetime64[ns]``) of each event's latest record."""
    prov = (
        df["province"].astype(str).to_numpy(dtype=object)[df.index.get_indexer(last)]
        if "province" in df
        else np.full(len(last), None, dtype=object)
    )
    keys = pd.MultiIndex.from_arrays([last_year, prov])
    codes, uniq = pd.factorize(keys)
    days = np.array(
        [np.datetime64(pushes.collection_dates.of(int(y), p), "ns") for y, p in uniq],
        dtype="datetime64[ns]",
    )
    return days[codes] if len(uniq) else np.empty(0, dtype="datetime64[ns]")


def _event_rows(
    df: pd.DataFrame,
    ids: pd.Series,
    latest: pd.Series,
    ev: pd.DataFrame,
    why: np.ndarray,
    skip_covered: bool,
    pushes: PushesConfig,
) -> tuple[np.ndarray, dict[int, tuple[int, int]], np.ndarray]:
    """The record (index label) each event updates, and the records to create.

    Events still to place (``why`` None) are decided in their order. With
    ``skip_covered``: one dated on or before the collection date of the
    household's latest record is covered by it (:data:`SKIP_COVERED`, or
    :data:`SKIP_PAST` for a year before it without a record); a later one
    updates the record of its year, or creates it. Without: one dated within a
    year the household has a record for updates that record; one in an earlier
    year without a record is :data:`SKIP_PAST`; one after the latest record
    creates that year's record. A record is created once per household and
    year, labelled after the panel's labels in order of first appearance.
    ``why`` is filled in place. Returns the label of each event (-1 when
    skipped), for each new label the (latest record's label, year) it is made
    from, and each event's collection date (NaT when skipped).
    """
    n = len(ev)
    rows = np.full(n, -1, dtype="int64")
    collected = np.full(n, np.datetime64("NaT"), dtype="datetime64[ns]")
    todo = np.flatnonzero(pd.isna(why))
    if not len(todo):
        return rows, {}, collected
    hid = ev["household_id"].to_numpy(dtype=object)[todo]
    yr = ev["year"].to_numpy(dtype="int64")[todo]
    day = ev["date"].to_numpy(dtype="datetime64[ns]")[todo]
    last = latest.reindex(hid).to_numpy()
    last_year = df["year"].to_numpy(dtype="int64")[df.index.get_indexer(last)]
    existing = pd.Series(
        df.index, index=pd.MultiIndex.from_arrays([ids, df["year"].astype("int64")])
    )
    at = existing.reindex(pd.MultiIndex.from_arrays([hid, yr]))
    exists = at.notna().to_numpy()
    if skip_covered:
        upto = _collection_days(df, last, last_year, pushes)
        collected[todo] = upto
        covered = day <= upto
        why[todo[covered & (exists | (yr >= last_year))]] = SKIP_COVERED
        why[todo[covered & ~exists & (yr < last_year)]] = SKIP_PAST
        # after the collection date: the year is the latest record's or later
        update = ~covered & exists
        create = np.flatnonzero(~covered & ~exists)
    else:
        update = exists
        past = ~exists & (last_year > yr)
        why[todo[past]] = SKIP_PAST
        create = np.flatnonzero(~exists & ~past)
    rows[todo[update]] = at.to_numpy()[update].astype("int64")
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
    return rows, new, collected


def _new_records(
    df: pd.DataFrame, labels_of_new: dict[int, tuple[int, int]]
) -> pd.DataFrame:
    """The created records: each a copy of the household's latest record with
    the event's year. Every figure is carried over, the running totals too
    (medical costs, disaster loss, accidents, dropouts): the events add to
    what the annual record knew, never start again from zero."""
    labels = list(labels_of_new)
    add = df.loc[[labels_of_new[k][0] for k in labels]].copy()
    add.index = labels
    add["year"] = [labels_of_new[k][1] for k in labels]
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


def _periods(
    df: pd.DataFrame,
    rows: np.ndarray,
    collected: np.ndarray,
    created: np.ndarray,
    as_of: pd.Timestamp,
    base_year: np.ndarray,
) -> list[str]:
    """The period of each applied event's record (:func:`push_period`): from
    the day after the collection date (or, without one, the 1st of January
    of the record's year) to ``as_of``."""
    years = df["year"].to_numpy(dtype="int64")[df.index.get_indexer(rows)]
    out = []
    cache: dict[tuple, str] = {}
    for y, c, new, b in zip(years, collected, created, base_year, strict=True):
        key = (int(y), c, bool(new), int(b))
        if key not in cache:
            if pd.isna(c):  # covered="apply": the record's own year
                start = pd.Timestamp(int(y), 1, 1)
                if new:
                    cache[key] = push_period(int(b), start, as_of)
                else:
                    cache[key] = f"{int(y)}年度及当年推送累计"
            else:
                start = pd.Timestamp(c) + pd.Timedelta(days=1)
                cache[key] = push_period(int(b), start, as_of)
        out.append(cache[key])
    return out


def apply_events_quietly(
    panel: pd.DataFrame,
    events: pd.DataFrame,
    *,
    as_of: date | pd.Timestamp,
    config: AlertsConfig | None = None,
    covered: str | None = None,
    pushes: PushesConfig | None = None,
) -> AppliedEvents:
    """:func:`apply_events` without logging the skipped events (a part of a
    panel: the caller logs them once, with :func:`log_skipped`)."""
    shipped = shipped_configs()
    cfg = config if config is not None else shipped.alerts
    pcfg = pushes if pushes is not None else shipped.pushes
    covered = covered if covered is not None else cfg.covered_events
    check_events(events, covered)
    skip_covered = covered == "skip"
    as_of = pd.Timestamp(as_of)
    ev = events.copy()
    for c in ("source", "amount", "persons"):
        if c not in ev:
            ev[c] = None
    hid = ev["household_id"]
    ev["household_id"] = hid.astype(str).where(hid.notna().to_numpy(), "")
    ev["date"] = pd.to_datetime(ev["date"])
    ev = ev.sort_values(["date", "household_id"], kind="stable").reset_index(drop=True)
    ev["year"] = ev["date"].dt.year.fillna(-1).astype("int64")
    df = panel.copy()
    ids = df["household_id"].astype(str)
    latest = df.groupby(ids.to_numpy(), sort=False)["year"].idxmax()
    if "why" in ev:  # marked by the reader (on_bad="skip")
        given = ev["why"].astype(object)
        why = np.array(given.where(given.notna(), None).tolist(), dtype=object)
        ev = ev.drop(columns="why")
    else:
        why = np.full(len(ev), None, dtype=object)

    def mark(mask: np.ndarray, reason: str) -> None:
        why[np.asarray(mask, dtype=bool) & pd.isna(why)] = reason

    mark(ev["date"].isna().to_numpy(), SKIP_DATE)
    mark((ev["date"] > as_of).to_numpy(), SKIP_FUTURE)
    mark(~ev["event_type"].isin(EVENT_TYPES).to_numpy(), SKIP_TYPE)
    src = ev["source"]
    mark((src.notna() & ~src.isin(EVENT_SOURCES)).to_numpy(), SKIP_SOURCE)
    mark(~among(ev["household_id"], latest.index), SKIP_UNKNOWN)
    ok_so_far = pd.isna(why)
    if ok_so_far.any():
        key = [c for c in DUPLICATE_KEY if c in ev]
        dup = np.zeros(len(ev), dtype=bool)
        dup[ok_so_far] = ev.loc[ok_so_far, key].duplicated(keep="first").to_numpy()
        mark(dup, SKIP_DUPLICATE)
    rows, labels_of_new, collected = _event_rows(
        df, ids, latest, ev, why, skip_covered, pcfg
    )
    if labels_of_new:
        add = _new_records(df, labels_of_new)
        df = pd.concat([df, add])
        logger.info("created %d current-year records from the latest ones", len(add))
    ok = pd.isna(why)
    _apply_all(df, rows[ok], ev.loc[ok].to_dict("records"), cfg)
    applied = ev.loc[ok].copy()
    applied["row"] = rows[ok]
    created = ~np.isin(rows[ok], panel.index)  # a record made from pushes
    applied["created"] = created
    base = {k: int(df.at[v[0], "year"]) for k, v in labels_of_new.items()}
    own = df["year"].to_numpy(dtype="int64")[df.index.get_indexer(rows[ok])]
    base_year = np.array(
        [base.get(int(r), int(y)) for r, y in zip(rows[ok], own, strict=True)],
        dtype="int64",
    )
    applied["base_year"] = base_year
    applied["period"] = pd.array(
        _periods(df, rows[ok], collected[ok], created, as_of, base_year),
        dtype="string",
    )
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
