"""Explain households: contributions -> official risk types -> ranked risks with
sentences."""

from __future__ import annotations

import logging
from typing import Any

import numpy as np
import pandas as pd

from ..config import MonitoringLines, RiskTypes
from ..exceptions import ModelError
from ..features import feature_label
from ..messages import N_, Message
from ._risks import apply_evidence, evidence_table, rank_risks, risk_contributions
from ._sentences import prepare, render
from ._shap import ShapValues, shap_values
from ._values import household_values

__all__ = [
    "EXPLANATION_COLUMNS",
    "REASON_SEP",
    "explain_contributions",
    "explain_households",
]

logger = logging.getLogger(__name__)

REASON_SEP = "；"
"""Separator between reasons (sentences) in one cell."""

EXPLANATION_COLUMNS = (
    "household_id", "year", "raw_score", "base_value", "risk_types", "risk_names",
    "reasons", "contributions",
)  # fmt: skip
"""Columns of :func:`explain_households`' output."""

MSG_NO_FEATURES = N_(
    "explain_households needs the model's feature builder: pass a RiskPipeline "
    "(from fanpin.models.train_risk_model) or features=."
)
MSG_PUSH_COLUMNS = N_(
    "pushes needs the columns 'row' (index label of the record) and 'event_type'; "
    "got {got}. Pass AppliedEvents.applied of fanpin.workflow.apply_events."
)


def _push_codes(
    pushes: pd.DataFrame | None,
    rows: pd.Index,
    risk_types: RiskTypes,
    household: pd.DataFrame,
) -> list[list[str]]:
    """Per row, the codes of the pushes applied to it, in date order."""
    out: list[list[str]] = [[] for _ in range(len(rows))]
    if pushes is None or not len(pushes):
        return out
    if not {"row", "event_type"} <= set(pushes.columns):
        raise ModelError(Message(MSG_PUSH_COLUMNS, got=list(pushes.columns)))
    ev = pushes.sort_values("date", kind="stable") if "date" in pushes else pushes
    pos = {r: i for i, r in enumerate(rows)}
    dtypes = household["disaster_type"].tolist()
    for r, kind in zip(ev["row"].tolist(), ev["event_type"].tolist(), strict=True):
        i = pos.get(r)
        code = risk_types.events.get(str(kind))
        if i is None or code is None:
            continue
        if code == "02":
            code = risk_types.disaster_code(dtypes[i])
        if code not in out[i]:
            out[i].append(code)
    return out


def explain_contributions(
    contributions: ShapValues | pd.DataFrame,
    panel: pd.DataFrame,
    rows: pd.Index,
    *,
    risk_types: RiskTypes,
    lines: MonitoringLines | None = None,
    features: pd.DataFrame | None = None,
    pushes: pd.DataFrame | None = None,
) -> pd.DataFrame:
    """Ranked official risk types, with a sentence each, from any per-feature
    contribution matrix (SHAP values of a tree model, a linear model's terms).

    Parameters
    ----------
    contributions : ShapValues or DataFrame
        Per-feature contributions to the raw score of the rows ``rows`` (same
        order), columns ``<domain>__<feature>``.
    panel, rows, risk_types, lines, features, pushes
        As for :func:`explain_households`.

    Returns
    -------
    DataFrame
        As :func:`explain_households`.

    Examples
    --------
    >>> from fanpin.config import load_risk_types
    >>> panel = pd.DataFrame({"household_id": ["a", "a"], "year": [2023, 2024],
    ...     "household_size": [3, 3], "labor_count": [1, 0],
    ...     "chronic_ill_count": [1, 1], "serious_ill_count": [0, 1],
    ...     "medical_cost_oop": [2000.0, 30000.0], "income_wage": [20000.0, 8000.0],
    ...     "income_business": [3000.0, 3000.0], "income_transfer": [4000.0, 4000.0]})
    >>> c = pd.DataFrame({"health__medical_oop": [0.9], "income__wage_change": [0.4]},
    ...                  index=[1])
    >>> rt = load_risk_types()
    >>> ex = explain_contributions(c, panel, pd.Index([1]), risk_types=rt)
    >>> ex.loc[1, "risk_types"]
    '01;04'
    >>> print(ex.loc[1, "reasons"].split("；")[0][:44])
    2024年医疗自付费用 30,000 元，占家庭纯收入的 200%，家中大病患者 1 人
    """
    rows = pd.Index(rows)
    if isinstance(contributions, ShapValues):
        values = contributions.values
        base = np.full(len(rows), contributions.base_value)
        raw = contributions.raw_score.to_numpy()
    else:
        values = contributions
        base = np.zeros(len(rows))
        raw = values.sum(axis=1).to_numpy()
    values = values.set_axis(rows)
    household = household_values(
        panel, rows, features=features, lines=lines, pushes=pushes,
        rigid_share=risk_types.structural.rigid_share,
        gap_reference=risk_types.gap_reference,
        min_fall=risk_types.split_min_fall,
        worker_wage=risk_types.worker_wage,
        chronic_work_loss=risk_types.chronic_work_loss,
    )  # fmt: skip
    contrib = risk_contributions(values, risk_types, household=household)
    contrib, supported = apply_evidence(contrib, risk_types, household)
    first = _push_codes(pushes, rows, risk_types, household)
    # the 三保障 flags put the household in hardship by themselves: listed
    # first, after a push's own cause, wherever their evidence holds
    missing = [c for c in risk_types.guarantees if c not in supported]
    if missing:
        more = evidence_table(missing, risk_types, household.reset_index(drop=True))
        supported = pd.concat([supported, more.set_axis(supported.index)], axis=1)
    for code in risk_types.guarantees:
        for i in np.flatnonzero(supported[code].to_numpy(dtype=bool)):
            if code not in first[i]:
                first[i].append(code)
    ranked = rank_risks(
        contrib,
        max_risks=risk_types.max_risks,
        min_contribution=risk_types.min_contribution,
        supported=supported,
        structural=risk_types.structural.code,
        yields_to=risk_types.structural.yields_to,
        first=first,
        standing=risk_types.structural.standing,
    )
    top = _top_features(values, risk_types)
    records = household.to_dict("records")
    codes_out, names_out, reasons_out, contrib_out = [], [], [], []
    for i, risks in enumerate(ranked):
        fields = prepare(records[i]) if risks else {}
        sentences, names = [], []
        for code, _ in risks:
            sentences.append(render(code, fields, risk_types, top_feature=top(code, i)))
            names.append(risk_types.full_name(code))
        codes_out.append(";".join(c for c, _ in risks))
        names_out.append(";".join(names))
        reason = REASON_SEP.join(sentences) if risks else risk_types.no_reason
        reasons_out.append(reason)
        contrib_out.append(";".join(f"{c}:{v:.3f}" for c, v in risks))
    out = pd.DataFrame(
        {
            "household_id": panel.loc[rows, "household_id"].astype("string"),
            "year": panel.loc[rows, "year"].astype("int64"),
            "raw_score": raw,
            "base_value": base,
            "risk_types": pd.array(codes_out, dtype="string"),
            "risk_names": pd.array(names_out, dtype="string"),
            "reasons": pd.array(reasons_out, dtype="string"),
            "contributions": pd.array(contrib_out, dtype="string"),
        },
        index=rows,
    )
    logger.info("explained %d households", len(out))
    return out


def _top_features(values: pd.DataFrame, risk_types: RiskTypes):  # noqa: ANN202
    """``top(code, i)``: label of the feature of ``code``'s domain that raised
    row i's score most (for the fallback sentence)."""
    m = values.to_numpy(dtype="float64")
    by_code: dict[str, list[int]] = {}
    for j, c in enumerate(values.columns):
        by_code.setdefault(risk_types.code_of_feature(str(c)), []).append(j)
    labels = [feature_label(str(c)) for c in values.columns]
    cache: dict[str, np.ndarray | None] = {}

    def top(code: str, i: int) -> str:
        key = code
        rt = risk_types.types.get(code)
        if key not in by_code and rt is not None and rt.parent in by_code:
            key = rt.parent
        if key not in cache:
            idx = by_code.get(key)
            cache[key] = None if not idx else np.asarray(idx)[m[:, idx].argmax(axis=1)]
        best = cache[key]
        return labels[best[i]] if best is not None else feature_label("")

    return top


def explain_households(
    model: Any,
    panel: pd.DataFrame,
    *,
    risk_types: RiskTypes,
    rows: pd.Index | None = None,
    lines: MonitoringLines | None = None,
    features: pd.DataFrame | None = None,
    pushes: pd.DataFrame | None = None,
) -> pd.DataFrame:
    """Ranked official risk types, with a sentence each, for households of a panel.

    Each listed code passes its evidence rule on the household's own record
    (``risk_types.yaml``'s ``evidence``); a department push's own cause comes
    first, then the 三保障 flags that hold (``guarantees``: unsafe housing, a
    dropout, unsafe water); 其他 only for a structural risk (income close to
    the line).

    Parameters
    ----------
    model : RiskPipeline
        A trained pipeline (feature builder + model); with ``features`` given,
        any model :func:`~fanpin.explain.shap_values` accepts (LightGBM, or a
        model with ``feature_contributions(X)``).
    panel : DataFrame
        The validated panel (history is used for the features and sentences).
    risk_types : RiskTypes
        :func:`fanpin.config.load_risk_types` (loaded once by the caller).
    rows : Index, optional
        Index labels of the rows to explain (default: every row of the latest year).
    lines : MonitoringLines, optional
        For sentences quoting the monitoring line (default: the model's).
    features : DataFrame, optional
        Precomputed features of ``panel`` (same index); computed when None.
    pushes : DataFrame, optional
        Department pushes applied to the records (``AppliedEvents.applied``:
        ``row``, ``event_type``, ``date``, ``created``): each push's own risk code
        is listed first.

    Returns
    -------
    DataFrame
        Indexed like ``rows``, with :data:`EXPLANATION_COLUMNS`: ``risk_types`` and
        ``risk_names`` joined with ``;``, ``reasons`` joined with :data:`REASON_SEP`
        (one sentence per risk, same order), ``contributions`` (``code:log-odds``).
        Only risks that raise the score by at least ``min_contribution`` are
        listed (a push's own cause always), at most ``max_risks``.
    """
    if lines is None and hasattr(model, "lines"):
        lines = model.lines
    if features is None:
        if not hasattr(model, "features"):
            raise ModelError(Message(MSG_NO_FEATURES))
        features = model.features.transform(panel)
    if rows is None:
        rows = panel.index[(panel["year"] == panel["year"].max()).to_numpy()]
    rows = pd.Index(rows)
    sv = shap_values(model, features.loc[rows], method=risk_types.backend)
    return explain_contributions(
        sv, panel, rows, risk_types=risk_types, lines=lines, features=features,
        pushes=pushes,
    )  # fmt: skip
