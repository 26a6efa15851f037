"""Where the table is inside a file: format, encoding, sheet and header row.

Every reader of fanpin (whole-file and streaming, panels and pushes) starts
with :func:`inspect_table`, so a file is read the same way by every command:

- **CSV**: UTF-8 (with or without BOM) or GBK/GB18030; title rows above the
  header are skipped; a first line longer than 1 MB is refused at once (a
  one-line file of 200 MB is not a table).
- **Excel** (.xlsx, .xlsm, .xls, .ods): the sheet whose header holds the most
  contract columns (a 填报说明 notes sheet is passed over), title rows (merged
  cells too) skipped.
- **Parquet**: the stored schema.

The header row is the first of the first 30 rows that holds all the columns a
caller asks for; else the row with the most known column names (at least
two); else the first row that is nearly as wide as the median row (title and
notes rows hold one or two cells). Rows are numbered as in Excel or a text
editor (1-based, title rows counted) so that messages can name them.
"""

from __future__ import annotations

import csv
import io
import os
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from ..exceptions import InputError
from ..messages import N_, Message
from ._excel import ExcelBook, cell_text
from ._files import check_input_file

__all__ = [
    "ROW_COLUMN",
    "SUPPORTED_SUFFIXES",
    "TableLayout",
    "detect_encoding",
    "find_header",
    "header_key",
    "inspect_table",
]

SUPPORTED_SUFFIXES = (
    ".csv",
    ".txt",
    ".parquet",
    ".pq",
    ".xlsx",
    ".xlsm",
    ".xls",
    ".ods",
)
EXCEL_SUFFIXES = (".xlsx", ".xlsm", ".xls", ".ods")
ROW_COLUMN = "_fanpin_row"
"""Name of the column that carries each row's number in the file (1-based, as
in Excel or a text editor), added by the readers when asked for."""
SNIFF_ROWS = 30
SNIFF_BYTES = 1 << 20
_ENCODINGS = ("utf-8-sig", "gb18030")

MSG_UNKNOWN_TYPE = N_(
    "Cannot read {name!r}: unknown file type {suffix!r}. Expected one of {expected} "
    "(CSV in UTF-8 or GBK, Parquet, Excel)."
)
MSG_NOT_TEXT = N_(
    "Cannot read {name!r}: it is neither UTF-8 nor GBK text. Save the file as CSV "
    "UTF-8 (Excel: 另存为 → CSV UTF-8) and try again."
)
MSG_LONG_LINE = N_(
    "Cannot read {name!r}: its first line is longer than {limit} MB with no line "
    "break, so it is not a table with one row per line. Check that this is the "
    "export (CSV with one household-year per line), not another kind of file."
)
MSG_BAD_CSV_HEAD = N_(
    "Cannot parse CSV file {name!r} near its start ({reason}). Check that the "
    "quotes are balanced and that it is a CSV export."
)
MSG_NO_HEADER = N_(
    "Cannot find the header of {name!r}: none of its first {rows} rows holds the "
    "columns {columns}. Check that this is the same file as before."
)
MSG_NO_DATA_SHEET = N_("Excel file {name!r} has no data on any sheet.")
MSG_CSV_EMPTY = N_("Input file {name!r} has no header and no rows.")


_FORMAT_CHARS = {
    c for c in map(chr, range(0x80, 0x2070)) if unicodedata.category(c) == "Cf"
} | {"\ufeff"}


def header_key(text: object) -> str:
    """Header comparison key: NFKC (full-width to half-width), no format characters
    (BOM, zero-width), no spaces, lower case.

    Examples
    --------
    >>> header_key("\\ufeff户编码 ") == header_key("户编码"), header_key("Year")
    (True, 'year')
    """
    s = unicodedata.normalize("NFKC", str(text))
    s = "".join(ch for ch in s if ch not in _FORMAT_CHARS)
    return s.strip().lower().replace(" ", "")


@dataclass(frozen=True)
class TableLayout:
    """Where the table is inside a file.

    Attributes
    ----------
    path : Path
    kind : str
        ``"csv"``, ``"excel"`` or ``"parquet"``.
    columns : tuple of str
        Header names as in the file (trimmed; an empty header cell is
        ``"Unnamed: j"``, a repeated one ``"name.1"``, as pandas names them).
    header_row : int
        The file row of the header (1-based, as in Excel or a text editor);
        0 for Parquet.
    encoding : str or None
        CSV only: ``"utf-8-sig"`` or ``"gb18030"``.
    sheet : str or None
        Excel only: the sheet read.
    n_sheets : int
        Excel only: sheets in the workbook.
    header_cells : tuple of str
        The header as written (before renaming repeats), for messages.
    """

    path: Path
    kind: str
    columns: tuple[str, ...]
    header_row: int = 1
    encoding: str | None = None
    sheet: str | None = None
    n_sheets: int = 1
    header_cells: tuple[str, ...] = ()

    @property
    def title_rows(self) -> int:
        """Rows above the header (title rows, notes) that were skipped."""
        return max(self.header_row - 1, 0)


def file_kind(path: Path) -> str:
    suffix = path.suffix.lower()
    if suffix in (".csv", ".txt"):
        return "csv"
    if suffix in (".parquet", ".pq"):
        return "parquet"
    if suffix in EXCEL_SUFFIXES:
        return "excel"
    raise InputError(
        Message(
            MSG_UNKNOWN_TYPE,
            name=path.name,
            suffix=suffix,
            expected=", ".join(SUPPORTED_SUFFIXES),
        )
    )


def detect_encoding(path: str | Path) -> str:
    """Detect whether a CSV file is UTF-8 (with or without BOM) or GBK/GB18030.

    Returns ``"utf-8-sig"`` (which also reads plain UTF-8) or ``"gb18030"`` (a
    superset of GBK and GB2312).
    """
    with open(path, "rb") as fh:
        head = fh.read(SNIFF_BYTES)
    if head.startswith(b"\xef\xbb\xbf"):
        return "utf-8-sig"
    if len(head) == SNIFF_BYTES and b"\n" in head:
        # Cut at the last newline so that a multi-byte character is not split.
        head = head[: head.rindex(b"\n")]
    for enc in _ENCODINGS:
        try:
            head.decode(enc)
            return enc
        except UnicodeDecodeError:
            continue
    raise InputError(Message(MSG_NOT_TEXT, name=Path(path).name))


def _cells(row: Iterable[object]) -> list[str | None]:
    out = []
    for v in row:
        t = v if isinstance(v, str) or v is None else cell_text(v)
        t = t.strip() if isinstance(t, str) else None
        out.append(t or None)
    return out


def find_header(
    rows: list[list[str | None]],
    *,
    known: Iterable[str] = (),
    required: Iterable[str] = (),
) -> tuple[int | None, int]:
    """The index of the header among ``rows`` and how many known names it holds.

    ``required``: the first row holding all of them (None if none does).
    Otherwise the row with the most ``known`` names (at least two; the first
    of equals), else the first row at least 80 % as wide as the median row
    (title and notes rows hold one or two cells, data rows the most).

    Examples
    --------
    >>> rows = [["2025年度防返贫监测对象信息表", None, None],
    ...         ["户编码", "年度", "省"], ["0001", "2025", "甘肃省"]]
    >>> find_header(rows, known=["户编码", "年度", "省", "县"])
    (1, 3)
    >>> find_header(rows)
    (1, 0)
    """
    keyed = [{header_key(c) for c in r if c} for r in rows]
    need = {header_key(c) for c in required}
    if need:
        for i, cells in enumerate(keyed):
            if need <= cells:
                return i, len(need)
        return None, 0
    names = {header_key(c) for c in known}
    if names:
        scores = [len(cells & names) for cells in keyed]
        best = max(scores, default=0)
        if best >= 2:
            return scores.index(best), best
    widths = [sum(1 for c in r if c) for r in rows]
    filled = sorted(w for w in widths if w)
    if not filled:
        return None, 0
    typical = filled[len(filled) // 2]  # the median row: data rows dominate
    limit = max(min(2, typical), int(0.8 * typical + 0.999))
    for i, w in enumerate(widths):
        if w >= limit:
            return i, 0
    return 0, 0


def unique_names(header: list[str | None]) -> list[str]:
    """Header cells as column names: empty -> ``Unnamed: j``, repeats -> ``x.1``."""
    names: list[str] = []
    seen: dict[str, int] = {}
    for j, cell in enumerate(header):
        name = cell if cell else f"Unnamed: {j}"
        if name in seen:
            seen[name] += 1
            name = f"{name}.{seen[name]}"
        else:
            seen[name] = 0
        names.append(name)
    return names


def _header_fields(header: list[str | None]) -> dict[str, tuple[str, ...]]:
    """``columns`` and ``header_cells`` of a header row (trailing blanks cut)."""
    cells = list(header)
    while len(cells) > 1 and cells[-1] is None:
        cells.pop()
    return {
        "columns": tuple(unique_names(cells)),
        "header_cells": tuple(c or "" for c in cells),
    }


def _csv_head(p: Path, encoding: str) -> list[list[str | None]]:
    """The first :data:`SNIFF_ROWS` records of a CSV file."""
    size = p.stat().st_size
    with open(p, "rb") as fh:
        head = fh.read(SNIFF_BYTES)
    if size > len(head) or len(head) == SNIFF_BYTES:
        if b"\n" not in head and b"\r" not in head:
            raise InputError(
                Message(MSG_LONG_LINE, name=p.name, limit=SNIFF_BYTES >> 20)
            )
        head = head[: max(head.rfind(b"\n"), head.rfind(b"\r"))]
    text = head.decode(encoding, errors="replace")
    if text.startswith("\ufeff"):
        text = text[1:]
    rows: list[list[str | None]] = []
    try:
        for record in csv.reader(io.StringIO(text, newline="")):
            rows.append(_cells(record))
            if len(rows) >= SNIFF_ROWS:
                break
    except csv.Error as exc:
        raise InputError(
            Message(MSG_BAD_CSV_HEAD, name=p.name, reason=str(exc))
        ) from None
    return rows


def _csv_layout(p: Path, known: Iterable[str], required: Iterable[str]) -> TableLayout:
    encoding = detect_encoding(p)
    rows = _csv_head(p, encoding)
    if not rows:
        raise InputError(Message(MSG_CSV_EMPTY, name=p.name))
    found, _ = find_header(rows, known=known, required=required)
    if found is None:
        if required:
            raise InputError(
                Message(
                    MSG_NO_HEADER,
                    name=p.name,
                    rows=len(rows),
                    columns=", ".join(repr(c) for c in required),
                )
            )
        found = 0
    return TableLayout(
        path=p, kind="csv", header_row=found + 1, encoding=encoding,
        **_header_fields(rows[found]),
    )  # fmt: skip


def excel_book(p: Path) -> ExcelBook:
    """The workbook at ``p``, opened once per process while the file is unchanged."""
    st = p.stat()
    return _excel_book(str(p.resolve()), st.st_size, st.st_mtime_ns)


@lru_cache(maxsize=2)
def _excel_book(path: str, size: int, mtime_ns: int) -> ExcelBook:
    return ExcelBook(Path(path))


def _excel_layout(
    p: Path,
    known: Iterable[str],
    required: Iterable[str],
    sheet: str | int | None,
) -> TableLayout:
    book = excel_book(p)
    names = [book.sheet_name(sheet)] if sheet is not None else book.sheet_names
    # (known names, header width, -sheet order) -> sheet, header index, header
    best: tuple[tuple[int, int, int], str, int, list[str | None]] | None = None
    for order, name in enumerate(names):
        rows = [_cells(r) for r in book.head(name, SNIFF_ROWS)]
        if not any(any(r) for r in rows):
            continue
        found, score = find_header(rows, known=known, required=required)
        if found is None:
            continue
        # Most known names first, then the widest header, then sheet order.
        rank = (score, sum(1 for c in rows[found] if c), -order)
        if best is None or rank > best[0]:
            best = (rank, name, found, rows[found])
    if best is None:
        if required:
            raise InputError(
                Message(
                    MSG_NO_HEADER,
                    name=p.name,
                    rows=SNIFF_ROWS,
                    columns=", ".join(repr(c) for c in required),
                )
            )
        raise InputError(Message(MSG_NO_DATA_SHEET, name=p.name))
    _, name, best_row, header = best
    return TableLayout(
        path=p, kind="excel", header_row=book.first_row(name) + best_row,
        sheet=name, n_sheets=len(book.sheet_names), **_header_fields(header),
    )  # fmt: skip


def _parquet_layout(p: Path) -> TableLayout:
    from ._parquet import parquet_file

    names = tuple(parquet_file(p).schema_arrow.names)
    return TableLayout(path=p, kind="parquet", columns=names, header_row=0)


def inspect_table(
    path: str | Path,
    *,
    known_columns: Iterable[str] = (),
    columns: Iterable[str] | None = None,
    sheet: str | int | None = None,
) -> TableLayout:
    """Find the table inside a file (see the module docstring).

    Parameters
    ----------
    path : str or Path
    known_columns : iterable of str
        Column names (any spelling the contract accepts) that mark the header
        row and the right sheet.
    columns : iterable of str, optional
        Columns the caller will read: the header is the first row holding them
        all (so every pass over a file finds the same header).
    sheet : str or int, optional
        Excel: read this sheet (a name, or its position from 0).

    Raises
    ------
    InputError
        The path is not a readable file; unknown type; not text; no header.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> f = pathlib.Path(tempfile.mkdtemp()) / "p.csv"
    >>> text = "2025年度防返贫监测对象信息表\\n户编码,年度,省\\n0001,2025,甘肃省\\n"
    >>> _ = f.write_text(text, encoding="gbk")
    >>> layout = inspect_table(f)
    >>> layout.columns, layout.header_row, layout.encoding
    (('户编码', '年度', '省'), 2, 'gb18030')
    """
    p = check_input_file(path)
    kind = file_kind(p)
    required = [c for c in (columns or ()) if c != ROW_COLUMN]
    if kind == "parquet":
        return _parquet_layout(p)
    if kind == "csv":
        return _csv_layout(p, list(known_columns), required)
    return _excel_layout(p, list(known_columns), required, sheet)


def file_identity(p: Path) -> tuple[str, int, int]:
    st = os.stat(p)
    return str(p.resolve()), st.st_size, st.st_mtime_ns
