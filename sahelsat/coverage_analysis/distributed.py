"""Coverage on a Dask cluster: time blocks computed by workers, merged exactly here.

The window is cut into consecutive blocks of time steps; each worker propagates the
whole fleet over its block, counts and scans it from an empty state, and returns the
per-cell state (a few integers per cell), the gaps closed inside the block and, when
asked, the counts. :func:`sahelsat.coverage_analysis.figures.merge` joins consecutive states
exactly: a gap that spans a block boundary is closed there. The area geometry and
the fleet's element sets are sent once to every worker (``client.scatter(broadcast=True)``),
which builds the fleet's SGP4 state once (the same state as here: it is a function of the
element sets; deep-space state holds reference objects that cannot be pickled).
"""

from __future__ import annotations

import numpy as np

from sahelsat.coverage_analysis import engine, figures


def _worker_threads() -> int | None:
    """Threads of the Dask worker running this task; None outside a worker."""
    try:
        from distributed import get_worker

        worker = get_worker()  # ValueError outside a worker
    except (ImportError, ValueError):
        return None
    return int(getattr(getattr(worker, "state", None), "nthreads", None) or worker.nthreads)


def _block_task(problem, fleet, g_lo, g_hi, chunk_steps, want_gaps, time_series):
    model = fleet.model if len(fleet) else None  # built once per worker (a cached property)
    threads = _worker_threads()
    if threads:  # one numba thread per Dask thread: the worker's cores are already shared out
        import numba

        numba.set_num_threads(max(1, min(threads, numba.config.NUMBA_NUM_THREADS)))
    state, wstate = engine.empty_states(problem)
    series = np.empty((g_hi - g_lo, problem.n_cell), np.uint16) if time_series else None
    events = engine.run_block(problem, model, g_lo, g_hi, state, wstate, chunk_steps,
                              want_gaps, series)  # fmt: skip
    return state, wstate, events, series


def blocks(n_steps: int, n_workers: int, chunk_steps: int) -> list[tuple[int, int]]:
    """Consecutive [lo, hi) step blocks: about three per worker, at least one chunk each."""
    n_blocks = max(1, min(3 * n_workers, -(-n_steps // max(chunk_steps // 4, 1))))
    edges = np.linspace(0, n_steps, n_blocks + 1).round().astype(int)
    return [(int(a), int(b)) for a, b in zip(edges[:-1], edges[1:], strict=True) if b > a]


def run_distributed(problem, fleet, client, scheduler, chunk_steps, want_gaps, time_series,
                    progress=None):  # fmt: skip
    """State, window state, gap events and optional counts of the whole window,
    computed on ``client`` (or a client connected to ``scheduler``); ``progress(fraction,
    message)`` as blocks finish (what it raises cancels the blocks:
    :func:`sahelsat.cluster.gather`)."""
    from distributed import Client

    from sahelsat.cluster import gather

    own = client is None
    if own:
        client = Client(scheduler)
    try:
        n_workers = max(1, len(client.scheduler_info().get("workers", {})))
        from sahelsat.fleet import Fleet

        bare = Fleet(fleet.element_sets)  # without the SGP4 state built here
        p_f, m_f = client.scatter([problem, bare], broadcast=True)
        parts = blocks(problem.n_steps, n_workers, chunk_steps)
        futures = [
            client.submit(
                _block_task,
                p_f,
                m_f,
                lo,
                hi,
                min(chunk_steps, hi - lo),
                want_gaps,
                time_series,
                pure=False,
            )  # fmt: skip
            for lo, hi in parts
        ]
        results = gather(client, futures, progress)
    finally:
        if own:
            client.close()
    state, wstate, (cells, lengths), series = results[0]
    all_cells, all_lengths, all_series = [cells], [lengths], [series]
    for st, wst, (c, ln), s in results[1:]:
        state, gap = figures.merge(state, st)
        at = np.flatnonzero(gap > 0)
        all_cells += [c, at]
        all_lengths += [ln, gap[at]]
        for w in range(wstate.shape[0]):
            wstate[w] = figures.merge(wstate[w], wst[w])[0]
        all_series.append(s)
    events = (
        np.concatenate(all_cells).astype(np.int64),
        np.concatenate(all_lengths).astype(np.int64),
    )
    series = np.concatenate(all_series) if time_series else None
    return state, wstate, events, series
