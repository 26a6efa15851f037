"""An alerts run over a panel file of any size, chunk by chunk, bounded memory.

:func:`run_alerts_file` gives the results of :func:`~fanpin.workflow.run_alerts`
on the whole panel, row by row, while holding one chunk of whole counties
(:func:`fanpin.scoring.iter_panel_chunks`) at a time:

1. **score** (first pass over the chunks): score the latest year (before the
   events, as the in-memory run), apply each chunk's department pushes and score
   the pushed households again; write the scored, monitored and excluded rows as
   sorted part files. Kept in memory: the score before the events of every
   scored household (8 bytes each) and the few pushed households.
2. **write**: the global cutoffs (alert cutoff, level cutoffs) from all scores
   before the events; a k-way merge of the sorted parts
   (:func:`fanpin.scoring._merge.global_order`) gives the global ranks, and the
   scored list is written block by block. Township capacity is counted along
   the global order (highest risk first), so it equals :func:`flag_capacity`
   on the whole list. The listed households (a few %) are kept in memory.
3. **alerts** (second pass): each chunk with listed households gets its pushes
   again, its listed households explained, their measures and what-if.
4. The alert list is sorted once (county, township, rank) and every output is
   moved onto its target in the order of
   :func:`~fanpin.workflow.write_alert_files`, each atomically.

Events are split by household: each chunk gets the events of its households;
those of households in no chunk are skipped exactly as the in-memory run skips
them (``household not in the panel``, or an earlier reason). The lines warning
(:data:`~fanpin.workflow._run.LINES_CARRIED`) and the skipped-events log lines
are given once for the whole run.
"""

from __future__ import annotations

import logging
import os
import shutil
import tempfile
import time
import warnings
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

from ..config import (
    ALERT_LEVELS,
    AlertsConfig,
    MonitoringLines,
    RiskTypes,
    load_alerts_config,
    load_risk_types,
)
from ..exceptions import ConfigError, OutputError
from ..explain import explain_households
from ..io import TableAppender, iter_table_batches, table_columns, write_table
from ..io._write import process_alive
from ..models import (
    ID_COLUMNS,
    RISK_LEVELS,
    assign_risk_levels,
    id_frame,
    score_panel,
)
from ..schema import COLUMNS, PII_COLUMNS
from ..schema._headers import normalise_headers
from ..scoring import iter_panel_chunks, plan_chunks
from ..scoring._merge import PART_ROW_GROUP, PartCursor, global_order
from ._alerts import (
    NO_TOWNSHIP,
    SOURCE_MODEL,
    SOURCE_PUSH,
    alert_rows,
    level_of,
    sort_alerts,
)
from ._assistance import AssistanceMap, load_assistance_map
from ._events import apply_events_quietly, check_events, log_skipped
from ._export import write_workbooks
from ._run import (
    _latest_rows,
    _lines_ahead,
    event_exclusions,
    household_exclusions,
    pushed_records,
)
from ._whatif import what_if

__all__ = [
    "MSG_BAD_TABLE_FORMAT",
    "AlertFileRun",
    "panel_households",
    "run_alerts_file",
]

logger = logging.getLogger(__name__)

Progress = Callable[[str, int, int], None]

MSG_BAD_TABLE_FORMAT = (
    "table_format must be 'csv' or 'parquet' (the format of scored, monitored "
    "and exclusions); got {value!r}."
)
BLOCK_ROWS = 131_072
"""Rows per block when the sorted parts are merged into an output."""
_SEP = "\x00"  # joins county and township into one key (never in a name)
WORK_PREFIX = ".fanpin-alerts-"
"""Name prefix of the work folder (sorted parts) inside the output folder."""


def _remove_stale_work(folder: Path) -> None:
    """Remove work folders left by killed runs (their process no longer runs)."""
    for d in folder.glob(f"{WORK_PREFIX}*"):
        pid = d.name[len(WORK_PREFIX) :].split("-", 1)[0]
        if d.is_dir() and pid.isdigit() and not process_alive(int(pid)):
            shutil.rmtree(d, ignore_errors=True)


@dataclass(frozen=True)
class AlertFileRun:
    """What :func:`run_alerts_file` did; the big tables are files, not frames.

    Attributes
    ----------
    alerts : DataFrame
        The alert list, as ``run_alerts(...).alerts``.
    cutoff : float
        The alert cutoff score.
    files : dict
        The files written, keyed as :func:`write_alert_files` keys them.
    households, scored, alerted, over_capacity, monitored, excluded : int
        Households in the panel; rows of scored (of which ``alerted`` above the
        cutoff and ``over_capacity`` cut by capacity), monitored and exclusions.
    chunks : int
        Chunks of whole counties the panel was read in.
    applied, skipped : DataFrame or None
        The applied and skipped events (None without events), as the
        ``applied`` and ``skipped`` of :class:`AppliedEvents` (without
        ``row``: index labels of the whole panel, never built here).
    seconds : float
    latest_year : int or None
        The panel's latest year: the annual record every listed household's
        alert rests on (the case store's ``record_year``).
    """

    alerts: pd.DataFrame
    cutoff: float
    files: dict[str, Path | list[Path]]
    households: int
    scored: int
    alerted: int
    over_capacity: int
    monitored: int
    excluded: int
    chunks: int
    applied: pd.DataFrame | None = None
    skipped: pd.DataFrame | None = None
    seconds: float = 0.0
    latest_year: int | None = None


# -- reading the household ids of a panel file ----------------------------------
_KNOWN = sorted(
    {c.name for c in COLUMNS}
    | {c.alias for c in COLUMNS}
    | set(PII_COLUMNS)
    | set(PII_COLUMNS.values())
)


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
    names = table_columns(panel_path, known_columns=_KNOWN)
    renamed, dropped = normalise_headers(pd.DataFrame(columns=names))
    kept = [n for n in names if n not in set(dropped)]
    column = next(
        (
            orig
            for orig, new in zip(kept, renamed.columns, strict=True)
            if new == "household_id"
        ),
        None,
    )
    if column is None or not len(wanted):
        return set()
    found: set[str] = set()
    for batch in iter_table_batches(panel_path, columns=[column], known_columns=_KNOWN):
        got = _clean_ids(batch[column]).cast(pa.large_string())
        hit = got.filter(pc.is_in(got, value_set=wanted))
        found.update(pc.unique(hit).to_pylist())
    return found


# -- sorted part files and their merge ----------------------------------------
def _write_part(frame: pd.DataFrame, path: Path) -> Path:
    """One sorted part (small row groups: a merge holds one buffer per part)."""
    pq.write_table(
        pa.Table.from_pandas(frame, preserve_index=False),
        path,
        row_group_size=PART_ROW_GROUP,
    )
    return path


def _merge_parts(
    out: Path,
    parts: Sequence[Path],
    chunk_of_row: np.ndarray,
    *,
    template: pd.DataFrame,
    block: Callable[[pd.DataFrame, int], pd.DataFrame] | None = None,
    head: pd.DataFrame | None = None,
    tail: pd.DataFrame | None = None,
    report: Callable[[int], None] | None = None,
) -> int:
    """Write ``head``, the parts' rows in ``chunk_of_row`` order, then ``tail``.

    ``block(frame, first_row)`` turns each block of merged rows into output rows;
    ``template`` (no rows) gives the columns when there is nothing to write.
    Returns the rows written.
    """
    readers = [PartCursor(p) for p in parts]
    n = len(chunk_of_row)
    rows = 0
    with TableAppender(out) as writer:
        if head is not None and len(head):
            writer.write(head)
            rows += len(head)
        for r0 in range(0, n, BLOCK_ROWS):
            r1 = min(r0 + BLOCK_ROWS, n)
            cids = chunk_of_row[r0:r1]
            counts = np.bincount(cids, minlength=len(readers))
            pieces = [readers[c].take(int(k)) for c, k in enumerate(counts) if k]
            table = pa.concat_tables(pieces, promote_options="permissive")
            perm = np.argsort(cids, kind="stable")
            inv = np.empty_like(perm)
            inv[perm] = np.arange(len(perm))
            frame = table.take(pa.array(inv)).to_pandas()
            writer.write(block(frame, r0) if block is not None else frame)
            rows += r1 - r0
            if report is not None:
                report(r1 - r0)
        if tail is not None and len(tail):
            writer.write(tail)
            rows += len(tail)
        if rows == 0:
            writer.write(block(template, 0) if block is not None else template)
    return rows


class _Once:
    """Collect the warnings of a pass over the chunks; give each one once.

    Every chunk is validated and scored alike, so a warning (e.g. an input
    repair) would come once per chunk, and again in the second pass. Warnings
    already given (``seen``) are not given again.
    """

    def __init__(self, seen: dict[tuple[type[Warning], str], None] | None = None):
        self.seen = seen if seen is not None else {}
        self._ctx = warnings.catch_warnings(record=True)

    def __enter__(self) -> _Once:
        self._caught = self._ctx.__enter__()
        warnings.simplefilter("always")
        return self

    def __exit__(self, *exc: object) -> None:
        self._ctx.__exit__(*exc)
        if exc[0] is not None:
            return
        for w in self._caught:
            key = (w.category, str(w.message))
            if key not in self.seen:
                self.seen[key] = None
                # the warning's own message: a fanpin Message stays translatable
                args = w.message.args
                message = args[0] if len(args) == 1 else key[1]
                warnings.warn(message, key[0], stacklevel=3)


# -- one chunk, first pass -----------------------------------------------------
@dataclass
class _Pass1:
    """What the first pass keeps: scores before the events, parts, small tables."""

    workdir: Path
    pre_scores: list[np.ndarray] = field(default_factory=list)
    pre_parts: list[Path] = field(default_factory=list)
    scored_parts: list[Path] = field(default_factory=list)
    monitored_parts: list[Path] = field(default_factory=list)
    excluded_parts: list[Path] = field(default_factory=list)
    moved: list[pd.DataFrame] = field(default_factory=list)
    applied: list[pd.DataFrame] = field(default_factory=list)
    skipped: list[pd.DataFrame] = field(default_factory=list)
    years: set[int] = field(default_factory=set)
    scored_template: pd.DataFrame | None = None
    monitored_template: pd.DataFrame | None = None
    empty_panel: pd.DataFrame | None = None
    households: int = 0
    chunks: int = 0


def _chunk_events(
    events: pd.DataFrame | None, event_ids: pd.Series, ids: pd.Series, taken: np.ndarray
) -> pd.DataFrame | None:
    """The events of the households of one chunk (marked ``taken``)."""
    if events is None:
        return None
    # the chunk's households with events (few), then their events
    present = ids[ids.isin(event_ids.unique())].unique().tolist()
    mine = event_ids.isin(set(present)).to_numpy() & ~taken
    taken |= mine
    return events.loc[mine]


def _score_chunk(
    st: _Pass1,
    panel: pd.DataFrame,
    model: Any,
    lines: MonitoringLines,
    events: pd.DataFrame | None,
    *,
    as_of: pd.Timestamp,
    config: AlertsConfig,
    covered: str,
    first_dtype: Any,
) -> None:
    """Scores before and after the events of one chunk, written as sorted parts."""
    k = st.chunks
    latest = int(panel.attrs["latest_year"])
    if st.empty_panel is None:
        st.empty_panel = panel.iloc[:0]
    if (panel["year"] == latest).any():
        scored, monitored = score_panel(model, panel, lines)
        if st.monitored_template is None:
            st.monitored_template = monitored.iloc[:0]
    else:  # no record in the latest year: nobody scored before the events
        scored, monitored = id_frame(panel.iloc[:0]), None
        scored["risk_score"] = np.empty(0, dtype="float64")
    p_pre = scored["risk_score"].to_numpy(dtype="float64")
    st.pre_scores.append(p_pre)
    pre = scored[["risk_score", "household_id"]]
    st.pre_parts.append(_write_part(pre, st.workdir / f"pre-{k}.parquet"))
    work, applied = panel, None
    if events is not None:
        st.years.update(int(y) for y in panel["year"].unique())
    if events is not None and len(events):
        res = apply_events_quietly(
            panel, events, as_of=as_of, config=config, covered=covered
        )
        st.applied.append(res.applied)
        st.skipped.append(res.skipped)
        work, applied = res.panel, res.applied
    last = _latest_rows(work)
    pushed = None
    if applied is not None and len(applied):
        st.years.update(int(y) for y in work["year"].unique())
        # the lines of this chunk's years; the warning is given once, later
        m, ln = _lines_ahead(model, lines, sorted(st.years), warn=False)
        pushed = pushed_records(m, ln, work, applied, last)
    hit = pushed.hit if pushed is not None else np.array([], dtype=object)
    ids = scored["household_id"].astype(str)
    keep = scored.loc[~ids.isin(hit), [*ID_COLUMNS, "risk_score"]]
    keep = keep.assign(
        _was=keep["risk_score"].to_numpy(),
        _hit=False,
        _first=pd.Series(pd.NaT, index=keep.index, dtype=first_dtype),
        event_reasons=pd.array([""] * len(keep), dtype="string"),
    )
    frames = [keep]
    if pushed is not None:
        ok = ~pushed.in_hard
        before = pd.Series(p_pre, index=ids.to_numpy())
        was = before.reindex(pushed.hit).to_numpy(dtype="float64")
        new = pushed.new.loc[ok]
        frames.append(
            new.assign(
                _was=was[ok],
                _hit=True,
                _first=pd.Series(pushed.first[ok], index=new.index).astype(first_dtype),
                event_reasons=pushed.reasons[ok],
            )
        )
        # moved rows follow the order of their household's first event
        first = applied.groupby("household_id")["date"].min()
        moved = pushed.moved()
        moved["_first"] = first.reindex(pushed.hit).to_numpy()[pushed.in_hard]
        st.moved.append(moved)
    out = pd.concat(frames, ignore_index=True)
    out_ids = out["household_id"].astype(str)
    out["labor_count"] = work.loc[
        last.loc[out_ids].to_numpy(), "labor_count"
    ].to_numpy()
    order = np.lexsort((out_ids.to_numpy(), -out["risk_score"].to_numpy()))
    out = out.iloc[order].reset_index(drop=True)
    if st.scored_template is None:
        st.scored_template = out.iloc[:0]
    if len(out):
        st.scored_parts.append(_write_part(out, st.workdir / f"scored-{k}.parquet"))
    if monitored is not None:
        mon = monitored.loc[~monitored["household_id"].astype(str).isin(hit)]
        if len(mon):
            path = st.workdir / f"monitored-{k}.parquet"
            st.monitored_parts.append(_write_part(mon, path))
    gone = household_exclusions(panel, latest)
    if len(gone):
        st.excluded_parts.append(
            _write_part(gone, st.workdir / f"excluded-{k}.parquet")
        )
    st.households += int(panel["household_id"].nunique())
    st.chunks += 1


# -- global cutoffs and levels --------------------------------------------------
@dataclass(frozen=True)
class _Levels:
    """Cutoffs from every score before the events, and each household's level.

    The level of a household before the events depends on its rank in the
    whole list (``share`` levels): it is found by comparing its (score, id)
    with those of the last household of each level (the boundary keys).
    """

    cutoff: float
    cuts: dict[str, float]
    bounds: tuple[tuple[str, float, str], ...]  # (level, score, id) of the last

    def of(self, p: np.ndarray, ids: np.ndarray) -> np.ndarray:
        """Levels (before the events) of households with scores ``p``, ids
        ``ids``: the first level whose boundary key is at or after theirs."""
        out = np.full(len(p), RISK_LEVELS[-1], dtype=object)
        for level, pb, idb in reversed(self.bounds):
            within = p > pb
            tie = np.flatnonzero(p == pb)
            if len(tie):
                within[tie] = ids[tie].astype(str) <= idb
            out[within] = level
        return out


def _levels(
    pre_scores: list[np.ndarray],
    pre_parts: list[Path],
    settings: dict[str, Any],
    config: AlertsConfig,
) -> _Levels:
    p = np.concatenate(pre_scores) if pre_scores else np.empty(0)
    p_sorted = -np.sort(-p)
    n = len(p_sorted)
    levels = assign_risk_levels(p_sorted, np.arange(1, n + 1), settings)
    # levels follow the ranks (highest first), so each is a run of positions
    ends = {lv: int(np.flatnonzero(levels == lv).max(initial=-1)) for lv in RISK_LEVELS}

    def lowest(allowed: Iterable[str]) -> float:
        end = max((ends[lv] for lv in allowed), default=-1)
        return float(p_sorted[end]) if end >= 0 else float("inf")

    cuts = {lv: lowest(ALERT_LEVELS[ALERT_LEVELS.index(lv) :]) for lv in ("高", "中")}
    if config.min_score is not None:
        cutoff = float(config.min_score)
    else:
        cutoff = lowest(ALERT_LEVELS[ALERT_LEVELS.index(config.min_level) :])
    bounds = []
    for lv in RISK_LEVELS[:-1]:
        end = ends[lv]
        if end < 0:
            continue
        pb = float(p_sorted[end])
        # the id at that position: ties on the score are ordered by id
        m = end - int((p_sorted > pb).sum())
        tied: list[str] = []
        for path in pre_parts:
            t = pq.read_table(path, columns=["risk_score", "household_id"])
            sel = t.filter(pc.equal(t.column("risk_score"), pb))
            tied.extend(str(x) for x in sel.column("household_id").to_pylist())
        bounds.append((lv, pb, sorted(tied)[m]))
    return _Levels(cutoff=cutoff, cuts=cuts, bounds=tuple(bounds))


# -- the scored list, block by block --------------------------------------------
@dataclass
class _Flags:
    """Running counts along the global order: rank in township, capacity."""

    levels: _Levels
    config: AlertsConfig
    capacity: int | None
    as_of: pd.Timestamp
    discovered_dtype: Any
    rank: dict[str, int] = field(default_factory=dict)
    alerted_rank: dict[str, int] = field(default_factory=dict)
    listed: list[pd.DataFrame] = field(default_factory=list)
    n_alerted: int = 0
    n_over: int = 0

    @staticmethod
    def _cumcount(codes: np.ndarray, n_keys: int) -> tuple[np.ndarray, np.ndarray]:
        """Position of each row among the earlier rows of its key, and counts."""
        order = np.argsort(codes, kind="stable")
        counts = np.bincount(codes, minlength=n_keys)
        starts = np.cumsum(counts) - counts
        within = np.empty(len(codes), dtype=np.int64)
        within[order] = np.arange(len(codes)) - np.repeat(starts, counts)
        return within, counts

    def _running(
        self, store: dict[str, int], keys: np.ndarray, codes: np.ndarray, mask: Any
    ) -> np.ndarray:
        sel = np.flatnonzero(mask)
        within, counts = self._cumcount(codes[sel], len(keys))
        base = np.array([store.get(k, 0) for k in keys], dtype=np.int64)
        out = np.full(len(codes), np.iinfo(np.int64).max, dtype=np.int64)
        out[sel] = base[codes[sel]] + within + 1
        for k, c in zip(keys, base + counts, strict=True):
            store[k] = int(c)
        return out

    def __call__(self, frame: pd.DataFrame, first_row: int) -> pd.DataFrame:
        lv = self.levels
        n = len(frame)
        p = frame["risk_score"].to_numpy(dtype="float64")
        hit = frame["_hit"].to_numpy(dtype=bool)
        ids = frame["household_id"].astype(str).to_numpy(dtype=object)
        level = np.empty(n, dtype=object)
        level[hit] = level_of(p[hit], lv.cuts)
        level[~hit] = lv.of(p[~hit], ids[~hit])
        was = frame["_was"].to_numpy(dtype="float64")
        crossed = hit & (p >= lv.cutoff) & ~(np.nan_to_num(was, nan=-1.0) >= lv.cutoff)
        discovered = np.where(
            crossed, frame["_first"].to_numpy(), self.as_of.to_datetime64()
        )
        out = frame[[*ID_COLUMNS, "risk_score"]].copy()
        out["risk_rank"] = np.arange(first_row + 1, first_row + n + 1, dtype="int64")
        out["risk_level"] = pd.array(level, dtype="string")
        out["source"] = pd.Series(
            np.where(crossed, SOURCE_PUSH, SOURCE_MODEL).astype(object),
            index=out.index,
        )
        out["event_reasons"] = frame["event_reasons"]
        out["discovered"] = pd.Series(discovered, index=out.index).astype(
            self.discovered_dtype
        )
        out["labor_count"] = frame["labor_count"]
        county = out["county"].astype("string").fillna("")
        town = out["township"].astype("string").fillna(NO_TOWNSHIP)
        key = (county + _SEP + town).to_numpy(dtype=object)
        codes, keys = pd.factorize(key)
        alerted = p >= lv.cutoff
        out["alerted"] = alerted
        out["rank"] = self._running(self.rank, keys, codes, np.ones(n, dtype=bool))
        arank = self._running(self.alerted_rank, keys, codes, alerted)
        towns = np.array([k.split(_SEP, 1)[1] for k in keys], dtype=object)
        cap_of = np.array(
            [
                self.capacity
                if self.capacity is not None
                else self.config.capacity_of(t)
                for t in towns
            ],
            dtype=np.int64,
        )
        within = arank <= cap_of[codes]
        out["listed"] = alerted & within
        out["over_capacity"] = alerted & ~within
        self.n_alerted += int(alerted.sum())
        self.n_over += int(out["over_capacity"].sum())
        if out["listed"].any():
            self.listed.append(out.loc[out["listed"]])
        return out


def _discovered_dtype(as_of: pd.Timestamp, first_dtype: Any, pushed: bool) -> Any:
    """The dtype ``discovered`` has in the in-memory run: the run date's, joined
    with the events' dates' when any event was applied."""
    keep = pd.DataFrame({"d": [0]})
    keep["d"] = as_of
    if not pushed:
        return keep["d"].dtype
    new = pd.DataFrame(
        {"d": np.where([True], np.array([as_of], dtype=first_dtype),
                       as_of.to_datetime64())}
    )  # fmt: skip
    return pd.concat([keep, new], ignore_index=True)["d"].dtype


def _order_events(frames: list[pd.DataFrame]) -> pd.DataFrame:
    """Events of all chunks in the in-memory order: (date, household_id), then
    their order in the events table."""
    full = [f for f in frames if len(f)] or frames[:1]
    out = pd.concat(full, ignore_index=True)
    out = out.sort_values(["date", "household_id", "_pos"], kind="stable")
    drop = [c for c in ("_pos", "row") if c in out]
    return out.drop(columns=drop).reset_index(drop=True)


# -- the run --------------------------------------------------------------------
def run_alerts_file(
    model: Any,
    panel_path: str | Path,
    *,
    out: str | Path,
    as_of: date | pd.Timestamp,
    events: pd.DataFrame | None = None,
    lines: MonitoringLines | None = None,
    config: AlertsConfig | None = None,
    explain_config: RiskTypes | None = None,
    assistance: AssistanceMap | None = None,
    capacity: int | None = None,
    covered: str | None = None,
    chunk_households: int = 100_000,
    pii: pd.DataFrame | None = None,
    table_format: str = "csv",
    progress: Progress | None = None,
    write_excel: bool = True,
) -> AlertFileRun:
    """Run the alerts on a panel file of any size and write every output.

    The results equal :func:`~fanpin.workflow.run_alerts` on the whole panel
    followed by :func:`~fanpin.workflow.write_alert_files` (same rows, order,
    columns and values), whatever the chunk size, while memory holds one chunk
    of whole counties (``chunk_households`` households or more), the listed
    households, the events, and about 20 bytes per scored household.

    Parameters
    ----------
    model : RiskPipeline
        A trained pipeline (:func:`fanpin.models.load_model`).
    panel_path : str or Path
        Household panel (CSV, Parquet or Excel).
    out : str or Path
        Output folder: ``alerts.csv``, ``alerts.parquet``, ``scored.<fmt>``,
        ``monitored.<fmt>``, ``exclusions.<fmt>`` (when something was left out)
        and ``excel/<township>.xlsx``. Every file appears whole or not at all.
    as_of : date
        Run date (discovery date of model alerts; later events are skipped).
    events : DataFrame, optional
        Department pushes (:func:`fanpin.schema.read_events`); see
        :func:`~fanpin.workflow.run_alerts` for which are applied.
    lines, config, explain_config, assistance, capacity, covered
        As for :func:`~fanpin.workflow.run_alerts`.
    chunk_households : int
        Households per chunk (a chunk holds whole counties, so it may be larger).
    pii : DataFrame, optional
        :func:`~fanpin.workflow.read_pii` output, joined into the Excel
        workbooks only.
    table_format : {"csv", "parquet"}
        Format of scored, monitored and exclusions.
    progress : callable, optional
        Called as ``progress(stage, done, total)``: ``"score"`` and
        ``"alerts"`` (households, the two passes), ``"write"`` (rows),
        ``"excel"`` (workbooks).
    write_excel : bool
        Write the township workbooks (a caller with a case store writes them
        itself after the upsert, with each household's case).

    Returns
    -------
    AlertFileRun

    Raises
    ------
    ConfigError
        If ``table_format`` is unknown.
    InputError
        If the events table lacks a column or ``covered`` is unknown.
    OutputError
        If ``out`` cannot be written.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> from fanpin.config import ModelConfig
    >>> from fanpin.models import train_risk_model
    >>> from fanpin.synthetic import SimulationParams, simulate
    >>> sim = simulate(300, years=range(2022, 2025), seed=0, n_jobs=1,
    ...                params=SimulationParams(oracle_draws=1))
    >>> model = train_risk_model(sim.panel, sim.lines, ModelConfig(
    ...     booster={"n_estimators": 10, "min_child_samples": 10}, seed=0))
    >>> tmp = pathlib.Path(tempfile.mkdtemp())
    >>> sim.panel.to_parquet(tmp / "panel.parquet")
    >>> run = run_alerts_file(model, tmp / "panel.parquet", out=tmp / "out",
    ...                       as_of="2025-03-31", chunk_households=100)
    >>> run.chunks > 1, run.scored + run.monitored == 300
    (True, True)
    >>> sorted(p.name for p in (tmp / "out").glob("*.csv"))
    ['alerts.csv', 'monitored.csv', 'scored.csv']
    """
    t0 = time.perf_counter()
    if table_format not in ("csv", "parquet"):
        raise ConfigError(MSG_BAD_TABLE_FORMAT.format(value=table_format))
    cfg = config if config is not None else load_alerts_config()
    explain_config = explain_config if explain_config is not None else load_risk_types()
    amap = (
        assistance
        if assistance is not None
        else load_assistance_map(risk_types=explain_config)
    )
    lines = lines if lines is not None else model.lines
    covered = covered if covered is not None else cfg.covered_events
    as_of = pd.Timestamp(as_of).normalize()
    report = progress or (lambda stage, done, total: None)
    ev = None
    if events is not None and len(events):
        check_events(events, covered)
        ev = events.assign(_pos=np.arange(len(events)))
        ev_ids = ev["household_id"].astype(str)
        first_dtype = pd.to_datetime(ev["date"]).dtype
    else:
        ev_ids = pd.Series([], dtype=str)
        first_dtype = np.dtype("datetime64[ns]")
    taken = np.zeros(len(ev_ids), dtype=bool)
    target = Path(out)
    try:
        target.mkdir(parents=True, exist_ok=True)
        _remove_stale_work(target)
        workdir = Path(
            tempfile.mkdtemp(prefix=f"{WORK_PREFIX}{os.getpid()}-", dir=target)
        )
    except OSError as exc:
        raise OutputError(
            f"Cannot write to the output folder {str(target)!r}: {exc.strerror}. "
            "Choose a folder you can write to."
        ) from None
    try:
        plan = plan_chunks(panel_path, chunk_households=chunk_households)
        st = _Pass1(workdir=workdir)
        report("score", 0, plan.n_households)
        with _Once() as once:
            for chunk in iter_panel_chunks(
                panel_path, chunk_households=chunk_households, workdir=workdir
            ):
                ids = chunk["household_id"].astype(str)
                mine = _chunk_events(ev, ev_ids, ids, taken)
                _score_chunk(
                    st, chunk, model, lines, mine, as_of=as_of, config=cfg,
                    covered=covered, first_dtype=first_dtype,
                )  # fmt: skip
                report("score", st.households, plan.n_households)
        applied = skipped = None
        run_model, run_lines = model, lines
        if ev is not None:
            if (~taken).any():  # households in no chunk: skipped as unknown
                rest = apply_events_quietly(
                    st.empty_panel, ev.loc[~taken], as_of=as_of, config=cfg,
                    covered=covered,
                )  # fmt: skip
                st.applied.append(rest.applied)
                st.skipped.append(rest.skipped)
            applied = _order_events(st.applied)
            skipped = _order_events(st.skipped)
            log_skipped(skipped)
            run_model, run_lines = _lines_ahead(model, lines, sorted(st.years))
        lv = _levels(st.pre_scores, st.pre_parts, dict(model.config.risk_levels), cfg)
        st.pre_scores.clear()
        files, counts, listed = _write_lists(
            st, workdir, lv, cfg, capacity, as_of, table_format, skipped,
            discovered_dtype=_discovered_dtype(
                as_of, first_dtype, applied is not None and len(applied) > 0
            ),
            report=report,
        )  # fmt: skip
        with _Once(seen=once.seen):  # the same warnings again: not shown twice
            alerts = _alert_list(
                listed, panel_path, run_model, run_lines, ev, ev_ids, as_of=as_of,
                config=cfg, covered=covered, explain_config=explain_config,
                assistance=amap, cutoff=lv.cutoff, chunk_households=chunk_households,
                workdir=workdir, households=st.households, report=report,
            )  # fmt: skip
        written: dict[str, Path | list[Path]] = {
            "alerts_csv": write_table(alerts, target / "alerts.csv"),
            "alerts_parquet": write_table(alerts, target / "alerts.parquet"),
        }
        for key, path in files.items():
            final = target / path.name
            os.replace(path, final)
            written[key] = final
        written["excel"] = (
            write_workbooks(
                alerts,
                target / "excel",
                pii=pii,
                progress=lambda done, total: report("excel", done, total),
            )
            if write_excel
            else []
        )
    finally:
        shutil.rmtree(workdir, ignore_errors=True)
    run = AlertFileRun(
        alerts=alerts,
        cutoff=lv.cutoff,
        files=written,
        households=st.households,
        scored=counts["scored"],
        alerted=counts["alerted"],
        over_capacity=counts["over_capacity"],
        monitored=counts["monitored"],
        excluded=counts["excluded"],
        chunks=st.chunks,
        applied=applied,
        skipped=skipped,
        seconds=time.perf_counter() - t0,
        latest_year=int(plan.latest_year),
    )
    logger.info(
        "alerts: %d households in %d chunk(s), %d scored, %d listed, %d monitored "
        "in %.1fs",
        run.households,
        run.chunks,
        run.scored,
        len(alerts),
        run.monitored,
        run.seconds,
    )
    return run


def _write_lists(
    st: _Pass1,
    workdir: Path,
    lv: _Levels,
    cfg: AlertsConfig,
    capacity: int | None,
    as_of: pd.Timestamp,
    table_format: str,
    skipped: pd.DataFrame | None,
    *,
    discovered_dtype: Any,
    report: Progress,
) -> tuple[dict[str, Path], dict[str, int], pd.DataFrame]:
    """Merge the parts into scored, monitored and exclusions (in ``workdir``)."""
    ext = f".{table_format}"
    scored_order, _ = global_order(st.scored_parts)
    mon_order, _ = global_order(st.monitored_parts, by_score=False)
    excl_order, _ = global_order(st.excluded_parts, by_score=False)
    moved = [m for m in st.moved if len(m)]
    tail = None
    if moved:
        tail = pd.concat(moved, ignore_index=True)
        ids = tail["household_id"].astype(str).to_numpy()
        tail = tail.iloc[np.lexsort((ids, tail["_first"].to_numpy()))]
        tail = tail.drop(columns="_first").reset_index(drop=True)
        tail = pd.concat([st.monitored_template, tail], ignore_index=True)
    total = len(scored_order) + len(mon_order) + len(excl_order)
    done = 0

    def step(n: int) -> None:
        nonlocal done
        done += n
        report("write", done, total)

    report("write", 0, total)
    flags = _Flags(
        levels=lv,
        config=cfg,
        capacity=capacity,
        as_of=as_of,
        discovered_dtype=discovered_dtype,
    )
    files = {
        "scored": workdir / f"scored{ext}",
        "monitored": workdir / f"monitored{ext}",
    }
    n_scored = _merge_parts(
        files["scored"], st.scored_parts, scored_order,
        template=st.scored_template, block=flags, report=step,
    )  # fmt: skip
    n_mon = _merge_parts(
        files["monitored"], st.monitored_parts, mon_order,
        template=st.monitored_template, tail=tail, report=step,
    )  # fmt: skip
    head = event_exclusions(skipped) if skipped is not None and len(skipped) else None
    n_excl = len(excl_order) + (len(head) if head is not None else 0)
    if n_excl:
        files["exclusions"] = workdir / f"exclusions{ext}"
        like = head.iloc[:0] if head is not None else None

        def align(frame: pd.DataFrame, _: int) -> pd.DataFrame:
            if like is None:
                return frame
            return pd.concat([like, frame], ignore_index=True)

        _merge_parts(
            files["exclusions"], st.excluded_parts, excl_order,
            template=head.iloc[:0] if head is not None else pd.DataFrame(),
            block=align, head=head, report=step,
        )  # fmt: skip
    listed = (
        pd.concat(flags.listed, ignore_index=True)
        if flags.listed
        else flags(st.scored_template, 0).iloc[:0]
    )
    counts = {
        "scored": n_scored,
        "alerted": flags.n_alerted,
        "over_capacity": flags.n_over,
        "monitored": n_mon,
        "excluded": n_excl,
    }
    return files, counts, listed


def _alert_list(
    listed: pd.DataFrame,
    panel_path: str | Path,
    model: Any,
    lines: MonitoringLines,
    events: pd.DataFrame | None,
    event_ids: pd.Series,
    *,
    as_of: pd.Timestamp,
    config: AlertsConfig,
    covered: str,
    explain_config: RiskTypes,
    assistance: AssistanceMap,
    cutoff: float,
    chunk_households: int,
    workdir: Path,
    households: int,
    report: Progress,
) -> pd.DataFrame:
    """Second pass: explain the listed households, add measures and what-if."""
    pieces = []
    if len(listed):
        listed_ids = listed["household_id"].astype(str)
        taken = np.zeros(len(event_ids), dtype=bool)
        done = 0
        report("alerts", 0, households)
        for chunk in iter_panel_chunks(
            panel_path, chunk_households=chunk_households, workdir=workdir
        ):
            ids = chunk["household_id"].astype(str)
            mine = listed.loc[listed_ids.isin(ids).to_numpy()]
            ev = _chunk_events(events, event_ids, ids, taken)
            done += int(ids.nunique())
            if len(mine):
                pieces.append(
                    _chunk_alerts(
                        chunk,
                        mine,
                        model,
                        lines,
                        ev,
                        as_of=as_of,
                        config=config,
                        covered=covered,
                        explain_config=explain_config,
                        assistance=assistance,
                        cutoff=cutoff,
                    )  # fmt: skip
                )
            report("alerts", done, households)
    if not pieces:  # nobody listed: the columns and dtypes of an empty list
        empty = alert_rows(
            listed, _no_explanations(), assistance, as_of=as_of,
            deadline_days=config.deadline_days, config=config,
        )  # fmt: skip
        empty["risk_after"] = np.full(0, np.nan)
        empty["what_if"] = pd.array([], dtype="string").to_numpy()
        pieces.append(empty)
    rows = pd.concat(pieces, ignore_index=True)
    logger.info("alert list: %d households", len(rows))
    alerts = sort_alerts(rows, extra=("risk_after",))
    return alerts


def _no_explanations() -> pd.DataFrame:
    cols = ["household_id", "risk_types", "risk_names", "reasons"]
    return pd.DataFrame({c: pd.Series([], dtype="string") for c in cols})


def _chunk_alerts(
    panel: pd.DataFrame,
    listed: pd.DataFrame,
    model: Any,
    lines: MonitoringLines,
    events: pd.DataFrame | None,
    *,
    as_of: pd.Timestamp,
    config: AlertsConfig,
    covered: str,
    explain_config: RiskTypes,
    assistance: AssistanceMap,
    cutoff: float,
) -> pd.DataFrame:
    """The alert rows of one chunk's listed households, with what-if."""
    work, pushes = panel, None
    if events is not None and len(events):
        applied = apply_events_quietly(
            panel, events, as_of=as_of, config=config, covered=covered
        )
        work, pushes = applied.panel, applied.applied
    last = _latest_rows(work)
    rows = pd.Index(last.loc[listed["household_id"].astype(str)].to_numpy())
    features = (
        model.features.transform_rows(work, rows)
        if hasattr(model.features, "transform_rows")
        else model.features.transform(work)
    )
    ex = explain_households(
        model, work, rows=rows, lines=lines, risk_types=explain_config,
        features=features, pushes=pushes,
    )  # fmt: skip
    out = alert_rows(
        listed, ex, assistance, as_of=as_of, deadline_days=config.deadline_days,
        config=config,
    )  # fmt: skip
    wi = what_if(
        model, work, out, rows, config=config, assistance=assistance, cutoff=cutoff
    )
    for c in ("risk_after", "what_if", "measures", "departments"):
        out[c] = wi[c].to_numpy()
    return out
