"""The speed-ups of batch scoring change nothing: same keys, same panels, same
explanations with and without the kept chunk data."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from fanpin.schema import read_households
from fanpin.scoring import _job, plan_chunks, score_file
from fanpin.scoring._chunk import load_chunk
from fanpin.scoring._plan import _key_codes, key_strings
from fanpin.scoring._spill import spill_chunks


@pytest.mark.parametrize(
    "values, dtype",
    [
        ([" a", "b", None, "a", "b ", None, "c", "ａ"], "str"),
        ([" a", "b", None, "a", "b ", None, "c"], object),
        (["x", pd.NA, "x", " x"], "string"),
        ([3, 1, 3, 2], "int64"),
        ([1.0, np.nan, 1.0, 2.5], "float64"),
        ([], "str"),
    ],
)
def test_key_codes_equal_factorizing_cleaned_keys(values, dtype):
    s = pd.Series(values, dtype=dtype)
    codes, uniq = _key_codes(s)
    want_codes, want_uniq = pd.factorize(key_strings(s))
    np.testing.assert_array_equal(codes, want_codes)
    assert list(uniq) == list(want_uniq)


def test_parts_of_many_batches_load_as_validated_panel(panel_file, tmp_path):
    plan = plan_chunks(panel_file, chunk_households=300)
    parts = spill_chunks(plan, tmp_path, batch_rows=97)  # many record batches
    assert len(parts) == plan.n_chunks > 1
    whole = read_households(panel_file)
    got = pd.concat([load_chunk(p) for p in parts], ignore_index=True)
    key = ["household_id", "year"]
    got = got.sort_values(key, ignore_index=True)
    want = whole.sort_values(key, ignore_index=True)[list(got.columns)]
    pd.testing.assert_frame_equal(got, want)


def test_explain_same_with_and_without_kept_chunk_data(
    small_model, panel_file, tmp_path, monkeypatch
):
    kept = tmp_path / "kept.parquet"
    score_file(
        panel_file, small_model, out=kept, chunk_households=200, explain="top:0.2"
    )
    monkeypatch.setattr(_job.Workspace, "keep", lambda self, *a, **k: None)
    fresh = tmp_path / "fresh.parquet"
    score_file(  # workers=1: the patched function runs in this process
        panel_file,
        small_model,
        out=fresh,
        chunk_households=200,
        explain="top:0.2",
        workers=1,
    )
    assert not list(tmp_path.glob("**/valid-*.arrow"))
    pd.testing.assert_frame_equal(pd.read_parquet(kept), pd.read_parquet(fresh))
