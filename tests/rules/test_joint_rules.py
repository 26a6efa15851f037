"""The 2026 joint rules (防返贫监测标准, 低保边缘, 刚性支出困难) at their boundaries,
the union of all rules, the reason sentences and the notes of rules not checked."""

from __future__ import annotations

import pickle

import numpy as np
import pandas as pd
import pytest

from fanpin.config import (
    MonitoringLines,
    RulesConfig,
    RuleSpec,
    load_monitoring_lines,
    load_rules_config,
)
from fanpin.exceptions import ConfigError
from fanpin.rules import RuleBaseline

from ..conftest import make_rows as _make_rows

CFG = load_rules_config()
RULES = {r.id: r for r in CFG.rules}
SIZE = 4  # household_size of BASE_ROW
DIBAO = 5000.0
DISPOSABLE = 20000.0
SHARE = 0.6
LINE = 7000.0


def joint_lines(**drop) -> MonitoringLines:
    """Lines with every line type for 甘肃省 2023 (drop=True removes one)."""
    kw = {
        "dibao": {"provinces": {"甘肃省": {2023: DIBAO}}},
        "disposable_income": {"provinces": {"甘肃省": {2023: DISPOSABLE}}},
        "rigid_spending_share": {"provinces": {"甘肃省": SHARE}},
    }
    for k in drop:
        kw.pop(k)
    return MonitoringLines(default={2022: 6600.0, 2023: LINE}, **kw)


def make_rows(*overrides: dict) -> pd.DataFrame:
    """Contract rows, each its own household unless it names one."""
    return _make_rows(*({"household_id": f"h{i}", **o} for i, o in
                        enumerate(overrides)))  # fmt: skip


def only(*ids: str) -> RulesConfig:
    return RulesConfig(rules=tuple(RULES[i] for i in ids))


def income(pc: float, **extra) -> dict:
    """A row whose per-capita net income is ``pc`` (all of it wages)."""
    return {"income_wage": pc * SIZE, "income_business": 0.0, "income_transfer": 0.0,
            "dibao": False, "tekun": False, **extra}  # fmt: skip


def hits(panel, lines=None, cfg=CFG):
    return RuleBaseline(config=cfg, lines=lines or joint_lines()).hits(panel)


# -- 防返贫监测标准 ------------------------------------------------------------------


def test_monitoring_range_counts_income_after_rigid_spending():
    multiple = RULES["income_near_line"].params["multiple"]
    assert RULES["income_near_line"].params["income"] == "after_rigid"
    cut = multiple * LINE  # per capita
    panel = make_rows(
        income(cut - 1),  # below
        income(cut),  # at: not below
        income(cut + 1),  # above
        # net income above the range, but education costs bring it below
        income(cut + 100, education_cost=101.0 * SIZE),
        income(cut + 100, education_cost=100.0 * SIZE),
    )
    h = hits(panel, cfg=only("income_near_line"))
    assert h.table["rule__income_near_line"].tolist() == [True, False, False, True,
                                                          False]  # fmt: skip
    # the older rule files (no `income` parameter) keep counting net income
    old = RuleSpec("near", "收入在监测范围内", "income_near_line",
                   {"multiple": multiple})  # fmt: skip
    assert old.params["income"] == "net"
    got = hits(panel, cfg=RulesConfig(rules=(old,))).table["rule__near"].tolist()
    assert got == [True, False, False, False, False]


# -- 低保边缘 ----------------------------------------------------------------------


def test_dibao_edge_boundaries_and_exclusion():
    multiple = RULES["dibao_edge"].params["multiple"]
    cut = multiple * DIBAO
    panel = make_rows(
        income(cut - 1),
        income(cut),
        income(cut + 1),
        income(cut - 1, dibao=True),  # on 低保: not 低保边缘
        income(cut - 1, province="云南省"),  # no 低保 standard there: not checked
    )
    h = hits(panel, cfg=only("dibao_edge"))
    assert h.table["rule__dibao_edge"].tolist() == [True, False, False, False, False]
    assert h.table["rules_not_checked"].tolist() == ["", "", "", "", "低保边缘"]
    assert h.table["rules"].tolist()[0] == "低保边缘"
    assert len(h.notes) == 1
    note = h.notes[0]
    assert note.params["n"] == 1 and note.params["places"] == "云南省 2023"
    assert note.params["missing"] == "低保标准"


def test_dibao_edge_sentence_quotes_its_figures():
    lines = MonitoringLines(default={2023: LINE},
                            dibao={"default": {2023: 4800}})  # fmt: skip
    h = hits(make_rows(income(5800)), lines, only("dibao_edge"))
    assert h.table["rule_reasons"].iloc[0] == (
        "人均纯收入 5,800 元，低于当地低保标准 4,800 元的 1.5 倍（7,200 元），"
        "未享受低保，属低保边缘"
    )


# -- 刚性支出困难 --------------------------------------------------------------------


def rigid_row(pc: float, rigid_share: float, **extra) -> dict:
    """Per-capita income ``pc``; rigid spending ``rigid_share`` of household income."""
    rigid = rigid_share * (pc * SIZE)
    return income(pc, medical_cost_total=rigid, medical_cost_oop=rigid, **extra)


def test_rigid_spending_hardship_boundaries():
    edge = RULES["rigid_spending_hardship"].params["dibao_multiple"] * DIBAO
    pc = 12000.0  # above the 低保边缘 cut (7,500) and below disposable income
    assert edge < pc < DISPOSABLE
    eps = 1e-6
    panel = make_rows(
        rigid_row(pc, SHARE + eps),  # fires
        rigid_row(pc, SHARE),  # at the share: not above
        rigid_row(pc, SHARE - eps),
        rigid_row(DISPOSABLE - 1, SHARE + eps),  # income just below: fires
        rigid_row(DISPOSABLE, SHARE + eps),  # at last year's income: not below
        rigid_row(DISPOSABLE + 1, SHARE + eps),
        rigid_row(edge - 1, SHARE + eps),  # 低保边缘, not 刚性支出困难
        rigid_row(edge, SHARE + eps),  # at the edge cut: not 低保边缘, fires
        rigid_row(pc, SHARE + eps, dibao=True),  # on 低保
        rigid_row(pc, SHARE + eps, tekun=True),  # 特困
    )
    h = hits(panel, cfg=only("dibao_edge", "rigid_spending_hardship"))
    got = h.table["rule__rigid_spending_hardship"].tolist()
    assert got == [True, False, False, True, False, False, False, True, False, False]
    assert h.table["rule__dibao_edge"].tolist()[6] is True
    sentence = h.table["rule_reasons"].iloc[0]
    assert sentence.startswith(
        "人均纯收入 12,000 元，低于上年当地农村居民人均可支配收入 20,000 元"
    )
    assert "占家庭纯收入的 60%" in sentence and "属刚性支出困难" in sentence
    # education costs count as rigid spending too
    school = income(pc, education_cost=(SHARE + 0.01) * pc * SIZE)
    one = hits(make_rows(school), cfg=only("rigid_spending_hardship"))
    assert one.table["rule_hit"].tolist() == [True]


@pytest.mark.parametrize(
    "drop,missing",
    [
        ("dibao", "低保标准"),
        ("disposable_income", "上年农村居民人均可支配收入"),
        ("rigid_spending_share", "刚性支出占收入比例"),
    ],
)
def test_rigid_spending_hardship_skipped_without_a_line_type(drop, missing):
    panel = make_rows(rigid_row(12000.0, 0.9), income(5000.0))
    h = hits(panel, joint_lines(**{drop: True}), only("rigid_spending_hardship"))
    assert not h.table["rule_hit"].any()
    assert h.table["rules_not_checked"].tolist() == ["刚性支出困难"] * 2
    (note,) = h.notes
    assert note.params["missing"] == missing and note.params["n"] == 2
    assert "刚性支出困难" in str(note) and "甘肃省 2023" in str(note)


# -- the union ---------------------------------------------------------------------


def test_union_names_every_rule_that_fired_in_the_rules_order():
    panel = make_rows(
        # below the 低保边缘 cut and in the monitoring range, with a big bill
        income(7000.0, medical_cost_total=40000.0, medical_cost_oop=12000.0),
        income(60000.0),  # none
    )
    h = hits(panel)
    table = h.table
    flags = table[h.flag_columns]
    assert table["rule_hit"].tolist() == flags.any(axis=1).tolist() == [True, False]
    fired = [RULES[c.removeprefix("rule__")].name for c in h.flag_columns
             if table.loc[0, c]]  # fmt: skip
    assert table.loc[0, "rules"] == "、".join(fired)
    assert {"低保边缘", "防返贫监测标准", "医疗自付费用较高"} <= set(fired)
    assert len(table.loc[0, "rule_reasons"].split("；")) == len(fired)
    assert table.loc[1, "rules"] == "" and table.loc[1, "rule_reasons"] == ""
    counts = h.counts()
    assert counts["规则命中"] == 1 and counts["低保边缘"] == 1


def test_rows_select_records_but_rules_see_the_history():
    panel = make_rows(
        {"household_id": "a", "year": 2022},
        {"household_id": "a", "year": 2023, "income_wage": 10000.0},  # income fell
    )
    h = RuleBaseline(config=only("income_drop"), lines=joint_lines()).hits(
        panel, rows=[1]
    )
    assert h.table.index.tolist() == [1]
    assert h.table["rule__income_drop"].tolist() == [True]
    assert "比上年" in h.table["rule_reasons"].iloc[0]


def test_only_the_monitoring_line_still_works_and_says_what_was_skipped():
    lines = MonitoringLines(default={2023: LINE})  # an older lines file
    panel = make_rows(income(5000.0), income(60000.0))
    h = RuleBaseline(config=CFG, lines=lines).hits(panel)
    assert not h.table["rule__dibao_edge"].any()
    assert not h.table["rule__rigid_spending_hardship"].any()
    assert h.table["rule__income_near_line"].tolist() == [True, False]
    skipped = {n.params["name"] for n in h.notes if "missing" in n.params
               and "not checked" in str(n)}  # fmt: skip
    assert skipped == {"低保边缘", "刚性支出困难"}
    # the rule score (model candidates) still works with such lines
    assert RuleBaseline(config=CFG, lines=lines).score(panel)["rule_score"][0] >= 1


def test_placeholder_lines_are_named_in_the_notes():
    lines = load_monitoring_lines()  # shipped: 低保 standards are placeholders
    panel = make_rows(income(9000.0, year=2024))
    h = RuleBaseline(config=only("dibao_edge"), lines=lines).hits(panel)
    assert h.table["rule_hit"].tolist() == [True]
    (note,) = h.notes
    assert "placeholder" in str(note) and note.params["missing"] == "低保标准"
    official = MonitoringLines(default={2024: 7300},
                               dibao={"default": {2024: 7600}})  # fmt: skip
    again = RuleBaseline(config=only("dibao_edge"), lines=official).hits(panel)
    assert again.notes == ()


def test_missing_assistance_columns_are_noted():
    panel = make_rows(income(5000.0)).drop(columns=["dibao", "tekun"])
    h = hits(panel, cfg=only("dibao_edge"))
    assert h.table["rule_hit"].tolist() == [True]  # taken as not on 低保
    assert any("dibao" in n.params.get("columns", "") for n in h.notes)


def test_sentence_falls_back_to_the_name_when_a_figure_is_unknown():
    rule = RuleSpec("r", "刚性支出超过收入六成", "rigid_spending_share", {"share": 0.6},
                    reason="占家庭纯收入的 {rigid_share:.0%}")  # fmt: skip
    panel = make_rows(income(0.0, education_cost=100.0))  # no income: share unknown
    h = hits(panel, cfg=RulesConfig(rules=(rule,)))
    assert h.table["rule_reasons"].tolist() == ["刚性支出超过收入六成"]


# -- config ------------------------------------------------------------------------


@pytest.mark.parametrize(
    "reason,match",
    [
        ("{dibao_standard:,.0f}", "unknown field 'dibao_standard'"),
        ("{income_pc.real}", "unknown field"),  # no attribute access
        ("{income_pc[0]}", "unknown field"),
        ("{income_pc:d}", "not a valid template"),  # a float, not a count
        ("{income_pc", "not a valid template"),
    ],
)
def test_bad_reason_sentences_are_refused(reason, match):
    with pytest.raises(ConfigError, match=match):
        RuleSpec("edge", "低保边缘", "dibao_edge", {"multiple": 1.5}, reason=reason)


def test_bad_income_choice_and_round_trips():
    with pytest.raises(ConfigError, match="must be one of"):
        RuleSpec("n", "x", "income_near_line", {"multiple": 1.5, "income": "gross"})
    rule = RULES["dibao_edge"]
    assert pickle.loads(pickle.dumps(rule)) == rule
    assert RuleSpec(**rule.to_dict()) == rule  # model cards store to_dict()


def test_every_kind_has_its_sentence_values():
    from fanpin.config import REASON_FIELDS, RULE_KINDS
    from fanpin.rules import RuleContext, reason_values

    panel = make_rows(income(9000.0, education_cost=500.0))
    ctx = RuleContext.build(panel, joint_lines())
    assert set(REASON_FIELDS) == set(RULE_KINDS)
    for kind, fields in REASON_FIELDS.items():
        params = {"multiple": 1.5, "monitored_yuan": 1.0, "other_yuan": 1.0,
                  "reference": "county_mean", "yuan": None, "share": 0.5,
                  "dibao_multiple": 1.5}  # fmt: skip
        got = reason_values(kind, panel, params, ctx)
        assert set(fields) <= set(got), kind
        assert all(len(np.asarray(v)) == 1 for v in got.values())


def test_shipped_rules_have_chinese_sentences():
    for rule in CFG.rules:
        assert rule.reason and any("\u4e00" <= ch <= "\u9fff" for ch in rule.reason)


def test_hits_table_aligns_with_a_non_default_index():
    panel = make_rows(income(5000.0), income(60000.0))
    panel.index = pd.Index([10, 20])
    h = hits(panel, cfg=only("dibao_edge"))
    assert h.table.index.tolist() == [10, 20]
    assert h.table["rule_hit"].tolist() == [True, False]


# -- today's trigger rules: just below / at / above each threshold ------------------

TOTAL = 50000.0  # household net income of BASE_ROW


def _bill(oop: float) -> dict:
    return {"medical_cost_total": oop, "medical_cost_oop": oop}


@pytest.mark.parametrize(
    "rule,rows,expected",
    [
        ("medical_oop_large",
         [_bill(RULES["medical_oop_large"].params["other_yuan"] + d)
          for d in (-1, 0, 1)],
         [False, False, True]),
        ("medical_oop_large",  # monitored households: the lower amount
         [{**_bill(RULES["medical_oop_large"].params["monitored_yuan"] + d),
           "monitor_category": "脱贫不稳定户"} for d in (-1, 0, 1)],
         [False, False, True]),
        ("disaster_loss_share",
         [{"disaster_loss": RULES["disaster_loss_share"].params["share"] * TOTAL + d}
          for d in (-1, 0, 1)],
         [False, False, True]),
        ("rigid_spending_share",
         [{"education_cost": RULES["rigid_spending_share"].params["share"] * TOTAL + d}
          for d in (-1, 0, 1)],
         [False, False, True]),
    ],
)  # fmt: skip
def test_todays_triggers_below_at_above(rule, rows, expected):
    h = hits(make_rows(*rows), cfg=only(rule))
    assert h.table[f"rule__{rule}"].tolist() == expected
    names = [RULES[rule].name if e else "" for e in expected]
    assert h.table["rules"].tolist() == names
    assert all(bool(r) == e for r, e in zip(h.table["rule_reasons"], expected,
                                             strict=True))  # fmt: skip


def test_income_drop_and_new_disability_below_at_above():
    share = RULES["income_drop"].params["share"]
    fell = [TOTAL * (1 - share) + d for d in (8, 0, -8)]  # per household of 4
    rows = []
    for i, total in enumerate(fell):
        rows += [{"household_id": f"d{i}", "year": 2022},
                 {"household_id": f"d{i}", "year": 2023,
                  "income_wage": total - 10000.0}]  # business + transfer = 10,000
    for i, disabled in enumerate((0, 1, 2)):  # last year 1
        rows += [{"household_id": f"n{i}", "year": 2022, "disabled_count": 1},
                 {"household_id": f"n{i}", "year": 2023, "disabled_count": disabled}]
    panel = _make_rows(*rows)
    h = hits(panel, cfg=only("income_drop", "new_disability"))
    latest = h.table[h.table["year"] == 2023]
    assert latest["rule__income_drop"].tolist() == [False, False, True, False, False,
                                                    False]  # fmt: skip
    assert latest["rule__new_disability"].tolist() == [False] * 5 + [True]
    assert latest["rule_reasons"].iloc[5] == "残疾人数由上年 1 人增至 2 人"
