"""A small simulated panel and a small trained pipeline, shared by the explain and
alerts tests (built once per test session)."""

from __future__ import annotations

from functools import lru_cache

from fanpin.config import ModelConfig
from fanpin.models import train_risk_model
from fanpin.synthetic import simulate


@lru_cache(maxsize=1)
def small_sim():
    return simulate(600, years=range(2021, 2026), seed=0, n_jobs=1)


@lru_cache(maxsize=1)
def small_panel():
    p = small_sim().panel
    return p[p["year"] <= 2024].reset_index(drop=True)


@lru_cache(maxsize=1)
def small_pipe():
    sim = small_sim()
    cfg = ModelConfig(booster={"n_estimators": 25, "min_child_samples": 20}, seed=0)
    return train_risk_model(small_panel(), sim.lines, cfg, kind="gbdt")


def events_2025():
    ev = small_sim().events
    return ev[ev["date"].dt.year == 2025].reset_index(drop=True)
