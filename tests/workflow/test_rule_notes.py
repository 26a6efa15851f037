"""The alert run says what the rules could not do: a rule whose line type is
missing for a province and year is not checked there (never guessed), and the
summary (the library's ``rule_notes``, the CLI's output and its summary.txt, in
Chinese) names the rule, the households not checked, and the placeholder lines
in use. Counts are computed here from the run's own tables."""

from __future__ import annotations

import pandas as pd
import pytest
import yaml
from typer.testing import CliRunner

from fanpin.cli import app
from fanpin.config import MonitoringLines
from fanpin.models import save_model
from fanpin.ranking import URGENT_LEVEL
from fanpin.rules import GAP_COLUMNS
from fanpin.workflow import run_alerts, run_alerts_file
from tests.explain.support import small_panel, small_pipe, small_sim

AS_OF = "2025-01-15"
ONLY = "湖北省"  # the one province with a 低保 standard in these lines
pytestmark = pytest.mark.filterwarnings("ignore:The monitoring lines")


def _lines() -> MonitoringLines:
    """The simulator's monitoring lines, a 低保 standard for one province only,
    no disposable income and no rigid-spending share (an older lines file)."""
    sim = small_sim().lines
    years = sorted(sim.default)
    return MonitoringLines(
        default=dict(sim.default),
        provinces={p: dict(v) for p, v in sim.provinces.items()},
        dibao={"provinces": {ONLY: {y: 0.9 * sim.default[y] for y in years}},
               "placeholder": True},  # fmt: skip
        source="test lines",
    )


def _assessed(run) -> pd.Series:  # noqa: ANN001
    """Province of every household the rules were checked on: the scored and
    the urgent ones."""
    panel = small_panel()
    last = panel[panel["year"] == panel["year"].max()]
    prov = last.set_index(last["household_id"].astype(str))["province"]
    urgent = run.alerts.loc[run.alerts["risk_level"] == URGENT_LEVEL, "household_id"]
    ids = pd.concat([run.scored["household_id"], urgent]).astype(str)
    assert not ids.duplicated().any()
    return prov.loc[ids.to_numpy()]


def _by_rule(notes) -> dict:  # noqa: ANN001
    """(rule, placeholder note?) -> its notes."""
    out: dict = {}
    for n in notes:
        out.setdefault((n.params["rule"], "checked" in n.params), []).append(n)
    return out


def test_run_notes_rules_not_checked_and_placeholders():
    lines = _lines()
    run = run_alerts(small_pipe(), small_panel(), as_of=AS_OF, lines=lines)
    prov = _assessed(run)
    notes = _by_rule(run.rule_notes)
    (edge,) = notes[("dibao_edge", False)]
    assert edge.params["n"] == int((prov != ONLY).sum()) > 0
    assert edge.params["missing"] == "低保标准"
    assert ONLY not in str(edge.params["places"])
    assert "household(s)" in str(edge) and "test lines" in str(edge)
    # 刚性支出困难 needs three line types: checked nowhere; one note per set of
    # missing line types (湖北省 has a 低保 standard, the others none)
    rigid = {n.params["missing"]: n for n in notes[("rigid_spending_hardship", False)]}
    assert sum(n.params["n"] for n in rigid.values()) == len(prov)
    both = "上年农村居民人均可支配收入 / 刚性支出占收入比例"
    assert rigid[both].params["n"] == int((prov == ONLY).sum())
    assert rigid[f"低保标准 / {both}"].params["n"] == int((prov != ONLY).sum())
    # the 低保 standard given is a placeholder: checked there, on placeholders
    (ph,) = notes[("dibao_edge", True)]
    assert ph.params["checked"] == int((prov == ONLY).sum())
    listed = run.alerts["rules"].astype("string").fillna("").str.contains("低保边缘")
    assert ph.params["n"] == int(listed.sum())  # every rule hit is listed
    assert ph.params["missing"] == "低保标准" and ONLY in str(ph.params["places"])


def test_chunked_run_sums_the_chunks_notes(tmp_path):
    lines = _lines()
    one = run_alerts(small_pipe(), small_panel(), as_of=AS_OF, lines=lines)
    path = tmp_path / "panel.parquet"
    small_panel().to_parquet(path)
    many = run_alerts_file(small_pipe(), path, out=tmp_path / "out", as_of=AS_OF,
                           lines=lines, chunk_households=100)  # fmt: skip
    assert many.chunks > 1
    assert [str(n) for n in many.rule_notes] == [str(n) for n in one.rule_notes]


def test_full_lines_give_no_not_checked_note():
    run = run_alerts(small_pipe(), small_panel(), as_of=AS_OF,
                     lines=small_sim().lines)  # fmt: skip
    assert not [n for n in run.rule_notes if "not checked" in str(n)]
    # the shipped table's 低保 etc. are placeholders, and the run says so
    assert any("placeholder" in str(n) for n in run.rule_notes)


def test_gaps_table_columns():
    from fanpin.rules import RuleBaseline

    panel = small_panel()
    h = RuleBaseline(lines=_lines()).hits(panel)
    assert tuple(h.gaps.columns) == GAP_COLUMNS
    assert set(h.gaps["note"]) >= {"not_checked", "placeholder"}


def _lines_file(tmp_path) -> str:
    sim = small_sim().lines
    data = {
        "default": {int(y): float(v) for y, v in sim.default.items()},
        "provinces": {p: {int(y): float(v) for y, v in d.items()}
                      for p, d in sim.provinces.items()},  # fmt: skip
        "dibao": {"placeholder": True, "source": "test",
                  "provinces": {ONLY: {int(y): 0.9 * float(v)
                                       for y, v in sim.default.items()}}},  # fmt: skip
    }
    path = tmp_path / "lines.yaml"
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    return str(path)


def test_cli_summary_and_summary_file_state_the_notes(tmp_path):
    model = tmp_path / "model"
    save_model(small_pipe(), model)
    panel = tmp_path / "panel.parquet"
    small_panel().to_parquet(panel)
    out = tmp_path / "out"
    res = CliRunner().invoke(
        app,
        ["--lang", "zh", "alerts", str(panel), "--model", str(model), "--lines",
         _lines_file(tmp_path), "--as-of", AS_OF, "--out", str(out), "--quiet"],
    )  # fmt: skip
    assert res.exit_code == 0, res.output
    lib = run_alerts(small_pipe(), small_panel(), as_of=AS_OF, lines=_lines())
    n = _by_rule(lib.rule_notes)[("dibao_edge", False)][0].params["n"]
    text = "".join(res.output.split())
    assert f"规则“低保边缘”（dibao_edge）未对{n:,}户进行判断" in text
    assert "刚性支出困难" in text and "占位值" in text
    summary = (out / "summary.txt").read_text(encoding="utf-8")
    flat = "".join(summary.split())
    assert f"未对{n:,}户进行判断" in flat and "占位值" in flat
    assert "预警名单" in flat  # the list's own line is there too
    assert "Rule " not in summary  # Chinese, from the catalogue
