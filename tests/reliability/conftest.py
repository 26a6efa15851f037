"""The reliability suite's small model configuration (its world and model are
the shared ones of the root conftest; its CLI tests are in tests/cli)."""

from __future__ import annotations

from fanpin.config import ModelConfig


def small_config() -> ModelConfig:
    return ModelConfig(booster={"n_estimators": 10, "min_child_samples": 20}, seed=0)
