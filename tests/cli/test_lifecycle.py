"""A case lifecycle that holds, end to end through the CLI on the demo's inputs:
closed cases are not reopened by the same evidence, new evidence reopens them,
one deadline everywhere, overdue flagged."""

from __future__ import annotations

from datetime import date, datetime

import pandas as pd
import pytest
from openpyxl import load_workbook
from typer.testing import CliRunner

from fanpin.cli import app
from fanpin.workflow import CaseStore, EliminationEvidence, EliminationRules

from ..conftest import DEMO, DEMO_AS_OF

pytestmark = pytest.mark.filterwarnings(
    "ignore:The monitoring lines:UserWarning"  # the demo has no 2026 line yet
)
runner = CliRunner()
OK = EliminationEvidence(per_capita_income=9000, line=7500, labor_count=2)
LATER = date(2026, 12, 31)  # the reference date of the cadres' changes


def _alerts(tmp_path, model, url, *, as_of=DEMO_AS_OF, pushes=None, out="out"):
    res = runner.invoke(
        app,
        [
            "alerts", str(DEMO / "panel.parquet"), "--model", str(model),
            "--events", str(pushes or DEMO / "pushes.parquet"), "--as-of", as_of,
            "--store", url, "--out", str(tmp_path / out), "--quiet",
        ],
    )  # fmt: skip
    assert res.exit_code == 0, res.output
    return res.output


def _close_some(url):
    """Exclude four cases and eliminate the risk of two (after half a year of a
    measure, under rules shortened for the test), in July-August 2026."""
    rules = EliminationRules(min_monitored_days=30, min_measure_days=30)
    with CaseStore(url, elimination_rules=rules) as s:
        cases = s.list_cases().sort_values("case_id")
        excluded = cases["case_id"].iloc[:4].tolist()
        eliminated = cases["case_id"].iloc[4:6].tolist()
        for cid in excluded:
            s.transition(cid, "核查中", actor="乙镇干部", now=datetime(2026, 7, 2),
                         as_of=LATER)  # fmt: skip
            s.transition(cid, "已排除", actor="乙镇干部", now=datetime(2026, 7, 5),
                         note="收入达标", as_of=LATER)  # fmt: skip
        for cid in eliminated:
            s.transition(cid, "核查中", actor="乙镇干部", now=datetime(2026, 7, 2),
                         as_of=LATER)  # fmt: skip
            s.transition(cid, "已认定", actor="县", category="边缘易致贫户",
                         now=datetime(2026, 7, 3), as_of=LATER)  # fmt: skip
            s.transition(cid, "帮扶中", actor="县", measures=["健康帮扶"],
                         department="医保", now=datetime(2026, 7, 4),
                         as_of=LATER)  # fmt: skip
            s.transition(cid, "风险消除", actor="县", method="帮扶消除", evidence=OK,
                         now=datetime(2026, 8, 10), as_of=LATER)  # fmt: skip
    return excluded, eliminated


def _households(url, case_ids):
    with CaseStore(url) as s:
        cases = s.list_cases()
    return cases.set_index("case_id").loc[case_ids, "household_id"].tolist()


def test_the_same_inputs_never_reopen_a_closed_case(tmp_path, demo_model):
    url = f"sqlite:///{tmp_path / 'cases.db'}"
    _alerts(tmp_path, demo_model, url)
    with CaseStore(url) as s:
        first = s.list_cases()
    excluded, eliminated = _close_some(url)
    closed = excluded + eliminated
    # the same inputs again: the same run, and a later month on the same evidence
    for as_of, out in ((DEMO_AS_OF, "again"), ("2026-08-31", "august")):
        text = _alerts(tmp_path, demo_model, url, as_of=as_of, out=out)
        assert "0 got a new case" in " ".join(text.split())
        assert "6 stay closed" in " ".join(text.split())
        with CaseStore(url) as s:
            cases = s.list_cases()
            for cid in closed:
                assert s.get_case(cid)["closed_at"] is not None
                assert s.history(cid)["run_id"].nunique() == 1  # never written to
        # no household has a second case: nothing was reopened
        assert len(cases) == len(first)
        alerts = pd.read_csv(tmp_path / out / "alerts.csv", dtype={"household_id": str})
        shown = alerts.set_index("case_id").loc[closed]
        assert (shown["case_status"] == "已结案").all()
        assert set(shown["case_state"]) == {"已排除", "风险消除"}


def test_new_evidence_reopens_and_the_audit_says_which(tmp_path, demo_model):
    url = f"sqlite:///{tmp_path / 'cases.db'}"
    _alerts(tmp_path, demo_model, url)
    excluded, eliminated = _close_some(url)
    hid = _households(url, [excluded[0]])[0]
    pushes = pd.read_parquet(DEMO / "pushes.parquet")
    # a small push (it keeps the household on the list) dated after the closing
    later = pd.DataFrame({
        "household_id": [hid], "date": [pd.Timestamp("2026-08-20")],
        "source": ["民政"], "event_type": ["临时救助"], "amount": [200.0],
        "persons": [1],
    })  # fmt: skip
    path = tmp_path / "pushes.parquet"
    pd.concat([pushes, later], ignore_index=True).to_parquet(path)
    text = " ".join(
        _alerts(tmp_path, demo_model, url, as_of="2026-08-31", pushes=path).split()
    )
    with CaseStore(url) as s:
        cases = s.list_cases(household_id=hid).sort_values("case_id")
        assert len(cases) == 2, text  # the closed case and a new one
        new = s.get_case(int(cases["case_id"].iloc[-1]))
        assert (new["reopens"], new["opened_because"]) == (excluded[0], "push")
        note = s.transitions(new["case_id"])["note"].iloc[0]
    assert f"reopens case {excluded[0]}" in note and "2026-08-20" in note
    assert "1 got a new case on new evidence (a push dated after the closing: 1)" in (
        text
    )
    res = runner.invoke(app, ["cases", "show", str(new["case_id"]), "--store", url])
    assert res.exit_code == 0, res.output
    assert f"reopens case {excluded[0]}" in res.output and "2026-08-20" in res.output


def test_one_deadline_and_overdue_everywhere(tmp_path, demo_model):
    url = f"sqlite:///{tmp_path / 'cases.db'}"
    _alerts(tmp_path, demo_model, url)
    with CaseStore(url) as s:
        before = s.list_cases().set_index("household_id")["deadline"]
    # next month: open cases are carried over, with the deadline they got
    _alerts(tmp_path, demo_model, url, as_of="2026-07-31", out="july")
    alerts = pd.read_csv(
        tmp_path / "july" / "alerts.csv", dtype={"household_id": str},
        parse_dates=["deadline"],
    )  # fmt: skip
    with CaseStore(url) as s:
        stored = s.list_cases().set_index("household_id")["deadline"]
    carried = alerts[alerts["case_status"] == "延续"]
    assert len(carried) > 0
    got = carried.set_index("household_id")["deadline"].dt.date
    assert (got == stored.loc[got.index]).all()  # the store's deadline
    assert (got == before.loc[got.index]).all()  # not pushed back by the rerun
    assert carried["overdue"].all()  # all of June's deadlines passed by July 31
    # the township workbook says the same
    township = carried["township"].iloc[0]
    ws = load_workbook(next((tmp_path / "july" / "excel").glob(f"*{township}.xlsx")))
    rows = [
        dict(zip([str(h.value).replace("\n", "") for h in sheet[2]],
                 [c.value for c in r], strict=False))
        for sheet in ws.worksheets for r in sheet.iter_rows(min_row=3)
    ]  # fmt: skip
    for r in rows:
        if r["新增/延续"] == "延续":
            assert r["核实截止日期"].date() == stored.loc[r["户编码"]]
            assert r["逾期"] == "已逾期"
    # cases list / --overdue / show
    res = runner.invoke(app, ["cases", "list", "--store", url, "--overdue",
                              "--as-of", "2026-07-31"])  # fmt: skip
    assert res.exit_code == 0, res.output
    n_open = (s_open := CaseStore(url)).list_cases(overdue_at=date(2026, 7, 31))
    s_open.close()
    assert f"{len(n_open)} case(s)" in res.output and "overdue" in res.output
    res = runner.invoke(app, ["cases", "list", "--store", url, "--as-of",
                              "2026-07-01", "--overdue"])  # fmt: skip
    assert res.exit_code == 0
    early = CaseStore(url)
    n_early = len(early.list_cases(overdue_at=date(2026, 7, 1)))
    early.close()
    assert n_early < len(n_open) and f"{n_early} case(s)" in res.output
    cid = int(n_open["case_id"].iloc[0])
    res = runner.invoke(app, ["cases", "show", str(cid), "--store", url,
                              "--as-of", "2026-07-31"])  # fmt: skip
    assert res.exit_code == 0 and "overdue: the verification deadline" in res.output


@pytest.fixture(scope="module")
def _demo_run_once(tmp_path_factory, demo_model):
    """One alerts run on the demo's inputs into a store (run once per module)."""
    tmp = tmp_path_factory.mktemp("demo_run")
    _alerts(tmp, demo_model, f"sqlite:///{tmp / 'cases.db'}")
    return tmp


@pytest.fixture
def demo_run(tmp_path, _demo_run_once):
    """A copy of that run's store and workbooks: (store URL, workbook folder)."""
    import shutil

    shutil.copy(_demo_run_once / "cases.db", tmp_path / "cases.db")
    shutil.copytree(_demo_run_once / "out" / "excel", tmp_path / "excel")
    return f"sqlite:///{tmp_path / 'cases.db'}", tmp_path / "excel"


def _fill(path, results, *, checker="王干部", day="2026-07-03", skip_urgent=False):
    """Fill 核查结果 (and what it needs) in the first rows of a township
    workbook, as a township would; ``results``: one per row, None leaves it;
    ``skip_urgent``: leave the 紧急 rows (their records are in hardship)."""
    wb = load_workbook(path)
    filled = []
    for ws in wb.worksheets:
        head = {str(c.value).replace("\n", ""): c.column for c in ws[2]}
        for r in range(3, ws.max_row + 1):
            if not results:
                break
            level = ws.cell(r, head["风险等级"]).value if "风险等级" in head else None
            if skip_urgent and level == "紧急":
                continue
            result = results.pop(0)
            if result is None:
                continue
            ws.cell(r, head["核查结果"]).value = result
            if result.startswith("属实"):
                ws.cell(r, head["认定类别"]).value = "边缘易致贫户"
            ws.cell(r, head["核查日期"]).value = day
            ws.cell(r, head["核查人"]).value = checker
            filled.append((ws.title, r, int(ws.cell(r, head["案件号"]).value), result))
    wb.save(path)
    return filled


def _snapshot(url):
    with CaseStore(url) as s:
        cases = s.list_cases().drop(columns=["updated_at"])
        trail = pd.concat([s.transitions(int(c)) for c in cases["case_id"]])
    return cases, trail


def _big_books(excel, n=2):
    """The ``n`` township workbooks with the most rows."""
    books = sorted(excel.glob("*.xlsx"))
    size = {b: sum(ws.max_row for ws in load_workbook(b).worksheets) for b in books}
    return sorted(books, key=lambda b: (-size[b], b.name))[:n]


def test_import_round_trip(demo_run):
    url, excel = demo_run
    books = _big_books(excel)
    plan = ["属实-纳入监测", "不属实-排除", "待核查", None, "不属实-排除"]
    filled = [f for b in books for f in _fill(b, list(plan))]
    res = runner.invoke(app, ["cases", "import", *map(str, books), "--store", url,
                              "--as-of", "2026-07-31"])  # fmt: skip
    assert res.exit_code == 0, res.output
    want = {"属实-纳入监测": "已认定", "不属实-排除": "已排除", "待核查": "核查中"}
    with CaseStore(url) as s:
        for _, _, cid, result in filled:
            case = s.get_case(cid)
            assert case["state"] == want[result]
            last = s.transitions(cid).iloc[-1]
            # the audit's actor and time come from the sheet
            assert last["actor"] == "王干部"
            assert last["at"].date() == date(2026, 7, 3)
            assert books[0].name in last["note"] or books[1].name in last["note"]
    before = _snapshot(url)
    again = runner.invoke(app, ["cases", "import", *map(str, books), "--store", url,
                                "--as-of", "2026-07-31"])  # fmt: skip
    assert again.exit_code == 0, again.output
    after = _snapshot(url)
    pd.testing.assert_frame_equal(before[0], after[0])
    pd.testing.assert_frame_equal(before[1], after[1])
    text = " ".join(again.output.split())
    assert text.count(" 0 case(s) updated (none)") == len(books), text


def test_import_refuses_rows_and_applies_nothing(demo_run):
    url, excel = demo_run
    [book] = _big_books(excel, 1)
    filled = _fill(book, ["属实-纳入监测", "不属实-排除", "待核查"])
    assert runner.invoke(app, ["cases", "import", str(book), "--store", url,
                               "--as-of", "2026-07-31"]).exit_code == 0  # fmt: skip
    # the township changes its mind on row 1 (属实 -> 不属实), gives a bad date
    # on row 2 and a phone number as the checker on a fresh row 4
    wb = load_workbook(book)
    ws = wb.worksheets[0]
    head = {str(c.value).replace("\n", ""): c.column for c in ws[2]}
    ws.cell(3, head["核查结果"]).value = "不属实-排除"
    ws.cell(4, head["核查日期"]).value = "2026-13-40"
    if ws.max_row >= 6:
        ws.cell(6, head["核查结果"]).value = "待核查"
        ws.cell(6, head["核查日期"]).value = "2026-07-05"
        ws.cell(6, head["核查人"]).value = "13812345678"
    wb.save(book)
    before = _snapshot(url)
    args = ["cases", "import", str(book), "--store", url, "--as-of", "2026-07-31"]
    res = runner.invoke(app, args, env={"FANPIN_LANG": "en"})
    assert res.exit_code == 1
    text = " ".join(res.output.split())
    sheet = filled[0][0]
    assert f"sheet {sheet!r}, row 3: case {filled[0][2]} is already 已认定" in text
    assert f"sheet {sheet!r}, row 4: 核查日期 '2026-13-40' is not a date" in text
    if ws.max_row >= 6:
        assert f"sheet {sheet!r}, row 6:" in text
    assert "nothing of it was changed" in text
    after = _snapshot(url)
    pd.testing.assert_frame_equal(before[0], after[0])
    pd.testing.assert_frame_equal(before[1], after[1])
    # in Chinese, row by row
    zh = runner.invoke(app, args, env={"FANPIN_LANG": "zh"})
    assert "第 3 行" in zh.output and "第 4 行" in zh.output, zh.output
    assert "is not a date" not in zh.output


def test_summary_shows_the_hit_rates_of_the_store(demo_run):
    from fanpin.workflow import hit_rates

    url, excel = demo_run
    books = _big_books(excel, 3)
    plans = (["属实-纳入监测"] * 3 + ["不属实-排除"], ["不属实-排除", "属实-纳入监测"],
             ["待核查"])  # fmt: skip
    for book, plan in zip(books, plans, strict=True):
        _fill(book, list(plan))
    res = runner.invoke(app, ["cases", "import", *map(str, books), "--store", url,
                              "--as-of", "2026-07-31"])  # fmt: skip
    assert res.exit_code == 0, res.output
    with CaseStore(url) as s:
        outcomes = s.outcomes()
    # counted from the store's states, not from hit_rates
    verified = outcomes[outcomes["state"].isin(["已认定", "已排除"])]
    assert len(verified) == 6
    table = hit_rates(outcomes)
    assert table.loc[("合计", ""), "true"] == (verified["state"] == "已认定").sum()
    assert table.loc[("合计", ""), "listed"] == len(outcomes)
    res = runner.invoke(app, ["cases", "summary", "--store", url],
                        env={"COLUMNS": "200"})  # fmt: skip
    assert res.exit_code == 0, res.output
    county = outcomes.set_index("case_id")["county"]
    for book, plan in zip(books[:2], plans[:2], strict=True):
        township = book.stem
        row = table.loc[(county[county.index[outcomes["township"] == township][0]],
                         township)]  # fmt: skip
        t = int((pd.Series(plan) == "属实-纳入监测").sum())
        assert (row["true"], row["verified"]) == (t, len(plan))
        line = next(x for x in res.output.splitlines() if township in x)
        share = f"{t / len(plan):.0%} ({row['low']:.0%}–{row['high']:.0%})"
        assert share in line


def _train(tmp_path, *extra, env=None):
    cfg = tmp_path / "model.yaml"
    cfg.write_text("seed: 0\nbooster: {n_estimators: 20, min_child_samples: 20}\n"
                   "early_stopping_rounds: null\n", encoding="utf-8")  # fmt: skip
    return runner.invoke(
        app,
        ["train", str(DEMO / "panel.parquet"), "--lines",
         str(DEMO / "monitoring_lines.yaml"), "--config", str(cfg), "--kind", "gbdt",
         "--out", str(tmp_path / "model"), *extra],
        env=env,
    )  # fmt: skip


def test_train_verified_refuses_a_store_without_verifications(demo_run, tmp_path):
    url, _ = demo_run
    res = _train(tmp_path, "--verified", url, env={"FANPIN_LANG": "en"})
    assert res.exit_code == 1
    text = " ".join(res.output.split())
    assert "holds no verified case (属实 or 不属实)" in text
    assert "fanpin cases import" in text and "Traceback" not in res.output
    zh = _train(tmp_path, "--verified", url, env={"FANPIN_LANG": "zh"})
    assert zh.exit_code == 1 and "holds no verified" not in zh.output
    missing = _train(tmp_path, "--verified", str(tmp_path / "none.db"))
    assert missing.exit_code == 1 and "none.db" in missing.output
    assert not (tmp_path / "none.db").exists()


def test_train_verified_changes_the_labels_as_stated(demo_run, tmp_path):
    from fanpin.config import load_monitoring_lines
    from fanpin.models import read_model_card
    from fanpin.schema import in_hardship, make_labels
    from fanpin.workflow import verified_labels

    url, excel = demo_run
    books = _big_books(excel, 2)
    plan = ["属实-纳入监测", "不属实-排除", "待核查", "属实-纳入监测"]
    filled = [f for b in books for f in _fill(b, list(plan), skip_urgent=True)]
    assert runner.invoke(app, ["cases", "import", *map(str, books), "--store", url,
                               "--as-of", "2026-07-31"]).exit_code == 0  # fmt: skip
    panel = pd.read_parquet(DEMO / "panel.parquet")
    lines = load_monitoring_lines(DEMO / "monitoring_lines.yaml")
    base = make_labels(panel, lines)
    with CaseStore(url) as s:
        outcomes = s.outcomes()
        cases = s.list_cases().set_index("case_id")
    got = verified_labels(panel, base, outcomes, in_hardship(panel, lines))
    # each verified case labels its household's annual record: 属实 1, 不属实 0
    key = panel["household_id"].astype(str) + "/" + panel["year"].astype(str)
    where = pd.Series(range(len(panel)), index=key.to_numpy())
    want = {}
    for _, _, cid, result in filled:
        if result == "待核查":
            continue
        c = cases.loc[cid]
        year = c["record_year"] if pd.notna(c["record_year"]) else c["year"]
        want[where[f"{c['household_id']}/{int(year)}"]] = int(result.startswith("属实"))
    assert len(want) == 6
    changed = [i for i in range(len(panel)) if i in want]
    assert [int(got.labels.iloc[i]) for i in changed] == [want[i] for i in changed]
    rest = [i for i in range(len(panel)) if i not in want]
    pd.testing.assert_series_equal(
        got.labels.iloc[rest], base.iloc[rest].astype("Int8"), check_names=False
    )
    assert (got.true, got.false) == (4, 2)
    assert got.added == int(base.iloc[list(want)].isna().sum())
    # the command: trains, says what it added and the bias, records it in the card
    res = _train(tmp_path, "--verified", url, env={"FANPIN_LANG": "en"})
    assert res.exit_code == 0, res.output
    text = " ".join(res.output.split())
    assert "6 label(s) (属实 4 -> 1, 不属实 2 -> 0)" in text
    assert f"{got.added} added to rows without a panel label" in text
    assert "only listed households are verified" in text
    card = read_model_card(tmp_path / "model")
    assert card["training"]["verified_labels"]["true"] == 4
    assert card["training"]["n_rows"] == int(got.labels.notna().sum())


def test_report_and_summary_show_the_same_hit_rates(demo_run, demo_model, tmp_path):
    import html
    import re

    url, excel = demo_run
    books = _big_books(excel, 2)
    for book, plan in zip(books, (["属实-纳入监测", "不属实-排除", "属实-纳入监测"],
                                  ["不属实-排除", "待核查"]), strict=True):  # fmt: skip
        _fill(book, plan)
    assert runner.invoke(app, ["cases", "import", *map(str, books), "--store", url,
                               "--as-of", "2026-07-31"]).exit_code == 0  # fmt: skip
    out = tmp_path / "report.html"
    res = runner.invoke(app, ["report", str(DEMO / "panel.parquet"), "--model",
                              str(demo_model), "--store", url, "--out", str(out),
                              "--quiet"])  # fmt: skip
    assert res.exit_code == 0, res.output
    page = out.read_text(encoding="utf-8")
    section = page[page.index('id="hit-rate"') :]
    section = section[: section.index("</section>")]
    cells = [
        [html.unescape(re.sub(r"<[^>]+>", "", c)) for c in re.findall(
            r"<td[^>]*>(.*?)</td>", row)]
        for row in re.findall(r"<tr[^>]*>(.*?)</tr>", section)
    ]  # fmt: skip
    report = {tuple(r[:2]): r[2:] for r in cells if len(r) == 8}  # by township
    summary = runner.invoke(app, ["cases", "summary", "--store", url],
                            env={"COLUMNS": "250"})  # fmt: skip
    assert summary.exit_code == 0
    seen = 0
    for line in summary.output.splitlines():
        parts = [p.strip() for p in line.strip("│┃ ").split("│")]
        if len(parts) != 8 or (parts[0], parts[1]) not in report:
            continue
        got = report[(parts[0], parts[1])]
        assert got[:5] == parts[2:7]  # listed, verified, 属实, 不属实, pending
        pct = [float(v) for v in re.findall(r"([\d.]+)%", got[5])]
        shown = [float(v) for v in re.findall(r"([\d.]+)%", parts[7])]
        assert len(pct) == len(shown) and all(
            abs(a - b) <= 0.5 for a, b in zip(pct, shown, strict=True))
        seen += 1
    assert seen == len(report) and ("合计", "") in report
    assert report[("合计", "")][1] == "4"  # verified: 3 + 1
