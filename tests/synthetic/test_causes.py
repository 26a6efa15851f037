"""The true causes: the oracle's year replayed with one mechanism switched off.

Its worlds are its own on purpose: one per switched-off mechanism (the
simulator is what it tests; the other tests share tests/worlds.py)."""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import pandas as pd
import pytest

from fanpin.config import load_risk_types
from fanpin.synthetic import SimulationParams, simulate, step
from fanpin.synthetic._causes import MAIN_CAUSE_SHARE, MECHANISM_CODES, share_column
from fanpin.synthetic._geography import make_geography
from fanpin.synthetic._household import initial_state
from fanpin.synthetic._mechanisms import MECHANISMS
from fanpin.synthetic._replay import RecordingGenerator, ReplayGenerator
from fanpin.synthetic._simulate import _line_table
from fanpin.synthetic._state import StepContext, repeat_state, take_state

FAST = SimulationParams(oracle_draws=32)


@pytest.fixture(scope="module")
def worlds():
    out = {
        mode: simulate(1500, years=range(2021, 2024), seed=4,
                       params=replace(FAST, cause_replay=mode))  # fmt: skip
        for mode in ("hardship", "all", "none")
    }
    return out


def _state_and_ctx(n=400, seed=0):
    from fanpin.config import load_monitoring_lines

    p = SimulationParams()
    rng = np.random.default_rng(seed)
    geo = make_geography(n, rng, p)
    ctx = StepContext(
        params=p,
        county_hazard=geo.county_hazard,
        county_type_cum=np.cumsum(geo.county_type_probs, axis=1)[:, :4],
        line_table=_line_table(load_monitoring_lines(), geo.provinces, [2021, 2022], p),
    )
    state = initial_state(n, rng, p, geo)
    for y in (2019, 2020, 2021):
        state = step(state, rng, y, ctx)
    return state, ctx


def test_a_replay_with_nothing_off_gives_back_the_year():
    state, ctx = _state_and_ctx()
    from fanpin.synthetic._state import CARRIED

    rep = repeat_state({k: v for k, v in state.items() if k in CARRIED}, 8)
    rec = RecordingGenerator(np.random.default_rng(1))
    year = step(rep, rec, 2022, ctx, outcome_only=True)
    rows = np.arange(len(rep["prov"]))
    again = step(rep, ReplayGenerator(rec.draws, rows), 2022, ctx, outcome_only=True)
    for k, v in year.items():
        np.testing.assert_array_equal(again[k], v, err_msg=k)
    # a subset of rows (the hardship draws, in another order) gives their values
    sub = np.flatnonzero(year["hardship"])[::-1]
    part = step(take_state(rep, sub), ReplayGenerator(rec.draws, sub), 2022, ctx,
                outcome_only=True)  # fmt: skip
    for k in ("hardship", "income_wage", "medical_cost_oop", "disaster_loss"):
        np.testing.assert_array_equal(part[k], year[k][sub], err_msg=k)


def test_truth_holds_each_mechanisms_share_and_the_main_cause(worlds):
    truth = worlds["hardship"].truth
    cols = [share_column(m) for m in MECHANISMS]
    assert list(truth.columns) == ["household_id", "year", "p_next", *cols,
                                   "main_cause"]  # fmt: skip
    zero = truth["p_next"] == 0
    assert truth.loc[zero, cols].isna().all().all()
    assert truth.loc[zero, "main_cause"].isna().all()
    shares = truth.loc[~zero, cols]
    assert shares.notna().all().all()
    assert ((shares >= 0) & (shares <= 1)).all().all()
    codes = set(load_risk_types().types)
    assert set(truth["main_cause"].dropna()) <= codes
    # the rule: the largest share when at least a quarter, else 99
    top = shares.max(axis=1)
    main = truth.loc[~zero, "main_cause"]
    assert (main[top < MAIN_CAUSE_SHARE] == "99").all()
    big = top >= MAIN_CAUSE_SHARE
    best = shares[big].idxmax(axis=1).str.removeprefix("share_").map(MECHANISM_CODES)
    sub = {"09": {"09", "H_dropout"}, "H_housing": {"H_housing", "H_water"}}
    for b, m in zip(best, main[big], strict=True):
        assert m in sub.get(b, {b})


def test_the_cheap_replay_agrees_with_the_full_one(worlds):
    h, a, none = (worlds[k].truth for k in ("hardship", "all", "none"))
    pd.testing.assert_series_equal(h["p_next"], none["p_next"])
    pd.testing.assert_frame_equal(worlds["hardship"].panel, worlds["none"].panel)
    assert list(none.columns) == ["household_id", "year", "p_next"]
    agree = (h["main_cause"].fillna("-") == a["main_cause"].fillna("-")).mean()
    assert agree >= 0.995
    for m in MECHANISMS:
        diff = (h[share_column(m)] - a[share_column(m)]).abs().fillna(0)
        assert (diff > 1e-9).mean() < 0.02, m


def test_ill_households_are_at_risk_through_illness(worlds):
    sim = worlds["hardship"]
    df = sim.panel.merge(sim.truth, on=["household_id", "year"])
    df = df[df["p_next"] >= 0.1]
    ill = df["serious_ill_count"] > 0
    well = (df["serious_ill_count"] + df["chronic_ill_count"]) == 0
    assert df.loc[ill, "share_illness"].mean() > 0.3
    assert df.loc[well, "share_illness"].mean() < df.loc[ill, "share_illness"].mean()
    assert (df.loc[ill, "main_cause"] == "01").mean() > 0.4


def test_unknown_cause_replay_is_refused():
    from fanpin.exceptions import ConfigError

    with pytest.raises(ConfigError, match="cause_replay"):
        SimulationParams(cause_replay="some")
