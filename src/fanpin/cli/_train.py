"""``fanpin train``: fit the calibrated risk model on a household panel and save it."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from ..config import load_model_config, load_monitoring_lines
from ..models import save_model, train_risk_model
from ..schema import read_households
from ._app import PanelArgument, app, console, fail_on_fanpin_error


@app.command("train")
def train(
    panel: PanelArgument,
    out: Annotated[Path, typer.Option("--out", help="Model directory to write.")],
    lines: Annotated[
        Path | None, typer.Option("--lines", help="Your monitoring-lines YAML.")
    ] = None,
    config: Annotated[
        Path | None,
        typer.Option("--config", help="Your model YAML (configs/model.yaml)."),
    ] = None,
    seed: Annotated[
        int | None, typer.Option("--seed", help="Random seed (overrides the config).")
    ] = None,
) -> None:
    """Train on every labelled transition (t not in hardship -> t + 1) and save
    model.joblib + model_card.json to --out."""
    with fail_on_fanpin_error():
        monitoring = load_monitoring_lines(lines)
        cfg = load_model_config(config)
        data = read_households(panel)
        pipe = train_risk_model(data, monitoring, cfg, seed=seed)
        save_model(pipe, out)
    t = pipe.training
    v = pipe.model.validation_
    console.print(
        f"Trained on {t['n_rows']:,} transitions from years {t['years']} "
        f"({t['n_positive']:,} fell, {t['positive_rate']:.2%}); calibration "
        f"{pipe.model.calibration_} chosen on {v.get('split')} {v.get('year') or ''}."
    )
    ex = t["excluded"]
    console.print(
        f"Panel rows {t['n_panel_rows']:,} = {t['n_rows']:,} trained on + "
        f"{ex['in_hardship_in_t']:,} already in hardship in year t (monitored, not "
        f"trained on) + {ex['no_record_in_t_plus_1']:,} without a record in t + 1 "
        "(no label; includes the latest year)."
    )
    console.print(f"Model written to {out}/ (model.joblib, model_card.json).")
