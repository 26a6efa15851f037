"""fanpin.models.use_predictor: pylignum (the fast-predict extra) gives LightGBM's
raw scores bit for bit; without it, a clear error naming the extra."""

from __future__ import annotations

import pickle
import sys

import lightgbm as lgb
import numpy as np
import pandas as pd
import pytest

from fanpin.exceptions import ConfigError, MissingDependencyError
from fanpin.models import (
    LogisticRiskModel,
    RiskModel,
    train_risk_model,
    use_predictor,
)
from fanpin.models._predictor import LignumRawScore


def _thresholds(booster: lgb.Booster) -> dict[int, np.ndarray]:
    """Split thresholds of every tree, by feature."""
    found: dict[int, list[float]] = {}

    def walk(node):
        if "split_feature" in node:
            found.setdefault(node["split_feature"], []).append(node["threshold"])
            walk(node["left_child"])
            walk(node["right_child"])

    for tree in booster.dump_model()["tree_info"]:
        walk(tree["tree_structure"])
    return {j: np.asarray(t, dtype="float64") for j, t in found.items()}


def _hard_rows(model: RiskModel, rng, n: int) -> np.ndarray:
    """Rows built to find a difference: values exactly at split thresholds and
    one ulp either side, NaN, +-0, huge and subnormal numbers."""
    p = model.n_features_in_
    X = rng.normal(size=(n, p)) * rng.choice([1e-3, 1.0, 1e6], size=p)
    third = n // 3
    for j, ts in _thresholds(model.booster_).items():
        at = ts[rng.integers(0, len(ts), n)]
        X[:third, j] = at[:third]
        X[third : 2 * third, j] = np.nextafter(at[third : 2 * third], np.inf)
        X[2 * third :, j] = np.nextafter(at[2 * third :], -np.inf)
    special = np.array([np.nan, 0.0, -0.0, 1e300, -1e300, 1e-300, 5e-324])
    mask = rng.random(X.shape) < 0.15
    X[mask] = rng.choice(special, int(mask.sum()))
    return X


@pytest.mark.parametrize(
    "seed, leaves, missing",
    [(0, 4, "nan"), (1, 15, "nan"), (2, 63, "nan"), (3, 15, "zero"), (4, 31, "none")],
)
def test_lignum_raw_score_and_probability_equal_lightgbm(seed, leaves, missing):
    pytest.importorskip("lignum")
    rng = np.random.default_rng(seed)
    n, p = 1_500, 6
    X = rng.normal(size=(n, p)) * rng.choice([1e-3, 1.0, 1e6], size=p)
    X[:, 0] = rng.integers(0, 5, n)  # a discrete column: many exact ties
    if missing == "nan":
        X[rng.random(X.shape) < 0.2] = np.nan
    elif missing == "zero":
        X[rng.random(X.shape) < 0.3] = 0.0
    y = (X[:, 1] + rng.normal(size=n) > 0.8).astype(int)
    years = np.repeat([2021, 2022, 2023], n // 3)
    model = RiskModel(
        n_estimators=60, num_leaves=leaves, min_child_samples=5, random_state=seed
    ).fit(X, y, years=years)
    fast = use_predictor(model, "lignum")
    assert fast.raw_predictor_ is not None and model.raw_predictor_ is None

    T = _hard_rows(model, rng, 6_000)
    for threads in (1, 2):
        a = model.set_params(n_jobs=threads)
        b = fast.set_params(n_jobs=threads)
        raw_a = a._margin(a.booster_, T, a.n_rounds_)
        raw_b = b._margin(b.booster_, T, b.n_rounds_)
        np.testing.assert_array_equal(raw_b, raw_a)
        lgb_raw = model.booster_.predict(T, raw_score=True)
        np.testing.assert_array_equal(raw_b, lgb_raw)
        np.testing.assert_array_equal(b.predict_proba(T), a.predict_proba(T))
    model.set_params(n_jobs=1)


def test_lignum_leaves_infinite_inputs_to_lightgbm():
    """pylignum 0.3.0 sends +inf the other way at a split of threshold +inf
    (LightGBM's split of numbers against NaN); such matrices go to LightGBM."""
    pytest.importorskip("lignum")
    rng = np.random.default_rng(0)
    X = rng.normal(size=(600, 3))
    y = (X[:, 0] > 0.5).astype(int)
    booster = lgb.train(
        {"objective": "binary", "verbose": -1, "min_data_in_leaf": 5},
        lgb.Dataset(X, y), num_boost_round=5,
    )  # fmt: skip
    raw = LignumRawScore(booster.model_to_string())
    T = X[:5].copy()
    assert raw(T, 1) is not None
    T[0, 0] = np.inf
    assert raw(T, 1) is None


def test_pipeline_scores_and_contributions_identical(sim, small_config):
    pytest.importorskip("lignum")
    model = train_risk_model(sim.panel, sim.lines, small_config)
    fast = use_predictor(model, "lignum")
    assert fast is not model and fast.model is not model.model
    assert model.model.raw_predictor_ is None  # the caller's object unchanged
    a, b = model.risk_score(sim.panel), fast.risk_score(sim.panel)
    pd.testing.assert_series_equal(b, a, check_exact=True)
    F = model.features.transform(sim.panel)
    ca, cb = model.contributions(F), fast.contributions(F)
    pd.testing.assert_series_equal(cb.raw_score, ca.raw_score, check_exact=True)
    # back to LightGBM, and idempotent
    assert use_predictor(fast, "lignum") is fast
    back = use_predictor(fast, "lightgbm")
    assert back.model.raw_predictor_ is None
    assert use_predictor(model, "lightgbm") is model


def test_lignum_model_pickles_as_model_text(sim, small_config):
    """Dask sends the model to its workers by pickle: the predictor travels as
    the model text and loads again there."""
    pytest.importorskip("lignum")
    fast = use_predictor(train_risk_model(sim.panel, sim.lines, small_config), "lignum")
    again = pickle.loads(pickle.dumps(fast))
    assert isinstance(again.model.raw_predictor_, LignumRawScore)
    assert again.model.raw_predictor_._model is None
    pd.testing.assert_series_equal(
        again.risk_score(sim.panel), fast.risk_score(sim.panel), check_exact=True
    )


def test_refit_drops_the_former_trees_predictor():
    pytest.importorskip("lignum")
    rng = np.random.default_rng(1)
    X = rng.normal(size=(900, 3))
    y = (X[:, 0] + rng.normal(size=900) > 1).astype(int)
    years = np.repeat([2021, 2022, 2023], 300)
    fast = use_predictor(RiskModel(n_estimators=20).fit(X, y, years=years), "lignum")
    fast.set_params(num_leaves=4).fit(X, y, years=years)
    assert fast.raw_predictor_ is None
    np.testing.assert_array_equal(
        fast._margin(fast.booster_, X, fast.n_rounds_),
        fast.booster_.predict(X, raw_score=True, num_iteration=fast.n_rounds_),
    )


def test_models_without_booster_predict_as_they_are():
    rng = np.random.default_rng(2)
    X = pd.DataFrame(rng.normal(size=(300, 2)), columns=["a__x", "b__y"])
    y = (X["a__x"] > 0.5).astype(int).to_numpy()
    logistic = LogisticRiskModel().fit(X, y)
    assert use_predictor(logistic, "lightgbm") is logistic
    unfitted = RiskModel()
    assert use_predictor(unfitted, "lightgbm") is unfitted


def test_lignum_missing_names_the_extra(monkeypatch):
    rng = np.random.default_rng(3)
    X = rng.normal(size=(600, 2))
    y = (X[:, 0] > 0.5).astype(int)
    model = RiskModel(n_estimators=5, calibration="none", early_stopping_rounds=None)
    model.fit(X, y)
    monkeypatch.setitem(sys.modules, "lignum", None)
    with pytest.raises(MissingDependencyError, match=r"fanpin\[fast-predict\]"):
        use_predictor(model, "lignum")


def test_unknown_predictor_is_a_config_error():
    with pytest.raises(ConfigError, match="lightgbm, lignum"):
        use_predictor(RiskModel(), "treelite")
