"""A township workbook printed from a real client: LibreOffice Calc, headless, to
PDF. A4 landscape, fitted to the page width only (the rows flow onto further
pages, as many as their heights need), body text at 9 pt (no shrink to fit).
Skipped where ``soffice`` is not installed."""

from __future__ import annotations

import collections
import re
import shutil
import subprocess
import zlib

import numpy as np
import pandas as pd
import pytest
from openpyxl import load_workbook

from fanpin.workflow import write_workbooks

SOFFICE = shutil.which("soffice") or shutil.which("libreoffice")
pytestmark = pytest.mark.skipif(SOFFICE is None, reason="LibreOffice not installed")

A4_LANDSCAPE = (841.89, 595.28)  # points
MARGINS_PT = (0.4 * 72, 0.55 * 72)  # top, bottom (the workbook's)


def _alerts(n=40, seed=0):
    rng = np.random.default_rng(seed)
    sentences = [
        "2026年以来医疗自付费用 12,031 元，占家庭纯收入的 20%，家中大病患者 1 人",
        "2025年人均纯收入 8,849 元，扣除医疗、教育支出后为 8,770 元，为当年监测标准"
        "（7,500 元）的 117%，收入接近监测标准",
        "全家 2 口人均无劳动能力，其中65岁以上老人 2 人",
        "医保推送：2026年1月6日住院自付 12,031 元",
    ]
    reasons = [
        "\n".join(rng.choice(sentences, size=rng.integers(1, 5))) for _ in range(n)
    ]
    return pd.DataFrame({
        "household_id": [f"{i:08d}" for i in range(n)], "county": "甲县",
        "township": "乙镇", "village": "丙村", "rank": np.arange(1, n + 1),
        "risk_score": np.linspace(0.6, 0.1, n), "risk_level": "高",
        "risk_names": "因病、因缺劳动力", "reasons": reasons,
        "measures": "综合保障(民政)\n健康帮扶(医保)", "case_id": np.arange(1, n + 1),
        "case_state": "预警", "case_status": "新增",
        "deadline": pd.Timestamp("2026-07-15"), "overdue": False,
        "discovered": pd.Timestamp("2026-06-30"), "source": "模型预警",
    })  # fmt: skip


def _pdf(book, tmp_path):
    out = tmp_path / "pdf"
    profile = (tmp_path / "lo-profile").as_uri()
    subprocess.run(
        [SOFFICE, f"-env:UserInstallation={profile}", "--headless",
         "--convert-to", "pdf", "--outdir", str(out), str(book)],
        check=True, timeout=180, capture_output=True,
    )  # fmt: skip
    return (out / f"{book.stem}.pdf").read_bytes()


def _pages(pdf):
    """The MediaBox of each page (page objects are not compressed)."""
    boxes = []
    for obj in re.findall(rb"obj(.*?)endobj", pdf, re.S):
        if re.search(rb"/Type\s*/Page(?![s\w])", obj):
            box = re.search(rb"/MediaBox\s*\[([^\]]*)\]", obj)
            boxes.append(tuple(float(v) for v in box.group(1).split()))
    return boxes


def _font_sizes(pdf):
    """How often each font size is set in the page contents (Flate streams)."""
    sizes = collections.Counter()
    for raw in re.findall(rb"stream\r?\n(.*?)\r?\nendstream", pdf, re.S):
        try:
            text = zlib.decompress(raw)
        except zlib.error:
            continue
        sizes.update(float(v) for v in re.findall(rb"([\d.]+)\s+Tf", text))
    return sizes


def _pages_needed(heights, repeated, page_height):
    """Pages the rows need at 100 %: each page holds the repeated rows, then as
    many whole rows as fit."""
    pages, used = 1, repeated
    for h in heights:
        if used + h > page_height and used > repeated:
            pages, used = pages + 1, repeated
        used += h
    return pages


def test_township_workbook_prints_on_a4_landscape(tmp_path):
    [book] = write_workbooks(_alerts(), tmp_path / "excel")
    pdf = _pdf(book, tmp_path)
    boxes = _pages(pdf)
    assert boxes, "no page found in the PDF"
    for x0, y0, x1, y1 in boxes:
        assert (round(x1 - x0), round(y1 - y0)) == tuple(map(round, A4_LANDSCAPE))
    ws = load_workbook(book).worksheets[0]
    heights = [ws.row_dimensions[r].height for r in range(1, ws.max_row + 1)]
    repeated, rows = sum(heights[:2]), heights[2:]
    body = A4_LANDSCAPE[1] - sum(MARGINS_PT)
    # LibreOffice takes the footer's height from the page body: between the
    # body as the margins give it and the body less a footer of a few lines
    plausible = {
        _pages_needed(rows, repeated, body - footer) for footer in range(0, 31, 2)
    }
    assert len(boxes) > 1  # rows flow onto further pages, never shrunk onto one
    assert len(boxes) in plausible, (len(boxes), sorted(plausible))
    sizes = _font_sizes(pdf)
    body_size = sizes.most_common(1)[0][0]
    assert 8.8 <= body_size <= 9.3, sizes  # 9 pt, printed at 100 %
    assert min(sizes) >= 7.9, sizes  # the footer's legend is 8 pt; nothing smaller
