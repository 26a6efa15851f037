"""The rolled backtest is temporal: no model sees its test year."""

from __future__ import annotations

import numpy as np
import pytest

from fanpin.config import ModelConfig
from fanpin.evaluate import backtest
from fanpin.exceptions import InputError
from fanpin.features import make_features
from fanpin.models import _risk_model
from fanpin.schema import make_labels


def test_backtest_is_temporal_and_complete(sim, monkeypatch):
    seen, stopped_on = [], []
    real_fit, real_train = _risk_model.RiskModel.fit, _risk_model.RiskModel._train

    def spy_fit(self, X, y, years=None):
        seen.append(np.unique(years).tolist())
        return real_fit(self, X, y, years=years)

    def spy_train(self, X, y, rounds, valid=None):
        if valid is not None:  # the rows early stopping watches
            stopped_on.append(valid[0].copy())
        return real_train(self, X, y, rounds, valid=valid)

    monkeypatch.setattr(_risk_model.RiskModel, "fit", spy_fit)
    monkeypatch.setattr(_risk_model.RiskModel, "_train", spy_train)
    cfg = ModelConfig(booster={"n_estimators": 30, "min_child_samples": 20})
    res = backtest(sim.panel, sim.lines, truth=sim.truth, config=cfg, n_boot=50)
    assert res.folds["test_year"].tolist() == [2022, 2023]
    # two LightGBM candidates per fold (gbdt, gbdt_rules), each early-stopped once
    assert len(seen) == len(stopped_on) == 4
    feats = make_features(lines=sim.lines).fit_transform(sim.panel)
    labelled = make_labels(sim.panel, sim.lines).notna().to_numpy()
    year = sim.panel["year"].to_numpy()
    for i, fold in enumerate(res.folds.itertuples()):
        pairs = zip(seen[2 * i : 2 * i + 2], stopped_on[2 * i : 2 * i + 2], strict=True)
        for years, valid in pairs:
            assert max(years) < fold.test_year  # the fit never sees t
            assert fold.train_years == years
            # early stopping watched the last training year's transitions (with a
            # single training year: a random share of them), never year t's
            last = feats.to_numpy()[labelled & (year == max(years))]
            got = valid[:, : last.shape[1]]
            if len(years) >= 2:
                np.testing.assert_array_equal(got, last)
            else:
                assert {r.tobytes() for r in got} <= {r.tobytes() for r in last}
            test = feats.to_numpy()[labelled & (year == fold.test_year)]
            assert not {r.tobytes() for r in got} & {r.tobytes() for r in test}
    v = res.folds["validation_year"].dropna()
    assert (v < res.folds.loc[v.index, "test_year"]).all()
    assert set(res.metrics["ranker"]) == {
        "model",
        "gbdt",
        "logistic",
        "rules",
        "oracle",
    }
    assert set(res.folds["kind"]) <= {"gbdt", "logistic", "rules", "gbdt_rules"}
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
