"""The verified hit rate of the alert list: of the listed households the
townships checked, how many were found in hardship (属实)."""

from __future__ import annotations

import numpy as np
import pandas as pd

from ..exceptions import InputError
from ..messages import N_, Message
from ..monitor import wilson_interval
from ..ranking import ALERT_LEVELS

__all__ = ["HIT_RATE_COLUMNS", "OUTCOME_FALSE", "OUTCOME_TRUE", "hit_rates"]

OUTCOME_TRUE, OUTCOME_FALSE = "属实", "不属实"
"""A verified case: identified (已认定, and on to 帮扶中 / 风险消除), or
excluded (已排除)."""

HIT_RATE_COLUMNS = (
    "listed", "verified", "true", "false", "pending", "share_true", "low", "high",
)  # fmt: skip
"""Per group: cases listed by an alerts run; verified (属实 + 不属实); 属实;
不属实; not verified yet; the 属实 share of the verified with its 95 % Wilson
interval (NaN when none is verified)."""

TOTAL = "合计"
MSG_BY = N_("hit rates are by one of {allowed}; got {got!r}.")
_BY = ("township", "county", "risk_level")


def hit_rates(outcomes: pd.DataFrame, by: str = "township") -> pd.DataFrame:
    """The verified hit rate of the listed cases, by township, county or the
    risk level they were listed at, with a total row (合计).

    ``outcomes``: :meth:`CaseStore.outcomes` (one row per listed case, with
    ``outcome`` 属实 / 不属实 or empty). The 属实 share is of the verified
    cases only: the cases not verified yet are counted apart (``pending``), and
    households that were never listed are not in it (their hit rate is
    unknown; see the README on the bias of verified labels).

    By township, the rows are (county, township) pairs (a two-level index:
    two counties may each have a 城关镇); the total row is (合计, "").

    Examples
    --------
    >>> o = pd.DataFrame({"county": ["甲县"] * 4, "township": ["乙镇"] * 4,
    ...                   "risk_level": ["高"] * 4,
    ...                   "outcome": ["属实", "属实", "不属实", None]})
    >>> t = hit_rates(o)
    >>> t.loc[("甲县", "乙镇"), ["listed", "verified", "true", "pending"]].tolist()
    [4, 3, 2, 1]
    >>> [round(float(v), 3) for v in t.loc[("甲县", "乙镇"), ["share_true", "low"]]]
    [0.667, 0.208]
    >>> hit_rates(o, "risk_level").index.tolist()
    ['高', '合计']
    """
    if by not in _BY:
        raise InputError(Message(MSG_BY, allowed=", ".join(_BY), got=by))
    keys = ["county", "township"] if by == "township" else [by]
    df = outcomes
    frame = pd.DataFrame(
        {
            **{
                k: df[k].astype("string").fillna("-").to_numpy(dtype=object)
                for k in keys
            },
            "listed": 1,
            "true": (df["outcome"] == OUTCOME_TRUE).to_numpy(dtype=bool),
            "false": (df["outcome"] == OUTCOME_FALSE).to_numpy(dtype=bool),
        },
        index=pd.RangeIndex(len(df)),
    )
    table = frame.groupby(keys, sort=True)[["listed", "true", "false"]].sum()
    if by == "risk_level":
        order = [lv for lv in reversed(ALERT_LEVELS) if lv in table.index]
        table = table.reindex(order + [k for k in table.index if k not in order])
    total = table.sum()
    table.loc[(TOTAL, "") if len(keys) == 2 else TOTAL, :] = total.to_numpy()
    table = table.astype("int64")
    table["verified"] = table["true"] + table["false"]
    table["pending"] = table["listed"] - table["verified"]
    with np.errstate(divide="ignore", invalid="ignore"):
        share = table["true"] / table["verified"].where(table["verified"] > 0)
    table["share_true"] = share.astype("float64")
    lo, hi = wilson_interval(table["true"].to_numpy(), table["verified"].to_numpy())
    table["low"], table["high"] = lo, hi
    if len(keys) == 1:
        table.index.name = by
    return table[list(HIT_RATE_COLUMNS)]
