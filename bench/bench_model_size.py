"""Model-size bench: cheaper-to-predict LightGBM configs vs the shipped one.

VALIDATION phase of bench_quality.py only (train t <= 2022, evaluate t = 2023;
never the test year). Each config is fitted as a full RiskModel (calibration,
refit) for every (simulation seed, LightGBM seed) pair; quality is the expected
capture of the top 5 % (with AUC and Brier). The noise is the spread over seeds;
configs are compared by the PAIRED difference (candidate - shipped) on the same
seeds.

Speed: each config's booster fitted on simulation seed 0 / LightGBM seed 0 is timed
on the same 100,000-row matrix (the 50,000 households' 2023 feature rows, twice),
``booster.predict(X, num_threads=1)``, best of 3, configs interleaved in one
process. Because the machine is shared, the deterministic cost proxy "tree nodes
visited per row" (sum over trees of the depth of the leaf reached) is reported too.

Usage (resumable; several workers may run at once, they claim tasks by lock file):
    python bench/bench_model_size.py run --sim-seeds 0 --lgb-seeds 0 1 2
    python bench/bench_model_size.py report
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import time
from pathlib import Path

import lightgbm as lgb
import numpy as np
from bench_quality import DATA, _capture, cached_arrays

from fanpin.config import load_model_config
from fanpin.evaluate import classification_metrics
from fanpin.models import RiskModel

HOUSEHOLDS = 50_000
WORK = DATA / "model_size"
OUT = Path(__file__).with_name("results_model_size.json")
SHIPPED = "shipped 600/0.025/15"
CONFIGS: dict[str, dict] = {
    SHIPPED: {},
    "300/0.05/15": {"n_estimators": 300, "learning_rate": 0.05},
    "400/0.04/15": {"n_estimators": 400, "learning_rate": 0.04},
    "200/0.075/31": {"n_estimators": 200, "learning_rate": 0.075, "num_leaves": 31},
    "250/0.06/31": {"n_estimators": 250, "learning_rate": 0.06, "num_leaves": 31},
    "150/0.1/31": {"n_estimators": 150, "learning_rate": 0.1, "num_leaves": 31},
    "300/0.05/23": {"n_estimators": 300, "learning_rate": 0.05, "num_leaves": 23},
    "300/0.05/15 mcs200": {
        "n_estimators": 300,
        "learning_rate": 0.05,
        "min_child_samples": 200,
    },
    "300/0.05/15 mcs500": {
        "n_estimators": 300,
        "learning_rate": 0.05,
        "min_child_samples": 500,
    },
    "400/0.04/15 depth4": {"n_estimators": 400, "learning_rate": 0.04, "max_depth": 4},
    "300/0.05/15 depth4": {"n_estimators": 300, "learning_rate": 0.05, "max_depth": 4},
    # added after the first seeds: the depth limit looked helpful
    "600/0.025/15 depth4": {"max_depth": 4},
    "500/0.03/15 depth4": {"n_estimators": 500, "learning_rate": 0.03, "max_depth": 4},
    "400/0.04/15 depth4 mcs200": {
        "n_estimators": 400,
        "learning_rate": 0.04,
        "max_depth": 4,
        "min_child_samples": 200,
    },
}


def _slug(name: str) -> str:
    return "".join(c if c.isalnum() else "_" for c in name)


def _task_path(name: str, sim_seed: int, lgb_seed: int, kind: str) -> Path:
    return WORK / f"{_slug(name)}__sim{sim_seed}__lgb{lgb_seed}.{kind}"


def _claim(path: Path) -> bool:
    try:
        os.close(os.open(path, os.O_CREAT | os.O_EXCL | os.O_WRONLY))
    except FileExistsError:
        return False
    return True


def run(sim_seeds: list[int], lgb_seeds: list[int], names: list[str]) -> None:
    WORK.mkdir(parents=True, exist_ok=True)
    base = load_model_config().risk_model_params()
    for sim_seed in sim_seeds:
        data = None
        for lgb_seed in lgb_seeds:
            for name in names:
                done = _task_path(name, sim_seed, lgb_seed, "json")
                if done.exists() or not _claim(
                    _task_path(name, sim_seed, lgb_seed, "lock")
                ):
                    continue
                if data is None:
                    X, y, years, truth = cached_arrays(HOUSEHOLDS, sim_seed)
                    lab = y.notna().to_numpy()
                    tr, te = lab & (years < 2023), lab & (years == 2023)
                    data = (
                        X[tr],
                        y[tr].to_numpy("int64"),
                        years[tr],
                        X[te],
                        y[te].to_numpy("int64"),
                        truth[te],
                    )
                X_tr, y_tr, yr_tr, X_te, y_te, p_te = data
                params = {**base, **CONFIGS[name], "random_state": lgb_seed}
                t = time.perf_counter()
                m = RiskModel(**params).fit(X_tr, y_tr, years=yr_tr)
                fit_s = time.perf_counter() - t
                s = m.predict_proba(X_te)[:, 1]
                met = classification_metrics(y_te, s)
                row = {
                    "config": name,
                    "sim_seed": sim_seed,
                    "lgb_seed": lgb_seed,
                    "capture_top1": _capture(p_te, s, 0.01),
                    "capture_top5": _capture(p_te, s, 0.05),
                    "capture_top10": _capture(p_te, s, 0.10),
                    "auc": float(met["auc"]),
                    "brier": float(met["brier"]),
                    "calibration": m.calibration_,
                    "fit_seconds": round(fit_s, 1),
                }
                if sim_seed == 0 and lgb_seed == 0:
                    m.booster_.booster_.save_model(str(_task_path(name, 0, 0, "txt")))
                done.write_text(json.dumps(row) + "\n")
                print(json.dumps(row), flush=True)


def _leaf_depths(tree: dict) -> dict[int, int]:
    out: dict[int, int] = {}
    stack = [(tree["tree_structure"], 0)]
    while stack:
        node, d = stack.pop()
        if "leaf_index" in node:
            out[node["leaf_index"]] = d
        elif "left_child" in node:
            stack.append((node["left_child"], d + 1))
            stack.append((node["right_child"], d + 1))
        else:  # a single-leaf tree
            out[0] = 0
    return out


def _nodes_per_row(booster: lgb.Booster, X: np.ndarray) -> float:
    leaves = booster.predict(X, pred_leaf=True, num_threads=1)
    total = 0.0
    for j, tree in enumerate(booster.dump_model()["tree_info"]):
        depth = _leaf_depths(tree)
        lut = np.zeros(max(depth) + 1)
        for k, d in depth.items():
            lut[k] = d
        total += lut[leaves[:, j]].mean()
    return float(total)


def _speed_matrix() -> np.ndarray:
    X, _, years, _ = cached_arrays(HOUSEHOLDS, 0)
    v = X[years == 2023].to_numpy("float64")
    return np.ascontiguousarray(np.vstack([v, v]))


def report(names: list[str], rounds: int) -> None:
    rows = [json.loads(p.read_text()) for p in sorted(WORK.glob("*.json"))]
    names = [n for n in names if any(r["config"] == n for r in rows)]
    Xs = _speed_matrix()
    boosters = {
        n: lgb.Booster(model_file=str(_task_path(n, 0, 0, "txt")))
        for n in names
        if _task_path(n, 0, 0, "txt").exists()
    }
    best = {n: float("inf") for n in boosters}
    for _ in range(rounds):  # interleaved: each round times every config once
        for n, b in boosters.items():
            t = time.perf_counter()
            b.predict(Xs, num_threads=1)
            best[n] = min(best[n], time.perf_counter() - t)
    speed = {n: len(Xs) / best[n] for n in boosters}
    nodes = {n: _nodes_per_row(b, Xs) for n, b in boosters.items()}
    by = {(r["config"], r["sim_seed"], r["lgb_seed"]): r for r in rows}
    ship_keys = {(s, g) for (c, s, g) in by if c == SHIPPED}
    table = []
    for n in names:
        keys = sorted((s, g) for (c, s, g) in by if c == n)
        cap = [by[(n, *k)]["capture_top5"] for k in keys]
        paired = sorted(set(keys) & ship_keys)
        diff = [
            by[(n, *k)]["capture_top5"] - by[(SHIPPED, *k)]["capture_top5"]
            for k in paired
        ]
        trees = CONFIGS[n].get("n_estimators", 600)
        entry = {
            "config": n,
            "trees": trees,
            "leaves": CONFIGS[n].get("num_leaves", 15),
            "learning_rate": CONFIGS[n].get("learning_rate", 0.025),
            "overrides": CONFIGS[n],
            "n_runs": len(keys),
            "seeds": keys,
            "capture_top5_runs": cap,
            "capture_top5_mean": statistics.fmean(cap),
            "capture_top5_sd": statistics.stdev(cap) if len(cap) > 1 else None,
            "paired_diff_mean": statistics.fmean(diff) if diff else None,
            "paired_diff_sd": statistics.stdev(diff) if len(diff) > 1 else None,
            "paired_diff_runs": diff,
            "auc_mean": statistics.fmean(by[(n, *k)]["auc"] for k in keys),
            "brier_mean": statistics.fmean(by[(n, *k)]["brier"] for k in keys),
            "fit_seconds_mean": statistics.fmean(
                by[(n, *k)]["fit_seconds"] for k in keys
            ),
            "predict_rows_per_s_1thread": speed.get(n),
            "nodes_visited_per_row": nodes.get(n),
        }
        table.append(entry)
    ship = next(e for e in table if e["config"] == SHIPPED)
    for e in table:
        sp = e["predict_rows_per_s_1thread"]
        e["speedup_vs_shipped"] = (
            sp / ship["predict_rows_per_s_1thread"] if sp is not None else None
        )
        e["node_ratio_vs_shipped"] = (
            ship["nodes_visited_per_row"] / e["nodes_visited_per_row"]
            if e["nodes_visited_per_row"]
            else None
        )
        d, sd = e["paired_diff_mean"], e["paired_diff_sd"]
        e["qualifies"] = bool(
            e["config"] != SHIPPED
            and d is not None
            and sd is not None
            and abs(d) <= sd
            and d >= -0.003
        )
    ok = [e for e in table if e["qualifies"]]
    rec = max(ok, key=lambda e: e["node_ratio_vs_shipped"])["config"] if ok else None
    result = {
        "phase": "validation (train t <= 2022, evaluate t = 2023)",
        "households": HOUSEHOLDS,
        "speed_matrix_rows": len(Xs),
        "speed_timing": f"booster.predict(X, num_threads=1), best of {rounds}, "
        "interleaved; shared machine",
        "criterion": "qualifies: |paired mean diff| <= paired SD and mean >= -0.003",
        "recommended": rec,
        "configs": table,
    }
    OUT.write_text(json.dumps(result, indent=2, ensure_ascii=False) + "\n")
    hdr = (
        f"{'config':22} {'rows/s':>8} {'x':>5} {'nodes':>6} {'n':>2} {'cap5':>7} "
        f"{'diff':>8} {'sd':>7} {'auc':>6} {'brier':>7} ok"
    )
    print(hdr)
    for e in table:
        sd = e["paired_diff_sd"]
        print(
            f"{e['config']:22} {e['predict_rows_per_s_1thread'] or 0:8.0f} "
            f"{e['speedup_vs_shipped'] or 0:5.2f} {e['nodes_visited_per_row']:6.0f} "
            f"{e['n_runs']:2d} {e['capture_top5_mean']:7.4f} "
            f"{e['paired_diff_mean']:+8.4f} {sd if sd is not None else 0:7.4f} "
            f"{e['auc_mean']:6.4f} {e['brier_mean']:7.5f} {e['qualifies']}"
        )
    print("recommended:", rec, "| wrote", OUT)


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("mode", choices=["run", "report"])
    ap.add_argument("--sim-seeds", type=int, nargs="*", default=[0])
    ap.add_argument("--lgb-seeds", type=int, nargs="*", default=[0, 1, 2])
    ap.add_argument("--configs", nargs="*", default=list(CONFIGS))
    ap.add_argument("--rounds", type=int, default=3)
    args = ap.parse_args()
    if args.mode == "run":
        run(args.sim_seeds, args.lgb_seeds, args.configs)
    else:
        report(args.configs, args.rounds)


if __name__ == "__main__":
    main()
