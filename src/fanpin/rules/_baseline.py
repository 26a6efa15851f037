"""The rule baseline: today's practice, ranked so it can be compared with models."""

from __future__ import annotations

import numpy as np
import pandas as pd

from ..config import (
    MonitoringLines,
    RulesConfig,
    shipped_configs,
)
from ._kinds import RULE_FUNCTIONS, RuleContext

__all__ = ["RuleBaseline"]


class RuleBaseline:
    """Flag and rank household-years with the configured rules.

    The rule score is the weighted number of rules a row triggers. Rows are ranked
    by rule score (high first), ties broken by the lower margin of per-capita income
    after rigid spending over the monitoring line (``margin = income / line - 1``),
    then by row order. ``priority`` turns that order into a number in (0, 1] so the
    baseline can be evaluated on the same list sizes as a model.

    This is a workflow object, not an estimator: it learns nothing.

    Parameters
    ----------
    config : RulesConfig, optional
        The rules (default: the shipped ``configs/rules.yaml``).
    lines : MonitoringLines, optional
        The monitoring lines (default: the shipped table).

    Examples
    --------
    >>> import pandas as pd
    >>> from fanpin.config import MonitoringLines
    >>> panel = pd.DataFrame({"household_id": ["a", "b"], "year": [2023, 2023],
    ...     "province": ["p", "p"], "county": ["c", "c"], "household_size": [2, 2],
    ...     "income_wage": [12000.0, 40000.0], "income_business": [0.0, 0.0],
    ...     "income_transfer": [0.0, 0.0], "medical_cost_oop": [0.0, 14000.0],
    ...     "disaster_loss": [0.0, 0.0], "disabled_count": [0, 0]})
    >>> out = RuleBaseline(lines=MonitoringLines(default={2023: 7000})).score(panel)
    >>> out[["rule__income_near_line", "rule__medical_oop_large", "rule_score"]]
       rule__income_near_line  rule__medical_oop_large  rule_score
    0                    True                    False         1.0
    1                   False                     True         2.0
    """

    def __init__(
        self,
        config: RulesConfig | None = None,
        lines: MonitoringLines | None = None,
    ):
        self.config = config
        self.lines = lines

    def _resolved(self) -> tuple[RulesConfig, MonitoringLines]:
        shipped = shipped_configs()
        cfg = self.config if self.config is not None else shipped.rules
        lines = self.lines if self.lines is not None else shipped.lines
        return cfg, lines

    def flags(self, panel: pd.DataFrame) -> pd.DataFrame:
        """One bool column ``rule__<id>`` per rule, aligned with ``panel``."""
        cfg, lines = self._resolved()
        return self._flags(panel, cfg, RuleContext.build(panel, lines))

    @staticmethod
    def _flags(panel: pd.DataFrame, cfg: RulesConfig, ctx: RuleContext) -> pd.DataFrame:
        return pd.DataFrame(
            {
                f"rule__{r.id}": np.asarray(
                    RULE_FUNCTIONS[r.kind](panel, r.params, ctx), dtype=bool
                )
                for r in cfg.rules
            },
            index=panel.index,
        )

    def score(self, panel: pd.DataFrame) -> pd.DataFrame:
        """Flags plus ``rule_score``, ``margin``, ``rule_rank`` (1 = first), priority.

        Ranks are over all rows given; select the rows to rank first (e.g. one year,
        households not in hardship).
        """
        cfg, lines = self._resolved()
        ctx = RuleContext.build(panel, lines)
        flags = self._flags(panel, cfg, ctx)
        weights = np.array([r.weight for r in cfg.rules])
        score = flags.to_numpy(dtype="float64") @ weights
        ctx_margin = ctx.income_pc_after_rigid / ctx.line - 1.0
        margin = np.where(np.isnan(ctx_margin), np.inf, ctx_margin)
        n = len(panel)
        order = np.lexsort((np.arange(n), margin, -score))
        rank = np.empty(n, dtype="int64")
        rank[order] = np.arange(1, n + 1)
        out = flags.copy()
        out["rule_score"] = score
        out["margin"] = ctx_margin
        out["rule_rank"] = rank
        out["priority"] = (n - rank + 1) / max(n, 1)
        return out

    def predict_score(self, panel: pd.DataFrame) -> np.ndarray:
        """The ``priority`` as an array: higher means earlier on the list."""
        return self.score(panel)["priority"].to_numpy()
