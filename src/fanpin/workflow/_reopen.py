"""When a household whose case was closed gets a new case: only on new evidence.

A case closed as 已排除 (the check found no hardship) or 风险消除 (the risk was
eliminated) was decided on what was known when it closed. An alert for the
household opens a new case only when it rests on something the decision could
not have known:

=========  ===================================================================
evidence   the alert ...
=========  ===================================================================
push       carries a department push dated after the day the case closed
record     rests on a later annual record than the one the case was closed on
           (its ``record_year``; a case without one: a record of the closing's
           year or later, since the record of a year is collected at its end)
risk       has a risk score above the score at closing by more than
           :attr:`ReopenRules.risk_margin` (configs/alerts.yaml ``reopen``)
=========  ===================================================================

Anything else is the evidence the case was closed on: re-running the same
inputs (or the next month's inputs without anything new) never reopens a case.
The new case records the case it follows (``reopens``) and which evidence
opened it (``opened_because``); its audit trail says so.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

import pandas as pd

from ..exceptions import ConfigError
from ..messages import N_, Message

__all__ = ["EVIDENCE_KINDS", "ReopenRules", "alert_evidence", "new_evidence"]

EVIDENCE_KINDS = ("push", "record", "risk")
"""The kinds of new evidence, in the order they are looked for."""

MSG_BAD_MARGIN = N_(
    "ReopenRules.risk_margin (reopen.risk_margin in the alerts config) must be a "
    "probability difference in [0, 1]; got {got!r}."
)


@dataclass(frozen=True)
class ReopenRules:
    """What counts as new evidence for a household whose case was closed.

    Parameters
    ----------
    risk_margin : float
        A risk score above the score at closing by more than this (probability
        points: 0.10 is ten points) is new evidence.

    Examples
    --------
    >>> ReopenRules().risk_margin
    0.1
    """

    risk_margin: float = 0.10

    def __post_init__(self) -> None:
        v = self.risk_margin
        if isinstance(v, bool) or not isinstance(v, (int, float)) or not 0 <= v <= 1:
            raise ConfigError(Message(MSG_BAD_MARGIN, got=v))
        object.__setattr__(self, "risk_margin", float(v))


def _missing(v: object) -> bool:
    return v is None or (not isinstance(v, str) and pd.isna(v))


def new_evidence(closed: dict, alert: dict, rules: ReopenRules) -> str | None:
    """The first kind of new evidence ``alert`` brings against the closed case
    ``closed`` (a row of the cases table), or None.

    ``alert`` holds ``risk_score`` and, optionally, ``record_year`` (the year of
    the annual record it rests on) and ``latest_push`` (the date of the latest
    department push applied to the household).

    Examples
    --------
    >>> closed = {"closed_at": datetime(2026, 2, 20), "record_year": 2025,
    ...           "year": 2025, "current_risk": 0.30}
    >>> rules = ReopenRules()
    >>> new_evidence(closed, {"risk_score": 0.35, "record_year": 2025,
    ...                       "latest_push": pd.Timestamp("2026-02-01")}, rules)
    >>> new_evidence(closed, {"risk_score": 0.35, "record_year": 2025,
    ...                       "latest_push": pd.Timestamp("2026-03-02")}, rules)
    'push'
    >>> new_evidence(closed, {"risk_score": 0.35, "record_year": 2026}, rules)
    'record'
    >>> new_evidence(closed, {"risk_score": 0.45, "record_year": 2025}, rules)
    'risk'
    """
    closed_at = closed.get("closed_at")
    push = alert.get("latest_push")
    if not _missing(push) and isinstance(closed_at, datetime):
        if pd.Timestamp(push).date() > closed_at.date():
            return "push"
    year = alert.get("record_year")
    if _missing(year):
        year = alert.get("year")
    if not _missing(year):
        known = closed.get("record_year")
        if _missing(known):
            known = closed.get("year")
        if not _missing(known):
            if int(year) > int(known):
                return "record"
        elif isinstance(closed_at, datetime) and int(year) >= closed_at.year:
            return "record"
    score, before = alert.get("risk_score"), closed.get("current_risk")
    if not _missing(score) and not _missing(before):
        if float(score) - float(before) > rules.risk_margin + 1e-12:
            return "risk"
    return None


def alert_evidence(
    alerts: pd.DataFrame,
    applied: pd.DataFrame | None,
    *,
    latest_year: int | None,
) -> pd.DataFrame:
    """``alerts`` with the evidence columns the case store reads
    (:data:`~fanpin.workflow.EVIDENCE_COLUMNS`), from what an alerts run knows.

    ``record_year`` is ``latest_year``, the panel's latest year: every listed
    household has its annual record of that year (the others are excluded), and
    a year-to-date record made from pushes rests on it. ``latest_push`` is the
    date of the household's latest applied push (``applied``: the run's applied
    events, with household_id and date).

    Examples
    --------
    >>> a = pd.DataFrame({"household_id": ["1", "2"], "year": [2026, 2025]})
    >>> ev = pd.DataFrame({"household_id": ["1", "1"],
    ...                    "date": pd.to_datetime(["2026-01-06", "2026-03-02"])})
    >>> out = alert_evidence(a, ev, latest_year=2025)
    >>> out["record_year"].tolist(), out["latest_push"].dt.strftime("%m-%d").tolist()
    ([2025, 2025], ['03-02', nan])
    """
    out = alerts.copy()
    hid = out["household_id"].astype(str)
    if latest_year is not None:
        out["record_year"] = int(latest_year)
    if applied is not None and len(applied):
        last = pd.to_datetime(applied["date"]).groupby(
            applied["household_id"].astype(str).to_numpy()
        ).max()
        out["latest_push"] = last.reindex(hid).to_numpy()
    else:
        out["latest_push"] = pd.NaT
    out["latest_push"] = pd.to_datetime(out["latest_push"])
    return out
