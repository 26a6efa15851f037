"""Experiment (not part of ``make bench``): compiled / alternative LightGBM predictors.

Compares LightGBM's own ``Booster.predict`` with the predictors that claim to be
faster (pylignum's interpreter and compiled trees, lleaves, treelite's GTIL and
tl2cgen) on the same feature matrix, in the same process, with interleaved
repeats (so machine load hits every candidate alike; read the ratios):

- bit identity of the raw score and of the calibrated probability against
  LightGBM (largest absolute difference, count of rows that differ, whether the
  ranking by (score desc, id) is the same);
- rows/s on 1 thread and on ``--threads`` threads, median of ``--repeats``;
- load / compile time.

The candidates are optional; install each where Python finds it, e.g.::

    pip install --target /tmp/c3/t_lignum pylignum==0.3.0
    pip install --target /tmp/c3/t_ll --no-deps lleaves==1.3.0 llvmlite==0.44.0
    pip install --target /tmp/c3/t_tl --no-deps treelite==4.8.1 tl2cgen==1.0.0
    PYTHONPATH=/tmp/c3/t_lignum:/tmp/c3/t_ll:/tmp/c3/t_tl python bench/try_compiled.py

Those not importable are reported as such. ``--e2e-tiles N`` also runs
``score_file`` on N tiles (50,000 households each) with ``predictor="lightgbm"``
and ``"lignum"``, interleaved, and reports seconds, households/s, the time
inside the booster's raw score (summed over worker threads) and whether the
output files are byte-identical. Writes ``bench/results_compiled.json``.
"""

from __future__ import annotations

import argparse
import importlib
import json
import os
import statistics
import sys
import tempfile
import time
import traceback
from pathlib import Path

import numpy as np
import pyarrow.parquet as pq
from scipy.special import expit

sys.path.insert(0, str(Path(__file__).resolve().parent))
import bench_scoring as bs  # noqa: E402

HERE = Path(__file__).resolve().parent


def bench_matrix(n_tiles: int) -> tuple[np.ndarray, np.ndarray]:
    """Feature matrix (float64, model column order) of the latest-year rows of
    the first ``n_tiles`` tiles (50,000 whole households each) of the 1M panel,
    built as ``fanpin.models.rows_probabilities`` builds it; and their ids."""
    from fanpin.models import load_model
    from fanpin.schema import validate_households

    model = load_model(bs.model_dir())
    pf = pq.ParquetFile(bs.tiled_panel(20))
    need = n_tiles * bs.BASE_HOUSEHOLDS * len(bs.YEARS)
    groups, rows = [], 0
    while rows < need:
        groups.append(len(groups))
        rows += pf.metadata.row_group(len(groups) - 1).num_rows
    raw = pf.read_row_groups(groups).to_pandas()
    keep = raw["household_id"].str[:4].isin([f"T{k:03d}" for k in range(n_tiles)])
    panel = validate_households(raw.loc[keep].reset_index(drop=True))
    latest = panel.index[(panel["year"] == panel["year"].max()).to_numpy()]
    X = model.features.transform_rows(panel, latest)
    names = model.feature_names
    m = np.empty((len(X), len(names)), dtype="float64")
    for j, name in enumerate(names):
        m[:, j] = X[name].to_numpy(dtype="float64", na_value=np.nan)
    return m, panel.loc[latest, "household_id"].astype(str).to_numpy()


def candidates(model_txt: Path, n_features: int, threads: int, work: Path) -> dict:
    """name -> (setup seconds, {n_threads: raw-score function}, versions, note)."""
    out: dict = {}

    def attempt(name, build):
        try:
            t0 = time.perf_counter()
            fns, versions = build()
            out[name] = {
                "setup_s": time.perf_counter() - t0,
                "fns": fns,
                "versions": versions,
            }
        except Exception as exc:  # report every failure, go on with the rest
            out[name] = {"error": f"{type(exc).__name__}: {exc}"}
            traceback.print_exc()

    def lignum_interp():
        lignum = importlib.import_module("lignum")
        m = lignum.load(str(model_txt))
        return (
            {k: (lambda X, k=k: m.predict(X, raw_score=True, n_jobs=k))
             for k in (1, threads)},
            {"pylignum": lignum.__version__},
        )  # fmt: skip

    def lignum_compiled():
        lignum = importlib.import_module("lignum")
        m = lignum.load(str(model_txt))
        stats = m.compile(work_dir=str(work / "lignum"))
        return (
            {k: (lambda X, k=k: m.predict(X, raw_score=True, n_jobs=k))
             for k in (1, threads)},
            {"pylignum": lignum.__version__, "compile": {
                k: v for k, v in stats.items()
                if k.endswith("_ms") or k == "compiler"}},
        )  # fmt: skip

    def lleaves_():
        lleaves = importlib.import_module("lleaves")
        llvmlite = importlib.import_module("llvmlite")
        m = lleaves.Model(model_file=str(model_txt))
        m.compile(raw_score=True)
        return (
            {k: (lambda X, k=k: m.predict(X, n_jobs=k)) for k in (1, threads)},
            {"lleaves": getattr(lleaves, "__version__", "1.3.0"),
             "llvmlite": llvmlite.__version__},
        )  # fmt: skip

    def gtil():
        treelite = importlib.import_module("treelite")
        tm = treelite.frontend.load_lightgbm_model(str(model_txt))

        def fn(X, k):
            return treelite.gtil.predict(tm, X, nthread=k, pred_margin=True).reshape(-1)

        return (
            {k: (lambda X, k=k: fn(X, k)) for k in (1, threads)},
            {"treelite": treelite.__version__},
        )

    def tl2cgen_():
        treelite = importlib.import_module("treelite")
        tl2cgen = importlib.import_module("tl2cgen")
        tm = treelite.frontend.load_lightgbm_model(str(model_txt))
        lib = work / "tl2cgen_model.so"
        tl2cgen.export_lib(tm, toolchain="gcc", libpath=str(lib),
                           params={"parallel_comp": 8}, nthread=1)  # fmt: skip
        preds = {k: tl2cgen.Predictor(str(lib), nthread=k) for k in (1, threads)}

        def fn(X, k):
            dm = tl2cgen.DMatrix(X, dtype="float64")
            return np.asarray(preds[k].predict(dm, pred_margin=True)).reshape(-1)

        return (
            {k: (lambda X, k=k: fn(X, k)) for k in (1, threads)},
            {"treelite": treelite.__version__, "tl2cgen": tl2cgen.__version__},
        )

    attempt("pylignum (interpreter)", lignum_interp)
    attempt("pylignum (compiled, cc -O2)", lignum_compiled)
    attempt("lleaves", lleaves_)
    attempt("treelite GTIL", gtil)
    attempt("tl2cgen (gcc)", tl2cgen_)
    _ = n_features
    return out


def end_to_end(n_tiles: int, repeats: int, workers: int | None) -> dict:
    """``score_file`` with each predictor: wall seconds, seconds in the raw
    score (``RiskModel._margin``, summed over threads), output bytes equal."""
    import hashlib
    import threading

    from fanpin.models import load_model
    from fanpin.models._risk_model import RiskModel
    from fanpin.scoring import excluded_path, monitored_path, score_file

    data = bs.tiled_panel(n_tiles)
    model = load_model(bs.model_dir())
    spent = [0.0]
    lock = threading.Lock()
    margin = RiskModel._margin

    def timed_margin(self, *a, **k):
        t0 = time.perf_counter()
        try:
            return margin(self, *a, **k)
        finally:
            with lock:
                spent[0] += time.perf_counter() - t0

    RiskModel._margin = timed_margin
    runs: dict = {"lightgbm": [], "lignum": []}
    digests: dict = {}
    try:
        for _ in range(repeats):
            for predictor in runs:
                out = Path(tempfile.mkdtemp(dir=bs.DATA)) / "scores.csv"
                spent[0] = 0.0
                t0 = time.perf_counter()
                s = score_file(data, model, out=out, workers=workers,
                               predictor=predictor)  # fmt: skip
                wall = time.perf_counter() - t0
                runs[predictor].append({"seconds": wall, "predict_s": spent[0]})
                h = hashlib.sha256()
                for f in (out, monitored_path(out), excluded_path(out)):
                    h.update(f.read_bytes())
                    f.unlink()
                digests.setdefault(predictor, set()).add(h.hexdigest())
                out.parent.rmdir()
                load = os.getloadavg()[0]
                print(f"{predictor}: {wall:.1f}s, raw score {spent[0]:.1f}s "
                      f"(thread-seconds), load {load:.1f}", flush=True)  # fmt: skip
    finally:
        RiskModel._margin = margin
    res: dict = {"households": s.households, "workers": workers or os.cpu_count(),
                 "repeats": repeats}  # fmt: skip
    for predictor, rs in runs.items():
        wall = statistics.median(r["seconds"] for r in rs)
        res[predictor] = {
            "seconds_median": round(wall, 2),
            "households_per_s": round(s.households / wall),
            "raw_score_thread_s_median": round(
                statistics.median(r["predict_s"] for r in rs), 2
            ),
            "runs": [{k: round(v, 2) for k, v in r.items()} for r in rs],
        }
    res["speedup"] = round(
        res["lightgbm"]["seconds_median"] / res["lignum"]["seconds_median"], 3
    )
    res["outputs_byte_identical"] = (
        len(digests["lightgbm"] | digests["lignum"]) == 1
    )
    return res


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--tiles", type=int, default=2, help="50,000 households each")
    ap.add_argument("--threads", type=int, default=os.cpu_count() or 2)
    ap.add_argument("--repeats", type=int, default=5)
    ap.add_argument("--out", default=str(HERE / "results_compiled.json"))
    ap.add_argument("--e2e-tiles", type=int, default=0)
    ap.add_argument("--e2e-repeats", type=int, default=3)
    ap.add_argument("--e2e-workers", type=int, default=None)
    ap.add_argument("--only-e2e", action="store_true")
    args = ap.parse_args()
    load_at_start = os.getloadavg()[0]
    e2e_key = f"end_to_end_{args.e2e_tiles * bs.BASE_HOUSEHOLDS // 1000}k"
    if args.only_e2e:
        report = json.loads(Path(args.out).read_text())
        report[e2e_key] = end_to_end(args.e2e_tiles, args.e2e_repeats,
                                     args.e2e_workers)  # fmt: skip
        Path(args.out).write_text(json.dumps(report, indent=2) + "\n")
        print(json.dumps(report[e2e_key], indent=2))
        return

    import lightgbm as lgb

    from fanpin.models import load_model
    from fanpin.ranking import rank

    model = load_model(bs.model_dir())
    est = model.model
    booster = est.booster_
    X, ids = bench_matrix(args.tiles)
    work = Path(tempfile.mkdtemp(prefix="try_compiled_"))
    model_txt = work / "model.txt"
    booster.save_model(str(model_txt), num_iteration=est.n_rounds_)

    def lgb_fn(k):
        return lambda X: booster.predict(
            X, raw_score=True, num_iteration=est.n_rounds_, num_threads=k
        )

    found = {
        "lightgbm": {
            "setup_s": 0.0,
            "versions": {"lightgbm": lgb.__version__},
            "fns": {k: lgb_fn(k) for k in (1, args.threads)},
        }
    }
    found.update(candidates(model_txt, X.shape[1], args.threads, work))
    runnable = [n for n, c in found.items() if "fns" in c]

    def proba(raw):  # exactly RiskModel._p after the margin
        return est._calibrate(expit(raw))

    ref_raw = found["lightgbm"]["fns"][1](X)
    ref_p = proba(ref_raw)
    ref_order = rank(ref_p, ids)
    results: dict = {}
    for name in found:
        c = found[name]
        if "fns" not in c:
            results[name] = {"error": c["error"]}
            continue
        res = {"versions": c["versions"], "setup_s": round(c["setup_s"], 3)}
        for k, fn in c["fns"].items():
            raw = np.asarray(fn(X), dtype="float64")
            p = proba(raw)
            res[f"raw_identical_{k}t"] = bool(np.array_equal(raw, ref_raw))
            res[f"max_abs_diff_raw_{k}t"] = float(np.max(np.abs(raw - ref_raw)))
            res[f"rows_raw_differ_{k}t"] = int(np.sum(raw != ref_raw))
            res[f"proba_identical_{k}t"] = bool(np.array_equal(p, ref_p))
            res[f"max_abs_diff_proba_{k}t"] = float(np.max(np.abs(p - ref_p)))
            res[f"ranking_identical_{k}t"] = bool(
                np.array_equal(rank(p, ids), ref_order)
            )
        results[name] = res

    # speed: interleaved repeats, every candidate once per round
    times: dict = {(n, k): [] for n in runnable for k in (1, args.threads)}
    for n in runnable:  # warm-up
        for k in (1, args.threads):
            found[n]["fns"][k](X[:1000])
    for _ in range(args.repeats):
        for n in runnable:
            for k in (1, args.threads):
                t0 = time.perf_counter()
                found[n]["fns"][k](X)
                times[(n, k)].append(time.perf_counter() - t0)
    base = {k: statistics.median(times[("lightgbm", k)]) for k in (1, args.threads)}
    for n in runnable:
        for k in (1, args.threads):
            med = statistics.median(times[(n, k)])
            results[n][f"rows_per_s_{k}t"] = round(len(X) / med)
            results[n][f"speed_vs_lightgbm_{k}t"] = round(base[k] / med, 2)
    report = {
        "what": "raw score of the bench model on the latest-year rows of the first "
        f"{args.tiles} tiles of the 1M bench panel; speed = median of {args.repeats} "
        "interleaved repeats, same process, same matrix",
        "rows": int(len(X)),
        "features": int(X.shape[1]),
        "trees": int(est.n_rounds_),
        "num_leaves": int(est.num_leaves),
        "calibration": est.calibration_,
        "threads": args.threads,
        "machine": {**bs.machine(), "load_avg_at_start": load_at_start},
        "load_avg_at_end": os.getloadavg()[0],
        "results": results,
    }
    if args.e2e_tiles:
        report[e2e_key] = end_to_end(args.e2e_tiles, args.e2e_repeats,
                                     args.e2e_workers)  # fmt: skip
    Path(args.out).write_text(json.dumps(report, indent=2, ensure_ascii=False) + "\n")
    print(json.dumps(report, indent=2, ensure_ascii=False))


if __name__ == "__main__":
    main()
