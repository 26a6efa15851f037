"""fanpin train / score / evaluate through typer's CliRunner."""

from __future__ import annotations

import pandas as pd
from typer.testing import CliRunner

from fanpin.cli import app


def test_train_score_evaluate(tmp_path, sim):
    panel = tmp_path / "panel.parquet"
    sim.panel.to_parquet(panel)
    truth = tmp_path / "truth.csv"
    sim.truth.to_csv(truth, index=False)
    cfg = tmp_path / "model.yaml"
    cfg.write_text(
        "booster: {n_estimators: 10, min_child_samples: 20}\n", encoding="utf-8"
    )
    r = CliRunner()
    res = r.invoke(
        app,
        [
            "train",
            str(panel),
            "--out",
            str(tmp_path / "m"),
            "--config",
            str(cfg),
            "--seed",
            "1",
        ],
    )
    assert res.exit_code == 0, res.output
    out = tmp_path / "scores.csv"
    res = r.invoke(
        app, ["score", str(panel), "--model", str(tmp_path / "m"), "--out", str(out)]
    )
    assert res.exit_code == 0, res.output
    scores = pd.read_csv(out, encoding="utf-8-sig")
    monitored = pd.read_csv(tmp_path / "scores.monitored.csv", encoding="utf-8-sig")
    n = sim.panel.loc[sim.panel["year"] == sim.panel["year"].max()].shape[0]
    assert len(scores) + len(monitored) == n
    assert f"= {n:,} households" in res.output
    res = r.invoke(
        app,
        [
            "evaluate",
            str(panel),
            "--truth",
            str(truth),
            "--config",
            str(cfg),
            "--out",
            str(tmp_path / "ev"),
        ],
    )
    assert res.exit_code == 0, res.output
    assert (tmp_path / "ev" / "summary.csv").is_file()
    assert (tmp_path / "ev" / "backtest.json").is_file()
    res = r.invoke(
        app, ["score", str(panel), "--model", str(tmp_path / "nope"), "--out", str(out)]
    )
    assert res.exit_code == 1
