"""The case store: monitored households' cases, their risk history and audit trail."""

from __future__ import annotations

import logging
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from pathlib import Path

import numpy as np
import pandas as pd
import sqlalchemy as sa
from sqlalchemy.engine import Connection, Engine

from ..config._assistance import check_department as check_department_name
from ..config._assistance import check_measure as check_measure_name
from ..exceptions import CaseStoreError, TransitionError
from ..messages import N_, Message
from . import _tables as T
from ._assistance import AssistanceMap
from ._case_values import (
    check_actor,
    check_lengths,
    clean_note,
    clean_places,
)
from ._database import make_engine, store_url, transaction
from ._deadlines import DeadlineRules
from ._elimination import ELIMINATION_REFUSED, EliminationEvidence, EliminationRules
from ._hit_rate import OUTCOME_FALSE, OUTCOME_TRUE
from ._problems import bullets, row_order
from ._reopen import ReopenRules
from ._states import (
    CATEGORIES,
    CLOSED_STATES,
    DEADLINE_STATES,
    ELIMINATION_METHODS,
    STATES,
    check_transition,
)
from ._upsert import (
    CASE_CARRIED,
    CASE_CLOSED,
    CASE_NEW,
    UpsertSummary,
    _case_rows,
    apply_alerts,
    check_alerts,
    warn_lost_zeros,
)
from ._verification import (
    ROW_NO_ACTOR,
    ROW_NO_CASE,
    ROW_OTHER_HOUSEHOLD,
    VerificationRow,
    plan_steps,
    refusal,
)

__all__ = ["MSG_IMPORT_REFUSED", "CaseStore", "VerificationSummary", "as_naive"]

logger = logging.getLogger(__name__)

NO_SUCH_CASE = N_(
    "There is no case {case_id} in the store {url}; "
    "list cases with `fanpin cases list`."
)
NEEDS_CATEGORY = N_(
    "Case {case_id}: moving to 已认定 needs the monitoring category (监测对象类别), "
    "one of {categories}; got {got!r}. Pass --category."
)
NEEDS_METHOD = N_(
    "Case {case_id}: moving to 风险消除 needs the method (风险消除方式), one of "
    "{methods}; got {got!r}. Pass --method."
)
NEEDS_EVIDENCE = N_(
    "Case {case_id}: moving to 风险消除 needs evidence (per-capita income, the line "
    "and labour count): pass evidence=EliminationEvidence(...) (CLI: --income "
    "--line --labor)."
)
MSG_BAD_TIME = N_("Times must be datetime objects; got {type}.")
MSG_UNKNOWN_STATE = N_("Unknown state {state!r}; states are {states}.")
MSG_BAD_FIELDS = N_("open_case got unknown or reserved field(s) {fields}.")
MSG_ALREADY_OPEN = N_(
    "Household {household_id!r} already has open case {case_id}; update that case "
    "instead."
)
MSG_CLOSED_MEASURE = N_(
    "Case {case_id} is closed ({state}); measures go on open cases."
)
MSG_NEEDS_DEPARTMENT = N_(
    "Measure {measure!r} needs a lead department: pass department= (CLI "
    "--department) or give the store an AssistanceMap."
)
MSG_BEFORE_OPENED = N_(
    "Case {case_id}: the time {at} is before the case was opened ({opened}); a "
    "change cannot predate its case. Give the time it really happened."
)
MSG_BEFORE_LAST = N_(
    "Case {case_id}: the time {at} is before its last recorded change ({last}, to "
    "{state}); changes are recorded in the order they happened. Give a time on or "
    "after {last}."
)
MSG_AFTER_AS_OF = N_(
    "Case {case_id}: the time {at} is after the --as-of date {as_of}; a change "
    "cannot be recorded after the date the command works on."
)
MSG_IN_FUTURE = N_(
    "Case {case_id}: the time {at} is in the future (now is {now}); give the time "
    "the change really happened."
)
MSG_NO_STORE_FILE = N_(
    "There is no case store at {url}: the file {path} does not exist. Check the "
    "path, or create a store with `fanpin alerts ... --store URL` or `fanpin cases "
    "init --store URL`."
)
MSG_IMPORT_REFUSED = N_(
    "{workbook}: not imported, nothing of it was changed: {n} row(s) refused:\n"
    "{rows}\nCorrect these rows in the workbook and import it again."
)
MSG_CHANGED_MEANWHILE = N_(
    "Case {case_id} changed while this update was being made (it is no longer in "
    "state {expected!r}); nothing was written. Look at it again with `fanpin cases "
    "show {case_id}`."
)


def _clock() -> datetime:
    """The current time (naive local, whole seconds)."""
    return datetime.now().replace(microsecond=0)


def as_naive(t: datetime | None) -> datetime:
    """``t`` as a naive datetime (aware times converted to local time); now if None."""
    if t is None:
        return _clock()
    if not isinstance(t, datetime):
        raise CaseStoreError(Message(MSG_BAD_TIME, type=type(t).__name__))
    return t.astimezone().replace(tzinfo=None) if t.tzinfo is not None else t


def _day(value: date | datetime | None) -> date | None:
    if value is None:
        return None
    if isinstance(value, datetime):
        return as_naive(value).date()
    if isinstance(value, date):
        return value
    raise CaseStoreError(Message(MSG_BAD_TIME, type=type(value).__name__))


def _as_day(value: date | datetime) -> date:
    """The day of ``value`` (a datetime, naive local, or a date)."""
    return as_naive(value).date() if isinstance(value, datetime) else value


def _shown(t: datetime) -> str:
    return t.isoformat(sep=" ", timespec="minutes" if t.second == 0 else "seconds")


def check_not_after(case_id: object, at: datetime, as_of: date | None) -> None:
    """Refuse a time after ``as_of`` (the whole day is allowed) or the clock."""
    if as_of is not None:
        if at.date() > as_of:
            raise CaseStoreError(
                Message(
                    MSG_AFTER_AS_OF, case_id=case_id, at=_shown(at), as_of=str(as_of)
                )
            )
        return
    now = _clock()
    if at > now + timedelta(seconds=60):  # a minute's grace for clock skew
        raise CaseStoreError(
            Message(MSG_IN_FUTURE, case_id=case_id, at=_shown(at), now=_shown(now))
        )


class CaseStore:
    """Cases of at-risk households in a SQL database (SQLite by default, or PostgreSQL).

    Opening a store checks it: its tables, columns, indexes (the one-open-case
    index among them) and schema version must be fanpin's, or it is refused;
    an empty database gets the schema. No personal data is stored:
    ``household_id`` is the key; notes and place names have ID- and phone-like
    numbers masked, and an actor holding one is refused.

    The store is safe under concurrent use (a monthly alerts run while cadres
    update cases, on SQLite or PostgreSQL): every change that reads before it
    writes runs in one write transaction (SQLite ``BEGIN IMMEDIATE``,
    PostgreSQL row locks), and a transition is applied only if the case is
    still in the state it was read in.

    Parameters
    ----------
    url : str
        SQLAlchemy URL: ``sqlite:///cases.db`` or
        ``postgresql://user:password@host/db`` (psycopg 3, ``fanpin[postgres]``).
    elimination_rules : EliminationRules, optional
        Rules checked before a risk is eliminated (defaults: 183 days, 1 measure).
    assistance : AssistanceMap, optional
        Gives the default lead department of a recorded measure.
    create : bool
        Create the store (the SQLite file and the schema) when there is none;
        with ``create=False`` a missing SQLite file or an empty database is
        refused (what commands that only read or update cases use).
    busy_timeout : float
        Seconds to wait for another writer (a store busy for longer is refused
        with a message; nothing is changed).

    Examples
    --------
    >>> store = CaseStore("sqlite://")  # in memory
    >>> t0 = datetime(2024, 1, 5)
    >>> cid = store.open_case("H001", county="A县", actor="cadre", now=t0)
    >>> store.transition(cid, "核查中", actor="cadre", now=t0)["state"]
    '核查中'
    >>> store.transitions(cid)["to_state"].tolist()
    ['预警', '核查中']
    """

    def __init__(
        self,
        url: str = "sqlite:///cases.db",
        *,
        elimination_rules: EliminationRules | None = None,
        assistance: AssistanceMap | None = None,
        create: bool = True,
        busy_timeout: float = 30.0,
    ) -> None:
        self.url = url
        self.elimination_rules = elimination_rules or EliminationRules()
        self.assistance = assistance
        self.busy_timeout = float(busy_timeout)
        parsed = store_url(url)
        self._safe_url = parsed.render_as_string(hide_password=True)
        if not create and parsed.get_backend_name() == "sqlite":
            db = parsed.database
            if db not in (None, "", ":memory:") and not Path(db).is_file():
                # sqlite would create an empty file on connecting: refuse first
                raise CaseStoreError(
                    Message(MSG_NO_STORE_FILE, url=self._safe_url, path=db)
                )
        self._engine = make_engine(parsed, busy_timeout=self.busy_timeout)
        try:
            self._init_schema(create=create)
        except BaseException:
            self._engine.dispose()
            raise

    def __repr__(self) -> str:
        return f"CaseStore({self._safe_url!r})"

    # -- plumbing ---------------------------------------------------------------
    @property
    def engine(self) -> Engine:
        """The SQLAlchemy engine (for advanced queries)."""
        return self._engine

    @property
    def path(self) -> Path | None:
        """The SQLite file of the store (None in memory or on PostgreSQL)."""
        url = self._engine.url
        if url.get_backend_name() != "sqlite" or url.database in (None, "", ":memory:"):
            return None
        return Path(url.database)

    @contextmanager
    def _tx(self, *, write: bool = True) -> Iterator[Connection]:
        with transaction(
            self._engine, self._safe_url, write=write, busy_timeout=self.busy_timeout
        ) as conn:
            yield conn

    def _init_schema(self, *, create: bool) -> None:
        try:
            with self._tx(write=False) as conn:
                present = set(sa.inspect(conn).get_table_names())
                if present & {t.name for t in T.metadata.sorted_tables}:
                    T.check_schema(conn, self._safe_url, create=create)
                    return
        except T.NeedsUpgrade:
            pass  # an older version: upgraded below, in a write transaction
        with self._tx(write=True) as conn:  # create or upgrade, one at a time
            if conn.dialect.name == "postgresql":
                conn.execute(sa.text("SELECT pg_advisory_xact_lock(47110815)"))
            if T.check_schema(conn, self._safe_url, create=create, upgrade=True):
                logger.info(
                    "created or upgraded the case store schema in %s", self._safe_url
                )

    def check_writable(self) -> None:
        """Refuse (:class:`CaseStoreError`) a store that cannot be written.

        Runs a write transaction that changes nothing: the store's write lock,
        its file and folder (SQLite) or its privileges (PostgreSQL) are tried
        before any work that needs them, e.g. at the start of an alerts run.
        """
        try:
            with self._tx(write=True) as conn:
                conn.execute(
                    T.schema_info.update().values(version=T.schema_info.c.version)
                )
                raise _Rollback
        except _Rollback:
            return

    def close(self) -> None:
        """Release the connection pool."""
        self._engine.dispose()

    def __enter__(self) -> CaseStore:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # -- reading ----------------------------------------------------------------
    def _case_row(self, conn: Connection, case_id: int, *, lock: bool = False) -> dict:
        q = sa.select(T.cases).where(T.cases.c.case_id == int(case_id))
        if lock and conn.dialect.name == "postgresql":
            q = q.with_for_update()
        row = conn.execute(q).mappings().first()
        if row is None:
            raise CaseStoreError(
                Message(NO_SUCH_CASE, case_id=case_id, url=self._safe_url)
            )
        return dict(row)

    def get_case(self, case_id: int) -> dict:
        """One case as a dict of its columns."""
        with self._tx(write=False) as conn:
            return self._case_row(conn, case_id)

    def list_cases(
        self,
        *,
        state: str | None = None,
        township: str | None = None,
        county: str | None = None,
        household_id: str | None = None,
        open_only: bool = False,
        overdue_at: datetime | None = None,
    ) -> pd.DataFrame:
        """Cases as a DataFrame; ``overdue_at`` keeps open cases past their deadline."""
        c = T.cases.c
        q = sa.select(T.cases).order_by(c.case_id)
        if state is not None:
            if state not in STATES:
                raise CaseStoreError(
                    Message(MSG_UNKNOWN_STATE, state=state, states=", ".join(STATES))
                )
            q = q.where(c.state == state)
        for col, val in (
            (c.township, township),
            (c.county, county),
            (c.household_id, household_id),
        ):
            if val is not None:
                q = q.where(col == val)
        if open_only or overdue_at is not None:
            q = q.where(c.closed_at.is_(None))
        if overdue_at is not None:
            q = q.where(
                c.state.in_(DEADLINE_STATES), c.deadline < _as_day(overdue_at)
            )
        return self._frame(q, [col.name for col in T.cases.columns])

    def listing(
        self,
        household_ids: Iterable[str],
        *,
        run_id: str | None = None,
        as_of: date | datetime | None = None,
    ) -> pd.DataFrame:
        """The case of each household as an alert list shows it.

        For each household: its open case, else its most recently closed one
        (which an alerts run left closed: no new evidence); households without
        a case are left out. ``case_status`` is 新增 for a case the alerts run
        ``run_id`` opened, 延续 for an open case carried over from an earlier
        run, 已结案 for a closed case; ``overdue`` is true for a case still to
        be verified (预警, 核查中) whose deadline is before ``as_of`` (default:
        today). ``deadline`` is the store's: the one deadline of every output.

        Returns
        -------
        DataFrame
            household_id, case_id, case_state, case_status, deadline, overdue.

        Examples
        --------
        >>> store = CaseStore("sqlite://")
        >>> a = pd.DataFrame({"household_id": ["H1"], "year": [2025],
        ...     "province": ["P"], "county": ["C"], "township": ["T"],
        ...     "village": ["V"], "risk_score": [0.4], "risk_level": ["中"],
        ...     "risk_types": ["01"], "measures": ["健康帮扶"],
        ...     "departments": ["医保"], "deadline": ["2026-07-15"],
        ...     "reasons": ["大病"]})
        >>> run = store.upsert_alerts(a, run_at=datetime(2026, 6, 30))
        >>> store.listing(["H1"], run_id=run.run_id, as_of=date(2026, 7, 20))[
        ...     ["case_id", "case_state", "case_status", "overdue"]].values.tolist()
        [[1, '预警', '新增', True]]
        """
        ids = sorted({str(i) for i in household_ids})
        day = _as_day(as_of if as_of is not None else _clock())
        with self._tx(write=False) as conn:
            rows = _case_rows(conn, ids)
            rest = [i for i in ids if i not in rows]
            rows.update(_case_rows(conn, rest, closed=True))
            opened = set()
            if run_id is not None and rows:
                h = T.risk_history.c
                case_ids = [r["case_id"] for r in rows.values()]
                for start in range(0, len(case_ids), 500):
                    opened.update(
                        conn.execute(
                            sa.select(h.case_id).where(
                                h.run_id == str(run_id),
                                h.change == "new",
                                h.case_id.in_(case_ids[start : start + 500]),
                            )
                        ).scalars()
                    )
        out = []
        for hid in ids:
            r = rows.get(hid)
            if r is None:
                continue
            closed = r["closed_at"] is not None
            status = (
                CASE_CLOSED
                if closed
                else CASE_NEW
                if r["case_id"] in opened
                else CASE_CARRIED
            )
            due = r["deadline"]
            late = (not closed) and r["state"] in DEADLINE_STATES and due is not None
            out.append(
                (hid, int(r["case_id"]), r["state"], status, due, late and due < day)
            )
        frame = pd.DataFrame(
            out,
            columns=[
                "household_id", "case_id", "case_state", "case_status", "deadline",
                "overdue",
            ],
        )  # fmt: skip
        frame["deadline"] = pd.to_datetime(frame["deadline"])
        return frame.astype({"case_id": "int64", "overdue": "bool"})

    def outcomes(
        self,
        *,
        county: str | None = None,
        township: str | None = None,
        opened_from: date | datetime | None = None,
        opened_to: date | datetime | None = None,
    ) -> pd.DataFrame:
        """One row per case an alerts run listed, with what verification found.

        Columns: case_id, household_id, county, township, risk_level (the level
        the case was listed at: its first risk-history row), risk_score (its
        score then), opened_at, state, year (of the record scored), record_year
        (of the annual record it rests on; empty for an old case), outcome
        (属实: identified, whatever happened after; 不属实: excluded; empty:
        not verified yet). Cases a
        cadre opened by hand (no risk history) are not in it. ``opened_from`` /
        ``opened_to`` keep cases opened on those days or between them.
        """
        c, h = T.cases.c, T.risk_history.c
        first = (
            sa.select(h.case_id, sa.func.min(h.id).label("first_id"))
            .group_by(h.case_id)
            .subquery()
        )
        q = (
            sa.select(
                c.case_id, c.household_id, c.county, c.township, h.risk_level,
                h.risk_score, c.opened_at, c.state, c.year, c.record_year,
                c.identified_at,
            )
            .join(first, first.c.case_id == c.case_id)
            .join(T.risk_history, h.id == first.c.first_id)
            .order_by(c.case_id)
        )  # fmt: skip
        for col, val in ((c.county, county), (c.township, township)):
            if val is not None:
                q = q.where(col == val)
        if opened_from is not None:
            start = datetime.combine(_as_day(opened_from), datetime.min.time())
            q = q.where(c.opened_at >= start)
        if opened_to is not None:
            end = datetime.combine(_as_day(opened_to), datetime.min.time())
            q = q.where(c.opened_at < end + timedelta(days=1))
        cols = [
            "case_id", "household_id", "county", "township", "risk_level",
            "risk_score", "opened_at", "state", "year", "record_year",
            "identified_at",
        ]  # fmt: skip
        df = self._frame(q, cols)
        outcome = np.where(
            df["identified_at"].notna().to_numpy(),
            OUTCOME_TRUE,
            np.where(df["state"].eq("已排除").to_numpy(), OUTCOME_FALSE, None),
        )
        df["outcome"] = pd.array(outcome, dtype=object)
        return df.drop(columns="identified_at")

    def _frame(self, query: sa.Select, columns: Sequence[str]) -> pd.DataFrame:
        with self._tx(write=False) as conn:
            rows = conn.execute(query).all()
        return pd.DataFrame([tuple(r) for r in rows], columns=list(columns))

    def _child(self, table: sa.Table, case_id: int, order: sa.Column) -> pd.DataFrame:
        self.get_case(case_id)
        q = (
            sa.select(table)
            .where(table.c.case_id == int(case_id))
            .order_by(order, table.c.id)
        )
        return self._frame(q, [col.name for col in table.columns])

    def history(self, case_id: int) -> pd.DataFrame:
        """Risk history of a case, oldest run first."""
        return self._child(T.risk_history, case_id, T.risk_history.c.run_at)

    def transitions(self, case_id: int) -> pd.DataFrame:
        """Audit trail of a case's state changes, oldest first."""
        return self._child(T.transitions, case_id, T.transitions.c.at)

    def measures(self, case_id: int) -> pd.DataFrame:
        """Measures recorded on a case."""
        return self._child(T.measures, case_id, T.measures.c.started_at)

    # -- writing ----------------------------------------------------------------
    def open_case(
        self,
        household_id: str,
        *,
        actor: str,
        note: str | None = None,
        now: datetime | None = None,
        **fields: object,
    ) -> int:
        """Open a case in state 预警 (e.g. a cadre's own discovery); returns its id.

        ``fields`` fill other case columns (county, township, village, deadline ...).
        Refused if the household already has an open case, or ``now`` is in the
        future.
        """
        now = as_naive(now)
        unknown = set(fields) - {col.name for col in T.cases.columns}
        if unknown or {"case_id", "state", "closed_at"} & set(fields):
            raise CaseStoreError(Message(MSG_BAD_FIELDS, fields=sorted(fields)))
        check_not_after(household_id, now, None)
        actor, note = check_actor(actor), clean_note(note)
        record = clean_places(
            pd.DataFrame([{"household_id": household_id, **fields}], dtype=object)
        ).iloc[0]
        check_lengths(record.to_dict())
        fields = {k: record[k] for k in fields}
        with self._tx() as conn:
            case_id = T.insert_case(
                conn, str(household_id), at=now, actor=actor, note=note, **fields
            )
            if case_id is None:
                existing = conn.execute(
                    sa.select(T.cases.c.case_id).where(
                        T.cases.c.household_id == str(household_id),
                        T.cases.c.closed_at.is_(None),
                    )
                ).scalar()
                raise CaseStoreError(
                    Message(
                        MSG_ALREADY_OPEN, household_id=household_id, case_id=existing
                    )
                )
        return case_id

    def add_measure(
        self,
        case_id: int,
        measure: str,
        *,
        actor: str,
        department: str | None = None,
        note: str | None = None,
        now: datetime | None = None,
        as_of: date | datetime | None = None,
    ) -> None:
        """Record a measure on an open case (any open state: disaster help may precede
        identification). ``now`` is checked as a transition's time is."""
        actor, note = check_actor(actor), clean_note(note)
        now = as_naive(now)
        with self._tx() as conn:
            row = self._case_row(conn, case_id, lock=True)
            self._check_time(conn, row, now, _day(as_of))
            self._insert_measures(conn, row, [measure], actor, department, note, now)

    def _insert_measures(self, conn, row, names, actor, department, note, now) -> None:
        if row["closed_at"] is not None:
            raise CaseStoreError(
                Message(MSG_CLOSED_MEASURE, case_id=row["case_id"], state=row["state"])
            )
        for name in names:
            check_measure_name(name, f"case {row['case_id']}")
            dept = department
            if dept is None and self.assistance is not None:
                dept = (
                    self.assistance.config.measures[name].department
                    if name in self.assistance.config.measures
                    else None
                )
            if dept is None:
                raise CaseStoreError(Message(MSG_NEEDS_DEPARTMENT, measure=name))
            check_department_name(dept, f"case {row['case_id']}")
            conn.execute(
                T.measures.insert().values(
                    case_id=row["case_id"],
                    measure=name,
                    department=dept,
                    started_at=now,
                    actor=actor,
                    note=note,
                )
            )

    def _check_time(
        self, conn: Connection, row: dict, now: datetime, as_of: date | None
    ) -> None:
        """A change at ``now``: not before the case was opened, nor before its
        last recorded change, nor after ``as_of`` (or the clock)."""
        case_id = row["case_id"]
        check_not_after(case_id, now, as_of)
        if now < row["opened_at"]:
            raise CaseStoreError(
                Message(
                    MSG_BEFORE_OPENED,
                    case_id=case_id,
                    at=_shown(now),
                    opened=_shown(row["opened_at"]),
                )
            )
        t = T.transitions.c
        last = conn.execute(
            sa.select(t.at, t.to_state)
            .where(t.case_id == int(case_id))
            .order_by(t.at.desc(), t.id.desc())
            .limit(1)
        ).first()
        if last is not None and now < last[0]:
            raise CaseStoreError(
                Message(
                    MSG_BEFORE_LAST,
                    case_id=case_id,
                    at=_shown(now),
                    last=_shown(last[0]),
                    state=last[1],
                )
            )

    def last_change(self, case_id: int) -> datetime:
        """When the case last changed state (its opening for a new case)."""
        t = T.transitions.c
        with self._tx(write=False) as conn:
            self._case_row(conn, case_id)
            return conn.execute(
                sa.select(sa.func.max(t.at)).where(t.case_id == int(case_id))
            ).scalar_one()

    def transition(
        self,
        case_id: int,
        to_state: str,
        *,
        actor: str,
        note: str | None = None,
        category: str | None = None,
        method: str | None = None,
        measures: Sequence[str] = (),
        department: str | None = None,
        evidence: EliminationEvidence | None = None,
        now: datetime | None = None,
        as_of: date | datetime | None = None,
    ) -> dict:
        """Move a case to ``to_state``, recording who, when and why; returns the case.

        The case is read and changed in one write transaction, and the change is
        applied only if the case is still in the state it was read in: of two
        cadres moving one case at once, one succeeds and the other is refused.

        The time of the change (``now``, default the clock) must not be before
        the case was opened, nor before its last recorded change, nor after
        ``as_of`` (a day: the command's reference date) or, without it, the
        clock.

        Raises
        ------
        TransitionError
            If the move is illegal from the current state.
        CaseStoreError
            If 已认定 lacks a category, or 风险消除 lacks a method or evidence, or
            an elimination rule fails (every failing rule is listed), or the
            time is out of order.
        """
        now = as_naive(now)
        actor, note = check_actor(actor), clean_note(note)
        with self._tx() as conn:
            row = self._case_row(conn, case_id, lock=True)
            self._apply_transition(
                conn,
                row,
                to_state,
                actor=actor,
                note=note,
                category=category,
                method=method,
                measures=measures,
                department=department,
                evidence=evidence,
                now=now,
                as_of=_day(as_of),
            )
            return self._case_row(conn, case_id)

    def _apply_transition(
        self,
        conn: Connection,
        row: dict,
        to_state: str,
        *,
        actor: str,
        note: str | None,
        now: datetime,
        as_of: date | None,
        category: str | None = None,
        method: str | None = None,
        measures: Sequence[str] = (),
        department: str | None = None,
        evidence: EliminationEvidence | None = None,
    ) -> None:
        """One checked transition of the case ``row`` (read in this transaction);
        ``actor`` and ``note`` are already checked."""
        case_id = row["case_id"]
        check_transition(case_id, row["state"], to_state)
        self._check_time(conn, row, now, as_of)
        values: dict[str, object] = {"state": to_state, "updated_at": now}
        if measures:
            self._insert_measures(
                conn, row, list(measures), actor, department, note, now
            )
        if to_state == "已认定":
            if category not in CATEGORIES:
                raise CaseStoreError(
                    Message(
                        NEEDS_CATEGORY,
                        case_id=case_id,
                        categories=", ".join(CATEGORIES),
                        got=category,
                    )
                )
            values.update(category=category, identified_at=now)
        elif to_state == "风险消除":
            self._check_elimination(conn, row, method, evidence, now)
            values.update(elimination_method=method)
        if to_state in CLOSED_STATES:
            values["closed_at"] = now
        done = conn.execute(
            T.cases.update()
            .where(
                T.cases.c.case_id == int(case_id),
                T.cases.c.state == row["state"],
                T.cases.c.closed_at.is_(None),
            )
            .values(**values)
        ).rowcount
        if done != 1:
            raise TransitionError(
                Message(MSG_CHANGED_MEANWHILE, case_id=case_id, expected=row["state"])
            )
        T.insert_transition(
            conn, case_id, row["state"], to_state, at=now, actor=actor, note=note
        )
        logger.info("case %s: %s -> %s", case_id, row["state"], to_state)

    def _check_elimination(self, conn, row, method, evidence, now) -> None:  # noqa: ANN001
        case_id = row["case_id"]
        if method not in ELIMINATION_METHODS:
            raise CaseStoreError(
                Message(
                    NEEDS_METHOD,
                    case_id=case_id,
                    methods=", ".join(ELIMINATION_METHODS),
                    got=method,
                )
            )
        if evidence is None:
            raise CaseStoreError(Message(NEEDS_EVIDENCE, case_id=case_id))
        started = conn.execute(
            sa.select(T.measures.c.started_at).where(
                T.measures.c.case_id == int(case_id)
            )
        ).scalars()
        failing = self.elimination_rules.failures(
            identified_at=row["identified_at"],
            measures_started=list(started),
            evidence=evidence,
            now=now,
        )
        if failing:
            raise CaseStoreError(
                Message(
                    ELIMINATION_REFUSED,
                    case_id=case_id,
                    n=len(failing),
                    rules=bullets(failing),
                )
            )

    def apply_verifications(
        self,
        rows: Sequence[VerificationRow],
        *,
        actor: str | None = None,
        as_of: date | datetime | None = None,
        problems: Sequence[Message] = (),
        workbook: str | None = None,
    ) -> VerificationSummary:
        """Apply the filled rows of one township workbook, in one transaction.

        Each row becomes the transitions its 核查结果 means from the case's
        state (:func:`~fanpin.workflow._verification.plan_steps`), recorded with
        the row's 核查人 (else ``actor``) and 核查日期 (the start of that day, or
        the time of the case's last change if that was the same day), with the
        row's 备注 and where it came from as the note. Every row is checked as
        a transition is (legal move, category, times: not before the opening or
        the last change, not after ``as_of`` or today; personal data in 核查人
        refused, in 备注 masked). If any row is refused, nothing of the
        workbook is applied and every refused row is listed (workbook, sheet,
        row). A case already where its row takes it is left unchanged: applying
        the same workbook again changes nothing.

        ``problems``: the rows that could not be read
        (:attr:`VerificationSheet.problems`); with any, nothing is applied, and
        they are listed with the rows the store refuses, in sheet and row
        order. ``workbook``: its name in the message (default: the rows').

        Raises
        ------
        CaseStoreError
            Listing every refused row; nothing was changed.
        """
        day_limit = _day(as_of)
        problems: list[Message] = list(problems)
        checked = []
        for v in rows:
            try:
                who = check_actor(v.actor if v.actor is not None else actor)
            except CaseStoreError as exc:
                problems.append(
                    v.where(Message(ROW_NO_ACTOR) if v.actor is None and actor is None
                            else _message_of(exc))
                )  # fmt: skip
                continue
            checked.append((v, who, clean_note(_import_note(v))))
        applied, unchanged = [], []
        with self._tx() as conn:
            for v, who, note in checked:
                try:
                    case = self._case_row(conn, v.case_id, lock=True)
                except CaseStoreError:
                    problems.append(v.where(Message(ROW_NO_CASE, case_id=v.case_id)))
                    continue
                if v.household_id is not None and (
                    v.household_id.lstrip("0") != case["household_id"].lstrip("0")
                ):
                    problems.append(
                        v.where(
                            Message(
                                ROW_OTHER_HOUSEHOLD, case_id=v.case_id,
                                stored=case["household_id"], got=v.household_id,
                            )
                        )
                    )  # fmt: skip
                    continue
                steps = plan_steps(
                    v.result, case["state"], category=v.category,
                    stored_category=case["category"],
                )  # fmt: skip
                last = self._last_at(conn, v.case_id)
                if isinstance(steps, str):
                    problems.append(refusal(steps, v, case, last))
                    continue
                if not steps:
                    unchanged.append((v.case_id, case["household_id"], v.result,
                                      case["state"]))  # fmt: skip
                    continue
                at = datetime.combine(v.day, datetime.min.time())
                if last.date() == v.day and at < last:
                    at = last
                start = case["state"]
                try:
                    for to in steps:
                        self._apply_transition(
                            conn, case, to, actor=who, note=note, now=at,
                            as_of=day_limit,
                            category=v.category if to == "已认定" else None,
                        )  # fmt: skip
                        case = self._case_row(conn, v.case_id)
                except CaseStoreError as exc:
                    problems.append(v.where(_message_of(exc)))
                    continue
                applied.append((v.case_id, case["household_id"], v.result, start,
                                case["state"], len(steps)))  # fmt: skip
            if problems:
                name = workbook or (rows[0].workbook if rows else "")
                raise CaseStoreError(
                    Message(
                        MSG_IMPORT_REFUSED,
                        workbook=name,
                        n=len(problems),
                        rows=bullets(sorted(problems, key=row_order)),
                    )
                )
        return VerificationSummary(
            applied=pd.DataFrame(
                applied,
                columns=["case_id", "household_id", "result", "from_state",
                         "to_state", "transitions"],
            ),
            unchanged=pd.DataFrame(
                unchanged, columns=["case_id", "household_id", "result", "state"]
            ),
        )  # fmt: skip

    def _last_at(self, conn: Connection, case_id: int) -> datetime:
        t = T.transitions.c
        return conn.execute(
            sa.select(sa.func.max(t.at)).where(t.case_id == int(case_id))
        ).scalar_one()

    def upsert_alerts(
        self,
        alerts: pd.DataFrame,
        *,
        run_at: datetime | None = None,
        run_id: str | None = None,
        actor: str = "fanpin",
        reopen: ReopenRules | None = None,
        deadlines: DeadlineRules | None = None,
    ) -> UpsertSummary:
        """Open a case per new alerted household and update the open ones, atomically.

        A household has at most one open case: an alert for a household with an
        open case appends to the case's risk history (once per ``run_id``: running
        the same run again changes nothing) and updates its current risk; a rise in
        level is listed in ``escalated`` (and brings the deadline forward to the
        alert's), a fall in ``fell``. The whole run is one write transaction that
        reads the open cases itself: a case closed before it (even after the
        alerts were computed) is never written to; the household gets a new case.

        Parameters
        ----------
        alerts : DataFrame
            The alert list; needs :data:`~fanpin.workflow.ALERT_COLUMNS` (other
            columns are ignored, never stored).
        run_at : datetime, optional
            When the run happened (default: now).
        run_id : str, optional
            Identifies the run (default: ``run_at`` in ISO format).
        actor : str
            Recorded in the audit trail of the cases opened.
        reopen : ReopenRules, optional
            What counts as new evidence for a household whose case was closed
            (default: a risk margin of 0.10).
        deadlines : DeadlineRules, optional
            Days to the verification deadline (default: 15, and 3 for 紧急). A
            new case gets the alert's ``deadline`` (else discovery plus the days
            of its level); an urgent one never later than its discovery plus
            the urgent days.

        Returns
        -------
        UpsertSummary

        Warns
        -----
        FanpinWarning
            When new household ids equal stored ids without their leading zeros
            (ids typed as numbers in Excel).

        Examples
        --------
        >>> store = CaseStore("sqlite://")
        >>> alerts = pd.DataFrame({"household_id": ["H1"], "year": [2024],
        ...     "province": ["P"],
        ...     "county": ["C"], "township": ["T"], "village": ["V"],
        ...     "risk_score": [0.4],
        ...     "risk_level": ["中"], "risk_types": ["01"], "measures": ["健康帮扶"],
        ...     "departments": ["医保"], "deadline": ["2024-02-15"],
        ...     "reasons": ["大病"]})
        >>> store.upsert_alerts(alerts, run_at=datetime(2024, 2, 1)).counts()["new"]
        1
        >>> alerts.loc[0, ["risk_score", "risk_level"]] = [0.8, "高"]
        >>> c = store.upsert_alerts(alerts, run_at=datetime(2024, 3, 1)).counts()
        >>> c["updated"], c["escalated"]
        (1, 1)
        """
        run_at = as_naive(run_at)
        run_id = (
            str(run_id) if run_id is not None else run_at.isoformat(timespec="seconds")
        )
        actor = check_actor(actor)
        check_lengths({"run_id": run_id})
        df = clean_places(check_alerts(alerts))
        check_lengths(df, ids=df["household_id"])
        with self._tx() as conn:  # one write transaction for the whole run
            summary = apply_alerts(
                conn, df, run_at=run_at, run_id=run_id, actor=actor, reopen=reopen,
                deadlines=deadlines,
            )  # fmt: skip
            warn_lost_zeros(conn, summary.new["household_id"])
        return summary


def _message_of(exc: Exception) -> object:
    """The message an error was raised with (a :class:`Message` translates)."""
    return exc.args[0] if exc.args else str(exc)


def _import_note(v: VerificationRow) -> str:
    """The audit note of an imported row: the result, where it came from, 备注."""
    where = f"{v.result}（{v.workbook}，{v.sheet}，第{v.row}行）"
    return f"{where}：{v.note}" if v.note else where


@dataclass(frozen=True)
class VerificationSummary:
    """What :meth:`CaseStore.apply_verifications` did.

    ``applied``: the cases moved (case_id, household_id, result, from_state,
    to_state, transitions); ``unchanged``: the rows whose case was already
    where the row takes it (case_id, household_id, result, state).
    """

    applied: pd.DataFrame
    unchanged: pd.DataFrame


class _Rollback(Exception):
    """Ends :meth:`CaseStore.check_writable`'s transaction without committing."""
