"""A small simulated panel, a small trained model and its report, built once."""

from __future__ import annotations

import pytest

from fanpin.config import ModelConfig
from fanpin.models import save_model, train_risk_model
from fanpin.synthetic import simulate

PII = {
    "head_name": "欧阳测试",
    "id_number": "110101199003071234",
    "phone": "13912345678",
}


@pytest.fixture(scope="package")
def small():
    sim = simulate(600, years=range(2021, 2025), seed=0)
    model = train_risk_model(
        sim.panel, sim.lines, ModelConfig(booster={"n_estimators": 20}), seed=0
    )
    return sim, model


@pytest.fixture(scope="package")
def model_dir(small, tmp_path_factory):
    return save_model(small[1], tmp_path_factory.mktemp("model"))
