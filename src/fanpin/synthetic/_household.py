"""Household composition and labour: the first state, ageing, births and deaths.

Members are counted in three groups: children (under 16), working-age adults and
elderly (65 and over). Illness and disability are tracked separately for the
non-elderly (``_y``) and the elderly (``_e``). At most one member changes group
per kind of transition in a year, which keeps the mechanism vectorised.
"""

from __future__ import annotations

import numpy as np

from ._geography import Geography
from ._params import SimulationParams
from ._state import State, uniform

__all__ = ["initial_state", "age_households", "labour_count"]

_MINORITY = {
    "湖北省": 0.1,
    "云南省": 0.45,
    "贵州省": 0.4,
    "甘肃省": 0.15,
    "河南省": 0.02,
}
_EDU_PROBS = (0.08, 0.35, 0.42, 0.1, 0.05)  # 文盲 小学 初中 高中 大专及以上


def labour_count(state: State) -> np.ndarray:
    """Working-age adults not kept from work by severe disability or serious illness."""
    blocked = np.minimum(state["n_adult"], state["severe_y"] + state["serious_y"])
    return state["n_adult"] - blocked


def initial_state(
    n: int, rng: np.random.Generator, params: SimulationParams, geo: Geography
) -> State:
    """Draw households as they stand before the burn-in years."""
    prov = geo.household_index("province").astype(np.int16)
    lifted = rng.random(n) < params.lifted_share
    elderly_only = rng.random(n) < 0.07
    n_adult = np.where(
        elderly_only, 0, 1 + rng.binomial(3, (params.mean_adults - 1) / 3, n)
    )
    n_child = np.where(
        elderly_only, 0, np.minimum(rng.poisson(params.mean_children, n), 4)
    )
    n_elder = np.where(
        elderly_only,
        1 + (rng.random(n) < 0.5),
        rng.binomial(2, params.elder_prob / 2, n),
    )
    head_age = np.where(elderly_only, rng.integers(66, 86, n), rng.integers(28, 65, n))
    edu = rng.choice(5, size=n, p=_EDU_PROBS)
    edu = np.where(head_age > 60, np.minimum(edu, 2), edu)
    minority_p = np.asarray([_MINORITY.get(p, 0.1) for p in geo.provinces])[prov]
    relocated = rng.random(n) < np.where(lifted, 0.12, 0.01)
    ability = (
        np.exp(rng.normal(0, 0.22, n))
        * (1 + 0.07 * (edu - 2))
        * np.where(lifted, 0.58, 1.0)
    )
    size_y = n_adult + n_child
    size_e = n_elder
    disabled_y = (rng.random(n) < size_y * np.where(lifted, 0.02, 0.01)).astype(
        np.int64
    )
    disabled_e = (rng.random(n) < size_e * 0.05).astype(np.int64)
    severe_y = disabled_y * (rng.random(n) < params.severe_share)
    severe_e = disabled_e * (rng.random(n) < params.severe_share)
    chronic_y = (rng.random(n) < size_y * 0.03).astype(np.int64)
    chronic_e = np.minimum(size_e, rng.binomial(size_e, 0.3))
    state: State = {
        "hid": np.arange(n, dtype=np.int64),
        "rep": np.zeros(n, dtype=np.int32),
        "prov": prov,
        "county": geo.household_index("county").astype(np.int32),
        "lifted": lifted,
        "minority": rng.random(n) < minority_p,
        "relocated": relocated,
        "edu": edu.astype(np.int8),
        "ability": ability,
        "land": np.where(relocated, 0.3, 1.0) * np.exp(rng.normal(1.1, 0.6, n)),
        "fragility": np.where(relocated, 0.02, rng.beta(0.3, 3.0, n)),
        "water_risk": np.exp(rng.normal(-1.1, 1.5, n)),
        "exposure": rng.beta(0.5, 1.5, n),
        "frailty": np.exp(rng.normal(-2.0, 2.0, n)),
        "job_risk": np.exp(rng.normal(-0.72, 1.2, n)),
        "school_offset": rng.random(n),
        "insured": rng.random(n) >= params.uninsured_rate,
        "n_child": n_child.astype(np.int64),
        "n_adult": n_adult.astype(np.int64),
        "n_elder": n_elder.astype(np.int64),
        "head_age": head_age.astype(np.int64),
        "chronic_y": chronic_y,
        "chronic_e": chronic_e.astype(np.int64),
        "serious_y": np.zeros(n, dtype=np.int64),
        "serious_e": np.zeros(n, dtype=np.int64),
        "disabled_y": disabled_y,
        "disabled_e": disabled_e,
        "severe_y": severe_y.astype(np.int64),
        "severe_e": severe_e.astype(np.int64),
        "returned": np.zeros(n, dtype=np.int64),
        "log_level": rng.normal(0, 0.1, n),
        "trend": rng.normal(0, params.trend_sd, n),
        "biz_ar": rng.normal(0, params.business_sd, n),
        "students_higher": np.zeros(n, dtype=np.int64),
        "dropout": np.zeros(n, dtype=np.int64),
        "housing_safe": np.ones(n, dtype=bool),
        "water_safe": np.ones(n, dtype=bool),
        "dibao": np.zeros(n, dtype=bool),
        "tekun": np.zeros(n, dtype=bool),
        "monitor": np.zeros(n, dtype=np.int8),
        "welfare_job": np.zeros(n, dtype=bool),
        "industry_support": np.zeros(n, dtype=bool),
        "microcredit": np.zeros(n, dtype=np.float64),
        "pc_after": np.full(n, 1e5),
        "income_total": np.full(n, 4e4),
    }
    state["migrants"] = np.minimum(rng.binomial(n_adult, 0.5), labour_count(state))
    return state


def age_households(
    state: State, rng: np.random.Generator, params: SimulationParams
) -> None:
    """One year of ageing: births, children growing up, adults turning 65, deaths.

    Also a grown child may leave to found a household of their own, and an old
    head hands headship to a younger member. Updates ``state`` in place.
    """
    n = len(state["prov"])
    u = uniform(rng, n)
    young = (state["head_age"] < 45) & (state["n_adult"] >= 2)
    births = young & (u < params.birth_rate * 2)
    grow = uniform(rng, n) < state["n_child"] * params.child_to_adult_rate
    old = np.where(state["head_age"] >= 55, 4.0, 0.5) * params.adult_to_elder_rate
    retire = uniform(rng, n) < state["n_adult"] * old
    death_p = state["n_elder"] * params.elder_death_rate * (1 + state["serious_e"])
    deaths = uniform(rng, n) < death_p
    leave = (state["n_adult"] >= 3) & (uniform(rng, n) < 0.03)
    state["n_child"] = state["n_child"] + births - grow
    state["n_adult"] = state["n_adult"] + grow - retire - leave
    state["n_elder"] = state["n_elder"] + retire - deaths
    empty = state["n_child"] + state["n_adult"] + state["n_elder"] == 0
    state["n_elder"] = np.where(empty, 1, state["n_elder"])
    state["grown"] = grow
    age = state["head_age"] + 1
    handover = (age > 64) & (state["n_adult"] > 0) & (uniform(rng, n) < 0.15)
    state["head_age"] = np.where(handover, 35 + (age - 64) % 20, age)
    # illness and disability stay with their group, never above its size
    size_y = state["n_child"] + state["n_adult"]
    for k in ("chronic", "serious", "disabled", "severe"):
        state[f"{k}_y"] = np.minimum(state[f"{k}_y"], size_y)
        state[f"{k}_e"] = np.minimum(state[f"{k}_e"], state["n_elder"])
    state["severe_y"] = np.minimum(state["severe_y"], state["disabled_y"])
    state["severe_e"] = np.minimum(state["severe_e"], state["disabled_e"])
    state["students_higher"] = np.minimum(state["students_higher"], state["n_adult"])
