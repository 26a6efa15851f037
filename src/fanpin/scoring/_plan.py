"""The first, cheap pass: which counties go together in which chunk.

Features of fanpin are history-aware (all years of a household) **and**
cross-sectional (county and village means of the same year, see
:meth:`fanpin.features.PanelView.group_mean`). A chunk therefore holds whole
counties: every row of a (province, county) pair is in one chunk, so every
household's history is too — except for a household that moved county, whose
counties are then joined (union-find) into one group. Groups are packed, in key
order, into chunks of about ``chunk_households`` households. A chunk is never
smaller than one county.

The pass reads four columns only (household id, year, province, county). The
64-bit hash and county code of each distinct (household, county) pair go to
temporary files split by hash range (12 bytes a household on disk); only one
range is in memory at a time, plus one batch and per-county counters.
"""

from __future__ import annotations

import logging
import tempfile
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from ..exceptions import SchemaError
from ..io import ROW_COLUMN, inspect_table, iter_table_batches
from ..messages import N_, Message
from ..schema import COLUMNS, PII_COLUMNS, normalise_headers

__all__ = ["ChunkPlan", "contract_rename", "panel_households", "plan_chunks"]

logger = logging.getLogger(__name__)

KEY_COLUMNS = ("household_id", "year", "province", "county")
MSG_NO_KEY = N_(
    "The panel lacks the column(s) {missing} needed to cut it into chunks (all "
    "years of a household and all households of a county stay together). Found "
    "columns: {found}."
)
MSG_NO_YEAR = N_(
    "No valid year found in the panel's 'year' column; expected calendar years "
    "like 2024. Validate the file with `fanpin validate`."
)


@dataclass(frozen=True)
class ChunkPlan:
    """How a panel file is cut into chunks of whole counties.

    Attributes
    ----------
    path : Path
        The panel file.
    rename : dict
        File column name -> contract name, for the contract columns present
        (personal-data columns are left out: they are never read).
    chunks : tuple of tuple of (str, str)
        The (province, county) keys of each chunk, in order.
    chunk_households : tuple of int
        Households (distinct ids) per chunk.
    n_households : int
        Distinct household ids in the file.
    n_rows : int
    latest_year : int
        The year that is scored.
    n_movers : int
        Households found in more than one county (their counties share a chunk).
    """

    path: Path
    rename: dict[str, str]
    chunks: tuple[tuple[tuple[str, str], ...], ...]
    chunk_households: tuple[int, ...]
    n_households: int
    n_rows: int
    latest_year: int
    n_movers: int = 0
    county_chunk: dict[tuple[str, str], int] = field(default_factory=dict)

    @property
    def n_chunks(self) -> int:
        return len(self.chunks)

    def file_columns(self) -> list[str]:
        """File column names to read (contract columns only, no personal data)."""
        return list(self.rename)


def _known_columns() -> list[str]:
    """Every header a panel file may use (contract names, aliases, personal data)."""
    known = {c.name for c in COLUMNS} | {c.alias for c in COLUMNS}
    return sorted(known | set(PII_COLUMNS) | set(PII_COLUMNS.values()))


def contract_rename(path: str | Path) -> dict[str, str]:
    """File column -> contract name for the contract columns of ``path``.

    Personal-data columns are left out, so they are never read.
    """
    layout = inspect_table(path, known_columns=_known_columns())
    names = list(layout.columns)
    renamed, dropped = normalise_headers(pd.DataFrame(columns=names))
    kept = [n for n in names if n not in set(dropped)]
    contract = {c.name for c in COLUMNS}
    rename = {
        orig: str(new)
        for orig, new in zip(kept, renamed.columns, strict=True)
        if new in contract
    }
    if layout.kind != "parquet":  # each row's number in the file, for messages
        rename[ROW_COLUMN] = ROW_COLUMN
    return rename


def _clean_ids(values: pd.Series) -> pa.Array:
    """Household codes as :func:`fanpin.schema.validate_households` keeps them:
    text, NFKC-normalised (full-width to half-width), trimmed."""
    arr = pa.array(values.astype("string"))
    if isinstance(arr, pa.ChunkedArray):
        arr = arr.combine_chunks()
    return pc.utf8_trim_whitespace(pc.utf8_normalize(arr, "NFKC"))


def panel_households(panel_path: str | Path, ids: Iterable[str]) -> set[str]:
    """Which of ``ids`` the panel file holds, reading only its household id column.

    What :func:`fanpin.schema.read_events` needs from the panel (events must
    name households of the panel), without loading the panel: pass it
    ``pd.DataFrame({"household_id": sorted(found)})``. Memory: the ids asked
    for and one batch of the column.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> f = pathlib.Path(tempfile.mkdtemp()) / "p.csv"
    >>> pd.DataFrame({"户编码": ["001", " 002", "003"], "year": 2024}).to_csv(
    ...     f, index=False)
    >>> sorted(panel_households(f, ["002", "003", "999"]))
    ['002', '003']
    """
    wanted = pa.array(sorted({str(i) for i in ids}), type=pa.large_string())
    column = next(
        (f for f, c in contract_rename(panel_path).items() if c == "household_id"),
        None,
    )
    if column is None or not len(wanted):
        return set()
    found: set[str] = set()
    for batch in iter_table_batches(
        panel_path, columns=[column], known_columns=_known_columns()
    ):
        got = _clean_ids(batch[column]).cast(pa.large_string())
        hit = got.filter(pc.is_in(got, value_set=wanted))
        found.update(pc.unique(hit).to_pylist())
    return found


def key_strings(s: pd.Series) -> np.ndarray:
    """A key column as stripped text (missing -> "")."""
    return s.astype("string").str.strip().fillna("").to_numpy(dtype=object)


def _key_codes(s: pd.Series) -> tuple[np.ndarray, np.ndarray]:
    """``pd.factorize(key_strings(s))``, cleaning each distinct value only once.

    Raw values are factorized first (in Arrow for Arrow-backed text), then the
    few distinct values are stripped and factorized again; codes keep the order
    of first appearance, as factorizing the cleaned column would.
    """
    raw_codes, raw_uniq = pd.factorize(s, use_na_sentinel=False)
    keys = key_strings(pd.Series(raw_uniq, dtype=s.dtype))
    key_codes, uniq = pd.factorize(keys)
    return key_codes[raw_codes], uniq


def county_codes(
    province: pd.Series, county: pd.Series
) -> tuple[np.ndarray, list[tuple[str, str]]]:
    """Integer code of each row's (province, county) and the distinct keys."""
    pc, pu = _key_codes(province)
    cc, cu = _key_codes(county)
    codes, combos = pd.factorize(pc.astype(np.int64) * (len(cu) + 1) + cc)
    keys = [(str(pu[c // (len(cu) + 1)]), str(cu[c % (len(cu) + 1)])) for c in combos]
    return codes, keys


def parse_years(s: pd.Series) -> np.ndarray:
    """Years as float (NaN where unreadable); '2024年' reads as 2024."""
    if pd.api.types.is_numeric_dtype(s.dtype):
        return pd.to_numeric(s, errors="coerce").to_numpy(dtype="float64")
    digits = s.astype("string").str.extract(r"(\d{4})", expand=False)
    return pd.to_numeric(digits, errors="coerce").to_numpy(
        dtype="float64", na_value=np.nan
    )


N_BUCKETS = 32


def _distinct_pairs(h: np.ndarray, c: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Distinct (hash, county) pairs, sorted by hash then county."""
    order = np.lexsort((c, h))
    h, c = h[order], c[order]
    keep = np.ones(len(h), dtype=bool)
    keep[1:] = (h[1:] != h[:-1]) | (c[1:] != c[:-1])
    return h[keep], c[keep]


class _Buckets:
    """(hash, county) pairs spilled to temporary files, one per range of hashes.

    The plan pass needs every household's id hash once, but one range of hashes
    at a time: pairs are appended to :data:`N_BUCKETS` anonymous temporary files
    (12 bytes a pair) and read back one file at a time.
    """

    def __enter__(self) -> _Buckets:
        self._files = [
            (tempfile.TemporaryFile(), tempfile.TemporaryFile())
            for _ in range(N_BUCKETS)
        ]
        return self

    def __exit__(self, *exc: object) -> None:
        for fh, fc in self._files:
            fh.close()
            fc.close()

    def add(self, h: np.ndarray, c: np.ndarray) -> None:
        bucket = (h >> np.uint64(64 - 5)).astype(np.int64)  # 32 = 2**5 ranges
        order = np.argsort(bucket, kind="stable")
        bounds = np.searchsorted(bucket[order], np.arange(N_BUCKETS + 1))
        for i in np.flatnonzero(np.diff(bounds)):
            rows = order[bounds[i] : bounds[i + 1]]
            fh, fc = self._files[i]
            fh.write(np.ascontiguousarray(h[rows], dtype=np.uint64).tobytes())
            fc.write(np.ascontiguousarray(c[rows], dtype=np.int32).tobytes())

    def __iter__(self) -> Iterator[tuple[np.ndarray, np.ndarray]]:
        for fh, fc in self._files:
            fh.seek(0)
            fc.seek(0)
            yield np.fromfile(fh, dtype=np.uint64), np.fromfile(fc, dtype=np.int32)


def _find(parent: list[int], i: int) -> int:
    while parent[i] != i:
        parent[i] = parent[parent[i]]
        i = parent[i]
    return i


def plan_chunks(
    path: str | Path, *, chunk_households: int = 250_000, batch_rows: int = 524_288
) -> ChunkPlan:
    """Read the key columns of a panel file and cut it into chunks of whole counties.

    Parameters
    ----------
    path : str or Path
        Panel file (CSV, Parquet or Excel; English or Chinese headers).
    chunk_households : int
        Target households per chunk; a county larger than this is a chunk alone.
    batch_rows : int
        Rows read at a time.

    Examples
    --------
    >>> import tempfile, pathlib, pandas as pd
    >>> f = pathlib.Path(tempfile.mkdtemp()) / "p.csv"
    >>> raw = pd.DataFrame({"户编码": ["a", "a", "b", "c"],
    ...                     "年度": [2023, 2024, 2024, 2024],
    ...                     "省": ["P"] * 4, "县": ["X", "X", "Y", "Z"]})
    >>> raw.to_csv(f, index=False)
    >>> plan = plan_chunks(f, chunk_households=2)
    >>> plan.chunks, plan.latest_year, plan.n_households
    (((('P', 'X'), ('P', 'Y')), (('P', 'Z'),)), 2024, 3)
    """
    path = Path(path)
    rename = contract_rename(path)
    inverse = {v: k for k, v in rename.items()}
    missing = [c for c in KEY_COLUMNS if c not in inverse]
    if missing:
        raise SchemaError(
            Message(MSG_NO_KEY, missing=missing, found=list(rename.values())[:20])
        )
    file_cols = [inverse[c] for c in KEY_COLUMNS]
    county_code: dict[tuple[str, str], int] = {}
    n_rows = 0
    latest = -np.inf
    with _Buckets() as buckets:
        for raw in iter_table_batches(path, columns=file_cols, batch_rows=batch_rows):
            n_rows += len(raw)
            hh, yr, pv, ct = (raw[c] for c in file_cols)
            years = parse_years(yr)
            if np.isfinite(years).any():
                latest = max(latest, float(np.nanmax(years)))
            codes, uniques = county_codes(pv, ct)
            local = np.array(
                [county_code.setdefault(k, len(county_code)) for k in uniques],
                dtype=np.int32,
            )
            h = pd.util.hash_array(key_strings(hh), categorize=True)
            buckets.add(*_distinct_pairs(h, local[codes]))
            del raw, hh, yr, pv, ct, h, codes
        if not np.isfinite(latest):
            raise SchemaError(Message(MSG_NO_YEAR))
        n_counties = len(county_code)
        per_county = np.zeros(n_counties, dtype=np.int64)
        parent = list(range(n_counties))
        n_households = n_movers = 0
        # Households never span buckets (a bucket is a range of id hashes), so
        # each bucket is counted alone: memory is one bucket, not every id.
        for hashes, counties in buckets:
            hashes, counties = _distinct_pairs(hashes, counties)
            per_county += np.bincount(counties, minlength=n_counties)
            # Union the counties of households seen in more than one county.
            same = hashes[1:] == hashes[:-1]
            for i in np.flatnonzero(same):
                a = _find(parent, int(counties[i]))
                b = _find(parent, int(counties[i + 1]))
                if a != b:
                    parent[max(a, b)] = min(a, b)
            n_households += int(len(hashes) - same.sum())
            n_movers += int(len(np.unique(hashes[1:][same])))
            del hashes, counties, same
    if n_movers:
        logger.info("%d household(s) appear in more than one county", n_movers)
    keys_by_code = sorted(county_code, key=county_code.get)
    groups: dict[int, list[int]] = {}
    for code in range(n_counties):
        groups.setdefault(_find(parent, code), []).append(code)
    ordered = sorted(groups.values(), key=lambda g: min(keys_by_code[c] for c in g))
    chunks: list[list[tuple[str, str]]] = []
    sizes: list[int] = []
    for g in ordered:
        size = int(per_county[g].sum())
        keys = sorted(keys_by_code[c] for c in g)
        if chunks and sizes[-1] + size <= chunk_households:
            chunks[-1].extend(keys)
            sizes[-1] += size
        else:
            chunks.append(keys)
            sizes.append(size)
    county_chunk = {k: i for i, ks in enumerate(chunks) for k in ks}
    logger.info(
        "planned %d chunk(s) of whole counties for %d households (%d rows)",
        len(chunks),
        n_households,
        n_rows,
    )
    return ChunkPlan(
        path=path,
        rename=rename,
        chunks=tuple(tuple(c) for c in chunks),
        chunk_households=tuple(sizes),
        n_households=n_households,
        n_rows=n_rows,
        latest_year=int(latest),
        n_movers=n_movers,
        county_chunk=county_chunk,
    )
