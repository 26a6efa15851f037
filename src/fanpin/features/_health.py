"""Illness and medical spending (因病)."""

from __future__ import annotations

from numbers import Real
from typing import ClassVar

import numpy as np
import pandas as pd

from .._compat import Interval, StrOptions
from ._base import BaseFeatureBuilder, feature_frame
from ._panel import PanelView, safe_div

__all__ = ["HealthFeatures"]


def _flag(cond: np.ndarray, value: np.ndarray | None = None) -> np.ndarray:
    """``cond`` as 0/1, NaN where ``value`` (or ``cond``'s inputs) is missing."""
    out = np.asarray(cond, dtype="float64")
    if value is not None:
        out[np.isnan(value)] = np.nan
    return out


class HealthFeatures(BaseFeatureBuilder):
    """Illness and medical-cost features (因病).

    Features (prefix ``health__``):

    - ``chronic_count``, ``serious_count``; ``chronic_share``,
      ``serious_share`` (per household member).
    - ``medical_total``, ``medical_oop`` (yuan); ``oop_per_capita``;
      ``oop_share_of_income`` (over gross income, NaN when that is 0);
      ``reimbursed_share`` (1 - oop / total, NaN when total is 0).
    - ``oop_to_local_income`` and ``above_serious_threshold``: the yearly
      out-of-pocket cost over, and above, the serious-illness insurance
      threshold (大病保险起付线: yearly out-of-pocket above the local
      per-capita disposable income). See ``serious_illness_threshold``.
    - ``oop_change``, ``chronic_change``, ``serious_change``: change since year
      t-1 (NaN without a record in t-1).
    - ``uninsured``: 1 when not every member has basic medical insurance
      (``medical_insured`` false); NaN when that column is missing.

    Parameters
    ----------
    serious_illness_threshold : float >= 0 or "county_mean", default="county_mean"
        Local per-capita disposable income, in yuan. ``"county_mean"`` uses a
        proxy computed from the panel passed to ``transform``: the mean
        per-capita net income of the households of the same county
        (province x county) in the same year.

    Examples
    --------
    >>> import pandas as pd
    >>> panel = pd.DataFrame({
    ...     "household_id": ["a", "b"], "year": [2023, 2023],
    ...     "province": ["P", "P"], "county": ["C", "C"], "household_size": [2, 2],
    ...     "chronic_ill_count": [1, 0], "serious_ill_count": [1, 0],
    ...     "medical_cost_total": [30000.0, 0.0], "medical_cost_oop": [9000.0, 0.0],
    ...     "income_wage": [8000.0, 16000.0], "income_business": [0.0, 0.0],
    ...     "income_transfer": [0.0, 0.0]})
    >>> out = HealthFeatures().fit_transform(panel)
    >>> out["health__oop_to_local_income"].tolist()  # county mean pc income 6000
    [1.5, 0.0]
    >>> out["health__above_serious_threshold"].tolist()
    [1.0, 0.0]
    """

    domain: ClassVar[str] = "health"
    required_columns: ClassVar[tuple[str, ...]] = (
        "province",
        "county",
        "household_size",
        "chronic_ill_count",
        "serious_ill_count",
        "medical_cost_total",
        "medical_cost_oop",
        "income_wage",
        "income_business",
        "income_transfer",
    )
    features: ClassVar[tuple[str, ...]] = (
        "chronic_count",
        "serious_count",
        "chronic_share",
        "serious_share",
        "medical_total",
        "medical_oop",
        "oop_per_capita",
        "oop_share_of_income",
        "reimbursed_share",
        "oop_to_local_income",
        "above_serious_threshold",
        "oop_change",
        "chronic_change",
        "serious_change",
        "uninsured",
        "ill_years_share",
        "serious_years_share",
        "mean_oop_share",
    )
    _parameter_constraints: ClassVar[dict] = {
        "serious_illness_threshold": [
            Interval(Real, 0, None, closed="left"),
            StrOptions({"county_mean"}),
        ],
    }

    def __init__(self, *, serious_illness_threshold: float | str = "county_mean"):
        self.serious_illness_threshold = serious_illness_threshold

    def _local_income(self, X: PanelView) -> np.ndarray:
        if isinstance(self.serious_illness_threshold, str):
            pc = safe_div(X.total_income(), X.num("household_size"))
            return X.group_mean(pc, by=("province", "county", "year"))
        return np.full(X.n, float(self.serious_illness_threshold))

    def _compute(self, X: PanelView) -> pd.DataFrame:
        size = X.num("household_size")
        chronic = X.num("chronic_ill_count")
        serious = X.num("serious_ill_count")
        total = X.num("medical_cost_total")
        oop = X.num("medical_cost_oop")
        local = self._local_income(X)
        above = (oop > local).astype("float64")
        above[np.isnan(oop) | np.isnan(local)] = np.nan
        return feature_frame(
            X,
            {
                "chronic_count": chronic,
                "serious_count": serious,
                "chronic_share": safe_div(chronic, size),
                "serious_share": safe_div(serious, size),
                "medical_total": total,
                "medical_oop": oop,
                "oop_per_capita": safe_div(oop, size),
                "oop_share_of_income": safe_div(oop, X.gross_income()),
                "reimbursed_share": 1.0 - safe_div(oop, total),
                "oop_to_local_income": safe_div(oop, local),
                "above_serious_threshold": above,
                "oop_change": X.diff(oop),
                "chronic_change": X.diff(chronic),
                "serious_change": X.diff(serious),
                "uninsured": 1.0 - X.num("medical_insured"),
                "ill_years_share": X.expanding_mean(_flag(chronic + serious > 0)),
                "serious_years_share": X.expanding_mean(_flag(serious > 0, serious)),
                "mean_oop_share": X.expanding_mean(
                    safe_div(oop, X.gross_income())
                ),
            },
        )
