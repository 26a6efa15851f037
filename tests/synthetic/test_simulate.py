"""Tests of the synthetic household simulator.

These tests simulate their own worlds on purpose (seeds, sizes, years and
parameters are what they vary); the other tests share one (tests/worlds.py)."""

from __future__ import annotations

import hashlib
import io
from dataclasses import replace
from datetime import date

import numpy as np
import pandas as pd
import pytest
from sklearn.metrics import roc_auc_score

from fanpin.config import MonitoringLines
from fanpin.exceptions import ConfigError
from fanpin.schema import (
    COLUMNS,
    EVENT_COLUMNS,
    EVENT_SOURCES,
    EVENT_TYPES,
    in_hardship,
    make_labels,
    per_capita_income,
    per_capita_income_after_rigid,
)
from fanpin.synthetic import SimulationParams, calibration_table, simulate

FAST = SimulationParams(oracle_draws=16)


@pytest.fixture(scope="module")
def small():
    return simulate(2000, seed=3, params=FAST)


@pytest.fixture(scope="module")
def medium():
    """20k households, default oracle draws, three years (two with a truth)."""
    return simulate(20_000, years=range(2021, 2024), seed=0)


def _hash(df: pd.DataFrame) -> str:
    buf = io.BytesIO()
    df.to_parquet(buf, index=False)
    return hashlib.sha256(buf.getvalue()).hexdigest()


def test_same_seed_same_bytes():
    a = simulate(600, years=range(2021, 2024), seed=7, params=FAST)
    b = simulate(600, years=range(2021, 2024), seed=7, params=FAST)
    for name in ("panel", "truth", "events"):
        assert _hash(getattr(a, name)) == _hash(getattr(b, name))
    c = simulate(600, years=range(2021, 2024), seed=8, params=FAST)
    assert _hash(a.panel) != _hash(c.panel)


def test_oracle_does_not_depend_on_threads():
    a = simulate(
        300,
        years=range(2021, 2023),
        seed=1,
        params=replace(FAST, oracle_chunk=1024),
        n_jobs=1,
    )
    b = simulate(
        300,
        years=range(2021, 2023),
        seed=1,
        params=replace(FAST, oracle_chunk=1024),
        n_jobs=2,
    )
    pd.testing.assert_frame_equal(a.truth, b.truth)


def test_panel_has_every_contract_column_with_its_dtype(small):
    panel = small.panel
    assert list(panel.columns) == [c.name for c in COLUMNS]
    for c in COLUMNS:
        assert str(panel[c.name].dtype) == str(pd.Series([], dtype=c.dtype).dtype), (
            c.name
        )
        if c.required:
            assert panel[c.name].notna().all(), c.name
    assert isinstance(panel.index, pd.RangeIndex)
    assert not panel.duplicated(["household_id", "year"]).any()
    assert set(panel["year"]) == set(range(2021, 2026))
    # optional columns are filled (monitor_category is empty when not monitored)
    for c in COLUMNS:
        if c.name != "monitor_category":
            assert panel[c.name].notna().all(), c.name


def test_contract_ranges_hold(small):
    p = small.panel
    size = p["household_size"]
    assert (size >= 1).all()
    for col in (
        "labor_count",
        "chronic_ill_count",
        "serious_ill_count",
        "disabled_count",
        "elderly_count",
        "children_count",
        "students_compulsory",
        "students_higher",
        "dropout_count",
    ):
        assert (p[col] >= 0).all() and (p[col] <= size).all(), col
    assert (p["severe_disabled_count"] <= p["disabled_count"]).all()
    assert (p["migrant_workers"] <= p["labor_count"]).all()
    assert (p["medical_cost_oop"] >= 0).all()
    assert (p["medical_cost_oop"] <= p["medical_cost_total"]).all()
    for col in (
        "disaster_loss",
        "income_wage",
        "income_transfer",
        "income_property",
        "education_cost",
        "microcredit_balance",
        "cultivated_land",
    ):
        assert (p[col] >= 0).all(), col
    assert (p["income_business"] < 0).any()  # failed projects exist
    assert p["head_age"].between(16, 110).all()
    for c in COLUMNS:
        if c.values:
            assert set(p[c.name].dropna()) <= set(c.values), c.name
    assert {"湖北省", "云南省", "贵州省", "甘肃省", "河南省"} <= set(p["province"])
    # nesting: a village lies in one township, a township in one county
    assert (p.groupby("village")["township"].nunique() == 1).all()
    assert (p.groupby("township")["county"].nunique() == 1).all()
    # a disaster loss comes with a disaster type and vice versa
    hit = p["disaster_loss"] > 0
    assert (p.loc[hit, "disaster_type"] != "无").all()


def test_household_type_stable_and_ids_strings(small):
    p = small.panel
    assert p.groupby("household_id")["household_type"].nunique().max() == 1
    assert p["household_id"].str.len().eq(8).all()


def test_truth_covers_every_household_year_with_a_next_year(small):
    t = small.truth
    assert list(t.columns)[:3] == ["household_id", "year", "p_next"]
    assert "main_cause" in t  # the true causes (tests/synthetic/test_causes.py)
    assert len(t) == 2000 * 4
    assert set(t["year"]) == {2021, 2022, 2023, 2024}
    assert t["p_next"].between(0, 1).all()


def test_events_follow_the_contract(small):
    ev, p = small.events, small.panel
    assert list(ev.columns) == [c.name for c in EVENT_COLUMNS]
    for c in EVENT_COLUMNS:
        assert str(ev[c.name].dtype) == str(pd.Series([], dtype=c.dtype).dtype), c.name
    assert set(ev["household_id"]) <= set(p["household_id"])
    assert set(ev["source"]) <= set(EVENT_SOURCES)
    assert set(ev["event_type"]) <= set(EVENT_TYPES)
    assert ev["date"].dt.year.between(2021, 2025).all()
    assert (ev["amount"].dropna() >= 0).all()
    assert {"住院自付", "新增残疾", "灾害损失", "失业返乡", "新增低保"} <= set(
        ev["event_type"]
    )


def test_events_match_the_panel_year(small):
    ev = small.events.assign(year=small.events["date"].dt.year)
    p = small.panel.set_index(["household_id", "year"])
    dis = ev[ev["event_type"] == "灾害损失"]
    loss = p.loc[
        list(zip(dis["household_id"], dis["year"], strict=False)), "disaster_loss"
    ].to_numpy()
    np.testing.assert_allclose(dis["amount"].to_numpy(), loss)
    drop = ev[ev["event_type"] == "辍学"]
    assert (
        p.loc[
            list(zip(drop["household_id"], drop["year"], strict=False)), "dropout_count"
        ]
        > 0
    ).all()


def test_uses_given_lines(small):
    own = MonitoringLines(default=dict.fromkeys(range(2021, 2026), 9000))
    res = simulate(400, years=range(2021, 2023), seed=0, lines=own, params=FAST)
    assert res.lines is own
    share_own = in_hardship(res.panel, own).mean()
    share_default = in_hardship(small.panel, small.lines).mean()
    assert share_own > share_default


def test_bad_arguments():
    with pytest.raises(ConfigError, match="consecutive years"):
        simulate(10, years=[2021, 2023], params=FAST)
    with pytest.raises(ConfigError, match="n_households"):
        simulate(0, params=FAST)
    with pytest.raises(ConfigError, match="oracle_draws"):
        SimulationParams(oracle_draws=0)
    with pytest.raises(ConfigError, match="have no value for year"):
        simulate(10, years=range(2050, 2052), params=FAST)


@pytest.mark.slow
def test_calibrated_to_the_domain_figures(medium):
    p, lines = medium.panel, medium.lines
    lifted = p["household_type"] == "脱贫户"
    for year, target in ((2021, 12550), (2022, 14342)):
        sel = lifted & (p["year"] == year)
        income = (per_capita_income(p[sel]) * p.loc[sel, "household_size"]).sum()
        pc = income / p.loc[sel, "household_size"].sum()
        assert abs(pc / target - 1) < 0.1, (year, pc)
    money = p[["income_wage", "income_business", "income_property", "income_transfer"]]
    assert p.loc[lifted, "income_wage"].sum() / money[lifted].sum().sum() > 2 / 3
    assert 3.0 < p["household_size"].mean() < 3.6
    hardship = in_hardship(p, lines)
    assert 0.01 < hardship.mean() < 0.07
    labels = make_labels(p, lines).dropna().astype(int)
    assert 0.01 <= labels.mean() <= 0.04
    cats = p["monitor_category"].dropna().value_counts(normalize=True)
    for cat, share in (
        ("脱贫不稳定户", 0.31),
        ("边缘易致贫户", 0.30),
        ("突发严重困难户", 0.40),
    ):
        assert abs(cats[cat] - share) < 0.12, (cat, cats[cat])
    table = calibration_table(medium)
    assert list(table.columns) == ["target", "source", "target_value", "simulated"]
    assert len(table) >= 10


@pytest.mark.slow
def test_oracle_beats_current_income(medium):
    p, lines = medium.panel, medium.lines
    labels = make_labels(p, lines)
    has = labels.notna().to_numpy()
    rows = p.loc[has, ["household_id", "year"]].assign(
        y=labels[has].astype(int).to_numpy()
    )
    merged = rows.merge(medium.truth, on=["household_id", "year"], how="left")
    assert merged["p_next"].notna().all()
    auc_oracle = roc_auc_score(merged["y"], merged["p_next"])
    auc_income = roc_auc_score(rows["y"], -per_capita_income_after_rigid(p[has]))
    assert 0.80 <= auc_oracle <= 0.92
    assert auc_income < auc_oracle - 0.04
    # calibration of the truth: mean risk close to the realised fall rate
    assert abs(merged["p_next"].mean() - merged["y"].mean()) < 0.006


def test_pushes_are_the_next_years_events_and_change_nothing_else():
    base = simulate(300, years=range(2021, 2024), seed=5, params=FAST, n_jobs=1)
    res = simulate(300, years=range(2021, 2024), seed=5, params=FAST, n_jobs=1,
                   pushes_until=date(2024, 6, 30))  # fmt: skip
    for name in ("panel", "truth", "events"):
        pd.testing.assert_frame_equal(getattr(res, name), getattr(base, name))
    assert len(base.pushes) == 0 and list(base.pushes) == list(res.pushes)
    # the same as the 2024 events of a run one year longer, up to the date
    longer = simulate(300, years=range(2021, 2025), seed=5, params=FAST, n_jobs=1)
    ev = longer.events
    want = ev[(ev["date"].dt.year == 2024) & (ev["date"] <= "2024-06-30")]
    assert len(want) > 0
    pd.testing.assert_frame_equal(res.pushes, want.reset_index(drop=True))
    assert res.pushes_until == date(2024, 6, 30)


def test_pushes_beyond_the_lines_carry_the_last_line_forward():
    lines = MonitoringLines(default={2021: 6000, 2022: 6600})
    res = simulate(200, years=range(2021, 2023), seed=1, params=FAST, n_jobs=1,
                   lines=lines, pushes_until=date(2023, 3, 31))  # fmt: skip
    assert res.pushes["date"].between("2023-01-01", "2023-03-31").all()
    with pytest.raises(ConfigError, match="2023"):
        simulate(50, years=range(2021, 2023), params=FAST, lines=lines,
                 pushes_until=date(2024, 1, 31))  # fmt: skip


def test_independent_oracle_check_leaves_the_panel_and_p_next_unchanged():
    plain = simulate(400, years=range(2022, 2024), seed=5, params=FAST)
    check = simulate(
        400,
        years=range(2022, 2024),
        seed=5,
        params=replace(FAST, oracle_check_draws=FAST.oracle_draws),
    )
    pd.testing.assert_frame_equal(check.panel, plain.panel)
    pd.testing.assert_series_equal(check.truth["p_next"], plain.truth["p_next"])
    assert "p_next_check" not in plain.truth
    a, b = check.truth["p_next"].to_numpy(), check.truth["p_next_check"].to_numpy()
    assert not np.array_equal(a, b)  # other draws
    # two estimates of one probability: same mean within Monte Carlo error
    se = np.sqrt(np.mean(a * (1 - a)) / (FAST.oracle_draws * len(a)))
    assert abs(a.mean() - b.mean()) < 6 * se + 1e-9
    assert np.corrcoef(a, b)[0, 1] > 0.5
