"""Population stability index (PSI) and stability reports between two samples."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Literal

import numpy as np
import pandas as pd

from ..exceptions import InputError
from ..messages import N_, Message

__all__ = [
    "PSI_BANDS",
    "drift_between_years",
    "psi",
    "psi_band",
    "stability_report",
]

#: Upper bounds of the bands and their labels (Chinese, English), the usual
#: credit-scoring convention: < 0.1 stable, 0.1 to 0.25 slight, >= 0.25 significant.
PSI_BANDS: tuple[tuple[float, str, str], ...] = (
    (0.1, "稳定", "stable"),
    (0.25, "轻微偏移", "slight shift"),
    (float("inf"), "显著偏移", "significant shift"),
)

MSG_EMPTY = N_(
    "psi needs at least one value in both samples; got {n_exp} expected and "
    "{n_act} actual values. Pass non-empty samples."
)
MSG_NOT_NUMERIC = N_(
    "psi needs numeric values; got dtype {dtype!r}. Encode categories as numbers "
    "(or compare their shares directly)."
)
MSG_BAD_BINS = N_("bins must be an integer >= 2; got {bins!r}.")
MSG_MISSING_COLUMNS = N_(
    "The current features lack {missing} that the reference has; pass frames with "
    "the same feature columns (build both with the same fitted transformer)."
)
MSG_SCORE_PAIR = N_("Pass both score_ref and score_cur, or neither; got only {given}.")
MSG_YEARS_LENGTH = N_(
    "years has {got} values but the feature frame has {n} rows; pass one year per "
    "row or the name of a year column."
)
MSG_ONE_YEAR = N_("drift_between_years needs at least two years; got {years}.")


def _as_float(values: object, name: str) -> np.ndarray:
    arr = pd.Series(np.asarray(values) if not isinstance(values, pd.Series) else values)
    if arr.dtype == bool or str(arr.dtype) == "boolean":
        arr = arr.astype("Float64")
    if not (pd.api.types.is_numeric_dtype(arr.dtype) or arr.isna().all()):
        raise InputError(Message(MSG_NOT_NUMERIC, dtype=str(arr.dtype)))
    return arr.astype("Float64").to_numpy(dtype="float64", na_value=np.nan)


def _interior_edges(ref: np.ndarray, bins: int) -> np.ndarray:
    """Cut points between bins, from the reference sample (NaN removed)."""
    distinct = np.unique(ref)
    if distinct.size <= bins:
        # Few distinct values (counts, flags): one bin per value.
        return (distinct[:-1] + distinct[1:]) / 2.0
    qs = np.quantile(ref, np.linspace(0.0, 1.0, bins + 1)[1:-1])
    return np.unique(qs)


def _shares(values: np.ndarray, edges: np.ndarray) -> np.ndarray:
    """Share of values in each bin, the last bin holding NaN."""
    nan = np.isnan(values)
    idx = np.searchsorted(edges, values[~nan], side="right")
    counts = np.bincount(idx, minlength=edges.size + 1).astype(float)
    counts = np.append(counts, nan.sum())
    return counts / values.size


def psi(
    expected: object,
    actual: object,
    *,
    bins: int = 10,
    epsilon: float = 1e-4,
) -> float:
    """Population stability index of ``actual`` against the reference ``expected``.

    ``PSI = sum_b (a_b - e_b) * ln(a_b / e_b)`` over bins ``b``, where ``e_b`` and
    ``a_b`` are the shares of the reference and of the current sample in bin ``b``.

    Bins are the reference's quantiles (``bins`` of them, fewer when quantiles
    coincide); the outer bins are open, so current values outside the
    reference's range land in the first or last bin. When the reference has at
    most ``bins`` distinct values (counts, flags), each value is its own bin.
    Missing values (NaN) form one more bin, so a change in the missing share
    counts as drift. Empty bins get the share ``epsilon`` instead of 0, which
    keeps the logarithm finite; a bin empty in both samples adds nothing.

    Parameters
    ----------
    expected, actual : array-like of numbers
        The reference (e.g. last year) and current samples; NaN allowed.
    bins : int
        Number of quantile bins of the reference (NaN bin not counted).
    epsilon : float
        Share used for empty bins.

    Returns
    -------
    float
        0 for identical distributions; < 0.1 is usually read as stable,
        0.1 to 0.25 as a slight shift and >= 0.25 as a significant shift
        (see :data:`PSI_BANDS`).

    Examples
    --------
    >>> import numpy as np
    >>> rng = np.random.default_rng(0)
    >>> ref = rng.normal(size=5000)
    >>> round(psi(ref, ref), 6)
    0.0
    >>> psi(ref, rng.normal(size=5000)) < 0.1
    True
    >>> psi(ref, rng.normal(loc=1.0, size=5000)) > 0.25
    True
    """
    if not isinstance(bins, int | np.integer) or isinstance(bins, bool) or bins < 2:
        raise InputError(Message(MSG_BAD_BINS, bins=bins))
    exp = _as_float(expected, "expected")
    act = _as_float(actual, "actual")
    if exp.size == 0 or act.size == 0:
        raise InputError(Message(MSG_EMPTY, n_exp=exp.size, n_act=act.size))
    ref = exp[~np.isnan(exp)]
    edges = _interior_edges(ref, int(bins)) if ref.size else np.empty(0)
    e = np.maximum(_shares(exp, edges), epsilon)
    a = np.maximum(_shares(act, edges), epsilon)
    return float(np.sum((a - e) * np.log(a / e)))


def psi_band(value: float, *, language: Literal["zh", "en"] = "zh") -> str:
    """The stability band of a PSI value.

    Examples
    --------
    >>> psi_band(0.05), psi_band(0.1), psi_band(0.3, language="en")
    ('稳定', '轻微偏移', 'significant shift')
    """
    for upper, zh, en in PSI_BANDS:
        if value < upper:
            return zh if language == "zh" else en
    return PSI_BANDS[-1][1] if language == "zh" else PSI_BANDS[-1][2]


def _row(name: str, kind: str, ref: object, cur: object, bins: int) -> dict:
    r = _as_float(ref, name)
    c = _as_float(cur, name)
    value = psi(r, c, bins=bins)
    return {
        "variable": name,
        "kind": kind,
        "psi": value,
        "band": psi_band(value),
        "band_en": psi_band(value, language="en"),
        "n_ref": int(r.size),
        "n_cur": int(c.size),
        "missing_ref": float(np.isnan(r).mean()) if r.size else np.nan,
        "missing_cur": float(np.isnan(c).mean()) if c.size else np.nan,
        "mean_ref": float(np.nanmean(r)) if (~np.isnan(r)).any() else np.nan,
        "mean_cur": float(np.nanmean(c)) if (~np.isnan(c)).any() else np.nan,
    }


_REPORT_COLUMNS = [
    "variable",
    "kind",
    "psi",
    "band",
    "band_en",
    "n_ref",
    "n_cur",
    "missing_ref",
    "missing_cur",
    "mean_ref",
    "mean_cur",
]


def stability_report(
    features_ref: pd.DataFrame,
    features_cur: pd.DataFrame,
    *,
    score_ref: object = None,
    score_cur: object = None,
    bins: int = 10,
) -> pd.DataFrame:
    """PSI of every feature (and of the score) between a reference and a current sample.

    Parameters
    ----------
    features_ref, features_cur : DataFrame
        Numeric features of the reference (e.g. last year) and current rows, with
        the same columns (``features_cur`` may have extra ones, ignored).
    score_ref, score_cur : array-like, optional
        Predicted risks of the same rows; adds a row ``variable="score"``.
    bins : int
        Quantile bins per variable (see :func:`psi`).

    Returns
    -------
    DataFrame
        One row per variable, the score first then features in column order:
        ``variable``, ``kind`` (``"score"`` / ``"feature"``), ``psi``, ``band``
        (稳定 / 轻微偏移 / 显著偏移), ``band_en`` (stable / slight shift /
        significant shift), ``n_ref``, ``n_cur``, ``missing_ref``, ``missing_cur``
        (shares of NaN), ``mean_ref``, ``mean_cur``.

    Examples
    --------
    >>> import numpy as np, pandas as pd
    >>> rng = np.random.default_rng(0)
    >>> ref = pd.DataFrame({"a": rng.normal(size=2000), "b": rng.normal(size=2000)})
    >>> cur = pd.DataFrame({"a": rng.normal(size=2000),
    ...                     "b": rng.normal(loc=1.0, size=2000)})
    >>> stability_report(ref, cur)[["variable", "band", "band_en"]]
      variable  band            band_en
    0        a    稳定             stable
    1        b  显著偏移  significant shift
    """
    if (score_ref is None) != (score_cur is None):
        given = "score_ref" if score_cur is None else "score_cur"
        raise InputError(Message(MSG_SCORE_PAIR, given=given))
    missing = [c for c in features_ref.columns if c not in features_cur.columns]
    if missing:
        raise InputError(Message(MSG_MISSING_COLUMNS, missing=missing))
    rows = []
    if score_ref is not None:
        rows.append(_row("score", "score", score_ref, score_cur, bins))
    for col in features_ref.columns:
        rows.append(
            _row(str(col), "feature", features_ref[col], features_cur[col], bins)
        )
    return pd.DataFrame(rows, columns=_REPORT_COLUMNS)


def drift_between_years(
    feature_frame: pd.DataFrame,
    years: str | Sequence[int] | np.ndarray | pd.Series,
    *,
    score: object = None,
    baseline: Literal["previous", "first"] = "previous",
    bins: int = 10,
) -> pd.DataFrame:
    """Stability reports of each year against the previous (or the first) year.

    Parameters
    ----------
    feature_frame : DataFrame
        Features of several years, one row per household-year.
    years : str or array-like
        The name of a year column of ``feature_frame`` (not itself compared), or
        one year per row.
    score : array-like, optional
        Predicted risk per row; adds the score's PSI.
    baseline : {"previous", "first"}
        Compare each year with the year before it, or with the first year.
    bins : int
        Quantile bins per variable.

    Returns
    -------
    DataFrame
        :func:`stability_report` rows with ``year_ref`` and ``year_cur`` first.

    Examples
    --------
    >>> import numpy as np, pandas as pd
    >>> rng = np.random.default_rng(0)
    >>> frame = pd.DataFrame({"year": np.repeat([2021, 2022, 2023], 500),
    ...                       "x": rng.normal(size=1500)})
    >>> drift_between_years(frame, "year")[["year_ref", "year_cur", "band_en"]]
       year_ref  year_cur band_en
    0      2021      2022  stable
    1      2022      2023  stable
    """
    frame = feature_frame
    if isinstance(years, str):
        year_values = frame[years].to_numpy()
        frame = frame.drop(columns=[years])
    else:
        year_values = np.asarray(years)
        if year_values.shape[0] != len(frame):
            raise InputError(
                Message(MSG_YEARS_LENGTH, got=year_values.shape[0], n=len(frame))
            )
    score_values = None if score is None else np.asarray(score, dtype=float)
    distinct = sorted(pd.unique(year_values).tolist())
    if len(distinct) < 2:
        raise InputError(Message(MSG_ONE_YEAR, years=distinct))
    parts = []
    for i, cur in enumerate(distinct[1:], start=1):
        ref = distinct[i - 1] if baseline == "previous" else distinct[0]
        m_ref, m_cur = year_values == ref, year_values == cur
        rep = stability_report(
            frame.loc[m_ref],
            frame.loc[m_cur],
            score_ref=None if score_values is None else score_values[m_ref],
            score_cur=None if score_values is None else score_values[m_cur],
            bins=bins,
        )
        rep.insert(0, "year_cur", int(cur))
        rep.insert(0, "year_ref", int(ref))
        parts.append(rep)
    return pd.concat(parts, ignore_index=True)
