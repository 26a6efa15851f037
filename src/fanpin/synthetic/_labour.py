"""Wage work: migrant jobs, local work, job loss (失业返乡) and public-welfare jobs.

A migrant worker earns ``migrant_wage`` (scaled by household ability, the
household's income level and the year's wage index), a local worker
``local_wage`` with chance ``local_participation``. Each migrant loses the job
with chance ``job_loss_rate`` a year (scaled by a county labour-market shock);
the loss comes at a random point of the year, so part of this year's wage is
kept but the worker is home at the start of the next year and finds migrant
work again only with chance ``remigrate_rate``. Local workers leave to work away
with chance ``migrate_rate``. A public-welfare job (公益岗位) adds
``welfare_job_wage``.
"""

from __future__ import annotations

import numpy as np

from ._household import labour_count
from ._mechanisms import Off, off_mask
from ._params import SimulationParams
from ._state import State, normal, uniform

__all__ = ["labour_year"]


def labour_year(
    state: State,
    rng: np.random.Generator,
    params: SimulationParams,
    wage_idx: float,
    off: Off | None = None,
) -> None:
    """Draw the year's jobs and wage income (in place); ``job_loss`` in ``off``:
    no migrant loses the job (:mod:`._mechanisms`)."""
    p = params
    n = len(state["prov"])
    labour = labour_count(state)
    state["labor_count"] = labour
    # last year's returned workers: back to migrant work, or stay home
    back = (state["returned"] > 0) & (uniform(rng, n) < p.remigrate_rate)
    idle = state["returned"] * ~back  # returned last year, still without work
    migrants = state["migrants"] + back
    state["returned"] = np.zeros(n, dtype=np.int64)
    # local workers leaving to work away (more for the able and the young)
    young = np.where(state["head_age"] < 50, 1.3, 0.7)
    leave = uniform(rng, n) < p.migrate_rate * young * np.minimum(state["ability"], 1.5)
    migrants = np.minimum(migrants + leave, labour)
    # job loss this year
    loss_p = p.job_loss_rate * migrants * state["econ"] * state["job_risk"]
    lost = (migrants > 0) & (uniform(rng, n) < loss_p)
    kept = off_mask(off or {}, "job_loss", n)
    if kept is not None:
        lost = lost & ~kept
    when = 0.4 + 0.6 * uniform(rng, n)  # share of the year worked before the loss
    migrants = migrants - lost
    state["migrants"] = migrants
    state["returned"] = lost.astype(np.int64)
    state["job_lost"] = lost
    state["job_lost_when"] = when
    locals_ = labour - migrants - lost
    level = np.exp(state["log_level"]) * state["ability"]
    chronic_drag = 1 - 0.25 * np.minimum(
        state["chronic_y"], state["n_adult"]
    ) / np.maximum(state["n_adult"], 1)
    noise = np.exp(0.08 * normal(rng, n))
    local_share = p.local_participation * (0.8 + 0.4 * uniform(rng, n))
    wage = (
        wage_idx
        * level
        * chronic_drag
        * noise
        * (
            p.migrant_wage * (migrants + lost * when)
            + p.local_wage
            * (
                np.minimum(local_share, 1.0) * np.maximum(locals_ - idle, 0)
                + 0.3 * np.minimum(idle, locals_)
                + lost * (1 - when) * 0.3
            )
        )
    )
    wage = wage + state["welfare_job"] * p.welfare_job_wage * wage_idx**0.5
    state["income_wage"] = np.round(np.maximum(wage, 0.0))
