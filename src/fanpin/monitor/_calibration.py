"""Calibration tables: predicted risk against observed fall rates, overall, by year."""

from __future__ import annotations

from typing import Literal

import numpy as np
import pandas as pd

from ..exceptions import InputError
from ..messages import N_, Message

__all__ = [
    "calibration_by_year",
    "calibration_curve_table",
    "calibration_summary",
    "wilson_interval",
]

MSG_LENGTH = N_("{name} has {got} values but y has {n}; pass one value per row.")
MSG_STRATEGY = N_("strategy must be 'quantile' or 'uniform'; got {strategy!r}.")
MSG_N_BINS = N_("n_bins must be an integer >= 1; got {n_bins!r}.")
MSG_P_RANGE = N_("p must be probabilities in [0, 1]; got values from {lo} to {hi}.")

_Z = 1.959963984540054  # two-sided 95 % normal quantile

_CURVE_COLUMNS = [
    "bin",
    "p_min",
    "p_max",
    "n",
    "n_fell",
    "mean_predicted",
    "observed_rate",
    "observed_low",
    "observed_high",
]


def _labelled(y: object, p: object, **others: object) -> tuple[np.ndarray, ...]:
    """y as float (NaN when missing) and p; rows without a label are dropped."""
    y_arr = pd.Series(np.asarray(y) if not isinstance(y, pd.Series) else y)
    y_arr = (
        pd.to_numeric(y_arr)
        .astype("Float64")
        .to_numpy(dtype="float64", na_value=np.nan)
    )
    p_arr = np.asarray(p, dtype="float64")
    extra = {k: np.asarray(v) for k, v in others.items()}
    for name, arr in {"p": p_arr, **extra}.items():
        if arr.shape[0] != y_arr.shape[0]:
            raise InputError(
                Message(MSG_LENGTH, name=name, got=arr.shape[0], n=y_arr.shape[0])
            )
    keep = ~np.isnan(y_arr) & ~np.isnan(p_arr)
    if keep.any():
        lo, hi = p_arr[keep].min(), p_arr[keep].max()
        if lo < 0 or hi > 1:
            raise InputError(Message(MSG_P_RANGE, lo=lo, hi=hi))
    return (y_arr[keep], p_arr[keep], *(extra[k][keep] for k in others))


def wilson_interval(
    k: np.ndarray | float, n: np.ndarray | float
) -> tuple[np.ndarray, np.ndarray]:
    """The 95 % Wilson score interval of a share ``k / n`` (NaN where n is 0).

    Examples
    --------
    >>> lo, hi = wilson_interval(8, 10)
    >>> round(float(lo), 3), round(float(hi), 3)
    (0.49, 0.943)
    """
    k = np.asarray(k, dtype="float64")
    n = np.asarray(n, dtype="float64")
    with np.errstate(divide="ignore", invalid="ignore"):
        return _wilson(k, n)


def _wilson(k: np.ndarray, n: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    phat = k / n
    denom = 1 + _Z**2 / n
    centre = (phat + _Z**2 / (2 * n)) / denom
    half = _Z * np.sqrt(phat * (1 - phat) / n + _Z**2 / (4 * n**2)) / denom
    return np.clip(centre - half, 0, 1), np.clip(centre + half, 0, 1)


def _curve(y: np.ndarray, p: np.ndarray, n_bins: int, strategy: str) -> pd.DataFrame:
    if p.size == 0:
        return pd.DataFrame(columns=_CURVE_COLUMNS)
    if strategy == "quantile":
        cuts = np.unique(np.quantile(p, np.linspace(0, 1, n_bins + 1)[1:-1]))
    else:
        cuts = np.linspace(0, 1, n_bins + 1)[1:-1]
    idx = np.searchsorted(cuts, p, side="right")
    frame = pd.DataFrame({"bin": idx, "y": y, "p": p})
    g = frame.groupby("bin", sort=True)
    out = pd.DataFrame(
        {
            "p_min": g["p"].min(),
            "p_max": g["p"].max(),
            "n": g["y"].size().astype("int64"),
            "n_fell": g["y"].sum().astype("int64"),
            "mean_predicted": g["p"].mean(),
        }
    )
    out["observed_rate"] = out["n_fell"] / out["n"]
    lo, hi = _wilson(out["n_fell"].to_numpy(float), out["n"].to_numpy(float))
    out["observed_low"], out["observed_high"] = lo, hi
    out = out.reset_index()
    out["bin"] = np.arange(len(out), dtype="int64")
    return out[_CURVE_COLUMNS]


def _check(n_bins: int, strategy: str) -> None:
    if strategy not in ("quantile", "uniform"):
        raise InputError(Message(MSG_STRATEGY, strategy=strategy))
    integer = isinstance(n_bins, int | np.integer) and not isinstance(n_bins, bool)
    if not integer or n_bins < 1:
        raise InputError(Message(MSG_N_BINS, n_bins=n_bins))


def calibration_curve_table(
    y: object,
    p: object,
    *,
    n_bins: int = 10,
    strategy: Literal["quantile", "uniform"] = "quantile",
) -> pd.DataFrame:
    """Observed fall rate against mean predicted risk, per bin of predicted risk.

    Rows whose label is missing (``<NA>``, e.g. no record next year) are dropped.

    Parameters
    ----------
    y : array-like of 0/1
        Observed outcome (``fell_next_year``); missing allowed.
    p : array-like of float
        Predicted probabilities.
    n_bins : int
        Number of bins; with ``"quantile"`` bins hold about equal numbers of rows
        (fewer bins when quantiles coincide), with ``"uniform"`` they split [0, 1]
        evenly and empty bins are left out.
    strategy : {"quantile", "uniform"}

    Returns
    -------
    DataFrame
        ``bin`` (0, 1, ... from low to high risk), ``p_min``, ``p_max``, ``n``,
        ``n_fell``, ``mean_predicted``, ``observed_rate`` and its 95 % Wilson
        interval ``observed_low`` / ``observed_high``.

    Examples
    --------
    >>> import numpy as np
    >>> rng = np.random.default_rng(0)
    >>> p = rng.uniform(0, 0.4, size=4000)
    >>> y = rng.uniform(size=4000) < p
    >>> t = calibration_curve_table(y, p, n_bins=4)
    >>> t["n"].tolist()
    [1000, 1000, 1000, 1000]
    >>> bool(np.allclose(t["observed_rate"], t["mean_predicted"], atol=0.03))
    True
    """
    _check(n_bins, strategy)
    y_arr, p_arr = _labelled(y, p)
    return _curve(y_arr, p_arr, int(n_bins), strategy)


def calibration_by_year(
    y: object,
    p: object,
    years: object,
    *,
    n_bins: int = 10,
    strategy: Literal["quantile", "uniform"] = "quantile",
) -> pd.DataFrame:
    """:func:`calibration_curve_table` for each year, stacked with a ``year`` column.

    Examples
    --------
    >>> import numpy as np
    >>> rng = np.random.default_rng(0)
    >>> p = rng.uniform(0, 0.4, size=2000)
    >>> y = rng.uniform(size=2000) < p
    >>> years = np.repeat([2022, 2023], 1000)
    >>> t = calibration_by_year(y, p, years, n_bins=5)
    >>> t.groupby("year")["n"].sum().tolist()
    [1000, 1000]
    """
    _check(n_bins, strategy)
    y_arr, p_arr, yr = _labelled(y, p, years=years)
    parts = []
    for year in sorted(pd.unique(yr).tolist()):
        m = yr == year
        part = _curve(y_arr[m], p_arr[m], int(n_bins), strategy)
        part.insert(0, "year", year)
        parts.append(part)
    if not parts:
        return pd.DataFrame(columns=["year", *_CURVE_COLUMNS])
    return pd.concat(parts, ignore_index=True)


def calibration_summary(
    y: object,
    p: object,
    years: object = None,
    *,
    n_bins: int = 10,
) -> pd.DataFrame:
    """Calibration in one row per year (or one row overall): is the risk level right?

    Returns
    -------
    DataFrame
        ``year`` (only when ``years`` is given), ``n``, ``n_fell``,
        ``mean_predicted``, ``observed_rate``, ``ratio`` (observed / predicted,
        1 when calibrated in the large), ``brier`` (mean squared error of p) and
        ``ece`` (expected calibration error: mean absolute gap between observed
        rate and mean prediction over ``n_bins`` quantile bins, weighted by size).

    Examples
    --------
    >>> import numpy as np
    >>> rng = np.random.default_rng(0)
    >>> p = rng.uniform(0, 0.4, size=4000)
    >>> y = rng.uniform(size=4000) < p
    >>> s = calibration_summary(y, p)
    >>> bool(abs(s.loc[0, "ratio"] - 1) < 0.05), bool(s.loc[0, "ece"] < 0.03)
    (True, True)
    """
    _check(n_bins, "quantile")
    if years is None:
        y_arr, p_arr = _labelled(y, p)
        groups: list[tuple[object, np.ndarray]] = [(None, np.ones(y_arr.size, bool))]
    else:
        y_arr, p_arr, yr = _labelled(y, p, years=years)
        groups = [(yv, yr == yv) for yv in sorted(pd.unique(yr).tolist())]
    rows = []
    for year, m in groups:
        yy, pp = y_arr[m], p_arr[m]
        curve = _curve(yy, pp, int(n_bins), "quantile")
        n = int(yy.size)
        mean_p = float(pp.mean()) if n else np.nan
        rate = float(yy.mean()) if n else np.nan
        gaps = (curve["observed_rate"] - curve["mean_predicted"]).abs()
        row = {
            "n": n,
            "n_fell": int(yy.sum()),
            "mean_predicted": mean_p,
            "observed_rate": rate,
            "ratio": rate / mean_p if n and mean_p > 0 else np.nan,
            "brier": float(np.mean((pp - yy) ** 2)) if n else np.nan,
            "ece": float((gaps * curve["n"]).sum() / n) if n else np.nan,
        }
        rows.append(row if years is None else {"year": year, **row})
    return pd.DataFrame(rows)
