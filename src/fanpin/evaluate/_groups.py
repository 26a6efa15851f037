"""Metrics broken down by group (province, household type, ethnic minority)."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd

from ._capacity import top_k_mask
from ._metrics import classification_metrics

__all__ = ["group_metrics"]


def group_metrics(
    frame: pd.DataFrame,
    y: np.ndarray,
    score: np.ndarray,
    columns: Sequence[str] = ("province", "household_type", "ethnic_minority"),
    *,
    probability: bool = True,
    fraction: float = 0.05,
) -> pd.DataFrame:
    """Per-group metrics; the list is the top ``fraction`` of the whole population.

    Columns: ``column``, ``group``, the :func:`classification_metrics` of the
    group, ``flagged_share`` (share of the group on the list) and
    ``recall_in_list`` (share of the group's positives on the list). Missing
    group values form the group ``<NA>``; absent columns are skipped.

    Examples
    --------
    >>> import pandas as pd
    >>> f = pd.DataFrame({"province": ["a", "a", "b", "b"]})
    >>> out = group_metrics(f, [1, 0, 1, 0], [0.9, 0.1, 0.2, 0.3], ["province"],
    ...                     fraction=0.25)
    >>> out[["group", "n", "recall_in_list"]].to_dict("list")
    {'group': ['a', 'b'], 'n': [2, 2], 'recall_in_list': [1.0, 0.0]}
    """
    y = np.asarray(y, dtype="int64")
    s = np.asarray(score, dtype="float64")
    flagged = top_k_mask(s, int(np.ceil(fraction * len(s))))
    rows = []
    for col in columns:
        if col not in frame:
            continue
        values = frame[col].astype("string").fillna("<NA>").to_numpy(dtype=object)
        for g in sorted(set(values.tolist())):
            m = values == g
            pos = int(y[m].sum())
            rows.append(
                {
                    "column": col,
                    "group": g,
                    **classification_metrics(y[m], s[m], probability=probability),
                    "flagged_share": float(flagged[m].mean()),
                    "recall_in_list": (
                        float((flagged[m] & (y[m] == 1)).sum() / pos) if pos else np.nan
                    ),
                }
            )
    return pd.DataFrame(rows)
