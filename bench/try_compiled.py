"""Experiment (not part of ``make bench``): predict speed of a compiled model.

lleaves compiles a LightGBM model to native code with LLVM. Run with lleaves and
llvmlite importable, e.g. ``pip install --target /tmp/lleaves_env lleaves
llvmlite`` and ``PYTHONPATH=/tmp/lleaves_env``. Prints compile time, rows/s for
LightGBM and lleaves on the same matrix, and the largest difference in raw score.
"""

from __future__ import annotations

import os
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import pyarrow.parquet as pq

sys.path.insert(0, str(Path(__file__).resolve().parent))
import bench_scoring as bs  # noqa: E402


def main() -> None:
    import lleaves

    from fanpin.models import load_model
    from fanpin.schema import validate_households

    m = load_model(bs.model_dir())
    raw = pq.ParquetFile(bs.tiled_panel(4)).read_row_groups([0]).to_pandas()
    panel = validate_households(raw)
    X = m.features.transform(panel)
    X = X.loc[(panel["year"] == 2025).to_numpy(), m.feature_names]
    data = X.to_numpy(dtype="float64")
    booster = m.model.booster_.booster_
    f = Path(tempfile.mkdtemp()) / "model.txt"
    booster.save_model(f)
    t0 = time.perf_counter()
    ll = lleaves.Model(model_file=str(f))
    ll.compile(cache=str(f.with_suffix(".so")))
    compile_s = time.perf_counter() - t0
    for name, fn in (
        ("lightgbm", lambda: booster.predict(data, num_threads=2)),
        ("lleaves", lambda: ll.predict(data, n_jobs=2)),
    ):
        ts = []
        for _ in range(3):
            t0 = time.perf_counter()
            out = fn()
            ts.append(time.perf_counter() - t0)
        print(f"{name}: {len(data) / np.median(ts):,.0f} rows/s")
    a = booster.predict(data)
    b = ll.predict(data)
    diff = float(np.max(np.abs(a - b)))
    print(
        f"compile {compile_s:.1f}s; max |diff| probability {diff:.3g}; identical: "
        f"{bool(np.array_equal(a, b))}; load {os.getloadavg()[0]:.1f}"
    )
    _ = out


if __name__ == "__main__":
    main()
