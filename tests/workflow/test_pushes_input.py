"""The department-push input: running totals kept from the annual record,
collection dates, and bad pushes skipped and listed, never aborting the run."""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
import pytest
from typer.testing import CliRunner

from fanpin.cli import app
from fanpin.config import CollectionDates, PushesConfig, load_configs
from fanpin.exceptions import ConfigError, InputError, SchemaError
from fanpin.models import save_model
from fanpin.schema import per_capita_income_after_rigid, read_events
from fanpin.workflow import apply_events, run_alerts
from fanpin.workflow._events import SKIP_COVERED, SKIP_DUPLICATE
from tests.explain.support import small_panel, small_pipe

AS_OF = pd.Timestamp("2025-06-30")


def _record(hid, province, year=2024):
    return {
        "household_id": hid, "year": year, "province": province,
        "household_size": 2, "labor_count": 1, "income_wage": 12000.0,
        "medical_cost_oop": 1746.0, "medical_cost_total": 3000.0,
        "housing_safe": True, "water_safe": True,
    }  # fmt: skip


def _ev(hid, when, kind="危房", amount=None, source="住建"):
    return {"household_id": hid, "date": pd.Timestamp(when), "source": source,
            "event_type": kind, "amount": amount, "persons": None}  # fmt: skip


# -- 1. running totals start from the annual record ------------------------------
def _in_hardship_by_medical_costs(panel, lines):
    """``panel`` with one household of 2024 put in hardship by its medical
    costs alone (its income is above the line): the household, its record."""
    latest = panel[panel["year"] == 2024]
    ok = latest[(latest["housing_safe"]) & (latest["water_safe"])]
    ok = ok[ok["dropout_count"].fillna(0) == 0]
    income = ok[["income_wage", "income_business", "income_transfer"]].sum(axis=1)
    if "income_property" in ok:
        income = income + ok["income_property"].fillna(0)
    line = lines.lookup(ok["province"], ok["year"])
    rich = ok[(income / ok["household_size"]).to_numpy() > 1.5 * line]
    row = rich.index[0]
    size = float(panel.at[row, "household_size"])
    total = float(income.loc[row])
    target = 0.64 * float(lines.lookup(rich.loc[[row], "province"], [2024])[0])
    out = panel.copy()
    out.loc[row, ["medical_cost_oop", "education_cost"]] = [total - target * size, 0.0]
    return out, str(panel.at[row, "household_id"]), row


def test_household_in_hardship_with_a_push_stays_monitored_quoting_its_figure():
    pipe = small_pipe()
    panel, hid, row = _in_hardship_by_medical_costs(small_panel(), pipe.lines)
    # an identified monitored object (else it is 紧急: see the next test)
    panel["monitor_category"] = panel["monitor_category"].astype("object")
    panel.loc[panel["household_id"] == hid, "monitor_category"] = "突发严重困难户"
    annual = float(per_capita_income_after_rigid(panel.loc[[row]]).iloc[0])
    push = pd.DataFrame([_ev(hid, "2025-03-01", "新增残疾", source="残联")])
    push["persons"] = 1
    run = run_alerts(pipe, panel, as_of=AS_OF, events=push)
    assert hid not in set(run.scored["household_id"])  # not ranked
    assert hid not in set(run.alerts["household_id"])
    mon = run.monitored.set_index("household_id").loc[hid]
    assert bool(mon["reason_income"])
    line = float(pipe.lines.lookup(pd.Series([panel.at[row, "province"]]), [2025])[0])
    share = annual / line
    quoted = f"2024年度 {annual:,.0f} 元，为监测标准 {line:,.0f} 元的 {share:.0%}"
    assert quoted in mon["reasons"]
    assert "残联推送：2025年3月1日新增残疾 1 人" in mon["reasons"]
    new = run.events.panel
    rec = new[(new["household_id"] == hid) & (new["year"] == 2025)].iloc[0]
    assert rec["medical_cost_oop"] == pytest.approx(panel.at[row, "medical_cost_oop"])
    assert run.events.applied["period"].tolist() == ["2024年度及2025年1-6月累计"]


def test_unidentified_household_in_hardship_with_a_push_is_urgent_quoting_its_figure():
    pipe = small_pipe()
    panel, hid, row = _in_hardship_by_medical_costs(small_panel(), pipe.lines)
    panel.loc[panel["household_id"] == hid, "monitor_category"] = None
    annual = float(per_capita_income_after_rigid(panel.loc[[row]]).iloc[0])
    push = pd.DataFrame([_ev(hid, "2025-03-01", "新增残疾", source="残联")])
    push["persons"] = 1
    run = run_alerts(pipe, panel, as_of=AS_OF, events=push)
    assert hid not in set(run.monitored["household_id"])
    alert = run.alerts.set_index("household_id").loc[hid]
    assert alert["risk_level"] == "紧急"
    assert f"{annual:,.0f} 元" in alert["reasons"]


def test_a_push_that_shows_recovery_lifts_the_household_out_of_hardship():
    pipe = small_pipe()
    panel, hid, row = _in_hardship_by_medical_costs(small_panel(), pipe.lines)
    lift = 2 * float(panel.at[row, "medical_cost_oop"])
    push = pd.DataFrame([_ev(hid, "2025-03-01", "临时救助", lift, "民政")])
    run = run_alerts(pipe, panel, as_of=AS_OF, events=push)
    assert hid not in set(run.monitored["household_id"])
    assert hid in set(run.scored["household_id"])


def test_a_push_adds_to_the_annual_medical_costs():
    panel = pd.DataFrame([_record("a", "甘肃省")])
    res = apply_events(
        panel, pd.DataFrame([_ev("a", "2025-02-01", "住院自付", 4000.0, "医保")]),
        as_of=AS_OF,
    )  # fmt: skip
    new = res.panel.iloc[-1]
    assert new["year"] == 2025 and new["medical_cost_oop"] == 1746.0 + 4000.0


# -- 2. collection dates ---------------------------------------------------------
def test_which_pushes_are_new_follows_the_collection_date_per_province_and_year():
    panel = pd.DataFrame([_record("a", "甘肃省"), _record("b", "湖北省")])
    cfg = PushesConfig(
        collection_dates=CollectionDates(
            years={2024: "2025-01-31"}, provinces={"甘肃省": {2024: "2024-11-30"}}
        )
    )
    ev = pd.DataFrame(
        [_ev("a", "2024-11-20"), _ev("a", "2024-12-10"), _ev("b", "2025-01-15"),
         _ev("b", "2025-02-10")]
    )  # fmt: skip
    res = apply_events(panel, ev, as_of=AS_OF, pushes=cfg)
    got = sorted(zip(res.skipped["household_id"], res.skipped["why"], strict=True))
    assert got == [("a", SKIP_COVERED), ("b", SKIP_COVERED)]
    applied = res.applied.set_index("household_id")
    # a: after 甘肃's collection (11-30), in 2024: the annual record itself
    assert applied.at["a", "row"] == 0 and not applied.at["a", "created"]
    assert applied.at["a", "period"] == "2024年度及2024年12月-2025年6月累计"
    assert not bool(res.panel.at[0, "housing_safe"])
    # b: after 2025-01-31: the 2025 record, created
    assert bool(applied.at["b", "created"])
    assert applied.at["b", "period"] == "2024年度及2025年2-6月累计"
    # the default (12-31): a's December push is covered
    res = apply_events(panel, ev, as_of=AS_OF)
    assert sorted(res.applied["household_id"]) == ["b", "b"]


def test_collection_dates_from_a_yaml_file_and_their_errors(tmp_path):
    p = tmp_path / "pushes.yaml"
    p.write_text(
        "collection_dates:\n  default: '11-30'\n  provinces: {甘肃省: {2025: "
        "'2026-01-10'}}\nsources:\n  synonyms: {医保: [医保窗口]}\n",
        "utf-8",
    )
    cfg = load_configs(pushes=p).pushes
    assert str(cfg.collection_dates.of(2024, "湖北省")) == "2024-11-30"
    assert str(cfg.collection_dates.of(2025, "甘肃省")) == "2026-01-10"
    assert cfg.synonyms == {"医保窗口": "医保"}
    for bad, match in (
        ("collection_dates: {default: '13-40'}\n", "month and day"),
        ("collection_dates: {years: {2025: '2023-12-31'}}\n", "collected in 2025"),
        ("collection_date: {}\n", "unknown section"),
        ("sources: {synonyms: {医保: [局], 民政: [局]}}\n", "for both"),
    ):
        p.write_text(bad, "utf-8")
        with pytest.raises(ConfigError, match=match):
            load_configs(pushes=p)


# -- 3. bad pushes are skipped and listed ----------------------------------------
def test_exact_duplicates_are_skipped_once():
    panel = pd.DataFrame([_record("a", "甘肃省")])
    one = _ev("a", "2025-02-01", "住院自付", 4000.0, "医保")
    res = apply_events(panel, pd.DataFrame([one, one]), as_of=AS_OF)
    assert res.skipped["why"].tolist() == [SKIP_DUPLICATE]
    assert res.panel.iloc[-1]["medical_cost_oop"] == 1746.0 + 4000.0


HEADER = ["户编码", "日期", "推送部门", "事件类型", "金额", "户主姓名"]


def _book(path, sheets):
    with pd.ExcelWriter(path) as xw:
        for name, rows in sheets.items():
            frame = rows if isinstance(rows, pd.DataFrame) else pd.DataFrame(
                rows, columns=HEADER
            )  # fmt: skip
            frame.to_excel(xw, sheet_name=name, index=False)
    return path


def test_every_sheet_is_read_and_dates_and_names_are_understood(tmp_path):
    from datetime import datetime

    p = _book(
        tmp_path / "pushes.xlsx",
        {
            "医保": [
                ["0001", "2026年1月1日", "医保局", "住院自付", 1000, "张三"],
                ["0002", "2026/1/1", "医疗保障局", "住院自付", 2000, "李四"],
                ["0003", "2026.01.01", "市医保", "住院自付", 3000, "王五"],
                ["0004", 46023, "某某县医疗保障局", "住院自付", 4000, "赵六"],
                ["0005", datetime(2026, 1, 1), "医保", "住院自付", 5000, "钱七"],
            ],
            "民政": [["0006", "2026-01-02", "民政局", "临时救助", 800, "孙八"]],
            "说明": pd.DataFrame({"填表说明": ["每行一条推送"]}),
        },
    )
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        ev = read_events(p, on_bad="skip")
    assert len(ev) == 6 and ev["why"].isna().all()
    assert ev["sheet"].tolist() == ["医保"] * 5 + ["民政"]
    assert ev["file_row"].tolist() == [2, 3, 4, 5, 6, 2]
    assert set(ev["date"].dt.strftime("%Y-%m-%d")) == {"2026-01-01", "2026-01-02"}
    assert ev["source"].tolist() == ["医保"] * 5 + ["民政"]
    assert "户主姓名" not in ev.columns and "张三" not in ev.to_csv()


def test_a_sheet_holding_another_table_refuses_the_workbook_naming_it(tmp_path):
    p = _book(
        tmp_path / "pushes.xlsx",
        {
            "推送": [["0001", "2026-01-05", "医保", "住院自付", 100, None]],
            "汇总": pd.DataFrame({"乡镇": ["甲镇"], "户数": [3], "金额合计": [100]}),
            "旧表": pd.DataFrame({"户编码": ["0001"], "日期": ["2026-01-05"],
                                  "金额": [1]}),  # fmt: skip
        },
    )
    with pytest.raises(InputError) as info:
        read_events(p, on_bad="skip")
    text = str(info.value)
    assert "'汇总'" in text and "'旧表'" in text and "推送部门、事件类型" in text
    assert "'推送'" in text  # the sheets that are push tables


def test_bad_rows_are_kept_with_their_reason_and_a_redacted_value(tmp_path):
    p = _book(
        tmp_path / "pushes.xlsx",
        {
            "1月": [
                ["0001", "2026-01-05", "医保", "住院自付", 100, None],
                ["0002", "2026年13月1日", "医保", "住院自付", 100, None],
                ["0003", "2026-01-05", "公安局", "住院自付", 100, None],
            ],
            "2月": [
                ["0004", "2026-02-05", "医保", "住院", 100, None],
                ["0005", "2026-02-05", "医保", "住院自付", "张三丰", None],
                [None, "2026-02-05", "医保", "住院自付", 100, None],
            ],
        },
    )
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        ev = read_events(p, on_bad="skip")
        with pytest.raises(SchemaError, match="at sheet '1月' row 3"):
            read_events(p)
    why = dict(zip(ev["household_id"].fillna("-"), ev["why"].fillna("ok"),
                   strict=True))  # fmt: skip
    assert why == {
        "0001": "ok", "0002": "date not understood",
        "0003": "unknown source (推送部门)", "0004": "unknown event type",
        "0005": "amount not understood (金额)", "-": "no household code (户编码)",
    }  # fmt: skip
    detail = ev.set_index(ev["household_id"].fillna("-"))["detail"]
    assert detail["0005"] == "金额: <3 个汉字>"  # never the value itself
    assert detail["0003"] == "推送部门: <3 个汉字>"  # Chinese text may be a name


@pytest.fixture(scope="module")
def files(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("pushes-cli")
    save_model(small_pipe(), tmp / "model")
    small_panel().to_parquet(tmp / "panel.parquet")
    return tmp


def test_alerts_cli_with_a_bad_pushes_workbook_skips_lists_and_applies(files, tmp_path):
    ids = small_panel().loc[lambda d: d["year"] == 2024, "household_id"].tolist()
    good = [
        [ids[0], "2025-02-01", "医保局", "住院自付", 9000, "张三"],
        [ids[1], "2025年3月1日", "住建", "危房", None, "李四"],
    ]
    p = _book(
        tmp_path / "pushes.xlsx",
        {
            "一": [*good, good[0],  # an exact duplicate
                   ["9999999", "2025-02-01", "医保", "住院自付", 100, "王五"]],
            "二": [[ids[2], "2025-12-01", "医保", "住院自付", 100, "赵六"],
                   [ids[3], "2025-02-30", "医保", "住院自付", 100, "钱七"],
                   [ids[4], "2025-02-01", "公安", "住院自付", 100, "孙八"],
                   [ids[5], "2025-02-01", "医保", "住院自付", "一百", "周九"],
                   [ids[6], "2025-04-01", "民政", "临时救助", 500, "吴十"]],
        },
    )  # fmt: skip
    out = tmp_path / "out"
    res = CliRunner().invoke(
        app,
        ["alerts", str(files / "panel.parquet"), "--model", str(files / "model"),
         "--events", str(p), "--as-of", "2025-06-30", "--out", str(out), "--quiet"],
    )  # fmt: skip
    assert res.exit_code == 0, res.output
    text = " ".join(res.output.split())
    assert "3 events applied, 6 skipped" in text
    for why in ("exact duplicate of an earlier event: 1",
                "household not in the panel: 1", "dated after as_of: 1",
                "date not understood: 1", "unknown source (推送部门): 1",
                "amount not understood (金额): 1"):  # fmt: skip
        assert why in text
    excl = pd.read_csv(out / "exclusions.csv", dtype=str)
    ev = excl[excl["kind"] == "event"]
    where = sorted(zip(ev["sheet"], ev["row"].astype(int), strict=True))
    assert where == [("一", 4), ("一", 5), ("二", 2), ("二", 3), ("二", 4), ("二", 5)]
    assert (ev["file"] == "pushes.xlsx").all()
    for f in out.rglob("*.csv"):
        body = f.read_text("utf-8")
        assert not any(n in body for n in ("张三", "王五", "一百")), f.name
    scored = pd.read_csv(out / "scored.csv", dtype={"household_id": str})
    mon = pd.read_csv(out / "monitored.csv", dtype={"household_id": str})
    alerts = pd.read_csv(out / "alerts.csv", dtype={"household_id": str})
    urgent = alerts.loc[alerts["risk_level"] == "紧急", "household_id"]
    # a pushed record is scored, monitored, or 紧急 (in hardship, not
    # identified: listed, in neither scored nor monitored)
    seen = (
        set(scored.loc[scored["year"] == 2025, "household_id"])
        | set(mon["household_id"])
        | set(urgent)
    )
    assert {ids[0], ids[1], ids[6]} <= seen
    assert np.isin([ids[3], ids[4], ids[5]], scored.loc[scored["year"] == 2025,
                                                        "household_id"]).sum() == 0
