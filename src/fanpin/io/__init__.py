"""Reading and writing tables: CSV (UTF-8 or GBK), Parquet and Excel; atomic writes.

A leaf of the package: it depends only on :mod:`fanpin.exceptions`.
"""

from ._read import SUPPORTED_SUFFIXES, detect_encoding, read_table
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
    recover_directory,
    replace_directory,
    warn_text_repairs,
    write_table,
    write_text,
)

__all__ = [
    "FORMULA_START",
    "PLACE_COLUMNS",
    "SUPPORTED_SUFFIXES",
    "atomic_path",
    "check_apart",
    "clean_text",
    "detect_encoding",
    "has_personal_numbers",
    "mask_personal_numbers",
    "neutralise_formula",
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
