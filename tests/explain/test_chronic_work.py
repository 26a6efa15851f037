"""A chronically ill member able to work loses part of the year's work: that
part of the income shortfall is the illness's (composites.chronic_work_loss)."""

from __future__ import annotations

import pandas as pd
import pytest

from fanpin.config import load_risk_types
from fanpin.explain import household_values


def _panel(chronic, labour):
    return pd.DataFrame({
        "household_id": ["a"], "year": [2024], "household_size": [4],
        "labor_count": [labour], "chronic_ill_count": [chronic],
        "serious_ill_count": [0], "medical_cost_oop": [2000.0],
        "income_wage": [40000.0], "income_business": [0.0],
        "income_transfer": [0.0],
    })  # fmt: skip


def test_a_chronically_ill_worker_adds_lost_work_to_the_illness_part():
    p = _panel(1, 2)
    base = household_values(p, p.index)
    got = household_values(p, p.index, chronic_work_loss=0.05)
    # 40,000 / 2 workers x 5 % for one chronically ill worker, per head of 4
    extra = got.loc[0, "illness_loss_pc"] - base.loc[0, "illness_loss_pc"]
    assert extra == pytest.approx(250.0)
    assert base.loc[0, "illness_loss_pc"] == pytest.approx(500.0)  # the oop


def test_no_more_chronic_workers_than_workers():
    p = _panel(3, 1)
    got = household_values(p, p.index, chronic_work_loss=0.05)
    # one worker earning 40,000: 5 % of it, per head of 4, plus the oop
    assert got.loc[0, "illness_loss_pc"] == pytest.approx(500.0 + 500.0)


def test_the_shipped_share_is_read_and_bounded():
    rt = load_risk_types()
    assert 0 <= rt.chronic_work_loss <= 0.1
