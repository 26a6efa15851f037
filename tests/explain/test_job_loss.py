"""A migrant worker back home (失业返乡): the wage lost in the year ahead is the
job loss's part of the income shortfall, however much of this year's wage was
earned before the job was lost."""

from __future__ import annotations

import pandas as pd
import pytest

from fanpin.config import MonitoringLines, load_risk_types
from fanpin.explain import household_values, risk_contributions


def _panel(mig_last, mig, wage_last, wage, size=2):
    rows = [
        {"household_id": "a", "year": 2023, "migrant_workers": mig_last,
         "income_wage": wage_last},
        {"household_id": "a", "year": 2024, "migrant_workers": mig,
         "income_wage": wage},
    ]  # fmt: skip
    return pd.DataFrame(rows).assign(
        province="P", household_size=size, labor_count=2, income_business=0.0,
        income_transfer=0.0, medical_cost_oop=0.0,
    )  # fmt: skip


LINES = MonitoringLines(default={2023: 7000.0, 2024: 7000.0})


def _values(panel):
    rt = load_risk_types()
    at = panel.index[panel["year"] == 2024]
    return household_values(
        panel, at, lines=LINES, gap_reference=rt.gap_reference,
        min_fall=rt.split_min_fall,
    ).reset_index(drop=True)  # fmt: skip


def test_a_migrant_back_home_loses_a_migrants_wage_ahead():
    # two migrants earned 40,000 last year; one came home late in the year, so
    # the household's wage fell by 15 % only (not a sharp fall)
    h = _values(_panel(2, 1, 40000.0, 34000.0))
    # the returned worker's wage ahead: 40,000 / 2 migrants, per head of 2
    assert h.loc[0, "wage_loss_pc"] == pytest.approx(10000.0)


def test_the_same_small_fall_with_every_migrant_away_is_no_job_loss():
    h = _values(_panel(2, 2, 40000.0, 34000.0))
    assert h.loc[0, "wage_loss_pc"] == 0.0


def test_a_sharp_fall_larger_than_a_migrants_wage_is_kept_whole():
    # one migrant home, wages 40,000 -> 4,000: the fall (18,000 a head) is
    # larger than the migrant's wage ahead (40,000 / 2 migrants / 2 = 10,000)
    h = _values(_panel(2, 1, 40000.0, 4000.0))
    assert h.loc[0, "wage_loss_pc"] == pytest.approx(18000.0)


def test_the_margin_goes_to_unstable_work_for_a_migrant_back_home():
    rt = load_risk_types()
    h = _values(_panel(1, 0, 30000.0, 24000.0))
    v = pd.DataFrame({"income__margin_over_line": [0.5]})
    r = risk_contributions(v, rt, household=h).fillna(0.0)
    # 30,000 / 1 migrant / 2 = 15,000 a head lost ahead; per-capita income 12,000
    # + 15,000 is above 1.2 x 7,000: nothing structural is left
    assert r.loc[0, "07"] == pytest.approx(0.5)
    assert r.loc[0].get("99", 0.0) == 0.0
