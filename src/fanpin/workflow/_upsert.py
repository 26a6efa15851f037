"""A month's alerts as cases: the alerts table's check and the upsert's SQL.

:meth:`fanpin.workflow.CaseStore.upsert_alerts` owns the transaction; the
functions here work on the connection it gives them and never open the store.
"""

from __future__ import annotations

import logging
import warnings
from dataclasses import dataclass
from datetime import date, datetime

import pandas as pd
import sqlalchemy as sa

from ..exceptions import FanpinWarning, InputError
from ..messages import N_, Message
from ..ranking import ALERT_LEVELS, URGENT_LEVEL
from . import _tables as T
from ._deadlines import DeadlineRules
from ._problems import bullets
from ._reopen import ReopenRules, new_evidence
from ._states import DEADLINE_STATES

__all__ = [
    "ALERT_COLUMNS",
    "EVIDENCE_COLUMNS",
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

EVIDENCE_COLUMNS = ("record_year", "latest_push", "discovered")
"""Optional columns of an alerts table: the evidence each alert rests on.

``record_year``: the year of the annual record (default: ``year``; give it when
``year`` is that of a year-to-date record made from pushes). ``latest_push``:
the date of the latest department push applied to the household (empty when
none). A household whose case was closed gets a new case only on new evidence
(:mod:`fanpin.workflow._reopen`). ``discovered``: the day the risk was found
(default: the run's day); an urgent case (紧急) is due that day plus the urgent
days (:class:`~fanpin.workflow.DeadlineRules`), whatever its ``deadline``
says if that is later."""

CASE_NEW, CASE_CARRIED, CASE_CLOSED = "新增", "延续", "已结案"
"""How an alert list shows a household's case: opened by this run; open and
carried over from an earlier run; closed (已排除 / 风险消除), not reopened by
this run's alert (no new evidence)."""


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
    new : cases opened by this run (reopened ones included).
    updated : open cases that got a new risk-history row.
    escalated : updated cases whose level rose (低 -> 中 -> 高 -> 紧急).
    fell : updated cases whose level fell.
    reopened : the new cases of households whose case was closed, opened on new
        evidence: case_id, household_id, reopens (the closed case), evidence
        (push, record or risk).
    kept_closed : households whose case was closed and stays closed (the alert
        brings no new evidence): case_id (the closed case), household_id,
        state, closed_at, risk_score.
    """

    run_id: str
    new: pd.DataFrame
    updated: pd.DataFrame
    escalated: pd.DataFrame
    fell: pd.DataFrame
    reopened: pd.DataFrame = None  # type: ignore[assignment]
    kept_closed: pd.DataFrame = None  # type: ignore[assignment]

    def __post_init__(self) -> None:
        if self.reopened is None:
            object.__setattr__(self, "reopened", _reopened_frame([]))
        if self.kept_closed is None:
            object.__setattr__(self, "kept_closed", _kept_frame([]))

    def counts(self) -> dict[str, int]:
        """Number of cases in each list."""
        return {
            k: len(getattr(self, k))
            for k in ("new", "updated", "escalated", "fell", "reopened", "kept_closed")
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
    extra = alerts.reset_index(drop=True)
    df["record_year"] = (
        pd.to_numeric(extra["record_year"], errors="coerce")
        if "record_year" in extra
        else pd.Series(float("nan"), index=df.index)
    )
    for col in ("latest_push", "discovered"):
        df[col] = (
            pd.to_datetime(extra[col], errors="coerce")
            if col in extra
            else pd.Series(pd.NaT, index=df.index, dtype="datetime64[ns]")
        )
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
    bad_level = ~df["risk_level"].isin(ALERT_LEVELS)
    if bad_level.any():
        got = sorted(map(str, df.loc[bad_level, "risk_level"].unique()))[:5]
        problems.append(Message(MSG_BAD_LEVEL, levels=", ".join(ALERT_LEVELS), got=got))
    if problems:
        raise InputError(
            Message(
                MSG_INVALID_ALERTS, problems=bullets(problems)
            )
        )
    df["household_id"] = hid.astype(str)
    df["risk_score"] = score.astype("float64")
    df["deadline"] = pd.to_datetime(df["deadline"], errors="coerce")
    return df


def _case_rows(
    conn: sa.Connection, ids: list[str], *, closed: bool = False
) -> dict[str, dict]:
    """The open case of each of ``ids``, locked for this transaction
    (PostgreSQL); with ``closed``, the most recently closed case of each."""
    c = T.cases.c
    rows: dict[str, dict] = {}
    for start in range(0, len(ids), _BATCH):
        q = sa.select(T.cases).where(
            c.household_id.in_(ids[start : start + _BATCH]),
            c.closed_at.is_not(None) if closed else c.closed_at.is_(None),
        )
        if closed:
            q = q.order_by(c.household_id, c.closed_at, c.case_id)
        else:
            q = q.order_by(c.household_id)
            if conn.dialect.name == "postgresql":
                q = q.with_for_update()
        rows.update({r["household_id"]: dict(r) for r in conn.execute(q).mappings()})
    return rows


def _open_rows(conn: sa.Connection, ids: list[str]) -> dict[str, dict]:
    """The open cases of ``ids``, locked for this transaction (PostgreSQL)."""
    return _case_rows(conn, ids)


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
    reopen: ReopenRules | None = None,
    deadlines: DeadlineRules | None = None,
) -> UpsertSummary:
    """The SQL of :meth:`CaseStore.upsert_alerts` on ``conn``, inside the store's
    write transaction; ``df`` comes from :func:`check_alerts`.

    The open cases are read (and on PostgreSQL locked) here, never trusted from
    an earlier read; households are handled in id order (the order every writer
    locks in). An update is applied only to a case that is still open; a case
    another writer opened meanwhile is updated instead of opened twice. A
    household without an open case whose last case was closed gets a new case
    only on new evidence (:func:`~fanpin.workflow._reopen.new_evidence`).
    """
    rules = reopen if reopen is not None else ReopenRules()
    due_rules = deadlines if deadlines is not None else DeadlineRules()
    rank = {lv: i for i, lv in enumerate(ALERT_LEVELS)}
    c = T.cases.c
    new, updated, escalated, fell, reopened, kept = [], [], [], [], [], []
    records = sorted(df.to_dict("records"), key=lambda r: r["household_id"])
    open_rows = _open_rows(conn, [r["household_id"] for r in records])
    already = _seen(conn, [r["case_id"] for r in open_rows.values()], run_id)
    closed_rows = _case_rows(
        conn,
        [r["household_id"] for r in records if r["household_id"] not in open_rows],
        closed=True,
    )

    def open_new(r: dict, closed: dict | None) -> tuple[bool, tuple | None]:
        """Open a case for ``r`` unless its closed case stands: (whether the
        closed case stands, the new case's summary item or None)."""
        evidence = None
        if closed is not None:
            evidence = new_evidence(closed, r, rules)
            if evidence is None:
                kept.append(
                    (closed["case_id"], r["household_id"], closed["state"],
                     closed["closed_at"], r["risk_score"])
                )  # fmt: skip
                return True, None
        item = _open(
            conn, r, run_at=run_at, run_id=run_id, actor=actor, closed=closed,
            evidence=evidence, rules=rules, deadline=_due(r, run_at, due_rules),
        )  # fmt: skip
        if item is not None and closed is not None:
            reopened.append((item[0], r["household_id"], closed["case_id"], evidence))
        return False, item

    for r in records:
        row = open_rows.get(r["household_id"])
        if row is None:
            stands, item = open_new(r, closed_rows.get(r["household_id"]))
            if item is not None:
                new.append(item)
                continue
            if stands:
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
            "record_year": _record_year(r),
            "updated_at": run_at,
        }
        push = _date(r["latest_push"])
        if push is not None and (row["last_push"] is None or push > row["last_push"]):
            values["last_push"] = push
        if up and row["state"] in DEADLINE_STATES:
            new_deadline = _due(r, run_at, due_rules, given_only=True)
            if new_deadline is not None and (
                row["deadline"] is None or new_deadline < row["deadline"]
            ):
                values["deadline"] = new_deadline
        done = conn.execute(
            T.cases.update()
            .where(c.case_id == row["case_id"], c.closed_at.is_(None))
            .values(**values)
        ).rowcount
        if done != 1:  # closed meanwhile: as a household whose case was closed
            closed = conn.execute(
                sa.select(T.cases).where(c.case_id == row["case_id"])
            ).mappings().one()
            _, item = open_new(r, dict(closed))
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
        "alerts run %s: %d new (%d reopened on new evidence), %d updated, "
        "%d escalated, %d fell, %d closed cases kept closed",
        run_id,
        len(new),
        len(reopened),
        len(updated),
        len(escalated),
        len(fell),
        len(kept),
    )
    return UpsertSummary(
        run_id,
        _frame(new),
        _frame(updated),
        _frame(escalated),
        _frame(fell),
        _reopened_frame(reopened),
        _kept_frame(kept),
    )


_EVIDENCE_NOTES = {
    "push": "a department push dated {push} after the closing",
    "record": "the annual record of {year} (the case was closed on {known})",
    "risk": "risk {score:.3f}, up from {before:.3f} at closing by more than {margin:g}",
}


def _reopen_note(run_id: str, closed: dict, r: dict, evidence: str, rules) -> str:  # noqa: ANN001
    known = closed.get("record_year") or closed.get("year")
    detail = _EVIDENCE_NOTES[evidence].format(
        push=_date(r["latest_push"]),
        year=_record_year(r),
        known=known if known is not None else "an unknown record",
        score=float(r["risk_score"]),
        before=float(closed["current_risk"] or 0.0),
        margin=rules.risk_margin,
    )
    closed_on = closed["closed_at"].date().isoformat()
    return (
        f"alert run {run_id}; reopens case {closed['case_id']} ({closed['state']} "
        f"{closed_on}) on new evidence ({evidence}): {detail}"
    )


def _open(
    conn: sa.Connection,
    r: dict,
    *,
    run_at: datetime,
    run_id: str,
    actor: str,
    closed: dict | None = None,
    evidence: str | None = None,
    rules: ReopenRules | None = None,
    deadline: date | None = None,
) -> tuple | None:
    """Open a case for alert ``r`` with its first risk-history row; its summary
    item, or None if the household has an open case. ``closed`` and
    ``evidence``: the closed case it follows and the new evidence;
    ``deadline``: its deadline (:func:`_due`)."""
    if deadline is None:
        deadline = _due(r, run_at, DeadlineRules())
    note = (
        f"alert run {run_id}"
        if closed is None or evidence is None
        else _reopen_note(run_id, closed, r, evidence, rules or ReopenRules())
    )
    case_id = T.insert_case(
        conn,
        r["household_id"],
        at=run_at,
        actor=actor,
        note=note,
        province=_clean(r["province"]),
        county=_clean(r["county"]),
        township=_clean(r["township"]),
        village=_clean(r["village"]),
        year=_int(r["year"]),
        record_year=_record_year(r),
        last_push=_date(r["latest_push"]),
        reopens=None if closed is None else int(closed["case_id"]),
        opened_because=evidence,
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


def _due(
    r: dict, run_at: datetime, rules: DeadlineRules, *, given_only: bool = False
) -> date | None:
    """The deadline of alert ``r``: its ``deadline``, or the days of its level
    from the later of its discovery and the run's day (the case's opening:
    :meth:`DeadlineRules.due`); for 紧急 never later than the urgent days allow.
    With ``given_only``, None for an alert without a deadline that is not
    urgent (an open case keeps its own)."""
    given = None if pd.isna(r["deadline"]) else r["deadline"].date()
    found = _date(r.get("discovered")) or run_at.date()
    if r["risk_level"] == URGENT_LEVEL:
        urgent = rules.due(found, URGENT_LEVEL, opened=run_at)
        return urgent if given is None else min(given, urgent)
    if given is not None or given_only:
        return given
    return rules.due(found, r["risk_level"], opened=run_at)


def _record_year(r: dict) -> int | None:
    year = r.get("record_year")
    return _int(r["year"]) if year is None or pd.isna(year) else int(year)


def _date(v: object) -> date | None:
    return None if v is None or pd.isna(v) else pd.Timestamp(v).date()


def _reopened_frame(items: list) -> pd.DataFrame:
    out = pd.DataFrame(
        items, columns=["case_id", "household_id", "reopens", "evidence"]
    )
    return out.astype({"case_id": "int64", "reopens": "int64"})


def _kept_frame(items: list) -> pd.DataFrame:
    out = pd.DataFrame(
        items,
        columns=["case_id", "household_id", "state", "closed_at", "risk_score"],
    )
    return out.astype({"case_id": "int64", "risk_score": "float64"})


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
