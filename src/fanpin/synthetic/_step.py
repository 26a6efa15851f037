"""One simulated year: :func:`step`, the single transition of the generator.

The realised panel and the Monte Carlo oracle both call :func:`step`, so the
true risk is computed with literally the code that produced the data.
"""

from __future__ import annotations

import numpy as np

from ._assistance import assign_assistance, hardship_arrays, monitor_year
from ._disaster import disaster_year
from ._farming import business_year, drift_level
from ._health import health_year
from ._household import age_households, labour_count
from ._labour import labour_year
from ._mechanisms import Off, check_mechanisms, switch_off
from ._schooling import schooling_year
from ._state import State, StepContext
from ._transfers import grant_dibao, transfers_year

__all__ = ["step"]


def step(
    state: State,
    rng: np.random.Generator,
    year: int,
    ctx: StepContext,
    *,
    outcome_only: bool = False,
    off: Off | None = None,
) -> State:
    """Simulate ``year`` from the state at the end of the previous year.

    Mechanisms run in order: ageing; income trend; 低保/特困 decisions and
    assistance from last year's situation; illness, disability and accidents;
    county disasters; wage work; business income; schooling; transfers; then
    the year's hardship flag and monitoring. The input is not modified.

    Parameters
    ----------
    state : dict of str to ndarray
        State at the end of ``year - 1``.
    rng : numpy.random.Generator
        Source of every random draw of the year.
    year : int
        The year to simulate.
    ctx : StepContext
        Parameters, county hazards and monitoring lines.
    outcome_only : bool
        Stop once the year's ``hardship`` flag is known (skips the end-of-year
        monitoring, which comes after it and cannot change it): the oracle's mode.
    off : mapping of str to bool or bool array, optional
        Mechanisms switched off this year (names in
        :data:`~fanpin.synthetic._mechanisms.MECHANISMS`), everywhere (True) or on
        the rows of a mask, for the cause replay: each is
        removed after the year's assistance decisions, without changing which
        random numbers are drawn (see :mod:`fanpin.synthetic._causes`).

    Returns
    -------
    dict of str to ndarray
        State at the end of ``year``, including the year's record.
    """
    p = ctx.params
    wage_idx = p.wage_index(year)
    price = wage_idx**0.5
    line_prev = ctx.line(state, year - 1)
    line = ctx.line(state, year)
    s = dict(state)
    age_households(s, rng, p)
    drift_level(s, rng, p)
    grant_dibao(s, rng, p, line_prev)
    assign_assistance(s, rng, p, wage_idx)
    off = off or {}
    if off:
        check_mechanisms(off)
        switch_off(s, off)
    health_year(s, rng, p, price, off)
    disaster_year(s, rng, ctx, price, off)
    labour_year(s, rng, p, wage_idx, off)
    business_year(s, rng, p, wage_idx, off)
    schooling_year(s, rng, p, price, line_prev, off)
    transfers_year(s, rng, p, wage_idx)
    s["household_size"] = s["n_child"] + s["n_adult"] + s["n_elder"]
    s["labor_count"] = labour_count(s)
    s["migrants"] = np.minimum(s["migrants"], s["labor_count"])
    hardship = hardship_arrays(s, line)
    s["hardship"] = hardship
    if outcome_only:
        return s
    monitor_year(s, rng, line, hardship)
    return s
