"""``fanpin simulate`` through typer's CliRunner."""

from __future__ import annotations

import pandas as pd
from typer.testing import CliRunner

from fanpin.cli import app
from fanpin.config import load_monitoring_lines
from fanpin.schema import COLUMNS, EVENT_COLUMNS

runner = CliRunner()


def test_simulate_parquet_with_report(tmp_path):
    out = tmp_path / "sim"
    res = runner.invoke(
        app,
        [
            "simulate",
            "--households",
            "300",
            "--years",
            "2021-2023",
            "--seed",
            "1",
            "--out",
            str(out),
            "--report",
        ],
    )
    assert res.exit_code == 0, res.output
    for name in (
        "panel.parquet",
        "truth.parquet",
        "events.parquet",
        "monitoring_lines.yaml",
    ):
        assert (out / name).is_file()
    panel = pd.read_parquet(out / "panel.parquet")
    assert len(panel) == 900
    assert "Calibration" in res.output
    assert (
        load_monitoring_lines(out / "monitoring_lines.yaml").line("湖北省", 2023)
        == 7600
    )
    assert not list(out.glob("*.tmp"))


def test_simulate_csv_has_chinese_headers(tmp_path):
    lines = tmp_path / "lines.yaml"
    lines.write_text("default: {2022: 8000, 2023: 8200}\n", encoding="utf-8")
    res = runner.invoke(
        app,
        [
            "simulate",
            "-n",
            "200",
            "--years",
            "2022-2023",
            "--out",
            str(tmp_path),
            "--format",
            "csv",
            "--lines",
            str(lines),
        ],
    )
    assert res.exit_code == 0, res.output
    panel = pd.read_csv(tmp_path / "panel.csv", encoding="utf-8-sig")
    assert list(panel.columns) == [c.alias for c in COLUMNS]
    events = pd.read_csv(tmp_path / "events.csv", encoding="utf-8-sig")
    assert list(events.columns) == [c.alias for c in EVENT_COLUMNS]
    used = load_monitoring_lines(tmp_path / "monitoring_lines.yaml")
    assert used.line("湖北省", 2023) == 8200


def test_simulate_errors(tmp_path):
    res = runner.invoke(
        app, ["simulate", "--years", "2025-2021", "--out", str(tmp_path)]
    )
    assert res.exit_code == 2
    res = runner.invoke(
        app, ["simulate", "-n", "10", "--years", "2040-2041", "--out", str(tmp_path)]
    )
    assert res.exit_code == 1
    assert "2040" in res.output


def test_simulate_pushes_until_writes_pushes(tmp_path):
    base = ["simulate", "-n", "150", "--years", "2021-2022", "--seed", "2"]
    res = runner.invoke(app, [*base, "--out", str(tmp_path / "a")])
    assert res.exit_code == 0, res.output
    assert not (tmp_path / "a" / "pushes.parquet").exists()
    with_pushes = [*base, "--pushes-until", "2023-06-30"]
    res = runner.invoke(app, [*with_pushes, "--out", str(tmp_path / "b")])
    assert res.exit_code == 0, res.output
    for name in ("panel.parquet", "truth.parquet", "events.parquet"):
        a, b = (tmp_path / d / name for d in "ab")
        assert a.read_bytes() == b.read_bytes()
    pushes = pd.read_parquet(tmp_path / "b" / "pushes.parquet")
    assert list(pushes.columns) == [c.name for c in EVENT_COLUMNS]
    assert pushes["date"].between("2023-01-01", "2023-06-30").all() and len(pushes)
    res = runner.invoke(
        app, [*with_pushes, "--out", str(tmp_path / "c"), "--format", "csv"]
    )
    assert res.exit_code == 0, res.output
    csv = pd.read_csv(tmp_path / "c" / "pushes.csv", encoding="utf-8-sig")
    assert list(csv.columns) == [c.alias for c in EVENT_COLUMNS]
    assert len(csv) == len(pushes)
    res = runner.invoke(app, [*base, "--pushes-until", "soon", "--out", str(tmp_path)])
    assert res.exit_code == 2 and "--pushes-until" in res.output
