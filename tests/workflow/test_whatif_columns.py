"""What-if applied column by column gives exactly what record by record gives."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from fanpin.config import AlertsConfig, load_risk_types
from fanpin.workflow import _whatif, load_assistance_map, what_if
from tests.explain.support import small_panel, small_pipe

MEASURES = ["健康帮扶", "公益岗位帮扶", "综合保障", "就业帮扶", "产业帮扶", "教育帮扶"]


def _alerts(panel: pd.DataFrame, seed: int) -> tuple[pd.DataFrame, pd.Index]:
    """Latest records with random measure lists (every measure, in any order,
    some without a what-if rule) and their scores."""
    rng = np.random.default_rng(seed)
    rows = panel.index[panel["year"] == panel["year"].max()][:400]
    ms, ds = [], []
    for _ in rows:
        k = int(rng.integers(0, len(MEASURES) + 1))
        pick = list(rng.permutation(MEASURES)[:k])
        ms.append(";".join(pick))
        ds.append(";".join(f"部门{j}" for j in range(len(pick))))
    p = small_pipe().risk_score(panel).loc[rows].to_numpy()
    alerts = pd.DataFrame({"measures": ms, "departments": ds, "risk_score": p})
    return alerts, rows


@pytest.mark.parametrize("seed", [0, 1])
def test_columns_equal_records(monkeypatch, seed):
    panel = small_panel()
    # missing values where the rules read: counted as 0 (or no lag)
    panel.loc[panel.index[::7], "medical_cost_oop"] = np.nan
    panel.loc[panel.index[::11], "income_wage"] = np.nan
    alerts, rows = _alerts(panel, seed)
    cfg = AlertsConfig(what_if={
        "健康帮扶": {"medical_aid_share": 0.7},
        "公益岗位帮扶": {"wage": 6000},
        "综合保障": {"transfer_per_person": 3600},
        "就业帮扶": {"restore_wage": True},
        "产业帮扶": {"restore_business": seed == 0},
    })  # fmt: skip
    amap = load_assistance_map(risk_types=load_risk_types())
    before = panel.copy()
    got = what_if(small_pipe(), panel, alerts, rows, config=cfg, assistance=amap,
                  cutoff=0.2)  # fmt: skip
    monkeypatch.setattr(_whatif, "VECTORISED", False)
    want = what_if(small_pipe(), panel, alerts, rows, config=cfg, assistance=amap,
                   cutoff=0.2)  # fmt: skip
    pd.testing.assert_frame_equal(got, want, check_exact=True)
    pd.testing.assert_frame_equal(panel, before)  # the caller's panel unchanged
    assert got["risk_after"].notna().sum() >= 20  # measures did lower risks
