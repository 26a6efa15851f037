"""tune_model: temporal CV, determinism, held-out comparison, config round trip."""

from __future__ import annotations

import sys

import numpy as np
import pytest

from fanpin.config import ModelConfig, load_model_config
from fanpin.evaluate import TuningResult, tune_model
from fanpin.evaluate._tuning import (
    MSG_CAPTURE_TRUTH,
    MSG_NO_OPTUNA,
    MSG_OBJECTIVE,
)
from fanpin.exceptions import ConfigError, InputError, MissingDependencyError
from fanpin.models import train_risk_model

SPACE = {
    "num_leaves": ("int", 4, 16, True),
    "learning_rate": ("float", 0.03, 0.3, True),
    "min_child_samples": ("int", 5, 60, True),
}
BASE = ModelConfig(booster={"n_estimators": 25, "min_child_samples": 20})


@pytest.fixture(scope="module")
def result(sim) -> TuningResult:
    return tune_model(
        sim.panel, sim.lines, n_trials=4, seed=1, search_space=SPACE, config=BASE
    )


def test_folds_never_touch_the_holdout_year(result):
    # simulated years 2021-2024: labelled 2021-2023, 2023 held out
    assert result.holdout_year == 2023
    assert result.folds == [([2021], 2022)]
    assert all(t < result.holdout_year for _, t in result.folds)
    assert list(result.comparison["setting"]) == ["default", "tuned"]
    assert (result.comparison["holdout_year"] == 2023).all()


def test_study_table_and_default_as_first_trial(result):
    t = result.trials
    assert len(t) == 4
    assert set(SPACE) <= set(t.columns)
    assert (t["state"] == "COMPLETE").all()
    # the first trial is the base config's own parameters
    assert t.loc[0, "num_leaves"] == 15
    assert t.loc[0, "value"] == pytest.approx(result.default_value)
    assert result.best_value == pytest.approx(t["value"].max())
    assert result.best_value >= result.default_value
    # with one fold, the trial value is that fold's value
    assert np.allclose(t["value"], t["fold_2022"])
    for name, (_, lo, hi, _) in SPACE.items():
        assert lo <= result.best_params[name] <= hi


def test_same_seed_same_study(sim, result):
    again = tune_model(
        sim.panel, sim.lines, n_trials=4, seed=1, search_space=SPACE, config=BASE
    )
    assert again.best_params == result.best_params
    assert again.trials.equals(result.trials)
    assert again.comparison.equals(result.comparison)


def test_objective_is_recall_at_k_on_holdout(result):
    c = result.comparison.set_index("setting")
    assert np.allclose(c["objective_value"], c["recall@0.05"])
    assert c["auc"].between(0, 1).all()


def test_config_round_trip_and_train(tmp_path, sim, result):
    path = result.to_config(tmp_path / "tuned.yaml")
    cfg = load_model_config(path)
    for name, value in result.best_params.items():
        assert cfg.booster[name] == value
    assert cfg.booster["n_estimators"] == 25  # untuned base values kept
    assert cfg.seed == 1
    assert cfg.calibration == BASE.calibration
    text = path.read_text(encoding="utf-8")
    assert text.startswith("# Risk model settings tuned by")
    pipe = train_risk_model(sim.panel, sim.lines, cfg, kind="gbdt")
    assert pipe.model.num_leaves == result.best_params["num_leaves"]


def test_config_accepted_by_cli(tmp_path, sim, result):
    from typer.testing import CliRunner

    from fanpin.cli import app

    cfg = result.to_config(tmp_path / "tuned.yaml")
    data = tmp_path / "panel.parquet"
    sim.panel.to_parquet(data)
    out = CliRunner().invoke(
        app, ["train", str(data), "--out", str(tmp_path / "m"), "--config", str(cfg)]
    )
    assert out.exit_code == 0, out.output
    assert (tmp_path / "m" / "model_card.json").is_file()


def test_capture_objective_uses_truth(sim):
    res = tune_model(
        sim.panel,
        sim.lines,
        n_trials=2,
        objective="capture@0.1",
        seed=0,
        search_space={"num_leaves": ("int", 4, 16, True)},
        config=BASE,
        truth=sim.truth,
    )
    c = res.comparison.set_index("setting")
    assert res.objective == "capture@0.1"
    assert np.allclose(c["objective_value"], c["capture@0.1"])
    assert c["capture@0.1"].between(0, 1).all()


def test_capture_needs_truth(sim):
    with pytest.raises(InputError, match="needs the true probabilities"):
        tune_model(sim.panel, sim.lines, n_trials=1, objective="capture@0.05")
    assert "truth=" in MSG_CAPTURE_TRUTH


@pytest.mark.parametrize("objective", ["auc", "recall@5", "recall@0", "top@0.05"])
def test_bad_objective(sim, objective):
    with pytest.raises(ConfigError) as err:
        tune_model(sim.panel, sim.lines, n_trials=1, objective=objective)
    assert str(err.value) == MSG_OBJECTIVE.format(objective=objective)


def test_bad_search_space(sim):
    with pytest.raises(ConfigError, match="search_space must map"):
        tune_model(
            sim.panel, sim.lines, n_trials=1, search_space={"depth": ("int", 1, 4, 0)}
        )


def test_too_few_years(sim):
    three = sim.panel[sim.panel["year"] <= 2023]  # 2021-2023: 2022 held out
    with pytest.raises(InputError, match="held-out year plus at least one"):
        tune_model(three, sim.lines, n_trials=1, config=BASE)


def test_optuna_verbosity_restored(sim):
    import optuna

    before = optuna.logging.get_verbosity()
    optuna.logging.set_verbosity(optuna.logging.DEBUG)
    try:
        tune_model(
            sim.panel,
            sim.lines,
            n_trials=1,
            search_space={"num_leaves": ("int", 4, 16, True)},
            config=BASE,
        )
        assert optuna.logging.get_verbosity() == optuna.logging.DEBUG
    finally:
        optuna.logging.set_verbosity(before)


def test_missing_optuna_message(monkeypatch, sim):
    monkeypatch.setitem(sys.modules, "optuna", None)
    with pytest.raises(MissingDependencyError) as err:
        tune_model(sim.panel, sim.lines, n_trials=1)
    assert str(err.value) == MSG_NO_OPTUNA
    assert "pip install 'fanpin[notebooks]'" in MSG_NO_OPTUNA
