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
from ..schema import read_households
from ._app import PanelArgument, TruthOption, app, console, fail_on_fanpin_error


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
) -> None:
    """Train on transitions up to t - 1, test on t -> t + 1, for every year t
    available; compare the model, the logistic baseline, the rules and (with
    --truth) the oracle."""
    with fail_on_fanpin_error():
        monitoring = load_monitoring_lines(lines)
        cfg = load_model_config(config)
        rcfg = load_rules_config(rules)
        data = read_households(panel)
        t = read_table(truth) if truth is not None else None
        res = backtest(data, monitoring, truth=t, config=cfg, rules=rcfg)
        summary = res.summary()
        if out is not None:
            for name in ("folds", "metrics", "capacity", "capture", "groups"):
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
                    },
                    indent=2,
                    sort_keys=True,
                    ensure_ascii=False,
                    default=str,
                ).replace("NaN", "null"),
                out / "backtest.json",
            )
    table = Table(title=f"Backtest, test year {int(summary['test_year'].iloc[0])}")
    cols = [c for c in summary.columns if c != "test_year"]
    for c in cols:
        table.add_column(c, justify="right" if c != "ranker" else "left")
    for _, row in summary.iterrows():
        table.add_row(*[_fmt(row[c]) for c in cols])
    console.print(table)
    if out is not None:
        console.print(f"Tables written to {out}/.")
