from datetime import datetime

import pytest
from typer.testing import CliRunner

from fanpin.cli import app
from fanpin.workflow import CaseStore

runner = CliRunner()


@pytest.fixture
def seeded(store_url, make_alerts):
    s = CaseStore(store_url)
    s.upsert_alerts(make_alerts([
        {"household_id": "A", "risk_score": 0.8, "risk_level": "高",
         "township": "乙镇"},
        {"household_id": "B", "risk_score": 0.4, "risk_level": "中",
         "township": "丁镇"},
    ]), run_at=datetime(2024, 1, 31))  # fmt: skip
    s.close()
    return store_url


def test_list_filters(seeded):
    res = runner.invoke(app, ["cases", "list", "--store", seeded, "--township", "乙镇"])
    assert res.exit_code == 0, res.output
    assert "1 case(s)" in res.output


def test_update_show_and_audit(seeded):
    base = ["cases", "update", "1", "--store", seeded, "--actor", "村干部"]
    res = runner.invoke(app, [*base, "--to", "核查中", "--at", "2024-02-01"])
    assert res.exit_code == 0, res.output
    res = runner.invoke(
        app,
        [
            *base,
            "--to",
            "已认定",
            "--category",
            "边缘易致贫户",
            "--measure",
            "健康帮扶",
            "--measure",
            "产业帮扶",
        ],
    )
    assert res.exit_code == 0, res.output
    assert "已认定" in res.output
    res = runner.invoke(app, ["cases", "show", "1", "--store", seeded])
    assert res.exit_code == 0, res.output
    for text in ("核查中", "已认定", "村干部", "健康帮扶", "医保", "产业帮扶"):
        assert text in res.output
    s = CaseStore(seeded)
    assert s.measures(1)["department"].tolist() == ["医保", "农业农村"]
    s.close()


def test_illegal_update_exits_1_with_help(seeded):
    res = runner.invoke(
        app,
        ["cases", "update", "2", "--store", seeded, "--to", "帮扶中", "--actor", "x"],
    )
    assert res.exit_code == 1
    assert "预警" in res.output and "核查中" in res.output


def test_default_store_from_env(tmp_path, monkeypatch):
    monkeypatch.setenv("FANPIN_STORE", f"sqlite:///{tmp_path / 'env.db'}")
    res = runner.invoke(app, ["cases", "init"])
    assert res.exit_code == 0, res.output
    assert (tmp_path / "env.db").exists() and "Created" in res.output
    res = runner.invoke(app, ["cases", "list"])
    assert res.exit_code == 0, res.output
    res = runner.invoke(app, ["cases", "init"])
    assert res.exit_code == 0 and "already exists" in res.output


@pytest.mark.parametrize(
    "command",
    [
        ["cases", "list"],
        ["cases", "show", "1"],
        ["cases", "update", "1", "--to", "核查中", "--actor", "a"],
        ["cases", "summary"],
    ],
)
def test_read_commands_refuse_a_store_that_does_not_exist(tmp_path, command):
    db = tmp_path / "typo.db"
    res = runner.invoke(app, [*command, "--store", f"sqlite:///{db}"])
    assert res.exit_code == 1
    assert "does not exist" in res.output and "cases init" in res.output
    assert not db.exists()  # not created as a side effect


def test_import_refuses_a_store_that_does_not_exist(tmp_path):
    book = tmp_path / "乙镇.xlsx"
    book.write_bytes(b"")
    db = tmp_path / "typo.db"
    res = runner.invoke(app, ["cases", "import", str(book), "--store", f"sqlite:///{db}"])
    assert res.exit_code == 1 and "does not exist" in res.output
    assert not db.exists()


def test_list_default_columns_are_readable_at_120(seeded, monkeypatch):
    monkeypatch.setenv("COLUMNS", "120")
    res = runner.invoke(app, ["cases", "list", "--store", seeded], terminal_width=120)
    assert res.exit_code == 0, res.output
    assert "2 case(s)" in res.output
    assert "…" not in res.output  # nothing truncated
    for text in ("household code", "risk types", "因病", "0.800", "deadline", "丙村"):
        assert text in res.output
    assert "township" not in res.output and "suggested_measures" not in res.output


def test_list_limit_and_wide(seeded):
    res = runner.invoke(app, ["cases", "list", "--store", seeded, "--limit", "1"])
    assert res.exit_code == 0, res.output
    assert "2 case(s), first 1 shown" in res.output
    assert "0.800" in res.output and "0.400" not in res.output
    res = runner.invoke(app, ["cases", "list", "--store", seeded, "--wide"])
    assert res.exit_code == 0, res.output
    assert "…" not in res.output
    for text in ("suggested_departments", "township", "乙镇", "opened_at", "01"):
        assert text in res.output
    res = runner.invoke(app, ["cases", "list", "--store", seeded, "--limit", "0"])
    assert res.exit_code == 2
