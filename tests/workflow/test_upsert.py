from datetime import datetime

import pandas as pd
import pytest

from fanpin.exceptions import CaseStoreError, InputError
from fanpin.workflow import ALERT_COLUMNS

JAN, FEB, MAR = datetime(2024, 1, 31), datetime(2024, 2, 29), datetime(2024, 3, 31)


def test_second_run_never_duplicates_open_cases(store, make_alerts):
    alerts = make_alerts([
        {"household_id": "A", "risk_score": 0.3, "risk_level": "低"},
        {"household_id": "B", "risk_score": 0.5, "risk_level": "中"},
    ])  # fmt: skip
    first = store.upsert_alerts(alerts, run_at=JAN)
    assert sorted(first.new["household_id"]) == ["A", "B"] and first.updated.empty
    second = store.upsert_alerts(alerts, run_at=FEB)
    assert second.new.empty and sorted(second.updated["household_id"]) == ["A", "B"]
    cases = store.list_cases()
    assert len(cases) == 2 and cases["household_id"].is_unique
    for cid in cases["case_id"]:
        h = store.history(cid)
        assert h["run_at"].tolist() == [JAN, FEB]
        assert h["change"].tolist() == ["new", "same"]
        assert store.transitions(cid)["to_state"].tolist() == ["预警"]


def test_same_run_twice_is_a_no_op(store, make_alerts):
    alerts = make_alerts([{"household_id": "A", "risk_score": 0.3, "risk_level": "低"}])
    store.upsert_alerts(alerts, run_at=JAN, run_id="2024-01")
    again = store.upsert_alerts(alerts, run_at=JAN, run_id="2024-01")
    assert again.counts() == {
        "new": 0, "updated": 0, "escalated": 0, "fell": 0, "reopened": 0,
        "kept_closed": 0,
    }  # fmt: skip
    assert len(store.history(store.list_cases()["case_id"].iloc[0])) == 1


def test_escalated_and_fell(store, make_alerts):
    store.upsert_alerts(make_alerts([
        {"household_id": "UP", "risk_score": 0.3, "risk_level": "低",
         "deadline": "2024-03-01"},
        {"household_id": "DOWN", "risk_score": 0.9, "risk_level": "高"},
        {"household_id": "SAME", "risk_score": 0.5, "risk_level": "中"},
    ]), run_at=JAN)  # fmt: skip
    out = store.upsert_alerts(make_alerts([
        {"household_id": "UP", "risk_score": 0.8, "risk_level": "高",
         "deadline": "2024-02-10", "risk_types": ["01", "05"]},
        {"household_id": "DOWN", "risk_score": 0.2, "risk_level": "低"},
        {"household_id": "SAME", "risk_score": 0.55, "risk_level": "中"},
        {"household_id": "NEW", "risk_score": 0.7, "risk_level": "高"},
    ]), run_at=FEB)  # fmt: skip
    assert out.escalated["household_id"].tolist() == ["UP"]
    assert out.fell["household_id"].tolist() == ["DOWN"]
    assert out.new["household_id"].tolist() == ["NEW"]
    assert sorted(out.updated["household_id"]) == ["DOWN", "SAME", "UP"]
    up = out.escalated.iloc[0]
    assert (up["previous_level"], up["risk_level"]) == ("低", "高")
    assert up["previous_score"] == pytest.approx(0.3) and up["risk_score"] == 0.8
    case = store.get_case(int(up["case_id"]))
    assert case["current_level"] == "高" and case["risk_types"] == "01;05"
    assert str(case["deadline"]) == "2024-02-10"  # brought forward
    assert store.history(int(up["case_id"]))["change"].tolist() == ["new", "up"]


def test_closed_case_reopens_only_on_new_evidence(store, make_alerts):
    alerts = make_alerts([{"household_id": "A", "risk_score": 0.4, "risk_level": "中"}])
    first = store.upsert_alerts(alerts, run_at=JAN)
    cid = int(first.new["case_id"].iloc[0])
    store.transition(cid, "核查中", actor="a", now=FEB)
    store.transition(cid, "已排除", actor="a", now=FEB)
    again = store.upsert_alerts(alerts, run_at=MAR)  # the same evidence
    assert again.new.empty and again.kept_closed["case_id"].tolist() == [cid]
    assert again.kept_closed["state"].tolist() == ["已排除"]
    assert store.history(cid)["run_at"].tolist() == [JAN]  # closed case untouched
    # a push dated after the closing is new evidence
    pushed = alerts.assign(latest_push=datetime(2024, 3, 2))
    out = store.upsert_alerts(pushed, run_at=datetime(2024, 3, 5))
    assert len(out.new) == 1 and int(out.new["case_id"].iloc[0]) != cid
    assert out.reopened[["reopens", "evidence"]].values.tolist() == [[cid, "push"]]
    new = store.get_case(int(out.new["case_id"].iloc[0]))
    assert (new["reopens"], new["opened_because"]) == (cid, "push")
    assert str(new["last_push"]) == "2024-03-02"
    note = store.transitions(new["case_id"])["note"].iloc[0]
    assert f"reopens case {cid}" in note and "2024-03-02" in note


def test_missing_deadline_defaults_to_15_days(store, make_alerts):
    alerts = make_alerts(
        [{"household_id": "A", "risk_score": 0.4, "risk_level": "中", "deadline": None}]
    )
    out = store.upsert_alerts(alerts, run_at=JAN)
    assert (
        str(store.get_case(int(out.new["case_id"].iloc[0]))["deadline"]) == "2024-02-15"
    )


def test_alert_validation(store, make_alerts):
    good = make_alerts([{"household_id": "A", "risk_score": 0.4, "risk_level": "中"}])
    with pytest.raises(InputError, match="lacks column"):
        store.upsert_alerts(good.drop(columns=["reasons"]), run_at=JAN)
    dup = pd.concat([good, good])
    with pytest.raises(InputError, match="repeated"):
        store.upsert_alerts(dup, run_at=JAN)
    bad = good.assign(risk_level="very high", risk_score=1.5)
    with pytest.raises(InputError) as exc:
        store.upsert_alerts(bad, run_at=JAN)
    assert "risk_score" in str(exc.value) and "risk_level" in str(exc.value)
    assert store.list_cases().empty


def test_extra_columns_are_not_stored(store, make_alerts):
    alerts = make_alerts([{"household_id": "A", "risk_score": 0.4, "risk_level": "中"}])
    alerts["head_name"] = "张三"
    store.upsert_alerts(alerts, run_at=JAN)
    case = store.get_case(1)
    assert "张三" not in str(case) and "张三" not in store.history(1).to_string()
    assert set(ALERT_COLUMNS) - {
        "measures",
        "departments",
        "deadline",
        "reasons",
        "risk_score",
        "risk_level",
    } <= set(case)


def test_failed_run_leaves_store_unchanged(store, make_alerts, monkeypatch):
    from fanpin.workflow import _upsert

    store.upsert_alerts(
        make_alerts([{"household_id": "A", "risk_score": 0.3, "risk_level": "低"}]),
        run_at=JAN,
    )
    calls = {"n": 0}
    real = _upsert._history

    def flaky(*args, **kwargs):
        calls["n"] += 1
        if calls["n"] == 2:
            raise CaseStoreError("boom")
        return real(*args, **kwargs)

    monkeypatch.setattr(_upsert, "_history", flaky)
    with pytest.raises(CaseStoreError, match="boom"):
        store.upsert_alerts(make_alerts([
            {"household_id": "B", "risk_score": 0.3, "risk_level": "低"},
            {"household_id": "A", "risk_score": 0.9, "risk_level": "高"},
        ]), run_at=FEB)  # fmt: skip
    cases = store.list_cases()
    assert cases["household_id"].tolist() == ["A"] and cases[
        "current_level"
    ].tolist() == ["低"]
    assert len(store.history(1)) == 1


def test_upsert_sql_does_not_import_the_store():
    """The upsert is a CaseStore method; ``_upsert`` holds only the alerts table's
    check and the SQL on the store's connection (no import cycle)."""
    import ast
    import inspect

    from fanpin.workflow import _upsert

    tree = ast.parse(inspect.getsource(_upsert))
    imported = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom):
            imported |= {node.module or ""} | {a.name for a in node.names}
    assert "_cases" not in imported and "_tables" in imported
