"""Income features computed by hand from the definitions."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from fanpin.config import MonitoringLines, load_monitoring_lines
from fanpin.exceptions import ConfigError
from fanpin.features import IncomeFeatures


def _two_years(make_panel, **second):
    return make_panel(
        [
            {"household_id": "a", "year": 2022, "income_wage": 20000.0,
             "income_business": 4000.0, "income_transfer": 2000.0,
             "income_property": 0.0, "medical_cost_oop": 0.0,
             "education_cost": 0.0, "household_size": 4},
            {"household_id": "a", "year": 2023, "income_wage": 8000.0,
             "income_business": -2000.0, "income_transfer": 6000.0,
             "income_property": 1000.0, "medical_cost_oop": 3000.0,
             "medical_cost_total": 5000.0, "education_cost": 1000.0,
             "household_size": 4, **second},
        ]
    )


def test_levels_margins_and_changes(make_panel, lines):
    panel = _two_years(make_panel)
    out = IncomeFeatures(lines=lines).fit_transform(panel)
    row = out.iloc[1]
    total = 8000 - 2000 + 6000 + 1000
    assert row["income__pc_income"] == pytest.approx(total / 4)
    after = (total - 3000 - 1000) / 4
    assert row["income__pc_income_after_rigid"] == pytest.approx(after)
    assert row["income__margin_over_line"] == pytest.approx(after - 7000)
    assert row["income__margin_ratio"] == pytest.approx(after / 7000)
    assert row["income__pc_income_to_line"] == pytest.approx(total / 4 / 7000)
    assert row["income__wage_change"] == -12000
    assert row["income__business_change"] == -6000
    assert row["income__transfer_change"] == 4000
    assert row["income__property_change"] == 1000
    prev = 26000 / 4
    assert row["income__pc_income_change"] == pytest.approx(total / 4 - prev)
    rate = (total / 4 - prev) / prev
    assert row["income__pc_income_change_rate"] == pytest.approx(rate)
    gross = 8000 + 0 + 6000 + 1000
    assert row["income__transfer_share"] == pytest.approx(6000 / gross)
    assert row["income__wage_share"] == pytest.approx(8000 / gross)
    assert row["income__migrant_share"] == pytest.approx(1 / 2)
    assert row["income__land_per_capita"] == pytest.approx(1.0)
    # First year: every change is NaN, levels are not.
    first = out.iloc[0]
    assert np.isnan(first["income__wage_change"])
    assert np.isnan(first["income__sharp_drop_income"])
    assert first["income__pc_income"] == 6500


def test_sharp_drop_threshold_is_configurable(make_panel, lines):
    panel = _two_years(make_panel)
    # pc income 6500 -> 3250 (-50%), wage -60%, business positive -> negative.
    low = IncomeFeatures(lines=lines, drop_threshold=0.3).fit_transform(panel).iloc[1]
    assert low["income__sharp_drop_income"] == 1
    assert low["income__sharp_drop_wage"] == 1
    assert low["income__sharp_drop_business"] == 1
    high = IncomeFeatures(lines=lines, drop_threshold=0.55).fit_transform(panel).iloc[1]
    assert high["income__sharp_drop_income"] == 0
    assert high["income__sharp_drop_wage"] == 1


def test_volatility_uses_every_year_up_to_t(make_panel, lines):
    wages = [10000.0, 14000.0, 6000.0]
    panel = make_panel(
        [
            {"household_id": "a", "year": y, "income_wage": w,
             "income_business": 0.0, "income_transfer": 0.0,
             "income_property": 0.0, "household_size": 2}
            for y, w in zip((2021, 2022, 2023), wages, strict=True)
        ]
    )
    cv = IncomeFeatures(lines=lines).fit_transform(panel)["income__pc_income_cv"]
    pc = np.array(wages) / 2
    assert np.isnan(cv.iloc[0])
    assert cv.iloc[1] == pytest.approx(np.std(pc[:2], ddof=1) / pc[:2].mean())
    assert cv.iloc[2] == pytest.approx(np.std(pc, ddof=1) / pc.mean())


def test_own_province_line_is_used(make_panel):
    lines = MonitoringLines(default={2023: 7000}, provinces={"湖北省": {2023: 8000}})
    panel = make_panel(
        [{"household_id": "a", "province": "湖北省"}, {"household_id": "b"}]
    )
    out = IncomeFeatures(lines=lines).fit_transform(panel)
    pc_after = out["income__pc_income_after_rigid"]
    assert out["income__margin_over_line"].tolist() == pytest.approx(
        [pc_after[0] - 8000, pc_after[1] - 7000]
    )


def test_default_lines_loaded_at_fit_and_param_untouched(make_panel):
    est = IncomeFeatures()
    est.fit(make_panel([{}]))
    assert est.lines is None
    assert est.lines_.to_dict() == load_monitoring_lines().to_dict()


def test_year_without_a_line_is_a_config_error(make_panel, lines):
    est = IncomeFeatures(lines=lines).fit(make_panel([{}]))
    with pytest.raises(ConfigError, match="2030"):
        est.transform(make_panel([{"year": 2030}]))


def test_missing_optional_columns_give_nan_not_errors(make_panel, lines):
    panel = make_panel([{"household_id": "a"}])
    for col in ("income_property", "education_cost", "migrant_workers",
                "cultivated_land"):
        panel[col] = pd.Series(None, index=panel.index, dtype=panel[col].dtype)
    row = IncomeFeatures(lines=lines).fit_transform(panel).iloc[0]
    # Optional money counts as 0 in per-capita income (the contract's definition).
    assert row["income__pc_income"] == (20000 + 5000 + 2000) / 4
    assert np.isnan(row["income__migrant_share"])
    assert np.isnan(row["income__land_per_capita"])


def test_no_labour_gives_zero_migrant_share(make_panel, lines):
    panel = make_panel([{"labor_count": 0, "migrant_workers": 0}])
    row = IncomeFeatures(lines=lines).fit_transform(panel).iloc[0]
    assert row["income__migrant_share"] == 0
