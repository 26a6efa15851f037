"""`run_alerts_file` (chunked, bounded memory) equals `run_alerts` on the whole
panel: same alerts, scored, monitored and exclusions, row by row. The scenario
(``stream``, root conftest) is the shared world with gaps, a county without its
latest record, a coarse model (many tied scores) and pushes: see
tests/worlds.py."""

from __future__ import annotations

from dataclasses import replace
from datetime import date

import pandas as pd
import pytest

from fanpin.config import AlertsConfig, MonitoringLines, shipped_configs
from fanpin.exceptions import ConfigError, InputError
from fanpin.io import write_table
from fanpin.scoring import plan_chunks
from fanpin.workflow import (
    SOURCE_PUSH,
    panel_households,
    run_alerts,
    run_alerts_file,
    write_alert_files,
)
from fanpin.workflow._events import SKIP_COVERED, SKIP_FUTURE, SKIP_UNKNOWN

AS_OF = pd.Timestamp("2025-06-30")
TABLES = ("scored", "monitored", "exclusions")


def _same_tables(mem, tmp):
    """The streamed tables written in ``tmp`` equal the in-memory run's, as
    Parquet keeps them (Parquet stores datetime64[s] as milliseconds)."""
    for name in TABLES:
        f = tmp / f"{name}.parquet"
        if name == "exclusions" and not len(mem.exclusions):
            assert not f.exists()
            continue
        want = tmp / f"want-{name}.parquet"
        write_table(getattr(mem, name), want)
        pd.testing.assert_frame_equal(
            pd.read_parquet(want), pd.read_parquet(f), check_exact=True
        )


def test_streamed_equals_in_memory_with_events(stream, tmp_path):
    m, panel, ev = stream["model"], stream["panel"], stream["events"]
    # the cutoff by level (a coarse model: few scores above a probability)
    cfg = replace(shipped_configs().alerts, min_score=None)
    mem = run_alerts(m, panel, as_of=AS_OF, events=ev, capacity=2, config=cfg)
    stale = tmp_path / ".fanpin-alerts-999999999-x"  # left by a killed run
    stale.mkdir()
    run = run_alerts_file(
        m, stream["path"], out=tmp_path, as_of=AS_OF, events=ev, capacity=2,
        chunk_households=40, table_format="parquet", config=cfg,
    )  # fmt: skip
    # the scenario holds what the streaming must get right
    assert run.chunks >= 15  # about one county per chunk
    s = mem.scored
    assert (s["source"] == SOURCE_PUSH).sum() > 0  # pushes crossed the cutoff
    assert s["over_capacity"].sum() > 0
    # 危房 pushes put households into hardship: urgent (紧急, listed first in
    # their township) unless identified (a 监测对象类别: monitored)
    urgent = mem.alerts[mem.alerts["risk_level"] == "紧急"]
    assert len(urgent) == mem.counts["urgent"] > 0
    first = urgent.groupby(["county", "township"]).cumcount() + 1
    assert (urgent["rank"] == first).all()
    danger = mem.monitored["reasons"].str.contains("危房").sum() + urgent[
        "reasons"
    ].str.contains("危房").sum()
    assert danger >= 8
    why = set(mem.events.skipped["why"])
    assert {SKIP_COVERED, SKIP_UNKNOWN, SKIP_FUTURE} <= why
    assert set(mem.exclusions["kind"]) == {"event", "household"}
    # a county without a 2024 record, its households pushed into 2025
    again = (
        set(s["household_id"]) | set(mem.monitored["household_id"])
        | set(urgent["household_id"])
    )
    assert len(again & stream["lost"]) >= 8
    tied = s.groupby("risk_score")["risk_level"].nunique()
    assert (tied > 1).any()  # a tie across a level boundary, broken by id
    # row by row, same order, columns and dtypes
    pd.testing.assert_frame_equal(mem.alerts, run.alerts, check_exact=True)
    _same_tables(mem, tmp_path)
    pd.testing.assert_frame_equal(mem.events.applied.drop(columns="row"), run.applied)
    pd.testing.assert_frame_equal(mem.events.skipped, run.skipped)
    assert run.cutoff == mem.cutoff
    assert (run.scored, run.alerted, run.over_capacity, run.monitored) == (
        len(s), int(s["alerted"].sum()), int(s["over_capacity"].sum()),
        len(mem.monitored),
    )  # fmt: skip
    assert (run.urgent, run.rule_hits, run.model_added, run.per_rule) == (
        mem.counts["urgent"], mem.counts["rule_hits"], mem.counts["model_added"],
        mem.per_rule,
    )  # fmt: skip
    assert run.households == panel["household_id"].nunique()
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".")]


@pytest.mark.parametrize(("chunk", "covered"), [(250, "apply"), (10_000, "skip")])
def test_csv_outputs_are_byte_identical(stream, tmp_path, chunk, covered):
    m, ev = stream["model"], stream["events"]
    mem = run_alerts(
        m, stream["panel"], as_of=AS_OF, events=ev, capacity=3, covered=covered
    )
    write_alert_files(mem, tmp_path / "mem")
    run = run_alerts_file(
        m, stream["path"], out=tmp_path / "stream", as_of=AS_OF, events=ev,
        capacity=3, chunk_households=chunk, covered=covered,
    )  # fmt: skip
    names = sorted(p.name for p in (tmp_path / "mem").glob("*.*"))
    assert names == sorted(p.name for p in (tmp_path / "stream").glob("*.*"))
    assert "exclusions.csv" in names
    for name in names:
        a = (tmp_path / "mem" / name).read_bytes()
        assert a == (tmp_path / "stream" / name).read_bytes(), name
    books = sorted((tmp_path / "mem" / "excel").glob("*.xlsx"))
    assert [b.name for b in books] == [p.name for p in run.files["excel"]]
    for b in books:
        assert b.read_bytes() == (tmp_path / "stream" / "excel" / b.name).read_bytes()
    scored = pd.read_csv(
        tmp_path / "stream" / "scored.csv", dtype={"household_id": str}
    )
    assert len(scored) == run.scored
    assert scored["risk_rank"].tolist() == list(range(1, run.scored + 1))
    assert scored["listed"].sum() + run.urgent == len(run.alerts)


@pytest.mark.parametrize(
    "cfg",
    [AlertsConfig(min_level="高", capacity=1), AlertsConfig(min_score=0.05)],
    ids=["level", "score"],
)
def test_streamed_equals_in_memory_without_events(stream, tmp_path, cfg):
    m, panel = stream["model"], stream["panel"]
    mem = run_alerts(m, panel, as_of=date(2025, 3, 31), config=cfg)
    run = run_alerts_file(
        m, stream["path"], out=tmp_path, as_of=date(2025, 3, 31), config=cfg,
        chunk_households=200, table_format="parquet",
    )  # fmt: skip
    pd.testing.assert_frame_equal(mem.alerts, run.alerts, check_exact=True)
    _same_tables(mem, tmp_path)
    assert run.applied is None and run.skipped is None
    assert run.excluded == len(stream["gone"])


def test_same_county_name_in_two_provinces_shares_capacity(stream, tmp_path):
    """flag_capacity groups by county and township names: two counties of the
    same name in two provinces (cut into different chunks) share capacity."""
    m, panel = stream["model"], stream["panel"].copy()
    henan = (panel["province"] == "河南省").to_numpy()
    now = (panel["year"] == 2024).to_numpy()
    name = panel.loc[henan & now, "county"].iloc[0]
    twin = panel.loc[~henan & now, "county"].iloc[0]
    twin_province = panel.loc[~henan & now, "province"].iloc[0]
    for c in ("county", "township", "village"):
        fixed = panel.loc[henan, c].astype(str).str.replace(name, twin, regex=False)
        panel.loc[henan, c] = fixed.to_numpy()
    path = tmp_path / "twins.csv"
    panel.to_csv(path, index=False)
    where = plan_chunks(path, chunk_households=250).county_chunk
    assert (
        where[("河南省", twin)] != where[(twin_province, twin)]
    )
    mem = run_alerts(m, panel, as_of=AS_OF, capacity=1)
    run = run_alerts_file(
        m, path, out=tmp_path / "out", as_of=AS_OF, capacity=1,
        chunk_households=250, table_format="parquet",
    )  # fmt: skip
    both = mem.scored.loc[mem.scored["county"] == twin, "province"].nunique()
    assert both == 2
    pd.testing.assert_frame_equal(mem.alerts, run.alerts, check_exact=True)
    _same_tables(mem, tmp_path / "out")


def test_lines_warning_given_once(stream, tmp_path):
    """Pushes of 2025 with lines stopping at 2024: one warning, not one per chunk."""
    full = stream["lines"]
    lines = MonitoringLines(
        default={y: v for y, v in full.default.items() if y <= 2024},
        provinces={
            p: {y: v for y, v in t.items() if y <= 2024}
            for p, t in full.provinces.items()
        },
    )
    m, ev = stream["model"], stream["events"]
    with pytest.warns(UserWarning, match="carried forward") as mem_w:
        mem = run_alerts(m, stream["panel"], as_of=AS_OF, events=ev, lines=lines)
    with pytest.warns(UserWarning, match="carried forward") as got:
        run = run_alerts_file(
            m, stream["path"], out=tmp_path, as_of=AS_OF, events=ev, lines=lines,
            chunk_households=150, table_format="parquet",
        )  # fmt: skip
    assert len(got) == len(mem_w) == 1
    assert str(got[0].message) == str(mem_w[0].message)
    pd.testing.assert_frame_equal(mem.alerts, run.alerts, check_exact=True)
    _same_tables(mem, tmp_path)


def test_bad_arguments_say_what_to_do(stream, tmp_path):
    m, path = stream["model"], stream["path"]
    with pytest.raises(ConfigError, match="table_format must be 'csv' or 'parquet'"):
        run_alerts_file(m, path, out=tmp_path, as_of=AS_OF, table_format="xlsx")
    with pytest.raises(InputError, match="covered must be one of"):
        run_alerts_file(
            m, path, out=tmp_path, as_of=AS_OF, events=stream["events"], covered="x"
        )
    with pytest.raises(InputError, match="events table needs columns"):
        run_alerts_file(
            m, path, out=tmp_path, as_of=AS_OF,
            events=stream["events"].drop(columns="event_type"),
        )  # fmt: skip
    assert not list(tmp_path.iterdir())


def test_panel_households_reads_the_id_column_only(tmp_path):
    f = tmp_path / "p.csv"
    pd.DataFrame(
        {"户编码": ["０01", " 002 ", "003", None], "year": 2024, "户主姓名": "某"}
    ).to_csv(f, index=False)
    assert panel_households(f, ["001", "002", "999"]) == {"001", "002"}
    assert panel_households(f, []) == set()
    g = tmp_path / "p.parquet"
    pd.DataFrame({"household_id": [1, 22], "year": [2024, 2024]}).to_parquet(g)
    assert panel_households(g, ["22", "3"]) == {"22"}


def _same_bytes(a, b):
    names = sorted(str(p.relative_to(a)) for p in a.rglob("*") if p.is_file())
    assert names == sorted(str(p.relative_to(b)) for p in b.rglob("*") if p.is_file())
    assert any(n.endswith(".xlsx") for n in names)
    for name in names:
        assert (a / name).read_bytes() == (b / name).read_bytes(), name


@pytest.mark.parametrize(("engine", "workers"), [("local", 2), ("dask", None)])
def test_workers_and_dask_write_the_same_bytes_as_one_worker(
    stream, tmp_path, engine, workers
):
    """The alerts job on two worker threads or on a Dask cluster writes every
    output byte for byte as one chunk at a time does."""
    common = {
        "as_of": AS_OF, "events": stream["events"], "capacity": 2,
        "chunk_households": 100,
    }  # fmt: skip
    one = run_alerts_file(
        stream["model"], stream["path"], out=tmp_path / "one", workers=1, **common
    )
    other = run_alerts_file(
        stream["model"], stream["path"], out=tmp_path / "other", engine=engine,
        workers=workers, **common,
    )  # fmt: skip
    assert one.chunks == other.chunks > 5
    assert other.engine == engine
    assert (one.scored, one.alerted, one.monitored, one.excluded) == (
        other.scored, other.alerted, other.monitored, other.excluded,
    )  # fmt: skip
    pd.testing.assert_frame_equal(one.alerts, other.alerts, check_exact=True)
    pd.testing.assert_frame_equal(one.skipped, other.skipped)
    _same_bytes(tmp_path / "one", tmp_path / "other")
