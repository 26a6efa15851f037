"""Reading and writing tables: CSV (UTF-8 or GBK), Parquet and Excel; atomic writes.

One reader for every command: :func:`inspect_table` finds the table inside a
file (encoding, sheet, title rows above the header), :func:`read_table` reads
it whole and :func:`iter_table_batches` in batches, the same way.

A leaf of the package: it depends only on :mod:`fanpin.exceptions` and
:mod:`fanpin.messages`.

Examples
--------
>>> import tempfile, pathlib, pandas as pd
>>> path = pathlib.Path(tempfile.mkdtemp()) / "t.csv"
>>> _ = write_table(pd.DataFrame({"户编码": ["001"], "年度": [2024]}), path)
>>> read_table(path).columns.tolist()
['户编码', '年度']
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
from ._text import (
    FORMULA_START,
    PLACE_COLUMNS,
    clean_text,
    has_personal_numbers,
    mask_personal_numbers,
    neutralise_formula,
    safe_frame,
)
from ._write import (
    atomic_path,
    check_apart,
    interrupted_directory,
    process_alive,
    recover_directory,
    replace_directory,
    warn_text_repairs,
    write_table,
    write_text,
)

__all__ = [
    "FORMULA_START",
    "NUMBER_CELLS",
    "PLACE_COLUMNS",
    "ROW_COLUMN",
    "SUPPORTED_SUFFIXES",
    "TableLayout",
    "atomic_path",
    "check_apart",
    "check_input_file",
    "clean_text",
    "detect_encoding",
    "has_personal_numbers",
    "header_key",
    "inspect_table",
    "mask_personal_numbers",
    "neutralise_formula",
    "interrupted_directory",
    "process_alive",
    "read_table",
    "recover_directory",
    "replace_directory",
    "safe_frame",
    "warn_text_repairs",
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
