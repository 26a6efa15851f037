from __future__ import annotations

import pytest

from fanpin.config import ModelConfig
from fanpin.synthetic import simulate


@pytest.fixture(scope="session")
def sim():
    return simulate(500, years=range(2021, 2025), seed=0, n_jobs=1)


@pytest.fixture(scope="session")
def small_config():
    return ModelConfig(booster={"n_estimators": 15, "min_child_samples": 20}, seed=0)
