"""Mapping input headers (English, Chinese or mixed) onto contract names; dropping "
"PII."""

from __future__ import annotations

import difflib
import logging
import unicodedata

import pandas as pd

from ..exceptions import SchemaError
from ._columns import COLUMNS, PII_COLUMNS, Column

__all__ = ["normalise_headers", "suggest_column"]

logger = logging.getLogger(__name__)

MSG_DUPLICATE_HEADER = (
    "column {name!r} is given twice (as {given}); keep one of them and delete the other"
)


def _key(text: object) -> str:
    """Header comparison key: NFKC (full-width to half-width), trimmed, lower case."""
    return unicodedata.normalize("NFKC", str(text)).strip().lower().replace(" ", "")


_PII_KEYS = {_key(k) for k in PII_COLUMNS} | {_key(v) for v in PII_COLUMNS.values()}
_PII_KEYS |= {"姓名", "身份证号码", "手机号", "手机号码", "电话", "idcard", "name"}


def _lookup(columns: tuple[Column, ...]) -> dict[str, str]:
    table: dict[str, str] = {}
    for c in columns:
        table[_key(c.name)] = c.name
        table[_key(c.alias)] = c.name
    # Spellings the contract names as equivalents.
    return table


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


def normalise_headers(
    df: pd.DataFrame, columns: tuple[Column, ...] = COLUMNS
) -> tuple[pd.DataFrame, list[str]]:
    """Rename English/Chinese headers to contract names and drop personal data.

    Returns the renamed frame and the list of dropped personal-data headers (names of
    columns only, never their values). Unknown columns are kept unchanged.
    """
    table = _lookup(columns)
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
    problems = [
        MSG_DUPLICATE_HEADER.format(name=n, given=", ".join(repr(g) for g in given))
        for n, given in seen.items()
        if len(given) > 1
    ]
    if problems:
        raise SchemaError(problems)
    if dropped:
        logger.info("dropped %d personal-data column(s) on read", len(dropped))
    out = df.drop(columns=dropped).rename(columns=rename)
    return out, dropped
