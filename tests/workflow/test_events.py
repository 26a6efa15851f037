"""Department pushes update the current-year record and re-score at once."""

from __future__ import annotations

import pandas as pd
import pytest

from fanpin.config import AlertsConfig, MonitoringLines
from fanpin.exceptions import InputError
from fanpin.schema import in_hardship
from fanpin.workflow import SOURCE_PUSH, apply_events, run_alerts
from fanpin.workflow._events import SKIP_COVERED, SKIP_FUTURE, SKIP_PAST, SKIP_UNKNOWN
from tests.explain.support import events_2025, small_panel, small_pipe, small_sim

AS_OF = pd.Timestamp("2025-06-30")


def _panel():
    return pd.DataFrame(
        {
            "household_id": ["a"], "year": [2025], "household_size": [4],
            "labor_count": [2], "serious_ill_count": [0], "disabled_count": [0],
            "medical_cost_total": [1000.0], "medical_cost_oop": [400.0],
            "disaster_loss": [0.0], "income_wage": [24000.0],
            "income_business": [8000.0], "income_transfer": [1000.0],
            "housing_safe": [True], "water_safe": [True],
            "accident_count": pd.array([0], dtype="Int64"),
            "dropout_count": pd.array([0], dtype="Int64"),
            "migrant_workers": pd.array([2], dtype="Int64"),
            "dibao": pd.array([False], dtype="boolean"),
            "disaster_type": pd.array(["无"], dtype="string"),
        }
    )  # fmt: skip


def _event(kind, amount=None, persons=None, when="2025-04-01", hid="a"):
    return pd.DataFrame(
        {
            "household_id": [hid], "date": [pd.Timestamp(when)], "source": ["医保"],
            "event_type": [kind], "amount": [amount], "persons": [persons],
        }
    )  # fmt: skip


@pytest.mark.parametrize(
    ("kind", "amount", "persons", "changes"),
    [
        ("住院自付", 12000.0, None,
         {"medical_cost_oop": 12400.0, "medical_cost_total": 13000.0}),
        ("大病", None, 1, {"serious_ill_count": 1}),
        ("新增残疾", None, 2, {"disabled_count": 2}),
        ("灾害损失", 6000.0, None,
         {"disaster_loss": 6000.0, "income_business": 5000.0, "disaster_type": "其他"}),
        ("意外事故", None, 1, {"accident_count": 1}),
        ("失业返乡", 9000.0, 1, {"income_wage": 15000.0, "migrant_workers": 1}),
        ("新增低保", 3000.0, 4, {"dibao": True, "income_transfer": 4000.0}),
        ("临时救助", 2000.0, None, {"income_transfer": 3000.0}),
        ("辍学", None, 1, {"dropout_count": 1}),
        ("危房", None, None, {"housing_safe": False}),
        ("饮水中断", None, None, {"water_safe": False}),
    ],
)  # fmt: skip
def test_each_event_updates_its_fields(kind, amount, persons, changes):
    # the record of the event's year exists: apply to it (records without pushes)
    before = _panel()
    res = apply_events(
        before, _event(kind, amount, persons), as_of=AS_OF, covered="apply"
    )
    after = res.panel
    for col, want in changes.items():
        assert after.at[0, col] == want, col
    untouched = [c for c in before.columns if c not in changes]
    pd.testing.assert_frame_equal(after[untouched], before[untouched])
    assert len(res.applied) == 1 and len(res.skipped) == 0


def test_job_loss_without_amount_uses_months_left():
    res = apply_events(_panel(), _event("失业返乡", persons=1, when="2025-04-15"),
                       as_of=AS_OF, covered="apply")  # fmt: skip
    # one of two migrant workers, 8 of 12 months left
    assert res.panel.at[0, "income_wage"] == pytest.approx(24000 - 24000 * 0.5 * 8 / 12)


def test_new_year_record_created_from_latest():
    panel = _panel().assign(year=2024, medical_cost_oop=5000.0)
    res = apply_events(panel, _event("住院自付", 3000.0), as_of=AS_OF)
    out = res.panel
    assert len(out) == 2
    new = out.loc[out["year"] == 2025].iloc[0]
    # the running totals start from the annual record: 5,000 + 3,000
    assert new["medical_cost_oop"] == 8000.0
    assert new["income_wage"] == 24000.0  # carried over from 2024
    assert res.applied.loc[0, "period"] == "2024年度及2025年1-6月累计"
    assert res.applied.loc[0, "base_year"] == 2024
    assert out.dtypes.equals(panel.dtypes)
    assert res.applied.loc[0, "row"] == new.name


def test_events_covered_by_an_annual_record_are_skipped_not_double_counted():
    before = _panel()  # the 2025 annual record
    ev = _event("住院自付", 12000.0, when="2025-04-01")
    res = apply_events(before, ev, as_of=AS_OF)
    assert res.skipped["why"].tolist() == [SKIP_COVERED]
    assert len(res.applied) == 0
    pd.testing.assert_frame_equal(res.panel, before)
    # opt in: the county's records were exported without the pushes
    res = apply_events(before, ev, as_of=AS_OF, covered="apply")
    assert res.panel.at[0, "medical_cost_oop"] == 12400.0 and len(res.skipped) == 0


def test_only_events_after_the_latest_record_are_new_information():
    a = _panel().assign(year=2024)
    panel = pd.concat(
        [a.assign(year=2023), a, a.assign(household_id="b", year=2022),
         a.assign(household_id="b")], ignore_index=True,
    )  # fmt: skip
    ev = pd.concat(
        [
            _event("新增残疾", persons=1, when="2023-11-24"),  # a: 2023 record
            _event("危房", when="2024-05-01"),  # a: 2024 record (the latest)
            _event("住院自付", 3000.0, when="2025-02-01"),  # a: new 2025 record
            _event("危房", when="2023-03-01", hid="b"),  # b: no 2023 row, past
        ],
        ignore_index=True,
    )
    res = apply_events(panel, ev, as_of=AS_OF)
    got = sorted(
        zip(res.skipped["household_id"], res.skipped["date"].dt.year,
            res.skipped["why"], strict=True)
    )  # fmt: skip
    assert got == [("a", 2023, SKIP_COVERED), ("a", 2024, SKIP_COVERED),
                   ("b", 2023, SKIP_PAST)]  # fmt: skip
    assert res.applied["date"].tolist() == [pd.Timestamp("2025-02-01")]
    out = res.panel
    assert len(out) == len(panel) + 1
    pd.testing.assert_frame_equal(out.loc[panel.index], panel)
    new = out.iloc[-1]
    assert (new["household_id"], new["year"]) == ("a", 2025)
    # the 2024 record's 400 yuan kept; the 2023 disability not counted again
    assert new["medical_cost_oop"] == 3400.0 and new["disabled_count"] == 0


def test_covered_mode_comes_from_the_alerts_config(tmp_path):
    from fanpin.config import load_alerts_config
    from fanpin.exceptions import ConfigError

    ev = _event("住院自付", 12000.0, when="2025-04-01")  # within the 2025 record
    f = tmp_path / "alerts.yaml"
    f.write_text("events: {covered: apply}\n", "utf-8")
    cfg = load_alerts_config(f)
    assert cfg.covered_events == "apply"
    res = apply_events(_panel(), ev, as_of=AS_OF, config=cfg)
    assert res.panel.at[0, "medical_cost_oop"] == 12400.0 and len(res.skipped) == 0
    # an explicit argument (the CLI's --covered-events) wins over the file
    res = apply_events(_panel(), ev, as_of=AS_OF, config=cfg, covered="skip")
    assert res.skipped["why"].tolist() == [SKIP_COVERED]
    assert load_alerts_config().covered_events == "skip"
    f.write_text("events: {covered: sometimes}\n", "utf-8")
    with pytest.raises(ConfigError, match="events.covered"):
        load_alerts_config(f)


def test_unknown_covered_mode_is_refused():
    with pytest.raises(InputError, match="skip"):
        apply_events(_panel(), _event("危房"), as_of=AS_OF, covered="maybe")


def test_run_with_the_whole_event_history_equals_run_with_new_pushes_only():
    # the simulator's 2021-2024 events mirror changes already in those records
    sim = small_sim()
    pipe, panel = small_pipe(), small_panel()
    ev = pd.concat([sim.events, sim.pushes], ignore_index=True)
    ev = ev[ev["date"] <= AS_OF].reset_index(drop=True)
    full = run_alerts(pipe, panel, as_of=AS_OF, events=ev)
    new = run_alerts(pipe, panel, as_of=AS_OF, events=events_2025())
    old = (ev["date"].dt.year < 2025).sum()
    excl = full.exclusions[full.exclusions["kind"] == "event"]
    assert (excl["why"] == SKIP_COVERED).sum() == old > 0
    assert (full.events.applied["date"].dt.year == 2025).all()
    assert len(full.events.applied) == len(ev) - old
    pd.testing.assert_frame_equal(full.alerts, new.alerts)
    assert not full.alerts["reasons"].str.contains("推送：202[1-4]年").any()


def test_skipped_events_are_listed():
    ev = pd.concat(
        [_event("危房", when="2025-12-01"), _event("危房", hid="zz")], ignore_index=True
    )
    res = apply_events(_panel(), ev, as_of=AS_OF)
    assert sorted(res.skipped["why"]) == sorted([SKIP_FUTURE, SKIP_UNKNOWN])
    assert bool(res.panel.at[0, "housing_safe"]) is True


def _push(hid, income):
    return pd.concat(
        [
            _event("大病", None, 1, when="2025-03-02", hid=hid),
            _event("住院自付", round(0.15 * income), when="2025-03-20", hid=hid),
        ],
        ignore_index=True,
    )


def test_event_pushing_over_threshold_raises_the_household():
    pipe, panel = small_pipe(), small_panel()
    base = run_alerts(pipe, panel, as_of=AS_OF)
    quiet = base.scored[~base.scored["alerted"]].sort_values("risk_score")
    latest = panel[panel["year"] == 2024].set_index("household_id")
    income = latest[["income_wage", "income_business", "income_transfer"]].sum(axis=1)
    # the first quiet household whose risk the push raises without hardship
    for hid, before in zip(quiet["household_id"], quiet["risk_score"], strict=True):
        ev = _push(hid, float(income[hid]))
        applied = apply_events(panel, ev, as_of=AS_OF)
        row = applied.panel.index[applied.panel["household_id"] == hid].max()
        hard = in_hardship(applied.panel.loc[[row]], pipe.lines).iloc[0]
        after = float(pipe.risk_score(applied.panel).loc[row])
        if not hard and after > before + 1e-6:
            break
    else:
        pytest.fail("no household's risk rose with a hospital stay")
    cfg = AlertsConfig(min_score=(before + after) / 2, capacity=10_000)
    run = run_alerts(pipe, panel, as_of=AS_OF, events=ev, config=cfg)
    alert = run.alerts.set_index("household_id").loc[hid]
    assert alert["source"] == SOURCE_PUSH
    assert alert["risk_score"] == pytest.approx(after)
    assert alert["year"] == 2025
    assert (
        f"医保推送：2025年3月20日住院自付 {round(0.15 * income[hid]):,.0f} 元"
        in (alert["reasons"])
    )
    assert "医保推送：2025年3月2日大病 1 人" in alert["reasons"]
    assert alert["discovered"] == pd.Timestamp("2025-03-02")
    # the days count from the case's opening (--as-of), not the old push date
    assert alert["deadline"] == AS_OF + pd.Timedelta(days=cfg.deadline_days)
    # without the events the same config does not list it
    quiet_run = run_alerts(pipe, panel, as_of=AS_OF, config=cfg)
    assert hid not in set(quiet_run.alerts["household_id"])


def test_pushes_after_the_last_record_beyond_the_lines_carry_the_line_forward():
    # the 2024 panel and the pushes of 2025, with monitoring lines that stop
    # at 2024: pushes of a year the lines do not cover yet
    pipe, panel = small_pipe(), small_panel()
    full = small_sim().lines
    lines = MonitoringLines(
        default={y: v for y, v in full.default.items() if y <= 2024},
        provinces={
            p: {y: v for y, v in t.items() if y <= 2024}
            for p, t in full.provinces.items()
        },
    )
    ev = events_2025()
    ev = ev[ev["date"] <= AS_OF].reset_index(drop=True)
    with pytest.warns(UserWarning, match="2024 line carried forward"):
        run = run_alerts(pipe, panel, as_of=AS_OF, events=ev, lines=lines)
    assert len(run.events.applied) == len(ev) and len(run.events.skipped) == 0
    hit = set(run.events.applied["household_id"])
    rescored = run.scored[run.scored["household_id"].isin(hit)]
    assert (rescored["year"] == 2025).all() and len(rescored) > 0
    pushed = run.alerts[run.alerts["source"] == SOURCE_PUSH]
    assert len(pushed) > 0 and (pushed["year"] == 2025).all()
    assert pushed["reasons"].str.contains("推送：2025年").all()


def test_covered_events_are_logged_at_info_other_skips_at_warning(caplog):
    ev = pd.concat(
        [_event("住院自付", 100.0, when="2025-04-01"), _event("危房", hid="zz")],
        ignore_index=True,
    )
    with caplog.at_level("INFO", logger="fanpin.workflow._events"):
        res = apply_events(_panel(), ev, as_of=AS_OF)
    assert sorted(res.skipped["why"]) == sorted([SKIP_COVERED, SKIP_UNKNOWN])
    recs = [(r.levelname, r.getMessage()) for r in caplog.records]
    assert ("INFO", "skipped 1 event(s) already covered by the annual record") in recs
    assert ("WARNING", "skipped 1 event(s) (see the skipped table)") in recs
    caplog.clear()
    with caplog.at_level("INFO", logger="fanpin.workflow._events"):
        apply_events(_panel(), ev.iloc[:1], as_of=AS_OF)
    assert all(r.levelname == "INFO" for r in caplog.records)
