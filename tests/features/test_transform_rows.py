"""transform_rows(X, rows) is transform(X).loc[rows], computed for those rows only."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from fanpin.features import DOMAINS, PanelFeatures
from fanpin.features._union import BUILDERS


@pytest.fixture(scope="module")
def gappy_panel(sim) -> pd.DataFrame:
    """The shared world's panel with gaps, single-year households and a
    shuffled index."""
    panel = sim.panel
    rng = np.random.default_rng(0)
    ids = panel["household_id"].unique()
    gap = set(rng.choice(ids, 40, replace=False))  # no record in 2022
    single = set(rng.choice(sorted(set(ids) - gap), 30, replace=False))
    drop = (panel["household_id"].isin(gap) & (panel["year"] == 2022)) | (
        panel["household_id"].isin(single) & (panel["year"] < 2024)
    )
    panel = panel.loc[~drop.to_numpy()]
    # A non-default unique index, rows out of (household, year) order.
    order = rng.permutation(len(panel))
    panel = panel.iloc[order]
    panel.index = pd.Index(rng.permutation(10 * len(panel))[: len(panel)] + 7)
    return panel


def test_latest_year_rows_equal_transform(gappy_panel):
    pf = PanelFeatures().fit(gappy_panel)
    full = pf.transform(gappy_panel)
    rows = gappy_panel.index[(gappy_panel["year"] == 2024).to_numpy()]
    got = pf.transform_rows(gappy_panel, rows)
    pd.testing.assert_frame_equal(got, full.loc[rows], check_exact=True)
    assert got.shape[0] == len(rows) < len(gappy_panel)


def test_any_order_subset_and_mask(gappy_panel):
    pf = PanelFeatures().fit(gappy_panel)
    full = pf.transform(gappy_panel)
    rng = np.random.default_rng(1)
    rows = rng.choice(gappy_panel.index.to_numpy(), 57, replace=False)
    pd.testing.assert_frame_equal(
        pf.transform_rows(gappy_panel, rows), full.loc[rows], check_exact=True
    )
    mask = (gappy_panel["year"] != 2023).to_numpy()
    pd.testing.assert_frame_equal(
        pf.transform_rows(gappy_panel, mask), full.loc[mask], check_exact=True
    )
    empty = pf.transform_rows(gappy_panel, [])
    assert empty.shape == (0, full.shape[1])
    assert list(empty.columns) == list(full.columns)


@pytest.mark.parametrize("domain", DOMAINS)
def test_each_builder(domain, panel, lines):
    b = (BUILDERS[domain](lines=lines) if domain == "income" else BUILDERS[domain]())
    b.fit(panel)
    rows = panel.index[(panel["year"] == 2023).to_numpy()][::-1]
    pd.testing.assert_frame_equal(
        b.transform_rows(panel, rows), b.transform(panel).loc[rows], check_exact=True
    )


def test_unknown_or_duplicated_labels(panel, lines):
    pf = PanelFeatures(lines=lines).fit(panel)
    with pytest.raises(KeyError, match="not in the panel's index"):
        pf.transform_rows(panel, [0, 10_000])
    doubled = panel.set_axis([0] * len(panel))
    with pytest.raises(ValueError, match="unique"):
        pf.transform_rows(doubled, [0])
