"""Turn a month's alerts into cases: open new ones, update, escalate, note falls."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import TYPE_CHECKING

import pandas as pd
import sqlalchemy as sa

from ..exceptions import InputError
from ..ranking import RISK_LEVELS
from . import _tables as T
from ._cases import as_naive

if TYPE_CHECKING:
    from ._cases import CaseStore

__all__ = ["ALERT_COLUMNS", "RISK_LEVELS", "UpsertSummary", "upsert_alerts"]

logger = logging.getLogger(__name__)

ALERT_COLUMNS = (
    "household_id", "year", "province", "county", "township", "village",
    "risk_score", "risk_level", "risk_types", "measures", "departments",
    "deadline", "reasons",
)  # fmt: skip
"""Columns an alerts table must carry (extra columns are ignored, never stored)."""


IDENTIFICATION_DAYS = 15
"""Default deadline: identification normally completes within 15 days [S11]."""

MISSING_ALERT_COLUMNS = (
    "The alerts table lacks column(s) {missing}; expected {expected}. Produce it with "
    "fanpin's alerts step (or add the columns)."
)

_SUMMARY_COLUMNS = [
    "case_id",
    "household_id",
    "previous_level",
    "risk_level",
    "previous_score",
    "risk_score",
]


@dataclass(frozen=True)
class UpsertSummary:
    """What one alerts run did to the store.

    Each attribute is a DataFrame with columns case_id, household_id,
    previous_level, risk_level, previous_score, risk_score.

    Attributes
    ----------
    new : cases opened by this run.
    updated : open cases that got a new risk-history row.
    escalated : updated cases whose level rose (低 -> 中 -> 高).
    fell : updated cases whose level fell.
    """

    run_id: str
    new: pd.DataFrame
    updated: pd.DataFrame
    escalated: pd.DataFrame
    fell: pd.DataFrame

    def counts(self) -> dict[str, int]:
        """Number of cases in each list."""
        return {
            k: len(getattr(self, k)) for k in ("new", "updated", "escalated", "fell")
        }


def _joined(value: object) -> str | None:
    if isinstance(value, (list, tuple)):
        return ";".join(str(v) for v in value)
    if value is None or pd.isna(value):
        return None
    return str(value)


def _clean(value: object) -> object:
    return (
        None
        if value is None or (not isinstance(value, (list, tuple)) and pd.isna(value))
        else value
    )


def check_alerts(alerts: pd.DataFrame) -> pd.DataFrame:
    """Validate an alerts table and return its expected columns, normalised."""
    if not isinstance(alerts, pd.DataFrame):
        raise InputError(f"alerts must be a DataFrame; got {type(alerts).__name__}.")
    missing = [c for c in ALERT_COLUMNS if c not in alerts.columns]
    if missing:
        raise InputError(
            MISSING_ALERT_COLUMNS.format(
                missing=missing, expected=", ".join(ALERT_COLUMNS)
            )
        )
    df = alerts.loc[:, list(ALERT_COLUMNS)].reset_index(drop=True)
    problems = []
    hid = df["household_id"]
    if hid.isna().any():
        problems.append(f"{int(hid.isna().sum())} row(s) have no household_id")
    dup = hid[hid.duplicated()].dropna().unique().tolist()
    if dup:
        problems.append(f"household_id repeated: {dup[:5]} (one alert per household)")
    score = pd.to_numeric(df["risk_score"], errors="coerce")
    if score.isna().any() or ((score < 0) | (score > 1)).any():
        problems.append("risk_score must be a probability in [0, 1] in every row")
    bad_level = ~df["risk_level"].isin(RISK_LEVELS)
    if bad_level.any():
        problems.append(
            f"risk_level must be one of {', '.join(RISK_LEVELS)}; got "
            f"{sorted(map(str, df.loc[bad_level, 'risk_level'].unique()))[:5]}"
        )
    if problems:
        raise InputError(
            "The alerts table is invalid:\n" + "\n".join(f"  - {p}" for p in problems)
        )
    df["household_id"] = hid.astype(str)
    df["risk_score"] = score.astype("float64")
    df["deadline"] = pd.to_datetime(df["deadline"], errors="coerce")
    return df


def upsert_alerts(
    store: CaseStore,
    alerts: pd.DataFrame,
    *,
    run_at: datetime | None = None,
    run_id: str | None = None,
    actor: str = "fanpin",
) -> UpsertSummary:
    """Open a case per new alerted household and update the open ones, atomically.

    A household has at most one open case: an alert for a household with an open
    case appends to the case's risk history (once per ``run_id``: running the same
    run again changes nothing) and updates its current risk; a rise in level is
    listed in ``escalated`` (and brings the deadline forward to the alert's), a fall
    in ``fell``.

    Examples
    --------
    >>> from fanpin.workflow import CaseStore
    >>> store = CaseStore("sqlite://")
    >>> alerts = pd.DataFrame({"household_id": ["H1"], "year": [2024],
    ...     "province": ["P"],
    ...     "county": ["C"], "township": ["T"], "village": ["V"], "risk_score": [0.4],
    ...     "risk_level": ["中"], "risk_types": ["01"], "measures": ["健康帮扶"],
    ...     "departments": ["医保"], "deadline": ["2024-02-15"], "reasons": ["大病"]})
    >>> store.upsert_alerts(alerts, run_at=datetime(2024, 2, 1)).counts()
    {'new': 1, 'updated': 0, 'escalated': 0, 'fell': 0}
    >>> alerts.loc[0, ["risk_score", "risk_level"]] = [0.8, "高"]
    >>> store.upsert_alerts(alerts, run_at=datetime(2024, 3, 1)).counts()
    {'new': 0, 'updated': 1, 'escalated': 1, 'fell': 0}
    """
    from ._cases import _actor

    run_at = as_naive(run_at)
    run_id = str(run_id) if run_id is not None else run_at.isoformat(timespec="seconds")
    actor = _actor(actor)
    df = check_alerts(alerts)
    rank = {lv: i for i, lv in enumerate(RISK_LEVELS)}
    c = T.cases.c
    new, updated, escalated, fell = [], [], [], []
    with store._tx() as conn:  # noqa: SLF001 - one transaction for the whole run
        open_rows: dict[str, dict] = {}
        ids = df["household_id"].tolist()
        for start in range(0, len(ids), 500):
            q = sa.select(T.cases).where(
                c.household_id.in_(ids[start : start + 500]), c.closed_at.is_(None)
            )
            open_rows.update(
                {r["household_id"]: dict(r) for r in conn.execute(q).mappings()}
            )
        already = set()
        if open_rows:
            case_ids = [r["case_id"] for r in open_rows.values()]
            for start in range(0, len(case_ids), 500):
                already.update(
                    conn.execute(
                        sa.select(T.risk_history.c.case_id).where(
                            T.risk_history.c.run_id == run_id,
                            T.risk_history.c.case_id.in_(case_ids[start : start + 500]),
                        )
                    ).scalars()
                )
        records = df.to_dict("records")
        fresh = [r for r in records if r["household_id"] not in open_rows]
        for r in fresh:
            deadline = r["deadline"]
            deadline = (
                (run_at + timedelta(days=IDENTIFICATION_DAYS)).date()
                if pd.isna(deadline)
                else deadline.date()
            )
            case_id = T.insert_case(
                conn,
                r["household_id"],
                at=run_at,
                actor=actor,
                note=f"alert run {run_id}",
                province=_clean(r["province"]),
                county=_clean(r["county"]),
                township=_clean(r["township"]),
                village=_clean(r["village"]),
                year=_int(r["year"]),
                deadline=deadline,
                current_risk=r["risk_score"],
                current_level=r["risk_level"],
                risk_types=_joined(r["risk_types"]),
                suggested_measures=_joined(r["measures"]),
                suggested_departments=_joined(r["departments"]),
            )
            _history(conn, case_id, run_id, run_at, r, "new")
            new.append(
                (
                    case_id,
                    r["household_id"],
                    None,
                    r["risk_level"],
                    None,
                    r["risk_score"],
                )
            )
        for r in records:
            row = open_rows.get(r["household_id"])
            if row is None or row["case_id"] in already:
                continue
            prev_level, prev_score = row["current_level"], row["current_risk"]
            up = prev_level is not None and rank[r["risk_level"]] > rank[prev_level]
            down = prev_level is not None and rank[r["risk_level"]] < rank[prev_level]
            change = "up" if up else "down" if down else "same"
            values = {
                "current_risk": r["risk_score"],
                "current_level": r["risk_level"],
                "risk_types": _joined(r["risk_types"]),
                "suggested_measures": _joined(r["measures"]),
                "suggested_departments": _joined(r["departments"]),
                "year": _int(r["year"]),
                "updated_at": run_at,
            }
            if up and not pd.isna(r["deadline"]) and row["state"] in ("预警", "核查中"):
                new_deadline = r["deadline"].date()
                if row["deadline"] is None or new_deadline < row["deadline"]:
                    values["deadline"] = new_deadline
            conn.execute(
                T.cases.update().where(c.case_id == row["case_id"]).values(**values)
            )
            _history(conn, row["case_id"], run_id, run_at, r, change)
            item = (
                row["case_id"],
                r["household_id"],
                prev_level,
                r["risk_level"],
                prev_score,
                r["risk_score"],
            )
            updated.append(item)
            (escalated if up else fell if down else []).append(item)
    logger.info(
        "alerts run %s: %d new, %d updated, %d escalated, %d fell",
        run_id,
        len(new),
        len(updated),
        len(escalated),
        len(fell),
    )

    def frame(items: list) -> pd.DataFrame:
        out = pd.DataFrame(items, columns=_SUMMARY_COLUMNS)
        return out.astype(
            {"case_id": "int64", "previous_score": "float64", "risk_score": "float64"}
        )

    return UpsertSummary(
        run_id, frame(new), frame(updated), frame(escalated), frame(fell)
    )


def _int(v: object) -> int | None:
    return None if v is None or pd.isna(v) else int(v)


def _history(conn, case_id, run_id, run_at, r, change) -> None:  # noqa: ANN001
    conn.execute(
        T.risk_history.insert().values(
            case_id=case_id,
            run_id=run_id,
            run_at=run_at,
            year=_int(r["year"]),
            risk_score=r["risk_score"],
            risk_level=r["risk_level"],
            change=change,
            risk_types=_joined(r["risk_types"]),
            reasons=_clean(r["reasons"]),
        )
    )
