"""What-if: the risk after each suggested measure, by scoring a modified record."""

from __future__ import annotations

import numpy as np
import pandas as pd

from fanpin.config import WHAT_IF_MEASURES, AlertsConfig, load_risk_types
from fanpin.workflow import (
    _whatif,
    apply_measure,
    load_assistance_map,
    run_alerts,
    what_if,
)
from tests.explain.support import small_panel, small_pipe


def _amap():
    return load_assistance_map(risk_types=load_risk_types())


def test_measures_change_the_record():
    df = pd.DataFrame({"medical_cost_oop": [10000.0], "income_wage": [5000.0],
                       "income_transfer": [0.0], "household_size": [3],
                       "income_business": [100.0]})  # fmt: skip
    m = df.copy()
    assert apply_measure(m, 0, "健康帮扶", {"medical_aid_share": 0.4}, {})
    assert m.at[0, "medical_cost_oop"] == 6000.0
    assert apply_measure(m, 0, "综合保障", {"transfer_per_person": 1000}, {})
    assert m.at[0, "income_transfer"] == 3000.0
    assert not apply_measure(m, 0, "就业帮扶", {}, {"income_wage": 4000.0})
    assert apply_measure(m, 0, "就业帮扶", {}, {"income_wage": 9000.0})
    assert m.at[0, "income_wage"] == 9000.0


def test_every_configurable_measure_has_one_rule():
    """alerts.yaml accepts exactly the measures the rule table applies."""
    assert list(_whatif.RULES) == list(WHAT_IF_MEASURES)


def test_only_measures_that_lower_the_risk_are_shown_largest_drop_first():
    pipe, panel = small_pipe(), small_panel()
    cfg = AlertsConfig(min_score=0.0, capacity=10_000,
                       what_if={"健康帮扶": {"medical_aid_share": 0.9},
                                "综合保障": {"transfer_per_person": 3600},
                                "公益岗位帮扶": {"wage": 6000}})  # fmt: skip
    run = run_alerts(pipe, panel, as_of="2025-01-15", config=cfg)
    a = run.alerts
    amap = _amap()
    min_drop = amap.config.what_if_min_drop
    shown = 0
    for _, r in a.iterrows():
        text = str(r["what_if"])
        assert "变为" not in text and "仍为" not in text
        sentences = [s for s in text.split("；") if s.startswith("若落实")]
        afters = []
        for s in sentences:
            before, after = (float(x) for x in s.split("风险由 ")[1].split(" 降至 "))
            assert before - after >= min_drop - 0.005  # rounded to 2 decimals
            afters.append(after)
        assert afters == sorted(afters)
        if sentences:
            shown += 1
            # the measure list starts with the measures shown, in that order
            named = [s[len("若落实") : s.index("，")] for s in sentences]
            assert str(r["measures"]).split(";")[: len(named)] == named
            assert r["risk_after"] < r["risk_score"]
        else:
            assert "没有一项能使风险降低" in text
            assert np.isnan(r["risk_after"])
    assert shown >= 10
    # each department once, aligned with its measure
    for ms, ds in zip(a["measures"], a["departments"], strict=True):
        ds = str(ds).split(";")
        assert len(ds) == len(set(ds)) == len(str(ms).split(";"))


def test_what_if_scores_the_modified_record_only():
    pipe, panel = small_pipe(), small_panel()
    row = panel.index[(panel["year"] == 2024) & (panel["medical_cost_oop"] > 2000)][0]
    p0 = float(pipe.risk_score(panel).loc[row])
    alerts = pd.DataFrame(
        {"measures": ["健康帮扶"], "departments": ["医保"], "risk_score": [p0]}
    )
    cfg = AlertsConfig(what_if={"健康帮扶": {"medical_aid_share": 1.0}})
    out = what_if(pipe, panel, alerts, pd.Index([row]), config=cfg, assistance=_amap())
    mod = panel.copy()
    mod.at[row, "medical_cost_oop"] = 0.0
    after = float(pipe.risk_score(mod).loc[row])
    if p0 - after >= 0.01:
        assert out["risk_after"].iloc[0] == after
        assert out["what_if_measure"].iloc[0] == "健康帮扶"
    else:
        assert pd.isna(out["what_if_measure"].iloc[0])


def test_no_measure_below_the_cutoff_is_said_plainly():
    pipe, panel = small_pipe(), small_panel()
    row = panel.index[(panel["year"] == 2024) & (panel["medical_cost_oop"] > 2000)][0]
    alerts = pd.DataFrame(
        {"measures": ["健康帮扶"], "departments": ["医保"], "risk_score": [0.9]}
    )
    cfg = AlertsConfig(what_if={"健康帮扶": {"medical_aid_share": 1.0}})
    out = what_if(pipe, panel, alerts, pd.Index([row]), config=cfg,
                  assistance=_amap(), cutoff=0.0)  # fmt: skip
    assert "不能使风险降至预警线 0.00 以下" in out["what_if"].iloc[0]
