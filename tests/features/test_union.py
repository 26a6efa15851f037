"""PanelFeatures, feature names, domains, labels and set_output."""

from __future__ import annotations

import re

import numpy as np
import pandas as pd
import pytest
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import FunctionTransformer

from fanpin.features import (
    DOMAIN_LABELS,
    DOMAINS,
    FEATURE_LABELS,
    HealthFeatures,
    IncomeFeatures,
    PanelFeatures,
    domain_of,
    feature_label,
    make_features,
)
from fanpin.features._union import BUILDERS

NAME = re.compile(r"^[a-z_]+__[a-z0-9_]+$")


def test_domains_are_exactly_the_nine():
    assert DOMAINS == (
        "income", "health", "disability", "disaster", "accident", "labour",
        "education", "housing_water", "assistance",
    )
    assert set(DOMAIN_LABELS) == set(DOMAINS)


def test_union_concatenates_every_builder(panel, lines):
    pf = PanelFeatures(lines=lines).fit(panel)
    out = pf.transform(panel)
    parts = [IncomeFeatures(lines=lines)] + [BUILDERS[d]() for d in DOMAINS[1:]]
    expected = pd.concat([b.fit(panel).transform(panel) for b in parts], axis=1)
    pd.testing.assert_frame_equal(out, expected)
    assert len(set(out.columns)) == out.shape[1]


def test_names_format_domain_and_labels(panel, lines):
    names = PanelFeatures(lines=lines).fit(panel).get_feature_names_out()
    assert all(NAME.match(n) for n in names)
    assert [domain_of(n) for n in names] == [n.split("__")[0] for n in names]
    assert set(FEATURE_LABELS) == set(names), "every feature needs one label"
    assert all(feature_label(n) and feature_label(n) != n for n in names)


def test_domain_of_rejects_unknown():
    with pytest.raises(ValueError, match="not a fanpin feature name"):
        domain_of("wealth__cows")
    with pytest.raises(ValueError, match="not a fanpin feature name"):
        domain_of("pc_income")


def test_options_reach_the_builders(panel):
    pf = make_features(drop_threshold=0.9, serious_illness_threshold=1.0,
                       domains=["health", "income"]).fit(panel)
    assert [b.domain for b in pf.builders_] == ["income", "health"]
    assert pf.builders_[0].drop_threshold == 0.9
    out = pf.transform(panel)
    assert set(map(domain_of, out.columns)) == {"income", "health"}
    expected = (panel["medical_cost_oop"] > 1.0).astype("float64")
    np.testing.assert_array_equal(
        out["health__above_serious_threshold"], expected.to_numpy()
    )


@pytest.mark.parametrize("est", [PanelFeatures(), HealthFeatures()], ids=repr)
def test_set_output_pandas(est, panel):
    est.set_output(transform="pandas")
    out = est.fit_transform(panel)
    assert isinstance(out, pd.DataFrame)
    assert list(out.columns) == list(est.get_feature_names_out())
    assert out.index.equals(panel.index)


def test_pipeline_passes_names_downstream(panel):
    pipe = make_pipeline(PanelFeatures(), FunctionTransformer(lambda x: x))
    pipe.set_output(transform="pandas")
    out = pipe.fit_transform(panel)
    assert list(out.columns) == list(pipe[0].get_feature_names_out())


def test_counts_per_domain(panel):
    names = PanelFeatures().fit(panel).get_feature_names_out()
    counts = pd.Series([domain_of(n) for n in names]).value_counts()
    assert set(counts.index) == set(DOMAINS)
    assert (counts >= 5).all()


def test_smoke_on_simulated_panel(sim):
    panel = sim.panel
    out = PanelFeatures().fit_transform(panel)
    assert out.shape == (len(panel), len(FEATURE_LABELS))
    assert out.index.equals(panel.index)
    assert not np.isinf(out.to_numpy()).any()
    # Levels are always defined; only history and optional inputs may be NaN.
    assert out["income__pc_income"].notna().all()
    assert out["health__medical_oop"].notna().all()
