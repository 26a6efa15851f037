"""Today's practice as configurable rules: the baseline every model must beat.

Rules live in ``configs/rules.yaml`` (id, Chinese name, kind, parameters, source
key in the domain brief); :class:`RuleBaseline` flags and ranks households.
"""

from ._baseline import RuleBaseline
from ._kinds import RULE_FUNCTIONS

__all__ = ["RULE_FUNCTIONS", "RuleBaseline"]
