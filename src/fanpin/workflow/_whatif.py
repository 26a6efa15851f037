"""What-if (若落实…): the risk after each suggested measure, scoring a modified record.

For each alerted household every suggested measure with a what-if rule (and an
effect on this household) is applied to its record on its own, and the record
is scored again with the same model and history:

==============  ===========================================================
measure         change to the record (parameters in ``alerts.yaml``)
==============  ===========================================================
健康帮扶        medical_cost_oop x (1 - medical_aid_share)
公益岗位帮扶    income_wage + wage; welfare_job = True
综合保障        income_transfer + transfer_per_person x household_size;
                dibao = True
就业帮扶        income_wage back to last year's (only if it fell)
产业帮扶        income_business back to last year's (only if it fell);
                industry_support = True
==============  ===========================================================

Only measures that lower the risk by at least ``policy.what_if_min_drop``
(``assistance.yaml``) are shown, largest drop first, and the household's
measure list is reordered the same way (measures the model cannot assess keep
their order after them). When no measure brings the risk below the alert
cutoff, or none lowers it at all, the sentence says so plainly.

Each rule is written once, over the alerts' records as arrays (:data:`RULES`);
:func:`apply_measure` is the same rule on one record. Measures are scored one
slot at a time (the first measure of every alert, then the second ...), each
slot in one pass; a county-level feature (e.g. the county's mean income) moves
slightly when many records change at once, which is accepted. Alerts that share
a record (a caller's list; the alert run lists each household once) are
applied in turn, each measure on its own.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping
from types import MappingProxyType
from typing import Any

import numpy as np
import pandas as pd

from ..config import WHAT_IF_TEXTS, AlertsConfig
from ..features import PanelView
from ..models import rows_probabilities
from ._assistance import AssistanceMap, split_codes

__all__ = ["apply_measure", "what_if", "what_if_text"]

logger = logging.getLogger(__name__)

#: message of :func:`what_if` for alert rows that are not records of the panel
MSG_ROWS_NOT_IN_PANEL = (
    "what_if: {n} alert row(s) are not records of the panel (first: {first!r}); "
    "pass the panel index label of each alert's scored record."
)

Column = Callable[[str], np.ndarray]
"""A record column at the alerts' records: float64, missing as 0."""

Change = tuple[np.ndarray, dict[str, Any]]
"""Which alerts a rule changes (bool, one per alert) and the new values of the
columns it sets (an array with one value per alert, or one value for all)."""


def _health(num: Column, last: Mapping[str, np.ndarray], params: Any) -> Change:
    oop = num("medical_cost_oop")
    share = float(params["medical_aid_share"])
    return oop > 0, {"medical_cost_oop": oop * (1 - share)}


def _welfare_job(num: Column, last: Mapping[str, np.ndarray], params: Any) -> Change:
    wage = num("income_wage")
    return np.ones(wage.size, dtype=bool), {
        "income_wage": wage + float(params["wage"]), "welfare_job": True,
    }  # fmt: skip


def _social_assistance(
    num: Column, last: Mapping[str, np.ndarray], params: Any
) -> Change:
    add = float(params["transfer_per_person"]) * num("household_size")
    transfer = num("income_transfer")
    return np.ones(transfer.size, dtype=bool), {
        "income_transfer": transfer + add, "dibao": True,
    }  # fmt: skip


def _employment(num: Column, last: Mapping[str, np.ndarray], params: Any) -> Change:
    before = last["income_wage"]
    hit = bool(params.get("restore_wage", True)) & (before > num("income_wage"))
    return hit, {"income_wage": before}


def _industry(num: Column, last: Mapping[str, np.ndarray], params: Any) -> Change:
    before = last["income_business"]
    hit = bool(params.get("restore_business", True)) & (before > num("income_business"))
    return hit, {"income_business": before, "industry_support": True}


RULES: Mapping[str, Callable[[Column, Mapping[str, np.ndarray], Any], Change]] = (
    MappingProxyType({
        "健康帮扶": _health,
        "公益岗位帮扶": _welfare_job,
        "综合保障": _social_assistance,
        "就业帮扶": _employment,
        "产业帮扶": _industry,
    })
)  # fmt: skip
"""The what-if rule of each measure, written once over the alerts' records
(the table in the module docstring): ``rule(num, last, params)`` with ``num``
the record columns, ``last`` last year's ``income_wage`` and
``income_business`` (NaN without) and ``params`` the measure's parameters in
``alerts.yaml``. A column a rule sets is left alone when the panel lacks it."""

#: record columns whose last year's value a rule reads
LAGGED = ("income_wage", "income_business")


def what_if_text(
    measure: str, before: float, after: float, template: str = WHAT_IF_TEXTS["lowers"]
) -> str:
    """``若落实健康帮扶，风险由 0.42 降至 0.18``.

    Examples
    --------
    >>> what_if_text("健康帮扶", 0.42, 0.18)
    '若落实健康帮扶，风险由 0.42 降至 0.18'
    """
    return template.format(measure=measure, before=before, after=after)


def _f(v: Any) -> float:
    return 0.0 if v is None or pd.isna(v) else float(v)


def apply_measure(
    df: pd.DataFrame, row: Any, measure: str, params: Any, last: dict[str, float]
) -> bool:
    """Change record ``row`` of ``df`` in place as ``measure`` would (its rule
    in :data:`RULES`); False when the measure has no rule or no effect on this
    household (e.g. no wage fell). ``last``: last year's ``income_wage`` and
    ``income_business`` (missing: no lag).

    Examples
    --------
    >>> import pandas as pd
    >>> df = pd.DataFrame({"medical_cost_oop": [10000.0], "income_wage": [5000.0]})
    >>> apply_measure(df, 0, "健康帮扶", {"medical_aid_share": 0.4}, {})
    True
    >>> float(df.at[0, "medical_cost_oop"])
    6000.0
    >>> apply_measure(df, 0, "就业帮扶", {}, {"income_wage": 4000.0})  # no wage fell
    False
    """
    rule = RULES.get(measure)
    if rule is None:
        return False
    lag = {c: np.array([last.get(c, np.nan)], dtype="float64") for c in LAGGED}
    hit, changes = rule(lambda c: np.array([_f(df.at[row, c])]), lag, params)
    if not np.broadcast_to(hit, (1,))[0]:
        return False
    for column, values in changes.items():
        if column in df:
            df.at[row, column] = np.broadcast_to(np.asarray(values), (1,))[0].item()
    return True


class _Records:
    """The record columns at the alerts' records (read once per run of
    :func:`what_if`), and last year's values the rules read."""

    def __init__(self, panel: pd.DataFrame, pos: np.ndarray, last: dict) -> None:
        self.panel, self.pos, self.last = panel, pos, last
        self._cache: dict[str, np.ndarray] = {}

    def num(self, column: str) -> np.ndarray:
        if column not in self._cache:
            x = self.panel[column].to_numpy(dtype="float64", na_value=np.nan)
            x = x[self.pos]
            self._cache[column] = np.where(np.isnan(x), 0.0, x)
        return self._cache[column]


def _apply_slot(
    mod: pd.DataFrame,
    records: _Records,
    names: np.ndarray,
    config: AlertsConfig,
) -> tuple[np.ndarray, list[str]]:
    """The measure ``names[i]`` of every alert ``i`` applied to ``mod`` at once,
    column by column (the alerts' records are distinct; "" = no measure).
    Returns the alerts changed (positions, ascending) and the columns set."""
    n = len(names)
    effect = np.zeros(n, dtype=bool)
    new: dict[str, tuple[np.ndarray, np.ndarray]] = {}  # column -> (set, values)
    for measure, params in config.what_if.items():
        rule = RULES.get(measure)
        sel = names == measure
        if rule is None or not sel.any():
            continue
        hit, changes = rule(records.num, records.last, params)
        sel &= hit
        if not sel.any():
            continue
        for column, values in changes.items():
            if column not in mod:
                continue
            values = np.broadcast_to(np.asarray(values), (n,))
            if column not in new:
                new[column] = (np.zeros(n, dtype=bool), np.zeros(n, dtype=values.dtype))
            mask, out = new[column]
            mask[sel] = True
            out[sel] = values[sel]
        effect |= sel
    panel, pos = records.panel, records.pos
    for column, (sel, values) in new.items():
        s = panel[column].copy()
        s.iloc[pos[sel]] = values[sel]
        mod[column] = s
    return np.flatnonzero(effect), list(new)


def _rounds(pos: np.ndarray) -> np.ndarray:
    """For each alert, how many alerts before it share its record: alerts of
    the same round have distinct records and are applied together."""
    order = np.argsort(pos, kind="stable")
    sorted_pos = pos[order]
    first = np.r_[True, sorted_pos[1:] != sorted_pos[:-1]]
    starts = np.flatnonzero(first)
    group = np.cumsum(first) - 1
    out = np.empty(pos.size, dtype=np.int64)
    out[order] = np.arange(pos.size) - starts[group]
    return out


def what_if(
    model: Any,
    panel: pd.DataFrame,
    alerts: pd.DataFrame,
    rows: pd.Index,
    *,
    config: AlertsConfig,
    assistance: AssistanceMap,
    cutoff: float | None = None,
) -> pd.DataFrame:
    """Risk after each suggested measure, for each alert.

    Parameters
    ----------
    model : RiskPipeline
        The pipeline that scored the panel (``risk_score(panel)``).
    panel : DataFrame
        The panel the alerts were scored on.
    alerts : DataFrame
        The alert list (``measures``, ``departments``, ``risk_score``),
        positionally aligned with ``rows``.
    rows : Index
        The panel index label of each alert's scored record.
    config : AlertsConfig
        The what-if rules' parameters (``what_if``).
    assistance : AssistanceMap
        For ``policy.what_if_min_drop``.
    cutoff : float, optional
        The alert cutoff: the sentence says plainly when no single measure brings
        the risk below it.

    Returns
    -------
    DataFrame
        On ``alerts.index``: ``what_if_measure`` (the measure that lowers the risk
        most, missing when none does), ``risk_after`` (the risk after it, NaN when
        none), ``what_if`` (the sentences) and ``measures`` / ``departments``
        reordered: measures that lower the risk first, largest drop first.
    """
    rows = pd.Index(rows)
    min_drop = float(assistance.config.what_if_min_drop)
    texts = assistance.config.what_if_texts
    view = PanelView(panel.reset_index(drop=True))
    pos = panel.index.get_indexer(rows)
    lag_w = view.lag(view.num("income_wage"))[pos]
    lag_b = view.lag(view.num("income_business"))[pos]
    measures = [split_codes(m) for m in alerts["measures"].tolist()]
    departments = [split_codes(d) for d in alerts["departments"].tolist()]
    before = alerts["risk_score"].to_numpy(dtype="float64")
    after: list[dict[str, float]] = [{} for _ in rows]
    mod = panel.copy(deep=False)  # copy-on-write: changed columns are new
    records = _Records(panel, pos, {"income_wage": lag_w, "income_business": lag_b})
    slots = max((len(m) for m in measures), default=0)
    missing = [
        rows[i] for i in np.flatnonzero(pos < 0)
        if any(m in config.what_if and m in RULES for m in measures[i])
    ]  # fmt: skip
    if missing:
        raise KeyError(MSG_ROWS_NOT_IN_PANEL.format(n=len(missing), first=missing[0]))
    rounds = _rounds(pos)  # alerts on the same record are applied one by one
    n_rounds = int(rounds.max()) + 1 if len(rows) else 0
    for k in range(slots):
        slot = np.array([ms[k] if k < len(ms) else "" for ms in measures], dtype=object)
        slot[pos < 0] = ""
        for r in range(n_rounds):
            names = slot if n_rounds == 1 else np.where(rounds == r, slot, "")
            changed, columns = _apply_slot(mod, records, names, config)
            if changed.size:
                p = rows_probabilities(model, mod, rows[changed])
                for i, v in zip(changed, p, strict=True):
                    after[i][str(names[i])] = float(v)
            for c in columns:  # every record as it was
                mod[c] = panel[c]
    best_m: list[str | None] = []
    best_after = np.full(len(rows), np.nan)
    sentences, new_m, new_d = [], [], []
    for i, (ms, ds) in enumerate(zip(measures, departments, strict=True)):
        lowers = sorted(
            (m for m, a in after[i].items() if before[i] - a >= min_drop),
            key=lambda m, i=i: (after[i][m], ms.index(m)),
        )
        order = [*lowers, *(m for m in ms if m not in lowers)]
        dept = dict(zip(ms, ds, strict=False))
        new_m.append(";".join(order))
        new_d.append(";".join(dept.get(m, "") for m in order))
        parts = [
            what_if_text(m, before[i], after[i][m], texts["lowers"]) for m in lowers
        ]
        if lowers:
            best_m.append(lowers[0])
            best_after[i] = after[i][lowers[0]]
            if cutoff is not None and np.isfinite(cutoff) and best_after[i] >= cutoff:
                parts.append(texts["not_below"].format(cutoff=cutoff))
        else:
            best_m.append(None)
            parts.append(texts["none"].format(min_drop=min_drop, before=before[i]))
        sentences.append("；".join(parts))
    logger.info(
        "what-if: %d of %d alerts have a measure that lowers the risk",
        sum(m is not None for m in best_m), len(rows),
    )  # fmt: skip
    return pd.DataFrame(
        {
            "what_if_measure": pd.array(best_m, dtype="string"),
            "risk_after": best_after,
            "what_if": pd.array(sentences, dtype="string"),
            "measures": pd.array(new_m, dtype="string"),
            "departments": pd.array(new_d, dtype="string"),
        },
        index=alerts.index,
    )
