"""The HTML report: sections, numbers, inline images, no network, no personal data,
byte-identical across runs, and the English-only fallback without a CJK font."""

from __future__ import annotations

import base64
import re

import numpy as np
import pandas as pd
import pytest

from fanpin.config import load_risk_types
from fanpin.evaluate import backtest
from fanpin.explain import explain_households
from fanpin.models import read_model_card
from fanpin.monitor import psi
from fanpin.report import (
    ChartFontWarning,
    _build,
    _fonts,
    build_report,
    compute_report_data,
)
from fanpin.report._html import fmt_num, fmt_pct
from fanpin.report._risks import NO_RISK
from fanpin.scoring import score_panel

from .conftest import PII

SECTIONS = [
    "overview",
    "model-card",
    "backtest",
    "capacity",
    "calibration",
    "counties",
    "risk-types",
    "groups",
    "drift",
]
DATA_URI = re.compile(r"data:image/png;base64,([A-Za-z0-9+/=]+)")


@pytest.fixture(scope="module")
def html(small, model_dir):
    sim, _ = small
    panel = sim.panel.assign(**PII)  # personal data present in the input
    return build_report(panel, model_dir, truth=sim.truth, generated_at="2025-03-01")


@pytest.fixture(scope="module")
def data(small):
    sim, model = small
    return compute_report_data(sim.panel, model, card={}, truth=sim.truth)


def _text(doc: str) -> str:
    return DATA_URI.sub("data:image/png;base64,", doc)


def test_sections_present_and_self_contained(html):
    for anchor in SECTIONS:
        assert f'<section id="{anchor}">' in html
    for title in [
        "模型卡",
        "Model card",
        "名单规模与发现率",
        "Capacity curve",
        "概率校准",
        "各县风险",
        "主要风险类型",
        "数据漂移",
        "Drift",
    ]:
        assert title in html
    text = _text(html)  # base64 payloads removed: they may spell anything
    assert "http" not in text.lower() and "//" not in text.replace("://", "")
    assert "<script" not in text and "<link" not in text and "@import" not in text
    assert text.count("src=") == text.count('src="data:image/png;base64,"')


def test_images_are_inline_pngs_without_metadata(html):
    images = DATA_URI.findall(html)
    assert len(images) >= 4  # capacity, calibration, counties, risk types
    for b64 in images:
        png = base64.b64decode(b64)
        assert png.startswith(b"\x89PNG\r\n\x1a\n")
        assert b"Software" not in png and b"tIME" not in png


def test_no_personal_data(html, small):
    text = _text(html)
    for value in PII.values():
        assert value not in text
    ids = small[0].panel["household_id"].astype(str).unique()
    assert not any(i in text for i in ids[:200])


def test_numbers_match_the_computed_metrics(html, small, model_dir):
    sim, model = small
    # Backtest: an independent run with the saved model's configuration.
    res = backtest(sim.panel, sim.lines, truth=sim.truth, config=model.config)
    summ = res.summary(0.05).set_index("ranker")
    for ranker in ["model", "rules", "oracle"]:
        assert fmt_pct(summ.loc[ranker, "recall@5%"]) in html
    assert fmt_num(summ.loc["model", "auc"]) in html
    assert fmt_num(summ.loc["oracle", "auc"]) in html
    # Counties and the overview card: straight from score_panel.
    scores, monitored = score_panel(model, sim.panel)
    assert f"{len(scores):,}" in html and f"{len(monitored):,}" in html
    expected = f"{scores['risk_score'].sum():,.0f}"
    assert expected in html
    for county, n in scores["county"].value_counts().items():
        assert re.search(rf"<td class=\"t\">{county}</td><td>{n:,}</td>", html)
    # Drift of the score, 2024 against 2023, on the ranked population.
    p = model.risk_score(sim.panel)
    from fanpin.schema import in_hardship

    ok = ~in_hardship(sim.panel, sim.lines).to_numpy()
    yr = sim.panel["year"].to_numpy()
    value = psi(p[(yr == 2023) & ok], p[(yr == 2024) & ok])
    assert f"<td>{fmt_num(value)}</td>" in html
    # The model card comes from model_card.json.
    card = read_model_card(model_dir)
    assert card["model_sha256"][:16] in html
    assert "2025-03-01" in html


def test_byte_identical_across_runs(html, small, model_dir):
    sim, _ = small
    again = build_report(
        sim.panel.assign(**PII), model_dir, truth=sim.truth, generated_at="2025-03-01"
    )
    assert again.encode() == html.encode()


def test_without_truth_no_oracle(small):
    sim, model = small
    data = compute_report_data(sim.panel, model, card={}, lines=sim.lines)
    assert "oracle" not in data.backtest.metrics["ranker"].tolist()
    assert data.calibration_kind == "refit"
    assert data.calibration["n"].sum() == data.backtest.folds["n_test"].iloc[-1]


def test_chinese_font_found_and_used(html):
    assert _fonts.find_cjk_font() == _fonts.FONT_FAMILY
    assert "图表未找到中文字体" not in html


def test_fallback_to_english_with_a_warning(small, data, monkeypatch):
    sim, model = small
    monkeypatch.setattr(_build, "find_cjk_font", lambda: None)
    monkeypatch.setattr(_build, "compute_report_data", lambda *a, **k: data)
    with pytest.warns(ChartFontWarning, match="noto-cjk-sans-otc"):
        out = build_report(sim.panel, model)
    assert "No CJK font was found" in out
    assert "Chart omitted: county names need a CJK font" in out  # Chinese names
    assert len(DATA_URI.findall(out)) >= 3


def test_english_labels_render_without_missing_glyphs():
    # -W error turns matplotlib's "Glyph ... missing" warning into a failure.
    from fanpin.report._charts import ChartStyle, bar_chart

    png = bar_chart(["a", "b"], [0.1, 0.2], ChartStyle(None), xlabel="x", percent=True)
    assert png.startswith(b"\x89PNG")
    assert ChartStyle(None).label("县", "county") == "county"


def test_chinese_labels_render_without_missing_glyphs():
    from fanpin.report._charts import ChartStyle, bar_chart

    font = _fonts.find_cjk_font()
    assert font is not None
    png = bar_chart(
        ["甲县", "乙县"],
        [0.1, 0.2],
        ChartStyle(font),
        xlabel="平均风险（%）",
        percent=True,
    )
    assert png.startswith(b"\x89PNG")


def test_report_rejects_a_bare_estimator(small):
    from fanpin.exceptions import ModelError

    with pytest.raises(ModelError, match="RiskPipeline"):
        build_report(small[0].panel, small[1].model)


def test_capacity_curve_is_monotone(data):
    for _, part in data.capacity.groupby("ranker"):
        caught = part.sort_values("fraction")["caught"].to_numpy()
        assert np.all(np.diff(caught) >= -1e-12)
        assert caught[-1] == pytest.approx(1.0)


def _listed_rows(sim, model, fraction=0.05):
    """Index labels of the top-``fraction`` list of the latest year (score_panel)."""
    scores, _ = score_panel(model, sim.panel)
    n_list = int(np.ceil(fraction * len(scores)))
    ids = scores.loc[scores["risk_rank"] <= n_list, "household_id"].astype(str)
    latest = sim.panel[sim.panel["year"] == sim.panel["year"].max()]
    pos = pd.Series(latest.index, index=latest["household_id"].astype(str))
    return pd.Index(pos.loc[ids.to_numpy()].to_numpy())


def test_risk_types_match_an_independent_explanation(data, small):
    sim, model = small
    rows = _listed_rows(sim, model)
    ex = explain_households(  # features recomputed
        model, sim.panel, rows=rows, risk_types=load_risk_types()
    )
    codes = ex["risk_types"].astype(str).str.split(";")
    codes = codes.map(lambda c: [x for x in c if x])
    r = data.risk_types.set_index("code")
    assert sorted(r.index) == sorted(
        {c for cs in codes for c in cs} | ({NO_RISK} if (codes.str.len() == 0).any()
                                           else set())
    )
    assert int(r.loc[r.index != NO_RISK, "n_main"].sum()) == int(
        (codes.str.len() > 0).sum()
    )
    for code in r.index.drop(NO_RISK, errors="ignore"):
        n = int(codes.map(lambda cs, c=code: c in cs).sum())
        assert r.at[code, "n_listed"] == n
        assert r.at[code, "share_listed"] == pytest.approx(n / len(rows))
        assert r.at[code, "n_main"] == int(
            codes.map(lambda cs, c=code: bool(cs) and cs[0] == c).sum()
        )
    counts = r.loc[r.index != NO_RISK, "n_listed"].tolist()
    assert counts == sorted(counts, reverse=True)  # most frequent first
    # By county: same counts, county by county.
    county = sim.panel.loc[rows, "county"].astype(str).to_numpy()
    bc = data.risk_types_by_county.set_index("county")
    assert bc["n_households"].sum() == len(rows)
    for code in r.index.drop(NO_RISK, errors="ignore"):
        has = codes.map(lambda cs, c=code: c in cs).to_numpy()
        expected = pd.Series(has, index=county).groupby(level=0).sum()
        assert bc[code].to_dict() == expected.to_dict()
    # Names are the official ones.
    types = load_risk_types()
    for code in r.index.drop(NO_RISK, errors="ignore"):
        assert r.at[code, "name"].endswith(types.name(code))


def test_risk_types_section_shows_the_explained_types(html, data):
    sec = html[html.index('<section id="risk-types">') :]
    sec = sec[: sec.index("</section>")]
    assert "SHAP" in sec and "100A27" in sec
    assert "尚未接入" not in html and "proxy" not in html and "规则" not in sec
    r = data.risk_types
    assert len(DATA_URI.findall(sec)) == 1
    for row in r.itertuples():
        assert f'<td class="t">{row.code}</td>' in sec
        assert f"<td>{row.n_listed:,}</td><td>{fmt_pct(row.share_listed)}</td>" in sec
        if row.code != NO_RISK:
            assert row.name in sec
