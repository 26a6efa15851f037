"""Township workbooks written on worker processes: the bytes, names, order and
warnings of one process; the row-height estimate as before."""

from __future__ import annotations

import unicodedata
import warnings

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from fanpin.config import AlertsConfig
from fanpin.workflow import _export, _wrapped_text, run_alerts, write_workbooks
from fanpin.workflow._wrapped_text import text_lines
from tests.explain.support import small_panel, small_pipe


@pytest.fixture(scope="module")
def alerts():
    cfg = AlertsConfig(min_score=0.0, capacity=10_000)
    a = run_alerts(small_pipe(), small_panel(), as_of="2025-01-15", config=cfg).alerts
    a = a[a["township"].isin(sorted(a["township"].unique())[:8])].copy()
    a["reasons"] = a["reasons"].astype(object)
    a.loc[a.index[0], "reasons"] = "因病\x07致贫"  # a control character: warned
    return a


def _written(alerts, folder, workers):
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        paths = write_workbooks(alerts, folder, as_of="2025-01-15", workers=workers)
    return paths, [(w.category, str(w.message)) for w in caught]


def test_processes_write_the_bytes_of_one(alerts, tmp_path, monkeypatch):
    monkeypatch.setattr(_export, "PROCESS_MIN_ROWS", 0)
    one, warned_one = _written(alerts, tmp_path / "one", 1)
    two, warned_two = _written(alerts, tmp_path / "two", 2)
    assert len(one) >= 3
    assert [p.name for p in one] == [p.name for p in two]
    for a, b in zip(one, two, strict=True):
        assert a.read_bytes() == b.read_bytes(), a.name
    assert warned_one and warned_one == warned_two


# -- row heights: the estimate as it was written first, kept as the reference --
_REF_BREAK_AFTER = set(" 　、，。；：！？）】」』,;")


def _reference_units(ch: str) -> float:
    if unicodedata.east_asian_width(ch) in "WF":
        return _wrapped_text._CJK_UNITS
    wt = _wrapped_text
    return wt._NARROW_UNITS if ch in wt._NARROW else wt._LATIN_UNITS


def _reference_tokens(text: str) -> list[str]:
    """The pieces a line breaks between, character by character (as first written)."""
    out: list[str] = []
    word = ""
    for ch in text:
        if unicodedata.east_asian_width(ch) in "WF" or ch == " ":
            if word:
                out.append(word)
                word = ""
            if out and ch in _REF_BREAK_AFTER:
                out[-1] += ch  # punctuation stays with what it follows
            else:
                out.append(ch)
        elif ch in _REF_BREAK_AFTER and word:
            out.append(word + ch)
            word = ""
        else:
            word += ch
    if word:
        out.append(word)
    return out


def _reference_lines(text: str, width: float) -> int:
    """The estimate as it was written first (token by token, every paragraph)."""
    room = max(width - 0.8, 1.0)
    lines = 0
    for para in str(text).split("\n"):
        lines += 1
        if sum(map(_reference_units, para)) < room - 1e-6:
            continue
        used = 0.0
        for token in _reference_tokens(para):
            w = sum(map(_reference_units, token))
            if used and used + w > room:
                lines += 1
                used = 0.0
                token = token.lstrip(" ")
                w = sum(map(_reference_units, token))
            while w > room:
                lines += 1
                w -= room
            used += w
    return lines


# characters of every class the estimate tells apart, and some of no class
_LETTERS = (
    "因病致贫医疗自付　、，。；：！？）】」』（【「"
    "0123456789 ,;.:'!|ilIjft()[]AbcXx-%"
    "\t\u00e9\u0301\u200b\uff21\uff10\u3000\U0001f600\U00020000"
)
_widths = st.one_of(
    st.sampled_from([1.0, 3, 4.2, 6, 7.5, 8.5, 9.3, 10.5, 14, 30, 38.79, 97.4]),
    st.floats(min_value=0.0, max_value=200.0, allow_nan=False),
    # a paragraph of k full-width characters exactly as wide as the cell
    st.integers(1, 40).map(lambda k: k * _wrapped_text._CJK_UNITS + 0.8),
)


@settings(max_examples=3000, deadline=None)
@given(
    text=st.one_of(
        st.text(alphabet=_LETTERS, max_size=120),
        st.text(max_size=60),  # any character at all
        st.lists(st.sampled_from(["因病", "医疗自付 32,400 元", "，", " ", "\n",
                                  "T0001", ";", ",", "（上年 1,000 元）"]),
                 max_size=30).map("".join),
    ),
    width=_widths,
)
def test_row_heights_equal_the_reference(text, width):
    assert text_lines(text, width) == _reference_lines(text, width)


@settings(max_examples=1000, deadline=None)
@given(st.one_of(st.text(alphabet=_LETTERS, max_size=80), st.text(max_size=40)))
def test_line_breaks_fall_where_they_did(text):
    widths = [sum(map(_reference_units, t)) for t in _reference_tokens(text)]
    assert list(_wrapped_text._token_widths(text)) == widths


def test_row_heights_as_before():
    rng = np.random.default_rng(0)
    alphabet = list("因病致贫医疗自付，。；：、（）") + list("0123456789 ,.:;ilIjAbc\n")
    for _ in range(3000):
        n = int(rng.integers(0, 80))
        text = "".join(rng.choice(alphabet, size=n))
        width = float(rng.choice([8.0, 10.5, 12.0, 20.0, 30.0, 97.4]))
        assert text_lines(text, width) == _reference_lines(text, width), (text, width)
    # widths at the boundary: a paragraph exactly as wide as the cell
    for k in range(1, 30):
        text = "因" * k
        width = k * _wrapped_text._CJK_UNITS + 0.8
        assert text_lines(text, width) == _reference_lines(text, width)
    # a paragraph longer than any line, and one far too long to be checked by length
    assert text_lines("1" * 5000, 8.5) == _reference_lines("1" * 5000, 8.5)
    assert text_lines("因 " * 3000, 38.79) == _reference_lines("因 " * 3000, 38.79)
