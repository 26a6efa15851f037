"""``fanpin convert``: an Excel export converts; an invalid one writes nothing."""

from __future__ import annotations

import pandas as pd
import pytest
from typer.testing import CliRunner

from fanpin.cli import app

from .catalogue import export_gbk_csv, export_xlsx


@pytest.fixture(scope="module")
def panel(sim):
    # The shared world's panel; the export comes in no particular order: shuffle it.
    return sim.panel.sample(frac=1.0, random_state=0).reset_index(drop=True)


def test_excel_export_converts(tmp_path, panel):
    src = export_xlsx(tmp_path / "e.xlsx", panel.head(300).astype(str))
    result = CliRunner().invoke(app, ["convert", str(src), str(tmp_path / "p.parquet")])
    assert result.exit_code == 0, result.output
    assert "Read sheet '监测对象' (of 2); header on row 3" in result.output
    assert "✓ Wrote" in result.output and "Next:" in result.output
    assert "fanpin train" in result.output and "fanpin score" in result.output
    assert len(pd.read_parquet(tmp_path / "p.parquet")) == 300


def test_an_invalid_export_writes_nothing(tmp_path, panel):
    bad = panel.head(20).astype(str)
    bad.loc[3, "income_wage"] = "inf"
    src = export_gbk_csv(tmp_path / "e.csv", bad)
    result = CliRunner().invoke(app, ["convert", str(src), str(tmp_path / "p.parquet")])
    assert result.exit_code == 1
    assert "is not valid; nothing was written" in result.output
    assert "at row 6" in result.output  # title row + header + 4th record
    assert sorted(p.name for p in tmp_path.iterdir()) == ["e.csv"]
