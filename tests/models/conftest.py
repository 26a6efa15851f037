from __future__ import annotations

import pytest

from fanpin.config import ModelConfig

# The panel is the shared world's (``sim``, root conftest); these tests train
# their own models on it, as training is what they test.


@pytest.fixture(scope="session")
def small_config():
    return ModelConfig(booster={"n_estimators": 15, "min_child_samples": 20}, seed=0)
