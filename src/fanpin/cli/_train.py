"""``fanpin train``: fit the candidates, keep the best on the validation year."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path
from typing import Annotated

import typer

from ..config import (
    MODEL_KINDS,
    load_model_config,
    load_monitoring_lines,
    load_rules_config,
)
from ..exceptions import ConfigError
from ..messages import N_, Message
from ..models import RiskPipeline, save_model, train_risk_model
from ..schema import read_households
from ._app import PanelArgument, QuietOption, app, fail_on_fanpin_error, steps
from ._output import command_line, finish, say, year_span

MSG_READING = N_("reading the panel…")
MSG_TRAINING = N_("building features and training the candidates…")
MSG_SAVING = N_("saving the model…")
MSG_TRAINED = N_(
    "Trained on {n_rows:,} transitions (year t → t + 1) from years {years}: "
    "{n_positive:,} households fell into hardship the next year ({rate:.2%}); "
    "validation year {val_year} (the last training year)."
)
MSG_RANDOM_SPLIT = N_("a random share of the rows")
MSG_CANDIDATES = N_(
    "Candidates on the validation year (share of its expected falls in the top 5 %):"
)
MSG_CANDIDATE = N_("  {kind:<11} capture@5% {capture}  AUC {auc}{rounds}{mark}")
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
MSG_BAD_KIND = N_("--kind must be one of {kinds}; got {kind!r}.")
OUT_MODEL = N_(
    "the model (model.json{booster}) and its model card (model_card.json)"
)
MSG_VERIFIED = N_(
    "Verified outcomes from the case store: {used:,} label(s) (属实 {true:,} -> 1, "
    "不属实 {false:,} -> 0): {added:,} added to rows without a panel label, "
    "{changed:,} replaced a different panel label, {agreed:,} equal to it; "
    "{unused:,} verified case(s) not used (no panel row not in hardship for them, "
    "or a later case on the same row)."
)
MSG_VERIFIED_BIAS = N_(
    "Bias of verified labels: only listed households are verified (the ones the "
    "list missed never are), and 属实 is the home visit's finding, not the "
    "panel's next-year hardship by the line. The model card records them."
)
MSG_VERIFYING = N_("reading the verified outcomes from the case store…")
STEP_SCORE = N_("Rank the latest year's households by risk:")
STEP_ALERTS = N_("Or make the early-warning list with reasons and measures:")
STEP_EVALUATE = N_("Check it against today's rules in a backtest:")


def _store_url(value: str) -> str:
    """A store URL; a path (no ``://``) is a SQLite file."""
    return value if "://" in value else f"sqlite:///{Path(value).expanduser()}"


def _shown_store(value: str) -> str:
    import sqlalchemy as sa

    try:
        return sa.make_url(_store_url(value)).render_as_string(hide_password=True)
    except Exception:  # noqa: BLE001 - never print a secret
        return value.split("@")[-1]


def _verified(store: str, data, lines):  # noqa: ANN001, ANN202 - VerifiedLabels
    """The panel's labels with the store's verified outcomes."""
    from ..schema import in_hardship, make_labels
    from ..workflow import CaseStore, verified_labels

    with CaseStore(_store_url(store), create=False) as s:
        outcomes = s.outcomes()
    return verified_labels(
        data, make_labels(data, lines), outcomes, in_hardship(data, lines),
        store=_shown_store(store),
    )  # fmt: skip


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
    verified: Annotated[
        str | None,
        typer.Option(
            "--verified",
            metavar="STORE",
            help="Optional: also learn from the townships' verified results in this "
            "case store (URL, or the path of a SQLite file): 属实 -> 1, 不属实 -> 0 "
            "as the label of the alert's annual record. Biased: only listed "
            "households are ever verified (selection bias), and a verified 属实 is "
            "the home visit's finding, a different outcome from the panel's "
            "next-year hardship.",
        ),
    ] = None,
    quiet: QuietOption = False,
) -> None:
    """Fit the candidates (LightGBM, logistic, the rules, LightGBM boosted from the
    rules) on every labelled transition (t not in hardship -> t + 1), keep the
    best on the validation year and save it with its model card to --out.
    With --verified, the verified outcomes of a case store are added as labels
    (optional; see its bias in the README)."""
    with fail_on_fanpin_error(), steps(quiet) as step:
        if kind not in MODEL_KINDS:
            raise ConfigError(Message(MSG_BAD_KIND, kinds=list(MODEL_KINDS), kind=kind))
        monitoring = load_monitoring_lines(lines)
        cfg = load_model_config(config)
        rcfg = load_rules_config(rules)
        step(MSG_READING)
        data = read_households(panel)
        added = None
        if verified is not None:
            step(MSG_VERIFYING)
            added = _verified(verified, data, monitoring)
        step(MSG_TRAINING)
        if added is None:
            pipe = train_risk_model(
                data, monitoring, cfg, seed=seed, rules=rcfg, kind=kind
            )
        else:
            if seed is not None:
                cfg = replace(cfg, seed=int(seed))
            pipe = RiskPipeline(lines=monitoring, config=cfg, rules=rcfg, kind=kind)
            pipe.fit(data, added.labels)
            pipe.training_["verified_labels"] = {
                **added.counts(), "store": _shown_store(verified),
                "note": "属实 -> 1, 不属实 -> 0 on the alert's annual record; "
                "selection bias: only listed households are verified",
            }  # fmt: skip
        step(MSG_SAVING)
        save_model(pipe, out)
    t, choice = pipe.training, pipe.choice_
    val_year = choice.get("validation_year") or Message(MSG_RANDOM_SPLIT)
    say(MSG_TRAINED, n_rows=t["n_rows"], years=year_span(t["years"]),
        n_positive=t["n_positive"], rate=t["positive_rate"],
        val_year=val_year)  # fmt: skip
    if not quiet:
        say(MSG_CANDIDATES)
        for c in choice["candidates"]:
            rounds = ""
            if c.get("rounds_chosen"):
                rounds = Message(
                    MSG_ROUNDS, chosen=c["rounds_chosen"], tried=c["rounds_tried"]
                )
            say(MSG_CANDIDATE, kind=c["kind"], capture=_fmt(c["capture@5%"]),
                auc=_fmt(c["auc"]), rounds=rounds,
                mark="  ◀" if c["kind"] == pipe.kind_ else "")  # fmt: skip
    if added is not None:
        say(MSG_VERIFIED, used=added.true + added.false, **added.counts())
        say(MSG_VERIFIED_BIAS)
    say(MSG_WINNER, kind=pipe.kind_, reason=choice["reason"])
    v = choice["versus_rules"]
    if not v.get("same_model") and v.get("low") is not None:
        say(MSG_NOISE if v["inside_noise"] else MSG_AHEAD, kind=pipe.kind_,
            estimate=v["estimate"], low=v["low"], high=v["high"])  # fmt: skip
    if not quiet:
        ex = t["excluded"]
        say(MSG_ACCOUNTING, n_panel=t["n_panel_rows"], n_rows=t["n_rows"],
            hard=ex["in_hardship_in_t"],
            no_next=ex["no_record_in_t_plus_1"])  # fmt: skip
    booster = ", booster.txt" if (out / "booster.txt").is_file() else ""
    finish(
        [(Message(OUT_MODEL, booster=booster), out)],
        [
            (STEP_SCORE, command_line("fanpin", "score", panel, "--model", out,
                                      "--out", out.parent / "scores.csv")),
            (STEP_ALERTS, command_line("fanpin", "alerts", panel, "--model", out,
                                       "--out", out.parent / "alerts")),
            (STEP_EVALUATE, command_line("fanpin", "evaluate", panel,
                                         *(("--lines", lines) if lines else ()))),
        ],  # fmt: skip
    )
