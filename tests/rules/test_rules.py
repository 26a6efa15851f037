"""Rule triggers at their boundaries, computed from the config values."""

from __future__ import annotations

import numpy as np
import pytest

from fanpin.config import RulesConfig, RuleSpec, load_rules_config
from fanpin.exceptions import ConfigError
from fanpin.rules import RuleBaseline

from ..conftest import make_rows

CFG = load_rules_config()
P = {r.id: r.params for r in CFG.rules}


def flags(panel, lines, cfg=CFG):
    return RuleBaseline(config=cfg, lines=lines).flags(panel)


def test_income_near_line_boundary(lines):
    cut = (
        P["income_near_line"]["multiple"] * lines.line("甘肃省", 2023) * 4
    )  # 4 persons
    panel = make_rows(
        {
            "household_id": "a",
            "income_wage": cut,
            "income_business": 0.0,
            "income_transfer": 0.0,
        },
        {
            "household_id": "b",
            "income_wage": cut - 4.0,
            "income_business": 0.0,
            "income_transfer": 0.0,
        },
    )
    assert flags(panel, lines)["rule__income_near_line"].tolist() == [False, True]


def test_medical_oop_thresholds_depend_on_monitoring(lines):
    mon, other = (
        P["medical_oop_large"]["monitored_yuan"],
        P["medical_oop_large"]["other_yuan"],
    )
    panel = make_rows(
        {
            "household_id": "a",
            "monitor_category": "边缘易致贫户",
            "medical_cost_total": mon,
            "medical_cost_oop": mon,
        },
        {
            "household_id": "b",
            "monitor_category": "边缘易致贫户",
            "medical_cost_total": mon + 1,
            "medical_cost_oop": mon + 1,
        },
        {"household_id": "c", "medical_cost_total": other, "medical_cost_oop": other},
        {
            "household_id": "d",
            "medical_cost_total": other + 1,
            "medical_cost_oop": other + 1,
        },
        {
            "household_id": "e",
            "medical_cost_total": mon + 1,
            "medical_cost_oop": mon + 1,
        },
    )
    got = flags(panel, lines)["rule__medical_oop_large"].tolist()
    assert got == [False, True, False, True, False]


def test_income_drop_and_new_disability_use_exactly_last_year(lines):
    share = P["income_drop"]["share"]
    base = 50000.0  # total income of BASE_ROW
    panel = make_rows(
        {"household_id": "a", "year": 2022},
        {"household_id": "a", "year": 2023, "income_wage": 40000.0 - share * base},
        {"household_id": "b", "year": 2022},
        {
            "household_id": "b",
            "year": 2023,
            "income_wage": 40000.0 - share * base - 8,
            "disabled_count": 1,
        },
        {"household_id": "c", "year": 2021},  # gap: 2021 is not last year of 2023
        {"household_id": "c", "year": 2023, "income_wage": 0.0, "disabled_count": 1},
    )
    f = flags(panel, lines)
    assert f["rule__income_drop"].tolist() == [False, False, False, True, False, False]
    assert f["rule__new_disability"].tolist() == [
        False,
        False,
        False,
        True,
        False,
        False,
    ]


def test_share_rules_boundaries(lines):
    total = 50000.0
    d, r = P["disaster_loss_share"]["share"], P["rigid_spending_share"]["share"]
    panel = make_rows(
        {"household_id": "a", "disaster_loss": d * total},
        {"household_id": "b", "disaster_loss": d * total + 1},
        {"household_id": "c", "education_cost": r * total},
        {"household_id": "d", "education_cost": r * total + 1},
    )
    f = flags(panel, lines)
    assert f["rule__disaster_loss_share"].tolist() == [False, True, False, False]
    assert f["rule__rigid_spending_share"].tolist() == [False, False, False, True]


def test_oop_over_local_income_fixed_reference(lines):
    cfg = RulesConfig(
        rules=(
            RuleSpec(
                "oop",
                "x",
                "oop_over_local_income",
                {"reference": "fixed", "yuan": 9000},
            ),
        )
    )
    panel = make_rows(
        {"household_id": "a", "medical_cost_total": 9000.0, "medical_cost_oop": 9000.0},
        {"household_id": "b", "medical_cost_total": 9001.0, "medical_cost_oop": 9001.0},
    )
    assert flags(panel, lines, cfg)["rule__oop"].tolist() == [False, True]


def test_ranking_by_score_then_lower_margin(lines):
    panel = make_rows(
        {"household_id": "rich", "income_wage": 90000.0, "disaster_loss": 90000.0},
        {
            "household_id": "poor",
            "income_wage": 5000.0,
            "income_business": 0.0,
            "income_transfer": 0.0,
            "disaster_loss": 90000.0,
        },
        {"household_id": "none"},
    )
    out = RuleBaseline(config=CFG, lines=lines).score(panel)
    weights = np.array([r.weight for r in CFG.rules])
    expected = out[[f"rule__{i}" for i in CFG.ids]].to_numpy(float) @ weights
    np.testing.assert_allclose(out["rule_score"], expected)
    # poor triggers income_near_line too; rich and poor both share disaster
    assert out["rule_rank"].tolist()[1] == 1
    assert sorted(out["rule_rank"]) == [1, 2, 3]
    assert out.loc[out["rule_rank"].idxmin(), "priority"] == 1.0


def test_ties_broken_by_lower_margin(lines):
    cfg = RulesConfig(rules=(RuleSpec("d", "x", "new_disability", {}),))
    panel = make_rows(
        {"household_id": "a", "income_wage": 60000.0},
        {"household_id": "b", "income_wage": 30000.0},
    )
    out = RuleBaseline(config=cfg, lines=lines).score(panel)
    assert out["rule_score"].tolist() == [0.0, 0.0]
    assert out["rule_rank"].tolist() == [2, 1]


def test_user_file_and_bad_configs(tmp_path):
    p = tmp_path / "rules.yaml"
    p.write_text(
        "rules:\n  - {id: drop, kind: income_drop, params: {share: 0.5}}\n",
        encoding="utf-8",
    )
    cfg = load_rules_config(p)
    assert cfg.ids == ("drop",) and cfg.rules[0].params["share"] == 0.5
    with pytest.raises(ConfigError, match="unknown kind"):
        RuleSpec("x", "x", "nope", {})
    with pytest.raises(ConfigError, match="must be in"):
        RuleSpec("x", "x", "income_drop", {"share": 1.5})
    with pytest.raises(ConfigError, match="missing"):
        RuleSpec("x", "x", "income_drop", {})
    with pytest.raises(ConfigError, match="unique"):
        RulesConfig(rules=(cfg.rules[0], cfg.rules[0]))
    with pytest.raises(AttributeError):
        cfg.rules[0].weight = 2.0  # frozen
