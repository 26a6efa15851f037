"""The shared world (tests/worlds.py) under the names the explain, workflow
and CLI tests import: the panel of 2021-2024, the model trained on it and the
department pushes of 2025. Built once per test process."""

from __future__ import annotations

from ..worlds import world, world_model


def small_sim():
    """The shared simulation (panel 2021-2024, ``pushes``: the 2025 events)."""
    return world()


def small_panel():
    return world().panel


def small_pipe():
    return world_model()


def events_2025():
    """The department pushes of 2025 (the 2025 events of the simulation)."""
    return world().pushes
