"""Access: when satellites are above a minimum elevation from ground sites (passes).

Passes are found in two steps. A coarse grid, sized from the shortest orbital period
(1/40 of it, between 10 s and 10 min), brackets every hump of each site-satellite
elevation curve; then each local maximum is refined to the culmination (root of the
elevation rate, by safeguarded secant steps from the vertex of the parabola through the
grid samples) and the rise and set to the minimum-elevation crossings (Newton steps on
the analytic elevation rate inside the bracketing samples), on all candidates at once.
Elevations are geometric (no refraction), above the WGS-84 ellipsoid's normal at the site.
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
from numba import njit, prange

from sahelsat import frames, places, propagate, sgp4_kernel, timescale, vmath

NS = timescale.NS_PER_S
_MAX_GRID_VALUES = 20_000_000  # elevation samples held at once (site x satellite x time)
_REFINE_TOL_S = 0.1  # seconds: refinement stops at a step this small (its error: far less)
_PEAK_TOL_S = 0.2  # culminations: the elevation is flat there, time matters little
_PEAK_MARGIN_DEG = 5.0  # humps estimated this far below the threshold are not refined
PASS_COLUMNS = [
    "satellite", "site", "rise", "culmination", "set", "max_elevation", "rise_azimuth",
    "culmination_azimuth", "set_azimuth", "duration_s", "in_progress_at_start",
    "in_progress_at_stop",
]  # fmt: skip


@njit(cache=True, parallel=True, fastmath=vmath.FAST, error_model="numpy")
def elevation_grid(site_rows, px, py, pz, out):
    """Elevation (degrees) of ITRF positions with components ``px``, ``py``, ``pz``
    (satellite, time) km from each site (rows of :func:`sahelsat.frames.site_frames`),
    into ``out`` (site, satellite, time); -90 where the position is NaN (SGP4 failed:
    never up). Vectorised over time."""
    for s in prange(site_rows.shape[0]):
        site = site_rows[s]
        for i in range(px.shape[0]):
            for j in range(px.shape[1]):
                dx = px[i, j] - site[0]
                dy = py[i, j] - site[1]
                dz = pz[i, j] - site[2]
                e = site[3] * dx + site[4] * dy + site[5] * dz
                n = site[6] * dx + site[7] * dy + site[8] * dz
                u = site[9] * dx + site[10] * dy + site[11] * dz
                el = vmath.atan2(u, np.sqrt(e * e + n * n)) * (180.0 / math.pi)
                out[s, i, j] = el if el == el else -90.0


@njit(cache=True)
def hump_candidates(el, min_el, margin):
    """Local maxima of each row of ``el`` (pair, time) that may reach ``min_el``: (pair, j).

    A hump is kept when the parabola through its three samples (or the sample itself,
    for sharp peaks) comes within ``margin`` degrees of the threshold.
    """
    n_pair, n_t = el.shape
    count = 0
    keep = np.zeros(el.shape, np.bool_)
    for p in range(n_pair):
        for j in range(1, n_t - 1):
            a, b, c = el[p, j - 1], el[p, j], el[p, j + 1]
            if b >= a and b > c:
                curvature = a - 2.0 * b + c
                peak = b
                if curvature < 0.0:
                    peak = max(b, b - (c - a) * (c - a) / (8.0 * curvature))
                if peak > min_el - margin:
                    keep[p, j] = True
                    count += 1
    pair = np.empty(count, np.int64)
    idx = np.empty(count, np.int64)
    k = 0
    for p in range(n_pair):
        for j in range(1, n_t - 1):
            if keep[p, j]:
                pair[k], idx[k] = p, j
                k += 1
    return pair, idx


@njit(cache=True)
def pass_bounds(el, min_el, pair, jp):
    """For candidates at grid index ``jp`` of row ``pair``: the last index <= jp and the
    first index > jp where ``el`` is below ``min_el`` (-1 / n_time when there is none)."""
    n_t = el.shape[1]
    left = np.empty(pair.shape[0], np.int64)
    right = np.empty(pair.shape[0], np.int64)
    for k in range(pair.shape[0]):
        p = pair[k]
        j = jp[k]
        while j >= 0 and el[p, j] >= min_el:
            j -= 1
        left[k] = j
        j = jp[k] + 1
        while j < n_t and el[p, j] >= min_el:
            j += 1
        right[k] = j
    return left, right


def topocentric(site_rows: np.ndarray, r: np.ndarray, v: np.ndarray):
    """Azimuth, elevation (degrees), elevation rate (degrees/s) and range rate (km/s) of
    ITRF states.

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
    range_rate = np.einsum("ki,ki->k", enu, enu_dot) / np.linalg.norm(enu, axis=1)
    return az, np.degrees(np.arctan2(u, h)), np.degrees(el_rate), range_rate


def _grid(t0_ns: int, t1_ns: int, step_s: float) -> np.ndarray:
    step = int(round(step_s * NS))
    grid = np.arange(t0_ns, t1_ns, step, dtype=np.int64)
    return np.append(grid, np.int64(t1_ns))


def coarse_step_s(fleet) -> float:
    """Grid step for bracketing passes: 1/40 of the shortest period, in [10 s, 600 s]."""
    shortest_min = float(np.min(fleet.period_min)) if len(fleet) else 100.0
    return float(np.clip(shortest_min * 60.0 / 40.0, 10.0, 600.0))


class _Evaluator:
    """Azimuth, elevation, elevation rate and range rate of (site, satellite) pairs at
    given instants (see :func:`topocentric`)."""

    def __init__(self, model, site_rows, sat_of_pair, site_of_pair, t0_ns):
        self.model, self.site_rows = model, site_rows
        self.sat, self.site, self.t0 = sat_of_pair, site_of_pair, t0_ns
        self.near_only = not (model.deep.any() or model.init_error.any())

    def __call__(self, idx: np.ndarray, t_s: np.ndarray):
        t_ns = self.t0 + np.round(t_s * NS).astype(np.int64)
        if self.near_only:  # the fused, vectorised kernel
            rot = frames.rotation_columns(frames.earth_rotation(t_ns.view("datetime64[ns]")))
            out = np.empty((4, len(idx)))
            sgp4_kernel.look_pairs(
                self.model.coef, self.model.epoch_ns, np.ascontiguousarray(self.sat[idx]),
                t_ns, rot, self.site_rows, np.ascontiguousarray(self.site[idx]), *out,
            )  # fmt: skip
            return tuple(out)
        r, v, _ = propagate.itrf_at_pairs(self.model, self.sat[idx], t_ns)
        return topocentric(self.site_rows[self.site[idx]], r, v)


def _secant_roots(fun, idx, a, b, fa, fb, tol_s=_REFINE_TOL_S, first=None, max_iter=60):
    """Roots of ``fun(idx, t)`` bracketed by [a, b] with fa, fb of opposite signs: secant
    steps through the last two estimates (superlinear), bisecting the bracket whenever a
    step leaves it; stops when a step is below ``tol_s``. ``first``: an estimate of the
    roots to start from. Vectorised; returns (k,)."""
    a, b, fa, fb = (np.array(x, dtype=float) for x in (a, b, fa, fb))
    x0, f0, x1, f1 = a.copy(), fa.copy(), b.copy(), fb.copy()
    if first is not None:  # the first secant through two close points near ``first``
        x0 = np.clip(np.asarray(first, dtype=float), np.minimum(a, b), np.maximum(a, b))
        x1 = x0 + np.where(x0 + 1.0 < np.maximum(a, b), 1.0, -1.0)
        f0, f1 = fun(idx, x0), fun(idx, x1)
        for x, f in ((x0, f0), (x1, f1)):
            on_a = np.sign(f) == np.sign(fa)
            a, fa = np.where(on_a, x, a), np.where(on_a, f, fa)
            b, fb = np.where(on_a, b, x), np.where(on_a, fb, f)
    active = np.abs(b - a) > tol_s
    for _ in range(max_iter):
        k = np.flatnonzero(active)
        if not len(k):
            break
        with np.errstate(divide="ignore", invalid="ignore"):
            new = x1[k] - f1[k] * (x1[k] - x0[k]) / (f1[k] - f0[k])
        inside = (new > np.minimum(a[k], b[k])) & (new < np.maximum(a[k], b[k]))
        new = np.where(inside, new, 0.5 * (a[k] + b[k]))
        fn = fun(idx[k], new)
        on_a = np.sign(fn) == np.sign(fa[k])
        a[k[on_a]], fa[k[on_a]] = new[on_a], fn[on_a]
        b[k[~on_a]], fb[k[~on_a]] = new[~on_a], fn[~on_a]
        done = (np.abs(new - x1[k]) <= tol_s) | (np.abs(b[k] - a[k]) <= tol_s) | (fn == 0)
        x0[k], f0[k], x1[k], f1[k] = x1[k], f1[k], new, fn
        active[k[done]] = False
    return x1


def _culminations(evaluate, pair, t, el, j):
    """Times (s) of maximum elevation of pairs ``pair`` near grid sample ``j`` (a local
    maximum of the grid elevations ``el`` (pair, time) at times ``t``): the root of the
    elevation rate in [t[j-1], t[j+1]] by secant steps from the vertex of the parabola
    through the three samples; ``t[j]`` where the rate does not change sign there."""
    lo, hi = t[j - 1], t[j + 1]
    _, _, rate_lo, _ = evaluate(pair, lo)
    _, _, rate_hi, _ = evaluate(pair, hi)
    tp = t[j].astype(float)
    ok = (rate_lo > 0) & (rate_hi < 0)
    y0, y1, y2 = el[pair, j - 1], el[pair, j], el[pair, j + 1]
    with np.errstate(divide="ignore", invalid="ignore"):
        vertex = 0.5 * (y0 - y2) / (y0 - 2.0 * y1 + y2)
    vertex = tp + np.clip(np.nan_to_num(vertex), -0.9, 0.9) * 0.5 * (hi - lo)
    tp[ok] = _secant_roots(
        lambda idx, t: evaluate(idx, t)[2], pair[ok], lo[ok], hi[ok], rate_lo[ok],
        rate_hi[ok], tol_s=_PEAK_TOL_S, first=vertex[ok],
    )  # fmt: skip
    return tp


def _newton_crossings(evaluate, idx, a, b, fa, fb, level, tol_s=_REFINE_TOL_S, max_iter=30):
    """Times where the elevation of pairs ``idx`` crosses ``level`` inside [a, b], given
    the signs of elevation - level at both ends (fa, fb): Newton steps on the elevation
    with its analytic rate, falling back to bisection when a step leaves the bracket.
    Returns the times (s) and the azimuths (degrees) at the last estimate evaluated (at
    most ``tol_s`` away)."""
    a, b, fa = (np.array(x, dtype=float) for x in (a, b, fa))
    x = a - fa * (b - a) / (np.asarray(fb, dtype=float) - fa)
    az = np.full(len(a), np.nan)
    active = np.ones(len(a), dtype=bool)
    for _ in range(max_iter):
        k = np.flatnonzero(active)
        if not len(k):
            break
        az[k], el, rate, _ = evaluate(idx[k], x[k])
        f = el - level
        lower = np.sign(f) == np.sign(fa[k])
        a[k[lower]] = x[k[lower]]
        b[k[~lower]] = x[k[~lower]]
        with np.errstate(divide="ignore", invalid="ignore"):
            step = -f / rate
        new = x[k] + step
        outside = ~((new > np.minimum(a[k], b[k])) & (new < np.maximum(a[k], b[k])))
        new[outside] = 0.5 * (a[k] + b[k])[outside]
        done = (np.abs(new - x[k]) <= tol_s) | (np.abs(b[k] - a[k]) <= tol_s)
        x[k] = new
        active[k[done]] = False
    return x, az


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
    pos = propagate.states(model.take(sats), ext, itrf=True)[0]
    px, py, pz = (np.ascontiguousarray(pos[..., k]) for k in range(3))
    el_ext = np.empty((n_sites, n_sat, n_t + 2))
    elevation_grid(site_rows, px, py, pz, el_ext)
    el_ext = el_ext.reshape(n_sites * n_sat, n_t + 2)
    el = el_ext[:, 1:-1]
    site_of_pair = np.repeat(np.arange(n_sites), n_sat)
    sat_of_pair = np.tile(sats, n_sites)
    t_ext = (ext - grid[0]) / NS
    t_s = t_ext[1:-1]
    evaluate = _Evaluator(model, site_rows, sat_of_pair, site_of_pair, grid[0])

    # Candidate culminations: local maxima of the extended grid, refined and kept inside
    # the window; and the window's edges when the elevation falls away from them.
    pair, j = hump_candidates(el_ext, min_el, _PEAK_MARGIN_DEG)
    tp = _culminations(evaluate, pair, t_ext, el_ext, j)
    tp = np.clip(tp, t_s[0], t_s[-1])
    edge_pairs = [np.flatnonzero((el[:, 0] >= min_el) & (el[:, 0] > el[:, 1])),
                  np.flatnonzero((el[:, -1] >= min_el) & (el[:, -1] >= el[:, -2]))]  # fmt: skip
    pair = np.concatenate([pair, *edge_pairs])
    tp = np.concatenate(
        [tp, np.full(len(edge_pairs[0]), t_s[0]), np.full(len(edge_pairs[1]), t_s[-1])]
    )
    az_cul, ep, _, _ = evaluate(pair, tp)
    keep = ep >= min_el
    pair, tp, ep, az_cul = pair[keep], tp[keep], ep[keep], az_cul[keep]
    if not len(pair):
        return pd.DataFrame()

    # Group candidates into passes: the grid samples below the threshold around them.
    jp = np.clip(np.searchsorted(t_s, tp, side="right") - 1, 0, n_t - 1)
    left, right = pass_bounds(el, min_el, pair, jp)
    cand = pd.DataFrame(
        {"pair": pair, "left": left, "right": right, "jp": jp, "tp": tp, "ep": ep, "az": az_cul}
    )
    best = cand.sort_values("ep", ascending=False).drop_duplicates(["pair", "left", "right"])
    pair, left, right, jp = (best[c].to_numpy() for c in ("pair", "left", "right", "jp"))
    tp, ep, az_cul = (best[c].to_numpy() for c in ("tp", "ep", "az"))

    # Crossings of the threshold, bracketed by the grid samples on either side of it
    # (or by the culmination when no sample above the threshold lies between).
    rise, az_rise = np.full(len(pair), t_s[0]), np.full(len(pair), np.nan)
    k = np.flatnonzero(left >= 0)
    inner = np.minimum(left[k] + 1, jp[k])
    hi_t = np.where(inner > left[k], t_s[inner], tp[k])
    hi_el = np.where(inner > left[k], el[pair[k], inner], ep[k])
    rise[k], az_rise[k] = _newton_crossings(
        evaluate, pair[k], t_s[left[k]], hi_t, el[pair[k], left[k]] - min_el, hi_el - min_el,
        min_el,
    )  # fmt: skip
    set_, az_set = np.full(len(pair), t_s[-1]), np.full(len(pair), np.nan)
    k = np.flatnonzero(right < n_t)
    inner = np.maximum(right[k] - 1, jp[k])
    lo_t = np.where(inner > jp[k], t_s[inner], tp[k])
    lo_el = np.where(inner > jp[k], el[pair[k], inner], ep[k])
    set_[k], az_set[k] = _newton_crossings(
        evaluate, pair[k], lo_t, t_s[right[k]], lo_el - min_el, el[pair[k], right[k]] - min_el,
        min_el,
    )  # fmt: skip
    for t, az, edge in ((rise, az_rise, left < 0), (set_, az_set, right >= n_t)):
        if edge.any():  # the window's edges: no crossing was refined there
            az[edge] = evaluate(pair[edge], t[edge])[0]
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
            "in_progress_at_start": left < 0,
            "in_progress_at_stop": right >= n_t,
        }
    )
