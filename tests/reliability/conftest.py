"""Shared fixtures of the reliability suite: a small simulated panel, a trained
model directory and a CLI runner that checks errors are clean."""

from __future__ import annotations

import pytest
from typer.testing import CliRunner

from fanpin.config import ModelConfig
from fanpin.models import save_model, train_risk_model
from fanpin.synthetic import simulate

#: A small, fast model configuration (the shipped one trains 300 trees).
SMALL_MODEL_YAML = "booster: {n_estimators: 10, min_child_samples: 20}\n"


def small_config() -> ModelConfig:
    return ModelConfig(booster={"n_estimators": 10, "min_child_samples": 20}, seed=0)


def invoke(args: list[str]):
    """Run the fanpin CLI in-process as ``fanpin`` does (warnings printed as
    "warning:" lines, not raised); never lets an exception escape silently."""
    import warnings

    from fanpin import cli
    from fanpin.cli._output import show_warning
    from fanpin.exceptions import FanpinWarning

    with warnings.catch_warnings():
        warnings.simplefilter("always", FanpinWarning)
        warnings.showwarning = show_warning
        return CliRunner().invoke(cli.app, [str(a) for a in args])


def assert_clean_error(result, *fragments: str) -> None:
    """Exit code 1 through SystemExit, no traceback, every fragment in the output."""
    assert result.exit_code == 1, result.output
    assert isinstance(result.exception, SystemExit), repr(result.exception)
    assert "Traceback" not in result.output
    for f in fragments:
        assert f in result.output, (f, result.output)


@pytest.fixture(scope="session")
def sim():
    return simulate(300, years=range(2021, 2025), seed=0, n_jobs=1)


@pytest.fixture(scope="session")
def model_dir(sim, tmp_path_factory):
    d = tmp_path_factory.mktemp("model")
    pipe = train_risk_model(sim.panel, sim.lines, small_config(), seed=0)
    save_model(pipe, d)
    return d


@pytest.fixture(scope="session")
def lines_yaml(sim, tmp_path_factory):
    p = tmp_path_factory.mktemp("lines") / "lines.yaml"
    p.write_text(sim.lines.to_yaml(), encoding="utf-8")
    return p
