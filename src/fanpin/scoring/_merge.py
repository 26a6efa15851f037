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

from collections.abc import Callable, Iterator, Sequence
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

from ..io import TableAppender

__all__ = [
    "PART_ROW_GROUP",
    "FrameSink",
    "Part",
    "PartCursor",
    "global_order",
    "write_merged",
]

BLOCK_ROWS = 131_072
LOOKAHEAD = 16_384
PART_ROW_GROUP = 8_192

Part = Path | pa.Table
"""A sorted part: a Parquet file, or an Arrow table (an in-memory job)."""


def _batches(part: Part, batch_rows: int, columns: list[str] | None = None):
    """The record batches of a part, and its schema."""
    if isinstance(part, pa.Table):
        table = part.select(columns) if columns is not None else part
        return iter(table.to_batches(max_chunksize=batch_rows)), table.schema
    # No pre-buffering of whole column chunks: one cursor per part is open at
    # once, so its buffers would make memory grow with the number of chunks.
    f = pq.ParquetFile(part, pre_buffer=False, buffer_size=1 << 20)
    return f.iter_batches(batch_size=batch_rows, columns=columns), f.schema_arrow


def part_rows(part: Part) -> int:
    """Rows of a part."""
    if isinstance(part, pa.Table):
        return part.num_rows
    return pq.ParquetFile(part).metadata.num_rows


class FrameSink:
    """A merge's output kept in memory (an in-memory job): :meth:`write` as
    :class:`~fanpin.io.TableAppender`, then :attr:`frame`."""

    def __init__(self) -> None:
        self._frames: list[pd.DataFrame] = []

    def __enter__(self) -> FrameSink:
        return self

    def __exit__(self, *exc: object) -> None:
        return None

    def write(self, frame: pd.DataFrame) -> None:
        self._frames.append(frame)

    @property
    def frame(self) -> pd.DataFrame:
        if len(self._frames) == 1:
            return self._frames[0]
        return pd.concat(self._frames, ignore_index=True)


class PartCursor:
    """Sequential reader of a part: hand out the next ``n`` rows."""

    def __init__(self, part: Part, batch_rows: int = 8_192):
        self._it, self.schema = _batches(part, batch_rows)
        self._buf: list[pa.RecordBatch] = []
        self._have = 0

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
    """The sort keys of a sorted part, read ``batch_rows`` at a time."""

    def __init__(self, part: Part, columns: list[str], batch_rows: int):
        self._it, schema = _batches(part, batch_rows, columns)
        self._columns = columns
        self.keys = schema.empty_table().select(columns)
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
    parts: Sequence[Part], *, by_score: bool = True, lookahead: int = LOOKAHEAD
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
    n = sum(part_rows(p) for p in parts)
    chunk_of_row = np.empty(n, dtype=np.int32)
    p_sorted = np.empty(n, dtype=np.float64) if by_score else None
    cursors = [_KeyCursor(p, columns, lookahead) for p in parts]
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


Block = Callable[[pd.DataFrame, int], pd.DataFrame]
"""Turns a block of merged rows (and the rank of its first row - 1) into
output rows."""


def merged_blocks(
    parts: Sequence[Part],
    chunk_of_row: np.ndarray,
    *,
    add_columns: Sequence[str] = (),
    block_rows: int = BLOCK_ROWS,
) -> Iterator[tuple[int, pd.DataFrame]]:
    """The parts' rows in ``chunk_of_row`` order, ``block_rows`` at a time, with
    the position of each block's first row. ``add_columns``: text columns
    filled with nulls in the parts that lack them."""
    cursors = [PartCursor(p) for p in parts]
    n = len(chunk_of_row)
    for r0 in range(0, n, block_rows):
        r1 = min(r0 + block_rows, n)
        cids = chunk_of_row[r0:r1]
        counts = np.bincount(cids, minlength=len(cursors))
        pieces = [
            _with_columns(cursors[c].take(int(k)), add_columns)
            for c, k in enumerate(counts)
            if k
        ]
        table = pa.concat_tables(pieces, promote_options="permissive")
        perm = np.argsort(cids, kind="stable")
        inv = np.empty_like(perm)
        inv[perm] = np.arange(len(perm))
        yield r0, table.take(pa.array(inv)).to_pandas()


def write_merged(
    out: Path | FrameSink,
    parts: Sequence[Part],
    chunk_of_row: np.ndarray,
    *,
    block: Block | None = None,
    head: pd.DataFrame | None = None,
    tail: pd.DataFrame | None = None,
    template: pd.DataFrame | None = None,
    add_columns: Sequence[str] = (),
    report: Callable[[int], None] | None = None,
) -> int:
    """Write ``head``, the parts' rows in ``chunk_of_row`` order, then ``tail``.

    ``out``: a file (CSV or Parquet, written atomically) or a
    :class:`FrameSink`. ``block(frame, first_row)`` turns each block of merged
    rows into output rows. When nothing at all is written, ``block`` of
    ``template`` (default: the first part's columns, no rows) is, so that the
    output has its columns. ``report(n)`` after each block. Returns the rows
    written.
    """
    rows = 0
    sink = out if isinstance(out, FrameSink) else TableAppender(out)
    with sink as writer:
        if head is not None and len(head):
            writer.write(head)
            rows += len(head)
        for r0, frame in merged_blocks(parts, chunk_of_row, add_columns=add_columns):
            writer.write(block(frame, r0) if block is not None else frame)
            rows += len(frame)
            if report is not None:
                report(len(frame))
        if tail is not None and len(tail):
            writer.write(tail)
            rows += len(tail)
        if rows == 0:
            if template is None:
                empty = PartCursor(parts[0]).schema.empty_table()
                template = _with_columns(empty, add_columns).to_pandas()
            writer.write(block(template, 0) if block is not None else template)
    return rows


def _with_columns(table: pa.Table, names: Sequence[str]) -> pa.Table:
    for name in names:
        if name not in table.column_names:
            table = table.append_column(
                name, pa.nulls(table.num_rows, type=pa.large_string())
            )
    return table
