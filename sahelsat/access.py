"""Access: when satellites are above a minimum elevation from ground sites (passes).

Passes are found in two steps. A coarse grid, sized from the shortest orbital period
(1/40 of it, between 10 s and 10 min), brackets every hump of each site-satellite
elevation curve; then each local maximum is refined to the culmination (root of the
elevation rate) and the rise and set to the minimum-elevation crossings, by the
Illinois variant of regula falsi on all candidates at once. Elevations are geometric
(no refraction), above the WGS-84 ellipsoid's normal at the site.
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
from numba import njit, prange

from sahelsat import frames, places, propagate, timescale

NS = timescale.NS_PER_S
_MAX_GRID_VALUES = 20_000_000  # elevation samples held at once (site x satellite x time)
_REFINE_TOL_S = 1e-3
PASS_COLUMNS = [
    "satellite", "site", "rise", "culmination", "set", "max_elevation", "rise_azimuth",
    "culmination_azimuth", "set_azimuth", "duration_s", "in_progress_at_start",
    "in_progress_at_stop",
]  # fmt: skip


@njit(cache=True, parallel=True)
def elevation_grid(site_rows, pos, out):
    """Elevation (degrees) of ITRF positions ``pos`` (satellite, time, 3) km from each site
    (rows of :func:`sahelsat.frames.site_frames`), into ``out`` (site, satellite, time)."""
    for s in prange(site_rows.shape[0]):
        site = site_rows[s]
        for i in range(pos.shape[0]):
            for j in range(pos.shape[1]):
                dx = pos[i, j, 0] - site[0]
                dy = pos[i, j, 1] - site[1]
                dz = pos[i, j, 2] - site[2]
                e = site[3] * dx + site[4] * dy + site[5] * dz
                n = site[6] * dx + site[7] * dy + site[8] * dz
                u = site[9] * dx + site[10] * dy + site[11] * dz
                out[s, i, j] = math.degrees(math.atan2(u, math.sqrt(e * e + n * n)))


def topocentric(site_rows: np.ndarray, r: np.ndarray, v: np.ndarray):
    """Azimuth, elevation (degrees) and elevation rate (degrees/s) of ITRF states.

    ``site_rows`` (k, 12), ``r`` (k, 3) km, ``v`` (k, 3) km/s, one site per state.
    """
    rho = r - site_rows[:, 0:3]
    axes = site_rows[:, 3:12].reshape(-1, 3, 3)  # east, north, up
    enu = np.einsum("kij,kj->ki", axes, rho)
    enu_dot = np.einsum("kij,kj->ki", axes, v)
    e, n, u = enu[:, 0], enu[:, 1], enu[:, 2]
    h = np.hypot(e, n)
    h_dot = (e * enu_dot[:, 0] + n * enu_dot[:, 1]) / h
    el_rate = (h * enu_dot[:, 2] - u * h_dot) / (h * h + u * u)
    az = np.degrees(np.arctan2(e, n)) % 360.0
    return az, np.degrees(np.arctan2(u, h)), np.degrees(el_rate)


def _grid(t0_ns: int, t1_ns: int, step_s: float) -> np.ndarray:
    step = int(round(step_s * NS))
    grid = np.arange(t0_ns, t1_ns, step, dtype=np.int64)
    return np.append(grid, np.int64(t1_ns))


def coarse_step_s(fleet) -> float:
    """Grid step for bracketing passes: 1/40 of the shortest period, in [10 s, 600 s]."""
    shortest_min = float(np.min(fleet.period_min)) if len(fleet) else 100.0
    return float(np.clip(shortest_min * 60.0 / 40.0, 10.0, 600.0))


class _Evaluator:
    """Elevation, its rate and azimuth of (site, satellite) pairs at given instants."""

    def __init__(self, model, site_rows, sat_of_pair, site_of_pair, t0_ns):
        self.model, self.site_rows = model, site_rows
        self.sat, self.site, self.t0 = sat_of_pair, site_of_pair, t0_ns

    def __call__(self, idx: np.ndarray, t_s: np.ndarray):
        t_ns = self.t0 + np.round(t_s * NS).astype(np.int64)
        r, v, _ = propagate.itrf_at_pairs(self.model, self.sat[idx], t_ns)
        return topocentric(self.site_rows[self.site[idx]], r, v)


def _illinois(fun, idx, a, b, fa, fb, tol_s=_REFINE_TOL_S, max_iter=60):
    """Roots of ``fun(idx, t)`` bracketed by [a, b] with fa, fb of opposite signs
    (vectorised Illinois regula falsi); returns the root times, (k,)."""
    a, b, fa, fb = (np.array(x, dtype=float) for x in (a, b, fa, fb))
    side = np.zeros(len(a), dtype=np.int8)
    active = np.abs(b - a) > tol_s
    for _ in range(max_iter):
        if not active.any():
            break
        k = np.flatnonzero(active)
        denom = fb[k] - fa[k]
        c = np.where(denom != 0, (a[k] * fb[k] - b[k] * fa[k]) / np.where(denom != 0, denom, 1), 0)
        mid = 0.5 * (a[k] + b[k])
        c = np.where((c > np.minimum(a[k], b[k])) & (c < np.maximum(a[k], b[k])), c, mid)
        fc = fun(idx[k], c)
        same_as_b = np.sign(fc) == np.sign(fb[k])
        # c replaces b where f(c) has b's sign, else it replaces a.
        kb, ka = k[same_as_b], k[~same_as_b]
        b[kb], fb[kb] = c[same_as_b], fc[same_as_b]
        fa[kb] = np.where(side[kb] == 1, fa[kb] / 2, fa[kb])
        side[kb] = 1
        a[ka], fa[ka] = c[~same_as_b], fc[~same_as_b]
        fb[ka] = np.where(side[ka] == -1, fb[ka] / 2, fb[ka])
        side[ka] = -1
        done = (np.abs(b[k] - a[k]) <= tol_s) | (fc == 0)
        active[k[done]] = False
    return np.where(np.abs(fa) < np.abs(fb), a, b)


def passes(
    fleet,
    sites,
    start,
    stop,
    min_elevation: float = 10.0,
    step_s: float | None = None,
) -> pd.DataFrame:
    """Passes of every satellite over every site between ``start`` and ``stop``.

    ``fleet``: a :class:`~sahelsat.fleet.Fleet`; ``sites``: a site table or a list of
    ``(name, latitude_deg, longitude_deg, altitude_m)``; ``start``/``stop``: ISO-8601
    strings or datetime64 (UTC); ``min_elevation`` in degrees. Returns one row per pass,
    sorted by rise: ``satellite, site, rise, culmination, set`` (datetime64[ns] UTC),
    ``max_elevation`` (degrees), ``rise_azimuth, culmination_azimuth, set_azimuth``
    (degrees), ``duration_s``, and ``in_progress_at_start``/``in_progress_at_stop``
    (the pass was already up at ``start`` / still up at ``stop``: its rise / set is then
    the window's edge). ``step_s`` overrides the coarse bracketing step.
    """
    site_table = places.sites_table(sites)
    if not -90.0 <= float(min_elevation) < 90.0:
        raise ValueError(f"min_elevation must be in [-90, 90) degrees, got {min_elevation}")
    t0 = int(timescale.to_ns(timescale.as_utc(start, "start"))[0])
    t1 = int(timescale.to_ns(timescale.as_utc(stop, "stop"))[0])
    if t1 <= t0:
        raise ValueError(f"stop ({stop}) must be after start ({start})")
    if len(fleet) == 0 or len(site_table) == 0:
        return pd.DataFrame(columns=PASS_COLUMNS)
    fleet._warn_stale(np.array([t0, t1]).view("datetime64[ns]"))
    step = float(step_s) if step_s else coarse_step_s(fleet)
    grid = _grid(t0, t1, step)
    site_rows = frames.site_frames(
        site_table["latitude_deg"], site_table["longitude_deg"], site_table["altitude_m"] / 1000.0
    )
    n_sites = len(site_table)
    chunk = max(1, _MAX_GRID_VALUES // (n_sites * len(grid)))
    parts = []
    for first in range(0, len(fleet), chunk):
        sats = np.arange(first, min(first + chunk, len(fleet)))
        parts.append(_passes_chunk(fleet, sats, site_rows, grid, float(min_elevation)))
    found = pd.concat(parts, ignore_index=True) if parts else pd.DataFrame()
    if found.empty:
        return pd.DataFrame(columns=PASS_COLUMNS)
    found["satellite"] = fleet.names[found.pop("sat").to_numpy()]
    found["site"] = site_table["name"].to_numpy()[found.pop("site_i").to_numpy()]
    for col in ("rise", "culmination", "set"):
        found[col] = found[col].to_numpy().astype("datetime64[ns]")
    found = found.sort_values(["rise", "satellite", "site"], kind="stable")
    return found[PASS_COLUMNS].reset_index(drop=True)


def _passes_chunk(fleet, sats, site_rows, grid, min_el) -> pd.DataFrame:
    model = fleet.model
    n_sites, n_sat, n_t = len(site_rows), len(sats), len(grid)
    # One extra step on each side so that maxima just outside the window bracket too.
    step = grid[1] - grid[0]
    ext = np.concatenate([[grid[0] - step], grid, [grid[-1] + step]])
    pos = propagate.states(_sub_model(model, sats), ext, itrf=True)[0]
    el_ext = np.empty((n_sites, n_sat, n_t + 2))
    elevation_grid(site_rows, pos, el_ext)
    el_ext = el_ext.reshape(n_sites * n_sat, n_t + 2)
    el_ext = np.where(np.isnan(el_ext), -90.0, el_ext)
    el = el_ext[:, 1:-1]
    site_of_pair = np.repeat(np.arange(n_sites), n_sat)
    sat_of_pair = np.tile(sats, n_sites)
    t_ext = (ext - grid[0]) / NS
    t_s = t_ext[1:-1]
    evaluate = _Evaluator(model, site_rows, sat_of_pair, site_of_pair, grid[0])

    # Candidate culminations: local maxima of the extended grid, refined and kept inside
    # the window; and the window's edges when the elevation falls away from them.
    mid = el_ext[:, 1:-1]
    is_max = (mid >= el_ext[:, :-2]) & (mid > el_ext[:, 2:]) & (mid > min_el - 45.0)
    pair, j = np.nonzero(is_max)
    j = j + 1
    _, _, rate_lo = evaluate(pair, t_ext[j - 1])
    _, _, rate_hi = evaluate(pair, t_ext[j + 1])
    brackets = (rate_lo > 0) & (rate_hi < 0)
    tp = t_ext[j].astype(float)
    tp[brackets] = _illinois(
        lambda idx, t: evaluate(idx, t)[2],
        pair[brackets], t_ext[j - 1][brackets], t_ext[j + 1][brackets],
        rate_lo[brackets], rate_hi[brackets],
    )  # fmt: skip
    tp = np.clip(tp, t_s[0], t_s[-1])
    _, ep, _ = evaluate(pair, tp)
    edge_pairs = [np.flatnonzero((el[:, 0] >= min_el) & (el[:, 0] > el[:, 1])),
                  np.flatnonzero((el[:, -1] >= min_el) & (el[:, -1] >= el[:, -2]))]  # fmt: skip
    pair = np.concatenate([pair, *edge_pairs])
    tp = np.concatenate(
        [tp, np.full(len(edge_pairs[0]), t_s[0]), np.full(len(edge_pairs[1]), t_s[-1])]
    )
    ep = np.concatenate([ep, el[edge_pairs[0], 0], el[edge_pairs[1], -1]])
    keep = ep >= min_el
    pair, tp, ep = pair[keep], tp[keep], ep[keep]
    if not len(pair):
        return pd.DataFrame()

    # Group candidates into passes: the grid samples below the threshold around them.
    below = el < min_el
    idx = np.arange(n_t)
    last_below = np.maximum.accumulate(np.where(below, idx, -1), axis=1)
    next_below = np.minimum.accumulate(np.where(below, idx, n_t)[:, ::-1], axis=1)[:, ::-1]
    jp = np.clip(np.searchsorted(t_s, tp, side="right") - 1, 0, n_t - 1)
    left = last_below[pair, jp]
    right = np.where(jp + 1 < n_t, next_below[pair, np.minimum(jp + 1, n_t - 1)], n_t)
    cand = pd.DataFrame({"pair": pair, "left": left, "right": right, "tp": tp, "ep": ep})
    best = cand.sort_values("ep", ascending=False).drop_duplicates(["pair", "left", "right"])
    pair, left, right = (best[c].to_numpy() for c in ("pair", "left", "right"))
    tp, ep = best["tp"].to_numpy(), best["ep"].to_numpy()

    def crossing(idx, t):
        return evaluate(idx, t)[1] - min_el

    rise = np.full(len(pair), t_s[0])
    has_rise = left >= 0
    if has_rise.any():
        lo = t_s[left[has_rise]]
        rise[has_rise] = _illinois(
            crossing, pair[has_rise], lo, tp[has_rise],
            el[pair[has_rise], left[has_rise]] - min_el, ep[has_rise] - min_el,
        )  # fmt: skip
    set_ = np.full(len(pair), t_s[-1])
    has_set = right < n_t
    if has_set.any():
        hi = t_s[right[has_set]]
        set_[has_set] = _illinois(
            crossing, pair[has_set], tp[has_set], hi,
            ep[has_set] - min_el, el[pair[has_set], right[has_set]] - min_el,
        )  # fmt: skip
    az_rise = evaluate(pair, rise)[0]
    az_cul = evaluate(pair, tp)[0]
    az_set = evaluate(pair, set_)[0]
    t0 = grid[0]
    return pd.DataFrame(
        {
            "sat": sat_of_pair[pair],
            "site_i": site_of_pair[pair],
            "rise": t0 + np.round(rise * NS).astype(np.int64),
            "culmination": t0 + np.round(tp * NS).astype(np.int64),
            "set": t0 + np.round(set_ * NS).astype(np.int64),
            "max_elevation": ep,
            "rise_azimuth": az_rise,
            "culmination_azimuth": az_cul,
            "set_azimuth": az_set,
            "duration_s": set_ - rise,
            "in_progress_at_start": ~has_rise,
            "in_progress_at_stop": ~has_set,
        }
    )


def _sub_model(model, sats: np.ndarray):
    """The SGP4 state of a subset of satellites (rows ``sats``)."""
    return propagate.SGP4Model(
        coef=model.coef[sats],
        epoch_ns=model.epoch_ns[sats],
        deep=model.deep[sats],
        init_error=model.init_error[sats],
        deep_satrecs={
            k: model.deep_satrecs[i] for k, i in enumerate(sats) if i in model.deep_satrecs
        },
        period_min=model.period_min[sats],
    )
