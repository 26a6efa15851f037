"""The order of every ranked list: score descending, then household id."""

from __future__ import annotations

import numpy as np

__all__ = ["rank", "ranks"]


def _ids(ids: object) -> np.ndarray:
    """Ids as an array of text; an object array is taken to hold text already
    (as ``Series.astype(str).to_numpy()`` gives), without a copy."""
    arr = np.asarray(ids)
    if arr.dtype.kind in "UO":
        return arr
    return arr.astype(str)


def rank(scores: object, ids: object) -> np.ndarray:
    """Positions of the rows in rank order: highest score first, ties by id.

    Ids are compared as text (code point order, which is also the order of
    their UTF-8 bytes, as Arrow sorts them when chunk parts are merged).

    Parameters
    ----------
    scores : array-like of float
    ids : array-like
        Household ids (compared as text).

    Returns
    -------
    ndarray of int
        ``scores[rank(scores, ids)]`` is non-increasing.

    Examples
    --------
    >>> rank([0.1, 0.3, 0.3], ["c", "b", "a"]).tolist()
    [2, 1, 0]
    """
    p = np.asarray(scores, dtype="float64")
    return np.lexsort((_ids(ids), -p))


def ranks(scores: object, ids: object) -> np.ndarray:
    """The rank of each row (1 = highest risk), in the rows' own order.

    Examples
    --------
    >>> ranks([0.1, 0.3, 0.3], ["c", "b", "a"]).tolist()
    [3, 2, 1]
    """
    order = rank(scores, ids)
    out = np.empty(len(order), dtype="int64")
    out[order] = np.arange(1, len(order) + 1)
    return out
