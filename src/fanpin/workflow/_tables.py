"""The case store's tables (SQLAlchemy Core). No personal-data column anywhere."""

from __future__ import annotations

import sqlalchemy as sa

__all__ = [
    "SCHEMA_VERSION",
    "cases",
    "measures",
    "metadata",
    "risk_history",
    "schema_info",
    "transitions",
]

SCHEMA_VERSION = 1
"""Bumped whenever a table changes; a store of another version is refused."""

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


def insert_case(
    conn: sa.Connection,
    household_id: str,
    *,
    at: object,
    actor: str,
    note: str | None,
    **fields: object,
) -> int:
    """Insert a new case in state 预警 and its first audit row; return its id.

    The caller runs this inside a transaction and has checked that the household
    has no open case (the database also refuses a second one).
    """
    case_id = conn.execute(
        cases.insert().values(
            household_id=household_id,
            state="预警",
            opened_at=at,
            updated_at=at,
            **fields,
        )
    ).inserted_primary_key[0]
    conn.execute(
        transitions.insert().values(
            case_id=case_id,
            from_state=None,
            to_state="预警",
            at=at,
            actor=actor,
            note=note,
        )
    )
    return int(case_id)
