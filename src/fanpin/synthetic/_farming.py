"""Farming and household business: net income that can turn negative.

Net business income is farm income (``cultivated_land`` × ``income_per_mu``)
plus a household business part with a persistent AR(1) deviation
(``business_rho``, ``business_sd``), both scaled by the household's income
level, which drifts along a persistent household trend (a slowly declining
household keeps declining). Industry support (产业帮扶) and microcredit (小额信贷)
add to it. A project fails with chance ``failure_rate`` (less with industry
support, more with a loan to repay), costing about ``failure_loss``; a
disaster destroys part of the harvest.
"""

from __future__ import annotations

import numpy as np

from ._mechanisms import Off, off_mask
from ._params import SimulationParams
from ._state import State, normal, uniform

__all__ = ["business_year", "drift_level"]


def drift_level(
    state: State, rng: np.random.Generator, params: SimulationParams
) -> None:
    """Move each household's income level along its trend; trends sometimes change."""
    n = len(state["prov"])
    redraw = uniform(rng, n) < 0.06
    state["trend"] = np.where(redraw, params.trend_sd * normal(rng, n), state["trend"])
    state["log_level"] = (
        0.9 * state["log_level"] + state["trend"] + 0.04 * normal(rng, n)
    )


def business_year(
    state: State,
    rng: np.random.Generator,
    params: SimulationParams,
    wage_idx: float,
    off: Off | None = None,
) -> None:
    """Draw the year's net business income (in place); needs the disaster draw
    first. ``business_failure`` in ``off``: no project fails (:mod:`._mechanisms`).
    """
    p = params
    n = len(state["prov"])
    level = np.exp(state["log_level"])
    state["biz_ar"] = p.business_rho * state["biz_ar"] + p.business_sd * np.sqrt(
        1 - p.business_rho**2
    ) * normal(rng, n)
    farm = state["land"] * p.income_per_mu * (1 + 0.15 * normal(rng, n))
    has_labour = (state["n_adult"] > 0) | (state["n_elder"] > 0)
    base = p.business_base * state["ability"] + state["biz_ar"]
    loan = state["microcredit"] > 0
    boost = state["industry_support"] * p.support_gain + loan * 0.5 * p.support_gain
    fail_p = (
        p.failure_rate
        * np.where(state["industry_support"], 0.6, 1.0)
        * np.where(loan, 2.0, 1.0)
    )
    failed = uniform(rng, n) < fail_p
    spared = off_mask(off or {}, "business_failure", n)
    if spared is not None:
        failed = failed & ~spared
    loss = failed * p.failure_loss * np.exp(0.5 * normal(rng, n) - 0.125)
    income = wage_idx * (level * has_labour * (farm + base) + boost - loss)
    income = income - 0.5 * state["disaster_loss"]
    state["business_failed"] = failed
    state["income_business"] = np.round(income)
    state["income_property"] = np.round(
        wage_idx * (state["land"] * 60 * uniform(rng, n) + state["lifted"] * 300.0)
    )
