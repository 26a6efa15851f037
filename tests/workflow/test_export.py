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


def test_workbook_per_township_sheet_per_village(tmp_path):
    paths = write_workbooks(_alerts(), tmp_path)
    assert sorted(p.name for p in paths) == ["丁镇.xlsx", "乙镇.xlsx"]
    wb = load_workbook(tmp_path / "乙镇.xlsx")
    assert wb.sheetnames == ["一村", "二村"]
    ws = wb["一村"]
    header = [c.value for c in ws[1]]
    assert header[:3] == ["序号", "户编码", "县"]
    assert set(header) <= set(EXCEL_HEADERS.values())
    assert ws.freeze_panes == "A2"
    assert ws.column_dimensions["A"].width > 0
    assert [ws.cell(row=r, column=2).value for r in (2, 3)] == ["01", "03"]
    assert ws.max_row == 3


def test_pii_only_when_given(tmp_path):
    write_workbooks(_alerts(), tmp_path / "plain")
    ws = load_workbook(tmp_path / "plain" / "乙镇.xlsx")["一村"]
    assert "户主姓名" not in [c.value for c in ws[1]]
    pii = pd.DataFrame({"household_id": ["01"], "head_name": ["张三"],
                        "phone": ["13800000000"]})  # fmt: skip
    write_workbooks(_alerts(), tmp_path / "pii", pii=pii)
    ws = load_workbook(tmp_path / "pii" / "乙镇.xlsx")["一村"]
    header = [c.value for c in ws[1]]
    assert "户主姓名" in header and "联系电话" in header
    assert ws.cell(row=2, column=header.index("户主姓名") + 1).value == "张三"
