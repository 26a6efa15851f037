"""Capacity metrics: what a list of fixed size catches (top k %, top n per area)."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd

__all__ = ["expected_capture", "top_k_mask", "top_k_metrics", "top_n_per_group_metrics"]


def top_k_mask(score: np.ndarray, k: int) -> np.ndarray:
    """Bool mask of the ``k`` highest scores (ties by position: earlier first)."""
    s = np.asarray(score, dtype="float64")
    order = np.lexsort((np.arange(len(s)), -s))
    mask = np.zeros(len(s), dtype=bool)
    mask[order[: max(0, int(k))]] = True
    return mask


def _k(fraction: float, n: int) -> int:
    return int(np.ceil(fraction * n))


def top_k_metrics(
    y: np.ndarray, score: np.ndarray, fractions: Sequence[float] = (0.01, 0.05, 0.1)
) -> pd.DataFrame:
    """Recall and precision of the top ``ceil(k * n)`` rows, for each fraction k.

    Examples
    --------
    >>> top_k_metrics([1, 0, 1, 0], [0.9, 0.8, 0.1, 0.0], fractions=[0.5])
       fraction  n_flagged  recall  precision
    0       0.5          2     0.5        0.5
    """
    y = np.asarray(y, dtype="int64")
    rows = []
    for f in fractions:
        m = top_k_mask(score, _k(f, len(y)))
        tp = int(y[m].sum())
        rows.append(
            {
                "fraction": float(f),
                "n_flagged": int(m.sum()),
                "recall": tp / int(y.sum()) if y.sum() else float("nan"),
                "precision": tp / int(m.sum()) if m.sum() else float("nan"),
            }
        )
    return pd.DataFrame(rows)


def top_n_per_group_metrics(
    y: np.ndarray, score: np.ndarray, groups: np.ndarray, n: int
) -> dict[str, float]:
    """Recall and precision when each group (county, township) visits its top ``n``.

    Examples
    --------
    >>> groups = ["a", "a", "b", "b"]
    >>> top_n_per_group_metrics([1, 0, 0, 1], [0.9, 0.1, 0.8, 0.2], groups, 1)
    {'n_flagged': 2, 'recall': 0.5, 'precision': 0.5}
    """
    y = np.asarray(y, dtype="int64")
    s = np.asarray(score, dtype="float64")
    g = pd.Series(np.asarray(groups, dtype=object)).astype(str).to_numpy()
    order = np.lexsort((np.arange(len(s)), -s, g))
    sorted_g = g[order]
    start = np.r_[0, np.flatnonzero(sorted_g[1:] != sorted_g[:-1]) + 1]
    pos_in_group = np.arange(len(s)) - np.repeat(start, np.diff(np.r_[start, len(s)]))
    mask = np.zeros(len(s), dtype=bool)
    mask[order[pos_in_group < n]] = True
    tp = int(y[mask].sum())
    return {
        "n_flagged": int(mask.sum()),
        "recall": tp / int(y.sum()) if y.sum() else float("nan"),
        "precision": tp / int(mask.sum()) if mask.sum() else float("nan"),
    }


def expected_capture(
    p_true: np.ndarray,
    score: np.ndarray,
    fractions: Sequence[float] = (0.01, 0.05, 0.1),
) -> pd.DataFrame:
    """Share of the expected number of falls held by the top k % of a ranking.

    With the true probabilities ``p_true`` (known for simulated data), the expected
    number of falls in the population is ``sum(p_true)``; a list of the top
    ``ceil(k * n)`` by ``score`` holds ``sum(p_true[list])`` of them. The oracle
    (score = p_true) gives the best possible share.

    Examples
    --------
    >>> out = expected_capture([0.5, 0.3, 0.2, 0.0], [1, 2, 3, 4], fractions=[0.5])
    >>> float(out.loc[0, "expected_capture"])
    0.2
    """
    p = np.asarray(p_true, dtype="float64")
    total = p.sum()
    rows = []
    for f in fractions:
        m = top_k_mask(score, _k(f, len(p)))
        rows.append(
            {
                "fraction": float(f),
                "n_flagged": int(m.sum()),
                "expected_capture": float(p[m].sum() / total)
                if total > 0
                else float("nan"),
            }
        )
    return pd.DataFrame(rows)
