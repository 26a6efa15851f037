"""Validation: every rule, its message, repairs and PII."""

import warnings

import pandas as pd
import pytest

from fanpin.exceptions import DataRepairWarning, SchemaError
from fanpin.schema import COLUMNS, validate_events, validate_households

from ..conftest import BASE_ROW, make_rows


def _problems(df):
    with pytest.raises(SchemaError) as info:
        validate_households(df)
    return info.value.problems


def test_valid_rows_are_typed_and_complete():
    out = validate_households(make_rows({}, {"household_id": "0002"}))
    for col in COLUMNS:
        assert str(out[col.name].dtype) == col.dtype, col.name
    assert out["household_id"].tolist() == ["0001", "0002"]
    assert out["monitor_category"].isna().all()  # optional, absent -> all missing


def test_missing_required_column_with_suggestion():
    df = make_rows({}).rename(columns={"household_size": "hh_size"})
    problems = _problems(df)
    hint = "did you mean 'hh_size'"
    assert any("household_size" in p and hint in p for p in problems)


def test_all_problems_reported_at_once():
    df = make_rows(
        {"household_id": "a", "labor_count": 9},
        {"household_id": "b", "medical_cost_oop": 500.0, "medical_cost_total": 100.0},
        {"household_id": "c", "chronic_ill_count": -1},
    ).drop(columns=["village"])
    problems = _problems(df)
    assert len(problems) == 4
    text = "\n".join(problems)
    assert "village" in text
    assert "labor_count" in text and "above household_size" in text and "a" in text
    assert "medical_cost_oop" in text and "above medical_cost_total" in text
    assert "chronic_ill_count" in text and "below 0" in text


def test_at_most_five_households_are_named():
    df = make_rows(*({"household_id": f"h{i}", "labor_count": 99} for i in range(8)))
    (problem,) = _problems(df)
    assert "8 value(s)" in problem and "first 5 shown: h0 in 2023," in problem
    assert "h4 in 2023" in problem and "h5 in" not in problem


def test_repairs_warn_and_parse():
    df = make_rows({"income_wage": "12,550", "year": "2023年", "household_size": "３人",
                    "labor_count": "1"}).astype(str)
    with pytest.warns(DataRepairWarning, match="income_wage"):
        out = validate_households(df)
    assert out.loc[0, "income_wage"] == 12550.0
    assert out.loc[0, "year"] == 2023
    assert out.loc[0, "household_size"] == 3


def test_wrong_type_is_an_error_with_examples():
    problems = _problems(make_rows({"household_size": "three"}).astype(str))
    assert any("household_size" in p and "'three'" in p for p in problems)


def test_household_type_spellings():
    df = make_rows(
        {"household_type": "lifted"},
        {"household_id": "2", "household_type": "普通农户"},
        {"household_id": "3", "household_type": "ordinary"},
    )
    got = validate_households(df)["household_type"].tolist()
    assert got == ["脱贫户", "一般农户", "一般农户"]
    problems = _problems(make_rows({"household_type": "贫困户"}))
    assert any("household_type" in p and "贫困户" in p for p in problems)


def test_duplicate_household_year():
    problems = _problems(make_rows({}, {}))
    assert any("duplicate (household_id, year)" in p for p in problems)


def test_missing_values_in_required_column():
    problems = _problems(make_rows({"income_wage": None}))
    assert any("income_wage" in p and "missing value" in p for p in problems)


def test_chinese_and_mixed_headers():
    from fanpin.schema import column

    df = make_rows({})
    mixed = df.rename(columns={c: column(c).alias for c in list(df.columns)[::2]})
    out = validate_households(mixed)
    pd.testing.assert_frame_equal(out, validate_households(df))


def test_personal_data_is_dropped_and_never_quoted():
    df = make_rows({}).assign(户主姓名="张三", 身份证号="110101199001011234",
                              phone="13800138000")
    out = validate_households(df)
    assert not {"户主姓名", "身份证号", "phone", "head_name"} & set(out.columns)
    bad = df.assign(labor_count=99)
    with pytest.raises(SchemaError) as info:
        validate_households(bad)
    for secret in ("张三", "110101199001011234", "13800138000"):
        assert secret not in str(info.value)


def test_ids_keep_leading_zeros_and_lose_spaces():
    df = make_rows({"household_id": " 000123 "})
    with pytest.warns(DataRepairWarning):
        out = validate_households(df)
    assert out.loc[0, "household_id"] == "000123"


def test_unknown_columns_are_kept():
    out = validate_households(make_rows({}).assign(note="x"))
    assert out.columns[-1] == "note"


def test_header_only_frame():
    problems = _problems(make_rows({}).iloc[:0])
    assert any("no rows" in p for p in problems)


def test_booleans_in_chinese():
    out = validate_households(make_rows({"housing_safe": "否", "water_safe": "是"}))
    assert out.loc[0, "housing_safe"] is False or not out.loc[0, "housing_safe"]
    assert bool(out.loc[0, "water_safe"])


def test_events_validation():
    panel = validate_households(make_rows({}))
    ok = pd.DataFrame({"户编码": ["0001"], "日期": ["2023-05-01"], "推送部门": ["医保"],
                       "事件类型": ["住院自付"], "金额": ["12,000"]})
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DataRepairWarning)
        ev = validate_events(ok, panel, today=pd.Timestamp("2024-01-01"))
    assert ev.loc[0, "amount"] == 12000.0
    bad = ok.assign(户编码="9999", 日期="2030-01-01", 金额="12000")
    with pytest.raises(SchemaError) as info:
        validate_events(bad, panel, today=pd.Timestamp("2024-01-01"))
    text = str(info.value)
    assert "not in the panel" in text and "future" in text


def test_base_row_is_valid():
    assert len(validate_households(pd.DataFrame([BASE_ROW]))) == 1


def test_error_examples_hide_what_may_be_personal_data():
    df = make_rows({"labor_count": "张三", "household_size": "11010119900101123X"})
    with pytest.raises(SchemaError) as info:
        validate_households(df.astype(str))
    text = str(info.value)
    assert "张三" not in text and "11010119900101123" not in text
    assert "<2 个汉字>" in text and "##################" in text
