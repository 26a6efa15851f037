"""Without matplotlib, the report and the plots say which extra to install."""

from __future__ import annotations

import sys

import pandas as pd
import pytest

from fanpin.exceptions import MissingDependencyError
from fanpin.report import MSG_NO_MATPLOTLIB, build_report


@pytest.fixture
def no_matplotlib(monkeypatch):
    for name in list(sys.modules):
        if name == "matplotlib" or name.startswith("matplotlib."):
            monkeypatch.delitem(sys.modules, name)
    monkeypatch.setitem(sys.modules, "matplotlib", None)  # `import matplotlib` fails


def test_report_names_the_extra(no_matplotlib, tmp_path):
    with pytest.raises(MissingDependencyError) as info:
        build_report(pd.DataFrame(), tmp_path / "no-model")
    assert info.value.args[0].template == MSG_NO_MATPLOTLIB
    assert "pip install 'fanpin[notebooks]'" in str(info.value)
    assert str(info.value).startswith("The report needs matplotlib")
    assert isinstance(info.value, ImportError)


def test_plots_name_the_extra(no_matplotlib):
    from fanpin.plotting import plot_calibration

    t = pd.DataFrame({"mean_predicted": [0.1], "observed_rate": [0.1],
                      "observed_low": [0.0], "observed_high": [0.2]})  # fmt: skip
    with pytest.raises(
        MissingDependencyError, match=r"^Plotting needs.*fanpin\[notebooks\]"
    ):
        plot_calibration(t)
