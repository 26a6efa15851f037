"""The early-warning list (预警名单): who to visit first, why, what help, by when."""

from __future__ import annotations

import logging
from collections.abc import Sequence
from datetime import date
from typing import Any

import numpy as np
import pandas as pd

from ..config import AlertsConfig, shipped_configs
from ..exceptions import InputError
from ..messages import N_, Message
from ..ranking import RISK_LEVELS, at_least, level_of, rank
from ._assistance import AssistanceMap
from ._deadlines import DeadlineRules, alert_deadlines
from ._upsert import ALERT_COLUMNS

__all__ = [
    "ALERT_OUTPUT_COLUMNS",
    "NO_TOWNSHIP",
    "SOURCE_MODEL",
    "SOURCE_PUSH",
    "CapacityCounter",
    "alert_cutoff",
    "alert_rows",
    "build_alerts",
    "flag_capacity",
    "level_of",
    "sort_alerts",
    "township_key",
]

logger = logging.getLogger(__name__)

_SEP = "\x00"  # joins county and township into one key (never in a name)
SOURCE_MODEL = "模型预警"
SOURCE_PUSH = "部门推送"
NO_TOWNSHIP = "(未填乡镇)"
REASON_SEP = "；"

ALERT_OUTPUT_COLUMNS = (
    "household_id", "year", "province", "county", "township", "village", "rank",
    "risk_score", "risk_level", "risk_types", "risk_names", "reasons", "measures",
    "departments", "discovered", "deadline", "source", "what_if",
)  # fmt: skip
"""Columns of the alert list (a superset of the case store's ``ALERT_COLUMNS``)."""
assert set(ALERT_COLUMNS) <= set(ALERT_OUTPUT_COLUMNS)

MSG_SCORED_COLUMNS = N_(
    "The scored table lacks column(s) {missing}; expected the output of "
    "fanpin.scoring.score_panel plus labor_count."
)
MSG_NO_CUTOFF = N_("flag_capacity needs a cutoff or an 'alerted' column.")


def level_cutoffs(scored: pd.DataFrame) -> dict[str, float]:
    """The lowest score of each level (高, 中) in a scored table (inf if none)."""
    out = {}
    for lv in RISK_LEVELS[:0:-1]:
        at = scored.loc[scored["risk_level"].isin(at_least(lv)), "risk_score"]
        out[lv] = float(at.min()) if len(at) else np.inf
    return out


def alert_cutoff(scored: pd.DataFrame, config: AlertsConfig) -> float:
    """The score from which a household is alerted: ``min_score`` when set, else
    the lowest score of the households at ``min_level`` or above.

    Examples
    --------
    >>> s = pd.DataFrame({"risk_score": [0.5, 0.3, 0.1],
    ...                   "risk_level": ["高", "中", "低"]})
    >>> alert_cutoff(s, AlertsConfig(min_level="中"))
    0.3
    """
    if config.min_score is not None:
        return float(config.min_score)
    at = scored.loc[scored["risk_level"].isin(at_least(config.min_level)), "risk_score"]
    return float(at.min()) if len(at) else float("inf")


def township_key(df: pd.DataFrame) -> pd.Series:
    """The township of each row as the list sorts it (empty: :data:`NO_TOWNSHIP`)."""
    t = df["township"] if "township" in df else pd.Series(pd.NA, index=df.index)
    return t.astype("string").fillna(NO_TOWNSHIP)


class CapacityCounter:
    """Township capacity counted along the rank order, block after block.

    Each township (county and township names) verifies at most its capacity
    of alerted households, highest risk first: feeding the ranked list in
    blocks, in rank order, gives each row its rank within its township and
    whether it is listed or over capacity, exactly as one pass over the whole
    list would.
    """

    def __init__(self, config: AlertsConfig, capacity: int | None = None) -> None:
        self.config = config
        self.capacity = capacity
        self._rank: dict[str, int] = {}
        self._alerted: dict[str, int] = {}

    @staticmethod
    def _running(
        store: dict[str, int], keys: np.ndarray, codes: np.ndarray, mask: np.ndarray
    ) -> np.ndarray:
        """Rows of ``mask``: 1 + how many earlier rows of their key (this block
        and the earlier blocks); other rows: the largest int64."""
        sel = np.flatnonzero(mask)
        order = np.argsort(codes[sel], kind="stable")
        counts = np.bincount(codes[sel], minlength=len(keys))
        starts = np.cumsum(counts) - counts
        within = np.empty(len(sel), dtype=np.int64)
        within[order] = np.arange(len(sel)) - np.repeat(starts, counts)
        base = np.array([store.get(k, 0) for k in keys], dtype=np.int64)
        out = np.full(len(codes), np.iinfo(np.int64).max, dtype=np.int64)
        out[sel] = base[codes[sel]] + within + 1
        for k, c in zip(keys, base + counts, strict=True):
            store[k] = int(c)
        return out

    @staticmethod
    def _keys(county: pd.Series, township: pd.Series) -> tuple[np.ndarray, Any]:
        county = county.astype("string").fillna("")
        town = township.astype("string").fillna(NO_TOWNSHIP)
        key = (county + _SEP + town).to_numpy(dtype=object)
        return pd.factorize(key)

    def ahead(self, county: pd.Series, township: pd.Series) -> np.ndarray:
        """``rank`` within the township of rows placed ahead of the ranked list
        (the urgent households, in the order given): they take the first ranks
        of their township and count against no capacity."""
        codes, keys = self._keys(county, township)
        everyone = np.ones(len(codes), dtype=bool)
        return self._running(self._rank, keys, codes, everyone)

    def flags(
        self, county: pd.Series, township: pd.Series, alerted: np.ndarray
    ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """``rank`` within the township, ``listed`` and ``over_capacity`` of
        the next block of the ranked list (``alerted``: score at or above the
        cutoff, the rows that count against capacity)."""
        codes, keys = self._keys(county, township)
        everyone = np.ones(len(codes), dtype=bool)
        rank = self._running(self._rank, keys, codes, everyone)
        arank = self._running(self._alerted, keys, codes, alerted)
        towns = [k.split(_SEP, 1)[1] for k in keys]
        cap = np.array(
            [
                self.capacity if self.capacity is not None
                else self.config.capacity_of(t)
                for t in towns
            ],
            dtype=np.int64,
        )  # fmt: skip
        within = arank <= cap[codes]
        return rank, alerted & within, alerted & ~within


def flag_capacity(
    scored: pd.DataFrame,
    *,
    cutoff: float | None = None,
    config: AlertsConfig,
    capacity: int | None = None,
) -> pd.DataFrame:
    """Mark who is listed: ``alerted`` (score >= cutoff, or the ``alerted`` column
    when ``cutoff`` is None), ``rank`` within the
    township (highest risk first, ties by household_id), ``over_capacity``
    (alerted but beyond the township's verification capacity) and ``listed``.

    Examples
    --------
    >>> s = pd.DataFrame({"household_id": ["a", "b", "c"], "county": "C",
    ...     "township": ["T", "T", "U"], "risk_score": [0.9, 0.8, 0.7]})
    >>> f = flag_capacity(s, cutoff=0.5, config=AlertsConfig(), capacity=1)
    >>> f["rank"].tolist(), f["listed"].tolist(), f["over_capacity"].tolist()
    ([1, 2, 1], [True, False, True], [False, True, False])
    """
    out = scored.copy()
    if cutoff is not None:
        out["alerted"] = out["risk_score"].to_numpy(dtype="float64") >= cutoff
    elif "alerted" in out:
        out["alerted"] = out["alerted"].astype(bool)
    else:
        raise InputError(Message(MSG_NO_CUTOFF))
    order = rank(out["risk_score"], out["household_id"].astype(str).to_numpy())
    sorted_ = out.iloc[order]
    na = pd.Series(pd.NA, index=sorted_.index, dtype="string")
    county = sorted_["county"] if "county" in sorted_ else na
    town = sorted_["township"] if "township" in sorted_ else na
    counter = CapacityCounter(config, capacity)
    r, listed, over = counter.flags(county, town, sorted_["alerted"].to_numpy())
    for name, values in (("rank", r), ("listed", listed), ("over_capacity", over)):
        column = np.empty(len(out), dtype=values.dtype)
        column[order] = values
        out[name] = column
    return out


def _join(*parts: Any) -> str:
    items = []
    for p in parts:
        if p is None or (not isinstance(p, str) and pd.isna(p)) or p == "":
            continue
        items.extend(s for s in str(p).split(REASON_SEP) if s)
    return REASON_SEP.join(dict.fromkeys(items))


def build_alerts(
    scored: pd.DataFrame,
    explanations: pd.DataFrame,
    assistance: AssistanceMap,
    *,
    capacity: int | None = None,
    as_of: date | pd.Timestamp,
    deadline_days: int | None = None,
    config: AlertsConfig | None = None,
    cutoff: float | None = None,
) -> pd.DataFrame:
    """The early-warning list, per township and village, highest risk first.

    Parameters
    ----------
    scored : DataFrame
        Scored households (:func:`fanpin.scoring.score_panel`) with ``labor_count``;
        optional ``source``, ``event_reasons`` and ``discovered`` (department
        pushes); optional ``alerted`` (else from the config's cutoff).
    explanations : DataFrame
        :func:`fanpin.explain.explain_households` output (``household_id``,
        ``risk_types``, ``risk_names``, ``reasons``).
    assistance : AssistanceMap
    capacity : int, optional
        Verification capacity of every township (default: the config's).
    as_of : date
        Discovery date of model alerts.
    deadline_days : int, optional
        Discovery + this many days (default: the config's, 15).
    config : AlertsConfig, optional
    cutoff : float, optional
        Alert cutoff score (default: :func:`alert_cutoff`).

    Returns
    -------
    DataFrame
        :data:`ALERT_OUTPUT_COLUMNS`, sorted by county, township and rank; it
        holds the case store's ``ALERT_COLUMNS``. Households cut by capacity are
        not in it (see :func:`flag_capacity`).
    """
    cfg = config if config is not None else shipped_configs().alerts
    days = cfg.deadline_days if deadline_days is None else int(deadline_days)
    need = ["household_id", "risk_score", "risk_level", "labor_count", "county"]
    missing = [c for c in need if c not in scored.columns]
    if missing:
        raise InputError(Message(MSG_SCORED_COLUMNS, missing=missing))
    if "alerted" not in scored and cutoff is None:
        cutoff = alert_cutoff(scored, cfg)
    flagged = flag_capacity(scored, cutoff=cutoff, config=cfg, capacity=capacity)
    df = alert_rows(
        flagged.loc[flagged["listed"]], explanations, assistance, as_of=as_of,
        deadline_days=days, config=cfg,
    )  # fmt: skip
    logger.info("alert list: %d households", len(df))
    return sort_alerts(df)


def alert_rows(
    listed: pd.DataFrame,
    explanations: pd.DataFrame,
    assistance: AssistanceMap,
    *,
    as_of: date | pd.Timestamp,
    deadline_days: int,
    config: AlertsConfig,
) -> pd.DataFrame:
    """The alert-list columns of listed households, row by row (not sorted).

    ``listed``: rows of :func:`flag_capacity` output with ``listed`` true. Each
    output row depends on its own input row only, so the list of a big panel
    can be built piece by piece and sorted once (:func:`sort_alerts`).
    """
    df = listed.copy()
    ex = explanations.set_index(explanations["household_id"].astype(str))
    hid = df["household_id"].astype(str)
    for c in ("risk_types", "risk_names", "reasons"):
        df[c] = ex[c].reindex(hid).to_numpy() if c in ex else pd.NA
    df["risk_types"] = df["risk_types"].astype("string").fillna("")
    df["risk_names"] = df["risk_names"].astype("string").fillna("")
    events = (
        df["event_reasons"] if "event_reasons" in df else pd.Series("", index=df.index)
    )
    df["reasons"] = pd.array(
        [
            _join(e, r)
            for e, r in zip(events.tolist(), df["reasons"].tolist(), strict=True)
        ],
        dtype="string",
    )
    sugg = assistance.suggest_frame(df, limit=config.max_measures)
    df["measures"], df["departments"] = sugg["measures"], sugg["departments"]
    as_of = pd.Timestamp(as_of).normalize()
    disc = (
        pd.to_datetime(df["discovered"]).fillna(as_of)
        if "discovered" in df
        else pd.Series(as_of, index=df.index)
    )
    df["discovered"] = disc.dt.normalize()
    df["deadline"] = alert_deadlines(
        df["discovered"], df["risk_level"],
        DeadlineRules(deadline_days, min(config.urgent_deadline_days, deadline_days)),
        opened=as_of,
    )  # fmt: skip
    if "source" not in df:
        df["source"] = SOURCE_MODEL
    df["source"] = df["source"].astype("string").fillna(SOURCE_MODEL)
    df["what_if"] = pd.array([""] * len(df), dtype="string")
    for c in ALERT_OUTPUT_COLUMNS:
        if c not in df:
            df[c] = pd.NA
    return df


def sort_alerts(rows: pd.DataFrame, extra: Sequence[str] = ()) -> pd.DataFrame:
    """The alert list in its order (county, township, rank) and columns
    (:data:`ALERT_OUTPUT_COLUMNS`, then ``extra``).

    ``rows``: :func:`alert_rows` output, possibly concatenated from pieces;
    (county, township, rank) identifies a listed household, so the order does
    not depend on how the pieces were put together.
    """
    df = rows.assign(_t=township_key(rows)).sort_values(
        ["county", "_t", "rank"], kind="stable"
    )
    return df[[*ALERT_OUTPUT_COLUMNS, *extra]].reset_index(drop=True)
