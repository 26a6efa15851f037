"""Explain households: SHAP -> official risk types -> ranked risks with sentences."""

from __future__ import annotations

import logging
from typing import Any

import numpy as np
import pandas as pd

from ..config import ExplainConfig, MonitoringLines, load_explain_config
from ..config._explain import DISASTER_CODE, INCOME_SPLIT
from ..exceptions import ModelError
from ..features import feature_label
from ._risks import rank_risks, risk_contributions
from ._sentences import _prepare, _render, _templates, household_values
from ._shap import shap_values

__all__ = ["EXPLANATION_COLUMNS", "REASON_SEP", "explain_households"]

logger = logging.getLogger(__name__)

REASON_SEP = "；"
"""Separator between reasons (sentences) in one cell."""

EXPLANATION_COLUMNS = (
    "household_id", "year", "raw_score", "base_value", "risk_types", "risk_names",
    "reasons", "contributions",
)  # fmt: skip
"""Columns of :func:`explain_households`' output."""


def _candidates(config: ExplainConfig, columns: list[str]) -> dict[str, list[str]]:
    by_code: dict[str, list[str]] = {}
    for c in columns:
        by_code.setdefault(config.code_of_feature(c), []).append(c)
    return by_code


def _features_of(code: str, by_code: dict[str, list[str]], config: ExplainConfig):
    cols = list(by_code.get(code, []))
    if code in config.disaster_subtypes.values() or code == config.disaster_otherwise:
        cols += by_code.get(DISASTER_CODE, [])
    if code in config.split_components or code == config.split_otherwise:
        cols += by_code.get(INCOME_SPLIT, [])
    return cols


def _name(config: ExplainConfig, code: str) -> str:
    """因自然灾害-洪涝 for a sub-item, the plain name otherwise."""
    rt = config.risk_types.types[code]
    if rt.parent is None:
        return rt.name
    return f"{config.risk_types.name(rt.parent)}-{rt.name}"


def explain_households(
    model: Any,
    panel: pd.DataFrame,
    *,
    rows: pd.Index | None = None,
    lines: MonitoringLines | None = None,
    config: ExplainConfig | None = None,
    features: pd.DataFrame | None = None,
) -> pd.DataFrame:
    """Ranked official risk types, with a sentence each, for households of a panel.

    Parameters
    ----------
    model : RiskPipeline
        A trained pipeline (feature builder + RiskModel); with ``features`` given,
        any model :func:`~fanpin.explain.shap_values` accepts.
    panel : DataFrame
        The validated panel (history is used for the features and sentences).
    rows : Index, optional
        Index labels of the rows to explain (default: every row of the latest year).
    lines : MonitoringLines, optional
        For sentences quoting the monitoring line (default: the model's).
    config : ExplainConfig, optional
        Default: the shipped ``risk_types.yaml``.
    features : DataFrame, optional
        Precomputed features of ``panel`` (same index); computed when None.

    Returns
    -------
    DataFrame
        Indexed like ``rows``, with :data:`EXPLANATION_COLUMNS`: ``risk_types`` and
        ``risk_names`` joined with ``;``, ``reasons`` joined with :data:`REASON_SEP`
        (one sentence per risk, same order), ``contributions`` (``code:log-odds``).
        Only risks that raise the score by at least ``min_contribution`` are
        listed, at most ``max_risks``.
    """
    config = config if config is not None else load_explain_config()
    if lines is None and hasattr(model, "lines"):
        lines = model.lines
    if features is None:
        if not hasattr(model, "features"):
            raise ModelError(
                "explain_households needs the model's feature builder: pass a "
                "RiskPipeline (from fanpin.models.train_risk_model) or features=."
            )
        features = model.features.transform(panel)
    if rows is None:
        rows = panel.index[(panel["year"] == panel["year"].max()).to_numpy()]
    rows = pd.Index(rows)
    X = features.loc[rows]
    sv = shap_values(model, X)
    dtype = panel.loc[rows, "disaster_type"] if "disaster_type" in panel else None
    contrib = risk_contributions(sv.values, config, disaster_type=dtype, features=X)
    ranked = rank_risks(
        contrib, max_risks=config.max_risks, min_contribution=config.min_contribution
    )
    values = household_values(panel, rows, features=features, lines=lines)
    records = values.to_dict("records")
    by_code = _candidates(config, list(sv.values.columns))
    shap_np = sv.values
    col_pos = {c: i for i, c in enumerate(shap_np.columns)}
    m = shap_np.to_numpy()
    # Per risk code, computed once for all rows: the feature with the largest
    # contribution (first one on ties, as max()), the templates and the names.
    cache: dict[str, tuple] = {}

    def _code_info(code: str) -> tuple:
        if code not in cache:
            cols = _features_of(code, by_code, config)
            if cols:
                idx = np.array([col_pos[c] for c in cols])
                labels = np.array([feature_label(c) for c in cols], dtype=object)
                top = labels[np.argmax(m[:, idx], axis=1)]
            else:
                top = np.full(len(m), feature_label(""), dtype=object)
            cache[code] = (
                top,
                _templates(code, config),
                config.risk_types.name(code),
                _name(config, code),
            )
        return cache[code]

    codes_out, names_out, reasons_out, contrib_out = [], [], [], []
    for i, risks in enumerate(ranked):
        fields = _prepare(records[i]) if risks else None
        sentences = []
        names = []
        for code, _ in risks:
            top, templates, risk_name, name = _code_info(code)
            sentences.append(
                _render(
                    code,
                    fields,
                    config,
                    top_feature=top[i],
                    templates=templates,
                    risk_name=risk_name,
                )
            )
            names.append(name)
        codes_out.append(";".join(c for c, _ in risks))
        names_out.append(";".join(names))
        reasons_out.append(REASON_SEP.join(sentences))
        contrib_out.append(";".join(f"{c}:{v:.3f}" for c, v in risks))
    out = pd.DataFrame(
        {
            "household_id": panel.loc[rows, "household_id"].astype("string"),
            "year": panel.loc[rows, "year"].astype("int64"),
            "raw_score": sv.raw_score.to_numpy(),
            "base_value": np.full(len(rows), sv.base_value),
            "risk_types": pd.array(codes_out, dtype="string"),
            "risk_names": pd.array(names_out, dtype="string"),
            "reasons": pd.array(reasons_out, dtype="string"),
            "contributions": pd.array(contrib_out, dtype="string"),
        },
        index=rows,
    )
    logger.info("explained %d households", len(out))
    return out
