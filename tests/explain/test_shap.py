"""SHAP values: additivity, agreement of the two methods, domain sums."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from fanpin.exceptions import ModelError
from fanpin.explain import domain_contributions, shap_values
from fanpin.explain._shap import booster_of

from .support import small_panel, small_pipe


@pytest.fixture(scope="module")
def fitted():
    pipe = small_pipe()
    X = pipe.features.transform(small_panel())
    return pipe, X.iloc[:800]


def test_additivity_to_raw_score(fitted):
    pipe, X = fitted
    sv = shap_values(pipe, X)
    recon = sv.base_value + sv.values.sum(axis=1)
    np.testing.assert_allclose(recon, sv.raw_score, atol=1e-6, rtol=0)
    booster = booster_of(pipe)
    raw = booster.predict(X[pipe.feature_names].to_numpy(float), raw_score=True)
    np.testing.assert_allclose(sv.raw_score, raw, atol=1e-12)
    # the raw score is the booster's log-odds of its (uncalibrated) probability
    p = pipe.model.booster_.predict(X[pipe.feature_names].to_numpy(float))
    np.testing.assert_allclose(1 / (1 + np.exp(-sv.raw_score)), p, atol=1e-9)


def test_lightgbm_and_shap_agree(fitted):
    pipe, X = fitted
    a = shap_values(pipe, X, method="lightgbm")
    b = shap_values(pipe, X, method="shap")
    np.testing.assert_allclose(a.values, b.values, atol=1e-6)
    assert a.base_value == pytest.approx(b.base_value, abs=1e-6)


def test_domain_sums_equal_feature_sums(fitted):
    pipe, X = fitted
    sv = shap_values(pipe, X)
    dom = domain_contributions(sv.values)
    for d in dom.columns:
        cols = [c for c in sv.values.columns if c.startswith(f"{d}__")]
        np.testing.assert_allclose(dom[d], sv.values[cols].sum(axis=1), atol=1e-12)
    np.testing.assert_allclose(dom.sum(axis=1), sv.values.sum(axis=1), atol=1e-9)


def test_unknown_model_and_missing_columns(fitted):
    pipe, X = fitted
    with pytest.raises(ModelError, match="Cannot explain"):
        shap_values(object(), X)
    with pytest.raises(ModelError, match="lacks"):
        shap_values(pipe, X.drop(columns=[pipe.feature_names[0]]))
    with pytest.raises(ValueError, match="method"):
        shap_values(pipe, pd.DataFrame(X), method="exact")


def test_woodelf_backend_matches_pred_contrib(fitted):
    pytest.importorskip("woodelf")
    from fanpin.config import load_risk_types
    from fanpin.explain import explain_contributions

    pipe, X = fitted
    a = shap_values(pipe, X, method="lightgbm")
    b = shap_values(pipe, X, method="woodelf")
    np.testing.assert_allclose(a.values, b.values, atol=1e-4, rtol=0)
    assert a.base_value == pytest.approx(b.base_value, abs=1e-4)
    panel = small_panel()
    rt = load_risk_types()
    rows = X.index
    feats = pipe.features.transform(panel)
    ea = explain_contributions(a, panel, rows, risk_types=rt, features=feats)
    eb = explain_contributions(b, panel, rows, risk_types=rt, features=feats)
    top3 = [";".join(s.split(";")[:3]) for s in ea["risk_types"]]
    top3b = [";".join(s.split(";")[:3]) for s in eb["risk_types"]]
    assert np.mean([x == y for x, y in zip(top3, top3b, strict=True)]) >= 0.999


def test_woodelf_missing_says_which_extra(fitted, monkeypatch):
    import sys

    from fanpin.exceptions import MissingDependencyError

    pipe, X = fitted
    monkeypatch.setitem(sys.modules, "woodelf", None)
    with pytest.raises(MissingDependencyError, match=r"fanpin\[fast-shap\]"):
        shap_values(pipe, X.iloc[:5], method="woodelf")
