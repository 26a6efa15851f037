"""Sentences quote the household's own numbers, and never personal data."""

from __future__ import annotations

import re

import numpy as np
import pandas as pd

from fanpin.config import load_explain_config
from fanpin.explain import explain_households, household_values, render_sentence

from .support import small_panel, small_pipe


def test_sentence_quotes_the_right_numbers():
    panel = pd.DataFrame(
        {
            "household_id": ["a", "a"], "year": [2023, 2024],
            "household_size": [4, 4], "income_wage": [40000.0, 30000.0],
            "income_business": [10000.0, 20000.0], "income_transfer": [5000.0, 5862.0],
            "medical_cost_oop": [1000.0, 32400.0],
        }
    )  # fmt: skip
    v = household_values(panel, pd.Index([1]))
    rec = v.loc[1].to_dict()
    net = 30000 + 20000 + 5862
    assert rec["net_income"] == net
    rec["above_serious_threshold"] = True
    s = render_sentence("01", rec, load_explain_config(), top_feature="x")
    assert s == f"医疗自付 32,400 元,占家庭纯收入 {32400 / net:.0%},超过大病保险起付线"
    s7 = render_sentence("07", rec, load_explain_config(), top_feature="x")
    assert "40,000" in s7 and "30,000" in s7 and f"{10000 / 40000:.0%}" in s7


def test_fallback_when_fields_are_missing():
    s = render_sentence("05", {}, load_explain_config(), top_feature="意外事故人次")
    assert s == "意外事故相关风险(意外事故人次)"


def test_explanations_quote_household_values_and_no_pii():
    pipe = small_pipe()
    panel = small_panel().copy()
    panel["head_name"] = "张三丰"
    panel["phone"] = "13800000000"
    ex = explain_households(pipe, panel)
    text = "".join(ex["reasons"].tolist())
    assert "张三丰" not in text and "13800000000" not in text
    checked = 0
    for idx, row in ex.iterrows():
        m = re.search(r"医疗自付 ([\d,]+) 元", row["reasons"])
        if m:
            assert m.group(1) == f"{panel.at[idx, 'medical_cost_oop']:,.0f}"
            checked += 1
    assert checked > 0


def test_a_rows_line_does_not_depend_on_the_other_rows():
    from fanpin.config import MonitoringLines

    lines = MonitoringLines(default={2023: 7000.0, 2024: 7200.0})
    panel = pd.DataFrame({
        "household_id": ["a", "a", "b"], "year": [2023, 2024, 2026],
        "province": ["P", "P", "P"], "household_size": [2, 2, 2],
        "income_wage": [20000.0, 18000.0, 9000.0], "income_business": [0.0] * 3,
        "income_transfer": [0.0] * 3, "medical_cost_oop": [0.0] * 3,
    })  # fmt: skip
    alone = household_values(panel.iloc[:2], pd.Index([1]), lines=lines)
    mixed = household_values(panel, pd.Index([1, 2]), lines=lines)
    assert alone.loc[1, "line"] == mixed.loc[1, "line"] == 7200.0
    assert np.isnan(mixed.loc[2, "line"])  # 2026 is not in the table
