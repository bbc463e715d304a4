"""Figures of merit from per-cell coverage state, and exact merging of partial states.

Time is sampled at ``start + k * step`` for k = 0 .. N-1 (N = ceil((stop - start) /
step)); each sample stands for one step of time. A cell is *covered* at a sample when
at least one satellite meets the constraints there. Conventions (all durations in s):

- ``percent_covered`` = 100 * covered samples / N; ``percent_nfold[k]`` the same for at
  least k satellites; ``n_visible_min/mean/max`` over the samples.
- A *gap* is a run of uncovered samples between two covered samples; its duration is
  its sample count * step. Runs touching the window's start or end are not gaps: they
  are reported as ``time_to_first_coverage_s`` and ``time_after_last_coverage_s``.
  ``mean_gap_s``, ``max_gap_s``, ``gap_pXX_s`` (percentiles, linear interpolation)
  are over gaps; 0 when a covered cell has no gap; ``inf`` when the cell is never
  covered (``time_to_first_coverage_s`` is then ``inf`` too). NaN only outside the area.
- ``mean_response_time_s``: from a request at a uniformly drawn sample to the next
  covered sample (0 when covered), averaged over the requests that get an access
  before the window's end; ``inf`` when never covered.
- ``total_access_s`` = covered samples * step; ``n_accesses`` = covered runs.
"""

from __future__ import annotations

import numpy as np

from sahelsat.coverage_analysis import kernel as K

#: Per-cell figure names, in output order.
FIGURES = (
    "percent_covered", "n_visible_mean", "n_visible_min", "n_visible_max", "mean_gap_s",
    "max_gap_s", "n_gaps", "time_to_first_coverage_s", "time_after_last_coverage_s",
    "mean_response_time_s", "total_access_s", "n_accesses",
)  # fmt: skip


def merge(a: np.ndarray, b: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """State of consecutive time blocks ``a`` then ``b`` (cell, field), exactly as if
    scanned in one go; also the gaps that span the boundary: lengths (cell,), 0 none."""
    out = a.copy()
    for f in (K.N_COV, K.VIS_SUM, K.N_STEPS):
        out[:, f] += b[:, f]
    out[:, K.FOLD0 :] += b[:, K.FOLD0 :]
    out[:, K.VIS_MIN] = np.minimum(a[:, K.VIS_MIN], b[:, K.VIS_MIN])
    out[:, K.VIS_MAX] = np.maximum(a[:, K.VIS_MAX], b[:, K.VIS_MAX])
    a_on, b_on = a[:, K.LAST] >= 0, b[:, K.FIRST] >= 0
    fields = [K.N_GAPS, K.GAP_SUM, K.GAP_TRI, K.N_ACC]
    # a never covered: b's coverage record as it is
    only_b = ~a_on & b_on
    out[np.ix_(only_b, [K.FIRST, K.LAST, K.GAP_MAX, *fields])] = b[
        np.ix_(only_b, [K.FIRST, K.LAST, K.GAP_MAX, *fields])
    ]
    both = a_on & b_on
    gap = np.where(both, b[:, K.FIRST] - a[:, K.LAST] - 1, 0)
    has = gap > 0
    for f in fields:
        out[both, f] = a[both, f] + b[both, f]
    out[both, K.GAP_MAX] = np.maximum(a[both, K.GAP_MAX], b[both, K.GAP_MAX])
    out[has, K.N_GAPS] += 1
    out[has, K.GAP_SUM] += gap[has]
    out[has, K.GAP_TRI] += gap[has] * (gap[has] + 1) // 2
    out[has, K.GAP_MAX] = np.maximum(out[has, K.GAP_MAX], gap[has])
    out[both & (gap == 0), K.N_ACC] -= 1  # a's last access continues into b
    out[both, K.LAST] = b[both, K.LAST]
    return out, gap


def finalize(state: np.ndarray, first_step: int, step_s: float) -> dict[str, np.ndarray]:
    """Per-cell figures (see the module docstring) of ``state`` over the window that
    starts at global step ``first_step``; each (cell,) float64."""
    st = state.astype(np.float64)
    n = st[:, K.N_STEPS]
    n_safe = np.maximum(n, 1.0)
    cov = st[:, K.N_COV] > 0
    inf = np.inf
    n_gaps = st[:, K.N_GAPS]
    with np.errstate(invalid="ignore", divide="ignore"):
        mean_gap = np.where(n_gaps > 0, st[:, K.GAP_SUM] / np.maximum(n_gaps, 1.0) * step_s, 0.0)
        first = st[:, K.FIRST] - first_step
        last = st[:, K.LAST] - first_step
        response = (first * (first + 1) / 2.0 + st[:, K.GAP_TRI]) / np.maximum(last + 1, 1.0)
    return {
        "percent_covered": 100.0 * st[:, K.N_COV] / n_safe,
        "n_visible_mean": st[:, K.VIS_SUM] / n_safe,
        "n_visible_min": np.where(n > 0, st[:, K.VIS_MIN], 0.0),
        "n_visible_max": st[:, K.VIS_MAX],
        "mean_gap_s": np.where(cov, mean_gap, inf),
        "max_gap_s": np.where(cov, st[:, K.GAP_MAX] * step_s, inf),
        "n_gaps": n_gaps,
        "time_to_first_coverage_s": np.where(cov, first * step_s, inf),
        "time_after_last_coverage_s": np.where(cov, (n - 1 - last) * step_s, inf),
        "mean_response_time_s": np.where(cov, response * step_s, inf),
        "total_access_s": st[:, K.N_COV] * step_s,
        "n_accesses": st[:, K.N_ACC],
    }


def nfold(state: np.ndarray) -> np.ndarray:
    """Percent of samples with at least k satellites, (fold, cell)."""
    n = np.maximum(state[:, K.N_STEPS], 1).astype(float)
    return 100.0 * state[:, K.FOLD0 :].T / n


def gap_percentiles(cells, lengths, state, percentiles, step_s: float) -> np.ndarray:
    """Percentiles (linear interpolation, as numpy) of each cell's gap durations (s),
    (percentile, cell); 0 for covered cells without gaps, inf for cells never covered."""
    n_cell = state.shape[0]
    q = np.asarray(percentiles, dtype=float)
    out = np.zeros((len(q), n_cell))
    out[:, state[:, K.N_COV] == 0] = np.inf
    if len(cells):
        o = np.lexsort((lengths, cells))
        cells, lengths = cells[o], lengths[o].astype(float)
        counts = np.bincount(cells, minlength=n_cell)
        start = np.concatenate([[0], np.cumsum(counts)[:-1]])
        has = np.flatnonzero(counts)
        m = counts[has]
        for p, qq in enumerate(q):
            pos = qq / 100.0 * (m - 1)
            lo = np.floor(pos).astype(np.int64)
            hi = np.minimum(lo + 1, m - 1)
            frac = pos - lo
            a, b = lengths[start[has] + lo], lengths[start[has] + hi]
            out[p, has] = (a + (b - a) * frac) * step_s
    return out
