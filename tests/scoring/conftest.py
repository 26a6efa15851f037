"""A small simulated panel (3 years) and a small trained pipeline, shared."""

from __future__ import annotations

import dataclasses

import pytest

from fanpin.config import load_model_config
from fanpin.models import train_risk_model
from fanpin.synthetic import SimulationParams, simulate


@pytest.fixture(scope="session")
def sim_panel():
    return simulate(
        900, years=range(2022, 2025), seed=3, params=SimulationParams(oracle_draws=1)
    ).panel


@pytest.fixture(scope="session")
def small_model(sim_panel):
    cfg = load_model_config()
    booster = {**cfg.booster, "n_estimators": 40, "min_child_samples": 20}
    cfg = dataclasses.replace(cfg, booster=booster)
    return train_risk_model(sim_panel, config=cfg, seed=0)


@pytest.fixture
def panel_file(sim_panel, tmp_path):
    path = tmp_path / "panel.parquet"
    sim_panel.to_parquet(path, index=False)
    return path
