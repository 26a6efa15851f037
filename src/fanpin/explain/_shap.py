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

from ..exceptions import MissingDependencyError, ModelError
from ..messages import N_, Message

__all__ = [
    "BACKENDS",
    "CONTRIBUTIONS_METHOD",
    "ShapValues",
    "booster_of",
    "shap_values",
]

BACKENDS = ("lightgbm", "shap", "woodelf")
"""TreeSHAP backends: LightGBM's ``pred_contrib`` (the default), shap's
TreeExplainer (the same values, to cross-check) and woodelf (the optional
``fast-shap`` extra: the same path-dependent TreeSHAP values within 1e-4, about
ten times faster on large batches; see bench/results_explain.json)."""
MSG_NO_WOODELF = N_(
    "The woodelf TreeSHAP backend needs the optional package woodelf-explainer: "
    "pip install 'fanpin[fast-shap]', or use the default backend (lightgbm)."
)

MSG_NO_BOOSTER = N_(
    "Cannot explain a {kind}: expected a fanpin RiskPipeline or RiskModel, a "
    "LightGBM LGBMClassifier or a lightgbm.Booster, fitted, or a model with a "
    "feature_contributions(X) method. Train it with fanpin.models.train_risk_model "
    "(or `fanpin train`)."
)
MSG_COLUMNS = N_(
    "The feature frame lacks {missing} that the model was trained on; build it with "
    "the model's own feature builder (RiskPipeline.features.transform)."
)
MSG_METHOD = N_("method must be one of {known}; got {method!r}.")
MSG_OWN_SHAPE = N_(
    "{kind}.feature_contributions(X) returned {got}; expected a DataFrame with one "
    "'<domain>__<feature>' column per feature (and optionally a ShapValues)."
)

CONTRIBUTIONS_METHOD = "feature_contributions"
"""A model (or its inner model) with this method explains itself: called as
``model.feature_contributions(X)``, it returns per-feature contributions to the
raw score (a DataFrame on X's index with ``<domain>__<feature>`` columns, or a
:class:`ShapValues`), e.g. a logistic model's coefficient x centred value."""


def booster_of(model: Any) -> lgb.Booster:
    """The fitted ``lightgbm.Booster`` inside a pipeline, RiskModel or classifier."""
    obj = model
    for attr in ("model", "booster_", "booster_"):
        if isinstance(obj, lgb.Booster):
            break
        if hasattr(obj, attr):
            obj = getattr(obj, attr)
    if not isinstance(obj, lgb.Booster):
        raise ModelError(Message(MSG_NO_BOOSTER, kind=type(model).__name__))
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


def _woodelf(booster: lgb.Booster, data: np.ndarray, names: list[str]) -> np.ndarray:
    """Path-dependent TreeSHAP values by woodelf (the ``fast-shap`` extra)."""
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            from woodelf import WoodelfExplainer
    except ImportError as exc:
        raise MissingDependencyError(Message(MSG_NO_WOODELF)) from exc
    frame = pd.DataFrame(data, columns=names)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        out = WoodelfExplainer(booster).shap_values(frame, verbose=False)
    out = np.asarray(out, dtype="float64")
    if out.ndim == 3:
        out = out[..., -1]
    return out


def _own_contributions(model: Any, X: pd.DataFrame) -> ShapValues | None:
    """The model's own per-feature contributions, when it has the method."""
    for obj in (model, getattr(model, "model", None)):
        fn = getattr(obj, CONTRIBUTIONS_METHOD, None)
        if not callable(fn):
            continue
        got = fn(X)
        if isinstance(got, ShapValues):
            return got
        if not isinstance(got, pd.DataFrame):
            raise ModelError(
                Message(MSG_OWN_SHAPE, kind=type(obj).__name__, got=type(got).__name__)
            )
        raw = got.sum(axis=1).rename("raw_score")
        return ShapValues(values=got, base_value=0.0, raw_score=raw)
    return None


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
    method : {"lightgbm", "shap", "woodelf"}
        ``pred_contrib`` of LightGBM (default, see the module note), shap's
        TreeExplainer (path-dependent, raw output; the same values) or woodelf
        (:data:`BACKENDS`; the optional ``fast-shap`` extra).

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
            raise ModelError(Message(MSG_COLUMNS, missing=missing[:5]))
        c = model.contributions(X[[str(n) for n in inputs]])
        return ShapValues(
            values=c.values, base_value=c.base_value, raw_score=c.raw_score
        )
    own = _own_contributions(model, X)
    if own is not None:
        return own
    booster = booster_of(model)
    names = _feature_names(model, booster)
    missing = [n for n in names if n not in X.columns]
    if missing:
        raise ModelError(Message(MSG_COLUMNS, missing=missing[:5]))
    data = X[names].to_numpy(dtype="float64", na_value=np.nan)
    raw = booster.predict(data, raw_score=True)
    if method == "lightgbm":
        contrib = booster.predict(data, pred_contrib=True)
        values, base = contrib[:, :-1], contrib[:, -1]
    elif method == "woodelf":
        values = _woodelf(booster, data, names)
        base = raw - values.sum(axis=1)
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
        raise ValueError(
            Message(MSG_METHOD, method=method, known=", ".join(BACKENDS))
        )
    base_value = float(base[0]) if len(base) else 0.0
    return ShapValues(
        values=pd.DataFrame(values, index=X.index, columns=names),
        base_value=base_value,
        raw_score=pd.Series(raw, index=X.index, name="raw_score"),
    )
