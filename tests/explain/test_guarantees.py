"""The 三保障 flags (unsafe housing, a compulsory-school dropout, unsafe water)
put a household in hardship by themselves: their code is listed first wherever
its evidence holds, whatever the model's credit for it."""

from __future__ import annotations

import pandas as pd
import pytest
import yaml

from fanpin.config import default_config_path, load_risk_types
from fanpin.exceptions import ConfigError
from fanpin.explain import explain_contributions


def _panel():
    return pd.DataFrame({
        "household_id": ["a", "b"], "year": [2024, 2024], "household_size": [3, 3],
        "labor_count": [2, 2], "chronic_ill_count": [1, 1],
        "serious_ill_count": [0, 0], "medical_cost_oop": [9000.0, 9000.0],
        "income_wage": [20000.0, 20000.0], "income_business": [0.0, 0.0],
        "income_transfer": [0.0, 0.0], "housing_safe": [0, 1], "water_safe": [1, 1],
    })  # fmt: skip


def test_unsafe_housing_is_listed_first_whatever_its_credit():
    rt = load_risk_types()
    assert "H_housing" in rt.guarantees
    c = pd.DataFrame({"health__medical_oop": [0.8, 0.8],
                      "housing_water__housing_unsafe": [0.0, 0.0]})  # fmt: skip
    ex = explain_contributions(c, _panel(), pd.Index([0, 1]), risk_types=rt)
    assert ex.loc[0, "risk_types"].split(";")[:2] == ["H_housing", "01"]
    assert ex.loc[0, "reasons"].startswith("住房安全无保障")
    # the same household with a safe house: no housing risk
    assert ex.loc[1, "risk_types"] == "01"


def test_a_push_cause_comes_before_the_flags():
    rt = load_risk_types()
    c = pd.DataFrame({"health__medical_oop": [0.8]})
    pushes = pd.DataFrame({"row": [0], "event_type": ["住院自付"]})
    ex = explain_contributions(c, _panel().iloc[:1], pd.Index([0]), risk_types=rt,
                               pushes=pushes)  # fmt: skip
    assert ex.loc[0, "risk_types"].split(";")[:2] == ["01", "H_housing"]


def _with(tmp_path, value):
    data = yaml.safe_load(default_config_path("risk_types.yaml").read_text("utf-8"))
    data["guarantees"] = value
    p = tmp_path / "risk_types.yaml"
    p.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    return p


def test_a_user_file_without_flags_lists_them_by_credit(tmp_path):
    rt = load_risk_types(_with(tmp_path, []))
    c = pd.DataFrame({"health__medical_oop": [0.8, 0.8]})
    ex = explain_contributions(c, _panel(), pd.Index([0, 1]), risk_types=rt)
    assert ex.loc[0, "risk_types"] == "01"


@pytest.mark.parametrize(
    ("value", "match"), [("H_housing", "list of risk codes"), (["H_house"], "H_house")]
)
def test_bad_guarantees_are_refused(tmp_path, value, match):
    with pytest.raises(ConfigError, match=match):
        load_risk_types(_with(tmp_path, value))
