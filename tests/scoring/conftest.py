"""The scoring tests' panel and model: the shared world's (root conftest).
Read-only: a test that changes the panel copies it first."""

from __future__ import annotations

import pytest


@pytest.fixture(scope="session")
def sim_panel(sim):
    return sim.panel


@pytest.fixture(scope="session")
def small_model(world_model):
    return world_model
