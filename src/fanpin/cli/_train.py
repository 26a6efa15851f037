"""``fanpin train``: fit the calibrated risk model on a household panel and save it."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from ..config import load_model_config, load_monitoring_lines
from ..messages import N_
from ..models import save_model, train_risk_model
from ..schema import read_households
from ._app import PanelArgument, QuietOption, app, fail_on_fanpin_error, steps
from ._output import command_line, finish, say, year_span

MSG_READING = N_("reading the panel…")
MSG_TRAINING = N_("building features and training the model…")
MSG_SAVING = N_("saving the model…")
MSG_TRAINED = N_(
    "Trained on {n:,} transitions (year t → t + 1) from years {years}: {fell:,} "
    "households fell into hardship the next year ({rate:.2%})."
)
MSG_CALIBRATED_YEAR = N_(
    "Calibration: {method}, chosen on the last labelled year ({year}) held out."
)
MSG_CALIBRATED_RANDOM = N_(
    "Calibration: {method}, chosen on a random share of the rows held out."
)
MSG_CALIBRATED_NONE = N_("Calibration: {method}.")
MSG_ACCOUNTING = N_(
    "Panel rows {rows:,} = {trained:,} trained on + {in_hardship:,} already in "
    "hardship in year t (monitored, not trained on) + {no_label:,} without a "
    "record in t + 1 (no label; includes the latest year)."
)
OUT_MODEL = N_("the model (model.joblib) and its model card (model_card.json)")
STEP_SCORE = N_("Rank the latest year's households by risk:")
STEP_ALERTS = N_("Or make the early-warning list with reasons and measures:")
STEP_EVALUATE = N_("Check it against today's rules in a backtest:")


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
    quiet: QuietOption = False,
) -> None:
    """Train on every labelled transition (t not in hardship -> t + 1) and save
    model.joblib + model_card.json to --out."""
    with fail_on_fanpin_error(), steps(quiet) as step:
        monitoring = load_monitoring_lines(lines)
        cfg = load_model_config(config)
        step(MSG_READING)
        data = read_households(panel)
        step(MSG_TRAINING)
        pipe = train_risk_model(data, monitoring, cfg, seed=seed)
        step(MSG_SAVING)
        save_model(pipe, out)
    t = pipe.training
    v = pipe.model.validation_
    years = year_span(t["years"])
    say(MSG_TRAINED, n=t["n_rows"], years=years, fell=t["n_positive"],
        rate=t["positive_rate"])  # fmt: skip
    calibrated = {"year": MSG_CALIBRATED_YEAR, "random": MSG_CALIBRATED_RANDOM}
    say(calibrated.get(v.get("split"), MSG_CALIBRATED_NONE),
        method=pipe.model.calibration_, year=v.get("year"))  # fmt: skip
    ex = t["excluded"]
    say(
        MSG_ACCOUNTING,
        rows=t["n_panel_rows"],
        trained=t["n_rows"],
        in_hardship=ex["in_hardship_in_t"],
        no_label=ex["no_record_in_t_plus_1"],
    )
    finish(
        [(OUT_MODEL, out)],
        [
            (STEP_SCORE, command_line("fanpin", "score", panel, "--model", out,
                                      "--out", out.parent / "scores.csv")),
            (STEP_ALERTS, command_line("fanpin", "alerts", panel, "--model", out,
                                       "--out", out.parent / "alerts")),
            (STEP_EVALUATE, command_line("fanpin", "evaluate", panel,
                                         *(("--lines", lines) if lines else ()))),
        ],  # fmt: skip
    )
