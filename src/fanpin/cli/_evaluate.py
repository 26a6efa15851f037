"""``fanpin evaluate``: temporal backtest of the model against the baselines."""

from __future__ import annotations

import json
import math
from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table

from ..config import load_model_config, load_monitoring_lines, load_rules_config
from ..evaluate import backtest
from ..io import read_table, write_table, write_text
from ..messages import N_, Message
from ..schema import read_households
from ._app import (
    PanelArgument,
    QuietOption,
    TruthOption,
    app,
    console,
    fail_on_fanpin_error,
    steps,
)
from ._i18n import tr
from ._output import cell, command_line, finish, say

MSG_READING = N_("reading the panel…")
MSG_BACKTEST = N_("backtesting: training and testing on each year…")
MSG_TITLE = N_("Backtest, test year {year}")
RANKERS = {
    "model": N_("model"),
    "logistic": N_("logistic baseline"),
    "rules": N_("today's rules"),
    "oracle": N_("oracle (true risks)"),
}
HEAD_RANKER = N_("ranker")
OUT_TABLES = N_(
    "backtest.json and the tables folds, metrics, capacity, capture, groups, "
    "intervals, summary (.csv)"
)
STEP_TRAIN = N_("Train the model on every year:")
STEP_REPORT = N_("Then write the report for the bureau:")

MSG_IV_TITLE = N_(
    "Bootstrap 95 % intervals, test year {year} ({n_boot} replicates, households "
    "resampled, seed {seed})"
)
MSG_NOISE = N_(
    "Model minus rules, {figure}: {estimate:+.3f} [{low:+.3f}, {high:+.3f}]{verdict}"
)
MSG_INSIDE = N_(" — inside the noise (the interval holds 0)")
MSG_SEP = N_(", ")
MSG_FOLD_KIND = N_("test {year}: {kind}")
MSG_KINDS = N_(
    "model = the candidate `fanpin train` keeps, chosen on each fold's own "
    "validation year: {kinds}."
)


def _fmt(v: object) -> str:
    if isinstance(v, float):
        return "—" if math.isnan(v) else f"{v:.3f}"
    return str(v)


@app.command("evaluate")
def evaluate(
    panel: PanelArgument,
    truth: TruthOption = None,
    lines: Annotated[
        Path | None, typer.Option("--lines", help="Your monitoring-lines YAML.")
    ] = None,
    config: Annotated[
        Path | None, typer.Option("--config", help="Your model YAML.")
    ] = None,
    rules: Annotated[
        Path | None, typer.Option("--rules", help="Your rules YAML.")
    ] = None,
    out: Annotated[
        Path | None, typer.Option("--out", help="Folder for the JSON and CSV tables.")
    ] = None,
    quiet: QuietOption = False,
    kind: Annotated[
        str,
        typer.Option(
            "--kind", help="Model as in `fanpin train --kind` (default auto)."
        ),
    ] = "auto",
    n_boot: Annotated[
        int,
        typer.Option("--n-boot", min=0, help="Bootstrap replicates of the intervals."),
    ] = 1000,
) -> None:
    """Train on transitions up to t - 1, test on t -> t + 1, for every year t
    available; compare the model, the logistic baseline, the rules and (with
    --truth) the oracle."""
    with fail_on_fanpin_error(), steps(quiet) as step:
        monitoring = load_monitoring_lines(lines)
        cfg = load_model_config(config)
        rcfg = load_rules_config(rules)
        step(MSG_READING)
        data = read_households(panel)
        t = read_table(truth) if truth is not None else None
        step(MSG_BACKTEST)
        res = backtest(
            data, monitoring, truth=t, config=cfg, rules=rcfg, kind=kind,
            intervals="latest" if n_boot else "none", n_boot=max(n_boot, 1),
        )  # fmt: skip
        summary = res.summary()
        if out is not None:
            for name in (
                "folds",
                "metrics",
                "capacity",
                "capture",
                "groups",
                "intervals",
            ):
                frame = getattr(res, name)
                if name == "folds":
                    frame = frame.assign(train_years=frame["train_years"].astype(str))
                write_table(frame, out / f"{name}.csv")
            write_table(summary, out / "summary.csv")
            write_text(
                json.dumps(
                    {
                        "summary": summary.to_dict("records"),
                        "metrics": res.metrics.to_dict("records"),
                        "capacity": res.capacity.to_dict("records"),
                        "capture": res.capture.to_dict("records"),
                        "intervals": res.intervals.to_dict("records"),
                    },
                    indent=2,
                    sort_keys=True,
                    ensure_ascii=False,
                    default=str,
                ).replace("NaN", "null"),
                out / "backtest.json",
            )
    year = int(summary["test_year"].iloc[0])
    table = Table(title=cell(tr(MSG_TITLE, year=year)))
    cols = [
        c for c in summary.columns
        if c != "test_year" and not c.endswith(("_low", "_high"))
    ]  # fmt: skip
    for c in cols:
        head = tr(HEAD_RANKER) if c == "ranker" else c
        table.add_column(cell(head), justify="right" if c != "ranker" else "left")
    for _, row in summary.iterrows():
        cells = [
            tr(RANKERS[row[c]]) if c == "ranker" and row[c] in RANKERS else _fmt(row[c])
            for c in cols
        ]
        table.add_row(*(cell(v) for v in cells))
    console.print(table)
    if "kind" in res.folds:
        sep = tr(MSG_SEP)
        kinds = sep.join(
            tr(MSG_FOLD_KIND, year=int(f.test_year), kind=f.kind)
            for f in res.folds.itertuples()
        )
        say(MSG_KINDS, kinds=kinds)
    if len(res.intervals):
        figs = [f for f in ("auc", "recall@5%", "capture@5%") if f"{f}_low" in summary]
        iv = Table(
            title=cell(tr(MSG_IV_TITLE, year=year, n_boot=n_boot, seed=cfg.seed))
        )
        iv.add_column(cell(tr(HEAD_RANKER)))
        for f in figs:
            iv.add_column(cell(f), justify="right")
        for _, row in summary.iterrows():
            ranker = row["ranker"]
            iv.add_row(
                cell(tr(RANKERS[ranker]) if ranker in RANKERS else ranker),
                *[cell(f"{_fmt(row[f])} [{_fmt(row[f + '_low'])}, "
                       f"{_fmt(row[f + '_high'])}]") for f in figs],
            )  # fmt: skip
        console.print(iv)
        for _, d in res.differences().iterrows():
            say(MSG_NOISE, figure=d["figure"], estimate=d["estimate"], low=d["low"],
                high=d["high"],
                verdict=Message(MSG_INSIDE) if d["inside_noise"] else "")  # fmt: skip
    model_dir = (out or Path(".")) / "model"
    finish(
        [(OUT_TABLES, out)] if out is not None else [],
        [
            (STEP_TRAIN, command_line("fanpin", "train", panel, "--out", model_dir,
                                      *(("--lines", lines) if lines else ()))),
            (STEP_REPORT, command_line("fanpin", "report", panel, "--model",
                                       model_dir, *(("--truth", truth) if truth
                                                    else ()))),
        ],  # fmt: skip
    )
