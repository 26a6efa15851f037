"""What-if: the rule table applied column by column (the alert run's path)
gives exactly what the same rules give record by record (``apply_measure``);
alerts that share a record each get their own measure's risk."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from fanpin.config import AlertsConfig, load_risk_types
from fanpin.workflow import _whatif, apply_measure, load_assistance_map, what_if
from tests.explain.support import small_panel, small_pipe

#: every record column a what-if rule sets (restored after each slot)
TOUCHED = ("medical_cost_oop", "income_wage", "welfare_job", "income_transfer",
           "dibao", "income_business", "industry_support")  # fmt: skip
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


def _slot_by_record(mod, records, names, config):
    """The oracle: each alert's measure applied to its record with
    ``apply_measure`` (one record at a time, values read with ``.at``)."""
    changed = []
    for i in np.flatnonzero(names != ""):
        measure = str(names[i])
        if measure not in config.what_if:
            continue
        row = records.panel.index[records.pos[i]]
        last = {c: float(v[i]) for c, v in records.last.items()}
        if apply_measure(mod, row, measure, config.what_if[measure], last):
            changed.append(i)
    return np.array(changed, dtype=np.int64), [c for c in TOUCHED if c in mod]


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
    monkeypatch.setattr(_whatif, "_apply_slot", _slot_by_record)
    want = what_if(small_pipe(), panel, alerts, rows, config=cfg, assistance=amap,
                   cutoff=0.2)  # fmt: skip
    pd.testing.assert_frame_equal(got, want, check_exact=True)
    pd.testing.assert_frame_equal(panel, before)  # the caller's panel unchanged
    assert got["risk_after"].notna().sum() >= 20  # measures did lower risks


def test_alerts_on_one_record_each_get_their_own_measure():
    """Two alerts on the same record (a caller's list, not the alert run's):
    each measure is applied on its own, as if the alert were alone, and the
    record is as it was afterwards."""
    pipe, panel = small_pipe(), small_panel()
    latest = panel[panel["year"] == panel["year"].max()]
    row = latest.index[(latest["medical_cost_oop"] > 2000)][0]
    cfg = AlertsConfig(what_if={"健康帮扶": {"medical_aid_share": 1.0},
                                "综合保障": {"transfer_per_person": 3600}})  # fmt: skip
    amap = load_assistance_map(risk_types=load_risk_types())
    p0 = float(pipe.risk_score(panel).loc[row])
    both = pd.DataFrame({"measures": ["健康帮扶", "综合保障;健康帮扶", "综合保障"],
                         "departments": ["医保", "民政;医保", "民政"],
                         "risk_score": [p0, p0, p0]})  # fmt: skip
    before = panel.copy()
    got = what_if(pipe, panel, both, pd.Index([row] * 3), config=cfg,
                  assistance=amap)  # fmt: skip
    pd.testing.assert_frame_equal(panel, before)
    for i in range(3):
        alone = what_if(pipe, panel, both.iloc[[i]], pd.Index([row]), config=cfg,
                        assistance=amap)  # fmt: skip
        pd.testing.assert_frame_equal(got.iloc[[i]], alone, check_exact=True)
    mod = panel.copy()
    mod.at[row, "medical_cost_oop"] = 0.0
    assert got["what_if"].iloc[0] == alone_text(pipe, mod, row, p0, amap)


def alone_text(pipe, mod, row, p0, amap):
    """The sentence for 健康帮扶 alone, from the modified record's score."""
    after = float(pipe.risk_score(mod).loc[row])
    texts = amap.config.what_if_texts
    if p0 - after >= amap.config.what_if_min_drop:
        return _whatif.what_if_text("健康帮扶", p0, after, texts["lowers"])
    return texts["none"].format(min_drop=amap.config.what_if_min_drop, before=p0)


def test_alert_rows_not_in_the_panel_are_refused():
    pipe, panel = small_pipe(), small_panel()
    alerts = pd.DataFrame({"measures": ["健康帮扶"], "departments": ["医保"],
                           "risk_score": [0.5]})  # fmt: skip
    cfg = AlertsConfig(what_if={"健康帮扶": {"medical_aid_share": 1.0}})
    amap = load_assistance_map(risk_types=load_risk_types())
    with pytest.raises(KeyError, match="not records of the panel"):
        what_if(pipe, panel, alerts, pd.Index([-1]), config=cfg, assistance=amap)
