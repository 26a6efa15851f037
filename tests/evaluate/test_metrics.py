"""Metric functions against scikit-learn and hand computation."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from sklearn.metrics import roc_auc_score, roc_curve

from fanpin.evaluate import (
    classification_metrics,
    expected_calibration_error,
    expected_capture,
    group_metrics,
    ks_statistic,
    temporal_folds,
    top_k_metrics,
    top_n_per_group_metrics,
)

rng = np.random.default_rng(1)
Y = (rng.random(400) < 0.2).astype(int)
S = np.round(Y * 0.3 + rng.random(400), 2)  # ties on purpose


def test_ks_equals_max_tpr_minus_fpr():
    fpr, tpr, _ = roc_curve(Y, S)
    assert ks_statistic(Y, S) == np.max(tpr - fpr)


def test_classification_metrics_match_sklearn():
    m = classification_metrics(Y, S / S.max())
    assert m["auc"] == roc_auc_score(Y, S)
    assert m["n"] == 400 and m["positives"] == Y.sum()
    assert np.isnan(classification_metrics(Y, S, probability=False)["brier"])


def test_ece_by_hand():
    y = np.array([0, 0, 1, 1, 1, 0])
    p = np.array([0.1, 0.2, 0.3, 0.7, 0.8, 0.9])
    # two equal-count bins: {0.1,0.2,0.3} and {0.7,0.8,0.9}
    hand = 0.5 * abs(1 / 3 - 0.2) + 0.5 * abs(2 / 3 - 0.8)
    assert expected_calibration_error(y, p, n_bins=2) == pytest.approx(hand, abs=1e-12)


def test_top_k_by_hand():
    out = top_k_metrics(Y, S, fractions=[0.05])
    k = int(np.ceil(0.05 * len(Y)))
    top = np.argsort(-S, kind="stable")[:k]
    assert out.loc[0, "n_flagged"] == k
    assert out.loc[0, "recall"] == Y[top].sum() / Y.sum()
    assert out.loc[0, "precision"] == Y[top].sum() / k


def test_top_n_per_group_by_hand():
    g = np.array(["a", "b"] * 200)
    m = top_n_per_group_metrics(Y, S, g, 3)
    tp = 0
    for name in ("a", "b"):
        idx = np.flatnonzero(g == name)
        tp += Y[idx[np.argsort(-S[idx], kind="stable")[:3]]].sum()
    assert m["n_flagged"] == 6 and m["recall"] == tp / Y.sum()


def test_expected_capture_oracle_is_best():
    p = rng.random(500) ** 3
    oracle = expected_capture(p, p, [0.05])["expected_capture"].iloc[0]
    noisy = expected_capture(p, p + rng.normal(0, 0.1, 500), [0.05])
    k = int(np.ceil(0.05 * 500))
    assert oracle == np.sort(p)[::-1][:k].sum() / p.sum()
    assert noisy["expected_capture"].iloc[0] <= oracle


def test_temporal_folds_never_train_on_test_or_later():
    for train, test in temporal_folds([2021, 2022, 2023, 2024]):
        assert max(train) < test
    assert temporal_folds([2021, 2022], test_years=[2021]) == []


def test_group_metrics_counts():
    f = pd.DataFrame({"household_type": ["脱贫户", "一般农户"] * 200})
    out = group_metrics(f, Y, S / S.max(), ["household_type", "absent"])
    assert out["n"].sum() == 400 and set(out["column"]) == {"household_type"}
