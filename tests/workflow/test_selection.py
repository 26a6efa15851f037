"""The alert selection: every rule hit is listed, the model adds households up to
the cutoff and each township's capacity, and orders the list."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from fanpin.config import AlertsConfig, MonitoringLines, load_rules_config
from fanpin.exceptions import InputError
from fanpin.rules import RuleBaseline
from fanpin.workflow import (
    LISTED_BY_MODEL,
    LISTED_BY_RULE,
    RULE_ALERT_COLUMNS,
    select_alerts,
    with_rule_reasons,
)
from tests.conftest import make_rows

CFG = AlertsConfig()


def scored_and_hits(scores, hit, towns=None):
    n = len(scores)
    ids = [f"h{i:02d}" for i in range(n)]
    scored = pd.DataFrame({
        "household_id": ids, "county": "甲县",
        "township": towns if towns is not None else ["一镇"] * n,
        "risk_score": scores,
    })  # fmt: skip
    hits = pd.DataFrame({
        "household_id": ids, "rule_hit": hit,
        "rules": ["低保边缘" if h else "" for h in hit],
        "rule_reasons": ["人均纯收入…属低保边缘" if h else "" for h in hit],
    })  # fmt: skip
    return scored, hits


def test_rule_hits_are_listed_whatever_their_score_and_the_capacity():
    scored, hits = scored_and_hits(
        [0.9, 0.8, 0.7, 0.6, 0.05, 0.01], [False, False, True, False, True, True]
    )
    sel = select_alerts(scored, hits, cutoff=0.5, config=CFG, capacity=1)
    t = sel.table
    assert t["listed"].tolist() == [True, False, True, False, True, True]
    assert t["listed_by"].tolist() == [LISTED_BY_MODEL, "", LISTED_BY_RULE, "",
                                       LISTED_BY_RULE, LISTED_BY_RULE]  # fmt: skip
    # model-added households fill the capacity; rule hits do not use it up
    assert t["over_capacity"].tolist() == [False, True, False, True, False, False]
    # the model orders the whole list: rank by risk within the township
    assert t["rank"].tolist() == [1, 2, 3, 4, 5, 6]
    assert sel.totals() == {
        "listed": 4, "rule_hits": 3, "model_added": 1, "rule_hits_above_cutoff": 1,
        "over_capacity": 2,
    }  # fmt: skip
    assert sel.per_rule.to_dict() == {"低保边缘": 3}
    # no capacity at all: still every rule hit
    none = select_alerts(scored, hits, cutoff=0.5, config=CFG, capacity=0)
    assert none.table["listed"].tolist() == [False, False, True, False, True, True]


def test_capacity_is_per_township_and_the_cutoff_bounds_the_model():
    scored, hits = scored_and_hits(
        [0.9, 0.8, 0.7, 0.9, 0.3, 0.2],
        [False, False, False, False, False, True],
        towns=["一镇", "一镇", "一镇", "二镇", "二镇", "二镇"],
    )
    cfg = AlertsConfig(capacity=5, capacity_by_township={"一镇": 2})
    sel = select_alerts(scored, hits, cutoff=0.5, config=cfg)
    assert sel.table["listed"].tolist() == [True, True, False, True, False, True]
    counts = sel.counts.set_index("township")
    assert counts.loc["一镇", ["model_added", "over_capacity"]].tolist() == [2, 1]
    assert counts.loc["二镇", ["rule_hits", "model_added"]].tolist() == [1, 1]
    assert sel.table.loc[sel.table["township"] == "二镇", "rank"].tolist() == [1, 2, 3]


def test_alerted_column_instead_of_a_cutoff():
    scored, hits = scored_and_hits([0.9, 0.8], [False, False])
    scored["alerted"] = [False, True]
    sel = select_alerts(scored, hits, config=CFG)
    assert sel.table["listed"].tolist() == [False, True]


def test_every_scored_household_needs_its_hits_once():
    scored, hits = scored_and_hits([0.9, 0.8], [False, True])
    with pytest.raises(InputError, match="no rule hits"):
        select_alerts(scored, hits.iloc[:1], cutoff=0.5, config=CFG)
    with pytest.raises(InputError, match="more than once"):
        select_alerts(scored, pd.concat([hits, hits]), cutoff=0.5, config=CFG)
    with pytest.raises(InputError, match="lack column"):
        select_alerts(scored, hits.drop(columns=["rules"]), cutoff=0.5, config=CFG)


def test_summary_counts_rule_hits_and_model_added():
    scored, hits = scored_and_hits([0.9, 0.1, 0.05], [False, True, True])
    sel = select_alerts(scored, hits, cutoff=0.5, config=CFG)
    msg = sel.summary()
    assert msg.params["rule_hits"] == 2 and msg.params["model_added"] == 1
    assert "规则命中" in msg and "低保边缘 2" in msg


def test_with_rule_reasons_puts_the_rule_sentences_first():
    scored, hits = scored_and_hits([0.9, 0.1], [False, True])
    sel = select_alerts(scored, hits, cutoff=0.5, config=CFG)
    reasons = ["因病", "因病；人均纯收入…属低保边缘"]
    alerts = pd.DataFrame({"household_id": ["h00", "h01"], "reasons": reasons})
    out = with_rule_reasons(alerts, sel)
    assert set(RULE_ALERT_COLUMNS) <= set(out.columns)
    assert out["reasons"].tolist() == ["因病", "人均纯收入…属低保边缘；因病"]
    assert out["rule_hit"].tolist() == [False, True]
    assert out["listed_by"].tolist() == [LISTED_BY_MODEL, LISTED_BY_RULE]


def test_from_real_rule_hits_on_panel_rows():
    lines = MonitoringLines(default={2023: 7000.0},
                            dibao={"default": {2023: 5000.0}})  # fmt: skip
    panel = make_rows(
        {"household_id": "poor", "income_wage": 20000.0, "income_business": 0.0,
         "income_transfer": 0.0, "dibao": False},
        {"household_id": "rich", "income_wage": 90000.0},
    )  # fmt: skip
    hits = RuleBaseline(config=load_rules_config(), lines=lines).hits(panel)
    scored = panel[["household_id", "county"]].assign(risk_score=[0.01, 0.02])
    sel = select_alerts(scored, hits, cutoff=0.5, config=CFG)
    poor = sel.table.set_index("household_id").loc["poor"]
    assert bool(poor["listed"]) and poor["listed_by"] == LISTED_BY_RULE
    assert "低保边缘" in poor["rules"] and "属低保边缘" in poor["rule_reasons"]
    assert not sel.table.set_index("household_id").loc["rich", "listed"]
    assert sel.notes == hits.notes


@settings(max_examples=60, deadline=None)
@given(
    data=st.lists(
        st.tuples(st.floats(0, 1), st.booleans(), st.sampled_from(["一镇", "二镇"])),
        min_size=1, max_size=30,
    ),
    cutoff=st.floats(0, 1),
    capacity=st.integers(0, 5),
)  # fmt: skip
def test_selection_properties(data, cutoff, capacity):
    scores, hit, towns = (list(x) for x in zip(*data, strict=True))
    scored, hits = scored_and_hits(scores, hit, towns)
    t = select_alerts(scored, hits, cutoff=cutoff, config=CFG, capacity=capacity).table
    hit = np.array(hit)
    assert len(t) == len(scored)
    assert t.loc[hit, "listed"].all()  # never drops a rule hit
    model = t[t["listed_by"] == LISTED_BY_MODEL]
    assert (model["risk_score"] >= cutoff).all() and not model["rule_hit"].any()
    assert (model.groupby("township").size() <= capacity).all()
    # the model adds the highest-risk candidates first
    candidates = t[(t["risk_score"] >= cutoff) & ~t["rule_hit"]]
    for _, part in candidates.groupby("township"):
        added = part[part["listed"]]
        cut = part[~part["listed"]]
        if len(added) and len(cut):
            assert added["risk_score"].min() >= cut["risk_score"].max()
        assert len(cut) == part["over_capacity"].sum()


def test_on_the_current_alert_run_every_listed_household_stays():
    """Hits of the scored records of an alert run, selected: the run's listed
    households are all kept, every rule hit is added."""
    from fanpin.workflow import run_alerts
    from tests.explain.support import small_panel, small_pipe

    pipe, panel = small_pipe(), small_panel()
    cfg = AlertsConfig(capacity=3)
    run = run_alerts(pipe, panel, as_of=pd.Timestamp("2025-01-15"), config=cfg)
    scored = run.scored
    last = panel.groupby(panel["household_id"].astype(str))["year"].idxmax()
    rows = last.loc[scored["household_id"].astype(str)].to_numpy()
    hits = RuleBaseline(config=pipe.rules_, lines=pipe.lines_).hits(panel, rows=rows)
    base = scored.drop(columns=["alerted", "listed", "over_capacity", "rank"])
    sel = select_alerts(base, hits, cutoff=run.cutoff, config=cfg)
    t = sel.table
    assert t["household_id"].tolist() == scored["household_id"].tolist()
    assert t.loc[scored["listed"].to_numpy(), "listed"].all()
    assert t.loc[t["rule_hit"], "listed"].all()
    # the model's order; the run's ranks start after each township's urgent
    # households (紧急, on the alert list only)
    urgent = run.alerts[run.alerts["listed_by"] == "紧急"]
    ahead = urgent.groupby(["county", "township"]).size()
    key = pd.MultiIndex.from_frame(scored[["county", "township"]])
    shift = ahead.reindex(key).fillna(0).to_numpy(dtype="int64")
    assert t["rank"].tolist() == (scored["rank"].to_numpy() - shift).tolist()
    totals = sel.totals()
    assert totals["rule_hits"] == int(hits.table["rule_hit"].sum()) > 0
    assert totals["listed"] == totals["rule_hits"] + totals["model_added"]
    assert (sel.counts["model_added"] <= 3).all()
