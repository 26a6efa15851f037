from datetime import datetime, timedelta

import pytest
import sqlalchemy as sa

from fanpin.exceptions import CaseStoreError, TransitionError
from fanpin.schema._columns import PII_COLUMNS
from fanpin.workflow import NEXT_STATES, STATES, CaseStore, EliminationEvidence, _tables

from .conftest import T0

OK = EliminationEvidence(per_capita_income=9000, line=7100, labor_count=2)


def _assisted(store, *, days=200, measure=True):
    cid = store.open_case("H1", county="甲县", township="乙镇", actor="村干部", now=T0)
    store.transition(cid, "核查中", actor="村干部", now=T0 + timedelta(days=1))
    store.transition(
        cid,
        "已认定",
        actor="县乡村振兴局",
        category="边缘易致贫户",
        now=T0 + timedelta(days=10),
    )
    store.transition(
        cid,
        "帮扶中",
        actor="帮扶责任人",
        measures=["就业帮扶"] if measure else (),
        now=T0 + timedelta(days=12),
    )
    return cid, T0 + timedelta(days=10 + days)


def test_full_procedure_records_every_transition(store):
    cid, later = _assisted(store)
    case = store.transition(
        cid,
        "风险消除",
        actor="县",
        method="帮扶消除",
        evidence=OK,
        note="收入稳定",
        now=later,
    )
    assert case["state"] == "风险消除" and case["closed_at"] == later
    assert (
        case["category"] == "边缘易致贫户" and case["elimination_method"] == "帮扶消除"
    )
    trail = store.transitions(cid)
    assert trail["to_state"].tolist() == [
        "预警",
        "核查中",
        "已认定",
        "帮扶中",
        "风险消除",
    ]
    assert trail["from_state"].tolist()[1:] == trail["to_state"].tolist()[:-1]
    assert trail["actor"].tolist()[2] == "县乡村振兴局"
    assert trail["note"].iloc[-1] == "收入稳定"
    m = store.measures(cid)
    assert m[["measure", "department"]].values.tolist() == [["就业帮扶", "人社"]]


def test_exclusion_closes_case_and_allows_a_new_one(store):
    cid = store.open_case("H2", actor="a", now=T0)
    with pytest.raises(CaseStoreError, match="already has open case"):
        store.open_case("H2", actor="a", now=T0)
    store.transition(cid, "核查中", actor="a", now=T0)
    store.transition(cid, "已排除", actor="a", note="收入达标", now=T0)
    assert store.get_case(cid)["closed_at"] == T0
    assert store.open_case("H2", actor="a", now=T0) != cid


@pytest.mark.parametrize("current", STATES)
def test_illegal_transitions_refused_and_not_recorded(store, current):
    path = {
        "预警": [],
        "核查中": ["核查中"],
        "已认定": ["核查中", "已认定"],
        "已排除": ["核查中", "已排除"],
        "帮扶中": ["核查中", "已认定", "帮扶中"],
    }
    if current == "风险消除":
        cid, later = _assisted(store)
        store.transition(
            cid, "风险消除", actor="a", method="自然消除", evidence=OK, now=later
        )
    else:
        cid = store.open_case("H3", actor="a", now=T0)
        for s in path[current]:
            store.transition(cid, s, actor="a", category="脱贫不稳定户", now=T0)
    n = len(store.transitions(cid))
    for target in STATES:
        if target in NEXT_STATES[current]:
            continue
        with pytest.raises(TransitionError) as exc:
            store.transition(cid, target, actor="a", category="脱贫不稳定户", now=T0)
        msg = str(exc.value)
        assert repr(current) in msg and "Allowed next state(s)" in msg
        for allowed in NEXT_STATES[current]:
            assert allowed in msg
    assert len(store.transitions(cid)) == n
    assert store.get_case(cid)["state"] == current


def test_identification_needs_category_and_is_atomic(store):
    cid = store.open_case("H4", actor="a", now=T0)
    store.transition(cid, "核查中", actor="a", now=T0)
    with pytest.raises(CaseStoreError, match="监测对象类别"):
        store.transition(cid, "已认定", actor="a", measures=["健康帮扶"], now=T0)
    # the measure of the refused call was rolled back with it
    assert store.measures(cid).empty
    assert store.get_case(cid)["state"] == "核查中"


def test_actor_required_and_unknown_case(store):
    cid = store.open_case("H5", actor="a", now=T0)
    with pytest.raises(CaseStoreError, match="actor"):
        store.transition(cid, "核查中", actor=" ", now=T0)
    with pytest.raises(CaseStoreError, match="no case 999"):
        store.transition(999, "核查中", actor="a", now=T0)


def test_unknown_measure_is_refused(store):
    cid = store.open_case("H6", actor="a", now=T0)
    with pytest.raises(Exception, match="did you mean '产业帮扶'"):
        store.add_measure(cid, "产业帮助", actor="a", now=T0)


def test_list_filters_and_overdue(store):
    a = store.open_case(
        "A",
        township="乙镇",
        deadline=(T0 + timedelta(days=15)).date(),
        actor="x",
        now=T0,
    )
    store.open_case(
        "B",
        township="丁镇",
        deadline=(T0 + timedelta(days=30)).date(),
        actor="x",
        now=T0,
    )
    store.transition(a, "核查中", actor="x", now=T0)
    assert store.list_cases(township="乙镇")["household_id"].tolist() == ["A"]
    assert store.list_cases(state="预警")["household_id"].tolist() == ["B"]
    late = store.list_cases(overdue_at=T0 + timedelta(days=20))
    assert late["household_id"].tolist() == ["A"]


def test_no_personal_data_columns_in_schema(store):
    insp = sa.inspect(store.engine)
    tables = insp.get_table_names()
    assert {"cases", "case_risk_history", "case_transitions", "case_measures"} <= set(
        tables
    )
    banned = set(PII_COLUMNS) | set(PII_COLUMNS.values()) | {"name", "id_card", "phone"}
    for t in tables:
        cols = {c["name"] for c in insp.get_columns(t)}
        assert not cols & banned, (t, cols & banned)


def test_schema_version_row_and_mismatch(store_url):
    s = CaseStore(store_url)
    with s.engine.begin() as conn:
        version = conn.execute(sa.select(_tables.schema_info.c.version)).scalar()
        assert version == _tables.SCHEMA_VERSION == 2
        conn.execute(_tables.schema_info.update().values(version=99))
    s.close()
    with pytest.raises(CaseStoreError, match="schema version 99"):
        CaseStore(store_url)


def test_bad_urls():
    with pytest.raises(CaseStoreError, match="not a database URL"):
        CaseStore("not a url")
    with pytest.raises(CaseStoreError, match="sqlite and postgresql"):
        CaseStore("mysql://u@h/db")


def test_default_now_is_used(store):
    before = datetime.now().replace(microsecond=0)
    cid = store.open_case("H7", actor="a")
    assert store.get_case(cid)["opened_at"] >= before
