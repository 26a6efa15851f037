"""Income level, margin over the monitoring line, shocks and structure."""

from __future__ import annotations

from numbers import Real
from typing import ClassVar

import numpy as np
import pandas as pd

from .._compat import Interval
from ..config import MonitoringLines, shipped_configs
from ._base import BaseFeatureBuilder, feature_frame
from ._panel import PanelView, safe_div

__all__ = ["IncomeFeatures"]

COMPONENTS = {
    "wage": "income_wage",
    "business": "income_business",
    "transfer": "income_transfer",
    "property": "income_property",
}


TREND_FLOOR = 0.1
"""Income-to-line ratios are floored here before the log of ``income_trend``."""


def _hardship(X: PanelView, pc_after: np.ndarray, line: np.ndarray) -> np.ndarray:
    """1 where the row is in hardship (the contract's rule), NaN if unknown.

    Income after rigid spending below the line, unsafe housing or water, or a
    compulsory-school dropout; a missing housing, water or dropout value
    counts as no problem (NaN only when the income test cannot be made).
    """
    other = (
        (X.num("housing_safe") == 0)
        | (X.num("water_safe") == 0)
        | (X.num("dropout_count") > 0)
    )
    flag = ((pc_after < line) | other).astype("float64")
    flag[(np.isnan(pc_after) | np.isnan(line)) & ~other] = np.nan
    return flag


def sharp_drop(cur: np.ndarray, prev: np.ndarray, threshold: float) -> np.ndarray:
    """1 if ``cur`` fell below ``(1 - threshold) * prev`` from a positive ``prev``.

    NaN when ``prev`` or ``cur`` is missing (no record in t-1); 0 when ``prev``
    is not positive (nothing to fall from).
    """
    flag = ((prev > 0) & (cur < (1.0 - threshold) * prev)).astype("float64")
    flag[np.isnan(prev) | np.isnan(cur)] = np.nan
    return flag


class IncomeFeatures(BaseFeatureBuilder):
    """Income features (收入): level, margin over the line, shocks, structure.

    Money is yuan per year. "Per capita" divides by ``household_size``;
    missing optional money (``income_property``, ``education_cost``) counts
    as 0 in per-capita income, as in the data contract. Shares use the gross
    income (positive components; a business loss counts as 0) and are NaN
    when it is 0.

    Features (prefix ``income__``):

    - ``pc_income``, ``pc_income_after_rigid``: per-capita net income, and the
      same less out-of-pocket medical and education costs per head.
    - ``margin_over_line`` (yuan) and ``margin_ratio``: per-capita income
      after rigid spending minus / over the household's own monitoring line
      (its province and year); ``pc_income_to_line``: per-capita net income
      over the line.
    - ``{wage,business,transfer,property}_change``: change in yuan since year
      t-1; ``pc_income_change`` (yuan per head) and ``pc_income_change_rate``
      (relative to ``|pc_income(t-1)|``). NaN without a record in t-1 (and
      ``property_change`` NaN where property income is missing).
    - ``sharp_drop_{income,wage,business}``: 1 when the per-capita income
      (wage, business income) fell by more than ``drop_threshold`` since t-1;
      NaN without a record in t-1.
    - ``pc_income_cv``: coefficient of variation of per-capita income over all
      of the household's years <= t (NaN with a single year).
    - ``transfer_share``, ``wage_share``: share of gross income.
    - ``migrant_share``: migrant workers per labourer (0 with no labour; NaN
      when ``migrant_workers`` is missing).
    - ``land_per_capita``: cultivated land (mu) per head (NaN when missing).

    History over the household's years <= t (gaps included; a persistent
    income level or trend is seen through these footprints):

    - ``income_trend``: least-squares slope per year of
      ``log(max(pc_income_to_line, 0.1))`` (NaN with a single year).
    - ``mean_income_to_line``: mean of ``pc_income_to_line``;
      ``min_margin_ratio``: lowest ``margin_ratio``; ``wage_cv``: coefficient
      of variation of wage income.
    - ``hardship_last_year``: in hardship in year t-1 (the contract's rule:
      income after rigid spending below the line, unsafe housing or water, a
      dropout; NaN without a record in t-1); ``hardship_years_share``: share
      of the years in hardship; ``years_since_hardship``: t minus the last
      such year (0 if in hardship now, NaN if never).

    Parameters
    ----------
    lines : MonitoringLines or None, default=None
        Province x year monitoring lines; None loads the shipped table at fit
        time (stored in ``lines_``).
    drop_threshold : float in (0, 1), default=0.3
        Relative fall that counts as a sharp drop.

    Attributes
    ----------
    lines_ : MonitoringLines
        The lines used by ``transform``.

    Examples
    --------
    >>> import pandas as pd
    >>> from fanpin.config import MonitoringLines
    >>> panel = pd.DataFrame({
    ...     "household_id": ["h1", "h1"], "year": [2022, 2023],
    ...     "province": ["P", "P"], "household_size": [2, 2], "labor_count": [1, 1],
    ...     "income_wage": [10000.0, 4000.0], "income_business": [2000.0, 2000.0],
    ...     "income_transfer": [1000.0, 1000.0], "medical_cost_oop": [0.0, 1000.0]})
    >>> lines = MonitoringLines(default={2022: 6000, 2023: 6500})
    >>> out = IncomeFeatures(lines=lines).fit_transform(panel)
    >>> out["income__pc_income"].tolist()
    [6500.0, 3500.0]
    >>> out["income__margin_over_line"].tolist()
    [500.0, -3500.0]
    >>> out["income__sharp_drop_income"].tolist()
    [nan, 1.0]
    """

    domain: ClassVar[str] = "income"
    required_columns: ClassVar[tuple[str, ...]] = (
        "province",
        "household_size",
        "labor_count",
        "income_wage",
        "income_business",
        "income_transfer",
        "medical_cost_oop",
    )
    features: ClassVar[tuple[str, ...]] = (
        "pc_income",
        "pc_income_after_rigid",
        "margin_over_line",
        "margin_ratio",
        "pc_income_to_line",
        "wage_change",
        "business_change",
        "transfer_change",
        "property_change",
        "pc_income_change",
        "pc_income_change_rate",
        "sharp_drop_income",
        "sharp_drop_wage",
        "sharp_drop_business",
        "pc_income_cv",
        "transfer_share",
        "wage_share",
        "migrant_share",
        "land_per_capita",
        "income_trend",
        "mean_income_to_line",
        "min_margin_ratio",
        "wage_cv",
        "hardship_last_year",
        "hardship_years_share",
        "years_since_hardship",
    )
    _parameter_constraints: ClassVar[dict] = {
        "lines": [MonitoringLines, None],
        "drop_threshold": [Interval(Real, 0, 1, closed="neither")],
    }

    def __init__(
        self, *, lines: MonitoringLines | None = None, drop_threshold: float = 0.3
    ):
        self.lines = lines
        self.drop_threshold = drop_threshold

    def _fit(self, X: pd.DataFrame) -> None:
        self.lines_ = self.lines if self.lines is not None else shipped_configs().lines

    def _line(self, X: PanelView) -> np.ndarray:
        # Look up each distinct (province, year) once: fast on millions of rows.
        # Ids are 0, 1, ... in order of first appearance: a row is its key's
        # first when its id exceeds every id before it.
        ids = X.group_ids(("province", "year"))
        new = np.ones(X.n, dtype=bool)
        new[1:] = ids[1:] > np.maximum.accumulate(ids)[:-1]
        first = np.flatnonzero(new)
        codes, values = X.codes("province")
        province = np.append(values, "")[codes[first]]
        per_key = self.lines_.lookup(
            pd.Series(province, dtype=object), pd.Series(X.year[first]).astype("int64")
        )
        return per_key[ids]

    def _compute(self, X: PanelView) -> pd.DataFrame:
        size = X.num("household_size")
        comp = {k: X.num(c) for k, c in COMPONENTS.items()}
        total = X.total_income()
        pc = safe_div(total, size)
        rigid = X.num("medical_cost_oop") + X.num0("education_cost")
        pc_after = safe_div(total - rigid, size)
        line = self._line(X)
        gross = X.gross_income()
        pc_prev = X.lag(pc)
        thr = float(self.drop_threshold)
        cols = {
            "pc_income": pc,
            "pc_income_after_rigid": pc_after,
            "margin_over_line": pc_after - line,
            "margin_ratio": safe_div(pc_after, line),
            "pc_income_to_line": safe_div(pc, line),
        }
        for k, v in comp.items():
            cols[f"{k}_change"] = X.diff(v)
        cols.update(
            {
                "pc_income_change": pc - pc_prev,
                "pc_income_change_rate": safe_div(pc - pc_prev, np.abs(pc_prev)),
                "sharp_drop_income": sharp_drop(pc, pc_prev, thr),
                "sharp_drop_wage": sharp_drop(comp["wage"], X.lag(comp["wage"]), thr),
                "sharp_drop_business": sharp_drop(
                    comp["business"], X.lag(comp["business"]), thr
                ),
                "pc_income_cv": X.expanding_cv(pc),
                "transfer_share": safe_div(comp["transfer"], gross),
                "wage_share": safe_div(comp["wage"], gross),
                "migrant_share": np.where(
                    X.num("labor_count") == 0,
                    np.where(np.isnan(X.num("migrant_workers")), np.nan, 0.0),
                    safe_div(X.num("migrant_workers"), X.num("labor_count")),
                ),
                "land_per_capita": safe_div(X.num("cultivated_land"), size),
            }
        )
        to_line = cols["pc_income_to_line"]
        hardship = _hardship(X, pc_after, line)
        cols.update(
            {
                "income_trend": X.expanding_slope(
                    np.log(np.clip(to_line, TREND_FLOOR, None))
                ),
                "mean_income_to_line": X.expanding_mean(to_line),
                "min_margin_ratio": X.expanding_min(cols["margin_ratio"]),
                "wage_cv": X.expanding_cv(comp["wage"]),
                "hardship_last_year": X.lag(hardship),
                "hardship_years_share": X.expanding_mean(hardship),
                "years_since_hardship": X.years_since(hardship),
            }
        )
        return feature_frame(X, cols)
