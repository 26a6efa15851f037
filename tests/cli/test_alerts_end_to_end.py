"""`fanpin alerts` end to end through typer's CliRunner."""

from __future__ import annotations

import pandas as pd
import sqlalchemy as sa
from openpyxl import load_workbook
from typer.testing import CliRunner

from fanpin.cli import app
from fanpin.models import save_model
from tests.explain.support import small_panel, small_pipe, small_sim


def test_alerts_cli_end_to_end(tmp_path):
    panel = small_panel()
    panel_path = tmp_path / "panel.parquet"
    panel.to_parquet(panel_path)
    save_model(small_pipe(), tmp_path / "m")
    ev_path = tmp_path / "events.csv"
    # the whole event history: the 2021-2024 events are in the annual records
    sim = small_sim()
    ev = pd.concat([sim.events, sim.pushes], ignore_index=True)
    ev[ev["date"].dt.year <= 2025].to_csv(ev_path, index=False)
    covered = int((ev["date"].dt.year <= 2024).sum())
    pii_path = tmp_path / "pii.csv"
    ids = panel["household_id"].unique()
    pd.DataFrame({"户编码": ids, "户主姓名": [f"户主{i}号" for i in range(len(ids))],
                  "联系电话": "13900000000"}).to_csv(pii_path, index=False)  # fmt: skip
    out = tmp_path / "out"
    db = tmp_path / "cases.db"
    res = CliRunner().invoke(
        app,
        [
            "alerts", str(panel_path), "--model", str(tmp_path / "m"),
            "--events", str(ev_path), "--store", f"sqlite:///{db}",
            "--capacity", "3", "--as-of", "2025-12-31", "--pii", str(pii_path),
            "--out", str(out),
        ],
    )  # fmt: skip
    assert res.exit_code == 0, res.output
    assert "Case store:" in res.output and "new" in res.output
    assert "Outputs:" in res.output and "alerts.csv" in res.output
    assert f"already covered by the annual record of that year: {covered:,}" in (
        " ".join(res.output.split())
    )
    alerts = pd.read_csv(out / "alerts.csv", encoding="utf-8-sig", dtype=str)
    pq = pd.read_parquet(out / "alerts.parquet")
    assert len(alerts) == len(pq) > 0
    # capacity limits the model's households (模型新增); rule hits and urgent
    # households are always listed
    added = alerts[alerts["listed_by"] == "模型新增"]
    assert (added.groupby(["county", "township"]).size() <= 3).all()
    scored = pd.read_csv(out / "scored.csv", encoding="utf-8-sig")
    # cut by capacity: households at or above the cutoff that no rule flagged
    over = scored[scored["over_capacity"]]
    assert over["alerted"].all() and not over["rule_hit"].any()
    assert (out / "monitored.csv").exists()
    # personal data: only in the Excel workbooks
    for f in ("alerts.csv", "scored.csv", "monitored.csv"):
        text = (out / f).read_text(encoding="utf-8-sig")
        assert "户主" not in text.replace("户主姓名", "") and "13900000000" not in text
    assert "13900000000" not in pq.to_csv()
    with sa.create_engine(f"sqlite:///{db}").connect() as conn:
        dump = " ".join(
            str(r) for t in ("cases", "case_risk_history", "case_transitions")
            for r in conn.execute(sa.text(f"SELECT * FROM {t}"))
        )  # fmt: skip
    assert "13900000000" not in dump and "户主0号" not in dump
    books = sorted((out / "excel").glob("*.xlsx"))
    assert len(books) == alerts.groupby(["county", "township"]).ngroups
    wb = load_workbook(books[0])
    ws = wb[wb.sheetnames[0]]
    header = [str(c.value).replace("\n", "") for c in ws[2]]  # row 1: the title
    assert "户主姓名" in header and ws.freeze_panes == "C3"
    assert str(ws.cell(row=3, column=header.index("户主姓名") + 1).value).startswith(
        "户主"
    )
    # the workbook shows each household's case, with the store's deadline
    first = int(ws.cell(row=3, column=header.index("案件号") + 1).value)
    with sa.create_engine(f"sqlite:///{db}").connect() as conn:
        deadline = conn.execute(
            sa.text("SELECT deadline FROM cases WHERE case_id = :c"), {"c": first}
        ).scalar()
    shown = ws.cell(row=3, column=header.index("核实截止日期") + 1).value
    assert shown.date().isoformat() == str(deadline)
    assert ws.cell(row=3, column=header.index("新增/延续") + 1).value == "新增"


def test_alerts_cli_bad_date(tmp_path):
    res = CliRunner().invoke(
        app, ["alerts", "x.csv", "--model", "m", "--out", str(tmp_path),
              "--as-of", "yesterday"],
    )  # fmt: skip
    assert res.exit_code == 1
    assert "--as-of" in res.output
