"""RiskModel: a calibrated LightGBM classifier on the scikit-learn estimator API,
whose number of boosting rounds is chosen by early stopping on the validation year."""

from __future__ import annotations

import fnmatch
import logging
from collections.abc import Mapping
from typing import Any

import lightgbm as lgb
import numpy as np
import pandas as pd
from scipy.special import expit
from sklearn.base import BaseEstimator, ClassifierMixin, clone
from sklearn.utils.validation import check_is_fitted, validate_data

from .._compat import _fit_context
from ..config import BOOSTER_DEFAULTS, RISK_MODEL_CONSTRAINTS
from ..messages import N_, Message
from ._calibration import choose_calibrator, make_calibrator
from ._validation import (
    Contributions,
    check_labels,
    check_years,
    no_rows,
    validation_figures,
    validation_split,
)

__all__ = ["RiskModel"]

logger = logging.getLogger(__name__)

MIN_CALIBRATION_PER_CLASS = 5
"""Fewest falls (and non-falls) on the validation rows needed to fit a calibrator."""

MSG_OFFSET_NAMES = N_(
    "RiskModel(offset=...) reads its columns by name: fit it on a DataFrame with the "
    "feature names, not a bare array."
)
_METRIC = {"logloss": "binary_logloss", "auc": "auc"}
_CURVE_POINTS = 12
_D = BOOSTER_DEFAULTS


def _lgb_params(est: RiskModel) -> dict[str, Any]:
    """LightGBM parameters of a RiskModel (reproducible: deterministic, row-wise)."""
    params: dict[str, Any] = {
        "objective": "binary",
        "learning_rate": est.learning_rate,
        "num_leaves": est.num_leaves,
        "max_depth": est.max_depth,
        "min_child_samples": est.min_child_samples,
        "subsample": est.subsample,
        "subsample_freq": est.subsample_freq,
        "colsample_bytree": est.colsample_bytree,
        "reg_alpha": est.reg_alpha,
        "reg_lambda": est.reg_lambda,
        "min_split_gain": est.min_split_gain,
        "seed": est.random_state,
        "num_threads": est.n_jobs if est.n_jobs > 0 else 0,
        "deterministic": True,
        "force_row_wise": True,
        "verbose": -1,
    }
    return params


class RiskModel(ClassifierMixin, BaseEstimator):
    """Probability that a household falls into hardship next year.

    A LightGBM booster (``deterministic=True``, ``force_row_wise=True``, seeded)
    followed by a probability calibrator, both chosen on a held-out **validation
    year**:

    1. With ``years`` given to :meth:`fit` and at least two distinct years, the
       rows of the latest year are the validation year (V); the booster is fitted
       on the earlier years only.
    2. **Early stopping**: boosting watches V's loss (``early_stopping_metric``)
       and stops when it has not improved for ``early_stopping_rounds`` rounds,
       never past ``n_estimators`` (the cap); the best round is kept.
    3. Isotonic and sigmoid calibrators are compared by 5-fold cross-validated
       Brier score on V's raw scores (``calibration="auto"``; or the one named);
       the chosen one is then fitted on all of V.
    4. With ``refit_full=True`` the booster is refitted on every year (V included)
       with the chosen number of rounds (``refit_rounds="scaled"``: scaled by the
       growth of the data), keeping the calibrator of step 3.

    Without ``years`` (or with one year) a seeded, stratified random
    ``validation_fraction`` of the rows plays V's role; ``validation_["split"]``
    says which happened. A model is only ever fitted on what :meth:`fit` receives,
    so a test year never reaches it unless the caller passes it.

    ``imbalance="scale_pos_weight"`` weights positives by n_neg / n_pos in the
    booster; calibration then maps the inflated scores back to probabilities.
    ``offset`` (e.g. :class:`~fanpin.models.RuleRiskModel`) gives the starting
    score: the booster is fitted on what it leaves unexplained (its log-odds are
    LightGBM's ``init_score``), so with no useful round the model is the offset.

    Parameters
    ----------
    n_estimators
        The cap on boosting rounds (all of them without early stopping).
    learning_rate, num_leaves, max_depth, min_child_samples, subsample, \
subsample_freq, colsample_bytree, reg_alpha, reg_lambda, min_split_gain
        LightGBM parameters.
    early_stopping_rounds : int or None
        Patience on the validation rows; None: no early stopping.
    early_stopping_metric : {"logloss", "auc"}
    refit_rounds : {"same", "scaled"}
    imbalance : {"none", "scale_pos_weight"}
    calibration : {"auto", "isotonic", "sigmoid", "none"}
    refit_full : bool
    monotone_constraints : mapping of str to int, optional
        Feature-name patterns (``fnmatch``) to +1 / -1; unmatched features are free.
    offset : estimator, optional
        A fitted-on-the-same-rows model whose ``decision_function`` starts the
        boosting (cloned and fitted inside :meth:`fit`).
    validation_fraction : float
        Share of rows held out when no year is available.
    random_state : int
    n_jobs : int

    Attributes
    ----------
    classes_, feature_names_in_, n_features_in_
        As in scikit-learn.
    booster_ : lightgbm.Booster
    n_rounds_ : int
        Boosting rounds of ``booster_``.
    offset_ : estimator or None
    calibrator_ : object or None
    calibration_ : str
        The calibration method used.
    validation_ : dict
        How the validation rows were chosen, the early-stopping curve summary
        (rounds tried, rounds chosen), ``capture@5%`` and ``auc`` on them at the
        chosen point, and the calibrators' scores.
    validation_scores_ : ndarray
        Calibrated probabilities of the validation rows (not saved with the model).
    monotone_constraints_ : list of int
        The resolved constraint of every feature (0 = free).
    raw_predictor_ : callable or None
        What computes the booster's raw score instead of LightGBM (set by
        :func:`fanpin.models.use_predictor`; None: LightGBM; never saved).

    Examples
    --------
    >>> import numpy as np
    >>> rng = np.random.default_rng(0)
    >>> X = rng.normal(size=(600, 3))
    >>> y = (X[:, 0] + rng.normal(size=600) > 1.5).astype(int)
    >>> years = np.repeat([2021, 2022, 2023], 200)
    >>> m = RiskModel(n_estimators=200, random_state=0).fit(X, y, years=years)
    >>> m.validation_["split"], m.validation_["year"]
    ('year', 2023)
    >>> m.validation_["early_stopping"]["rounds_chosen"] < 200
    True
    >>> m.predict_proba(X[:2]).shape
    (2, 2)
    """

    _parameter_constraints: dict = dict(RISK_MODEL_CONSTRAINTS)
    raw_predictor_: Any = None  # a class default: set on copies by use_predictor

    def __init__(
        self,
        *,
        n_estimators: int = _D["n_estimators"],
        learning_rate: float = _D["learning_rate"],
        num_leaves: int = _D["num_leaves"],
        max_depth: int = _D["max_depth"],
        min_child_samples: int = _D["min_child_samples"],
        subsample: float = _D["subsample"],
        subsample_freq: int = _D["subsample_freq"],
        colsample_bytree: float = _D["colsample_bytree"],
        reg_alpha: float = _D["reg_alpha"],
        reg_lambda: float = _D["reg_lambda"],
        min_split_gain: float = _D["min_split_gain"],
        early_stopping_rounds: int | None = 50,
        early_stopping_metric: str = "logloss",
        refit_rounds: str = "same",
        imbalance: str = "none",
        calibration: str = "auto",
        refit_full: bool = True,
        monotone_constraints: Mapping[str, int] | None = None,
        offset: Any = None,
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
        self.early_stopping_rounds = early_stopping_rounds
        self.early_stopping_metric = early_stopping_metric
        self.refit_rounds = refit_rounds
        self.imbalance = imbalance
        self.calibration = calibration
        self.refit_full = refit_full
        self.monotone_constraints = monotone_constraints
        self.offset = offset
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

    def _params(self, y: np.ndarray) -> dict[str, Any]:
        params = _lgb_params(self)
        if self.imbalance == "scale_pos_weight":
            pos = max(int(y.sum()), 1)
            params["scale_pos_weight"] = float((len(y) - pos) / pos)
        if any(self.monotone_constraints_):
            params["monotone_constraints"] = self.monotone_constraints_
        return params

    def _frame(self, X: np.ndarray) -> pd.DataFrame:
        return pd.DataFrame(X, columns=self._names(), copy=False)

    def _init(self, X: np.ndarray) -> np.ndarray | None:
        if self.offset_ is None:
            return None
        return np.asarray(self.offset_.decision_function(self._frame(X)), "float64")

    def _dataset(self, X, y, init, params, reference=None) -> lgb.Dataset:
        return lgb.Dataset(
            X,
            label=y,
            init_score=init,
            reference=reference,
            params={"verbose": -1, "min_data_in_leaf": params["min_child_samples"]},
            free_raw_data=True,
        )

    def _train(
        self,
        X: np.ndarray,
        y: np.ndarray,
        rounds: int,
        valid: tuple[np.ndarray, np.ndarray] | None = None,
    ) -> tuple[lgb.Booster, dict[str, Any] | None]:
        """Boost ``rounds`` rounds (early-stopped on ``valid`` when given)."""
        params = self._params(y)
        train = self._dataset(X, y, self._init(X), params)
        if valid is None:
            return lgb.train(params, train, num_boost_round=rounds), None
        Xv, yv = valid
        vset = self._dataset(Xv, yv, self._init(Xv), params, reference=train)
        metric = _METRIC[self.early_stopping_metric]
        params = {**params, "metric": metric}
        record: dict[str, Any] = {}
        callbacks = [lgb.record_evaluation(record)]
        if self.early_stopping_rounds is not None:
            callbacks.append(
                lgb.early_stopping(
                    self.early_stopping_rounds, first_metric_only=True, verbose=False
                )
            )
        booster = lgb.train(
            params,
            train,
            num_boost_round=rounds,
            valid_sets=[vset],
            valid_names=["validation"],
            callbacks=callbacks,
        )
        curve = np.asarray(record["validation"][metric], dtype="float64")
        best = int(booster.best_iteration) or len(curve)
        if self.early_stopping_rounds is None:
            best = len(curve)
        picks = np.unique(np.linspace(1, len(curve), _CURVE_POINTS).round().astype(int))
        info = {
            "metric": self.early_stopping_metric,
            "patience": self.early_stopping_rounds,
            "cap": int(rounds),
            "rounds_tried": int(len(curve)),
            "rounds_chosen": best,
            "value_at_chosen": float(curve[best - 1]),
            "value_at_first": float(curve[0]),
            "curve": [[int(r), float(curve[r - 1])] for r in picks],
        }
        return booster, info

    def _margin(self, booster: lgb.Booster, X: np.ndarray, rounds: int) -> np.ndarray:
        threads = _lgb_params(self)["num_threads"]
        m = None
        fast = self.raw_predictor_  # fanpin.models.use_predictor
        if fast is not None and booster is self.booster_ and rounds == self.n_rounds_:
            m = fast(X, threads)
        if m is None:
            m = booster.predict(
                X, raw_score=True, num_iteration=rounds, num_threads=threads
            )
        init = self._init(X)
        return m if init is None else m + init

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
            the validation year for early stopping and calibration.
        """
        frame = X if isinstance(X, pd.DataFrame) else None
        self.raw_predictor_ = None  # it predicts the former booster's trees
        X, y = validate_data(self, X, y, ensure_all_finite="allow-nan", dtype="float64")
        y = check_labels(y, "RiskModel")
        self.classes_ = np.array([0, 1])
        years = check_years(years, len(y))
        self.train_years_ = None if years is None else sorted(set(years.tolist()))
        self.monotone_constraints_ = self._resolve_monotone()
        self.offset_ = None
        if self.offset is not None and frame is None:
            raise ValueError(Message(MSG_OFFSET_NAMES))

        needs_validation = (
            self.calibration != "none" or self.early_stopping_rounds is not None
        )
        self.calibrator_, self.calibration_ = None, "none"
        if not needs_validation:
            self._fit_offset(frame, y, np.ones(len(y), dtype=bool))
            self.booster_ = self._train(X, y, self.n_estimators)[0]
            self.n_rounds_ = int(self.n_estimators)
            self.validation_ = {"split": None, "year": None}
            self.validation_scores_ = np.empty(0)
            return self

        val, info = validation_split(
            y, years, fraction=self.validation_fraction, random_state=self.random_state
        )
        self._fit_offset(frame, y, ~val)
        booster, stopping = self._train(
            X[~val], y[~val], self.n_estimators, valid=(X[val], y[val])
        )
        best = stopping["rounds_chosen"]
        raw_val = expit(self._margin(booster, X[val], best))
        counts = np.bincount(y[val], minlength=2)
        scores: dict[str, Any] = {}
        if self.calibration != "none" and counts.min() >= MIN_CALIBRATION_PER_CLASS:
            if self.calibration == "auto":
                method, scores = choose_calibrator(
                    raw_val, y[val], random_state=self.random_state
                )
            else:
                method = self.calibration
            self.calibrator_ = make_calibrator(method).fit(raw_val, y[val])
            self.calibration_ = method
        elif self.calibration != "none":
            logger.warning(
                "the validation rows hold %d fall(s) and %d non-fall(s), fewer than "
                "%d of each: probabilities are left uncalibrated",
                counts[1],
                counts[0],
                MIN_CALIBRATION_PER_CLASS,
            )
            scores = {"skipped": "too few rows of a class to calibrate"}
        p_val = self._calibrate(raw_val)
        self.validation_scores_ = p_val
        self.validation_ = {
            **info,
            "n_rows": int(val.sum()),
            "n_positive": int(counts[1]),
            "scores": scores,
            "early_stopping": stopping,
            **validation_figures(y[val], p_val),
            "refit_full": bool(self.refit_full),
        }
        if self.refit_full:
            rounds = best
            if self.refit_rounds == "scaled":
                rounds = int(round(best * len(y) / max(int((~val).sum()), 1)))
            self._fit_offset(frame, y, np.ones(len(y), dtype=bool))
            self.booster_ = self._train(X, y, max(rounds, 1))[0]
            self.n_rounds_ = max(rounds, 1)
            self.validation_["refit_rounds"] = self.n_rounds_
        else:
            self.booster_, self.n_rounds_ = booster, best
        return self

    def _fit_offset(self, frame: pd.DataFrame | None, y: np.ndarray, rows) -> None:
        if self.offset is None:
            return
        self.offset_ = clone(self.offset).fit(frame.iloc[np.flatnonzero(rows)], y[rows])

    def _calibrate(self, p: np.ndarray) -> np.ndarray:
        if self.calibrator_ is not None:
            p = self.calibrator_.predict(p)
        return np.clip(p, 0.0, 1.0)

    def _check(self, X: Any) -> np.ndarray:
        check_is_fitted(self, "booster_")
        return validate_data(
            self, X, reset=False, ensure_all_finite="allow-nan", dtype="float64"
        )

    def _p(self, X: Any) -> np.ndarray:
        data = self._check(X)
        return self._calibrate(expit(self._margin(self.booster_, data, self.n_rounds_)))

    def decision_function(self, X: Any) -> np.ndarray:
        """Log-odds of the calibrated probability (> 0 where :meth:`predict` is 1).

        The booster's own raw score is :meth:`contributions`' ``raw_score``.
        """
        p = np.clip(self._p(X), 1e-15, 1 - 1e-15)
        return np.log(p / (1 - p))

    def predict_proba(self, X: Any) -> np.ndarray:
        """Calibrated probabilities, shape (n, 2): column 1 is P(fall next year)."""
        p = self._p(X)
        return np.column_stack([1.0 - p, p])

    def predict(self, X: Any) -> np.ndarray:
        """1 where the calibrated probability is above 0.5."""
        return (self._p(X) > 0.5).astype("int64")

    def contributions(self, X: Any) -> Contributions:
        """SHAP values of the raw score (LightGBM's ``pred_contrib``), plus the
        offset's own contributions when there is one."""
        empty = no_rows(self, X)
        if empty is not None:
            return empty
        data = self._check(X)
        index = X.index if isinstance(X, pd.DataFrame) else pd.RangeIndex(len(data))
        contrib = self.booster_.predict(
            data, pred_contrib=True, num_iteration=self.n_rounds_,
            num_threads=_lgb_params(self)["num_threads"],
        )  # fmt: skip
        values = pd.DataFrame(contrib[:, :-1], index=index, columns=self._names())
        base = float(contrib[0, -1]) if len(contrib) else 0.0
        if self.offset_ is not None:
            off = self.offset_.contributions(self._frame(data))
            for c in off.values.columns:
                values[c] = values[c].to_numpy() + off.values[c].to_numpy()
            base += off.base_value
        raw = pd.Series(
            self._margin(self.booster_, data, self.n_rounds_), index=index,
            name="raw_score",
        )  # fmt: skip
        return Contributions(values=values, base_value=base, raw_score=raw)

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.input_tags.allow_nan = True
        tags.classifier_tags.multi_class = False
        return tags
