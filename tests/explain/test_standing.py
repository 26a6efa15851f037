"""因缺劳动力 is a standing condition, not a shock: ranked after the coded shocks
that explain a comparable part of the risk, before 其他."""

from __future__ import annotations

import pandas as pd
import pytest
import yaml

from fanpin.config import default_config_path, load_risk_types
from fanpin.exceptions import ConfigError
from fanpin.explain import rank_risks


def test_lack_of_labour_yields_to_a_comparable_shock():
    c = pd.DataFrame({"04": [0.6, 0.6, 0.6], "01": [0.4, 0.2, 0.4],
                      "99": [0.1, 0.1, 0.9]})  # fmt: skip
    got = [
        [x for x, _ in r]
        for r in rank_risks(c, min_contribution=0.1, structural="99",
                            yields_to=0.5, standing=["04"])
    ]  # fmt: skip
    # illness explains at least half of what lack of labour does: first
    assert got[0] == ["01", "04", "99"]
    # a small illness part stays behind
    assert got[1] == ["04", "01", "99"]
    # 其他 yields to both coded causes, lack of labour still after illness
    assert got[2] == ["01", "04", "99"]


def test_without_standing_codes_the_order_is_by_contribution():
    c = pd.DataFrame({"04": [0.6], "01": [0.4]})
    assert [x for x, _ in rank_risks(c, structural="99")[0]] == ["04", "01"]


def test_the_shipped_config_ranks_lack_of_labour_as_standing():
    assert load_risk_types().structural.standing == ("04",)


def test_an_unknown_standing_code_is_refused(tmp_path):
    data = yaml.safe_load(default_config_path("risk_types.yaml").read_text("utf-8"))
    data["structural"]["standing"] = ["4"]
    p = tmp_path / "risk_types.yaml"
    p.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    with pytest.raises(ConfigError, match="structural.standing"):
        load_risk_types(p)
