"""The typer application object and the helpers every command shares.

Each command lives in its own module (``_simulate.py``, ``_validate.py`` ...) and
registers itself on :data:`app`. Only this subpackage prints.

:data:`app` is a :class:`FanpinTyper`: its click commands pick the language before
anything is parsed or shown (:meth:`FanpinGroup.main`), translate their help when
it is shown, and turn usage errors into the reader's language. A sub-app is made
with :class:`FanpinTyper` too (``cases_app = FanpinTyper(...)``).
"""

from __future__ import annotations

import logging
import sys
import warnings
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.text import Text
from typer.core import TyperCommand, TyperGroup

from .. import __version__
from ..exceptions import DataRepairWarning, FanpinError
from ..messages import N_
from ._i18n import (
    MSG_BAD_LANG,
    MSG_USAGE,
    describe,
    language_from_args,
    language_from_env,
    normalise_language,
    set_language,
    tr,
    translate_help,
    translate_help_option,
    translated_usage_errors,
)
from ._output import (
    console,
    err_console,
    fit_width,
    show_error,
    show_warning,
    wrap_cjk,
)
from ._progress import STAGES, ProgressBar, progress_bar, steps

__all__ = [
    "STAGES",
    "AssistanceOption",
    "ChunkHouseholdsOption",
    "EngineOption",
    "FanpinCommand",
    "FanpinGroup",
    "FanpinTyper",
    "LinesOption",
    "ModelOption",
    "PanelArgument",
    "ProgressBar",
    "QuietOption",
    "RiskTypesOption",
    "SchedulerOption",
    "TruthOption",
    "WorkersOption",
    "app",
    "check_engine_options",
    "console",
    "err_console",
    "fail_on_fanpin_error",
    "progress_bar",
    "show_repairs",
    "steps",
]

MSG_APP_HELP = N_(
    "fanpin: early warning of rural households at risk of falling (back) into "
    "poverty (防止返贫致贫监测预警), with reasons, assistance and case tracking."
)
MSG_VERSION = N_("fanpin {version}")


class _Translating:
    """What every fanpin click command adds: a translated ``--help`` option and
    usage line."""

    def get_help_option(self, ctx: Any) -> Any:
        return translate_help_option(super().get_help_option(ctx))  # type: ignore[misc]

    def format_usage(self, ctx: Any, formatter: Any) -> None:
        pieces = self.collect_usage_pieces(ctx)  # type: ignore[attr-defined]
        formatter.write_usage(ctx.command_path, " ".join(pieces), prefix=tr(MSG_USAGE))


class FanpinCommand(_Translating, TyperCommand):
    """A fanpin command (see :class:`FanpinGroup`)."""


class FanpinGroup(_Translating, TyperGroup):
    """A fanpin command group. As the root (``fanpin``), it picks the language
    (``--lang``, ``FANPIN_LANG``, the locale) before parsing, translates the
    help texts of the whole tree, shows warnings as one translated line, and
    translates usage errors."""

    def main(self, args: Sequence[str] | None = None, *a: Any, **kw: Any) -> Any:
        argv = list(sys.argv[1:] if args is None else args)
        set_language(language_from_args(argv) or language_from_env())
        fit_width()
        wrap_cjk()
        translate_help(self)
        with warnings.catch_warnings():
            warnings.showwarning = show_warning
            return super().main(argv, *a, **kw)

    def make_context(self, *a: Any, **kw: Any) -> Any:
        with translated_usage_errors():
            return super().make_context(*a, **kw)

    def invoke(self, ctx: Any) -> Any:
        with translated_usage_errors():
            return super().invoke(ctx)


class FanpinTyper(typer.Typer):
    """A :class:`typer.Typer` whose commands are :class:`FanpinCommand` and whose
    groups are :class:`FanpinGroup`."""

    def __init__(self, *args: Any, cls: type | None = None, **kwargs: Any) -> None:
        kwargs.setdefault("pretty_exceptions_enable", False)
        super().__init__(*args, cls=cls or FanpinGroup, **kwargs)

    def command(self, *args: Any, cls: type | None = None, **kwargs: Any) -> Any:
        return super().command(*args, cls=cls or FanpinCommand, **kwargs)

    def add_typer(self, *args: Any, cls: type | None = None, **kwargs: Any) -> None:
        super().add_typer(*args, cls=cls or FanpinGroup, **kwargs)


PanelArgument = Annotated[
    Path,
    typer.Argument(help="Household panel: CSV (UTF-8 or GBK), Parquet or Excel."),
]
"""The panel argument every command that reads households takes."""
ModelOption = Annotated[
    Path, typer.Option("--model", help="Model directory from `fanpin train`.")
]
"""The ``--model`` option of the commands that score."""
LinesOption = Annotated[
    Path | None,
    typer.Option("--lines", help="Monitoring-lines YAML (default: the model's)."),
]
"""The ``--lines`` option of the commands that score with a trained model."""
ChunkHouseholdsOption = Annotated[
    int,
    typer.Option(
        "--chunk-households",
        min=1,
        help="Households per chunk (whole counties; bounds memory).",
    ),
]
"""The ``--chunk-households`` option of the commands that stream a panel file."""
QuietOption = Annotated[
    bool, typer.Option("--quiet", "-q", help="No progress display.")
]
"""The ``--quiet`` option of the long commands (no progress bar or status line)."""
EngineOption = Annotated[
    str,
    typer.Option(
        "--engine",
        help="local (streaming on this machine) or dask (pip install "
        "'fanpin[dask]').",
    ),
]
"""The ``--engine`` option of the commands that stream a panel file."""
SchedulerOption = Annotated[
    str | None,
    typer.Option(
        "--scheduler",
        help="Dask scheduler address, e.g. tcp://10.0.0.5:8786 (default: a "
        "LocalCluster).",
    ),
]
"""The ``--scheduler`` option (``--engine dask``)."""
WorkersOption = Annotated[
    int | None,
    typer.Option(
        "--workers",
        min=1,
        help="Local engine: chunks scored at once, one thread each "
        "(default: one per core). Each holds one chunk in memory.",
    ),
]
"""The ``--workers`` option of the local engine."""
RiskTypesOption = Annotated[
    Path | None,
    typer.Option(
        "--risk-types",
        help="risk_types.yaml: risk codes, evidence rules, sentences "
        "(default: shipped).",
    ),
]
"""The ``--risk-types`` option of the commands that explain."""
AssistanceOption = Annotated[
    Path | None,
    typer.Option(
        "--assistance",
        help="assistance.yaml: measures (default: shipped).",
    ),
]
"""The ``--assistance`` option of the commands that suggest measures."""
TruthOption = Annotated[
    Path | None,
    typer.Option("--truth", help="True risks (household_id, year, p_next), if known."),
]
"""The ``--truth`` option of the commands that can compare with true risks."""

app = FanpinTyper(
    name="fanpin",
    help=MSG_APP_HELP,
    no_args_is_help=True,
    add_completion=False,
)


def _lang(value: str | None) -> str | None:
    if value is None or not value.strip():  # FANPIN_LANG= (empty) says nothing
        return None
    lang = normalise_language(value)
    if lang is None:
        raise typer.BadParameter(tr(MSG_BAD_LANG, value=value))
    set_language(lang)
    return lang


def _version(value: bool) -> None:
    if value:
        console.print(tr(MSG_VERSION, version=__version__), markup=False)
        raise typer.Exit()


@app.callback()
def _main(
    verbose: bool = typer.Option(
        False, "--verbose", "-v", help="Log progress to stderr."
    ),
    lang: str | None = typer.Option(
        None,
        "--lang",
        envvar="FANPIN_LANG",
        metavar="zh|en",
        is_eager=True,
        callback=_lang,
        help="Language of messages and help: zh (Chinese) or en (English). "
        "Default: the locale (LANG), Chinese where it says none.",
    ),
    version: bool = typer.Option(
        False,
        "--version",
        is_eager=True,
        callback=_version,
        help="Print fanpin's version and exit.",
    ),
) -> None:
    logging.basicConfig(
        level=logging.INFO if verbose else logging.WARNING,
        format="%(levelname)s %(name)s: %(message)s",
    )


MSG_BAD_ENGINE = N_("expected 'local' or 'dask'; got {engine!r}")
MSG_SCHEDULER_NEEDS_DASK = N_("needs --engine dask")
MSG_WORKERS_LOCAL = N_("applies to --engine local (a Dask cluster has its own workers)")


def check_engine_options(
    engine: str, scheduler: str | None, workers: int | None
) -> None:
    """Refuse engine options that do not go together (a usage error, translated)."""
    if engine not in ("local", "dask"):
        raise typer.BadParameter(
            tr(MSG_BAD_ENGINE, engine=engine), param_hint="--engine"
        )
    if scheduler is not None and engine != "dask":
        raise typer.BadParameter(tr(MSG_SCHEDULER_NEEDS_DASK), param_hint="--scheduler")
    if workers is not None and engine != "local":
        raise typer.BadParameter(tr(MSG_WORKERS_LOCAL), param_hint="--workers")


@contextmanager
def fail_on_fanpin_error() -> Iterator[None]:
    """Turn a :class:`FanpinError` into a translated message and exit code 1."""
    try:
        yield
    except FanpinError as exc:
        show_error(exc)
        raise typer.Exit(1) from None


MSG_REPAIRED = N_("repaired: ")


@contextmanager
def show_repairs() -> Iterator[None]:
    """Print each :class:`DataRepairWarning` raised inside as ``repaired: …``
    (once per message, translated), as ``validate`` does, also when the block
    fails; other warnings go on as they were."""
    try:
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always", DataRepairWarning)
            yield
    finally:
        seen: set[str] = set()
        for w in caught:
            if not issubclass(w.category, DataRepairWarning):
                warnings.warn_explicit(
                    w.message, w.category, w.filename, w.lineno, source=w.source
                )
            elif str(w.message) not in seen:
                seen.add(str(w.message))
                err_console.print(
                    Text.assemble((tr(MSG_REPAIRED), "yellow"), describe(w.message))
                )
