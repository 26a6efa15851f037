"""Today's practice as configurable rules: the baseline every model must beat.

Rules live in ``configs/rules.yaml`` (id, Chinese name, kind, parameters, source
key in the domain brief, reason sentence); :class:`RuleBaseline` flags and ranks
households, and :meth:`RuleBaseline.hits` says which rules fired for each one,
with the union (``rule_hit``) the alert list always includes.

From 2026 the rule baseline is the union of 防返贫监测标准 (income after rigid
spending within the monitoring range), 民政's 低保边缘 and 刚性支出困难, and
today's trigger rules; rules needing a line type the lines lack for a
household's province and year are not checked there, with a note; so are the
rules that compare with the previous year (收入大幅缩减, 新增残疾) for a household
without a record of it.

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
from ._hits import GAP_COLUMNS, HITS_COLUMNS, NAME_SEP, REASON_SEP, RuleHits, rule_notes
from ._kinds import LAST_YEAR_KINDS, RULE_FUNCTIONS, RuleContext, reason_values

__all__ = [
    "GAP_COLUMNS",
    "HITS_COLUMNS",
    "LAST_YEAR_KINDS",
    "NAME_SEP",
    "REASON_SEP",
    "RULE_FUNCTIONS",
    "RuleBaseline",
    "RuleContext",
    "RuleHits",
    "reason_values",
    "rule_notes",
]
