"""What every candidate model shares: the validation split, its figures, the
per-feature contributions of a score and the checks of ``fit``'s inputs.

The **validation year** is the latest year of the rows a model is fitted on
(the last training year's transitions): a candidate is fitted on the earlier
years, scored on that year (where early stopping, calibration and the choice
between candidates look), then refitted on every year. Without years (or when
the latest year lacks an outcome) a seeded, stratified random share of the rows
plays its part.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd
from scipy.special import expit
from sklearn.metrics import roc_auc_score
from sklearn.model_selection import train_test_split

from ..messages import N_, Message

__all__ = [
    "CAPTURE_FRACTION",
    "row_dot",
    "Contributions",
    "LogOddsCandidate",
    "check_labels",
    "check_years",
    "no_rows",
    "recall_at",
    "validation_figures",
    "validation_split",
]

logger = logging.getLogger(__name__)

CAPTURE_FRACTION = 0.05
"""The list size candidates are compared on: the top 5 % of the ranking."""

MSG_ONE_CLASS = N_(
    "{name} needs both outcomes in y (households that fell and that did not); got "
    "only {classes}. Train on more years or more households."
)
MSG_YEARS_LENGTH = N_(
    "years has {got} values but X has {n} rows; pass one year per row."
)
MSG_BAD_LABELS = N_("y must be 0/1 (fell next year or not); got values {values}.")


@dataclass(frozen=True)
class Contributions:
    """Per-feature contributions to a model's raw score (log-odds).

    ``base_value + values.sum(axis=1) == raw_score`` for every row. For LightGBM
    these are SHAP values (``pred_contrib``); for the logistic model each
    coefficient times the feature's centred, scaled value; for the rule score
    each rule's weight times its centred flag, times the score's slope.

    Attributes
    ----------
    values : DataFrame
        One column per feature, on the input's index.
    base_value : float
        The raw score of an average row.
    raw_score : Series
        The raw score (log-odds) of each row.
    """

    values: pd.DataFrame
    base_value: float
    raw_score: pd.Series


class LogOddsCandidate:
    """The shared half of the linear candidates (logistic, rules): probabilities
    from :meth:`decision_function` (log-odds), the validation record, the tags.

    A subclass implements ``decision_function``, ``_fit_scores(X, y)`` (fit on
    the rows given) and ``_val_scores(X)`` (log-odds of rows with the numbers
    fitted so far), and calls :meth:`_validate_and_refit`.
    """

    def _validate_and_refit(self, X: Any, y: np.ndarray, years: Any) -> None:
        val, info = validation_split(
            y, years, fraction=self.validation_fraction, random_state=self.random_state
        )
        rows = np.flatnonzero(~val)
        self._fit_scores(_take(X, rows), y[rows])
        p_val = expit(self._val_scores(_take(X, np.flatnonzero(val))))
        self.validation_scores_ = p_val
        self.validation_ = {
            **info,
            "n_rows": int(val.sum()),
            "n_positive": int(y[val].sum()),
            **validation_figures(y[val], p_val),
            "refit_full": bool(self.refit_full),
        }
        if self.refit_full:
            self._fit_scores(X, y)

    def predict_proba(self, X: Any) -> np.ndarray:
        """Probabilities, shape (n, 2): column 1 is P(fall next year)."""
        p = expit(self.decision_function(X))
        return np.column_stack([1.0 - p, p])

    def predict(self, X: Any) -> np.ndarray:
        """1 where the probability is above 0.5."""
        return (self.decision_function(X) > 0).astype("int64")

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.input_tags.allow_nan = True
        tags.classifier_tags.multi_class = False
        return tags


def _take(X: Any, rows: np.ndarray) -> Any:
    return X.iloc[rows] if isinstance(X, pd.DataFrame) else X[rows]


def no_rows(model: Any, X: Any) -> Contributions | None:
    """Empty contributions when ``X`` has no row (else None)."""
    if len(X):
        return None
    names = [str(c) for c in getattr(model, "feature_names_in_", [])]
    index = X.index if isinstance(X, pd.DataFrame) else pd.RangeIndex(0)
    return Contributions(
        values=pd.DataFrame(np.empty((0, len(names))), index=index, columns=names),
        base_value=0.0,
        raw_score=pd.Series(np.empty(0), index=index, name="raw_score"),
    )


def row_dot(A: np.ndarray, w: np.ndarray) -> np.ndarray:
    """``A @ w`` computed row by row in a fixed order, so a row's value does not
    depend on how many rows are scored with it (a BLAS product may round
    differently for different sizes: chunked and whole-panel scores would then
    differ in the last bit).

    Examples
    --------
    >>> row_dot(np.array([[1.0, 2.0], [3.0, 4.0]]), np.array([1.0, -1.0])).tolist()
    [-1.0, -1.0]
    """
    return (np.ascontiguousarray(A, dtype="float64") * w).sum(axis=1)


def check_labels(y: Any, name: str) -> np.ndarray:
    """``y`` as int64 0/1 with both outcomes, else ValueError."""
    y = np.asarray(y)
    values = np.unique(y)
    if not np.isin(values, [0, 1]).all():
        raise ValueError(Message(MSG_BAD_LABELS, values=values[:5].tolist()))
    if values.size < 2:
        raise ValueError(Message(MSG_ONE_CLASS, name=name, classes=values.tolist()))
    return y.astype("int64")


def check_years(years: Any, n: int) -> np.ndarray | None:
    """``years`` as int64 of length ``n`` (or None)."""
    if years is None:
        return None
    years = np.asarray(years).astype("int64")
    if len(years) != n:
        raise ValueError(Message(MSG_YEARS_LENGTH, got=len(years), n=n))
    return years


def validation_split(
    y: np.ndarray,
    years: np.ndarray | None,
    *,
    fraction: float = 0.2,
    random_state: int = 0,
) -> tuple[np.ndarray, dict[str, Any]]:
    """Boolean mask of the validation rows, and a description of the split.

    Examples
    --------
    >>> y = np.array([0, 1, 0, 1, 0, 1]); years = np.array([1, 1, 2, 2, 3, 3])
    >>> mask, info = validation_split(y, years)
    >>> mask.tolist(), info
    ([False, False, False, False, True, True], {'split': 'year', 'year': 3})
    """
    if years is not None and len(np.unique(years)) >= 2:
        val_year = int(np.max(years))
        mask = years == val_year
        if np.unique(y[mask]).size == 2 and np.unique(y[~mask]).size == 2:
            return mask, {"split": "year", "year": val_year}
        logger.info(
            "validation year %d lacks one outcome; using a random split", val_year
        )
    idx = np.arange(len(y))
    try:
        _, val = train_test_split(
            idx, test_size=fraction, stratify=y, random_state=random_state
        )
    except ValueError:  # too few rows of a class to stratify: a plain split
        _, val = train_test_split(idx, test_size=fraction, random_state=random_state)
    mask = np.zeros(len(y), dtype=bool)
    mask[val] = True
    logger.info(
        "no usable years given: validating on a random %.0f%% of rows", 100 * fraction
    )
    return mask, {"split": "random", "year": None}


def recall_at(
    y: np.ndarray, score: np.ndarray, fraction: float = CAPTURE_FRACTION
) -> float:
    """Share of the positives among the top ``ceil(fraction * n)`` scores (ties by
    position), NaN without positives.

    Examples
    --------
    >>> recall_at(np.array([1, 0, 1, 0]), np.array([0.9, 0.8, 0.1, 0.0]), 0.5)
    0.5
    """
    y = np.asarray(y, dtype="int64")
    s = np.asarray(score, dtype="float64")
    if not y.sum():
        return float("nan")
    k = int(np.ceil(fraction * len(y)))
    order = np.lexsort((np.arange(len(s)), -s))
    return float(y[order[:k]].sum() / y.sum())


def validation_figures(y: np.ndarray, score: np.ndarray) -> dict[str, float]:
    """``capture@5%`` (the share of the falls in the top 5 %) and ``auc``."""
    both = np.unique(y).size == 2
    return {
        "capture@5%": recall_at(y, score),
        "auc": float(roc_auc_score(y, score)) if both else float("nan"),
    }
