"""A read-only view of a household panel with vectorised history helpers.

Every builder computes its features through :class:`PanelView`: it turns
columns into float arrays (missing or absent optional columns become NaN),
and gives each row its household's history without any per-household Python
loop. The panel is sorted once by ``(household_id, year)`` with
:func:`numpy.lexsort`; all results are returned in the input's row order.

History convention (no leakage): a feature of year ``t`` only uses the
household's rows with ``year <= t``.

- :meth:`PanelView.lag` is the value of **exactly year t-1**; it is NaN when
  the household has no record in ``t-1`` (its first year, or a gap in the
  years). A two-year-old value is never passed off as "last year".
- :meth:`PanelView.expanding_cv` uses every record of the household with
  ``year <= t``, gaps included.
- :meth:`PanelView.group_mean` is cross-sectional (same county, same year).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np
import pandas as pd

from ..exceptions import SchemaError
from ..messages import N_, Message

__all__ = ["PanelView"]

MSG_DUPLICATE_KEYS = N_(
    "household_id must be unique within a year, but {n} (household_id, year) "
    "pair(s) occur more than once, e.g. {examples}. Keep one record per household "
    "and year (validate the file with `fanpin validate`)."
)
MSG_BAD_YEAR = N_(
    "year must be whole numbers like 2023; found values that are not ({dtype}). "
    "Validate the panel with fanpin.schema.validate_households first."
)


def safe_div(num: np.ndarray, den: np.ndarray) -> np.ndarray:
    """``num / den`` with NaN where ``den`` is 0 or NaN (never inf)."""
    num = np.asarray(num, dtype="float64")
    den = np.asarray(den, dtype="float64")
    bad = ~np.isfinite(den) | (den == 0)
    # Divide everywhere, then blank the bad rows (faster than ``where=``): the
    # warnings silenced here can only come from those rows.
    out = np.empty(np.broadcast(num, den).shape)
    with np.errstate(divide="ignore", invalid="ignore"):
        np.divide(num, den, out=out)
    out[np.broadcast_to(bad, out.shape)] = np.nan
    return out


def _nan_to_zero(values: np.ndarray) -> np.ndarray:
    """``np.nan_to_num(values, nan=0.0)``; ``values`` itself when all finite."""
    if np.isfinite(values).all():
        return values
    return np.nan_to_num(values, nan=0.0)


class PanelView:
    """Float-array access and household history for one panel.

    Parameters
    ----------
    frame : DataFrame
        A panel with at least ``household_id`` and ``year``.
    rows : array of int or None, default=None
        Positions of the output rows (see :meth:`BaseFeatureBuilder.transform_rows`):
        history helpers still work on every row of ``frame``; builders emit
        only these rows (through :func:`fanpin.features._base.feature_frame`).
        None: every row, in order.

    Examples
    --------
    >>> import pandas as pd
    >>> df = pd.DataFrame({"household_id": ["a", "a", "b"], "year": [2022, 2021, 2021],
    ...                    "x": [5.0, 3.0, 1.0]})
    >>> v = PanelView(df)
    >>> v.lag(v.num("x")).tolist()
    [3.0, nan, nan]
    >>> v.num("absent").tolist()
    [nan, nan, nan]
    """

    def __init__(self, frame: pd.DataFrame, rows: np.ndarray | None = None):
        self.frame = frame
        self.n = len(frame)
        self.rows = rows
        self.n_out = self.n if rows is None else len(rows)
        # Output rows as a slice when they are one run (the latest year of a
        # year-by-year file): copying a run is faster than gathering.
        self._take: slice | np.ndarray | None = rows
        pos = np.asarray(rows) if rows is not None else None
        if pos is not None and len(pos) and pos.dtype.kind in "iu":
            lo = int(pos[0])
            if lo >= 0 and np.array_equal(pos, np.arange(lo, lo + len(pos))):
                self._take = slice(lo, lo + len(pos))
        # Where feature_frame may write its block (set by PanelFeatures; used once).
        self._dest: np.ndarray | None = None
        self._codes: dict[str, tuple[np.ndarray, np.ndarray]] = {}
        codes, _ = pd.factorize(frame["household_id"], use_na_sentinel=True)
        try:
            year = pd.to_numeric(frame["year"]).to_numpy(
                dtype="float64", na_value=np.nan
            )
        except (TypeError, ValueError):
            raise SchemaError(
                Message(MSG_BAD_YEAR, dtype=str(frame["year"].dtype))
            ) from None
        self.hh_codes = codes
        self.year = year
        order = np.lexsort((year, codes))
        sc, sy = codes[order], year[order]
        same_hh = np.zeros(self.n, dtype=bool)
        if self.n > 1:
            same_hh[1:] = (sc[1:] == sc[:-1]) & (sc[1:] != -1)
        dup = np.zeros(self.n, dtype=bool)
        dup[1:] = same_hh[1:] & (sy[1:] == sy[:-1])
        if dup.any():
            pos = order[np.flatnonzero(dup)]
            ids = frame["household_id"].to_numpy()[pos]
            examples = ", ".join(
                f"({ids[i]}, {int(year[pos[i]])})" for i in range(min(3, len(pos)))
            )
            raise SchemaError(
                Message(MSG_DUPLICATE_KEYS, n=len(pos), examples=examples)
            )
        self._order = order
        self._same_hh_sorted = same_hh
        # Households in sorted order: position of the first record, number of
        # records; and each sorted row's rank in its household (0: first).
        self._first_sorted = np.flatnonzero(~same_hh)
        self._hh_sizes = np.diff(np.append(self._first_sorted, self.n))
        first_of_row = np.repeat(self._first_sorted, self._hh_sizes)
        self._rank_sorted = np.arange(self.n) - first_of_row
        self._nth: list[np.ndarray] | None = None
        self._group_ids: dict[tuple[str, ...], np.ndarray] = {}
        prev_sorted = np.full(self.n, -1, dtype=np.int64)
        consecutive = np.zeros(self.n, dtype=bool)
        consecutive[1:] = same_hh[1:] & (sy[1:] == sy[:-1] + 1)
        prev_sorted[consecutive] = order[np.flatnonzero(consecutive) - 1]
        self.prev = np.empty(self.n, dtype=np.int64)
        self.prev[order] = prev_sorted

    # --- columns -------------------------------------------------------------
    def has(self, col: str) -> bool:
        """Whether ``col`` is present and holds at least one value."""
        return col in self.frame.columns and bool(self.frame[col].notna().any())

    def num(self, col: str) -> np.ndarray:
        """Column as float64 (bools as 0/1); NaN where missing or absent."""
        if col not in self.frame.columns:
            return np.full(self.n, np.nan)
        s = self.frame[col]
        if s.dtype == object or isinstance(s.dtype, pd.StringDtype):
            s = pd.to_numeric(s, errors="coerce")
        return s.to_numpy(dtype="float64", na_value=np.nan)

    def num0(self, col: str) -> np.ndarray:
        """Like :meth:`num`, with missing values counted as 0 (optional money)."""
        return np.nan_to_num(self.num(col), nan=0.0)

    def codes(self, col: str) -> tuple[np.ndarray, np.ndarray]:
        """Integer codes (-1 where missing or absent) and the distinct values.

        Values are stripped strings; computed once per column and cached.
        """
        if col not in self._codes:
            if col not in self.frame.columns:
                self._codes[col] = (
                    np.full(self.n, -1, dtype=np.int64),
                    np.array([], dtype=object),
                )
            else:
                codes, uniques = pd.factorize(self.frame[col], use_na_sentinel=True)
                values = np.array([str(u).strip() for u in uniques], dtype=object)
                self._codes[col] = (codes.astype(np.int64, copy=False), values)
        return self._codes[col]

    def map_values(self, col: str, mapping: Mapping[str, float]) -> np.ndarray:
        """Map a text column through ``mapping`` (NaN where missing or unmapped)."""
        codes, values = self.codes(col)
        per_value = np.array([mapping.get(v, np.nan) for v in values] + [np.nan])
        return per_value[codes]  # code -1 picks the trailing NaN

    def equals(self, col: str, value: str) -> np.ndarray:
        """1.0 where the text column equals ``value``, 0.0 elsewhere, NaN if missing."""
        codes, values = self.codes(col)
        per_value = np.array([float(v == value) for v in values] + [np.nan])
        return per_value[codes]

    def group_ids(self, by: Sequence[str]) -> np.ndarray:
        """One integer id per distinct combination of ``by`` (missing is a value).

        Ids are numbered in order of first appearance; cached per ``by``.
        """
        key = tuple(by)
        if key not in self._group_ids:
            # Mixed-radix code of the combination, numbered by one factorize
            # (an intermediate one only if the radix product could overflow).
            ids, size = np.zeros(self.n, dtype=np.int64), 1
            for col in key:
                if col == "year":
                    codes = self._year_codes()
                    k = int(codes.max(initial=-1)) + 2
                else:
                    codes, values = self.codes(col)
                    k = len(values) + 1
                if size * k >= 2**62:
                    ids = pd.factorize(ids)[0].astype(np.int64, copy=False)
                    size = int(ids.max(initial=0)) + 1
                ids, size = ids * k + (codes + 1), size * k
            self._group_ids[key] = pd.factorize(ids)[0].astype(np.int64, copy=False)
        return self._group_ids[key]

    def _year_codes(self) -> np.ndarray:
        if "\0year" not in self._codes:
            codes = pd.factorize(self.year, use_na_sentinel=True)[0]
            self._codes["\0year"] = (codes, np.array([], dtype=object))
        return self._codes["\0year"][0]

    # --- history -------------------------------------------------------------
    def lag(self, values: np.ndarray) -> np.ndarray:
        """The same household's value in exactly year t-1 (NaN if no such record)."""
        # A trailing NaN is what ``prev == -1`` (no record in t-1) picks.
        padded = np.append(np.asarray(values, dtype="float64"), np.nan)
        return padded[self.prev]

    def diff(self, values: np.ndarray) -> np.ndarray:
        """``values - lag(values)``: change since year t-1."""
        return np.asarray(values, dtype="float64") - self.lag(values)

    # Expanding statistics work in household-year order (``_order``): one
    # gather in, one scatter out. Sums are a global cumsum less its value just
    # before each household's first row, so the rounding is that of the cumsum.
    def _sorted(self, values: np.ndarray) -> np.ndarray:
        return np.asarray(values, dtype="float64")[self._order]

    def _unsort(self, values_sorted: np.ndarray) -> np.ndarray:
        out = np.empty(self.n)
        out[self._order] = values_sorted
        return out

    def _expanding_sum(self, values_sorted: np.ndarray) -> np.ndarray:
        cs = np.cumsum(values_sorted)
        first = self._first_sorted
        return cs - np.repeat(cs[first] - values_sorted[first], self._hh_sizes)

    def _expanding_count(self, ok_sorted: np.ndarray) -> np.ndarray:
        """``_expanding_sum(ok_sorted.astype(float))``, exactly, but faster.

        Counts are whole numbers, so an integer cumsum gives the same floats;
        with nothing missing the count is the record's rank in its household.
        """
        if ok_sorted.all():
            return self._rank_sorted + 1.0
        int_type = np.int32 if self.n < 2**31 else np.int64
        cs = np.cumsum(ok_sorted, dtype=int_type)
        first = self._first_sorted
        base = np.repeat(cs[first] - ok_sorted[first], self._hh_sizes)
        return (cs - base).astype("float64")

    def expanding_sum(self, values: np.ndarray) -> np.ndarray:
        """Sum of ``values`` over the household's years <= t (NaN counted as 0)."""
        return self._unsort(self._expanding_sum(_nan_to_zero(self._sorted(values))))

    def expanding_cv(self, values: np.ndarray) -> np.ndarray:
        """Coefficient of variation of ``values`` over the household's years <= t.

        Sample standard deviation (ddof=1) over mean; NaN with fewer than two
        non-missing records or a mean <= 0.
        """
        v = self._sorted(values)
        ok = np.isfinite(v)
        v0 = np.where(ok, v, 0.0)
        n = self._expanding_count(ok)
        s1 = self._expanding_sum(v0)
        s2 = self._expanding_sum(v0 * v0)
        mean = safe_div(s1, n)
        var = safe_div(s2 - n * mean * mean, n - 1)
        var = np.where(n >= 2, np.maximum(var, 0.0), np.nan)
        return self._unsort(np.where(mean > 0, safe_div(np.sqrt(var), mean), np.nan))

    def _grouped_sorted(self, values: np.ndarray, how: str) -> np.ndarray:
        """Running ``cummax``/``cummin`` of ``values`` within households."""
        v = self._sorted(values)
        fill = -np.inf if how == "cummax" else np.inf
        op = np.maximum if how == "cummax" else np.minimum
        out_sorted = np.where(np.isnan(v), fill, v)
        # One vectorised step per rank: every household's k-th record takes
        # the running value of its (k-1)-th (a few steps: one per year).
        for pos in self._nth_records():
            out_sorted[pos] = op(out_sorted[pos - 1], out_sorted[pos])
        out_sorted[np.isinf(out_sorted)] = np.nan
        return self._unsort(out_sorted)

    def _nth_records(self) -> list[np.ndarray]:
        """Sorted positions of the households' 2nd records, 3rd records, ..."""
        if self._nth is None:
            first, sizes = self._first_sorted, self._hh_sizes
            longest = int(sizes.max(initial=0))
            self._nth = [first[sizes > k] + k for k in range(1, longest)]
        return self._nth

    def expanding_mean(self, values: np.ndarray) -> np.ndarray:
        """Mean of the non-missing ``values`` over the household's years <= t.

        NaN when every value so far is missing.
        """
        v = self._sorted(values)
        ok = np.isfinite(v)
        return self._unsort(
            safe_div(
                self._expanding_sum(np.where(ok, v, 0.0)), self._expanding_count(ok)
            )
        )

    def expanding_max(self, values: np.ndarray) -> np.ndarray:
        """Largest non-missing value over the household's years <= t (NaN if none)."""
        return self._grouped_sorted(values, "cummax")

    def expanding_min(self, values: np.ndarray) -> np.ndarray:
        """Smallest non-missing value over the household's years <= t (NaN if none)."""
        return self._grouped_sorted(values, "cummin")

    def history_length(self) -> np.ndarray:
        """Number of the household's records with year <= t (1 in its first year)."""
        return self._unsort(self._rank_sorted + 1.0)

    def years_since(self, flag: np.ndarray) -> np.ndarray:
        """``t`` minus the last year <= t where ``flag`` is 1 (NaN if never)."""
        flag = np.asarray(flag, dtype="float64")
        last = self.expanding_max(np.where(flag == 1, self.year, np.nan))
        return self.year - last

    def expanding_slope(self, values: np.ndarray) -> np.ndarray:
        """Least-squares slope of ``values`` on ``year`` over the years <= t.

        Uses the household's non-missing records (gaps included); NaN with
        fewer than two of them.
        """
        values = np.asarray(values, dtype="float64")
        ok = np.isfinite(values)
        x = np.where(ok, self.year - np.nanmin(self.year, initial=np.inf), 0.0)
        v = np.where(ok, values, 0.0)
        xs, vs = self._sorted(x), self._sorted(v)

        def esum(a: np.ndarray) -> np.ndarray:
            return self._expanding_sum(_nan_to_zero(a))

        n = self._expanding_count(ok[self._order])
        sx, sy = esum(xs), esum(vs)
        sxy, sxx = esum(xs * vs), esum(xs * xs)
        slope = safe_div(n * sxy - sx * sy, n * sxx - sx * sx)
        return self._unsort(np.where(n >= 2, slope, np.nan))

    def group_history_mean(
        self, values: np.ndarray, by: Sequence[str] = ("province", "county")
    ) -> np.ndarray:
        """Mean over the years <= t of the yearly group means of ``values``.

        For each group (e.g. a county) the rows of each year are averaged
        (:meth:`group_mean`), then those yearly means are averaged over the
        group's years up to and including ``t``: a persistent exposure (a
        county's disaster hazard) seen through the panel's own history. Only
        rows of years <= t enter the value of year ``t``.
        """
        v = np.asarray(values, dtype="float64")
        ok = np.isfinite(v)
        gy = self.group_ids((*by, "year"))
        sums = np.bincount(gy, weights=np.where(ok, v, 0.0))
        counts = np.bincount(gy, weights=ok.astype("float64"))
        yearly = safe_div(sums, counts)  # one value per (group, year)
        first = np.zeros(len(yearly), dtype=np.int64)
        first[gy] = np.arange(self.n)
        g = self.group_ids(by)[first]
        yr = self.year[first]
        order = np.lexsort((yr, g))
        good = np.isfinite(yearly[order])
        cs = np.cumsum(np.where(good, yearly[order], 0.0))
        cn = np.cumsum(good.astype("float64"))
        start = np.ones(len(order), dtype=bool)
        start[1:] = g[order][1:] != g[order][:-1]
        idx = np.where(start, np.arange(len(order)), 0)
        np.maximum.accumulate(idx, out=idx)
        base_s = (cs - np.where(good, yearly[order], 0.0))[idx]
        base_n = (cn - good)[idx]
        hist = np.empty(len(yearly))
        hist[order] = safe_div(cs - base_s, cn - base_n)
        return hist[gy]

    # --- cross-section ---------------------------------------------------------
    def group_mean(
        self, values: np.ndarray, by: Sequence[str] = ("province", "county", "year")
    ) -> np.ndarray:
        """Mean of ``values`` over the rows sharing ``by`` (NaNs skipped)."""
        ids = self.group_ids(by)
        v = np.asarray(values, dtype="float64")
        ok = np.isfinite(v)
        sums = np.bincount(ids, weights=np.where(ok, v, 0.0))
        counts = np.bincount(ids, weights=ok.astype("float64"))
        return safe_div(sums, counts)[ids]

    # --- shared money quantities -------------------------------------------------
    def total_income(self) -> np.ndarray:
        """Net household income: wage + business + property + transfer.

        Missing optional money (property) counts as 0, as in
        :func:`fanpin.schema.per_capita_income`.
        """
        return (
            self.num("income_wage")
            + self.num("income_business")
            + self.num0("income_property")
            + self.num("income_transfer")
        )

    def gross_income(self) -> np.ndarray:
        """Sum of the positive income components (business losses count as 0).

        Used as the denominator of every "share of income" feature, so shares
        stay in a meaningful range even when business income is negative.
        """
        return (
            self.num("income_wage")
            + np.maximum(self.num("income_business"), 0.0)
            + self.num0("income_property")
            + self.num("income_transfer")
        )
