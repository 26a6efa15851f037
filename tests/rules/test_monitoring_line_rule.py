"""防返贫监测标准 at its sourced reading (below the province's monitoring line,
income after rigid spending): it is exactly income hardship, so it never fires
on the households the model ranks (not in hardship), and the rule score still
ranks them, by the margin over the line."""

from __future__ import annotations

import numpy as np
import pandas as pd

from fanpin.config import load_rules_config
from fanpin.models import RuleFeatures, RuleRiskModel, rule_priority, rule_weights
from fanpin.rules import RuleBaseline
from fanpin.schema import hardship_reasons, in_hardship, make_labels
from fanpin.synthetic import SimulationParams, simulate

CFG = load_rules_config()


def _sim():
    return simulate(400, years=range(2021, 2025), seed=3, n_jobs=1,
                    params=SimulationParams(oracle_draws=1))  # fmt: skip


def test_the_rule_is_income_hardship_exactly():
    sim = _sim()
    rule = next(r for r in CFG.rules if r.id == "income_near_line")
    assert rule.params == {"multiple": 1.0, "income": "after_rigid"}
    flags = RuleBaseline(lines=sim.lines).flags(sim.panel)
    income = hardship_reasons(sim.panel, sim.lines)["income"].to_numpy()
    assert flags["rule__income_near_line"].to_numpy().tolist() == income.tolist()
    assert income.any() and not income.all()


def test_rule_score_ranks_by_margin_where_the_rule_never_fires():
    sim = _sim()
    panel, lines = sim.panel, sim.lines
    ranked = panel.loc[~in_hardship(panel, lines).to_numpy()]
    s = RuleBaseline(lines=lines).score(ranked)
    assert not s["rule__income_near_line"].any()
    # within equal rule scores the order is the margin's (the lower first)
    for _, group in s.groupby("rule_score"):
        by_rank = group.sort_values("rule_rank")["margin"].to_numpy()
        assert np.all(np.diff(by_rank[np.isfinite(by_rank)]) >= 0)
    assert s["margin"].nunique() > len(s) // 2  # the margin does the ranking
    # the rules candidate of `fanpin train` keeps that order, and learns it
    R = RuleFeatures(lines=lines).fit(panel).transform(ranked)
    key = rule_priority(R, CFG)
    order = np.lexsort((np.arange(len(key)), -key))
    assert (s["rule_rank"].to_numpy()[order] == np.arange(1, len(key) + 1)).all()
    y = make_labels(panel, lines).loc[ranked.index]
    ok = y.notna().to_numpy()
    years = ranked["year"].to_numpy()[ok]
    model = RuleRiskModel(weights=rule_weights(CFG)).fit(
        R.loc[ok], y[ok].to_numpy("int64"), years
    )
    p = model.predict_proba(R.loc[ok])[:, 1]
    assert model.slope_ > 0 and np.unique(p).size > 10
    d = pd.Series(model.decision_function(R.loc[ok]))
    assert d.rank(method="dense").corr(pd.Series(key[ok]).rank(method="dense")) > 0.99
