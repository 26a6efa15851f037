"""Helpers of the CLI tests: an in-process ``fanpin`` that checks errors are
clean, and a small model configuration for the commands that train."""

from __future__ import annotations

from typer.testing import CliRunner

#: A small, fast model configuration (the shipped one trains 300 trees).
SMALL_MODEL_YAML = "booster: {n_estimators: 10, min_child_samples: 20}\n"


def invoke(args: list[str]):
    """Run the fanpin CLI in-process as ``fanpin`` does (warnings printed as
    "warning:" lines, not raised); never lets an exception escape silently."""
    import warnings

    from fanpin import cli
    from fanpin.cli._output import show_warning
    from fanpin.exceptions import FanpinWarning

    with warnings.catch_warnings():
        warnings.simplefilter("always", FanpinWarning)
        warnings.showwarning = show_warning
        return CliRunner().invoke(cli.app, [str(a) for a in args])


def assert_clean_error(result, *fragments: str) -> None:
    """Exit code 1 through SystemExit, no traceback, every fragment in the output."""
    assert result.exit_code == 1, result.output
    assert isinstance(result.exception, SystemExit), repr(result.exception)
    assert "Traceback" not in result.output
    for f in fragments:
        assert f in result.output, (f, result.output)
