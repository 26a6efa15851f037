"""The case store: monitored households' cases, their risk history and audit trail."""

from __future__ import annotations

import logging
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from datetime import date, datetime, timedelta
from pathlib import Path

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
from ._elimination import ELIMINATION_REFUSED, EliminationEvidence, EliminationRules
from ._reopen import ReopenRules
from ._states import (
    CATEGORIES,
    CLOSED_STATES,
    ELIMINATION_METHODS,
    STATES,
    check_transition,
)
from ._upsert import (
    UpsertSummary,
    apply_alerts,
    check_alerts,
    warn_lost_zeros,
)

__all__ = ["CaseStore", "as_naive"]

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
                c.state.in_(("预警", "核查中")),
                c.deadline < as_naive(overdue_at).date(),
            )
        return self._frame(q, [col.name for col in T.cases.columns])

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
                    rules="\n".join(f"  - {f}" for f in failing),
                )
            )

    def upsert_alerts(
        self,
        alerts: pd.DataFrame,
        *,
        run_at: datetime | None = None,
        run_id: str | None = None,
        actor: str = "fanpin",
        reopen: ReopenRules | None = None,
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
                conn, df, run_at=run_at, run_id=run_id, actor=actor, reopen=reopen
            )
            warn_lost_zeros(conn, summary.new["household_id"])
        return summary


class _Rollback(Exception):
    """Ends :meth:`CaseStore.check_writable`'s transaction without committing."""
