"""Input households = output households + excluded households (with a reason),
for every command that takes households."""

from __future__ import annotations

import pandas as pd
import pytest

from fanpin.schema import in_hardship, make_labels, read_households
from fanpin.scoring import score_panel

from .conftest import SMALL_MODEL_YAML, invoke


def _read(path) -> pd.DataFrame:
    return pd.read_csv(path, dtype={"household_id": str}, encoding="utf-8-sig")


@pytest.fixture(scope="module")
def gappy(sim, tmp_path_factory):
    """The simulated panel with 7 households that left before the latest year."""
    tmp = tmp_path_factory.mktemp("acc")
    panel = sim.panel
    latest = panel["year"].max()
    gone = panel["household_id"].drop_duplicates().iloc[:7]
    keep = ~(panel["household_id"].isin(gone) & (panel["year"] == latest))
    path = tmp / "panel.csv"
    panel.loc[keep].to_csv(path, index=False)
    return tmp, path, set(gone)


def test_score_partitions_the_latest_year(gappy, model_dir):
    tmp, path, _ = gappy
    res = invoke(["score", path, "--model", model_dir, "--out", tmp / "s.csv"])
    assert res.exit_code == 0, res.output
    panel = read_households(path)
    latest = panel.loc[panel["year"] == panel["year"].max(), "household_id"]
    scored = _read(tmp / "s.csv")["household_id"]
    monitored = _read(tmp / "s.monitored.csv")
    assert set(scored).isdisjoint(monitored["household_id"])
    assert len(scored) + len(monitored) == latest.nunique() == len(latest)
    assert set(scored) | set(monitored["household_id"]) == set(latest)
    assert monitored["reasons"].notna().all()  # each exclusion has its reason
    reason_cols = [c for c in monitored if c.startswith("reason_")]
    assert monitored[reason_cols].any(axis=1).all()


def test_score_accounts_for_households_absent_from_the_latest_year(gappy, model_dir):
    tmp, path, gone = gappy
    res = invoke(["score", path, "--model", model_dir, "--out", tmp / "s2.csv"])
    assert res.exit_code == 0, res.output
    panel = read_households(path)
    listed = set(_read(tmp / "s2.csv")["household_id"]) | set(
        _read(tmp / "s2.monitored.csv")["household_id"]
    )
    missing = set(panel["household_id"]) - listed
    assert missing == gone
    # The rest are listed, each with its reason, in the exclusions file.
    excluded = _read(tmp / "s2.excluded.csv")
    assert set(excluded["household_id"]) == gone
    assert excluded["reason"].str.contains("no record in").all()
    assert f"{len(gone):,} without a" in res.output


def test_train_counts_every_row(sim, tmp_path):
    """Training rows + rows without a label = rows of the panel; the card says so."""
    import json

    cfg = tmp_path / "m.yaml"
    cfg.write_text(SMALL_MODEL_YAML, encoding="utf-8")
    path = tmp_path / "panel.parquet"
    sim.panel.to_parquet(path)
    res = invoke(["train", path, "--out", tmp_path / "m", "--config", cfg])
    assert res.exit_code == 0, res.output
    card = json.loads((tmp_path / "m" / "model_card.json").read_text("utf-8"))
    labels = make_labels(sim.panel, sim.lines)
    assert card["training"]["n_rows"] == int(labels.notna().sum())
    assert card["training"]["n_positive"] == int(labels.sum())
    excluded = card["training"]["excluded"]
    hard = in_hardship(sim.panel, sim.lines)
    assert excluded["in_hardship_in_t"] == int(hard.sum())
    assert card["training"]["n_rows"] + sum(excluded.values()) == len(sim.panel)
    assert card["training"]["n_panel_rows"] == len(sim.panel)


def test_score_panel_library_partition(sim, model_dir):
    from fanpin.models import load_model

    scores, monitored = score_panel(load_model(model_dir), sim.panel)
    latest = sim.panel.loc[sim.panel["year"] == sim.panel["year"].max()]
    assert len(scores) + len(monitored) == len(latest)


def test_alerts_partition(gappy, model_dir):
    tmp, path, gone = gappy
    out = tmp / "alerts"
    res = invoke(
        ["alerts", path, "--model", model_dir, "--out", out, "--as-of", "2025-03-01"]
    )
    assert res.exit_code == 0, res.output
    panel = read_households(path)
    scored = _read(out / "scored.csv")
    monitored = _read(out / "monitored.csv")
    excl = _read(out / "exclusions.csv")
    excl = excl.loc[excl["kind"] == "household"]
    assert excl["why"].notna().all() and (excl["why"].str.len() > 0).all()
    alerts = _read(out / "alerts.csv")
    # urgent households (紧急: in hardship, not identified) are on the alert
    # list only, neither scored nor monitored
    urgent = alerts.loc[alerts["listed_by"] == "紧急", "household_id"]
    parts = [scored["household_id"], monitored["household_id"], excl["household_id"],
             urgent]  # fmt: skip
    n = sum(len(p) for p in parts)
    union = set().union(*map(set, parts))
    assert n == len(union) == panel["household_id"].nunique()
    assert union == set(panel["household_id"])
    assert set(excl["household_id"]) == gone
    assert set(alerts["household_id"]) <= set(scored["household_id"]) | set(urgent)
