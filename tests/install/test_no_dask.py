"""Without the [dask] extra, --engine dask says how to install it."""

from __future__ import annotations

import sys

import pytest

from fanpin.exceptions import MissingDependencyError
from fanpin.scoring import MSG_NO_DASK, score_file


def test_missing_dask_message(monkeypatch, tmp_path):
    for name in ("dask", "distributed", "dask.dataframe"):
        monkeypatch.setitem(sys.modules, name, None)  # makes `import dask` fail
    with pytest.raises(MissingDependencyError) as info:
        score_file(tmp_path / "panel.parquet", object(), out=tmp_path / "s.csv",
                   engine="dask")
    assert str(info.value) == MSG_NO_DASK
    assert "pip install 'fanpin[dask]'" in str(info.value)
    assert isinstance(info.value, ImportError)
