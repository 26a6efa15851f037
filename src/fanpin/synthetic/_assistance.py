"""Monitoring (监测对象) and assistance: who is identified, and what they get.

At the end of each year households in hardship, near the line with a risk,
or hit by a large shock are identified as monitored; the category follows the
official rules: 突发严重困难户 after a large shock (income may be above the
line), otherwise 脱贫不稳定户 for 脱贫户 and 边缘易致贫户 for ordinary
households. Monitored households leave (风险消除) once income is safely above
the line. At the start of the next year monitored households get public-welfare
jobs, industry support and microcredit with the chances in ``SimulationParams``
(other 脱贫户 a fraction ``unmonitored_assist`` of them), which raise income and
lower risk.
"""

from __future__ import annotations

import numpy as np

from ._household import labour_count
from ._params import SimulationParams
from ._state import State, uniform

__all__ = ["CATEGORIES", "assign_assistance", "hardship_arrays", "monitor_year"]

CATEGORIES = ("", "脱贫不稳定户", "边缘易致贫户", "突发严重困难户")
"""``monitor`` code -> monitor_category (0 = not monitored)."""


def hardship_arrays(state: State, line: np.ndarray) -> np.ndarray:
    """In hardship, array form of :func:`fanpin.schema.in_hardship` (same rule,
    same arithmetic: :func:`fanpin.schema.income_below_line`).

    Per-capita income after rigid spending below ``line``, or unsafe housing, or
    unsafe water, or a compulsory-school dropout.
    """
    from ..schema import income_below_line

    income, rigid, size = _money(state)
    return (
        income_below_line(income, rigid, size, line)
        | ~state["housing_safe"]
        | ~state["water_safe"]
        | (state["dropout"] > 0)
    )


def _money(state: State) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Total income, rigid spending (medical out-of-pocket + schooling), size."""
    size = state["n_child"] + state["n_adult"] + state["n_elder"]
    income = (
        state["income_wage"]
        + state["income_business"]
        + state["income_property"]
        + state["income_transfer"]
    )
    return income, state["medical_cost_oop"] + state["education_cost"], size


def _pc_after(state: State) -> np.ndarray:
    """Per-capita income after rigid spending (for monitoring decisions)."""
    income, rigid, size = _money(state)
    return (income - rigid) / size


def assign_assistance(
    state: State, rng: np.random.Generator, params: SimulationParams, wage_idx: float
) -> None:
    """Give the year's assistance from last year's monitoring status (in place)."""
    p = params
    n = len(state["prov"])
    monitored = state["monitor"] > 0
    reach = np.where(
        monitored, 1.0, np.where(state["lifted"], p.unmonitored_assist, 0.03)
    )
    labour = labour_count(state)
    keep_job = state["welfare_job"] & (uniform(rng, n) < 0.75)
    job = keep_job | ((labour > 0) & (uniform(rng, n) < p.welfare_job_rate * reach))
    keep_support = state["industry_support"] & (uniform(rng, n) < 0.7)
    support = keep_support | (uniform(rng, n) < p.industry_support_rate * reach)
    repaid = state["microcredit"] * 0.6
    new_loan = (state["microcredit"] == 0) & (
        uniform(rng, n) < p.microcredit_rate * reach
    )
    amount = np.round(wage_idx**0.5 * (30000 + 20000 * uniform(rng, n)), -3)
    balance = np.where(
        new_loan, amount, np.where(repaid < 2000, 0.0, np.round(repaid, -2))
    )
    state["welfare_job"] = job
    state["industry_support"] = support
    state["microcredit"] = balance


def monitor_year(
    state: State, rng: np.random.Generator, line: np.ndarray, hardship: np.ndarray
) -> None:
    """Identify and release monitored households at the end of the year (in place)."""
    n = len(state["prov"])
    after = _pc_after(state)
    income = np.maximum(
        state["income_wage"]
        + state["income_business"]
        + state["income_property"]
        + state["income_transfer"],
        1.0,
    )
    rigid = state["medical_cost_oop"] + state["education_cost"]
    prev = np.maximum(state["income_total"], 1.0)
    big_shock = (
        (state["medical_cost_oop"] + state["disaster_loss"] > 0.4 * income)
        | ((income < 0.5 * prev) & (state["pc_after"] > line))
        | (rigid > 0.6 * income)
    )
    risk = (
        (
            state["chronic_y"]
            + state["chronic_e"]
            + state["serious_y"]
            + state["serious_e"]
            + state["disabled_y"]
            + state["disabled_e"]
            > 0
        )
        | state["job_lost"]
        | state["business_failed"]
    )
    u = uniform(rng, n)
    monitor = state["monitor"].copy()
    released = (monitor > 0) & ~hardship & (after > 1.3 * line) & (u < 0.7)
    monitor[released] = 0
    regular = np.where(state["lifted"], 1, 2).astype(np.int8)
    new = monitor == 0
    u2 = uniform(rng, n)
    in_need = hardship & (u2 < 0.9)
    near = ~hardship & (after < 1.2 * line) & risk & (u2 < 0.08)
    shock = ~hardship & big_shock & (u2 < 0.3)
    cat = np.where(big_shock & (in_need | shock), 3, regular).astype(np.int8)
    monitor = np.where(new & (in_need | near | shock), cat, monitor).astype(np.int8)
    state["monitor"] = monitor
    state["pc_after"] = after
    state["income_total"] = income
