"""Data-size sweep: does the model ``fanpin train`` keeps hold at every size?

Simulated panels of 2,000, 5,000, 20,000 and 100,000 households (2021-2025,
simulation seeds 0, 1, 2), plus 50,000 households at seed 0 (the size of the
quality bench, whose former figure is capture@5 % 0.290). For each panel:
features once on the whole panel (history-aware), train on the transitions
t <= 2023 exactly as ``fanpin train`` does (candidates on the same split, the
validation year being 2023, the winner refitted on every year), test on
t = 2024 (labels from 2025), never seen before.

Rankers on the test year: the chosen model, each candidate (LightGBM with the
shipped config, i.e. early-stopped; logistic; rules; LightGBM boosted from the
rules), LightGBM with the former fixed defaults (300 rounds), and the oracle
(the true probability). Figures: expected capture of the top 5 % (on an
independent Monte Carlo estimate of the true probability, ``p_next_check``),
recall@5 %, AUC; per run, a bootstrap 95 % interval (households resampled, 300
replicates) of chosen minus the best of logistic and rules; per size, the mean
and standard deviation over seeds.

Writes bench/results_sweep.json. Run: python bench/bench_sweep.py
[--sizes 2000 5000 20000 100000] [--seeds 0 1 2] [--extra 50000:0]
"""

from __future__ import annotations

import argparse
import json
import platform
import time
from pathlib import Path

import numpy as np
import pandas as pd

from fanpin.config import load_model_config, load_rules_config
from fanpin.evaluate import classification_metrics, expected_capture, top_k_metrics
from fanpin.features import make_features
from fanpin.models import RiskModel, RuleFeatures, bootstrap_rankings, choose_model
from fanpin.schema import make_labels
from fanpin.synthetic import SimulationParams, simulate

OUT = Path(__file__).with_name("results_sweep.json")
DATA = Path(__file__).with_name("_data")
TEST_YEAR = 2024
RANKERS = (
    "chosen", "gbdt", "logistic", "rules", "gbdt_rules", "gbdt fixed 300", "oracle",
)  # fmt: skip


def prepare(households: int, seed: int):
    """Features (domain + rule columns), labels, years, p_next, p_next_check;
    cached in bench/_data/sweep_h{households}_s{seed}.parquet."""
    path = DATA / f"sweep_h{households}_s{seed}.parquet"
    extra = ["__y", "__year", "__p_next", "__p_check", "__id"]
    if path.exists():
        df = pd.read_parquet(path)
    else:
        params = SimulationParams(oracle_check_draws=256)
        sim = simulate(households, years=range(2021, 2026), seed=seed, n_jobs=2,
                       params=params)  # fmt: skip
        panel, lines = sim.panel, sim.lines
        X = make_features(lines=lines).fit_transform(panel)
        R = RuleFeatures(rules=load_rules_config(), lines=lines).fit(panel)
        df = pd.concat([X, R.transform(panel)], axis=1)
        truth = panel[["household_id", "year"]].merge(
            sim.truth, on=["household_id", "year"], how="left"
        )
        y = make_labels(panel, lines)
        df["__y"] = y.to_numpy(dtype="float64", na_value=np.nan)
        df["__year"] = panel["year"].to_numpy("int64")
        df["__p_next"] = truth["p_next"].to_numpy()
        df["__p_check"] = truth["p_next_check"].to_numpy()
        df["__id"] = panel["household_id"].astype(str).to_numpy()
        DATA.mkdir(exist_ok=True)
        df.to_parquet(path)
    cols = [c for c in df.columns if c not in extra]
    return df[cols], df[extra]


def run_one(households: int, seed: int, cfg) -> dict:
    t0 = time.perf_counter()
    X, meta = prepare(households, seed)
    t_prep = time.perf_counter() - t0
    y, years = meta["__y"], meta["__year"].to_numpy("int64")
    lab = y.notna().to_numpy()
    tr, te = lab & (years < TEST_YEAR), lab & (years == TEST_YEAR)
    y_tr, y_te = y[tr].to_numpy("int64"), y[te].to_numpy("int64")
    rule_cols = [c for c in X.columns if c.startswith("rule__")]
    feat_cols = [c for c in X.columns if not c.startswith("rule__")]
    rules = load_rules_config()
    t1 = time.perf_counter()
    kind, model, choice, fitted = choose_model(
        X.loc[tr], y_tr, years[tr], feature_columns=feat_cols, rule_columns=rule_cols,
        config=cfg, rules=rules, kind="auto",
    )  # fmt: skip
    t_train = time.perf_counter() - t1
    Xte = X.loc[te]
    scores = {"chosen": model.predict_proba(Xte[list(model.feature_names_in_)])[:, 1]}
    for k, m in fitted.items():
        scores[k] = m.predict_proba(Xte[list(m.feature_names_in_)])[:, 1]
    fixed = RiskModel(**{**cfg.risk_model_params(), "n_estimators": 300,
                         "early_stopping_rounds": None})  # fmt: skip
    fixed.fit(X.loc[tr, feat_cols], y_tr, years=years[tr])
    scores["gbdt fixed 300"] = fixed.predict_proba(Xte[feat_cols])[:, 1]
    p_check = meta.loc[te, "__p_check"].to_numpy()
    scores["oracle"] = meta.loc[te, "__p_next"].to_numpy()
    figures = {}
    for name, s in scores.items():
        m = classification_metrics(y_te, s)
        figures[name] = {
            "capture5": float(
                expected_capture(p_check, s, [0.05])["expected_capture"].iloc[0]
            ),
            "recall5": float(top_k_metrics(y_te, s, [0.05])["recall"].iloc[0]),
            "auc": m["auc"],
        }
    best_base = max(("logistic", "rules"), key=lambda k: figures[k]["capture5"])
    iv = bootstrap_rankings(
        y_te, {"chosen": scores["chosen"], "base": scores[best_base]}, p_true=p_check,
        groups=meta.loc[te, "__id"].to_numpy(), differences=[("chosen", "base")],
        n_boot=300, seed=seed,
    )  # fmt: skip
    d = iv[(iv["ranker"] == "chosen - base") & (iv["figure"] == "capture@5%")].iloc[0]
    gbdt_v = fitted["gbdt"].validation_.get("early_stopping") or {}
    return {
        "households": households,
        "seed": seed,
        "chosen": kind,
        "reason": choice["reason"],
        "validation": choice["candidates"],
        "versus_rules_validation": choice["versus_rules"],
        "test": figures,
        "chosen_minus_best_baseline": {
            "baseline": best_base,
            "capture5": float(d["estimate"]),
            "low": float(d["low"]),
            "high": float(d["high"]),
        },
        "gbdt_rounds": gbdt_v.get("rounds_chosen"),
        "n_train": int(tr.sum()),
        "n_train_falls": int(y_tr.sum()),
        "n_test": int(te.sum()),
        "n_test_falls": int(y_te.sum()),
        "prepare_seconds": round(t_prep, 1),
        "train_seconds": round(t_train, 1),
    }


def summarise(runs: list[dict]) -> dict:
    out: dict = {}
    for name in RANKERS:
        for fig in ("capture5", "recall5", "auc"):
            v = np.array([r["test"][name][fig] for r in runs])
            out.setdefault(name, {})[fig] = {
                "mean": float(v.mean()),
                "sd": float(v.std(ddof=1)) if len(v) > 1 else None,
            }
    d = np.array([r["chosen_minus_best_baseline"]["capture5"] for r in runs])
    out["chosen_minus_best_baseline"] = {
        "mean": float(d.mean()),
        "sd": float(d.std(ddof=1)) if len(d) > 1 else None,
        "intervals_hold_0_or_above": all(
            r["chosen_minus_best_baseline"]["high"] >= 0 for r in runs
        ),
    }
    out["chosen_kinds"] = [r["chosen"] for r in runs]
    return out


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--sizes", type=int, nargs="*", default=[2000, 5000, 20000, 100000])
    ap.add_argument("--seeds", type=int, nargs="*", default=[0, 1, 2])
    ap.add_argument("--extra", nargs="*", default=["50000:0"],
                    help="size:seed runs beyond the grid")  # fmt: skip
    ap.add_argument("--out", type=Path, default=OUT)
    args = ap.parse_args()
    cfg = load_model_config()
    result: dict = {
        "config": cfg.to_dict(),
        "test_year_t": TEST_YEAR,
        "machine": {"python": platform.python_version()},
        "sizes": {},
    }
    plan = [(n, s) for n in args.sizes for s in args.seeds]
    plan += [tuple(int(v) for v in e.split(":")) for e in args.extra]
    t0 = time.perf_counter()
    for n, s in plan:
        run = run_one(n, s, cfg)
        print(json.dumps({k: run[k] for k in ("households", "seed", "chosen")}),
              {k: round(v["capture5"], 4) for k, v in run["test"].items()},
              run["chosen_minus_best_baseline"], flush=True)  # fmt: skip
        size = result["sizes"].setdefault(str(n), {"runs": []})
        size["runs"].append(run)
        size["summary"] = summarise(size["runs"])
        result["total_seconds"] = round(time.perf_counter() - t0, 1)
        args.out.write_text(json.dumps(result, indent=2, ensure_ascii=False) + "\n")
    print("wrote", args.out)


if __name__ == "__main__":
    main()
