"""Messages name household, year and the file's row; repairs and refusals of cells."""

from __future__ import annotations

import warnings

import pandas as pd
import pytest

from fanpin.exceptions import DataRepairWarning, FanpinWarning, SchemaError
from fanpin.messages import Message
from fanpin.schema import read_events, read_households, validate_households
from fanpin.schema._text import redact

from ..cli.catalogue import ALIAS, TITLE, export_xlsx
from ..conftest import make_rows


def _problems(df) -> list[str]:
    with pytest.raises(SchemaError) as info:
        validate_households(df)
    return info.value.problems


def _csv_with_title(tmp_path, df):
    p = tmp_path / "p.csv"
    with open(p, "w", encoding="gbk", newline="") as fh:
        fh.write(TITLE + "\n")
        df.rename(columns=ALIAS).to_csv(fh, index=False)
    return p


def test_rows_count_the_title_row_and_years_are_named(tmp_path):
    rows = [{"household_id": f"{i:04d}", "year": 2021 + i % 5} for i in range(12)]
    df = make_rows(*rows).astype(str)
    df.loc[[1, 3, 4, 6, 8, 9, 10, 11], "income_wage"] = ""  # 8 missing
    with pytest.raises(SchemaError) as info:
        read_households(_csv_with_title(tmp_path, df))
    (problem,) = info.value.problems
    assert "8 missing value(s)" in problem
    # header on row 2, so the first data row is row 3: row index 1 is file row 4
    assert "first 5 shown: 0001 in 2022 at row 4, 0003 in 2024 at row 6," in problem
    assert "0008 in 2024 at row 11)" in problem and "0009" not in problem
    assert isinstance(problem, Message)


def test_excel_rows_are_excel_rows(tmp_path):
    df = make_rows({}, {"household_id": "0002", "labor_count": 9}).astype(str)
    p = export_xlsx(tmp_path / "p.xlsx", df)
    with pytest.raises(SchemaError, match=r"0002 in 2023 at row 5\)"):
        read_households(p)


def test_all_of_at_most_five_rows_are_listed():
    df = make_rows(*({"household_id": f"h{i}", "labor_count": 99} for i in range(5)))
    (problem,) = _problems(df)
    assert "first" not in problem and "h4 in 2023" in problem


@pytest.mark.parametrize(
    ("value", "hidden", "shown"),
    [
        ("11010119900307123X", "11010119900307123", "##################"),
        ("电话13987654321", "13987654321", "电话###########"),
        ("139-8765-4321", "8765", "###-####-####"),
        ("139 8765 4321", "8765", "### #### ####"),
        ("欧阳秘名", "欧阳秘名", "<4 个汉字>"),
        ("户主王秘密住院", "王秘密", "<7 个汉字>"),
    ],
)
def test_examples_are_redacted_in_every_kind_of_column(value, hidden, shown):
    assert hidden not in redact(value) and shown in redact(value)
    for column in ("household_type", "head_education", "disaster_type", "income_wage"):
        df = make_rows({column: value})
        text = "\n".join(_problems(df))
        assert hidden not in text, (column, text)


def test_domain_words_stay_readable():
    assert redact("贫困户") == "贫困户" and redact("住院") == "住院"
    assert redact("2023年") == "2023年" and redact("three") == "three"


def test_invisible_and_control_characters_are_removed_with_a_repair():
    df = make_rows(
        {"household_id": "\ufeff0001", "village": "一村\x1b[31m"},
        {"household_id": "0002\u200b", "village": "二村\n"},
    )
    with pytest.warns(DataRepairWarning) as got:
        out = validate_households(df)
    text = str(got[0].message)
    assert "household_id: 2 value(s) held invisible characters" in text
    assert "village: 2 value(s) held control characters" in text
    assert out["household_id"].tolist() == ["0001", "0002"]
    assert out["village"].tolist() == ["一村[31m", "二村"]


@pytest.mark.parametrize(
    ("column", "value", "fragment"),
    [
        ("income_wage", "inf", "are not finite numbers"),
        ("income_business", "-inf", "are not finite numbers"),
        ("medical_cost_total", "1e308", "above 100,000,000 元"),
        ("income_business", "-2e8", "below -100,000,000 元"),
        ("accident_count", "inf", "are not finite numbers"),
        ("accident_count", "1e20", "above 100 人次"),
    ],
)
def test_non_finite_and_absurd_values_are_refused_naming_rows(column, value, fragment):
    problems = _problems(make_rows({column: value}).astype(str))
    assert any(fragment in p and "0001 in 2023" in p for p in problems), problems


def test_a_header_written_twice_names_both_columns():
    df = make_rows({})
    df.insert(len(df.columns), "家庭人口数", 9, allow_duplicates=True)
    df = df.rename(columns={"household_size": "家庭人口数"})
    (problem,) = _problems(df)
    assert (
        "'家庭人口数' appears 2 times in the header (columns G (7), T (20))" in problem
    )


def test_formula_like_text_and_short_ids_are_warned_about():
    df = make_rows(
        {"household_id": "00000001", "village": '=HYPERLINK("x")'},
        {"household_id": "00000002", "township": "@SUM(1+1)"},
        {"household_id": "3", "township": "-2+3+cmd"},
        *({"household_id": f"{i:08d}"} for i in range(4, 14)),
    )
    with warnings.catch_warnings(record=True) as got:
        warnings.simplefilter("always")
        validate_households(df)
    text = "\n".join(str(w.message) for w in got if w.category is FanpinWarning)
    assert "village: 1 value(s) begin with =, +, - or @ (00000001 in 2023)" in text
    assert "township: 2 value(s) begin with" in text
    assert (
        "1 code(s) have fewer digits than the other 8-digit codes (3 in 2023)" in text
    )


def test_empty_rows_and_repeated_headers_are_not_records():
    df = make_rows({}, {"household_id": "0002"}).astype(str)
    header = pd.DataFrame([dict(zip(df.columns, df.columns, strict=True))])
    empty = pd.DataFrame([dict.fromkeys(df.columns, "")])
    raw = pd.concat([df.iloc[:1], header, df.iloc[1:], empty], ignore_index=True)
    with pytest.warns(DataRepairWarning, match="1 row\\(s\\) repeating the header"):
        out = validate_households(raw)
    assert out["household_id"].tolist() == ["0001", "0002"]


def _events_file(tmp_path, dates):
    p = tmp_path / "e.csv"
    pd.DataFrame(
        {"户编码": "0001", "日期": dates, "推送部门": "医保", "事件类型": "住院自付"}
    ).to_csv(p, index=False)
    return p


def test_event_dates(tmp_path):
    ok = _events_file(tmp_path, ["2026-02-01T10:00:00+08:00", "2026年2月3日", "46056"])
    with pytest.warns(DataRepairWarning, match="1 date\\(s\\) with a time zone"):
        ev = read_events(ok, today=pd.Timestamp("2026-06-30"))
    assert (
        ev["date"].dt.strftime("%Y-%m-%d").tolist()
        == ["2026-02-01"] + ["2026-02-03"] * 2
    )
    bad = _events_file(tmp_path, ["26-02-03", "02/03/2026", "2026-02-04"])
    with pytest.raises(SchemaError) as info:
        read_events(bad, today=pd.Timestamp("2026-06-30"))
    (problem,) = info.value.problems
    assert "2 date(s) are ambiguous" in problem
    assert "0001 on 26-02-03 at row 2, 0001 on 02/03/2026 at row 3" in problem


def test_an_events_file_with_only_the_header_is_no_pushes(tmp_path):
    p = tmp_path / "e.csv"
    p.write_text("户编码,日期,推送部门,事件类型,金额,人数\n", "utf-8")
    ev = read_events(p)
    assert len(ev) == 0 and list(ev.columns)[:2] == ["household_id", "date"]
