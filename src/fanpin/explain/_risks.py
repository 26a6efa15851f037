"""Per-feature contributions -> official risk types, checked against the evidence.

Three steps, each a function:

1. :func:`risk_contributions`: each feature's contribution goes to its code
   (``features`` / ``domains`` of ``risk_types.yaml``); a composite feature's
   positive contribution is divided among its causes (out-of-pocket medical
   cost -> 因病, education cost -> 因学, the income shortfall -> income); the
   disaster code becomes the household's sub-item, ``income`` the component
   that fell (06 / 07) or 其他.
2. :func:`apply_evidence`: a code whose evidence rule fails on the household's
   record passes its positive contribution to the first code of its
   ``passes_to`` with evidence, else to 其他 when 其他's (structural) rule holds;
   it is never listed.
3. :func:`rank_risks`: the codes that raise the score most, the push's own code
   first, 其他 after every coded cause that explains a comparable part.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd

from ..config import RiskTypes
from ..config._explain import DISASTER_CODE, INCOME_SPLIT

__all__ = [
    "apply_evidence",
    "domain_contributions",
    "evidence_table",
    "rank_risks",
    "risk_contributions",
]


def domain_contributions(values: pd.DataFrame) -> pd.DataFrame:
    """Sum contributions per domain (the prefix before ``__``).

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


def _col(household: pd.DataFrame | None, name: str, n: int) -> np.ndarray:
    if household is None or name not in household:
        return np.full(n, np.nan)
    return pd.to_numeric(household[name], errors="coerce").to_numpy(
        dtype="float64", na_value=np.nan
    )


def _income_codes(risk_types: RiskTypes, household: pd.DataFrame | None, n: int):
    """Per household: the income component that fell most (06 / 07), or 其他."""
    out = np.full(n, risk_types.split_otherwise, dtype=object)
    comps = list(risk_types.split_components.items())
    if not comps:
        return out
    m = np.column_stack([_col(household, f, n) for _, f in comps])
    m = np.where(np.isfinite(m), m, -np.inf)
    best = m.argmax(axis=1)
    fell = m[np.arange(n), best] >= risk_types.split_min_fall
    codes = np.array([c for c, _ in comps], dtype=object)
    out[fell] = codes[best[fell]]
    return out


def _composite_weights(
    rule, household: pd.DataFrame | None, n: int  # noqa: ANN001 - CompositeRule
) -> tuple[dict[str, np.ndarray], np.ndarray]:
    """Share of each cause in a composite feature's positive contribution, and
    the rows with nothing to split by (the contribution stays whole)."""
    w = np.column_stack(
        [
            np.nan_to_num(np.maximum(_col(household, f, n), 0.0), nan=0.0)
            for f in rule.parts.values()
        ]
    ) if rule.parts else np.zeros((n, 0))  # fmt: skip
    total = w.sum(axis=1)
    out = {
        k: np.divide(w[:, j], total, out=np.zeros(n), where=total > 0)
        for j, k in enumerate(rule.parts)
    }
    return out, total <= 0


def risk_contributions(
    values: pd.DataFrame,
    risk_types: RiskTypes,
    *,
    household: pd.DataFrame | None = None,
) -> pd.DataFrame:
    """Sum per-feature contributions per official risk type, household by household.

    Parameters
    ----------
    values : DataFrame
        Per-feature contributions (SHAP values of the raw score, or a linear
        model's own terms), one column per ``<domain>__<feature>``.
    risk_types : RiskTypes
    household : DataFrame, optional
        :func:`~fanpin.explain.household_values` of the same rows, positionally
        aligned: the disaster type, the income falls and the parts of composite
        features. Without it a disaster goes to ``disaster.otherwise``, income to
        其他 and composites stay whole.

    Returns
    -------
    DataFrame
        One column per risk code met, rows aligned with ``values``; each row sums
        to the row's total contribution.

    Examples
    --------
    >>> from fanpin.config import load_risk_types
    >>> rt = load_risk_types()
    >>> v = pd.DataFrame({"health__medical_oop": [0.3], "disaster__loss": [0.2],
    ...                   "income__wage_change": [0.1]})
    >>> h = pd.DataFrame({"disaster_type": ["洪涝"], "wage_drop_pct": [0.4],
    ...                   "business_drop_pct": [0.0]})
    >>> r = risk_contributions(v, rt, household=h)
    >>> r.round(2).to_dict("records")
    [{'01': 0.3, '0201': 0.2, '07': 0.1}]
    """
    n = len(values)
    if household is not None:
        household = household.reset_index(drop=True)
    m = values.to_numpy(dtype="float64")
    cols = [str(c) for c in values.columns]
    acc: dict[str, np.ndarray] = {}

    def add(code: str, v: np.ndarray) -> None:
        if code not in acc:
            acc[code] = np.zeros(n)
        acc[code] += v

    rule_of = {f: r for r in risk_types.composites for f in r.features}
    weights = {
        id(r): _composite_weights(r, household, n)
        for r in risk_types.composites
        if set(r.features) & set(cols)
    }
    for j, c in enumerate(cols):
        code, v = risk_types.code_of_feature(c), m[:, j]
        rule = rule_of.get(c)
        if rule is None:
            add(code, v)
            continue
        shares, whole = weights[id(rule)]
        pos = np.where(whole, 0.0, np.maximum(v, 0.0))
        add(code, v - pos)
        for k, w in shares.items():
            part = pos * w
            if part.any():
                add(k, part)
    out: dict[str, np.ndarray] = {}

    def put(codes: np.ndarray, v: np.ndarray) -> None:
        for c in dict.fromkeys(codes.tolist()):
            out.setdefault(c, np.zeros(n))
            out[c] += np.where(codes == c, v, 0.0)

    for code, v in acc.items():
        if code == DISASTER_CODE:
            types = (
                household["disaster_type"].tolist()
                if household is not None and "disaster_type" in household
                else [None] * n
            )
            put(np.array([risk_types.disaster_code(t) for t in types], dtype=object), v)
        elif code == INCOME_SPLIT:
            put(_income_codes(risk_types, household, n), v)
        else:
            put(np.full(n, code, dtype=object), v)
    return pd.DataFrame(out, index=values.index)


def evidence_table(
    codes: Sequence[str], risk_types: RiskTypes, household: pd.DataFrame
) -> pd.DataFrame:
    """Whether each code's evidence rule holds, per household (bool columns).

    A code without a rule (a config without ``evidence``) counts as supported.
    """
    values = {c: household[c].to_numpy() for c in household.columns}
    out = {}
    for c in codes:
        rule = risk_types.evidence_of(c)
        out[c] = (
            np.ones(len(household), dtype=bool)
            if rule is None
            else rule.condition.holds(values)
        )
    return pd.DataFrame(out, index=household.index)


def apply_evidence(
    contributions: pd.DataFrame, risk_types: RiskTypes, household: pd.DataFrame
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Pass the contribution of codes without evidence to codes with evidence.

    Returns the contributions after the passes (codes without evidence hold 0
    or less) and the evidence table of every code involved.

    Examples
    --------
    >>> from fanpin.config import load_risk_types
    >>> rt = load_risk_types()
    >>> c = pd.DataFrame({"07": [0.4, 0.4], "99": [0.1, 0.1]})
    >>> h = pd.DataFrame({"labor_count": [0, 2], "household_size": [2, 3],
    ...     "no_labour": [1.0, 0.0], "wage_work": [0.0, 1.0], "wage_fell": [0.0, 0.0],
    ...     "margin_pct": [1.2, 1.2]})
    >>> after, ok = apply_evidence(c, rt, h)
    >>> after.round(2).to_dict("records")
    [{'07': 0.0, '99': 0.1, '04': 0.4}, {'07': 0.4, '99': 0.1, '04': 0.0}]
    """
    n = len(contributions)
    household = household.reset_index(drop=True)
    codes = list(contributions.columns)
    targets: set[str] = set()
    for c in codes:
        rule = risk_types.evidence_of(c)
        targets.update(rule.passes_to if rule is not None else ())
    structural = risk_types.structural.code
    every = list(dict.fromkeys([*codes, *sorted(targets), structural]))
    ok = evidence_table(every, risk_types, household).set_axis(contributions.index)
    out = {c: contributions[c].to_numpy(dtype="float64").copy() for c in codes}
    for c in codes:
        bad = ~ok[c].to_numpy()
        if not bad.any():
            continue
        v = out[c]
        moving = np.where(bad, np.maximum(v, 0.0), 0.0)
        out[c] = np.where(bad, np.minimum(v, 0.0), v)
        rule = risk_types.evidence_of(c)
        left = moving.copy()
        for t in (*(rule.passes_to if rule else ()), structural):
            if t == c or not left.any():
                continue
            take = np.where(ok[t].to_numpy(), left, 0.0)
            if take.any():
                out.setdefault(t, np.zeros(n))
                out[t] = out[t] + take
                left = left - take
    return pd.DataFrame(out, index=contributions.index), ok.loc[:, every]


def rank_risks(
    contributions: pd.DataFrame,
    *,
    max_risks: int = 5,
    min_contribution: float = 0.0,
    supported: pd.DataFrame | None = None,
    structural: str | None = None,
    yields_to: float = 0.5,
    first: Sequence[Sequence[str]] | None = None,
    standing: Sequence[str] = (),
) -> list[list[tuple[str, float]]]:
    """Per household, the risks that raise the score most: (code, contribution)
    pairs, largest first, positive and at least ``min_contribution``, at most
    ``max_risks``.

    Parameters
    ----------
    contributions : DataFrame
        Per household and risk code.
    max_risks, min_contribution
        As in the config's ``explain`` section.
    supported : DataFrame, optional
        :func:`evidence_table`: a code whose evidence fails is never listed.
    structural : str, optional
        The structural code (其他): ranked after every supported coded cause
        whose contribution is at least ``yields_to`` x its own.
    first : list of list of str, optional
        Per household, codes listed first in this order whatever their
        contribution (a department push's own cause), when supported.
    standing : sequence of str
        Codes of standing conditions rather than shocks (因缺劳动力): each is
        ranked after every other supported coded cause, 其他 and the standing
        codes aside, whose contribution is at least ``yields_to`` x its own
        (before 其他 when 其他 yields to it).

    Examples
    --------
    >>> c = pd.DataFrame({"01": [0.5, -0.1], "07": [0.2, 0.3], "99": [0.001, 0.0]})
    >>> rank_risks(c, max_risks=5, min_contribution=0.01)
    [[('01', 0.5), ('07', 0.2)], [('07', 0.3)]]
    >>> c = pd.DataFrame({"01": [0.3], "99": [0.5]})
    >>> rank_risks(c, min_contribution=0.1, structural="99")
    [[('01', 0.3), ('99', 0.5)]]
    >>> c = pd.DataFrame({"01": [0.3], "04": [0.5], "99": [0.4]})
    >>> rank_risks(c, structural="99", standing=["04"])
    [[('01', 0.3), ('04', 0.5), ('99', 0.4)]]
    """
    codes = np.array(contributions.columns, dtype=object)
    m = contributions.to_numpy(dtype="float64")
    okm = (
        supported.reindex(columns=list(codes), fill_value=True).to_numpy(dtype=bool)
        if supported is not None
        else np.ones(m.shape, dtype=bool)
    )
    floor = max(float(min_contribution), 0.0)
    pos_of = {str(c): j for j, c in enumerate(codes)}
    s_j = pos_of.get(structural) if structural is not None else None
    standing_j = [pos_of[c] for c in standing if c in pos_of and c != structural]
    out = []
    for i in range(len(m)):
        picked: list[tuple[str, float]] = []
        for c in first[i] if first is not None else ():
            j = pos_of.get(c)
            ok = (
                okm[i, j]
                if j is not None
                else bool(
                    supported is None or (c in supported and supported[c].iloc[i])
                )
            )
            if ok and c not in (p for p, _ in picked):
                picked.append((c, float(m[i, j]) if j is not None else 0.0))
        row = m[i]
        order = np.argsort(-row, kind="stable")
        listed = [
            j for j in order
            if row[j] > 0 and row[j] >= floor and okm[i, j]
            and str(codes[j]) not in (p for p, _ in picked)
        ]  # fmt: skip
        # a standing condition (因缺劳动力) after the shocks that explain a
        # comparable part; 其他 after every coded cause that does
        for j in standing_j:
            if j in listed:
                _yield(listed, j, row, yields_to, skip={*standing_j, s_j})
        if s_j is not None and s_j in listed:
            _yield(listed, s_j, row, yields_to, skip=set())
        for j in listed:
            picked.append((str(codes[j]), float(row[j])))
        out.append(picked[:max_risks])
    return out


def _yield(
    listed: list[int], j: int, row: np.ndarray, share: float, skip: set
) -> None:
    """Move ``j`` after the last code of ``listed`` (``skip`` aside) whose value
    is at least ``share`` x its own (in place)."""
    v = row[j]
    listed.remove(j)
    before = [k for k in listed if k not in skip and row[k] >= share * v]
    at = max((listed.index(k) for k in before), default=-1) + 1
    listed.insert(at, j)
