"""``convert_households``: an export read and validated once, as sorted Parquet.

The monthly job reads the panel several times (the chunk plan, then each chunk).
From an Excel export every read parses the workbook; from Parquet sorted by
county in row groups each chunk reads only its own row groups (the streaming
scorer's direct path, :data:`fanpin.scoring._spill.MAX_READ_FACTOR`). So the
export is converted once, right after ``validate``: read with the one reader,
validated, sorted by county, province, township, village, household and year,
and written atomically as Parquet in row groups of :data:`ROW_GROUP_ROWS` rows.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq

from ..exceptions import OutputError
from ..io import TableLayout, atomic_path, inspect_table
from ..messages import N_, Message
from ._read import HEADER_NAMES, read_households

__all__ = ["ROW_GROUP_ROWS", "ConvertSummary", "convert_households"]

ROW_GROUP_ROWS = 65_536
"""Largest row group: a chunk of whole counties reads few groups. A smaller
panel gets groups of ``rows / 64`` (at least 4,096 rows) so that a chunk still
reads about its own rows only."""
MIN_ROW_GROUP_ROWS = 4_096
SORT_KEYS = ("county", "province", "township", "village", "household_id", "year")
"""County first: the row groups' min/max statistics of the county column (what
the streaming scorer filters on) are then as narrow as they can be."""

MSG_NOT_PARQUET = N_(
    "The output of convert must be a .parquet file; got {name!r}. Write for "
    "example panel.parquet."
)
MSG_SAME_FILE = N_(
    "The output {out!r} is the input file itself; write the Parquet panel to "
    "another path."
)


@dataclass(frozen=True)
class ConvertSummary:
    """What :func:`convert_households` wrote."""

    source: Path
    out: Path
    layout: TableLayout
    rows: int
    households: int
    first_year: int
    last_year: int
    counties: int
    row_groups: int
    seconds: float


def convert_households(
    source: str | Path,
    out: str | Path,
    *,
    sheet: str | int | None = None,
    progress: Callable[[int, int], None] | None = None,
    row_group_rows: int | None = None,
) -> ConvertSummary:
    """Read, validate and write a household export as a sorted Parquet panel.

    Parameters
    ----------
    source : str or Path
        The export: CSV (UTF-8 or GBK), Excel or Parquet, title rows and all.
    out : str or Path
        The ``.parquet`` file to write (atomically: a failed run leaves nothing).
    sheet : str or int, optional
        Excel: the sheet to read (default: found by its columns).
    progress : callable, optional
        ``progress(done, total)`` while reading (bytes of a CSV, rows otherwise).
    row_group_rows : int, optional
        Rows per row group (default: ``rows / 64`` between 4,096 and
        :data:`ROW_GROUP_ROWS`).

    Raises
    ------
    SchemaError
        The export breaks the contract (every problem, with rows).
    OutputError
        ``out`` is not a .parquet path, is the input, or cannot be written.

    Examples
    --------
    >>> import tempfile, pathlib, warnings
    >>> from fanpin.synthetic import simulate, SimulationParams
    >>> d = pathlib.Path(tempfile.mkdtemp())
    >>> sim = simulate(50, years=range(2023, 2025), seed=0,
    ...                params=SimulationParams(oracle_draws=2))
    >>> sim.panel.to_csv(d / "export.csv", index=False)
    >>> with warnings.catch_warnings():
    ...     warnings.simplefilter("ignore")
    ...     s = convert_households(d / "export.csv", d / "panel.parquet")
    >>> s.rows, s.households, s.row_groups
    (100, 50, 1)
    """
    started = time.perf_counter()
    src, dst = Path(source), Path(out)
    if dst.suffix.lower() not in (".parquet", ".pq"):
        raise OutputError(Message(MSG_NOT_PARQUET, name=dst.name))
    if dst.exists() and src.exists() and dst.resolve() == src.resolve():
        raise OutputError(Message(MSG_SAME_FILE, out=str(dst)))
    layout = inspect_table(src, known_columns=HEADER_NAMES, sheet=sheet)
    panel = read_households(src, sheet=sheet, progress=progress)
    keys = [k for k in SORT_KEYS if k in panel]
    panel = panel.sort_values(keys, kind="stable", na_position="last")
    panel = panel.reset_index(drop=True)
    table = pa.Table.from_pandas(panel, preserve_index=False)
    if row_group_rows is None:
        row_group_rows = min(ROW_GROUP_ROWS, max(MIN_ROW_GROUP_ROWS, len(panel) // 64))
    with atomic_path(dst) as tmp:
        pq.write_table(table, tmp, row_group_size=row_group_rows)
    groups = pq.ParquetFile(dst).metadata.num_row_groups
    return ConvertSummary(
        source=src,
        out=dst,
        layout=layout,
        rows=len(panel),
        households=int(panel["household_id"].nunique()),
        first_year=int(panel["year"].min()),
        last_year=int(panel["year"].max()),
        counties=int(panel[["province", "county"]].drop_duplicates().shape[0]),
        row_groups=int(groups),
        seconds=time.perf_counter() - started,
    )
