"""Scoring at any scale: the streaming engine of the monthly job.

:func:`score_file` reads a panel file in chunks of whole counties (so each
household's history and each county-year mean stay together), scores every
chunk (on worker threads, or on a Dask cluster with ``engine="dask"``,
``pip install 'fanpin[dask]'``), explains only those who need it, and writes
the ranked list and the monitored list atomically. :func:`score_panel` is the
same job on an in-memory panel (one chunk).

The alerts run (:func:`fanpin.workflow.run_alerts_file`) is this engine too,
with hooks (:class:`Hooks`): after each chunk (department pushes re-scored), on
the merged ranking (alert cutoff and township capacity) and in the explain pass
(the alert rows and what-if). :func:`run_job` runs a job with its hooks; a
hook gets a :class:`ScoredChunk` (after a chunk, returns a
:class:`ChunkResult`), the :class:`Job` (on the ranking and at the end) or a
:class:`KeptChunk` (in the explain pass); an in-memory job writes its merged
outputs to a :class:`FrameSink`.

Examples
--------
>>> import tempfile, pathlib
>>> from fanpin.config import ModelConfig
>>> from fanpin.models import train_risk_model
>>> from fanpin.synthetic import SimulationParams, simulate
>>> sim = simulate(300, years=range(2022, 2025), seed=0, n_jobs=1,
...                params=SimulationParams(oracle_draws=1))
>>> model = train_risk_model(sim.panel, sim.lines, ModelConfig(
...     booster={"n_estimators": 10, "min_child_samples": 10}, seed=0))
>>> scores, monitored = score_panel(model, sim.panel)
>>> path = pathlib.Path(tempfile.mkdtemp()) / "panel.parquet"
>>> sim.panel.to_parquet(path)
>>> s = score_file(path, model, out=path.with_name("scores.csv"),
...                chunk_households=100)
>>> import pandas as pd
>>> streamed = pd.read_csv(s.scores_path, dtype={"household_id": str})
>>> streamed["household_id"].tolist() == scores["household_id"].tolist()
True
"""

from ._chunk import EXPLAIN_COLUMNS
from ._engine import MSG_NO_DASK
from ._job import (
    CHUNK_HOUSEHOLDS,
    MSG_BAD_ENGINE,
    ChunkResult,
    Hooks,
    Job,
    KeptChunk,
    ScoredChunk,
    model_config,
    model_lines,
    run_job,
)
from ._merge import FrameSink
from ._plan import ChunkPlan, panel_households, plan_chunks
from ._score_file import (
    MSG_BAD_EXPLAIN,
    ScoreSummary,
    excluded_path,
    monitored_path,
    score_file,
    score_panel,
)
from ._tables import ID_COLUMNS

__all__ = [
    "CHUNK_HOUSEHOLDS",
    "EXPLAIN_COLUMNS",
    "ID_COLUMNS",
    "MSG_BAD_ENGINE",
    "MSG_BAD_EXPLAIN",
    "MSG_NO_DASK",
    "ChunkPlan",
    "ChunkResult",
    "FrameSink",
    "Hooks",
    "Job",
    "KeptChunk",
    "ScoreSummary",
    "ScoredChunk",
    "excluded_path",
    "model_config",
    "model_lines",
    "monitored_path",
    "panel_households",
    "plan_chunks",
    "run_job",
    "score_file",
    "score_panel",
]
