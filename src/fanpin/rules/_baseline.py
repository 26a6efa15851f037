"""The rule baseline: today's practice, ranked so it can be compared with models."""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from ..config import (
    MonitoringLines,
    RulesConfig,
    shipped_configs,
)
from ._hits import RuleHits, rule_hits
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
                & ctx.checked(r.line_types)
                for r in cfg.rules
            },
            index=panel.index,
        )

    def hits(self, panel: pd.DataFrame, rows: Any = None) -> RuleHits:
        """Which rules fire for each household-year, by name, with reasons.

        The rules are computed on the whole ``panel`` (last year's values and
        county means need it); ``rows`` (index labels, default all) selects the
        rows returned, e.g. each household's latest record.

        Parameters
        ----------
        panel : DataFrame
            A validated household panel.
        rows : index-like, optional
            The rows wanted.

        Returns
        -------
        RuleHits
            ``table``: ``household_id``, ``year``, one bool ``rule__<id>`` per
            rule, ``rule_hit`` (the union), ``rules`` (names of the rules that
            fired), ``rule_reasons`` (a sentence per rule), ``rules_not_checked``;
            ``notes``: rules skipped for lack of a line type, hits resting on
            placeholder lines.

        Examples
        --------
        >>> import pandas as pd
        >>> from fanpin.config import MonitoringLines, RulesConfig, RuleSpec
        >>> rules = RulesConfig(rules=(RuleSpec("edge", "低保边缘", "dibao_edge",
        ...     {"multiple": 1.5}, reason="人均纯收入 {income_pc:,.0f} 元，低于当地"
        ...     "低保标准 {dibao:,.0f} 元的 {multiple:g} 倍（{threshold:,.0f} 元）"),))
        >>> lines = MonitoringLines(default={2025: 7500},
        ...     dibao={"provinces": {"甲省": {2025: 4800}}})
        >>> panel = pd.DataFrame({"household_id": ["a", "b"], "year": 2025,
        ...     "province": ["甲省", "乙省"], "county": "c", "household_size": 2,
        ...     "income_wage": 11600.0, "income_business": 0.0,
        ...     "income_transfer": 0.0, "dibao": False})
        >>> h = RuleBaseline(config=rules, lines=lines).hits(panel)
        >>> h.table["rule_hit"].tolist(), h.table["rules_not_checked"].tolist()
        ([True, False], ['', '低保边缘'])
        >>> print(h.table.loc[0, "rule_reasons"])
        人均纯收入 5,800 元，低于当地低保标准 4,800 元的 1.5 倍（7,200 元）
        >>> print(h.notes[0])  # doctest: +NORMALIZE_WHITESPACE
        Rule 低保边缘 (edge) was not checked for 1 household-year(s): the lines
        (inline) have no 低保标准 for 乙省 2025. Add the line type(s) to your
        lines file (see the shipped configs/monitoring_lines.yaml) and pass it
        with --lines.
        """
        cfg, lines = self._resolved()
        ctx = RuleContext.build(panel, lines)
        flags = self._flags(panel, cfg, ctx)
        return rule_hits(panel, cfg, ctx, flags, rows=rows, source=lines.source)

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
