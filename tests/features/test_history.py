"""History without leakage: year t only sees the household's years <= t."""

from __future__ import annotations

import numpy as np
import pandas as pd
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from fanpin.features import PanelFeatures

from .conftest import LINES, blank_optional, build_panel

YEARS = (2021, 2022, 2023, 2024)

record = st.fixed_dictionaries(
    {
        "income_wage": st.sampled_from([0.0, 3000.0, 12000.0, 30000.0]),
        "income_business": st.sampled_from([-2000.0, 0.0, 4000.0]),
        "income_transfer": st.sampled_from([0.0, 1500.0, 6000.0]),
        "medical_cost_oop": st.sampled_from([0.0, 2000.0, 15000.0]),
        "medical_cost_total": st.just(30000.0),
        "disaster_loss": st.sampled_from([0.0, 5000.0]),
        "household_size": st.integers(2, 5),
        "labor_count": st.integers(0, 2),
        "disabled_count": st.integers(0, 2),
        "serious_ill_count": st.integers(0, 1),
        "housing_safe": st.booleans(),
        "dibao": st.booleans(),
        "accident_count": st.integers(0, 2),
        "dropout_count": st.integers(0, 1),
        "county": st.sampled_from(["甲县", "乙县"]),
    }
)


@st.composite
def panels(draw):
    """A few households, each with a random subset of years (gaps allowed)."""
    rows = []
    for h in range(draw(st.integers(1, 4))):
        years = draw(st.sets(st.sampled_from(YEARS), min_size=1))
        county = draw(st.sampled_from(["甲县", "乙县"]))
        for y in sorted(years):
            rows.append({**draw(record), "household_id": f"h{h}", "year": y,
                         "county": county})
    return build_panel(rows)


def features(panel: pd.DataFrame) -> pd.DataFrame:
    return PanelFeatures(lines=LINES).fit(panel).transform(panel)


@settings(max_examples=40, deadline=None, derandomize=True, database=None,
          suppress_health_check=[HealthCheck.too_slow])
@given(panel=panels(), cutoff=st.sampled_from(YEARS[:-1]), later=record)
def test_later_years_never_change_earlier_features(panel, cutoff, later):
    full = features(panel)
    keep = panel["year"] <= cutoff
    if not keep.any():
        return
    # 1. Dropping every later year changes nothing up to the cutoff.
    truncated = features(panel[keep])
    pd.testing.assert_frame_equal(truncated, full[keep])
    # 2. Rewriting every later year (new values) changes nothing either.
    changed = panel.copy()
    for col, value in later.items():
        if col != "county":
            changed.loc[~keep, col] = value
    pd.testing.assert_frame_equal(features(changed)[keep], full[keep])


def test_single_year_household_is_kept_with_nan_lags(panel):
    out = features(panel)
    assert len(out) == len(panel)
    h5 = out[panel["household_id"].eq("h5").to_numpy()].iloc[0]
    for name in ("income__wage_change", "income__sharp_drop_income",
                 "income__pc_income_cv", "health__oop_change",
                 "disability__newly_disabled", "assistance__newly_dibao",
                 "housing_water__newly_unsafe_housing"):
        assert np.isnan(h5[name]), name
    assert not np.isnan(h5["income__pc_income"])
    assert h5["assistance__lifted_household"] == 1


def test_gap_gives_nan_lag_but_keeps_longer_history(make_panel):
    panel = make_panel(
        [
            {"household_id": "g", "year": 2021, "income_wage": 10000.0},
            {"household_id": "g", "year": 2023, "income_wage": 30000.0},
        ]
    )
    out = features(panel)
    # Last year means exactly t-1: 2022 is missing, so no change is reported.
    assert np.isnan(out["income__wage_change"].iloc[1])
    # Volatility uses every record <= t, gaps included.
    assert out["income__pc_income_cv"].iloc[1] > 0


def test_fixture_panel_first_years_and_events(panel):
    out = features(panel)
    first = panel.groupby("household_id")["year"].transform("min").eq(panel["year"])
    assert out.loc[first.to_numpy(), "income__wage_change"].isna().all()
    h2 = out[(panel["household_id"].eq("h2") & panel["year"].eq(2023)).to_numpy()]
    assert h2["income__sharp_drop_wage"].iloc[0] == 1
    assert h2["assistance__newly_dibao"].iloc[0] == 1
    assert h2["disability__labour_drop"].iloc[0] == 1
    h4 = out[(panel["household_id"].eq("h4") & panel["year"].eq(2023)).to_numpy()]
    assert np.isnan(h4["housing_water__newly_unsafe_housing"].iloc[0])  # gap


def test_all_optional_columns_missing_gives_nan_not_errors(panel):
    blank = blank_optional(panel)
    out = features(blank)
    full = features(panel)
    assert out.shape == full.shape
    assert not np.isinf(out.to_numpy()).any()
    for name in ("accident__accident_count", "education__dropout_count",
                 "labour__head_education", "disaster__type_flood",
                 "assistance__dibao", "health__uninsured"):
        assert out[name].isna().all(), name
    # Required-column features are unaffected.
    for name in ("health__medical_oop", "disability__disabled_count",
                 "housing_water__housing_unsafe", "labour__dependency_ratio"):
        pd.testing.assert_series_equal(out[name], full[name])
