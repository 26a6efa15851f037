"""Where the time of batch scoring goes: stage timings on a tiled panel.

Usage: python bench/profile_scoring.py [--tiles 4] [--chunk 100000] [--explain top:0.1]
[--cprofile FILE] [--predictor lignum]. Re-uses bench_scoring's data (50k
households x 3 years, tiled).
"""

from __future__ import annotations

import argparse
import cProfile
import os
import sys
import tempfile
import time
from collections import defaultdict
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import bench_scoring as bs  # noqa: E402

T: dict[str, float] = defaultdict(float)


def timed(name, fn):
    def wrap(*a, **k):
        t0 = time.perf_counter()
        try:
            return fn(*a, **k)
        finally:
            T[name] += time.perf_counter() - t0

    return wrap


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--tiles", type=int, default=4)
    ap.add_argument("--chunk", type=int, default=100_000)
    ap.add_argument("--explain", default=None)
    ap.add_argument("--cprofile", default=None)
    ap.add_argument(
        "--workers", type=int, default=1,
        help="1 (default): stage timers see every stage; >1: end-to-end time only",
    )
    ap.add_argument("--predictor", default="lightgbm", help="lightgbm or lignum")
    args = ap.parse_args()
    from fanpin.explain import _explain as fex
    from fanpin.features import PanelFeatures
    from fanpin.models import load_model
    from fanpin.models._risk_model import RiskModel
    from fanpin.scoring import _chunk, _job, _score_file

    data = bs.tiled_panel(args.tiles)
    model = load_model(bs.model_dir())
    # instrument (the names each module looks up at call time)
    _job.plan_chunks = timed("plan", _job.plan_chunks)
    _job.chunk_sources = timed("split", _job.chunk_sources)
    _job.load_chunk = timed("read+validate", _job.load_chunk)
    _chunk.validate_households = timed("validate", _chunk.validate_households)
    _job.score_chunk = timed("score_chunk", _job.score_chunk)
    PanelFeatures.transform = timed("features", PanelFeatures.transform)
    PanelFeatures.transform_rows = timed("features", PanelFeatures.transform_rows)
    _chunk.rows_probabilities = timed("predict_proba", _chunk.rows_probabilities)
    RiskModel._margin = timed("raw score (booster)", RiskModel._margin)
    _chunk.hardship_reasons = timed("hardship", _chunk.hardship_reasons)
    fex.shap_values = timed("shap(pred_contrib)", fex.shap_values)
    fex.household_values = timed("household_values", fex.household_values)
    fex.rank_risks = timed("rank_risks", fex.rank_risks)
    fex.risk_contributions = timed("risk_contributions", fex.risk_contributions)
    _score_file.explain_rows = timed("explain_rows", _score_file.explain_rows)
    _score_file.write_merged = timed("merge+write", _score_file.write_merged)
    out = Path(tempfile.mkdtemp(dir=bs.DATA)) / "scores.parquet"
    prof = cProfile.Profile() if args.cprofile else None
    t0 = time.perf_counter()
    if prof:
        prof.enable()
    s = _score_file.score_file(
        data,
        model,
        out=out,
        chunk_households=args.chunk,
        explain=args.explain,
        workers=args.workers,
        predictor=args.predictor,
    )
    if prof:
        prof.disable()
        prof.dump_stats(args.cprofile)
    total = time.perf_counter() - t0
    print(f"households {s.households} scored {s.scored} explained {s.explained} "
          f"chunks {s.chunks} total {total:.1f}s rate {s.households / total:,.0f}/s "
          f"load {os.getloadavg()[0]:.1f}")
    for k, v in sorted(T.items(), key=lambda kv: -kv[1]):
        print(f"{k:22s} {v:7.2f}s {v / total:6.1%}")


if __name__ == "__main__":
    main()
