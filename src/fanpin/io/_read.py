"""Reading tables from CSV (UTF-8, UTF-8 with BOM, GBK), Parquet and Excel files.

Readers return the raw table: for CSV and Excel every cell as text (so household
codes keep their leading zeros), for Parquet the stored types. Interpreting the
columns is :mod:`fanpin.schema`'s job.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from pathlib import Path

import pandas as pd

from ..exceptions import InputError

__all__ = ["SUPPORTED_SUFFIXES", "detect_encoding", "read_table"]

logger = logging.getLogger(__name__)

SUPPORTED_SUFFIXES = (".csv", ".txt", ".parquet", ".pq", ".xlsx", ".xlsm")
_ENCODINGS = ("utf-8-sig", "gb18030")
_SNIFF_BYTES = 1 << 20


def detect_encoding(path: str | Path) -> str:
    """Detect whether a CSV file is UTF-8 (with or without BOM) or GBK/GB18030.

    Returns ``"utf-8-sig"`` (which also reads plain UTF-8) or ``"gb18030"`` (a superset
    of GBK and GB2312).
    """
    with open(path, "rb") as fh:
        head = fh.read(_SNIFF_BYTES)
    if head.startswith(b"\xef\xbb\xbf"):
        return "utf-8-sig"
    # Cut at the last newline so that a multi-byte character is not split.
    if len(head) == _SNIFF_BYTES and b"\n" in head:
        head = head[: head.rindex(b"\n")]
    try:
        head.decode("utf-8")
        return "utf-8-sig"
    except UnicodeDecodeError:
        pass
    try:
        head.decode("gb18030")
        return "gb18030"
    except UnicodeDecodeError:
        raise InputError(
            f"Cannot read {Path(path).name!r}: it is neither UTF-8 nor GBK text. "
            "Save the "
            "file as CSV UTF-8 (Excel: 另存为 → CSV UTF-8) and try again."
        ) from None


def _header_row(raw: pd.DataFrame, known: set[str]) -> int:
    """Index of the first row that looks like a header (≥ 3 known column names)."""
    for i in range(min(len(raw), 20)):
        cells = {str(v).strip() for v in raw.iloc[i].tolist() if pd.notna(v)}
        if len(cells & known) >= 3:
            return i
    return 0


def _read_excel(path: Path, known: set[str], sheet: str | int | None) -> pd.DataFrame:
    try:
        sheets = pd.read_excel(
            path,
            sheet_name=None if sheet is None else sheet,
            header=None,
            dtype=str,
            engine="openpyxl",
        )
    except (ValueError, KeyError, OSError) as exc:
        raise InputError(
            f"Cannot read Excel file {path.name!r}: {exc}. Check that it is a valid "
            ".xlsx "
            "file and, with --sheet, that the sheet exists."
        ) from None
    except Exception as exc:  # zip/xml errors from a corrupted workbook
        raise InputError(
            f"Cannot read Excel file {path.name!r} ({type(exc).__name__}): the file "
            "looks "
            "corrupted or is not .xlsx. Re-export it from the source system."
        ) from None
    if isinstance(sheets, pd.DataFrame):
        sheets = {sheet: sheets}
    # Pick the sheet whose header matches the contract best.
    best_name, best_score, best_frame, best_row = None, -1, None, 0
    for name, frame in sheets.items():
        row = _header_row(frame, known)
        cells = (
            {str(v).strip() for v in frame.iloc[row].tolist()} if len(frame) else set()
        )
        score = len(cells & known)
        if score > best_score:
            best_name, best_score, best_frame, best_row = name, score, frame, row
    if best_frame is None or best_frame.empty:
        raise InputError(f"Excel file {path.name!r} has no data on any sheet.")
    if len(sheets) > 1:
        logger.info("read sheet %r of %d in %s", best_name, len(sheets), path.name)
    header = [
        str(v).strip() if pd.notna(v) else f"Unnamed: {j}"
        for j, v in enumerate(best_frame.iloc[best_row].tolist())
    ]
    body = best_frame.iloc[best_row + 1 :].reset_index(drop=True)
    body.columns = header
    return body.dropna(how="all")


def read_table(
    path: str | Path,
    *,
    known_columns: Iterable[str] = (),
    sheet: str | int | None = None,
    columns: list[str] | None = None,
) -> pd.DataFrame:
    """Read one table from a CSV, Parquet or Excel file.

    Parameters
    ----------
    path : str or Path
        The file; its suffix picks the reader.
    known_columns : iterable of str
        Column names to look for when finding the header row of an Excel sheet
        (a title row above the header is skipped) and the right sheet.
    sheet : str or int, optional
        Excel only: the sheet to read; by default the sheet whose header matches
        ``known_columns`` best.
    columns : list of str, optional
        Parquet only: read just these columns.

    Raises
    ------
    InputError
        The file is missing, empty, truncated, of an unknown format or encoding.
    """
    p = Path(path)
    if not p.is_file():
        raise InputError(f"Input file {str(p)!r} does not exist. Check the path.")
    if p.stat().st_size == 0:
        raise InputError(f"Input file {p.name!r} is empty (0 bytes). Export it again.")
    suffix = p.suffix.lower()
    if suffix in (".csv", ".txt"):
        enc = detect_encoding(p)
        try:
            df = pd.read_csv(
                p,
                dtype=str,
                encoding=enc,
                keep_default_na=False,
                na_values=["", "NA", "NaN", "nan", "null", "NULL", "None"],
                skipinitialspace=False,
            )
        except pd.errors.EmptyDataError:
            raise InputError(
                f"Input file {p.name!r} has no header and no rows."
            ) from None
        except (pd.errors.ParserError, UnicodeDecodeError) as exc:
            raise InputError(
                f"Cannot parse CSV file {p.name!r}: {str(exc).splitlines()[0]}. "
                "Check that "
                "every row has the same number of fields and quotes are balanced."
            ) from None
        df.columns = [str(c).strip() for c in df.columns]
        return df
    if suffix in (".parquet", ".pq"):
        try:
            return pd.read_parquet(p, columns=columns)
        except Exception as exc:  # pyarrow raises several types for broken files
            raise InputError(
                f"Cannot read Parquet file {p.name!r} ({type(exc).__name__}: "
                f"{str(exc).splitlines()[0] if str(exc) else ''}). The file is "
                "truncated "
                "or not Parquet; write it again."
            ) from None
    if suffix in (".xlsx", ".xlsm"):
        return _read_excel(p, set(known_columns), sheet)
    raise InputError(
        f"Cannot read {p.name!r}: unknown file type {suffix!r}. Expected one of "
        f"{', '.join(SUPPORTED_SUFFIXES)} (CSV in UTF-8 or GBK, Parquet, Excel .xlsx)."
    )
