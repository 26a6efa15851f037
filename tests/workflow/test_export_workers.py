"""Township workbooks written on worker processes: the bytes, names, order and
warnings of one process; the row-height estimate as before."""

from __future__ import annotations

import unicodedata
import warnings

import numpy as np
import pytest

from fanpin.config import AlertsConfig
from fanpin.workflow import _export, run_alerts, write_workbooks
from fanpin.workflow._export import text_lines
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


def _reference_lines(text: str, width: float) -> int:
    """The estimate as it was written first (character by character)."""

    def units(ch):
        if unicodedata.east_asian_width(ch) in "WF":
            return _export._CJK_UNITS
        return _export._NARROW_UNITS if ch in _export._NARROW else _export._LATIN_UNITS

    room = max(width - 0.8, 1.0)
    lines = 0
    for para in str(text).split("\n"):
        lines += 1
        used = 0.0
        for token in _export._tokens(para):
            w = sum(units(ch) for ch in token)
            if used and used + w > room:
                lines += 1
                used = 0.0
                token = token.lstrip(" ")
                w = sum(units(ch) for ch in token)
            while w > room:
                lines += 1
                w -= room
            used += w
    return lines


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
        width = k * _export._CJK_UNITS + 0.8
        assert text_lines(text, width) == _reference_lines(text, width)
