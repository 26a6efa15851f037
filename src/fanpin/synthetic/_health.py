"""Illness, disability and accidents, with medical costs and reimbursement.

- **Chronic illness** starts at ``chronic_rate`` per person a year (three times
  that for the elderly) and persists.
- **Serious illness** (大病) starts at ``serious_rate`` and continues into the
  next year with chance ``serious_persist``; each year it lasts it costs a
  log-normal amount around ``serious_cost``.
- **Disability** is persistent; new cases come from ageing, illness and
  accidents; a share ``severe_share`` is severe (grade 1–2) and stops work.
- **Accidents** hit ``accident_rate`` of households a year, cost
  ``accident_cost`` and sometimes disable.
- **Three-layer reimbursement**: basic medical insurance pays ``basic_reimb``;
  serious-illness insurance pays ``serious_reimb`` of the rest above a
  deductible (halved for 脱贫户 and monitored households); medical aid pays
  ``aid_reimb`` of what is left for 低保/特困 households (half that for
  脱贫户 and monitored households). Uninsured households pay everything.
"""

from __future__ import annotations

import numpy as np

from ._mechanisms import Off, off_mask
from ._params import SimulationParams
from ._state import State, normal, uniform

__all__ = ["health_year"]


def _onset(rng: np.random.Generator, at_risk: np.ndarray, rate: float) -> np.ndarray:
    """1 where one member (of ``at_risk``) falls ill this year, else 0."""
    return (uniform(rng, len(at_risk)) < at_risk * rate).astype(np.int64)


def _kept(off: Off, name: str, n: int) -> float | np.ndarray:
    """1.0 where mechanism ``name`` acts, 0.0 where it is switched off."""
    m = off_mask(off, name, n)
    return 1.0 if m is None else np.where(m, 0.0, 1.0)


def health_year(
    state: State,
    rng: np.random.Generator,
    params: SimulationParams,
    price: float,
    off: Off | None = None,
) -> None:
    """Draw the year's illness, disability, accidents and medical bills (in place).

    ``off``: mechanisms switched off (``illness``, ``disability``, ``accident``:
    no new cases; see :mod:`._mechanisms`).
    """
    n = len(state["prov"])
    p = params
    off = off or {}
    ill = _kept(off, "illness", n)
    dis = _kept(off, "disability", n)
    size_y = state["n_child"] + state["n_adult"]
    size_e = state["n_elder"]
    # chronic illness
    state["chronic_y"] = state["chronic_y"] + _onset(
        rng, size_y - state["chronic_y"], ill * p.chronic_rate
    )
    state["chronic_e"] = state["chronic_e"] + _onset(
        rng, size_e - state["chronic_e"], ill * 3 * p.chronic_rate
    )
    # serious illness: some cases end, new ones start (chronic patients at more risk)
    for g, size, mult in (("y", size_y, 1.0), ("e", size_e, 3.0)):
        ends = (state[f"serious_{g}"] > 0) & (uniform(rng, n) >= p.serious_persist)
        state[f"serious_{g}"] = state[f"serious_{g}"] - ends
        rate = p.serious_rate * mult * (1 + 3.0 * (state[f"chronic_{g}"] > 0))
        rate = rate * state["frailty"] * ill
        new = _onset(rng, size - state[f"serious_{g}"], rate)
        state[f"serious_{g}"] = state[f"serious_{g}"] + new
        state[f"new_serious_{g}"] = new
    # accidents
    accident = uniform(rng, n) < p.accident_rate * np.where(
        state["n_adult"] > 0, 1.2, 0.5
    )
    no_accident = off_mask(off, "accident", n)
    if no_accident is not None:
        accident = accident & ~no_accident
    state["accident_count"] = accident.astype(np.int64)
    # disability: background onset, after serious illness, after accidents
    for g, size, mult in (("y", size_y, 1.0), ("e", size_e, 4.0)):
        rate = p.disability_rate * mult
        new = _onset(rng, size - state[f"disabled_{g}"], rate)
        if g == "y":
            new = np.maximum(new, accident & (uniform(rng, n) < 0.2))
        new |= (state[f"new_serious_{g}"] > 0) & (uniform(rng, n) < 0.08)
        new = np.minimum(new, size - state[f"disabled_{g}"])
        if not isinstance(dis, float):
            new = new * dis.astype(np.int64)
        state[f"disabled_{g}"] = state[f"disabled_{g}"] + new
        state[f"severe_{g}"] = state[f"severe_{g}"] + new * (
            uniform(rng, n) < p.severe_share
        )
        state[f"new_disabled_{g}"] = new
    # medical bills
    chronic = state["chronic_y"] + state["chronic_e"]
    serious = state["serious_y"] + state["serious_e"]
    # a new case costs only the part of the year after its onset
    new_serious = state["new_serious_y"] + state["new_serious_e"]
    state["serious_onset"] = uniform(rng, n)
    z = normal(rng, n)
    lognorm = np.exp(p.cost_sigma * z - p.cost_sigma**2 / 2)
    total = price * (
        150.0 * (size_y + size_e)
        + chronic * p.chronic_cost * (0.7 + 0.6 * uniform(rng, n))
        + (serious - new_serious * state["serious_onset"]) * p.serious_cost * lognorm
        + accident * p.accident_cost * np.exp(normal(rng, n) * 0.6 - 0.18)
    )
    total = np.round(total)
    basic = p.basic_reimb * total
    rest = total - basic
    favoured = state["lifted"] | (state["monitor"] > 0)
    deductible = price * p.serious_deductible * np.where(favoured, 0.5, 1.0)
    rest = rest - p.serious_reimb * np.maximum(rest - deductible, 0.0)
    aid_share = np.where(
        state["dibao"] | state["tekun"],
        p.aid_reimb,
        np.where(favoured, 0.5 * p.aid_reimb, 0.0),
    )
    rest = rest * (1 - aid_share)
    state["medical_cost_total"] = total
    state["medical_cost_oop"] = np.where(state["insured"], np.round(rest), total)
