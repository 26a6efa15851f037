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

__all__ = ["PART_ROW_GROUP", "global_order", "write_merged"]

BLOCK_ROWS = 131_072
PART_ROW_GROUP = 8_192


class _Cursor:
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


def global_order(
    scores: Sequence[np.ndarray], ids: Sequence[pa.Array], *, by_score: bool = True
) -> np.ndarray:
    """Chunk number of each output row, in global order.

    ``by_score``: order by (score descending, id ascending); else by id.
    """
    n = [len(i) for i in ids]
    chunk = np.repeat(np.arange(len(ids), dtype=np.int32), n)
    id_col = pa.chunked_array(
        [a.cast(pa.large_string()) for a in ids], pa.large_string()
    )
    if by_score:
        table = pa.table({"p": np.concatenate(scores) if scores else [], "id": id_col})
        keys = [("p", "descending"), ("id", "ascending")]
    else:
        table = pa.table({"id": id_col})
        keys = [("id", "ascending")]
    order = pc.sort_indices(table, sort_keys=keys).to_numpy()
    return chunk[order]


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
    cursors = [_Cursor(p) for p in parts]
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
