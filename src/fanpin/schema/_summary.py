"""A per-year summary of a panel: households, hardship and its reasons."""

from __future__ import annotations

import pandas as pd

from ..config import MonitoringLines
from ._hardship import hardship_reasons, per_capita_income

__all__ = ["summarise_panel"]


def summarise_panel(panel: pd.DataFrame, lines: MonitoringLines) -> pd.DataFrame:
    """One row per year: households, mean per-capita income, hardship count and share,
    and the count of each hardship reason.

    Examples
    --------
    >>> from fanpin.config import load_monitoring_lines
    >>> from fanpin.schema import validate_households
    >>> import pandas as pd
    >>> rows = pd.DataFrame({"household_id": ["1", "2"], "year": [2023, 2023],
    ...     "province": ["甘肃省"] * 2, "county": ["A"] * 2, "village": ["V"] * 2,
    ...     "household_type": ["脱贫户", "一般农户"], "household_size": [2, 3],
    ...     "labor_count": [1, 2], "chronic_ill_count": [0, 0],
    ...     "serious_ill_count": [0, 0],
    ...     "disabled_count": [0, 0], "medical_cost_total": [0.0, 0.0],
    ...     "medical_cost_oop": [0.0, 0.0], "disaster_loss": [0.0, 0.0],
    ...     "income_wage": [10000.0, 60000.0], "income_business": [0.0, 0.0],
    ...     "income_transfer": [0.0, 0.0], "housing_safe": [True, True],
    ...     "water_safe": [True, True]})
    >>> s = summarise_panel(validate_households(rows), load_monitoring_lines())
    >>> int(s.loc[2023, "in_hardship"]), float(s.loc[2023, "share"])
    (1, 0.5)
    """
    reasons = hardship_reasons(panel, lines)
    frame = reasons.assign(
        year=panel["year"].to_numpy(),
        in_hardship=reasons.any(axis=1),
        income_pc=per_capita_income(panel),
    )
    g = frame.groupby("year", sort=True)
    out = pd.DataFrame(
        {
            "households": g.size(),
            "mean_income_pc": g["income_pc"].mean().round(0),
            "in_hardship": g["in_hardship"].sum().astype("int64"),
            "share": g["in_hardship"].mean(),
        }
    )
    for c in reasons.columns:
        out[c] = g[c].sum().astype("int64")
    return out
