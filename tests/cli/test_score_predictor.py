"""`fanpin score --predictor`: lignum same file; bad name: clear error."""

from __future__ import annotations

import sys

import pytest
from typer.testing import CliRunner

from fanpin.cli import app
from fanpin.models import save_model


@pytest.fixture
def model_dir(tmp_path):
    import dataclasses

    from fanpin.config import load_model_config
    from fanpin.models import train_risk_model
    from fanpin.synthetic import SimulationParams, simulate

    panel = simulate(300, years=range(2022, 2025), seed=5, n_jobs=1,
                     params=SimulationParams(oracle_draws=1)).panel  # fmt: skip
    cfg = load_model_config()
    cfg = dataclasses.replace(
        cfg, booster={**cfg.booster, "n_estimators": 20, "min_child_samples": 10}
    )
    path = tmp_path / "model"
    save_model(train_risk_model(panel, config=cfg, seed=0), path)
    panel.to_parquet(tmp_path / "panel.parquet", index=False)
    return path


def _score(tmp_path, model_dir, out, *extra):
    return CliRunner().invoke(app, [
        "score", str(tmp_path / "panel.parquet"), "--model", str(model_dir),
        "--out", str(out), "--quiet", *extra,
    ])  # fmt: skip


def test_predictor_lignum_same_scores_file(tmp_path, model_dir):
    pytest.importorskip("lignum")
    a = _score(tmp_path, model_dir, tmp_path / "a.csv")
    b = _score(tmp_path, model_dir, tmp_path / "b.csv", "--predictor", "lignum")
    assert a.exit_code == 0 and b.exit_code == 0, a.output + b.output
    assert (tmp_path / "b.csv").read_bytes() == (tmp_path / "a.csv").read_bytes()


def test_predictor_errors_are_messages_not_tracebacks(tmp_path, model_dir,
                                                      monkeypatch):  # fmt: skip
    bad = _score(tmp_path, model_dir, tmp_path / "c.csv", "--predictor", "fast")
    assert bad.exit_code == 1
    assert "lightgbm, lignum" in bad.output and "Traceback" not in bad.output
    monkeypatch.setitem(sys.modules, "lignum", None)
    absent = _score(tmp_path, model_dir, tmp_path / "d.csv", "--predictor", "lignum")
    assert absent.exit_code == 1
    assert "fanpin[fast-predict]" in absent.output
    assert not (tmp_path / "d.csv").exists()
