"""Global ranks and the final, atomic write of the ranked list.

Ranks need every score, but only two small columns: ``risk_score`` (8 bytes) and
``household_id`` (its text) of each scored household are kept in memory, as
Arrow arrays; one Arrow sort by (score descending, id) gives the global order.
Every chunk's part file is already sorted in that order, so the ranked output is
a k-way merge: it is written in blocks, each block pulling the next rows of each
part in turn (one small buffer per part), and the file is renamed onto its
target only when complete. Memory: about 16 bytes plus the id per scored
household, plus one block, plus ~2 MB per part (parts are written in row groups
of :data:`PART_ROW_GROUP` rows and read without pre-buffering: with 64k-row groups
and default reads, merging 50 parts took 870 MB more than the block, 240 MB
with 10 parts).
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

from ..io import TableAppender
from ..models import RISK_LEVELS, assign_risk_levels

__all__ = ["PART_ROW_GROUP", "PartCursor", "global_order", "write_merged"]

BLOCK_ROWS = 131_072
LOOKAHEAD = 16_384
PART_ROW_GROUP = 8_192


class PartCursor:
    """Sequential reader of a part file: hand out the next ``n`` rows."""

    def __init__(self, path: Path, batch_rows: int = 8_192):
        # No pre-buffering of whole column chunks: one cursor per part is open at
        # once, so its buffers would make memory grow with the number of chunks.
        self._file = pq.ParquetFile(path, pre_buffer=False, buffer_size=1 << 20)
        self._it = self._file.iter_batches(batch_size=batch_rows)
        self._buf: list[pa.RecordBatch] = []
        self._have = 0
        self.schema = self._file.schema_arrow

    def take(self, n: int) -> pa.Table:
        while self._have < n:
            b = next(self._it)
            self._buf.append(b)
            self._have += b.num_rows
        table = pa.Table.from_batches(self._buf, schema=self.schema)
        out, rest = table.slice(0, n), table.slice(n)
        self._buf = rest.to_batches()
        self._have = rest.num_rows
        return out


class _KeyCursor:
    """The sort keys of a sorted part file, read ``batch_rows`` at a time."""

    def __init__(self, path: Path, columns: list[str], batch_rows: int):
        f = pq.ParquetFile(path, pre_buffer=False, buffer_size=1 << 20)
        self._it = f.iter_batches(batch_size=batch_rows, columns=columns)
        self._columns = columns
        self.keys = f.schema_arrow.empty_table().select(columns)
        self.done = False

    def fill(self, n: int) -> None:
        """Buffer at least ``n`` keys (fewer at the end of the file)."""
        got = [self.keys]
        have = self.keys.num_rows
        while have < n and not self.done:
            try:
                b = next(self._it)
            except StopIteration:
                self.done = True
                break
            got.append(pa.Table.from_batches([b]).select(self._columns))
            have += b.num_rows
        if len(got) > 1:
            self.keys = pa.concat_tables(got).combine_chunks()

    def drop(self, n: int) -> None:
        self.keys = self.keys.slice(n)


def global_order(
    parts: Sequence[Path], *, by_score: bool = True, lookahead: int = LOOKAHEAD
) -> tuple[np.ndarray, np.ndarray | None]:
    """Chunk number of each output row in global order (and the sorted scores).

    Every part is sorted already, so the global order is a k-way merge of the
    parts' keys, ``lookahead`` rows per part at a time: memory does not grow
    with the number of households, only with the number of parts.
    ``by_score``: order by (``risk_score`` descending, ``household_id``
    ascending), and also return the scores in that order; else by id (scores
    None). Same order as one Arrow sort of all keys.
    """
    if by_score:
        columns = ["risk_score", "household_id"]
        sort_keys = [("p", "descending"), ("id", "ascending")]
    else:
        columns = ["household_id"]
        sort_keys = [("id", "ascending")]
    n = sum(pq.ParquetFile(p).metadata.num_rows for p in parts)
    chunk_of_row = np.empty(n, dtype=np.int32)
    p_sorted = np.empty(n, dtype=np.float64) if by_score else None
    cursors = [_KeyCursor(Path(p), columns, lookahead) for p in parts]
    pos = 0
    while pos < n:
        for c in cursors:
            c.fill(lookahead)
        live = [i for i, c in enumerate(cursors) if c.keys.num_rows]
        sizes = np.array([cursors[i].keys.num_rows for i in live])
        chunk = np.repeat(np.array(live, dtype=np.int32), sizes)
        ids = pa.chunked_array(
            [
                cursors[i].keys.column("household_id").cast(pa.large_string())
                for i in live
            ],
            pa.large_string(),
        )
        data = {"id": ids}
        if by_score:
            p = np.concatenate(
                [cursors[i].keys.column("risk_score").to_numpy() for i in live]
            )
            data = {"p": p, "id": ids}
        order = pc.sort_indices(pa.table(data), sort_keys=sort_keys).to_numpy()
        # Rows up to the smallest last buffered key of a part that has more rows
        # are final: every row still unread is after it.
        last = np.cumsum(sizes) - 1
        open_ = np.array([not cursors[i].done for i in live])
        cut = len(order)
        if open_.any():
            rank = np.empty_like(order)
            rank[order] = np.arange(len(order))
            cut = int(rank[last[open_]].min()) + 1
        take = order[:cut]
        chunk_of_row[pos : pos + cut] = chunk[take]
        if by_score:
            p_sorted[pos : pos + cut] = p[take]
        pos += cut
        emitted = np.bincount(chunk[take], minlength=len(cursors))
        for i in live:
            cursors[i].drop(int(emitted[i]))
    return chunk_of_row, p_sorted


def write_merged(
    out: Path,
    parts: Sequence[Path],
    chunk_of_row: np.ndarray,
    *,
    ranked: dict[str, Any] | None = None,
    add_columns: Sequence[str] = (),
) -> int:
    """Merge sorted part files into ``out`` (atomic), in ``chunk_of_row`` order.

    With ``ranked`` (the model's risk-level settings), add ``risk_rank`` and
    ``risk_level`` computed on the global order. ``add_columns`` are string
    columns filled with NA in parts that lack them.
    """
    cursors = [PartCursor(p) for p in parts]
    n = len(chunk_of_row)
    with TableAppender(out) as writer:
        starts = list(range(0, n, BLOCK_ROWS)) or [0]
        for r0 in starts:
            r1 = min(r0 + BLOCK_ROWS, n)
            cids = chunk_of_row[r0:r1]
            counts = np.bincount(cids, minlength=len(cursors))
            pieces = [cursors[c].take(int(k)) for c, k in enumerate(counts) if k]
            if not pieces:
                pieces = [cursors[0].take(0)]
            pieces = [_with_columns(t, add_columns) for t in pieces]
            table = pa.concat_tables(pieces, promote_options="permissive")
            perm = np.argsort(cids, kind="stable")
            inv = np.empty_like(perm)
            inv[perm] = np.arange(len(perm))
            frame = table.take(pa.array(inv)).to_pandas()
            if ranked is not None:
                ranks = np.arange(r0 + 1, r1 + 1, dtype="int64")
                frame["risk_rank"] = ranks
                frame["risk_level"] = pd.array(
                    _levels(frame["risk_score"].to_numpy(), ranks, n, ranked),
                    dtype="string",
                )
                order = [c for c in frame.columns if c not in add_columns]
                frame = frame[order + list(add_columns)]
            writer.write(frame)
    return n


def _with_columns(table: pa.Table, names: Sequence[str]) -> pa.Table:
    for name in names:
        if name not in table.column_names:
            table = table.append_column(
                name, pa.nulls(table.num_rows, type=pa.large_string())
            )
    return table


def _levels(
    p: np.ndarray, ranks: np.ndarray, n_total: int, settings: dict[str, Any]
) -> np.ndarray:
    """Risk levels of a block of the global order (list shares use ``n_total``)."""
    if settings["method"] == "share":
        # As assign_risk_levels, but the shares are of the whole list (n_total),
        # not of this block.
        hi = ranks <= int(np.ceil(settings["high"] * n_total))
        mid = ranks <= int(np.ceil(settings["medium"] * n_total))
        high, medium, low = RISK_LEVELS
        return np.where(hi, high, np.where(mid, medium, low)).astype(object)
    return assign_risk_levels(p, ranks, settings)
