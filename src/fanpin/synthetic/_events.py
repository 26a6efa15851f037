"""Department pushes (部门筛查预警): events emitted when the simulated things happen.

One row per event, as in the contract's event table: 医保 (hospital
out-of-pocket, serious illness, accidents), 残联 (new disability), 应急管理
(disaster loss), 人社 (job loss and return home), 民政 (new 低保, temporary
assistance), 教育 (dropout), 住建 (house became unsafe) and 水利 (drinking water
cut). Dates fall inside the simulated year.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from ._state import State

__all__ = ["year_events"]


def _dates(year: int, day: np.ndarray) -> np.ndarray:
    start = np.datetime64(f"{year}-01-01")
    end = np.datetime64(f"{year + 1}-01-01")
    n_days = int((end - start).astype(int))
    day = np.clip(np.floor(day * n_days).astype(np.int64), 0, n_days - 1)
    return (start + day.astype("timedelta64[D]")).astype("datetime64[ns]")


def year_events(
    state: State, year: int, ids: np.ndarray, rng: np.random.Generator
) -> pd.DataFrame:
    """Events of one simulated year (``state`` is the state at its end)."""
    n = len(ids)
    day = rng.random(n)
    oop = state["medical_cost_oop"]
    serious = state["serious_y"] + state["serious_e"]
    specs = [
        # (mask, source, event_type, amount or None, persons or None, day of year)
        ((serious > 0) & (oop > 0), "医保", "住院自付", oop, serious, day),
        (
            state["new_serious_y"] + state["new_serious_e"] > 0,
            "医保",
            "大病",
            None,
            state["new_serious_y"] + state["new_serious_e"],
            day * 0.9,
        ),
        (
            state["accident_count"] > 0,
            "医保",
            "意外事故",
            None,
            state["accident_count"],
            rng.random(n),
        ),
        (
            state["new_disabled_y"] + state["new_disabled_e"] > 0,
            "残联",
            "新增残疾",
            None,
            state["new_disabled_y"] + state["new_disabled_e"],
            rng.random(n),
        ),
        (
            state["disaster_loss"] > 0,
            "应急管理",
            "灾害损失",
            state["disaster_loss"],
            None,
            0.3 + 0.5 * rng.random(n),
        ),
        (
            state["job_lost"],
            "人社",
            "失业返乡",
            None,
            state["job_lost"].astype(np.int64),
            state["job_lost_when"],
        ),
        (
            state["dibao_new"],
            "民政",
            "新增低保",
            None,
            state["household_size"],
            0.25 * rng.random(n),
        ),
        (
            state["temp_aid"] > 0,
            "民政",
            "临时救助",
            state["temp_aid"],
            None,
            0.5 + 0.5 * rng.random(n),
        ),
        (
            state["dropout_new"],
            "教育",
            "辍学",
            None,
            state["dropout"],
            0.6 + 0.4 * rng.random(n),
        ),
        (state["house_broken"], "住建", "危房", None, None, 0.3 + 0.6 * rng.random(n)),
        (state["water_broken"], "水利", "饮水中断", None, None, rng.random(n)),
    ]
    frames = []
    for mask, source, kind, amount, persons, when in specs:
        idx = np.flatnonzero(mask)
        frames.append(
            pd.DataFrame(
                {
                    "household_id": ids[idx],
                    "date": _dates(year, np.asarray(when, dtype=np.float64)[idx]),
                    "source": source,
                    "event_type": kind,
                    "amount": np.nan
                    if amount is None
                    else np.asarray(amount, np.float64)[idx],
                    "persons": pd.array(
                        [pd.NA] * len(idx)
                        if persons is None
                        else np.asarray(persons)[idx],
                        dtype="Int64",
                    ),
                }
            )
        )
    return pd.concat(frames, ignore_index=True)
