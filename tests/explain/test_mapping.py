"""Feature -> official risk type mapping, read from the YAML config."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
import yaml

from fanpin.config import default_config_path, load_explain_config
from fanpin.exceptions import ConfigError
from fanpin.explain import explain_households, rank_risks, risk_contributions

from .support import small_panel, small_pipe


def _user_config(tmp_path, edit):
    data = yaml.safe_load(default_config_path("risk_types.yaml").read_text("utf-8"))
    edit(data)
    p = tmp_path / "risk_types.yaml"
    p.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    return p


def test_changed_yaml_changes_the_risk_type(tmp_path):
    v = pd.DataFrame({"health__medical_oop": [0.4], "labour__no_labour": [0.1]})
    shipped = risk_contributions(v, load_explain_config())
    assert shipped.loc[0, "01"] == pytest.approx(0.4)

    def edit(d):
        d["domains"]["health"] = "03"

    cfg = load_explain_config(_user_config(tmp_path, edit))
    changed = risk_contributions(v, cfg)
    assert "01" not in changed.columns
    assert changed.loc[0, "03"] == pytest.approx(0.4)

    def override(d):
        d["features"]["labour__no_labour"] = "99"

    cfg = load_explain_config(_user_config(tmp_path, override))
    assert risk_contributions(v, cfg).loc[0, "99"] == pytest.approx(0.1)


def test_unknown_code_in_yaml_is_refused(tmp_path):
    def edit(d):
        d["domains"]["health"] = "011"

    with pytest.raises(ConfigError, match="not in the 'types' section"):
        load_explain_config(_user_config(tmp_path, edit))


@pytest.mark.parametrize(
    ("dtype", "code"),
    [("洪涝", "0201"), ("地震地质", "0202"), ("干旱", "0203"), ("风雹", "0205"),
     ("其他", "0299"), (None, "0299")],
)  # fmt: skip
def test_disaster_sub_item_by_type(dtype, code):
    v = pd.DataFrame({"disaster__loss": [0.3]})
    r = risk_contributions(
        v, load_explain_config(), disaster_type=pd.Series([dtype], dtype="string")
    )
    assert list(r.columns) == [code]


def test_income_split_by_component_that_fell():
    cfg = load_explain_config()
    v = pd.DataFrame({"income__margin_over_line": [0.2, 0.2, 0.2]})
    f = pd.DataFrame(
        {
            "income__wage_change": [-8000.0, -100.0, 500.0],
            "income__business_change": [-1000.0, -3000.0, 0.0],
        }
    )
    r = risk_contributions(v, cfg, features=f).fillna(0.0)
    assert r.loc[0, "07"] == pytest.approx(0.2)
    assert r.loc[1, "06"] == pytest.approx(0.2)
    assert r.loc[2, "99"] == pytest.approx(0.2)


def test_risk_rows_sum_to_total_contribution():
    pipe = small_pipe()
    panel = small_panel()
    X = pipe.features.transform(panel)
    from fanpin.explain import shap_values

    rows = panel.index[panel["year"] == 2024][:300]
    sv = shap_values(pipe, X.loc[rows])
    r = risk_contributions(
        sv.values,
        load_explain_config(),
        disaster_type=panel.loc[rows, "disaster_type"],
        features=X.loc[rows],
    )
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


def test_explain_households_lists_configured_risks():
    pipe, panel = small_pipe(), small_panel()
    ex = explain_households(pipe, panel)
    assert len(ex) == int((panel["year"] == 2024).sum())
    known = set(load_explain_config().risk_types)
    for codes, reasons in zip(ex["risk_types"], ex["reasons"], strict=True):
        got = [c for c in codes.split(";") if c]
        assert len(got) <= 5 and set(got) <= known
        assert len([s for s in reasons.split("；") if s]) == len(got)
