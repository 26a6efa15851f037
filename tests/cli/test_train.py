"""``fanpin train``: a bad model config is a clean error; --kind forced, and
what the command says when the kept model is inside the noise of the rules."""

from __future__ import annotations

import json

from typer.testing import CliRunner

from fanpin.cli import app


def test_cli_bad_config_is_a_clean_error(tmp_path, sim):
    panel = tmp_path / "panel.parquet"
    sim.panel.to_parquet(panel)
    p = tmp_path / "model.yaml"
    p.write_text("booster: {learning_rate: -1}\n", encoding="utf-8")
    res = CliRunner().invoke(
        app, ["train", str(panel), "--out", str(tmp_path / "m"), "--config", str(p)]
    )
    assert res.exit_code == 1 and isinstance(res.exception, SystemExit)
    assert "'booster.learning_rate' is -1" in res.output
    assert "Traceback" not in res.output and not (tmp_path / "m").exists()


def test_cli_kind_forced_and_noise_line(sim, tmp_path):
    panel = tmp_path / "panel.parquet"
    sim.panel.to_parquet(panel)
    cfg = tmp_path / "model.yaml"
    cfg.write_text("booster: {n_estimators: 50, min_child_samples: 20}\n", "utf-8")
    r = CliRunner()
    res = r.invoke(app, ["train", str(panel), "--out", str(tmp_path / "m"),
                         "--config", str(cfg), "--kind", "logistic"])  # fmt: skip
    assert res.exit_code == 0, res.output
    assert "Kept: logistic (forced (--kind))" in res.output
    card = json.loads((tmp_path / "m" / "model_card.json").read_text("utf-8"))
    assert card["model_kind"] == "logistic"
    v = card["choice"]["versus_rules"]
    said = "inside the noise" in res.output
    assert said == v["inside_noise"]
    res = r.invoke(app, ["score", str(panel), "--model", str(tmp_path / "m"),
                         "--out", str(tmp_path / "s.csv")])  # fmt: skip
    assert res.exit_code == 0, res.output
    res = r.invoke(app, ["train", str(panel), "--out", str(tmp_path / "m2"),
                         "--kind", "trees"])  # fmt: skip
    assert res.exit_code == 1 and "--kind must be one of" in res.output
    assert "Traceback" not in res.output
