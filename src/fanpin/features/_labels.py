"""Chinese labels of the domains and features: the one place they are kept.

Reports for township and county staff show these labels; a test checks that
every feature a builder outputs has one.
"""

from __future__ import annotations

__all__ = ["DOMAIN_LABELS", "FEATURE_LABELS", "feature_label"]

DOMAIN_LABELS: dict[str, str] = {
    "income": "收入",
    "health": "因病",
    "disability": "因残",
    "disaster": "因灾",
    "accident": "因意外事故",
    "labour": "因缺劳动力",
    "education": "因学",
    "housing_water": "住房和饮水安全",
    "assistance": "帮扶措施",
}

_LABELS: dict[str, dict[str, str]] = {
    "income": {
        "pc_income": "人均纯收入",
        "pc_income_after_rigid": "扣除刚性支出后人均收入",
        "margin_over_line": "高出监测标准金额",
        "margin_ratio": "扣除刚性支出后人均收入与监测标准之比",
        "pc_income_to_line": "人均纯收入与监测标准之比",
        "wage_change": "工资性收入较上年变化",
        "business_change": "生产经营性净收入较上年变化",
        "transfer_change": "转移性收入较上年变化",
        "property_change": "财产性收入较上年变化",
        "pc_income_change": "人均纯收入较上年变化",
        "pc_income_change_rate": "人均纯收入较上年变化率",
        "sharp_drop_income": "人均纯收入大幅下降",
        "sharp_drop_wage": "工资性收入大幅下降",
        "sharp_drop_business": "生产经营性收入大幅下降",
        "pc_income_cv": "历年人均收入波动系数",
        "transfer_share": "转移性收入占比",
        "wage_share": "工资性收入占比",
        "migrant_share": "外出务工劳动力占比",
        "land_per_capita": "人均耕地面积",
        "income_trend": "历年收入增长趋势(收入与监测标准之比的对数斜率)",
        "mean_income_to_line": "历年人均纯收入与监测标准之比均值",
        "min_margin_ratio": "历年扣除刚性支出后收入与监测标准之比最低值",
        "wage_cv": "历年工资性收入波动系数",
        "hardship_last_year": "上年存在返贫致贫风险(低于监测标准或两不愁三保障问题)",
        "hardship_years_share": "历年处于困难状态的年份占比",
        "years_since_hardship": "距上次处于困难状态的年数",
    },
    "health": {
        "chronic_count": "慢性病人数",
        "serious_count": "大病人数",
        "chronic_share": "慢性病人口占比",
        "serious_share": "大病人口占比",
        "medical_total": "医疗总费用",
        "medical_oop": "医疗自付费用",
        "oop_per_capita": "人均医疗自付费用",
        "oop_share_of_income": "医疗自付费用占收入比",
        "reimbursed_share": "医疗费用报销比例",
        "oop_to_local_income": "医疗自付费用与当地人均收入之比",
        "above_serious_threshold": "自付费用超过大病保险起付线",
        "oop_change": "医疗自付费用较上年变化",
        "chronic_change": "慢性病人数较上年变化",
        "serious_change": "大病人数较上年变化",
        "uninsured": "有成员未参加基本医保",
        "ill_years_share": "历年有慢性病或大病患者的年份占比",
        "serious_years_share": "历年有大病患者的年份占比",
        "mean_oop_share": "历年医疗自付费用占收入比均值",
    },
    "disability": {
        "disabled_count": "残疾人数",
        "disabled_share": "残疾人口占比",
        "severe_count": "重度残疾人数",
        "severe_share": "重度残疾人口占比",
        "newly_disabled": "新增残疾人数",
        "newly_severe": "新增重度残疾人数",
        "labour_drop": "劳动力较上年减少人数",
        "disabled_working_age": "劳动年龄残疾人数(下限估计)",
        "disabled_per_labourer": "每个劳动力对应残疾人数",
        "ever_disabled": "历年曾有残疾成员",
    },
    "disaster": {
        "loss": "因灾损失",
        "loss_per_capita": "人均因灾损失",
        "loss_to_income": "因灾损失占收入比",
        "hit": "本年受灾",
        "hit_last_year": "上年受灾",
        "type_flood": "洪涝灾害",
        "type_drought": "干旱灾害",
        "type_quake_geological": "地震地质灾害",
        "type_hail_wind": "风雹灾害",
        "type_other_type": "其他灾害",
        "county_exposure": "本县受灾户比例",
        "village_exposure": "本村受灾户比例",
        "hit_years_share": "历年受灾年份占比",
        "county_hit_history": "本县历年受灾户比例均值",
        "county_disaster_years_share": "本县历年发生灾害的年份占比",
    },
    "accident": {
        "accident_count": "意外事故人次",
        "has_accident": "本年发生意外事故",
        "accidents_per_capita": "人均意外事故人次",
        "new_accident": "新发生意外事故",
        "accident_last_year": "上年意外事故人次",
    },
    "labour": {
        "household_size": "家庭人口数",
        "labour_count": "劳动力人数",
        "labour_per_head": "劳动力占家庭人口比",
        "no_labour": "无劳动力",
        "dependency_ratio": "抚养比",
        "elderly_count": "65岁以上人数",
        "children_count": "16岁以下人数",
        "elderly_share": "老年人口占比",
        "elderly_only": "纯老户",
        "head_age": "户主年龄",
        "head_elderly": "户主65岁以上",
        "head_education": "户主文化程度",
        "ethnic_minority": "少数民族",
        "size_change": "家庭人口较上年变化",
        "labour_change": "劳动力人数较上年变化",
        "migrant_change": "外出务工人数较上年变化",
        "migrant_drop": "外出务工人数减少(失业返乡)",
        "migrant_drop_years_share": "历年外出务工人数减少的年份占比",
    },
    "education": {
        "students_compulsory": "义务教育在校生数",
        "students_higher": "高中及以上在校生数",
        "students_total": "在校生总数",
        "student_share": "在校生占家庭人口比",
        "education_cost": "教育支出",
        "education_cost_to_income": "教育支出占收入比",
        "cost_per_student": "生均教育支出",
        "dropout_count": "义务教育辍学人数",
        "has_dropout": "有义务教育辍学",
        "new_dropout": "新增辍学",
        "students_higher_change": "高中及以上在校生数较上年变化",
    },
    "housing_water": {
        "housing_unsafe": "住房安全无保障",
        "water_unsafe": "饮水安全无保障",
        "any_unsafe": "住房或饮水安全无保障",
        "newly_unsafe_housing": "新出现住房不安全",
        "newly_unsafe_water": "新出现饮水不安全",
        "past_unsafe_years": "以往住房或饮水不安全年数",
        "unsafe_housing_years_share": "历年住房不安全年份占比",
        "unsafe_water_years_share": "历年饮水不安全年份占比",
    },
    "assistance": {
        "dibao": "享受低保",
        "tekun": "特困供养",
        "welfare_job": "公益岗位",
        "industry_support": "产业帮扶",
        "relocated": "易地扶贫搬迁户",
        "n_measures": "帮扶措施数",
        "microcredit_balance": "小额信贷余额",
        "microcredit_to_income": "小额信贷余额占收入比",
        "newly_dibao": "新纳入低保",
        "dibao_exit": "退出低保",
        "lifted_household": "脱贫户",
        "monitored": "监测对象",
        "monitor_sudden": "突发严重困难户",
        "newly_monitored": "新纳入监测对象",
        "monitored_years_share": "历年为监测对象的年份占比",
    },
}

FEATURE_LABELS: dict[str, str] = {
    f"{domain}__{name}": label
    for domain, labels in _LABELS.items()
    for name, label in labels.items()
}
"""Feature name (``<domain>__<feature>``) -> Chinese label."""


def feature_label(name: str) -> str:
    """Chinese label of a feature name (the name itself if unknown).

    Examples
    --------
    >>> feature_label("health__medical_oop")
    '医疗自付费用'
    """
    return FEATURE_LABELS.get(name, name)
