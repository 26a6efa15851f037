"""``score_file``: score a panel file of any size with bounded memory.

Passes over the data:

1. **plan** (:func:`plan_chunks`): read household id, year, province and county
   only; cut the panel into chunks of whole counties (all years of every
   household and every county-year mean stay inside one chunk).
2. **split**: copy each chunk's rows to temporary Arrow parts beside the
   output, runs of row groups in parallel (worker threads or Dask tasks).
   Skipped for a Parquet panel whose row-group statistics let each chunk read
   its counties straight from the file at little extra cost (a panel sorted by
   county; see :data:`~fanpin.scoring._spill.MAX_READ_FACTOR`).
3. **score**: per chunk, validate, compute features, predict the latest-year
   households not in hardship, list those in hardship apart; write both, sorted,
   as part files. Nothing per household is kept in memory.
4. **explain** (optional): the households that need it (the top of the global
   list, the alert list, or all) are explained chunk by chunk.
5. **write**: a k-way merge of the sorted parts' keys (score, id) gives global
   ranks; the sorted parts are merged block by block into the outputs, each
   written to a temporary file and renamed at the end.

Passes 2-4 run on worker threads (``workers``, one per core by default) or on a
Dask cluster. Peak memory is one chunk per worker (features of
``chunk_households`` households × years) plus 12 bytes per scored household in
this process (its chunk number and score, in rank order).
"""

from __future__ import annotations

import logging
import math
import os
import shutil
import tempfile
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from ..config import MonitoringLines, load_alerts_config
from ..exceptions import ConfigError, ModelError, OutputError
from ..io import write_table
from ..models import RISK_LEVELS, load_model
from ._chunk import EXPLAIN_COLUMNS, load_chunk
from ._engine import (
    ThreadPool,
    dask_client,
    map_tasks,
    require_dask,
    run_explain,
    run_score,
    with_threads,
)
from ._merge import _levels, global_order, write_merged
from ._plan import plan_chunks
from ._spill import chunk_sources

__all__ = [
    "MSG_BAD_ENGINE",
    "MSG_BAD_EXPLAIN",
    "ScoreSummary",
    "iter_panel_chunks",
    "monitored_path",
    "score_file",
]

logger = logging.getLogger(__name__)

Progress = Callable[[str, int, int], None]

MSG_BAD_EXPLAIN = (
    "explain must be None, 'alerts', 'all' or 'top:F' with F a share in (0, 1] "
    "(e.g. 'top:0.1' for the highest-risk 10 %); got {value!r}."
)
MSG_BAD_ENGINE = "engine must be 'local' or 'dask'; got {value!r}."
MSG_BAD_WORKERS = "workers must be a whole number >= 1; got {value!r}."
MSG_BAD_OUT = "The scores file must end in .csv or .parquet; got {name!r}."


def monitored_path(out: str | Path) -> Path:
    """``scores.csv`` -> ``scores.monitored.csv`` (same folder and format)."""
    out = Path(out)
    return out.with_name(f"{out.stem}.monitored{out.suffix}")


def excluded_path(out: str | Path) -> Path:
    """``scores.csv`` -> ``scores.excluded.csv``: households not scored, and why."""
    out = Path(out)
    return out.with_name(f"{out.stem}.excluded{out.suffix}")


@dataclass(frozen=True)
class ScoreSummary:
    """What :func:`score_file` did. ``scored + monitored + excluded`` equals
    ``households`` (excluded: no record in the latest year)."""

    scores_path: Path
    monitored_path: Path
    excluded_path: Path
    latest_year: int
    households: int
    scored: int
    monitored: int
    excluded: int
    explained: int
    chunks: int
    engine: str
    seconds: float
    levels: dict[str, int] = field(default_factory=dict)


def _dask_slots(client: Any) -> int:
    """Tasks a Dask cluster runs at once (1 without a client)."""
    if client is None:
        return 1
    return max(1, sum(client.nthreads().values()))


def _explain_count(
    explain: str | None, p_sorted: np.ndarray, settings: dict[str, Any]
) -> int:
    """How many of the highest-ranked households to explain."""
    n = len(p_sorted)
    if explain is None:
        return 0
    if explain == "all":
        return n
    if explain == "alerts":
        cfg = load_alerts_config()
        if cfg.min_score is not None:
            return int((p_sorted >= cfg.min_score).sum())
        ranks = np.arange(1, n + 1)
        levels = _levels(p_sorted, ranks, n, settings)
        allowed = set(RISK_LEVELS[: RISK_LEVELS.index(cfg.min_level) + 1])
        return int(np.isin(levels, list(allowed)).sum())
    share = float(explain.split(":", 1)[1])
    return min(n, int(math.ceil(share * n)))


def _level_counts(p_sorted: np.ndarray, settings: dict[str, Any]) -> dict[str, int]:
    """Households per risk level, block by block (no per-household text array)."""
    n = len(p_sorted)
    counts = dict.fromkeys(RISK_LEVELS, 0)
    for r0 in range(0, n, 1 << 18):
        r1 = min(r0 + (1 << 18), n)
        ranks = np.arange(r0 + 1, r1 + 1)
        levels, k = np.unique(
            _levels(p_sorted[r0:r1], ranks, n, settings), return_counts=True
        )
        for lv, c in zip(levels, k, strict=True):
            counts[str(lv)] = counts.get(str(lv), 0) + int(c)
    return counts


def _check_explain(explain: str | None) -> None:
    if explain is None or explain in ("all", "alerts"):
        return
    head, _, tail = str(explain).partition(":")
    try:
        ok = head == "top" and 0 < float(tail) <= 1
    except ValueError:
        ok = False
    if not ok:
        raise ConfigError(MSG_BAD_EXPLAIN.format(value=explain))


def _run_chunks(
    plan: Any,
    model: Any,
    *,
    client: Any,
    tasks: int,
    workdir: Path,
    lines: MonitoringLines,
    explain: str | None,
    settings: dict[str, Any],
    report: Progress,
) -> tuple[list[Any], np.ndarray, np.ndarray, int]:
    """Split, score and explain the chunks of ``plan`` (on ``client`` if given).

    Returns the chunk outcomes in chunk order, the global order (chunk of each
    rank, scores in rank order) and the number of households explained.
    """
    sources = chunk_sources(plan, workdir, client=client, tasks=tasks)
    outcomes = []
    done = 0
    report("score", 0, plan.n_households)
    for oc in map_tasks(
        run_score,
        sources,
        client=client,
        model=model,
        lines=lines,
        latest_year=plan.latest_year,
        workdir=str(workdir),
        keep=explain is not None,
    ):
        outcomes.append(oc)
        done += oc.n_households
        report("score", done, plan.n_households)
    outcomes.sort(key=lambda o: o.index)
    by_index = {s.index: s for s in sources}
    chunk_of_rank, p_sorted = global_order([o.scores_path for o in outcomes])
    k = _explain_count(explain, p_sorted, settings)
    if k:
        per_chunk = np.bincount(chunk_of_rank[:k], minlength=len(outcomes))
        jobs = [
            (by_index[o.index], o.scores_path, int(per_chunk[pos]))
            for pos, o in enumerate(outcomes)
            if per_chunk[pos]
        ]
        report("explain", 0, k)
        done = 0
        for n in map_tasks(
            run_explain,
            jobs,
            client=client,
            model=model,
            latest_year=plan.latest_year,
        ):
            done += n
            report("explain", done, k)
    return outcomes, chunk_of_rank, p_sorted, k


def score_file(
    panel_path: str | Path,
    model: Any,
    *,
    out: str | Path,
    lines: MonitoringLines | None = None,
    engine: str = "local",
    chunk_households: int = 100_000,
    explain: str | None = None,
    progress: Progress | None = None,
    scheduler: Any = None,
    monitored_out: str | Path | None = None,
    risk_levels: dict[str, Any] | None = None,
    workers: int | None = None,
) -> ScoreSummary:
    """Score a panel file chunk by chunk; write the ranked and monitored lists.

    Results equal :func:`fanpin.models.score_panel` on the whole panel, row by
    row, whatever the chunk size or engine.

    Parameters
    ----------
    panel_path : str or Path
        Household panel (CSV, Parquet or Excel).
    model : RiskPipeline or path
        A trained pipeline or its model directory.
    out : str or Path
        Scores file (.csv or .parquet); the monitored households go to
        ``<stem>.monitored.<ext>`` beside it unless ``monitored_out`` is given.
    lines : MonitoringLines, optional
        Default: the model's.
    engine : {"local", "dask"}
        ``dask`` runs one task per chunk on a Dask cluster (needs
        ``pip install 'fanpin[dask]'``).
    chunk_households : int
        Households per chunk (a chunk holds whole counties, so it may be larger).
    explain : None, "alerts", "top:F" or "all"
        Who gets explanation columns (:data:`EXPLAIN_COLUMNS`): nobody, the alert
        list (``configs/alerts.yaml``), the top share F of the list, everyone.
    progress : callable, optional
        Called as ``progress(stage, done, total)`` with stage ``"score"``
        (households), ``"explain"`` (households) or ``"write"`` (rows).
    scheduler : str or distributed.Client, optional
        Dask only: scheduler address or client (default: a new LocalCluster).
    workers : int, optional
        Local engine: worker threads that split, score and explain chunks in
        parallel (default: one per core; each booster then predicts on one
        thread). Each holds one chunk at a time, so peak memory grows with
        ``workers`` x ``chunk_households``; ``1`` runs one chunk at a time with
        a multi-threaded booster. Results do not depend on it.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> from fanpin.synthetic import SimulationParams, simulate
    >>> from fanpin.models import train_risk_model
    >>> panel = simulate(300, years=range(2022, 2025), seed=0,
    ...                  params=SimulationParams(oracle_draws=2)).panel
    >>> model = train_risk_model(panel)  # doctest: +SKIP
    """
    t0 = time.perf_counter()
    _check_explain(explain)
    if engine not in ("local", "dask"):
        raise ConfigError(MSG_BAD_ENGINE.format(value=engine))
    if engine == "dask":
        require_dask()
    if workers is not None and (not isinstance(workers, int) or workers < 1):
        raise ConfigError(MSG_BAD_WORKERS.format(value=workers))
    out = Path(out)
    if out.suffix.lower() not in (".csv", ".parquet"):
        raise OutputError(MSG_BAD_OUT.format(name=out.name))
    mon_out = Path(monitored_out) if monitored_out else monitored_path(out)
    if not hasattr(model, "features"):
        model = load_model(model)
        if not hasattr(model, "features"):
            raise ModelError(
                "The model holds a bare RiskModel, not a panel pipeline; train it "
                "with `fanpin train`."
            )
    lines = lines if lines is not None else model.lines
    if engine == "local":
        model = with_threads(model, os.cpu_count() or 1)
    settings = dict(risk_levels or model.config.risk_levels)
    client, close = dask_client(scheduler) if engine == "dask" else (None, None)
    try:
        out.parent.mkdir(parents=True, exist_ok=True)
        workdir = Path(tempfile.mkdtemp(prefix=".fanpin-work-", dir=out.parent))
    except OSError as exc:
        if close is not None:
            close()
        raise OutputError(
            f"Cannot create a work folder beside {str(out)!r}: {exc.strerror}. "
            "Choose an output folder you can write to."
        ) from None
    report = progress or (lambda stage, done, total: None)
    try:
        plan = plan_chunks(panel_path, chunk_households=chunk_households)
        n_workers = min(workers or os.cpu_count() or 1, plan.n_chunks)
        pooled = engine == "local" and n_workers > 1
        outcomes, chunk_of_rank, p_sorted, k = _run_chunks(
            plan,
            model,
            client=ThreadPool(n_workers) if pooled else client,
            tasks=n_workers if pooled else _dask_slots(client),
            workdir=workdir,
            lines=lines,
            explain=explain,
            settings=settings,
            report=report,
        )
        n_households = sum(o.n_households for o in outcomes)
        n_latest = sum(o.n_latest for o in outcomes)
        n_scored = len(chunk_of_rank)
        mon_order, _ = global_order(
            [o.monitored_path for o in outcomes], by_score=False
        )
        n_mon = len(mon_order)
        report("write", 0, n_scored + n_mon)
        write_merged(
            out,
            [o.scores_path for o in outcomes],
            chunk_of_rank,
            ranked=settings,
            add_columns=EXPLAIN_COLUMNS if explain is not None else (),
        )
        report("write", n_scored, n_scored + n_mon)
        write_merged(mon_out, [o.monitored_path for o in outcomes], mon_order)
        excluded = pd.concat([o.excluded for o in outcomes], ignore_index=True)
        excluded = excluded.sort_values("household_id", kind="stable")
        write_table(excluded.reset_index(drop=True), excluded_path(out))
        report("write", n_scored + n_mon, n_scored + n_mon)
    finally:
        shutil.rmtree(workdir, ignore_errors=True)
        if close is not None:
            close()
    counts = _level_counts(p_sorted, settings)
    summary = ScoreSummary(
        scores_path=out,
        monitored_path=mon_out,
        excluded_path=excluded_path(out),
        latest_year=plan.latest_year,
        households=n_households,
        scored=n_scored,
        monitored=n_mon,
        excluded=n_households - n_latest,
        explained=k,
        chunks=plan.n_chunks,
        engine=engine,
        seconds=time.perf_counter() - t0,
        levels={lv: int(counts.get(lv, 0)) for lv in RISK_LEVELS},
    )
    logger.info(
        "scored %d, monitored %d, excluded %d of %d households in %.1fs (%d chunks)",
        summary.scored,
        summary.monitored,
        summary.excluded,
        summary.households,
        summary.seconds,
        summary.chunks,
    )
    return summary


def iter_panel_chunks(
    panel_path: str | Path,
    *,
    chunk_households: int = 100_000,
    workdir: str | Path | None = None,
) -> Iterator[pd.DataFrame]:
    """Yield a panel file as validated panels of whole counties.

    Every household's years and every county are inside one yielded panel, so
    features, scores and hardship flags computed on it equal those of the whole
    panel. The scored year is the file's latest year, which every yielded panel
    carries in ``attrs["latest_year"]`` (a chunk may lack that year).

    Parameters
    ----------
    panel_path : str or Path
    chunk_households : int
        Target households per chunk.
    workdir : str or Path, optional
        Where the temporary per-chunk parts go (default: the system temp folder);
        removed when the iterator is exhausted or closed.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> from fanpin.synthetic import SimulationParams, simulate
    >>> panel = simulate(200, years=range(2023, 2025), seed=0,
    ...                  params=SimulationParams(oracle_draws=1)).panel
    >>> f = pathlib.Path(tempfile.mkdtemp()) / "p.parquet"
    >>> panel.to_parquet(f)
    >>> chunks = list(iter_panel_chunks(f, chunk_households=50))
    >>> sum(len(c) for c in chunks) == len(panel), chunks[0].attrs["latest_year"]
    (True, 2024)
    """
    plan = plan_chunks(panel_path, chunk_households=chunk_households)
    tmp = Path(tempfile.mkdtemp(prefix="fanpin-chunks-", dir=workdir))
    try:
        for source in chunk_sources(plan, tmp):
            panel = load_chunk(source)
            panel.attrs["latest_year"] = plan.latest_year
            yield panel
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
