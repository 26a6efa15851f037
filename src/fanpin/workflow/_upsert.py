"""A month's alerts as cases: the alerts table's check and the upsert's SQL.

:meth:`fanpin.workflow.CaseStore.upsert_alerts` owns the transaction; the
functions here work on the connection it gives them and never open the store.
"""

from __future__ import annotations

import logging
import warnings
from dataclasses import dataclass
from datetime import datetime, timedelta

import pandas as pd
import sqlalchemy as sa

from ..exceptions import FanpinWarning, InputError
from ..messages import N_, Message
from ..ranking import RISK_LEVELS
from . import _tables as T

__all__ = [
    "ALERT_COLUMNS",
    "UpsertSummary",
    "apply_alerts",
    "check_alerts",
    "warn_lost_zeros",
]

logger = logging.getLogger(__name__)

ALERT_COLUMNS = (
    "household_id", "year", "province", "county", "township", "village",
    "risk_score", "risk_level", "risk_types", "measures", "departments",
    "deadline", "reasons",
)  # fmt: skip
"""Columns an alerts table must carry (extra columns are ignored, never stored)."""


IDENTIFICATION_DAYS = 15
"""Default deadline: identification normally completes within 15 days [S11]."""

MISSING_ALERT_COLUMNS = N_(
    "The alerts table lacks column(s) {missing}; expected {expected}. Produce it with "
    "fanpin's alerts step (or add the columns)."
)
MSG_NOT_A_FRAME = N_("alerts must be a DataFrame; got {type}.")
MSG_INVALID_ALERTS = N_("The alerts table is invalid:\n{problems}")
MSG_LOST_ZEROS = N_(
    "{n} new household id(s) equal ids already in the case store but for their "
    "leading zeros ({examples}): ids typed as numbers in Excel lose their zeros, "
    "and each such household now has two cases. Keep 户编码 as text in the export "
    "(or repair the ids) and close the duplicate cases."
)
MSG_NO_ID = N_("{n} row(s) have no household_id")
MSG_REPEATED_ID = N_("household_id repeated: {ids} (one alert per household)")
MSG_BAD_SCORE = N_("risk_score must be a probability in [0, 1] in every row")
MSG_BAD_LEVEL = N_("risk_level must be one of {levels}; got {got}")
_BATCH = 500

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
        raise InputError(Message(MSG_NOT_A_FRAME, type=type(alerts).__name__))
    missing = [c for c in ALERT_COLUMNS if c not in alerts.columns]
    if missing:
        raise InputError(
            Message(
                MISSING_ALERT_COLUMNS,
                missing=missing,
                expected=", ".join(ALERT_COLUMNS),
            )
        )
    df = alerts.loc[:, list(ALERT_COLUMNS)].reset_index(drop=True)
    problems = []
    hid = df["household_id"]
    if hid.isna().any():
        problems.append(Message(MSG_NO_ID, n=int(hid.isna().sum())))
    dup = hid[hid.duplicated()].dropna().unique().tolist()
    if dup:
        problems.append(Message(MSG_REPEATED_ID, ids=dup[:5]))
    score = pd.to_numeric(df["risk_score"], errors="coerce")
    if score.isna().any() or ((score < 0) | (score > 1)).any():
        problems.append(Message(MSG_BAD_SCORE))
    bad_level = ~df["risk_level"].isin(RISK_LEVELS)
    if bad_level.any():
        got = sorted(map(str, df.loc[bad_level, "risk_level"].unique()))[:5]
        problems.append(Message(MSG_BAD_LEVEL, levels=", ".join(RISK_LEVELS), got=got))
    if problems:
        raise InputError(
            Message(
                MSG_INVALID_ALERTS, problems="\n".join(f"  - {p}" for p in problems)
            )
        )
    df["household_id"] = hid.astype(str)
    df["risk_score"] = score.astype("float64")
    df["deadline"] = pd.to_datetime(df["deadline"], errors="coerce")
    return df


def _open_rows(conn: sa.Connection, ids: list[str]) -> dict[str, dict]:
    """The open cases of ``ids``, locked for this transaction (PostgreSQL)."""
    c = T.cases.c
    rows: dict[str, dict] = {}
    for start in range(0, len(ids), _BATCH):
        q = (
            sa.select(T.cases)
            .where(
                c.household_id.in_(ids[start : start + _BATCH]), c.closed_at.is_(None)
            )
            .order_by(c.household_id)
        )
        if conn.dialect.name == "postgresql":
            q = q.with_for_update()
        rows.update({r["household_id"]: dict(r) for r in conn.execute(q).mappings()})
    return rows


def _seen(conn: sa.Connection, case_ids: list[int], run_id: str) -> set[int]:
    """Cases that already hold a risk-history row of ``run_id``."""
    h = T.risk_history.c
    out: set[int] = set()
    for start in range(0, len(case_ids), _BATCH):
        out.update(
            conn.execute(
                sa.select(h.case_id).where(
                    h.run_id == run_id, h.case_id.in_(case_ids[start : start + _BATCH])
                )
            ).scalars()
        )
    return out


def apply_alerts(
    conn: sa.Connection,
    df: pd.DataFrame,
    *,
    run_at: datetime,
    run_id: str,
    actor: str,
) -> UpsertSummary:
    """The SQL of :meth:`CaseStore.upsert_alerts` on ``conn``, inside the store's
    write transaction; ``df`` comes from :func:`check_alerts`.

    The open cases are read (and on PostgreSQL locked) here, never trusted from
    an earlier read; households are handled in id order (the order every writer
    locks in). An update is applied only to a case that is still open; a case
    closed meanwhile makes the household a new case, and a case another writer
    opened meanwhile is updated instead of opened twice.
    """
    rank = {lv: i for i, lv in enumerate(RISK_LEVELS)}
    c = T.cases.c
    new, updated, escalated, fell = [], [], [], []
    records = sorted(df.to_dict("records"), key=lambda r: r["household_id"])
    open_rows = _open_rows(conn, [r["household_id"] for r in records])
    already = _seen(conn, [r["case_id"] for r in open_rows.values()], run_id)
    for r in records:
        row = open_rows.get(r["household_id"])
        if row is None:
            item = _open(conn, r, run_at=run_at, run_id=run_id, actor=actor)
            if item is not None:
                new.append(item)
                continue
            # another writer opened a case for the household meanwhile
            row = _open_rows(conn, [r["household_id"]]).get(r["household_id"])
            if row is None or _seen(conn, [row["case_id"]], run_id):
                continue
        elif row["case_id"] in already:
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
        done = conn.execute(
            T.cases.update()
            .where(c.case_id == row["case_id"], c.closed_at.is_(None))
            .values(**values)
        ).rowcount
        if done != 1:  # closed meanwhile: this month's risk opens a new case
            item = _open(conn, r, run_at=run_at, run_id=run_id, actor=actor)
            new += [item] if item is not None else []
            continue
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
    return UpsertSummary(
        run_id, _frame(new), _frame(updated), _frame(escalated), _frame(fell)
    )


def _open(
    conn: sa.Connection, r: dict, *, run_at: datetime, run_id: str, actor: str
) -> tuple | None:
    """Open a case for alert ``r`` with its first risk-history row; its summary
    item, or None if the household has an open case."""
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
    if case_id is None:
        return None
    _history(conn, case_id, run_id, run_at, r, "new")
    return (case_id, r["household_id"], None, r["risk_level"], None, r["risk_score"])


def warn_lost_zeros(conn: sa.Connection, new_ids: pd.Series) -> None:
    """Warn when new household ids equal stored ids but for leading zeros.

    ``33`` beside a stored ``00000033`` (or the other way round) is almost
    always one household whose id lost its zeros in Excel; the run opened it
    as a new case, so the household now has two.
    """
    ids = sorted({str(v) for v in new_ids if str(v)[:1].isdigit()})
    if not ids:
        return
    stripped = {i.lstrip("0") or "0": i for i in ids}
    c = T.cases.c
    key = sa.func.ltrim(c.household_id, "0")
    pairs: list[tuple[str, str]] = []
    keys = list(stripped)
    for start in range(0, len(keys), _BATCH):
        q = (
            sa.select(c.household_id, key)
            .where(key.in_(keys[start : start + _BATCH]))
            .distinct()
        )
        for stored, k in conn.execute(q):
            new_id = stripped.get(k or "0")
            if new_id is not None and stored != new_id:
                pairs.append((new_id, stored))
    if pairs:
        pairs.sort()
        shown = ", ".join(f"new {a!r} vs stored {b!r}" for a, b in pairs[:3])
        warnings.warn(
            Message(MSG_LOST_ZEROS, n=len({a for a, _ in pairs}), examples=shown),
            FanpinWarning,
            stacklevel=3,
        )


def _frame(items: list) -> pd.DataFrame:
    out = pd.DataFrame(items, columns=_SUMMARY_COLUMNS)
    return out.astype(
        {"case_id": "int64", "previous_score": "float64", "risk_score": "float64"}
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
