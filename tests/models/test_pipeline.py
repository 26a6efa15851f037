"""train_risk_model / score_panel on a small simulated panel; persistence."""

from __future__ import annotations

import json

import numpy as np
import pytest

from fanpin.exceptions import ModelError
from fanpin.models import (
    ModelVersionWarning,
    _persist,
    load_model,
    read_model_card,
    save_model,
    train_risk_model,
)
from fanpin.schema import in_hardship, make_labels
from fanpin.scoring import score_panel


@pytest.fixture(scope="module")
def pipe(sim, small_config):
    return train_risk_model(sim.panel, sim.lines, small_config)


def test_trains_on_every_labelled_transition(pipe, sim):
    y = make_labels(sim.panel, sim.lines)
    assert pipe.training["n_rows"] == int(y.notna().sum())
    assert pipe.training["years"] == [2021, 2022, 2023]
    assert pipe.model.validation_["year"] == 2023
    assert pipe.choice_["validation_year"] == 2023
    assert pipe.training["positive_rate"] == pytest.approx(float(y.dropna().mean()))


def test_score_accounting(pipe, sim):
    panel = sim.panel
    scores, monitored = score_panel(pipe, panel)
    latest = panel[panel["year"] == panel["year"].max()]
    assert len(scores) + len(monitored) == latest["household_id"].nunique()
    assert not set(scores["household_id"]) & set(monitored["household_id"])
    hard = in_hardship(latest, sim.lines)
    assert set(monitored["household_id"]) == set(latest.loc[hard, "household_id"])
    assert scores["risk_rank"].tolist() == list(range(1, len(scores) + 1))
    assert scores["risk_score"].is_monotonic_decreasing
    n_high = int(np.ceil(pipe.config.risk_levels["high"] * len(scores)))
    assert (scores["risk_level"].iloc[:n_high] == "高").all()
    assert (monitored["reasons"].str.len() > 0).all()


def test_save_is_deterministic_and_load_roundtrips(tmp_path, sim, small_config, pipe):
    other = train_risk_model(sim.panel, sim.lines, small_config)
    save_model(pipe, tmp_path / "a")
    save_model(other, tmp_path / "b")
    names = sorted(p.name for p in (tmp_path / "a").iterdir())
    assert names == sorted(p.name for p in (tmp_path / "b").iterdir())
    assert "model.json" in names and "model_card.json" in names
    for name in names:
        assert (tmp_path / "a" / name).read_bytes() == (
            tmp_path / "b" / name
        ).read_bytes()
    back = load_model(tmp_path / "a")
    np.testing.assert_array_equal(
        back.predict_proba(sim.panel), pipe.predict_proba(sim.panel)
    )
    card = read_model_card(tmp_path / "a")
    text = (tmp_path / "a" / "model_card.json").read_text(encoding="utf-8")
    assert text == json.dumps(card, sort_keys=True, ensure_ascii=False, indent=2) + "\n"
    assert card["feature_names"] == pipe.feature_names
    assert card["training"]["data_sha256"] == pipe.training["data_sha256"]
    assert card["lines"]["default"]["2021"] == sim.lines.to_dict()["default"][2021]
    for lib in ("numpy", "pandas", "scikit-learn", "lightgbm", "python", "fanpin"):
        assert lib in card["versions"]
    ids = set(sim.panel["household_id"].astype(str))
    assert not any(i in text for i in list(ids)[:50])


def test_load_refuses_tampered_and_missing(tmp_path, pipe):
    d = save_model(pipe, tmp_path / "m")
    f = d / "model.json"
    raw = bytearray(f.read_bytes())
    raw[-1] ^= 1
    f.write_bytes(bytes(raw))
    with pytest.raises(ModelError, match="does not match its model card"):
        load_model(d)
    (d / "model_card.json").unlink()
    with pytest.raises(ModelError, match="has no model_card.json"):
        load_model(d)


def test_version_policy(tmp_path, pipe, monkeypatch):
    d = save_model(pipe, tmp_path / "m")
    card = read_model_card(d)
    now = _persist.library_versions()
    major = dict(now, lightgbm="99.0.0")
    monkeypatch.setattr(
        _persist, "read_model_card", lambda _d: {**card, "versions": major}
    )
    with pytest.raises(ModelError, match="different major version"):
        load_model(d)
    sk = now["scikit-learn"].split(".")
    minor = dict(now, **{"scikit-learn": f"{sk[0]}.{int(sk[1]) + 1}.0"})
    monkeypatch.setattr(
        _persist, "read_model_card", lambda _d: {**card, "versions": minor}
    )
    with pytest.warns(ModelVersionWarning, match="retrain"):
        load_model(d)
