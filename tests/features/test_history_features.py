"""History helpers of PanelView and the history features built on them."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from fanpin.features import PanelFeatures, PanelView

from .conftest import LINES, blank_optional


@pytest.fixture
def frame() -> pd.DataFrame:
    """Two households, rows shuffled, household b with a gap in 2022."""
    return pd.DataFrame(
        {
            "household_id": ["b", "a", "a", "b", "a", "c"],
            "year": [2023, 2022, 2021, 2021, 2023, 2022],
            "county": ["X", "X", "X", "X", "X", "Y"],
            "x": [4.0, np.nan, 1.0, 2.0, 5.0, 7.0],
        }
    )


def _per_household(frame: pd.DataFrame, fn) -> np.ndarray:
    """Reference: ``fn`` over the household's rows with year <= t, row by row."""
    out = []
    for _, row in frame.iterrows():
        past = frame[(frame["household_id"] == row["household_id"])
                     & (frame["year"] <= row["year"])].sort_values("year")
        out.append(fn(past))
    return np.asarray(out, dtype="float64")


def test_expanding_helpers_match_a_row_by_row_reference(frame):
    v = PanelView(frame)
    x = frame["x"].to_numpy()
    np.testing.assert_allclose(
        v.expanding_mean(x), _per_household(frame, lambda p: p["x"].mean()))
    np.testing.assert_allclose(
        v.expanding_max(x), _per_household(frame, lambda p: p["x"].max()))
    np.testing.assert_allclose(
        v.expanding_min(x), _per_household(frame, lambda p: p["x"].min()))
    np.testing.assert_allclose(
        v.history_length(), _per_household(frame, len))

    def slope(p):
        p = p.dropna(subset=["x"])
        return np.polyfit(p["year"], p["x"], 1)[0] if len(p) >= 2 else np.nan

    np.testing.assert_allclose(v.expanding_slope(x), _per_household(frame, slope))


def test_all_missing_history_gives_nan():
    v = PanelView(pd.DataFrame({"household_id": ["a", "a"], "year": [2021, 2022]}))
    nan = np.array([np.nan, np.nan])
    assert np.isnan(v.expanding_mean(nan)).all()
    assert np.isnan(v.expanding_max(nan)).all()
    assert np.isnan(v.expanding_slope(nan)).all()


def test_years_since_counts_from_the_last_flagged_year(frame):
    v = PanelView(frame)
    flag = np.array([0.0, 1.0, 0.0, 1.0, 0.0, 0.0])  # a in 2022, b in 2021
    got = v.years_since(flag)
    expected = _per_household(
        frame.assign(f=flag),
        lambda p: p["year"].iloc[-1] - p.loc[p["f"] == 1, "year"].max(),
    )
    np.testing.assert_allclose(got, expected)
    assert np.isnan(got[5])  # c never flagged


def test_group_history_mean_averages_yearly_county_means_up_to_t(frame):
    v = PanelView(frame)
    hit = np.array([1.0, 0.0, 1.0, 0.0, 0.0, 1.0])
    got = v.group_history_mean(hit, by=("county",))
    # County X yearly means: 2021 (a=1, b=0) 0.5; 2022 (a=0) 0; 2023 (b=1, a=0) 0.5.
    yearly = {2021: 0.5, 2022: 0.0, 2023: 0.5}
    pairs = zip(frame["county"], frame["year"], strict=True)
    for i, (county, year) in enumerate(pairs):
        if county == "X":
            ref = np.mean([m for y, m in yearly.items() if y <= year])
            assert got[i] == pytest.approx(ref)
    assert got[5] == 1.0  # county Y: its one year


def features(panel: pd.DataFrame) -> pd.DataFrame:
    return PanelFeatures(lines=LINES).fit(panel).transform(panel)


def test_hardship_history_features(make_panel):
    # Income after rigid spending: 2021 far below the line, later years above.
    rows = [
        {"household_id": "a", "year": 2021, "income_wage": 0.0},
        {"household_id": "a", "year": 2022, "income_wage": 40000.0},
        {"household_id": "a", "year": 2023, "income_wage": 60000.0},
        {"household_id": "b", "year": 2022, "income_wage": 40000.0,
         "housing_safe": False},
        {"household_id": "b", "year": 2023, "income_wage": 40000.0},
    ]
    out = features(make_panel(rows))
    a = out.iloc[:3]
    assert a["income__hardship_last_year"].tolist()[1:] == [1.0, 0.0]
    assert np.isnan(a["income__hardship_last_year"].iloc[0])
    assert a["income__years_since_hardship"].tolist() == [0.0, 1.0, 2.0]
    np.testing.assert_allclose(a["income__hardship_years_share"], [1, 1 / 2, 1 / 3])
    assert out["income__hardship_last_year"].iloc[4] == 1.0  # unsafe housing
    np.testing.assert_allclose(
        out["housing_water__unsafe_housing_years_share"].iloc[3:], [1.0, 0.5]
    )
    # Rising income gives a positive trend; one year gives NaN.
    assert out["income__income_trend"].iloc[2] > 0
    assert np.isnan(out["income__income_trend"].iloc[0])


def test_migrant_drop_and_monitoring_flags(make_panel):
    rows = [
        {"household_id": "a", "year": 2022, "migrant_workers": 2},
        {"household_id": "a", "year": 2023, "migrant_workers": 1,
         "monitor_category": "突发严重困难户"},
    ]
    out = features(make_panel(rows))
    assert out["labour__migrant_change"].iloc[1] == -1
    assert out["labour__migrant_drop"].tolist()[1] == 1.0
    assert out["assistance__monitored"].tolist() == [0.0, 1.0]
    assert out["assistance__monitor_sudden"].tolist() == [0.0, 1.0]
    assert out["assistance__newly_monitored"].iloc[1] == 1.0
    assert out["assistance__monitored_years_share"].tolist() == [0.0, 0.5]
    blank = features(blank_optional(make_panel(rows)))
    for name in ("assistance__monitored", "labour__migrant_drop"):
        assert blank[name].isna().all(), name


def test_county_disaster_history_uses_only_years_up_to_t(make_panel):
    rows = [
        {"household_id": h, "year": y, "disaster_loss": loss}
        for h, y, loss in [("a", 2021, 100.0), ("b", 2021, 0.0),
                           ("a", 2022, 0.0), ("b", 2022, 0.0),
                           ("a", 2023, 0.0), ("b", 2023, 100.0)]
    ]
    out = features(make_panel(rows))
    # yearly county shares hit: 0.5, 0, 0.5; any hit: 1, 0, 1
    np.testing.assert_allclose(
        out["disaster__county_hit_history"], [0.5, 0.5, 0.25, 0.25, 1 / 3, 1 / 3]
    )
    np.testing.assert_allclose(
        out["disaster__county_disaster_years_share"],
        [1.0, 1.0, 0.5, 0.5, 2 / 3, 2 / 3],
    )
    np.testing.assert_allclose(
        out["disaster__hit_years_share"], [1.0, 0.0, 0.5, 0.0, 1 / 3, 1 / 3]
    )
