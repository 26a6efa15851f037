"""Accidents (因意外事故)."""

from __future__ import annotations

from typing import ClassVar

import numpy as np
import pandas as pd

from ._base import BaseFeatureBuilder, feature_frame
from ._panel import PanelView, safe_div

__all__ = ["AccidentFeatures"]


class AccidentFeatures(BaseFeatureBuilder):
    """Accident features (因意外事故).

    All come from the optional ``accident_count`` (accidents, in person-times,
    during the year) and are NaN where it is missing.

    Features (prefix ``accident__``):

    - ``accident_count``, ``has_accident``, ``accidents_per_capita``.
    - ``new_accident``: accidents this year after none in year t-1 (NaN
      without a record in t-1).
    - ``accident_last_year``: the count in year t-1.

    Examples
    --------
    >>> import pandas as pd
    >>> panel = pd.DataFrame({
    ...     "household_id": ["a", "a", "a"], "year": [2021, 2022, 2023],
    ...     "household_size": [2, 2, 2], "accident_count": [0, 1, 1]})
    >>> AccidentFeatures().fit_transform(panel)["accident__new_accident"].tolist()
    [nan, 1.0, 0.0]
    """

    domain: ClassVar[str] = "accident"
    required_columns: ClassVar[tuple[str, ...]] = ("household_size",)
    features: ClassVar[tuple[str, ...]] = (
        "accident_count",
        "has_accident",
        "accidents_per_capita",
        "new_accident",
        "accident_last_year",
    )

    def __init__(self) -> None:
        pass

    def _compute(self, X: PanelView) -> pd.DataFrame:
        count = X.num("accident_count")
        has = (count > 0).astype("float64")
        has[np.isnan(count)] = np.nan
        last = X.lag(count)
        new = ((count > 0) & (last == 0)).astype("float64")
        new[np.isnan(count) | np.isnan(last)] = np.nan
        return feature_frame(
            X,
            {
                "accident_count": count,
                "has_accident": has,
                "accidents_per_capita": safe_div(count, X.num("household_size")),
                "new_accident": new,
                "accident_last_year": last,
            },
        )
