"""Quality bench: risk model vs logistic baseline, rules and oracle.

Simulates 50,000 households x 2021-2025 (seed 0). Features are computed once on the
whole panel (history-aware). Two phases:

- **validation** (tuning): train on transitions with t <= 2022, evaluate t = 2023
  (labels from 2024). Variants of the model (monotone constraints, imbalance
  handling, refit, booster size) are compared here; the defaults in
  configs/model.yaml are chosen from this phase only.
- **test**: train on t <= 2023 (labels up to 2024), test t = 2024 -> 2025. Reports
  the expected capture of the top 5 % (share of the expected number of falls,
  sum of the true p_next, held by the list) for model, logistic, rules and oracle,
  the ratios model/oracle (target >= 0.90) and model/rules (target >= 1.25), and the
  variants again for information.

Expected capture is computed on ``p_next_check``, a second Monte Carlo estimate
of the true probability from draws independent of ``p_next`` (which the oracle
ranks by); the oracle scored on its own draws is listed too, for comparison.

Writes bench/results_quality.json. Run: python bench/bench_quality.py [--households N]
"""

from __future__ import annotations

import argparse
import json
import time
from pathlib import Path

import numpy as np
import pandas as pd

from fanpin.config import load_model_config
from fanpin.evaluate import classification_metrics, expected_capture
from fanpin.features import make_features
from fanpin.models import RiskModel, make_logistic_baseline
from fanpin.rules import RuleBaseline
from fanpin.schema import make_labels
from fanpin.synthetic import SimulationParams, simulate

OUT = Path(__file__).with_name("results_quality.json")
DATA = Path(__file__).with_name("_data")


def _capture(p_true, score, f=0.05):
    return float(expected_capture(p_true, score, [f])["expected_capture"].iloc[0])


def _evaluate(name, y, p_true, score, probability=True):
    m = classification_metrics(y, score, probability=probability)
    return {
        "ranker": name,
        "capture_top1": _capture(p_true, score, 0.01),
        "capture_top5": _capture(p_true, score, 0.05),
        "capture_top10": _capture(p_true, score, 0.10),
        **{k: m[k] for k in ("auc", "pr_auc", "brier", "ece")},
    }


def prepare(households: int, seed: int, check: bool = False):
    """Simulate 2021-2025 and build features, labels, years and the true p_next.

    ``check``: also return ``p_next_check``, an independent Monte Carlo estimate
    (256 other draws) on which rankings are scored, so that the oracle is not
    scored on the draws it is ranked by.
    """
    params = SimulationParams(oracle_check_draws=256 if check else 0)
    sim = simulate(households, years=range(2021, 2026), seed=seed, n_jobs=2,
                   params=params)  # fmt: skip
    panel, lines = sim.panel, sim.lines
    X = make_features(lines=lines).fit_transform(panel)
    y = make_labels(panel, lines)
    years = panel["year"].to_numpy(dtype="int64")
    truth = panel[["household_id", "year"]].merge(
        sim.truth, on=["household_id", "year"], how="left"
    )
    out = (sim, X, y, years, truth["p_next"].to_numpy())
    return (*out, truth["p_next_check"].to_numpy()) if check else out


def cached_arrays(households: int, seed: int):
    """:func:`prepare` without the panel: (X, y, years, p_next), cached as parquet.

    The cache is bench/_data/quality_h{households}_s{seed}.parquet (features plus
    the three columns ``__y``, ``__year``, ``__p_next``); delete it after changing
    the simulator or the features.
    """
    path = DATA / f"quality_h{households}_s{seed}.parquet"
    extra = ["__y", "__year", "__p_next"]
    if path.exists():
        df = pd.read_parquet(path)
    else:
        _, X, y, years, truth = prepare(households, seed)
        df = X.copy()
        df["__y"] = y.to_numpy(dtype="float64", na_value=np.nan)
        df["__year"] = years
        df["__p_next"] = truth
        DATA.mkdir(exist_ok=True)
        df.to_parquet(path)
    X = df.drop(columns=extra)
    return X, df["__y"], df["__year"].to_numpy("int64"), df["__p_next"].to_numpy()


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--households", type=int, default=50_000)
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument(
        "--only",
        nargs="*",
        default=None,
        help="variant names to fit (default: all); e.g. --only '300 trees lr 0.05'",
    )
    ap.add_argument(
        "--phases",
        nargs="*",
        default=["validation", "test"],
        help="phases to run (validation, test); --out is required for a subset",
    )
    ap.add_argument("--out", type=Path, default=OUT)
    args = ap.parse_args()
    t0 = time.perf_counter()
    sim, X, y, years, truth, check = prepare(args.households, args.seed, check=True)
    panel, lines = sim.panel, sim.lines
    t_sim = time.perf_counter() - t0
    lab = y.notna().to_numpy()
    cfg = load_model_config()
    base = cfg.risk_model_params()
    mono = dict(cfg.monotone_constraints)
    variants = {
        "default (model.yaml)": {},
        "monotone on": {"monotone_constraints": mono},
        "scale_pos_weight": {"imbalance": "scale_pos_weight"},
        "no refit": {"refit_full": False},
        "isotonic": {"calibration": "isotonic"},
        "sigmoid": {"calibration": "sigmoid"},
        "600 trees lr 0.025": {"n_estimators": 600, "learning_rate": 0.025},
        "300 trees lr 0.05": {"n_estimators": 300, "learning_rate": 0.05},
        "31 leaves": {"num_leaves": 31},
        "min_child_samples 100": {"min_child_samples": 100},
    }
    if args.only is not None:
        keep = {"default (model.yaml)", *args.only}
        variants = {k: v for k, v in variants.items() if k in keep}
    rules = RuleBaseline(lines=lines)
    result: dict = {
        "households": args.households,
        "seed": args.seed,
        "simulate_seconds": round(t_sim, 1),
        "config": cfg.to_dict(),
    }
    for phase, test_year in (("validation", 2023), ("test", 2024)):
        if phase not in args.phases:
            continue
        tr = lab & (years < test_year)
        te = lab & (years == test_year)
        y_tr, y_te = y[tr].to_numpy("int64"), y[te].to_numpy("int64")
        # Rankings are scored on the independent estimate; the oracle ranks by
        # p_next (scoring it on its own draws would flatter it).
        p_te, rank_oracle = check[te], truth[te]
        rows = []
        for name, over in variants.items():
            t = time.perf_counter()
            m = RiskModel(**{**base, **over}).fit(X[tr], y_tr, years=years[tr])
            s = m.predict_proba(X[te])[:, 1]
            r = _evaluate(f"model: {name}", y_te, p_te, s)
            r["calibration"] = m.calibration_
            r["fit_seconds"] = round(time.perf_counter() - t, 1)
            rows.append(r)
            print(phase, r)
        lr = make_logistic_baseline(C=cfg.logistic_C).fit(X[tr], y_tr)
        rows.append(_evaluate("logistic", y_te, p_te, lr.predict_proba(X[te])[:, 1]))
        rows.append(
            _evaluate("rules", y_te, p_te, rules.predict_score(panel.loc[te]), False)
        )
        rows.append(_evaluate("oracle", y_te, p_te, rank_oracle))
        own = _evaluate("oracle scored on its own draws", y_te, truth[te], truth[te])
        rows.append(own)
        by = {r["ranker"]: r for r in rows}
        model = by["model: default (model.yaml)"]["capture_top5"]
        result[phase] = {
            "train_years_t": sorted(set(years[tr].tolist())),
            "test_year_t": test_year,
            "n_train": int(tr.sum()),
            "n_test": int(te.sum()),
            "test_positive_rate": float(y_te.mean()),
            "expected_falls": float(np.nansum(p_te)),
            "rankers": rows,
            "capture_top5": {
                "model": model,
                "logistic": by["logistic"]["capture_top5"],
                "rules": by["rules"]["capture_top5"],
                "oracle": by["oracle"]["capture_top5"],
            },
            "model_over_oracle": model / by["oracle"]["capture_top5"],
            "model_over_rules": model / by["rules"]["capture_top5"],
        }
        print(
            phase,
            json.dumps(result[phase]["capture_top5"]),
            result[phase]["model_over_oracle"],
            result[phase]["model_over_rules"],
        )
    result["targets"] = {"model_over_oracle": 0.90, "model_over_rules": 1.25}
    result["total_seconds"] = round(time.perf_counter() - t0, 1)
    args.out.write_text(
        json.dumps(result, indent=2, sort_keys=True, ensure_ascii=False) + "\n"
    )
    print("wrote", args.out)


if __name__ == "__main__":
    main()
