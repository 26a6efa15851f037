"""Bootstrap intervals of ranking figures: households resampled, seeded.

One engine for every interval fanpin reports (``fanpin train``'s comparison with
the rules on the validation year, ``fanpin evaluate``, the report): each
replicate draws households with replacement (all rows of a drawn household come
along, as many times as it is drawn), and every ranker is scored on the **same**
replicate, so the interval of a difference between two rankers is paired.
The weights of a replicate are applied to sorted scores computed once, so a
replicate costs a few passes over the rows, not a re-sort.

Figures: ``auc`` (ties count one half), ``recall@k`` (share of the observed falls
in the top ``ceil(k * n)`` of the ranking, ties by position) and, with the true
probabilities, ``capture@k`` (share of the expected falls in that list).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
import pandas as pd

from ..messages import N_, Message

__all__ = ["DEFAULT_BOOTSTRAPS", "bootstrap_rankings"]

MSG_LENGTH = N_("scores[{name!r}] has {got} values for {n} rows; give one per row.")

DEFAULT_BOOTSTRAPS = 1000
"""Replicates per interval."""


_BATCH = 1  # replicates scored together; one at a time measured fastest (cache)


class _Ranking:
    """One ranker's sorted orders, prepared once for every replicate."""

    def __init__(self, score: np.ndarray):
        s = np.asarray(score, dtype="float64")
        n = len(s)
        self.desc = np.lexsort((np.arange(n), -s))  # the list: high first, by position
        self.asc = np.argsort(s, kind="stable")
        sa = s[self.asc]
        new = np.r_[True, sa[1:] != sa[:-1]] if n else np.zeros(0, bool)
        self.starts = np.flatnonzero(new)  # first sorted row of each tie group

    def auc(self, y: np.ndarray, W: np.ndarray) -> np.ndarray:
        """AUC under each row of weights ``W`` (replicates x rows)."""
        Wa, ya = W[:, self.asc], y[self.asc]
        pos = np.add.reduceat(Wa * ya, self.starts, axis=1)
        neg = np.add.reduceat(Wa * (1 - ya), self.starts, axis=1)
        below = np.cumsum(neg, axis=1) - neg
        den = pos.sum(axis=1) * neg.sum(axis=1)
        num = (pos * (below + 0.5 * neg)).sum(axis=1)
        with np.errstate(invalid="ignore", divide="ignore"):
            return np.where(den > 0, num / den, np.nan)

    def share(self, values: np.ndarray, W: np.ndarray, fraction: float) -> np.ndarray:
        """Share of ``values`` (weighted) held by the top ``ceil(fraction * n)``."""
        Wd = W[:, self.desc]
        k = np.ceil(fraction * Wd.sum(axis=1))
        before = np.cumsum(Wd, axis=1) - Wd
        inside = np.clip(k[:, None] - before, 0.0, Wd)
        num = (values[self.desc] * inside).sum(axis=1)
        den = (W * values).sum(axis=1)
        with np.errstate(invalid="ignore", divide="ignore"):
            return np.where(den > 0, num / den, np.nan)


def _figures(
    rank: _Ranking,
    y: np.ndarray,
    W: np.ndarray,
    p_true: np.ndarray | None,
    fractions: Sequence[float],
    auc: bool = True,
) -> dict[str, np.ndarray]:
    out = {"auc": rank.auc(y, W)} if auc else {}
    for f in fractions:
        out[f"recall@{f:.0%}"] = rank.share(y, W, f)
        if p_true is not None:
            out[f"capture@{f:.0%}"] = rank.share(p_true, W, f)
    return out


def _weights(rng: np.random.Generator, codes: np.ndarray, n_groups: int, b: int):
    """``b`` replicates of row weights: households drawn with replacement."""
    draws = rng.integers(0, n_groups, size=(b, n_groups))
    flat = (draws + n_groups * np.arange(b)[:, None]).ravel()
    counts = np.bincount(flat, minlength=b * n_groups).reshape(b, n_groups)
    return counts[:, codes].astype("float64")


def bootstrap_rankings(
    y: Any,
    scores: Mapping[str, Any],
    *,
    p_true: Any = None,
    groups: Any = None,
    fractions: Sequence[float] = (0.05,),
    differences: Sequence[tuple[str, str]] = (),
    n_boot: int = DEFAULT_BOOTSTRAPS,
    seed: int = 0,
    level: float = 0.95,
    auc: bool = True,
) -> pd.DataFrame:
    """Point estimates and bootstrap intervals of ranking figures.

    Parameters
    ----------
    y : array of 0/1
        Outcomes (fell next year or not), one per row.
    scores : mapping of str to array
        Ranker name -> score (higher = earlier on the list), aligned with ``y``.
    p_true : array, optional
        True probabilities (simulated data): adds ``capture@k``.
    groups : array, optional
        The household of each row (rows of a household are drawn together);
        default: each row is its own household.
    fractions : sequence of float
        List sizes k (shares of the rows).
    differences : sequence of (str, str)
        Pairs (a, b) whose difference a - b is estimated on the same replicates.
    n_boot : int
    seed : int
    level : float
    auc : bool
        Include the AUC (False: list figures only, about twice as fast).

    Returns
    -------
    DataFrame
        One row per ranker (and difference ``"a - b"``) and figure: ``ranker``,
        ``figure``, ``estimate``, ``low``, ``high``, ``n_boot``, ``seed``.

    Examples
    --------
    >>> rng = np.random.default_rng(0)
    >>> y = rng.random(2000) < 0.1
    >>> good, bad = y + rng.normal(size=2000), rng.normal(size=2000)
    >>> t = bootstrap_rankings(y, {"good": good, "bad": bad},
    ...                        differences=[("good", "bad")], n_boot=200, seed=0)
    >>> row = t[(t["ranker"] == "good - bad") & (t["figure"] == "auc")].iloc[0]
    >>> bool(row["low"] > 0)
    True
    """
    y = np.asarray(y).astype("float64")
    n = len(y)
    p = None if p_true is None else np.asarray(p_true, dtype="float64")
    ranks = {
        name: _Ranking(np.asarray(s, dtype="float64")) for name, s in scores.items()
    }
    for name, s in scores.items():
        if len(np.asarray(s)) != n:
            raise ValueError(Message(MSG_LENGTH, name=name, got=len(s), n=n))
    if groups is None:
        codes, n_groups = np.arange(n), n
    else:
        _, codes = np.unique(np.asarray(groups).astype(str), return_inverse=True)
        n_groups = int(codes.max() + 1) if n else 0
    ones = np.ones((1, n))
    est = {
        name: {
            f: float(v[0]) for f, v in _figures(r, y, ones, p, fractions, auc).items()
        }
        for name, r in ranks.items()
    }
    figures = list(next(iter(est.values()))) if est else []
    rng = np.random.default_rng(seed)
    reps = {name: {f: np.empty(n_boot) for f in figures} for name in ranks}
    for start in range(0, n_boot, _BATCH):
        b = min(_BATCH, n_boot - start)
        W = _weights(rng, codes, n_groups, b)
        for name, r in ranks.items():
            for f, v in _figures(r, y, W, p, fractions, auc).items():
                reps[name][f][start : start + b] = v
    alpha = (1 - level) / 2
    rows = []

    def _row(name: str, f: str, point: float, draws: np.ndarray) -> None:
        ok = draws[np.isfinite(draws)]
        lo, hi = np.quantile(ok, [alpha, 1 - alpha]) if len(ok) else (np.nan, np.nan)
        rows.append(
            {"ranker": name, "figure": f, "estimate": point, "low": float(lo),
             "high": float(hi), "n_boot": int(n_boot), "seed": int(seed)}
        )  # fmt: skip

    for name in ranks:
        for f in figures:
            _row(name, f, est[name][f], reps[name][f])
    for a, b in differences:
        for f in figures:
            _row(f"{a} - {b}", f, est[a][f] - est[b][f], reps[a][f] - reps[b][f])
    return pd.DataFrame(rows)
