"""Run chunk tasks here, on worker threads, or on a Dask cluster.

The tasks are plain functions of a :class:`~fanpin.scoring._chunk.ChunkSource`,
so every engine runs exactly the same code and gives identical results. On
Dask the model and the job's hooks are sent once to every worker
(``Client.scatter(broadcast=True)``); each task reads its own counties from the
Parquet file (or its spilled part) and writes its sorted part files to the work
folder beside the output, which must therefore be on storage every worker can
reach.
"""

from __future__ import annotations

import concurrent.futures as cf
import copy
import os
import warnings
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from typing import Any

from ..exceptions import MissingDependencyError
from ..messages import N_, Message

__all__ = [
    "BROADCAST",
    "MSG_NO_DASK",
    "ThreadPool",
    "dask_client",
    "map_tasks",
    "require_dask",
    "with_threads",
]

MSG_NO_DASK = N_(
    "--engine dask needs Dask and distributed, which are not installed. Install "
    "the extra with: pip install 'fanpin[dask]' (or use --engine local)."
)
BROADCAST = ("model", "hooks")
"""Task arguments sent once to every Dask worker instead of with every task."""


def require_dask() -> None:
    """Raise :class:`MissingDependencyError` (with the install hint) without Dask."""
    try:
        import dask  # noqa: F401
        import distributed  # noqa: F401
    except ImportError as exc:
        raise MissingDependencyError(Message(MSG_NO_DASK)) from exc


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
        raise MissingDependencyError(Message(MSG_NO_DASK)) from exc
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
    changed (the copies share the fitted trees, not the parameter dicts that
    ``set_params`` writes into).
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
        k: (client.scatter(v, broadcast=True) if k in BROADCAST else v)
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
