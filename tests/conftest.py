"""Shared fixtures: small hand-made households in contract form."""

from __future__ import annotations

import pandas as pd
import pytest

from fanpin.config import MonitoringLines

BASE_ROW = {
    "household_id": "0001",
    "year": 2023,
    "province": "甘肃省",
    "county": "甲县",
    "village": "一村",
    "household_type": "脱贫户",
    "household_size": 4,
    "labor_count": 2,
    "chronic_ill_count": 0,
    "serious_ill_count": 0,
    "disabled_count": 0,
    "medical_cost_total": 0.0,
    "medical_cost_oop": 0.0,
    "disaster_loss": 0.0,
    "income_wage": 40000.0,
    "income_business": 8000.0,
    "income_transfer": 2000.0,
    "housing_safe": True,
    "water_safe": True,
}


def make_rows(*overrides: dict) -> pd.DataFrame:
    """One raw contract row per override dict, starting from :data:`BASE_ROW`."""
    return pd.DataFrame([{**BASE_ROW, **o} for o in overrides])


@pytest.fixture(autouse=True)
def _cli_in_english(monkeypatch):
    """The command line speaks English in tests (its default is Chinese, or the
    locale's language); the tests of the Chinese CLI ask for it explicitly. Its
    output is as piped output is, 120 columns, unless a test sets COLUMNS
    (pytest-xdist sets COLUMNS=80 for its workers)."""
    monkeypatch.setenv("FANPIN_LANG", "en")
    monkeypatch.delenv("COLUMNS", raising=False)


@pytest.fixture
def rows():
    return make_rows


@pytest.fixture
def lines() -> MonitoringLines:
    return MonitoringLines(
        default={2021: 6000, 2022: 6600, 2023: 7100, 2024: 7300},
        provinces={"湖北省": {2023: 7600}},
    )
