"""Labour capacity and demography (因缺劳动力)."""

from __future__ import annotations

from typing import ClassVar

import numpy as np
import pandas as pd

from ._base import BaseFeatureBuilder, feature_frame
from ._panel import PanelView, safe_div

__all__ = ["LabourFeatures"]

HEAD_EDUCATION_LEVELS = {"文盲": 0, "小学": 1, "初中": 2, "高中": 3, "大专及以上": 4}
"""Ordinal code of the head's schooling (``head_education``)."""


def _flag(cond: np.ndarray, *inputs: np.ndarray) -> np.ndarray:
    out = cond.astype("float64")
    for a in inputs:
        out[np.isnan(a)] = np.nan
    return out


class LabourFeatures(BaseFeatureBuilder):
    """Labour and demography features (因缺劳动力).

    Features (prefix ``labour__``):

    - ``household_size``, ``labour_count``, ``labour_per_head``,
      ``no_labour`` (no member able to work).
    - ``dependency_ratio``: non-labourers per labourer (NaN with no labour;
      see ``no_labour``).
    - ``elderly_count``, ``children_count``, ``elderly_share``,
      ``elderly_only`` (every member is 65 or older), from the optional
      counts (NaN where missing).
    - ``head_age``, ``head_elderly`` (head 65+), ``head_education`` (ordinal:
      文盲 0, 小学 1, 初中 2, 高中 3, 大专及以上 4); NaN where missing.
    - ``ethnic_minority`` (NaN where missing).
    - ``size_change``, ``labour_change``: change since year t-1 (NaN without a
      record in t-1).

    Examples
    --------
    >>> import pandas as pd
    >>> panel = pd.DataFrame({
    ...     "household_id": ["a", "b"], "year": [2023, 2023],
    ...     "household_size": [4, 2], "labor_count": [2, 0],
    ...     "elderly_count": [0, 2], "head_education": ["初中", None]})
    >>> out = LabourFeatures().fit_transform(panel)
    >>> out["labour__dependency_ratio"].tolist()
    [1.0, nan]
    >>> out["labour__elderly_only"].tolist()
    [0.0, 1.0]
    >>> out["labour__head_education"].tolist()
    [2.0, nan]
    """

    domain: ClassVar[str] = "labour"
    required_columns: ClassVar[tuple[str, ...]] = ("household_size", "labor_count")
    features: ClassVar[tuple[str, ...]] = (
        "household_size",
        "labour_count",
        "labour_per_head",
        "no_labour",
        "dependency_ratio",
        "elderly_count",
        "children_count",
        "elderly_share",
        "elderly_only",
        "head_age",
        "head_elderly",
        "head_education",
        "ethnic_minority",
        "size_change",
        "labour_change",
        "migrant_change",
        "migrant_drop",
        "migrant_drop_years_share",
    )

    def __init__(self) -> None:
        pass

    def _compute(self, X: PanelView) -> pd.DataFrame:
        size = X.num("household_size")
        labour = X.num("labor_count")
        elderly = X.num("elderly_count")
        age = X.num("head_age")
        migrant_change = X.diff(X.num("migrant_workers"))
        migrant_drop = _flag(migrant_change < 0, migrant_change)
        return feature_frame(
            X,
            {
                "household_size": size,
                "labour_count": labour,
                "labour_per_head": safe_div(labour, size),
                "no_labour": _flag(labour == 0, labour),
                "dependency_ratio": safe_div(size - labour, labour),
                "elderly_count": elderly,
                "children_count": X.num("children_count"),
                "elderly_share": safe_div(elderly, size),
                "elderly_only": _flag(elderly >= size, elderly, size),
                "head_age": age,
                "head_elderly": _flag(age >= 65, age),
                "head_education": X.map_values("head_education", HEAD_EDUCATION_LEVELS),
                "ethnic_minority": X.num("ethnic_minority"),
                "size_change": X.diff(size),
                "labour_change": X.diff(labour),
                "migrant_change": migrant_change,
                "migrant_drop": migrant_drop,
                "migrant_drop_years_share": X.expanding_mean(migrant_drop),
            },
        )
