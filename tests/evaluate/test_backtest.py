"""The rolled backtest is temporal: no model sees its test year."""

from __future__ import annotations

import numpy as np
import pytest

from fanpin.config import ModelConfig
from fanpin.evaluate import _backtest, backtest
from fanpin.exceptions import InputError
from fanpin.synthetic import simulate


@pytest.fixture(scope="module")
def sim():
    return simulate(500, years=range(2021, 2025), seed=2, n_jobs=1)


def test_backtest_is_temporal_and_complete(sim, monkeypatch):
    seen = []
    real = _backtest.RiskModel.fit

    def spy(self, X, y, years=None):
        seen.append(np.unique(years).tolist())
        return real(self, X, y, years=years)

    monkeypatch.setattr(_backtest.RiskModel, "fit", spy)
    cfg = ModelConfig(booster={"n_estimators": 10, "min_child_samples": 20})
    res = backtest(sim.panel, sim.lines, truth=sim.truth, config=cfg)
    assert res.folds["test_year"].tolist() == [2022, 2023]
    for fold, years in zip(res.folds.itertuples(), seen, strict=True):
        assert max(years) < fold.test_year  # the fit (and its calibration) never sees t
        assert fold.train_years == years
    v = res.folds["validation_year"].dropna()
    assert (v < res.folds.loc[v.index, "test_year"]).all()
    assert set(res.metrics["ranker"]) == {"model", "logistic", "rules", "oracle"}
    s = res.summary()
    assert s.set_index("ranker").loc["oracle", "capture/oracle"] == 1.0
    assert {"province", "household_type", "ethnic_minority"} <= set(
        res.groups["column"]
    )
    assert any(res.capacity["list"].str.contains("per county"))


def test_backtest_needs_two_years(sim):
    one = sim.panel[sim.panel["year"] <= 2022]
    with pytest.raises(InputError, match="consecutive years"):
        backtest(one, sim.lines, config=ModelConfig(booster={"n_estimators": 5}))
