"""The one reader: where the table is, read whole or in batches, the same way."""

from __future__ import annotations

import errno
import os

import numpy as np
import pandas as pd
import pytest

from fanpin.exceptions import InputError
from fanpin.io import (
    ROW_COLUMN,
    _excel,
    _layout,
    check_input_file,
    inspect_table,
    iter_table_batches,
    read_table,
    table_columns,
)
from fanpin.schema import HEADER_NAMES

from ..cli.catalogue import TITLE, export_xlsx


def _frame(n: int = 7) -> pd.DataFrame:
    return pd.DataFrame(
        {
            "户编码": [f"{i:08d}" for i in range(n)],
            "年度": ["2025"] * n,
            "省": ["甘肃省"] * n,
            "县": ["甲县" if i < 4 else "乙县" for i in range(n)],
            "工资性收入": [str(1000 * i) for i in range(n)],
        }
    )


def _title_csv(path, df, encoding="utf-8-sig", titles=(TITLE, "填报单位：某县")):
    with open(path, "w", encoding=encoding, newline="") as fh:
        for t in titles:
            fh.write(t + "\r\n")
        df.to_csv(fh, index=False, lineterminator="\r\n")
    return path


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "gbk"])
def test_csv_title_rows_are_skipped_in_every_encoding(tmp_path, encoding):
    p = _title_csv(tmp_path / "p.csv", _frame(), encoding)
    layout = inspect_table(p, known_columns=HEADER_NAMES)
    assert layout.header_row == 3 and layout.title_rows == 2
    assert layout.columns[:2] == ("户编码", "年度")
    df = read_table(p, known_columns=HEADER_NAMES, row_numbers=True)
    assert df["户编码"].tolist() == _frame()["户编码"].tolist()
    assert df[ROW_COLUMN].tolist() == list(range(4, 11))


def test_the_header_is_found_without_known_names(tmp_path):
    p = _title_csv(tmp_path / "p.csv", _frame())
    assert inspect_table(p).header_row == 3


def test_batches_equal_the_whole_read_and_every_pass_finds_one_header(tmp_path):
    p = _title_csv(tmp_path / "p.csv", _frame(50))
    whole = read_table(p, known_columns=HEADER_NAMES, row_numbers=True)
    cols = ["户编码", "年度", "省", "县"]
    parts = list(iter_table_batches(p, columns=[*cols, ROW_COLUMN], batch_rows=7))
    assert [len(b) for b in parts] == [7] * 7 + [1]
    joined = pd.concat(parts, ignore_index=True)
    pd.testing.assert_frame_equal(joined, whole[[*cols, ROW_COLUMN]])
    assert table_columns(p, known_columns=HEADER_NAMES) == list(whole.columns[:-1])


def test_excel_export_shape_notes_sheet_and_merged_title(tmp_path):
    p = export_xlsx(tmp_path / "p.xlsx", _frame(), numbers=("年度", "工资性收入"))
    layout = inspect_table(p, known_columns=HEADER_NAMES)
    assert layout.kind == "excel" and layout.sheet == "监测对象"
    assert layout.n_sheets == 2 and layout.header_row == 3
    df = read_table(p, known_columns=HEADER_NAMES, row_numbers=True)
    assert df["户编码"].tolist() == _frame()["户编码"].tolist()
    assert df["年度"].tolist() == ["2025"] * 7  # a number cell, never "2025.0"
    assert df[ROW_COLUMN].tolist() == list(range(4, 11))
    batches = list(iter_table_batches(p, columns=["户编码", "县"], batch_rows=3))
    assert [len(b) for b in batches] == [3, 3, 1]


def test_calamine_and_openpyxl_read_the_same_cells(tmp_path, monkeypatch):
    """The fast reader is kept only because it gives the same frames."""
    import datetime as dt

    from openpyxl import Workbook

    p = tmp_path / "p.xlsx"
    wb = Workbook()
    ws = wb.active
    ws.append([TITLE])
    ws.merge_cells("A1:F1")
    ws.append(["户编码", "年度", "日期", "金额", "是否", "村"])
    ws.append(["0012", 2025, dt.datetime(2026, 2, 1), 12.5, True, "一村"])
    ws.append(["0013", 2025.0, dt.datetime(2026, 2, 1, 9, 30), 3, False, None])
    ws.append([None] * 6)
    ws.append(["0014", "2025年", 46056, -1e20, "否", " 二村 "])
    wb.save(p)

    def read(engine: str) -> pd.DataFrame:
        _layout._excel_book.cache_clear()
        _read_cache_clear()
        if engine == "openpyxl":
            monkeypatch.setattr(
                _excel.ExcelBook,
                "__init__",
                lambda self, path: _openpyxl_init(self, path),
            )
        return read_table(p, known_columns=HEADER_NAMES, row_numbers=True)

    fast = read("calamine")
    slow = read("openpyxl")
    monkeypatch.undo()
    _layout._excel_book.cache_clear()
    _read_cache_clear()
    pd.testing.assert_frame_equal(fast, slow)
    assert fast["日期"].tolist() == ["2026-02-01", "2026-02-01 09:30:00", "46056"]
    assert fast[ROW_COLUMN].tolist() == [3, 4, 6]


def _openpyxl_init(self, path):
    self.path = path
    self._sheets = {}
    self._open_openpyxl()


def _read_cache_clear():
    from fanpin.io import _read

    _read._excel_table.cache_clear()


def test_a_long_first_line_is_refused_before_reading(tmp_path):
    p = tmp_path / "p.csv"
    p.write_bytes(b"a," * (1 << 19))
    os.truncate(p, 200 << 20)
    with pytest.raises(InputError, match="longer than 1 MB with no line break"):
        inspect_table(p)


def test_path_checks(tmp_path):
    with pytest.raises(InputError, match="is a folder"):
        check_input_file(tmp_path)
    loop = tmp_path / "loop.csv"
    os.symlink(loop, loop)
    with pytest.raises(InputError, match="points to itself"):
        check_input_file(loop)
    fifo = tmp_path / "pipe.csv"
    os.mkfifo(fifo)
    with pytest.raises(InputError, match=r"not a regular file \(it is a pipe"):
        check_input_file(fifo)
    with pytest.raises(InputError, match="does not exist"):
        check_input_file(tmp_path / "nope.csv")
    empty = tmp_path / "e.csv"
    empty.write_bytes(b"")
    with pytest.raises(InputError, match="is empty"):
        check_input_file(empty)


def test_unreadable_file(tmp_path, monkeypatch):
    p = tmp_path / "p.csv"
    _frame().to_csv(p, index=False)
    if os.geteuid() != 0:  # root reads anything: then simulate the refusal
        os.chmod(p, 0)
    else:
        real = os.open

        def deny(path, flags, *a, **k):
            if str(path) == str(p):
                raise PermissionError(errno.EACCES, "Permission denied")
            return real(path, flags, *a, **k)

        monkeypatch.setattr("fanpin.io._files.os.open", deny)
    with pytest.raises(InputError, match="cannot be read: permission denied"):
        read_table(p)


def test_ragged_rows_are_a_parse_error_with_the_line(tmp_path):
    p = tmp_path / "p.csv"
    p.write_text("户编码,年度,省\n0001,2023,甲\n0002,2023,乙,多\n", "utf-8")
    with pytest.raises(InputError, match="Cannot parse CSV file 'p.csv'"):
        read_table(p, known_columns=HEADER_NAMES)


def test_progress_reports_bytes_of_a_csv(tmp_path):
    p = _title_csv(tmp_path / "p.csv", _frame(500))
    seen = []
    read_table(p, progress=lambda done, total: seen.append((done, total)))
    assert seen and seen[-1][0] == seen[-1][1] == p.stat().st_size
    assert np.all(np.diff([d for d, _ in seen]) >= 0)
