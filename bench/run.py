"""``make bench``: every benchmark, merged into bench/results.json and RESULTS.md.

Runs, each in its own process:

- ``bench_simulate.py`` (simulator speed, 100,000 households x 5 years);
- ``bench_quality.py`` (model vs baselines vs the oracle);
- ``bench_rules.py`` (the model's list against the union of the 2026 joint rules
  and today's rules, at the same list size; the candidates with each rule set);
- ``bench_sweep.py`` (the model ``fanpin train`` keeps, by data size: 2,000 to
  100,000 simulated households, 3 seeds each);
- ``bench_real.py`` (real panels from PyPI packages, the ``bench`` extra);
- ``bench_explain.py`` (first risk type vs the simulator's true cause, two
  baselines, the confusion table, evidence failures, TreeSHAP backends);
- ``bench_scoring.py`` (batch scoring throughput and memory, anchors, 5M memory).

Then writes ``bench/results.json`` (all figures) and ``bench/RESULTS.md`` (the
table quoted in the README). Usage: python bench/run.py [--skip simulate,quality]
[--repeats 3] [--skip-5m]. Expect ~20-30 minutes on 2 cores.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
TARGET_RATE = 50_000
TARGET_EXPLAIN_S = 180
TARGET_MB = 2048


FAILED: list[str] = []


def _run(args: list[str]) -> None:
    """Run one part; a failing part is reported and the others still run."""
    print("+", " ".join(args), flush=True)
    rc = subprocess.run([sys.executable, *args], cwd=HERE.parent).returncode
    if rc:
        print(f"! {args[0]} failed with exit code {rc}", flush=True)
        FAILED.append(args[0])


def _load(path: Path, since: float = 0.0) -> dict | None:
    """A part's JSON, unless missing or older than ``since`` (a stale file)."""
    if not path.exists() or path.stat().st_mtime < since:
        return None
    return json.loads(path.read_text(encoding="utf-8"))


def _ok(flag: bool) -> str:
    return "met" if flag else "**missed**"


def _which_run(results: dict) -> str:
    """How this file was made: a run of benchmarks, or assembled only."""
    ran = results.get("ran") or []
    if not ran:
        return "this assembly (no benchmark run: the parts' result files as they were)"
    return f"`make bench` (run: {', '.join(ran)}; the rest from their result files)"


def markdown(results: dict) -> str:
    sc = results.get("scoring") or {}
    fig, anc, mach = sc.get("figures", {}), sc.get("anchors", {}), sc.get("machine", {})
    lines = [
        "# Benchmark results",
        "",
        f"Machine: {mach.get('cores')} cores, {mach.get('ram_gb')} GB RAM, "
        f"{mach.get('cpu')}, Python {mach.get('python')} (shared machine; load "
        f"average {round(mach.get('load_avg_at_start') or 0, 2)} at the start of the "
        f"scoring runs, {results.get('load_avg_at_start')} (1/5/15 min) at the start "
        f"of {_which_run(results)}). Median of the runs shown; peak RSS for Dask is "
        "the sum "
        "over the client and its worker processes.",
        "",
        "## Batch scoring (`fanpin score`, 1 million households x 2023-2025)",
        "",
        "| figure | runs | seconds | households/s | peak RSS (MB) | target |",
        "|---|---|---|---|---|---|",
    ]
    rows = [
        ("score only, local (2 worker threads, the default)", "score_1m", "rate"),
        ("score only, local, `--workers 1`", "score_1m_workers1", "info"),
        ("score + explain top 10 %, local", "explain_top10_1m", "explain"),
        ("score only, Dask LocalCluster", "dask_1m", "rate"),
        ("score only, 5 million households", "score_5m", "mem"),
    ]
    for label, key, kind in rows:
        f = fig.get(key)
        if not f:
            continue
        if kind == "rate":
            t = f"≥ {TARGET_RATE:,}/s: {_ok(f['households_per_s'] >= TARGET_RATE)}"
        elif kind == "explain":
            t = f"< {TARGET_EXPLAIN_S} s: {_ok(f['seconds_median'] < TARGET_EXPLAIN_S)}"
        elif kind == "info":
            t = "for comparison (one chunk at a time)"
        else:
            t = "memory comparison"
        t += f"; < 2 GB: {_ok(f['peak_rss_mb_median'] < TARGET_MB)}"
        lines.append(
            f"| {label} | {f['runs']} | {f['seconds_median']} | "
            f"{f['households_per_s']:,} | {f['peak_rss_mb_median']:,} | {t} |"
        )
    per_proc = (fig.get("dask_1m") or {}).get("peak_rss_by_process_mb")
    if per_proc:
        lines += [
            "",
            "Dask peak RSS by process (MB; client first, then its worker "
            "processes and a small resource tracker): "
            + ", ".join(f"{v:,}" for v in per_proc)
            + ".",
        ]
    if "memory_5m_over_1m" in fig:
        r = fig["memory_5m_over_1m"]
        lines += ["", f"Peak memory 5M / 1M: {r} (target < 1.20: {_ok(r < 1.2)})."]
    if anc:
        lines += [
            "",
            "## Anchors (same model, prebuilt feature matrix)",
            "",
            "| anchor | rows/s | fanpin over anchor |",
            "|---|---|---|",
            f"| LightGBM `Booster.predict` ({anc['trees']} trees, all cores) | "
            f"{anc['predict_rows_per_s']:,} | {anc.get('score_ratio')}x time per "
            "household (end to end vs predict only) |",
            f"| shap `TreeExplainer` | {anc['shap_rows_per_s']:,} | "
            f"{anc.get('explain_ratio')}x time per explained household |",
        ]
    if anc.get("by_trees"):
        lines += [
            "",
            "Speed against model size (first n trees of the same booster; the "
            "shipped model is not changed):",
            "",
            "| trees | predict rows/s | `pred_contrib` rows/s |",
            "|---|---|---|",
        ]
        lines += [
            f"| {r['trees']} | {r['predict_rows_per_s']:,} | "
            f"{r['pred_contrib_rows_per_s']:,} |"
            for r in anc["by_trees"]
        ]
    sim = results.get("simulate")
    if sim:
        lines += [
            "",
            "## Simulator",
            "",
            f"{sim['n_households']:,} households x {sim['years']} years: "
            f"{sim['seconds']} s wall, {sim['cpu_seconds']} s CPU "
            f"(oracle draws {sim['oracle_draws']}); without the cause replay "
            f"{sim.get('seconds_without_causes')} s wall, "
            f"{sim.get('cpu_seconds_without_causes')} s CPU (the true causes cost "
            f"{sim.get('cause_replay_extra_cpu_seconds')} s CPU more).",
        ]
    q = results.get("quality")
    if q:
        lines += ["", "## Quality", "", "See `bench/results_quality.json`."]
    lines += rules_markdown(results.get("rules"))
    lines += sweep_markdown(results.get("sweep")) + real_markdown(results.get("real"))
    ex = results.get("explain")
    if ex:
        lines += ["", *explain_markdown(ex)]
    notes = HERE / "NOTES_scoring.md"
    if notes.exists():
        lines += ["", notes.read_text(encoding="utf-8").strip()]
    return "\n".join(lines) + "\n"


def rules_markdown(r: dict | None) -> list[str]:
    """The model's list against the union of the rules, at the same size."""
    if not r:
        return []
    u = r["union"]
    lo, hi = u["interval"]
    out = [
        "",
        "## The model against the union of the rules (simulated, test year t = 2024)",
        "",
        f"{r['households']:,} households (seed {r['seed']}), "
        f"{r['ranked_households']:,} ranked in 2024, {r['expected_falls_all']:,.0f} "
        "expected falls (sum of the true `p_next`). The union of the rules "
        f"(防返贫监测标准 at {r.get('income_near_line_multiple', 1.5):g} x the "
        "province's line on income after rigid spending, 低保边缘, 刚性支出困难 "
        "and today's trigger rules) lists "
        f"{u['households']:,} households ({u['share_of_households']:.1%}); the "
        "model's list has the same size. Line types "
        f"{', '.join(r['lines_placeholders']) or 'none'} are PLACEHOLDERS "
        "(the shipped table). `bench/bench_rules.py`.",
        "",
        "| list | households | expected falls | model's list of the same size | "
        "model / list |",
        "|---|---|---|---|---|",
        f"| union of the rules | {u['households']:,} | {u['expected_falls']:,.1f} | "
        f"{u['model_same_size']:,.1f} | **{u['model_over_union']:.3f}** "
        f"[{lo:.3f}, {hi:.3f}] (target >= {u['target']}: "
        f"{_ok(u['met'])} for the interval, {_ok(u['point_met'])} for the "
        "estimate) |",
    ]
    for x in r.get("sensitivity", []):
        slo, shi = x["interval"]
        out.append(
            f"| union, 防返贫监测标准 at {x['multiple']:g} x the line (a county's "
            f"--rules; {x['income_near_line_households']:,} households by that "
            f"rule) | {x['households']:,} | {x['expected_falls']:,.1f} | "
            f"{x['model_same_size']:,.1f} | {x['model_over_union']:.3f} "
            f"[{slo:.3f}, {shi:.3f}] ({_ok(x['met'])} for the interval) |"
        )
    for x in r["per_rule"]:
        ratio = "" if x["model_over_rule"] is None else f"{x['model_over_rule']:.2f}"
        out.append(
            f"| {x['rule']} | {x['households']:,} | {x['expected_falls']:,.1f} | "
            f"{x['model_same_size']:,.1f} | {ratio} |"
        )
    t = r["today_union"]
    out.append(
        "| today's rules only (net income, no 低保边缘 / 刚性支出困难) | "
        f"{t['households']:,} | "
        f"{t['expected_falls']:,.1f} | {t['model_same_size']:,.1f} | "
        f"{t['model_same_size'] / t['expected_falls']:.2f} |"
    )
    out += [
        "",
        f"Oracle list of the union's size: {u['oracle_same_size']:,.1f} expected "
        "falls (an upper bound).",
        "",
        "Candidates on the test year (capture@5 % on `p_next`, AUC), trained as "
        "`fanpin train` trains, with the joint rules and with today's rules:",
        "",
        "| rule set | kind kept | " + " | ".join(
            k for k in r["candidates"]["joint rules"]["test"]
        ) + " |",
        "|---|---|" + "---|" * len(r["candidates"]["joint rules"]["test"]),
    ]
    for name, c in r["candidates"].items():
        cells = [
            f"{v['capture5']:.3f} / {v['auc']:.3f}" for v in c["test"].values()
        ]
        out.append(f"| {name} | {c['chosen']} | " + " | ".join(cells) + " |")
    return out


SWEEP_RANKERS = (
    ("chosen", "chosen (fanpin train)"),
    ("gbdt", "LightGBM, early-stopped"),
    ("gbdt fixed 300", "LightGBM, former defaults (300 rounds)"),
    ("logistic", "logistic"),
    ("rules", "rules"),
    ("oracle", "oracle"),
)


def sweep_markdown(sw: dict | None) -> list[str]:
    """The data-size sweep as a table (mean +- sd over simulation seeds)."""
    if not sw:
        return []
    sizes = sorted(sw["sizes"], key=int)
    head = "| ranker | " + " | ".join(f"{int(n):,} households" for n in sizes) + " |"
    out = [
        "",
        "## Ranking quality by data size (simulated, test year t = 2024)",
        "",
        "Expected capture of the top 5 % (share of next year's expected falls in "
        "the list), mean +- sd over simulation seeds (runs per size in brackets); "
        "trained as `fanpin train` trains, on t <= 2023. `bench/bench_sweep.py`.",
        "",
        head,
        "|---|" + "---|" * len(sizes),
    ]
    for key, label in SWEEP_RANKERS:
        cells = []
        for n in sizes:
            s = sw["sizes"][n]["summary"][key]["capture5"]
            sd = f" +- {s['sd']:.3f}" if s["sd"] is not None else ""
            cells.append(f"{s['mean']:.3f}{sd}")
        out.append(f"| {label} | " + " | ".join(cells) + " |")
    cells = []
    for n in sizes:
        runs = sw["sizes"][n]["runs"]
        ivs = ", ".join(
            f"{r['chosen_minus_best_baseline']['capture5']:+.3f} "
            f"[{r['chosen_minus_best_baseline']['low']:+.3f}, "
            f"{r['chosen_minus_best_baseline']['high']:+.3f}]"
            for r in runs
        )
        cells.append(f"{ivs} ({len(runs)})")
    out.append("| chosen - best of logistic and rules, per run [95 % CI] | "
               + " | ".join(cells) + " |")  # fmt: skip
    kinds = [", ".join(sw["sizes"][n]["summary"]["chosen_kinds"]) for n in sizes]
    out.append("| kinds chosen | " + " | ".join(kinds) + " |")
    return out


def real_markdown(real: dict | None) -> list[str]:
    """The real panels' figures with their bootstrap intervals."""
    if not real:
        return []
    out = [
        "",
        "## Real panels (PSID labour supply, NLSY wage panel)",
        "",
        "Rolling test years (>= 2 training years each), each year ranked on its own, "
        "pooled; bootstrap 95 % intervals, households resampled. "
        "`bench/bench_real.py`, mapping in `bench/real_panels.py`.",
        "",
        "| panel | ranker | AUC [95 % CI] | recall@5 % [95 % CI] |",
        "|---|---|---|---|",
    ]
    order = ["chosen", "gbdt", "gbdt fixed 300", "logistic", "rules",
             "chosen - rules", "chosen - logistic"]  # fmt: skip
    for name, r in real.items():
        figs = {(f["ranker"], f["figure"]): f for f in r["figures"]}
        for k in order:
            a, c = figs.get((k, "auc")), figs.get((k, "recall@5%"))
            if not a:
                continue
            out.append(
                f"| {name} ({r['households']} households, {r['test_falls']} test "
                f"falls) | {k} | {a['estimate']:.3f} [{a['low']:.3f}, {a['high']:.3f}] "
                f"| {c['estimate']:.3f} [{c['low']:.3f}, {c['high']:.3f}] |"
            )
    return out


def _ci(a: dict) -> str:
    lo, hi = a["top1_ci"]
    return f"{a['top1']:.3f} [{max(lo, 0.0) + 0.0:.3f}, {hi:.3f}]"


def explain_markdown(ex: dict) -> list[str]:
    """The explanation-quality section: agreement per seed with the baselines and
    the ceiling, per cause, the confusion table, evidence failures, TreeSHAP."""
    seeds = ex.get("seeds") or {str(ex["seed"]): ex}
    ceiling = (ex.get("ceiling") or {}).get("seeds", {})
    tuning = ex.get("tuning_seed")
    out = [
        "## Explanations against the simulator's true cause",
        "",
        f"Households listed by `run_alerts` on quality panels of {ex['households']:,} "
        "households (2024 records); true cause = `truth.main_cause` (the cause of "
        f"next year's risk). The config was tuned on seed {tuning}; the other seeds "
        "are the report. Ceiling: a LightGBM multiclass classifier trained on the "
        f"tuning seed's true causes from this year's record (the model's features "
        "and the household's value fields), free and restricted to the codes whose "
        "evidence rule holds. Top-1 with Wilson 95 % intervals.",
        "",
        "| seed | listed | fanpin top-1 | fanpin top-3 | rule that fired | largest "
        "SHAP domain | ceiling, free | ceiling, evidence rules | evidence failures |",
        "|---|---|---|---|---|---|---|---|---|",
    ]
    for s, r in seeds.items():
        c = ceiling.get(s)
        free = _ci(c["free"]) if c else "-"
        ev = _ci(c["evidence"]) if c else "-"
        mark = " (tuning)" if str(tuning) == s else ""
        out.append(
            f"| {s}{mark} | {r['with_true_cause']:,} | {_ci(r['fanpin'])} | "
            f"{r['fanpin']['top3']:.3f} | {_ci(r['baseline_rule'])} | "
            f"{_ci(r['baseline_shap_domain'])} | {free} | {ev} | "
            f"{r['evidence_failures']} of {r['risk_types_checked']:,} |"
        )
    report = [str(s) for s in ex.get("report_seeds", [ex["seed"]])]
    out += [
        "",
        "Per true cause, top-1 (target >= 0.70 where n >= 30; n of the first "
        "reported seed):",
        "",
        "| true cause | n | "
        + " | ".join(f"fanpin seed {s}" for s in report)
        + " | "
        + " | ".join(f"ceiling (evidence) seed {s}" for s in report if s in ceiling)
        + " |",
        "|---|---|" + "---|" * (len(report) + sum(s in ceiling for s in report)),
    ]
    for cause, v in seeds[report[0]]["fanpin"]["per_cause"].items():
        cells = []
        for s in report:
            pc = seeds[s]["fanpin"]["per_cause"].get(cause)
            cells.append(f"{_ci(pc)} (n {pc['n']})" if pc else "-")
        for s in report:
            if s in ceiling:
                pc = ceiling[s]["evidence"]["per_cause"].get(cause)
                cells.append(_ci(pc) if pc else "-")
        out.append(f"| {cause} | {v['n']} | " + " | ".join(cells) + " |")
    conf = seeds[report[0]]["confusion"]
    out += [
        "",
        f"Confusion table, seed {report[0]} (rows: true cause; columns: fanpin's "
        "first risk type):",
        "",
        "| true \\ first | " + " | ".join(conf["columns"]) + " |",
        "|---" * (len(conf["columns"]) + 1) + "|",
    ]
    for name, row in zip(conf["rows"], conf["counts"], strict=True):
        out.append(f"| {name} | " + " | ".join(str(x) for x in row) + " |")
    sp = ex.get("shap_speed")
    if sp:
        out += ["", f"TreeSHAP on {sp['rows']:,} rows: LightGBM pred_contrib "
                f"{sp['pred_contrib_s']} s (the default)."]  # fmt: skip
        for name, v in sp.items():
            if isinstance(v, dict) and "seconds" in v:
                out.append(
                    f"{name}: {v['seconds']} s ({v['speed_ratio']}x faster), max "
                    f"difference {v['max_abs_diff']:.1e}, same first three risk types "
                    f"for {v['same_top3_share']:.4%} of households."
                )
            elif isinstance(v, dict):
                out.append(f"{name}: {v.get('error')}")
    return out


PARTS = ("simulate", "quality", "rules", "sweep", "real", "explain", "scoring")


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument(
        "--skip",
        default="",
        help="comma list of parts not to run: " + ",".join(PARTS),
    )
    ap.add_argument("--repeats", type=int, default=3)
    ap.add_argument("--skip-5m", action="store_true")
    args = ap.parse_args()
    skip = {s for s in args.skip.split(",") if s}
    t0 = time.perf_counter()
    started = time.time()
    load_at_start = os.getloadavg()
    sim_out = HERE / "results_simulate.json"
    if "simulate" not in skip:
        _run(["bench/bench_simulate.py", "--out", str(sim_out)])
    if "quality" not in skip:
        _run(["bench/bench_quality.py"])
    if "rules" not in skip:
        _run(["bench/bench_rules.py"])
    if "sweep" not in skip:
        _run(["bench/bench_sweep.py"])
    if "real" not in skip:
        _run(["bench/bench_real.py"])
    if "explain" not in skip:
        _run(["bench/bench_explain.py"])
    if "scoring" not in skip:
        cmd = ["bench/bench_scoring.py", "--repeats", str(args.repeats)]
        _run(cmd + (["--skip-5m"] if args.skip_5m else []))
    def fresh(part: str) -> float:
        return 0.0 if part in skip else started

    results = {
        "load_avg_at_start": [round(x, 2) for x in load_at_start],
        "ran": [p for p in PARTS if p not in skip],
        "simulate": _load(sim_out, fresh("simulate")),
        "quality": _load(HERE / "results_quality.json", fresh("quality")),
        "rules": _load(HERE / "results_rules.json", fresh("rules")),
        "sweep": _load(HERE / "results_sweep.json", fresh("sweep")),
        "real": _load(HERE / "results_real.json", fresh("real")),
        "explain": _load(HERE / "results_explain.json", fresh("explain")),
        "scoring": _load(HERE / "results_scoring.json", fresh("scoring")),
        "total_seconds": round(time.perf_counter() - t0, 1),
        "failed": FAILED,
    }
    (HERE / "results.json").write_text(
        json.dumps(results, indent=2, ensure_ascii=False) + "\n", encoding="utf-8"
    )
    (HERE / "RESULTS.md").write_text(markdown(results), encoding="utf-8")
    print("wrote bench/results.json and bench/RESULTS.md")
    if FAILED:
        sys.exit(f"failed parts: {', '.join(FAILED)}")


if __name__ == "__main__":
    main()
