"""Plotting helpers: they draw what they are given and say what they expect."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

pytest.importorskip("matplotlib")

from fanpin.exceptions import InputError  # noqa: E402
from fanpin.explain import ShapValues  # noqa: E402
from fanpin.plotting import (  # noqa: E402
    display_label,
    plot_calibration,
    plot_psi,
    plot_risk_types,
    plot_waterfall,
    risk_type_counts,
)


def test_psi_bars_follow_the_report():
    report = pd.DataFrame(
        {
            "variable": ["score", "a__x", "a__y", "a__z"],
            "kind": ["score", "feature", "feature", "feature"],
            "psi": [0.05, 0.3, 0.01, 0.15],
        }
    )
    fig = plot_psi(report, top=2)
    bars = fig.axes[0].patches
    # score + the two largest features, drawn bottom-up
    widths = sorted(b.get_width() for b in bars)
    assert widths == [0.05, 0.15, 0.3]


def test_missing_columns_name_the_source():
    with pytest.raises(InputError, match="calibration_by_year"):
        plot_calibration(pd.DataFrame({"p": [0.1]}))


def test_risk_type_counts_counts_each_household_once_per_risk():
    e = pd.DataFrame(
        {
            "county": ["A", "A", "B", "B"],
            "risk_names": ["因病;因灾", "因病", "因学", pd.NA],
        }
    )
    t = risk_type_counts(e, by="county")
    assert t.loc["A", "因病"] == 2
    assert t.loc["A", "因灾"] == 1
    assert t.loc["B", "因学"] == 1
    assert t["total"].tolist() == [2, 2]
    assert list(t.columns[:1]) == ["因病"]  # most frequent first
    assert len(plot_risk_types(e, by="county").axes) == 1


def test_risk_type_counts_needs_the_group_column():
    with pytest.raises(InputError, match="merge it in first"):
        risk_type_counts(pd.DataFrame({"risk_names": ["因病"]}), by="county")


def test_waterfall_ends_at_the_households_score():
    values = pd.DataFrame(
        {"income__pc_income": [0.8, 0.1], "health__x": [-0.3, 0.2], "c__z": [0.1, 0]},
        index=[10, 11],
    )
    sv = ShapValues(values=values, base_value=-3.0, raw_score=pd.Series([-2.4, -2.7]))
    panel = pd.DataFrame({"household_id": ["h1", "h2"], "year": [2024, 2024]},
                         index=[10, 11])  # fmt: skip
    fig = plot_waterfall(sv, panel, "h1", top=2)
    bars = fig.axes[0].patches
    ends = [b.get_x() + b.get_width() for b in bars]
    assert len(bars) == 3  # two features and the rest
    # base -3.0 plus every contribution (0.8 - 0.3 + 0.1) is the raw score
    assert np.isclose(ends[-1], -2.4)
    with pytest.raises(InputError, match="not among the explained rows"):
        plot_waterfall(sv, panel, "nobody")


def test_display_label_is_a_name_or_its_chinese_label():
    assert display_label("income__pc_income") in ("income__pc_income", "人均纯收入")
    assert display_label("unknown_thing") == "unknown_thing"
