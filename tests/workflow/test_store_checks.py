"""Opening a store checks it; what goes into it is checked first (personal data,
lengths, ids that lost their leading zeros)."""

from __future__ import annotations

import os
import warnings
from datetime import datetime

import pytest
import sqlalchemy as sa

from fanpin.exceptions import CaseStoreError, DataRepairWarning, FanpinWarning
from fanpin.workflow import CaseStore, _tables, _upsert
from fanpin.workflow._database import store_url as parse_url

from .conftest import PG_URL, T0

JAN, FEB = datetime(2024, 1, 31), datetime(2024, 2, 29)


def _ddl(url, sql):
    s = CaseStore(url)
    with s.engine.begin() as conn:
        conn.execute(sa.text(sql))
    s.close()


def test_dropped_open_case_index_is_refused(store_url):
    _ddl(store_url, "DROP INDEX uq_cases_open_household")
    with pytest.raises(CaseStoreError, match="index uq_cases_open_household"):
        CaseStore(store_url)


def test_non_unique_open_case_index_is_refused(store_url):
    _ddl(store_url, "DROP INDEX uq_cases_open_household")
    _ddl_raw(store_url, "CREATE INDEX uq_cases_open_household ON cases (household_id)")
    with pytest.raises(CaseStoreError, match="missing or altered"):
        CaseStore(store_url)


def _ddl_raw(url, sql):
    engine = sa.create_engine(parse_url(url))
    with engine.begin() as conn:
        conn.execute(sa.text(sql))
    engine.dispose()


def test_missing_version_table_is_refused_not_stamped(store_url):
    _ddl(store_url, "DROP TABLE fanpin_schema")
    with pytest.raises(CaseStoreError, match="no version table") as exc:
        CaseStore(store_url)
    assert "nothing was changed" in str(exc.value)
    engine = sa.create_engine(parse_url(store_url))
    assert "fanpin_schema" not in sa.inspect(engine).get_table_names()
    engine.dispose()


def test_missing_table_and_column_are_refused(store_url):
    _ddl(store_url, "DROP TABLE case_measures")
    with pytest.raises(CaseStoreError, match="table case_measures is missing"):
        CaseStore(store_url)


def test_two_version_rows_are_refused(store_url):
    s = CaseStore(store_url)
    with s.engine.begin() as conn:
        conn.execute(_tables.schema_info.insert().values(version=3, created_at=T0))
    s.close()
    with pytest.raises(CaseStoreError, match="schema version 2, 3"):
        CaseStore(store_url)


def test_a_file_that_is_not_a_database(tmp_path):
    p = tmp_path / "cases.db"
    p.write_bytes(b"this is a spreadsheet, not a database\n" * 200)
    with pytest.raises(CaseStoreError, match="not a SQLite database"):
        CaseStore(f"sqlite:///{p}")


def test_missing_folder_and_read_only_store(tmp_path):
    with pytest.raises(CaseStoreError, match="unable to open database file"):
        CaseStore(f"sqlite:///{tmp_path / 'nope' / 'cases.db'}")
    if os.geteuid() == 0:
        pytest.skip("root can write to read-only files")
    d = tmp_path / "ro"
    d.mkdir()
    CaseStore(f"sqlite:///{d / 'cases.db'}").close()
    d.chmod(0o500)
    (d / "cases.db").chmod(0o400)
    try:
        s = CaseStore(f"sqlite:///{d / 'cases.db'}")  # reading is fine
        with pytest.raises(CaseStoreError, match="readonly|read-only|unable"):
            s.check_writable()
        s.close()
    finally:
        d.chmod(0o700)


def test_check_writable_changes_nothing(store):
    store.open_case("H1", actor="a", now=T0)
    store.check_writable()
    assert len(store.list_cases()) == 1


def test_postgresql_url_uses_psycopg3():
    assert parse_url("postgresql://u:p@h/db").drivername == "postgresql+psycopg"
    assert parse_url("postgres://u@h/db").drivername == "postgresql+psycopg"
    assert parse_url("postgresql+psycopg2://u@h/db").drivername.endswith("psycopg2")


@pytest.mark.postgres
@pytest.mark.skipif(PG_URL is None, reason="FANPIN_TEST_PG_URL not set")
def test_readme_postgresql_url_form_works():
    url = sa.engine.make_url(PG_URL).set(drivername="postgresql")
    s = CaseStore(url.render_as_string(hide_password=False))
    try:
        assert s.engine.url.drivername == "postgresql+psycopg"
        s.check_writable()
    finally:
        s.close()


def test_bad_postgres_server_is_a_clear_error():
    with pytest.raises(CaseStoreError, match="Cannot use the case store") as exc:
        CaseStore("postgresql://u:secret@127.0.0.1:1/db")
    assert "secret" not in str(exc.value)


def test_note_numbers_masked_and_actor_refused(store):
    cid = store.open_case("H1", actor="a", now=T0)
    with pytest.warns(DataRepairWarning, match="masked"):
        store.transition(
            cid,
            "核查中",
            actor="乙镇干部",
            note="身份证11010119900307123X 电话139-8765-4321, 139 8765 4321 已核实",
            now=T0,
        )
    note = store.transitions(cid)["note"].iloc[-1]
    for digits in ("11010119900307123X", "8765", "4321"):
        assert digits not in note
    assert note.endswith("已核实")
    for actor in ("13987654321", "张 139-8765-4321", "11010119900307123X"):
        with pytest.raises(CaseStoreError, match="role or a login"):
            store.transition(cid, "已排除", actor=actor, now=T0)
    assert store.get_case(cid)["state"] == "核查中"


def test_control_characters_never_reach_the_store(store):
    with pytest.warns(DataRepairWarning, match="control characters"):
        cid = store.open_case("H1", actor="a\x1b[2J", note="x\x0by", now=T0)
    trail = store.transitions(cid)
    assert trail["actor"].iloc[0] == "a[2J" and trail["note"].iloc[0] == "xy"


def test_lengths_checked_before_the_store(store, make_alerts):
    alerts = make_alerts([
        {"household_id": "A", "risk_score": 0.3, "risk_level": "低",
         "village": "长" * 65},
        {"household_id": "B" * 70, "risk_score": 0.3, "risk_level": "低"},
    ])  # fmt: skip
    with pytest.raises(CaseStoreError) as exc:
        store.upsert_alerts(alerts, run_at=JAN)
    msg = str(exc.value)
    assert "household_id: 1 value(s) longer than 64 characters (rows 2)" in msg
    assert "INSERT" not in msg and "B" * 70 not in msg
    with pytest.raises(CaseStoreError, match="village: 1 value"):
        store.upsert_alerts(alerts.iloc[:1], run_at=JAN)
    with pytest.raises(CaseStoreError, match="actor: 1 value"):
        store.open_case("H", actor="x" * 65, now=T0)
    with pytest.raises(CaseStoreError, match="note: 1 value"):
        store.open_case("H", actor="a", note="长" * 2001, now=T0)
    assert store.list_cases().empty


def test_personal_numbers_in_places_are_masked(store, make_alerts):
    alerts = make_alerts([
        {"household_id": "A", "risk_score": 0.3, "risk_level": "低",
         "village": "丙村13987654321"},
    ])  # fmt: skip
    with pytest.warns(DataRepairWarning, match="'village'"):
        store.upsert_alerts(alerts, run_at=JAN)
    assert store.list_cases()["village"].tolist() == ["丙村###########"]


def test_ids_without_their_leading_zeros_are_warned(store, make_alerts):
    store.upsert_alerts(
        make_alerts([{"household_id": "00000033", "risk_score": 0.3,
                      "risk_level": "低"}]),
        run_at=JAN,
    )  # fmt: skip
    with pytest.warns(FanpinWarning, match="new '33' vs stored '00000033'"):
        store.upsert_alerts(
            make_alerts([{"household_id": "33", "risk_score": 0.3,
                          "risk_level": "低"}]),
            run_at=FEB,
        )  # fmt: skip
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        store.upsert_alerts(  # the same ids again: nothing new, no warning
            make_alerts([{"household_id": "00000033", "risk_score": 0.3,
                          "risk_level": "低"}]),
            run_at=FEB,
        )  # fmt: skip


def test_case_closed_after_the_read_is_never_written(store, make_alerts, monkeypatch):
    """The upsert writes only to open cases: a case closed between reading and
    writing (stale read) is left as it is; the household is a household whose
    case was closed (a new case only on new evidence)."""
    alerts = make_alerts([{"household_id": "A", "risk_score": 0.4, "risk_level": "中"}])
    first = store.upsert_alerts(alerts, run_at=JAN)
    cid = int(first.new["case_id"].iloc[0])
    stale = {"A": store.get_case(cid)}
    store.transition(cid, "核查中", actor="a", now=JAN)
    store.transition(cid, "已排除", actor="a", now=JAN)
    monkeypatch.setattr(_upsert, "_open_rows", lambda conn, ids: dict(stale))
    out = store.upsert_alerts(alerts, run_at=FEB)
    assert out.updated.empty and out.new.empty
    assert out.kept_closed["case_id"].tolist() == [cid]
    out = store.upsert_alerts(alerts.assign(risk_score=0.6), run_at=FEB, run_id="b")
    assert out.updated.empty and len(out.new) == 1
    assert out.reopened["evidence"].tolist() == ["risk"]
    assert int(out.new["case_id"].iloc[0]) != cid
    assert store.history(cid)["run_at"].tolist() == [JAN]  # closed case untouched
    assert store.get_case(cid)["state"] == "已排除"
