from datetime import timedelta

import pandas as pd
import pytest

from fanpin.config import MonitoringLines
from fanpin.exceptions import CaseStoreError
from fanpin.workflow import CaseStore, EliminationEvidence, EliminationRules

from .conftest import T0
from .test_cases import OK, _assisted


def _eliminate(store, cid, when, evidence=OK):
    return store.transition(
        cid, "风险消除", actor="县", method="帮扶消除", evidence=evidence, now=when
    )


def _refused(store, cid, when, evidence=OK):
    with pytest.raises(CaseStoreError) as exc:
        _eliminate(store, cid, when, evidence)
    assert store.get_case(cid)["state"] == "帮扶中"
    return str(exc.value)


def test_too_soon_alone(store_url, amap):
    s = CaseStore(
        store_url,
        elimination_rules=EliminationRules(min_measure_days=30),
        assistance=amap,
    )
    cid, _ = _assisted(s)
    msg = _refused(s, cid, T0 + timedelta(days=10 + 182))
    assert "1 rule(s) fail" in msg and "182 day(s)" in msg and "183" in msg
    _eliminate(s, cid, T0 + timedelta(days=10 + 183))
    s.close()


def test_no_measure_alone(store):
    cid, later = _assisted(store, measure=False)
    msg = _refused(store, cid, later)
    assert "1 rule(s) fail" in msg and "0 measure(s)" in msg


def test_a_measure_recorded_at_the_elimination_does_not_count(store):
    """The measure given with the elimination itself, or added the same moment,
    is not "a measure for at least six months"."""
    cid, later = _assisted(store, measure=False)
    with pytest.raises(CaseStoreError) as exc:
        store.transition(
            cid, "风险消除", actor="县", method="帮扶消除", evidence=OK,
            measures=["产业帮扶"], now=later,
        )  # fmt: skip
    assert "0 measure(s)" in str(exc.value) and "1 rule(s) fail" in str(exc.value)
    assert store.measures(cid).empty  # nothing of the refused change was kept
    store.add_measure(cid, "产业帮扶", actor="a", now=later)
    msg = _refused(store, cid, later)
    assert "0 measure(s) in place for at least 183 day(s)" in msg
    msg = _refused(store, cid, later + timedelta(days=182))
    assert "0 measure(s)" in msg
    assert _eliminate(store, cid, later + timedelta(days=183))["state"] == "风险消除"


def test_a_measure_counts_after_half_a_year_in_place(store):
    cid, _ = _assisted(store)  # measure at T0 + 12, identified at T0 + 10
    msg = _refused(store, cid, T0 + timedelta(days=12 + 182))
    assert "1 rule(s) fail" in msg and "0 measure(s)" in msg
    assert _eliminate(store, cid, T0 + timedelta(days=12 + 183))["state"] == "风险消除"


def test_income_at_line_alone(store):
    cid, later = _assisted(store)
    msg = _refused(store, cid, later, EliminationEvidence(7100, 7100, 2))
    assert "1 rule(s) fail" in msg and "not above the line 7100" in msg


def test_no_labour_alone(store):
    cid, later = _assisted(store)
    msg = _refused(store, cid, later, EliminationEvidence(9000, 7100, 0))
    assert "1 rule(s) fail" in msg and "no one in the household can work" in msg


def test_every_failing_rule_listed(store):
    cid, _ = _assisted(store, measure=False)
    msg = _refused(
        store, cid, T0 + timedelta(days=20), EliminationEvidence(5000, 7100, 0)
    )
    assert "4 rule(s) fail" in msg


def test_method_and_evidence_required(store):
    cid, later = _assisted(store)
    with pytest.raises(CaseStoreError, match="风险消除方式"):
        store.transition(cid, "风险消除", actor="a", evidence=OK, now=later)
    with pytest.raises(CaseStoreError, match="needs evidence"):
        store.transition(cid, "风险消除", actor="a", method="自然消除", now=later)


def test_configurable_days(store_url, amap):
    s = CaseStore(
        store_url,
        elimination_rules=EliminationRules(min_monitored_days=30, min_measure_days=20),
        assistance=amap,
    )
    cid, _ = _assisted(s)
    assert _eliminate(s, cid, T0 + timedelta(days=40))["state"] == "风险消除"
    s.close()


def test_evidence_from_panel():
    panel = pd.DataFrame({
        "household_id": ["H1", "H1"], "year": [2022, 2023], "province": ["湖北省"] * 2,
        "household_size": [4, 4], "labor_count": [2, 1],
        "income_wage": [20000.0, 30000.0],
        "income_business": [1000.0, -2000.0], "income_property": [float("nan"), 400.0],
        "income_transfer": [3000.0, 3600.0], "housing_safe": [True, True],
        "water_safe": [True, False], "dropout_count": pd.array([0, 0], dtype="Int64"),
    })  # fmt: skip
    lines = MonitoringLines(
        default={2022: 6600, 2023: 7100}, provinces={"湖北省": {2023: 7600}}
    )
    ev = EliminationEvidence.from_panel(panel, "H1", lines)
    assert ev.per_capita_income == pytest.approx((30000 - 2000 + 400 + 3600) / 4)
    assert ev.line == 7600 and ev.labor_count == 1 and not ev.guarantees_secure
    ev22 = EliminationEvidence.from_panel(panel, "H1", lines, year=2022)
    assert ev22.per_capita_income == pytest.approx(24000 / 4) and ev22.guarantees_secure
    with pytest.raises(CaseStoreError, match="no row"):
        EliminationEvidence.from_panel(panel, "H9", lines)
