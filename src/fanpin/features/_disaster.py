"""Natural-disaster losses and local exposure (因灾)."""

from __future__ import annotations

from typing import ClassVar

import numpy as np
import pandas as pd

from ._base import BaseFeatureBuilder, feature_frame
from ._panel import PanelView, safe_div

__all__ = ["DisasterFeatures"]

DISASTER_TYPES = {
    "flood": "洪涝",
    "drought": "干旱",
    "quake_geological": "地震地质",
    "hail_wind": "风雹",
    "other_type": "其他",
}
"""Feature suffix -> ``disaster_type`` value (``无`` means none: all flags 0)."""


class DisasterFeatures(BaseFeatureBuilder):
    """Natural-disaster features (因灾).

    Features (prefix ``disaster__``):

    - ``loss`` (yuan), ``loss_per_capita``, ``loss_to_income`` (over gross
      income, NaN when that is 0), ``hit`` (loss > 0).
    - ``hit_last_year``: loss > 0 in year t-1 (NaN without a record in t-1).
    - ``type_flood``, ``type_drought``, ``type_quake_geological``,
      ``type_hail_wind``, ``type_other_type``: one flag per ``disaster_type``
      value (``无`` gives all 0; missing type gives NaN).
    - ``county_exposure``, ``village_exposure``: share of the households of the
      same county (province x county) or village (province x county x village)
      hit in the same year, computed from the panel passed to ``transform``.

    Examples
    --------
    >>> import pandas as pd
    >>> panel = pd.DataFrame({
    ...     "household_id": ["a", "b", "c", "d"], "year": [2023] * 4,
    ...     "province": ["P"] * 4, "county": ["C", "C", "C", "D"],
    ...     "village": ["v", "v", "w", "x"], "household_size": [2] * 4,
    ...     "disaster_loss": [1000.0, 0.0, 0.0, 500.0],
    ...     "income_wage": [10000.0] * 4, "income_business": [0.0] * 4,
    ...     "income_transfer": [0.0] * 4})
    >>> out = DisasterFeatures().fit_transform(panel)
    >>> out["disaster__county_exposure"].round(3).tolist()
    [0.333, 0.333, 0.333, 1.0]
    """

    domain: ClassVar[str] = "disaster"
    required_columns: ClassVar[tuple[str, ...]] = (
        "province",
        "county",
        "village",
        "household_size",
        "disaster_loss",
        "income_wage",
        "income_business",
        "income_transfer",
    )
    features: ClassVar[tuple[str, ...]] = (
        "loss",
        "loss_per_capita",
        "loss_to_income",
        "hit",
        "hit_last_year",
        *(f"type_{k}" for k in DISASTER_TYPES),
        "county_exposure",
        "village_exposure",
        "hit_years_share",
        "county_hit_history",
        "county_disaster_years_share",
    )

    def __init__(self) -> None:
        pass

    def _compute(self, X: PanelView) -> pd.DataFrame:
        loss = X.num("disaster_loss")
        hit = (loss > 0).astype("float64")
        hit[np.isnan(loss)] = np.nan
        cols = {
            "loss": loss,
            "loss_per_capita": safe_div(loss, X.num("household_size")),
            "loss_to_income": safe_div(loss, X.gross_income()),
            "hit": hit,
            "hit_last_year": X.lag(hit),
        }
        for key, value in DISASTER_TYPES.items():
            cols[f"type_{key}"] = X.equals("disaster_type", value)
        cols["county_exposure"] = X.group_mean(hit, by=("province", "county", "year"))
        cols["village_exposure"] = X.group_mean(
            hit, by=("province", "county", "village", "year")
        )
        county = ("province", "county")
        hit_county = (cols["county_exposure"] > 0).astype("float64")
        hit_county[np.isnan(cols["county_exposure"])] = np.nan
        cols["hit_years_share"] = X.expanding_mean(hit)
        cols["county_hit_history"] = X.group_history_mean(hit, by=county)
        cols["county_disaster_years_share"] = X.group_history_mean(
            hit_county, by=county
        )
        return feature_frame(X, cols)
