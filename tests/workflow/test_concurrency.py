"""The case store under concurrent use, with real processes, on SQLite and
PostgreSQL: cadres updating one case at once, and a monthly alerts run while
cadres close cases. Checked afterwards: the audit trail, the one-open-case rule,
and that nothing is written into a case after it closed."""

from __future__ import annotations

import multiprocessing as mp
import os
import traceback
from datetime import datetime, timedelta

import pandas as pd
import pytest
import sqlalchemy as sa

from fanpin.exceptions import CaseStoreError, TransitionError
from fanpin.workflow import CaseStore, _tables

from .conftest import _make_alerts

pytestmark = pytest.mark.skipif(os.name != "posix", reason="needs fork")

CTX = mp.get_context("fork")
T0 = datetime(2024, 1, 10, 9, 0)
RUNS = [datetime(2024, m, 28) for m in (2, 3, 4)]


def _worker(url, barrier, results, fn, *args):
    """Run ``fn(store, *args)`` after every worker is ready; report the outcome."""
    try:
        store = CaseStore(url, busy_timeout=60)
        barrier.wait(30)
        results.put(("ok", fn(store, *args)))
        store.close()
    except (TransitionError, CaseStoreError) as exc:
        results.put((type(exc).__name__, str(exc)))
    except BaseException:  # noqa: BLE001 - reported to the test
        results.put(("crash", traceback.format_exc()))


def _run_all(url, jobs):
    """Start one process per ``(fn, *args)`` job at once; their outcomes."""
    barrier = CTX.Barrier(len(jobs))
    results = CTX.Queue()
    procs = [
        CTX.Process(target=_worker, args=(url, barrier, results, *job)) for job in jobs
    ]
    for p in procs:
        p.start()
    out = [results.get(timeout=120) for _ in procs]
    for p in procs:
        p.join(60)
    crashes = [text for kind, text in out if kind == "crash"]
    assert not crashes, crashes[0]
    return out


def _move(store, case_id, to, **kw):
    return store.transition(case_id, to, actor="村干部", now=T0, **kw)["state"]


def _check_trails(store):
    """Every case's audit trail is one chain ending in the case's state."""
    for case in store.list_cases().itertuples():
        trail = store.transitions(case.case_id)
        assert pd.isna(trail["from_state"].iloc[0])
        assert trail["from_state"].tolist()[1:] == trail["to_state"].tolist()[:-1]
        assert trail["to_state"].iloc[-1] == case.state


def _open_per_household(store):
    cases = store.list_cases(open_only=True)
    return cases["household_id"].value_counts()


def test_concurrent_updates_of_one_case(store_url):
    s = CaseStore(store_url)
    fresh = [s.open_case(f"H{i}", actor="a", now=T0) for i in range(3)]
    checking = [s.open_case(f"K{i}", actor="a", now=T0) for i in range(3)]
    for cid in checking:
        s.transition(cid, "核查中", actor="a", now=T0)
    s.close()
    jobs = [(_move, cid, "核查中") for cid in fresh for _ in range(4)]
    out = _run_all(store_url, jobs + _decide_jobs(checking))
    assert len(out) == 4 * len(fresh) + 2 * len(checking)
    s = CaseStore(store_url)
    try:
        for cid in fresh:
            trail = s.transitions(cid)["to_state"].tolist()
            assert trail == ["预警", "核查中"], trail  # one move accepted, not four
        for cid in checking:
            case = s.get_case(cid)
            trail = s.transitions(cid)["to_state"].tolist()
            assert trail in (["预警", "核查中", "已认定"], ["预警", "核查中", "已排除"])
            assert case["state"] == trail[-1]
            assert (case["category"] is not None) == (case["state"] == "已认定")
        ok = sum(kind == "ok" for kind, _ in out)
        assert ok == len(fresh) + len(checking)
        refused = [text for kind, text in out if kind != "ok"]
        assert all("cannot move" in t or "changed while" in t for t in refused)
        _check_trails(s)
    finally:
        s.close()


def _decide(store, case_id, to):
    kw = {"category": "边缘易致贫户"} if to == "已认定" else {}
    return _move(store, case_id, to, **kw)


def _decide_jobs(case_ids):
    return [(_decide, cid, to) for cid in case_ids for to in ("已认定", "已排除")]


def _alerts(n_old, n_new, run):
    rows = [
        {"household_id": f"{i:05d}", "risk_score": 0.3 + 0.6 * (i % 2) * (run % 2),
         "risk_level": "高" if (i % 2) * (run % 2) else "低"}
        for i in range(n_old + n_new)
    ]  # fmt: skip
    return _make_alerts(rows)


def _monthly_runs(store, n_old, n_new):
    # each run brings a push dated after the closings: new evidence, so a
    # household whose case was closed meanwhile gets a new case
    for k, when in enumerate(RUNS):
        alerts = _alerts(n_old, n_new, k).assign(latest_push=when)
        store.upsert_alerts(alerts, run_at=when)
    return len(RUNS)


def _close_cases(store, case_ids):
    closed = 0
    for k, cid in enumerate(case_ids):
        at = T0 + timedelta(days=1, minutes=k)
        try:
            store.transition(cid, "已排除", actor="乙镇干部", note="收入达标", now=at)
            closed += 1
        except TransitionError:
            pass
    return closed


def test_alerts_run_against_cadre_updates(store_url):
    n_old, n_new = 120, 40
    s = CaseStore(store_url)
    first = s.upsert_alerts(_alerts(n_old, 0, 0), run_at=T0)
    ids = sorted(first.new["case_id"].tolist())
    for cid in ids:
        s.transition(cid, "核查中", actor="a", now=T0)
    s.close()
    out = _run_all(
        store_url,
        [
            (_monthly_runs, n_old, n_new),
            (_close_cases, ids[0::2]),
            (_close_cases, ids[1::2]),
        ],
    )
    assert [kind for kind, _ in out] == ["ok"] * 3, out
    s = CaseStore(store_url)
    try:
        assert sum(v for kind, v in out if kind == "ok") == len(RUNS) + n_old
        # one open case per household at most, and every household of the last
        # run that was not closed after it has one
        assert _open_per_household(s).max() == 1
        cases = s.list_cases()
        with s.engine.connect() as conn:
            hist = pd.DataFrame(
                conn.execute(
                    sa.select(
                        _tables.risk_history.c.case_id,
                        _tables.risk_history.c.run_at,
                    )
                ).all(),
                columns=["case_id", "run_at"],
            )
        hist = hist.merge(cases[["case_id", "household_id"]], on="case_id")
        # every household got exactly one history row per run (never lost, never
        # written twice)
        per_run = hist[hist["run_at"].isin(RUNS)].groupby(["household_id", "run_at"])
        assert per_run.size().eq(1).all()
        assert per_run.ngroups == len(RUNS) * (n_old + n_new)
        # nothing wrote into a case after it closed (the close is its last change)
        closed = cases[cases["closed_at"].notna()]
        assert len(closed) == n_old
        assert (closed["updated_at"] == closed["closed_at"]).all()
        _check_trails(s)
    finally:
        s.close()
