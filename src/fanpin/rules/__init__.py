"""Today's practice as configurable rules: the baseline every model must beat.

Rules live in ``configs/rules.yaml`` (id, Chinese name, kind, parameters, source
key in the domain brief); :class:`RuleBaseline` flags and ranks households.

Examples
--------
>>> from fanpin.synthetic import SimulationParams, simulate
>>> sim = simulate(200, years=range(2022, 2025), seed=0, n_jobs=1,
...                params=SimulationParams(oracle_draws=1))
>>> flags = RuleBaseline(lines=sim.lines).flags(sim.panel)
>>> len(flags) == len(sim.panel), flags.columns[0].startswith("rule__")
(True, True)
"""

from ._baseline import RuleBaseline
from ._kinds import RULE_FUNCTIONS

__all__ = ["RULE_FUNCTIONS", "RuleBaseline"]
