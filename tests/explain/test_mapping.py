"""Feature -> official risk type mapping, read from the YAML config."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
import yaml

from fanpin.config import MonitoringLines, default_config_path, load_risk_types
from fanpin.exceptions import ConfigError
from fanpin.explain import (
    apply_evidence,
    explain_households,
    household_values,
    rank_risks,
    risk_contributions,
    shap_values,
)

from .support import small_panel, small_pipe


def _user_config(tmp_path, edit):
    data = yaml.safe_load(default_config_path("risk_types.yaml").read_text("utf-8"))
    edit(data)
    p = tmp_path / "risk_types.yaml"
    p.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    return p


def test_changed_yaml_changes_the_risk_type(tmp_path):
    v = pd.DataFrame({"health__medical_oop": [0.4], "labour__no_labour": [0.1]})
    shipped = risk_contributions(v, load_risk_types())
    assert shipped.loc[0, "01"] == pytest.approx(0.4)

    def edit(d):
        d["domains"]["health"] = "03"

    cfg = load_risk_types(_user_config(tmp_path, edit))
    changed = risk_contributions(v, cfg)
    assert "01" not in changed.columns
    assert changed.loc[0, "03"] == pytest.approx(0.4)

    def override(d):
        d["features"]["labour__no_labour"] = "99"

    cfg = load_risk_types(_user_config(tmp_path, override))
    assert risk_contributions(v, cfg).loc[0, "99"] == pytest.approx(0.1)


@pytest.mark.parametrize(
    ("section", "edit", "match"),
    [
        ("domains", lambda d: d["domains"].update(health="011"), "not in the 'types'"),
        ("evidence", lambda d: d["evidence"]["01"].update(rule="medical_oop >"),
         "cannot be read"),
        ("evidence", lambda d: d["evidence"]["01"].update(rule="medical_opp > 0"),
         "did you mean 'medical_oop'"),
        ("evidence", lambda d: d["evidence"].pop("05"), "no evidence rule"),
        ("sentences", lambda d: d["sentences"]["01"].append({"text": "{oops}"}),
         "unknown field 'oops'"),
        ("events", lambda d: d["events"].update(新增残疾="033"), "not in the 'types'"),
    ],
)  # fmt: skip
def test_bad_user_config_is_refused(tmp_path, section, edit, match):
    with pytest.raises(ConfigError, match=match):
        load_risk_types(_user_config(tmp_path, edit))


@pytest.mark.parametrize(
    ("dtype", "code"),
    [("洪涝", "0201"), ("地震地质", "0202"), ("干旱", "0203"), ("风雹", "0205"),
     ("其他", "0299"), (None, "0299")],
)  # fmt: skip
def test_disaster_sub_item_by_type(dtype, code):
    v = pd.DataFrame({"disaster__loss": [0.3]})
    h = pd.DataFrame({"disaster_type": [dtype]})
    r = risk_contributions(v, load_risk_types(), household=h)
    assert list(r.columns) == [code]


def test_income_split_by_component_that_fell():
    rt = load_risk_types()
    v = pd.DataFrame({"income__pc_income": [0.2, 0.2, 0.2]})
    h = pd.DataFrame(
        {"wage_drop_pct": [0.4, 0.01, -0.1], "business_drop_pct": [0.1, 0.3, 0.0]}
    )
    r = risk_contributions(v, rt, household=h).fillna(0.0)
    assert r.loc[0, "07"] == pytest.approx(0.2)
    assert r.loc[1, "06"] == pytest.approx(0.2)
    assert r.loc[2, "99"] == pytest.approx(0.2)


def test_composite_margin_is_split_by_its_causes():
    """Income after rigid spending: the part made by out-of-pocket medical costs
    goes to 因病, by education costs to 因学, the income shortfall to income."""
    rt = load_risk_types()
    panel = pd.DataFrame({
        "household_id": ["a", "b"], "year": [2024, 2024], "province": ["P", "P"],
        "household_size": [2, 2], "labor_count": [2, 2],
        "medical_cost_oop": [6000.0, 6000.0], "education_cost": [2000.0, 0.0],
        # 1.5 x line = 10,500; per-capita income 9,500: shortfall 1,000 per head
        "income_wage": [19000.0, 19000.0], "income_business": [0.0, 0.0],
        "income_transfer": [0.0, 0.0],
    })  # fmt: skip
    lines = MonitoringLines(default={2024: 7000.0})
    h = household_values(panel, panel.index, lines=lines)
    v = pd.DataFrame({"income__margin_over_line": [0.6, -0.3]})
    r = risk_contributions(v, rt, household=h).fillna(0.0)
    # per head: oop 3,000, education 1,000, income 1,000 -> 3/5, 1/5, 1/5
    assert r.loc[0, "01"] == pytest.approx(0.36)
    assert r.loc[0, "09"] == pytest.approx(0.12)
    assert r.loc[0, "99"] == pytest.approx(0.12)
    # a negative contribution (a safe margin) stays with income
    assert r.loc[1, "99"] == pytest.approx(-0.3) and r.loc[1, "01"] == 0


def test_a_wage_fall_is_a_job_lost_only_with_a_migrant_back_home():
    """The income shortfall's wage part goes to 因务工就业不稳 when a migrant worker
    came home (失业返乡); the same fall with every migrant still away, and a fall
    of business income, are structural (其他)."""
    rt = load_risk_types()
    rows = []
    for hid, mig, bus in (("a", 0, 0.0), ("b", 1, 0.0), ("c", 1, 6000.0)):
        rows += [
            {"household_id": hid, "year": 2023, "migrant_workers": 1,
             "income_wage": 8000.0 if bus else 20000.0,
             "income_business": 12000.0 if bus else 0.0},
            {"household_id": hid, "year": 2024, "migrant_workers": mig,
             "income_wage": 8000.0, "income_business": bus},
        ]  # fmt: skip
    panel = pd.DataFrame(rows).assign(
        province="P", household_size=2, labor_count=2, medical_cost_oop=0.0,
        income_transfer=0.0,
    )  # fmt: skip
    lines = MonitoringLines(default={2023: 7000.0, 2024: 7000.0})
    at = panel.index[panel["year"] == 2024]
    h = household_values(panel, at, lines=lines, gap_reference=rt.gap_reference)
    v = pd.DataFrame({"income__margin_over_line": [0.5, 0.5, 0.5]}, index=at)
    r = risk_contributions(v, rt, household=h).fillna(0.0).reset_index(drop=True)
    # a: wages 20,000 -> 8,000 with the migrant home: 6,000 a head lost; the
    # reference 1.2 x 7,000 = 8,400 a head less 4,000 + 6,000 leaves nothing short
    assert r.loc[0, "07"] == pytest.approx(0.5)
    # b: the same fall, the migrant still away: structural
    assert r.loc[1].get("07", 0.0) == 0 and r.loc[1, "99"] == pytest.approx(0.5)
    # c: business income 12,000 -> 6,000: structural, not 因产业失败
    assert r.loc[2].get("06", 0.0) == 0 and r.loc[2, "99"] == pytest.approx(0.5)


def test_few_workers_is_split_by_why_members_cannot_work():
    rt = load_risk_types()
    panel = pd.DataFrame({
        "household_id": ["a", "b"], "year": [2024, 2024], "household_size": [4, 3],
        "labor_count": [1, 1], "elderly_count": [1, 2], "children_count": [0, 0],
        "severe_disabled_count": [1, 0], "disabled_count": [1, 0],
        "serious_ill_count": [1, 0], "income_wage": [1.0, 1.0],
        "income_business": [0.0, 0.0], "income_transfer": [0.0, 0.0],
    })  # fmt: skip
    h = household_values(panel, panel.index)
    v = pd.DataFrame({"labour__labour_per_head": [0.3, 0.3]})
    r = risk_contributions(v, rt, household=h).fillna(0.0)
    # a: one elderly, one severely disabled adult, one seriously ill adult
    assert r.loc[0, "03"] == pytest.approx(0.1) and r.loc[0, "01"] == pytest.approx(0.1)
    assert r.loc[0, "04"] == pytest.approx(0.1)
    # b: two elderly and one worker: age alone
    assert r.loc[1, "04"] == pytest.approx(0.3)


def test_a_code_without_evidence_passes_its_contribution_on():
    rt = load_risk_types()
    c = pd.DataFrame({"01": [0.5, 0.5, 0.5], "03": [0.2, 0.2, 0.2]})
    h = pd.DataFrame({
        "medical_oop": [100.0, 100.0, 0.0], "ill_count": [1.0, 0.0, 0.0],
        "disabled_count": [0.0, 1.0, 0.0], "no_labour": [0.0, 0.0, 1.0],
        "labor_count": [2.0, 2.0, 0.0], "household_size": [3.0, 3.0, 1.0],
        "margin_pct": [1.2, 3.0, 1.1],
    })  # fmt: skip
    after, ok = apply_evidence(c, rt, h)
    # row 0: ill, not disabled: 03 passes to 04 (labour 2 of 3: no), then 99
    assert after.loc[0, "01"] == 0.5 and after.loc[0, "03"] == 0
    assert after.loc[0, "99"] == pytest.approx(0.2)
    # row 1: nobody ill, far above the line: 01 cannot go to 99, it is dropped
    assert after.loc[1, "01"] == 0 and after.loc[1, "99"] == 0
    # row 2: nobody ill or disabled, no labour: 03 -> 04, 01 -> 99
    assert after.loc[2, "04"] == pytest.approx(0.2)
    assert after.loc[2, "99"] == pytest.approx(0.5)
    ranked = rank_risks(after, supported=ok, min_contribution=0.1, structural="99")
    assert [c for c, _ in ranked[1]] == ["03"]
    assert "99" not in [c for c, _ in ranked[1]]


def test_structural_comes_after_a_coded_cause_that_explains_the_risk():
    c = pd.DataFrame({"99": [0.6, 0.6], "01": [0.4, 0.1]})
    ranked = rank_risks(c, min_contribution=0.05, structural="99", yields_to=0.5)
    assert [x for x, _ in ranked[0]] == ["01", "99"]
    assert [x for x, _ in ranked[1]] == ["99", "01"]


def test_a_push_code_comes_first():
    c = pd.DataFrame({"99": [0.6], "03": [0.01]})
    ranked = rank_risks(c, min_contribution=0.1, structural="99", first=[["03"]])
    assert [x for x, _ in ranked[0]] == ["03", "99"]


def test_risk_rows_sum_to_total_contribution():
    pipe = small_pipe()
    panel = small_panel()
    X = pipe.features.transform(panel)
    rows = panel.index[panel["year"] == 2024][:300]
    sv = shap_values(pipe, X.loc[rows])
    h = household_values(panel, rows, features=X, lines=pipe.lines)
    r = risk_contributions(sv.values, load_risk_types(), household=h)
    np.testing.assert_allclose(r.sum(axis=1), sv.values.sum(axis=1), atol=1e-9)


def test_at_most_five_positive_risks_ranked():
    rng = np.random.default_rng(0)
    c = pd.DataFrame(rng.normal(size=(50, 9)), columns=list("abcdefghi"))
    ranked = rank_risks(c, max_risks=5, min_contribution=0.1)
    for i, risks in enumerate(ranked):
        vals = [v for _, v in risks]
        assert len(risks) <= 5
        assert all(v >= 0.1 for v in vals)
        assert vals == sorted(vals, reverse=True)
        expected = sorted(c.iloc[i][c.iloc[i] >= 0.1], reverse=True)[:5]
        assert vals == pytest.approx(expected)


def test_explain_households_lists_supported_risks():
    pipe, panel = small_pipe(), small_panel()
    rt = load_risk_types()
    ex = explain_households(pipe, panel, risk_types=rt)
    assert len(ex) == int((panel["year"] == 2024).sum())
    h = household_values(panel, ex.index, lines=pipe.lines)
    values = {c: h[c].to_numpy() for c in h.columns}
    for i, (codes, reasons) in enumerate(zip(ex["risk_types"], ex["reasons"],
                                            strict=True)):  # fmt: skip
        got = [c for c in codes.split(";") if c]
        assert len(got) <= 5 and set(got) <= set(rt.types)
        if got:
            assert len([s for s in reasons.split("；") if s]) == len(got)
        else:
            assert reasons == rt.no_reason
        for c in got:
            assert rt.evidence_of(c).condition.holds(values)[i], (c, i)
