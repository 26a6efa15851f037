"""The urgent path (紧急): a household in hardship that nobody has identified.

A household that a department push (or its annual record) puts into hardship
and that is not yet a monitored object is the most urgent alert of a run
(:data:`fanpin.ranking.URGENT_LEVEL`, 疑似返贫致贫; in practice the worst
finding of an inspection is 应纳未纳, a household in hardship never
identified). It is listed first in its township, never limited by township
capacity, and the event that caused it is its first reason.

A household counts as already identified (a monitored object, 监测对象) when

- its record carries a 监测对象类别 (``monitor_category``, the panel's own
  marker), or
- its id is among the ``monitored_ids`` the caller passes (the case store's
  open cases that are identified: 已认定 or 帮扶中).

Those stay on the monitored list. A panel without ``monitor_category`` says
nothing about who is identified: its households in hardship in the annual
record are taken as identified (the monitored list, as before), and only the
households a push puts into hardship are urgent (unless in ``monitored_ids``).

The pieces here work on one chunk of whole counties (or the whole panel) and
give the same rows either way.
"""

from __future__ import annotations

from collections.abc import Collection

import numpy as np
import pandas as pd

from ..config import MonitoringLines
from ..schema import HARDSHIP_REASONS, per_capita_income_after_rigid

__all__ = [
    "IDENTIFIED_STATES",
    "RULE_HIT_REASON",
    "SOURCE_RECORD",
    "URGENT_BY_PUSH",
    "URGENT_BY_RECORD",
    "identified",
    "urgent_reasons",
]

IDENTIFIED_STATES = ("已认定", "帮扶中")
"""Case states of an identified household (a monitored object): its open case
in one of them makes it never urgent."""
SOURCE_RECORD = "年度记录"
"""``source`` of an urgent alert raised by its annual record (no push)."""
URGENT_BY_PUSH = "紧急：部门推送后已处于困难（{why}），尚未纳入监测，疑似返贫致贫"
"""The reason after the events of a household a push put into hardship."""
URGENT_BY_RECORD = "紧急：{year}年度记录已处于困难（{why}），尚未纳入监测（应纳未纳）"
"""The first reason of a household in hardship in its annual record, not
identified."""
INCOME_WHY = (
    "人均纯收入扣除医疗、教育支出后 {income:,.0f} 元，低于监测标准 {line:,.0f} 元"
)
"""The income reason with the figures the assessment used."""
RULE_HIT_REASON = "规则命中：{rules}"
"""The reason naming the rules that flagged a household (then their sentences)."""
_WHY_SEP = "，"


def identified(
    records: pd.DataFrame, monitored_ids: Collection[str] | None
) -> np.ndarray:
    """Whether each record's household is already a monitored object.

    ``records``: one record per household (``household_id``, optional
    ``monitor_category``); ``monitored_ids``: households identified outside the
    panel (the case store's identified open cases).

    Examples
    --------
    >>> r = pd.DataFrame({"household_id": ["a", "b", "c"],
    ...                   "monitor_category": ["边缘易致贫户", None, ""]})
    >>> identified(r, {"c"}).tolist()
    [True, False, True]
    """
    out = np.zeros(len(records), dtype=bool)
    if "monitor_category" in records:
        cat = records["monitor_category"].astype("string").str.strip().fillna("")
        out |= (cat != "").to_numpy(dtype=bool)
    if monitored_ids:
        known = pd.Index(np.asarray(list(monitored_ids), dtype=object))
        ids = records["household_id"].astype(str).to_numpy(dtype=object)
        out |= known.get_indexer(ids) >= 0
    return out


def urgent_reasons(
    records: pd.DataFrame,
    hard: pd.DataFrame,
    lines: MonitoringLines,
    *,
    pushed: bool,
) -> list[str]:
    """The urgent sentence of each record in hardship.

    ``hard``: :func:`fanpin.schema.hardship_reasons` of ``records`` (same
    index); ``pushed``: the records are year-to-date records made by pushes
    (:data:`URGENT_BY_PUSH`, after the events' own sentences) or annual records
    (:data:`URGENT_BY_RECORD`). The income reason quotes the per-capita income
    after rigid spending and the line it was compared with.

    Examples
    --------
    >>> r = pd.DataFrame({"household_id": ["a"], "year": [2025], "province": ["P"],
    ...     "household_size": [2], "income_wage": [10000.0],
    ...     "income_business": [0.0], "income_transfer": [0.0],
    ...     "medical_cost_oop": [2000.0]})
    >>> h = pd.DataFrame({"income": [True], "housing": [False], "water": [False],
    ...                   "dropout": [False]})
    >>> text = urgent_reasons(r, h, MonitoringLines(default={2025: 7000}),
    ...                       pushed=False)[0]
    >>> print(text.replace("（", chr(10) + "（"))
    紧急：2025年度记录已处于困难
    （人均纯收入扣除医疗、教育支出后 4,000 元，低于监测标准 7,000 元），尚未纳入监测
    （应纳未纳）
    """
    if not len(records):
        return []
    income = per_capita_income_after_rigid(records).to_numpy(dtype="float64")
    line = lines.lookup(records["province"], records["year"])
    flags = hard[list(HARDSHIP_REASONS)].to_numpy(dtype=bool)
    years = records["year"].to_numpy()
    out = []
    for i in range(len(records)):
        why = []
        for j, (name, label) in enumerate(HARDSHIP_REASONS.items()):
            if not flags[i, j]:
                continue
            if name == "income":
                why.append(INCOME_WHY.format(income=income[i], line=float(line[i])))
            else:
                why.append(label)
        text = _WHY_SEP.join(why)
        template = URGENT_BY_PUSH if pushed else URGENT_BY_RECORD
        out.append(template.format(why=text, year=int(years[i])))
    return out
