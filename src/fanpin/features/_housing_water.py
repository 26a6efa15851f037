"""Housing safety and drinking water (住房安全 / 饮水安全)."""

from __future__ import annotations

from typing import ClassVar

import numpy as np
import pandas as pd

from ._base import BaseFeatureBuilder, feature_frame
from ._panel import PanelView

__all__ = ["HousingWaterFeatures"]


def newly(flag: np.ndarray, X: PanelView) -> np.ndarray:
    """1 where ``flag`` is 1 now and was 0 in year t-1 (NaN without t-1)."""
    last = X.lag(flag)
    out = ((flag == 1) & (last == 0)).astype("float64")
    out[np.isnan(flag) | np.isnan(last)] = np.nan
    return out


class HousingWaterFeatures(BaseFeatureBuilder):
    """Housing and drinking-water features (住房安全 / 饮水安全).

    Features (prefix ``housing_water__``):

    - ``housing_unsafe``, ``water_unsafe``, ``any_unsafe``.
    - ``newly_unsafe_housing``, ``newly_unsafe_water``: unsafe now and safe in
      year t-1 (NaN without a record in t-1).
    - ``past_unsafe_years``: number of the household's years <= t, excluding t, in
      which housing or water was unsafe (0 for a first year).

    Examples
    --------
    >>> import pandas as pd
    >>> panel = pd.DataFrame({
    ...     "household_id": ["a", "a"], "year": [2022, 2023],
    ...     "housing_safe": [True, False], "water_safe": [True, True]})
    >>> out = HousingWaterFeatures().fit_transform(panel)
    >>> out["housing_water__newly_unsafe_housing"].tolist()
    [nan, 1.0]
    """

    domain: ClassVar[str] = "housing_water"
    required_columns: ClassVar[tuple[str, ...]] = ("housing_safe", "water_safe")
    features: ClassVar[tuple[str, ...]] = (
        "housing_unsafe",
        "water_unsafe",
        "any_unsafe",
        "newly_unsafe_housing",
        "newly_unsafe_water",
        "past_unsafe_years",
        "unsafe_housing_years_share",
        "unsafe_water_years_share",
    )

    def __init__(self) -> None:
        pass

    def _compute(self, X: PanelView) -> pd.DataFrame:
        housing = 1.0 - X.num("housing_safe")
        water = 1.0 - X.num("water_safe")
        any_unsafe = np.fmax(housing, water)
        past = X.expanding_sum(np.nan_to_num(any_unsafe, nan=0.0)) - np.nan_to_num(
            any_unsafe, nan=0.0
        )
        return feature_frame(
            X,
            {
                "housing_unsafe": housing,
                "water_unsafe": water,
                "any_unsafe": any_unsafe,
                "newly_unsafe_housing": newly(housing, X),
                "newly_unsafe_water": newly(water, X),
                "past_unsafe_years": past,
                "unsafe_housing_years_share": X.expanding_mean(housing),
                "unsafe_water_years_share": X.expanding_mean(water),
            },
        )
