"""The logistic-regression candidate on the same features as the risk model."""

from __future__ import annotations

from numbers import Integral, Real
from typing import Any

import numpy as np
import pandas as pd
from sklearn.base import BaseEstimator, ClassifierMixin
from sklearn.impute import SimpleImputer
from sklearn.linear_model import LogisticRegression
from sklearn.pipeline import Pipeline
from sklearn.preprocessing import StandardScaler
from sklearn.utils.validation import check_is_fitted, validate_data

from .._compat import Interval, _fit_context
from ._validation import (
    Contributions,
    LogOddsCandidate,
    check_labels,
    check_years,
    no_rows,
    row_dot,
)

__all__ = ["LogisticRiskModel", "make_logistic_baseline"]


def make_logistic_baseline(*, C: float = 1.0, random_state: int = 0) -> Pipeline:
    """Median imputation, standard scaling and an L2 logistic regression.

    Its probabilities are the regression's own (no class weights, no recalibration).
    :class:`LogisticRiskModel` fits this pipeline and predicts from its numbers.

    Examples
    --------
    >>> import numpy as np
    >>> rng = np.random.default_rng(0)
    >>> X = rng.normal(size=(200, 2)); X[0, 0] = np.nan
    >>> y = (X[:, 1] > 0.5).astype(int)
    >>> make_logistic_baseline().fit(X, y).predict_proba(X[:1]).shape
    (1, 2)
    """
    return Pipeline(
        [
            ("impute", SimpleImputer(strategy="median", keep_empty_features=True)),
            ("scale", StandardScaler()),
            ("lr", LogisticRegression(C=C, max_iter=2000, random_state=random_state)),
        ]
    )


class LogisticRiskModel(LogOddsCandidate, ClassifierMixin, BaseEstimator):
    """P(fall next year) from a logistic regression on median-imputed, standardised
    features, validated like :class:`~fanpin.models.RiskModel`.

    :meth:`fit` fits on the rows before the validation year (the latest of
    ``years``), scores that year (``validation_``), then refits on every row
    (``refit_full``). Predictions use the fitted numbers only (medians, means,
    scales, coefficients), which is also what a saved model stores.

    Parameters
    ----------
    C : float
        Inverse L2 regularisation.
    refit_full : bool
    validation_fraction : float
        Share of rows held out when no year is available.
    random_state : int

    Attributes
    ----------
    classes_, feature_names_in_, n_features_in_
    median_, mean_, scale_, coef_ : ndarray of shape (p,)
    intercept_ : float
    validation_ : dict
    validation_scores_ : ndarray

    Examples
    --------
    >>> rng = np.random.default_rng(0)
    >>> X = pd.DataFrame(rng.normal(size=(600, 2)), columns=["a__x", "b__y"])
    >>> y = (X["a__x"] + rng.normal(size=600) > 1).astype(int)
    >>> m = LogisticRiskModel().fit(X, y, years=np.repeat([2021, 2022, 2023], 200))
    >>> c = m.contributions(X.iloc[:3])
    >>> raw = m.decision_function(X.iloc[:3])
    >>> bool(np.allclose(c.base_value + c.values.sum(axis=1), raw))
    True
    """

    _parameter_constraints: dict = {
        "C": [Interval(Real, 0, None, closed="neither")],
        "refit_full": ["boolean"],
        "validation_fraction": [Interval(Real, 0, 1, closed="neither")],
        "random_state": [Interval(Integral, 0, None, closed="left")],
    }

    def __init__(
        self,
        *,
        C: float = 1.0,
        refit_full: bool = True,
        validation_fraction: float = 0.2,
        random_state: int = 0,
    ):
        self.C = C
        self.refit_full = refit_full
        self.validation_fraction = validation_fraction
        self.random_state = random_state

    def _fit_scores(self, X: np.ndarray, y: np.ndarray) -> None:
        pipe = make_logistic_baseline(C=float(self.C), random_state=self.random_state)
        pipe.fit(X, y)
        self.median_ = np.asarray(pipe["impute"].statistics_, dtype="float64")
        self.mean_ = np.asarray(pipe["scale"].mean_, dtype="float64")
        self.scale_ = np.asarray(pipe["scale"].scale_, dtype="float64")
        self.coef_ = np.asarray(pipe["lr"].coef_[0], dtype="float64")
        self.intercept_ = float(pipe["lr"].intercept_[0])

    def _scaled(self, X: np.ndarray) -> np.ndarray:
        filled = np.where(np.isnan(X), self.median_, X)
        return (filled - self.mean_) / self.scale_

    @_fit_context(prefer_skip_nested_validation=True)
    def fit(self, X: Any, y: Any, years: Any = None) -> LogisticRiskModel:
        """Fit on the rows before the validation year, score it, refit on all."""
        X, y = validate_data(self, X, y, ensure_all_finite="allow-nan", dtype="float64")
        y = check_labels(y, "LogisticRiskModel")
        self.classes_ = np.array([0, 1])
        self._validate_and_refit(X, y, check_years(years, len(y)))
        return self

    def _val_scores(self, X: np.ndarray) -> np.ndarray:
        return row_dot(self._scaled(X), self.coef_) + self.intercept_

    def _check(self, X: Any) -> np.ndarray:
        check_is_fitted(self, "coef_")
        return validate_data(
            self, X, reset=False, ensure_all_finite="allow-nan", dtype="float64"
        )

    def decision_function(self, X: Any) -> np.ndarray:
        """Log-odds of each row."""
        return self._val_scores(self._check(X))

    def contributions(self, X: Any) -> Contributions:
        """Each coefficient times the feature's centred, scaled value; the base
        value is the intercept (the log-odds of a row at the training means)."""
        empty = no_rows(self, X)
        if empty is not None:
            return empty
        data = self._check(X)
        index = X.index if isinstance(X, pd.DataFrame) else pd.RangeIndex(len(data))
        names = [
            str(c) for c in getattr(self, "feature_names_in_", range(data.shape[1]))
        ]
        scaled = self._scaled(data)
        values = pd.DataFrame(scaled * self.coef_, index=index, columns=names)
        raw = pd.Series(
            row_dot(scaled, self.coef_) + self.intercept_, index=index, name="raw_score"
        )
        return Contributions(values=values, base_value=self.intercept_, raw_score=raw)
