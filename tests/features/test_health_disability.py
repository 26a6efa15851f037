"""Health (因病) and disability (因残) features computed by hand."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from fanpin.features import DisabilityFeatures, HealthFeatures


def test_health_levels_shares_and_threshold(make_panel):
    panel = make_panel(
        [
            {"household_id": "a", "chronic_ill_count": 2, "serious_ill_count": 1,
             "medical_cost_total": 50000.0, "medical_cost_oop": 15000.0,
             "income_wage": 10000.0, "income_business": -1000.0,
             "income_transfer": 2000.0, "income_property": 0.0,
             "medical_insured": False},
            {"household_id": "b", "income_wage": 30000.0, "income_business": 0.0,
             "income_transfer": 0.0, "income_property": 2000.0},
            {"household_id": "c", "county": "别县", "medical_cost_oop": 500.0,
             "medical_cost_total": 1000.0},
        ]
    )
    out = HealthFeatures().fit_transform(panel)
    a = out.iloc[0]
    assert a["health__chronic_count"] == 2
    assert a["health__serious_share"] == 1 / 4
    assert a["health__oop_per_capita"] == 15000 / 4
    assert a["health__oop_share_of_income"] == pytest.approx(15000 / 12000)
    assert a["health__reimbursed_share"] == pytest.approx(1 - 15000 / 50000)
    assert a["health__uninsured"] == 1
    # County proxy: mean per-capita net income of a and b (same county, year).
    local = ((10000 - 1000 + 2000 + 0) / 4 + 32000 / 4) / 2
    assert a["health__oop_to_local_income"] == pytest.approx(15000 / local)
    assert a["health__above_serious_threshold"] == 1
    assert out.iloc[1]["health__above_serious_threshold"] == 0
    assert np.isnan(out.iloc[1]["health__reimbursed_share"])  # no medical cost
    # c is alone in its county: its own per-capita income is the proxy.
    c_pc = (20000 + 5000 + 2000 + 1000) / 4
    assert out.iloc[2]["health__oop_to_local_income"] == pytest.approx(500 / c_pc)


def test_health_fixed_threshold_and_changes(make_panel):
    panel = make_panel(
        [
            {"household_id": "a", "year": 2022, "medical_cost_oop": 1000.0,
             "medical_cost_total": 2000.0},
            {"household_id": "a", "year": 2023, "medical_cost_oop": 9000.0,
             "medical_cost_total": 20000.0, "serious_ill_count": 1},
        ]
    )
    out = HealthFeatures(serious_illness_threshold=8000).fit_transform(panel)
    assert out["health__above_serious_threshold"].tolist() == [0, 1]
    assert out["health__oop_to_local_income"].tolist() == [1000 / 8000, 9000 / 8000]
    assert np.isnan(out["health__oop_change"].iloc[0])
    assert out["health__oop_change"].iloc[1] == 8000
    assert out["health__serious_change"].iloc[1] == 1


def test_health_missing_insurance_is_nan(make_panel):
    panel = make_panel([{}])
    panel["medical_insured"] = pd.Series(pd.NA, index=panel.index, dtype="boolean")
    assert np.isnan(HealthFeatures().fit_transform(panel)["health__uninsured"].iloc[0])


def test_disability_counts_new_and_labour_lost(make_panel):
    panel = make_panel(
        [
            {"household_id": "a", "year": 2022, "labor_count": 3,
             "disabled_count": 0, "severe_disabled_count": 0},
            {"household_id": "a", "year": 2023, "labor_count": 1,
             "disabled_count": 2, "severe_disabled_count": 1,
             "elderly_count": 1, "children_count": 0},
            {"household_id": "b", "year": 2023, "labor_count": 0,
             "disabled_count": 1, "elderly_count": 1, "children_count": 1},
        ]
    )
    out = DisabilityFeatures().fit_transform(panel)
    a = out.iloc[1]
    assert a["disability__disabled_share"] == 2 / 4
    assert a["disability__severe_count"] == 1
    assert a["disability__newly_disabled"] == 2
    assert a["disability__newly_severe"] == 1
    assert a["disability__labour_drop"] == 2
    assert a["disability__disabled_working_age"] == 1  # 2 disabled - 1 elderly
    assert a["disability__disabled_per_labourer"] == 2
    b = out.iloc[2]
    assert np.isnan(b["disability__newly_disabled"])  # single year
    assert b["disability__disabled_working_age"] == 0
    assert np.isnan(b["disability__disabled_per_labourer"])  # no labour


def test_disability_recovery_is_not_new(make_panel):
    panel = make_panel(
        [
            {"household_id": "a", "year": 2022, "disabled_count": 2},
            {"household_id": "a", "year": 2023, "disabled_count": 1},
        ]
    )
    out = DisabilityFeatures().fit_transform(panel)
    assert out["disability__newly_disabled"].iloc[1] == 0
