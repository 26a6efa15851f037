"""Text cells: invisible and control characters, formula look-alikes, redaction.

Exports carry characters a person cannot see: byte-order marks in the middle
of a file (two exports joined together), zero-width spaces pasted from web
pages, control characters (ESC, vertical tab) that break XML (so Excel
workbooks) and terminals. :func:`strip_invisible` removes them from every text
cell before anything else happens, and the caller warns, naming the column.

Example values quoted in error messages go through :func:`redact` first: a
value in the wrong column may be an ID or phone number or a person's name.
"""

from __future__ import annotations

import re

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from ..io import FORMULA_START
from ._columns import COLUMNS, EVENT_COLUMNS, EVENT_SOURCES, EVENT_TYPES

__all__ = ["FORMULA_START", "looks_like_formula", "redact", "strip_invisible"]

# Unicode "format" characters (BOM U+FEFF, zero-width space U+200B, joiners,
# soft hyphen, direction marks) and the noncharacters U+FFFE/U+FFFF.
_INVISIBLE = r"[\p{Cf}\x{FFFE}\x{FFFF}]"
# C0 and C1 control characters except tab, line feed and carriage return
# (those three become spaces: legal in XML but not inside a place name).
_CONTROL = r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]"
_BREAKS = r"[\t\n\r]+"

# The first characters that make Excel and WPS read a cell as a formula: the
# writers' own list (fanpin.io neutralises them on the way out); tab and
# carriage return in it cannot start a cell here, strip_invisible made them
# spaces.


def _as_arrow(values: pd.Series) -> pa.Array:
    arr = pa.array(values.astype("string"))
    if isinstance(arr, pa.ChunkedArray):
        arr = arr.combine_chunks()
    return arr


def strip_invisible(values: pd.Series) -> tuple[pd.Series, np.ndarray, np.ndarray]:
    """``values`` without invisible and control characters.

    Returns the cleaned text and, per value, whether it held invisible (format)
    characters and whether it held control characters (tab and line breaks
    included; they become spaces, the others are removed).

    Examples
    --------
    >>> import pandas as pd
    >>> s = pd.Series(["\\ufeff00000150", "一村\\x1b[31m", "二村"])
    >>> clean, invisible, control = strip_invisible(s)
    >>> clean.tolist(), invisible.tolist(), control.tolist()
    (['00000150', '一村[31m', '二村'], [True, False, False], [False, True, False])
    """
    arr = _as_arrow(values)
    has_inv = _flags(pc.match_substring_regex(arr, _INVISIBLE))
    has_ctl = _flags(pc.match_substring_regex(arr, r"[\x00-\x1f\x7f-\x9f]"))
    if not (has_inv.any() or has_ctl.any()):
        return values, has_inv, has_ctl
    arr = pc.replace_substring_regex(arr, _INVISIBLE, "")
    arr = pc.replace_substring_regex(arr, _CONTROL, "")
    arr = pc.replace_substring_regex(arr, _BREAKS, " ")
    out = pd.Series(arr, index=values.index, dtype=pd.StringDtype("pyarrow"))
    return out, has_inv, has_ctl


def _flags(arr: pa.Array) -> np.ndarray:
    return np.asarray(arr.fill_null(False).to_numpy(zero_copy_only=False), dtype=bool)


def looks_like_formula(values: pd.Series) -> np.ndarray:
    """Which text values begin like a spreadsheet formula (``=``, ``+``, ``-``,
    ``@``); a plain negative number is not one.

    Examples
    --------
    >>> import pandas as pd
    >>> looks_like_formula(pd.Series(['=HYPERLINK("x")', "-2+3+cmd", "-12", "一村"]))
    array([ True,  True, False, False])
    """
    text = values.astype("string").str.strip()
    starts = text.str[:1].isin(FORMULA_START).fillna(False).to_numpy(dtype=bool)
    number = pd.to_numeric(text, errors="coerce").notna().to_numpy()
    return starts & ~number


# -- redaction ----------------------------------------------------------------
# 7 or more digits, possibly split by spaces or dashes (139-8765-4321), with an
# ID number's final check character.
_DIGIT_RUN = re.compile(r"\d(?:[ \t\-‐‑–—]*\d){6,}[Xx]?")
_HAN_RUN = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff·•]+")
_COMMON = (
    "贫困户 低保户 五保户 特困户 边缘户 监测户 脱贫户 一般户 农户 未知 不详 其他 暂无 "
    "没有 不是 住院 门诊 慢病 重病 疾病 残疾 洪水 地震 冰雹 台风 火灾 车祸 事故 受灾 "
    "医保局 民政局 残联 应急管理局 人社局 教育局 住建局 水利局 农业农村局 乡村振兴局 "
    "电话 手机 身份证 号码 姓名 户主 日期 年度 年 月 日 元 人 户 亩 岁 个 是 否 有 无 "
    "省 市 县 区 乡 镇 村 组 社区"
).split()


def _vocabulary() -> tuple[frozenset[str], tuple[str, ...]]:
    words = set(_COMMON) | set(EVENT_SOURCES) | set(EVENT_TYPES)
    for col in (*COLUMNS, *EVENT_COLUMNS):
        words.add(col.alias)
        words.update(col.values)
    words.update(
        ("一般农户", "普通农户", "大专", "本科", "中专", "学龄前", "旱灾", "地质")
    )
    return frozenset(words), tuple(sorted(w for w in words if len(w) > 1))


_WORDS, _LONG_WORDS = _vocabulary()


def _safe_han(run: str) -> bool:
    """Whether a run of Chinese characters is a domain word (not a name)."""
    return run in _WORDS or any(run in w for w in _LONG_WORDS)


def redact(value: object) -> str:
    """An example value as it may be shown in a message: digit runs of seven or
    more (ID and phone numbers, also written 139-8765-4321) become ``#``, and
    Chinese text that is not a known term of the contract (it may be a name)
    becomes ``<n 个汉字>``.

    Examples
    --------
    >>> redact("电话139-8765-4321"), redact("欧阳秘名"), redact("贫困户")
    ('电话###-####-####', '<4 个汉字>', '贫困户')
    >>> redact("11010119900307123X"), redact("three"), redact("2023年")
    ('##################', 'three', '2023年')
    """
    text = str(value)
    text = _DIGIT_RUN.sub(lambda m: re.sub(r"[\dXx]", "#", m.group()), text)
    return _HAN_RUN.sub(
        lambda m: m.group() if _safe_han(m.group()) else f"<{len(m.group())} 个汉字>",
        text,
    )
