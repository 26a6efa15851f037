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

Measures are scored one slot at a time (the first measure of every alert, then
the second ...), each slot in one pass; a county-level feature (e.g. the
county's mean income) moves slightly when many records change at once, which
is accepted.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from ..config import WHAT_IF_TEXTS, AlertsConfig
from ..features import PanelView
from ..models import rows_probabilities
from ._assistance import AssistanceMap, split_codes

__all__ = ["apply_measure", "what_if", "what_if_text"]

logger = logging.getLogger(__name__)

VECTORISED = True
"""Apply each slot's measures column by column (the records of the alerts are
distinct); False: record by record with :func:`apply_measure` (the same
values; kept to test against)."""

#: record columns a what-if rule may change (restored after each slot)
TOUCHED = (
    "medical_cost_oop", "income_wage", "welfare_job", "income_transfer", "dibao",
    "income_business", "industry_support",
)  # fmt: skip


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
    """Change record ``row`` of ``df`` in place as ``measure`` would; False when
    the measure has no effect on this household (e.g. no wage fell)."""
    if measure == "健康帮扶":
        oop = _f(df.at[row, "medical_cost_oop"])
        if oop <= 0:
            return False
        df.at[row, "medical_cost_oop"] = oop * (1 - float(params["medical_aid_share"]))
    elif measure == "公益岗位帮扶":
        df.at[row, "income_wage"] = _f(df.at[row, "income_wage"]) + float(
            params["wage"]
        )
        if "welfare_job" in df:
            df.at[row, "welfare_job"] = True
    elif measure == "综合保障":
        add = float(params["transfer_per_person"]) * _f(df.at[row, "household_size"])
        df.at[row, "income_transfer"] = _f(df.at[row, "income_transfer"]) + add
        if "dibao" in df:
            df.at[row, "dibao"] = True
    elif measure == "就业帮扶":
        now, before = _f(df.at[row, "income_wage"]), last.get("income_wage", np.nan)
        if not params.get("restore_wage", True) or not before > now:
            return False
        df.at[row, "income_wage"] = before
    elif measure == "产业帮扶":
        now, before = (
            _f(df.at[row, "income_business"]),
            last.get("income_business", np.nan),
        )
        if not params.get("restore_business", True) or not before > now:
            return False
        df.at[row, "income_business"] = before
        if "industry_support" in df:
            df.at[row, "industry_support"] = True
    else:
        return False
    return True


def _numbers(series: pd.Series, pos: np.ndarray) -> np.ndarray:
    """``_f`` of the values at positions ``pos``: float64, missing as 0."""
    x = series.to_numpy(dtype="float64", na_value=np.nan)[pos]
    return np.where(np.isnan(x), 0.0, x)


@dataclass(frozen=True)
class _Slots:
    """The alerts' measure lists, the what-if rules, last year's wage and
    business income of each alert's household, the columns the rules touch."""

    measures: list[list[str]]
    config: AlertsConfig
    lag_w: np.ndarray
    lag_b: np.ndarray
    touched: list[str]


def _slot_vectorised(
    mod: pd.DataFrame, panel: pd.DataFrame, pos: np.ndarray, a: _Slots, k: int
) -> tuple[list[int], list[str]]:
    """Slot ``k`` of every alert applied to ``mod`` at once, column by column:
    the same values :func:`apply_measure` gives record by record (each record
    changes only from its own values). Returns the alerts changed (positions,
    ascending) and their measures."""
    n, lag_w, lag_b = len(a.measures), a.lag_w, a.lag_b
    name = np.array([ms[k] if k < len(ms) else "" for ms in a.measures], dtype=object)
    effect = np.zeros(n, dtype=bool)
    new: dict[str, tuple[np.ndarray, np.ndarray]] = {}  # column -> (set, values)

    def put(column: str, sel: np.ndarray, values: Any) -> None:
        if column not in mod or not sel.any():
            return
        values = np.broadcast_to(np.asarray(values), (n,))
        if column not in new:
            new[column] = (np.zeros(n, dtype=bool), np.zeros(n, dtype=values.dtype))
        mask, out = new[column]
        mask[sel] = True
        out[sel] = values[sel]

    for measure, params in a.config.what_if.items():
        sel = name == measure
        if not sel.any():
            continue
        if measure == "健康帮扶":
            oop = _numbers(panel["medical_cost_oop"], pos)
            sel &= oop > 0
            put("medical_cost_oop", sel,
                oop * (1 - float(params["medical_aid_share"])))  # fmt: skip
        elif measure == "公益岗位帮扶":
            wage = _numbers(panel["income_wage"], pos)
            put("income_wage", sel, wage + float(params["wage"]))
            put("welfare_job", sel, True)
        elif measure == "综合保障":
            add = float(params["transfer_per_person"]) * _numbers(
                panel["household_size"], pos
            )
            put("income_transfer", sel, _numbers(panel["income_transfer"], pos) + add)
            put("dibao", sel, True)
        elif measure == "就业帮扶":
            now = _numbers(panel["income_wage"], pos)
            sel &= bool(params.get("restore_wage", True)) & (lag_w > now)
            put("income_wage", sel, lag_w)
        elif measure == "产业帮扶":
            now = _numbers(panel["income_business"], pos)
            sel &= bool(params.get("restore_business", True)) & (lag_b > now)
            put("income_business", sel, lag_b)
            put("industry_support", sel, True)
        else:
            continue
        effect |= sel
    for column, (sel, values) in new.items():
        s = panel[column].copy()
        s.iloc[pos[sel]] = values[sel]  # the same setitem as apply_measure's
        mod[column] = s
    changed = np.flatnonzero(effect).tolist()
    return changed, [str(name[i]) for i in changed]


def _slot_by_row(
    mod: pd.DataFrame, rows: pd.Index, a: _Slots, k: int
) -> tuple[list[int], list[str], list[tuple[Any, dict[str, Any]]]]:
    """Slot ``k`` applied record by record (:func:`apply_measure`), and the
    values to restore after scoring (the former loop, for rows not unique)."""
    changed, names, saves = [], [], []
    for i, (row, ms) in enumerate(zip(rows, a.measures, strict=True)):
        if k >= len(ms) or ms[k] not in a.config.what_if:
            continue
        last = {"income_wage": a.lag_w[i], "income_business": a.lag_b[i]}
        saved = {c: mod.at[row, c] for c in a.touched}
        if apply_measure(mod, row, ms[k], a.config.what_if[ms[k]], last):
            changed.append(i)
            names.append(ms[k])
            saves.append((row, saved))
        else:
            for c, v in saved.items():
                mod.at[row, c] = v
    return changed, names, saves


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
    touched = [c for c in TOUCHED if c in mod]
    slots = max((len(m) for m in measures), default=0)
    slots_of = _Slots(measures, config, lag_w, lag_b, touched)
    vectorised = VECTORISED and (pos >= 0).all() and np.unique(pos).size == pos.size
    for k in range(slots):
        saves: list[tuple[Any, dict[str, Any]]] = []
        if vectorised:
            changed, names = _slot_vectorised(mod, panel, pos, slots_of, k)
        else:
            changed, names, saves = _slot_by_row(mod, rows, slots_of, k)
        if changed:
            p = rows_probabilities(model, mod, rows[changed])
            for i, name, v in zip(changed, names, p, strict=True):
                after[i][name] = float(v)
        for row, saved in saves:  # every record as it was
            for c, x in saved.items():
                mod.at[row, c] = x
        if vectorised:
            for c in touched:
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
