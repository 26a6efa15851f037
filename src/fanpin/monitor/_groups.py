"""Metrics by population group: does the ranking serve every group alike?

A thin layer over :func:`fanpin.evaluate.group_metrics` (the backtest's own group
breakdown) that accepts labels with missing values and adds an overall row.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd

from ..evaluate import group_metrics as _evaluate_group_metrics
from ..exceptions import InputError
from ..messages import N_, Message

__all__ = ["DEFAULT_GROUPS", "group_metrics"]

#: Group columns used when ``columns`` is not given (those present are used).
DEFAULT_GROUPS: tuple[str, ...] = ("province", "household_type", "ethnic_minority")

MSG_K = N_(
    "k must be a share of rows in (0, 1]; got {k!r}. For the top 5 %, pass 0.05."
)
MSG_LENGTH = N_("{name} has {got} rows but y has {n}; pass values for the same rows.")
MSG_NO_GROUPS = N_(
    "groups_df has none of the group columns {wanted}; it has {have}. Pass the "
    "panel's columns (e.g. panel[['province', 'household_type']]) or name them "
    "with columns=."
)
_ALL = "all"


def group_metrics(
    y: object,
    p: object,
    groups_df: pd.DataFrame,
    *,
    k: float = 0.05,
    columns: Sequence[str] | None = None,
) -> pd.DataFrame:
    """Ranking and calibration metrics for each value of each group column.

    One list is drawn over all labelled rows: the ``ceil(k * n)`` rows with the
    highest predicted risk (ties by row order), as a county would verify. For each
    group the table then says how many of its falls that one list catches
    (``recall_in_list``): a group whose falls are caught less often than others
    is under-served by the ranking. Rows whose label is missing are dropped first.

    Parameters
    ----------
    y : array-like of 0/1
        Observed outcome (``fell_next_year``); missing allowed.
    p : array-like of float
        Predicted risk of the same rows.
    groups_df : DataFrame
        Group columns of the same rows (e.g. the panel).
    k : float
        Size of the verification list as a share of rows.
    columns : sequence of str, optional
        Group columns (default: those of :data:`DEFAULT_GROUPS` present).

    Returns
    -------
    DataFrame
        One row per (``column``, ``group``), the first one ``column="all"``:
        ``n``, ``positives``, ``positive_rate`` (observed fall rate),
        ``mean_score`` (mean predicted risk), ``auc``, ``pr_auc``, ``ks`` (NaN
        when the group has one outcome only), ``brier``, ``ece``,
        ``flagged_share`` (share of the group on the list) and
        ``recall_in_list`` (share of the group's falls on the list). Missing group
        values form the group ``"<NA>"``.

    Examples
    --------
    >>> import numpy as np, pandas as pd
    >>> rng = np.random.default_rng(0)
    >>> p = rng.uniform(size=1000)
    >>> y = (rng.uniform(size=1000) < p * 0.2).astype(int)
    >>> groups = pd.DataFrame({"household_type": np.where(p > 0.5, "a", "b")})
    >>> t = group_metrics(y, p, groups, k=0.1)
    >>> t[["column", "group", "flagged_share"]].round(2)
               column group  flagged_share
    0             all   all           0.10
    1  household_type     a           0.19
    2  household_type     b           0.00
    """
    if not isinstance(k, int | float) or isinstance(k, bool) or not 0 < k <= 1:
        raise InputError(Message(MSG_K, k=k))
    y_ser = y if isinstance(y, pd.Series) else pd.Series(np.asarray(y))
    y_arr = (
        pd.to_numeric(y_ser)
        .astype("Float64")
        .to_numpy(dtype="float64", na_value=np.nan)
    )
    p_arr = np.asarray(p, dtype="float64")
    for name, got in (("p", p_arr.shape[0]), ("groups_df", len(groups_df))):
        if got != y_arr.size:
            raise InputError(Message(MSG_LENGTH, name=name, got=got, n=y_arr.size))
    wanted = list(columns) if columns is not None else list(DEFAULT_GROUPS)
    use = [c for c in wanted if c in groups_df.columns]
    if not use:
        raise InputError(
            Message(MSG_NO_GROUPS, wanted=wanted, have=list(groups_df.columns))
        )
    keep = ~np.isnan(y_arr) & ~np.isnan(p_arr)
    frame = groups_df.loc[keep, use].reset_index(drop=True)
    frame.insert(0, _ALL, _ALL)
    return _evaluate_group_metrics(
        frame,
        y_arr[keep].astype("int64"),
        p_arr[keep],
        [_ALL, *use],
        probability=True,
        fraction=float(k),
    )
