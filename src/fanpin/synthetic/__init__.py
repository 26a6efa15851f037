"""The calibrated synthetic household panel and its true risks.

:func:`simulate` draws a household-year panel in the contract's form, the
department events, and the oracle ``p_next``: the generator's own probability
that each household is in hardship the next year, computed by Monte Carlo
through the same :func:`step` that produced the data. Each mechanism lives in
its own module (household composition, health, disasters, labour, farming,
schooling, transfers, assistance) and reads its knobs from
:class:`SimulationParams`. :func:`calibration_table` compares the panel with
the published figures it is calibrated to.

``truth`` also holds the true causes of each household-year's risk: the share
of the risk each mechanism of :data:`MECHANISMS` causes (the oracle's year
replayed with the same random draws and the mechanism switched off) and
``main_cause``, a risk code of ``risk_types.yaml`` (see ``_causes``).

Examples
--------
>>> from fanpin.synthetic import SimulationParams, simulate
>>> sim = simulate(200, years=range(2022, 2025), seed=0, n_jobs=1,
...                params=SimulationParams(oracle_draws=1))
>>> sim.panel["household_id"].nunique(), sorted(sim.panel["year"].unique().tolist())
(200, [2022, 2023, 2024])
"""

from ._calibration import calibration_table
from ._causes import CAUSE_LABELS, MAIN_CAUSE_SHARE, MECHANISM_CODES
from ._mechanisms import MECHANISMS
from ._params import SimulationParams
from ._simulate import SimulationResult, simulate
from ._step import step

__all__ = [
    "CAUSE_LABELS",
    "MAIN_CAUSE_SHARE",
    "MECHANISMS",
    "MECHANISM_CODES",
    "SimulationParams",
    "SimulationResult",
    "calibration_table",
    "simulate",
    "step",
]
