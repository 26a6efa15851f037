"""The workflow tests' names; their fixtures (case stores on SQLite and, when
FANPIN_TEST_PG_URL is set, PostgreSQL; the demo's model) are in the root
conftest, shared with tests/cli."""

from __future__ import annotations

from datetime import datetime

from ..conftest import DEMO, DEMO_AS_OF, PG_URL, _make_alerts

__all__ = ["DEMO", "DEMO_AS_OF", "PG_URL", "T0", "_make_alerts"]

T0 = datetime(2024, 1, 10, 9, 0)
