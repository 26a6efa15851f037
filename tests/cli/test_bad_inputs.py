"""Every case of the bad-input catalogue, through the command line users run."""

from __future__ import annotations

import pytest

from fanpin.exceptions import FanpinError

from .catalogue import CASES, DOC, KNOWN_BUGS, Ctx, render_markdown
from .conftest import assert_clean_error, invoke


def _files(root):
    return {p for p in root.rglob("*") if p.is_file()}


def test_catalogue_is_big_enough_and_ids_unique():
    ids = [c.id for c in CASES]
    assert len(ids) >= 30
    assert len(set(ids)) == len(ids)
    assert {c.outcome for c in CASES} <= {"error", "repair", "warning", "accepted"}


def test_doc_matches_catalogue():
    text = DOC.read_text(encoding="utf-8")
    for c in CASES:
        assert f"| `{c.id}` |" in text, f"{c.id} missing from {DOC.name}"
    assert text == render_markdown(), (
        "docs/bad-inputs.md is out of date: run python -m tests.cli.catalogue"
    )


@pytest.mark.parametrize("case", CASES, ids=[c.id for c in CASES])
def test_bad_input(case, tmp_path, sim, model_dir, lines_yaml):
    if case.id in KNOWN_BUGS:
        pytest.skip(f"known bug: {KNOWN_BUGS[case.id]}")
    ctx = Ctx(tmp=tmp_path, sim=sim, model_dir=model_dir, lines_yaml=lines_yaml)
    made = case.make(ctx)
    before = _files(tmp_path)
    if callable(made):  # a library call (department events)
        with pytest.raises(FanpinError) as info:
            made()
        assert case.message in str(info.value)
        return
    if case.patch is not None:
        with case.patch(ctx):
            result = invoke(made)
    else:
        result = invoke(made)
    assert "Traceback" not in result.output
    if case.outcome == "error":
        assert_clean_error(result, case.message)
        assert _files(tmp_path) == before, "an error run left files behind"
        return
    assert result.exit_code == 0, result.output
    assert result.exception is None
    assert case.message in result.output, result.output
    if case.outcome == "repair":
        assert "repaired" in result.output
    elif case.outcome == "warning":
        assert "warning:" in result.output
    else:
        assert "repaired" not in result.output
    if case.check is not None:
        case.check(ctx)
