"""Quality on real panels (PSID labour supply, NLSY wage panel; see real_panels.py).

For every test year t with at least two earlier labelled years: the candidates
are fitted on the transitions before t exactly as ``fanpin train`` does (the
validation year being t - 1), the chosen one is kept, and every ranker scores
the transitions of t: the chosen model, each candidate, LightGBM with the former
fixed defaults (300 rounds) and the rules. Each year is ranked on its own; the
figures pool the test years (AUC of within-year ranks, recall of each year's
top 5 %), with bootstrap 95 % intervals (households resampled across all test
years, 1,000 replicates, seed 0) and the paired differences chosen minus rules
and chosen minus logistic.

Writes bench/results_real.json. Run: python bench/bench_real.py
(needs the bench extra: pip install 'fanpin[bench]').
"""

from __future__ import annotations

import json
import time
from pathlib import Path

import pandas as pd
from real_panels import PANELS  # noqa: E402  (bench/ is the script's folder)

from fanpin.config import load_model_config, load_rules_config
from fanpin.features import make_features
from fanpin.models import RiskModel, RuleFeatures, bootstrap_rankings, choose_model
from fanpin.schema import make_labels

OUT = Path(__file__).with_name("results_real.json")
MIN_TRAIN_YEARS = 2


def evaluate(name: str, load) -> dict:
    t0 = time.perf_counter()
    panel, lines = load()
    cfg, rules = load_model_config(), load_rules_config()
    X = make_features(lines=lines).fit_transform(panel)
    R = RuleFeatures(rules=rules, lines=lines).fit(panel).transform(panel)
    feat_cols, rule_cols = list(X.columns), list(R.columns)
    X = pd.concat([X, R], axis=1)
    y = make_labels(panel, lines)
    lab = y.notna().to_numpy()
    years = panel["year"].to_numpy("int64")
    labelled_years = sorted(set(years[lab].tolist()))
    test_years = labelled_years[MIN_TRAIN_YEARS:]
    parts: dict[str, list] = {}
    folds = []
    for t in test_years:
        tr, te = lab & (years < t), lab & (years == t)
        y_tr = y[tr].to_numpy("int64")
        kind, model, choice, fitted = choose_model(
            X.loc[tr], y_tr, years[tr], feature_columns=feat_cols,
            rule_columns=rule_cols, config=cfg, rules=rules,
        )  # fmt: skip
        Xte = X.loc[te]
        chosen = model.predict_proba(Xte[list(model.feature_names_in_)])
        scores = {"chosen": chosen[:, 1]}
        for k, m in fitted.items():
            scores[k] = m.predict_proba(Xte[list(m.feature_names_in_)])[:, 1]
        fixed = RiskModel(**{**cfg.risk_model_params(), "n_estimators": 300,
                             "early_stopping_rounds": None})  # fmt: skip
        fixed.fit(X.loc[tr, feat_cols], y_tr, years=years[tr])
        scores["gbdt fixed 300"] = fixed.predict_proba(Xte[feat_cols])[:, 1]
        for k, s in scores.items():  # within-year rank in (0, 1]
            parts.setdefault(k, []).append(pd.Series(s).rank(method="average") / len(s))
        parts.setdefault("__y", []).append(pd.Series(y[te].to_numpy("int64")))
        parts.setdefault("__id", []).append(pd.Series(panel.loc[te, "household_id"]))
        folds.append(
            {"test_year": t, "chosen": kind, "reason": choice["reason"],
             "n_test": int(te.sum()), "falls": int(y[te].sum()),
             "validation": choice["candidates"]}  # fmt: skip
        )
        print(name, t, kind, flush=True)
    yy = pd.concat(parts.pop("__y"), ignore_index=True).to_numpy()
    ids = pd.concat(parts.pop("__id"), ignore_index=True).to_numpy()
    pooled = {k: pd.concat(v, ignore_index=True).to_numpy() for k, v in parts.items()}
    iv = bootstrap_rankings(
        yy, pooled, groups=ids, fractions=(0.05,),
        differences=[("chosen", "rules"), ("chosen", "logistic"), ("chosen", "gbdt")],
        n_boot=1000, seed=0,
    )  # fmt: skip
    return {
        "households": int(panel["household_id"].nunique()),
        "years": [int(panel["year"].min()), int(panel["year"].max())],
        "transitions": int(lab.sum()),
        "falls": int(y.sum()),
        "test_years": test_years,
        "n_test": int(len(yy)),
        "test_falls": int(yy.sum()),
        "folds": folds,
        "figures": iv.to_dict("records"),
        "seconds": round(time.perf_counter() - t0, 1),
    }


def main() -> None:
    out = {name: evaluate(name, load) for name, load in PANELS.items()}
    OUT.write_text(json.dumps(out, indent=2, ensure_ascii=False) + "\n")
    for name, r in out.items():
        t = pd.DataFrame(r["figures"])
        print(name, r["n_test"], "test rows,", r["test_falls"], "falls")
        print(t.pivot(index="ranker", columns="figure", values="estimate").round(3))
    print("wrote", OUT)


if __name__ == "__main__":
    main()
