"""Evaluation: temporal backtests, ranking and calibration metrics, capacity metrics
(top k %, top n per area), expected capture against the oracle, group breakdowns.
Every function returns DataFrames or dicts; nothing prints or plots.

Examples
--------
>>> import numpy as np
>>> m = classification_metrics(np.array([0, 1, 0, 1]), np.array([0.1, 0.9, 0.2, 0.7]))
>>> float(m["auc"])
1.0
"""

from ._backtest import BacktestResult, TemporalSplit, backtest, temporal_folds
from ._capacity import (
    expected_capture,
    top_k_mask,
    top_k_metrics,
    top_n_per_group_metrics,
)
from ._groups import group_metrics
from ._metrics import classification_metrics, expected_calibration_error, ks_statistic

__all__ = [
    "BacktestResult",
    "TemporalSplit",
    "backtest",
    "classification_metrics",
    "expected_calibration_error",
    "expected_capture",
    "group_metrics",
    "ks_statistic",
    "temporal_folds",
    "top_k_mask",
    "top_k_metrics",
    "top_n_per_group_metrics",
]

from ._tuning import DEFAULT_SEARCH_SPACE, TuningResult, tune_model  # noqa: E402

__all__ += ["DEFAULT_SEARCH_SPACE", "TuningResult", "tune_model"]
