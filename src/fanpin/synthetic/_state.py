"""The simulator's state: a dict of equal-length numpy arrays, one row per household.

A state holds everything the next year depends on (composition, illness,
jobs, latent ability and house fragility, assistance) plus the record of the
year just simulated. :func:`repeat_state` stacks copies of a state for Monte
Carlo draws; the ``rep`` column tells copies apart so that county-level shocks
are drawn independently per copy.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ._params import SimulationParams

__all__ = [
    "CARRIED",
    "State",
    "StepContext",
    "repeat_state",
    "take_state",
    "uniform",
    "normal",
]

State = dict[str, np.ndarray]

CARRIED = frozenset(
    {
        "hid",
        "prov",
        "county",
        "lifted",
        "minority",
        "relocated",
        "edu",
        "ability",
        "land",
        "fragility",
        "water_risk",
        "exposure",
        "frailty",
        "job_risk",
        "school_offset",
        "insured",
        "n_child",
        "n_adult",
        "n_elder",
        "head_age",
        "chronic_y",
        "chronic_e",
        "serious_y",
        "serious_e",
        "disabled_y",
        "disabled_e",
        "severe_y",
        "severe_e",
        "returned",
        "log_level",
        "trend",
        "biz_ar",
        "students_higher",
        "dropout",
        "housing_safe",
        "water_safe",
        "dibao",
        "tekun",
        "monitor",
        "welfare_job",
        "industry_support",
        "microcredit",
        "pc_after",
        "income_total",
        "migrants",
    }
)
"""State columns read by the next :func:`step` (the rest is the year's record)."""


@dataclass(frozen=True)
class StepContext:
    """What :func:`step` needs besides the state: parameters and county tables.

    Attributes
    ----------
    params : SimulationParams
    county_hazard : ndarray
        Yearly disaster chance per county.
    county_type_cum : ndarray, shape (n_counties, 5)
        Cumulative chance of each disaster type given a disaster.
    line_table : dict of int to ndarray
        Monitoring line per province index, per year.
    """

    params: SimulationParams
    county_hazard: np.ndarray
    county_type_cum: np.ndarray
    line_table: dict[int, np.ndarray]

    @property
    def n_counties(self) -> int:
        return len(self.county_hazard)

    def line(self, state: State, year: int) -> np.ndarray:
        """Monitoring line of each household's province in ``year``."""
        return self.line_table[year][state["prov"]]


def uniform(rng: np.random.Generator, n: int) -> np.ndarray:
    """``n`` uniforms in [0, 1) (float32: the bulk of the draws, kept cheap)."""
    return rng.random(n, dtype=np.float32)


def normal(rng: np.random.Generator, n: int) -> np.ndarray:
    """``n`` standard normals (float32)."""
    return rng.standard_normal(n, dtype=np.float32)


def repeat_state(state: State, times: int) -> State:
    """Stack ``times`` copies of ``state`` (copy-major) and number them in ``rep``."""
    n = len(state["prov"])
    out = {k: np.tile(v, times) for k, v in state.items()}
    out["rep"] = np.repeat(np.arange(times, dtype=np.int32), n)
    return out


def take_state(state: State, idx: np.ndarray | slice) -> State:
    """Rows ``idx`` of every array of ``state``."""
    return {k: v[idx] for k, v in state.items()}
