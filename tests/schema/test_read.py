"""Readers: each format and encoding, headers, leading zeros, PII."""

import warnings

import pandas as pd
import pytest

from fanpin.exceptions import InputError
from fanpin.schema import column, read_households

from ..conftest import make_rows


@pytest.fixture
def raw():
    return make_rows({"household_id": "000123"}, {"household_id": "0456", "year": 2024})


def _chinese(df):
    return df.rename(columns={c: column(c).alias for c in df.columns})


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "gbk"])
def test_csv_encodings_with_chinese_headers(tmp_path, raw, encoding):
    path = tmp_path / "panel.csv"
    _chinese(raw).to_csv(path, index=False, encoding=encoding)
    panel = read_households(path)
    assert panel["household_id"].tolist() == ["000123", "0456"]
    assert panel["province"].tolist() == ["甘肃省", "甘肃省"]


def test_parquet(tmp_path, raw):
    path = tmp_path / "panel.parquet"
    raw.to_parquet(path)
    assert read_households(path)["household_id"].tolist() == ["000123", "0456"]


def test_excel_with_title_row_and_several_sheets(tmp_path, raw):
    path = tmp_path / "panel.xlsx"
    with pd.ExcelWriter(path, engine="openpyxl") as xl:
        pd.DataFrame({"说明": ["readme"]}).to_excel(xl, sheet_name="说明", index=False)
        _chinese(raw).to_excel(xl, sheet_name="监测户", index=False, startrow=1)
    panel = read_households(path)
    assert panel["household_id"].tolist() == ["000123", "0456"]
    assert panel["income_wage"].tolist() == [40000.0, 40000.0]


def test_pii_dropped_on_read(tmp_path, raw):
    path = tmp_path / "panel.csv"
    raw.assign(户主姓名="李四", 联系电话="13912345678").to_csv(path, index=False)
    panel = read_households(path)
    assert "李四" not in panel.to_csv()
    assert "13912345678" not in panel.to_csv()


@pytest.mark.parametrize("content,match", [
    (b"", "empty"),
    (b"\xff\xfe\x00\x00garbage\x81", "neither UTF-8 nor GBK"),
])
def test_unreadable_csv(tmp_path, content, match):
    path = tmp_path / "bad.csv"
    path.write_bytes(content)
    with pytest.raises(InputError, match=match):
        read_households(path)


def test_truncated_parquet(tmp_path, raw):
    path = tmp_path / "panel.parquet"
    raw.to_parquet(path)
    path.write_bytes(path.read_bytes()[:200])
    with pytest.raises(InputError, match="truncated"):
        read_households(path)


def test_unknown_suffix(tmp_path):
    path = tmp_path / "panel.json"
    path.write_text("{}")
    with pytest.raises(InputError, match="unknown file type"):
        read_households(path)


def test_missing_file(tmp_path):
    with pytest.raises(InputError, match="does not exist"):
        read_households(tmp_path / "nope.csv")


def test_thousands_separators_in_csv(tmp_path, raw):
    path = tmp_path / "panel.csv"
    raw.assign(income_wage=["12,550", "１２５５０"]).to_csv(path, index=False)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        panel = read_households(path)
    assert panel["income_wage"].tolist() == [12550.0, 12550.0]
    assert caught
