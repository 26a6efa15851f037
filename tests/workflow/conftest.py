"""Case-store fixtures: every store test runs on SQLite and, when
FANPIN_TEST_PG_URL is set (scripts/ci_postgres.sh), on PostgreSQL too."""

from __future__ import annotations

import os
import uuid
from datetime import datetime

import pandas as pd
import pytest
import sqlalchemy as sa

from fanpin.config import load_risk_types
from fanpin.workflow import ALERT_COLUMNS, CaseStore, load_assistance_map

PG_URL = os.environ.get("FANPIN_TEST_PG_URL")
T0 = datetime(2024, 1, 10, 9, 0)


@pytest.fixture(scope="session")
def amap():
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
    s = CaseStore(store_url, assistance=amap)
    yield s
    s.close()


@pytest.fixture
def make_alerts():
    return _make_alerts


def _make_alerts(rows: list[dict]) -> pd.DataFrame:
    """An alerts table with every expected column (rows: id, score, level)."""
    base = {
        "year": 2024, "province": "湖北省", "county": "甲县", "township": "乙镇",
        "village": "丙村", "risk_types": "01", "measures": "健康帮扶",
        "departments": "医保", "deadline": "2024-02-01", "reasons": "大病自付高",
    }  # fmt: skip
    df = pd.DataFrame([{**base, **r} for r in rows])
    return df[list(ALERT_COLUMNS)]


# -- the demo's inputs (data/synthetic) with a small model, for the lifecycle ----
DEMO = __import__("pathlib").Path(__file__).resolve().parents[2] / "data" / "synthetic"
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
