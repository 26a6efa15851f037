"""Feature builders: one scikit-learn transformer per risk domain.

Each builder turns a household panel (the data contract, one row per household
and year) into float64 features named ``<domain>__<feature>`` on the panel's
index, so SHAP values can be summed per domain. Features of year ``t`` only
use the household's records up to ``t`` (never later years); "last year"
means exactly ``t - 1`` and gives NaN when that record is missing.

=====================  ==============  ==========================================
builder                domain          risk
=====================  ==============  ==========================================
IncomeFeatures         income          收入 (margin over the monitoring line)
HealthFeatures         health          因病
DisabilityFeatures     disability      因残
DisasterFeatures       disaster        因灾
AccidentFeatures       accident        因意外事故
LabourFeatures         labour          因缺劳动力 (demography)
EducationFeatures      education       因学
HousingWaterFeatures   housing_water   住房 / 饮水安全
AssistanceFeatures     assistance      帮扶措施 (低保, 特困, ...)
=====================  ==============  ==========================================

:class:`PanelFeatures` (or :func:`make_features`) combines them all (126
features: income 26, health 18, disability 10, disaster 15, accident 5, labour 18,
education 11, housing_water 8, assistance 15). Chinese labels live in
:data:`FEATURE_LABELS`; :func:`domain_of` maps a feature name to its domain.

Which features may be NaN (LightGBM handles NaN natively):

- every change, lag, "new"/"newly" and sharp-drop feature when the household
  has no record in exactly ``t - 1`` (its first year, or a gap);
- ``income__pc_income_cv``, ``income__wage_cv`` and ``income__income_trend``
  with a single year of history; ``income__years_since_hardship`` when the
  household was never in hardship;
- ratios whose denominator is 0 (shares of a zero gross income, cost per
  student with no student, dependency ratio with no labour, ...);
- every feature computed from an optional contract column that is missing
  (all-NA in a validated panel, or absent): accident, education, elderly and
  children counts, head's age and schooling, 低保 and other assistance flags,
  insurance, disaster type, property income changes, land, migrant workers,
  monitor category.

History features summarise all of the household's records up to ``t`` (shares
of years, means, minima, slopes, years since an event); county history
features (``disaster__county_hit_history``, ``disaster__county_disaster_years_share``)
average the county's yearly values over the years up to ``t``, so that a
persistent hidden trait (a fragile house, a frail family, an insecure job, a
county prone to disasters) shows through its footprints in the panel.

Optional money (``income_property``, ``education_cost``) counts as 0 inside
per-capita income, as in the data contract. Values are never inf.

Examples
--------
>>> from fanpin.synthetic import SimulationParams, simulate
>>> sim = simulate(200, years=range(2022, 2025), seed=0, n_jobs=1,
...                params=SimulationParams(oracle_draws=1))
>>> X = make_features(lines=sim.lines).fit_transform(sim.panel)
>>> len(X) == len(sim.panel), X.columns[0].split("__")[0] in DOMAINS
(True, True)
"""

from ._accident import AccidentFeatures
from ._assistance import AssistanceFeatures
from ._base import BaseFeatureBuilder
from ._disability import DisabilityFeatures
from ._disaster import DisasterFeatures
from ._education import EducationFeatures
from ._health import HealthFeatures
from ._housing_water import HousingWaterFeatures
from ._income import IncomeFeatures
from ._labels import DOMAIN_LABELS, FEATURE_LABELS, feature_label
from ._labour import LabourFeatures
from ._panel import PanelView
from ._union import DOMAINS, PanelFeatures, domain_of, make_features

__all__ = [
    "DOMAINS",
    "DOMAIN_LABELS",
    "FEATURE_LABELS",
    "AccidentFeatures",
    "AssistanceFeatures",
    "BaseFeatureBuilder",
    "DisabilityFeatures",
    "DisasterFeatures",
    "EducationFeatures",
    "HealthFeatures",
    "HousingWaterFeatures",
    "IncomeFeatures",
    "LabourFeatures",
    "PanelFeatures",
    "PanelView",
    "domain_of",
    "feature_label",
    "make_features",
]
