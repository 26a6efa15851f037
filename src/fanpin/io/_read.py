"""Reading tables from CSV (UTF-8, UTF-8 with BOM, GBK), Parquet and Excel files.

One reader for every command and every pass: :func:`read_table` reads a whole
table, :func:`~fanpin.io.iter_table_batches` the same table in batches; both
find the table with :func:`~fanpin.io.inspect_table` (title rows, notes
sheets, encodings). Readers return the raw table: for CSV and Excel every cell
as text (so household codes keep their leading zeros), for Parquet the stored
types. Interpreting the columns is :mod:`fanpin.schema`'s job.

With ``row_numbers=True`` the frame gets a :data:`ROW_COLUMN` column: each
row's number in the file as Excel or a text editor shows it (title rows and the
header counted), for messages. It counts CSV records: a blank line (skipped) or
a cell holding a line break above a row shifts the numbers of the rows below.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable, Iterator, Sequence
from functools import lru_cache
from pathlib import Path

import numpy as np
import pandas as pd

from ..exceptions import InputError
from ..messages import N_, Message
from ._excel import cell_text, is_number_cell
from ._layout import (
    ROW_COLUMN,
    SUPPORTED_SUFFIXES,
    TableLayout,
    detect_encoding,
    excel_book,
    file_identity,
    inspect_table,
)
from ._parquet import MSG_BAD_PARQUET, parquet_file

__all__ = [
    "NUMBER_CELLS",
    "ROW_COLUMN",
    "SUPPORTED_SUFFIXES",
    "detect_encoding",
    "layout_batches",
    "read_table",
]

logger = logging.getLogger(__name__)

Progress = Callable[[int, int], None]
"""``progress(done, total)``: bytes (CSV) or rows (Excel, Parquet) read so far."""

NA_VALUES = ["", "NA", "NaN", "nan", "null", "NULL", "None"]
NUMBER_CELLS = "fanpin_number_cells"
"""Key of ``DataFrame.attrs`` (Excel): column -> (count, first file row) of the
cells stored as numbers rather than text (Excel drops their leading zeros)."""

MSG_BAD_CSV = N_(
    "Cannot parse CSV file {name!r}: {reason}. Check that every row has the same "
    "number of fields and quotes are balanced."
)
MSG_NO_COLUMN = N_(
    "{name!r} has no column {columns} (its header, on row {row}, holds: {found})."
)


def _check_columns(layout: TableLayout, cols: Sequence[str]) -> None:
    missing = [c for c in cols if c not in layout.columns]
    if missing:
        raise InputError(
            Message(
                MSG_NO_COLUMN,
                name=layout.path.name,
                columns=", ".join(repr(c) for c in missing),
                row=layout.header_row,
                found=", ".join(layout.columns[:30]),
            )
        )


def _parse_error(name: str, exc: Exception) -> InputError:
    reason = (
        str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
    )
    return InputError(Message(MSG_BAD_CSV, name=name, reason=reason))


def _csv_batches(
    layout: TableLayout,
    cols: Sequence[str] | None,
    batch_rows: int,
    row_numbers: bool,
    progress: Progress | None,
) -> Iterator[pd.DataFrame]:
    names = list(layout.columns)
    positions = sorted(names.index(c) for c in cols) if cols is not None else None
    size = layout.path.stat().st_size
    start = layout.header_row + 1  # file row of the first data record
    done = 0
    try:
        with open(layout.path, "rb") as fh:
            reader = pd.read_csv(
                fh,
                dtype=str,
                encoding=layout.encoding,
                skiprows=layout.header_row - 1,
                header=0,
                keep_default_na=False,
                na_values=NA_VALUES,
                usecols=positions,
                chunksize=batch_rows,
                index_col=False,
            )
            for frame in reader:
                width = len(frame.columns)
                picked = positions if positions is not None else list(range(width))
                frame.columns = [
                    names[j] if j < len(names) else f"Unnamed: {j}" for j in picked
                ]
                if cols is not None:
                    frame = frame[list(cols)]
                frame.index = pd.RangeIndex(done, done + len(frame))
                if row_numbers:
                    frame[ROW_COLUMN] = np.arange(
                        start + done, start + done + len(frame), dtype=np.int64
                    )
                done += len(frame)
                if progress is not None:
                    progress(min(fh.tell(), size), size)
                yield frame
    except pd.errors.EmptyDataError:
        return
    except (pd.errors.ParserError, UnicodeDecodeError, ValueError) as exc:
        raise _parse_error(layout.path.name, exc) from None


@lru_cache(maxsize=1)
def _excel_table(
    identity: tuple[str, int, int], sheet: str, header_row: int, width: int
) -> tuple[pd.DataFrame, dict[str, tuple[int, int]]]:
    """The sheet's data rows as text columns (and its number cells), cached so
    that several passes over one workbook parse it once."""
    book = excel_book(Path(identity[0]))
    first = book.first_row(sheet)
    skip = header_row - first + 1  # rows up to and including the header
    rows: list[list[str | None]] = []
    number_rows: dict[int, list[int]] = {}
    file_rows: list[int] = []
    for i, raw in enumerate(book.rows(sheet)):
        if i < skip:
            continue
        cells = [cell_text(v) for v in raw[:width]]
        if len(cells) < width:
            cells += [None] * (width - len(cells))
        if all(c is None or not c.strip() for c in cells):
            continue
        row = first + i
        for j, v in enumerate(raw[:width]):
            if is_number_cell(v):
                number_rows.setdefault(j, []).append(row)
        rows.append(cells)
        file_rows.append(row)
    columns = list(zip(*rows, strict=True)) if rows else [()] * width
    data = {
        j: pd.Series(list(col), dtype=pd.StringDtype("pyarrow"))
        for j, col in enumerate(columns)
    }
    frame = pd.DataFrame(data)
    frame[ROW_COLUMN] = np.asarray(file_rows, dtype=np.int64)
    counts = {j: (len(r), r[0]) for j, r in number_rows.items()}
    return frame, counts


def _excel_frame(
    layout: TableLayout, cols: Sequence[str] | None, row_numbers: bool
) -> pd.DataFrame:
    assert layout.sheet is not None
    width = len(layout.columns)
    table, counts = _excel_table(
        file_identity(layout.path), layout.sheet, layout.header_row, width
    )
    frame = table.copy()
    frame.columns = [*layout.columns, ROW_COLUMN]
    numbers = {layout.columns[j]: v for j, v in counts.items()}
    keep = list(cols) if cols is not None else list(layout.columns)
    if row_numbers:
        keep.append(ROW_COLUMN)
    frame = frame[keep]
    frame.attrs[NUMBER_CELLS] = {k: v for k, v in numbers.items() if k in keep}
    return frame


def layout_batches(
    layout: TableLayout,
    *,
    columns: Sequence[str] | None = None,
    batch_rows: int = 262_144,
    row_numbers: bool = False,
    progress: Progress | None = None,
) -> Iterator[pd.DataFrame]:
    """The table of ``layout`` in frames of at most ``batch_rows`` rows."""
    cols = None if columns is None else [c for c in columns if c != ROW_COLUMN]
    row_numbers = row_numbers or (columns is not None and ROW_COLUMN in columns)
    if cols is not None:
        _check_columns(layout, cols)
    if layout.kind == "csv":
        yield from _csv_batches(layout, cols, batch_rows, row_numbers, progress)
        return
    if layout.kind == "excel":
        frame = _excel_frame(layout, cols, row_numbers)
        for start in range(0, max(len(frame), 1), batch_rows):
            part = frame.iloc[start : start + batch_rows].reset_index(drop=True)
            part.attrs = dict(frame.attrs)
            if progress is not None:
                progress(min(start + batch_rows, len(frame)), len(frame))
            yield part
        return
    import pyarrow as pa

    pf = parquet_file(layout.path)
    total = int(pf.metadata.num_rows)
    done = 0
    try:
        # One reader per row group: a single reader over the whole file keeps
        # memory that grows with the rows read (+600 MB over 15M rows).
        for group in range(pf.num_row_groups):
            for batch in pf.iter_batches(
                batch_size=batch_rows, row_groups=[group], columns=cols
            ):
                done += batch.num_rows
                if progress is not None:
                    progress(done, total)
                yield batch.to_pandas()
    except (OSError, pa.ArrowException) as exc:
        raise InputError(
            Message(MSG_BAD_PARQUET, name=layout.path.name, kind=type(exc).__name__)
        ) from None


def read_table(
    path: str | Path,
    *,
    known_columns: Iterable[str] = (),
    sheet: str | int | None = None,
    columns: list[str] | None = None,
    row_numbers: bool = False,
    progress: Progress | None = None,
) -> pd.DataFrame:
    """Read one table from a CSV, Parquet or Excel file.

    Parameters
    ----------
    path : str or Path
        The file; its suffix picks the reader.
    known_columns : iterable of str
        Column names that mark the header row (title rows above it are skipped)
        and, in a workbook, the right sheet.
    sheet : str or int, optional
        Excel only: the sheet to read; by default the sheet whose header matches
        ``known_columns`` best.
    columns : list of str, optional
        Read just these columns (as named in the file).
    row_numbers : bool
        Add :data:`ROW_COLUMN`, each row's number in the file (CSV and Excel).
    progress : callable, optional
        ``progress(done, total)`` while reading.

    Raises
    ------
    InputError
        The file is missing, empty, truncated, of an unknown format or encoding.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> f = pathlib.Path(tempfile.mkdtemp()) / "p.csv"
    >>> _ = f.write_text("某县2025年监测信息表\\n户编码,年度,省\\n0012,2025,甘肃省\\n",
    ...                  encoding="utf-8")
    >>> read_table(f, row_numbers=True).to_dict("records")
    [{'户编码': '0012', '年度': '2025', '省': '甘肃省', '_fanpin_row': 3}]
    """
    layout = inspect_table(
        path, known_columns=known_columns, columns=columns, sheet=sheet
    )
    if layout.kind == "parquet":
        try:
            return pd.read_parquet(layout.path, columns=columns)
        except Exception as exc:  # pyarrow raises several types for broken files
            raise InputError(
                Message(MSG_BAD_PARQUET, name=layout.path.name, kind=type(exc).__name__)
            ) from None
    if layout.kind == "excel":
        frame = _excel_frame(layout, columns, row_numbers)
        if progress is not None:
            progress(len(frame), len(frame))
        return frame
    frames = list(
        layout_batches(
            layout,
            columns=columns,
            batch_rows=1 << 20,
            row_numbers=row_numbers,
            progress=progress,
        )
    )
    if not frames:
        empty = pd.DataFrame({c: pd.Series([], dtype=object) for c in layout.columns})
        return empty if columns is None else empty[columns]
    df = pd.concat(frames, ignore_index=True) if len(frames) > 1 else frames[0]
    if layout.title_rows:
        logger.info(
            "%s: header on row %d (%d row(s) above it skipped)",
            layout.path.name,
            layout.header_row,
            layout.title_rows,
        )
    return df
