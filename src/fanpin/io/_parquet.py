"""Opening Parquet files with one message for every way they can be broken."""

from __future__ import annotations

from pathlib import Path

import pyarrow.parquet as pq

from ..exceptions import InputError
from ..messages import N_, Message

__all__ = ["MSG_BAD_PARQUET", "parquet_file"]

MSG_BAD_PARQUET = N_(
    "Cannot read Parquet file {name!r} ({kind}). The file is truncated or not "
    "Parquet; write it again."
)


def parquet_file(p: Path) -> pq.ParquetFile:
    """``pyarrow.parquet.ParquetFile(p)``, an :class:`InputError` if broken."""
    try:
        return pq.ParquetFile(p)
    except Exception as exc:  # pyarrow raises several types for broken files
        raise InputError(
            Message(MSG_BAD_PARQUET, name=p.name, kind=type(exc).__name__)
        ) from None
