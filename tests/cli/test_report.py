"""``fanpin report`` through typer's CliRunner."""

from __future__ import annotations

from typer.testing import CliRunner

from fanpin.cli import app

runner = CliRunner()


def test_report_command_writes_one_html_file(sim, model_dir, tmp_path):
    panel = tmp_path / "panel.parquet"
    truth = tmp_path / "truth.csv"
    sim.panel.to_parquet(panel)
    sim.truth.to_csv(truth, index=False)
    out = tmp_path / "sub" / "report.html"
    res = runner.invoke(
        app,
        [
            "report",
            str(panel),
            "--model",
            str(model_dir),
            "--out",
            str(out),
            "--truth",
            str(truth),
            "--date",
            "2025-03-01",
        ],
    )
    assert res.exit_code == 0, res.output
    assert "Outputs:" in res.output and "report.html" in res.output
    text = out.read_text(encoding="utf-8")
    assert text.startswith("<!DOCTYPE html>") and "真实风险" in text
    assert [p.name for p in out.parent.iterdir()] == ["report.html"]  # atomic, no temp


def test_report_bad_model_dir_exit_1(sim, tmp_path):
    panel = tmp_path / "panel.parquet"
    sim.panel.to_parquet(panel)
    res = runner.invoke(app, ["report", str(panel), "--model", str(tmp_path / "nope")])
    assert res.exit_code == 1
    assert "model_card.json" in res.output


def test_report_needs_model_exit_2(tmp_path):
    assert runner.invoke(app, ["report", str(tmp_path / "p.csv")]).exit_code == 2
