"""Tiny hand-made panels following the data contract (validated-panel dtypes)."""

from __future__ import annotations

import pandas as pd
import pytest

from fanpin.config import MonitoringLines
from fanpin.schema._columns import COLUMNS

# One ordinary household-year, every contract column filled with a plain value.
DEFAULT_ROW: dict[str, object] = {
    "household_id": "h1",
    "year": 2023,
    "province": "云南省",
    "county": "元谋县",
    "village": "甲村",
    "household_type": "一般农户",
    "household_size": 4,
    "labor_count": 2,
    "chronic_ill_count": 0,
    "serious_ill_count": 0,
    "disabled_count": 0,
    "medical_cost_total": 0.0,
    "medical_cost_oop": 0.0,
    "disaster_loss": 0.0,
    "income_wage": 20000.0,
    "income_business": 5000.0,
    "income_transfer": 2000.0,
    "housing_safe": True,
    "water_safe": True,
    "township": "乙镇",
    "monitor_category": None,
    "elderly_count": 0,
    "children_count": 1,
    "students_compulsory": 1,
    "students_higher": 0,
    "dropout_count": 0,
    "head_age": 45,
    "head_education": "初中",
    "ethnic_minority": False,
    "severe_disabled_count": 0,
    "medical_insured": True,
    "disaster_type": "无",
    "accident_count": 0,
    "income_property": 1000.0,
    "migrant_workers": 1,
    "education_cost": 1000.0,
    "dibao": False,
    "tekun": False,
    "microcredit_balance": 0.0,
    "welfare_job": False,
    "industry_support": False,
    "relocated": False,
    "cultivated_land": 4.0,
}

LINES = MonitoringLines(default={2021: 6000, 2022: 6500, 2023: 7000, 2024: 7500})


def build_panel(rows: list[dict]) -> pd.DataFrame:
    """A validated-style panel: DEFAULT_ROW overridden by each dict, contract dtypes."""
    df = pd.DataFrame([{**DEFAULT_ROW, **r} for r in rows])
    for col in COLUMNS:
        df[col.name] = df[col.name].astype(col.dtype)
    return df


def blank_optional(df: pd.DataFrame) -> pd.DataFrame:
    """Every optional contract column all-NA, as a validated panel that lacked them."""
    out = df.copy()
    for col in COLUMNS:
        if not col.required:
            blank = [None] * len(out)
            out[col.name] = pd.Series(blank, index=out.index, dtype=col.dtype)
    return out


@pytest.fixture(scope="session")
def make_panel():
    return build_panel


@pytest.fixture(scope="session")
def lines() -> MonitoringLines:
    return LINES


@pytest.fixture
def panel() -> pd.DataFrame:
    """Four households over 2021-2023 with illness, disaster, a gap and a newcomer."""
    rows = []
    # h1: steady household, three years.
    for y in (2021, 2022, 2023):
        rows.append({"household_id": "h1", "year": y})
    # h2: serious illness in 2023, wage collapses, 低保 starts.
    rows += [
        {"household_id": "h2", "year": 2021, "income_wage": 18000.0},
        {"household_id": "h2", "year": 2022, "income_wage": 18000.0},
        {"household_id": "h2", "year": 2023, "income_wage": 6000.0,
         "serious_ill_count": 1, "chronic_ill_count": 1,
         "medical_cost_total": 40000.0, "medical_cost_oop": 12000.0,
         "dibao": True, "labor_count": 1, "disabled_count": 1},
    ]
    # h3: flood in 2022, record missing in 2022 for h4's village neighbour.
    rows += [
        {"household_id": "h3", "year": 2021, "village": "乙村"},
        {"household_id": "h3", "year": 2022, "village": "乙村",
         "disaster_loss": 8000.0, "disaster_type": "洪涝"},
        {"household_id": "h3", "year": 2023, "village": "乙村"},
    ]
    # h4: gap in 2022, another county.
    rows += [
        {"household_id": "h4", "year": 2021, "county": "武定县"},
        {"household_id": "h4", "year": 2023, "county": "武定县",
         "housing_safe": False},
    ]
    # h5: a single year.
    rows.append({"household_id": "h5", "year": 2023, "household_type": "脱贫户"})
    return build_panel(rows)
