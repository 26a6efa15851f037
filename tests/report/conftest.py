"""The report tests' world: the shared simulation and model (root conftest)."""

from __future__ import annotations

import pytest

PII = {
    "head_name": "欧阳测试",
    "id_number": "110101199003071234",
    "phone": "13912345678",
}


@pytest.fixture(scope="session")
def small(sim, world_model):
    """The shared world and its model, as a pair (``model_dir`` holds the model)."""
    return sim, world_model
