"""Sentences quote the household's own numbers, read as a cadre writes them, and
never list a risk type its record does not support."""

from __future__ import annotations

import re

import numpy as np
import pandas as pd
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from fanpin.config import MonitoringLines, load_risk_types
from fanpin.explain import (
    explain_contributions,
    explain_households,
    household_values,
    render_sentence,
)

from .support import small_panel, small_pipe

RT = load_risk_types()
LINES = MonitoringLines(default={2023: 7100.0, 2024: 7300.0})
FEATURES = small_pipe().feature_names
ZERO_PERSONS = re.compile(r"(?<![\d,.])0 (人|人次)")
HALF_WIDTH = re.compile(r"[;:()!?]|,(?!\d)|(?<!\d),")


def check_sentence(s: str) -> None:
    """What a cadre would not write: '0 人' as a cause, half-width punctuation
    around Chinese text, missing values, an empty sentence."""
    assert s and s.strip() == s, s
    assert not ZERO_PERSONS.search(s), s
    assert not HALF_WIDTH.search(s), s
    assert "nan" not in s and "None" not in s and "{" not in s, s
    if "元" in s:
        assert "年" in s, s  # figures carry their year


def test_sentence_quotes_the_right_numbers():
    panel = pd.DataFrame(
        {
            "household_id": ["a", "a"], "year": [2023, 2024],
            "household_size": [4, 4], "income_wage": [40000.0, 30000.0],
            "income_business": [10000.0, 20000.0], "income_transfer": [5000.0, 5862.0],
            "medical_cost_oop": [1000.0, 32400.0], "chronic_ill_count": [0, 1],
            "serious_ill_count": [0, 1],
        }
    )  # fmt: skip
    rec = household_values(panel, pd.Index([1])).loc[1].to_dict()
    net = 30000 + 20000 + 5862
    assert rec["net_income"] == net
    rec["above_serious_threshold"] = 1.0
    s = render_sentence("01", rec, RT, top_feature="x")
    assert s == (
        f"2024年医疗自付费用 32,400 元，占家庭纯收入的 {32400 / net:.0%}，"
        "超过大病保险起付线，家中大病患者 1 人、慢性病患者 1 人"
    )
    s7 = render_sentence("07", rec, RT, top_feature="x")
    assert s7 == "2024年工资性收入由上年的 40,000 元降至 30,000 元，减少 25%"
    check_sentence(s) or check_sentence(s7)


def test_fallback_when_fields_are_missing():
    s = render_sentence("05", {}, RT, top_feature="意外事故人次")
    assert s == "因意外事故风险（主要因素：意外事故人次）"


def test_explanations_quote_household_values_and_no_pii():
    pipe = small_pipe()
    panel = small_panel().copy()
    panel["head_name"] = "张三丰"
    panel["phone"] = "13800000000"
    ex = explain_households(pipe, panel, risk_types=RT)
    text = "".join(ex["reasons"].tolist())
    assert "张三丰" not in text and "13800000000" not in text
    checked = 0
    for idx, row in ex.iterrows():
        for s in row["reasons"].split("；") if row["reasons"] else []:
            check_sentence(s)
        m = re.search(r"医疗自付费用 ([\d,]+) 元", row["reasons"])
        if m:
            assert m.group(1) == f"{panel.at[idx, 'medical_cost_oop']:,.0f}"
            checked += 1
    assert checked > 0


def test_a_rows_line_does_not_depend_on_the_other_rows():
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


# -- generated households --------------------------------------------------------
money = st.floats(0, 80_000, allow_nan=False).map(round)
count = st.integers(0, 3)


@st.composite
def households(draw):
    """Two years of one household, within the contract's ranges."""
    size = draw(st.integers(1, 7))
    rec = []
    for year in (2023, 2024):
        labour = draw(st.integers(0, size))
        rec.append({
            "household_id": "h", "year": year, "province": "P", "county": "C",
            "village": "V", "household_size": size, "labor_count": labour,
            "chronic_ill_count": draw(st.integers(0, size)),
            "serious_ill_count": draw(st.integers(0, size)),
            "disabled_count": (d := draw(st.integers(0, size))),
            "severe_disabled_count": draw(st.integers(0, d)),
            "medical_cost_total": (tot := draw(money)),
            "medical_cost_oop": round(draw(st.floats(0, 1)) * tot),
            "disaster_loss": draw(st.sampled_from([0.0, 0.0, 3000.0, 25000.0])),
            "disaster_type": draw(st.sampled_from(["无", "洪涝", "干旱", None])),
            "income_wage": draw(money), "income_business": draw(
                st.floats(-20_000, 40_000, allow_nan=False).map(round)),
            "income_transfer": draw(money) / 4, "income_property": 0.0,
            "education_cost": draw(st.sampled_from([0.0, 1200.0, 9000.0])),
            "elderly_count": draw(st.integers(0, size)),
            "children_count": draw(st.integers(0, size)),
            "students_compulsory": draw(count), "students_higher": draw(count),
            "dropout_count": draw(st.sampled_from([0, 0, 0, 1])),
            "accident_count": draw(st.sampled_from([0, 0, 1])),
            "migrant_workers": draw(st.integers(0, labour)),
            "housing_safe": draw(st.booleans()), "water_safe": draw(st.booleans()),
            "medical_insured": draw(st.booleans()),
        })  # fmt: skip
    return pd.DataFrame(rec)


@settings(max_examples=60, deadline=None,
          suppress_health_check=[HealthCheck.too_slow])  # fmt: skip
@given(panel=households(), seed=st.integers(0, 2**31 - 1))
def test_every_listed_code_passes_its_evidence_rule(panel, seed):
    """Whatever the contributions, a listed code's evidence holds on the record,
    and every sentence reads as a cadre would write it."""
    rng = np.random.default_rng(seed)
    rows = pd.Index([1])
    c = pd.DataFrame(rng.normal(0, 0.4, size=(1, len(FEATURES))), columns=FEATURES,
                     index=rows)  # fmt: skip
    ex = explain_contributions(c, panel, rows, risk_types=RT, lines=LINES)
    h = household_values(panel, rows, lines=LINES)
    values = {k: h[k].to_numpy() for k in h.columns}
    codes = [x for x in ex.loc[1, "risk_types"].split(";") if x]
    for code in codes:
        assert RT.evidence_of(code).condition.holds(values)[0], code
    if "99" in codes:
        assert h.loc[1, "margin_pct"] <= 1.5  # never 其他 far above the line
    for s in ex.loc[1, "reasons"].split("；"):
        check_sentence(s)


@settings(max_examples=60, deadline=None,
          suppress_health_check=[HealthCheck.too_slow])  # fmt: skip
@given(panel=households())
def test_every_template_reads_right_where_its_code_has_evidence(panel):
    rows = pd.Index([1])
    h = household_values(panel, rows, lines=LINES)
    values = {k: h[k].to_numpy() for k in h.columns}
    rec = h.loc[1].to_dict()
    for code in RT.types:
        if not RT.evidence_of(code).condition.holds(values)[0]:
            continue
        check_sentence(render_sentence(code, rec, RT, top_feature="人均纯收入"))
