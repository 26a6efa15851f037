"""Validation of a household panel (and of department events) against the contract.

Every problem is collected and reported at once in one :class:`SchemaError`: the
column, the rule broken, how many rows, and the rows themselves (household code,
year and the file's own row number; all of them up to five, else the first five).
Example values are redacted (:func:`~fanpin.schema._text.redact`). Harmless
formatting is repaired with a :class:`~fanpin.exceptions.DataRepairWarning` that
says what was changed: thousands separators (``"12,550"``), full-width digits
(``"１２５５０"``), unit suffixes (``"3人"``, ``"2023年"``), spaces around codes,
invisible characters (byte-order marks, zero-width spaces) and control
characters, empty rows and rows that repeat the header (exports joined
together). Values no household can have (``inf``, 1e308 yuan) are errors.
"""

from __future__ import annotations

import logging
import warnings
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from ..exceptions import DataRepairWarning, FanpinWarning, SchemaError
from ..io import NUMBER_CELLS, ROW_COLUMN, header_key
from ..messages import N_, Message
from ._columns import (
    COLUMNS,
    HOUSEHOLD_TYPES,
    PLAUSIBLE_RANGE,
    Column,
)
from ._dates import parse_dates
from ._headers import normalise_headers, suggest_column
from ._text import looks_like_formula, redact, strip_invisible
from ._where import SHEET_COLUMN, Locator, joined

__all__ = ["validate_households"]

logger = logging.getLogger(__name__)

MSG_NOT_FRAME = N_("expected a pandas DataFrame of {what}, got {kind}")
MSG_MISSING = N_("required column {name!r} ({alias}) is missing{hint}")
MSG_HINT = N_(" (did you mean {candidate!r}?)")
MSG_NOT_NUMBER = N_(
    "column {name!r} ({alias}): {n} value(s) are not numbers, e.g. {examples} ({where})"
)
MSG_NOT_FINITE = N_(
    "column {name!r} ({alias}): {n} value(s) are not finite numbers (inf or "
    "-inf) ({where}); write the real amount"
)
MSG_NOT_INTEGER = N_(
    "column {name!r} ({alias}): {n} value(s) are not whole numbers ({where})"
)
MSG_NOT_BOOL = N_(
    "column {name!r} ({alias}): {n} value(s) are not yes/no, e.g. {examples} "
    "({where}); write 是/否, true/false or 1/0"
)
MSG_BAD_CATEGORY = N_(
    "column {name!r} ({alias}): {n} value(s) not allowed, e.g. {examples} "
    "({where}); allowed: {allowed}"
)
MSG_NOT_DATE = N_(
    "column {name!r} ({alias}): {n} value(s) are not dates, e.g. {examples} "
    "({where}); write dates as 2026-02-03"
)
MSG_AMBIGUOUS_DATE = N_(
    "column {name!r} ({alias}): {n} date(s) are ambiguous, e.g. {examples} "
    "({where}): a two-digit year or day and month before the year can be read "
    "more than one way; write dates as 2026-02-03 (year-month-day)"
)
MSG_BELOW = N_("column {name!r} ({alias}): {n} value(s) below {low} ({where})")
MSG_ABOVE = N_("column {name!r} ({alias}): {n} value(s) above {high} ({where})")
MSG_ABOVE_MAX = N_(
    "column {name!r} ({alias}): {n} value(s) above {high:,} {unit}, more than any "
    "household can have ({where}); check the unit and the digits"
)
MSG_BELOW_MIN = N_(
    "column {name!r} ({alias}): {n} value(s) below {low:,} {unit}, less than any "
    "household can have ({where}); check the unit and the digits"
)
MSG_MISSING_VALUES = N_(
    "column {name!r} ({alias}): {n} missing value(s) in a required column ({where})"
)
MSG_DUPLICATE_ROWS = N_(
    "{n} duplicate (household_id, year) row(s) ({where}); a household may have "
    "one record per year: merge or delete the duplicates"
)
MSG_NO_ROWS = N_("the table has a header but no rows; export the data again")
MSG_HEADER_HOUSEHOLDS = N_(
    "The households break the data contract ({n} problem(s)); fix them in the "
    "source file and run again:"
)
MSG_HEADER_EVENTS = N_(
    "The events break the data contract ({n} problem(s)); fix them in the source "
    "file and run again:"
)
MSG_EVENTS_UNKNOWN = N_(
    "{n} event(s) name households that are not in the panel ({where}); check the "
    "household codes (户编码) or add the households to the panel"
)
MSG_EVENTS_FUTURE = N_(
    "{n} event(s) are dated in the future (after {limit}) ({where}); correct the dates"
)
MSG_REPAIRED = N_("Input repaired: {repairs}")
MSG_REPAIR_NUMBERS = N_(
    "{column}: {n} value(s) with separators, full-width digits or units"
)
MSG_REPAIR_TRIMMED = N_("{column}: spaces or full-width characters trimmed")
MSG_REPAIR_NUMERIC_IDS = N_(
    "{column}: stored as numbers; leading zeros may be lost upstream, store codes "
    "as text"
)
MSG_REPAIR_EXCEL_NUMBER_IDS = N_(
    "{column}: {n} code(s) stored as numbers in the Excel file (first at row "
    "{row}), read as text; Excel drops leading zeros and rounds codes longer than "
    "15 digits: format the column as text (文本) in the source"
)
MSG_REPAIR_INVISIBLE = N_(
    "{column}: {n} value(s) held invisible characters (byte-order mark, "
    "zero-width space), removed"
)
MSG_REPAIR_CONTROL = N_(
    "{column}: {n} value(s) held control characters (such as ESC, tab or a line "
    "break), removed (tabs and line breaks became spaces)"
)
MSG_REPAIR_EMPTY_ROWS = N_("{n} empty row(s) ignored (rows {rows})")
MSG_REPAIR_HEADER_ROWS = N_(
    "{n} row(s) repeating the header dropped (rows {rows}); were several exports "
    "joined "
    "into one file?"
)
MSG_REPAIR_TIME_ZONE = N_(
    "{column}: {n} date(s) with a time zone read as China time (UTC+8)"
)
MSG_FORMULA = N_(
    "{column}: {n} value(s) begin with =, +, - or @ ({where}), which Excel and WPS "
    "would run as a formula; fanpin writes them as text in its outputs, but correct "
    "them in the source"
)
MSG_SHORT_IDS = N_(
    "{column}: {n} code(s) have fewer digits than the other {length}-digit codes "
    "({where}); leading zeros may have been lost (Excel drops them from codes typed "
    "as numbers): check these codes in the source"
)

_TRUE = {"true", "t", "1", "1.0", "yes", "y", "是", "有", "安全", "有保障", "√"}
_FALSE = {"false", "f", "0", "0.0", "no", "n", "否", "无", "不安全", "无保障", "×"}
_HOUSEHOLD_TYPE = {
    "脱贫户": "脱贫户",
    "lifted": "脱贫户",
    "脱贫不稳定户": None,
    "一般农户": "一般农户",
    "普通农户": "一般农户",
    "ordinary": "一般农户",
}
_CATEGORY_ALIASES = {
    "head_education": {
        "大专": "大专及以上",
        "本科": "大专及以上",
        "大学": "大专及以上",
        "中专": "高中",
        "学龄前": "文盲",
    },
    "disaster_type": {
        "": "无",
        "地震": "地震地质",
        "地质": "地震地质",
        "旱灾": "干旱",
        "洪水": "洪涝",
        "冰雹": "风雹",
    },
}
_UNIT_SUFFIX = r"\s*(?:元|人次|人|年度|年|亩|岁|户|个)$"
_TEXT_KINDS = ("id", "str", "cat", "date")


def _examples(values: pd.Series) -> str:
    uniq = pd.unique(values.astype(str))[:3]
    return ", ".join(repr(redact(v)) for v in uniq)


class _Distinct:
    """The distinct values of a column as text, and the way back to its rows.

    Text columns repeat their values (places, types, a household's code in
    every year), so the parsers below work on the distinct ``values`` (``<NA>``
    among them if any row is missing) and :meth:`expand` and :meth:`rows`
    spread the results back to the rows. Every parser is elementwise, so this
    gives what parsing every row would.
    """

    def __init__(self, s: pd.Series, *, codes: bool = False):
        arr = pa.array(s.astype("string"))
        if isinstance(arr, pa.ChunkedArray):
            arr = arr.combine_chunks()
        self.text = arr
        self.index = s.index
        self._codes: np.ndarray | None = None
        if codes:  # wanted anyway: find both in one pass
            enc = pc.dictionary_encode(arr, null_encoding="encode")
            values = enc.dictionary
            self._codes = enc.indices.to_numpy()
        else:
            values = pc.unique(arr)
        self.values = pd.Series(values, dtype=pd.StringDtype("pyarrow"))

    def codes(self) -> np.ndarray:
        """Each row's position in ``values`` (found only when needed)."""
        if self._codes is None:
            value_set = pa.array(self.values.array)
            self._codes = pc.index_in(self.text, value_set, skip_nulls=False)
            self._codes = self._codes.to_numpy()
        return self._codes

    def expand(self, per_value: pd.Series) -> pd.Series:
        """The rows' values of a result computed on ``values``."""
        if per_value.dtype == self.values.dtype and per_value.equals(self.values):
            # Nothing changed (the usual case): the text itself, no lookup.
            return pd.Series(self.text, index=self.index, dtype=self.values.dtype)
        return pd.Series(per_value.array.take(self.codes()), index=self.index)

    def keys(self, per_value: pd.Series) -> np.ndarray:
        """Row codes, equal where the rows' ``per_value`` values are (<NA> too)."""
        if per_value.equals(self.values):  # distinct values stay distinct
            return self.codes()
        return pd.factorize(per_value, use_na_sentinel=False)[0][self.codes()]

    def rows(self, per_value: np.ndarray) -> np.ndarray:
        """The rows' flags of a flag computed on ``values``."""
        if not per_value.any():
            return np.zeros(len(self.text), dtype=bool)
        return per_value[self.codes()]


def _clean(values: pd.Series) -> pd.Series:
    """NFKC-normalised (full-width to half-width), trimmed text; <NA> where empty."""
    arr = pa.array(values)
    if isinstance(arr, pa.ChunkedArray):
        arr = arr.combine_chunks()
    arr = pc.utf8_trim_whitespace(pc.utf8_normalize(arr, "NFKC"))
    arr = pc.if_else(pc.equal(arr, ""), pa.scalar(None, arr.type), arr)
    return pd.Series(arr, index=values.index, dtype=pd.StringDtype("pyarrow"))


def _as_text(s: pd.Series) -> pd.Series:
    distinct = _Distinct(s)
    return distinct.expand(_clean(distinct.values))


def _is_text(s: pd.Series) -> bool:
    return not (
        pd.api.types.is_numeric_dtype(s)
        or pd.api.types.is_bool_dtype(s)
        or pd.api.types.is_datetime64_any_dtype(s)
    )


def _parse_number(s: pd.Series) -> tuple[pd.Series, np.ndarray, int]:
    """Parse numbers, repairing separators, full-width digits and unit suffixes."""
    if pd.api.types.is_bool_dtype(s):
        return s.astype("float64"), np.zeros(len(s), dtype=bool), 0
    if pd.api.types.is_numeric_dtype(s):
        return s.astype("float64"), np.zeros(len(s), dtype=bool), 0
    distinct = _Distinct(s)
    values = distinct.values
    text = _clean(values)
    cleaned = text.str.replace(r"(?<=\d)[,，](?=\d{3})", "", regex=True).str.replace(
        _UNIT_SUFFIX, "", regex=True
    )
    num = pd.to_numeric(cleaned, errors="coerce").astype("float64")
    present = text.notna().to_numpy()
    bad = present & num.isna().to_numpy()
    raw = values.str.strip()
    repaired = present & ~bad & (raw != cleaned).fillna(False).to_numpy()
    return distinct.expand(num), distinct.rows(bad), int(distinct.rows(repaired).sum())


def _parse_bool(s: pd.Series) -> tuple[pd.Series, np.ndarray]:
    if pd.api.types.is_bool_dtype(s) or str(s.dtype) == "boolean":
        return s.astype("boolean"), np.zeros(len(s), dtype=bool)
    distinct = _Distinct(s)
    text = _clean(distinct.values).str.lower()
    out = pd.Series(pd.NA, index=text.index, dtype="boolean")
    out[text.isin(_TRUE).fillna(False).to_numpy()] = True
    out[text.isin(_FALSE).fillna(False).to_numpy()] = False
    bad = text.notna().to_numpy() & out.isna().to_numpy()
    return distinct.expand(out), distinct.rows(bad)


def _parse_category(
    col: Column, s: pd.Series, names: Callable[[pd.Series], pd.Series] | None = None
) -> tuple[pd.Series, np.ndarray]:
    distinct = _Distinct(s)
    text = _clean(distinct.values)
    if names is not None:  # the caller's synonyms (push sources)
        text = names(text)
    if col.name == "household_type":
        key = text.str.lower()
        mapped = key.map({k: v for k, v in _HOUSEHOLD_TYPE.items() if v})
        out = mapped.astype("string")
    else:
        aliases = _CATEGORY_ALIASES.get(col.name, {})
        out = text.replace(aliases) if aliases else text
        out = out.where(out.isin(col.values)).astype("string")
    bad = text.notna().to_numpy() & out.isna().to_numpy()
    return distinct.expand(out), distinct.rows(bad)


def _parse_date(s: pd.Series) -> tuple[pd.Series, np.ndarray, np.ndarray, int]:
    if pd.api.types.is_datetime64_any_dtype(s):
        if getattr(s.dt, "tz", None) is not None:
            s = s.dt.tz_convert("Asia/Shanghai").dt.tz_localize(None)
        none = np.zeros(len(s), dtype=bool)
        return s.astype("datetime64[ns]"), none, none, 0
    distinct = _Distinct(s)
    dates, bad, ambiguous, zoned = parse_dates(_clean(distinct.values))
    out = pd.Series(dates.to_numpy()[distinct.codes()], index=s.index)
    return out, distinct.rows(bad), distinct.rows(ambiguous), zoned


def _fmt(col: Column) -> dict[str, str]:
    return {"name": col.name, "alias": col.alias}


def _coerce(
    df: pd.DataFrame,
    columns: Sequence[Column],
    at: Locator,
    problems: list[str],
    repairs: list[str],
    names: Mapping[str, Callable[[pd.Series], pd.Series]] | None = None,
) -> tuple[dict[str, pd.Series], dict[str, np.ndarray], dict[str, np.ndarray]]:
    out: dict[str, pd.Series] = {}
    invalid: dict[str, np.ndarray] = {}
    keys: dict[str, np.ndarray] = {}  # id columns as integer codes
    for col in columns:
        if col.name not in df:
            continue
        s = df[col.name]
        fmt = _fmt(col)
        if col.kind in ("int", "yuan", "float"):
            num, bad, repaired = _parse_number(s)
            v = num.to_numpy(dtype="float64", na_value=np.nan)
            infinite = np.isinf(v)
            invalid[col.name] = bad | infinite
            if bad.any():
                problems.append(
                    Message(
                        MSG_NOT_NUMBER,
                        n=int(bad.sum()),
                        examples=_examples(s[bad]),
                        where=at(bad),
                        **fmt,
                    )
                )
            if infinite.any():
                problems.append(
                    Message(
                        MSG_NOT_FINITE, n=int(infinite.sum()), where=at(infinite), **fmt
                    )
                )
                num = num.where(~infinite)
                v = num.to_numpy(dtype="float64", na_value=np.nan)
            if repaired:
                repairs.append(Message(MSG_REPAIR_NUMBERS, column=col.name, n=repaired))
            if col.kind == "int":
                frac = ~np.isnan(v) & (v != np.round(v))
                invalid[col.name] = invalid[col.name] | frac
                if frac.any():
                    problems.append(
                        Message(
                            MSG_NOT_INTEGER, n=int(frac.sum()), where=at(frac), **fmt
                        )
                    )
                    num = num.round()
            out[col.name] = num
        elif col.kind == "bool":
            val, bad = _parse_bool(s)
            invalid[col.name] = bad
            if bad.any():
                problems.append(
                    Message(
                        MSG_NOT_BOOL,
                        n=int(bad.sum()),
                        examples=_examples(s[bad]),
                        where=at(bad),
                        **fmt,
                    )
                )
            out[col.name] = val
        elif col.kind == "cat":
            val, bad = _parse_category(col, s, (names or {}).get(col.name))
            invalid[col.name] = bad
            if bad.any():
                allowed = ", ".join(col.values)
                if col.name == "household_type":
                    allowed += " (or 普通农户, lifted, ordinary)"
                problems.append(
                    Message(
                        MSG_BAD_CATEGORY,
                        n=int(bad.sum()),
                        examples=_examples(s[bad]),
                        where=at(bad),
                        allowed=allowed,
                        **fmt,
                    )
                )
            out[col.name] = val
        elif col.kind == "date":
            val, bad, ambiguous, zoned = _parse_date(s)
            invalid[col.name] = bad | ambiguous
            for mask, msg in ((bad, MSG_NOT_DATE), (ambiguous, MSG_AMBIGUOUS_DATE)):
                if mask.any():
                    problems.append(
                        Message(
                            msg,
                            n=int(mask.sum()),
                            examples=_examples(s[mask]),
                            where=at(mask),
                            **fmt,
                        )
                    )
            if zoned:
                repairs.append(Message(MSG_REPAIR_TIME_ZONE, column=col.name, n=zoned))
            out[col.name] = val.astype("datetime64[ns]")
        else:  # id, str
            distinct = _Distinct(s, codes=col.kind == "id")
            text = distinct.values
            stripped = _clean(text)
            if col.kind == "id" and pd.api.types.is_numeric_dtype(s):
                repairs.append(Message(MSG_REPAIR_NUMERIC_IDS, column=col.name))
            elif (text.notna() & (text != stripped)).any():
                repairs.append(Message(MSG_REPAIR_TRIMMED, column=col.name))
            out[col.name] = distinct.expand(stripped)
            if col.kind == "id":
                keys[col.name] = distinct.keys(stripped)
    return out, invalid, keys


def _check_ranges(
    values: dict[str, pd.Series],
    columns: Sequence[Column],
    at: Locator,
    problems: list[str],
    masks: dict[str, np.ndarray] | None = None,
) -> None:
    """Values outside the contract's bounds: a problem each (and, with
    ``masks``, the rows flagged under the column's name)."""

    def flag(name: str, hit: np.ndarray) -> None:
        if masks is not None:
            masks[name] = masks.get(name, np.zeros(len(hit), dtype=bool)) | hit

    for col in columns:
        if col.name not in values or col.kind not in ("int", "yuan", "float"):
            continue
        v = values[col.name].to_numpy(dtype=float, na_value=np.nan)
        fmt = _fmt(col)
        for bound, op, key in (
            (col.low, np.less, "low"),
            (col.high, np.greater, "high"),
        ):
            if bound is None:
                continue
            if isinstance(bound, str):
                if bound not in values:
                    continue
                ref = values[bound].to_numpy(dtype=float, na_value=np.nan)
            else:
                ref = float(bound)
            with np.errstate(invalid="ignore"):
                hit = np.asarray(op(v, ref), dtype=bool)
            flag(col.name, hit)
            if hit.any():
                msg = MSG_BELOW if key == "low" else MSG_ABOVE
                problems.append(
                    Message(msg, n=int(hit.sum()), where=at(hit), **{key: bound}, **fmt)
                )
        if col.name in PLAUSIBLE_RANGE:
            low, high = PLAUSIBLE_RANGE[col.name]
            with np.errstate(invalid="ignore"):
                below, above = v < low, v > high
            unit = col.unit or ""
            flag(col.name, (below & (low < 0)) | above)
            if low < 0 and below.any():
                problems.append(
                    Message(
                        MSG_BELOW_MIN,
                        n=int(below.sum()),
                        where=at(below),
                        low=int(low),
                        unit=unit,
                        **fmt,
                    )
                )
            if above.any():
                problems.append(
                    Message(
                        MSG_ABOVE_MAX,
                        n=int(above.sum()),
                        where=at(above),
                        high=int(high),
                        unit=unit,
                        **fmt,
                    )
                )


def _duplicated_pairs(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """Rows whose pair of codes (``a``, ``b``: integers >= 0) occurs more than once."""
    key = a.astype(np.int64) * (int(b.max(initial=0)) + 1) + b
    if key.max(initial=0) > 4 * len(key):  # keep the counts small
        key = pd.factorize(key)[0]
    return np.bincount(key)[key] > 1


def _as_int(s: pd.Series, dtype: str) -> pd.Series:
    """``s.astype("float64").round().astype("Int64")``, then ``int64`` if asked.

    Done in NumPy when every value is missing or a whole number below 2**53
    (exactly convertible); otherwise pandas' own checks (and errors) apply.
    """
    v = s.to_numpy(dtype="float64", na_value=np.nan)
    missing = np.isnan(v)
    whole = np.round(np.where(missing, 1.0, v))  # pandas puts 1 under the mask
    if (np.abs(whole) < 2.0**53).all() and not (dtype == "int64" and missing.any()):
        ints = whole.astype(np.int64)
        if dtype == "int64":
            return pd.Series(ints, index=s.index)
        return pd.Series(pd.arrays.IntegerArray(ints, missing), index=s.index)
    s = s.astype("float64").round().astype("Int64")
    return s.astype("int64") if dtype == "int64" else s


def _finish(
    values: dict[str, pd.Series], columns: Sequence[Column], index: pd.Index
) -> dict[str, pd.Series]:
    typed: dict[str, pd.Series] = {}
    for col in columns:
        if col.name in values:
            s = values[col.name]
        elif col.dtype in ("float64", "int64", "Int64"):
            s = pd.Series(np.nan, index=index, dtype="float64")
        else:
            s = pd.Series(pd.NA, index=index, dtype="object")
        if col.dtype in ("int64", "Int64"):
            typed[col.name] = _as_int(s, col.dtype)
        elif col.dtype == "bool":
            typed[col.name] = s.astype("boolean").astype(bool)
        else:
            typed[col.name] = s.astype(col.dtype)
    return typed


# -- text hygiene and rows that are not records ---------------------------------
def _strip_text(df: pd.DataFrame, repairs: list[str]) -> pd.DataFrame:
    """Invisible and control characters out of every text column (in place)."""
    for name in df.columns:
        s = df[name]
        if not _is_text(s):
            continue
        distinct = _Distinct(s)
        clean, invisible, control = strip_invisible(distinct.values)
        if not (invisible.any() or control.any()):
            continue
        df[name] = distinct.expand(clean)
        for flags, msg in (
            (invisible, MSG_REPAIR_INVISIBLE),
            (control, MSG_REPAIR_CONTROL),
        ):
            if flags.any():
                n = int(distinct.rows(flags).sum())
                repairs.append(Message(msg, column=str(name), n=n))
    return df


def _row_list(rows: np.ndarray | None, mask: np.ndarray) -> str:
    hit = np.flatnonzero(mask)
    if rows is None:
        return joined([str(int(i) + 1) for i in hit[:5]])
    shown = [str(int(rows[i])) for i in hit[:5]]
    return joined([*shown, "…"] if len(hit) > 5 else shown)


def _not_records(
    df: pd.DataFrame,
    columns: Sequence[Column],
    rows: np.ndarray | None,
    repairs: list[str],
) -> np.ndarray:
    """Rows to drop: empty ones, and rows that repeat the header."""
    contract = [c.name for c in columns if c.name in df]
    if not contract or len(df) == 0:
        return np.zeros(len(df), dtype=bool)
    empty = np.ones(len(df), dtype=bool)
    for name in contract:  # usually stops at the first column
        s = df[name]
        if _is_text(s):
            distinct = _Distinct(s)
            blank = distinct.values.str.strip().eq("").fillna(True).to_numpy(bool)
            empty &= distinct.rows(blank)
        else:
            empty &= s.isna().to_numpy()
        if not empty.any():
            break
    header = np.zeros(len(df), dtype=bool)
    by_name = {c.name: c for c in columns}
    id_col = "household_id" if "household_id" in df else None
    if id_col is not None and _is_text(df[id_col]):
        names = {header_key(by_name[id_col].name), header_key(by_name[id_col].alias)}
        ids = df[id_col].astype("string")
        distinct = pd.unique(ids.dropna())
        hits = {v for v in distinct if header_key(v) in names}
        if hits:
            header = ids.isin(hits).fillna(False).to_numpy(dtype=bool)
    if empty.any():
        repairs.append(
            Message(
                MSG_REPAIR_EMPTY_ROWS, n=int(empty.sum()), rows=_row_list(rows, empty)
            )
        )
    if header.any():
        repairs.append(
            Message(
                MSG_REPAIR_HEADER_ROWS,
                n=int(header.sum()),
                rows=_row_list(rows, header),
            )
        )
    return empty | header


def _id_warnings(
    df: pd.DataFrame,
    raw_numbers: dict[str, tuple[int, int]],
    ids: pd.Series,
    at: Locator,
    repairs: list[str],
    notes: list[str],
) -> None:
    if "household_id" in raw_numbers:
        n, row = raw_numbers["household_id"]
        repairs.append(
            Message(MSG_REPAIR_EXCEL_NUMBER_IDS, column="household_id", n=n, row=row)
        )
    digits = ids.str.fullmatch(r"\d+").fillna(False).to_numpy(dtype=bool)
    if digits.sum() < 10:  # too few codes to say what their length should be
        return
    lengths = ids.str.len().to_numpy(dtype="float64", na_value=np.nan)
    counts = pd.Series(lengths[digits]).value_counts()
    length = int(max(counts.index[counts == counts.max()]))  # ties: the longest
    share = float(np.mean(lengths[digits] == length))
    short = digits & (lengths < length)
    if share >= 0.9 and length >= 4 and short.any():
        notes.append(
            Message(
                MSG_SHORT_IDS,
                column="household_id",
                n=int(short.sum()),
                length=length,
                where=at(short),
            )
        )


def _formula_warnings(
    values: dict[str, pd.Series],
    extras: pd.DataFrame | None,
    columns: Sequence[Column],
    at: Locator,
    notes: list[str],
) -> None:
    names = [c.name for c in columns if c.kind in ("id", "str") and c.name in values]
    frames = [(n, values[n]) for n in names]
    if extras is not None:
        frames += [(str(n), extras[n]) for n in extras.columns if _is_text(extras[n])]
    for name, s in frames:
        distinct = _Distinct(s)
        flags = looks_like_formula(distinct.values)
        if flags.any():
            mask = distinct.rows(flags)
            notes.append(
                Message(MSG_FORMULA, column=name, n=int(mask.sum()), where=at(mask))
            )


def _number_cells(df: pd.DataFrame, columns: Sequence[Column]) -> dict[str, tuple]:
    """Excel cells stored as numbers, by contract name (from the reader's note)."""
    found = df.attrs.get(NUMBER_CELLS) or {}
    if not found:
        return {}
    names = {}
    for c in columns:
        names[header_key(c.name)] = c.name
        names[header_key(c.alias)] = c.name
    return {names[header_key(k)]: v for k, v in found.items() if header_key(k) in names}


def _empty_events(columns: Sequence[Column]) -> pd.DataFrame:
    return pd.DataFrame(_finish({}, columns, pd.RangeIndex(0)), index=pd.RangeIndex(0))


@dataclass
class Screen:
    """What :func:`_validate` gives back when asked to screen rows rather than
    refuse the table (``screen`` given: department pushes read with
    ``on_bad="skip"``): per contract column, the rows whose value is missing
    (when required), not readable or out of bounds (``masks``); the table as
    read, after empty and header rows were dropped (``raw``); each row's
    number and sheet in the file. With ``skip`` false, only the rows'
    numbers and sheets are kept: the table is refused as without."""

    skip: bool = True
    masks: dict[str, np.ndarray] = field(default_factory=dict)
    raw: pd.DataFrame | None = None
    rows: np.ndarray | None = None
    sheets: np.ndarray | None = None


def _validate(
    df: pd.DataFrame,
    columns: Sequence[Column],
    what: str,
    screen: Screen | None = None,
    synonyms: Mapping[str, Callable[[pd.Series], pd.Series]] | None = None,
) -> tuple[pd.DataFrame, np.ndarray | None]:
    if not isinstance(df, pd.DataFrame):
        raise SchemaError(Message(MSG_NOT_FRAME, what=what, kind=type(df).__name__))
    numbers = _number_cells(df, columns)
    rows = None
    if ROW_COLUMN in df:
        rows = pd.to_numeric(df[ROW_COLUMN], errors="coerce").to_numpy(dtype="float64")
        df = df.drop(columns=[ROW_COLUMN])
    sheets = None
    if SHEET_COLUMN in df:
        sheets = df[SHEET_COLUMN].astype(object).to_numpy()
        df = df.drop(columns=[SHEET_COLUMN])
    df, _ = normalise_headers(df, tuple(columns))
    if df.columns.duplicated().any():
        dup = sorted({str(c) for c in df.columns[df.columns.duplicated()]})
        raise SchemaError(
            [f"column {d!r} appears more than once; keep one" for d in dup]
        )
    problems: list[str] = []
    repairs: list[str] = []
    notes: list[str] = []
    names = {c.name for c in columns}
    unknown = [str(c) for c in df.columns if c not in names]
    for col in columns:
        if col.required and col.name not in df:
            cand = suggest_column(col.name, unknown) or suggest_column(
                col.alias, unknown
            )
            hint = Message(MSG_HINT, candidate=cand) if cand else ""
            problems.append(
                Message(MSG_MISSING, name=col.name, alias=col.alias, hint=hint)
            )
    df = df.reset_index(drop=True).copy(deep=False)
    df = _strip_text(df, repairs)
    drop = _not_records(df, columns, rows, repairs)
    if drop.any():
        df = df.loc[~drop].reset_index(drop=True)
        rows = rows[~drop] if rows is not None else None
        sheets = sheets[~drop] if sheets is not None else None
    if screen is not None:
        screen.raw, screen.rows, screen.sheets = df, rows, sheets
    if screen is not None and screen.skip:
        if problems:  # a column missing: the table itself is wrong
            raise SchemaError(
                problems, header=Message(MSG_HEADER_EVENTS, n=len(problems))
            )
    if len(df) == 0:
        if what == "events" and not problems:
            return _empty_events(columns), rows
        problems.append(Message(MSG_NO_ROWS))
        raise SchemaError(problems)
    ids = (
        _as_text(df["household_id"])
        if "household_id" in df
        else pd.Series([pd.NA] * len(df), dtype="string")
    )
    if what == "events":
        when = _as_text(df["date"]) if "date" in df else None
    else:
        when = None
        if "year" in df:
            years, bad, _ = _parse_number(df["year"])
            when = years.where(~pd.Series(bad, index=years.index))
    at = Locator(ids, when, rows, events=what == "events", sheets=sheets)
    masks = screen.masks if screen is not None and screen.skip else None
    if masks is not None:
        problems = []  # row problems screened, not raised
    values, invalid, keys = _coerce(df, columns, at, problems, repairs, synonyms)
    if masks is not None:
        masks.update({k: v.copy() for k, v in invalid.items()})
    for col in columns:
        if col.required and col.name in values:
            miss = values[col.name].isna().to_numpy().copy()
            if masks is not None:
                masks[col.name] = masks.get(col.name, np.zeros(len(miss), bool)) | miss
            if col.name in invalid:  # already reported as not parseable
                miss &= ~invalid[col.name]
            if miss.any():
                problems.append(
                    Message(
                        MSG_MISSING_VALUES,
                        name=col.name,
                        alias=col.alias,
                        n=int(miss.sum()),
                        where=at(miss),
                    )
                )
    _check_ranges(values, columns, at, problems, masks)
    if masks is not None:
        problems = []
    if "year" in values and "household_id" in values and what == "households":
        year = pd.factorize(values["year"], use_na_sentinel=False)[0]
        dup = _duplicated_pairs(keys["household_id"], year)
        if dup.any():
            problems.append(
                Message(MSG_DUPLICATE_ROWS, n=int(dup.sum()), where=at(dup))
            )
    if problems:
        head = MSG_HEADER_EVENTS if what == "events" else MSG_HEADER_HOUSEHOLDS
        raise SchemaError(problems, header=Message(head, n=len(problems)))
    extras = df[unknown] if unknown else None
    if "household_id" in values:
        _id_warnings(df, numbers, values["household_id"], at, repairs, notes)
    _formula_warnings(values, extras, columns, at, notes)
    if repairs:
        warnings.warn(
            Message(MSG_REPAIRED, repairs=_semicolons(repairs)),
            DataRepairWarning,
            stacklevel=3,
        )
    for note in notes:
        warnings.warn(note, FanpinWarning, stacklevel=3)
    typed = _finish(values, columns, df.index)
    out = pd.DataFrame(typed, index=df.index)
    if extras is not None:
        out = pd.concat([out, extras], axis=1)
    logger.info("validated %d %s rows", len(out), what)
    return out, rows


def _semicolons(items: list[str]) -> Message:
    template = "; ".join(f"{{i{k}}}" for k in range(len(items)))
    return Message(template, **{f"i{k}": v for k, v in enumerate(items)})


def validate_households(df: pd.DataFrame) -> pd.DataFrame:
    """Check a household panel against the contract and return it typed.

    Headers may be English, Chinese or mixed; personal-data columns are dropped;
    every optional column is present in the result (all missing if absent from the
    input); unknown columns are kept after the contract columns. A column
    ``fanpin.io.ROW_COLUMN`` (added by :func:`fanpin.schema.read_households`)
    gives each row's number in the file for the messages; it is not kept.

    Raises
    ------
    SchemaError
        Listing every problem at once.

    Examples
    --------
    >>> import pandas as pd
    >>> raw = pd.DataFrame({"户编码": ["0012"], "年度": ["2023年"], "省": ["湖北省"],
    ...     "县": ["A县"], "村": ["B村"], "户类型": ["脱贫户"], "家庭人口数": ["3"],
    ...     "劳动力人数": [2], "慢性病人数": [0], "大病人数": [0], "残疾人数": [0],
    ...     "医疗总费用": [0], "医疗自付费用": [0], "因灾损失": [0],
    ...     "工资性收入": ["30,000"], "生产经营性净收入": [0], "转移性收入": [0],
    ...     "住房安全有保障": ["是"], "饮水安全有保障": ["是"]})
    >>> import warnings
    >>> with warnings.catch_warnings():
    ...     warnings.simplefilter("ignore")
    ...     panel = validate_households(raw)
    >>> row = panel.loc[0]
    >>> row["household_id"], int(row["year"]), float(row["income_wage"])
    ('0012', 2023, 30000.0)
    """
    out, _ = _validate(df, COLUMNS, "households")
    assert set(out["household_type"].unique()) <= set(HOUSEHOLD_TYPES)
    return out
