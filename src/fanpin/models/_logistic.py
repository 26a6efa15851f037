"""The logistic-regression baseline on the same features as the risk model."""

from __future__ import annotations

from sklearn.impute import SimpleImputer
from sklearn.linear_model import LogisticRegression
from sklearn.pipeline import Pipeline
from sklearn.preprocessing import StandardScaler

__all__ = ["make_logistic_baseline"]


def make_logistic_baseline(*, C: float = 1.0, random_state: int = 0) -> Pipeline:
    """Median imputation, standard scaling and an L2 logistic regression.

    Its probabilities are the regression's own (no class weights, no recalibration).

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
