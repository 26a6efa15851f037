"""Disability and the labour it costs (因残)."""

from __future__ import annotations

from typing import ClassVar

import numpy as np
import pandas as pd

from ._base import BaseFeatureBuilder, feature_frame
from ._panel import PanelView, safe_div

__all__ = ["DisabilityFeatures"]


def increase(values: np.ndarray, X: PanelView) -> np.ndarray:
    """Rise since year t-1, floored at 0 (NaN without a record in t-1)."""
    return np.maximum(X.diff(values), 0.0)


class DisabilityFeatures(BaseFeatureBuilder):
    """Disability features (因残).

    Features (prefix ``disability__``):

    - ``disabled_count``, ``disabled_share`` (per member);
      ``severe_count``, ``severe_share`` (grade 1-2; NaN when
      ``severe_disabled_count`` is missing).
    - ``newly_disabled``, ``newly_severe``: rise in the count since year t-1,
      floored at 0 (NaN without a record in t-1).
    - ``labour_drop``: fall in ``labor_count`` since year t-1, floored at 0
      (NaN without a record in t-1).
    - ``disabled_working_age``: a lower bound on disabled members of working
      age, ``max(0, disabled - elderly - children)`` (NaN when the elderly or
      children counts are missing).
    - ``disabled_per_labourer``: disabled members per labourer (NaN with no
      labour).

    Examples
    --------
    >>> import pandas as pd
    >>> panel = pd.DataFrame({
    ...     "household_id": ["a", "a"], "year": [2022, 2023],
    ...     "household_size": [4, 4], "labor_count": [2, 1],
    ...     "disabled_count": [0, 1]})
    >>> out = DisabilityFeatures().fit_transform(panel)
    >>> out["disability__newly_disabled"].tolist()
    [nan, 1.0]
    >>> out["disability__labour_drop"].tolist()
    [nan, 1.0]
    """

    domain: ClassVar[str] = "disability"
    required_columns: ClassVar[tuple[str, ...]] = (
        "household_size",
        "labor_count",
        "disabled_count",
    )
    features: ClassVar[tuple[str, ...]] = (
        "disabled_count",
        "disabled_share",
        "severe_count",
        "severe_share",
        "newly_disabled",
        "newly_severe",
        "labour_drop",
        "disabled_working_age",
        "disabled_per_labourer",
        "ever_disabled",
    )

    def __init__(self) -> None:
        pass

    def _compute(self, X: PanelView) -> pd.DataFrame:
        size = X.num("household_size")
        labour = X.num("labor_count")
        disabled = X.num("disabled_count")
        severe = X.num("severe_disabled_count")
        working_age = np.maximum(
            disabled - X.num("elderly_count") - X.num("children_count"), 0.0
        )
        return feature_frame(
            X,
            {
                "disabled_count": disabled,
                "disabled_share": safe_div(disabled, size),
                "severe_count": severe,
                "severe_share": safe_div(severe, size),
                "newly_disabled": increase(disabled, X),
                "newly_severe": increase(severe, X),
                "labour_drop": np.maximum(-X.diff(labour), 0.0),
                "disabled_working_age": working_age,
                "disabled_per_labourer": safe_div(disabled, labour),
                "ever_disabled": X.expanding_max(
                    np.where(np.isnan(disabled), np.nan, disabled > 0)
                ),
            },
        )
