"""How the booster's capacity should follow the data: measured on VALIDATION years.

Simulated panels of several sizes (2021-2025, seeds 0-2). Every variant is
fitted on transitions t <= 2022 (its own early-stopping / calibration year is
2022) and scored on t = 2023 (labels from 2024); the test year t = 2024 is
never looked at, so the defaults chosen here can be checked on it by
bench_sweep.py. Figures: expected capture of the top 5 % (on an independent
Monte Carlo estimate of the true risk), recall@5 % and AUC; the mean and the
spread over seeds, and each variant's difference from the reference paired by
seed.

Variants: the former fixed 300 rounds; early stopping on log-loss or AUC with
patience 20 / 50 / 100; refit with the chosen rounds or scaled by the growth of
the data; ``min_child_samples`` following the number of training falls.

Writes bench/results_capacity.json. Run: python bench/bench_capacity.py
[--sizes 2000 5000 20000] [--seeds 0 1 2]
"""

from __future__ import annotations

import argparse
import json
import time
from pathlib import Path

import numpy as np
from bench_quality import cached_arrays  # noqa: E402  (bench/ is the cwd's path)

from fanpin.config import load_model_config
from fanpin.evaluate import classification_metrics, expected_capture, top_k_metrics
from fanpin.models import RiskModel

OUT = Path(__file__).with_name("results_capacity.json")

VARIANTS = {
    "fixed 300 rounds": {"n_estimators": 300, "early_stopping_rounds": None},
    "ES logloss p50": {},
    "ES logloss p20": {"early_stopping_rounds": 20},
    "ES logloss p100": {"early_stopping_rounds": 100},
    "ES auc p50": {"early_stopping_metric": "auc"},
    "ES logloss p50 scaled": {"refit_rounds": "scaled"},
    "ES logloss p50 mcs by falls": {"min_child_samples": "falls"},
}
REFERENCE = "fixed 300 rounds"


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--sizes", type=int, nargs="*", default=[2000, 5000, 20000])
    ap.add_argument("--seeds", type=int, nargs="*", default=[0, 1, 2])
    ap.add_argument("--out", type=Path, default=OUT)
    args = ap.parse_args()
    cfg = load_model_config()
    base = {**cfg.risk_model_params(), "n_estimators": 1000}
    out: dict = {"config": cfg.to_dict(), "variants": VARIANTS, "sizes": {}}
    for n in args.sizes:
        per: dict[str, list[dict]] = {k: [] for k in VARIANTS}
        for seed in args.seeds:
            X, y, years, p_next = cached_arrays(n, seed)
            lab = y.notna().to_numpy()
            tr, te = lab & (years <= 2022), lab & (years == 2023)
            y_tr, y_te = y[tr].to_numpy("int64"), y[te].to_numpy("int64")
            n_falls = int(y_tr.sum())
            for name, over in VARIANTS.items():
                params = {**base, **over}
                if params["min_child_samples"] == "falls":
                    # documented candidate rule: a leaf holds at least ~5 % of the
                    # training falls' worth of rows, between 20 and 200
                    params["min_child_samples"] = int(np.clip(n_falls // 2, 20, 200))
                t = time.perf_counter()
                m = RiskModel(**params).fit(X[tr], y_tr, years=years[tr])
                s = m.predict_proba(X[te])[:, 1]
                met = classification_metrics(y_te, s)
                es = m.validation_.get("early_stopping") or {}
                per[name].append(
                    {
                        "seed": seed,
                        "capture5": float(
                            expected_capture(p_next[te], s, [0.05])[
                                "expected_capture"
                            ].iloc[0]
                        ),
                        "recall5": float(
                            top_k_metrics(y_te, s, [0.05])["recall"].iloc[0]
                        ),
                        "auc": met["auc"],
                        "rounds": m.n_rounds_,
                        "rounds_chosen": es.get("rounds_chosen"),
                        "n_train_falls": n_falls,
                        "seconds": round(time.perf_counter() - t, 1),
                    }
                )
                print(n, seed, name, per[name][-1], flush=True)
        summary = {}
        ref = np.array([r["capture5"] for r in per[REFERENCE]])
        for name, rows in per.items():
            c = np.array([r["capture5"] for r in rows])
            d = c - ref
            summary[name] = {
                "capture5_mean": float(c.mean()),
                "capture5_sd": float(c.std(ddof=1)) if len(c) > 1 else None,
                "recall5_mean": float(np.mean([r["recall5"] for r in rows])),
                "auc_mean": float(np.mean([r["auc"] for r in rows])),
                "rounds_mean": float(np.mean([r["rounds"] for r in rows])),
                "minus_reference_mean": float(d.mean()),
                "minus_reference_sd": float(d.std(ddof=1)) if len(d) > 1 else None,
                "runs": rows,
            }
        out["sizes"][str(n)] = summary
        args.out.write_text(json.dumps(out, indent=2, ensure_ascii=False) + "\n")
    print("wrote", args.out)


if __name__ == "__main__":
    main()
