"""The top-level API: ``fanpin.<entry point>`` for a session, imported on use."""

import subprocess
import sys

import pytest

import fanpin


def test_every_name_in_all_resolves():
    for name in fanpin.__all__:
        assert getattr(fanpin, name) is not None
    assert set(fanpin.__all__) <= set(dir(fanpin))


def test_entry_points_are_the_subpackages_objects():
    from fanpin.models import train_risk_model
    from fanpin.workflow import CaseStore

    assert fanpin.train_risk_model is train_risk_model
    assert fanpin.CaseStore is CaseStore


def test_unknown_name_is_an_attribute_error():
    with pytest.raises(AttributeError, match="no attribute 'nope'"):
        fanpin.nope  # noqa: B018


def test_import_fanpin_loads_neither_lightgbm_nor_shap():
    code = "import sys, fanpin; print('lightgbm' in sys.modules, 'shap' in sys.modules)"
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    )
    assert out.stdout.split() == ["False", "False"]


def test_version_is_a_string_not_importlib_s_function():
    assert isinstance(fanpin.__version__, str)
    public = {n for n in dir(fanpin) if not n.startswith("_")}
    assert not public & {"version", "PackageNotFoundError", "TYPE_CHECKING", "Any"}
