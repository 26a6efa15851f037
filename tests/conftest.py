"""Shared fixtures: small hand-made households in contract form, the simulated
world every test shares (tests/worlds.py: one simulation and one model per
session), the demo's model and the case stores (SQLite, and PostgreSQL when
FANPIN_TEST_PG_URL is set: scripts/ci_postgres.sh)."""

from __future__ import annotations

import os
import uuid
from pathlib import Path

import pandas as pd
import pytest
import sqlalchemy as sa

from fanpin.config import MonitoringLines

from . import worlds

BASE_ROW = {
    "household_id": "0001",
    "year": 2023,
    "province": "甘肃省",
    "county": "甲县",
    "village": "一村",
    "household_type": "脱贫户",
    "household_size": 4,
    "labor_count": 2,
    "chronic_ill_count": 0,
    "serious_ill_count": 0,
    "disabled_count": 0,
    "medical_cost_total": 0.0,
    "medical_cost_oop": 0.0,
    "disaster_loss": 0.0,
    "income_wage": 40000.0,
    "income_business": 8000.0,
    "income_transfer": 2000.0,
    "housing_safe": True,
    "water_safe": True,
}


def make_rows(*overrides: dict) -> pd.DataFrame:
    """One raw contract row per override dict, starting from :data:`BASE_ROW`."""
    return pd.DataFrame([{**BASE_ROW, **o} for o in overrides])


@pytest.fixture(autouse=True)
def _cli_in_english(monkeypatch):
    """The command line speaks English in tests (its default is Chinese, or the
    locale's language); the tests of the Chinese CLI ask for it explicitly. Its
    output is as piped output is, 120 columns, unless a test sets COLUMNS
    (pytest-xdist sets COLUMNS=80 for its workers)."""
    monkeypatch.setenv("FANPIN_LANG", "en")
    monkeypatch.delenv("COLUMNS", raising=False)


@pytest.fixture
def rows():
    return make_rows


@pytest.fixture
def lines() -> MonitoringLines:
    return MonitoringLines(
        default={2021: 6000, 2022: 6600, 2023: 7100, 2024: 7300},
        provinces={"湖北省": {2023: 7600}},
    )


# -- the shared simulated world (read-only: copy before changing) -------------
@pytest.fixture(scope="session")
def sim():
    """The shared simulation: 600 households, 2021-2024, pushes of 2025."""
    return worlds.world()


@pytest.fixture(scope="session")
def world_model():
    """The shared small LightGBM pipeline trained on ``sim.panel``."""
    return worlds.world_model()


@pytest.fixture(scope="session")
def model_dir(world_model, tmp_path_factory) -> Path:
    """``world_model`` saved (its folder; copy it before changing a file)."""
    from fanpin.models import save_model

    return save_model(world_model, tmp_path_factory.mktemp("world") / "model")


@pytest.fixture(scope="session")
def lines_yaml(sim, tmp_path_factory) -> Path:
    """The shared world's monitoring lines as a YAML file."""
    p = tmp_path_factory.mktemp("world-lines") / "lines.yaml"
    p.write_text(sim.lines.to_yaml(), encoding="utf-8")
    return p


@pytest.fixture
def panel_file(sim, tmp_path) -> Path:
    """The shared world's panel written to this test's folder (Parquet)."""
    path = tmp_path / "panel.parquet"
    sim.panel.to_parquet(path, index=False)
    return path


@pytest.fixture(scope="session")
def stream(sim, tmp_path_factory) -> dict:
    """The streaming scenario derived from the shared world
    (:func:`tests.worlds.stream_world`: gaps, a county without its latest
    record, pushes) and its coarse model (tied scores); the panel also as a
    Parquet file (``path``)."""
    world = worlds.stream_world(sim)
    model = worlds.stream_model(world, sim.lines)
    path = tmp_path_factory.mktemp("stream") / "panel.parquet"
    world.panel.to_parquet(path)
    return {"model": model, "panel": world.panel, "path": path,
            "events": world.events, "gone": set(world.gone),
            "lost": set(world.lost), "lines": sim.lines}  # fmt: skip


# -- the demo's inputs (data/synthetic) with a small model ---------------------
DEMO = Path(__file__).resolve().parents[1] / "data" / "synthetic"
DEMO_AS_OF = "2026-06-30"


@pytest.fixture(scope="session")
def demo_model(tmp_path_factory):
    """A small model trained on the demo's panel (saved; its folder)."""
    from fanpin.config import ModelConfig, load_monitoring_lines
    from fanpin.models import save_model, train_risk_model

    panel = pd.read_parquet(DEMO / "panel.parquet")
    lines = load_monitoring_lines(DEMO / "monitoring_lines.yaml")
    cfg = ModelConfig(booster={"n_estimators": 25, "min_child_samples": 20}, seed=0)
    model = train_risk_model(panel, lines, cfg, kind="gbdt")
    folder = tmp_path_factory.mktemp("demo") / "model"
    save_model(model, folder)
    return folder


# -- case stores ------------------------------------------------------------------
PG_URL = os.environ.get("FANPIN_TEST_PG_URL")


@pytest.fixture(scope="session")
def amap():
    from fanpin.config import load_risk_types
    from fanpin.workflow import load_assistance_map

    return load_assistance_map(risk_types=load_risk_types())


def _pg_schema_url(schema: str) -> str:
    url = sa.engine.make_url(PG_URL)
    return url.update_query_dict(
        {"options": f"-csearch_path={schema}"}
    ).render_as_string(hide_password=False)


@pytest.fixture(
    params=[
        "sqlite",
        pytest.param(
            "postgresql",
            marks=[
                pytest.mark.postgres,
                pytest.mark.skipif(PG_URL is None, reason="FANPIN_TEST_PG_URL not set"),
            ],
        ),
    ]
)
def store_url(request, tmp_path):
    """A fresh, empty store URL: a temp SQLite file, or a fresh PostgreSQL schema."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'cases.db'}"
        return
    schema = f"t_{uuid.uuid4().hex[:12]}"
    admin = sa.create_engine(PG_URL)
    with admin.begin() as conn:
        conn.execute(sa.text(f'CREATE SCHEMA "{schema}"'))
    try:
        yield _pg_schema_url(schema)
    finally:
        with admin.begin() as conn:
            conn.execute(sa.text(f'DROP SCHEMA "{schema}" CASCADE'))
        admin.dispose()


@pytest.fixture
def store(store_url, amap):
    from fanpin.workflow import CaseStore

    s = CaseStore(store_url, assistance=amap)
    yield s
    s.close()


@pytest.fixture
def make_alerts():
    return _make_alerts


def _make_alerts(rows: list[dict]) -> pd.DataFrame:
    """An alerts table with every expected column (rows: id, score, level)."""
    from fanpin.workflow import ALERT_COLUMNS

    base = {
        "year": 2024, "province": "湖北省", "county": "甲县", "township": "乙镇",
        "village": "丙村", "risk_types": "01", "measures": "健康帮扶",
        "departments": "医保", "deadline": "2024-02-01", "reasons": "大病自付高",
    }  # fmt: skip
    df = pd.DataFrame([{**base, **r} for r in rows])
    return df[list(ALERT_COLUMNS)]
