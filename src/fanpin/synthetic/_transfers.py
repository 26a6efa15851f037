"""Transfers: pensions, 低保 (minimum living allowance), 特困 (destitute support).

低保 is granted at the start of a year to households whose last per-capita
income after rigid spending fell under ``dibao_threshold`` × the line (and to
some with a severely disabled or seriously ill member), and withdrawn once
income is well above the line. 特困供养 goes to elderly people living alone
without labour. Every household gets farm and other subsidies (more for
脱贫户); some receive remittances. Households hit by a large shock may get
临时救助 (temporary assistance).
"""

from __future__ import annotations

import numpy as np

from ._params import SimulationParams
from ._state import State, uniform

__all__ = ["grant_dibao", "transfers_year"]


def grant_dibao(
    state: State, rng: np.random.Generator, params: SimulationParams, line: np.ndarray
) -> None:
    """Decide 低保 and 特困 for the year from last year's situation (in place)."""
    n = len(state["prov"])
    low = state["pc_after"] < params.dibao_threshold * line
    severe = (state["severe_y"] + state["severe_e"]) > 0
    serious = (state["serious_y"] + state["serious_e"]) > 0
    u = uniform(rng, n)
    enter = (low & (u < 0.75)) | (severe & (u < 0.1)) | (serious & (u < 0.06))
    leave = (state["pc_after"] > 2.0 * line) & (uniform(rng, n) < 0.5)
    alone = (state["n_adult"] == 0) & (state["n_child"] == 0)
    tekun = state["tekun"] | (
        alone & (state["n_elder"] == 1) & (uniform(rng, n) < 0.05)
    )
    tekun &= alone
    dibao = ((state["dibao"] & ~leave) | enter) & ~tekun
    state["dibao_new"] = dibao & ~state["dibao"]
    state["dibao"] = dibao
    state["tekun"] = tekun


def transfers_year(
    state: State, rng: np.random.Generator, params: SimulationParams, wage_idx: float
) -> None:
    """The year's transfer income (in place), after illness, disasters and jobs."""
    p = params
    n = len(state["prov"])
    size = state["n_child"] + state["n_adult"] + state["n_elder"]
    level = wage_idx**0.6
    pensions = state["n_elder"] * p.pension * level
    dibao = state["dibao"] * size * p.dibao_benefit * level
    tekun = state["tekun"] * size * p.tekun_benefit * level
    subsidy = p.subsidy * level * np.where(state["lifted"], 1.5, 1.0)
    remit = (uniform(rng, n) < 0.25) * 2500.0 * level * (0.5 + uniform(rng, n))
    shock = (
        (state["medical_cost_oop"] > 15000 * level)
        | (state["disaster_loss"] > 10000 * level)
        | (state["accident_count"] > 0)
    )
    favoured = state["lifted"] | (state["monitor"] > 0) | state["dibao"]
    temp = shock & favoured & (uniform(rng, n) < 0.4)
    state["temp_aid"] = np.where(temp, 3000.0 * level, 0.0)
    total = pensions + dibao + tekun + subsidy + remit + state["temp_aid"]
    state["income_transfer"] = np.round(total)
