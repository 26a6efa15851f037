"""Byte comparison of every output of ``fanpin score`` and ``fanpin alerts``
between a base revision (default: ``main``) and this tree.

Usage::

    python bench/compare_outputs.py [--base-rev main] [--work DIR] [--only demo]

The base revision's ``src`` is extracted with ``git archive`` and run with the
same interpreter (``PYTHONPATH`` puts it before this tree's editable install).
Each side trains its own model on each world, runs the same commands (CLI and
in-memory API) and writes into its own folder; then every output file is
compared byte for byte: CSV, Parquet, the Excel workbooks, the case store (its
SQL dump) and the commands' printed summaries (timings masked). Runs that
exist only in this tree (``--workers``, ``--engine dask`` for alerts) are
compared against the base run they must equal.

Worlds:

- ``demo``: ``data/synthetic`` (Parquet and the Chinese-header CSV), the pushes
  of 2026, the demo's own commands (``make demo``) and variants (explanations,
  chunk sizes, workers, capacity, covered events, a user's alerts config);
- ``test``: the streaming tests' scenario, built by ``tests/worlds.py`` from
  the test suite's shared world: a panel with gaps, a county without a latest
  record, a coarse model (many tied scores across level boundaries) and pushes
  that cross the cutoff, fall into hardship or name households without a
  latest record.

Exit status 0 when every compared file is identical. Model files are compared
for information only.
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import sqlite3
import subprocess
import sys
import tarfile
import tempfile
import textwrap
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
DATA = ROOT / "data" / "synthetic"

#: tests/worlds.py's STREAM_MODEL_CONFIG (the streaming tests' coarse model)
TEST_MODEL_YAML = """\
seed: 0
booster: {n_estimators: 3, num_leaves: 4, min_child_samples: 20}
"""
USER_ALERTS_YAML = """\
alert: {min_level: 高, min_score: null}
capacity: {default: 7, townships: {}}
deadline_days: 20
max_measures: 3
"""
SCORE_ALERTS_YAML = """\
alert: {min_level: 中, min_score: 0.02}
"""

WORLD_SCRIPT = r'''
import sys
from pathlib import Path
import yaml
sys.path.insert(0, sys.argv[2])  # the repository: tests/worlds.py
from tests.worlds import stream_world, world
out = Path(sys.argv[1])
sim = world()
scenario = stream_world(sim, odd_events=False)
scenario.panel.to_parquet(out / "panel.parquet")
scenario.events.to_parquet(out / "events.parquet")
(out / "lines.yaml").write_text(
    yaml.safe_dump(sim.lines.to_dict(), allow_unicode=True), encoding="utf-8"
)
'''

API_SCRIPT = r'''
import sys
from pathlib import Path
import pandas as pd
from fanpin.io import write_table
from fanpin.models import load_model
from fanpin.schema import read_events, read_households
try:
    from fanpin.scoring import score_panel
except ImportError:
    from fanpin.models import score_panel
from fanpin.workflow import run_alerts, write_alert_files
model_dir, panel_path, events_path, as_of, out = sys.argv[1:6]
out = Path(out)
model = load_model(model_dir)
panel = read_households(panel_path)
scores, monitored = score_panel(model, panel)
write_table(scores, out / "scores.csv")
write_table(monitored, out / "monitored.parquet")
ev = read_events(events_path, panel, today=pd.Timestamp(as_of))
run = run_alerts(model, panel, as_of=pd.Timestamp(as_of), events=ev, capacity=4)
write_alert_files(run, out / "alerts")
run = run_alerts(model, panel, as_of=pd.Timestamp(as_of))
write_alert_files(run, out / "alerts-no-events")
'''


def _runs(world: Path, model: str, lines: str | None, as_of: str, extra: Path):
    """(name, argv, base_name) of every command; base_name: the base run the
    output must equal (None: the same name on the base side)."""
    ln = ["--lines", lines] if lines else []
    panel = str(world / "panel.parquet")
    pushes = str(world / "pushes.parquet")
    runs = [
        ("score", ["score", panel, "--model", model, *ln, "--quiet", "--show", "10",
                   "--out", "{out}/scores.csv"], None),
        ("score-explain-alerts", ["score", panel, "--model", model, "--quiet",
                                  "--explain", "alerts", "--chunk-households",
                                  "400", "--out", "{out}/scores.csv"], None),
        ("score-top", ["score", panel, "--model", model, "--quiet", "--explain",
                       "top:0.1", "--workers", "1", "--chunk-households", "500",
                       "--out", "{out}/scores.parquet"], None),
        ("score-all", ["score", panel, "--model", model, "--quiet", "--explain",
                       "all", "--chunk-households", "700",
                       "--out", "{out}/scores.csv"], None),
        ("alerts", ["alerts", panel, "--model", model, "--events", pushes,
                    "--as-of", as_of, "--store", "sqlite:///{out}/cases.db",
                    "--quiet", "--out", "{out}/alerts"], None),
        ("alerts-chunks", ["alerts", panel, "--model", model, "--events", pushes,
                           "--as-of", as_of, "--capacity", "5",
                           "--chunk-households", "300", "--quiet",
                           "--out", "{out}/alerts"], None),
        ("alerts-user-config", ["alerts", panel, "--model", model, "--as-of",
                                as_of, "--config", str(extra / "alerts.yaml"),
                                "--quiet", "--out", "{out}/alerts"], None),
    ]
    events = world / "events.parquet"
    if events.exists():
        runs.append(
            ("alerts-covered-apply",
             ["alerts", panel, "--model", model, "--events", str(events),
              "--as-of", as_of, "--covered-events", "apply", "--quiet",
              "--chunk-households", "500", "--out", "{out}/alerts"], None))
    truth = world / "truth.parquet"
    if truth.exists():
        runs.append(
            ("report", ["report", panel, "--model", model, *ln, "--truth",
                        str(truth), "--out", "{out}/report.html"], None))
    csv = world / "csv" / "panel.csv"
    if csv.exists():
        runs += [
            ("score-csv", ["score", str(csv), "--model", model, "--quiet",
                           "--chunk-households", "800",
                           "--out", "{out}/scores.csv"], None),
            ("alerts-csv", ["alerts", str(csv), "--model", model, "--events",
                            str(world / "csv" / "pushes.csv"), "--as-of", as_of,
                            "--chunk-households", "800", "--quiet",
                            "--out", "{out}/alerts"], None),
        ]
    return runs


def _head_only_runs(world: Path, model: str, as_of: str, dask: bool):
    """Runs with options the base lacks, and the base run each must equal."""
    panel = str(world / "panel.parquet")
    pushes = str(world / "pushes.parquet")
    out = []
    for workers in ("1", "2"):
        out.append(
            (f"alerts-chunks-workers{workers}",
             ["alerts", panel, "--model", model, "--events", pushes, "--as-of",
              as_of, "--capacity", "5", "--chunk-households", "300",
              "--workers", workers, "--quiet", "--out", "{out}/alerts"],
             "alerts-chunks"))
    if dask:
        out.append(
            ("alerts-chunks-dask",
             ["alerts", panel, "--model", model, "--events", pushes, "--as-of",
              as_of, "--capacity", "5", "--chunk-households", "300",
              "--engine", "dask", "--quiet", "--out", "{out}/alerts"],
             "alerts-chunks"))
    return out


TIMING = re.compile(
    r"\d[\d,]*(\.\d+)?(s| households/s)\b|in \d+(\.\d+)?s"
    r"|用时 [\d.]+ 秒|每秒 [\d,]+ 户"  # the Chinese summaries' timings
)


def _mask(text: str, root: Path) -> str:
    """A command's printed summary without what differs between the sides: the
    run folder, the side's folder (``<work>/base`` or ``<work>/head``, where
    its model is) and timings."""
    text = text.replace(str(root), "<out>").replace(str(root.parents[1]), "<side>")
    text = re.sub(r"\s+", " ", text)  # rich wraps long lines at the width
    return TIMING.sub("<t>", text)


def _fanpin(src: Path | None, argv: list[str], cwd: Path) -> Any:
    env = dict(os.environ, COLUMNS="200", NO_COLOR="1", PYTHONHASHSEED="0")
    if src is not None:
        env["PYTHONPATH"] = str(src)
    cmd = [sys.executable, "-m", "fanpin", *argv]
    return subprocess.run(cmd, cwd=cwd, env=env, capture_output=True, text=True)


def _python(src: Path | None, script: str, args: list[str]) -> None:
    env = dict(os.environ, PYTHONHASHSEED="0")
    if src is not None:
        env["PYTHONPATH"] = str(src)
    r = subprocess.run([sys.executable, "-c", script, *args], env=env,
                       capture_output=True, text=True)
    if r.returncode:
        raise SystemExit(f"script failed ({src or 'head'}):\n{r.stderr[-4000:]}")


def _extract(rev: str, dest: Path) -> Path:
    dest.mkdir(parents=True, exist_ok=True)
    data = subprocess.run(["git", "archive", rev, "src"], cwd=ROOT, check=True,
                          capture_output=True).stdout
    with tempfile.TemporaryFile() as f:
        f.write(data)
        f.seek(0)
        with tarfile.open(fileobj=f) as tar:
            tar.extractall(dest, filter="data")
    return dest / "src"


MODEL_CARD = "model_card.json"
"""The file a model folder holds whatever its format (JSON + LightGBM text, or
an older version's pickle)."""


def _model_files(a: Path, b: Path) -> list[str]:
    """Files of two model folders that differ (or exist on one side only)."""
    names = sorted({p.name for p in a.iterdir()} | {p.name for p in b.iterdir()})
    return [
        n for n in names
        if not ((a / n).is_file() and (b / n).is_file())
        or (a / n).read_bytes() != (b / n).read_bytes()
    ]  # fmt: skip


def _dump(db: Path) -> bytes:
    """The store's SQL dump, lines sorted (sqlite lists indexes in no set order),
    without the store's creation time (the clock, not the run's inputs)."""
    con = sqlite3.connect(db)
    try:
        stamp = re.compile(r"(INSERT INTO \"fanpin_schema\" VALUES\(\d+,)'[^']*'")
        lines = [stamp.sub(r"\1<t>", line) for line in con.iterdump()]
        return "\n".join(sorted(lines)).encode()
    finally:
        con.close()


def _tree(folder: Path) -> dict[str, Path]:
    return {
        str(p.relative_to(folder)): p
        for p in sorted(folder.rglob("*"))
        if p.is_file() and "model" not in p.relative_to(folder).parts[:1]
    }


def _compare(a: Path, b: Path, label: str) -> list[str]:
    """Differences between two output folders (empty when identical)."""
    ta, tb = _tree(a), _tree(b)
    bad = []
    for name in sorted(set(ta) | set(tb)):
        if name not in ta or name not in tb:
            side = "head" if name in tb else "base"
            bad.append(f"{label}: {name} only on the {side}")
            continue
        if name.endswith(".db"):
            same = _dump(ta[name]) == _dump(tb[name])
        elif name == "stdout.txt":
            same = _mask(ta[name].read_text(), a) == _mask(tb[name].read_text(), b)
        else:
            same = ta[name].read_bytes() == tb[name].read_bytes()
        if not same:
            bad.append(f"{label}: {name} differs")
    return bad


def _side(src: Path | None, name: str, world: Path, work: Path, kind: str,
          as_of: str, lines: str | None, model_yaml: Path | None, runs, api: bool,
          reuse: bool = False):  # fmt: skip
    """Train and run every command on one side; ``reuse``: keep the model and
    the runs already there (run only the missing ones)."""
    root = work / name / kind
    model = root / "model"
    if not (reuse and (model / MODEL_CARD).exists()):
        if root.exists():
            shutil.rmtree(root)
        root.mkdir(parents=True)
        argv = ["train", str(world / "panel.parquet"), "--out", str(model)]
        if lines:
            argv += ["--lines", lines]
        if model_yaml is not None:
            argv += ["--config", str(model_yaml)]
        r = _fanpin(src, argv, ROOT)
        if r.returncode:
            msg = f"train failed ({name}):\n{r.stdout}\n{r.stderr[-3000:]}"
            raise SystemExit(msg)
    for run, args, _ in runs:
        out = root / run
        if reuse and out.exists():
            continue
        out.mkdir()
        argv = [a.replace("{out}", str(out)) for a in args]
        argv = [str(model) if a == "{model}" else a for a in argv]
        r = _fanpin(src, argv, ROOT)
        (out / "stdout.txt").write_text(r.stdout + f"\nexit {r.returncode}\n")
        if r.returncode:
            print(f"  {name}/{kind}/{run}: exit {r.returncode}\n{r.stderr[-2000:]}")
    if api and not (reuse and (root / "api").exists()):
        out = root / "api"
        out.mkdir()
        _python(src, API_SCRIPT, [str(model), str(world / "panel.parquet"),
                                  str(world / "pushes.parquet"), as_of, str(out)])
    return root


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--base-rev", default="main")
    ap.add_argument("--work", type=Path, default=None)
    ap.add_argument("--only", default="demo,test")
    ap.add_argument("--no-dask", action="store_true")
    ap.add_argument("--reuse-base", action="store_true",
                    help="keep the base side's outputs of an earlier run (run only "
                    "the missing ones)")
    args = ap.parse_args()
    work = args.work or Path(tempfile.gettempdir()) / "fanpin-compare"
    work.mkdir(parents=True, exist_ok=True)
    rev = subprocess.run(["git", "rev-parse", args.base_rev], cwd=ROOT, check=True,
                         capture_output=True, text=True).stdout.strip()
    base_src = work / f"base-{rev[:10]}" / "src"
    if not base_src.exists():
        _extract(rev, base_src.parent)
    print(f"base {rev[:10]} ({base_src}); head {ROOT}")
    extra = work / "extra"
    extra.mkdir(exist_ok=True)
    (extra / "alerts.yaml").write_text(USER_ALERTS_YAML, encoding="utf-8")
    (extra / "model.yaml").write_text(TEST_MODEL_YAML, encoding="utf-8")
    worlds = []
    if "demo" in args.only:
        worlds.append(("demo", DATA, "2026-06-30",
                       str(DATA / "monitoring_lines.yaml"), None))
    if "test" in args.only:
        tw = work / "world-test"
        if not (tw / "panel.parquet").exists():
            tw.mkdir(exist_ok=True)
            _python(base_src, WORLD_SCRIPT, [str(tw), str(ROOT)])
            # the pushes of the alerts runs: the whole events table
            shutil.copy(tw / "events.parquet", tw / "pushes.parquet")
        worlds.append(("test", tw, "2025-06-30", str(tw / "lines.yaml"),
                       extra / "model.yaml"))
    bad: list[str] = []
    for kind, world, as_of, lines, model_yaml in worlds:
        runs = _runs(world, "{model}", lines, as_of, extra)
        head_only = _head_only_runs(world, "{model}", as_of, not args.no_dask)
        print(f"{kind}: {len(runs)} runs on each side, {len(head_only)} head-only")
        base_root = _side(base_src, "base", world, work, kind, as_of, lines,
                          model_yaml, runs, api=True, reuse=args.reuse_base)
        head_root = _side(None, "head", world, work, kind, as_of, lines,
                          model_yaml, runs + head_only, api=True)
        for run, _, _ in runs:
            bad += _compare(base_root / run, head_root / run, f"{kind}/{run}")
        bad += _compare(base_root / "api", head_root / "api", f"{kind}/api")
        for run, _, like in head_only:
            got = _compare(base_root / like, head_root / run, f"{kind}/{run}")
            bad += [g for g in got if "stdout.txt" not in g]
        for name in _model_files(base_root / "model", head_root / "model"):
            print(f"  note: {kind} model file {name} differs (information only)")
    n_files = sum(1 for _ in (work / "head").rglob("*") if _.is_file())
    if bad:
        print(textwrap.indent("\n".join(bad), "  "))
        print(f"{len(bad)} difference(s); outputs in {work}")
        return 1
    print(f"identical: every output of {n_files} files (outputs in {work})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
