"""Batch scoring at any scale: local streaming with bounded memory, or Dask.

:func:`score_file` reads a panel file in chunks of whole counties (so each
household's history and each county-year mean stay together), scores every
chunk, explains only those who need it, and writes the ranked list and the
monitored list atomically. ``engine="dask"`` runs the same chunk tasks on a
Dask cluster (``pip install 'fanpin[dask]'``). :func:`iter_panel_chunks`
yields the validated chunks for other streaming jobs (alerts).
"""

from ._chunk import EXPLAIN_COLUMNS, score_chunk
from ._engine import MSG_NO_DASK
from ._plan import ChunkPlan, plan_chunks
from ._score_file import (
    MSG_BAD_ENGINE,
    MSG_BAD_EXPLAIN,
    ScoreSummary,
    excluded_path,
    iter_panel_chunks,
    monitored_path,
    score_file,
)

__all__ = [
    "EXPLAIN_COLUMNS",
    "MSG_BAD_ENGINE",
    "MSG_BAD_EXPLAIN",
    "MSG_NO_DASK",
    "ChunkPlan",
    "ScoreSummary",
    "excluded_path",
    "iter_panel_chunks",
    "monitored_path",
    "plan_chunks",
    "score_chunk",
    "score_file",
]
