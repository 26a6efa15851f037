"""Parameters of the household simulator, one frozen dataclass with defaults.

Every mechanism of :func:`fanpin.synthetic.simulate` reads its knobs from
:class:`SimulationParams`; change one with :func:`dataclasses.replace`.
"""

from __future__ import annotations

from dataclasses import dataclass, fields

from ..exceptions import ConfigError

__all__ = ["SimulationParams"]

BAD_PARAM = (
    "SimulationParams.{name} must be {expected}; got {value!r}. Pass a value in range, "
    "e.g. dataclasses.replace(SimulationParams(), {name}=...)."
)


@dataclass(frozen=True)
class SimulationParams:
    """Knobs of every mechanism of the simulator (money in yuan per year).

    Household composition and labour (``_household``)
        ``lifted_share``: share of 脱贫户 among rural households;
        ``mean_children`` / ``mean_adults`` / ``elder_prob``: initial composition;
        ``birth_rate``, ``elder_death_rate``, ``child_to_adult_rate``,
        ``adult_to_elder_rate``: yearly demographic transitions.
    Wage work (``_labour``)
        ``migrant_wage`` / ``local_wage``: 2021 yearly wage of a migrant / local
        worker of average ability; ``local_participation``: share of non-migrant
        labour with local wage work; ``migrate_rate``: yearly chance a local
        worker leaves to work away; ``job_loss_rate``: yearly chance a migrant
        loses the job and returns home (失业返乡); ``remigrate_rate``: chance a
        returned worker finds migrant work again the next year;
        ``welfare_job_wage``: pay of a public-welfare job (公益岗位).
    Farming and business (``_farming``)
        ``income_per_mu``: net farm income per mu; ``business_base``: mean
        non-farm business income; ``business_sd``: sd of its AR(1) part,
        ``business_rho`` its persistence; ``trend_sd``: sd of a household's
        persistent yearly income trend; ``failure_rate``: yearly chance a
        project fails (net income negative); ``failure_loss``: mean loss.
    Disasters (``_disaster``)
        ``disaster_hazard``: (low, high) range of a county's yearly chance of a
        damaging disaster; ``disaster_reach``: mean share of a hit county's
        households affected; ``disaster_housing_rate``: chance an affected
        fragile house becomes unsafe; ``water_break_rate``: yearly background
        chance drinking water fails (more in droughts).
    Illness, disability and accidents (``_health``)
        ``chronic_rate`` / ``serious_rate``: yearly onset per person (tripled
        for people over 65); ``serious_persist``: chance a serious illness
        continues into the next year; ``chronic_cost`` / ``serious_cost``:
        mean yearly cost per patient (log-normal, ``cost_sigma``);
        ``basic_reimb`` basic insurance share, ``serious_deductible`` and
        ``serious_reimb`` the serious-illness insurance, ``aid_reimb`` medical
        aid share for 低保/特困/monitored/脱贫 households; ``uninsured_rate``;
        ``disability_rate``: yearly onset per person; ``severe_share``;
        ``accident_rate`` per household and ``accident_cost``.
    Schooling (``_schooling``)
        ``compulsory_cost`` / ``higher_cost`` per student; ``dropout_rate`` per
        compulsory student (×``dropout_poor_factor`` in low-income homes).
    Transfers and assistance (``_transfers``)
        ``pension``: rural basic pension per person over 65; ``dibao_benefit`` /
        ``tekun_benefit`` per person; ``dibao_threshold``: share of the line
        under which 低保 is granted; ``subsidy``: farm and other subsidies per
        household; ``welfare_job_rate``, ``industry_support_rate``,
        ``microcredit_rate``: chance a monitored household gets each measure
        (a fraction ``unmonitored_assist`` of it for other 脱贫户);
        ``support_gain``: business income added by industry support.
    Growth
        ``income_growth``: yearly growth of wages and prices after 2021 (the last
        value repeats).
    Oracle
        ``oracle_draws``: Monte Carlo draws per household-year for ``p_next``;
        ``oracle_check_draws``: draws of a second, independent estimate
        ``p_next_check`` (0: none), to evaluate rankings (the oracle's among
        them) on draws other than those the oracle is ranked by;
        ``oracle_chunk``: rows (household-years × draws) simulated at once;
        ``cause_replay``: how the true causes are found (``truth``'s
        ``share_*`` and ``main_cause`` columns): ``"hardship"`` replays the
        oracle's hardship draws with one mechanism switched off at a time (the
        default, cheap), ``"all"`` every draw (the net change of the risk, for
        checking), ``"none"`` skips the causes;
        ``burn_in``: years simulated before the first output year so that
        histories exist.
    """

    # household composition
    lifted_share: float = 0.32
    mean_children: float = 1.0
    mean_adults: float = 2.2
    elder_prob: float = 0.42
    birth_rate: float = 0.03
    elder_death_rate: float = 0.045
    child_to_adult_rate: float = 0.07
    adult_to_elder_rate: float = 0.012
    # wage work
    migrant_wage: float = 32000.0
    local_wage: float = 19000.0
    local_participation: float = 0.8
    migrate_rate: float = 0.08
    job_loss_rate: float = 0.05
    remigrate_rate: float = 0.35
    welfare_job_wage: float = 7000.0
    # farming and business
    income_per_mu: float = 500.0
    business_base: float = 3500.0
    business_sd: float = 2200.0
    business_rho: float = 0.6
    trend_sd: float = 0.11
    failure_rate: float = 0.02
    failure_loss: float = 10000.0
    # disasters
    disaster_hazard: tuple[float, float] = (0.03, 0.3)
    disaster_reach: float = 0.3
    disaster_housing_rate: float = 0.05
    water_break_rate: float = 0.002
    # health
    chronic_rate: float = 0.02
    serious_rate: float = 0.003
    serious_persist: float = 0.55
    chronic_cost: float = 3000.0
    serious_cost: float = 45000.0
    cost_sigma: float = 0.8
    basic_reimb: float = 0.55
    serious_deductible: float = 12000.0
    serious_reimb: float = 0.6
    aid_reimb: float = 0.6
    uninsured_rate: float = 0.01
    disability_rate: float = 0.003
    severe_share: float = 0.3
    accident_rate: float = 0.02
    accident_cost: float = 12000.0
    # schooling
    compulsory_cost: float = 1200.0
    higher_cost: float = 9000.0
    dropout_rate: float = 0.0015
    dropout_poor_factor: float = 6.0
    # transfers and assistance
    pension: float = 2000.0
    dibao_benefit: float = 4200.0
    tekun_benefit: float = 9000.0
    dibao_threshold: float = 1.15
    subsidy: float = 1200.0
    welfare_job_rate: float = 0.35
    industry_support_rate: float = 0.55
    microcredit_rate: float = 0.25
    unmonitored_assist: float = 0.25
    support_gain: float = 3000.0
    # growth
    income_growth: tuple[float, ...] = (0.143, 0.08, 0.06, 0.05)
    # oracle and burn-in
    oracle_draws: int = 256
    oracle_check_draws: int = 0
    oracle_chunk: int = 1 << 16
    cause_replay: str = "hardship"
    burn_in: int = 3

    def __post_init__(self) -> None:
        for f in fields(self):
            value = getattr(self, f.name)
            if f.name in ("oracle_draws", "oracle_chunk"):
                ok = isinstance(value, int) and value >= 1
                expected = "an integer >= 1"
            elif f.name == "oracle_check_draws":
                ok = isinstance(value, int) and value >= 0
                expected = "an integer >= 0"
            elif f.name == "cause_replay":
                ok = value in ("hardship", "all", "none")
                expected = "one of 'hardship', 'all', 'none'"
            elif f.name == "burn_in":
                ok = isinstance(value, int) and 0 <= value <= 20
                expected = "an integer in [0, 20]"
            elif f.name == "disaster_hazard":
                ok = len(value) == 2 and 0 <= value[0] <= value[1] <= 1
                expected = "a pair (low, high) with 0 <= low <= high <= 1"
            elif f.name == "income_growth":
                ok = len(value) >= 1 and all(-0.5 < g < 1 for g in value)
                expected = "a non-empty tuple of yearly growth rates in (-0.5, 1)"
            elif f.name.endswith(
                (
                    "_rate",
                    "_share",
                    "_reimb",
                    "_prob",
                    "_persist",
                    "_participation",
                    "_rho",
                    "_reach",
                    "_assist",
                )
            ):
                ok = 0 <= value <= 1
                expected = "a probability or share in [0, 1]"
            else:
                ok = value >= 0
                expected = "a number >= 0"
            if not ok:
                raise ConfigError(
                    BAD_PARAM.format(name=f.name, expected=expected, value=value)
                )

    def wage_index(self, year: int, base_year: int = 2021) -> float:
        """Wage and price level of ``year`` relative to ``base_year`` (= 1).

        Examples
        --------
        >>> round(SimulationParams().wage_index(2022), 3)
        1.143
        """
        idx = 1.0
        if year >= base_year:
            for k in range(year - base_year):
                idx *= 1 + self.income_growth[min(k, len(self.income_growth) - 1)]
        else:
            for _ in range(base_year - year):
                idx /= 1 + self.income_growth[0] * 0.5
        return idx
