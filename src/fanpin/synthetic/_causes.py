"""The true causes of a household's risk: the oracle's year replayed with one
mechanism switched off at a time.

For each household-year the oracle draws the next year ``R`` times
(:mod:`._oracle`). The cause replay takes the draws that end in hardship and
simulates them again, with the same random numbers (:mod:`._replay`), once
per mechanism of :data:`~._mechanisms.MECHANISMS` switched off. The share of a
mechanism is the part of the household's hardship draws that no longer end in
hardship without it: the share of the risk that the mechanism causes.

Replaying only the hardship draws is exact when switching a mechanism off never
turns a draw into hardship; in this simulator that is nearly always so (the
few exceptions go through the 低保 a serious illness or severe disability can
bring). ``cause_replay="all"`` replays every draw and gives the net change of
the risk, ``(p - p_without) / p``, for checking (tested to agree closely).

The main cause (:data:`MAIN_CAUSE_SHARE`): the mechanism with the largest
share, when that share is at least a quarter of the risk; otherwise the risk is
structural (code 99: income close to the line, no one shock dominating).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from ._mechanisms import MECHANISMS
from ._replay import ROW_DTYPE, ReplayGenerator
from ._state import State, StepContext, take_state
from ._step import step

__all__ = [
    "CAUSE_LABELS",
    "CAUSE_REPLAYS",
    "MAIN_CAUSE_SHARE",
    "MECHANISM_CODES",
    "STRUCTURAL",
    "main_cause",
    "replay_causes",
    "share_column",
]

MECHANISM_CODES = {
    "illness": "01", "disability": "03", "disaster": "02", "accident": "05",
    "job_loss": "07", "business_failure": "06", "schooling": "09",
    "housing_water": "H_housing",
}  # fmt: skip
"""Risk code (table 100A27, ``configs/risk_types.yaml``) of each mechanism.

``schooling`` becomes ``H_dropout`` and ``housing_water`` ``H_water`` for a
household whose prevented hardship draws mostly come from a dropout (an unsafe
water supply)."""
STRUCTURAL = "99"
"""Code of a risk that no single mechanism dominates (其他: income near the line)."""
MAIN_CAUSE_SHARE = 0.25
"""A mechanism is the main cause when it removes at least this share of the risk."""
CAUSE_REPLAYS = ("hardship", "all", "none")
CAUSE_LABELS = {
    "share_illness": "因病致险份额", "share_disability": "因残致险份额",
    "share_disaster": "因灾致险份额", "share_accident": "因意外事故致险份额",
    "share_job_loss": "失业返乡致险份额", "share_business_failure": "产业失败致险份额",
    "share_schooling": "因学致险份额", "share_housing_water": "住房饮水致险份额",
    "main_cause": "主要致险原因代码",
}  # fmt: skip
"""Chinese headers of the truth's cause columns (CSV output)."""
"""``SimulationParams.cause_replay`` values."""


def share_column(mechanism: str) -> str:
    """Truth column of a mechanism's share (``share_illness`` ...)."""
    return f"share_{mechanism}"


def replay_causes(
    rep: State,
    nxt: State,
    draws: list[np.ndarray],
    year: int,
    ctx: StepContext,
    n: int,
    mode: str,
) -> np.ndarray:
    """Shares of each mechanism for the ``n`` households of one oracle chunk.

    Parameters
    ----------
    rep : State
        The repeated state (copy-major, ``n`` households x R copies).
    nxt : State
        The next year drawn from ``rep`` with every mechanism on.
    draws : list of ndarray
        The random draws of that year (:class:`~._replay.RecordingGenerator`).
    year, ctx
        As for :func:`step` (``year`` is the year of ``rep``).
    n : int
        Households in the chunk.
    mode : {"hardship", "all"}
        Replay the hardship draws only, or every draw.

    Returns
    -------
    ndarray, shape (n, len(MECHANISMS) + 2)
        The share of each mechanism (NaN where the risk is 0), then the share
        of the schooling-prevented draws with a dropout and of the
        housing/water-prevented draws with unsafe water (for the sub-codes).
    """
    hard = nxt["hardship"]
    house = np.arange(len(hard)) % n
    hard_n = np.bincount(house[hard], minlength=n).astype("float64")
    base = np.flatnonzero(hard) if mode == "hardship" else np.arange(len(hard))
    # the replayed draws, gathered once (row draws are float32: see _replay)
    sub = take_state(rep, base)
    sub_draws = [a[base] if a.dtype == ROW_DTYPE else a for a in draws]
    # one replay for all mechanisms: the rows of mechanism j switch j off; a
    # draw in which a mechanism did nothing is the same without it (skipped)
    locals_ = [np.flatnonzero(_acted(m, rep, nxt)[base]) for m in MECHANISMS]
    which = np.repeat(np.arange(len(MECHANISMS)), [len(x) for x in locals_])
    local = np.concatenate(locals_)
    off = {m: which == j for j, m in enumerate(MECHANISMS)}
    if len(local):
        alt = step(
            take_state(sub, local), ReplayGenerator(sub_draws, local), year + 1, ctx,
            outcome_only=True, off=off,
        )  # fmt: skip
    else:  # no draw to replay (none in hardship, or no mechanism acted)
        alt = {"hardship": np.zeros(0, dtype=bool)}
    out = np.full((n, len(MECHANISMS) + 2), np.nan)
    with np.errstate(invalid="ignore", divide="ignore"):
        for j, mech in enumerate(MECHANISMS):
            at = which == j
            rows = base[local[at]]
            was, now = hard[rows], alt["hardship"][at]
            prevented = rows[was & ~now]
            saved = np.bincount(house[prevented], minlength=n)
            made = np.bincount(house[rows[~was & now]], minlength=n)
            out[:, j] = (saved - made) / hard_n
            if mech in ("schooling", "housing_water"):
                flag = nxt["dropout"] > 0 if mech == "schooling" else ~nxt["water_safe"]
                with_flag = np.bincount(house[prevented[flag[prevented]]], minlength=n)
                col = len(MECHANISMS) + (0 if mech == "schooling" else 1)
                out[:, col] = with_flag / np.maximum(saved, 1)
    out[hard_n == 0, : len(MECHANISMS)] = np.nan
    return out


def _acted(mech: str, rep: State, nxt: State) -> np.ndarray:
    """Draws in which ``mech`` did something (switching it off changes nothing
    in the others: the same draws give the same year)."""
    if mech == "illness":
        keys = ("chronic_y", "chronic_e", "serious_y", "serious_e")
        return sum(nxt[k] for k in keys) > 0
    if mech == "disability":
        return nxt["disabled_y"] + nxt["disabled_e"] > 0
    if mech == "disaster":
        return nxt["disaster_type"] > 0
    if mech == "accident":
        return nxt["accident_count"] > 0
    if mech == "job_loss":
        return nxt["job_lost"] | (rep["returned"] > 0)
    if mech == "business_failure":
        return nxt["business_failed"]
    if mech == "schooling":
        return (nxt["education_cost"] > 0) | (nxt["dropout"] > 0)
    return (
        ~nxt["housing_safe"]
        | ~nxt["water_safe"]
        | ~rep["housing_safe"]
        | ~rep["water_safe"]
    )


def main_cause(
    shares: np.ndarray, *, min_share: float = MAIN_CAUSE_SHARE
) -> np.ndarray:
    """The main cause code per row of :func:`replay_causes`' output.

    The mechanism with the largest share (the first of :data:`MECHANISMS` on
    ties) when it is at least ``min_share``; :data:`STRUCTURAL` otherwise;
    missing where the risk is 0.

    Examples
    --------
    >>> s = np.full((3, len(MECHANISMS) + 2), 0.0)
    >>> s[0, 0] = 0.6; s[1, 1] = 0.1; s[2, :] = np.nan
    >>> main_cause(s).tolist()
    ['01', '99', None]
    """
    m = len(MECHANISMS)
    share = shares[:, :m]
    known = ~np.isnan(share).all(axis=1)
    filled = np.where(np.isnan(share), -np.inf, share)
    best = filled.argmax(axis=1)
    top = filled[np.arange(len(filled)), best]
    codes = np.array([MECHANISM_CODES[k] for k in MECHANISMS], dtype=object)[best]
    dropout = shares[:, m] > 0.5
    water = shares[:, m + 1] > 0.5
    mech = np.asarray(MECHANISMS, dtype=object)[best]
    codes = np.where((mech == "schooling") & dropout, "H_dropout", codes)
    codes = np.where((mech == "housing_water") & water, "H_water", codes)
    out = np.where(top >= min_share, codes, STRUCTURAL).astype(object)
    out[~known] = None
    return out


def cause_frame(shares: np.ndarray) -> pd.DataFrame:
    """The truth columns: one ``share_<mechanism>`` per mechanism, ``main_cause``."""
    data = {share_column(k): shares[:, j] for j, k in enumerate(MECHANISMS)}
    data["main_cause"] = pd.array(main_cause(shares), dtype="string")
    return pd.DataFrame(data)
