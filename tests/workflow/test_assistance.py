import pandas as pd
import pytest

from fanpin.config import DEPARTMENTS, MEASURE_CATEGORIES, load_risk_types
from fanpin.exceptions import ConfigError, InputError
from fanpin.workflow import REASON_DEVELOPMENTAL, REASON_SAFETY_NET, split_codes

DEVELOPMENTAL = {"产业帮扶", "就业帮扶"}


def test_shipped_config_covers_every_risk_type(amap):
    rt = load_risk_types()
    assert len(MEASURE_CATEGORIES) == 14
    for code in rt:
        for labour in (0, 2):
            ms = amap.suggest([code], labor_count=labour)
            assert ms, code
            assert {m.category for m in ms} <= set(MEASURE_CATEGORIES)
            assert {m.department for m in ms} <= set(DEPARTMENTS)


def test_flags_have_string_keys_and_are_not_official():
    rt = load_risk_types()
    for key in ("H_housing", "H_dropout", "H_water", "H_uninsured"):
        assert not rt.types[key].official
    assert rt.name("0203") == "旱灾" and rt.types["0203"].parent == "02"


@pytest.mark.parametrize("codes", [[], ["01"], ["04"], ["H_water", "09"], ["0202"]])
def test_labour_gets_a_developmental_measure(amap, codes):
    ms = amap.suggest(codes, labor_count=1)
    assert any(m.category in DEVELOPMENTAL for m in ms)


@pytest.mark.parametrize("codes", [[], ["07"], ["06"], ["01", "09"]])
def test_no_labour_gets_safety_net_and_no_labour_measures(amap, codes):
    ms = amap.suggest(codes, labor_count=0)
    cats = [m.category for m in ms]
    assert "综合保障" in cats
    assert "就业帮扶" not in cats and "公益岗位帮扶" not in cats


def test_policy_reason_codes(amap):
    (only,) = amap.suggest([], labor_count=3)
    assert (only.category, only.reason) == ("产业帮扶", REASON_DEVELOPMENTAL)
    ms = amap.suggest(["06"], labor_count=0)
    assert ms[-1].category == "综合保障" and ms[-1].reason == REASON_SAFETY_NET
    # a risk rule that already brings a developmental measure needs no policy measure
    assert all(
        m.reason != REASON_DEVELOPMENTAL for m in amap.suggest(["07"], labor_count=1)
    )


def test_deduplicated_in_risk_rank_order(amap):
    ms = amap.suggest(["01", "05"], labor_count=1)
    cats = [m.category for m in ms]
    assert len(cats) == len(set(cats))
    assert cats[0] == "健康帮扶" and ms[0].reason == "01"
    # 综合保障 is suggested by both; it keeps the first (higher-ranked) risk as reason
    assert next(m for m in ms if m.category == "综合保障").reason == "01"
    reversed_ = [m.category for m in amap.suggest(["05", "01"], labor_count=1)]
    assert reversed_[0] == "综合保障"


def test_subcode_falls_back_to_parent_and_names_resolve(amap):
    sub = amap.suggest(["0206"], labor_count=1)
    parent = amap.suggest(["02"], labor_count=1)
    assert [m.category for m in sub] == [m.category for m in parent]
    assert {m.reason for m in sub} == {"0206"}
    assert amap.suggest(["因病"], labor_count=1) == amap.suggest(["01"], labor_count=1)
    assert sub[0].department == "应急管理"  # per-risk department override


def test_limit_keeps_the_policy_measure(amap):
    ms = amap.suggest(["01", "05"], labor_count=1, limit=2)
    assert len(ms) == 2 and any(m.category in DEVELOPMENTAL for m in ms)
    ms = amap.suggest(["07", "06"], labor_count=0, limit=1)
    assert [m.category for m in ms] == ["综合保障"]


def test_unknown_risk_code_names_close_match(amap):
    with pytest.raises(ConfigError, match="did you mean '01'"):
        amap.suggest(["011"], labor_count=1)


def test_bad_labour_count(amap):
    with pytest.raises(InputError, match="labor_count"):
        amap.suggest(["01"], labor_count=-1)


def test_suggest_frame_matches_suggest(amap):
    df = pd.DataFrame(
        {
            "risk_types": ["01;0201", ["07"], None, "H_water", "01;0201"],
            "labor_count": [2, 0, 1, 0, 0],
        },
        index=[10, 11, 12, 13, 14],
    )
    out = amap.suggest_frame(df)
    assert list(out.index) == list(df.index)
    for idx, row in df.iterrows():
        ms = amap.suggest(
            split_codes(row["risk_types"]), labor_count=row["labor_count"]
        )
        assert out.loc[idx, "measures"] == ";".join(m.category for m in ms)
        assert out.loc[idx, "departments"] == ";".join(m.department for m in ms)
        assert out.loc[idx, "measure_reasons"] == ";".join(m.reason for m in ms)


def test_suggest_frame_missing_column(amap):
    with pytest.raises(InputError, match="labor_count"):
        amap.suggest_frame(pd.DataFrame({"risk_types": ["01"], "labour": [1]}))


def test_measures_fit_the_household(amap):
    for codes in ("01", "07;06", "99", "01;07;09", "03;04", "02;06"):
        for labour in (0, 1, 3):
            ms = amap.suggest(codes, labor_count=labour)
            depts = [m.department for m in ms]
            assert len(depts) == len(set(depts)), (codes, labour)
            cats = [m.category for m in ms]
            if labour == 0:
                assert not {"产业帮扶", "就业帮扶", "公益岗位帮扶"} & set(cats)
            specific = [c for c in cats if c not in amap.config.general]
            if specific:
                assert cats[0] not in amap.config.general, (codes, labour, cats)
