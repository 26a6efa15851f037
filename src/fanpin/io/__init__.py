"""Reading and writing tables: CSV (UTF-8 or GBK), Parquet and Excel; atomic writes.

One reader for every command: :func:`inspect_table` finds the table inside a
file (encoding, sheet, title rows above the header), :func:`read_table` reads
it whole and :func:`iter_table_batches` in batches, the same way.

A leaf of the package: it depends only on :mod:`fanpin.exceptions` and
:mod:`fanpin.messages`.
"""

from ._files import check_input_file
from ._layout import (
    ROW_COLUMN,
    SUPPORTED_SUFFIXES,
    TableLayout,
    detect_encoding,
    header_key,
    inspect_table,
)
from ._read import NUMBER_CELLS, read_table
from ._write import atomic_path, write_table, write_text

__all__ = [
    "NUMBER_CELLS",
    "ROW_COLUMN",
    "SUPPORTED_SUFFIXES",
    "TableLayout",
    "atomic_path",
    "check_input_file",
    "detect_encoding",
    "header_key",
    "inspect_table",
    "read_table",
    "write_table",
    "write_text",
]

from ._chunks import (  # noqa: E402
    TableAppender,
    iter_table_batches,
    table_columns,
    table_rows,
)

__all__ += ["TableAppender", "iter_table_batches", "table_columns", "table_rows"]
