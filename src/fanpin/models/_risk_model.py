"""RiskModel: a calibrated LightGBM classifier on the scikit-learn estimator API."""

from __future__ import annotations

import fnmatch
import logging
from collections.abc import Mapping
from numbers import Integral, Real
from typing import Any

import numpy as np
from lightgbm import LGBMClassifier
from sklearn.base import BaseEstimator, ClassifierMixin
from sklearn.model_selection import train_test_split
from sklearn.utils.validation import check_is_fitted, validate_data

from .._compat import Interval, StrOptions, _fit_context
from ._calibration import choose_calibrator, make_calibrator

__all__ = ["RiskModel"]

logger = logging.getLogger(__name__)

MSG_ONE_CLASS = (
    "RiskModel needs both outcomes in y (households that fell and that did not); "
    "got only {classes}. Train on more years or more households."
)
MSG_YEARS_LENGTH = "years has {got} values but X has {n} rows; pass one year per row."
MSG_BAD_LABELS = "y must be 0/1 (fell next year or not); got values {values}."


MIN_CALIBRATION_PER_CLASS = 5
"""Fewest falls (and non-falls) on the validation rows needed to fit a calibrator."""


class RiskModel(ClassifierMixin, BaseEstimator):
    """Probability that a household falls into hardship next year.

    A LightGBM booster (``deterministic=True``, ``force_row_wise=True``, seeded)
    followed by a probability calibrator chosen on a held-out **validation year**:

    1. With ``years`` given to :meth:`fit` and at least two distinct years, the
       rows of the latest year are the validation year (V); the booster is fitted
       on the earlier years only.
    2. Isotonic and sigmoid calibrators are compared by 5-fold cross-validated
       Brier score on V's raw scores (``calibration="auto"``; or the one named);
       the chosen one is then fitted on all of V.
    3. With ``refit_full=True`` the booster is refitted on every year (V included)
       with the same parameters, keeping the calibrator of step 2.

    Without ``years`` (or with one year) a seeded, stratified random
    ``validation_fraction`` of the rows plays V's role; ``validation_["split"]``
    says which happened. A model is only ever fitted on what :meth:`fit` receives,
    so a test year never reaches it unless the caller passes it.

    ``imbalance="scale_pos_weight"`` weights positives by n_neg / n_pos in the
    booster; calibration then maps the inflated scores back to probabilities.

    Parameters
    ----------
    n_estimators, learning_rate, num_leaves, max_depth, min_child_samples, \
subsample, subsample_freq, colsample_bytree, reg_alpha, reg_lambda, min_split_gain
        LightGBM parameters.
    imbalance : {"none", "scale_pos_weight"}
    calibration : {"auto", "isotonic", "sigmoid", "none"}
    refit_full : bool
    monotone_constraints : mapping of str to int, optional
        Feature-name patterns (``fnmatch``) to +1 / -1; unmatched features are free.
    validation_fraction : float
        Share of rows held out when no year is available.
    random_state : int
    n_jobs : int

    Attributes
    ----------
    classes_, feature_names_in_, n_features_in_
        As in scikit-learn.
    booster_ : LGBMClassifier
    calibrator_ : object or None
    calibration_ : str
        The calibration method used.
    validation_ : dict
        How the validation rows were chosen and the calibrators' scores on them.
    monotone_constraints_ : list of int
        The resolved constraint of every feature (0 = free).

    Examples
    --------
    >>> import numpy as np
    >>> rng = np.random.default_rng(0)
    >>> X = rng.normal(size=(600, 3))
    >>> y = (X[:, 0] + rng.normal(size=600) > 1.5).astype(int)
    >>> years = np.repeat([2021, 2022, 2023], 200)
    >>> m = RiskModel(n_estimators=20, random_state=0).fit(X, y, years=years)
    >>> m.validation_["split"], m.validation_["year"]
    ('year', 2023)
    >>> m.predict_proba(X[:2]).shape
    (2, 2)
    """

    _parameter_constraints: dict = {
        "n_estimators": [Interval(Integral, 1, None, closed="left")],
        "learning_rate": [Interval(Real, 0, None, closed="neither")],
        "num_leaves": [Interval(Integral, 2, None, closed="left")],
        "max_depth": [Interval(Integral, -1, None, closed="left")],
        "min_child_samples": [Interval(Integral, 1, None, closed="left")],
        "subsample": [Interval(Real, 0, 1, closed="right")],
        "subsample_freq": [Interval(Integral, 0, None, closed="left")],
        "colsample_bytree": [Interval(Real, 0, 1, closed="right")],
        "reg_alpha": [Interval(Real, 0, None, closed="left")],
        "reg_lambda": [Interval(Real, 0, None, closed="left")],
        "min_split_gain": [Interval(Real, 0, None, closed="left")],
        "imbalance": [StrOptions({"none", "scale_pos_weight"})],
        "calibration": [StrOptions({"auto", "isotonic", "sigmoid", "none"})],
        "refit_full": ["boolean"],
        "monotone_constraints": [Mapping, None],
        "validation_fraction": [Interval(Real, 0, 1, closed="neither")],
        "random_state": [Interval(Integral, 0, None, closed="left")],
        "n_jobs": [Integral],
    }

    def __init__(
        self,
        *,
        n_estimators: int = 300,
        learning_rate: float = 0.05,
        num_leaves: int = 15,
        max_depth: int = -1,
        min_child_samples: int = 100,
        subsample: float = 0.8,
        subsample_freq: int = 1,
        colsample_bytree: float = 0.8,
        reg_alpha: float = 0.0,
        reg_lambda: float = 1.0,
        min_split_gain: float = 0.0,
        imbalance: str = "none",
        calibration: str = "auto",
        refit_full: bool = True,
        monotone_constraints: Mapping[str, int] | None = None,
        validation_fraction: float = 0.2,
        random_state: int = 0,
        n_jobs: int = 1,
    ):
        self.n_estimators = n_estimators
        self.learning_rate = learning_rate
        self.num_leaves = num_leaves
        self.max_depth = max_depth
        self.min_child_samples = min_child_samples
        self.subsample = subsample
        self.subsample_freq = subsample_freq
        self.colsample_bytree = colsample_bytree
        self.reg_alpha = reg_alpha
        self.reg_lambda = reg_lambda
        self.min_split_gain = min_split_gain
        self.imbalance = imbalance
        self.calibration = calibration
        self.refit_full = refit_full
        self.monotone_constraints = monotone_constraints
        self.validation_fraction = validation_fraction
        self.random_state = random_state
        self.n_jobs = n_jobs

    # -- helpers -------------------------------------------------------------------
    def _names(self) -> list[str]:
        if hasattr(self, "feature_names_in_"):
            return [str(c) for c in self.feature_names_in_]
        return [f"x{i}" for i in range(self.n_features_in_)]

    def _resolve_monotone(self) -> list[int]:
        names = self._names()
        out = [0] * len(names)
        for pattern, sign in (self.monotone_constraints or {}).items():
            for i, name in enumerate(names):
                if fnmatch.fnmatchcase(name, pattern):
                    out[i] = int(sign)
        return out

    def _new_booster(self, y: np.ndarray) -> LGBMClassifier:
        params: dict[str, Any] = {
            "n_estimators": self.n_estimators,
            "learning_rate": self.learning_rate,
            "num_leaves": self.num_leaves,
            "max_depth": self.max_depth,
            "min_child_samples": self.min_child_samples,
            "subsample": self.subsample,
            "subsample_freq": self.subsample_freq,
            "colsample_bytree": self.colsample_bytree,
            "reg_alpha": self.reg_alpha,
            "reg_lambda": self.reg_lambda,
            "min_split_gain": self.min_split_gain,
            "random_state": self.random_state,
            "n_jobs": self.n_jobs,
            "deterministic": True,
            "force_row_wise": True,
            "verbose": -1,
        }
        if self.imbalance == "scale_pos_weight":
            pos = max(int(y.sum()), 1)
            params["scale_pos_weight"] = float((len(y) - pos) / pos)
        if any(self.monotone_constraints_):
            params["monotone_constraints"] = self.monotone_constraints_
        return LGBMClassifier(**params)

    def _split(
        self, y: np.ndarray, years: np.ndarray | None
    ) -> tuple[np.ndarray, dict]:
        """Boolean mask of validation rows, and a description of the split."""
        if years is not None and len(np.unique(years)) >= 2:
            val_year = int(np.max(years))
            mask = years == val_year
            if np.unique(y[mask]).size == 2 and np.unique(y[~mask]).size == 2:
                return mask, {"split": "year", "year": val_year}
            logger.info(
                "validation year %d lacks one outcome; using a random split", val_year
            )
        idx = np.arange(len(y))
        _, val = train_test_split(
            idx,
            test_size=self.validation_fraction,
            stratify=y,
            random_state=self.random_state,
        )
        mask = np.zeros(len(y), dtype=bool)
        mask[val] = True
        logger.info(
            "no usable years given: calibrating on a random %.0f%% of rows",
            100 * self.validation_fraction,
        )
        return mask, {"split": "random", "year": None}

    # -- API -----------------------------------------------------------------------
    @_fit_context(prefer_skip_nested_validation=True)
    def fit(self, X: Any, y: Any, years: Any = None) -> RiskModel:
        """Fit booster and calibrator.

        Parameters
        ----------
        X : DataFrame or array of shape (n, p)
            Features; NaN allowed.
        y : array of 0/1
        years : array of int, optional
            The year t of each row (the label is about t + 1). The latest year is
            the validation year for calibration.
        """
        X, y = validate_data(self, X, y, ensure_all_finite="allow-nan", dtype="float64")
        values = np.unique(y)
        if not np.isin(values, [0, 1]).all():
            raise ValueError(MSG_BAD_LABELS.format(values=values[:5].tolist()))
        y = y.astype("int64")
        if values.size < 2:
            raise ValueError(MSG_ONE_CLASS.format(classes=values.tolist()))
        self.classes_ = np.array([0, 1])
        if years is not None:
            years = np.asarray(years).astype("int64")
            if len(years) != len(y):
                raise ValueError(MSG_YEARS_LENGTH.format(got=len(years), n=len(y)))
            self.train_years_ = sorted(int(v) for v in np.unique(years))
        else:
            self.train_years_ = None
        self.monotone_constraints_ = self._resolve_monotone()

        if self.calibration == "none":
            self.booster_ = self._new_booster(y).fit(X, y)
            self.calibrator_ = None
            self.calibration_ = "none"
            self.validation_ = {"split": None, "year": None}
            return self

        val, info = self._split(y, years)
        counts = np.bincount(y[val], minlength=2)
        if counts.min() < MIN_CALIBRATION_PER_CLASS:
            logger.warning(
                "the validation rows hold %d fall(s) and %d non-fall(s), fewer than "
                "%d of each: probabilities are left uncalibrated",
                counts[1],
                counts[0],
                MIN_CALIBRATION_PER_CLASS,
            )
            self.booster_ = self._new_booster(y).fit(X, y)
            self.calibrator_ = None
            self.calibration_ = "none"
            self.validation_ = {
                **info,
                "n_rows": int(val.sum()),
                "n_positive": int(counts[1]),
                "scores": {},
                "skipped": "too few rows of a class to calibrate",
            }
            return self
        booster = self._new_booster(y[~val]).fit(X[~val], y[~val])
        raw_val = booster.predict_proba(X[val])[:, 1]
        if self.calibration == "auto":
            method, scores = choose_calibrator(
                raw_val, y[val], random_state=self.random_state
            )
        else:
            method, scores = self.calibration, {}
        self.calibrator_ = make_calibrator(method).fit(raw_val, y[val])
        self.calibration_ = method
        self.validation_ = {
            **info,
            "n_rows": int(val.sum()),
            "n_positive": int(y[val].sum()),
            "scores": scores,
            "refit_full": bool(self.refit_full),
        }
        self.booster_ = self._new_booster(y).fit(X, y) if self.refit_full else booster
        return self

    def _raw(self, X: Any) -> np.ndarray:
        check_is_fitted(self, "booster_")
        X = validate_data(
            self, X, reset=False, ensure_all_finite="allow-nan", dtype="float64"
        )
        return self.booster_.predict_proba(X)[:, 1]

    def predict_proba(self, X: Any) -> np.ndarray:
        """Calibrated probabilities, shape (n, 2): column 1 is P(fall next year)."""
        p = self._raw(X)
        if self.calibrator_ is not None:
            p = self.calibrator_.predict(p)
        p = np.clip(p, 0.0, 1.0)
        return np.column_stack([1.0 - p, p])

    def predict(self, X: Any) -> np.ndarray:
        """1 where the calibrated probability is at least 0.5."""
        return (self.predict_proba(X)[:, 1] >= 0.5).astype("int64")

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.input_tags.allow_nan = True
        tags.classifier_tags.multi_class = False
        return tags
