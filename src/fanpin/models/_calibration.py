"""Probability calibrators and the honest choice between them on a validation year.

Both calibrators predict with plain NumPy from a few numbers (a slope and an
intercept; the isotonic steps), so a saved model stores them as JSON and a loaded
one gives the same probabilities to the last bit.
"""

from __future__ import annotations

from typing import Any

import numpy as np
from scipy.special import expit
from sklearn.isotonic import IsotonicRegression
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import brier_score_loss, log_loss
from sklearn.model_selection import StratifiedKFold

__all__ = [
    "IsotonicCalibrator",
    "PlattCalibrator",
    "calibrator_from_state",
    "choose_calibrator",
    "make_calibrator",
]

_EPS = 1e-6
_TIE_BREAK = 1e-6


def _logit(p: np.ndarray) -> np.ndarray:
    p = np.clip(np.asarray(p, dtype="float64"), _EPS, 1 - _EPS)
    return np.log(p / (1 - p))


class PlattCalibrator:
    """Sigmoid (Platt) calibration on the logit of the raw score."""

    method = "sigmoid"

    def fit(self, raw: np.ndarray, y: np.ndarray) -> PlattCalibrator:
        lr = LogisticRegression(C=1e6, max_iter=1000)
        lr.fit(_logit(raw).reshape(-1, 1), y)
        self.slope_ = float(lr.coef_[0, 0])
        self.intercept_ = float(lr.intercept_[0])
        return self

    def predict(self, raw: np.ndarray) -> np.ndarray:
        return expit(self.intercept_ + self.slope_ * _logit(raw))

    def state(self) -> dict[str, Any]:
        return {
            "method": self.method,
            "slope": self.slope_,
            "intercept": self.intercept_,
        }


class IsotonicCalibrator:
    """Isotonic calibration of the raw score, clipped to [0, 1], ties broken by raw."""

    method = "isotonic"

    def fit(self, raw: np.ndarray, y: np.ndarray) -> IsotonicCalibrator:
        iso = IsotonicRegression(y_min=0.0, y_max=1.0, out_of_bounds="clip")
        iso.fit(np.asarray(raw, dtype="float64"), y)
        self.x_ = np.asarray(iso.X_thresholds_, dtype="float64")
        self.y_ = np.asarray(iso.y_thresholds_, dtype="float64")
        return self

    def predict(self, raw: np.ndarray) -> np.ndarray:
        # Linear between the steps, flat outside (as IsotonicRegression with
        # out_of_bounds="clip"). A tiny increasing term keeps the raw order inside
        # isotonic plateaus (ties would blur the top of the list); it moves
        # probabilities < 1e-6.
        raw = np.asarray(raw, dtype="float64")
        return np.clip(np.interp(raw, self.x_, self.y_) + _TIE_BREAK * raw, 0.0, 1.0)

    def state(self) -> dict[str, Any]:
        return {"method": self.method, "x": self.x_.tolist(), "y": self.y_.tolist()}


def make_calibrator(method: str) -> PlattCalibrator | IsotonicCalibrator:
    """A fresh calibrator: ``isotonic`` or ``sigmoid``."""
    return IsotonicCalibrator() if method == "isotonic" else PlattCalibrator()


def calibrator_from_state(
    state: dict[str, Any],
) -> PlattCalibrator | IsotonicCalibrator:
    """A fitted calibrator from its :meth:`state` (as saved in a model file)."""
    if state["method"] == "isotonic":
        iso = IsotonicCalibrator()
        iso.x_ = np.asarray(state["x"], dtype="float64")
        iso.y_ = np.asarray(state["y"], dtype="float64")
        if iso.x_.ndim != 1 or iso.x_.shape != iso.y_.shape or not len(iso.x_):
            raise ValueError("isotonic steps of different lengths")
        return iso
    if state["method"] == "sigmoid":
        platt = PlattCalibrator()
        platt.slope_ = float(state["slope"])
        platt.intercept_ = float(state["intercept"])
        return platt
    raise ValueError(f"unknown calibration method {state['method']!r}")


def choose_calibrator(
    raw: np.ndarray, y: np.ndarray, *, random_state: int = 0, n_splits: int = 5
) -> tuple[str, dict[str, dict[str, float]]]:
    """Pick isotonic or sigmoid by cross-validated Brier score on validation rows.

    Each calibrator is fitted on ``n_splits - 1`` folds of the validation rows and
    scored on the held-out fold (scoring a calibrator on the rows it was fitted on
    would always favour isotonic). Ties are broken by log-loss, then sigmoid.

    Returns the chosen method and the out-of-fold ``brier``/``log_loss`` of each.
    """
    raw = np.asarray(raw, dtype="float64")
    y = np.asarray(y, dtype="int64")
    n_splits = int(max(2, min(n_splits, np.bincount(y, minlength=2).min())))
    cv = StratifiedKFold(n_splits=n_splits, shuffle=True, random_state=random_state)
    scores: dict[str, dict[str, float]] = {}
    for method in ("sigmoid", "isotonic"):
        oof = np.empty(len(y))
        for tr, te in cv.split(raw.reshape(-1, 1), y):
            oof[te] = make_calibrator(method).fit(raw[tr], y[tr]).predict(raw[te])
        scores[method] = {
            "brier": float(brier_score_loss(y, oof)),
            "log_loss": float(log_loss(y, np.clip(oof, _EPS, 1 - _EPS), labels=[0, 1])),
        }
    best = min(scores, key=lambda m: (scores[m]["brier"], scores[m]["log_loss"]))
    return best, scores
