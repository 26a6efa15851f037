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
from fanpin.config import MonitoringLines, shipped_configs
from fanpin.models import save_model
from fanpin.ranking import URGENT_LEVEL
from fanpin.rules import GAP_COLUMNS
from fanpin.rules._hits import MSG_NO_LAST_YEAR_HOUSEHOLDS
from fanpin.workflow import run_alerts, run_alerts_file
from tests.explain.support import events_2025, small_panel, small_pipe, small_sim

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


# -- rules that compare with the previous year ---------------------------------
LAST_YEAR_RULES = ("income_drop", "new_disability")  # 收入大幅缩减, 新增残疾


def _no_last_year(run) -> dict:  # noqa: ANN001
    """Rule id -> its note "not checked: no record of the previous year"."""
    return {r: n for n in run.rule_notes if n.template == MSG_NO_LAST_YEAR_HOUSEHOLDS
            for r in n.params["rules"].split(", ")}  # fmt: skip


def test_rules_with_a_previous_year_have_no_note_on_two_years():
    panel = small_panel()
    two = panel[panel["year"] >= panel["year"].max() - 1]
    run = run_alerts(small_pipe(), two, as_of=AS_OF, lines=small_sim().lines)
    assert _no_last_year(run) == {}


def test_households_without_last_years_record_are_counted():
    """Cut to its last year, every assessed household lacks the previous
    year; with some households' previous-year records dropped, exactly those
    are counted."""
    panel = small_panel()
    latest = int(panel["year"].max())
    lines = small_sim().lines
    one = panel[panel["year"] == latest]
    run = run_alerts(small_pipe(), one, as_of=AS_OF, lines=lines)
    notes = _no_last_year(run)
    assessed = len(_assessed(run))
    assert set(notes) == set(LAST_YEAR_RULES)
    for rule in LAST_YEAR_RULES:
        assert notes[rule].params["n"] == assessed
        assert notes[rule].params["previous"] == str(latest - 1)
        assert "household(s)" in str(notes[rule])
    # no rule that compares with last year fired
    assert not run.alerts["rules"].astype("string").fillna("").str.contains(
        "收入大幅缩减|新增残疾"
    ).any()
    ids = panel.loc[panel["year"] == latest, "household_id"].astype(str)
    gone = set(ids.sample(97, random_state=0))
    holes = panel[~((panel["year"] == latest - 1)
                    & panel["household_id"].astype(str).isin(gone))]  # fmt: skip
    run = run_alerts(small_pipe(), holes, as_of=AS_OF, lines=lines)
    notes = _no_last_year(run)
    ids = _assessed(run).index
    want = int(ids.isin(list(gone)).sum())
    assert 0 < want <= len(gone)
    assert {r: n.params["n"] for r, n in notes.items()} == dict.fromkeys(
        LAST_YEAR_RULES, want
    )


def test_a_pushed_year_to_date_record_supplies_the_comparison():
    """A push after the latest record's collection builds a year-to-date
    record of the next year: the rules compare it with the annual record, so
    its household is checked (and a 新增残疾 push can fire the rule)."""
    panel = small_panel()
    latest = int(panel["year"].max())
    one = panel[panel["year"] == latest]
    run = run_alerts(small_pipe(), one, as_of="2025-12-31",
                     lines=small_sim().lines, events=events_2025())  # fmt: skip
    work = run.events.panel
    pushed = set(work.loc[work["year"] > latest, "household_id"].astype(str))
    assert pushed  # some pushes built a record of the next year
    ids = _assessed(run).index.astype(str)
    assert not ids.duplicated().any()
    notes = _no_last_year(run)
    for rule in LAST_YEAR_RULES:
        assert notes[rule].params["n"] == int((~ids.isin(list(pushed))).sum())
        assert notes[rule].params["previous"] == str(latest - 1)


def test_previous_year_notes_are_summed_over_chunks_and_workers(tmp_path):
    panel = small_panel()
    one = panel[panel["year"] == panel["year"].max()].reset_index(drop=True)
    lines = small_sim().lines
    mem = run_alerts(small_pipe(), one, as_of=AS_OF, lines=lines)
    path = tmp_path / "panel.parquet"
    one.to_parquet(path)
    got = {}
    for workers in (1, 2):
        run = run_alerts_file(small_pipe(), path, out=tmp_path / f"out{workers}",
                              as_of=AS_OF, lines=lines, chunk_households=100,
                              workers=workers)  # fmt: skip
        assert run.chunks > 1
        got[workers] = [str(n) for n in run.rule_notes]
    assert got[1] == got[2] == [str(n) for n in mem.rule_notes]
    (note,) = [n for n in got[2] if "previous year" in n]  # both rules, one note
    assert "收入大幅缩减、新增残疾 (income_drop, new_disability)" in note


def test_hits_name_the_rows_without_last_years_record():
    """On a whole panel (household-years): a household's first year, and a
    year after a gap, are not checked by the rules that compare with the
    previous year; the row says so and the note counts the rows."""
    from fanpin.rules import LAST_YEAR_KINDS, RuleBaseline

    panel = small_panel()
    holes = panel[~((panel["year"] == 2023) & (panel.index % 5 == 0))]
    h = RuleBaseline(lines=small_sim().lines).hits(holes)
    prev = holes.assign(year=holes["year"] + 1)[["household_id", "year"]]
    has = holes[["household_id", "year"]].merge(prev, how="left", indicator=True)
    none = (has["_merge"] == "left_only").to_numpy()
    assert none.sum() == 600 + int(((panel["year"] == 2023)
                                    & (panel.index % 5 == 0)).sum())  # fmt: skip
    rules = [r for r in shipped_configs().rules.rules
             if r.kind in LAST_YEAR_KINDS]  # fmt: skip
    assert {r.id for r in rules} == set(LAST_YEAR_RULES)
    not_checked = h.table["rules_not_checked"].astype("string").fillna("")
    for r in rules:
        assert (not_checked.str.contains(r.name).to_numpy() == none).all()
        (note,) = [n for n in h.notes if "previous year" in n
                   and r.id in n.params["rules"].split(", ")]  # fmt: skip
        assert note.params["n"] == int(none.sum())
        assert note.params["previous"] == "2020, 2023"
        assert "household-year(s)" in note
