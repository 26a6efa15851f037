"""SIGKILL in the middle of `fanpin score` / `fanpin alerts`: the previous outputs
stay intact and no half-written file is left at the target path."""

from __future__ import annotations

import os
import signal
import sqlite3
import subprocess
import sys
import time

import pandas as pd
import pytest

from ..worlds import tiled

pytestmark = pytest.mark.skipif(os.name != "posix", reason="needs SIGKILL")


@pytest.fixture(scope="module")
def big(tmp_path_factory, sim, model_dir):
    """20,000 households over 2022-2024 (big enough to be killed in every
    stage): the shared world tiled, its 20 counties copied 10 times (200
    counties, 1,000 townships: the workbooks of as many townships as before)."""
    tmp = tmp_path_factory.mktemp("crash")
    panel = sim.panel.loc[sim.panel["year"] >= 2022]
    path = tmp / "big.parquet"
    tiled(panel, 20_000, county_copies=10).to_parquet(path)
    return tmp, path


def _cmd(*args):
    return [sys.executable, "-m", "fanpin", "-v", *map(str, args)]


def _kill_when(cmd, trigger, out_dir):
    """Start ``cmd``; SIGKILL it when ``trigger`` is seen. Returns was_alive."""
    proc = subprocess.Popen(
        cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True
    )
    alive = False
    try:
        deadline = time.monotonic() + 120
        if trigger.startswith("log:"):
            needle = trigger[4:]
            for line in proc.stderr:
                if needle in line or time.monotonic() > deadline:
                    break
        else:  # "tmp": a temporary output file appears
            while proc.poll() is None and time.monotonic() < deadline:
                if any(p.name.endswith(".tmp") for p in out_dir.glob(".*")):
                    break
                time.sleep(0.001)
        alive = proc.poll() is None
        proc.send_signal(signal.SIGKILL)
    finally:
        proc.wait(30)
        proc.stderr.close()
    return alive


@pytest.mark.parametrize(
    "trigger",
    ["log:validated", "log:scored", "tmp"],
    ids=["reading", "scored", "write"],
)
def test_killed_score_keeps_previous_outputs(big, model_dir, tmp_path, trigger):
    _, path = big
    out = tmp_path / "scores.csv"
    mon = tmp_path / "scores.monitored.csv"
    out.write_text("previous scores\n", encoding="utf-8")
    mon.write_text("previous monitored\n", encoding="utf-8")
    before = {p: p.read_bytes() for p in (out, mon)}
    alive = _kill_when(
        _cmd("score", path, "--model", model_dir, "--out", out), trigger, tmp_path
    )
    left = sorted(p.name for p in tmp_path.iterdir())
    # Each file is either the previous bytes or a complete new table.
    for p, old in before.items():
        data = p.read_bytes()
        if data != old:
            table = pd.read_csv(p, dtype={"household_id": str}, encoding="utf-8-sig")
            assert len(table) > 0 and table["household_id"].notna().all()
    if trigger == "log:validated":
        assert alive, "the kill should land mid-run (after reading, before writing)"
        assert all(p.read_bytes() == old for p, old in before.items())
    # A kill during the write may leave a hidden temporary file beside the target
    # (the target itself is intact); the next run removes it.
    if any(n.endswith(".tmp") for n in left):
        rerun = subprocess.run(
            _cmd("score", path, "--model", model_dir, "--out", out),
            capture_output=True,
            text=True,
            timeout=300,
        )
        assert rerun.returncode == 0, rerun.stderr[-2000:]
        assert not [p.name for p in tmp_path.iterdir() if p.name.endswith(".tmp")]


def _alerts_cmd(path, model_dir, out, url, as_of):
    return _cmd(
        "alerts",
        path,
        "--model",
        model_dir,
        "--out",
        out,
        "--store",
        url,
        "--as-of",
        as_of,
    )


@pytest.mark.slow
def test_killed_alerts_keeps_case_store_consistent(big, model_dir, tmp_path):
    _, path = big
    db = tmp_path / "cases.db"
    url = f"sqlite:///{db}"
    out = tmp_path / "al"
    first = subprocess.run(
        _alerts_cmd(path, model_dir, out, url, "2025-03-01"),
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert first.returncode == 0, first.stderr[-2000:]
    before = {p: p.read_bytes() for p in out.rglob("*") if p.is_file()}
    alive = _kill_when(
        _alerts_cmd(path, model_dir, out, url, "2025-03-02"),
        "log:validated",
        out,
    )
    assert alive
    assert {p: p.read_bytes() for p in before} == before
    con = sqlite3.connect(db)
    try:
        assert con.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        tables = {r[0] for r in con.execute("select name from sqlite_master")}
        case_table = next(t for t in ("cases", "case") if t in tables)
        cols = {r[1] for r in con.execute(f"PRAGMA table_info({case_table})")}
        if "closed_at" in cols:
            dup = con.execute(
                f"select household_id, count(*) from {case_table} "
                "where closed_at is null group by household_id having count(*) > 1"
            ).fetchall()
            assert not dup
    finally:
        con.close()


def _snapshot(folder):
    return {
        p.relative_to(folder).as_posix(): p.read_bytes()
        for p in folder.rglob("*")
        if p.is_file()
    }


def _restore(folder, snap):
    import shutil

    shutil.rmtree(folder, ignore_errors=True)
    for rel, data in snap.items():
        (folder / rel).parent.mkdir(parents=True, exist_ok=True)
        (folder / rel).write_bytes(data)


@pytest.mark.slow
def test_killed_alerts_leaves_one_whole_month(sim, model_dir, tmp_path):
    """kill -9 at several moments of `fanpin alerts` over last month's folder: the
    folder is always last month's whole or this month's whole, never a mix.

    FANPIN_KILL_POINTS sets how many moments (default 4; the issue's check used
    9 on a bigger panel: FANPIN_KILL_POINTS=9 FANPIN_KILL_HOUSEHOLDS=20000)."""
    points = int(os.environ.get("FANPIN_KILL_POINTS", "4"))
    n = int(os.environ.get("FANPIN_KILL_HOUSEHOLDS", "1500"))
    panel = tiled(sim.panel.loc[sim.panel["year"] >= 2022], n)
    path = tmp_path / "panel.parquet"
    panel.to_parquet(path)
    out, ref = tmp_path / "al", tmp_path / "ref"

    def cmd(folder, as_of):
        return _cmd("alerts", path, "--model", model_dir, "--out", folder,
                    "--as-of", as_of, "--quiet")  # fmt: skip

    for folder, as_of in ((out, "2025-03-01"), (ref, "2025-04-01")):
        t0 = time.monotonic()
        done = subprocess.run(cmd(folder, as_of), capture_output=True, timeout=300)
        assert done.returncode == 0, done.stderr[-2000:]
        seconds = time.monotonic() - t0
    old, new = _snapshot(out), _snapshot(ref)
    assert old != new and set(old) <= set(new) | set(old)
    seen = set()
    for k in range(points):
        _restore(out, old)
        proc = subprocess.Popen(
            cmd(out, "2025-04-01"), stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
        )
        time.sleep(seconds * (0.3 + 0.75 * k / max(points - 1, 1)))
        proc.send_signal(signal.SIGKILL)
        proc.wait(30)
        now = _snapshot(out)
        assert now in (old, new), f"kill point {k}: the folder mixes two months"
        seen.add("old" if now == old else "new")
    # a later run cleans what the killed ones left beside the folder
    done = subprocess.run(cmd(out, "2025-04-01"), capture_output=True, timeout=300)
    assert done.returncode == 0, done.stderr[-2000:]
    assert _snapshot(out) == new
    assert not [p.name for p in tmp_path.iterdir() if p.name.startswith(".al.")]
    assert "old" in seen  # at least one kill landed before the swap
