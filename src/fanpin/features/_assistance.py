"""Assistance received (帮扶措施) and policy status."""

from __future__ import annotations

from typing import ClassVar

import numpy as np
import pandas as pd

from ._base import BaseFeatureBuilder, feature_frame
from ._housing_water import newly
from ._panel import PanelView, safe_div

__all__ = ["AssistanceFeatures"]

SUDDEN = "突发严重困难户"

MEASURES = ("dibao", "tekun", "welfare_job", "industry_support", "relocated")
"""Optional bool columns counted as assistance measures."""


def _monitoring(X: PanelView) -> tuple[np.ndarray, np.ndarray]:
    """Monitored (any category) and 突发严重困难户 flags from ``monitor_category``.

    An empty category means not monitored (0) when the column holds any value
    in the panel; an absent or all-empty column gives NaN.
    """
    if not X.has("monitor_category"):
        return np.full(X.n, np.nan), np.full(X.n, np.nan)
    codes, values = X.codes("monitor_category")
    named = np.array([v != "" for v in values] + [False])
    monitored = named[codes].astype("float64")
    sudden = np.nan_to_num(X.equals("monitor_category", SUDDEN), nan=0.0)
    return monitored, sudden


class AssistanceFeatures(BaseFeatureBuilder):
    """Assistance features (低保, 特困, 公益岗位, 产业帮扶, 搬迁, 小额信贷).

    Features (prefix ``assistance__``):

    - ``dibao``, ``tekun``, ``welfare_job``, ``industry_support``,
      ``relocated``: 0/1 flags, NaN where the column is missing.
    - ``n_measures``: how many of those five the household has (missing
      counted as 0; NaN only when all five are missing).
    - ``microcredit_balance`` (yuan) and ``microcredit_to_income`` (over gross
      income, NaN when that is 0).
    - ``newly_dibao``: on 低保 now and not in year t-1; ``dibao_exit``: on 低保
      in year t-1 and not now (NaN without a record in t-1).
    - ``lifted_household``: household_type is 脱贫户 (lifted out of poverty).

    Examples
    --------
    >>> import pandas as pd
    >>> panel = pd.DataFrame({
    ...     "household_id": ["a", "a"], "year": [2022, 2023],
    ...     "household_type": ["脱贫户", "脱贫户"], "income_wage": [9000.0, 9000.0],
    ...     "income_business": [0.0, 0.0], "income_transfer": [1000.0, 1000.0],
    ...     "dibao": [False, True], "microcredit_balance": [0.0, 5000.0]})
    >>> out = AssistanceFeatures().fit_transform(panel)
    >>> out["assistance__newly_dibao"].tolist()
    [nan, 1.0]
    >>> out["assistance__microcredit_to_income"].tolist()
    [0.0, 0.5]
    """

    domain: ClassVar[str] = "assistance"
    required_columns: ClassVar[tuple[str, ...]] = (
        "household_type",
        "income_wage",
        "income_business",
        "income_transfer",
    )
    features: ClassVar[tuple[str, ...]] = (
        *MEASURES,
        "n_measures",
        "microcredit_balance",
        "microcredit_to_income",
        "newly_dibao",
        "dibao_exit",
        "lifted_household",
        "monitored",
        "monitor_sudden",
        "newly_monitored",
        "monitored_years_share",
    )

    def __init__(self) -> None:
        pass

    def _compute(self, X: PanelView) -> pd.DataFrame:
        flags = {m: X.num(m) for m in MEASURES}
        stacked = np.column_stack(list(flags.values()))
        all_missing = np.isnan(stacked).all(axis=1)
        n_measures = np.where(all_missing, np.nan, np.nansum(stacked, axis=1))
        credit = X.num("microcredit_balance")
        dibao = flags["dibao"]
        lifted = X.equals("household_type", "脱贫户")
        monitored, sudden = _monitoring(X)
        return feature_frame(
            X,
            {
                **flags,
                "n_measures": n_measures,
                "microcredit_balance": credit,
                "microcredit_to_income": safe_div(credit, X.gross_income()),
                "newly_dibao": newly(dibao, X),
                "dibao_exit": newly(1.0 - dibao, X),
                "lifted_household": lifted,
                "monitored": monitored,
                "monitor_sudden": sudden,
                "newly_monitored": newly(monitored, X),
                "monitored_years_share": X.expanding_mean(monitored),
            },
        )
