"""Recording and replaying the random draws of one :func:`step`.

The cause replay (:mod:`._causes`) runs the oracle's Monte Carlo year again
with one mechanism switched off, on *the same random draws*: a recording
generator keeps every array the year drew, and a replaying one hands them back,
for a subset of the rows, in the same order.

Two kinds of draws exist in :func:`step` and are told apart by their dtype:

- **row draws**, one value per simulated row, always ``float32``: every
  :func:`~._state.uniform` and :func:`~._state.normal` call;
- **county draws**, one value per (county, Monte Carlo copy) group, ``float64``
  (the disaster of a county in a year, its severity, the labour-market shock).
  A group's value depends only on its number, ``county + n_counties * rep``, so
  the first groups of a recorded array are the groups of any subset of rows.

Replaying a subset therefore takes the subset of each row draw and the leading
part of each county draw. A replay of all rows with nothing switched off gives
back the recorded year exactly (tested).
"""

from __future__ import annotations

from collections.abc import Iterator

import numpy as np

__all__ = ["RecordingGenerator", "ReplayGenerator"]

ROW_DTYPE = np.float32
"""The dtype of row draws (see the module note)."""


class RecordingGenerator:
    """A :class:`numpy.random.Generator` that keeps every array it draws.

    Only the methods :func:`step` uses are provided.

    Examples
    --------
    >>> rec = RecordingGenerator(np.random.default_rng(0))
    >>> a = rec.random(3, dtype=np.float32)
    >>> b = ReplayGenerator(rec.draws, rows=np.array([2, 0])).random(
    ...     2, dtype=np.float32)
    >>> bool((b == a[[2, 0]]).all())
    True
    """

    def __init__(self, rng: np.random.Generator):
        self._rng = rng
        self.draws: list[np.ndarray] = []

    def _keep(self, a: np.ndarray) -> np.ndarray:
        self.draws.append(a)
        return a

    def random(self, size: int, dtype: type = np.float64) -> np.ndarray:
        return self._keep(self._rng.random(size, dtype=dtype))

    def standard_normal(self, size: int, dtype: type = np.float64) -> np.ndarray:
        return self._keep(self._rng.standard_normal(size, dtype=dtype))

    def beta(self, a: float, b: float, size: int) -> np.ndarray:
        return self._keep(self._rng.beta(a, b, size))

    def normal(self, loc: float, scale: float, size: int) -> np.ndarray:
        return self._keep(self._rng.normal(loc, scale, size))


class ReplayGenerator:
    """Hands back recorded draws, in order, for the rows ``rows`` only.

    Parameters
    ----------
    draws : list of ndarray
        :attr:`RecordingGenerator.draws` of the recorded year.
    rows : ndarray of int
        Positions, in the recorded rows, of the rows replayed (in the order of
        the replayed state).
    """

    def __init__(self, draws: list[np.ndarray], rows: np.ndarray):
        self._draws: Iterator[np.ndarray] = iter(draws)
        self._rows = rows

    def _next(self, size: int, dtype: type) -> np.ndarray:
        try:
            a = next(self._draws)
        except StopIteration:
            raise RuntimeError(
                "The replayed year draws more than the recorded one: step() must "
                "draw the same arrays whatever mechanism is switched off."
            ) from None
        if a.dtype == ROW_DTYPE and np.dtype(dtype) == ROW_DTYPE:
            out = a[self._rows]
        else:
            out = a[:size]
        if len(out) != size or a.dtype != np.dtype(dtype):
            raise RuntimeError(
                f"The replayed year asked for {size} draws of {np.dtype(dtype)} where "
                f"the recorded one drew {len(a)} of {a.dtype}: step() must draw "
                "the same arrays in the same order whatever is switched off."
            )
        return out

    def random(self, size: int, dtype: type = np.float64) -> np.ndarray:
        return self._next(size, dtype)

    def standard_normal(self, size: int, dtype: type = np.float64) -> np.ndarray:
        return self._next(size, dtype)

    def beta(self, a: float, b: float, size: int) -> np.ndarray:
        return self._next(size, np.float64)

    def normal(self, loc: float, scale: float, size: int) -> np.ndarray:
        return self._next(size, np.float64)
