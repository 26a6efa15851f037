"""Where the time and memory of ``fanpin alerts`` go: per stage wall time and
peak memory (this process, and its worker processes summed), on a tiled panel.

Usage::

    python bench/profile_alerts.py [--tiles 4] [--workers N] [--rules FILE]
                                   [--cprofile FILE]
                                   [--chunk-households N]

Runs the command as a user would (``fanpin alerts PANEL --events PUSHES``,
bench_scoring's tiled data and model) in this process; the stages are those of
its progress bar (``score``, ``write``: the scored list merged and flagged,
``alerts``: the listed households explained, ``excel``: the township
workbooks) plus ``tables`` (between the explain pass and the workbooks: the
alert list sorted and written, the monitored and exclusion lists merged).
Memory is sampled every 20 ms (RSS from /proc), CPU seconds per stage from
/proc too (this process and its worker processes): on a shared machine the
CPU shares are the figure to read. Prints one JSON line.
"""

from __future__ import annotations

import argparse
import contextlib
import cProfile
import json
import os
import shutil
import sys
import threading
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import bench_scoring as bs  # noqa: E402

PAGE = os.sysconf("SC_PAGE_SIZE")


def _rss(pid: int) -> int:
    try:
        with open(f"/proc/{pid}/statm") as f:
            return int(f.read().split()[1]) * PAGE
    except OSError:
        return 0


def _cpu(pid: int) -> float:
    """User + system CPU seconds of a process (0 when gone)."""
    try:
        with open(f"/proc/{pid}/stat") as f:
            fields = f.read().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / TICK
    except (OSError, IndexError, ValueError):
        return 0.0


TICK = os.sysconf("SC_CLK_TCK")


def _children(pid: int) -> list[int]:
    out = []
    try:
        for task in os.listdir(f"/proc/{pid}/task"):
            with open(f"/proc/{pid}/task/{task}/children") as f:
                out += [int(x) for x in f.read().split()]
    except OSError:
        pass
    return out + [g for c in out for g in _children(c)]


class Stages:
    """Wall time and peak RSS per progress stage."""

    def __init__(self) -> None:
        self.stage = "start"
        self.t0 = time.perf_counter()
        self.since = self.t0
        self.seconds: dict[str, float] = {}
        self.peak: dict[str, int] = {}
        self.peak_all: dict[str, int] = {}
        self.cpu: dict[str, float] = {}
        self._child_cpu: dict[int, float] = {}  # last seen, per worker process
        self._cpu_at = self._cpu_now()
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._sample, daemon=True)
        self._thread.start()

    def __call__(self, stage: str, done: int, total: int) -> None:
        if stage == "write" and self.stage == "alerts":
            stage = "tables"  # after the explain pass: the outputs' merges
        if stage == "write" and self.stage == "tables":
            return
        if stage != self.stage:
            self._enter(stage)

    def _cpu_now(self) -> float:
        return _cpu(os.getpid()) + sum(self._child_cpu.values())

    def _enter(self, stage: str) -> None:
        now = time.perf_counter()
        self.seconds[self.stage] = self.seconds.get(self.stage, 0.0) + now - self.since
        for c in _children(os.getpid()):
            self._child_cpu[c] = max(self._child_cpu.get(c, 0.0), _cpu(c))
        cpu = self._cpu_now()
        self.cpu[self.stage] = self.cpu.get(self.stage, 0.0) + cpu - self._cpu_at
        self._cpu_at = cpu
        self.stage, self.since = stage, now

    def _sample(self) -> None:
        me = os.getpid()
        while not self._stop.wait(0.02):
            own = _rss(me)
            kids = _children(me)
            total = own + sum(_rss(c) for c in kids)
            for c in kids:
                self._child_cpu[c] = max(self._child_cpu.get(c, 0.0), _cpu(c))
            s = self.stage
            self.peak[s] = max(self.peak.get(s, 0), own)
            self.peak_all[s] = max(self.peak_all.get(s, 0), total)

    def close(self) -> dict:
        self._enter("end")
        self._stop.set()
        self._thread.join()
        total = time.perf_counter() - self.t0
        cpu_total = sum(self.cpu.values()) or 1.0
        mb = 2**20
        return {
            "seconds": round(total, 2),
            "cpu_seconds": round(sum(self.cpu.values()), 1),
            "stages": {
                s: {
                    "seconds": round(self.seconds.get(s, 0.0), 2),
                    "share": round(self.seconds.get(s, 0.0) / total, 3),
                    "cpu_seconds": round(self.cpu.get(s, 0.0), 1),
                    "cpu_share": round(self.cpu.get(s, 0.0) / cpu_total, 3),
                    "peak_rss_mb": round(self.peak.get(s, 0) / mb),
                    "peak_rss_with_workers_mb": round(self.peak_all.get(s, 0) / mb),
                }
                for s in self.seconds
                if s != "end"
            },
        }


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--tiles", type=int, default=4)
    ap.add_argument("--workers", type=int, default=0)
    ap.add_argument("--chunk-households", type=int, default=0)
    ap.add_argument("--rules", default=None, help="a rules.yaml (default: shipped)")
    ap.add_argument("--risk-types", default=None, help="a risk_types.yaml")
    ap.add_argument("--cprofile", default=None)
    ap.add_argument("--out", default=None, help="output folder (default: _data/out)")
    args = ap.parse_args()
    from fanpin.cli import _alerts, app

    data, pushes = bs.tiled_panel(args.tiles), bs.tiled_pushes(args.tiles)
    model = bs.model_dir()
    out = Path(args.out) if args.out else bs.DATA / "out" / "profile_alerts"
    shutil.rmtree(out, ignore_errors=True)
    argv = ["alerts", str(data), "--model", str(model), "--events", str(pushes),
            "--as-of", f"{bs.AS_OF:%Y-%m-%d}", "--out", str(out),
            "--quiet"]  # fmt: skip
    if args.workers:
        argv += ["--workers", str(args.workers)]
    if args.chunk_households:
        argv += ["--chunk-households", str(args.chunk_households)]
    if args.rules:
        argv += ["--rules", args.rules]
    if args.risk_types:
        argv += ["--risk-types", args.risk_types]
    stages = Stages()

    @contextlib.contextmanager
    def bar(quiet: bool):  # noqa: ARG001
        yield stages

    _alerts.progress_bar = bar
    prof = cProfile.Profile() if args.cprofile else None
    load = os.getloadavg()[0]
    if prof:
        prof.enable()
    app(argv, standalone_mode=False)
    if prof:
        prof.disable()
        prof.dump_stats(args.cprofile)
    res = stages.close()
    import pandas as pd

    res.update(
        households=args.tiles * bs.BASE_HOUSEHOLDS,
        listed=len(pd.read_csv(out / "alerts.csv", usecols=["household_id"])),
        workbooks=len(list((out / "excel").glob("*.xlsx"))),
        load_avg_before=round(load, 2),
        load_avg_after=round(os.getloadavg()[0], 2),
        workers=args.workers or os.cpu_count(),
    )
    print(json.dumps(res, ensure_ascii=False))


if __name__ == "__main__":
    main()
