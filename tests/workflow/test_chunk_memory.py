"""What the alert run keeps of a chunk until the run ends holds none of the
chunk's data (a zero-row slice of a frame keeps each column's whole buffer)."""

import numpy as np
import pandas as pd

from fanpin.workflow._alert_hooks import _no_rows


def _frame(n: int) -> pd.DataFrame:
    return pd.DataFrame(
        {
            "household_id": pd.array([f"h{i:06d}" for i in range(n)], dtype="string"),
            "income_wage": np.arange(n, dtype="float64"),
            "year": np.full(n, 2025, dtype="int64"),
            "dibao": np.zeros(n, dtype=bool),
            "disaster_type": pd.Categorical(["无"] * n),
            "date": pd.to_datetime(["2025-01-01"] * n),
        },
        index=pd.Index(np.arange(n) * 2, dtype="int64"),
    )


def _bytes_held(frame: pd.DataFrame) -> int:
    held = 0
    for c in frame.columns:
        arr = frame[c].array
        pa_array = getattr(arr, "_pa_array", None)
        if pa_array is not None:
            held += pa_array.get_total_buffer_size()
            continue
        values = np.asarray(arr)
        base = values.base if isinstance(values, np.ndarray) else None
        held += base.nbytes if isinstance(base, np.ndarray) else values.nbytes
    return held


def test_a_zero_row_slice_keeps_the_data_and_no_rows_does_not():
    df = _frame(50_000)
    assert _bytes_held(df.iloc[:0]) > 400_000  # the trap being avoided
    empty = _no_rows(df)
    assert _bytes_held(empty) < 100  # an empty offsets buffer at most
    assert len(empty) == 0
    pd.testing.assert_series_equal(empty.dtypes, df.dtypes)
    assert empty.index.dtype == df.index.dtype


def test_no_rows_keeps_a_range_index():
    df = _frame(10).reset_index(drop=True)
    empty = _no_rows(df)
    assert isinstance(empty.index, pd.RangeIndex)
    pd.testing.assert_frame_equal(empty, df.iloc[:0])
