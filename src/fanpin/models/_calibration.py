"""Probability calibrators and the honest choice between them on a validation year."""

from __future__ import annotations

import numpy as np
from sklearn.isotonic import IsotonicRegression
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import brier_score_loss, log_loss
from sklearn.model_selection import StratifiedKFold

__all__ = ["PlattCalibrator", "choose_calibrator", "make_calibrator"]

_EPS = 1e-6
_TIE_BREAK = 1e-6


def _logit(p: np.ndarray) -> np.ndarray:
    p = np.clip(np.asarray(p, dtype="float64"), _EPS, 1 - _EPS)
    return np.log(p / (1 - p))


class PlattCalibrator:
    """Sigmoid (Platt) calibration on the logit of the raw score."""

    def fit(self, raw: np.ndarray, y: np.ndarray) -> PlattCalibrator:
        self.lr_ = LogisticRegression(C=1e6, max_iter=1000)
        self.lr_.fit(_logit(raw).reshape(-1, 1), y)
        return self

    def predict(self, raw: np.ndarray) -> np.ndarray:
        return self.lr_.predict_proba(_logit(raw).reshape(-1, 1))[:, 1]


class IsotonicCalibrator:
    """Isotonic calibration of the raw score, clipped to [0, 1], ties broken by raw."""

    def fit(self, raw: np.ndarray, y: np.ndarray) -> IsotonicCalibrator:
        self.iso_ = IsotonicRegression(y_min=0.0, y_max=1.0, out_of_bounds="clip")
        self.iso_.fit(np.asarray(raw, dtype="float64"), y)
        return self

    def predict(self, raw: np.ndarray) -> np.ndarray:
        # A tiny increasing term keeps the raw order inside isotonic plateaus
        # (ties would blur the top of the list); it moves probabilities < 1e-6.
        raw = np.asarray(raw, dtype="float64")
        return np.clip(self.iso_.predict(raw) + _TIE_BREAK * raw, 0.0, 1.0)


def make_calibrator(method: str) -> PlattCalibrator | IsotonicCalibrator:
    """A fresh calibrator: ``isotonic`` or ``sigmoid``."""
    return IsotonicCalibrator() if method == "isotonic" else PlattCalibrator()


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
