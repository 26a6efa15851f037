"""PSI and stability reports: values computed by hand on small samples."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

from fanpin.exceptions import InputError
from fanpin.monitor import drift_between_years, psi, psi_band, stability_report
from fanpin.monitor._psi import MSG_MISSING_COLUMNS, MSG_SCORE_PAIR


def _psi_by_hand(e: list[float], a: list[float]) -> float:
    return sum((ai - ei) * math.log(ai / ei) for ei, ai in zip(e, a, strict=True))


def test_identical_samples_give_zero():
    x = np.random.default_rng(1).normal(size=1000)
    assert psi(x, x) == pytest.approx(0.0, abs=1e-12)


def test_few_distinct_values_each_value_is_a_bin():
    # reference: 0 x 6, 1 x 3, 2 x 1; current: 0 x 3, 1 x 3, 2 x 4
    ref = [0] * 6 + [1] * 3 + [2] * 1
    cur = [0] * 3 + [1] * 3 + [2] * 4
    assert psi(ref, cur) == pytest.approx(
        _psi_by_hand([0.6, 0.3, 0.1], [0.3, 0.3, 0.4])
    )


def test_nan_is_its_own_bin_and_empty_bins_use_epsilon():
    ref = [0.0] * 5 + [1.0] * 5
    cur = [0.0] * 5 + [np.nan] * 5  # the 1.0 bin is empty, NaN appears
    eps = 1e-4
    expected = _psi_by_hand([0.5, 0.5, eps], [0.5, eps, 0.5])
    assert psi(ref, cur, epsilon=eps) == pytest.approx(expected)
    assert np.isfinite(psi(ref, cur))


def test_quantile_bins_from_the_reference():
    ref = np.arange(1000, dtype=float)
    # Each decile of the reference holds 10 %; a current sample all in the top decile:
    cur = np.full(100, 995.0)
    eps = 1e-4
    expected = _psi_by_hand([0.1] * 10 + [eps], [eps] * 9 + [1.0] + [eps])
    assert psi(ref, cur, bins=10, epsilon=eps) == pytest.approx(expected)


def test_values_outside_the_reference_range_land_in_outer_bins():
    ref = np.arange(100, dtype=float)
    assert psi(ref, ref + 1000) == pytest.approx(psi(ref, np.full(100, 99.0)))


def test_shift_increases_psi():
    rng = np.random.default_rng(0)
    ref = rng.normal(size=4000)
    small, large = psi(ref, ref + 0.1), psi(ref, ref + 1.0)
    assert 0 < small < 0.1 < 0.25 < large


@pytest.mark.parametrize(
    ("value", "zh", "en"),
    [
        (0.0, "稳定", "stable"),
        (0.0999, "稳定", "stable"),
        (0.1, "轻微偏移", "slight shift"),
        (0.2499, "轻微偏移", "slight shift"),
        (0.25, "显著偏移", "significant shift"),
    ],
)
def test_bands(value, zh, en):
    assert psi_band(value) == zh
    assert psi_band(value, language="en") == en


@pytest.mark.parametrize(
    ("args", "match"),
    [
        (([], [1.0]), "at least one value"),
        (
            (
                [1.0],
                [1.0],
            ),
            None,
        ),
        ((["a", "b"], ["a"]), "numeric"),
    ],
)
def test_psi_input_errors(args, match):
    if match is None:
        assert psi(*args) == 0.0
    else:
        with pytest.raises(InputError, match=match):
            psi(*args)
    with pytest.raises(InputError, match="bins"):
        psi([1.0, 2.0], [1.0], bins=1)


def test_stability_report_rows_and_bands():
    rng = np.random.default_rng(0)
    ref = pd.DataFrame({"a": rng.normal(size=3000), "b": rng.normal(size=3000)})
    cur = pd.DataFrame(
        {"a": rng.normal(size=3000), "b": rng.normal(1.0, size=3000), "extra": 1.0}
    )
    s_ref, s_cur = rng.uniform(size=3000), rng.uniform(size=3000)
    rep = stability_report(ref, cur, score_ref=s_ref, score_cur=s_cur)
    assert rep["variable"].tolist() == ["score", "a", "b"]
    assert rep["kind"].tolist() == ["score", "feature", "feature"]
    assert rep.loc[2, "psi"] == pytest.approx(psi(ref["b"], cur["b"]))
    assert rep.loc[0, "psi"] == pytest.approx(psi(s_ref, s_cur))
    assert rep["band"].tolist() == [psi_band(v) for v in rep["psi"]]
    assert rep.loc[2, "band_en"] == "significant shift"
    assert rep.loc[1, "mean_cur"] == pytest.approx(cur["a"].mean())


def test_stability_report_errors():
    ref = pd.DataFrame({"a": [1.0, 2.0], "b": [1.0, 2.0]})
    with pytest.raises(InputError, match=r"lack \['b'\]"):
        stability_report(ref, ref[["a"]])
    assert "same feature columns" in MSG_MISSING_COLUMNS
    with pytest.raises(InputError) as err:
        stability_report(ref, ref, score_ref=[0.1, 0.2])
    assert str(err.value) == MSG_SCORE_PAIR.format(given="score_ref")


def test_drift_between_years_consecutive_and_first():
    rng = np.random.default_rng(0)
    frame = pd.DataFrame(
        {
            "year": np.repeat([2021, 2022, 2023], 1000),
            "x": np.r_[rng.normal(size=2000), rng.normal(2, size=1000)],
        }
    )
    score = rng.uniform(size=3000)
    out = drift_between_years(frame, "year", score=score)
    assert out[["year_ref", "year_cur"]].drop_duplicates().values.tolist() == [
        [2021, 2022],
        [2022, 2023],
    ]
    row = out[(out["year_cur"] == 2023) & (out["variable"] == "x")].iloc[0]
    x = frame["x"].to_numpy()
    assert row["psi"] == pytest.approx(psi(x[1000:2000], x[2000:]))
    first = drift_between_years(
        frame.drop(columns="year"), frame["year"], baseline="first"
    )
    assert first["year_ref"].unique().tolist() == [2021]
    with pytest.raises(InputError, match="at least two years"):
        drift_between_years(frame, np.full(3000, 2021))
    with pytest.raises(InputError, match="one year per row"):
        drift_between_years(frame, [2021, 2022])
