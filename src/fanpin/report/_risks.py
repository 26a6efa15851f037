"""Official risk types of the households on the report's list, from SHAP."""

from __future__ import annotations

import numpy as np
import pandas as pd

from ..config import RiskTypes

__all__ = ["risk_type_tables"]

_SEP = ";"
#: Code shown for listed households with no risk above ``min_contribution``.
NO_RISK = "—"


def _names(config: RiskTypes, code: str) -> tuple[str, str]:
    """(Chinese, English) names; 因自然灾害-洪涝 for a sub-item."""
    types = config.types
    rt = types.get(code)
    if rt is None:
        return code, code
    if rt.parent is None or rt.parent not in types:
        return rt.name, rt.en or rt.name
    parent = types[rt.parent]
    return f"{parent.name}-{rt.name}", f"{parent.en}: {rt.en}"


def _long(explained: pd.DataFrame, county: pd.Series) -> pd.DataFrame:
    """One row per (household, risk): county, code, rank (1 = largest)."""
    codes = explained["risk_types"].astype("string").fillna("").str.split(_SEP)
    long = pd.DataFrame(
        {
            "county": county.astype("string").fillna("<NA>").to_numpy(),
            "code": codes.to_numpy(),
        }
    ).explode("code", ignore_index=False)
    long["rank"] = long.groupby(level=0).cumcount() + 1
    long = long[long["code"].astype(str).str.len() > 0]
    long["code"] = long["code"].astype(str)
    return long.reset_index(drop=True)


def risk_type_tables(
    explained: pd.DataFrame, county: pd.Series, config: RiskTypes
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Households per official risk type, overall and by county.

    A household counts once for each risk type among its explained risks (up to
    ``max_risks``), and as ``n_main`` for its first (largest) one.

    Parameters
    ----------
    explained : DataFrame
        :func:`fanpin.explain.explain_households` of the listed households.
    county : Series
        The county of each of those households (same order).
    config : RiskTypes
        For the risk types' names.

    Returns
    -------
    overall : DataFrame
        ``code, name, en, n_listed, share_listed, n_main``, most frequent first
        (ties by code); a last row :data:`NO_RISK` counts the households without
        any risk above ``min_contribution`` when there are some.
    by_county : DataFrame
        One row per county (sorted): ``county``, ``n_households`` on the list,
        then one column per code of ``overall`` (same order) with the number of
        the county's listed households having that risk.

    Examples
    --------
    >>> from fanpin.config import load_risk_types
    >>> e = pd.DataFrame({"risk_types": ["01;03", "01", ""]})
    >>> o, c = risk_type_tables(e, pd.Series(["甲", "甲", "乙"]), load_risk_types())
    >>> o[["code", "name", "n_listed", "n_main"]].to_dict("records")[:2]
    [{'code': '01', 'name': '因病', 'n_listed': 2, 'n_main': 2}, {'code': '03', 'name': '因残', 'n_listed': 1, 'n_main': 0}]
    >>> o["code"].iloc[-1], int(o["n_listed"].iloc[-1])
    ('—', 1)
    >>> c.to_dict("records")
    [{'county': '乙', 'n_households': 1, '01': 0, '03': 0}, {'county': '甲', 'n_households': 2, '01': 2, '03': 1}]
    """  # noqa: E501
    n = len(explained)
    long = _long(explained, county)
    counts = long["code"].value_counts()
    main = long.loc[long["rank"] == 1, "code"].value_counts()
    codes = sorted(counts.index, key=lambda c: (-int(counts[c]), c))
    names = [_names(config, c) for c in codes]
    overall = pd.DataFrame(
        {
            "code": pd.array(codes, dtype="string"),
            "name": pd.array([zh for zh, _ in names], dtype="string"),
            "en": pd.array([en for _, en in names], dtype="string"),
            "n_listed": np.array([int(counts[c]) for c in codes], dtype="int64"),
            "n_main": np.array([int(main.get(c, 0)) for c in codes], dtype="int64"),
        }
    )
    n_none = n - int(long["rank"].eq(1).sum())
    if n_none:
        overall.loc[len(overall)] = [NO_RISK, "无明显风险", "no risk above threshold",
                                     n_none, n_none]  # fmt: skip
    overall.insert(
        4, "share_listed", overall["n_listed"] / n if n else np.nan
    )
    groups = county.astype("string").fillna("<NA>")
    ctab = pd.crosstab(long["county"], long["code"])
    ctab = ctab.reindex(index=sorted(groups.unique()), columns=codes, fill_value=0)
    ctab.columns.name = None
    by_county = ctab.astype("int64").rename_axis("county").reset_index()
    by_county["county"] = by_county["county"].astype("string")
    sizes = groups.value_counts()
    by_county.insert(
        1, "n_households", sizes.reindex(by_county["county"]).to_numpy(dtype="int64")
    )
    return overall, by_county
