"""The demo's alert run (bundled data, department pushes): every listed risk type
passes its evidence rule, each push's own cause comes first, and 其他 never
appears for a household far above the line.

It trains the shipped model config on the demo's own data on purpose: it
checks what `make demo` shows, not the shared test world."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from fanpin.config import (
    MonitoringLines,
    load_model_config,
    load_monitoring_lines,
    load_risk_types,
)
from fanpin.explain import evidence_table, household_values
from fanpin.models import train_risk_model
from fanpin.workflow import run_alerts

DATA = Path(__file__).resolve().parents[2] / "data" / "synthetic"


@pytest.fixture(scope="module")
def demo():
    panel = pd.read_parquet(DATA / "panel.parquet")
    pushes = pd.read_parquet(DATA / "pushes.parquet")
    lines = load_monitoring_lines(DATA / "monitoring_lines.yaml")
    model = train_risk_model(panel, lines, load_model_config())
    rt = load_risk_types()
    with pytest.warns(UserWarning):  # the 2025 line carried forward to 2026
        run = run_alerts(
            model, panel, as_of="2026-06-30", events=pushes, lines=lines,
            explain_config=rt,
        )  # fmt: skip
    return run, rt, lines


def test_no_listed_risk_type_fails_its_evidence_rule(demo):
    run, rt, lines = demo
    work = run.events.panel
    last = work.groupby(work["household_id"].astype(str))["year"].idxmax()
    a = run.alerts
    rows = pd.Index(last.loc[a["household_id"].astype(str)].to_numpy())
    # the run carries the 2025 line forward to the pushes' year, 2026
    ahead = MonitoringLines(
        default={**lines.default, 2026: lines.default[2025]}, provinces=lines.provinces
    )
    h = household_values(work, rows, lines=ahead, pushes=run.events.applied)
    ok = evidence_table(list(rt.types), rt, h)
    listed = failing = 0
    for i, codes in enumerate(a["risk_types"].fillna("")):
        for c in [x for x in codes.split(";") if x]:
            listed += 1
            failing += not bool(ok[c].iloc[i])
            if c == "99":
                assert h["margin_pct"].iloc[i] <= 1.5
    assert listed > len(a)  # most households have more than one reason
    assert failing == 0


def test_a_push_raises_its_own_risk_type_first(demo):
    run, rt, _ = demo
    ev = run.events.applied
    a = run.alerts.set_index(run.alerts["household_id"].astype(str))
    checked = 0
    for kind in ("新增残疾", "灾害损失", "意外事故"):
        hit = ev.loc[ev["event_type"] == kind, "household_id"].astype(str).unique()
        for hid in (h for h in hit if h in a.index):
            codes = [c for c in str(a.at[hid, "risk_types"]).split(";") if c]
            code = rt.events[kind]
            assert any(c == code or c.startswith(code) for c in codes), (hid, kind)
            first_push = ev[ev["household_id"].astype(str) == hid].sort_values("date")
            first_code = rt.events.get(str(first_push["event_type"].iloc[0]))
            if first_code in ("03", "05"):
                assert codes[0] == first_code
            checked += 1
    assert checked >= 5
