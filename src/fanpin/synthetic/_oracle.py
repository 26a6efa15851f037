"""The oracle: the true probability of hardship next year, by Monte Carlo.

For each household-year the state at the end of the year is copied ``R`` times
and the next year is drawn with :func:`step`, the same code that made the
panel, so ``p_next`` is the generator's own truth (up to Monte Carlo noise of
at most ``0.5 / sqrt(R)`` in standard error), not a fitted model.
"""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

import numpy as np

from ._causes import replay_causes
from ._mechanisms import MECHANISMS
from ._replay import RecordingGenerator
from ._state import CARRIED, State, StepContext, repeat_state, take_state
from ._step import step

__all__ = ["next_year_risk"]

ORACLE_STREAM = 3
CHECK_STREAM = 5


def _chunk_risk(
    state: State,
    idx: np.ndarray,
    year: int,
    ctx: StepContext,
    seed: int,
    chunk: int,
    draws: int,
    stream: int,
    causes: str,
) -> np.ndarray:
    carried = [k for k in state if k in CARRIED]
    sub = take_state({k: state[k] for k in carried}, idx)
    rep = repeat_state(sub, draws)
    rng = np.random.default_rng(
        np.random.SeedSequence(seed, spawn_key=(stream, year, chunk))
    )
    if causes == "none":
        nxt = step(rep, rng, year + 1, ctx, outcome_only=True)
        return nxt["hardship"].reshape(draws, len(idx)).mean(axis=0)[:, None]
    rec = RecordingGenerator(rng)
    nxt = step(rep, rec, year + 1, ctx, outcome_only=True)  # type: ignore[arg-type]
    p = nxt["hardship"].reshape(draws, len(idx)).mean(axis=0)
    shares = replay_causes(rep, nxt, rec.draws, year, ctx, len(idx), causes)
    return np.column_stack([p, shares])


def next_year_risk(
    state: State,
    year: int,
    ctx: StepContext,
    seed: int,
    n_jobs: int = 2,
    *,
    draws: int | None = None,
    stream: int = ORACLE_STREAM,
    causes: str = "none",
) -> np.ndarray:
    """P(in hardship in ``year + 1`` | state at the end of ``year``), per household.

    Chunks are seeded by (seed, stream, year, chunk number), so the result does
    not depend on ``n_jobs`` or thread scheduling; another ``stream`` gives an
    independent estimate (``draws`` defaults to ``oracle_draws``).

    With ``causes`` ``"hardship"`` or ``"all"`` (see :mod:`._causes`), returns
    an array of shape (n, 1 + len(MECHANISMS) + 2): the risk, then the output
    of :func:`~._causes.replay_causes`, from the same draws.
    """
    n = len(state["prov"])
    draws = draws or ctx.params.oracle_draws
    per_chunk = max(1, ctx.params.oracle_chunk // draws)
    bounds = [np.arange(a, min(a + per_chunk, n)) for a in range(0, n, per_chunk)]

    def one(kb: tuple[int, np.ndarray]) -> np.ndarray:
        return _chunk_risk(
            state, kb[1], year, ctx, seed, kb[0], draws, stream, causes
        )

    if n_jobs <= 1 or len(bounds) == 1:
        parts = [one(kb) for kb in enumerate(bounds)]
    else:
        with ThreadPoolExecutor(max_workers=n_jobs) as pool:
            parts = list(pool.map(one, enumerate(bounds)))
    width = 1 if causes == "none" else 1 + len(MECHANISMS) + 2
    out = np.concatenate(parts) if parts else np.zeros((0, width))
    return out[:, 0] if causes == "none" else out
