"""The contract's hardship and label definitions, pinned at each boundary."""

import numpy as np
import pandas as pd
import pytest

from fanpin.exceptions import ConfigError
from fanpin.schema import (
    hardship_reasons,
    in_hardship,
    make_labels,
    per_capita_income_after_rigid,
    validate_households,
)

from ..conftest import make_rows


def _income_row(pc_after_rigid, size=4, **kw):
    """A row whose per-capita income after rigid spending is exactly "
    "``pc_after_rigid``."""
    return {"household_size": size, "income_wage": pc_after_rigid * size + 1000.0,
            "income_business": 0.0, "income_transfer": 0.0,
            "medical_cost_total": 1000.0, "medical_cost_oop": 1000.0, **kw}


def test_income_boundary_just_below_and_at_the_line(lines):
    line = lines.line("甘肃省", 2023)
    panel = validate_households(make_rows(
        _income_row(line - 0.01, household_id="a"),
        _income_row(line, household_id="b"),
        _income_row(line + 0.01, household_id="c"),
    ))
    assert in_hardship(panel, lines).tolist() == [True, False, False]


def test_rigid_spending_includes_education_cost(lines):
    line = lines.line("甘肃省", 2023)
    # Income alone is above the line; school costs push it below.
    row = {"household_size": 2, "income_wage": 2 * line + 100.0, "income_business": 0.0,
           "income_transfer": 0.0, "education_cost": 202.0}
    panel = validate_households(make_rows(row))
    expected = (2 * line + 100.0 - 202.0) / 2
    assert per_capita_income_after_rigid(panel).iloc[0] == pytest.approx(expected)
    assert bool(in_hardship(panel, lines).iloc[0])


@pytest.mark.parametrize("flag,reason", [
    ({"housing_safe": False}, "housing"),
    ({"water_safe": False}, "water"),
    ({"dropout_count": 1}, "dropout"),
])
def test_each_guarantee_flag_alone_means_hardship(lines, flag, reason):
    panel = validate_households(make_rows({}, {"household_id": "x", **flag}))
    reasons = hardship_reasons(panel, lines)
    assert not reasons.iloc[0].any()
    assert reasons.iloc[1].tolist() == [c == reason for c in reasons.columns]
    assert in_hardship(panel, lines).tolist() == [False, True]


def test_province_with_its_own_line(lines):
    # 7,300 per head: above the default 2023 line (7,100), below Hubei's (7,600).
    row = _income_row(7300.0)
    panel = validate_households(make_rows(
        {**row, "household_id": "gs", "province": "甘肃省"},
        {**row, "household_id": "hb", "province": "湖北省"},
    ))
    assert in_hardship(panel, lines).tolist() == [False, True]


def test_year_missing_from_lines_names_the_year(lines):
    panel = validate_households(make_rows({"year": 2030}))
    with pytest.raises(ConfigError, match="2030"):
        in_hardship(panel, lines)


def test_labels_follow_the_contract(lines):
    line = lines.default[2024]
    poor = _income_row(line - 500)
    panel = validate_households(make_rows(
        # fell: fine in 2023, in hardship in 2024
        {"household_id": "fell", "year": 2023},
        {"household_id": "fell", "year": 2024, **poor},
        # stayed fine
        {"household_id": "fine", "year": 2023},
        {"household_id": "fine", "year": 2024},
        # already in hardship in 2023: no label, even though 2024 is fine
        {"household_id": "hard", "year": 2023, "housing_safe": False},
        {"household_id": "hard", "year": 2024},
        # no record in 2024: no label
        {"household_id": "gone", "year": 2023},
        # a gap: 2022 then 2024 -> 2022 has no t+1 record
        {"household_id": "gap", "year": 2022},
        {"household_id": "gap", "year": 2024, **poor},
    ))
    labels = make_labels(panel, lines)
    assert labels.dtype == "Int8"
    got = dict(zip(panel["household_id"] + "/" + panel["year"].astype(str),
                   labels.astype("float").tolist(), strict=True))
    assert got["fell/2023"] == 1
    assert got["fine/2023"] == 0
    assert np.isnan(got["hard/2023"])
    assert np.isnan(got["gone/2023"])
    assert np.isnan(got["gap/2022"])
    # The latest year never has a label.
    assert labels[panel["year"] == 2024].isna().all()


def test_labels_do_not_depend_on_row_order(lines):
    line = lines.default[2024]
    panel = validate_households(make_rows(
        {"household_id": "a", "year": 2023},
        {"household_id": "a", "year": 2024, **_income_row(line - 1)},
        {"household_id": "b", "year": 2023},
        {"household_id": "b", "year": 2024},
    ))
    shuffled = panel.sample(frac=1.0, random_state=3)
    pd.testing.assert_series_equal(
        make_labels(panel, lines), make_labels(shuffled, lines).sort_index())
