"""`fanpin score` streams through fanpin.scoring.score_file."""

from __future__ import annotations

import pandas as pd
from typer.testing import CliRunner

from fanpin.cli import app


def test_cli_score_streams(model_dir, panel_file, tmp_path):
    out = tmp_path / "scores.parquet"
    result = CliRunner().invoke(
        app,
        [
            "score",
            str(panel_file),
            "--model",
            str(model_dir),
            "--out",
            str(out),
            "--chunk-households",
            "300",
            "--explain",
            "top:0.05",
        ],
    )
    assert result.exit_code == 0, result.output
    scores = pd.read_parquet(out)
    assert scores["risk_rank"].tolist() == list(range(1, len(scores) + 1))
    assert "Explained" in result.output
    assert (tmp_path / "scores.monitored.parquet").exists()


def test_cli_score_bad_explain_exits_1(model_dir, panel_file, tmp_path):
    result = CliRunner().invoke(
        app,
        [
            "score",
            str(panel_file),
            "--model",
            str(model_dir),
            "--out",
            str(tmp_path / "s.csv"),
            "--explain",
            "everyone",
            "--quiet",
        ],
    )
    assert result.exit_code == 1
    assert "top:F" in result.output


def test_cli_score_workers(model_dir, panel_file, tmp_path):
    outs = []
    for w in ("1", "2"):
        out = tmp_path / f"w{w}.parquet"
        result = CliRunner().invoke(
            app,
            [
                "score", str(panel_file), "--model", str(model_dir), "--out",
                str(out), "--chunk-households", "300", "--workers", w, "--quiet",
            ],
        )  # fmt: skip
        assert result.exit_code == 0, result.output
        outs.append(out.read_bytes())
    assert outs[0] == outs[1]
    bad = CliRunner().invoke(
        app,
        [
            "score", str(panel_file), "--model", str(model_dir), "--out",
            str(tmp_path / "x.csv"), "--engine", "dask", "--workers", "2",
        ],
    )  # fmt: skip
    assert bad.exit_code == 2 and "--workers" in bad.output
