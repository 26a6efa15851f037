"""Urgent cases (紧急) get their own short deadline from the alerts config: the
same deadline in the alert list, the case store and the township workbook."""

from __future__ import annotations

from datetime import date, datetime

import pandas as pd
import pytest
from openpyxl import load_workbook

from fanpin.config import AlertsConfig, load_alerts_config
from fanpin.exceptions import ConfigError
from fanpin.ranking import URGENT_LEVEL
from fanpin.workflow import (
    CaseStore,
    DeadlineRules,
    alert_deadlines,
    attach_cases,
    write_workbooks,
)

RUN = datetime(2026, 6, 30, 9, 0)


def _config(tmp_path, text):
    path = tmp_path / "alerts.yaml"
    path.write_text(text, encoding="utf-8")
    return load_alerts_config(path)


def test_shipped_and_user_config(tmp_path):
    shipped = load_alerts_config()
    assert (shipped.deadline_days, shipped.urgent_deadline_days) == (15, 3)
    cfg = _config(tmp_path, "deadlines: {identification_days: 20, urgent_days: 2}\n")
    assert (cfg.deadline_days, cfg.urgent_deadline_days) == (20, 2)
    rules = DeadlineRules.from_config(cfg)
    assert (rules.days_of(URGENT_LEVEL), rules.days_of("高")) == (2, 20)
    # an older file with the top-level deadline_days keeps working
    old = _config(tmp_path, "deadline_days: 10\n")
    assert (old.deadline_days, old.urgent_deadline_days) == (10, 3)


@pytest.mark.parametrize(
    ("text", "words"),
    [
        ("deadlines: {urgent_days: 0}\n", "urgent_days"),
        ("deadlines: {identification_days: 5, urgent_days: 7}\n", "never later"),
        ("deadlines: {urgent_day: 2}\n", "urgent_days"),  # a typo: did you mean
        ("deadline_days: 10\ndeadlines: {identification_days: 12}\n", "twice"),
        ("deadlines: {urgent_days: 2.5}\n", "whole number"),
    ],
)
def test_bad_deadlines_are_refused(tmp_path, text, words):
    with pytest.raises(ConfigError, match=words):
        _config(tmp_path, text)


def test_alert_deadlines_by_level():
    disc = pd.Series(pd.to_datetime(["2026-06-30", "2026-06-10", "2026-06-30"]))
    levels = pd.Series(["中", URGENT_LEVEL, "高"])
    got = alert_deadlines(disc, levels, DeadlineRules(days=15, urgent_days=2))
    assert got.dt.date.tolist() == [date(2026, 7, 15), date(2026, 6, 12),
                                    date(2026, 7, 15)]  # fmt: skip


def _alerts(make_alerts, rows):
    df = make_alerts([{"risk_score": 0.5, **r} for r in rows])
    return df.assign(discovered=pd.to_datetime([r.get("found") for r in rows]))


def test_store_gives_urgent_cases_their_deadline(tmp_path, make_alerts):
    url = f"sqlite:///{tmp_path / 'cases.db'}"
    rules = DeadlineRules(days=15, urgent_days=3)
    alerts = _alerts(make_alerts, [
        # a push of June 10 raised it, the case opens June 30; the list said 15
        # days: the store says 3, from the opening (never overdue at opening)
        {"household_id": "U1", "risk_level": URGENT_LEVEL, "deadline": "2026-07-15",
         "found": "2026-06-10"},
        # no deadline and no discovery date: the run's day plus 3
        {"household_id": "U2", "risk_level": URGENT_LEVEL, "deadline": None},
        # an ordinary case keeps the list's deadline
        {"household_id": "H1", "risk_level": "高", "deadline": "2026-07-15",
         "found": "2026-06-30"},
        {"household_id": "H2", "risk_level": "高", "deadline": "2026-07-15",
         "found": "2026-06-30"},
    ])  # fmt: skip
    with CaseStore(url) as s:
        s.upsert_alerts(alerts, run_at=RUN, run_id="june", deadlines=rules)
        due = s.list_cases().set_index("household_id")["deadline"]
        assert due.to_dict() == {
            "U1": date(2026, 7, 3), "U2": date(2026, 7, 3),
            "H1": date(2026, 7, 15), "H2": date(2026, 7, 15),
        }  # fmt: skip
        # July 2: H1 (预警) and H2 (核查中) rise to 紧急 on pushes of that day:
        # both are due July 5 (earlier than their July 15); U1 stays urgent and
        # keeps July 3
        cid = int(s.list_cases(household_id="H2")["case_id"].iloc[0])
        s.transition(cid, "核查中", actor="乙镇干部", now=datetime(2026, 7, 1))
        july = _alerts(make_alerts, [
            {"household_id": "U1", "risk_level": URGENT_LEVEL,
             "deadline": "2026-07-17", "found": "2026-07-02"},
            {"household_id": "H1", "risk_level": URGENT_LEVEL, "deadline": None,
             "found": "2026-07-02"},
            {"household_id": "H2", "risk_level": URGENT_LEVEL,
             "deadline": "2026-07-17", "found": "2026-07-02"},
        ])  # fmt: skip
        s.upsert_alerts(july, run_at=datetime(2026, 7, 2), run_id="july",
                        deadlines=rules)  # fmt: skip
        due = s.list_cases().set_index("household_id")["deadline"]
    assert due.to_dict() == {
        "U1": date(2026, 7, 3), "U2": date(2026, 7, 3),
        "H1": date(2026, 7, 5), "H2": date(2026, 7, 5),
    }  # fmt: skip


def test_workbook_shows_the_store_deadline(tmp_path, make_alerts):
    cfg = _config(tmp_path, "deadlines: {identification_days: 15, urgent_days: 2}\n")
    url = f"sqlite:///{tmp_path / 'cases.db'}"
    alerts = _alerts(make_alerts, [
        {"household_id": "U1", "risk_level": URGENT_LEVEL, "deadline": "2026-07-15",
         "found": "2026-06-30"},
        {"household_id": "H1", "risk_level": "中", "deadline": "2026-07-15",
         "found": "2026-06-30"},
    ])  # fmt: skip
    with CaseStore(url) as s:
        rules = DeadlineRules.from_config(cfg)
        run = s.upsert_alerts(alerts, run_at=RUN, deadlines=rules)
        listing = s.listing(alerts["household_id"], run_id=run.run_id, as_of=RUN)
        stored = s.list_cases().set_index("household_id")["deadline"]
    listed = attach_cases(alerts, listing)
    assert listed.set_index("household_id")["deadline"].dt.date.to_dict() == (
        stored.to_dict()
    )
    assert stored["U1"] == date(2026, 7, 2)
    [book] = write_workbooks(listed, tmp_path / "excel", as_of=RUN)
    ws = load_workbook(book).worksheets[0]
    head = [str(c.value).replace("\n", "") for c in ws[2]]
    rows = [dict(zip(head, [c.value for c in r], strict=False))
            for r in ws.iter_rows(min_row=3)]  # fmt: skip
    got = {r["户编码"]: r["核实截止日期"].date() for r in rows}
    assert got == stored.to_dict()
    assert rows[0]["户编码"] == "U1"  # the urgent case first in its township


def test_config_object_checks():
    with pytest.raises(ConfigError):
        AlertsConfig(deadline_days=5, urgent_deadline_days=6)
    with pytest.raises(ConfigError):
        DeadlineRules(days=5, urgent_days=0)
