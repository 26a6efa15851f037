"""Validation of a household panel (and of department events) against the contract.

Every problem is collected and reported at once in one :class:`SchemaError`: the
column, the rule broken, how many rows, up to five household codes, and a
suggestion for misspelt column names. Harmless formatting is repaired with a
:class:`~fanpin.exceptions.DataRepairWarning` that says what was changed:
thousands separators (``"12,550"``), full-width digits (``"１２５５０"``), unit
suffixes (``"3人"``, ``"2023年"``) and spaces around household codes.
"""

from __future__ import annotations

import logging
import re
import warnings
from collections.abc import Sequence

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from ..exceptions import DataRepairWarning, SchemaError
from ..messages import MSG_DID_YOU_MEAN, N_, Message
from ._columns import (
    COLUMNS,
    EVENT_COLUMNS,
    HOUSEHOLD_TYPES,
    Column,
)
from ._headers import normalise_headers, suggest_column

__all__ = ["validate_events", "validate_households"]

logger = logging.getLogger(__name__)

MSG_MISSING = N_("required column {name!r} ({alias}) is missing{hint}")
MSG_NOT_NUMBER = (
    "column {name!r} ({alias}): {n} value(s) are not numbers, e.g. {examples}{where}"
)
MSG_NOT_INTEGER = "column {name!r} ({alias}): {n} value(s) are not whole numbers{where}"
MSG_NOT_BOOL = (
    "column {name!r} ({alias}): {n} value(s) are not yes/no, e.g. {examples}{where}; "
    "write 是/否, true/false or 1/0"
)
MSG_BAD_CATEGORY = (
    "column {name!r} ({alias}): {n} value(s) not allowed, e.g. {examples}{where}; "
    "allowed: {allowed}"
)
MSG_NOT_DATE = (
    "column {name!r} ({alias}): {n} value(s) are not dates, e.g. {examples}{where}"
)
MSG_BELOW = "column {name!r} ({alias}): {n} value(s) below {low}{where}"
MSG_ABOVE = "column {name!r} ({alias}): {n} value(s) above {high}{where}"
MSG_MISSING_VALUES = (
    "column {name!r} ({alias}): {n} missing value(s) in a required column{where}"
)
MSG_DUPLICATE_ROWS = (
    "{n} duplicate (household_id, year) row(s){where}; a household may have one record "
    "per year: merge or delete the duplicates"
)
MSG_NO_ROWS = N_("the table has a header but no rows; export the data again")
#: The header of a SchemaError, by what was validated.
MSG_HEADERS = {
    "households": N_(
        "The households break the data contract ({n} problem(s)); fix them in the "
        "source file and run again:"
    ),
    "events": N_(
        "The events break the data contract ({n} problem(s)); fix them in the "
        "source file and run again:"
    ),
}

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
_UNIT_SUFFIX = r"\s*(?:元|人次|人|年|亩|岁|户|个)$"


def _where(ids: pd.Series, mask: np.ndarray) -> str:
    hit = ids[mask]
    if hit.empty:
        return ""
    shown = ", ".join(str(v) for v in hit.head(5).tolist())
    more = "" if len(hit) <= 5 else ", …"
    return f" (households {shown}{more})"


_LONG_DIGITS = re.compile(r"\d{7,}")
_NAME_LIKE = re.compile(r"^[\u4e00-\u9fff·]{2,4}$")


def _redact(value: str) -> str:
    """Hide what may be personal data in an example value shown in an error.

    A value in the wrong column may be an ID or phone number (long digit runs are
    masked) or a person's name (2-4 Chinese characters are replaced by a
    placeholder); other values are shown as they are, since they help find the
    mistake.
    """
    value = _LONG_DIGITS.sub(lambda m: "#" * len(m.group()), value)
    if _NAME_LIKE.match(value) and not re.search(r"[人元年亩岁户个]$", value):
        return f"<{len(value)} 个汉字>"
    return value


def _examples(values: pd.Series, *, redact: bool = True) -> str:
    uniq = pd.unique(values.astype(str))[:3]
    return ", ".join(repr(_redact(v) if redact else v) for v in uniq)


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


def _parse_category(col: Column, s: pd.Series) -> tuple[pd.Series, np.ndarray]:
    distinct = _Distinct(s)
    text = _clean(distinct.values)
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


def _coerce(
    df: pd.DataFrame, columns: Sequence[Column], ids: pd.Series, problems: list[str]
) -> tuple[
    dict[str, pd.Series], list[str], dict[str, np.ndarray], dict[str, np.ndarray]
]:
    out: dict[str, pd.Series] = {}
    invalid: dict[str, np.ndarray] = {}
    keys: dict[str, np.ndarray] = {}  # id columns as integer codes
    repairs: list[str] = []
    for col in columns:
        if col.name not in df:
            continue
        s = df[col.name]
        fmt = {"name": col.name, "alias": col.alias}
        if col.kind in ("int", "yuan", "float"):
            num, bad, repaired = _parse_number(s)
            invalid[col.name] = bad
            if bad.any():
                problems.append(
                    MSG_NOT_NUMBER.format(
                        n=int(bad.sum()),
                        examples=_examples(s[bad]),
                        where=_where(ids, bad),
                        **fmt,
                    )
                )
            if repaired:
                repairs.append(
                    f"{col.name}: {repaired} value(s) with separators, "
                    "full-width digits or units"
                )
            if col.kind == "int":
                v = num.to_numpy()
                frac = ~np.isnan(v) & (v != np.round(v))
                if frac.any():
                    problems.append(
                        MSG_NOT_INTEGER.format(
                            n=int(frac.sum()), where=_where(ids, frac), **fmt
                        )
                    )
                    num = num.round()
            out[col.name] = num
        elif col.kind == "bool":
            val, bad = _parse_bool(s)
            invalid[col.name] = bad
            if bad.any():
                problems.append(
                    MSG_NOT_BOOL.format(
                        n=int(bad.sum()),
                        examples=_examples(s[bad]),
                        where=_where(ids, bad),
                        **fmt,
                    )
                )
            out[col.name] = val
        elif col.kind == "cat":
            val, bad = _parse_category(col, s)
            invalid[col.name] = bad
            if bad.any():
                allowed = ", ".join(col.values)
                if col.name == "household_type":
                    allowed += " (or 普通农户, lifted, ordinary)"
                problems.append(
                    MSG_BAD_CATEGORY.format(
                        n=int(bad.sum()),
                        examples=_examples(s[bad], redact=False),
                        where=_where(ids, bad),
                        allowed=allowed,
                        **fmt,
                    )
                )
            out[col.name] = val
        elif col.kind == "date":
            text = _as_text(s) if not pd.api.types.is_datetime64_any_dtype(s) else s
            val = pd.to_datetime(text, errors="coerce", format="mixed")
            bad = text.notna().to_numpy() & val.isna().to_numpy()
            invalid[col.name] = bad
            if bad.any():
                problems.append(
                    MSG_NOT_DATE.format(
                        n=int(bad.sum()),
                        examples=_examples(s[bad]),
                        where=_where(ids, bad),
                        **fmt,
                    )
                )
            out[col.name] = val.astype("datetime64[ns]")
        else:  # id, str
            distinct = _Distinct(s, codes=col.kind == "id")
            text = distinct.values
            stripped = _clean(text)
            if col.kind == "id" and pd.api.types.is_numeric_dtype(s):
                repairs.append(
                    f"{col.name}: stored as numbers; leading zeros may be lost "
                    "upstream, store codes as text"
                )
            elif (text.notna() & (text != stripped)).any():
                repairs.append(f"{col.name}: spaces or full-width characters trimmed")
            out[col.name] = distinct.expand(stripped)
            if col.kind == "id":
                keys[col.name] = distinct.keys(stripped)
    return out, repairs, invalid, keys


def _check_ranges(
    values: dict[str, pd.Series],
    columns: Sequence[Column],
    ids: pd.Series,
    problems: list[str],
) -> None:
    for col in columns:
        if col.name not in values or col.kind not in ("int", "yuan", "float"):
            continue
        v = values[col.name]
        fmt = {"name": col.name, "alias": col.alias}
        for bound, msg, op in (
            (col.low, MSG_BELOW, np.less),
            (col.high, MSG_ABOVE, np.greater),
        ):
            if bound is None:
                continue
            if isinstance(bound, str):
                if bound not in values:
                    continue
                ref = values[bound].to_numpy(dtype=float, na_value=np.nan)
                label = bound
            else:
                ref, label = float(bound), bound
            with np.errstate(invalid="ignore"):
                hit = op(v.to_numpy(dtype=float, na_value=np.nan), ref)
            hit = np.asarray(hit, dtype=bool)
            if hit.any():
                key = "low" if msg is MSG_BELOW else "high"
                problems.append(
                    msg.format(
                        n=int(hit.sum()), where=_where(ids, hit), **{key: label}, **fmt
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
    values: dict[str, pd.Series], columns: Sequence[Column], n: int, index: pd.Index
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


def _validate(df: pd.DataFrame, columns: Sequence[Column], what: str) -> pd.DataFrame:
    if not isinstance(df, pd.DataFrame):
        raise SchemaError(
            f"expected a pandas DataFrame of {what}, got {type(df).__name__}"
        )
    df, _ = normalise_headers(df, tuple(columns))
    if df.columns.duplicated().any():
        dup = sorted({str(c) for c in df.columns[df.columns.duplicated()]})
        raise SchemaError(
            [f"column {d!r} appears more than once; keep one" for d in dup]
        )
    problems: list[str] = []
    names = {c.name for c in columns}
    unknown = [str(c) for c in df.columns if c not in names]
    for col in columns:
        if col.required and col.name not in df:
            cand = suggest_column(col.name, unknown) or suggest_column(
                col.alias, unknown
            )
            hint = Message(MSG_DID_YOU_MEAN, names=repr(cand)) if cand else ""
            problems.append(
                Message(MSG_MISSING, name=col.name, alias=col.alias, hint=hint)
            )
    if len(df) == 0:
        problems.append(MSG_NO_ROWS)
        raise SchemaError(problems)
    df = df.reset_index(drop=True)
    ids = (
        df["household_id"].astype("string").str.strip()
        if "household_id" in df
        else pd.Series([f"row {i + 2}" for i in range(len(df))], dtype="string")
    )
    values, repairs, invalid, keys = _coerce(df, columns, ids, problems)
    for col in columns:
        if col.required and col.name in values:
            miss = values[col.name].isna().to_numpy().copy()
            if col.name in invalid:  # already reported as not parseable
                miss &= ~invalid[col.name]
            if miss.any():
                problems.append(
                    MSG_MISSING_VALUES.format(
                        name=col.name,
                        alias=col.alias,
                        n=int(miss.sum()),
                        where=_where(ids, miss),
                    )
                )
    _check_ranges(values, columns, ids, problems)
    if "year" in values and "household_id" in values and what == "households":
        year = pd.factorize(values["year"], use_na_sentinel=False)[0]
        dup = _duplicated_pairs(keys["household_id"], year)
        if dup.any():
            problems.append(
                MSG_DUPLICATE_ROWS.format(n=int(dup.sum()), where=_where(ids, dup))
            )
    if problems:
        raise SchemaError(
            problems,
            header=Message(MSG_HEADERS[what], n=len(problems)),
        )
    if repairs:
        warnings.warn(
            "Input repaired: " + "; ".join(repairs), DataRepairWarning, stacklevel=3
        )
    typed = _finish(values, columns, len(df), df.index)
    extras = df[unknown] if unknown else None
    out = pd.DataFrame(typed, index=df.index)
    if extras is not None:
        out = pd.concat([out, extras], axis=1)
    logger.info("validated %d %s rows", len(out), what)
    return out


def validate_households(df: pd.DataFrame) -> pd.DataFrame:
    """Check a household panel against the contract and return it typed.

    Headers may be English, Chinese or mixed; personal-data columns are dropped;
    every optional column is present in the result (all missing if absent from the
    input); unknown columns are kept after the contract columns.

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
    out = _validate(df, COLUMNS, "households")
    assert set(out["household_type"].unique()) <= set(HOUSEHOLD_TYPES)
    return out


def validate_events(
    events: pd.DataFrame,
    panel: pd.DataFrame | None = None,
    *,
    today: pd.Timestamp | None = None,
) -> pd.DataFrame:
    """Check a department-push table against the contract and return it typed.

    With ``panel``, every event must name a household of the panel; dates after
    ``today`` (default: now) are refused.
    """
    out = _validate(events, EVENT_COLUMNS, "events")
    problems: list[str] = []
    ids = out["household_id"]
    if panel is not None:
        unknown = ~ids.isin(set(panel["household_id"].astype(str))).to_numpy()
        if unknown.any():
            problems.append(
                f"{int(unknown.sum())} event(s) name households that are not in the "
                "panel"
                f"{_where(ids, unknown)}; check the household codes (户编码) or add "
                "the "
                "households to the panel"
            )
    limit = pd.Timestamp.now() if today is None else pd.Timestamp(today)
    future = (out["date"] > limit).to_numpy()
    if future.any():
        problems.append(
            f"{int(future.sum())} event(s) are dated in the future (after "
            f"{limit.date()}){_where(ids, future)}; correct the dates"
        )
    if problems:
        raise SchemaError(problems)
    return out
