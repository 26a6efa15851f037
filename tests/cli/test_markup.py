"""Values and paths reach the terminal as they are: rich never reads them as
markup (a village named ``[/]`` used to crash ``cases list`` for the whole store;
``[postgres]`` and ``[dask]`` vanished from install hints and --help)."""

from __future__ import annotations

import ast
import sys
from datetime import datetime
from pathlib import Path

import pandas as pd
import pytest
from rich.cells import cell_len
from typer.testing import CliRunner

from fanpin.cli import app
from fanpin.workflow import CaseStore

from ..conftest import make_rows

runner = CliRunner()
HOSTILE = ("[/]", "[red]", "[postgres]", "[bold red]x[/bold red]")
CLI = Path(__file__).resolve().parents[2] / "src" / "fanpin" / "cli"


def _alerts(**over) -> pd.DataFrame:
    row = {
        "household_id": "H1", "year": 2024, "province": "甲省", "county": "乙县",
        "township": "丙镇", "village": "丁村", "risk_score": 0.4, "risk_level": "中",
        "risk_types": "01", "measures": "健康帮扶", "departments": "医保",
        "deadline": "2024-02-15", "reasons": "大病自付 12,000 元，占家庭纯收入 40%",
    }  # fmt: skip
    rows = [{**row, **o} for o in over.get("rows", [{}])]
    return pd.DataFrame(rows)


@pytest.fixture
def hostile_store(tmp_path):
    url = f"sqlite:///{tmp_path / 'cases.db'}"
    store = CaseStore(url)
    rows = [
        {"household_id": f"H{i}", "village": v, "township": "[red]镇", "reasons": v}
        for i, v in enumerate(HOSTILE)
    ]
    store.upsert_alerts(_alerts(rows=rows), run_at=datetime(2024, 1, 31))
    store.close()
    return url


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_cases_list_and_show_print_markup_as_text(hostile_store, lang):
    res = runner.invoke(app, ["--lang", lang, "cases", "list", "--store",
                              hostile_store])  # fmt: skip
    assert res.exit_code == 0, res.output
    for value in HOSTILE:  # the villages
        assert value in res.output
    res = runner.invoke(app, ["--lang", lang, "cases", "list", "--store",
                              hostile_store, "--wide"])  # fmt: skip
    assert res.exit_code == 0, res.output
    for value in (*HOSTILE, "[red]镇"):
        assert value in res.output
    res = runner.invoke(app, ["--lang", lang, "cases", "show", "1", "--store",
                              hostile_store])  # fmt: skip
    assert res.exit_code == 0, res.output
    assert "[/]" in res.output and "[red]镇" in res.output


def test_a_path_with_brackets_is_shown_whole(tmp_path):
    folder = tmp_path / "[postgres]" / "[/]"
    folder.mkdir(parents=True)
    bad = folder / "p.csv"
    make_rows({}).drop(columns=["year"]).to_csv(bad, index=False)
    res = runner.invoke(app, ["validate", str(bad)])
    assert res.exit_code == 1
    assert "p.csv" in res.output and "Traceback" not in res.output
    res = runner.invoke(app, ["simulate", "--households", "10", "--years", "2024",
                              "--out", str(folder / "sim")])  # fmt: skip
    assert res.exit_code == 0, res.output
    assert str(folder / "sim" / "panel.parquet") in res.output


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_install_hints_keep_the_extra(monkeypatch, tmp_path, lang):
    for name in ("dask", "distributed", "dask.dataframe"):
        monkeypatch.setitem(sys.modules, name, None)
    res = runner.invoke(app, ["--lang", lang, "score", str(tmp_path / "p.parquet"),
                              "--model", str(tmp_path / "m"), "--out",
                              str(tmp_path / "s.csv"), "--engine", "dask"])  # fmt: skip
    assert res.exit_code == 1
    assert "pip install 'fanpin[dask]'" in res.output
    helps = runner.invoke(app, ["--lang", lang, "score", "--help"]).output
    assert "'fanpin[dask]'" in "".join(helps.split())


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_report_without_matplotlib_names_the_extra(monkeypatch, tmp_path, lang):
    monkeypatch.setitem(sys.modules, "matplotlib", None)
    panel = tmp_path / "p.csv"
    make_rows({}, {"household_id": "2"}).to_csv(panel, index=False)
    res = runner.invoke(app, ["--lang", lang, "report", str(panel), "--model",
                              str(tmp_path / "m")])  # fmt: skip
    assert res.exit_code == 1, res.output
    assert "pip install 'fanpin[notebooks]'" in res.output
    assert "matplotlib" in res.output and "Traceback" not in res.output


def _prints(tree: ast.AST):
    for node in ast.walk(tree):
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute):
            target = node.func.value
            if node.func.attr == "print" and isinstance(target, ast.Name) and (
                target.id in ("console", "err_console")
            ):
                yield node


def _is_text_literal(node: ast.AST) -> bool:
    """A str literal, an f-string, or text glued with + / %: markup by accident."""
    if isinstance(node, ast.JoinedStr):
        return True
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return True
    return isinstance(node, ast.BinOp) and (
        _is_text_literal(node.left) or _is_text_literal(node.right)
    )


def test_cli_prints_no_markup_strings():
    """Every console.print in cli/ prints a rich renderable (Text, a table) or a
    translated message, never a str literal or an f-string that rich would read
    as markup; tables get their cells through cell()."""
    bad = []
    for path in sorted(CLI.glob("*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for call in _prints(tree):
            if call.args and _is_text_literal(call.args[0]):
                bad.append(f"{path.name}:{call.lineno} console.print(<text>)")
        for node in ast.walk(tree):
            if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute):
                if node.func.attr in ("add_row", "add_column"):
                    bad += [f"{path.name}:{node.lineno} {node.func.attr}(<text>)"
                            for a in node.args if _is_text_literal(a)]  # fmt: skip
            if isinstance(node, ast.keyword) and node.arg == "title":
                if _is_text_literal(node.value):
                    bad.append(f"{path.name}: title=<text>")
    assert not bad, bad


def test_cases_show_is_readable_at_100_columns(tmp_path):
    url = f"sqlite:///{tmp_path / 'cases.db'}"
    reasons = (
        "工资性收入 7,697 元，外出务工 1 人，务工就业不稳；扣除刚性支出后人均收入 "
        "7,987 元，为监测标准 7,500 元的 106%；教育支出 2,813 元，占家庭纯收入 8%；"
        "在校生 2 人（义务教育）"
    )
    store = CaseStore(url)
    store.upsert_alerts(_alerts(rows=[{"reasons": reasons, "risk_types": "07;09"}]),
                        run_at=datetime(2024, 1, 31))  # fmt: skip
    store.upsert_alerts(_alerts(rows=[{"reasons": reasons, "risk_score": 0.9,
                                       "risk_level": "高"}]),
                        run_at=datetime(2024, 2, 29))  # fmt: skip
    store.close()
    for lang, labels in (
        ("zh", ("风险变化", "风险类型", "风险原因", "等级上升", "户编码")),
        ("en", ("risk history", "risk types", "reasons", "level rose",
                "household code")),
    ):  # fmt: skip
        res = runner.invoke(app, ["--lang", lang, "cases", "show", "1", "--store",
                                  url], env={"COLUMNS": "100"})  # fmt: skip
        assert res.exit_code == 0, res.output
        lines = res.output.splitlines()
        assert max(cell_len(line.rstrip()) for line in lines) <= 100
        for label in labels:
            assert label in res.output, (label, res.output)
        assert "…" not in res.output
        # the reasons are all there, wrapped over whole lines of at least 60 cells
        joined = "".join(w for line in lines for w in line.split())
        assert "".join(reasons.split()) in joined
        wrapped = [line for line in lines if "工资性收入" in line or "元" in line]
        assert all(cell_len(line.rstrip()) >= 60 for line in wrapped[:-1])
