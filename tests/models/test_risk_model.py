"""RiskModel: estimator API, calibration on the validation year only, baseline."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from sklearn.base import clone

from fanpin.models import RiskModel, _risk_model, make_logistic_baseline


def data(n=900, seed=0):
    rng = np.random.default_rng(seed)
    X = pd.DataFrame(rng.normal(size=(n, 3)), columns=["a__x", "b__y", "c__z"])
    X.iloc[::17, 1] = np.nan
    y = (X["a__x"] + rng.normal(size=n) > 1.4).astype(int).to_numpy()
    years = np.repeat([2021, 2022, 2023], n // 3)
    return X, y, years


def test_sklearn_api_and_probabilities():
    X, y, years = data()
    m = RiskModel(n_estimators=10)
    assert clone(m).get_params() == m.get_params()
    m.fit(X, y, years=years)
    assert list(m.classes_) == [0, 1]
    assert list(m.feature_names_in_) == list(X.columns)
    p = m.predict_proba(X)
    assert p.shape == (len(X), 2)
    np.testing.assert_allclose(p.sum(axis=1), 1.0)
    assert ((p >= 0) & (p <= 1)).all()
    assert set(np.unique(m.predict(X))) <= {0, 1}


def test_calibrator_fitted_on_latest_year_booster_on_earlier(monkeypatch):
    X, y, years = data()
    seen = {}
    real = _risk_model.choose_calibrator

    def spy(raw, yv, **kw):
        seen["n"] = len(raw)
        return real(raw, yv, **kw)

    monkeypatch.setattr(_risk_model, "choose_calibrator", spy)
    m = RiskModel(n_estimators=10, refit_full=False).fit(X, y, years=years)
    assert m.validation_["split"] == "year" and m.validation_["year"] == 2023
    assert seen["n"] == (years == 2023).sum() == m.validation_["n_rows"]
    # without refit the booster never saw the validation year: it is the booster
    # fitted on the earlier years alone, stopped at the chosen round
    rounds = m.validation_["early_stopping"]["rounds_chosen"]
    early = RiskModel(
        n_estimators=rounds, calibration="none", early_stopping_rounds=None
    ).fit(X[years < 2023], y[years < 2023])
    np.testing.assert_allclose(
        m.contributions(X).raw_score,
        early.contributions(X).raw_score,
        rtol=0,
        atol=1e-12,
    )
    assert m.calibration_ in ("isotonic", "sigmoid")
    assert set(m.validation_["scores"]) == {"isotonic", "sigmoid"}


def test_fallback_without_years_is_random_split():
    X, y, _ = data()
    m = RiskModel(n_estimators=5, validation_fraction=0.25).fit(X, y)
    assert m.validation_["split"] == "random" and m.train_years_ is None
    assert m.validation_["n_rows"] == int(np.ceil(0.25 * len(y)))


def test_monotone_constraints_are_respected():
    X, y, years = data()
    m = RiskModel(
        n_estimators=30, monotone_constraints={"a__*": -1}, calibration="none"
    )
    m.fit(X, y, years=years)
    assert m.monotone_constraints_ == [-1, 0, 0]
    grid = pd.DataFrame({"a__x": np.linspace(-3, 3, 50), "b__y": 0.0, "c__z": 0.0})
    p = m.predict_proba(grid)[:, 1]
    assert (np.diff(p) <= 1e-12).all()


def test_scale_pos_weight_is_calibrated_back():
    X, y, years = data(3000)
    m = RiskModel(n_estimators=20, imbalance="scale_pos_weight").fit(X, y, years=years)
    raw = 1 / (1 + np.exp(-m.contributions(X).raw_score.to_numpy()))
    raw = raw.mean()
    cal = m.predict_proba(X)[:, 1].mean()
    assert abs(cal - y.mean()) < abs(raw - y.mean())


def test_errors():
    X, y, years = data()
    with pytest.raises(ValueError, match="both outcomes"):
        RiskModel().fit(X, np.zeros(len(y), dtype=int))
    with pytest.raises(ValueError, match="one year per row"):
        RiskModel().fit(X, y, years=years[:5])
    with pytest.raises(ValueError, match="calibration"):
        RiskModel(calibration="bogus").fit(X, y)


def test_logistic_baseline_handles_nan_and_all_missing_column():
    X, y, _ = data()
    X["d__empty"] = np.nan
    p = make_logistic_baseline().fit(X, y).predict_proba(X)[:, 1]
    assert p.shape == (len(X),) and np.isfinite(p).all()
