"""build_report / write_report: the bureau's self-contained HTML report."""

from __future__ import annotations

import logging
import warnings
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import pandas as pd

from ..config import MonitoringLines
from ..exceptions import ModelError
from ..io import write_text
from ..messages import N_, Message
from ..models import RiskPipeline, load_model, read_model_card
from ._data import compute_report_data
from ._fonts import MSG_NO_CJK_FONT, ChartFontWarning, find_cjk_font
from ._render import render
from ._style import FOR_REPORT, ChartStyle, require_matplotlib

__all__ = ["build_report", "write_report"]

logger = logging.getLogger(__name__)

MSG_NOT_PIPELINE = N_(
    "The report needs a model trained on a panel (a RiskPipeline, as saved by "
    "`fanpin train`); got {kind}. Train with fanpin.models.train_risk_model or "
    "`fanpin train`."
)

def _card_from(model: RiskPipeline) -> dict[str, Any]:
    est = model.model
    return {
        "kind": type(model).__name__,
        "model_kind": model.kind_,
        "n_features": int(est.n_features_in_),
        "n_rounds": getattr(est, "n_rounds_", None),
        "estimator_params": {
            k: v for k, v in est.get_params(deep=False).items() if k != "offset"
        },
        "calibration": {"method": getattr(est, "calibration_", "—")},
        "train_years": list(model.training.get("years", [])),
        "training": dict(model.training),
        "choice": dict(model.choice_),
        "seed": model.training.get("seed"),
    }


def build_report(
    panel: pd.DataFrame,
    model: RiskPipeline | str | Path,
    *,
    truth: pd.DataFrame | None = None,
    lines: MonitoringLines | None = None,
    card: dict[str, Any] | None = None,
    fraction: float = 0.05,
    generated_at: str | None = None,
    hit_rates: Mapping[str, pd.DataFrame] | None = None,
) -> str:
    """The HTML report for bureau leadership, as one self-contained string.

    Sections: overview, model card, backtest of the model against the current
    rules (and the oracle with ``truth``), capacity curve, calibration, risk by
    county, most frequent risk types, metrics by group, and drift of the latest
    year against the previous one. Charts are inline PNG (base64), the CSS is
    inline, and nothing is fetched from the network. Only aggregates are shown:
    no household rows and no personal data.

    The output is deterministic: the same inputs give the same bytes (the
    models are seeded, the PNGs carry no metadata, and there is no clock; pass
    ``generated_at`` to print a date).

    Chart labels are bilingual, drawn with the packaged Noto Sans CJK SC
    (:func:`~fanpin.report.find_cjk_font`); if that font package is missing
    they are English only and a :class:`ChartFontWarning` is emitted.

    Parameters
    ----------
    panel : DataFrame
        A validated household panel (several consecutive years).
    model : RiskPipeline or path
        A trained pipeline, or a model directory written by ``fanpin train``
        (its ``model_card.json`` then fills the model card).
    truth : DataFrame, optional
        ``household_id, year, p_next`` true risks (simulated data): adds the
        oracle to the backtest.
    lines : MonitoringLines, optional
        Monitoring lines (default: those the model was trained with).
    card : dict, optional
        Model card to show (default: read from the directory, or summarised from
        the model).
    fraction : float
        Size of the verification list as a share of ranked households.
    generated_at : str, optional
        Date printed in the header; without it the header gives the data's
        latest year.
    hit_rates : mapping, optional
        The alert list's verified hit rate from a case store:
        :func:`fanpin.workflow.hit_rates` tables by ``"township"`` and by
        ``"risk_level"`` (``fanpin report --store URL``); adds the section
        "verified hit rate of the list" (the 属实 share with its 95 % Wilson
        interval).

    Returns
    -------
    str
        The HTML document.
    """
    require_matplotlib(FOR_REPORT)
    if isinstance(model, str | Path):
        card = card if card is not None else read_model_card(model)
        model = load_model(model)
    if not isinstance(model, RiskPipeline):
        raise ModelError(Message(MSG_NOT_PIPELINE, kind=type(model).__name__))
    card = card if card is not None else _card_from(model)
    font = find_cjk_font()
    if font is None:
        warnings.warn(MSG_NO_CJK_FONT, ChartFontWarning, stacklevel=2)
    data = compute_report_data(
        panel, model, card=card, truth=truth, lines=lines, fraction=fraction
    )
    if hit_rates is not None:
        data.hit_rates = {k: v.copy() for k, v in hit_rates.items()}
    html = render(data, ChartStyle(font), generated_at=generated_at)
    logger.info("report built: %d characters", len(html))
    return html


def write_report(
    path: str | Path,
    panel: pd.DataFrame,
    model: RiskPipeline | str | Path,
    **options: Any,
) -> Path:
    """:func:`build_report`, written atomically to ``path`` (UTF-8)."""
    return write_text(build_report(panel, model, **options), path)
