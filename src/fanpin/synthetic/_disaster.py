"""Natural disasters, correlated within county and year, and housing and water.

Each county has a persistent yearly hazard (``county_hazard``). In a
disaster year a county draws one type (洪涝, 干旱, 地震地质, 风雹, 其他, with a
province-typical mix) and a severity; each household of the county is affected
with a chance that grows with severity. An affected household loses crops and
assets (``disaster_loss``); floods and earthquakes may make a fragile house
unsafe, droughts may cut drinking water. Houses also decay slowly, and unsafe
houses and broken water supplies are usually repaired within a year.

Copies of a state made for Monte Carlo draws (``rep``) get independent county
draws, so the oracle averages over county disasters too.
"""

from __future__ import annotations

import numpy as np

from ._mechanisms import Off, off_mask
from ._params import SimulationParams
from ._state import State, StepContext, uniform

__all__ = ["disaster_year"]

_HOUSE_DAMAGE = np.asarray([0.0, 1.0, 0.1, 2.0, 0.5, 0.5])  # by disaster type index
_CROP_DAMAGE = np.asarray([0.0, 1.0, 1.0, 0.6, 0.8, 0.6])


def disaster_year(
    state: State,
    rng: np.random.Generator,
    ctx: StepContext,
    price: float,
    off: Off | None = None,
) -> None:
    """Draw the year's county disasters and their effects on households (in place).

    ``off``: ``disaster`` (no county disaster) and ``housing_water`` (no house
    or water supply breaks) switch those mechanisms off (:mod:`._mechanisms`).
    """
    p: SimulationParams = ctx.params
    n = len(state["prov"])
    n_groups = (int(state["rep"].max()) + 1) * ctx.n_counties
    group = state["county"] + ctx.n_counties * state["rep"]
    county_of_group = np.arange(n_groups) % ctx.n_counties
    hit = rng.random(n_groups) < ctx.county_hazard[county_of_group]
    off = off or {}
    cum = ctx.county_type_cum[county_of_group]
    kind = 1 + (rng.random(n_groups)[:, None] > cum).sum(axis=1)
    kind = np.where(hit, np.minimum(kind, 5), 0)
    severity = rng.beta(2.0, 3.0, n_groups)
    econ = np.exp(rng.normal(0, 0.35, n_groups) - 0.06)  # county labour-market shock
    state["econ"] = econ[group]
    sev = severity[group]
    reach = p.disaster_reach * (0.4 + 1.5 * sev)
    affected = (kind[group] > 0) & (uniform(rng, n) < reach * 4 * state["exposure"])
    no_disaster = off_mask(off, "disaster", n)
    if no_disaster is not None:
        affected = affected & ~no_disaster
    dtype = np.where(affected, kind[group], 0).astype(np.int8)
    state["disaster_type"] = dtype
    assets = price * (state["land"] * p.income_per_mu * 1.5 + 6000.0)
    frac = sev * (0.3 + 0.7 * uniform(rng, n)) * _CROP_DAMAGE[dtype]
    state["disaster_loss"] = np.round(np.where(affected, assets * frac * 1.6, 0.0))
    # housing: repair of last year's damage, new damage from disaster or decay
    repaired = uniform(rng, n) < 0.85
    house_p = (
        (p.disaster_housing_rate * 6 * sev * _HOUSE_DAMAGE[dtype] + 0.002)
        * state["fragility"]
        * 9
    )
    broken = state["housing_safe"] & (uniform(rng, n) < house_p)
    safe = off_mask(off, "housing_water", n)
    if safe is not None:
        broken = broken & ~safe
    state["house_broken"] = broken
    state["housing_safe"] = (state["housing_safe"] | repaired) & ~broken
    # drinking water: droughts and background failures
    fixed = uniform(rng, n) < 0.9
    water_p = (p.water_break_rate + np.where(dtype == 2, 0.05 * sev, 0.0)) * state[
        "water_risk"
    ]
    cut = state["water_safe"] & (uniform(rng, n) < water_p)
    if safe is not None:
        cut = cut & ~safe
    state["water_broken"] = cut
    state["water_safe"] = (state["water_safe"] | fixed) & ~cut
