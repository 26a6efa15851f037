"""A model directory is replaced whole: a crash or a kill during `fanpin train`
over an existing model never destroys the previous good model."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time

import numpy as np
import pytest

from fanpin.config import ModelConfig
from fanpin.exceptions import ModelError, OutputError
from fanpin.io import process_alive
from fanpin.models import (
    load_model,
    read_model_card,
    save_model,
    train_risk_model,
)

FAST = ModelConfig(booster={"n_estimators": 20, "min_child_samples": 20}, seed=0)


@pytest.fixture(scope="module")
def two_models(sim):
    old = train_risk_model(sim.panel, sim.lines, FAST, kind="logistic")
    new = train_risk_model(sim.panel, sim.lines, FAST, kind="gbdt")
    return old, new


def _files(d):
    return sorted(p.name for p in d.iterdir())


def test_failed_write_leaves_the_previous_model(tmp_path, two_models, sim, monkeypatch):
    old, new = two_models
    d = save_model(old, tmp_path / "m")
    before = {n: (d / n).read_bytes() for n in _files(d)}

    def boom(self, *a, **k):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr("fanpin.models._persist.os.fsync", boom)
    with pytest.raises(OutputError, match="No space left"):
        save_model(new, d)
    assert {n: (d / n).read_bytes() for n in _files(d)} == before
    assert [p.name for p in tmp_path.iterdir()] == ["m"]  # no half-written sibling
    assert load_model(d).kind_ == "logistic"


def test_killed_between_the_renames_is_recovered(tmp_path, two_models):
    old, new = two_models
    d = save_model(old, tmp_path / "m")
    dead = 2**22 + 12345  # a process id that does not run
    assert not process_alive(dead)
    # what a kill between the two renames leaves: the previous model set aside,
    # the new one complete beside it, nothing at the target
    os.rename(d, tmp_path / f".m.{dead}.k3j.old")
    (tmp_path / f".m.{dead}.x7q.tmp").mkdir()
    with pytest.raises(ModelError, match="previous model was set aside") as info:
        load_model(d)
    assert f".m.{dead}.k3j.old" in str(info.value)
    save_model(new, d)  # the next train restores it first, then replaces it whole
    assert load_model(d).kind_ == "gbdt"
    assert [p.name for p in tmp_path.iterdir()] == ["m"]


def test_out_that_is_not_a_model_directory_is_refused(tmp_path, two_models):
    old, _ = two_models
    (tmp_path / "notes.txt").write_text("important\n", encoding="utf-8")
    with pytest.raises(OutputError, match="not a model directory"):
        save_model(old, tmp_path)
    assert (tmp_path / "notes.txt").read_text(encoding="utf-8") == "important\n"
    f = tmp_path / "file"
    f.write_text("x", encoding="utf-8")
    with pytest.raises(OutputError, match="not a folder"):
        save_model(old, f)


def test_same_seed_same_bytes_and_replacing_changes_every_file(tmp_path, two_models):
    old, new = two_models
    a = save_model(new, tmp_path / "a")
    b = save_model(old, tmp_path / "b")
    save_model(new, b)  # replaced whole: no file of the logistic model is left
    assert _files(a) == _files(b)
    for n in _files(a):
        assert (a / n).read_bytes() == (b / n).read_bytes()
    assert read_model_card(b)["model_kind"] == "gbdt"


@pytest.mark.skipif(os.name != "posix", reason="needs SIGKILL")
@pytest.mark.parametrize("delay", [0.0, 0.2, 0.5])
def test_sigkill_during_train_keeps_a_loadable_model(tmp_path, two_models, sim, delay):
    old, _ = two_models
    panel = tmp_path / "panel.parquet"
    sim.panel.to_parquet(panel)
    cfg = tmp_path / "model.yaml"
    cfg.write_text("booster: {n_estimators: 20, min_child_samples: 20}\n", "utf-8")
    d = save_model(old, tmp_path / "m")
    before = old.predict_proba(sim.panel)
    cmd = [sys.executable, "-m", "fanpin", "train", str(panel), "--out", str(d),
           "--config", str(cfg), "--kind", "gbdt", "--quiet"]  # fmt: skip
    proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 120
    # wait for the new sibling to appear (writing has started), then a little more
    while proc.poll() is None and time.monotonic() < deadline:
        if any(p.name.endswith(".tmp") for p in tmp_path.iterdir()):
            break
        time.sleep(0.001)
    time.sleep(delay)
    proc.send_signal(signal.SIGKILL)
    proc.wait(30)
    try:
        model = load_model(d)
    except ModelError as exc:  # killed between the two renames: said, and repaired
        assert "set aside" in str(exc)
        save_model(old, d)
        model = load_model(d)
    p = model.predict_proba(sim.panel)
    assert model.kind_ in {"logistic", "gbdt"}
    if model.kind_ == "logistic":
        np.testing.assert_array_equal(p, before)
