"""The simulated world the test suite shares, and the worlds derived from it.

One simulation and one trained model serve every test that needs "a small
realistic panel" (the root ``tests/conftest.py`` wraps them in session
fixtures: ``sim``, ``world_model``, ``model_dir``, ``lines_yaml``). Each
process builds them once (each pytest-xdist worker is its own process).
They are shared: read them, never change them in place (copy first).

:func:`stream_world` derives the streaming tests' scenario (gaps, a county
without its latest record, a coarse model with tied scores, pushes that cross
the cutoff or name unknown households) from the same simulation;
``bench/compare_outputs.py`` builds its "test" world with it too, so the bench
and the tests compare on one scenario. Only public fanpin API is used here (the
bench runs this module against an older revision's ``src``).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from functools import lru_cache

import numpy as np
import pandas as pd

from fanpin.config import ModelConfig
from fanpin.models import train_risk_model
from fanpin.synthetic import simulate

#: The shared world: 600 households (5 provinces, 20 counties, 100 townships)
#: over 2021-2024, the department pushes of 2025 (``sim.pushes``) and the
#: truth of 2021-2023.
HOUSEHOLDS = 600
YEARS = range(2021, 2025)
SEED = 0
PUSHES_UNTIL = date(2025, 12, 31)

#: The shared model: small and fast (the shipped config trains 300 trees).
MODEL_CONFIG = ModelConfig(
    booster={"n_estimators": 25, "min_child_samples": 20}, seed=0
)


@lru_cache(maxsize=1)
def world():
    """The shared simulation (a :class:`fanpin.synthetic.SimulationResult`)."""
    return simulate(
        HOUSEHOLDS, years=YEARS, seed=SEED, n_jobs=1, pushes_until=PUSHES_UNTIL
    )


@lru_cache(maxsize=1)
def world_model():
    """The shared LightGBM pipeline, trained on :func:`world`'s panel."""
    sim = world()
    return train_risk_model(sim.panel, sim.lines, MODEL_CONFIG, kind="gbdt")


#: The streaming scenario's model: 3 trees of 4 leaves, so many households
#: share a score (ties across level boundaries, broken by id).
STREAM_MODEL_CONFIG = ModelConfig(
    booster={"n_estimators": 3, "num_leaves": 4, "min_child_samples": 20}, seed=0
)
STREAM_PUSHES_UNTIL = pd.Timestamp("2025-06-30")


@dataclass(frozen=True)
class StreamWorld:
    """The streaming scenario; see :func:`stream_world`."""

    full: pd.DataFrame  #: the panel before the gaps (for training)
    panel: pd.DataFrame  #: the panel scored (with gaps)
    events: pd.DataFrame  #: annual events of the latest year, pushes, extra pushes
    gone: frozenset  #: households without a latest-year record
    lost: frozenset  #: the households of the county without a latest-year record


def stream_world(sim=None, *, odd_events: bool = True) -> StreamWorld:
    """The shared world reshaped for the streaming tests.

    One township and one village per county (fewer workbooks); 30 households
    and one whole county lack their latest-year record (a chunk with nobody to
    score); the events hold the latest year's events (covered by the annual
    records), the pushes of 2025 up to June, big pushes on low-risk households
    (to cross the cutoff), 危房 pushes (into hardship) and pushes for
    households without a latest record. With ``odd_events`` also events of
    unknown households and one dated after the as-of date (2025-06-30).
    """
    sim = world() if sim is None else sim
    last = max(sim.panel["year"])
    full = sim.panel.copy()
    full["township"] = full["county"] + "一镇"
    full["village"] = full["township"] + "一村"
    rng = np.random.default_rng(0)
    ids = full["household_id"].unique()
    gone = rng.choice(ids, 30, replace=False)
    county = full.loc[full["household_id"] == ids[0], "county"].iloc[0]
    lost = full.loc[full["county"] == county, "household_id"].unique()
    gone = np.union1d(gone, lost)
    panel = full.loc[
        ~(full["household_id"].isin(gone) & (full["year"] == last))
    ].reset_index(drop=True)
    latest = panel.loc[panel["year"] == last]
    low = latest.nsmallest(40, "medical_cost_oop")["household_id"].to_numpy()
    big = [
        {"household_id": h, "date": pd.Timestamp("2025-03-01") + pd.Timedelta(days=i),
         "source": "医保", "event_type": t, "amount": a, "persons": None}
        for i, h in enumerate(low[:30])
        for t, a in (("住院自付", 90_000.0), ("灾害损失", 60_000.0))
    ] + [
        {"household_id": h, "date": pd.Timestamp("2025-02-01"), "source": "住建",
         "event_type": "危房", "amount": None, "persons": None}
        for h in [*low[30:35], *gone[:3], *lost[:3]]
    ] + [
        {"household_id": h, "date": pd.Timestamp("2025-05-02"), "source": "医保",
         "event_type": "住院自付", "amount": 3000.0, "persons": None}
        for h in lost[3:8]
    ]  # fmt: skip
    if odd_events:
        big += [
            {"household_id": h, "date": pd.Timestamp("2025-04-01"), "source": "民政",
             "event_type": "临时救助", "amount": 500.0, "persons": None}
            for h in ("nobody-1", "nobody-2", "nobody-1")
        ] + [
            {"household_id": gone[5], "date": pd.Timestamp("2025-07-09"),
             "source": "医保", "event_type": "住院自付", "amount": 1.0, "persons": None}
        ]  # fmt: skip
    pushes = sim.pushes.loc[sim.pushes["date"] <= STREAM_PUSHES_UNTIL]
    events = pd.concat(
        [
            sim.events.loc[sim.events["date"].dt.year == last],
            pushes,
            pd.DataFrame(big).astype({"persons": "Int64"}),
        ],
        ignore_index=True,
    )
    return StreamWorld(full, panel, events, frozenset(gone), frozenset(lost))


def stream_model(scenario: StreamWorld, lines):
    """The streaming scenario's coarse model (:data:`STREAM_MODEL_CONFIG`)."""
    return train_risk_model(scenario.full, lines, STREAM_MODEL_CONFIG, kind="gbdt")


def tiled(
    panel: pd.DataFrame, households: int, *, county_copies: int = 1
) -> pd.DataFrame:
    """``panel`` repeated (household ids suffixed ``-k``) until it holds
    ``households`` households (the first ones), its counties copied
    ``county_copies`` times (names suffixed): a bigger panel with as many
    townships per household as the copies give, no more."""
    ids = panel["household_id"].unique()
    parts = []
    for k in range(-(-households // len(ids))):
        q = panel.copy()
        q["household_id"] = q["household_id"] + f"-{k}"
        if county_copies > 1:
            q["county"] = q["county"] + f"{k % county_copies}"
        parts.append(q)
    out = pd.concat(parts, ignore_index=True)
    keep = out["household_id"].unique()[:households]
    return out.loc[out["household_id"].isin(keep)].reset_index(drop=True)
