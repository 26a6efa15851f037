"""The k-way merge of sorted part files equals one global sort of their keys."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq
import pytest

from fanpin.scoring._merge import global_order


def _parts(tmp_path, sizes, *, seed, by_score=True):
    rng = np.random.default_rng(seed)
    paths, frames = [], []
    for k, size in enumerate(sizes):
        ids = [f"h{int(x):06d}" for x in rng.permutation(10 * sum(sizes))[:size]]
        ids = [f"{i}-{k}" for i in ids]  # unique across parts
        # few distinct scores: many ties inside and across parts
        p = rng.choice(np.linspace(0.01, 0.99, 7), size=size)
        frame = pd.DataFrame({"household_id": ids, "risk_score": p})
        if by_score:
            frame = frame.iloc[np.lexsort((np.array(ids, dtype=object), -p))]
        else:
            frame = frame.sort_values("household_id")
        path = tmp_path / f"part-{k}.parquet"
        pq.write_table(pa.Table.from_pandas(frame, preserve_index=False), path)
        paths.append(path)
        frames.append(frame.assign(chunk=k))
    return paths, pd.concat(frames, ignore_index=True)


@pytest.mark.parametrize("lookahead", [1, 3, 50, 10_000])
def test_merge_equals_one_sort(tmp_path, lookahead):
    paths, allk = _parts(tmp_path, [40, 0, 7, 120, 1, 33], seed=lookahead)
    chunk, p = global_order(paths, lookahead=lookahead)
    table = pa.table(
        {"p": allk["risk_score"].to_numpy(), "id": allk["household_id"].to_numpy()}
    )
    order = pc.sort_indices(
        table, sort_keys=[("p", "descending"), ("id", "ascending")]
    ).to_numpy()
    np.testing.assert_array_equal(chunk, allk["chunk"].to_numpy()[order])
    np.testing.assert_array_equal(p, allk["risk_score"].to_numpy()[order])


def test_merge_by_id(tmp_path):
    paths, allk = _parts(tmp_path, [5, 60, 0, 17], seed=3, by_score=False)
    chunk, p = global_order(paths, by_score=False, lookahead=4)
    assert p is None
    order = np.argsort(allk["household_id"].to_numpy(dtype=object), kind="stable")
    np.testing.assert_array_equal(chunk, allk["chunk"].to_numpy()[order])


def test_merge_no_rows(tmp_path):
    paths, _ = _parts(tmp_path, [0, 0], seed=0)
    chunk, p = global_order(paths)
    assert len(chunk) == 0 and len(p) == 0
