"""A case cannot be overdue before it is opened: the verification days count from
the later of the event's date and the opening (the run's --as-of), in the alert
list, the case store and the workbook alike; ``discovered`` keeps the event's
date."""

from __future__ import annotations

from datetime import date, datetime, timedelta

import pandas as pd
import pytest
import sqlalchemy as sa
from openpyxl import load_workbook
from typer.testing import CliRunner

from fanpin.cli import app
from fanpin.config import load_alerts_config, load_monitoring_lines
from fanpin.ranking import URGENT_LEVEL
from fanpin.workflow import CaseStore, DeadlineRules, alert_deadlines
from tests.workflow.conftest import DEMO, DEMO_AS_OF
from tests.workflow.test_urgent import BILL, _quiet_household

pytestmark = pytest.mark.filterwarnings("ignore:The monitoring lines")

AS_OF = pd.Timestamp(DEMO_AS_OF)
PUSHED = AS_OF - pd.Timedelta(days=60)


def test_days_count_from_the_later_of_event_and_opening():
    rules = DeadlineRules(days=15, urgent_days=3)
    found = pd.Series([PUSHED, AS_OF, AS_OF + pd.Timedelta(days=2)])
    levels = pd.Series(["高", "高", URGENT_LEVEL])
    got = alert_deadlines(found, levels, rules, opened=AS_OF)
    opened = AS_OF.date()
    assert got.dt.date.tolist() == [
        opened + timedelta(days=15),  # an old push: from the opening
        opened + timedelta(days=15),
        opened + timedelta(days=2 + 3),  # a later event date counts from itself
    ]
    # without an opening date: from the event (the older reading)
    assert alert_deadlines(found, levels, rules).iloc[0].date() == (
        PUSHED.date() + timedelta(days=15)
    )
    # the store's computation is the same one
    for level in ("高", URGENT_LEVEL):
        assert rules.due(PUSHED.date(), level, opened=AS_OF.date()) == (
            opened + timedelta(days=rules.days_of(level))
        )


def test_store_opens_an_old_push_not_overdue(tmp_path, make_alerts):
    rules = DeadlineRules(days=15, urgent_days=3)
    run_at = datetime(2026, 6, 30, 9, 0)
    alerts = make_alerts([
        {"household_id": "U1", "risk_score": 0.9, "risk_level": URGENT_LEVEL,
         "deadline": None},
        {"household_id": "H1", "risk_score": 0.5, "risk_level": "高",
         "deadline": None},
    ]).assign(discovered=pd.to_datetime(["2026-05-01", "2026-05-01"]))  # fmt: skip
    with CaseStore(f"sqlite:///{tmp_path / 'cases.db'}") as s:
        run = s.upsert_alerts(alerts, run_at=run_at, run_id="june", deadlines=rules)
        due = s.list_cases().set_index("household_id")["deadline"].to_dict()
        listing = s.listing(alerts["household_id"], run_id=run.run_id, as_of=run_at)
    assert due == {"U1": date(2026, 7, 3), "H1": date(2026, 7, 15)}
    assert not listing["overdue"].any()


def test_push_60_days_before_as_of_is_not_overdue_at_opening(tmp_path, demo_model):
    panel = pd.read_parquet(DEMO / "panel.parquet")
    lines = load_monitoring_lines(DEMO / "monitoring_lines.yaml")
    h = _quiet_household(panel, lines)
    bill = pd.DataFrame([{"household_id": h["household_id"],
                          "date": PUSHED.strftime("%Y-%m-%d"), "source": "医保",
                          "event_type": "住院自付", "amount": BILL,
                          "persons": 1}])  # fmt: skip
    ev = tmp_path / "pushes.csv"
    bill.to_csv(ev, index=False)
    out, db = tmp_path / "out", tmp_path / "cases.db"
    store = f"sqlite:///{db}"
    res = CliRunner().invoke(
        app,
        ["alerts", str(DEMO / "panel.parquet"), "--model", str(demo_model),
         "--lines", str(DEMO / "monitoring_lines.yaml"), "--events", str(ev),
         "--store", store, "--as-of", DEMO_AS_OF, "--capacity", "1",
         "--out", str(out), "--quiet"],
    )  # fmt: skip
    assert res.exit_code == 0, res.output
    alerts = pd.read_csv(out / "alerts.csv", encoding="utf-8-sig", dtype=str)
    row = alerts.set_index("household_id").loc[h["household_id"]]
    assert row["risk_level"] == URGENT_LEVEL
    # the event's date stays visible; the days count from the opening
    assert pd.Timestamp(row["discovered"]).date() == PUSHED.date()
    urgent_days = load_alerts_config().urgent_deadline_days
    want = AS_OF.date() + timedelta(days=urgent_days)
    assert pd.Timestamp(row["deadline"]).date() == want
    assert row["overdue"] in ("False", "false", "0")
    with sa.create_engine(store).connect() as conn:
        case = conn.execute(
            sa.text("SELECT case_id, deadline FROM cases WHERE household_id = :h"),
            {"h": h["household_id"]},
        ).one()
    assert pd.Timestamp(case.deadline).date() == want
    # no case of the run is overdue on the day it opened
    listed = CliRunner().invoke(
        app, ["cases", "list", "--store", store, "--overdue", "--as-of", DEMO_AS_OF]
    )
    assert listed.exit_code == 0, listed.output
    assert h["household_id"] not in listed.output
    # the workbook shows the store's deadline and no 已逾期
    wb = load_workbook(next(p for p in (out / "excel").glob("*.xlsx")
                            if h["township"] in p.name))  # fmt: skip
    ws = wb[next(n for n in wb.sheetnames if n in h["village"] or h["village"] in n)]
    header = [str(c.value).replace("\n", "") for c in ws[2]]
    rows = [dict(zip(header, [c.value for c in r], strict=False))
            for r in ws.iter_rows(min_row=3)]  # fmt: skip
    mine = next(r for r in rows if r["户编码"] == h["household_id"])
    assert pd.Timestamp(mine["核实截止日期"]).date() == want
    assert mine["逾期"] in (None, "", "否")
