"""Calibration tables and group metrics on small samples checked by hand."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from fanpin.evaluate import group_metrics as evaluate_group_metrics
from fanpin.exceptions import InputError
from fanpin.monitor import (
    calibration_by_year,
    calibration_curve_table,
    calibration_summary,
    group_metrics,
)


def test_uniform_bins_by_hand():
    p = [0.05, 0.05, 0.15, 0.15, 0.95]
    y = [0, 1, 0, 0, 1]
    t = calibration_curve_table(y, p, n_bins=10, strategy="uniform")
    assert t["n"].tolist() == [2, 2, 1]  # empty bins left out
    assert t["observed_rate"].tolist() == [0.5, 0.0, 1.0]
    assert t["mean_predicted"].tolist() == pytest.approx([0.05, 0.15, 0.95])
    assert t["bin"].tolist() == [0, 1, 2]
    assert (t["observed_low"] <= t["observed_rate"]).all()
    assert (t["observed_high"] >= t["observed_rate"]).all()


def test_missing_labels_are_dropped():
    y = pd.array([1, pd.NA, 0, 0], dtype="Int8")
    t = calibration_curve_table(y, [0.9, 0.8, 0.1, 0.2], n_bins=2)
    assert t["n"].sum() == 3
    assert t["n_fell"].sum() == 1


def test_quantile_bins_equal_counts():
    rng = np.random.default_rng(0)
    p = rng.uniform(size=1000)
    y = rng.uniform(size=1000) < p
    t = calibration_curve_table(y, p, n_bins=5)
    assert t["n"].tolist() == [200] * 5
    assert t["p_max"].is_monotonic_increasing


def test_by_year_and_summary():
    rng = np.random.default_rng(0)
    p = rng.uniform(0, 0.5, size=2000)
    y = (rng.uniform(size=2000) < p).astype(int)
    years = np.repeat([2022, 2023], 1000)
    by = calibration_by_year(y, p, years, n_bins=4)
    assert by["year"].unique().tolist() == [2022, 2023]
    first = calibration_curve_table(y[:1000], p[:1000], n_bins=4)
    pd.testing.assert_frame_equal(
        by[by["year"] == 2022].drop(columns="year").reset_index(drop=True), first
    )
    s = calibration_summary(y, p, years)
    assert s["year"].tolist() == [2022, 2023]
    assert s.loc[0, "brier"] == pytest.approx(np.mean((p[:1000] - y[:1000]) ** 2))
    assert s.loc[1, "ratio"] == pytest.approx(y[1000:].mean() / p[1000:].mean())


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [({"strategy": "kmeans"}, "strategy"), ({"n_bins": 0}, "n_bins")],
)
def test_calibration_errors(kwargs, match):
    with pytest.raises(InputError, match=match):
        calibration_curve_table([0, 1], [0.1, 0.2], **kwargs)
    with pytest.raises(InputError, match="probabilities"):
        calibration_curve_table([0, 1], [0.1, 2.0])
    with pytest.raises(InputError, match="one value per row"):
        calibration_curve_table([0, 1], [0.1])


def test_group_metrics_reuses_evaluate_and_adds_overall_row():
    rng = np.random.default_rng(0)
    n = 600
    groups = pd.DataFrame(
        {
            "province": rng.choice(["甲省", "乙省"], size=n),
            "household_type": rng.choice(["脱贫户", "一般农户"], size=n),
            "ethnic_minority": pd.array(
                rng.choice([True, False, None], size=n), dtype="boolean"
            ),
        }
    )
    p = rng.uniform(size=n)
    y = pd.Series((rng.uniform(size=n) < p * 0.3).astype(int)).astype("Int8")
    y[:50] = pd.NA
    out = group_metrics(y, p, groups, k=0.1)
    assert out.loc[0, ["column", "group"]].tolist() == ["all", "all"]
    assert out.loc[0, "n"] == n - 50
    keep = slice(50, None)
    ref = evaluate_group_metrics(
        groups.iloc[keep].reset_index(drop=True),
        y[keep].to_numpy(dtype=int),
        p[keep],
        ["province", "household_type", "ethnic_minority"],
        fraction=0.1,
    )
    pd.testing.assert_frame_equal(out.iloc[1:].reset_index(drop=True), ref)
    assert "<NA>" in out.loc[out["column"] == "ethnic_minority", "group"].tolist()
    # The list is the top 10 % of labelled rows: recall of 'all' by hand.
    yy, pp = y[keep].to_numpy(dtype=int), p[keep]
    listed = np.argsort(-pp, kind="stable")[: int(np.ceil(0.1 * len(pp)))]
    assert out.loc[0, "recall_in_list"] == pytest.approx(yy[listed].sum() / yy.sum())


def test_group_metrics_errors():
    g = pd.DataFrame({"county": ["a", "b"]})
    with pytest.raises(InputError, match="none of the group columns"):
        group_metrics([0, 1], [0.1, 0.2], g)
    assert group_metrics([0, 1], [0.1, 0.2], g, columns=["county"])["n"].tolist() == [
        2,
        1,
        1,
    ]
    with pytest.raises(InputError, match="k must be"):
        group_metrics([0, 1], [0.1, 0.2], g, k=5)
    with pytest.raises(InputError, match="groups_df has 2 rows"):
        group_metrics([0, 1, 1], [0.1, 0.2, 0.3], g)
