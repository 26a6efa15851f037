"""One alerts run: score, apply department pushes, explain, list, what-if."""

from __future__ import annotations

import copy
import logging
import warnings
from dataclasses import dataclass
from datetime import date
from typing import Any

import numpy as np
import pandas as pd

from ..config import (
    AlertsConfig,
    MonitoringLines,
    RiskTypes,
    load_alerts_config,
    load_risk_types,
)
from ..explain import explain_households
from ..models import ID_COLUMNS, score_panel
from ..schema import HARDSHIP_REASONS, hardship_reasons
from ._alerts import (
    SOURCE_MODEL,
    SOURCE_PUSH,
    alert_cutoff,
    build_alerts,
    flag_capacity,
    level_cutoffs,
    level_of,
)
from ._assistance import AssistanceMap, load_assistance_map
from ._events import AppliedEvents, apply_events
from ._whatif import what_if

__all__ = ["AlertRun", "run_alerts"]

logger = logging.getLogger(__name__)

LINES_CARRIED = (
    "The monitoring lines ({source}) stop at {last}; the year-to-date record(s) of "
    "{years} created by department pushes are assessed against the {last} line "
    "carried forward. When the {years} line is published, add it to your lines "
    "file, pass it with --lines and retrain the model."
)


@dataclass(frozen=True)
class AlertRun:
    """Everything one alerts run produced.

    Attributes
    ----------
    alerts : DataFrame
        The early-warning list (:func:`~fanpin.workflow.build_alerts`), with
        ``risk_after`` and ``what_if``.
    scored : DataFrame
        Every scored household (latest record, not in hardship): risk, level,
        ``alerted``, ``over_capacity``, ``listed``, ``source``.
    monitored : DataFrame
        Households already in hardship, with ``reasons`` (event reasons added).
    exclusions : DataFrame
        What was left out and why (``kind``, ``household_id``, ``why``): skipped
        events and households without a record in the latest year.
    events : AppliedEvents or None
    cutoff : float
        The alert cutoff score.
    """

    alerts: pd.DataFrame
    scored: pd.DataFrame
    monitored: pd.DataFrame
    exclusions: pd.DataFrame
    events: AppliedEvents | None
    cutoff: float


def _latest_rows(panel: pd.DataFrame) -> pd.Series:
    """Index label of each household's latest record, keyed by household_id."""
    ids = panel["household_id"].astype(str)
    return panel["year"].groupby(ids.to_numpy(), sort=False).idxmax()


def _carry_forward(lines: MonitoringLines, years: list[int]) -> MonitoringLines:
    """``lines`` with each year after its last one set to the last year's line."""
    last = max(lines.default)
    ahead = [y for y in years if y > last]
    provinces = {
        p: {**t, **(dict.fromkeys(ahead, t[last]) if last in t else {})}
        for p, t in lines.provinces.items()
    }
    default = {**lines.default, **dict.fromkeys(ahead, lines.default[last])}
    return MonitoringLines(default=default, provinces=provinces, source=lines.source)


def _lines_ahead(
    model: Any, lines: MonitoringLines, years: list[int], *, warn: bool = True
) -> tuple[Any, MonitoringLines]:
    """Model and lines able to assess records of ``years`` beyond the lines.

    A push after the last annual record creates a record of a year the
    monitoring lines (and the model's feature builder) may not cover yet: that
    year's line is often published months into the year. Until then the latest
    line is carried forward, with a warning (unless ``warn`` is false: a part of
    a panel, the caller warns once for the whole).
    """
    ahead = sorted({y for y in years if y > max(lines.default)})
    feats = model.features
    own = [b for b in getattr(feats, "builders_", []) if hasattr(b, "lines_")]
    own_ahead = sorted({y for b in own for y in years if y > max(b.lines_.default)})
    if not ahead and not own_ahead:
        return model, lines
    late = sorted(set(ahead) | set(own_ahead))
    if warn:
        warnings.warn(
            LINES_CARRIED.format(
                source=lines.source,
                last=max(lines.default) if ahead else max(own[0].lines_.default),
                years=", ".join(map(str, late)),
            ),
            UserWarning,
            stacklevel=3,
        )
    if own_ahead:
        feats = copy.deepcopy(feats)
        for b in getattr(feats, "builders_", []):
            if hasattr(b, "lines_"):
                b.lines_ = _carry_forward(b.lines_, own_ahead)
        model = copy.copy(model)
        model.features = feats
    return model, _carry_forward(lines, ahead) if ahead else lines


@dataclass(frozen=True)
class PushedRecords:
    """The households touched by applied events, scored on their updated record.

    ``hit``: their ids (order of their first applied event); ``new``: id columns
    and ``risk_score`` of each one's latest record; ``reasons``: the reason lines
    of its events (joined with "；"); ``first``: the date of its first event
    (normalised); ``hard``: hardship reasons of the updated record;
    ``in_hard``: whether it is now in hardship (it moves to the monitored list).
    """

    hit: np.ndarray
    new: pd.DataFrame
    reasons: pd.arrays.StringArray
    first: np.ndarray
    hard: pd.DataFrame
    in_hard: np.ndarray

    def moved(self) -> pd.DataFrame:
        """The monitored-list rows of the households now in hardship."""
        new, in_hard = self.new, self.in_hard
        moved = new.loc[in_hard, [c for c in ID_COLUMNS if c in new]].copy()
        h = self.hard.loc[:, list(HARDSHIP_REASONS)].to_numpy(dtype=bool)[in_hard]
        labels = np.array(list(HARDSHIP_REASONS.values()), dtype=object)
        for j, name in enumerate(HARDSHIP_REASONS):
            moved[f"reason_{name}"] = h[:, j]
        events = pd.Series(self.reasons)[in_hard].tolist()
        moved["reasons"] = [
            "；".join([*labels[r], e]) for r, e in zip(h, events, strict=True)
        ]
        return moved


def pushed_records(
    model: Any,
    lines: MonitoringLines,
    work: pd.DataFrame,
    applied: pd.DataFrame,
    last: pd.Series,
    *,
    features: pd.DataFrame | None = None,
) -> PushedRecords:
    """Score the latest record of every household with an applied event.

    ``work``: the panel with the events applied; ``applied``: the applied
    events (:class:`AppliedEvents`); ``last``: :func:`_latest_rows` of ``work``;
    ``features``: the features of ``work`` when already computed (else those of
    the rows needed are computed, with the whole history).
    """
    hit = applied["household_id"].astype(str).unique()
    rows = pd.Index(last.loc[hit].to_numpy())
    names = model.feature_names
    if features is not None:
        X = features.loc[rows, names]
    elif hasattr(model.features, "transform_rows"):
        X = model.features.transform_rows(work, rows)[names]
    else:
        X = model.features.transform(work).loc[rows, names]
    p_new = model.model.predict_proba(X)[:, 1]
    hard = hardship_reasons(work.loc[rows], lines)
    first = applied.groupby("household_id")["date"].min()
    why = applied.groupby("household_id")["reason"].agg("；".join)
    new = pd.DataFrame(
        {c: work.loc[rows, c].to_numpy() for c in ID_COLUMNS if c in work}
    )
    new["risk_score"] = p_new
    return PushedRecords(
        hit=hit,
        new=new,
        reasons=pd.array(why.reindex(hit).tolist(), dtype="string"),
        first=first.reindex(hit).dt.normalize().to_numpy(),
        hard=hard,
        in_hard=hard.any(axis=1).to_numpy(),
    )


def push_columns(
    p_new: np.ndarray,
    was: np.ndarray,
    first: np.ndarray,
    *,
    cutoff: float,
    cuts: dict[str, float],
    as_of: pd.Timestamp,
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Risk level, crossed, source and discovery date of re-scored households.

    A household crossed the cutoff when its new score ``p_new`` is at or above
    it and its score before the events (``was``, NaN when it was not scored)
    was not; it is then raised with source 部门推送, discovered on the date of
    its first event.
    """
    level = level_of(p_new, cuts)
    crossed = (p_new >= cutoff) & ~(np.nan_to_num(was, nan=-1.0) >= cutoff)
    source = np.where(crossed, SOURCE_PUSH, SOURCE_MODEL)
    discovered = np.where(crossed, first, as_of.to_datetime64())
    return level, crossed, source, discovered


def event_exclusions(skipped: pd.DataFrame) -> pd.DataFrame:
    """The exclusions rows of skipped events (``kind`` event)."""
    return pd.DataFrame(
        {
            "kind": "event",
            "household_id": skipped["household_id"].astype(str),
            "date": skipped["date"],
            "event_type": skipped["event_type"],
            "why": skipped["why"],
        }
    )


def household_exclusions(panel: pd.DataFrame, latest_year: int) -> pd.DataFrame:
    """The exclusions rows of households without a record in ``latest_year``,
    sorted by household_id (``kind`` household)."""
    old = panel.groupby(panel["household_id"].astype(str).to_numpy())["year"].max()
    old = old[old < latest_year]
    return pd.DataFrame(
        {
            "kind": "household",
            "household_id": old.index.astype(str),
            "why": [f"no record in {latest_year} (latest {y})" for y in old],
        }
    )


def run_alerts(
    model: Any,
    panel: pd.DataFrame,
    *,
    as_of: date | pd.Timestamp,
    events: pd.DataFrame | None = None,
    lines: MonitoringLines | None = None,
    config: AlertsConfig | None = None,
    explain_config: RiskTypes | None = None,
    assistance: AssistanceMap | None = None,
    capacity: int | None = None,
    covered: str | None = None,
) -> AlertRun:
    """Score the panel, apply department pushes, and build the alert list.

    The annual sweep's households (the panel's latest year, not in hardship) are
    scored; households touched by an event are scored again at once on their
    updated record (see :func:`~fanpin.workflow.apply_events`). An event
    household whose new score crosses the alert cutoff is raised with source
    部门推送, discovered on its first event's date, the events among its reasons;
    one that falls into hardship moves to the monitored list.

    Department pushes are new information only when dated after the period of
    the household's latest annual record (event year > latest record year, and
    on or before ``as_of``): they create that household's record of the event's
    year, year to date, from its latest record. Events dated within a year the
    household already has a record for are already in that record: with
    ``covered="skip"`` (the default, from ``events.covered`` in the alerts
    config) they are skipped, listed in ``exclusions`` with
    :data:`~fanpin.workflow._events.SKIP_COVERED`; ``covered="apply"`` adds them
    to that record anyway (records exported without the pushes). See
    :func:`~fanpin.workflow.apply_events`.

    A year-to-date record is scored like any record: the risk of hardship in
    the year after its year, from the latest annual figures with the pushed
    fields changed. When the monitoring lines (the run's or the model's) do not
    cover its year yet, the latest line is carried forward with a
    ``UserWarning`` (:data:`LINES_CARRIED`).
    """
    cfg = config if config is not None else load_alerts_config()
    risk_types = explain_config if explain_config is not None else load_risk_types()
    amap = (
        assistance
        if assistance is not None
        else load_assistance_map(risk_types=risk_types)
    )
    lines = lines if lines is not None else model.lines
    covered = covered if covered is not None else cfg.covered_events
    as_of = pd.Timestamp(as_of).normalize()
    scored, monitored = score_panel(model, panel, lines)
    cutoff = alert_cutoff(scored, cfg)
    cuts = level_cutoffs(scored)
    latest_year = int(panel["year"].max())
    work = panel
    applied = None
    scored["source"] = SOURCE_MODEL
    scored["event_reasons"] = pd.array([""] * len(scored), dtype="string")
    scored["discovered"] = as_of
    if events is not None and len(events):
        applied = apply_events(panel, events, as_of=as_of, config=cfg, covered=covered)
        work = applied.panel
        model, lines = _lines_ahead(model, lines, sorted(work["year"].unique()))
    X = model.features.transform(work)
    last = _latest_rows(work)
    if applied is not None and len(applied.applied):
        pushed = pushed_records(model, lines, work, applied.applied, last, features=X)
        hit = pushed.hit
        before = scored.set_index(scored["household_id"].astype(str))["risk_score"]
        was = before.reindex(hit).to_numpy(dtype="float64")
        new = pushed.new
        p_new = new["risk_score"].to_numpy()
        level, crossed, source, discovered = push_columns(
            p_new, was, pushed.first, cutoff=cutoff, cuts=cuts, as_of=as_of
        )
        new["risk_level"] = pd.array(level, dtype="string")
        new["source"] = source
        new["event_reasons"] = pushed.reasons
        new["discovered"] = discovered
        in_hard = pushed.in_hard
        keep = scored[~scored["household_id"].astype(str).isin(hit)]
        scored = pd.concat([keep, new.loc[~in_hard]], ignore_index=True)
        mon_keep = monitored[~monitored["household_id"].astype(str).isin(hit)]
        monitored = pd.concat([mon_keep, pushed.moved()], ignore_index=True)
        logger.info(
            "events: %d households re-scored, %d crossed the cutoff, %d now "
            "in hardship",
            len(hit),
            int(crossed.sum()),
            int(in_hard.sum()),
        )
    ids = scored["household_id"].astype(str)
    scored["labor_count"] = work.loc[last.loc[ids].to_numpy(), "labor_count"].to_numpy()
    order = np.lexsort((ids.to_numpy(), -scored["risk_score"].to_numpy()))
    scored = scored.iloc[order].reset_index(drop=True)
    scored["risk_rank"] = np.arange(1, len(scored) + 1)
    flagged = flag_capacity(scored, cutoff=cutoff, config=cfg, capacity=capacity)
    listed = flagged.loc[flagged["listed"]]
    rows = pd.Index(last.loc[listed["household_id"].astype(str)].to_numpy())
    ex = explain_households(
        model, work, rows=rows, lines=lines, risk_types=risk_types, features=X,
        pushes=applied.applied if applied is not None else None,
    )  # fmt: skip
    alerts = build_alerts(
        flagged.drop(columns=["alerted", "listed", "over_capacity", "rank"]).assign(
            alerted=flagged["alerted"]
        ),
        ex,
        amap,
        capacity=capacity,
        as_of=as_of,
        config=cfg,
    )
    alert_rows = pd.Index(last.loc[alerts["household_id"].astype(str)].to_numpy())
    wi = what_if(
        model, work, alerts, alert_rows, config=cfg, assistance=amap, cutoff=cutoff
    )
    for c in ("risk_after", "what_if", "measures", "departments"):
        alerts[c] = wi[c].to_numpy()
    excl = []
    if applied is not None and len(applied.skipped):
        excl.append(event_exclusions(applied.skipped))
    old = household_exclusions(panel, latest_year)
    if len(old):
        excl.append(old)
    exclusions = (
        pd.concat(excl, ignore_index=True)
        if excl
        else pd.DataFrame(columns=["kind", "household_id", "why"])
    )
    return AlertRun(
        alerts=alerts,
        scored=flagged,
        monitored=monitored,
        exclusions=exclusions,
        events=applied,
        cutoff=cutoff,
    )
