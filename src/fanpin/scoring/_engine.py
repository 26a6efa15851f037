"""Run chunk tasks locally (one after the other) or on a Dask cluster.

The tasks are plain functions of a :class:`~fanpin.scoring._chunk.ChunkSource`,
so both engines run exactly the same code and give identical results. On Dask
the model is sent once to every worker (``Client.scatter(broadcast=True)``);
each task reads its own counties from the Parquet file (or its spilled part)
and writes its sorted part files to the work folder beside the output, which
must therefore be on storage every worker can reach.
"""

from __future__ import annotations

import concurrent.futures as cf
import copy
import os
import time
import warnings
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.ipc as ipc
import pyarrow.parquet as pq

from ..config import MonitoringLines
from ..exceptions import MissingDependencyError
from ..messages import N_
from ..models import excluded_frame
from ._chunk import (
    EXPLAIN_COLUMNS,
    ChunkOutcome,
    ChunkSource,
    explain_rows,
    load_chunk,
    score_chunk,
)
from ._merge import PART_ROW_GROUP

__all__ = [
    "MSG_NO_DASK",
    "dask_client",
    "map_tasks",
    "ThreadPool",
    "require_dask",
    "run_explain",
    "run_score",
    "with_threads",
]

MSG_NO_DASK = N_(
    "--engine dask needs Dask and distributed, which are not installed. Install "
    "the extra with: pip install 'fanpin[dask]' (or use --engine local)."
)


CACHE_OPTIONS = ipc.IpcWriteOptions(compression="lz4")


def require_dask() -> None:
    """Raise :class:`MissingDependencyError` (with the install hint) without Dask."""
    try:
        import dask  # noqa: F401
        import distributed  # noqa: F401
    except ImportError as exc:
        raise MissingDependencyError(MSG_NO_DASK) from exc


def dask_client(scheduler: Any = None) -> tuple[Any, Callable[[], None]]:
    """A Dask client and a function that closes what was opened here.

    ``scheduler``: None (a new ``LocalCluster``, one single-threaded worker
    process per core), a scheduler address such as ``tcp://10.0.0.5:8786``, or
    an existing ``distributed.Client``.
    """
    try:
        import dask  # noqa: F401
        from distributed import Client, LocalCluster
    except ImportError as exc:
        raise MissingDependencyError(MSG_NO_DASK) from exc
    if scheduler is not None and not isinstance(scheduler, str):
        return scheduler, lambda: None
    if scheduler is None:
        cluster = LocalCluster(
            n_workers=os.cpu_count() or 1,
            threads_per_worker=1,
            dashboard_address=None,
        )
        client = Client(cluster)

        def close() -> None:
            client.close()
            cluster.close()

        return client, close
    client = Client(scheduler)
    return client, client.close


def with_threads(model: Any, n_threads: int) -> Any:
    """A shallow copy of a pipeline whose booster predicts on ``n_threads``.

    Predictions do not depend on the thread count; the caller's object is not
    changed (the copies share the fitted trees).
    """
    inner = getattr(model, "model", None)
    if "n_jobs" not in getattr(inner, "get_params", dict)():
        return model
    clone = copy.copy(model)
    clone.model = copy.copy(inner).set_params(n_jobs=n_threads)
    return clone


@dataclass(frozen=True)
class ThreadPool:
    """Worker threads in this process for :func:`map_tasks`.

    Each runs whole chunk tasks; LightGBM predicts with the GIL released and
    most of the validation and feature work is NumPy and Arrow, so two threads
    keep two cores busy (measured: the same speed as two worker processes,
    without their start-up, pickling and second interpreter). The booster of
    each task predicts on one thread: the parallelism is across chunks.
    """

    workers: int


def map_tasks(
    fn: Callable[..., Any],
    items: Iterable[Any],
    *,
    client: Any = None,
    ordered: bool = False,
    **kwargs: Any,
) -> Iterator[Any]:
    """``fn(item, **kwargs)`` for every item, yielded as each finishes.

    ``client``: None (here, one after the other), a :class:`ThreadPool` or a
    ``distributed.Client``. ``ordered``: yield in the order of ``items``.
    Warnings raised by a task on a Dask worker are raised again here.
    """
    if client is None:
        for item in items:
            yield fn(item, **kwargs)
        return
    if isinstance(client, ThreadPool):
        if "model" in kwargs:
            kwargs = {**kwargs, "model": with_threads(kwargs["model"], 1)}
        with cf.ThreadPoolExecutor(client.workers) as ex:
            futures = [ex.submit(fn, item, **kwargs) for item in items]
            try:
                for fut in futures if ordered else cf.as_completed(futures):
                    yield fut.result()
            finally:
                for fut in futures:
                    fut.cancel()
        return
    from distributed import as_completed

    shared = {
        k: (client.scatter(v, broadcast=True) if k == "model" else v)
        for k, v in kwargs.items()
    }
    futures = client.map(_with_warnings, list(items), pure=False, task=fn, **shared)
    for fut in futures if ordered else as_completed(futures):
        result, caught = fut.result()
        fut.release()
        _rewarn(caught)
        yield result


def _with_warnings(item: Any, *, task: Callable[..., Any], **kwargs: Any) -> Any:
    """Run ``fn`` in a worker, returning its result and the warnings it raised."""
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        result = task(item, **kwargs)
    # The warning's own message (a fanpin Message keeps its template for the
    # translated CLI), not its str().
    return result, [(w.category, _message_of(w.message)) for w in caught]


def _message_of(warning: Warning) -> Any:
    args = warning.args
    return args[0] if len(args) == 1 and isinstance(args[0], str) else str(warning)


def _rewarn(caught: list[tuple[type[Warning], str]]) -> None:
    for category, message in caught:
        warnings.warn(message, category, stacklevel=3)


def _write_ipc(frame: pd.DataFrame, path: Path, *, index: bool = False) -> None:
    table = pa.Table.from_pandas(frame, preserve_index=index)
    with ipc.new_file(path, table.schema, options=CACHE_OPTIONS) as writer:
        writer.write_table(table)


def _read_ipc(path: Path) -> pd.DataFrame:
    with ipc.open_file(path) as reader:
        return reader.read_all().to_pandas()


def cache_paths(workdir: str | Path, index: int) -> tuple[Path, Path]:
    """Where a scored chunk keeps its validated panel and scored rows' features."""
    w = Path(workdir)
    return w / f"valid-{index:05d}.arrow", w / f"features-{index:05d}.arrow"


def run_score(
    source: ChunkSource,
    *,
    model: Any,
    lines: MonitoringLines,
    latest_year: int,
    workdir: str,
    keep: bool = False,
) -> ChunkOutcome:
    """Task: score one chunk and write its sorted part files.

    ``keep``: also write the validated panel and the scored rows' features
    (:func:`cache_paths`), so that explaining the chunk later neither validates
    nor computes features again.
    """
    t0 = time.perf_counter()
    panel = load_chunk(source)
    if keep:
        scores, monitored, X_rank = score_chunk(
            panel, model, lines, latest_year, return_features=True
        )
        valid_path, feat_path = cache_paths(workdir, source.index)
        _write_ipc(panel, valid_path)
        if X_rank is not None:
            _write_ipc(X_rank, feat_path, index=True)
        del X_rank
    else:
        scores, monitored = score_chunk(panel, model, lines, latest_year)
    n_households = int(panel["household_id"].nunique())
    n_latest = int(panel.loc[panel["year"] == latest_year, "household_id"].nunique())
    excluded = excluded_frame(panel, latest_year)
    del panel
    sp = Path(workdir) / f"scores-{source.index:05d}.parquet"
    mp = Path(workdir) / f"monitored-{source.index:05d}.parquet"
    pq.write_table(
        pa.Table.from_pandas(scores, preserve_index=False),
        sp,
        row_group_size=PART_ROW_GROUP,
    )
    pq.write_table(
        pa.Table.from_pandas(monitored, preserve_index=False),
        mp,
        row_group_size=PART_ROW_GROUP,
    )
    del scores, monitored
    pa.default_memory_pool().release_unused()  # freed pages of this chunk
    return ChunkOutcome(
        index=source.index,
        scores_path=sp,
        monitored_path=mp,
        excluded=excluded,
        n_households=n_households,
        n_latest=n_latest,
        seconds=time.perf_counter() - t0,
    )


def run_explain(
    job: tuple[ChunkSource, Path, int], *, model: Any, latest_year: int
) -> int:
    """Task: explain the first ``k`` (highest-risk) rows of a chunk's scores part.

    The part is rewritten with the explanation columns (NA below row ``k``).
    Uses the panel and features kept by :func:`run_score` when they exist.
    """
    source, scores_path, k = job
    part = pd.read_parquet(scores_path)
    valid_path, feat_path = cache_paths(Path(scores_path).parent, source.index)
    if valid_path.exists() and feat_path.exists():
        panel, features = _read_ipc(valid_path), _read_ipc(feat_path)
    else:
        panel, features = load_chunk(source), None
    ex = explain_rows(
        panel, model, latest_year, part["household_id"].iloc[:k], features
    )
    del panel, features
    ids = part["household_id"].astype(str).to_numpy()[:k]
    for col in EXPLAIN_COLUMNS:
        values = pd.Series(pd.NA, index=part.index, dtype="string")
        values.iloc[:k] = ex.loc[ids, col].to_numpy() if k else np.array([])
        part[col] = values
    pq.write_table(
        pa.Table.from_pandas(part, preserve_index=False),
        scores_path,
        row_group_size=PART_ROW_GROUP,
    )
    return k
