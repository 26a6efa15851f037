"""What train_risk_model returns is a scikit-learn estimator; the model config is
checked with the estimator's own constraints; clear errors for data that cannot
train a model; optional columns missing at scoring are named."""

from __future__ import annotations

import warnings

import numpy as np
import pytest
from sklearn.base import clone
from sklearn.model_selection import GridSearchCV, cross_val_score
from typer.testing import CliRunner

from fanpin.cli import app
from fanpin.config import (
    BOOSTER_PARAMS,
    RISK_MODEL_CONSTRAINTS,
    ModelConfig,
    load_model_config,
)
from fanpin.evaluate import TemporalSplit
from fanpin.exceptions import ConfigError, ModelError
from fanpin.models import (
    ModelColumnsWarning,
    RiskModel,
    RiskPipeline,
    train_risk_model,
)
from fanpin.schema import make_labels
from fanpin.scoring import score_panel

FAST = ModelConfig(booster={"n_estimators": 30, "min_child_samples": 20}, seed=0)


def test_risk_model_defaults_are_the_shipped_config():
    shipped = load_model_config().risk_model_params()
    params = RiskModel().get_params()
    for key, value in shipped.items():
        if key == "monotone_constraints" and not load_model_config().monotone:
            assert params[key] is None
            continue
        assert params[key] == value, key
    # the booster parameters are listed once: the estimator's constraints are
    # the config's own objects
    for name in BOOSTER_PARAMS:
        assert RiskModel._parameter_constraints[name] is RISK_MODEL_CONSTRAINTS[name]


@pytest.mark.parametrize(
    ("yaml", "key", "allowed"),
    [
        ("booster: {learning_rate: -1}", "'booster.learning_rate' is -1", "(0.0, inf)"),
        ("booster: {num_leaves: 1}", "'booster.num_leaves' is 1", "[2, 131072]"),
        ("booster: {n_estimators: 2.5}", "'booster.n_estimators' is 2.5", "an int"),
        ("booster: {subsample: 1.5}", "'booster.subsample' is 1.5", "(0.0, 1.0]"),
        ("booster: {num_leaves: yes}", "'booster.num_leaves' is True", "an int"),
        ("booster: {reg_lambda: .inf}", "'booster.reg_lambda' is inf", "[0.0, inf)"),
        ("booster: {max_leaves: 3}", "unknown booster parameter", "num_leaves"),
        ("early_stopping_rounds: 0", "'early_stopping_rounds' is 0", "or null"),
        (
            "early_stopping_metric: recall",
            "'early_stopping_metric'",
            "'auc', 'logloss'",
        ),
        ("calibration: platt", "'calibration' is 'platt'", "'isotonic'"),
        ("n_jobs: 0", "'n_jobs' is 0", "[1, inf)"),
        ("seed: -1", "'seed' is -1", "[0, inf)"),
        ("refit_full: maybe", "'refit_full' is 'maybe'", "true or false"),
        ("logistic_C: 0", "'logistic_C' is 0", "(0.0, inf)"),
        ("booster: [1, 2]", "'booster' must be a mapping", "[1, 2]"),
    ],
)
def test_bad_config_value_names_key_value_and_what_is_allowed(
    tmp_path, yaml, key, allowed
):
    p = tmp_path / "model.yaml"
    p.write_text(yaml + "\n", encoding="utf-8")
    with pytest.raises(ConfigError) as info:
        load_model_config(p)
    assert key in str(info.value) and allowed in str(info.value), str(info.value)


def test_pipeline_is_a_scikit_learn_estimator(sim):
    pipe = RiskPipeline(lines=sim.lines, config=FAST, kind="logistic")
    twin = clone(pipe)
    assert twin.get_params() == pipe.get_params()
    assert twin.set_params(kind="rules").kind == "rules" and pipe.kind == "logistic"
    pipe.fit(sim.panel)
    assert list(pipe.classes_) == [0, 1] and pipe.kind_ == "logistic"
    p = pipe.predict_proba(sim.panel)
    assert p.shape == (len(sim.panel), 2)
    np.testing.assert_allclose(p.sum(axis=1), 1.0)
    assert set(np.unique(pipe.predict(sim.panel))) <= {0, 1}
    assert not hasattr(clone(pipe), "model_")  # clone is unfitted
    with pytest.raises(ModelError, match="not fitted"):
        clone(pipe).model  # noqa: B018


def test_cross_validation_with_the_temporal_splitter(sim):
    y = make_labels(sim.panel, sim.lines)
    rows = sim.panel[y.notna().to_numpy()]
    labels = y[rows.index].astype(int).to_numpy()
    cv = TemporalSplit(min_train_years=2)
    pipe = RiskPipeline(lines=sim.lines, config=FAST, kind="gbdt", history=sim.panel)
    scores = cross_val_score(
        pipe, rows, labels, cv=cv, groups=rows["year"], scoring="roc_auc"
    )
    assert len(scores) == cv.get_n_splits(rows) == 1 and 0.5 < scores[0] <= 1
    # the history-aware features of a fold equal those of the whole panel
    full = train_risk_model(sim.panel, sim.lines, FAST, kind="gbdt")
    tr, te = next(cv.split(rows))
    fold = clone(pipe).fit(rows.iloc[tr], labels[tr])
    whole = full.features.transform(sim.panel).loc[rows.index[te], full.feature_names]
    got = fold.feature_frame(rows.iloc[te])
    np.testing.assert_array_equal(got.to_numpy(), whole.to_numpy())
    search = GridSearchCV(
        pipe, {"kind": ["rules", "logistic"]}, cv=cv, scoring="roc_auc"
    ).fit(rows, labels, groups=rows["year"])
    assert search.best_params_["kind"] in {"rules", "logistic"}


def test_history_must_hold_the_rows(sim):
    pipe = RiskPipeline(lines=sim.lines, config=FAST, history=sim.panel.iloc[:10])
    with pytest.raises(ModelError, match="not in the history panel"):
        pipe.fit(sim.panel)


@pytest.mark.parametrize("how", ["nobody", "few"])
def test_panel_where_nobody_or_few_fall(sim, tmp_path, how):
    from fanpin.config import MonitoringLines

    years = sorted(sim.panel["year"].unique())
    # The national floor as the line, and everyone a million yuan richer: nobody is
    # ever in hardship ...
    lines = MonitoringLines(default={int(y): 6000.0 for y in years})
    panel = sim.panel.assign(
        housing_safe=True,
        water_safe=True,
        dropout_count=0,
        income_transfer=sim.panel["income_transfer"] + 1e6,
    )
    if how == "few":  # ... but a handful whose income collapses in the last year
        hit = panel["household_id"].isin(panel["household_id"].unique()[:3])
        late = panel["year"] == years[-1]
        panel.loc[hit & late, ["income_wage", "income_business", "income_transfer"]] = 0
        assert int(make_labels(panel, lines).sum()) < 10
    match = "Nobody in the panel falls" if how == "nobody" else "a model needs at least"
    with pytest.raises(ModelError, match=match):
        train_risk_model(panel, lines, FAST)
    f = tmp_path / "panel.parquet"
    panel.to_parquet(f)
    lines_file = tmp_path / "lines.yaml"
    lines_file.write_text(lines.to_yaml(), encoding="utf-8")
    res = CliRunner().invoke(app, ["train", str(f), "--out", str(tmp_path / "m"),
                                   "--lines", str(lines_file)])  # fmt: skip
    assert res.exit_code == 1 and "Traceback" not in res.output, res.output
    assert match in " ".join(res.output.split())


def test_optional_columns_missing_at_scoring_are_named(sim):
    pipe = train_risk_model(sim.panel, sim.lines, FAST, kind="gbdt")
    trained = pipe.training["optional_columns"]
    assert "education_cost" in trained
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        score_panel(pipe, sim.panel)  # nothing missing: no warning
    less = sim.panel.drop(columns=["education_cost"]).assign(income_property=np.nan)
    with pytest.warns(ModelColumnsWarning, match="education_cost") as rec:
        score_panel(pipe, less)
    assert "income_property" in str(rec[0].message)
