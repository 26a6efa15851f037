"""Where households live: provinces, counties, townships and villages, nested.

Counties carry a persistent natural-hazard level and a mix of disaster types
typical of their province, so that disaster exposure clusters in space.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ._params import SimulationParams

__all__ = ["DISASTER_TYPES", "Geography", "make_geography"]

DISASTER_TYPES = ("无", "洪涝", "干旱", "地震地质", "风雹", "其他")
"""Values of ``disaster_type``; index 0 means no disaster."""

# province -> (weight, short name, relative chance of 洪涝, 干旱, 地震地质, 风雹, 其他)
_PROVINCES: dict[str, tuple[float, str, tuple[float, ...]]] = {
    "湖北省": (0.25, "鄂", (0.55, 0.2, 0.1, 0.1, 0.05)),
    "云南省": (0.25, "滇", (0.2, 0.3, 0.3, 0.15, 0.05)),
    "贵州省": (0.2, "黔", (0.3, 0.15, 0.3, 0.2, 0.05)),
    "甘肃省": (0.15, "陇", (0.1, 0.45, 0.2, 0.2, 0.05)),
    "河南省": (0.15, "豫", (0.45, 0.35, 0.02, 0.13, 0.05)),
}
COUNTIES_PER_PROVINCE = 4
TOWNSHIPS_PER_COUNTY = 5
HOUSEHOLDS_PER_VILLAGE = 150


@dataclass(frozen=True)
class Geography:
    """Place names and county-level hazards.

    Attributes
    ----------
    provinces, counties, townships, villages : tuple of str
        Names; villages are nested in townships, townships in counties.
    county_province, township_county, village_township : ndarray of int
        Parent index of each unit.
    county_hazard : ndarray of float
        Yearly chance of a damaging disaster in each county.
    county_type_probs : ndarray, shape (n_counties, 5)
        Chance of each disaster type (洪涝 … 其他) given a disaster.
    household_village : ndarray of int
        Village of each household.
    """

    provinces: tuple[str, ...]
    counties: tuple[str, ...]
    townships: tuple[str, ...]
    villages: tuple[str, ...]
    county_province: np.ndarray
    township_county: np.ndarray
    village_township: np.ndarray
    county_hazard: np.ndarray
    county_type_probs: np.ndarray
    household_village: np.ndarray

    def household_index(self, level: str) -> np.ndarray:
        """Index of the unit at ``level`` (village, township, county, province)."""
        v = self.household_village
        if level == "village":
            return v
        t = self.village_township[v]
        if level == "township":
            return t
        c = self.township_county[t]
        if level == "county":
            return c
        return self.county_province[c]


def make_geography(
    n_households: int, rng: np.random.Generator, params: SimulationParams
) -> Geography:
    """Draw the places and assign households to villages (province-weighted)."""
    names = list(_PROVINCES)
    provinces, counties, townships, villages = [], [], [], []
    county_province, township_county, village_township = [], [], []
    type_probs = []
    n_townships = len(names) * COUNTIES_PER_PROVINCE * TOWNSHIPS_PER_COUNTY
    per_township = max(1, round(n_households / (n_townships * HOUSEHOLDS_PER_VILLAGE)))
    for p, name in enumerate(names):
        provinces.append(name)
        short = _PROVINCES[name][1]
        probs = np.asarray(_PROVINCES[name][2])
        for c in range(COUNTIES_PER_PROVINCE):
            cname = f"{short}{c + 1:02d}县"
            counties.append(cname)
            county_province.append(p)
            mix = rng.dirichlet(probs * 20)
            type_probs.append(mix)
            for t in range(TOWNSHIPS_PER_COUNTY):
                tname = f"{cname}{t + 1:02d}镇"
                township_county.append(len(counties) - 1)
                townships.append(tname)
                for v in range(per_township):
                    villages.append(f"{tname}{v + 1:02d}村")
                    village_township.append(len(townships) - 1)
    county_province_a = np.asarray(county_province)
    lo, hi = params.disaster_hazard
    hazard = lo + (hi - lo) * rng.beta(0.6, 2.0, size=len(counties))
    weights = np.asarray([_PROVINCES[n][0] for n in names])
    village_weight = weights[county_province_a[np.asarray(township_county)]][
        np.asarray(village_township)
    ]
    village_weight = village_weight / village_weight.sum()
    household_village = rng.choice(len(villages), size=n_households, p=village_weight)
    return Geography(
        provinces=tuple(provinces),
        counties=tuple(counties),
        townships=tuple(townships),
        villages=tuple(villages),
        county_province=county_province_a,
        township_county=np.asarray(township_county),
        village_township=np.asarray(village_township),
        county_hazard=hazard,
        county_type_probs=np.asarray(type_probs),
        household_village=household_village,
    )
