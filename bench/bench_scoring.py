"""Throughput and memory of batch scoring (``fanpin.scoring.score_file``).

Data: 1 million households x 3 years (2023-2025, 2025 scored). Simulating a
million households with the Monte Carlo oracle is slow and the oracle is not
needed here, so a 50,000-household panel is simulated with ``oracle_draws=1``
and tiled 20 times with new household ids and new county / township / village
names (so counties keep their realistic size: ~2,500 households each). 5 million
households = 100 tiles, written tile by tile. The model is the shipped config
(600 trees, 15 leaves) trained on a separate 20,000-household panel (seed 1).

Each figure is measured in a fresh subprocess (peak RSS = the child's
``ru_maxrss``; for Dask, psutil samples the client plus worker processes).
Anchors, on the same model: LightGBM ``Booster.predict`` on a prebuilt feature
matrix of latest-year rows, and shap's ``TreeExplainer`` on explained rows.

Usage: python bench/bench_scoring.py [--repeats 3] [--skip-5m] [--out FILE]
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import subprocess
import sys
import threading
import time
import warnings
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

HERE = Path(__file__).resolve().parent
DATA = HERE / "_data"
BASE_HOUSEHOLDS = 50_000
YEARS = range(2023, 2026)
AS_OF = pd.Timestamp("2026-06-30")


def machine() -> dict:
    import psutil

    cpu = platform.processor() or ""
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    return {
        "cores": os.cpu_count(),
        "ram_gb": round(psutil.virtual_memory().total / 2**30, 1),
        "cpu": cpu,
        "python": platform.python_version(),
        "load_avg_at_start": os.getloadavg()[0],
    }


def base_panel() -> pd.DataFrame:
    """The 50k-household base panel (and its pushes of 2026, ``base_pushes``)."""
    from datetime import date

    from fanpin.synthetic import SimulationParams, simulate

    path, pushes = DATA / "base.parquet", DATA / "base_pushes.parquet"
    if path.exists() and pushes.exists():
        return pd.read_parquet(path)
    sim = simulate(
        BASE_HOUSEHOLDS, years=YEARS, seed=0, params=SimulationParams(oracle_draws=1),
        pushes_until=date(AS_OF.year, AS_OF.month, AS_OF.day),
    )  # fmt: skip
    DATA.mkdir(exist_ok=True)
    sim.panel.to_parquet(path, index=False)
    sim.pushes.to_parquet(pushes, index=False)
    return sim.panel


def tiled_pushes(n_tiles: int) -> Path:
    """The base panel's pushes, tiled as :func:`tiled_panel` tiles households."""
    path = DATA / f"pushes_{n_tiles * BASE_HOUSEHOLDS // 1000}k.parquet"
    if path.exists():
        return path
    base_panel()
    base = pd.read_parquet(DATA / "base_pushes.parquet")
    tiles = []
    for k in range(n_tiles):
        tile = base.copy()
        tile["household_id"] = f"T{k:03d}" + tile["household_id"].astype(str)
        tiles.append(tile)
    pd.concat(tiles, ignore_index=True).to_parquet(path, index=False)
    return path


def tiled_panel(n_tiles: int) -> Path:
    """The base panel tiled ``n_tiles`` times (new ids and place names)."""
    path = DATA / f"panel_{n_tiles * BASE_HOUSEHOLDS // 1000}k.parquet"
    if path.exists():
        return path
    base = base_panel()
    tmp = path.with_suffix(".tmp")
    writer = None
    for k in range(n_tiles):
        tile = base.copy()
        tile["household_id"] = f"T{k:03d}" + tile["household_id"].astype(str)
        for col in ("county", "township", "village"):
            tile[col] = tile[col].astype(str) + f"#{k:03d}"
        table = pa.Table.from_pandas(tile, preserve_index=False)
        if writer is None:
            writer = pq.ParquetWriter(tmp, table.schema)
        writer.write_table(table, row_group_size=262_144)
    writer.close()
    tmp.rename(path)
    return path


def model_dir() -> Path:
    from fanpin.models import save_model, train_risk_model
    from fanpin.synthetic import SimulationParams, simulate

    path = DATA / "model"
    if path.exists():
        return path
    panel = simulate(
        20_000, years=range(2021, 2026), seed=1, params=SimulationParams(oracle_draws=1)
    ).panel
    save_model(train_risk_model(panel.loc[panel["year"] <= 2024]), path)
    return path


# --- child processes ---------------------------------------------------------------
def cli_child(args: argparse.Namespace) -> None:
    """Run one ``fanpin score`` or ``fanpin alerts`` command in this process, as a
    user would (default workers), and print its time and peak RSS."""
    import resource
    import shutil

    from fanpin.cli import app

    out = DATA / "out" / args.cli
    shutil.rmtree(out, ignore_errors=True)
    out.mkdir(parents=True)
    argv = [args.cli, args.data, "--model", args.model, "--quiet"]
    if args.cli == "score":
        argv += ["--out", str(out / "scores.csv")]
    else:
        argv += ["--events", args.events, "--as-of", f"{AS_OF:%Y-%m-%d}",
                 "--out", str(out)]  # fmt: skip
    if args.workers:
        argv += ["--workers", str(args.workers)]
    if args.cli == "alerts" and args.rules:
        argv += ["--rules", args.rules]
    t0 = time.perf_counter()
    app(argv, standalone_mode=False)
    dt = time.perf_counter() - t0
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024
    books = len(list((out / "excel").glob("*.xlsx"))) if args.cli == "alerts" else 0
    listed = 0
    if args.cli == "alerts":
        listed = len(pd.read_csv(out / "alerts.csv", usecols=["household_id"]))
    print(json.dumps({"seconds": dt, "peak_rss_bytes": rss, "workbooks": books,
                      "listed": listed, "households": 0, "explained": listed}))


def run_cli(kind: str, data: Path, model: Path, events: Path | None = None,
            workers: int = 0, rules: str | None = None) -> dict:  # fmt: skip
    cmd = [sys.executable, __file__, "--cli", kind, "--data", str(data), "--model",
           str(model)]  # fmt: skip
    if events is not None:
        cmd += ["--events", str(events)]
    if rules:
        cmd += ["--rules", rules]
    if workers:
        cmd += ["--workers", str(workers)]
    res = subprocess.run(cmd, capture_output=True, text=True)
    if res.returncode:
        raise RuntimeError(res.stderr[-3000:])
    return json.loads(res.stdout.strip().splitlines()[-1])


def alerts_against_score(
    d1: Path, m: Path, pushes: Path, repeats: int, rules: str | None = None
) -> dict:
    """``fanpin alerts`` (pushes, explanations of the listed households, every
    township workbook) against ``fanpin score`` on the same panel, run
    alternately in the same session, default workers: their time ratio.
    ``rules``: the alerts' rules.yaml (default: the shipped one)."""
    runs: dict[str, list[dict]] = {"score": [], "alerts": []}
    for _ in range(repeats):
        runs["score"].append(run_cli("score", d1, m))
        runs["alerts"].append(run_cli("alerts", d1, m, pushes, rules=rules))
        print("alerts/score", runs["alerts"][-1], runs["score"][-1], flush=True)
    out = {}
    for kind, rs in runs.items():
        secs = [r["seconds"] for r in rs]
        out[kind] = {
            "seconds_median": round(statistics.median(secs), 2),
            "seconds_all": [round(x, 2) for x in secs],
            "peak_rss_mb_max": round(max(r["peak_rss_bytes"] for r in rs) / 2**20),
        }
    a = runs["alerts"][0]
    out["alerts"].update(
        workbooks=a["workbooks"],
        listed=a["listed"],
        rules=rules or "shipped configs/rules.yaml",
    )
    ratios = [
        a_["seconds"] / s_["seconds"]
        for a_, s_ in zip(runs["alerts"], runs["score"], strict=True)
    ]
    out["ratio_alerts_over_score"] = round(statistics.median(ratios), 2)
    out["ratios_all"] = [round(r, 2) for r in ratios]
    out["load_avg_after"] = os.getloadavg()[0]
    out["floor"] = treeshap_floor(
        m, d1, a["listed"], out["score"]["seconds_median"]
    )
    return out


def treeshap_floor(
    model: Path, data: Path, listed: int, score_seconds: float
) -> dict:
    """The least ``fanpin alerts`` can take on this machine: ``fanpin score``
    on the same panel plus LightGBM's own TreeSHAP (``pred_contrib``) of every
    listed household, spread over every core, with nothing else (no events,
    rules, what-if, sentences or workbooks). TreeSHAP's CPU per row is timed on
    one thread over the latest records of 20,000 households of ``data``."""
    x, booster = latest_matrix(model, data, 20_000)
    booster.predict(x[:100], pred_contrib=True, num_threads=1)  # warm
    t0 = time.process_time()
    booster.predict(x, pred_contrib=True, num_threads=1)
    per_row = (time.process_time() - t0) / len(x)
    cores = os.cpu_count() or 1
    floor = score_seconds + listed * per_row / cores
    return {
        "treeshap_cpu_ms_per_row": round(1000 * per_row, 3),
        "rows_timed": len(x),
        "trees": booster.num_trees(),
        "listed": listed,
        "cores": cores,
        "seconds": round(floor, 1),
        "over_score": round(floor / score_seconds, 2),
    }


def child(args: argparse.Namespace) -> None:
    import resource

    from fanpin.models import load_model
    from fanpin.scoring import CHUNK_HOUSEHOLDS, score_file

    model = load_model(args.model)
    out = DATA / "out" / "scores.parquet"
    peak = {"rss": 0}
    by_pid: dict[int, int] = {}  # Dask: peak RSS of each process (client first)
    stop = threading.Event()
    if args.engine == "dask":
        import psutil

        me = psutil.Process()

        def sample() -> None:
            while not stop.is_set():
                try:
                    procs = [me, *me.children(recursive=True)]
                    each = {p.pid: p.memory_info().rss for p in procs}
                    peak["rss"] = max(peak["rss"], sum(each.values()))
                    for pid, rss in each.items():
                        by_pid[pid] = max(by_pid.get(pid, 0), rss)
                except psutil.Error:
                    pass
                time.sleep(0.2)

        threading.Thread(target=sample, daemon=True).start()
    t0 = time.perf_counter()
    s = score_file(
        args.data,
        model,
        out=out,
        engine=args.engine,
        chunk_households=args.chunk or CHUNK_HOUSEHOLDS,
        explain=args.explain,
        workers=args.workers,
    )
    dt = time.perf_counter() - t0
    stop.set()
    own = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024
    print(
        json.dumps(
            {
                "seconds": dt,
                "households": s.households,
                "scored": s.scored,
                "explained": s.explained,
                "chunks": s.chunks,
                "peak_rss_bytes": max(own, peak["rss"]),
                "peak_rss_by_process_mb": [
                    round(v / 2**20) for v in by_pid.values()
                ],
            }
        )
    )


def run_child(
    data: Path, model: Path, engine: str, explain: str | None, workers: int = 0
) -> dict:
    cmd = [
        sys.executable, __file__, "--child", "--data", str(data), "--model", str(model),
        "--engine", engine,
    ]  # fmt: skip
    if explain:
        cmd += ["--explain", explain]
    if workers:
        cmd += ["--workers", str(workers)]
    res = subprocess.run(cmd, capture_output=True, text=True, check=True)
    return json.loads(res.stdout.strip().splitlines()[-1])


def summarise(runs: list[dict]) -> dict:
    secs = [r["seconds"] for r in runs]
    med = statistics.median(secs)
    return {
        "runs": len(runs),
        "seconds_median": round(med, 2),
        "seconds_all": [round(s, 2) for s in secs],
        "households": runs[0]["households"],
        "explained": runs[0]["explained"],
        "households_per_s": round(runs[0]["households"] / med),
        "peak_rss_mb_median": round(
            statistics.median(r["peak_rss_bytes"] for r in runs) / 2**20
        ),
        "peak_rss_by_process_mb": runs[0].get("peak_rss_by_process_mb") or None,
    }


# --- anchors ---------------------------------------------------------------------
def latest_matrix(model_path: Path, data: Path, n: int) -> tuple[np.ndarray, Any]:
    """The bench model's feature matrix of ``n`` households' 2025 records (the
    first tiles of ``data``) and its LightGBM booster."""
    from fanpin.explain import booster_of
    from fanpin.models import load_model
    from fanpin.schema import validate_households

    model = load_model(model_path)
    pf = pq.ParquetFile(data)
    first = pf.read_row_groups(list(range(min(4, pf.num_row_groups)))).to_pandas()
    # whole households of the first tiles: all their rows are in these row groups
    ids = first.loc[first["year"] == 2025, "household_id"].iloc[:n]
    panel = validate_households(first.loc[first["household_id"].isin(set(ids))])
    X = model.features.transform(panel)
    X = X.loc[(panel["year"] == 2025).to_numpy(), model.feature_names]
    return X.to_numpy(dtype="float64"), booster_of(model)  # a gbdt model's


def anchors(model_path: Path, data: Path, n_predict: int, n_shap: int) -> dict:
    data_np, booster = latest_matrix(model_path, data, n_predict)
    times = []
    for _ in range(3):
        t0 = time.perf_counter()
        booster.predict(data_np, num_threads=os.cpu_count())
        times.append(time.perf_counter() - t0)
    predict_rate = len(data_np) / statistics.median(times)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        import shap

        explainer = shap.TreeExplainer(booster)
        sub = data_np[:n_shap]
        t0 = time.perf_counter()
        explainer.shap_values(sub)
        shap_rate = len(sub) / (time.perf_counter() - t0)
    # Speed against model size (the first n trees of the same booster): what a
    # smaller or distilled model would buy for scoring and for explanations.
    by_trees = []
    n_all = booster.num_trees()
    for n_iter in sorted({max(n_all // 4, 1), max(n_all // 2, 1), n_all}):
        t0 = time.perf_counter()
        booster.predict(data_np, num_iteration=n_iter, num_threads=os.cpu_count())
        pr = len(data_np) / (time.perf_counter() - t0)
        few = data_np[: n_shap // 2]
        t0 = time.perf_counter()
        booster.predict(
            few, num_iteration=n_iter, pred_contrib=True, num_threads=os.cpu_count()
        )
        cr = len(few) / (time.perf_counter() - t0)
        by_trees.append(
            {
                "trees": n_iter,
                "predict_rows_per_s": round(pr),
                "pred_contrib_rows_per_s": round(cr, 1),
            }
        )
    return {
        "by_trees": by_trees,
        "predict_rows": len(data_np),
        "predict_rows_per_s": round(predict_rate),
        "shap_rows": len(sub),
        "shap_rows_per_s": round(shap_rate, 1),
        "trees": booster.num_trees(),
    }


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--child", action="store_true")
    ap.add_argument("--cli", choices=["score", "alerts"], default=None)
    ap.add_argument("--events")
    ap.add_argument("--only-alerts", action="store_true",
                    help="only the alerts-against-score runs")
    ap.add_argument("--data")
    ap.add_argument("--model")
    ap.add_argument("--engine", default="local")
    ap.add_argument("--chunk", type=int, default=None, help="default: fanpin's")
    ap.add_argument("--explain", default=None)
    ap.add_argument("--workers", type=int, default=None)
    ap.add_argument("--repeats", type=int, default=3)
    ap.add_argument("--skip-5m", action="store_true")
    ap.add_argument("--skip-dask", action="store_true")
    ap.add_argument("--out", default=str(HERE / "results_scoring.json"))
    ap.add_argument("--rules", default=None,
                    help="rules.yaml for the alerts runs (default: shipped)")
    args = ap.parse_args()
    if args.child:
        child(args)
        return
    if args.cli:
        cli_child(args)
        return
    result: dict = {"machine": machine(), "data": {}, "figures": {}}
    t0 = time.perf_counter()
    m = model_dir()
    d1 = tiled_panel(20)
    result["data"] = {
        "households_1m": 20 * BASE_HOUSEHOLDS,
        "years": [min(YEARS), max(YEARS)],
        "how": "50k simulated (oracle_draws=1) tiled x20 with new ids/places",
        "prepare_seconds": round(time.perf_counter() - t0, 1),
    }
    print("data ready", result["data"], flush=True)
    fig = result["figures"]
    fig["alerts_vs_score_1m"] = alerts_against_score(
        d1, m, tiled_pushes(20), max(1, min(args.repeats, 2)), rules=args.rules
    )
    print("alerts_vs_score_1m", fig["alerts_vs_score_1m"], flush=True)
    if args.only_alerts:
        Path(args.out).write_text(json.dumps(result, indent=2, ensure_ascii=False))
        return
    fig["score_1m"] = summarise(
        [run_child(d1, m, "local", None) for _ in range(args.repeats)]
    )
    print("score_1m", fig["score_1m"], flush=True)
    fig["score_1m_workers1"] = summarise([run_child(d1, m, "local", None, 1)])
    print("score_1m_workers1", fig["score_1m_workers1"], flush=True)
    fig["explain_top10_1m"] = summarise([run_child(d1, m, "local", "top:0.1")])
    print("explain_top10_1m", fig["explain_top10_1m"], flush=True)
    if not args.skip_dask:
        fig["dask_1m"] = summarise([run_child(d1, m, "dask", None)])
        print("dask_1m", fig["dask_1m"], flush=True)
    anc = anchors(m, d1, n_predict=200_000, n_shap=2_000)
    result["anchors"] = anc
    s1 = fig["score_1m"]
    anc["score_ratio"] = round(anc["predict_rows_per_s"] / s1["households_per_s"], 2)
    ex = fig["explain_top10_1m"]
    extra = ex["seconds_median"] - s1["seconds_median"]
    anc["explain_seconds_per_row"] = extra / max(ex["explained"], 1)
    anc["explain_ratio"] = round(
        anc["explain_seconds_per_row"] * anc["shap_rows_per_s"], 2
    )
    print("anchors", anc, flush=True)
    if not args.skip_5m:
        d5 = tiled_panel(100)
        fig["score_5m"] = summarise([run_child(d5, m, "local", None)])
        print("score_5m", fig["score_5m"], flush=True)
        fig["memory_5m_over_1m"] = round(
            fig["score_5m"]["peak_rss_mb_median"] / s1["peak_rss_mb_median"], 3
        )
    result["total_seconds"] = round(time.perf_counter() - t0, 1)
    Path(args.out).write_text(json.dumps(result, indent=2, ensure_ascii=False) + "\n")
    print("wrote", args.out)


if __name__ == "__main__":
    main()
