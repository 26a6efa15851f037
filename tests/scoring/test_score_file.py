"""Chunked scoring equals in-memory scoring, row by row, and accounts for everyone."""

from __future__ import annotations

import io
import math

import numpy as np
import pandas as pd
import pytest

from fanpin.config import load_risk_types
from fanpin.exceptions import ConfigError
from fanpin.explain import explain_households
from fanpin.schema import read_households
from fanpin.scoring import (
    EXPLAIN_COLUMNS,
    _job,
    monitored_path,
    plan_chunks,
    score_file,
    score_panel,
)
from fanpin.scoring._chunk import load_chunk
from fanpin.scoring._spill import chunk_sources


def _roundtrip(df: pd.DataFrame) -> pd.DataFrame:
    """The frame as it reads back from Parquet (what write_table would give)."""
    return pd.read_parquet(io.BytesIO(df.to_parquet(index=False)))


def _expected(model, path):
    panel = read_households(path)
    scores, monitored = score_panel(model, panel)
    return panel, scores, monitored


def test_chunked_equals_in_memory_parquet(small_model, panel_file, tmp_path):
    out = tmp_path / "out" / "scores.parquet"
    seen = []
    summary = score_file(
        panel_file,
        small_model,
        out=out,
        chunk_households=150,
        progress=lambda stage, done, total: seen.append((stage, done, total)),
    )
    assert summary.chunks > 2
    panel, scores, monitored = _expected(small_model, panel_file)
    pd.testing.assert_frame_equal(pd.read_parquet(out), _roundtrip(scores))
    pd.testing.assert_frame_equal(
        pd.read_parquet(monitored_path(out)), _roundtrip(monitored)
    )
    score_steps = [d for s, d, t in seen if s == "score"]
    households = panel["household_id"].nunique()
    assert score_steps == sorted(score_steps) and score_steps[-1] == households


def test_csv_input_and_output(small_model, sim_panel, tmp_path):
    path = tmp_path / "panel.csv"
    # Chinese headers for a few columns, as exported by the national system.
    sim_panel.rename(columns={"household_id": "户编码", "county": "县"}).to_csv(
        path, index=False
    )
    out = tmp_path / "scores.csv"
    score_file(path, small_model, out=out, chunk_households=200)
    _, scores, monitored = _expected(small_model, path)
    got = pd.read_csv(out, dtype={"household_id": str}, encoding="utf-8-sig")
    want = scores.astype({"household_id": str})
    assert got["household_id"].tolist() == want["household_id"].tolist()
    np.testing.assert_allclose(got["risk_score"], want["risk_score"], rtol=1e-15)
    assert got["risk_rank"].tolist() == want["risk_rank"].tolist()
    assert got["risk_level"].tolist() == want["risk_level"].tolist()
    got_mon = pd.read_csv(monitored_path(out), dtype={"household_id": str})
    assert got_mon["household_id"].tolist() == monitored["household_id"].tolist()


def test_households_and_counties_never_split(sim_panel, tmp_path):
    panel = sim_panel.copy()
    # One household moves county (in its province) in its last year: both
    # counties must share a chunk.
    mover = panel["household_id"].iloc[0]
    last = panel.index[(panel["household_id"] == mover) & (panel["year"] == 2024)]
    home = panel.loc[last[0], "province"]
    counties = set(panel.loc[panel["province"] == home, "county"])
    other = sorted(counties - {panel.loc[last[0], "county"]})[-1]
    panel.loc[last, "county"] = other
    path = tmp_path / "moved.parquet"
    panel.to_parquet(path, index=False)
    plan = plan_chunks(path, chunk_households=100)
    assert plan.n_movers == 1
    chunks = [load_chunk(s) for s in chunk_sources(plan, tmp_path)]
    assert len(chunks) > 1
    owner_hh: dict[str, int] = {}
    owner_county: dict[tuple[str, str], int] = {}
    for i, chunk in enumerate(chunks):
        for hh in chunk["household_id"].unique():
            assert owner_hh.setdefault(hh, i) == i
        for county in set(zip(chunk["province"], chunk["county"], strict=True)):
            assert owner_county.setdefault(county, i) == i
    assert sum(len(c) for c in chunks) == len(panel)
    assert len(owner_hh) == panel["household_id"].nunique()


def test_every_household_accounted_for(small_model, sim_panel, tmp_path):
    # 30 households have no record in the latest year: they are excluded.
    gone = sim_panel["household_id"].drop_duplicates().iloc[:30]
    panel = sim_panel.loc[
        ~(sim_panel["household_id"].isin(gone) & (sim_panel["year"] == 2024))
    ]
    path = tmp_path / "p.parquet"
    panel.to_parquet(path, index=False)
    s = score_file(path, small_model, out=tmp_path / "s.parquet", chunk_households=250)
    assert s.excluded == 30
    assert s.scored + s.monitored + s.excluded == s.households
    assert s.households == panel["household_id"].nunique()
    assert s.scored == len(pd.read_parquet(s.scores_path))
    assert s.monitored == len(pd.read_parquet(s.monitored_path))
    assert sum(s.levels.values()) == s.scored


def test_failure_mid_run_leaves_previous_output(
    small_model, panel_file, tmp_path, monkeypatch
):
    out = tmp_path / "scores.parquet"
    out.write_bytes(b"previous")
    monitored_path(out).write_bytes(b"previous monitored")
    real = _job.score_chunk
    calls = {"n": 0}

    def flaky(*args, **kwargs):
        calls["n"] += 1
        if calls["n"] == 2:
            raise RuntimeError("power cut")
        return real(*args, **kwargs)

    monkeypatch.setattr(_job, "score_chunk", flaky)
    with pytest.raises(RuntimeError, match="power cut"):
        # workers=1: the patched function runs in this process.
        score_file(panel_file, small_model, out=out, chunk_households=150, workers=1)
    assert out.read_bytes() == b"previous"
    assert monitored_path(out).read_bytes() == b"previous monitored"
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted(
        [out.name, monitored_path(out).name, panel_file.name]
    )


def test_explain_top_share_only(small_model, panel_file, tmp_path):
    out = tmp_path / "s.parquet"
    s = score_file(
        panel_file, small_model, out=out, chunk_households=200, explain="top:0.1"
    )
    got = pd.read_parquet(out)
    k = math.ceil(0.1 * len(got))
    assert s.explained == k
    explained = got["risk_types"].notna().to_numpy()
    assert explained[:k].all() and not explained[k:].any()
    panel = read_households(panel_file)
    rows = panel.index[
        (panel["year"] == 2024)
        & panel["household_id"].isin(set(got["household_id"].iloc[:k]))
    ]
    want = explain_households(
        small_model, panel, rows=rows, risk_types=load_risk_types()
    ).set_index("household_id")
    top = got.iloc[:k].set_index("household_id")
    for col in EXPLAIN_COLUMNS:
        assert top[col].tolist() == want.loc[top.index, col].tolist()


def test_bad_explain_value(small_model, panel_file, tmp_path):
    with pytest.raises(ConfigError, match="top:F"):
        score_file(panel_file, small_model, out=tmp_path / "s.csv", explain="top:2")


def test_dask_equals_local(small_model, panel_file, tmp_path):
    distributed = pytest.importorskip("distributed")
    local = tmp_path / "local.parquet"
    score_file(panel_file, small_model, out=local, chunk_households=200)
    with (
        distributed.LocalCluster(
            n_workers=2, threads_per_worker=1, processes=False, dashboard_address=None
        ) as cluster,
        distributed.Client(cluster) as client,
    ):
        remote = tmp_path / "dask.parquet"
        s = score_file(
            panel_file,
            small_model,
            out=remote,
            chunk_households=200,
            engine="dask",
            scheduler=client,
        )
    assert s.engine == "dask" and s.chunks > 1
    pd.testing.assert_frame_equal(pd.read_parquet(remote), pd.read_parquet(local))
    pd.testing.assert_frame_equal(
        pd.read_parquet(monitored_path(remote)), pd.read_parquet(monitored_path(local))
    )
