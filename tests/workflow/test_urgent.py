"""The urgent path (紧急) and the size of the alert list.

- A 150,000 yuan 医保 bill pushed for a household nobody watches puts it into
  hardship: through the CLI it is first in its township's list and workbook,
  level 紧急, with the push as its first reason, and a case is opened.
- Urgent households and rule hits are never cut by capacity.
- The list size is min(cutoff, capacity) of the model's households per
  township, plus every urgent household and every rule hit, computed here from
  the scored table and the panel (nothing hard-coded).
"""

from __future__ import annotations

from functools import lru_cache

import numpy as np
import pandas as pd
import pytest
import sqlalchemy as sa
from openpyxl import load_workbook
from typer.testing import CliRunner

from fanpin.cli import app
from fanpin.config import AlertsConfig, load_monitoring_lines
from fanpin.ranking import URGENT_LEVEL
from fanpin.rules import RuleBaseline
from fanpin.schema import in_hardship
from fanpin.scoring import model_lines
from fanpin.workflow import LISTED_BY_MODEL, LISTED_BY_RULE, LISTED_URGENT, run_alerts
from tests.explain.support import small_panel, small_pipe
from tests.workflow.conftest import DEMO, DEMO_AS_OF

BILL = 150_000.0
# the demo's 2026 pushes assess year-to-date records on the 2025 line carried
pytestmark = pytest.mark.filterwarnings("ignore:The monitoring lines")


def _quiet_household(panel: pd.DataFrame, lines) -> pd.Series:
    """The latest record of a household nobody watches: not in hardship, no
    监测对象类别, with the median income of those a 150,000 yuan bill puts
    below the line (it would still be above it without the bill)."""
    last = panel[panel["year"] == panel["year"].max()]
    ok = ~in_hardship(last, lines).to_numpy() & last["monitor_category"].isna()
    ok &= last["township"].notna().to_numpy()
    pick = last[ok]
    total = pick[["income_wage", "income_business", "income_transfer"]].sum(axis=1)
    line = lines.lookup(pick["province"], pick["year"])
    after = (total - pick["medical_cost_oop"] - BILL) / pick["household_size"]
    pick = pick[(after < line).to_numpy()]
    median = total[pick.index].sort_values()
    return pick.loc[median.index[len(median) // 2]]


def test_a_150000_yuan_bill_is_urgent_end_to_end(tmp_path, demo_model):
    panel = pd.read_parquet(DEMO / "panel.parquet")
    lines = load_monitoring_lines(DEMO / "monitoring_lines.yaml")
    h = _quiet_household(panel, lines)
    pushes = pd.read_parquet(DEMO / "pushes.parquet")
    pushes = pushes[pushes["household_id"] != h["household_id"]]
    bill = pd.DataFrame([{"household_id": h["household_id"], "date": "2026-03-02",
                          "source": "医保", "event_type": "住院自付", "amount": BILL,
                          "persons": 1}])  # fmt: skip
    pushes["date"] = pushes["date"].dt.strftime("%Y-%m-%d")
    ev = tmp_path / "pushes.csv"
    pd.concat([pushes, bill], ignore_index=True).to_csv(ev, index=False)
    out, db = tmp_path / "out", tmp_path / "cases.db"
    args = ["alerts", str(DEMO / "panel.parquet"), "--model", str(demo_model),
            "--lines", str(DEMO / "monitoring_lines.yaml"), "--events", str(ev),
            "--store", f"sqlite:///{db}", "--as-of", DEMO_AS_OF, "--capacity", "1",
            "--out", str(out), "--quiet"]  # fmt: skip
    res = CliRunner().invoke(app, args)
    assert res.exit_code == 0, res.output
    alerts = pd.read_csv(out / "alerts.csv", encoding="utf-8-sig", dtype=str)
    town = alerts[
        (alerts["county"] == h["county"]) & (alerts["township"] == h["township"])
    ]
    first = town.iloc[0]
    assert first["household_id"] == h["household_id"]
    assert first["rank"] == "1" and first["risk_level"] == URGENT_LEVEL
    assert first["listed_by"] == LISTED_URGENT and first["source"] == "部门推送"
    reasons = first["reasons"].split("；")
    assert reasons[0] == "医保推送：2026年3月2日住院自付 150,000 元"
    assert reasons[1].startswith("紧急：部门推送后已处于困难")
    # not on the monitored list, a case opened at 紧急
    monitored = pd.read_csv(out / "monitored.csv", encoding="utf-8-sig", dtype=str)
    assert h["household_id"] not in set(monitored["household_id"])
    with sa.create_engine(f"sqlite:///{db}").connect() as conn:
        case = conn.execute(
            sa.text("SELECT case_id, current_level, state FROM cases "
                    "WHERE household_id = :h"), {"h": h["household_id"]},
        ).one()  # fmt: skip
    assert case.current_level == URGENT_LEVEL and case.state == "预警"
    # the workbook: first row of its village's sheet, with that reason first
    book = out / "excel" / f"{h['county']}_{h['township']}.xlsx"
    if not book.exists():  # named by the township alone when it is unique
        book = next(p for p in (out / "excel").glob("*.xlsx")
                    if h["township"] in p.name)  # fmt: skip
    wb = load_workbook(book)
    ws = wb[next(n for n in wb.sheetnames if n in h["village"] or h["village"] in n)]
    header = [str(c.value).replace("\n", "") for c in ws[2]]
    row = {k: ws.cell(row=3, column=j + 1).value for j, k in enumerate(header)}
    assert row["户编码"] == h["household_id"]
    assert int(row["案件号"]) == case.case_id
    assert row["风险等级"] == URGENT_LEVEL
    assert str(row["风险原因"]).startswith("医保推送：2026年3月2日住院自付 150,000 元")
    # the summary counts the urgent ones, and says why the first cases opened
    text = " ".join(res.output.split())
    n_urgent = int((alerts["listed_by"] == LISTED_URGENT).sum())
    assert f"其中紧急 {n_urgent:,} 户" in text or f"{n_urgent:,} urgent" in text
    assert "首次运行" in text or "First run on a new case store" in text
    # on an existing store the first-run line is not repeated
    again = CliRunner().invoke(app, args)
    assert again.exit_code == 0, again.output
    text = " ".join(again.output.split())
    assert "首次运行" not in text and "First run on a new case store" not in text


@lru_cache(maxsize=8)
def _run(capacity: int | None, min_score: float | None = 0.1, identified=()):
    cfg = AlertsConfig(min_score=min_score, capacity=30)
    return run_alerts(small_pipe(), small_panel(), as_of="2025-01-15", config=cfg,
                      capacity=capacity, monitored_ids=set(identified))  # fmt: skip


def _expected_urgent(panel: pd.DataFrame, lines, identified=()) -> set[str]:
    last = panel[panel["year"] == panel["year"].max()]
    hard = in_hardship(last, lines).to_numpy()
    unknown = last["monitor_category"].isna().to_numpy()
    ids = last["household_id"].astype(str)
    return set(ids[hard & unknown]) - set(identified)


@pytest.mark.parametrize("capacity", [0, 1, 3, None])
def test_list_size_is_min_of_cutoff_and_capacity_plus_urgent_and_rule_hits(capacity):
    run = _run(capacity)
    s, alerts, pipe = run.scored, run.alerts, small_pipe()
    panel = small_panel()
    # the rule hits, computed again on the scored records
    last = panel[panel["year"] == panel["year"].max()]
    rows = last.index[last["household_id"].isin(s["household_id"])]
    hits = RuleBaseline(lines=model_lines(pipe)).hits(panel, rows=rows).table
    hits = hits.set_index(hits["household_id"].astype(str))["rule_hit"]
    rule_hit = hits.reindex(s["household_id"].astype(str)).to_numpy(dtype=bool)
    assert (s["rule_hit"].to_numpy() == rule_hit).all()
    # the model's households: at or above the cutoff, no rule hit, per township
    alerted = s["risk_score"].to_numpy() >= 0.1
    assert (s["alerted"].to_numpy() == alerted).all() and run.cutoff == 0.1
    town = s["county"].astype(str) + "/" + s["township"].astype(str)
    model = pd.Series(alerted & ~rule_hit).groupby(town.to_numpy()).sum()
    cap = 30 if capacity is None else capacity
    n_model = int(np.minimum(model.to_numpy(), cap).sum())
    urgent = _expected_urgent(panel, model_lines(pipe))
    assert len(alerts) == n_model + int(rule_hit.sum()) + len(urgent)
    assert run.counts["model_added"] == n_model
    assert run.counts["rule_hits"] == int(rule_hit.sum())
    assert run.counts["urgent"] == len(urgent) > 0
    by = alerts["listed_by"]
    assert set(alerts.loc[by == LISTED_URGENT, "household_id"]) == urgent
    assert (alerts.loc[by == LISTED_URGENT, "risk_level"] == URGENT_LEVEL).all()
    assert set(alerts.loc[by == LISTED_BY_RULE, "household_id"]) == set(
        s.loc[rule_hit, "household_id"]
    )
    # every rule hit names its rules first among its reasons
    hit_rows = alerts[by == LISTED_BY_RULE]
    assert all(
        r.startswith(f"规则命中：{n}")
        for r, n in zip(hit_rows["reasons"], hit_rows["rules"], strict=True)
    )
    if capacity == 0:
        assert not (by == LISTED_BY_MODEL).any()
    # urgent first in each township: ranks 1..k
    for _, part in alerts.groupby(["county", "township"]):
        k = int((part["listed_by"] == LISTED_URGENT).sum())
        assert part["rank"].tolist()[:k] == list(range(1, k + 1))
        assert (part["listed_by"].iloc[:k] == LISTED_URGENT).all()


def test_identified_households_stay_monitored():
    base = _run(None)
    urgent = sorted(base.alerts.loc[base.alerts["listed_by"] == LISTED_URGENT,
                                    "household_id"])  # fmt: skip
    known = tuple(urgent[:2])  # e.g. the store's 已认定 cases
    run = _run(None, identified=known)
    assert run.counts["urgent"] == len(urgent) - 2
    assert set(known) <= set(run.monitored["household_id"])
    assert not set(known) & set(run.alerts["household_id"])


def test_identified_without_monitor_category_knows_only_the_given_ids():
    from fanpin.workflow._urgent import identified

    records = pd.DataFrame({"household_id": ["1", "2", "3"]})
    assert identified(records, None).tolist() == [False, False, False]
    assert identified(records, {"2"}).tolist() == [False, True, False]
    records["monitor_category"] = [" ", pd.NA, "突发严重困难户"]
    assert identified(records, {"2"}).tolist() == [False, True, True]
