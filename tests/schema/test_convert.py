"""``fanpin convert``: the export read once, validated, sorted, written atomically."""

from __future__ import annotations

import warnings

import pandas as pd
import pyarrow.parquet as pq
import pytest

from fanpin.exceptions import OutputError
from fanpin.schema import convert_households, read_households
from fanpin.scoring._plan import plan_chunks
from fanpin.scoring._spill import MAX_READ_FACTOR, read_factor

from ..cli.catalogue import export_gbk_csv


@pytest.fixture(scope="module")
def panel(sim):
    # The shared world's panel; the export comes in no particular order: shuffle it.
    return sim.panel.sample(frac=1.0, random_state=0).reset_index(drop=True)


def test_converted_panel_is_the_validated_export_sorted_by_county(tmp_path, panel):
    src = export_gbk_csv(tmp_path / "export.csv", panel)
    out = tmp_path / "panel.parquet"
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        summary = convert_households(src, out, row_group_rows=200)
        expected = read_households(src)
    assert summary.rows == len(panel)
    assert summary.households == panel["household_id"].nunique()
    assert summary.row_groups == pq.ParquetFile(out).metadata.num_row_groups > 1
    got = pd.read_parquet(out)
    keys = ["county", "province", "township", "village", "household_id", "year"]
    assert got[keys].equals(got[keys].sort_values(keys).reset_index(drop=True))
    pd.testing.assert_frame_equal(
        got.sort_values(["household_id", "year"]).reset_index(drop=True),
        expected.sort_values(["household_id", "year"]).reset_index(drop=True),
        check_dtype=False,
    )


def test_the_streaming_scorer_reads_chunks_straight_from_it(tmp_path, panel):
    out = tmp_path / "panel.parquet"
    convert_households(
        export_gbk_csv(tmp_path / "e.csv", panel), out, row_group_rows=150
    )
    plan = plan_chunks(out, chunk_households=150)
    assert plan.n_chunks > 2
    assert read_factor(plan) <= MAX_READ_FACTOR


def test_the_output_must_be_another_parquet_file(tmp_path, panel):
    src = tmp_path / "p.parquet"
    panel.to_parquet(src)
    with pytest.raises(OutputError, match="is the input file itself"):
        convert_households(src, src)
    with pytest.raises(OutputError, match="must be a .parquet file"):
        convert_households(src, tmp_path / "p.csv")
