"""The engine of the monthly job: one streaming run over a panel, with hooks.

Every job that scores households (``fanpin score``, ``fanpin alerts``, the
in-memory :func:`~fanpin.scoring.score_panel` and
:func:`~fanpin.workflow.run_alerts`) is :func:`run_job` with its
:class:`Hooks`:

1. **plan and split, once**: a panel file is cut into chunks of whole counties
   (:func:`~fanpin.scoring.plan_chunks`) and each chunk's rows are copied to a
   part (or read straight from a Parquet panel sorted by county); an in-memory
   panel is one whole-panel chunk.
2. **score pass** (worker threads or Dask tasks, one chunk each): validate,
   build the features of the scored rows, predict, list the households in
   hardship apart; then :meth:`Hooks.after_chunk` (the alerts apply the
   department pushes and score the pushed households again) returns the sorted
   part files to write and what to keep of the chunk (the panel and features,
   for the explain pass: nothing is validated or computed twice).
3. **ranking**: a k-way merge of the sorted ``scores`` parts gives the global
   order (:class:`Ranking`); :meth:`Hooks.on_ranking` decides who is explained
   (the top of the list, or the alert list after the cutoff and township
   capacity).
4. **explain pass** (in parallel again, only chunks with someone to explain):
   :meth:`Hooks.explain` on the kept panel and features.
5. **finish**: :meth:`Hooks.finish` writes the outputs (merging the sorted
   parts block by block) and returns the job's result.

Warnings raised in any chunk (input repairs, for instance) are given once per
job, not once per chunk.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import gc
import os
import shutil
import tempfile
import time
import warnings
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.ipc as ipc
import pyarrow.parquet as pq

from ..config import MonitoringLines
from ..exceptions import ConfigError, ModelError, OutputError
from ..io import process_alive
from ..messages import N_, Message
from ._chunk import ChunkSource, load_chunk, score_chunk
from ._engine import ThreadPool, dask_client, map_tasks, require_dask, with_threads
from ._merge import PART_ROW_GROUP, FrameSink, Part, global_order, write_merged
from ._plan import ChunkPlan, plan_chunks
from ._spill import chunk_sources

__all__ = [
    "ChunkOutcome",
    "ChunkResult",
    "Hooks",
    "Job",
    "KeptChunk",
    "Ranking",
    "ScoredChunk",
    "Workspace",
    "model_config",
    "model_lines",
    "run_job",
]

Progress = Callable[[str, int, int], None]

MSG_NO_WORKDIR = N_(
    "Cannot create a work folder in {folder!r}: {reason}. Choose an output "
    "folder you can write to."
)
CACHE_OPTIONS = ipc.IpcWriteOptions(compression="lz4")


class _Once:
    """Collect the warnings of a job; give each (category, text) once.

    Every chunk is validated and scored alike, so a warning (e.g. an input
    repair) would otherwise come once per chunk. Works for worker threads (the
    warnings machinery is process-wide) and Dask tasks (their warnings are
    raised again in this process by :func:`~fanpin.scoring._engine.map_tasks`).
    """

    def __enter__(self) -> _Once:
        self._ctx = warnings.catch_warnings(record=True)
        self._caught = self._ctx.__enter__()
        warnings.simplefilter("always")
        return self

    def __exit__(self, *exc: object) -> None:
        self._ctx.__exit__(*exc)
        if exc[0] is not None:
            return
        seen: dict[tuple[type[Warning], str], None] = {}
        for w in self._caught:
            seen.setdefault((w.category, str(w.message)), None)
        for category, text in seen:
            message = next(
                w.message for w in self._caught
                if w.category is category and str(w.message) == text
            )  # fmt: skip
            warnings.warn(message, category, stacklevel=3)


@dataclass
class Workspace:
    """Where a job keeps its part files and its kept chunks.

    ``root``: a folder (beside the outputs; on storage every Dask worker can
    reach), or None to keep everything in this process's memory (an in-memory
    job: one chunk, no files).
    """

    root: Path | None
    _parts: dict[str, pa.Table] = field(default_factory=dict, repr=False)
    _kept: dict[int, tuple[pd.DataFrame, pd.DataFrame | None]] = field(
        default_factory=dict, repr=False
    )

    def __getstate__(self) -> dict[str, Any]:  # sent to Dask workers: the folder
        if self.root is None:
            raise TypeError("an in-memory Workspace stays in its process")
        return {"root": self.root, "_parts": {}, "_kept": {}}

    def put(self, name: str, frame: pd.DataFrame) -> Part:
        """Store a sorted part (small row groups: a merge reads one buffer of
        each part at a time) and return its reference."""
        table = pa.Table.from_pandas(frame, preserve_index=False)
        if self.root is None:
            self._parts[name] = table
            return table
        path = self.root / f"{name}.parquet"
        pq.write_table(table, path, row_group_size=PART_ROW_GROUP)
        return path

    def keep(
        self, index: int, panel: pd.DataFrame, features: pd.DataFrame | None
    ) -> None:
        """Keep a chunk's validated panel and features for the explain pass."""
        if self.root is None:
            self._kept[index] = (panel, features)
            return
        valid, feats = self._cache_paths(index)
        _write_ipc(panel, valid, index=True)
        if features is not None:
            _write_ipc(features, feats, index=True)

    def kept(self, index: int) -> tuple[pd.DataFrame, pd.DataFrame | None] | None:
        """The kept panel and features of a chunk (None if not kept)."""
        if self.root is None:
            return self._kept.get(index)
        valid, feats = self._cache_paths(index)
        if not valid.exists():
            return None
        return _read_ipc(valid), _read_ipc(feats) if feats.exists() else None

    def _cache_paths(self, index: int) -> tuple[Path, Path]:
        assert self.root is not None
        return (
            self.root / f"valid-{index:05d}.arrow",
            self.root / f"features-{index:05d}.arrow",
        )


def _write_ipc(frame: pd.DataFrame, path: Path, *, index: bool = False) -> None:
    table = pa.Table.from_pandas(frame, preserve_index=index)
    with ipc.new_file(path, table.schema, options=CACHE_OPTIONS) as writer:
        writer.write_table(table)


def _read_ipc(path: Path) -> pd.DataFrame:
    with ipc.open_file(path) as reader:
        return reader.read_all().to_pandas()


def _libc_trim() -> Callable[[int], int] | None:
    """glibc's ``malloc_trim`` (None elsewhere: macOS, Windows, musl)."""
    name = ctypes.util.find_library("c")
    try:
        return ctypes.CDLL(name).malloc_trim if name else None
    except (OSError, AttributeError):
        return None


_MALLOC_TRIM = _libc_trim()


def release_memory() -> None:
    """Give the memory a finished pass freed back to the system: Python's
    cycles, Arrow's pool and the C heap (glibc keeps freed pages of many small
    allocations otherwise). Measured on 200,000 households after the explain
    pass: 774 -> 570 MB resident. Changes no result."""
    gc.collect()
    pa.default_memory_pool().release_unused()
    if _MALLOC_TRIM is not None:
        _MALLOC_TRIM(0)


def read_part(part: Part) -> pd.DataFrame:
    """A whole part as a frame."""
    table = part if isinstance(part, pa.Table) else pq.read_table(part)
    return table.to_pandas()


@dataclass
class ScoredChunk:
    """One chunk after the score pass, as :meth:`Hooks.after_chunk` gets it.

    ``scores``: id columns and ``risk_score`` of the scored households (latest
    year, not in hardship), in rank order (:func:`fanpin.ranking.rank`);
    ``monitored``: the households in hardship, by id; ``features``: the
    scored rows' features (indexed like ``panel``) when the hooks keep chunks.
    """

    index: int
    panel: pd.DataFrame
    scores: pd.DataFrame
    monitored: pd.DataFrame
    features: pd.DataFrame | None
    latest_year: int
    model: Any
    lines: MonitoringLines


@dataclass
class ChunkResult:
    """What :meth:`Hooks.after_chunk` returns: the sorted ``parts`` to write
    (``scores`` at least, in rank order), what to ``keep`` for the explain pass
    (panel, features) and small picklable ``info`` for :meth:`Hooks.finish`."""

    parts: dict[str, pd.DataFrame]
    keep: tuple[pd.DataFrame, pd.DataFrame | None] | None = None
    info: Any = None


@dataclass(frozen=True)
class ChunkOutcome:
    """What a scored chunk sends back: its parts and counts."""

    index: int
    parts: dict[str, Part]
    info: Any
    n_households: int
    n_latest: int
    seconds: float = 0.0


@dataclass(frozen=True)
class KeptChunk:
    """A chunk in the explain pass: its kept panel and features (features None
    when not kept: then computed again from ``panel``)."""

    index: int
    panel: pd.DataFrame
    features: pd.DataFrame | None
    latest_year: int
    workspace: Workspace


@dataclass(frozen=True)
class Ranking:
    """The global order of the scored households (every chunk's ``scores`` part).

    ``chunk_of_rank[r]`` is the chunk (position in the job's outcomes) of rank
    ``r + 1``; ``scores`` the scores in rank order.
    """

    chunk_of_rank: np.ndarray
    scores: np.ndarray

    def __len__(self) -> int:
        return len(self.scores)

    def per_chunk(self, n: int, n_chunks: int) -> np.ndarray:
        """How many of the top ``n`` ranks each chunk holds."""
        return np.bincount(self.chunk_of_rank[:n], minlength=n_chunks)

    def id_at(self, parts: list[Part]) -> Callable[[int], str]:
        """A function giving the household id at a rank position (0-based)."""

        def at(position: int) -> str:
            c = int(self.chunk_of_rank[position])
            row = int((self.chunk_of_rank[:position] == c).sum())
            return str(_column_at(parts[c], "household_id", row))

        return at


def _column_at(part: Part, column: str, row: int) -> Any:
    if isinstance(part, pa.Table):
        return part.column(column)[row].as_py()
    pf = pq.ParquetFile(part)
    meta = pf.metadata
    start = 0
    for g in range(meta.num_row_groups):
        n = meta.row_group(g).num_rows
        if row < start + n:
            return pf.read_row_group(g, columns=[column]).column(0)[row - start].as_py()
        start += n
    raise IndexError(row)


@dataclass
class Job:
    """A job as the hooks see it in this process (after the score pass)."""

    workspace: Workspace
    outcomes: list[ChunkOutcome]
    ranking: Ranking
    latest_year: int
    n_chunks: int
    report: Progress
    model: Any
    lines: MonitoringLines
    started: float

    def parts(self, name: str) -> list[Part]:
        """The parts called ``name`` of every chunk, in chunk order (chunks
        without one are skipped)."""
        return [o.parts[name] for o in self.outcomes if name in o.parts]

    def order(self, name: str, *, by_score: bool = True) -> tuple[np.ndarray, Any]:
        """Global order of the parts called ``name`` (see
        :func:`~fanpin.scoring._merge.global_order`): by (score, id), or by id."""
        return global_order(self.parts(name), by_score=by_score)

    def merge(
        self, out: Path | FrameSink, name: str, order: np.ndarray, **kwargs: Any
    ) -> int:
        """Write the parts called ``name`` in ``order`` to ``out`` (see
        :func:`~fanpin.scoring._merge.write_merged` for ``kwargs``)."""
        return write_merged(out, self.parts(name), order, **kwargs)

    def tables(self, name: str, columns: list[str]) -> Iterator[pa.Table]:
        """``columns`` of each part called ``name``, one Arrow table a part."""
        for part in self.parts(name):
            if isinstance(part, pa.Table):
                yield part.select(columns)
            else:
                yield pq.read_table(part, columns=columns)

    def template(self, name: str) -> pd.DataFrame:
        """The columns of the parts called ``name``, no rows."""
        part = self.parts(name)[0]
        schema = part.schema if isinstance(part, pa.Table) else pq.read_schema(part)
        return schema.empty_table().to_pandas()

    @property
    def n_households(self) -> int:
        return sum(o.n_households for o in self.outcomes)

    @property
    def n_latest(self) -> int:
        return sum(o.n_latest for o in self.outcomes)


class Hooks:
    """The variations of a job (defaults: score only, explain nobody).

    Subclasses are plain picklable objects (sent to Dask workers); the methods
    that run in a worker get the model as an argument.
    """

    #: Progress stage of the explain pass.
    explain_stage = "explain"

    def keeps(self) -> bool:
        """Whether chunks are kept for an explain pass (panel and features)."""
        return False

    def after_chunk(self, chunk: ScoredChunk) -> ChunkResult:
        """In the worker: the parts to write for a scored chunk."""
        return ChunkResult(parts={"scores": chunk.scores, "monitored": chunk.monitored})

    def on_ranking(self, job: Job) -> dict[int, Any]:
        """In this process: what to explain in each chunk (by chunk index)."""
        return {}

    def explain(self, chunk: KeptChunk, selection: Any, *, model: Any) -> Any:
        """In the worker: explain ``selection`` of one kept chunk."""
        raise NotImplementedError

    def explained(self, result: Any) -> int:
        """Households a result of :meth:`explain` counts for the progress bar."""
        return int(result) if isinstance(result, (int, np.integer)) else len(result)

    def finish(self, job: Job, explained: dict[int, Any]) -> Any:
        """In this process: write the outputs and return the job's result."""
        return job


def score_task(
    source: ChunkSource,
    *,
    model: Any,
    hooks: Hooks,
    lines: MonitoringLines,
    latest_year: int,
    workspace: Workspace,
) -> ChunkOutcome:
    """Task: score one chunk, run :meth:`Hooks.after_chunk`, write its parts."""
    t0 = time.perf_counter()
    panel = load_chunk(source)
    keep = hooks.keeps()
    scores, monitored, features = score_chunk(
        panel, model, lines, latest_year, return_features=True
    )
    chunk = ScoredChunk(
        index=source.index,
        panel=panel,
        scores=scores,
        monitored=monitored,
        features=features if keep else None,
        latest_year=latest_year,
        model=model,
        lines=lines,
    )
    del features
    n_households = int(panel["household_id"].nunique())
    n_latest = int(panel.loc[panel["year"] == latest_year, "household_id"].nunique())
    result = hooks.after_chunk(chunk)
    del chunk, panel, scores, monitored
    parts = {
        name: workspace.put(f"{name}-{source.index:05d}", frame)
        for name, frame in result.parts.items()
    }
    if keep and result.keep is not None:
        workspace.keep(source.index, *result.keep)
    del result.parts, result.keep
    pa.default_memory_pool().release_unused()  # freed pages of this chunk
    return ChunkOutcome(
        index=source.index,
        parts=parts,
        info=result.info,
        n_households=n_households,
        n_latest=n_latest,
        seconds=time.perf_counter() - t0,
    )


def explain_task(
    job: tuple[ChunkSource, Any],
    *,
    model: Any,
    hooks: Hooks,
    latest_year: int,
    workspace: Workspace,
) -> tuple[int, Any]:
    """Task: :meth:`Hooks.explain` on one chunk (its kept panel and features)."""
    source, selection = job
    kept = workspace.kept(source.index)
    panel, features = kept if kept is not None else (load_chunk(source), None)
    chunk = KeptChunk(source.index, panel, features, latest_year, workspace)
    return source.index, hooks.explain(chunk, selection, model=model)


MSG_BAD_WORKERS = N_("workers must be a whole number >= 1; got {value!r}.")
MSG_BAD_ENGINE = N_("engine must be 'local' or 'dask'; got {value!r}.")
MSG_BARE_MODEL = N_(
    "The model holds a bare RiskModel, not a panel pipeline; train it with "
    "`fanpin train`."
)


def check_run_options(engine: str, workers: int | None) -> None:
    """Raise :class:`ConfigError` for an unknown engine or a bad worker count
    (and :class:`MissingDependencyError` for Dask without the extra)."""
    if engine not in ("local", "dask"):
        raise ConfigError(Message(MSG_BAD_ENGINE, value=engine))
    if engine == "dask":
        require_dask()
    if workers is not None and (
        isinstance(workers, bool) or not isinstance(workers, int) or workers < 1
    ):
        raise ConfigError(Message(MSG_BAD_WORKERS, value=workers))


def pipeline_of(model: Any) -> Any:
    """A trained pipeline, loaded from its model directory if given a path."""
    if hasattr(model, "features"):
        return model
    from ..models import load_model

    model = load_model(model)
    if not hasattr(model, "features"):
        raise ModelError(Message(MSG_BARE_MODEL))
    return model


def model_lines(model: Any) -> MonitoringLines:
    """The monitoring lines a trained pipeline uses (its fitted ``lines_``;
    the ``lines`` it was given for a pipeline without them)."""
    lines = getattr(model, "lines_", None)
    return lines if lines is not None else model.lines


def model_config(model: Any) -> Any:
    """The model config of a trained pipeline (its fitted ``config_``; the
    ``config`` it was given for a pipeline without it)."""
    config = getattr(model, "config_", None)
    return config if config is not None else model.config


def _dask_slots(client: Any) -> int:
    """Tasks a Dask cluster runs at once (1 without a client)."""
    if client is None:
        return 1
    return max(1, sum(client.nthreads().values()))


CHUNK_HOUSEHOLDS = 50_000
"""Default households per chunk. Measured on 300,000 households x 3 years, two
workers: peak 889 MB with chunks of 50,000 against 1,283 MB with 100,000, at
the same CPU time (15.2 vs 16.6 s)."""
WORK_PREFIX = ".fanpin-work-"
"""Name prefix of a job's work folder (``.fanpin-work-<pid>-…``)."""
STALE_PREFIXES = (WORK_PREFIX, ".fanpin-alerts-")
"""Work folders of killed runs to remove (``.fanpin-alerts-``: older versions)."""


def _make_workdir(folder: Path) -> Path:
    """A fresh work folder inside ``folder`` (created); work folders left by
    killed runs (their process no longer runs) are removed."""
    try:
        folder.mkdir(parents=True, exist_ok=True)
        for prefix in STALE_PREFIXES:
            for d in folder.glob(f"{prefix}*"):
                pid = d.name[len(prefix) :].split("-", 1)[0]
                if d.is_dir() and pid.isdigit() and not process_alive(int(pid)):
                    shutil.rmtree(d, ignore_errors=True)
        return Path(tempfile.mkdtemp(prefix=f"{WORK_PREFIX}{os.getpid()}-", dir=folder))
    except OSError as exc:
        raise OutputError(
            Message(MSG_NO_WORKDIR, folder=str(folder), reason=exc.strerror)
        ) from None


def run_job(
    panel: str | Path | pd.DataFrame,
    model: Any,
    hooks: Hooks,
    *,
    lines: MonitoringLines | None = None,
    work_in: Path | None = None,
    engine: str = "local",
    workers: int | None = None,
    scheduler: Any = None,
    chunk_households: int = CHUNK_HOUSEHOLDS,
    progress: Progress | None = None,
    plan: ChunkPlan | None = None,
) -> Any:
    """Run a job over a panel file (or an in-memory panel, one chunk).

    Parameters
    ----------
    panel : path or DataFrame
        A panel file (read in chunks of whole counties), or a validated panel
        (one chunk, kept in memory).
    model : RiskPipeline or path
        A trained pipeline or its model directory.
    hooks : Hooks
    lines : MonitoringLines, optional
        Default: the model's.
    work_in : Path, optional
        A panel file's job keeps its parts in a work folder made inside this
        folder (beside the outputs; removed at the end). Default: the
        system's temporary folder.
    engine, workers, scheduler, chunk_households
        As for :func:`~fanpin.scoring.score_file`.
    progress : callable, optional
        ``progress(stage, done, total)``.
    plan : ChunkPlan, optional
        The file's plan when already made.

    Returns
    -------
    What :meth:`Hooks.finish` returns.
    """
    t0 = time.perf_counter()
    check_run_options(engine, workers)
    model = pipeline_of(model)
    report = progress or (lambda stage, done, total: None)
    lines = lines if lines is not None else model_lines(model)
    in_memory = isinstance(panel, pd.DataFrame)
    workdir = None
    if not in_memory:
        workdir = _make_workdir(
            Path(work_in) if work_in is not None else Path(tempfile.gettempdir())
        )
    client, close = (None, None)
    try:
        if engine == "dask":
            client, close = dask_client(scheduler)
        if in_memory:
            latest = int(panel["year"].max()) if len(panel) else 0
            sources = [ChunkSource(0, "frame", Path(), {}, frame=panel)]
            n_total = int(panel["household_id"].nunique())
            pool = None
        else:
            plan = plan or plan_chunks(panel, chunk_households=chunk_households)
            latest, n_total = plan.latest_year, plan.n_households
            n_workers = min(workers or os.cpu_count() or 1, plan.n_chunks)
            pooled = engine == "local" and n_workers > 1
            pool = ThreadPool(n_workers) if pooled else client
            tasks = n_workers if pooled else _dask_slots(client)
            sources = chunk_sources(plan, workdir, client=pool, tasks=tasks)
        if engine == "local":
            model = with_threads(model, os.cpu_count() or 1)
        ws = Workspace(workdir)
        with _Once():
            outcomes: list[ChunkOutcome] = []
            done = 0
            report("score", 0, n_total)
            for oc in map_tasks(
                score_task,
                sources,
                client=pool,
                model=model,
                hooks=hooks,
                lines=lines,
                latest_year=latest,
                workspace=ws,
            ):
                outcomes.append(oc)
                done += oc.n_households
                report("score", done, n_total)
            outcomes.sort(key=lambda o: o.index)
            release_memory()
            chunk_of_rank, p_sorted = global_order(
                [o.parts["scores"] for o in outcomes]
            )
            job = Job(
                workspace=ws,
                outcomes=outcomes,
                ranking=Ranking(chunk_of_rank, p_sorted),
                latest_year=latest,
                n_chunks=len(sources),
                report=report,
                model=model,
                lines=lines,
                started=t0,
            )
            selection = hooks.on_ranking(job)
            by_index = {s.index: s for s in sources}
            jobs = [(by_index[i], sel) for i, sel in sorted(selection.items())]
            explained: dict[int, Any] = {}
            if jobs:
                total = sum(hooks.explained(sel) for _, sel in jobs)
                report(hooks.explain_stage, 0, total)
                done = 0
                for index, result in map_tasks(
                    explain_task,
                    jobs,
                    client=pool,
                    model=model,
                    hooks=hooks,
                    latest_year=latest,
                    workspace=ws,
                ):
                    explained[index] = result
                    done += hooks.explained(selection[index])
                    report(hooks.explain_stage, done, total)
                del jobs, selection  # what was explained, before the outputs
                release_memory()
            return hooks.finish(job, explained)
    finally:
        if close is not None:
            close()
        if workdir is not None:
            shutil.rmtree(workdir, ignore_errors=True)
