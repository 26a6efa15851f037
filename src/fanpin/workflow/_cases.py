"""The case store: monitored households' cases, their risk history and audit trail."""

from __future__ import annotations

import logging
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from datetime import datetime

import pandas as pd
import sqlalchemy as sa
from sqlalchemy.engine import Connection, Engine

from ..config._assistance import check_department as check_department_name
from ..config._assistance import check_measure as check_measure_name
from ..exceptions import CaseStoreError, MissingDependencyError
from . import _tables as T
from ._assistance import AssistanceMap
from ._elimination import ELIMINATION_REFUSED, EliminationEvidence, EliminationRules
from ._states import (
    CATEGORIES,
    CLOSED_STATES,
    ELIMINATION_METHODS,
    STATES,
    check_transition,
)
from ._upsert import UpsertSummary, apply_alerts, check_alerts

__all__ = ["CaseStore", "as_naive"]

logger = logging.getLogger(__name__)

NO_SUCH_CASE = (
    "There is no case {case_id} in the store {url}; "
    "list cases with `fanpin cases list`."
)
NEEDS_CATEGORY = (
    "Case {case_id}: moving to 已认定 needs the monitoring category (监测对象类别), "
    "one of "
    "{categories}; got {got!r}. Pass --category."
)
NEEDS_METHOD = (
    "Case {case_id}: moving to 风险消除 needs the method (风险消除方式), one of "
    "{methods}; "
    "got {got!r}. Pass --method."
)
NEEDS_EVIDENCE = (
    "Case {case_id}: moving to 风险消除 needs evidence (per-capita income, the line "
    "and "
    "labour count): pass evidence=EliminationEvidence(...) (CLI: --income --line "
    "--labor)."
)


def as_naive(t: datetime | None) -> datetime:
    """``t`` as a naive datetime (aware times converted to local time); now if None."""
    if t is None:
        return datetime.now().replace(microsecond=0)
    if not isinstance(t, datetime):
        raise CaseStoreError(f"Times must be datetime objects; got {type(t).__name__}.")
    return t.astimezone().replace(tzinfo=None) if t.tzinfo is not None else t


class CaseStore:
    """Cases of at-risk households in a SQL database (SQLite by default, or PostgreSQL).

    The schema is created on first use. Every operation that writes several rows
    runs in one transaction. No personal data is stored: ``household_id`` is the key.

    Parameters
    ----------
    url : str
        SQLAlchemy URL: ``sqlite:///cases.db`` or ``postgresql+psycopg2://u:p@host/db``.
    elimination_rules : EliminationRules, optional
        Rules checked before a risk is eliminated (defaults: 183 days, 1 measure).
    assistance : AssistanceMap, optional
        Gives the default lead department of a recorded measure.

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
    ) -> None:
        self.url = url
        self.elimination_rules = elimination_rules or EliminationRules()
        self.assistance = assistance
        self._engine = _make_engine(url)
        self._safe_url = self._engine.url.render_as_string(hide_password=True)
        self._init_schema()

    def __repr__(self) -> str:
        return f"CaseStore({self._safe_url!r})"

    # -- plumbing ---------------------------------------------------------------
    @property
    def engine(self) -> Engine:
        """The SQLAlchemy engine (for advanced queries)."""
        return self._engine

    @contextmanager
    def _tx(self) -> Iterator[Connection]:
        try:
            with self._engine.begin() as conn:
                yield conn
        except sa.exc.IntegrityError as exc:
            raise CaseStoreError(
                f"The store {self._safe_url} refused the change (integrity: "
                f"{type(exc.orig).__name__}); nothing was written."
            ) from None
        except sa.exc.OperationalError as exc:
            raise CaseStoreError(
                f"Cannot use the case store {self._safe_url}: {exc.orig}. Check the "
                "URL, "
                "that the server runs, and the file permissions."
            ) from None

    def _init_schema(self) -> None:
        with self._tx() as conn:
            T.metadata.create_all(conn)
            found = conn.execute(sa.select(T.schema_info.c.version)).scalars().all()
            if not found:
                conn.execute(
                    T.schema_info.insert().values(
                        version=T.SCHEMA_VERSION, created_at=as_naive(None)
                    )
                )
            elif max(found) != T.SCHEMA_VERSION:
                raise CaseStoreError(
                    f"The store {self._safe_url} has schema version {max(found)}; this "
                    f"fanpin uses {T.SCHEMA_VERSION}. Use a new store URL or migrate "
                    "it."
                )

    def close(self) -> None:
        """Release the connection pool."""
        self._engine.dispose()

    # -- reading ----------------------------------------------------------------
    def _case_row(self, conn: Connection, case_id: int, *, lock: bool = False) -> dict:
        q = sa.select(T.cases).where(T.cases.c.case_id == int(case_id))
        if lock and conn.dialect.name == "postgresql":
            q = q.with_for_update()
        row = conn.execute(q).mappings().first()
        if row is None:
            raise CaseStoreError(
                NO_SUCH_CASE.format(case_id=case_id, url=self._safe_url)
            )
        return dict(row)

    def get_case(self, case_id: int) -> dict:
        """One case as a dict of its columns."""
        with self._tx() as conn:
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
                    f"Unknown state {state!r}; states are {', '.join(STATES)}."
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
        with self._tx() as conn:
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
        Refused if the household already has an open case.
        """
        now = as_naive(now)
        unknown = set(fields) - {col.name for col in T.cases.columns}
        if unknown or {"case_id", "state", "closed_at"} & set(fields):
            raise CaseStoreError(
                f"open_case got unknown or reserved field(s) {sorted(fields)}."
            )
        with self._tx() as conn:
            existing = conn.execute(
                sa.select(T.cases.c.case_id).where(
                    T.cases.c.household_id == household_id,
                    T.cases.c.closed_at.is_(None),
                )
            ).scalar()
            if existing is not None:
                raise CaseStoreError(
                    f"Household {household_id!r} already has open case {existing}; "
                    "update that case instead."
                )
            case_id = T.insert_case(
                conn, household_id, at=now, actor=_actor(actor), note=note, **fields
            )
        return int(case_id)

    def add_measure(
        self,
        case_id: int,
        measure: str,
        *,
        actor: str,
        department: str | None = None,
        note: str | None = None,
        now: datetime | None = None,
    ) -> None:
        """Record a measure on an open case (any open state: disaster help may precede
        identification)."""
        with self._tx() as conn:
            row = self._case_row(conn, case_id, lock=True)
            self._insert_measures(
                conn, row, [measure], actor, department, note, as_naive(now)
            )

    def _insert_measures(self, conn, row, names, actor, department, note, now) -> None:
        if row["closed_at"] is not None:
            raise CaseStoreError(
                f"Case {row['case_id']} is closed ({row['state']}); measures go on "
                "open cases."
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
                raise CaseStoreError(
                    f"Measure {name!r} needs a lead department: pass department= (CLI "
                    "--department) or give the store an AssistanceMap."
                )
            check_department_name(dept, f"case {row['case_id']}")
            conn.execute(
                T.measures.insert().values(
                    case_id=row["case_id"],
                    measure=name,
                    department=dept,
                    started_at=now,
                    actor=_actor(actor),
                    note=note,
                )
            )

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
    ) -> dict:
        """Move a case to ``to_state``, recording who, when and why; returns the case.

        Raises
        ------
        TransitionError
            If the move is illegal from the current state.
        CaseStoreError
            If 已认定 lacks a category, or 风险消除 lacks a method or evidence, or
            an elimination rule fails (every failing rule is listed).
        """
        now = as_naive(now)
        actor = _actor(actor)
        with self._tx() as conn:
            row = self._case_row(conn, case_id, lock=True)
            check_transition(case_id, row["state"], to_state)
            values: dict[str, object] = {"state": to_state, "updated_at": now}
            if measures:
                self._insert_measures(
                    conn, row, list(measures), actor, department, note, now
                )
            if to_state == "已认定":
                if category not in CATEGORIES:
                    raise CaseStoreError(
                        NEEDS_CATEGORY.format(
                            case_id=case_id,
                            categories=", ".join(CATEGORIES),
                            got=category,
                        )
                    )
                values.update(category=category, identified_at=now)
            elif to_state == "风险消除":
                if method not in ELIMINATION_METHODS:
                    raise CaseStoreError(
                        NEEDS_METHOD.format(
                            case_id=case_id,
                            methods=", ".join(ELIMINATION_METHODS),
                            got=method,
                        )
                    )
                if evidence is None:
                    raise CaseStoreError(NEEDS_EVIDENCE.format(case_id=case_id))
                n = conn.execute(
                    sa.select(sa.func.count())
                    .select_from(T.measures)
                    .where(T.measures.c.case_id == int(case_id))
                ).scalar_one()
                failing = self.elimination_rules.failures(
                    identified_at=row["identified_at"],
                    n_measures=int(n),
                    evidence=evidence,
                    now=now,
                )
                if failing:
                    raise CaseStoreError(
                        ELIMINATION_REFUSED.format(
                            case_id=case_id,
                            n=len(failing),
                            rules="\n".join(f"  - {f}" for f in failing),
                        )
                    )
                values.update(elimination_method=method)
            if to_state in CLOSED_STATES:
                values["closed_at"] = now
            conn.execute(
                T.cases.update()
                .where(T.cases.c.case_id == int(case_id))
                .values(**values)
            )
            conn.execute(
                T.transitions.insert().values(
                    case_id=int(case_id),
                    from_state=row["state"],
                    to_state=to_state,
                    at=now,
                    actor=actor,
                    note=note,
                )
            )
            logger.info("case %s: %s -> %s", case_id, row["state"], to_state)
            return self._case_row(conn, case_id)

    def upsert_alerts(
        self,
        alerts: pd.DataFrame,
        *,
        run_at: datetime | None = None,
        run_id: str | None = None,
        actor: str = "fanpin",
    ) -> UpsertSummary:
        """Open a case per new alerted household and update the open ones, atomically.

        A household has at most one open case: an alert for a household with an
        open case appends to the case's risk history (once per ``run_id``: running
        the same run again changes nothing) and updates its current risk; a rise in
        level is listed in ``escalated`` (and brings the deadline forward to the
        alert's), a fall in ``fell``.

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

        Returns
        -------
        UpsertSummary

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
        >>> store.upsert_alerts(alerts, run_at=datetime(2024, 2, 1)).counts()
        {'new': 1, 'updated': 0, 'escalated': 0, 'fell': 0}
        >>> alerts.loc[0, ["risk_score", "risk_level"]] = [0.8, "高"]
        >>> store.upsert_alerts(alerts, run_at=datetime(2024, 3, 1)).counts()
        {'new': 0, 'updated': 1, 'escalated': 1, 'fell': 0}
        """
        run_at = as_naive(run_at)
        run_id = (
            str(run_id) if run_id is not None else run_at.isoformat(timespec="seconds")
        )
        actor = _actor(actor)
        df = check_alerts(alerts)
        with self._tx() as conn:  # one transaction for the whole run
            return apply_alerts(conn, df, run_at=run_at, run_id=run_id, actor=actor)


def _actor(actor: object) -> str:
    if not isinstance(actor, str) or not actor.strip():
        raise CaseStoreError(
            f"Every change needs an actor (who did it, e.g. a cadre's role or login); "
            f"got {actor!r}."
        )
    return actor.strip()[:64]


def _make_engine(url: str) -> Engine:
    try:
        parsed = sa.engine.make_url(url)
    except sa.exc.ArgumentError:
        raise CaseStoreError(
            f"{url!r} is not a database URL; expected e.g. sqlite:///fanpin_cases.db "
            "or "
            "postgresql+psycopg2://user:password@host:5432/db."
        ) from None
    backend = parsed.get_backend_name()
    if backend not in ("sqlite", "postgresql"):
        raise CaseStoreError(
            f"The case store supports sqlite and postgresql URLs; got {backend!r}."
        )
    try:
        engine = sa.create_engine(parsed)
    except ModuleNotFoundError as exc:
        raise MissingDependencyError(
            f"A PostgreSQL store needs the driver {exc.name!r}: pip install "
            "'fanpin[postgres]'."
        ) from exc
    if backend == "sqlite":

        @sa.event.listens_for(engine, "connect")
        def _fk_on(dbapi_conn, _record):  # noqa: ANN001
            dbapi_conn.execute("PRAGMA foreign_keys=ON")

    return engine
