"""``score_file`` and ``score_panel``: the scoring job (the engine with the
score hooks), on a panel file of any size or an in-memory panel.

The job (:func:`~fanpin.scoring._job.run_job`):

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
   list, the alert list, or all) are explained chunk by chunk, from the panel
   and features kept by the score pass.
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
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from ..config import AlertsConfig, MonitoringLines, RiskTypes
from ..exceptions import ConfigError, OutputError
from ..io import write_table
from ..messages import N_, Message
from ..models import use_predictor
from ..ranking import RISK_LEVELS, RiskLevels, at_least
from ._chunk import EXPLAIN_COLUMNS, explain_rows
from ._job import (
    CHUNK_HOUSEHOLDS,
    MSG_BAD_ENGINE,
    ChunkResult,
    Hooks,
    Job,
    KeptChunk,
    Progress,
    ScoredChunk,
    check_run_options,
    model_config,
    pipeline_of,
    read_part,
    run_job,
)
from ._merge import FrameSink, Part, write_merged
from ._tables import excluded_frame

__all__ = [
    "MSG_BAD_ENGINE",
    "MSG_BAD_EXPLAIN",
    "RankedBlock",
    "ScoreHooks",
    "ScoreSummary",
    "excluded_path",
    "monitored_path",
    "score_file",
    "score_panel",
]

logger = logging.getLogger(__name__)

MSG_BAD_EXPLAIN = N_(
    "explain must be None, 'alerts', 'all' or 'top:F' with F a share in (0, 1] "
    "(e.g. 'top:0.1' for the highest-risk 10 %); got {value!r}."
)
MSG_BAD_OUT = N_("The scores file must end in .csv or .parquet; got {name!r}.")


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


def _check_explain(explain: str | None) -> None:
    if explain is None or explain in ("all", "alerts"):
        return
    head, _, tail = str(explain).partition(":")
    try:
        ok = head == "top" and 0 < float(tail) <= 1
    except ValueError:
        ok = False
    if not ok:
        raise ConfigError(Message(MSG_BAD_EXPLAIN, value=explain))


@dataclass(frozen=True)
class RankedBlock:
    """Adds ``risk_rank`` and ``risk_level`` to a block of the global order of
    ``n`` households (and puts ``last`` columns at the end)."""

    levels: RiskLevels
    n: int
    last: tuple[str, ...] = ()

    def __call__(self, frame: pd.DataFrame, first_row: int) -> pd.DataFrame:
        ranks = np.arange(first_row + 1, first_row + len(frame) + 1, dtype="int64")
        frame["risk_rank"] = ranks
        frame["risk_level"] = pd.array(
            self.levels.of_ranked(
                frame["risk_score"].to_numpy(), first_rank=first_row + 1, n_total=self.n
            ),
            dtype="string",
        )
        order = [c for c in frame.columns if c not in self.last]
        return frame[order + list(self.last)]


@dataclass
class ScoreHooks(Hooks):
    """The score job: rank, give levels, explain the top of the list.

    ``who``: who is explained (``explain`` of :func:`score_file`); ``out``: the
    scores file, or None to return the tables (:func:`score_panel`);
    ``alerts``: who ``who="alerts"`` explains.
    """

    levels: RiskLevels
    who: str | None = None
    alerts: AlertsConfig | None = None
    explain_config: RiskTypes | None = None
    out: Path | None = None
    monitored_out: Path | None = None
    n_explained: int = 0
    n_monitored: int = 0

    def keeps(self) -> bool:
        return self.who is not None

    def after_chunk(self, chunk: ScoredChunk) -> ChunkResult:
        return ChunkResult(
            parts={"scores": chunk.scores, "monitored": chunk.monitored},
            keep=(chunk.panel, chunk.features),
            info=excluded_frame(chunk.panel, chunk.latest_year),
        )

    def _explain_count(self, p_sorted: np.ndarray) -> int:
        """How many of the highest-ranked households to explain."""
        n = len(p_sorted)
        if self.who is None:
            return 0
        if self.who == "all":
            return n
        if self.who == "alerts":
            cfg = self.alerts if self.alerts is not None else AlertsConfig()
            if cfg.min_score is not None:
                return int((p_sorted >= cfg.min_score).sum())
            counts = self.levels.counts(p_sorted)
            return sum(counts[lv] for lv in at_least(cfg.min_level))
        share = float(self.who.split(":", 1)[1])
        return min(n, int(math.ceil(share * n)))

    def on_ranking(self, job: Job) -> dict[int, Any]:
        k = self._explain_count(job.ranking.scores)
        self.n_explained = k
        per_chunk = job.ranking.per_chunk(k, len(job.outcomes))
        return {
            o.index: (o.parts["scores"], int(per_chunk[pos]))
            for pos, o in enumerate(job.outcomes)
            if per_chunk[pos]
        }

    def explained(self, selection: Any) -> int:
        return int(selection[1])

    def explain(self, chunk: KeptChunk, selection: Any, *, model: Any) -> Part:
        """Rewrite the chunk's scores part with the explanation columns of its
        first ``k`` (highest-risk) rows (NA below)."""
        part, k = selection
        scores = read_part(part)
        ex = explain_rows(
            chunk.panel,
            model,
            chunk.latest_year,
            scores["household_id"].iloc[:k],
            chunk.features,
            risk_types=self.explain_config,
        )
        ids = scores["household_id"].astype(str).to_numpy()[:k]
        for col in EXPLAIN_COLUMNS:
            values = pd.Series(pd.NA, index=scores.index, dtype="string")
            values.iloc[:k] = ex.loc[ids, col].to_numpy() if k else np.array([])
            scores[col] = values
        return chunk.workspace.put(f"scores-{chunk.index:05d}", scores)

    def finish(self, job: Job, explained: dict[int, Any]) -> Any:
        parts = [explained.get(o.index, o.parts["scores"]) for o in job.outcomes]
        n_scored = len(job.ranking)
        mon_order, _ = job.order("monitored", by_score=False)
        n_mon = self.n_monitored = len(mon_order)
        total = n_scored + n_mon
        job.report("write", 0, total)
        add = EXPLAIN_COLUMNS if self.who is not None else ()
        block = RankedBlock(self.levels, n_scored, add)
        excluded = pd.concat([o.info for o in job.outcomes], ignore_index=True)
        excluded = excluded.sort_values("household_id", kind="stable")
        excluded = excluded.reset_index(drop=True)
        if self.out is None:
            sinks = FrameSink(), FrameSink()
            write_merged(sinks[0], parts, job.ranking.chunk_of_rank, block=block,
                         add_columns=add)  # fmt: skip
            job.merge(sinks[1], "monitored", mon_order)
            return sinks[0].frame, sinks[1].frame, excluded
        write_merged(self.out, parts, job.ranking.chunk_of_rank, block=block,
                     add_columns=add)  # fmt: skip
        job.report("write", n_scored, total)
        mon_out = self.monitored_out or monitored_path(self.out)
        job.merge(mon_out, "monitored", mon_order)
        write_table(excluded, excluded_path(self.out))
        job.report("write", total, total)
        return job


def _risk_levels(model: Any, risk_levels: Any) -> RiskLevels:
    if isinstance(risk_levels, RiskLevels):
        return risk_levels
    return RiskLevels.from_config(
        risk_levels if risk_levels is not None else model_config(model).risk_levels
    )


def score_file(
    panel_path: str | Path,
    model: Any,
    *,
    out: str | Path,
    lines: MonitoringLines | None = None,
    engine: str = "local",
    chunk_households: int = CHUNK_HOUSEHOLDS,
    explain: str | None = None,
    progress: Progress | None = None,
    scheduler: Any = None,
    monitored_out: str | Path | None = None,
    risk_levels: RiskLevels | dict[str, Any] | None = None,
    workers: int | None = None,
    alerts: AlertsConfig | None = None,
    explain_config: RiskTypes | None = None,
    predictor: str = "lightgbm",
) -> ScoreSummary:
    """Score a panel file chunk by chunk; write the ranked and monitored lists.

    Results equal :func:`score_panel` on the whole panel, row by row, whatever
    the chunk size, engine or number of workers.

    Parameters
    ----------
    panel_path : str or Path
        Household panel (CSV, Parquet or Excel).
    model : RiskPipeline or path
        A trained pipeline or its model directory.
    out : str or Path
        Scores file (.csv or .parquet); the monitored households go to
        ``<stem>.monitored.<ext>`` beside it unless ``monitored_out`` is given,
        the households without a latest record to ``<stem>.excluded.<ext>``.
    lines : MonitoringLines, optional
        Default: the model's.
    engine : {"local", "dask"}
        ``dask`` runs one task per chunk on a Dask cluster (needs
        ``pip install 'fanpin[dask]'``).
    chunk_households : int
        Households per chunk (a chunk holds whole counties, so it may be larger).
    explain : None, "alerts", "top:F" or "all"
        Who gets explanation columns (:data:`EXPLAIN_COLUMNS`): nobody, the
        households at the alert level of ``alerts`` (its ``min_level`` or
        ``min_score``), the top share F of the list, everyone.
    progress : callable, optional
        Called as ``progress(stage, done, total)`` with stage ``"score"``
        (households), ``"explain"`` (households) or ``"write"`` (rows).
    scheduler : str or distributed.Client, optional
        Dask only: scheduler address or client (default: a new LocalCluster).
    risk_levels : RiskLevels or mapping, optional
        Default: the model config's ``risk_levels``.
    workers : int, optional
        Local engine: worker threads that split, score and explain chunks in
        parallel (default: one per core; each booster then predicts on one
        thread). Each holds one chunk at a time, so peak memory grows with
        ``workers`` x ``chunk_households``; ``1`` runs one chunk at a time with
        a multi-threaded booster. Results do not depend on it.
    alerts : AlertsConfig, optional
        The alerts config ``explain="alerts"`` follows (default:
        ``AlertsConfig()``, the shipped defaults).
    explain_config : RiskTypes, optional
        Risk types, evidence rules and sentences of the explanations
        (:func:`fanpin.config.load_risk_types`; default: the shipped).
    predictor : {"lightgbm", "lignum"}
        What computes the booster's raw score (:func:`fanpin.models.use_predictor`):
        LightGBM, or pylignum (``pip install 'fanpin[fast-predict]'``), whose
        scores and outputs are bit-identical and whose predict is faster.

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
    >>> s = score_file(tmp / "panel.parquet", model, out=tmp / "scores.csv",
    ...                chunk_households=100, explain="top:0.1")
    >>> s.chunks > 1, s.scored + s.monitored + s.excluded == s.households
    (True, True)
    """
    t0 = time.perf_counter()
    _check_explain(explain)
    check_run_options(engine, workers)
    out = Path(out)
    if out.suffix.lower() not in (".csv", ".parquet"):
        raise OutputError(Message(MSG_BAD_OUT, name=out.name))
    model = use_predictor(pipeline_of(model), predictor)
    levels = _risk_levels(model, risk_levels)
    hooks = ScoreHooks(
        levels=levels,
        who=explain,
        alerts=alerts,
        explain_config=explain_config,
        out=out,
        monitored_out=Path(monitored_out) if monitored_out else None,
    )
    job = run_job(
        panel_path,
        model,
        hooks,
        lines=lines,
        work_in=out.parent,
        engine=engine,
        workers=workers,
        scheduler=scheduler,
        chunk_households=chunk_households,
        progress=progress,
    )
    counts = levels.counts(job.ranking.scores)
    summary = ScoreSummary(
        scores_path=out,
        monitored_path=hooks.monitored_out or monitored_path(out),
        excluded_path=excluded_path(out),
        latest_year=job.latest_year,
        households=job.n_households,
        scored=len(job.ranking),
        monitored=hooks.n_monitored,
        excluded=job.n_households - job.n_latest,
        explained=hooks.n_explained,
        chunks=job.n_chunks,
        engine=engine,
        seconds=time.perf_counter() - t0,
        levels={lv: int(counts.get(lv, 0)) for lv in RISK_LEVELS[::-1]},
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


def score_panel(
    model: Any,
    panel: pd.DataFrame,
    lines: MonitoringLines | None = None,
    *,
    risk_levels: RiskLevels | dict[str, Any] | None = None,
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Rank the latest year's households not in hardship; list the others apart.

    The scoring job of :func:`score_file` on an in-memory panel (one chunk).

    Parameters
    ----------
    model : RiskPipeline
    panel : DataFrame
        A validated panel (:func:`fanpin.schema.validate_households`).
    lines : MonitoringLines, optional
        Default: the model's.
    risk_levels : RiskLevels or mapping, optional
        Default: the model config's ``risk_levels``.

    Returns
    -------
    scores : DataFrame
        One row per household of the latest year not in hardship: the id columns,
        ``risk_score`` (P(fall next year)), ``risk_rank`` (1 = highest; ties by
        household_id, :func:`fanpin.ranking.rank`) and ``risk_level``
        (高/中/低), sorted by rank.
    monitored : DataFrame
        One row per household of the latest year already in hardship: the id
        columns, one bool ``reason_<name>`` column per hardship reason and
        ``reasons`` (Chinese, joined with "；"), sorted by household_id. These
        are cases to monitor.

    Every household of the latest year is in exactly one of the two frames.

    Examples
    --------
    >>> from fanpin.config import ModelConfig
    >>> from fanpin.models import train_risk_model
    >>> from fanpin.synthetic import SimulationParams, simulate
    >>> sim = simulate(300, years=range(2022, 2025), seed=0, n_jobs=1,
    ...                params=SimulationParams(oracle_draws=1))
    >>> model = train_risk_model(sim.panel, sim.lines, ModelConfig(
    ...     booster={"n_estimators": 10, "min_child_samples": 10}, seed=0))
    >>> scores, monitored = score_panel(model, sim.panel)
    >>> scores["risk_rank"].tolist()[:3], len(scores) + len(monitored)
    ([1, 2, 3], 300)
    """
    hooks = ScoreHooks(levels=_risk_levels(model, risk_levels))
    scores, monitored, _ = run_job(panel, model, hooks, lines=lines)
    logger.info(
        "scored %d households, %d in hardship (monitored)", len(scores), len(monitored)
    )
    return scores, monitored
