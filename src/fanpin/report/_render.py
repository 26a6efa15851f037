"""Turning :class:`ReportData` into the report's HTML sections."""

from __future__ import annotations

from html import escape
from typing import Any

import numpy as np
import pandas as pd

from ..features import feature_label
from . import _html as h
from ._charts import bar_chart, calibration_chart, capacity_chart
from ._data import ReportData
from ._risks import NO_RISK
from ._style import ChartStyle

__all__ = ["RANKER_NAMES", "render"]

RANKER_NAMES: dict[str, tuple[str, str]] = {
    "model": ("风险模型", "risk model"),
    "gbdt": ("梯度提升树", "LightGBM"),
    "logistic": ("逻辑回归基线", "logistic baseline"),
    "rules": ("现行规则", "current rules"),
    "oracle": ("真实风险（理论上限）", "oracle (true risk)"),
}
_BAND_CLASS = {"稳定": "band-0", "轻微偏移": "band-1", "显著偏移": "band-2"}
_CALIBRATION_KIND = {
    "refit": (
        "以最近一个有结果的年度为检验年：模型用此前年度重新训练（与回测最后一折相同），未见过该年数据。",
        "Test year = latest year with outcomes; the model was refitted on earlier "
        "years "
        "only (as in the backtest's last fold) and never saw it.",
    ),
    "new_year": (
        "该年度不在模型训练数据中：这是模型在新数据上的真实校准情况。",
        "This year was not in the model's training data: out-of-sample calibration.",
    ),
    "in_sample": (
        "注意：该年度在训练数据中且没有更早的年度可供重训，校准结果偏乐观。",
        "Caution: this year was in the training data and no earlier year allows a "
        "refit; the calibration shown is optimistic.",
    ),
}


def _ranker(name: Any) -> str:
    zh, en = RANKER_NAMES.get(str(name), (str(name), str(name)))
    return f"{zh} {en}"


def _choice_note(card: dict[str, Any]) -> str:
    """One line: which model was kept, and whether its lead over the rules on the
    validation year is inside the noise (bootstrap 95 % interval holds 0)."""
    choice = card.get("choice") or {}
    v = choice.get("versus_rules") or {}
    kind = choice.get("winner")
    if not kind or v.get("same_model") or v.get("low") is None:
        return ""
    d, lo, hi = (f"{100 * float(v[k]):+.1f}" for k in ("estimate", "low", "high"))
    if v.get("inside_noise"):
        return h.note(
            f"所用模型（{kind}）减现行规则：验证年前5%名单发现率之差 {d} 个百分点，"
            f"95% 区间 [{lo}, {hi}] 包含 0：相对现行规则的优势在误差范围之内。",
            f"The model kept ({kind}) minus the rules on the validation year: {d} "
            f"points of recall in the top 5 %, 95 % interval [{lo}, {hi}]: the "
            "advantage over the rules is inside the noise.",
            warn=True,
        )
    return h.note(
        f"所用模型（{kind}）减现行规则：验证年前5%名单发现率之差 {d} 个百分点"
        f"（95% 区间 [{lo}, {hi}]）。",
        f"The model kept ({kind}) minus the rules on the validation year: {d} "
        f"points of recall in the top 5 % (95 % interval [{lo}, {hi}]).",
    )


def _interval(row: pd.Series, fig: str, fmt: Any) -> str:
    lo, hi = row.get(f"{fig}_low"), row.get(f"{fig}_high")
    if lo is None or hi is None or pd.isna(lo) or pd.isna(hi):
        return "—"
    return f"[{fmt(lo)}, {fmt(hi)}]"


def _card_section(card: dict[str, Any]) -> str:
    training = card.get("training", {})
    params = card.get("estimator_params", {})
    versions = card.get("versions", {})
    calib = card.get("calibration", {})
    years = card.get("train_years") or training.get("years") or []
    rows = [
        ("模型类型", "model kind", str(card.get("model_kind", card.get("kind", "—")))),
        ("训练年度", "training years", f"{min(years)}–{max(years)}" if years else "—"),
        ("训练样本（户·年）", "training rows", h.fmt_int(training.get("n_rows"))),
        (
            "其中次年返贫致贫",
            "of which fell next year",
            h.fmt_int(training.get("n_positive")),
        ),
        ("返贫致贫率", "fall rate", h.fmt_pct(training.get("positive_rate"), 2)),
        ("特征数", "features", h.fmt_int(card.get("n_features"))),
        (
            "树的数量（上限）/ 学习率",
            "trees (cap) / learning rate",
            f"{card.get('n_rounds') or '—'} ({params.get('n_estimators', '—')}) / "
            f"{params.get('learning_rate', '—')}",
        ),
        ("概率校准", "calibration", str(calib.get("method", "—"))),
        ("随机种子", "seed", str(card.get("seed", "—"))),
        (
            "软件版本",
            "versions",
            ", ".join(
                f"{k} {versions[k]}"
                for k in ("fanpin", "lightgbm", "scikit-learn")
                if k in versions
            )
            or "—",
        ),
        ("模型文件校验值", "model sha256", str(card.get("model_sha256", "—"))[:16]),
        ("训练数据校验值", "data sha256", str(training.get("data_sha256", "—"))[:16]),
    ]
    df = pd.DataFrame(rows, columns=["zh", "en", "value"])
    df["item"] = df["zh"] + " " + df["en"]
    body = h.table(
        df,
        [("item", "项目", "item", str), ("value", "内容", "value", str)],
        text_cols=("item", "value"),
    )
    return h.section("model-card", "模型卡", "Model card", body)


def _backtest_section(data: ReportData) -> str:
    if data.backtest is None:
        body = h.note(
            "无法回测：面板中没有足够的连续年度。",
            f"No backtest: {data.backtest_note}",
            warn=True,
        )
        return h.section("backtest", "回测结果", "Backtest", body)
    res = data.backtest
    pct = f"{data.fraction:.0%}"
    summ = res.summary(data.fraction)
    summ["name"] = summ["ranker"].map(_ranker)
    rec = f"recall@{pct}"
    summ["auc_iv"] = [_interval(r, "auc", h.fmt_num) for _, r in summ.iterrows()]
    summ["recall_iv"] = [_interval(r, rec, h.fmt_pct) for _, r in summ.iterrows()]
    cols: list[h.Col] = [
        ("name", "排序方法", "ranker", str),
        ("auc", "AUC", "AUC", h.fmt_num),
        ("auc_iv", "AUC 95%区间", "AUC 95% interval", str),
        ("pr_auc", "PR-AUC", "PR-AUC", h.fmt_num),
        (f"recall@{pct}", f"前{pct}名单发现率", f"recall, top {pct}", h.fmt_pct),
        ("recall_iv", "发现率95%区间", "recall 95% interval", str),
        (f"precision@{pct}", f"前{pct}名单命中率", f"precision, top {pct}", h.fmt_pct),
        ("brier", "Brier", "Brier score", h.fmt_num),
    ]
    if f"capture@{pct}" in summ:
        cols.append(
            (f"capture@{pct}", "期望捕获率", f"expected capture, top {pct}", h.fmt_pct)
        )
    if f"capture@{pct}_low" in summ:
        summ["capture_iv"] = [
            _interval(r, f"capture@{pct}", h.fmt_pct) for _, r in summ.iterrows()
        ]
        cols.append(("capture_iv", "捕获率95%区间", "capture 95% interval", str))
    if "capture/oracle" in summ:
        cols.append(("capture/oracle", "相对理论上限", "share of oracle", h.fmt_pct))
    last = int(summ["test_year"].iloc[0])
    folds = res.folds
    n_test = int(folds.loc[folds["test_year"] == last, "n_test"].iloc[0])
    intro = h.note(
        f"滚动时间回测：每个检验年 t 只用 t 之前的年度训练，预测 t 年未处于困难的农户"
        f"次年是否返贫致贫。下表为最近检验年 {last}（{n_test:,} 户）。"
        "“发现率”= 名单中实际返贫致贫户占全部返贫致贫户的比例。",
        f"Rolling temporal backtest: for each test year t, models are trained on "
        f"earlier years only. Table: latest test year {last} ({n_test:,} households). "
        "Recall = share of all households that fell which the list contains.",
    )
    body = intro + h.table(
        summ, cols, text_cols=("name",), highlight=lambda r: r["ranker"] == "model"
    )
    diff = res.differences(data.fraction)
    if len(diff):
        parts = [
            f"{r['figure']} {r['estimate']:+.3f} [{r['low']:+.3f}, {r['high']:+.3f}]"
            for _, r in diff.iterrows()
        ]
        body += h.note(
            "模型减现行规则（自助法 95% 区间，按户重抽样）：" + "；".join(parts),
            "Model minus rules (bootstrap 95% intervals, households resampled): "
            + "; ".join(parts),
        )
    cap = res.capacity[res.capacity["list"] == f"top {pct}"]
    wide = cap.pivot(index="test_year", columns="ranker", values="recall")
    order = [r for r in RANKER_NAMES if r in wide.columns]
    wide = wide[order].reset_index()
    yearly: list[h.Col] = [("test_year", "检验年", "test year", h.fmt_year)] + [
        (r, RANKER_NAMES[r][0], RANKER_NAMES[r][1], h.fmt_pct) for r in order
    ]
    body += h.note(
        f"各检验年前{pct}名单发现率", f"Recall of the top {pct} by test year"
    )
    body += h.table(wide, yearly)
    if "oracle" not in res.metrics["ranker"].tolist():
        body += h.note(
            "未提供真实风险（--truth），因此不与理论上限比较。",
            "No true risks given (--truth): no comparison with the oracle.",
        )
    return h.section(
        "backtest", "回测：模型与现行规则对比", "Backtest against the rules", body
    )


def _capacity_section(data: ReportData, style: ChartStyle) -> str:
    if data.capacity is None or data.backtest is None:
        return ""
    cap = data.capacity
    png = capacity_chart(cap, RANKER_NAMES, style, marker=data.fraction)
    body = h.note(
        "横轴为核查名单规模（占可排序农户比例），纵轴为名单发现的返贫致贫户占比；"
        "曲线越高越好，虚线为当前名单规模。",
        "x: size of the verification list (share of households); y: share of the "
        "households that fell which the list catches. Higher is better; the dashed "
        "line is the list size used in this report.",
    )
    body += h.image(png, "capacity curve / 名单规模与发现率", width=720)
    pick = cap[np.isin(cap["fraction"], [0.01, 0.05, 0.1, 0.2, 0.3])]
    wide = pick.pivot(index="fraction", columns="ranker", values="caught")
    order = [r for r in RANKER_NAMES if r in wide.columns]
    wide = wide[order].reset_index()
    cols: list[h.Col] = [
        ("fraction", "名单规模", "list size", lambda x: h.fmt_pct(x, 0))
    ]
    cols += [(r, RANKER_NAMES[r][0], RANKER_NAMES[r][1], h.fmt_pct) for r in order]
    body += h.table(wide, cols)
    return h.section("capacity", "名单规模与发现率", "Capacity curve", body)


def _calibration_section(data: ReportData, style: ChartStyle) -> str:
    if data.calibration is None:
        body = h.note(
            "无法计算校准。",
            f"No calibration: {data.notes.get('calibration')}",
            warn=True,
        )
        return h.section("calibration", "概率校准", "Calibration", body)
    t = data.calibration
    zh, en = _CALIBRATION_KIND[data.calibration_kind or "in_sample"]
    png = calibration_chart(t, style)
    body = h.note(
        f"{data.calibration_year} 年农户按预测风险分成 {len(t)} 组，"
        "比较每组的预测风险均值与"
        f"次年实际返贫致贫率（竖线为 95% 置信区间）。{zh}",
        f"Households of {data.calibration_year} in {len(t)} groups of predicted risk: "
        f"mean predicted risk against the observed rate (bars: 95% interval). {en}",
        warn=data.calibration_kind == "in_sample",
    )
    cols: list[h.Col] = [
        ("bin", "组", "bin", lambda x: str(int(x) + 1)),
        ("n", "户数", "households", h.fmt_int),
        ("mean_predicted", "预测风险均值", "mean predicted", lambda x: h.fmt_pct(x, 2)),
        ("observed_rate", "实际发生率", "observed rate", lambda x: h.fmt_pct(x, 2)),
        ("n_fell", "实际返贫致贫户", "fell", h.fmt_int),
    ]
    body += f'<div class="row">{h.image(png, "calibration / 校准", width=560)}'
    body += f"<div>{h.table(t, cols)}</div></div>"
    return h.section("calibration", "概率校准", "Calibration", body)


def _county_section(data: ReportData, style: ChartStyle) -> str:
    c = data.counties
    assert c is not None
    year = data.overview["latest_year"]
    pct = f"{data.fraction:.0%}"
    top = c.sort_values(["mean_risk", "county"], ascending=[False, True]).head(20)
    names = top["county"].astype(str).tolist()
    body = h.note(
        f"{year} 年未处于困难的农户按县汇总；“预计返贫致贫户数”为预测概率之和。"
        f"图为平均风险最高的 {len(top)} 个县。",
        f"Households of {year} not in hardship, by county; expected falls = sum of "
        f"predicted risks. Chart: the {len(top)} counties with the highest mean risk.",
    )
    if style.font or all(n.isascii() for n in names):
        png = bar_chart(
            names,
            top["mean_risk"].tolist(),
            style,
            xlabel=style.label("平均风险（%）", "mean risk (%)"),
            percent=True,
        )
        body += h.image(png, "risk by county / 各县风险", width=720)
    else:  # never draw boxes for names the chart font cannot show
        body += h.note(
            "县名需要中文字体，图表从略，见下表。",
            "Chart omitted: county names need a CJK font; see the table.",
            warn=True,
        )
    cols: list[h.Col] = [
        ("county", "县", "county", h.fmt_text),
        ("n_ranked", "可排序农户", "ranked households", h.fmt_int),
        ("mean_risk", "平均风险", "mean risk", lambda x: h.fmt_pct(x, 2)),
        (
            "expected_falls",
            "预计返贫致贫户数",
            "expected falls",
            lambda x: h.fmt_num(x, 1),
        ),
        ("n_high", "高风险户", "high risk (高)", h.fmt_int),
        ("n_listed", f"前{pct}名单户数", f"on the top {pct} list", h.fmt_int),
        ("n_monitored", "已在困难（监测）", "already in hardship", h.fmt_int),
    ]
    body += h.table(c, cols, text_cols=("county",))
    return h.section("counties", "各县风险", "Risk by county", body)


def _risk_types_section(data: ReportData, style: ChartStyle, top: int = 6) -> str:
    r = data.risk_types
    assert r is not None
    pct = f"{data.fraction:.0%}"
    n_list = int(data.counties["n_listed"].sum()) if data.counties is not None else 0
    max_risks, min_contribution = data.risk_limits
    body = h.note(
        f"{data.overview['latest_year']} 年前{pct}名单农户的风险类型：模型 SHAP 贡献"
        f"按官方致贫返贫风险类型（代码表 100A27）汇总，每户最多列出 {max_risks} 项"
        f"（贡献 ≥ {min_contribution:g} 对数几率）；"
        "一户可有多项风险，占比之和可超过 100%。“首要风险”为贡献最大的一项。",
        f"Risk types of the households on the top {pct} list of "
        f"{data.overview['latest_year']}: the model's SHAP contributions summed per "
        f"official risk type (code table 100A27), up to {max_risks} per household "
        f"(each adding ≥ {min_contribution:g} log-odds); a household can have "
        "several, so shares can add up to more than 100%. Main risk = the largest.",
    )
    shown = r[r["code"] != NO_RISK]
    if len(shown):
        labels = [
            f"{c} {zh if style.font else en}"
            for c, zh, en in zip(shown["code"], shown["name"], shown["en"], strict=True)
        ]
        png = bar_chart(
            labels,
            shown["share_listed"].tolist(),
            style,
            xlabel=style.label(
                f"前{pct}名单中有此风险的农户占比（%）",
                f"share of the top {pct} list with this risk (%)",
            ),
            percent=True,
            colour="#d62728",
        )
        body += h.image(png, "risk types / 主要风险类型", width=720)
    t = r.assign(label=r["name"] + " " + r["en"])
    cols: list[h.Col] = [
        ("code", "代码", "code", h.fmt_text),
        ("label", "风险类型", "risk type", h.fmt_text),
        ("n_listed", "名单中户数", "households on the list", h.fmt_int),
        ("share_listed", "占名单比例", f"share of the list ({n_list:,})", h.fmt_pct),
        ("n_main", "其中为首要风险", "as main risk", h.fmt_int),
    ]
    body += h.table(t, cols, text_cols=("code", "label"))
    c = data.risk_types_by_county
    if c is not None and len(c):
        codes = shown["code"].astype(str).tolist()[:top]
        names = dict(zip(r["code"], r["name"], strict=True))
        body += h.note(
            f"各县名单农户中前 {len(codes)} 类风险的户数（列下为风险代码）。",
            f"By county: households on the list with each of the {len(codes)} most "
            "frequent risk types (code under each name; names in the table above).",
        )
        ccols: list[h.Col] = [
            ("county", "县", "county", h.fmt_text),
            ("n_households", "名单户数", "on the list", h.fmt_int),
        ]
        # Narrow columns: the Chinese name, the code underneath (the English
        # names are in the table above).
        ccols += [(k, names[k], k, h.fmt_int) for k in codes]
        body += h.table(c, ccols, text_cols=("county",))
    return h.section("risk-types", "主要风险类型", "Most frequent risk types", body)


def _drift_section(data: ReportData, max_rows: int = 15) -> str:
    if data.drift is None or data.drift_years is None:
        body = h.note("只有一个年度，无法比较漂移。", "One year only: no drift table.")
        return h.section("drift", "数据漂移", "Drift", body)
    d = data.drift
    prev, cur = data.drift_years
    counts = d[d["kind"] == "feature"]["band"].value_counts()
    score = d[d["kind"] == "score"]
    feats = d[d["kind"] == "feature"].sort_values(
        ["psi", "variable"], ascending=[False, True], kind="stable"
    )
    shown = pd.concat([score, feats.head(max_rows)], ignore_index=True)
    shown["name"] = [
        "风险评分 risk score" if k == "score" else f"{feature_label(v)} {v}"
        for v, k in zip(shown["variable"], shown["kind"], strict=True)
    ]
    shown["band_both"] = shown["band"] + " " + shown["band_en"]
    summary = "，".join(f"{b} {int(counts.get(b, 0))} 个" for b in _BAND_CLASS)
    body = h.note(
        f"{cur} 年与 {prev} 年（未处于困难的农户）的群体稳定性指数 PSI："
        f"< 0.1 稳定，0.1–0.25 轻微偏移，≥ 0.25 显著偏移。特征：{summary}。"
        f"下表为评分及 PSI 最大的 {min(max_rows, len(feats))} 个特征。",
        f"Population stability index, {cur} against {prev} (households not in "
        "hardship): < 0.1 stable, 0.1–0.25 slight shift, ≥ 0.25 significant shift. "
        + ", ".join(
            f"{en}: {int(counts.get(zh, 0))}"
            for _, zh, en in (
                ("", "稳定", "stable"),
                ("", "轻微偏移", "slight"),
                ("", "显著偏移", "significant"),
            )
        )
        + " features. Table: the score and the features with the largest PSI.",
    )
    cols: list[h.Col] = [
        ("name", "变量", "variable", str),
        ("psi", "PSI", "PSI", h.fmt_num),
        ("band_both", "判断", "band", str),
        ("mean_ref", f"{prev} 均值", f"mean {prev}", lambda x: h.fmt_num(x, 2)),
        ("mean_cur", f"{cur} 均值", f"mean {cur}", lambda x: h.fmt_num(x, 2)),
        ("missing_cur", f"{cur} 缺失率", f"missing {cur}", h.fmt_pct),
    ]
    body += h.table(
        shown,
        cols,
        text_cols=("name", "band_both"),
        highlight=lambda r: r["kind"] == "score",
        cell_class=lambda k, v: (
            _BAND_CLASS.get(str(v).split(" ")[0], "") if k == "band_both" else ""
        ),
    )
    return h.section(
        "drift", "数据漂移（最近两年）", "Drift, latest year vs previous", body
    )


def _groups_section(data: ReportData) -> str:
    if data.backtest is None or not len(data.backtest.groups):
        return ""
    g = data.backtest.groups
    last = int(g["test_year"].max())
    g = g[(g["test_year"] == last) & (g["ranker"] == "model")].copy()
    names = {
        "province": "省 province",
        "household_type": "户类型 household type",
        "ethnic_minority": "少数民族 ethnic minority",
    }
    g["col"] = g["column"].map(names).fillna(g["column"])
    pct = f"{data.fraction:.0%}"
    cols: list[h.Col] = [
        ("col", "分组", "group", str),
        ("group", "取值", "value", h.fmt_text),
        ("n", "户数", "households", h.fmt_int),
        ("positive_rate", "实际发生率", "observed rate", lambda x: h.fmt_pct(x, 2)),
        ("mean_score", "预测风险均值", "mean predicted", lambda x: h.fmt_pct(x, 2)),
        ("auc", "AUC", "AUC", h.fmt_num),
        ("recall_in_list", f"前{pct}名单发现率", f"recall, top {pct}", h.fmt_pct),
    ]
    body = h.note(
        f"检验年 {last}，风险模型；名单为全体农户的前{pct}。"
        "各组发现率差距大时需关注公平性。",
        f"Test year {last}, risk model; one list of the top {pct} of all households. "
        "Large gaps in recall between groups deserve attention.",
    )
    body += h.table(g, cols, text_cols=("col", "group"))
    return h.section("groups", "分组指标", "Metrics by group", body)


_HIT_BY = {
    "township": ("按乡镇", "by township"),
    "county": ("按县", "by county"),
    "risk_level": ("按列入名单时的风险等级", "by the risk level at listing"),
}
_HIT_KEYS = {
    "county": ("县", "county"),
    "township": ("乡镇", "township"),
    "risk_level": ("风险等级", "risk level"),
}


def hit_share(row: pd.Series) -> str:
    """'50.0% (18.8%–81.2%)': the 属实 share with its 95 % interval; '—' when
    nothing is verified."""
    if not row["verified"]:
        return "—"
    return f"{h.fmt_pct(row['share_true'])} ({h.fmt_pct(row['low'])}–" + (
        f"{h.fmt_pct(row['high'])})"
    )


def _hit_rate_section(data: ReportData) -> str:
    """The verified hit rate of the list (from a case store), by township and
    by risk level."""
    if not data.hit_rates:
        return ""
    body = h.note(
        "属实比例：乡镇已核查的名单案件中，核实为属实（属实-纳入监测）的比例，附 95% "
        "Wilson 区间。它只衡量名单的准确率：从未列入名单的农户不会被核查，"
        "因此无法说明名单漏掉了多少困难户。",
        "属实 share: of the listed cases the townships verified, the share found in "
        "hardship (属实-纳入监测), with its 95 % Wilson interval. It measures the "
        "precision of the list only: households never listed are never verified, "
        "so it cannot say how many in hardship the list missed.",
    )
    for by, table in data.hit_rates.items():
        t = table.reset_index()
        t["share"] = [hit_share(r) for _, r in t.iterrows()]
        keys = [c for c in ("county", "township", "risk_level") if c in t.columns]
        cols: list[h.Col] = [(k, *_HIT_KEYS[k], h.fmt_text) for k in keys]
        cols += [
            ("listed", "列入名单", "listed", h.fmt_int),
            ("verified", "已核查", "verified", h.fmt_int),
            ("true", "属实", "属实", h.fmt_int),
            ("false", "不属实", "不属实", h.fmt_int),
            ("pending", "尚未核查", "not verified yet", h.fmt_int),
            ("share", "属实比例（95% 区间）", "属实 share (95 % interval)", str),
        ]
        zh, en = _HIT_BY.get(by, (by, by))
        body += f"<h3>{escape(zh)} <span class=\"en\">{escape(en)}</span></h3>"
        body += h.table(t, cols, text_cols=tuple(keys))
    return h.section(
        "hit-rate", "名单核查命中率", "Verified hit rate of the list", body
    )


def render(data: ReportData, style: ChartStyle, *, generated_at: str | None) -> str:
    """The complete HTML document."""
    o = data.overview
    years = o["years"]
    when = (
        f"生成日期 generated {escape(generated_at)}"
        if generated_at
        else f"数据截至 {o['latest_year']} 年 data up to {o['latest_year']}"
    )
    meta = (
        f"数据年度 years {years[0]}–{years[-1]} · "
        f"{o['n_households']:,} 户 households · "
        f"{o['n_provinces']} 省 provinces · {o['n_counties']} 县 counties · {when}"
    )
    c = data.counties
    key: list[tuple[str, str, str]] = [
        (
            f"{int(c['n_ranked'].sum()):,}",
            f"{o['latest_year']} 年可排序农户",
            "households ranked",
        ),
        (f"{o['n_hardship_latest']:,}", "已在困难（监测对象）", "already in hardship"),
        (
            f"{c['expected_falls'].sum():,.0f}",
            "预计来年返贫致贫户数",
            "expected falls next year",
        ),
    ]
    if data.backtest is not None:
        pct = f"{data.fraction:.0%}"
        s = data.backtest.summary(data.fraction).set_index("ranker")
        key.append(
            (
                h.fmt_pct(s.loc["model", f"recall@{pct}"]),
                f"模型前{pct}名单发现率",
                f"model recall, top {pct}",
            )
        )
        if "rules" in s.index:
            key.append(
                (
                    h.fmt_pct(s.loc["rules", f"recall@{pct}"]),
                    f"现行规则前{pct}名单发现率",
                    f"rules recall, top {pct}",
                )
            )
    body = h.section(
        "overview", "概览", "Overview", h.cards(key) + _choice_note(data.card)
    )
    body += _card_section(data.card)
    body += _hit_rate_section(data)
    body += _backtest_section(data)
    body += _capacity_section(data, style)
    body += _calibration_section(data, style)
    body += _county_section(data, style)
    body += _risk_types_section(data, style)
    body += _groups_section(data)
    body += _drift_section(data)
    footer = h.note(
        "本报告只含汇总数字，不含任何个人信息（姓名、身份证号、电话）。"
        "由 fanpin 生成。",
        "Aggregates only: no personal data (names, ID numbers, phone numbers). "
        "Generated by fanpin.",
    )
    if not style.font:
        footer += h.note(
            "图表未找到中文字体，仅显示英文。",
            "No CJK font was found: chart labels are in English only.",
        )
    return h.page(
        "返贫致贫风险预警报告",
        "Early-warning report: risk of falling into hardship",
        meta,
        body,
        footer,
    )
