"""Schooling: students, their costs, and dropouts from compulsory education.

About seven in ten children are of compulsory-school age; grown children go on
to high school or college with some chance and stay a few years, costing
``higher_cost`` a year each. A compulsory-school student drops out with chance
``dropout_rate`` a year, ``dropout_poor_factor`` times more in a household
that was poor or hit by a shock; most dropouts are brought back to school
within a year (控辍保学).
"""

from __future__ import annotations

import numpy as np

from ._mechanisms import Off, off_mask
from ._params import SimulationParams
from ._state import State, normal, uniform

__all__ = ["schooling_year"]


def schooling_year(
    state: State,
    rng: np.random.Generator,
    params: SimulationParams,
    price: float,
    line: np.ndarray,
    off: Off | None = None,
) -> None:
    """Draw the year's students, education costs and dropouts (in place);
    ``schooling`` in ``off``: no cost and no dropout (:mod:`._mechanisms`)."""
    p = params
    n = len(state["prov"])
    compulsory = np.floor(state["n_child"] * 0.7 + state["school_offset"]).astype(
        np.int64
    )
    compulsory = np.minimum(compulsory, state["n_child"])
    start = state["grown"] & (uniform(rng, n) < 0.5)
    finish = (state["students_higher"] > 0) & (uniform(rng, n) < 0.3)
    higher = np.minimum(state["students_higher"] + start - finish, state["n_adult"])
    state["students_higher"] = higher
    poor = (
        (state["pc_after"] < 1.3 * line)
        | state["job_lost"]
        | (state["new_serious_y"] + state["new_serious_e"] > 0)
    )
    rate = p.dropout_rate * np.where(poor, p.dropout_poor_factor, 1.0)
    stays_out = (state["dropout"] > 0) & (uniform(rng, n) < 0.25)
    new = uniform(rng, n) < compulsory * rate
    free = off_mask(off or {}, "schooling", n)
    if free is not None:
        new = new & ~free
    dropout = np.minimum(stays_out + new, compulsory).astype(np.int64)
    state["dropout_new"] = new & (compulsory > 0)
    state["dropout"] = dropout
    state["students_compulsory"] = compulsory - dropout
    cost = price * (
        state["students_compulsory"] * p.compulsory_cost
        + higher * p.higher_cost * np.exp(0.3 * normal(rng, n) - 0.045)
    )
    state["education_cost"] = np.round(cost)
    if free is not None:
        state["education_cost"] = np.where(free, 0.0, state["education_cost"])
