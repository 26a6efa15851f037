"""``fanpin train``: fit the candidate models on a household panel, keep the best
on the validation year and save it."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from ..config import (
    MODEL_KINDS,
    load_model_config,
    load_monitoring_lines,
    load_rules_config,
)
from ..messages import N_, Message
from ..models import save_model, train_risk_model
from ..schema import read_households
from ._app import PanelArgument, QuietOption, app, console, fail_on_fanpin_error

MSG_TRAINED = N_(
    "Trained on {n_rows:,} transitions from years {years} ({n_positive:,} fell, "
    "{rate:.2%}); validation year {val_year} (the last training year)."
)
MSG_CANDIDATE = N_("  {kind:<11} capture@5% {capture}  AUC {auc}{rounds}{mark}")
MSG_CANDIDATES = N_(
    "Candidates on the validation year (share of its falls in the top 5 %):"
)
MSG_ROUNDS = N_("  {chosen} of {tried} rounds tried")
MSG_WINNER = N_("Kept: {kind} ({reason}).")
MSG_NOISE = N_(
    "{kind} minus the rules on the validation year: capture@5% {estimate:+.3f}, "
    "95 % interval [{low:+.3f}, {high:+.3f}]: the advantage over the rules is "
    "inside the noise."
)
MSG_AHEAD = N_(
    "{kind} is ahead of the rules on the validation year: capture@5% "
    "{estimate:+.3f}, 95 % interval [{low:+.3f}, {high:+.3f}]."
)
MSG_ACCOUNTING = N_(
    "Panel rows {n_panel:,} = {n_rows:,} trained on + {hard:,} already in hardship in "
    "year t (monitored, not trained on) + {no_next:,} without a record in t + 1 (no "
    "label; includes the latest year)."
)
MSG_WRITTEN = N_("Model written to {out}/ (model_card.json, model.json{booster}).")
MSG_NEXT = N_("Next: fanpin score PANEL --model {out} --out scores.csv")
MSG_BAD_KIND = N_("--kind must be one of {kinds}; got {kind!r}.")


def _fmt(v: object) -> str:
    return "—" if v is None or v != v else f"{float(v):.3f}"  # noqa: PLR0124 (NaN)


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
    rules: Annotated[
        Path | None,
        typer.Option("--rules", help="Your rules YAML (the rule candidates)."),
    ] = None,
    kind: Annotated[
        str,
        typer.Option(
            "--kind",
            help="Model to keep: auto (best on the validation year), gbdt, logistic, "
            "rules or gbdt_rules.",
        ),
    ] = "auto",
    seed: Annotated[
        int | None, typer.Option("--seed", help="Random seed (overrides the config).")
    ] = None,
    quiet: QuietOption = False,
) -> None:
    """Fit the candidates (LightGBM, logistic, the rules, LightGBM boosted from the
    rules) on every labelled transition (t not in hardship -> t + 1), keep the
    best on the validation year and save it with its model card to --out."""
    with fail_on_fanpin_error():
        if kind not in MODEL_KINDS:
            from ..exceptions import ConfigError

            raise ConfigError(Message(MSG_BAD_KIND, kinds=list(MODEL_KINDS), kind=kind))
        monitoring = load_monitoring_lines(lines)
        cfg = load_model_config(config)
        rcfg = load_rules_config(rules)
        data = read_households(panel)
        pipe = train_risk_model(data, monitoring, cfg, seed=seed, rules=rcfg, kind=kind)
        save_model(pipe, out)
    t, choice = pipe.training, pipe.choice_
    say = console.print
    say(
        Message(
            MSG_TRAINED,
            n_rows=t["n_rows"],
            years=t["years"],
            n_positive=t["n_positive"],
            rate=t["positive_rate"],
            val_year=choice.get("validation_year") or "random",
        ),  # fmt: skip
        markup=False,
    )
    if not quiet:
        say(Message(MSG_CANDIDATES), markup=False)
        for c in choice["candidates"]:
            rounds = ""
            if c.get("rounds_chosen"):
                rounds = Message(
                    MSG_ROUNDS, chosen=c["rounds_chosen"], tried=c["rounds_tried"]
                )
            say(
                Message(
                    MSG_CANDIDATE,
                    kind=c["kind"],
                    capture=_fmt(c["capture@5%"]),
                    auc=_fmt(c["auc"]),
                    rounds=rounds,
                    mark="  ◀" if c["kind"] == pipe.kind_ else "",
                ),  # fmt: skip
                markup=False,
            )
    say(Message(MSG_WINNER, kind=pipe.kind_, reason=choice["reason"]), markup=False)
    v = choice["versus_rules"]
    if not v.get("same_model") and v.get("low") is not None:
        msg = MSG_NOISE if v["inside_noise"] else MSG_AHEAD
        say(
            Message(
                msg,
                kind=pipe.kind_,
                estimate=v["estimate"],
                low=v["low"],
                high=v["high"],
            ),
            markup=False,
        )
    if not quiet:
        ex = t["excluded"]
        say(
            Message(
                MSG_ACCOUNTING,
                n_panel=t["n_panel_rows"],
                n_rows=t["n_rows"],
                hard=ex["in_hardship_in_t"],
                no_next=ex["no_record_in_t_plus_1"],
            ),  # fmt: skip
            markup=False,
        )
    has_booster = (out / "booster.txt").is_file()
    booster = ", booster.txt" if has_booster else ""
    say(Message(MSG_WRITTEN, out=str(out), booster=booster), markup=False)
    if not quiet:
        say(Message(MSG_NEXT, out=str(out)), markup=False)
