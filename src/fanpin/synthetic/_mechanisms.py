"""The mechanisms that can be switched off in one simulated year.

The cause replay (:mod:`._causes`) asks how much of a household's risk goes
away when one mechanism does not act in the year ahead. A switched-off
mechanism acts neither through what the household already carries nor through
new draws; every random number is still drawn (the replay reuses them):

=================  ==========================================================
mechanism          switched off for the year
=================  ==========================================================
illness            nobody is chronically or seriously ill: no illness costs,
                   no new cases, no work lost to serious illness or chronic
                   drag on wages
disability         nobody is disabled: no new cases, no work lost to severe
                   disability
disaster           no county disaster: no losses, no disaster damage to houses
                   or water
accident           no accident: no accident costs or accident disability
job_loss           no migrant loses the job, and last year's returned workers
                   are back at work
business_failure   no farm or business project fails
schooling          no education costs and no dropout
housing_water      housing and drinking water stay safe all year
=================  ==========================================================

They act after the year's 低保 and assistance decisions, which are taken on last
year's situation.
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np

from ..exceptions import ConfigError
from ..messages import N_, Message
from ._state import State

__all__ = ["MECHANISMS", "Off", "check_mechanisms", "off_mask", "switch_off"]

MECHANISMS = (
    "illness", "disability", "disaster", "accident", "job_loss",
    "business_failure", "schooling", "housing_water",
)  # fmt: skip
"""Mechanisms the cause replay switches off, one at a time."""

Off = Mapping[str, "np.ndarray | bool"]
"""Mechanisms switched off: name -> True (every row) or a bool array (those rows)."""

MSG_UNKNOWN_MECHANISM = N_(
    "Unknown mechanism(s) {names}: the simulator can switch off {known}."
)


def check_mechanisms(off: Off) -> None:
    """Raise :class:`ConfigError` for a name not in :data:`MECHANISMS`."""
    unknown = sorted(set(off) - set(MECHANISMS))
    if unknown:
        raise ConfigError(
            Message(MSG_UNKNOWN_MECHANISM, names=unknown, known=", ".join(MECHANISMS))
        )


def off_mask(off: Off, name: str, n: int) -> np.ndarray | None:
    """Rows where ``name`` is switched off (None when it is on everywhere)."""
    if name not in off:
        return None
    m = off[name]
    if isinstance(m, (bool, np.bool_)):
        return np.full(n, bool(m)) if m else None
    return np.asarray(m, dtype=bool)


def switch_off(state: State, off: Off) -> None:
    """Remove what the household carries of the mechanisms in ``off`` (in place).

    The draws of the year are made afterwards by the mechanisms themselves,
    which also read ``off`` (no new cases, no losses).
    """
    n = len(state["prov"])

    def clear(name: str, keys: tuple[str, ...], value: object = 0) -> None:
        m = off_mask(off, name, n)
        if m is not None:
            for k in keys:
                state[k] = np.where(m, value, state[k]).astype(state[k].dtype)

    clear("illness", ("chronic_y", "chronic_e", "serious_y", "serious_e"))
    clear("disability", ("disabled_y", "disabled_e", "severe_y", "severe_e"))
    m = off_mask(off, "job_loss", n)
    if m is not None:
        state["migrants"] = state["migrants"] + np.where(m, state["returned"], 0)
        state["returned"] = np.where(m, 0, state["returned"])
    clear("schooling", ("dropout",))
    clear("housing_water", ("housing_safe", "water_safe"), True)
