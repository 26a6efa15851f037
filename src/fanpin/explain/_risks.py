"""SHAP contributions summed per risk domain and per official risk type."""

from __future__ import annotations

import numpy as np
import pandas as pd

from ..config import ExplainConfig
from ..config._explain import DISASTER_CODE, INCOME_SPLIT

__all__ = ["domain_contributions", "rank_risks", "risk_contributions"]


def domain_contributions(values: pd.DataFrame) -> pd.DataFrame:
    """Sum SHAP values per domain (the prefix before ``__``).

    Examples
    --------
    >>> v = pd.DataFrame({"health__a": [1.0], "health__b": [0.5], "income__c": [-2.0]})
    >>> domain_contributions(v).to_dict("records")
    [{'health': 1.5, 'income': -2.0}]
    """
    domains = [str(c).partition("__")[0] for c in values.columns]
    order = list(dict.fromkeys(domains))
    out = values.T.groupby(domains, sort=False).sum().T
    return out[order]


def _household_codes(
    config: ExplainConfig,
    code: str,
    n: int,
    disaster_type: pd.Series | None,
    changes: pd.DataFrame | None,
) -> np.ndarray:
    """The risk code of one feature group for every household."""
    if code == DISASTER_CODE:
        types = [None] * n if disaster_type is None else disaster_type.tolist()
        return np.array([config.disaster_code(t) for t in types], dtype=object)
    if code == INCOME_SPLIT:
        out = np.full(n, config.split_otherwise, dtype=object)
        comps = list(config.split_components.items())
        if changes is None or not comps:
            return out
        m = np.column_stack(
            [
                changes[f].to_numpy(dtype="float64", na_value=np.nan)
                if f in changes
                else np.full(n, np.nan)
                for _, f in comps
            ]
        )
        m = np.where(np.isfinite(m), m, 0.0)
        worst = m.argmin(axis=1)
        fell = m.min(axis=1) < 0
        codes = np.array([c for c, _ in comps], dtype=object)
        out[fell] = codes[worst[fell]]
        return out
    return np.full(n, code, dtype=object)


def risk_contributions(
    values: pd.DataFrame,
    config: ExplainConfig,
    *,
    disaster_type: pd.Series | None = None,
    features: pd.DataFrame | None = None,
) -> pd.DataFrame:
    """Sum SHAP values per official risk type, household by household.

    A feature's contribution goes to the code configured for it (per feature,
    else per domain); ``"02"`` becomes the household's disaster sub-item (by
    ``disaster_type``), and the ``income`` pseudo-code 06 or 07 by which income
    component fell most (read from ``features``).

    Parameters
    ----------
    values : DataFrame
        SHAP values, one column per feature.
    config : ExplainConfig
    disaster_type : Series, optional
        The household's disaster type (洪涝 ...), aligned with ``values``.
    features : DataFrame, optional
        The feature values (for the income split), aligned with ``values``.

    Returns
    -------
    DataFrame
        One column per risk code met, rows aligned with ``values``; each row sums
        to the row's total contribution.

    Examples
    --------
    >>> from fanpin.config import load_explain_config
    >>> cfg = load_explain_config()
    >>> v = pd.DataFrame({"health__medical_oop": [0.3], "disaster__loss": [0.2],
    ...                   "income__margin_over_line": [0.1]})
    >>> f = pd.DataFrame({"income__wage_change": [-5000.0],
    ...                   "income__business_change": [100.0]})
    >>> r = risk_contributions(v, cfg, disaster_type=pd.Series(["洪涝"]), features=f)
    >>> r.round(2).to_dict("records")
    [{'01': 0.3, '0201': 0.2, '07': 0.1}]
    """
    n = len(values)
    groups: dict[str, list[str]] = {}
    for col in values.columns:
        groups.setdefault(config.code_of_feature(str(col)), []).append(col)
    if disaster_type is not None:
        disaster_type = pd.Series(disaster_type).reset_index(drop=True).astype(object)
        disaster_type = disaster_type.where(disaster_type.notna(), None)
    if features is not None:
        features = features.reset_index(drop=True)
    acc: dict[str, np.ndarray] = {}
    for code, cols in groups.items():
        total = values[cols].to_numpy(dtype="float64").sum(axis=1)
        codes = _household_codes(config, code, n, disaster_type, features)
        for c in dict.fromkeys(codes.tolist()):
            acc.setdefault(c, np.zeros(n))
            acc[c] += np.where(codes == c, total, 0.0)
    return pd.DataFrame(acc, index=values.index)


def rank_risks(
    contributions: pd.DataFrame, *, max_risks: int = 5, min_contribution: float = 0.0
) -> list[list[tuple[str, float]]]:
    """Per household, the risks that raise the score most: (code, contribution)
    pairs, largest first, positive and at least ``min_contribution``, at most
    ``max_risks``.

    Examples
    --------
    >>> c = pd.DataFrame({"01": [0.5, -0.1], "07": [0.2, 0.3], "99": [0.001, 0.0]})
    >>> rank_risks(c, max_risks=5, min_contribution=0.01)
    [[('01', 0.5), ('07', 0.2)], [('07', 0.3)]]
    """
    codes = np.array(contributions.columns, dtype=object)
    m = contributions.to_numpy(dtype="float64")
    order = np.argsort(-m, axis=1, kind="stable")
    floor = max(float(min_contribution), 0.0)
    out = []
    for i in range(len(m)):
        picked = []
        for j in order[i, :max_risks]:
            v = m[i, j]
            if v > 0 and v >= floor:
                picked.append((str(codes[j]), float(v)))
        out.append(picked)
    return out
