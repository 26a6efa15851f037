"""The alert list: capacity per township, deadlines, columns for the case store."""

from __future__ import annotations

from datetime import datetime
from functools import lru_cache

import pandas as pd
import pytest

from fanpin.config import AlertsConfig, load_alerts_config
from fanpin.exceptions import ConfigError
from fanpin.workflow import ALERT_COLUMNS, CaseStore, run_alerts
from tests.explain.support import small_panel, small_pipe

AS_OF = pd.Timestamp("2025-01-15")


@lru_cache(maxsize=4)
def _run(capacity=None, deadline_days=15):
    cfg = AlertsConfig(deadline_days=deadline_days, capacity=30)
    return run_alerts(small_pipe(), small_panel(), as_of=AS_OF, config=cfg,
                      capacity=capacity)  # fmt: skip


def _town(df):
    return df["county"].astype(str) + "/" + df["township"].astype(str)


def test_capacity_respected_per_township_highest_risk_first():
    run = _run(capacity=2)
    alerts, scored = run.alerts, run.scored
    # capacity limits the model's households only (模型新增)
    added = alerts[alerts["listed_by"] == "模型新增"]
    assert (_town(added).value_counts() <= 2).all()
    model = scored[scored["alerted"] & ~scored["rule_hit"]]
    for _, part in model.groupby(_town(model)):
        listed = part[part["listed"]]
        cut = part[part["over_capacity"]]
        assert len(listed) == min(2, len(part))
        if len(cut):
            assert listed["risk_score"].min() >= cut["risk_score"].max()
    # every rule hit is listed, whatever its score and the capacity
    assert scored.loc[scored["rule_hit"], "listed"].all()
    assert (scored["rule_hit"] | scored["listed"] | scored["over_capacity"]).sum() == (
        (scored["alerted"] | scored["rule_hit"]).sum()
    )
    assert not (scored["listed"] & scored["over_capacity"]).any()
    # every household accounted for: scored, monitored or urgent (紧急)
    latest = small_panel()[small_panel()["year"] == 2024]
    assert len(scored) + len(run.monitored) + run.counts["urgent"] == len(latest)
    assert set(alerts.loc[alerts["listed_by"] != "紧急", "household_id"]) == set(
        scored.loc[scored["listed"], "household_id"]
    )


def test_ranks_within_township_follow_risk():
    alerts = _run().alerts
    for _, part in alerts.groupby(_town(alerts)):
        assert part["rank"].is_monotonic_increasing and part["rank"].is_unique
        urgent = (part["risk_level"] == "紧急").to_numpy()
        # the urgent households first (ranks 1, 2, ...), then by risk
        assert part["rank"].iloc[: urgent.sum()].tolist() == list(
            range(1, urgent.sum() + 1)
        )
        assert not urgent[urgent.sum():].any()
        assert part.loc[~urgent, "risk_score"].is_monotonic_decreasing


def test_alerted_means_level_at_least_min_level():
    run = _run()
    s = run.scored
    assert set(s.loc[s["alerted"], "risk_level"]) <= {"高", "中"}
    assert (s.loc[s["risk_level"].isin(["高", "中"]), "alerted"]).all()


@pytest.mark.parametrize("days", [15, 20])
def test_deadline_is_discovery_plus_days(days):
    alerts = _run(deadline_days=days).alerts
    assert (alerts["discovered"] == AS_OF).all()
    urgent = alerts["risk_level"] == "紧急"
    given = alerts["deadline"] - alerts["discovered"]
    assert (given[~urgent] == pd.Timedelta(days=days)).all()
    # 紧急 cases have their own short deadline (deadlines.urgent_days, 3)
    assert (given[urgent] == pd.Timedelta(days=3)).all()


def test_alerts_carry_reasons_measures_and_store_columns():
    alerts = _run().alerts
    assert set(ALERT_COLUMNS) <= set(alerts.columns)
    assert alerts["measures"].str.len().gt(0).all()
    assert alerts["departments"].str.len().gt(0).all()
    n_codes = alerts["risk_types"].str.split(";").str.len()
    assert (n_codes <= 5).all()
    store = CaseStore("sqlite://")
    try:
        summary = store.upsert_alerts(alerts, run_at=datetime(2025, 1, 15))
        assert summary.counts()["new"] == len(alerts)
    finally:
        store.close()


def test_alerts_config_defaults_and_errors(tmp_path):
    cfg = load_alerts_config()
    assert cfg.deadline_days == 15 and cfg.capacity_of("任意镇") == cfg.capacity
    p = tmp_path / "alerts.yaml"
    p.write_text("alert: {min_level: 很高}\n", encoding="utf-8")
    with pytest.raises(ConfigError, match="min_level"):
        load_alerts_config(p)
    p.write_text("capacity: {default: 5, townships: {乙镇: 2}}\n", encoding="utf-8")
    cfg = load_alerts_config(p)
    assert (cfg.capacity_of("乙镇"), cfg.capacity_of("丙镇")) == (2, 5)
