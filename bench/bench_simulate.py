"""Time ``fanpin.synthetic.simulate`` (not a test): 100,000 households x 5 years.

Prints wall-clock and CPU seconds (CPU time is the fairer number on a shared
machine; the oracle runs on two threads).

Usage: python bench/bench_simulate.py [n_households] [--out results.json]
"""

from __future__ import annotations

import argparse
import json
import os
import time
from dataclasses import replace

from fanpin.synthetic import SimulationParams, simulate


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("n_households", nargs="?", type=int, default=100_000)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--out", default=None, help="write timings as JSON here")
    args = parser.parse_args()
    t0 = time.perf_counter()
    c0 = time.process_time()
    res = simulate(args.n_households, years=range(2021, 2026), seed=args.seed)
    dt = time.perf_counter() - t0
    out = {
        "n_households": args.n_households,
        "years": 5,
        "seconds": round(dt, 2),
        "cpu_seconds": round(time.process_time() - c0, 2),
        "panel_rows": len(res.panel),
        "truth_rows": len(res.truth),
        "event_rows": len(res.events),
        "oracle_draws": res.params.oracle_draws,
        "cpu_count": os.cpu_count(),
    }
    # the cause replay's cost: the same run without it (cause_replay="none")
    t0 = time.perf_counter()
    c0 = time.process_time()
    simulate(
        args.n_households, years=range(2021, 2026), seed=args.seed,
        params=replace(SimulationParams(), cause_replay="none"),
    )  # fmt: skip
    out["seconds_without_causes"] = round(time.perf_counter() - t0, 2)
    out["cpu_seconds_without_causes"] = round(time.process_time() - c0, 2)
    out["cause_replay_extra_cpu_seconds"] = round(
        out["cpu_seconds"] - out["cpu_seconds_without_causes"], 2
    )
    print(json.dumps(out, indent=2))
    if args.out:
        with open(args.out, "w", encoding="utf-8") as fh:
            json.dump(out, fh, indent=2)


if __name__ == "__main__":
    main()
