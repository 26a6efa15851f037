"""The plumbing shared by every feature builder."""

from __future__ import annotations

from typing import Any, ClassVar

import numpy as np
import pandas as pd
from sklearn.base import BaseEstimator, TransformerMixin
from sklearn.utils.validation import check_is_fitted

from .._compat import _fit_context
from ..exceptions import SchemaError
from ..messages import N_, Message
from ._panel import PanelView

__all__ = ["BaseFeatureBuilder"]

MSG_NOT_A_FRAME = N_(
    "{name} expects the household panel as a pandas DataFrame with the contract's "
    "English column names; got {kind}. Read the file with "
    "fanpin.schema.read_households(path) (or validate a frame with "
    "fanpin.schema.validate_households(df)) and pass the result."
)
MSG_MISSING_COLUMNS = N_(
    "{name} needs the column(s) {missing}, which the panel lacks. Add them to the "
    "input (Chinese headers such as {aliases} are accepted), or read the file with "
    "fanpin.schema.read_households, which checks the contract."
)
MSG_BAD_COMPUTE = "{name}._compute returned columns {got}; expected {expected}."
MSG_BAD_COMPUTE_ROWS = (
    "{name}._compute returned {got} rows; expected {expected} (one per output row). "
    "Build the output with fanpin.features._base.feature_frame(X, cols)."
)
MSG_ROWS_NOT_FOUND = (
    "transform_rows got {n} row label(s) that are not in the panel's index, e.g. "
    "{examples}. Pass labels of X.index (as for X.loc[rows]) or a boolean mask "
    "as long as X."
)
MSG_ROWS_NOT_UNIQUE = (
    "transform_rows needs a panel whose index labels are unique; found {n} "
    "duplicated label(s). Call X.reset_index(drop=True) first."
)


def _alias(col: str) -> str:
    try:
        from ..schema import column

        return column(col).alias
    except KeyError:  # pragma: no cover - every required column is in the contract
        return col


class BaseFeatureBuilder(TransformerMixin, BaseEstimator):
    """Base class of the per-domain feature builders.

    ``fit`` checks the panel and learns nothing from it except what a subclass
    stores in ``_fit``; ``transform`` checks fittedness and the
    ``required_columns``, calls the subclass's ``_compute`` and returns a
    DataFrame with one float64 column per feature, named
    ``<domain>__<feature>``, on the input's index (bools become 0/1; values are
    finite or NaN, never inf).

    Subclasses set the class attributes ``domain``, ``required_columns`` and
    ``features`` (bare names, in output order) and implement
    ``_compute(X: PanelView) -> DataFrame`` returning exactly those columns.
    Optional contract columns that are all-NA or absent give NaN features.

    ``transform_rows(X, rows)`` returns ``transform(X).loc[rows]`` without
    building the other rows' output: history (lags, expanding statistics,
    county aggregates) still uses every row of ``X``. ``_compute`` returns one
    row per output row, which :func:`feature_frame` takes care of.
    """

    domain: ClassVar[str] = ""
    required_columns: ClassVar[tuple[str, ...]] = ()
    features: ClassVar[tuple[str, ...]] = ()
    _parameter_constraints: ClassVar[dict[str, list[Any]]] = {}

    # --- checks -------------------------------------------------------------
    def _check_frame(self, X: Any) -> pd.DataFrame:
        name = type(self).__name__
        if not isinstance(X, pd.DataFrame):
            raise SchemaError(
                Message(MSG_NOT_A_FRAME, name=name, kind=type(X).__name__)
            )
        needed = ("household_id", "year", *self._required())
        missing = [c for c in dict.fromkeys(needed) if c not in X.columns]
        if missing:
            aliases = ", ".join(repr(_alias(c)) for c in missing[:3])
            raise SchemaError(
                Message(
                    MSG_MISSING_COLUMNS, name=name, missing=missing, aliases=aliases
                )
            )
        return X

    def _required(self) -> tuple[str, ...]:
        return self.required_columns

    # --- sklearn API ----------------------------------------------------------
    @_fit_context(prefer_skip_nested_validation=True)
    def fit(self, X: pd.DataFrame, y: Any = None) -> BaseFeatureBuilder:
        """Check the panel and fit (most builders learn nothing from data).

        Parameters
        ----------
        X : DataFrame
            Household panel following the data contract.
        y : ignored

        Returns
        -------
        self
        """
        X = self._check_frame(X)
        self._fit(X)
        self.n_features_in_ = X.shape[1]
        self.feature_names_in_ = np.asarray(X.columns, dtype=object)
        return self

    def _fit(self, X: pd.DataFrame) -> None:
        """Hook for subclasses that learn or resolve something at fit time."""

    def transform(self, X: pd.DataFrame) -> pd.DataFrame:
        """Compute the features of every row.

        Parameters
        ----------
        X : DataFrame
            Household panel; may hold any years and extra columns.

        Returns
        -------
        DataFrame
            Same index as ``X``, float64 columns ``<domain>__<feature>``.
        """
        check_is_fitted(self)
        X = self._check_frame(X)
        return self._transform_view(PanelView(X), X.index)

    def transform_rows(self, X: pd.DataFrame, rows: Any) -> pd.DataFrame:
        """The features of selected rows, computed with the whole panel's history.

        Equal to ``transform(X).loc[rows]`` (same values, index, columns and
        order) but only the selected rows' output is built: use it to score
        the latest year of a multi-year panel. Lags, expanding statistics and
        county aggregates still use every row of ``X``, so pass the history
        along with the rows of interest. Not part of the scikit-learn API
        (``transform`` is).

        Parameters
        ----------
        X : DataFrame
            Household panel with a unique index; may hold any years.
        rows : array-like of index labels, or boolean mask of length ``len(X)``
            The rows to return, in the order given (as for ``X.loc[rows]``).

        Returns
        -------
        DataFrame
            Index ``X.loc[rows].index``, float64 columns ``<domain>__<feature>``.

        Examples
        --------
        >>> import pandas as pd
        >>> from fanpin.features import IncomeFeatures
        >>> from fanpin.config import MonitoringLines
        >>> panel = pd.DataFrame({
        ...     "household_id": ["h1", "h1"], "year": [2022, 2023],
        ...     "province": ["P", "P"], "household_size": [2, 2],
        ...     "labor_count": [1, 1], "income_wage": [10000.0, 4000.0],
        ...     "income_business": [2000.0, 2000.0],
        ...     "income_transfer": [1000.0, 1000.0], "medical_cost_oop": [0.0, 0.0]})
        >>> f = IncomeFeatures(lines=MonitoringLines(default={2022: 6000, 2023: 6500}))
        >>> f.fit(panel).transform_rows(panel, [1])["income__sharp_drop_income"]
        1    1.0
        Name: income__sharp_drop_income, dtype: float64
        """
        check_is_fitted(self)
        X = self._check_frame(X)
        pos = _row_positions(X.index, rows)
        return self._transform_view(PanelView(X, rows=pos), X.index[pos])

    def _transform_view(self, view: PanelView, index: pd.Index) -> pd.DataFrame:
        values = np.array(self._values(view))  # a writable copy
        return pd.DataFrame(values, index=index, columns=self._names_out(), copy=False)

    def _values(self, view: PanelView) -> np.ndarray:
        """The features as one float64 array (rows x features), inf as NaN.

        May be a read-only view of ``_compute``'s output: copy it to keep it.
        """
        out = self._compute(view)
        if tuple(out.columns) != tuple(self.features):
            raise RuntimeError(  # pragma: no cover - a programming error
                MSG_BAD_COMPUTE.format(
                    name=type(self).__name__,
                    got=list(out.columns),
                    expected=list(self.features),
                )
            )
        if len(out) != view.n_out:
            raise RuntimeError(  # pragma: no cover - a programming error
                MSG_BAD_COMPUTE_ROWS.format(
                    name=type(self).__name__, got=len(out), expected=view.n_out
                )
            )
        values = out.to_numpy(dtype="float64", na_value=np.nan)
        inf = np.isinf(values)
        if inf.any():
            values = np.where(inf, np.nan, values)
        return values

    def _compute(self, X: PanelView) -> pd.DataFrame:  # pragma: no cover - abstract
        raise NotImplementedError

    def _names_out(self) -> list[str]:
        return [f"{self.domain}__{f}" for f in self.features]

    def get_feature_names_out(self, input_features: Any = None) -> np.ndarray:
        """Output feature names, ``<domain>__<feature>``.

        Parameters
        ----------
        input_features : ignored
            Accepted for scikit-learn compatibility; the output names do not
            depend on the input columns.

        Returns
        -------
        ndarray of str
        """
        check_is_fitted(self)
        return np.asarray(self._names_out(), dtype=object)

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.input_tags.allow_nan = True
        tags.input_tags.string = True
        tags.input_tags.categorical = True
        tags.requires_fit = True
        tags.transformer_tags.preserves_dtype = []
        return tags


def _row_positions(index: pd.Index, rows: Any) -> np.ndarray:
    """Positions in ``index`` of ``rows`` (labels, or a boolean mask)."""
    arr = np.asarray(rows)
    if arr.dtype == bool and arr.ndim == 1 and len(arr) == len(index):
        return np.flatnonzero(arr)
    if not index.is_unique:
        n = int(index.duplicated().sum())
        raise ValueError(MSG_ROWS_NOT_UNIQUE.format(n=n))
    labels = pd.Index(rows) if not isinstance(rows, pd.Index) else rows
    pos = index.get_indexer(labels)
    if (pos < 0).any():
        bad = labels[pos < 0]
        raise KeyError(MSG_ROWS_NOT_FOUND.format(n=len(bad), examples=list(bad[:3])))
    return pos.astype(np.int64, copy=False)


def feature_frame(X: PanelView, cols: dict[str, Any]) -> pd.DataFrame:
    """Assemble ``_compute`` output from a dict of arrays (a small helper).

    The arrays hold every row of the view; only the output rows
    (``X.rows``, see :meth:`BaseFeatureBuilder.transform_rows`) are kept.
    """
    sel = X._take
    # One float64 block, filled column by column: cheaper to build (and to read
    # back in ``_values``) than a frame of separate columns. PanelFeatures lends
    # its output block (``X._dest``), so the features are written only once.
    data, X._dest = X._dest, None
    if data is None or data.shape != (X.n_out, len(cols)):
        data = np.empty((X.n_out, len(cols)), dtype="float64", order="F")
    for j, v in enumerate(cols.values()):
        col = np.asarray(v, dtype="float64")
        data[:, j] = col if sel is None else col[sel]
    return pd.DataFrame(
        data, index=pd.RangeIndex(X.n_out), columns=list(cols), copy=False
    )
