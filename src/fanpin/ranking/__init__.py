"""Ranking, risk levels and the alert cutoff: one owner for "who comes first".

Everything in fanpin that orders households by risk, gives them a risk level
(高 / 中 / 低) or decides from which score a household is alerted calls this
package:

- :func:`rank` orders households by score, highest first, ties broken by
  household id (the order of every ranked list fanpin writes);
- :class:`RiskLevels` (built from the model config's ``risk_levels``) gives
  the level of each rank of a ranked list, the lowest score of each level and
  the alert cutoff;
- :data:`RISK_LEVELS` is the one order of the levels, lowest first;
  :data:`ALERT_LEVELS` adds :data:`URGENT_LEVEL` (紧急) above 高.

Examples
--------
>>> import numpy as np
>>> scores = np.array([0.2, 0.9, 0.2, 0.5])
>>> ids = np.array(["b", "x", "a", "c"])
>>> order = rank(scores, ids)
>>> ids[order].tolist()
['x', 'c', 'a', 'b']
>>> levels = RiskLevels(method="share", high=0.25, medium=0.5)
>>> levels.of_ranked(scores[order]).tolist()
['高', '中', '低', '低']
>>> levels.cutoff(scores[order], min_level="中")
0.5
"""

from ._levels import (
    ALERT_LEVELS,
    RISK_LEVELS,
    URGENT_LEVEL,
    LevelBounds,
    RiskLevels,
    at_least,
    level_of,
)
from ._order import rank, ranks

__all__ = [
    "ALERT_LEVELS",
    "RISK_LEVELS",
    "URGENT_LEVEL",
    "LevelBounds",
    "RiskLevels",
    "at_least",
    "level_of",
    "rank",
    "ranks",
]
