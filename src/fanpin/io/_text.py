"""Text that fanpin writes: no formula, no control character, no personal number.

- :func:`neutralise_formula`: a CSV cell that begins with ``=``, ``+``, ``-``,
  ``@``, a tab or a carriage return gets a leading ``'`` (the OWASP rule against
  CSV injection), so that Excel and WPS show it as text instead of running it.
  Only text cells: numbers stay numbers.
- :func:`clean_text`: control characters (C0 but tab, newline and carriage
  return; DEL; C1) and characters XML cannot hold (surrogates, U+FFFE, U+FFFF)
  are removed: a workbook cannot store them and a terminal may obey them.
- :func:`mask_personal_numbers`: digit runs of 7 or more digits, also with
  spaces or dashes between them (``139-8765-4321``, ``139 8765 4321``,
  ``11010119900307123X``), have their digits replaced by ``#``; dates such as
  ``2024-03-01`` are kept.
- :func:`safe_frame` applies them to a table before it is written, and says
  which columns it repaired (never the values).
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

__all__ = [
    "PLACE_COLUMNS",
    "FORMULA_START",
    "TextRepair",
    "clean_text",
    "has_personal_numbers",
    "mask_personal_numbers",
    "neutralise_formula",
    "safe_frame",
]

PLACE_COLUMNS = (
    "province", "county", "township", "village", "省", "县", "乡镇", "村",
)  # fmt: skip
"""Free-text place columns: ID- and phone-like numbers in them are masked in
every table fanpin writes."""

FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
"""First characters that make a spreadsheet read a CSV cell as a formula."""

_CONTROL_CLASS = "\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ufffe\uffff"
_CONTROL = re.compile(f"[{_CONTROL_CLASS}\ud800-\udfff]")
_DIGIT = "0-9\uff10-\uff19"
_SEP = " \\-\uff0d\u2010-\u2015"
_NUMBER = re.compile(
    f"(?<![{_DIGIT}])[{_DIGIT}](?:[{_SEP}]?[{_DIGIT}]){{6,}}(?:[{_SEP}]?[Xx\uff38])?"
)
_DATE = re.compile(
    r"(?:19|20)\d\d(?P<s>[-/. ])(?:0?[1-9]|1[0-2])(?P=s)(?:0?[1-9]|[12]\d|3[01])"
)
# The same tests in RE2 (pyarrow), to find the few cells to look at.
_RE2_ATTENTION = f"^[=+\\-@\\t]|[\\r{_CONTROL_CLASS}]"
_RE2_NUMBER = f"[{_DIGIT}](?:[{_SEP}]?[{_DIGIT}]){{6,}}"


def neutralise_formula(value: str) -> str:
    """``value`` with a leading ``'`` if a spreadsheet would read it as a formula.

    Examples
    --------
    >>> neutralise_formula('=HYPERLINK("http://x")'), neutralise_formula("丙村")
    ('\\'=HYPERLINK("http://x")', '丙村')
    """
    return "'" + value if value.startswith(FORMULA_START) else value


def clean_text(value: str) -> str:
    """``value`` without control or XML-illegal characters.

    Examples
    --------
    >>> clean_text("王秘密\\x0b"), clean_text("两行\\n文字")
    ('王秘密', '两行\\n文字')
    """
    return _CONTROL.sub("", value)


def _mask(match: re.Match) -> str:
    text = match.group()
    if _DATE.fullmatch(text):
        return text
    return re.sub(f"[{_DIGIT}Xx\uff38]", "#", text)


def mask_personal_numbers(text: str) -> str:
    """``text`` with the digits of ID- and phone-like numbers replaced by ``#``.

    Examples
    --------
    >>> mask_personal_numbers("身份证11010119900307123X 电话139-8765-4321")
    '身份证################## 电话###-####-####'
    >>> mask_personal_numbers("2024-03-01 入户, 收入 12000 元")
    '2024-03-01 入户, 收入 12000 元'
    """
    return _NUMBER.sub(_mask, text)


def has_personal_numbers(text: str) -> bool:
    """Whether :func:`mask_personal_numbers` would change ``text``."""
    return mask_personal_numbers(text) != text


@dataclass(frozen=True)
class TextRepair:
    """What :func:`safe_frame` changed in one column (counts only, no values)."""

    column: str
    kind: str  # "control" or "personal"
    n: int


def _flags(values: pd.Series, re2: str, rx: re.Pattern) -> np.ndarray:
    """Rows whose text may match (RE2 on Arrow strings; ``rx`` on objects)."""
    if isinstance(values.dtype, pd.StringDtype):
        arr = pa.array(values, type=pa.large_string(), from_pandas=True)
        hit = pc.match_substring_regex(arr, re2)
        return np.asarray(pc.fill_null(hit, False), dtype=bool)
    return np.fromiter(
        (isinstance(v, str) and rx.search(v) is not None for v in values),
        dtype=bool,
        count=len(values),
    )


_ATTENTION = re.compile(f"^[=+\\-@\\t]|[\\r{_CONTROL_CLASS}\ud800-\udfff]")


def safe_frame(
    df: pd.DataFrame,
    *,
    formulas: bool,
    places: Iterable[str] = PLACE_COLUMNS,
) -> tuple[pd.DataFrame, list[TextRepair]]:
    """``df`` with its text cells made safe to write, and what was repaired.

    Control characters are removed from every text cell; ID- and phone-like
    numbers are masked in the ``places`` columns; with ``formulas`` (CSV), text
    cells that a spreadsheet would run get a leading ``'`` and carriage returns
    inside a cell become newlines (a CSV writer does not quote a lone carriage
    return, and a spreadsheet would start a new row, and a new cell, there).
    Columns that need nothing are not copied.

    Examples
    --------
    >>> df = pd.DataFrame({"village": ["=1+1", "村13987654321"], "n": [-1, 2]})
    >>> out, repairs = safe_frame(df, formulas=True)
    >>> out["village"].tolist(), out["n"].tolist()
    (["'=1+1", '村###########'], [-1, 2])
    >>> [(r.column, r.kind, r.n) for r in repairs]
    [('village', 'personal', 1)]
    """
    places = set(places)
    repairs: list[TextRepair] = []
    out = df
    for col in df.columns:
        s = df[col]
        if isinstance(s.dtype, pd.CategoricalDtype):
            s = s.astype(object)
        elif not (s.dtype == object or isinstance(s.dtype, pd.StringDtype)):
            continue
        attention = _flags(s, _RE2_ATTENTION, _ATTENTION)
        if str(col) in places:
            attention |= _flags(s, _RE2_NUMBER, _NUMBER)
        if not attention.any():
            continue
        rows = np.flatnonzero(attention)
        values = s.to_numpy(dtype=object, copy=True)
        n_control = n_personal = 0
        for i in rows:
            v = values[i]
            if not isinstance(v, str):
                continue
            w = clean_text(v)
            n_control += w != v
            if str(col) in places:
                m = mask_personal_numbers(w)
                n_personal += m != w
                w = m
            if formulas:  # a bare CR would end the CSV row: a new cell, unquoted
                w = neutralise_formula(w).replace("\r\n", "\n").replace("\r", "\n")
            values[i] = w
        if out is df:
            out = df.copy()
        out[col] = pd.Series(values, index=df.index, dtype=s.dtype)
        for kind, n in (("control", n_control), ("personal", n_personal)):
            if n:
                repairs.append(TextRepair(str(col), kind, int(n)))
    return out, repairs
