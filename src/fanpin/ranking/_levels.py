"""Risk levels (高 / 中 / 低) of a ranked list, their lowest scores, the alert
cutoff."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np

from ..exceptions import ConfigError
from ..messages import N_, Message

__all__ = [
    "ALERT_LEVELS",
    "RISK_LEVELS",
    "URGENT_LEVEL",
    "LevelBounds", "RiskLevels", "at_least", "level_of"]

RISK_LEVELS = ("低", "中", "高")
"""The risk levels, lowest first: the one order every part of fanpin uses
(``RISK_LEVELS[::-1]`` lists them highest first)."""

URGENT_LEVEL = "紧急"
"""The alert level above 高 (疑似返贫致贫): a household a push or its annual record
puts into hardship that is not yet a case or a monitored object. Not a model
level: it comes from the record, never from a score, and is never limited by
township capacity."""

ALERT_LEVELS = (*RISK_LEVELS, URGENT_LEVEL)
"""The levels an alert can carry, lowest first (the model's three and 紧急)."""

METHODS = ("share", "threshold")
MSG_BAD_LEVELS = N_(
    "risk_levels must be {{method: share, high: h, medium: m}} with 0 < h <= m <= 1 "
    "(cumulative shares of the ranked list), or {{method: threshold, high: h, "
    "medium: m}} with 0 < m <= h < 1 (probability cut-offs); got {got}."
)
MSG_BAD_LEVEL = N_("A risk level must be one of {levels}; got {got!r}.")


def _check_level(level: str) -> None:
    if level not in RISK_LEVELS:
        raise ConfigError(
            Message(MSG_BAD_LEVEL, levels=", ".join(RISK_LEVELS), got=level)
        )


def at_least(level: str) -> tuple[str, ...]:
    """The levels at or above ``level``, lowest first.

    Examples
    --------
    >>> at_least("中")
    ('中', '高')
    """
    _check_level(level)
    return RISK_LEVELS[RISK_LEVELS.index(level) :]


def level_of(scores: Any, cuts: Mapping[str, float]) -> np.ndarray:
    """高 / 中 / 低 of scores against fixed cutoffs (the lowest score of each level,
    :meth:`RiskLevels.lowest_scores`).

    Examples
    --------
    >>> level_of(np.array([0.5, 0.2, 0.01]), {"高": 0.4, "中": 0.1}).tolist()
    ['高', '中', '低']
    """
    s = np.asarray(scores, dtype="float64")
    low, medium, high = RISK_LEVELS
    return np.where(
        s >= cuts.get(high, np.inf),
        high,
        np.where(s >= cuts.get(medium, np.inf), medium, low),
    ).astype(object)


@dataclass(frozen=True)
class LevelBounds:
    """The last household (score, id) of each level of a ranked list.

    Gives the level a household has in that list from its score and id alone,
    without its rank: a household's level is that of the first boundary at or
    after it in rank order (score descending, then id).
    """

    bounds: tuple[tuple[str, float, str], ...]

    def of(self, scores: Any, ids: Any) -> np.ndarray:
        """Levels of households with ``scores`` and ``ids`` in the ranked list.

        Examples
        --------
        >>> b = LevelBounds(bounds=(("高", 0.5, "b"), ("中", 0.2, "a")))
        >>> p = np.array([0.5, 0.5, 0.3, 0.1])
        >>> b.of(p, np.array(["a", "c", "z", "a"])).tolist()
        ['高', '中', '中', '低']
        """
        p = np.asarray(scores, dtype="float64")
        ids = np.asarray(ids)
        out = np.full(len(p), RISK_LEVELS[0], dtype=object)
        for level, pb, idb in reversed(self.bounds):
            within = p > pb
            tie = np.flatnonzero(p == pb)
            if len(tie):
                within[tie] = ids[tie].astype(str) <= idb
            out[within] = level
        return out


@dataclass(frozen=True)
class RiskLevels:
    """How a ranked list is cut into 高 / 中 / 低 (``risk_levels`` of the model config).

    Parameters
    ----------
    method : {"share", "threshold"}
        ``share``: ``high`` and ``medium`` are cumulative shares of the ranked
        list (the top ``ceil(high * n)`` ranks are 高, up to
        ``ceil(medium * n)`` 中); ``threshold``: they are probability cut-offs.
    high, medium : float

    Examples
    --------
    >>> levels = RiskLevels.from_config({"method": "threshold", "high": 0.3,
    ...                                  "medium": 0.1})
    >>> levels.of_ranked(np.array([0.5, 0.2, 0.05])).tolist()
    ['高', '中', '低']
    """

    method: str = "share"
    high: float = 0.05
    medium: float = 0.15

    def __post_init__(self) -> None:
        ok = self.method in METHODS and all(
            isinstance(v, (int, float)) and not isinstance(v, bool)
            for v in (self.high, self.medium)
        )
        if ok and self.method == "share":
            ok = 0 < self.high <= self.medium <= 1
        elif ok:
            ok = 0 < self.medium <= self.high < 1
        if not ok:
            got = {"method": self.method, "high": self.high, "medium": self.medium}
            raise ConfigError(Message(MSG_BAD_LEVELS, got=got))

    @classmethod
    def from_config(cls, settings: Mapping[str, Any]) -> RiskLevels:
        """From the ``risk_levels`` mapping of a model config (checked)."""
        extra = set(settings) - {"method", "high", "medium"}
        if extra:
            raise ConfigError(Message(MSG_BAD_LEVELS, got=dict(settings)))
        return cls(
            method=settings.get("method", "share"),
            high=settings.get("high", 0.05),
            medium=settings.get("medium", 0.15),
        )

    def to_dict(self) -> dict[str, Any]:
        """The ``risk_levels`` mapping of this object."""
        return {"method": self.method, "high": self.high, "medium": self.medium}

    def of_ranked(
        self,
        p_sorted: Any,
        *,
        first_rank: int = 1,
        n_total: int | None = None,
    ) -> np.ndarray:
        """Levels of a block of a ranked list.

        ``p_sorted``: the scores of ranks ``first_rank``, ``first_rank + 1``, ...
        of a list of ``n_total`` households (default: the block is the list).
        """
        p = np.asarray(p_sorted, dtype="float64")
        n = len(p) if n_total is None else int(n_total)
        low, medium, high = RISK_LEVELS
        if self.method == "share":
            r = np.arange(first_rank, first_rank + len(p))
            hi = r <= int(np.ceil(self.high * n))
            mid = r <= int(np.ceil(self.medium * n))
        else:
            hi = p >= self.high
            mid = p >= self.medium
        return np.where(hi, high, np.where(mid, medium, low)).astype(object)

    def last_positions(self, p_sorted: Any) -> dict[str, int]:
        """Position (0-based) of the last household of each level in a ranked
        list, -1 for a level nobody has. Levels are runs of positions, highest
        first."""
        p = np.asarray(p_sorted, dtype="float64")
        n = len(p)
        low, medium, high = RISK_LEVELS
        if self.method == "share":
            n_high = min(n, int(np.ceil(self.high * n)))
            n_mid = min(n, int(np.ceil(self.medium * n)))
        else:  # scores are non-increasing: count those at or above each cut
            n_high = int(np.searchsorted(-p, -self.high, side="right"))
            n_mid = int(np.searchsorted(-p, -self.medium, side="right"))
        return {high: n_high - 1, medium: n_mid - 1 if n_mid > n_high else -1,
                low: n - 1 if n > n_mid else -1}  # fmt: skip

    def lowest_scores(self, p_sorted: Any) -> dict[str, float]:
        """The lowest score of the households at each level or above (高, 中),
        inf when there are none: the cutoffs :func:`level_of` takes."""
        return {
            level: self.cutoff(p_sorted, min_level=level)
            for level in RISK_LEVELS[:0:-1]  # 高, 中
        }

    def cutoff(
        self, p_sorted: Any, *, min_level: str, min_score: float | None = None
    ) -> float:
        """The alert cutoff: ``min_score`` when set, else the lowest score of the
        households at ``min_level`` or above (inf when there are none).

        Examples
        --------
        >>> RiskLevels("share", 0.25, 0.5).cutoff(np.array([0.9, 0.4, 0.2, 0.1]),
        ...                                        min_level="高")
        0.9
        """
        if min_score is not None:
            return float(min_score)
        p = np.asarray(p_sorted, dtype="float64")
        ends = self.last_positions(p)
        end = max(ends[lv] for lv in at_least(min_level))
        return float(p[end]) if end >= 0 else float("inf")

    def counts(self, p_sorted: Any) -> dict[str, int]:
        """Households per level of a ranked list, highest level first."""
        ends = self.last_positions(p_sorted)
        counts, prev = {}, -1
        for level in RISK_LEVELS[::-1]:
            end = ends[level]
            counts[level] = end - prev if end >= 0 else 0
            prev = max(prev, end)
        return counts

    def bounds(self, p_sorted: Any, id_at: Callable[[int], str]) -> LevelBounds:
        """:class:`LevelBounds` of a ranked list; ``id_at(position)`` gives the
        household id at a position of the list."""
        p = np.asarray(p_sorted, dtype="float64")
        ends = self.last_positions(p)
        out = []
        for level in RISK_LEVELS[:0:-1]:  # the lowest level needs no bound
            if ends[level] >= 0:
                out.append((level, float(p[ends[level]]), str(id_at(ends[level]))))
        return LevelBounds(bounds=tuple(out))
