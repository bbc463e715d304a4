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
_REFINE_TOL_S = 0.01  # seconds: root brackets are narrowed to this
_PEAK_TOL_S = 0.05  # culminations: the elevation is flat there, time matters little
_PEAK_MARGIN_DEG = 5.0  # humps estimated this far below the threshold are not refined
PASS_COLUMNS = [
    "satellite", "site", "rise", "culmination", "set", "max_elevation", "rise_azimuth",
    "culmination_azimuth", "set_azimuth", "duration_s", "in_progress_at_start",
    "in_progress_at_stop",
]  # fmt: skip


@njit(cache=True, parallel=True)
def elevation_grid(site_rows, pos, out):
    """Elevation (degrees) of ITRF positions ``pos`` (satellite, time, 3) km from each site
    (rows of :func:`sahelsat.frames.site_frames`), into ``out`` (site, satellite, time);
    -90 where the position is NaN."""
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
                el = math.degrees(math.atan2(u, math.sqrt(e * e + n * n)))
                out[s, i, j] = -90.0 if math.isnan(el) else el  # failed SGP4: never up


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


def _newton_crossings(evaluate, idx, a, b, fa, fb, level, tol_s=_REFINE_TOL_S, max_iter=30):
    """Times where the elevation of pairs ``idx`` crosses ``level`` inside [a, b], given
    the signs of elevation - level at both ends (fa, fb): Newton steps on the elevation
    with its analytic rate, falling back to bisection when a step leaves the bracket."""
    a, b, fa = (np.array(x, dtype=float) for x in (a, b, fa))
    x = a - fa * (b - a) / (np.asarray(fb, dtype=float) - fa)
    active = np.ones(len(a), dtype=bool)
    for _ in range(max_iter):
        k = np.flatnonzero(active)
        if not len(k):
            break
        _, el, rate = evaluate(idx[k], x[k])
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
    return x


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
    el = el_ext[:, 1:-1]
    site_of_pair = np.repeat(np.arange(n_sites), n_sat)
    sat_of_pair = np.tile(sats, n_sites)
    t_ext = (ext - grid[0]) / NS
    t_s = t_ext[1:-1]
    evaluate = _Evaluator(model, site_rows, sat_of_pair, site_of_pair, grid[0])

    # Candidate culminations: local maxima of the extended grid, refined and kept inside
    # the window; and the window's edges when the elevation falls away from them.
    pair, j = hump_candidates(el_ext, min_el, _PEAK_MARGIN_DEG)
    _, _, rate_lo = evaluate(pair, t_ext[j - 1])
    _, _, rate_hi = evaluate(pair, t_ext[j + 1])
    brackets = (rate_lo > 0) & (rate_hi < 0)
    tp = t_ext[j].astype(float)
    tp[brackets] = _illinois(
        lambda idx, t: evaluate(idx, t)[2],
        pair[brackets], t_ext[j - 1][brackets], t_ext[j + 1][brackets],
        rate_lo[brackets], rate_hi[brackets], tol_s=_PEAK_TOL_S,
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
    jp = np.clip(np.searchsorted(t_s, tp, side="right") - 1, 0, n_t - 1)
    left, right = pass_bounds(el, min_el, pair, jp)
    cand = pd.DataFrame({"pair": pair, "left": left, "right": right, "tp": tp, "ep": ep})
    best = cand.sort_values("ep", ascending=False).drop_duplicates(["pair", "left", "right"])
    pair, left, right = (best[c].to_numpy() for c in ("pair", "left", "right"))
    tp, ep = best["tp"].to_numpy(), best["ep"].to_numpy()

    rise = np.full(len(pair), t_s[0])
    has_rise = left >= 0
    if has_rise.any():
        rise[has_rise] = _newton_crossings(
            evaluate, pair[has_rise], t_s[left[has_rise]], tp[has_rise],
            el[pair[has_rise], left[has_rise]] - min_el, ep[has_rise] - min_el, min_el,
        )  # fmt: skip
    set_ = np.full(len(pair), t_s[-1])
    has_set = right < n_t
    if has_set.any():
        set_[has_set] = _newton_crossings(
            evaluate, pair[has_set], tp[has_set], t_s[right[has_set]],
            ep[has_set] - min_el, el[pair[has_set], right[has_set]] - min_el, min_el,
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
