"""Reading and writing tables: CSV (UTF-8 or GBK), Parquet and Excel; atomic writes.

A leaf of the package: it depends only on :mod:`fanpin.exceptions`.

Examples
--------
>>> import tempfile, pathlib, pandas as pd
>>> path = pathlib.Path(tempfile.mkdtemp()) / "t.csv"
>>> _ = write_table(pd.DataFrame({"户编码": ["001"], "年度": [2024]}), path)
>>> read_table(path).columns.tolist()
['户编码', '年度']
"""

from ._read import SUPPORTED_SUFFIXES, detect_encoding, read_table
from ._write import atomic_path, process_alive, write_table, write_text

__all__ = [
    "SUPPORTED_SUFFIXES",
    "atomic_path",
    "detect_encoding",
    "process_alive",
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
