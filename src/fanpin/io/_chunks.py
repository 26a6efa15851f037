"""Chunked readers and incremental atomic writers for tables too big for memory.

Readers yield raw pandas frames of at most ``batch_rows`` rows: Parquet through
``pyarrow.parquet.ParquetFile.iter_batches``, one row group at a time (only the
requested columns are read and decoded; memory does not grow with the file),
CSV through ``pandas.read_csv(chunksize=...)`` with every cell as text, as
:func:`~fanpin.io.read_table` does. Excel is read whole (a worksheet holds at
most about a million rows). Which rows go together (all years of a
household) is decided by the caller, :mod:`fanpin.scoring`.

:class:`TableAppender` writes a table block by block to a temporary file beside
the target and renames it onto the target only when the ``with`` block ends
without error: an interrupted run leaves the previous output intact.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from pathlib import Path
from types import TracebackType

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

from ..exceptions import OutputError
from ._layout import ROW_COLUMN, inspect_table
from ._parquet import parquet_file
from ._read import Progress, layout_batches
from ._text import TextRepair, safe_frame
from ._write import atomic_path, warn_text_repairs

__all__ = ["TableAppender", "iter_table_batches", "table_columns", "table_rows"]


def table_columns(path: str | Path, *, known_columns: Sequence[str] = ()) -> list[str]:
    """Column names of a table file, reading only its header (or Parquet schema).

    The header is found as :func:`~fanpin.io.read_table` finds it (title rows
    skipped, the right sheet of a workbook).

    Examples
    --------
    >>> import tempfile, pathlib, pandas as pd
    >>> f = pathlib.Path(tempfile.mkdtemp()) / "t.csv"
    >>> pd.DataFrame({"a": [1], "户编码": ["01"]}).to_csv(f, index=False)
    >>> table_columns(f)
    ['a', '户编码']
    """
    return list(inspect_table(path, known_columns=known_columns).columns)


def table_rows(path: str | Path) -> int | None:
    """Number of data rows when cheap to know (Parquet metadata), else None."""
    layout = inspect_table(path)
    if layout.kind == "parquet":
        return int(parquet_file(layout.path).metadata.num_rows)
    return None


def iter_table_batches(
    path: str | Path,
    *,
    columns: Sequence[str] | None = None,
    batch_rows: int = 262_144,
    known_columns: Sequence[str] = (),
    sheet: str | int | None = None,
    row_numbers: bool = False,
    progress: Progress | None = None,
) -> Iterator[pd.DataFrame]:
    """Yield a table file as raw pandas frames of at most ``batch_rows`` rows.

    The same table :func:`~fanpin.io.read_table` reads, in batches: CSV in
    chunks (every cell as text), Parquet one row group at a time (only the
    requested columns decoded), Excel parsed once per process and sliced.

    Parameters
    ----------
    path : str or Path
        CSV (UTF-8 or GBK), Parquet or Excel file.
    columns : sequence of str, optional
        Read only these columns (as named in the file); all by default. The
        header is the first row that holds them all. :data:`ROW_COLUMN` among
        them adds the file's row numbers (CSV and Excel).
    batch_rows : int
        Rows per yielded frame (Parquet may yield fewer at row-group ends).
    known_columns : sequence of str
        Names that mark the header row and the sheet (see ``read_table``).
    sheet : str or int, optional
        Excel: the sheet to read.
    row_numbers : bool
        Add :data:`ROW_COLUMN` (CSV and Excel).
    progress : callable, optional
        ``progress(done, total)`` after each batch.

    Examples
    --------
    >>> import tempfile, pathlib, pandas as pd
    >>> f = pathlib.Path(tempfile.mkdtemp()) / "t.parquet"
    >>> pd.DataFrame({"a": range(5), "b": list("vwxyz")}).to_parquet(f)
    >>> [len(b) for b in iter_table_batches(f, columns=["a"], batch_rows=2)]
    [2, 2, 1]
    """
    layout = inspect_table(
        path,
        known_columns=known_columns,
        columns=None if columns is None else list(columns),
        sheet=sheet,
    )
    if layout.kind == "parquet" and columns is not None and ROW_COLUMN in columns:
        columns = [c for c in columns if c != ROW_COLUMN]
    yield from layout_batches(
        layout,
        columns=columns,
        batch_rows=batch_rows,
        row_numbers=row_numbers and layout.kind != "parquet",
        progress=progress,
    )


class TableAppender:
    """Write a CSV or Parquet table block by block, atomically.

    Use as a context manager; :meth:`write` appends a frame (same columns each
    time). The file appears at ``path`` only when the block exits without error;
    on error the temporary file is removed and ``path`` keeps its old content.
    CSV is UTF-8 with a BOM (for Excel), Parquet uses pyarrow.

    Examples
    --------
    >>> import tempfile, pathlib, pandas as pd
    >>> out = pathlib.Path(tempfile.mkdtemp()) / "o.csv"
    >>> with TableAppender(out) as w:
    ...     w.write(pd.DataFrame({"a": [1, 2]}))
    ...     w.write(pd.DataFrame({"a": [3]}))
    >>> pd.read_csv(out, encoding="utf-8-sig")["a"].tolist()
    [1, 2, 3]
    """

    def __init__(self, path: str | Path, *, schema: pa.Schema | None = None):
        self.path = Path(path)
        suffix = self.path.suffix.lower()
        if suffix not in (".csv", ".parquet", ".pq"):
            raise OutputError(
                f"Cannot write {self.path.name!r} in blocks: unknown output type "
                f"{suffix!r}. Use .csv or .parquet."
            )
        self.kind = "csv" if suffix == ".csv" else "parquet"
        self.schema = schema
        self.rows = 0
        self._ctx = atomic_path(self.path)
        self._tmp: Path | None = None
        self._writer: pq.ParquetWriter | None = None
        self._started = False
        self._repairs: list[TextRepair] = []

    def __enter__(self) -> TableAppender:
        self._tmp = self._ctx.__enter__()
        return self

    def write(self, frame: pd.DataFrame) -> None:
        """Append the rows of ``frame`` (text cells made safe: :func:`csv_ready`)."""
        assert self._tmp is not None, "use TableAppender in a with block"
        frame, repairs = safe_frame(frame, formulas=self.kind == "csv")
        self._repairs += repairs
        if self.kind == "csv":
            first = not self._started
            frame.to_csv(
                self._tmp,
                index=False,
                mode="w" if first else "a",
                header=first,
                encoding="utf-8-sig" if first else "utf-8",
            )
        else:
            table = pa.Table.from_pandas(frame, preserve_index=False)
            if self._writer is None:
                self.schema = self.schema or table.schema
                self._writer = pq.ParquetWriter(self._tmp, self.schema)
            self._writer.write_table(table.cast(self.schema))
        self.rows += len(frame)
        self._started = True

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> bool | None:
        if self._writer is not None:
            self._writer.close()
        elif exc_type is None and self.rows == 0 and self.kind == "parquet":
            assert self._tmp is not None
            pq.write_table((self.schema or pa.schema([])).empty_table(), self._tmp)
        if exc_type is None:
            warn_text_repairs(self.path, self._repairs)
        return self._ctx.__exit__(exc_type, exc, tb)
