"""Mapping input headers (English, Chinese or mixed) onto contract names; dropping
personal data; refusing a column given twice."""

from __future__ import annotations

import difflib
import logging
import re

import pandas as pd

from ..exceptions import SchemaError
from ..io import ROW_COLUMN, header_key
from ..messages import N_, Message
from ._columns import COLUMNS, PII_COLUMNS, Column

__all__ = ["column_letter", "normalise_headers", "suggest_column"]

logger = logging.getLogger(__name__)

MSG_DUPLICATE_HEADER = N_(
    "column {name!r} is given twice (as {given}); keep one of them and delete the other"
)
MSG_SAME_HEADER = N_(
    "column {name!r} appears {k} times in the header (columns {positions}); fanpin "
    "cannot know which one holds the right values: keep one and delete the others"
)

_key = header_key

_PII_KEYS = {_key(k) for k in PII_COLUMNS} | {_key(v) for v in PII_COLUMNS.values()}
_PII_KEYS |= {"姓名", "身份证号码", "手机号", "手机号码", "电话", "idcard", "name"}
_REPEAT = re.compile(r"^(?P<base>.*)\.(?P<n>\d+)$")


def _lookup(columns: tuple[Column, ...]) -> dict[str, str]:
    table: dict[str, str] = {}
    for c in columns:
        table[_key(c.name)] = c.name
        table[_key(c.alias)] = c.name
    return table


def column_letter(position: int) -> str:
    """The spreadsheet letter of a 0-based column position.

    Examples
    --------
    >>> column_letter(0), column_letter(19), column_letter(27)
    ('A', 'T', 'AB')
    """
    letters = ""
    n = position + 1
    while n:
        n, r = divmod(n - 1, 26)
        letters = chr(65 + r) + letters
    return letters


def suggest_column(name: str, candidates: list[str]) -> str | None:
    """The closest candidate to ``name`` (difflib), if any is close enough.

    Examples
    --------
    >>> suggest_column("hh_size", ["household_size", "year"])
    'household_size'
    """
    keyed = {_key(c): c for c in candidates}
    match = difflib.get_close_matches(_key(name), list(keyed), n=1, cutoff=0.6)
    if match:
        return keyed[match[0]]
    # Substring match catches abbreviations such as "hh_size" for "household_size".
    k = _key(name).replace("_", "")
    for ck, c in keyed.items():
        parts = [p for p in _key(name).split("_") if len(p) > 2]
        if parts and all(p in ck for p in parts) and k:
            return c
    return None


def _same_header_problems(names: list[str], table: dict[str, str]) -> list[Message]:
    """Columns named alike: exact repeats, or a reader's ``name.1`` renaming."""
    groups: dict[str, list[int]] = {}
    for j, col in enumerate(names):
        key = _key(col)
        m = _REPEAT.match(col)
        if m and _key(m.group("base")) in table | dict.fromkeys(_PII_KEYS, ""):
            base = _key(m.group("base"))
            if any(_key(c) == base for c in names):
                key = base
        if key in table or key in _PII_KEYS:
            groups.setdefault(key, []).append(j)
    problems = []
    for key, positions in groups.items():
        written = {_REPEAT.sub(r"\g<base>", names[j]) for j in positions}
        if len(positions) > 1 and len({_key(w) for w in written}) == 1:
            if key in _PII_KEYS:
                continue  # dropped anyway
            problems.append(
                Message(
                    MSG_SAME_HEADER,
                    name=sorted(written)[0],
                    k=len(positions),
                    positions=", ".join(
                        f"{column_letter(j)} ({j + 1})" for j in positions
                    ),
                )
            )
    return problems


def normalise_headers(
    df: pd.DataFrame, columns: tuple[Column, ...] = COLUMNS
) -> tuple[pd.DataFrame, list[str]]:
    """Rename English/Chinese headers to contract names and drop personal data.

    Returns the renamed frame and the list of dropped personal-data headers (names of
    columns only, never their values). Unknown columns are kept unchanged.

    Raises
    ------
    SchemaError
        A contract column is given twice: under both its names (``household_size``
        and ``家庭人口数``), or the same header written twice.
    """
    table = _lookup(columns)
    names = [str(c) for c in df.columns]
    problems = _same_header_problems([n for n in names if n != ROW_COLUMN], table)
    rename: dict[str, str] = {}
    dropped: list[str] = []
    seen: dict[str, list[str]] = {}
    for col in df.columns:
        k = _key(col)
        if k in _PII_KEYS:
            dropped.append(str(col))
            continue
        target = table.get(k)
        if target is not None:
            rename[col] = target
            seen.setdefault(target, []).append(str(col))
    if not problems:
        problems = [
            Message(
                MSG_DUPLICATE_HEADER,
                name=n,
                given=", ".join(repr(g) for g in given),
            )
            for n, given in seen.items()
            if len(given) > 1
        ]
    if problems:
        raise SchemaError(problems)
    if dropped:
        logger.info("dropped %d personal-data column(s) on read", len(dropped))
    out = df.drop(columns=dropped).rename(columns=rename)
    return out, dropped
