"""The case store's tables (SQLAlchemy Core). No personal-data column anywhere."""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql as sa_pg
from sqlalchemy.dialects import sqlite as sa_sqlite

from ..exceptions import CaseStoreError
from ..messages import N_, Message

__all__ = [
    "LIMITS",
    "UPGRADES",
    "NeedsUpgrade",
    "SCHEMA_VERSION",
    "cases",
    "check_schema",
    "measures",
    "metadata",
    "risk_history",
    "schema_info",
    "transitions",
]

MSG_NO_STORE = N_(
    "There is no case store at {url} (no fanpin tables). Run `fanpin alerts "
    "--store URL` first, or check the URL."
)
MSG_NO_VERSION = N_(
    "The database {url} holds fanpin's table(s) {tables} but no version table "
    "(fanpin_schema): it was not made by this fanpin, or it was altered. Refused; "
    "nothing was changed. Use a new store URL, or restore the store from a backup."
)
MSG_VERSION = N_(
    "The store {url} has schema version {found}; this fanpin uses {expected}. Use "
    "a new store URL or migrate it."
)
MSG_DAMAGED = N_(
    "The store {url} is damaged: {problems}. Refused; nothing was changed. Restore "
    "it from a backup (or recreate the missing part as fanpin_schema version "
    "{expected} defines it)."
)

SCHEMA_VERSION = 2
"""Bumped whenever a table changes. A store of an older version is upgraded in
place when the change only adds nullable columns (:data:`UPGRADES`); any other
version is refused."""

metadata = sa.MetaData()


def _case_id(*, index: bool | None = None) -> sa.Column:
    """The ``case_id`` column of a table whose rows belong to a case."""
    return sa.Column(
        "case_id",
        sa.Integer,
        sa.ForeignKey("cases.case_id"),
        nullable=False,
        index=index,
    )


schema_info = sa.Table(
    "fanpin_schema",
    metadata,
    sa.Column("version", sa.Integer, primary_key=True, autoincrement=False),
    sa.Column("created_at", sa.DateTime, nullable=False),
)

cases = sa.Table(
    "cases",
    metadata,
    sa.Column("case_id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("household_id", sa.String(64), nullable=False, index=True),
    sa.Column("province", sa.String(64)),
    sa.Column("county", sa.String(64)),
    sa.Column("township", sa.String(64)),
    sa.Column("village", sa.String(64)),
    sa.Column("year", sa.Integer),
    sa.Column("state", sa.String(16), nullable=False),
    sa.Column("category", sa.String(16)),
    sa.Column("opened_at", sa.DateTime, nullable=False),
    sa.Column("identified_at", sa.DateTime),
    sa.Column("deadline", sa.Date),
    sa.Column("current_risk", sa.Float),
    sa.Column("current_level", sa.String(4)),
    sa.Column("risk_types", sa.String(200)),
    sa.Column("suggested_measures", sa.String(400)),
    sa.Column("suggested_departments", sa.String(400)),
    sa.Column("updated_at", sa.DateTime, nullable=False),
    sa.Column("closed_at", sa.DateTime),
    sa.Column("elimination_method", sa.String(16)),
    # the evidence the case's current risk rests on (schema 2): the year of the
    # annual record and the date of the latest department push seen
    sa.Column("record_year", sa.Integer),
    sa.Column("last_push", sa.Date),
    # a case opened after a closed one of the same household: which, and on what
    # new evidence (push, record, risk; see fanpin.workflow.ReopenRules)
    sa.Column("reopens", sa.Integer),
    sa.Column("opened_because", sa.String(16)),
    # one open case per household, enforced by the database itself
    sa.Index(
        "uq_cases_open_household",
        "household_id",
        unique=True,
        sqlite_where=sa.text("closed_at IS NULL"),
        postgresql_where=sa.text("closed_at IS NULL"),
    ),
)

risk_history = sa.Table(
    "case_risk_history",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    _case_id(),
    sa.Column("run_id", sa.String(64), nullable=False),
    sa.Column("run_at", sa.DateTime, nullable=False),
    sa.Column("year", sa.Integer),
    sa.Column("risk_score", sa.Float, nullable=False),
    sa.Column("risk_level", sa.String(4), nullable=False),
    sa.Column("change", sa.String(8), nullable=False),  # new, up, down, same
    sa.Column("risk_types", sa.String(200)),
    sa.Column("reasons", sa.Text),
    sa.UniqueConstraint("case_id", "run_id", name="uq_history_case_run"),
)

transitions = sa.Table(
    "case_transitions",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    _case_id(index=True),
    sa.Column("from_state", sa.String(16)),  # NULL when the case is opened
    sa.Column("to_state", sa.String(16), nullable=False),
    sa.Column("at", sa.DateTime, nullable=False),
    sa.Column("actor", sa.String(64), nullable=False),
    sa.Column("note", sa.Text),
)

measures = sa.Table(
    "case_measures",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    _case_id(index=True),
    sa.Column("measure", sa.String(16), nullable=False),
    sa.Column("department", sa.String(16), nullable=False),
    sa.Column("started_at", sa.DateTime, nullable=False),
    sa.Column("actor", sa.String(64), nullable=False),
    sa.Column("note", sa.Text),
)


LIMITS: dict[str, int] = {
    col.name: col.type.length
    for table in (cases, risk_history, transitions, measures)
    for col in table.columns
    if isinstance(col.type, sa.String) and col.type.length
}
"""Longest text (characters) each limited column holds; checked before writing."""

_OURS = {t.name for t in metadata.sorted_tables}

UPGRADES: dict[int, tuple[tuple[str, str], ...]] = {
    1: (
        ("cases", "record_year"),
        ("cases", "last_push"),
        ("cases", "reopens"),
        ("cases", "opened_because"),
    ),
}
"""Columns (table, column) added by the upgrade from each older version: all
nullable, so an older store is upgraded in place, its rows kept as they are."""


def check_schema(
    conn: sa.Connection, safe_url: str, *, create: bool, upgrade: bool = False
) -> bool:
    """Check (or, in an empty database, create) the store's tables; True if it
    wrote (created the schema, or upgraded an older version).

    Every table, column, index and unique constraint fanpin relies on must be
    there, with the version row; a database holding fanpin's tables without
    its version table is refused, never stamped. A store of an older version
    whose tables are intact is upgraded when ``upgrade`` is true (the caller
    holds a write transaction), else :class:`NeedsUpgrade` is raised.
    """
    insp = sa.inspect(conn)
    present = set(insp.get_table_names()) & _OURS
    if not present:
        if not create:
            raise CaseStoreError(Message(MSG_NO_STORE, url=safe_url))
        metadata.create_all(conn)
        conn.execute(
            schema_info.insert().values(
                version=SCHEMA_VERSION, created_at=datetime.now().replace(microsecond=0)
            )
        )
        return True
    if schema_info.name not in present:
        raise CaseStoreError(
            Message(MSG_NO_VERSION, url=safe_url, tables=", ".join(sorted(present)))
        )
    found = conn.execute(sa.select(schema_info.c.version)).scalars().all()
    if len(found) == 1 and found[0] in UPGRADES:
        added = set(UPGRADES[found[0]])
        problems = _schema_problems(insp, present, ignore=added)
        if not problems:
            if not upgrade:
                raise NeedsUpgrade
            _upgrade(conn, found[0])
            return True
    if len(found) != 1 or found[0] != SCHEMA_VERSION:
        raise CaseStoreError(
            Message(
                MSG_VERSION,
                url=safe_url,
                found=", ".join(map(str, found)) or "none",
                expected=SCHEMA_VERSION,
            )
        )
    problems = _schema_problems(insp, present)
    if problems:
        raise CaseStoreError(
            Message(
                MSG_DAMAGED,
                url=safe_url,
                problems="; ".join(problems),
                expected=SCHEMA_VERSION,
            )
        )
    return False


def _where_text(options: dict) -> str:
    where = options.get("sqlite_where", options.get("postgresql_where"))
    text = "" if where is None else str(where)
    return " ".join(text.replace("(", " ").replace(")", " ").lower().split())


class NeedsUpgrade(Exception):
    """Raised by :func:`check_schema` (``upgrade=False``) for an older store."""


def _upgrade(conn: sa.Connection, version: int) -> None:
    """Add the nullable columns of the versions after ``version``; stamp the new one."""
    preparer = conn.dialect.identifier_preparer
    for v in sorted(k for k in UPGRADES if k >= version):
        for table_name, column_name in UPGRADES[v]:
            col = metadata.tables[table_name].c[column_name]
            kind = col.type.compile(dialect=conn.dialect)
            conn.execute(
                sa.text(
                    f"ALTER TABLE {preparer.quote(table_name)} "
                    f"ADD COLUMN {preparer.quote(column_name)} {kind}"
                )
            )
    conn.execute(schema_info.update().values(version=SCHEMA_VERSION))


def _schema_problems(
    insp: sa.Inspector,
    present: set[str],
    ignore: set[tuple[str, str]] = frozenset(),  # type: ignore[assignment]
) -> list[str]:
    problems = [f"table {t} is missing" for t in sorted(_OURS - present)]
    for table in metadata.sorted_tables:
        if table.name not in present:
            continue
        have = {c["name"] for c in insp.get_columns(table.name)}
        missing = [
            c.name
            for c in table.columns
            if c.name not in have and (table.name, c.name) not in ignore
        ]
        if missing:
            problems.append(f"table {table.name} lacks column(s) {', '.join(missing)}")
        found = {i["name"]: i for i in insp.get_indexes(table.name)}
        uniques = {
            tuple(u["column_names"]) for u in insp.get_unique_constraints(table.name)
        } | {tuple(i["column_names"]) for i in found.values() if i["unique"]}
        for index in table.indexes:
            got = found.get(index.name)
            want_where = _where_text(dict(index.dialect_kwargs))
            if (
                got is None
                or list(got["column_names"]) != [c.name for c in index.columns]
                or bool(got["unique"]) != bool(index.unique)
                or _where_text(got.get("dialect_options", {})) != want_where
            ):
                problems.append(f"index {index.name} is missing or altered")
        for cons in table.constraints:
            if isinstance(cons, sa.UniqueConstraint):
                cols = tuple(c.name for c in cons.columns)
                if cols not in uniques:
                    problems.append(f"unique constraint {cons.name} is missing")
    return problems


def insert_case(
    conn: sa.Connection,
    household_id: str,
    *,
    at: object,
    actor: str,
    note: str | None,
    **fields: object,
) -> int | None:
    """Open a case in state 预警 with its first audit row; return its id.

    Returns None (and writes nothing) when the household already has an open
    case: the database's unique open-case index decides, so two writers racing
    to open a case for one household cannot both succeed. The caller runs this
    inside a write transaction.
    """
    dialect = conn.dialect.name
    insert = (sa_pg.insert if dialect == "postgresql" else sa_sqlite.insert)(cases)
    stmt = (
        insert.values(
            household_id=household_id,
            state="预警",
            opened_at=at,
            updated_at=at,
            **fields,
        )
        .on_conflict_do_nothing(
            index_elements=["household_id"], index_where=cases.c.closed_at.is_(None)
        )
        .returning(cases.c.case_id)
    )
    case_id = conn.execute(stmt).scalar()
    if case_id is None:
        return None
    insert_transition(conn, case_id, None, "预警", at=at, actor=actor, note=note)
    return int(case_id)


def insert_transition(
    conn: sa.Connection,
    case_id: int,
    from_state: str | None,
    to_state: str,
    *,
    at: object,
    actor: str,
    note: str | None,
) -> None:
    """Append one row to a case's audit trail."""
    conn.execute(
        transitions.insert().values(
            case_id=int(case_id),
            from_state=from_state,
            to_state=to_state,
            at=at,
            actor=actor,
            note=note,
        )
    )
