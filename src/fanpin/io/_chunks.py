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

from ..exceptions import InputError, OutputError
from ._read import detect_encoding, read_table
from ._text import TextRepair, safe_frame
from ._write import atomic_path, warn_text_repairs

__all__ = ["TableAppender", "iter_table_batches", "table_columns", "table_rows"]

_NA = ["", "NA", "NaN", "nan", "null", "NULL", "None"]
MSG_CHUNK_FORMAT = (
    "Cannot read {name!r} in chunks: unknown file type {suffix!r}. Expected .csv, "
    ".txt, .parquet, .pq, .xlsx or .xlsm."
)


def _kind(path: Path) -> str:
    suffix = path.suffix.lower()
    if suffix in (".csv", ".txt"):
        return "csv"
    if suffix in (".parquet", ".pq"):
        return "parquet"
    if suffix in (".xlsx", ".xlsm"):
        return "excel"
    raise InputError(MSG_CHUNK_FORMAT.format(name=path.name, suffix=suffix))


def _check(path: str | Path) -> Path:
    p = Path(path)
    if not p.is_file():
        raise InputError(f"Input file {str(p)!r} does not exist. Check the path.")
    if p.stat().st_size == 0:
        raise InputError(f"Input file {p.name!r} is empty (0 bytes). Export it again.")
    return p


def _parquet(p: Path) -> pq.ParquetFile:
    try:
        return pq.ParquetFile(p)
    except Exception as exc:  # pyarrow raises several types for broken files
        raise InputError(
            f"Cannot read Parquet file {p.name!r} ({type(exc).__name__}). The file is "
            "truncated or not Parquet; write it again."
        ) from None


def table_columns(path: str | Path, *, known_columns: Sequence[str] = ()) -> list[str]:
    """Column names of a table file, reading only its header (or Parquet schema).

    Examples
    --------
    >>> import tempfile, pathlib, pandas as pd
    >>> f = pathlib.Path(tempfile.mkdtemp()) / "t.csv"
    >>> pd.DataFrame({"a": [1], "户编码": ["01"]}).to_csv(f, index=False)
    >>> table_columns(f)
    ['a', '户编码']
    """
    p = _check(path)
    kind = _kind(p)
    if kind == "parquet":
        return list(_parquet(p).schema_arrow.names)
    if kind == "csv":
        try:
            head = pd.read_csv(p, nrows=0, encoding=detect_encoding(p))
        except (pd.errors.EmptyDataError, pd.errors.ParserError, UnicodeDecodeError):
            raise InputError(f"Input file {p.name!r} has no readable header.") from None
        return [str(c).strip() for c in head.columns]
    return [str(c) for c in read_table(p, known_columns=known_columns).columns]


def table_rows(path: str | Path) -> int | None:
    """Number of data rows when cheap to know (Parquet metadata), else None."""
    p = _check(path)
    if _kind(p) == "parquet":
        return int(_parquet(p).metadata.num_rows)
    return None


def iter_table_batches(
    path: str | Path,
    *,
    columns: Sequence[str] | None = None,
    batch_rows: int = 262_144,
    known_columns: Sequence[str] = (),
) -> Iterator[pd.DataFrame]:
    """Yield a table file as raw pandas frames of at most ``batch_rows`` rows.

    Parameters
    ----------
    path : str or Path
        CSV (UTF-8 or GBK), Parquet or Excel file.
    columns : sequence of str, optional
        Read only these columns (as named in the file); all by default.
    batch_rows : int
        Rows per yielded frame (Parquet may yield fewer at row-group ends).
    known_columns : sequence of str
        Excel only: names used to find the header row (see ``read_table``).

    Examples
    --------
    >>> import tempfile, pathlib, pandas as pd
    >>> f = pathlib.Path(tempfile.mkdtemp()) / "t.parquet"
    >>> pd.DataFrame({"a": range(5), "b": list("vwxyz")}).to_parquet(f)
    >>> [len(b) for b in iter_table_batches(f, columns=["a"], batch_rows=2)]
    [2, 2, 1]
    """
    p = _check(path)
    kind = _kind(p)
    cols = list(columns) if columns is not None else None
    if kind == "parquet":
        pf = _parquet(p)
        try:
            # One reader per row group: a single reader over the whole file keeps
            # memory that grows with the rows read (+600 MB over 15M rows).
            for group in range(pf.num_row_groups):
                for batch in pf.iter_batches(
                    batch_size=batch_rows, row_groups=[group], columns=cols
                ):
                    yield batch.to_pandas()
        except (OSError, pa.ArrowException) as exc:
            raise InputError(
                f"Cannot read Parquet file {p.name!r} ({type(exc).__name__}). The "
                "file is truncated or corrupted; write it again."
            ) from None
        return
    if kind == "csv":
        enc = detect_encoding(p)
        header = table_columns(p)
        usecols = None if cols is None else [header.index(c) for c in cols]
        try:
            reader = pd.read_csv(
                p,
                dtype=str,
                encoding=enc,
                keep_default_na=False,
                na_values=_NA,
                usecols=usecols,
                chunksize=batch_rows,
            )
            for frame in reader:
                frame.columns = [str(c).strip() for c in frame.columns]
                yield frame if cols is None else frame[cols]
        except (pd.errors.ParserError, UnicodeDecodeError) as exc:
            raise InputError(
                f"Cannot parse CSV file {p.name!r}: {str(exc).splitlines()[0]}. Check "
                "that every row has the same number of fields and quotes are balanced."
            ) from None
        return
    frame = read_table(p, known_columns=known_columns)
    if cols is not None:
        frame = frame[cols]
    for start in range(0, len(frame), batch_rows):
        yield frame.iloc[start : start + batch_rows].reset_index(drop=True)


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
