"""Disaster, accident, labour, education, housing/water and assistance features."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from fanpin.features import (
    AccidentFeatures,
    AssistanceFeatures,
    DisasterFeatures,
    EducationFeatures,
    HousingWaterFeatures,
    LabourFeatures,
)


def test_disaster_loss_types_and_exposure(make_panel):
    panel = make_panel(
        [
            {"household_id": "a", "disaster_loss": 6000.0, "disaster_type": "洪涝",
             "income_wage": 10000.0, "income_business": -500.0,
             "income_transfer": 1000.0, "income_property": 1000.0},
            {"household_id": "b", "disaster_loss": 0.0},
            {"household_id": "c", "village": "乙村", "disaster_loss": 100.0,
             "disaster_type": "风雹"},
            {"household_id": "d", "county": "别县"},
            {"household_id": "a", "year": 2022},
        ]
    )
    out = DisasterFeatures().fit_transform(panel)
    a = out.iloc[0]
    assert a["disaster__loss_per_capita"] == 1500
    assert a["disaster__loss_to_income"] == pytest.approx(6000 / 12000)
    assert a["disaster__hit"] == 1
    assert a["disaster__hit_last_year"] == 0
    assert a["disaster__type_flood"] == 1
    assert a["disaster__type_drought"] == 0
    assert out["disaster__type_hail_wind"].tolist() == [0, 0, 1, 0, 0]
    # 2 of the 3 households of 元谋县 in 2023 were hit; 别县 none; 2022 none.
    assert out["disaster__county_exposure"].tolist() == pytest.approx(
        [2 / 3, 2 / 3, 2 / 3, 0, 0]
    )
    assert out["disaster__village_exposure"].tolist() == pytest.approx(
        [1 / 2, 1 / 2, 1, 0, 0]
    )


def test_disaster_missing_type_is_nan(make_panel):
    panel = make_panel([{}])
    panel["disaster_type"] = pd.Series(pd.NA, index=panel.index, dtype="string")
    out = DisasterFeatures().fit_transform(panel)
    assert out.filter(like="type_").isna().all(axis=None)


def test_accident(make_panel):
    panel = make_panel(
        [
            {"household_id": "a", "year": 2021, "accident_count": 0},
            {"household_id": "a", "year": 2022, "accident_count": 2},
            {"household_id": "a", "year": 2023, "accident_count": 1},
        ]
    )
    out = AccidentFeatures().fit_transform(panel)
    assert out["accident__has_accident"].tolist() == [0, 1, 1]
    assert out["accident__accidents_per_capita"].tolist() == [0, 0.5, 0.25]
    assert out["accident__new_accident"].tolist()[1:] == [1, 0]
    assert out["accident__accident_last_year"].tolist()[1:] == [0, 2]


def test_labour_and_demography(make_panel):
    panel = make_panel(
        [
            {"household_id": "a", "year": 2022, "household_size": 5,
             "labor_count": 3},
            {"household_id": "a", "year": 2023, "household_size": 4,
             "labor_count": 1, "elderly_count": 2, "children_count": 1,
             "head_age": 66, "head_education": "文盲", "ethnic_minority": True},
            {"household_id": "b", "household_size": 2, "labor_count": 0,
             "elderly_count": 2, "children_count": 0, "head_education": "大专及以上"},
        ]
    )
    out = LabourFeatures().fit_transform(panel)
    a, b = out.iloc[1], out.iloc[2]
    assert a["labour__labour_per_head"] == 1 / 4
    assert a["labour__dependency_ratio"] == 3
    assert a["labour__elderly_share"] == 0.5
    assert a["labour__elderly_only"] == 0
    assert a["labour__head_elderly"] == 1
    assert a["labour__head_education"] == 0
    assert a["labour__ethnic_minority"] == 1
    assert a["labour__size_change"] == -1
    assert a["labour__labour_change"] == -2
    assert b["labour__no_labour"] == 1
    assert np.isnan(b["labour__dependency_ratio"])
    assert b["labour__elderly_only"] == 1
    assert b["labour__head_education"] == 4


def test_education(make_panel):
    panel = make_panel(
        [
            {"household_id": "a", "year": 2022, "dropout_count": 0,
             "students_higher": 0},
            {"household_id": "a", "year": 2023, "students_compulsory": 2,
             "students_higher": 1, "education_cost": 9000.0, "dropout_count": 1,
             "income_wage": 15000.0, "income_business": 0.0,
             "income_transfer": 3000.0, "income_property": 0.0},
        ]
    )
    out = EducationFeatures().fit_transform(panel)
    row = out.iloc[1]
    assert row["education__students_total"] == 3
    assert row["education__student_share"] == 3 / 4
    assert row["education__education_cost_to_income"] == pytest.approx(9000 / 18000)
    assert row["education__cost_per_student"] == 3000
    assert row["education__has_dropout"] == 1
    assert row["education__new_dropout"] == 1
    assert row["education__students_higher_change"] == 1
    assert np.isnan(out.iloc[0]["education__new_dropout"])


def test_housing_water(make_panel):
    panel = make_panel(
        [
            {"household_id": "a", "year": 2021},
            {"household_id": "a", "year": 2022, "water_safe": False},
            {"household_id": "a", "year": 2023, "housing_safe": False,
             "water_safe": False},
        ]
    )
    out = HousingWaterFeatures().fit_transform(panel)
    assert out["housing_water__any_unsafe"].tolist() == [0, 1, 1]
    assert out["housing_water__newly_unsafe_water"].tolist()[1:] == [1, 0]
    assert out["housing_water__newly_unsafe_housing"].tolist()[1:] == [0, 1]
    assert out["housing_water__past_unsafe_years"].tolist() == [0, 0, 1]


def test_assistance(make_panel):
    panel = make_panel(
        [
            {"household_id": "a", "year": 2022, "dibao": True},
            {"household_id": "a", "year": 2023, "dibao": False, "welfare_job": True,
             "industry_support": True, "microcredit_balance": 14000.0,
             "household_type": "脱贫户"},
            {"household_id": "b", "dibao": True},
        ]
    )
    out = AssistanceFeatures().fit_transform(panel)
    a = out.iloc[1]
    assert a["assistance__n_measures"] == 2
    assert a["assistance__dibao_exit"] == 1
    assert a["assistance__newly_dibao"] == 0
    gross = 20000 + 5000 + 2000 + 1000
    assert a["assistance__microcredit_to_income"] == pytest.approx(14000 / gross)
    assert a["assistance__lifted_household"] == 1
    assert out.iloc[2]["assistance__lifted_household"] == 0
    assert np.isnan(out.iloc[2]["assistance__newly_dibao"])


def test_assistance_all_flags_missing(make_panel):
    panel = make_panel([{}])
    for col in ("dibao", "tekun", "welfare_job", "industry_support", "relocated"):
        panel[col] = pd.Series(pd.NA, index=panel.index, dtype="boolean")
    row = AssistanceFeatures().fit_transform(panel).iloc[0]
    assert np.isnan(row["assistance__n_measures"])
    assert np.isnan(row["assistance__dibao"])
