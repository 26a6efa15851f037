"""Worker threads change nothing: same outputs, same errors, same warnings."""

from __future__ import annotations

import warnings

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from fanpin.exceptions import ConfigError, DataRepairWarning, SchemaError
from fanpin.scoring import monitored_path, plan_chunks, score_file
from fanpin.scoring._chunk import ChunkSource, load_chunk
from fanpin.scoring._engine import ThreadPool
from fanpin.scoring._spill import spill_chunks


def test_two_workers_equal_one(small_model, panel_file, tmp_path):
    outs = {}
    for w in (1, 2):
        out = tmp_path / f"w{w}" / "scores.parquet"
        s = score_file(
            panel_file,
            small_model,
            out=out,
            chunk_households=150,
            explain="top:0.2",
            workers=w,
        )
        assert s.chunks > 2 and s.explained > 0
        outs[w] = out
    for path in (lambda o: o, monitored_path):
        pd.testing.assert_frame_equal(
            pd.read_parquet(path(outs[2])), pd.read_parquet(path(outs[1]))
        )
        assert path(outs[2]).read_bytes() == path(outs[1]).read_bytes()


def test_split_in_parallel_keeps_input_order(panel_file, tmp_path):
    # Small row groups so that the split runs as several tasks.
    small = tmp_path / "small_groups.parquet"
    pq.write_table(pq.read_table(panel_file), small, row_group_size=200)
    plan = plan_chunks(small, chunk_households=300)
    (tmp_path / "one").mkdir()
    (tmp_path / "two").mkdir()
    one = spill_chunks(plan, tmp_path / "one", batch_rows=97)
    two = spill_chunks(plan, tmp_path / "two", client=ThreadPool(2), tasks=3)
    assert [s.index for s in two] == [s.index for s in one]
    assert any(len(s.parts) > 1 for s in two)
    for a, b in zip(one, two, strict=True):
        pd.testing.assert_frame_equal(load_chunk(a), load_chunk(b))


def test_filtered_read_equals_parts(sim_panel, tmp_path):
    # Sorted by county in small row groups: statistics let most groups be skipped.
    path = tmp_path / "by_county.parquet"
    panel = sim_panel.sort_values(["county", "household_id"], kind="stable")
    pq.write_table(
        pa.Table.from_pandas(panel, preserve_index=False), path, row_group_size=150
    )
    plan = plan_chunks(path, chunk_households=200)
    (tmp_path / "parts").mkdir()
    parts = spill_chunks(plan, tmp_path / "parts")
    assert len(parts) > 2
    for src in parts:
        direct = ChunkSource(src.index, "filter", path, plan.rename, src.keys)
        pd.testing.assert_frame_equal(load_chunk(direct), load_chunk(src))


def test_worker_errors_arrive_whole(small_model, sim_panel, tmp_path):
    panel = sim_panel.copy()
    last = panel["county"] == sorted(panel["county"].unique())[-1]
    panel.loc[last, "household_size"] = -1
    path = tmp_path / "bad.parquet"
    panel.to_parquet(path, index=False)
    msgs = {}
    for w in (1, 2):
        with pytest.raises(SchemaError) as err:
            score_file(
                path, small_model, out=tmp_path / "s.csv", chunk_households=150,
                workers=w,
            )  # fmt: skip
        msgs[w] = str(err.value)
        assert "household_size" in msgs[w]
    assert msgs[1] == msgs[2]
    assert sorted(p.name for p in tmp_path.iterdir()) == ["bad.parquet"]


def test_worker_warnings_reach_the_caller(small_model, sim_panel, tmp_path):
    panel = sim_panel.astype({"household_size": "string"})
    panel.loc[panel.index[:5], "household_size"] = (
        panel.loc[panel.index[:5], "household_size"] + "人"
    )
    path = tmp_path / "units.parquet"
    panel.to_parquet(path, index=False)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        score_file(
            path, small_model, out=tmp_path / "s.parquet", chunk_households=150,
            workers=2,
        )  # fmt: skip
    repairs = [w for w in caught if issubclass(w.category, DataRepairWarning)]
    assert repairs and any("household_size" in str(w.message) for w in repairs)


@pytest.mark.parametrize("bad", [0, -2, 1.5])
def test_bad_worker_count(small_model, panel_file, tmp_path, bad):
    with pytest.raises(ConfigError, match="workers"):
        score_file(panel_file, small_model, out=tmp_path / "s.csv", workers=bad)


def test_sorted_parquet_is_read_directly(small_model, sim_panel, tmp_path):
    from fanpin.scoring._spill import MAX_READ_FACTOR, chunk_sources, read_factor

    by_county = tmp_path / "by_county.parquet"
    panel = sim_panel.sort_values(["county", "household_id"], kind="stable")
    pq.write_table(
        pa.Table.from_pandas(panel, preserve_index=False), by_county,
        row_group_size=150,
    )  # fmt: skip
    shuffled = tmp_path / "shuffled.parquet"
    pq.write_table(
        pa.Table.from_pandas(sim_panel.sample(frac=1, random_state=0)), shuffled,
        row_group_size=150,
    )  # fmt: skip
    plans = {p: plan_chunks(p, chunk_households=200) for p in (by_county, shuffled)}
    assert read_factor(plans[by_county]) <= MAX_READ_FACTOR
    assert read_factor(plans[shuffled]) > MAX_READ_FACTOR
    kinds = {
        p: {s.kind for s in chunk_sources(plan, tmp_path)} for p, plan in plans.items()
    }
    assert kinds == {by_county: {"filter"}, shuffled: {"part"}}
    out = {}
    for p in plans:
        out[p] = tmp_path / f"{p.stem}.scores.parquet"
        score_file(p, small_model, out=out[p], chunk_households=200)
    pd.testing.assert_frame_equal(
        pd.read_parquet(out[by_county]), pd.read_parquet(out[shuffled])
    )
