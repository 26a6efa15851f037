"""Ranking and probability metrics: AUC, PR-AUC, KS, Brier, calibration error."""

from __future__ import annotations

import numpy as np
from sklearn.metrics import average_precision_score, brier_score_loss, roc_auc_score

__all__ = ["classification_metrics", "expected_calibration_error", "ks_statistic"]


def ks_statistic(y: np.ndarray, score: np.ndarray) -> float:
    """Kolmogorov-Smirnov distance between the scores of positives and negatives.

    Examples
    --------
    >>> ks_statistic([0, 0, 1, 1], [0.1, 0.2, 0.3, 0.4])
    1.0
    """
    y = np.asarray(y, dtype="int64")
    s = np.asarray(score, dtype="float64")
    pos, neg = np.sort(s[y == 1]), np.sort(s[y == 0])
    if len(pos) == 0 or len(neg) == 0:
        return float("nan")
    grid = np.unique(s)
    cdf_pos = np.searchsorted(pos, grid, side="right") / len(pos)
    cdf_neg = np.searchsorted(neg, grid, side="right") / len(neg)
    return float(np.max(np.abs(cdf_pos - cdf_neg)))


def expected_calibration_error(
    y: np.ndarray, p: np.ndarray, *, n_bins: int = 10
) -> float:
    """Expected calibration error over ``n_bins`` equal-count bins of ``p``.

    ECE = sum over bins of (bin size / n) * |mean(y) - mean(p)|. Equal-count
    (quantile) bins suit the skewed probabilities of a rare event.

    Examples
    --------
    >>> expected_calibration_error([0, 1, 0, 1], [0.5, 0.5, 0.5, 0.5], n_bins=2)
    0.0
    """
    y = np.asarray(y, dtype="float64")
    p = np.asarray(p, dtype="float64")
    if len(y) == 0:
        return float("nan")
    order = np.argsort(p, kind="stable")
    total = 0.0
    for idx in np.array_split(order, min(n_bins, len(y))):
        total += len(idx) * abs(y[idx].mean() - p[idx].mean())
    return float(total / len(y))


def classification_metrics(
    y: np.ndarray, score: np.ndarray, *, probability: bool = True, n_bins: int = 10
) -> dict[str, float]:
    """AUC, PR-AUC, KS (any score) and Brier, ECE (probabilities only, else NaN).

    Examples
    --------
    >>> m = classification_metrics([0, 0, 1, 1], [0.1, 0.6, 0.4, 0.9])
    >>> m["auc"], m["n"], m["positives"]
    (0.75, 4, 2)
    """
    y = np.asarray(y, dtype="int64")
    s = np.asarray(score, dtype="float64")
    both = np.unique(y).size == 2
    nan = float("nan")
    return {
        "n": int(len(y)),
        "positives": int(y.sum()),
        "positive_rate": float(y.mean()) if len(y) else nan,
        "mean_score": float(s.mean()) if probability and len(y) else nan,
        "auc": float(roc_auc_score(y, s)) if both else nan,
        "pr_auc": float(average_precision_score(y, s)) if both else nan,
        "ks": ks_statistic(y, s) if both else nan,
        "brier": float(brier_score_loss(y, s, labels=[0, 1])) if probability else nan,
        "ece": expected_calibration_error(y, s, n_bins=n_bins) if probability else nan,
    }
