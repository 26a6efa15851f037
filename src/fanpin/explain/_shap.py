"""SHAP values of the model's raw score (LightGBM margin, log-odds).

Method choice (measured on 20,000 rows x 100 features, 300 trees of 15 leaves, on
the shared 2-core machine): LightGBM's ``predict(..., pred_contrib=True)`` took
32-35 s and shap's ``TreeExplainer`` 30-36 s, with identical values (max
difference 0.0): for a LightGBM booster shap's TreeExplainer calls
``pred_contrib`` itself. fanpin therefore calls LightGBM directly (no extra
import, no shap warnings); ``method="shap"`` is kept to cross-check.
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass
from typing import Any

import lightgbm as lgb
import numpy as np
import pandas as pd

from ..exceptions import ModelError

__all__ = ["ShapValues", "booster_of", "shap_values"]

MSG_NO_BOOSTER = (
    "Cannot explain a {kind}: expected a fanpin RiskPipeline or RiskModel, a "
    "LightGBM LGBMClassifier or a lightgbm.Booster, fitted. Train it with "
    "fanpin.models.train_risk_model (or `fanpin train`)."
)
MSG_COLUMNS = (
    "The feature frame lacks {missing} that the model was trained on; build it with "
    "the model's own feature builder (RiskPipeline.features.transform)."
)


def booster_of(model: Any) -> lgb.Booster:
    """The fitted ``lightgbm.Booster`` inside a pipeline, RiskModel or classifier."""
    obj = model
    for attr in ("model", "booster_", "booster_"):
        if isinstance(obj, lgb.Booster):
            break
        if hasattr(obj, attr):
            obj = getattr(obj, attr)
    if not isinstance(obj, lgb.Booster):
        raise ModelError(MSG_NO_BOOSTER.format(kind=type(model).__name__))
    return obj


def _feature_names(model: Any, booster: lgb.Booster) -> list[str]:
    for obj in (model, getattr(model, "model", None)):
        names = getattr(obj, "feature_names", None)
        if names is not None and not callable(names):
            return [str(n) for n in names]
        names = getattr(obj, "feature_names_in_", None)
        if names is not None:
            return [str(n) for n in names]
    return [str(n) for n in booster.feature_name()]


@dataclass(frozen=True)
class ShapValues:
    """Per-row SHAP contributions to the raw score.

    Attributes
    ----------
    values : DataFrame
        One column per feature, on the input's index.
    base_value : float
        The expected raw score; ``base_value + values.sum(axis=1) == raw_score``.
    raw_score : Series
        The booster's raw score (log-odds) of each row.
    """

    values: pd.DataFrame
    base_value: float
    raw_score: pd.Series


def shap_values(model: Any, X: pd.DataFrame, *, method: str = "lightgbm") -> ShapValues:
    """SHAP values of the raw LightGBM score for every row of ``X``.

    Parameters
    ----------
    model : RiskPipeline, RiskModel, LGBMClassifier or lightgbm.Booster
    X : DataFrame
        Features, with (at least) the columns the model was trained on.
    method : {"lightgbm", "shap"}
        ``pred_contrib`` of LightGBM (default, see the module note) or shap's
        TreeExplainer (path-dependent, raw output); the values are the same.

    Examples
    --------
    >>> import numpy as np, pandas as pd, lightgbm as lgb
    >>> rng = np.random.default_rng(0)
    >>> X = pd.DataFrame(rng.normal(size=(300, 2)), columns=["a__x", "b__y"])
    >>> clf = lgb.LGBMClassifier(n_estimators=5, verbose=-1).fit(X, X["a__x"] > 0)
    >>> sv = shap_values(clf, X)
    >>> bool(np.allclose(sv.base_value + sv.values.sum(axis=1), sv.raw_score))
    True
    """
    if method == "lightgbm" and callable(getattr(model, "contributions", None)):
        # fanpin's models give their own contributions, whatever their kind
        # (LightGBM: these SHAP values; logistic: coefficient x centred value).
        inputs = getattr(model, "feature_names", None)
        if inputs is None or callable(inputs):
            inputs = list(getattr(model, "feature_names_in_", X.columns))
        missing = [n for n in inputs if n not in X.columns]
        if missing:
            raise ModelError(MSG_COLUMNS.format(missing=missing[:5]))
        c = model.contributions(X[[str(n) for n in inputs]])
        return ShapValues(
            values=c.values, base_value=c.base_value, raw_score=c.raw_score
        )
    booster = booster_of(model)
    names = _feature_names(model, booster)
    missing = [n for n in names if n not in X.columns]
    if missing:
        raise ModelError(MSG_COLUMNS.format(missing=missing[:5]))
    data = X[names].to_numpy(dtype="float64", na_value=np.nan)
    raw = booster.predict(data, raw_score=True)
    if method == "lightgbm":
        contrib = booster.predict(data, pred_contrib=True)
        values, base = contrib[:, :-1], contrib[:, -1]
    elif method == "shap":
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # shap's import warns (matplotlib)
            import shap

            explainer = shap.TreeExplainer(
                booster, feature_perturbation="tree_path_dependent"
            )
            values = np.asarray(explainer.shap_values(data))
        if values.ndim == 3:  # (n, p, classes) in some shap versions
            values = values[..., -1]
        base = np.full(len(data), float(np.ravel(explainer.expected_value)[-1]))
    else:
        raise ValueError(f"method must be 'lightgbm' or 'shap'; got {method!r}.")
    base_value = float(base[0]) if len(base) else 0.0
    return ShapValues(
        values=pd.DataFrame(values, index=X.index, columns=names),
        base_value=base_value,
        raw_score=pd.Series(raw, index=X.index, name="raw_score"),
    )
