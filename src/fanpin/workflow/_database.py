"""The case store's database: URLs and drivers, write transactions, errors.

- SQLite (the default): the driver's own transaction handling is switched off and
  fanpin emits ``BEGIN IMMEDIATE`` for every transaction that writes, so a
  read-then-write holds the database's write lock from its first read; readers
  use a plain ``BEGIN``. A busy store is waited for (``busy_timeout`` seconds).
- PostgreSQL: ``postgresql://`` (the form the README gives) is served by
  psycopg 3, the ``fanpin[postgres]`` extra; writers lock the rows they read
  (``SELECT … FOR UPDATE``); a lock is waited for ``busy_timeout`` seconds.

Database errors become :class:`~fanpin.exceptions.CaseStoreError` messages that
name the store (password hidden) and never quote the statement's parameters.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

import sqlalchemy as sa
from sqlalchemy.engine import Connection, Engine

from ..exceptions import CaseStoreError, MissingDependencyError
from ..messages import N_, Message

__all__ = ["make_engine", "store_url", "transaction"]

MSG_NOT_A_URL = N_(
    "{url!r} is not a database URL; expected e.g. sqlite:///fanpin_cases.db or "
    "postgresql://user:password@host:5432/db."
)
MSG_BACKEND = N_("The case store supports sqlite and postgresql URLs; got {backend!r}.")
MSG_DRIVER = N_(
    "A PostgreSQL store needs the driver {module!r}: pip install "
    "'fanpin[postgres]' (psycopg 3), and use a postgresql:// URL."
)
MSG_BUSY = N_(
    "The case store {url} is busy: another fanpin command (a monthly alerts run or "
    "a cadre's update) held it for more than {seconds:g} s. Nothing was changed; "
    "try again in a minute."
)
MSG_CANNOT_USE = N_(
    "Cannot use the case store {url}: {reason}. Check the URL, that the server "
    "runs, that the folder exists and that you may write to it."
)
MSG_NOT_A_DATABASE = N_(
    "{url} is not a case store: the file is not a SQLite database ({reason}). "
    "Give the path of the store, or a new file name to create one."
)
MSG_INTEGRITY = N_(
    "The store {url} refused the change (integrity: {what}); nothing was written."
)

_PG_DRIVERS = {"psycopg": "psycopg", "psycopg2": "psycopg2"}


def store_url(url: str) -> sa.URL:
    """``url`` parsed and checked; ``postgresql://`` and ``postgres://`` get psycopg 3.

    Examples
    --------
    >>> store_url("postgresql://u:p@h/db").drivername
    'postgresql+psycopg'
    >>> store_url("sqlite:///cases.db").database
    'cases.db'
    """
    try:
        parsed = sa.engine.make_url(url)
    except sa.exc.ArgumentError:
        raise CaseStoreError(Message(MSG_NOT_A_URL, url=str(url))) from None
    if parsed.drivername in ("postgresql", "postgres"):
        parsed = parsed.set(drivername="postgresql+psycopg")
    backend = parsed.get_backend_name()
    if backend not in ("sqlite", "postgresql"):
        raise CaseStoreError(Message(MSG_BACKEND, backend=backend))
    return parsed


def make_engine(url: sa.URL, *, busy_timeout: float) -> Engine:
    """An engine for a checked :func:`store_url`, with fanpin's transaction rules."""
    if url.get_backend_name() == "sqlite":
        engine = sa.create_engine(url, connect_args={"timeout": busy_timeout})

        @sa.event.listens_for(engine, "connect")
        def _connect(dbapi_conn, _record):  # noqa: ANN001
            dbapi_conn.isolation_level = None  # fanpin emits BEGIN itself
            dbapi_conn.execute("PRAGMA foreign_keys=ON")

        @sa.event.listens_for(engine, "begin")
        def _begin(conn: Connection) -> None:
            write = conn.get_execution_options().get("fanpin_write", True)
            conn.exec_driver_sql("BEGIN IMMEDIATE" if write else "BEGIN")

        return engine
    try:
        engine = sa.create_engine(
            url, connect_args={"connect_timeout": 10}, pool_pre_ping=True
        )
    except ModuleNotFoundError as exc:
        raise MissingDependencyError(
            Message(MSG_DRIVER, module=_PG_DRIVERS.get(url.get_driver_name(), exc.name))
        ) from exc
    millis = int(busy_timeout * 1000)

    @sa.event.listens_for(engine, "connect")
    def _pg_connect(dbapi_conn, _record):  # noqa: ANN001
        with dbapi_conn.cursor() as cur:
            cur.execute(f"SET lock_timeout = {millis}")
        dbapi_conn.commit()

    return engine


def _reason(exc: sa.exc.DBAPIError) -> str:
    """The driver's message, first line only (later lines may quote values)."""
    text = str(exc.orig).strip().splitlines()
    return (text[0] if text else type(exc.orig).__name__)[:200]


def _busy(exc: sa.exc.DBAPIError) -> bool:
    code = getattr(exc.orig, "sqlstate", None) or getattr(exc.orig, "pgcode", None)
    if code in ("55P03", "40P01", "40001"):  # lock timeout, deadlock, serialization
        return True
    return "database is locked" in str(exc.orig) or "database is busy" in str(exc.orig)


@contextmanager
def transaction(
    engine: Engine, safe_url: str, *, write: bool, busy_timeout: float
) -> Iterator[Connection]:
    """One transaction on ``engine``: committed on success, rolled back on error.

    ``write=True`` takes SQLite's write lock at ``BEGIN`` (``BEGIN IMMEDIATE``);
    every read-then-write of the store runs in such a transaction.
    """
    try:
        with engine.connect() as conn:
            conn.execution_options(fanpin_write=write)
            with conn.begin():
                yield conn
    except sa.exc.IntegrityError as exc:
        raise CaseStoreError(
            Message(MSG_INTEGRITY, url=safe_url, what=type(exc.orig).__name__)
        ) from None
    except sa.exc.DBAPIError as exc:
        if _busy(exc):
            raise CaseStoreError(
                Message(MSG_BUSY, url=safe_url, seconds=busy_timeout)
            ) from None
        reason = _reason(exc)
        if "file is not a database" in reason:
            raise CaseStoreError(
                Message(MSG_NOT_A_DATABASE, url=safe_url, reason=reason)
            ) from None
        raise CaseStoreError(
            Message(MSG_CANNOT_USE, url=safe_url, reason=reason)
        ) from None
    except sa.exc.StatementError as exc:  # a value the driver cannot take
        reason = type(exc.orig).__name__ if exc.orig is not None else "bad value"
        raise CaseStoreError(
            Message(MSG_CANNOT_USE, url=safe_url, reason=reason)
        ) from None
