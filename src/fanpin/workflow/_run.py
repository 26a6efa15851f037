"""One alerts run: score, apply department pushes, list, explain, what-if.

Both entry points are the scoring engine (:func:`fanpin.scoring.run_job`)
with the alerts hooks (:class:`~fanpin.workflow._alert_hooks.AlertHooks`):
:func:`run_alerts_file` over a panel file of any size (chunks of whole
counties, worker threads or Dask, bounded memory), :func:`run_alerts` over an
in-memory panel (one chunk). Same rows, order, columns and values, whatever
the chunk size, engine or number of workers.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Collection
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from ..config import (
    AlertsConfig,
    MonitoringLines,
    PushesConfig,
    RiskTypes,
    RulesConfig,
    shipped_configs,
)
from ..exceptions import ConfigError
from ..messages import N_, Message
from ..ranking import RiskLevels
from ..scoring import model_config, model_lines, run_job
from ._alert_hooks import AlertHooks
from ._assistance import AssistanceMap
from ._events import AppliedEvents, check_events
from ._pushes import LINES_CARRIED

__all__ = [
    "ALERT_CHUNK_HOUSEHOLDS",
    "LINES_CARRIED",
    "MSG_BAD_TABLE_FORMAT",
    "AlertFileRun",
    "AlertRun",
    "run_alerts",
    "run_alerts_file",
]

logger = logging.getLogger(__name__)

Progress = Any

ALERT_CHUNK_HOUSEHOLDS = 25_000
"""Default households per chunk of the alert run (half the scoring default:
a chunk of the alert run also holds its events, its records after the events,
its rule flags, and in the explain pass its SHAP values and what-if records).
Measured on 200,000 households x 3 years, two workers: peak 901 MB with chunks
of 25,000 against 1,102 MB with 50,000, at the same CPU time (101.7 vs 103.6 s);
the outputs do not depend on the chunk size."""

MSG_BAD_TABLE_FORMAT = N_(
    "table_format must be 'csv' or 'parquet' (the format of scored, monitored "
    "and exclusions); got {value!r}."
)


@dataclass(frozen=True)
class AlertRun:
    """Everything one alerts run produced.

    Attributes
    ----------
    alerts : DataFrame
        The early-warning list (:func:`~fanpin.workflow.build_alerts`), with
        ``risk_after``, ``what_if`` and the rule columns (``rule_hit``,
        ``rules``, ``listed_by``: 紧急, 规则命中 or 模型新增).
    scored : DataFrame
        Every scored household (latest record, not in hardship): risk, level,
        ``alerted``, ``over_capacity``, ``listed``, ``source``, ``rule_hit``,
        ``rules``, ``listed_by``.
    monitored : DataFrame
        Households already in hardship and identified (a 监测对象类别, or
        among ``monitored_ids``), with ``reasons`` (event reasons added).
    exclusions : DataFrame
        What was left out and why (``kind``, ``household_id``, ``why``): skipped
        events and households without a record in the latest year.
    events : AppliedEvents or None
    cutoff : float
        The alert cutoff score.
    counts : dict
        ``scored``, ``alerted`` (at or above the cutoff), ``over_capacity``,
        ``monitored``, ``excluded``, and the alert list by why listed:
        ``urgent`` (紧急), ``rule_hits`` (规则命中), ``model_added`` (模型新增).
    per_rule : dict
        Households listed as rule hits, by rule name (one may count under
        several).
    rule_notes : tuple of Message
        What the rules could not do on the assessed households (scored and
        urgent): a rule not checked for some (which line type the lines lack,
        for which provinces and years, how many households), a rule checked on
        placeholder lines (how many households, how many flagged), a rule that
        compares with the previous year not checked for households without a
        record of it (how many), rules that took every household as not on
        低保 / 特困 (:func:`fanpin.rules.rule_notes`).
    """

    alerts: pd.DataFrame
    scored: pd.DataFrame
    monitored: pd.DataFrame
    exclusions: pd.DataFrame
    events: AppliedEvents | None
    cutoff: float
    counts: dict[str, int] = field(default_factory=dict)
    per_rule: dict[str, int] = field(default_factory=dict)
    rule_notes: tuple[Message, ...] = ()


@dataclass(frozen=True)
class AlertFileRun:
    """What :func:`run_alerts_file` did; the big tables are files, not frames.

    Attributes
    ----------
    alerts : DataFrame
        The alert list, as ``run_alerts(...).alerts``.
    cutoff : float
        The alert cutoff score.
    files : dict
        The files written, keyed as :func:`write_alert_files` keys them.
    households, scored, alerted, over_capacity, monitored, excluded : int
        Households in the panel; rows of scored (of which ``alerted`` above the
        cutoff and ``over_capacity`` cut by capacity), monitored and exclusions.
    urgent, rule_hits, model_added : int
        The alert list by why listed: 紧急 (in hardship, not identified; not in
        scored or monitored: households = scored + monitored + urgent +
        excluded households), 规则命中 and 模型新增.
    per_rule : dict
        Households listed as rule hits, by rule name.
    rule_notes : tuple of Message
        As :attr:`AlertRun.rule_notes`.
    chunks : int
        Chunks of whole counties the panel was read in.
    applied, skipped : DataFrame or None
        The applied and skipped events (None without events), as the
        ``applied`` and ``skipped`` of :class:`AppliedEvents` (without
        ``row``: index labels of the whole panel, never built here).
    seconds : float
    engine : str
    latest_year : int or None
        The panel's latest year: the annual record every listed household's
        alert rests on (the case store's ``record_year``).
    """

    alerts: pd.DataFrame
    cutoff: float
    files: dict[str, Path | list[Path]]
    households: int
    scored: int
    alerted: int
    over_capacity: int
    monitored: int
    excluded: int
    chunks: int
    applied: pd.DataFrame | None = None
    skipped: pd.DataFrame | None = None
    seconds: float = 0.0
    engine: str = "local"
    latest_year: int | None = None
    urgent: int = 0
    rule_hits: int = 0
    model_added: int = 0
    per_rule: dict[str, int] = field(default_factory=dict)
    rule_notes: tuple[Message, ...] = ()


def _hooks(
    model: Any,
    *,
    as_of: date | pd.Timestamp,
    events: pd.DataFrame | None,
    lines: MonitoringLines | None,
    config: AlertsConfig | None,
    explain_config: RiskTypes | None,
    assistance: AssistanceMap | None,
    capacity: int | None,
    covered: str | None,
    risk_levels: RiskLevels | None,
    rules: RulesConfig | None = None,
    monitored_ids: Collection[str] | None = None,
    **extra: Any,
) -> AlertHooks:
    shipped = shipped_configs()
    cfg = config if config is not None else shipped.alerts
    types = explain_config if explain_config is not None else shipped.risk_types
    covered = covered if covered is not None else cfg.covered_events
    ev, first_dtype = None, np.dtype("datetime64[ns]")
    if events is not None and len(events):
        check_events(events, covered)
        ev = events.assign(_pos=np.arange(len(events)))
        first_dtype = pd.to_datetime(ev["date"]).dtype
    return AlertHooks(
        config=cfg,
        explain_config=types,
        assistance=(
            assistance
            if assistance is not None
            else AssistanceMap(shipped.assistance, types)
        ),
        levels=(
            risk_levels
            if risk_levels is not None
            else RiskLevels.from_config(model_config(model).risk_levels)
        ),
        lines=lines if lines is not None else model_lines(model),
        as_of=pd.Timestamp(as_of).normalize(),
        covered=covered,
        capacity=capacity,
        events=ev,
        first_dtype=first_dtype,
        rules=rules if rules is not None else shipped.rules,
        monitored_ids=(
            frozenset(str(i) for i in monitored_ids) if monitored_ids else None
        ),
        **extra,
    )


def run_alerts(
    model: Any,
    panel: pd.DataFrame,
    *,
    as_of: date | pd.Timestamp,
    events: pd.DataFrame | None = None,
    lines: MonitoringLines | None = None,
    config: AlertsConfig | None = None,
    explain_config: RiskTypes | None = None,
    assistance: AssistanceMap | None = None,
    capacity: int | None = None,
    covered: str | None = None,
    risk_levels: RiskLevels | None = None,
    pushes: PushesConfig | None = None,
    rules: RulesConfig | None = None,
    monitored_ids: Collection[str] | None = None,
) -> AlertRun:
    """Score the panel, apply department pushes, and build the alert list.

    The annual sweep's households (the panel's latest year, not in hardship) are
    scored; households touched by an event are scored again at once on their
    updated record (see :func:`~fanpin.workflow.apply_events`). An event
    household whose new score crosses the alert cutoff is raised with source
    部门推送, discovered on its first event's date, the events among its reasons;
    one that falls into hardship moves to the monitored list.

    Department pushes are new information only when dated after the period of
    the household's latest annual record (event year > latest record year, and
    on or before ``as_of``): they create that household's record of the event's
    year, year to date, from its latest record. Events dated within a year the
    household already has a record for are already in that record: with
    ``covered="skip"`` (the default, from ``events.covered`` in the alerts
    config) they are skipped, listed in ``exclusions`` with
    :data:`~fanpin.workflow._events.SKIP_COVERED`; ``covered="apply"`` adds them
    to that record anyway (records exported without the pushes). See
    :func:`~fanpin.workflow.apply_events`.

    A year-to-date record is scored like any record: the risk of hardship in
    the year after its year, from the latest annual figures with the pushed
    fields changed. When the monitoring lines (the run's or the model's) do not
    cover its year yet, the latest line is carried forward with a
    ``UserWarning`` (:data:`LINES_CARRIED`).

    Parameters
    ----------
    model : RiskPipeline
    panel : DataFrame
        A validated panel.
    as_of : date
        Run date (discovery date of model alerts; later events are skipped).
    events : DataFrame, optional
        Department pushes (:func:`fanpin.schema.read_events`).
    lines : MonitoringLines, optional
        Default: the model's.
    config : AlertsConfig, optional
        Default: the shipped ``alerts.yaml``.
    explain_config : RiskTypes, optional
        Risk types, evidence rules and sentences
        (:func:`fanpin.config.load_risk_types`; default: the shipped
        ``risk_types.yaml``).
    assistance : AssistanceMap, optional
        Default: the shipped ``assistance.yaml`` with these risk types.
    capacity : int, optional
        Households each township can verify (default: the config's).
    covered : {"skip", "apply"}, optional
        Default: ``events.covered`` of the config.
    risk_levels : RiskLevels, optional
        Default: the model config's.
    pushes : PushesConfig, optional
        The annual records' collection dates, which decide which pushes are
        new (default: the shipped ``pushes.yaml``, 12-31).
    rules : RulesConfig, optional
        The rules whose hits are always listed (default: the shipped
        ``rules.yaml``).
    monitored_ids : collection of str, optional
        Households already identified as monitored objects outside the panel
        (e.g. the case store's 已认定 / 帮扶中 cases): never urgent.

    Who is listed (the alert list, by county, township and ``rank``):

    - **紧急** (urgent, :data:`fanpin.ranking.URGENT_LEVEL`): a household a push
      puts into hardship, or in hardship in its annual record, that is not
      yet identified (no 监测对象类别 in its record, not in ``monitored_ids``;
      a panel without ``monitor_category`` counts its households in hardship
      in the annual record as identified). First in its township, never
      limited by capacity; the event that caused it (or the record) is its
      first reason. It is in neither ``scored`` nor ``monitored``.
    - **规则命中**: every household any rule flags (the rule named first among
      its reasons), whatever its score and the township's capacity.
    - **模型新增**: the households at or above the cutoff that no rule flagged,
      highest risk first, up to each township's capacity: the cutoff or the
      capacity, whichever lists fewer.

    The model orders the list after the urgent households (rank by risk).

    Examples
    --------
    >>> from fanpin.config import ModelConfig
    >>> from fanpin.models import train_risk_model
    >>> from fanpin.synthetic import SimulationParams, simulate
    >>> sim = simulate(300, years=range(2022, 2025), seed=0, n_jobs=1,
    ...                params=SimulationParams(oracle_draws=1))
    >>> model = train_risk_model(sim.panel, sim.lines, ModelConfig(
    ...     booster={"n_estimators": 10, "min_child_samples": 10}, seed=0))
    >>> run = run_alerts(model, sim.panel, as_of="2025-03-31", capacity=2)
    >>> int(run.scored["listed"].sum()) + run.counts["urgent"] == len(run.alerts)
    True
    >>> model_added = run.alerts[run.alerts["listed_by"] == "模型新增"]
    >>> bool((model_added.groupby(["county", "township"]).size() <= 2).all())
    True
    """
    hooks = _hooks(
        model, as_of=as_of, events=events, lines=lines, config=config,
        explain_config=explain_config, assistance=assistance, capacity=capacity,
        covered=covered, risk_levels=risk_levels, pushes=pushes, rules=rules,
        monitored_ids=monitored_ids,
    )  # fmt: skip
    res = run_job(panel, model, hooks, lines=hooks.lines)
    applied = None
    if hooks.events is not None:
        applied = AppliedEvents(
            panel=res.work if res.work is not None else panel,
            applied=res.applied,
            skipped=res.skipped,
        )
    return AlertRun(
        alerts=res.alerts,
        scored=res.scored,
        monitored=res.monitored,
        exclusions=res.exclusions,
        events=applied,
        cutoff=res.cutoff,
        counts=res.counts,
        per_rule=res.per_rule,
        rule_notes=res.rule_notes,
    )


def run_alerts_file(
    model: Any,
    panel_path: str | Path,
    *,
    out: str | Path,
    as_of: date | pd.Timestamp,
    events: pd.DataFrame | None = None,
    lines: MonitoringLines | None = None,
    config: AlertsConfig | None = None,
    explain_config: RiskTypes | None = None,
    assistance: AssistanceMap | None = None,
    capacity: int | None = None,
    covered: str | None = None,
    chunk_households: int = ALERT_CHUNK_HOUSEHOLDS,
    pii: pd.DataFrame | None = None,
    table_format: str = "csv",
    progress: Progress | None = None,
    engine: str = "local",
    workers: int | None = None,
    scheduler: Any = None,
    risk_levels: RiskLevels | None = None,
    write_excel: bool = True,
    pushes: PushesConfig | None = None,
    rules: RulesConfig | None = None,
    monitored_ids: Collection[str] | None = None,
) -> AlertFileRun:
    """Run the alerts on a panel file of any size and write every output.

    The results equal :func:`~fanpin.workflow.run_alerts` on the whole panel
    followed by :func:`~fanpin.workflow.write_alert_files` (same rows, order,
    columns and values), whatever the chunk size, engine or number of workers,
    while memory holds one chunk of whole counties (``chunk_households``
    households or more) per worker, the listed households, the events, and
    about 20 bytes per scored household.

    Parameters
    ----------
    model : RiskPipeline or path
        A trained pipeline (:func:`fanpin.models.load_model`) or its folder.
    panel_path : str or Path
        Household panel (CSV, Parquet or Excel).
    out : str or Path
        Output folder: ``alerts.csv``, ``alerts.parquet``, ``scored.<fmt>``,
        ``monitored.<fmt>``, ``exclusions.<fmt>`` (when something was left out)
        and ``excel/<township>.xlsx``. Every file appears whole or not at all.
    as_of : date
        Run date (discovery date of model alerts; later events are skipped).
    events : DataFrame, optional
        Department pushes (:func:`fanpin.schema.read_events`); see
        :func:`~fanpin.workflow.run_alerts` for which are applied.
    lines, config, explain_config, assistance, capacity, covered, risk_levels, pushes
        As for :func:`~fanpin.workflow.run_alerts`.
    rules, monitored_ids
        As for :func:`~fanpin.workflow.run_alerts` (who is listed, and why).
    chunk_households : int
        Households per chunk (a chunk holds whole counties, so it may be
        larger; default :data:`ALERT_CHUNK_HOUSEHOLDS`).
    pii : DataFrame, optional
        :func:`~fanpin.workflow.read_pii` output, joined into the Excel
        workbooks only.
    table_format : {"csv", "parquet"}
        Format of scored, monitored and exclusions.
    progress : callable, optional
        Called as ``progress(stage, done, total)``: ``"score"`` (households),
        ``"write"`` (rows), ``"alerts"`` (listed households explained),
        ``"excel"`` (workbooks).
    engine, workers, scheduler
        As for :func:`fanpin.scoring.score_file`: ``engine="dask"`` runs the
        chunks on a Dask cluster, ``workers`` the local worker threads (and
        the processes writing the township workbooks; default one per core).
    write_excel : bool
        Write the township workbooks (a caller with a case store writes them
        itself after the upsert, with each household's case:
        :func:`~fanpin.workflow.attach_cases`).

    Returns
    -------
    AlertFileRun

    Raises
    ------
    ConfigError
        If ``table_format``, ``engine`` or ``workers`` is bad.
    InputError
        If the events table lacks a column or ``covered`` is unknown.
    OutputError
        If ``out`` cannot be written.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> from fanpin.config import ModelConfig
    >>> from fanpin.models import train_risk_model
    >>> from fanpin.synthetic import SimulationParams, simulate
    >>> sim = simulate(300, years=range(2022, 2025), seed=0, n_jobs=1,
    ...                params=SimulationParams(oracle_draws=1))
    >>> model = train_risk_model(sim.panel, sim.lines, ModelConfig(
    ...     booster={"n_estimators": 10, "min_child_samples": 10}, seed=0))
    >>> tmp = pathlib.Path(tempfile.mkdtemp())
    >>> sim.panel.to_parquet(tmp / "panel.parquet")
    >>> run = run_alerts_file(model, tmp / "panel.parquet", out=tmp / "out",
    ...                       as_of="2025-03-31", chunk_households=100)
    >>> run.chunks > 1, run.scored + run.monitored + run.urgent == 300
    (True, True)
    >>> sorted(p.name for p in (tmp / "out").glob("*.csv"))
    ['alerts.csv', 'monitored.csv', 'scored.csv']
    """
    t0 = time.perf_counter()
    if table_format not in ("csv", "parquet"):
        raise ConfigError(Message(MSG_BAD_TABLE_FORMAT, value=table_format))
    if not hasattr(model, "features"):
        from ..models import load_model  # a model directory

        model = load_model(model)
    target = Path(out)
    hooks = _hooks(
        model, as_of=as_of, events=events, lines=lines, config=config,
        explain_config=explain_config, assistance=assistance, capacity=capacity,
        covered=covered, risk_levels=risk_levels, pushes=pushes, out=target,
        table_format=table_format, pii=pii, write_excel=write_excel, rules=rules,
        monitored_ids=monitored_ids, excel_workers=workers,
    )  # fmt: skip
    res = run_job(
        panel_path, model, hooks, lines=hooks.lines, work_in=target,
        engine=engine, workers=workers, scheduler=scheduler,
        chunk_households=chunk_households, progress=progress,
    )  # fmt: skip
    job = hooks.state["job"]
    c = res.counts
    run = AlertFileRun(
        alerts=res.alerts,
        cutoff=res.cutoff,
        files=res.files,
        households=job.n_households,
        scored=c["scored"],
        alerted=c["alerted"],
        over_capacity=c["over_capacity"],
        monitored=c["monitored"],
        excluded=c["excluded"],
        chunks=job.n_chunks,
        applied=res.applied,
        skipped=res.skipped,
        seconds=time.perf_counter() - t0,
        engine=engine,
        latest_year=int(job.latest_year),
        urgent=c["urgent"],
        rule_hits=c["rule_hits"],
        model_added=c["model_added"],
        per_rule=res.per_rule,
        rule_notes=res.rule_notes,
    )
    for note in run.rule_notes:
        logger.info("%s", note)
    logger.info(
        "alerts: %d households in %d chunk(s), %d scored, %d listed, %d monitored "
        "in %.1fs",
        run.households,
        run.chunks,
        run.scored,
        len(run.alerts),
        run.monitored,
        run.seconds,
    )
    return run
