"""Execute every analyst notebook end to end (small data, outputs never saved).

Each notebook runs with nbclient in a fresh ``python3`` kernel (ipykernel of this
environment; jupyter_client starts it with ``sys.executable``) inside a temporary
working directory, so files a notebook writes (a tuned config, …) stay out of the
repository. The committed notebooks must carry no outputs.
"""

from __future__ import annotations

import time
from pathlib import Path

import pytest

nbformat = pytest.importorskip("nbformat")
nbclient = pytest.importorskip("nbclient")

NOTEBOOKS = Path(__file__).resolve().parents[2] / "notebooks"
NAMES = ["01_quickstart", "02_tuning", "03_explanations", "04_monitoring"]
TIMEOUT = 600  # seconds per cell: a hang guard, not a speed target


def _read(name: str):
    return nbformat.read(NOTEBOOKS / f"{name}.ipynb", as_version=4)


def test_every_notebook_is_tested():
    assert sorted(p.stem for p in NOTEBOOKS.glob("*.ipynb")) == NAMES


@pytest.mark.parametrize("name", NAMES)
def test_committed_without_outputs(name):
    nb = _read(name)
    code = [c for c in nb.cells if c.cell_type == "code"]
    assert code, "a notebook without code"
    assert all(not c.outputs and c.execution_count is None for c in code)
    # thin: the notebook imports fanpin and defines no logic of its own
    source = "\n".join(c.source for c in code)
    assert "from fanpin" in source
    assert "\ndef " not in f"\n{source}" and "\nclass " not in f"\n{source}"
    assert code[0].source.startswith("# Parameters")


@pytest.mark.slow
@pytest.mark.parametrize("name", NAMES)
def test_notebook_executes(name, tmp_path, monkeypatch):
    monkeypatch.setenv("MPLBACKEND", "Agg")
    nb = _read(name)
    client = nbclient.NotebookClient(
        nb,
        kernel_name="python3",
        timeout=TIMEOUT,
        resources={"metadata": {"path": str(tmp_path)}},
    )
    start = time.perf_counter()
    client.execute()
    elapsed = time.perf_counter() - start
    errors = [
        o
        for c in nb.cells
        if c.cell_type == "code"
        for o in c.outputs
        if o.output_type == "error"
    ]
    assert not errors
    # nothing went to stderr: no warnings from fanpin, pandas or matplotlib
    stderr = [
        o.text
        for c in nb.cells
        if c.cell_type == "code"
        for o in c.outputs
        if o.output_type == "stream" and o.name == "stderr"
    ]
    assert not stderr, stderr
    print(f"{name}: {elapsed:.1f}s")
