"""``simulate``: the calibrated synthetic household panel with its true risks."""

from __future__ import annotations

import logging
import time
from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from datetime import date

import numpy as np
import pandas as pd

from ..config import MonitoringLines, shipped_configs
from ..exceptions import ConfigError
from ..schema import COLUMNS, EVENT_COLUMNS
from ._assistance import CATEGORIES
from ._causes import cause_frame
from ._events import year_events
from ._geography import DISASTER_TYPES, Geography, make_geography
from ._household import initial_state
from ._mechanisms import MECHANISMS
from ._oracle import CHECK_STREAM, next_year_risk
from ._params import SimulationParams
from ._state import State, StepContext
from ._step import step

__all__ = ["SimulationResult", "simulate"]

logger = logging.getLogger(__name__)

_EDUCATION = ("文盲", "小学", "初中", "高中", "大专及以上")
BAD_YEARS = (
    "simulate() needs consecutive years, like range(2021, 2026); got {years!r}. "
    "Pass a range of at least one year."
)
BAD_N = "simulate() needs n_households >= 1; got {n!r}."
BAD_PUSHES = (
    "pushes_until must fall in {year}, the year after the simulated years; got "
    "{got}. Pass a date in {year}, or None for no pushes."
)
HARDSHIP_MISMATCH = (
    "The simulator's hardship rule disagrees with fanpin.schema.in_hardship on {k} "
    "row(s); the two definitions must be the same."
)


@dataclass(frozen=True)
class SimulationResult:
    """Output of :func:`simulate`.

    Attributes
    ----------
    panel : pandas.DataFrame
        Validated-panel form: every contract column, English names, contract dtypes.
    truth : pandas.DataFrame
        ``household_id, year, p_next``: the true probability of being in hardship in
        ``year + 1`` given the state at the end of ``year`` (all years but the last);
        with ``oracle_check_draws`` also ``p_next_check``, an independent Monte
        Carlo estimate of the same probability.
    events : pandas.DataFrame
        Department pushes (``household_id, date, source, event_type, amount, persons``).
    lines : MonitoringLines
        The monitoring lines used.
    params : SimulationParams
        The parameters used.
    seed : int
        The seed used.
    pushes : pandas.DataFrame
        Department pushes that arrive after the last simulated year's annual
        record: events of the year after ``years`` dated on or before
        ``pushes_until`` (same columns as ``events``; empty without
        ``pushes_until``).
    pushes_until : date or None
        The ``pushes_until`` used.
    """

    panel: pd.DataFrame
    truth: pd.DataFrame
    events: pd.DataFrame
    lines: MonitoringLines
    params: SimulationParams
    seed: int
    pushes: pd.DataFrame = field(default_factory=lambda: _event_frame([]))
    pushes_until: date | None = None


def _line_table(
    lines: MonitoringLines,
    provinces: tuple[str, ...],
    years: list[int],
    params: SimulationParams,
) -> dict[int, np.ndarray]:
    """Line per province index for each year the simulation touches.

    Burn-in years before the first simulated year use the first year's line
    deflated by the wage index; the simulated years must be in ``lines``.
    """
    prov = pd.Series(provinces)
    table = {y: lines.lookup(prov, pd.Series([y] * len(prov))) for y in years}
    first = years[0]
    for y in range(first - params.burn_in - 1, first):
        table[y] = table[first] * params.wage_index(y) / params.wage_index(first)
    return table


def _extra_line(
    lines: MonitoringLines, provinces: tuple[str, ...], year: int, ctx: StepContext
) -> np.ndarray:
    """The extra year's line per province, or the previous year's carried forward."""
    try:
        return lines.lookup(pd.Series(provinces), pd.Series([year] * len(provinces)))
    except ConfigError:
        return ctx.line_table[year - 1]


def _record(
    state: State, year: int, ids: np.ndarray, geo: Geography, lifted_names: np.ndarray
) -> dict[str, object]:
    serious = state["serious_y"] + state["serious_e"]
    return {
        "household_id": ids,
        "year": np.full(len(ids), year, dtype=np.int64),
        "province": np.asarray(geo.provinces, dtype=object)[state["prov"]],
        "county": np.asarray(geo.counties, dtype=object)[state["county"]],
        "village": np.asarray(geo.villages, dtype=object)[geo.household_village],
        "township": np.asarray(geo.townships, dtype=object)[
            geo.household_index("township")
        ],
        "household_type": lifted_names,
        "household_size": state["household_size"],
        "labor_count": state["labor_count"],
        "chronic_ill_count": state["chronic_y"] + state["chronic_e"],
        "serious_ill_count": serious,
        "disabled_count": state["disabled_y"] + state["disabled_e"],
        "medical_cost_total": state["medical_cost_total"],
        "medical_cost_oop": state["medical_cost_oop"],
        "disaster_loss": state["disaster_loss"],
        "income_wage": state["income_wage"],
        "income_business": state["income_business"],
        "income_transfer": state["income_transfer"],
        "housing_safe": state["housing_safe"],
        "water_safe": state["water_safe"],
        "monitor_category": np.asarray(
            [None if c == "" else c for c in CATEGORIES], dtype=object
        )[state["monitor"]],
        "elderly_count": state["n_elder"],
        "children_count": state["n_child"],
        "students_compulsory": state["students_compulsory"],
        "students_higher": state["students_higher"],
        "dropout_count": state["dropout"],
        "head_age": state["head_age"],
        "head_education": np.asarray(_EDUCATION, dtype=object)[state["edu"]],
        "ethnic_minority": state["minority"],
        "severe_disabled_count": state["severe_y"] + state["severe_e"],
        "medical_insured": state["insured"],
        "disaster_type": np.asarray(DISASTER_TYPES, dtype=object)[
            state["disaster_type"]
        ],
        "accident_count": state["accident_count"],
        "income_property": state["income_property"],
        "migrant_workers": state["migrants"],
        "education_cost": state["education_cost"],
        "dibao": state["dibao"],
        "tekun": state["tekun"],
        "microcredit_balance": state["microcredit"].astype(np.float64),
        "welfare_job": state["welfare_job"],
        "industry_support": state["industry_support"],
        "relocated": state["relocated"],
        "cultivated_land": np.round(state["land"], 1),
    }


def _frame(records: list[dict[str, object]]) -> pd.DataFrame:
    data = {}
    for col in COLUMNS:
        values = np.concatenate([np.asarray(r[col.name]) for r in records])
        data[col.name] = pd.Series(values).astype(col.dtype)
    return pd.DataFrame(data)


def _event_frame(frames: list[pd.DataFrame]) -> pd.DataFrame:
    if not frames:
        cols = {c.name: pd.Series([], dtype=c.dtype) for c in EVENT_COLUMNS}
        return pd.DataFrame(cols)
    events = pd.concat(frames, ignore_index=True)
    events = events.sort_values(["date", "household_id", "event_type"], kind="stable")
    events = events.reset_index(drop=True)
    out = {c.name: events[c.name].astype(c.dtype) for c in EVENT_COLUMNS}
    return pd.DataFrame(out)


def _check_hardship(
    panel: pd.DataFrame, flags: np.ndarray, lines: MonitoringLines
) -> None:
    try:
        from ..schema import in_hardship
    except ImportError:  # the schema helpers are not there yet
        return
    theirs = np.asarray(in_hardship(panel, lines), dtype=bool)
    k = int((theirs != flags).sum())
    if k:
        raise RuntimeError(HARDSHIP_MISMATCH.format(k=k))


def simulate(
    n_households: int,
    years: Iterable[int] = range(2021, 2026),
    seed: int = 0,
    *,
    lines: MonitoringLines | None = None,
    params: SimulationParams | None = None,
    n_jobs: int = 2,
    pushes_until: date | None = None,
) -> SimulationResult:
    """Simulate a household-year panel, its department events and its true risks.

    Parameters
    ----------
    n_households : int
        Number of households (all present every year).
    years : iterable of int
        Consecutive calendar years to output, each covered by ``lines``.
    seed : int
        Seed of every random draw: the same seed gives identical outputs.
    lines : MonitoringLines, optional
        Monitoring lines (the shipped table by default).
    params : SimulationParams, optional
        Mechanism parameters (defaults calibrated to the domain brief).
    n_jobs : int
        Threads used for the Monte Carlo oracle (results do not depend on it).
    pushes_until : date, optional
        Also simulate the year after ``years`` (same :func:`step`) and return its
        department events dated on or before this date as ``pushes``: the
        pushes that arrive after the last annual record. That year's state is
        not in the panel or truth, and ``panel``, ``truth`` and ``events`` are
        identical to a run without it (the extra year only continues the random
        streams after the last output year). When ``lines`` has no value for
        the extra year, the last simulated year's line is carried forward (a
        year's line is often published in spring).

    Returns
    -------
    SimulationResult

    Examples
    --------
    >>> from fanpin.synthetic import SimulationParams, simulate
    >>> res = simulate(200, years=range(2021, 2023), seed=0,
    ...                params=SimulationParams(oracle_draws=16))
    >>> res.panel.shape[0], res.truth.shape[0]
    (400, 200)
    >>> bool(res.truth["p_next"].between(0, 1).all())
    True
    >>> from datetime import date
    >>> res = simulate(200, years=range(2021, 2023), seed=0, pushes_until=date(
    ...     2023, 6, 30), params=SimulationParams(oracle_draws=16))
    >>> str(res.pushes["date"].min().year), bool(
    ...     (res.pushes["date"] <= "2023-06-30").all())
    ('2023', True)
    """
    years = [int(y) for y in years]
    if not years or years != list(range(years[0], years[0] + len(years))):
        raise ConfigError(BAD_YEARS.format(years=years))
    if not isinstance(n_households, (int, np.integer)) or n_households < 1:
        raise ConfigError(BAD_N.format(n=n_households))
    n = int(n_households)
    extra = years[-1] + 1
    if pushes_until is not None and pd.Timestamp(pushes_until).year != extra:
        raise ConfigError(BAD_PUSHES.format(year=extra, got=pushes_until))
    params = SimulationParams() if params is None else params
    lines = shipped_configs().lines if lines is None else lines
    t0 = time.perf_counter()
    geo_ss, init_ss, path_ss, event_ss = np.random.SeedSequence(seed).spawn(4)
    geo = make_geography(n, np.random.default_rng(geo_ss), params)
    ctx = StepContext(
        params=params,
        county_hazard=geo.county_hazard,
        county_type_cum=np.cumsum(geo.county_type_probs, axis=1)[:, :4],
        line_table=_line_table(lines, geo.provinces, years, params),
    )
    state = initial_state(n, np.random.default_rng(init_ss), params, geo)
    path_rng = np.random.default_rng(path_ss)
    event_rng = np.random.default_rng(event_ss)
    for y in range(years[0] - params.burn_in, years[0]):
        state = step(state, path_rng, y, ctx)
    ids = np.asarray([f"{i + 1:08d}" for i in range(n)], dtype=object)
    lifted_names = np.where(state["lifted"], "脱贫户", "一般农户").astype(object)
    records, flags, truths, events = [], [], [], []
    for y in years:
        state = step(state, path_rng, y, ctx)
        records.append(_record(state, y, ids, geo, lifted_names))
        flags.append(state["hardship"])
        events.append(year_events(state, y, ids, event_rng))
        if y != years[-1]:
            risk = next_year_risk(
                state, y, ctx, seed, n_jobs=n_jobs, causes=params.cause_replay
            )
            causes = None
            if risk.ndim == 2:
                risk, causes = risk[:, 0], cause_frame(risk[:, 1:])
            truth_y = pd.DataFrame({"household_id": ids, "year": y, "p_next": risk})
            if params.oracle_check_draws:
                truth_y["p_next_check"] = next_year_risk(
                    state, y, ctx, seed, n_jobs=n_jobs,
                    draws=params.oracle_check_draws, stream=CHECK_STREAM,
                )  # fmt: skip
            if causes is not None:
                truth_y = pd.concat([truth_y, causes], axis=1)
            truths.append(truth_y)
        logger.info(
            "simulated %d households for %d (%.1fs)", n, y, time.perf_counter() - t0
        )
    panel = _frame(records)
    _check_hardship(panel, np.concatenate(flags), lines)
    if truths:
        truth = pd.concat(truths, ignore_index=True)
    else:
        truth = pd.DataFrame({"household_id": [], "year": [], "p_next": []})
    truth = truth.astype(
        {"household_id": "string", "year": "int64", "p_next": "float64"}
    )
    if params.oracle_check_draws and "p_next_check" not in truth:
        truth["p_next_check"] = pd.Series(dtype="float64")
    if params.cause_replay != "none" and "main_cause" not in truth:
        empty = cause_frame(np.zeros((0, len(MECHANISMS) + 2)))
        truth = pd.concat([truth, empty], axis=1)
    pushes, until = [], None
    if pushes_until is not None:
        until = pd.Timestamp(pushes_until).date()
        # the year after the output: it continues the same streams, after every
        # draw of the output years, so those are unchanged
        table = {**ctx.line_table, extra: _extra_line(lines, geo.provinces, extra, ctx)}
        ctx = replace(ctx, line_table=table)
        state = step(state, path_rng, extra, ctx)
        ev = year_events(state, extra, ids, event_rng)
        pushes.append(ev[ev["date"] <= pd.Timestamp(pushes_until)])
        logger.info("simulated the pushes of %d up to %s", extra, pushes_until)
    return SimulationResult(
        panel=panel,
        truth=truth,
        events=_event_frame(events),
        lines=lines,
        params=params,
        seed=int(seed),
        pushes=_event_frame(pushes),
        pushes_until=until,
    )
