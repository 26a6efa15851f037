"""What-if (若落实…): the risk after the suggested measure, scoring a modified record.

For each alerted household the first suggested measure with a what-if rule (and
an effect on this household) is applied to its record, and the record is scored
again with the same model and history:

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

All modified records are scored in one pass; a county-level feature (e.g. the
county's mean income) moves slightly when many records change at once, which is
accepted.
"""

from __future__ import annotations

import logging
from typing import Any

import numpy as np
import pandas as pd

from ..config import AlertsConfig, shipped_configs
from ..features import PanelView
from ..models import rows_probabilities
from ._assistance import split_codes

__all__ = ["apply_measure", "what_if", "what_if_text"]

logger = logging.getLogger(__name__)


def what_if_text(measure: str, before: float, after: float) -> str:
    """``若落实健康帮扶,风险由 0.42 降至 0.18``.

    Examples
    --------
    >>> what_if_text("健康帮扶", 0.42, 0.18)
    '若落实健康帮扶,风险由 0.42 降至 0.18'
    >>> what_if_text("就业帮扶", 0.30, 0.30)
    '若落实就业帮扶,风险仍为 0.30'
    """
    if round(after, 2) < round(before, 2):
        return f"若落实{measure},风险由 {before:.2f} 降至 {after:.2f}"
    if round(after, 2) == round(before, 2):
        return f"若落实{measure},风险仍为 {after:.2f}"
    return f"若落实{measure},风险由 {before:.2f} 变为 {after:.2f}"


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


def what_if(
    model: Any,
    panel: pd.DataFrame,
    alerts: pd.DataFrame,
    rows: pd.Index,
    *,
    config: AlertsConfig | None = None,
) -> pd.DataFrame:
    """Risk after the first applicable suggested measure, for each alert.

    Parameters
    ----------
    model : RiskPipeline
        The pipeline that scored the panel (``predict_proba(panel)``).
    panel : DataFrame
        The panel the alerts were scored on.
    alerts : DataFrame
        The alert list (``measures``, ``risk_score``), positionally aligned with
        ``rows``.
    rows : Index
        The panel index label of each alert's scored record.
    config : AlertsConfig, optional

    Returns
    -------
    DataFrame
        On ``alerts.index``: ``what_if_measure``, ``risk_after`` (NaN when no
        measure applies) and ``what_if`` (the sentence, empty when none).
    """
    cfg = config if config is not None else shipped_configs().alerts
    rows = pd.Index(rows)
    view = PanelView(panel.reset_index(drop=True))
    pos = panel.index.get_indexer(rows)
    lag_w = view.lag(view.num("income_wage"))[pos]
    lag_b = view.lag(view.num("income_business"))[pos]
    mod = panel.copy()
    chosen: list[str | None] = []
    for i, (row, measures) in enumerate(
        zip(rows, alerts["measures"].tolist(), strict=True)
    ):
        pick = None
        last = {"income_wage": lag_w[i], "income_business": lag_b[i]}
        for m in split_codes(measures):
            if m in cfg.what_if and apply_measure(mod, row, m, cfg.what_if[m], last):
                pick = m
                break
        chosen.append(pick)
    has = np.array([c is not None for c in chosen])
    after = np.full(len(rows), np.nan)
    if has.any():
        after[has] = rows_probabilities(model, mod, rows[has])
    before = alerts["risk_score"].to_numpy(dtype="float64")
    text = [
        what_if_text(m, b, a) if m is not None else ""
        for m, b, a in zip(chosen, before, after, strict=True)
    ]
    logger.info("what-if for %d of %d alerts", int(has.sum()), len(rows))
    return pd.DataFrame(
        {
            "what_if_measure": pd.array(chosen, dtype="string"),
            "risk_after": after,
            "what_if": pd.array(text, dtype="string"),
        },
        index=alerts.index,
    )
