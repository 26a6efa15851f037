"""What-if: the risk after the suggested measure, by scoring a modified record."""

from __future__ import annotations

import numpy as np
import pandas as pd

from fanpin.config import AlertsConfig
from fanpin.workflow import apply_measure, run_alerts, what_if
from tests.explain.support import small_panel, small_pipe


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


def test_health_aid_lowers_the_risk_of_targeted_households():
    pipe, panel = small_pipe(), small_panel()
    cfg = AlertsConfig(min_score=0.0, capacity=10_000,
                       what_if={"健康帮扶": {"medical_aid_share": 0.9}})  # fmt: skip
    run = run_alerts(pipe, panel, as_of="2025-01-15", config=cfg)
    a = run.alerts
    health = a["what_if"].str.startswith("若落实健康帮扶")
    assert health.sum() >= 10
    before = a.loc[health, "risk_score"].to_numpy()
    after = a.loc[health, "risk_after"].to_numpy()
    assert after.mean() < before.mean()
    assert (after < before).mean() > 0.5
    # the sentence quotes the two numbers
    i = np.flatnonzero(health.to_numpy() & (a["risk_after"] < a["risk_score"] - 0.01))[
        0
    ]
    assert a["what_if"].iloc[i] == (
        f"若落实健康帮扶,风险由 {a['risk_score'].iloc[i]:.2f} 降至 "
        f"{a['risk_after'].iloc[i]:.2f}"
    )


def test_what_if_scores_the_modified_record_only():
    pipe, panel = small_pipe(), small_panel()
    row = panel.index[(panel["year"] == 2024) & (panel["medical_cost_oop"] > 2000)][0]
    p0 = float(pipe.risk_score(panel).loc[row])
    alerts = pd.DataFrame({"measures": ["健康帮扶"], "risk_score": [p0]})
    cfg = AlertsConfig(what_if={"健康帮扶": {"medical_aid_share": 1.0}})
    out = what_if(pipe, panel, alerts, pd.Index([row]), config=cfg)
    mod = panel.copy()
    mod.at[row, "medical_cost_oop"] = 0.0
    assert out["risk_after"].iloc[0] == float(pipe.risk_score(mod).loc[row])
    assert out["what_if_measure"].iloc[0] == "健康帮扶"
