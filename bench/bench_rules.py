"""The 2026 joint rules against the model, on the simulator (``make bench``).

Simulates the quality panel (50,000 households x 2021-2025, seed 0, the shipped
line table: its 低保 standards, disposable incomes and rigid-spending share are
PLACEHOLDERS, the simulator's world), trains as ``fanpin train`` does on the
transitions t <= 2023 (candidates on the same split, validation year 2023, the
winner refitted), and compares on the test year t = 2024 (households not in
hardship; labels from 2025):

- the **union-of-rules list**: every household any rule flags
  (:meth:`fanpin.rules.RuleBaseline.hits`: 防返贫监测标准, 低保边缘, 刚性支出困难
  and today's trigger rules);
- the **model's list of the same size**: the households the chosen model ranks
  highest, as many as the union holds.

Figure: the expected falls each list captures (the sum of the simulator's true
probability ``p_next`` of its households), and the ratio model / union (target
>= 1.3), with a bootstrap 95 % interval (households resampled; in each replicate
the model's list has the size of that replicate's union). Also per rule (its
list, and the model's list of the same size), the oracle's list of the union's
size (ranked by ``p_next`` itself: an upper bound), and the candidates' test
figures with the joint rules and with today's rules alone (the rule score
changed: the rules and gbdt_rules candidates use it).

The shipped 防返贫监测标准 is per-capita income after rigid spending below the
province's monitoring line (multiple 1.0: the line is the monitoring range), so
on the ranked households (not in hardship) it never fires. Sensitivity: the
union and the ratio when a county sets the multiple to 1.5 (``--rules``), the
model's list being the same chosen model's (its candidates were chosen with
the shipped rules).

Writes bench/results_rules.json. Run: python bench/bench_rules.py
[--households 50000] [--seed 0] [--boot 1000]
"""

from __future__ import annotations

import argparse
import json
import time
from dataclasses import replace
from pathlib import Path

import numpy as np
import pandas as pd

from fanpin.config import RulesConfig, load_model_config, load_rules_config
from fanpin.evaluate import classification_metrics, expected_capture
from fanpin.features import make_features
from fanpin.models import RuleFeatures, choose_model
from fanpin.rules import RuleBaseline
from fanpin.schema import make_labels
from fanpin.synthetic import simulate

OUT = Path(__file__).with_name("results_rules.json")
TEST_YEAR = 2024
TARGET_RATIO = 1.3
JOINT = ("income_near_line", "dibao_edge", "rigid_spending_hardship")
#: 防返贫监测标准 multiples of the sensitivity lines (a county's own rules file).
SENSITIVITY_MULTIPLES = (1.5,)


def todays_rules(rules: RulesConfig) -> RulesConfig:
    """The rules before 2026: no 低保边缘 / 刚性支出困难, the monitoring range on
    net income (the shipped rules of fanpin 0.x before the joint rules)."""
    keep = []
    for r in rules.rules:
        if r.kind in ("dibao_edge", "rigid_spending_hardship"):
            continue
        if r.kind == "income_near_line":
            params = {**r.params, "income": "net"}
            r = replace(r, params=params, name="收入在监测范围内")
        keep.append(r)
    return RulesConfig(rules=tuple(keep), source="today's rules")


def with_multiple(rules: RulesConfig, multiple: float) -> RulesConfig:
    """The rules with the 防返贫监测标准 multiple changed (a county's own file)."""
    return RulesConfig(
        rules=tuple(
            replace(r, params={**r.params, "multiple": multiple})
            if r.kind == "income_near_line" else r
            for r in rules.rules
        ),
        source=f"multiple {multiple:g}",
    )  # fmt: skip


def union_figures(union, score, ids, p, n_boot, seed):
    """The union-of-rules list against the model's list of the same size."""
    k = int(union.sum())
    rules_falls = float(p[union].sum())
    model_falls = model_capture(score, ids, p, k)
    lo, hi, _ = ratio_interval(score, ids, p, union.astype("float64"), n_boot, seed)
    return {
        "households": k,
        "share_of_households": k / len(p),
        "expected_falls": rules_falls,
        "model_same_size": model_falls,
        "oracle_same_size": model_capture(p, ids, p, k),
        "model_over_union": model_falls / rules_falls,
        "interval": [lo, hi],
        "n_boot": n_boot,
        "target": TARGET_RATIO,
        "met": lo >= TARGET_RATIO,
        "point_met": model_falls / rules_falls >= TARGET_RATIO,
    }


def model_capture(score, ids, p, k, weights=None):
    """Expected falls of the top ``k`` (by score, ties by id) when each row
    counts ``weights`` times (a bootstrap replicate; None: once)."""
    order = np.lexsort((ids, -score))
    w = np.ones(len(score)) if weights is None else weights[order].astype("float64")
    cum = np.cumsum(w)
    take = np.clip(k - (cum - w), 0.0, w)  # the part of each row within the top k
    return float((take * p[order]).sum())


def ratio_interval(score, ids, p, union, n_boot, seed, level=0.95):
    """Bootstrap of model / union at the union's size (households resampled)."""
    rng = np.random.default_rng(seed)
    n = len(p)
    out = np.empty(n_boot)
    for b in range(n_boot):
        w = np.bincount(rng.integers(0, n, n), minlength=n).astype("float64")
        k = float((w * union).sum())
        rules = float((w * union * p).sum())
        out[b] = model_capture(score, ids, p, k, w) / rules if rules > 0 else np.nan
    lo, hi = np.nanquantile(out, [(1 - level) / 2, (1 + level) / 2])
    return float(lo), float(hi), out


def candidates(X, y, years, te, rules, cfg, p):
    """Choose as fanpin train does; test figures of the chosen model and each
    candidate (capture@5 % on p_next, AUC)."""
    lab = y.notna().to_numpy()
    tr = lab & (years < TEST_YEAR)
    rule_cols = [c for c in X.columns if c.startswith("rule__")]
    feat_cols = [c for c in X.columns if not c.startswith("rule__")]
    t0 = time.perf_counter()
    kind, model, choice, fitted = choose_model(
        X.loc[tr], y[tr].to_numpy("int64"), years[tr], feature_columns=feat_cols,
        rule_columns=rule_cols, config=cfg, rules=rules, kind="auto",
    )  # fmt: skip
    seconds = time.perf_counter() - t0
    Xte, y_te = X.loc[te], y[te].to_numpy("int64")
    scores = {"chosen": model.predict_proba(Xte[list(model.feature_names_in_)])[:, 1]}
    for k, m in fitted.items():
        scores[k] = m.predict_proba(Xte[list(m.feature_names_in_)])[:, 1]
    figures = {
        name: {
            "capture5": float(
                expected_capture(p, s, [0.05])["expected_capture"].iloc[0]
            ),
            "auc": classification_metrics(y_te, s)["auc"],
        }
        for name, s in scores.items()
    }
    return {
        "chosen": kind,
        "reason": choice["reason"],
        "validation": choice["candidates"],
        "test": figures,
        "train_seconds": round(seconds, 1),
    }, scores["chosen"]


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--households", type=int, default=50_000)
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--boot", type=int, default=1000)
    ap.add_argument("--out", type=Path, default=OUT)
    args = ap.parse_args()
    t0 = time.perf_counter()
    sim = simulate(args.households, years=range(2021, 2026), seed=args.seed, n_jobs=2)
    panel, lines = sim.panel, sim.lines
    t_sim = time.perf_counter() - t0
    cfg = load_model_config()
    joint, today = load_rules_config(), todays_rules(load_rules_config())
    X = make_features(lines=lines).fit_transform(panel)
    y = make_labels(panel, lines)
    years = panel["year"].to_numpy("int64")
    te = y.notna().to_numpy() & (years == TEST_YEAR)
    truth = panel[["household_id", "year"]].merge(
        sim.truth, on=["household_id", "year"], how="left"
    )
    p = truth["p_next"].to_numpy()[te]
    ids = panel["household_id"].astype(str).to_numpy()[te]

    runs, chosen_scores = {}, {}
    for name, rules in (("joint rules", joint), ("today's rules", today)):
        R = RuleFeatures(rules=rules, lines=lines).fit(panel).transform(panel)
        runs[name], chosen_scores[name] = candidates(
            pd.concat([X, R], axis=1), y, years, te, rules, cfg, p
        )
        print(name, runs[name]["chosen"],
              {k: round(v["capture5"], 4) for k, v in runs[name]["test"].items()},
              flush=True)  # fmt: skip
    score = chosen_scores["joint rules"]

    hits = RuleBaseline(config=joint, lines=lines).hits(panel, rows=panel.index[te])
    union = hits.table["rule_hit"].to_numpy(dtype=bool)
    union_result = union_figures(union, score, ids, p, args.boot, args.seed)
    sensitivity = []
    for multiple in SENSITIVITY_MULTIPLES:
        wide = RuleBaseline(config=with_multiple(joint, multiple), lines=lines).hits(
            panel, rows=panel.index[te]
        )
        near = wide.table["rule__income_near_line"].to_numpy(dtype=bool)
        sensitivity.append({
            "multiple": multiple,
            "income_near_line_households": int(near.sum()),
            **union_figures(wide.table["rule_hit"].to_numpy(dtype=bool), score,
                            ids, p, args.boot, args.seed),
        })  # fmt: skip
    per_rule = []
    for col in hits.flag_columns:
        f = hits.table[col].to_numpy(dtype=bool)
        n = int(f.sum())
        falls = float(p[f].sum())
        m = model_capture(score, ids, p, n) if n else 0.0
        per_rule.append({
            "rule": hits.names[col], "id": col.removeprefix("rule__"),
            "households": n, "share_of_households": n / len(p),
            "expected_falls": falls, "model_same_size": m,
            "model_over_rule": m / falls if falls > 0 else None,
        })  # fmt: skip
    today_hits = RuleBaseline(config=today, lines=lines).hits(
        panel, rows=panel.index[te]
    ).table["rule_hit"].to_numpy(dtype=bool)
    k_today = int(today_hits.sum())
    result = {
        "households": args.households,
        "seed": args.seed,
        "test_year_t": TEST_YEAR,
        "ranked_households": int(te.sum()),
        "expected_falls_all": float(p.sum()),
        "lines_placeholders": [
            t for t in ("dibao", "disposable_income", "rigid_spending_share")
            if lines.table(t) is not None and lines.table(t).placeholder
        ],
        "income_near_line_multiple": next(
            r.params["multiple"] for r in joint.rules if r.kind == "income_near_line"
        ),
        "union": union_result,
        "sensitivity": sensitivity,
        "today_union": {
            "households": k_today,
            "expected_falls": float(p[today_hits].sum()),
            "model_same_size": model_capture(score, ids, p, k_today),
        },
        "per_rule": per_rule,
        "notes": [str(n) for n in hits.notes],
        "candidates": runs,
        "simulate_seconds": round(t_sim, 1),
        "total_seconds": round(time.perf_counter() - t0, 1),
    }
    print(json.dumps(result["union"], ensure_ascii=False))
    for row in sensitivity:
        print("multiple", row["multiple"], round(row["model_over_union"], 3),
              [round(x, 3) for x in row["interval"]], flush=True)  # fmt: skip
    args.out.write_text(json.dumps(result, indent=2, ensure_ascii=False) + "\n")
    print("wrote", args.out)


if __name__ == "__main__":
    main()
