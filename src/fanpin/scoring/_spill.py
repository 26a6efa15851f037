"""The second pass: copy each chunk's rows into its own temporary part file.

The panel file is read once more in batches (contract columns only, never the
personal-data ones) and every row is appended to the part file of its county's
chunk. Parts are Arrow IPC files compressed with zstd: about as small as the
Parquet panel, but written ~1.3x and read ~4x faster than Parquet parts (measured
on 300,000 rows, see bench/NOTES_scoring.md). Memory is one batch.
Rows keep their input order inside a chunk, so sums over a county add up in
the same order as on the whole panel.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.ipc as ipc
import pyarrow.parquet as pq

from ..io import ROW_COLUMN, iter_table_batches
from ._chunk import ChunkSource, group_may_hold
from ._engine import map_tasks
from ._plan import ChunkPlan, county_codes

__all__ = [
    "MAX_READ_FACTOR",
    "chunk_sources",
    "read_factor",
    "spill_chunks",
    "spill_range",
]

PART_OPTIONS = ipc.IpcWriteOptions(compression="zstd")


def _is_parquet(plan: ChunkPlan) -> bool:
    return plan.path.suffix.lower() in (".parquet", ".pq")


def _tables(plan: ChunkPlan, batch_rows: int, groups: range | None = None):
    cols = plan.file_columns()
    if _is_parquet(plan):
        pf = pq.ParquetFile(plan.path)
        # One reader per row group: a single reader over the whole file grew by
        # ~600 MB over 5M households x 3 years (bounded this way).
        for group in groups if groups is not None else range(pf.num_row_groups):
            for batch in pf.iter_batches(
                batch_size=batch_rows, row_groups=[group], columns=cols
            ):
                yield pa.Table.from_batches([batch])
        return
    schema = pa.schema(
        [(c, pa.int64() if c == ROW_COLUMN else pa.string()) for c in cols]
    )
    for frame in iter_table_batches(plan.path, columns=cols, batch_rows=batch_rows):
        frame = frame.astype(object).where(frame.notna(), None)
        yield pa.Table.from_pandas(frame, schema=schema, preserve_index=False)


def spill_range(
    task: tuple[int, range | None],
    *,
    plan: ChunkPlan,
    workdir: str,
    batch_rows: int = 262_144,
) -> dict[int, Path]:
    """Task: copy the rows of some row groups (all rows for ``None``) to parts.

    Writes ``input-<chunk>-<task>.arrow`` for each chunk with rows there and
    returns ``{chunk: path}``. Memory is one batch.
    """
    number, groups = task
    writers: dict[int, ipc.RecordBatchFileWriter] = {}
    paths: dict[int, Path] = {}
    inverse = {v: k for k, v in plan.rename.items()}
    pcol, ccol = inverse["province"], inverse["county"]
    try:
        for table in _tables(plan, batch_rows, groups):
            codes, uniques = county_codes(
                table.column(pcol).to_pandas(), table.column(ccol).to_pandas()
            )
            chunk_of = np.array([plan.county_chunk[k] for k in uniques], np.int64)
            row_chunk = chunk_of[codes]
            order = np.argsort(row_chunk, kind="stable")
            bounds = np.searchsorted(
                row_chunk[order], np.arange(plan.n_chunks + 1), side="left"
            )
            for i in np.flatnonzero(np.diff(bounds)):
                part = table.take(pa.array(order[bounds[i] : bounds[i + 1]]))
                if i not in writers:
                    paths[i] = Path(workdir) / f"input-{i:05d}-{number:04d}.arrow"
                    writers[i] = ipc.new_file(
                        paths[i], table.schema, options=PART_OPTIONS
                    )
                writers[i].write_table(part)
    finally:
        for w in writers.values():
            w.close()
        # Arrow's allocator (mimalloc) keeps the pass's freed pages otherwise:
        # 5M households, 828 MB resident after the pass, 313 MB after release.
        pa.default_memory_pool().release_unused()
    return {int(i): p for i, p in paths.items()}


def _ranges(plan: ChunkPlan, tasks: int) -> list[range | None]:
    """Row groups of a Parquet panel cut into at most ``tasks`` runs."""
    if tasks <= 1 or not _is_parquet(plan):
        return [None]
    n = pq.ParquetFile(plan.path).metadata.num_row_groups
    cuts = np.linspace(0, n, min(tasks, n) + 1).round().astype(int)
    return [range(a, b) for a, b in zip(cuts[:-1], cuts[1:], strict=True) if b > a]


def spill_chunks(
    plan: ChunkPlan,
    workdir: str | Path,
    *,
    client: Any = None,
    tasks: int = 1,
    batch_rows: int = 262_144,
) -> list[ChunkSource]:
    """Write each chunk's rows of ``plan`` to part files (Arrow IPC) in ``workdir``.

    With ``tasks`` > 1 and a Parquet panel, runs of row groups are copied in
    parallel (``client``: a thread pool or Dask client, see
    :func:`~fanpin.scoring._engine.map_tasks`); a chunk is then the
    concatenation of its parts in row-group order, i.e. its rows in input order.
    """
    ranges = _ranges(plan, tasks)
    found = list(  # {chunk: part} of each run of row groups, in file order
        map_tasks(
            spill_range,
            list(enumerate(ranges)),
            client=client if len(ranges) > 1 else None,
            ordered=True,
            plan=plan,
            workdir=str(workdir),
            batch_rows=batch_rows,
        )
    )
    sources = []
    for i in range(plan.n_chunks):
        parts = [run[i] for run in found if i in run]
        if parts:
            sources.append(
                ChunkSource(
                    i, "part", parts[0], plan.rename, plan.chunks[i], tuple(parts[1:])
                )
            )
    return sources


MAX_READ_FACTOR = 1.5
"""Chunks are read straight from a Parquet panel when, skipping the row groups
whose county statistics rule the chunk out, all chunks together decode at most
this many times the file's rows (a panel sorted by county: ~1); otherwise the
rows are first split into per-chunk parts (one pass, run in parallel)."""


def read_factor(plan: ChunkPlan) -> float:
    """Rows decoded by filtered reads of every chunk, over the rows of the file.

    Uses the row groups' min/max statistics of the county column only (see
    :func:`~fanpin.scoring._chunk.group_may_hold`); inf for other formats.
    """
    if not _is_parquet(plan):
        return np.inf
    pf = pq.ParquetFile(plan.path)
    meta = pf.metadata
    inverse = {v: k for k, v in plan.rename.items()}
    column = pf.schema_arrow.get_field_index(inverse["county"])
    groups = [meta.row_group(g) for g in range(meta.num_row_groups)]
    decoded = 0
    for keys in plan.chunks:
        counties = {c for _, c in keys}
        decoded += sum(
            g.num_rows for g in groups if group_may_hold(g, column, counties)
        )
    return decoded / max(meta.num_rows, 1)


def chunk_sources(
    plan: ChunkPlan,
    workdir: str | Path,
    *,
    client: Any = None,
    tasks: int = 1,
) -> list[ChunkSource]:
    """Where each chunk's rows are read from.

    One chunk: the file itself. A Parquet panel whose :func:`read_factor` is at
    most :data:`MAX_READ_FACTOR`: direct (filtered) reads. Otherwise: spilled
    parts (``client`` and ``tasks``: see :func:`spill_chunks`).
    """
    if plan.n_chunks == 1:
        return [ChunkSource(0, "whole", plan.path, plan.rename, plan.chunks[0])]
    if read_factor(plan) <= MAX_READ_FACTOR:
        return [
            ChunkSource(i, "filter", plan.path, plan.rename, keys)
            for i, keys in enumerate(plan.chunks)
        ]
    return spill_chunks(plan, workdir, client=client, tasks=tasks)
