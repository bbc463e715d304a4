"""Compiled pass search of a block of satellites over many sites: pruned, bucketed, and
refined on Hermite interpolants of the sampled states.

:func:`search` takes Earth-fixed positions and velocities of a block of satellites on a
uniform coarse grid (:mod:`sahelsat.access` builds it) and finds every pass over every
site, in parallel over the satellites:

1. pruning: a satellite-step is a candidate only if its sub-satellite point lies within
   the region's visibility cap: the cap bounding all sites
   (:func:`sahelsat.core.geometry.bounding_cap`), widened by the satellite's horizon
   reach at the minimum elevation (:func:`sahelsat.core.geometry.cap_elevation`) and by
   the ground-track motion of one step, then dilated by one step on each side, so
   every sample within two steps of a visible instant is kept;
2. bucketing: sites are grouped into cells with their own caps; a cell's sites look only
   at the candidate steps that pass the same test against the cell's cap;
3. per site, runs of candidate steps are sampled (sine of the elevation): runs of
   samples above the threshold are passes, and humps below it whose parabola comes
   within :data:`PEAK_MARGIN_DEG` of the threshold are refined in case they peak above;
4. refinement: rise and set are roots of sin(elevation) - sin(min) by safeguarded
   Newton steps (stopped once a step's error estimate is small, then one Halley step),
   the culmination the root of the elevation rate by Newton steps from the samples'
   parabola (Illinois steps as a fallback), both with the first two derivatives of the
   sine of the elevation, all on the cubic Hermite interpolant of positions and
   velocities between samples (error below 20 m at 1/40 of an orbit:
   (h^4 / 384) |r''''|), no SGP4 call: about two evaluations per event;
5. geostationary satellites (flagged by the caller) are classed per site as always or
   never visible from the samples when every sample clears the threshold by
   :data:`GEO_MARGIN_DEG` (far above the elevation's change between samples), and
   searched like the others otherwise.

Times are seconds after the grid's first sample; the window is [h, w1] (sample 1 is
its start). Results go to per-satellite slots of fixed capacity; ``count`` holds the
number found, so that a caller can run again with more room where it overflowed.
"""

from __future__ import annotations

import math

import numpy as np
from numba import njit, prange

from sahelsat import vmath
from sahelsat.core import geometry

FAST = vmath.FAST
PEAK_MARGIN_DEG = 5.0  # humps whose parabola peaks this far below the threshold are refined
GEO_MARGIN_DEG = 0.05  # always/never visible: every sample beyond the threshold by this
CROSS_TOL_S = 1.0  # rise and set: Newton stops at a step this small whose error, about
CROSS_ERR_S = 0.01  # d^2 |f'' / 2 f'|, is below this (then a last Halley step is taken)
CROSS_BRACKET_S = 0.2  # or when bisections have shrunk the bracket to this
PEAK_STEP_S = 1.0  # culmination: Newton stops at a step this small (then about d^2
# |s''' / 2 s''| off, under 0.01 s where |s''' / s''| < 1 / 50 s; the elevation is flat
# there: its error is second order)
PEAK_TOL_S = 0.05  # culmination by Illinois steps (fallback, geostationary): bracket;
# and the Newton step above ZENITH_SIN, where the elevation arcsin(s) amplifies the
# expansion's error in s (about d^3 |s'''| / 6, up to 4e-7 at d = 1 s) by 1 / cos(el)
ZENITH_SIN = math.sin(math.radians(85.0))
# Columns of the float output (satellite, capacity, N_OUT).
RISE, CUL, SET, MAX_EL, AZ_RISE, AZ_CUL, AZ_SET = range(7)
N_OUT = 7
AT_START, AT_STOP = 1, 2  # bits of the flags output: in progress at the window's edges


@njit(inline="always", fastmath=FAST, error_model="numpy")
def _sample(site, st, k, j):
    """Sine of the elevation of satellite ``k`` at sample ``j`` from ``site``."""
    e, n, u = geometry.topocentric(site, st[k, j, 0], st[k, j, 1], st[k, j, 2])
    return u / np.sqrt(e * e + n * n + u * u)


@njit(inline="always", fastmath=FAST, error_model="numpy")
def _hermite(st, k, h, t):
    """The samples of satellite ``k`` of ``st`` (sat, time, 6) spaced ``h`` s on each side
    of time ``t`` (s), the fraction ``tau`` of the step at ``t``, and the cubic Hermite
    weights of position (a0, a1, b0, b1) and of velocity (da0, db0, db1) there."""
    n_t = st.shape[1]
    j = min(max(int(t / h), 0), n_t - 2)
    tau = t / h - j
    t2 = tau * tau
    t3 = t2 * tau
    a0, a1 = 2.0 * t3 - 3.0 * t2 + 1.0, -2.0 * t3 + 3.0 * t2
    b0, b1 = (t3 - 2.0 * t2 + tau) * h, (t3 - t2) * h
    da0 = (6.0 * t2 - 6.0 * tau) / h
    db0, db1 = 3.0 * t2 - 4.0 * tau + 1.0, 3.0 * t2 - 2.0 * tau
    return st[k, j], st[k, j + 1], tau, a0, a1, b0, b1, da0, db0, db1


@njit(inline="always", fastmath=FAST, error_model="numpy")
def _rate(p, q, w, u, v):
    """w (p - q) + u p' + v q' per axis: a time derivative of the interpolant between
    samples ``p`` and ``q`` (position then velocity) with the weights of that derivative."""
    return (
        w * (p[0] - q[0]) + u * p[3] + v * q[3],
        w * (p[1] - q[1]) + u * p[4] + v * q[4],
        w * (p[2] - q[2]) + u * p[5] + v * q[5],
    )


@njit(inline="always", fastmath=FAST, error_model="numpy")
def _at(site, st, k, h, t):
    """Sine of the elevation, its rate (1/s), east and north (km) of satellite ``k`` at
    time ``t`` (s), on the cubic Hermite interpolant of the samples of ``st`` (sat,
    time, 6) spaced ``h`` s."""
    p, q, _, a0, a1, b0, b1, da0, db0, db1 = _hermite(st, k, h, t)
    x = a0 * p[0] + a1 * q[0] + b0 * p[3] + b1 * q[3]
    y = a0 * p[1] + a1 * q[1] + b0 * p[4] + b1 * q[4]
    z = a0 * p[2] + a1 * q[2] + b0 * p[5] + b1 * q[5]
    vx, vy, vz = _rate(p, q, da0, db0, db1)
    return geometry.sine_elevation(site, x, y, z, vx, vy, vz)


@njit(inline="always", fastmath=FAST, error_model="numpy")
def _at2(site, st, k, h, t):
    """Sine of the elevation and its first two time derivatives (1/s, 1/s^2), east and
    north (km) and their first two derivatives (km/s, km/s^2) of satellite ``k`` at time
    ``t`` (s), on the cubic Hermite interpolant of :func:`_at`."""
    p, q, tau, a0, a1, b0, b1, da0, db0, db1 = _hermite(st, k, h, t)
    x = a0 * p[0] + a1 * q[0] + b0 * p[3] + b1 * q[3]
    y = a0 * p[1] + a1 * q[1] + b0 * p[4] + b1 * q[4]
    z = a0 * p[2] + a1 * q[2] + b0 * p[5] + b1 * q[5]
    vx, vy, vz = _rate(p, q, da0, db0, db1)
    ax, ay, az = _rate(p, q, (12.0 * tau - 6.0) / (h * h), (6.0 * tau - 4.0) / h,
                       (6.0 * tau - 2.0) / h)  # fmt: skip
    e, n, u = geometry.topocentric(site, x, y, z)
    de, dn, du = geometry.enu(site, vx, vy, vz)
    ae, an, au = geometry.enu(site, ax, ay, az)
    inv = 1.0 / np.sqrt(e * e + n * n + u * u)
    rd = (e * de + n * dn + u * du) * inv  # range rate
    rdd = (de * de + dn * dn + du * du + e * ae + n * an + u * au - rd * rd) * inv
    s = u * inv  # s rho = u, differentiated twice
    sd = (du - s * rd) * inv
    sdd = (au - 2.0 * sd * rd - s * rdd) * inv
    return s, sd, sdd, e, n, de, dn, ae, an


@njit(inline="always", fastmath=FAST, error_model="numpy")
def _azimuth(e, n, de, dn, ae, an, d):
    """Azimuth (radians, [0, 2 pi)) ``d`` s after a point with east and north ``e, n``
    (km), rates ``de, dn`` and accelerations ``ae, an`` (second-order Taylor step)."""
    az = vmath.atan2(e + d * (de + 0.5 * d * ae), n + d * (dn + 0.5 * d * an))
    return az + 2.0 * math.pi * (az < 0.0)


@njit(inline="always", fastmath=FAST, error_model="numpy")
def _crossing(site, st, k, h, level, a, b, fa, fb):
    """Time in [a, b] where the sine of the elevation crosses ``level``, given its
    offsets ``fa``, ``fb`` from the level at the ends (opposite signs): Newton steps
    from the secant's root, bisecting when a step leaves the bracket, until a step is
    at most :data:`CROSS_TOL_S` with an error estimate below :data:`CROSS_ERR_S`, then one
    Halley step (or the bracket is below :data:`CROSS_BRACKET_S`). Returns (time,
    azimuth in radians)."""
    if not (fa == fa and fb == fb) or fa == fb:
        return b if fa < fb else a, np.nan
    t = a + (b - a) * fa / (fa - fb)
    sign_a = fa < 0.0
    for _ in range(40):
        s, sd, sdd, e, n, de, dn, ae, an = _at2(site, st, k, h, t)
        f = s - level
        if (f < 0.0) == sign_a:
            a = t
        else:
            b = t
        d = -f / sd
        if not (t + d > a and t + d < b):
            d = 0.5 * (a + b) - t
        elif abs(d) <= CROSS_TOL_S and abs(sdd / sd) * d * d <= 2.0 * CROSS_ERR_S:
            d = -2.0 * f * sd / (2.0 * sd * sd - f * sdd)  # Halley's: closer still
            return t + d, _azimuth(e, n, de, dn, ae, an, d)
        t += d
        if b - a <= CROSS_BRACKET_S:
            break
    s, sd, sdd, e, n, de, dn, ae, an = _at2(site, st, k, h, t)
    return t, _azimuth(e, n, de, dn, ae, an, 0.0)


@njit(inline="always", fastmath=FAST, error_model="numpy")
def _peak(site, st, k, h, a, b):
    """Time of maximum elevation in [a, b]: the root of the elevation rate by Illinois
    (modified regula falsi) steps when the rate changes sign there, else the higher
    end. Returns (time, sine of the elevation there, azimuth in radians)."""
    sa, ra, _, _ = _at(site, st, k, h, a)
    sb, rb, _, _ = _at(site, st, k, h, b)
    if not (ra > 0.0 and rb < 0.0):
        t = a if sa >= sb else b
    else:
        side = 0
        t = a
        for _ in range(60):
            prev = t
            t = (a * rb - b * ra) / (rb - ra)
            _, r, _, _ = _at(site, st, k, h, t)
            if r > 0.0:
                a, ra = t, r
                if side == -1:
                    rb *= 0.5
                side = -1
            else:
                b, rb = t, r
                if side == 1:
                    ra *= 0.5
                side = 1
            if b - a <= PEAK_TOL_S or abs(t - prev) <= 0.1 * PEAK_TOL_S or r == 0.0:
                break
    s, _, e, n = _at(site, st, k, h, t)
    az = vmath.atan2(e, n)
    return t, s, az + 2.0 * math.pi * (az < 0.0)


@njit(inline="always", fastmath=FAST, error_model="numpy")
def _culmination(site, st, k, h, jm, y0, y1, y2, a, b):
    """Time of maximum elevation near sample ``jm`` (samples ``y0, y1, y2`` of the sine of
    the elevation at jm - 1, jm, jm + 1) inside [a, b]: Newton steps on the elevation
    rate from the vertex of the parabola through the samples, until a step is at most
    :data:`PEAK_STEP_S` (:data:`PEAK_TOL_S` near the zenith; the sine and azimuth there
    from the second-order expansion at the last point), falling back to :func:`_peak`
    on [a, b] when a step leaves it or the curve is not concave. Returns (time, sine of
    the elevation there, azimuth in radians)."""
    t = jm * h
    curv = y0 - 2.0 * y1 + y2
    if curv < 0.0:
        t += min(max(0.5 * (y0 - y2) / curv, -0.9), 0.9) * h
    t = min(max(t, a), b)
    for _ in range(8):
        s, sd, sdd, e, n, de, dn, ae, an = _at2(site, st, k, h, t)
        if not (sdd < 0.0):
            break
        d = -sd / sdd
        if not (t + d >= a and t + d <= b):
            break
        if abs(d) <= (PEAK_STEP_S if s < ZENITH_SIN else PEAK_TOL_S):
            return t + d, s + 0.5 * sd * d, _azimuth(e, n, de, dn, ae, an, d)
        t += d
    return _peak(site, st, k, h, a, b)


@njit(inline="always", fastmath=FAST, error_model="numpy")
def _emit(out, flags, sites_out, count, k, cap, i_site, rise, az_r, at_start, cul, s_cul,
          az_c, set_, az_s, at_stop):  # fmt: skip
    """Store one pass of satellite ``k`` (in its slot) if there is room; count it."""
    c = count[k]
    if c < cap:
        o = out[k, c]
        o[RISE], o[CUL], o[SET] = rise, cul, set_
        o[MAX_EL] = math.degrees(math.asin(min(1.0, s_cul)))
        o[AZ_RISE], o[AZ_CUL], o[AZ_SET] = (math.degrees(az_r), math.degrees(az_c),
                                            math.degrees(az_s))  # fmt: skip
        flags[k, c] = (AT_START if at_start else 0) | (AT_STOP if at_stop else 0)
        sites_out[k, c] = i_site
    count[k] = c + 1


@njit(inline="always", fastmath=FAST, error_model="numpy")
def _finish(site, st, k, h, w1, level, rise, az_r, cul, s_cul, az_c, set_, az_s, i_site, out,
            flags, sites_out, count, cap):  # fmt: skip
    """Clip a refined pass to the window [h, w1] and store it (dropped when outside);
    ``s_cul``, ``az_c``: sine of the elevation and azimuth at ``cul``."""
    w0 = h
    if set_ <= w0 or rise >= w1:
        return
    at_start, at_stop = rise < w0, set_ > w1
    if at_start:
        rise = w0
        s, _, e, n = _at(site, st, k, h, rise)
        az_r = vmath.atan2(e, n)
        az_r += 2.0 * math.pi * (az_r < 0.0)
    if at_stop:
        set_ = w1
        s, _, e, n = _at(site, st, k, h, set_)
        az_s = vmath.atan2(e, n)
        az_s += 2.0 * math.pi * (az_s < 0.0)
    if cul < w0 or cul > w1:
        cul = min(max(cul, w0), w1)
        s_cul, _, e, n = _at(site, st, k, h, cul)
        az_c = vmath.atan2(e, n)
        az_c += 2.0 * math.pi * (az_c < 0.0)
    if s_cul < level:  # the part inside the window stays below: nothing to report
        return
    _emit(out, flags, sites_out, count, k, cap, i_site, rise, az_r, at_start, cul, s_cul,
          az_c, set_, az_s, at_stop)  # fmt: skip


@njit(inline="always", fastmath=FAST, error_model="numpy")
def _value(site, st, k, sv, ra, rb, j):
    """The sample ``j``: from the run's buffer when inside [ra, rb], else computed."""
    if ra <= j <= rb:
        return sv[j]
    return _sample(site, st, k, j)


@njit(cache=True, fastmath=FAST, error_model="numpy")
def _search_site(site, i_site, st, k, h, w1, level, hump_level, runs, n_runs, sv, out, flags,
                 sites_out, count, cap):  # fmt: skip
    """All passes of satellite ``k`` over one site, looking only at the runs of candidate
    steps ``runs[:n_runs]`` (first, last index)."""
    n_t = st.shape[1]
    last_end = -1
    for g in range(n_runs):
        ra, rb = runs[g, 0], runs[g, 1]
        for j in range(ra, rb + 1):
            sv[j] = _sample(site, st, k, j)
        i = ra
        while i <= rb:
            if sv[i] >= level:
                a = i
                if a <= last_end:
                    i = last_end + 1
                    continue
                if a == ra:  # the run starts up: look back beyond it
                    while a > 0 and _sample(site, st, k, a - 1) >= level:
                        a -= 1
                b = i
                while b + 1 < n_t and _value(site, st, k, sv, ra, rb, b + 1) >= level:
                    b += 1
                jm, best = a, -2.0
                for q in range(a, b + 1):
                    v = _value(site, st, k, sv, ra, rb, q)
                    if v > best:
                        jm, best = q, v
                lo, hi = max(jm - 1, 0), min(jm + 1, n_t - 1)
                cul, s_c, az_c = _culmination(
                    site, st, k, h, jm, _value(site, st, k, sv, ra, rb, lo), best,
                    _value(site, st, k, sv, ra, rb, hi), lo * h, hi * h,
                )  # fmt: skip
                if a == 0:
                    rise, az_r = 0.0, 0.0
                else:
                    fa = _value(site, st, k, sv, ra, rb, a - 1) - level
                    fb = _value(site, st, k, sv, ra, rb, a) - level
                    rise, az_r = _crossing(site, st, k, h, level, (a - 1) * h, a * h, fa, fb)
                if b == n_t - 1:
                    set_, az_s = b * h, 0.0
                else:
                    fa = _value(site, st, k, sv, ra, rb, b) - level
                    fb = _value(site, st, k, sv, ra, rb, b + 1) - level
                    set_, az_s = _crossing(site, st, k, h, level, b * h, (b + 1) * h, fa, fb)
                _finish(site, st, k, h, w1, level, rise, az_r, cul, s_c, az_c, set_, az_s,
                        i_site, out, flags, sites_out, count, cap)  # fmt: skip
                last_end = b
                i = b + 1
                continue
            if ra < i < rb and i > last_end + 1:
                y0, y1, y2 = sv[i - 1], sv[i], sv[i + 1]
                if y1 >= y0 and y1 > y2:  # a hump below the threshold: may peak above
                    curv = y0 - 2.0 * y1 + y2
                    peak = y1
                    if curv < 0.0:
                        peak = max(y1, y1 - (y2 - y0) * (y2 - y0) / (8.0 * curv))
                    if peak > hump_level:
                        cul, s_c, az_c = _culmination(
                            site, st, k, h, i, y0, y1, y2, (i - 1) * h, (i + 1) * h
                        )
                        if s_c >= level:
                            rise, az_r = _crossing(site, st, k, h, level, (i - 1) * h, cul,
                                                   y0 - level, s_c - level)  # fmt: skip
                            set_, az_s = _crossing(site, st, k, h, level, cul, (i + 1) * h,
                                                   s_c - level, y2 - level)  # fmt: skip
                            _finish(site, st, k, h, w1, level, rise, az_r, cul, s_c, az_c,
                                    set_, az_s, i_site, out, flags, sites_out, count,
                                    cap)  # fmt: skip
            i += 1


@njit(cache=True, fastmath=FAST, error_model="numpy")
def _geo_site(site, i_site, st, k, h, w1, level, margin_hi, margin_lo, out, flags,
              sites_out, count, cap):  # fmt: skip
    """Class a geostationary satellite over one site from its samples inside the
    window: 1 always visible (its one pass stored), -1 never, 0 undecided (search)."""
    j_last = min(int(w1 / h), st.shape[1] - 1)
    lo, hi, jm = 2.0, -2.0, 1
    for j in range(1, j_last + 1):
        v = _sample(site, st, k, j)
        if not v == v:
            return 0
        lo = min(lo, v)
        if v > hi:
            hi, jm = v, j
    if hi <= margin_lo:
        return -1
    if lo < margin_hi:
        return 0
    cul, s_c, az_c = _peak(site, st, k, h, max(jm - 1, 1) * h, min((jm + 1) * h, w1))
    _finish(site, st, k, h, w1, level, -1.0, 0.0, cul, s_c, az_c, w1 + 1.0, 0.0, i_site, out,
            flags, sites_out, count, cap)  # fmt: skip
    return 1


@njit(cache=True, parallel=True, nogil=True, fastmath=FAST, error_model="numpy")
def search(st, h, w1, min_el_rad, site_rows, bucket_start, bucket_sites, bucket_centre,
           bucket_radius, region_centre, region_radius, geo, prune, cap, out, flags,
           sites_out, count):  # fmt: skip
    """Passes of each satellite of a block over each site.

    ``st`` (sat, time, 6): ITRF position (km) and velocity (km/s) at times ``j * h`` s;
    the window is [h, w1] s. ``site_rows`` (site, 12) (:func:`sahelsat.frames.site_frames`);
    sites grouped in buckets: bucket b holds ``bucket_sites[bucket_start[b]:
    bucket_start[b + 1]]``, inside the cap ``bucket_centre[b]`` (3,) unit vector,
    ``bucket_radius[b]`` radians; ``region_*``: the cap of all sites. ``geo`` (sat,)
    bool: classed always/never visible where the samples allow; ``prune``: False looks
    at every step (for checks). Writes per satellite ``k`` up to ``cap`` passes:
    ``out[k, :, :N_OUT]`` (times in s, elevation and azimuths in degrees), ``flags``
    (AT_START | AT_STOP), ``sites_out`` (site index), and ``count[k]`` (all found,
    possibly more than ``cap``).
    """
    n_sat, n_t = st.shape[0], st.shape[1]
    n_bucket = bucket_start.shape[0] - 1
    level = math.sin(min_el_rad)
    hump_level = math.sin(max(min_el_rad - math.radians(PEAK_MARGIN_DEG), -0.5 * math.pi))
    margin_hi = math.sin(min(min_el_rad + math.radians(GEO_MARGIN_DEG), 0.5 * math.pi))
    margin_lo = math.sin(min_el_rad - math.radians(GEO_MARGIN_DEG))
    for k in prange(n_sat):
        count[k] = 0
        rn = np.empty(n_t)
        near = np.empty(n_t, np.bool_)
        test = np.empty(n_t, np.bool_)
        runs = np.empty((n_t // 2 + 2, 2), np.int64)
        sv = np.empty(n_t)
        undecided = np.ones(site_rows.shape[0], np.bool_)
        if geo[k]:
            for s in range(site_rows.shape[0]):
                cls = _geo_site(site_rows[s], s, st, k, h, w1, level, margin_hi, margin_lo,
                                out, flags, sites_out, count, cap)  # fmt: skip
                undecided[s] = cls == 0
        r_max, w_max = 0.0, 0.0
        for j in range(n_t):
            x, y, z = st[k, j, 0], st[k, j, 1], st[k, j, 2]
            r = math.sqrt(x * x + y * y + z * z)
            rn[j] = r
            v = math.sqrt(st[k, j, 3] ** 2 + st[k, j, 4] ** 2 + st[k, j, 5] ** 2)
            if r > r_max:
                r_max = r
            if v / r > w_max:
                w_max = v / r
        reach = geometry.cap_elevation(r_max, min_el_rad) + w_max * h * 1.05
        use_prune = prune and not geo[k]
        if use_prune:
            cos_region = math.cos(min(math.pi, region_radius + reach))
            for j in range(n_t):
                d = (st[k, j, 0] * region_centre[0] + st[k, j, 1] * region_centre[1]
                     + st[k, j, 2] * region_centre[2])  # fmt: skip
                near[j] = d >= cos_region * rn[j]
        for b in range(n_bucket):
            if use_prune:
                cb = bucket_centre[b]
                cos_b = math.cos(min(math.pi, bucket_radius[b] + reach))
                any_step = False
                for j in range(n_t):
                    t_ok = False
                    if near[j]:
                        d = st[k, j, 0] * cb[0] + st[k, j, 1] * cb[1] + st[k, j, 2] * cb[2]
                        t_ok = d >= cos_b * rn[j]
                    test[j] = t_ok
                    any_step = any_step or t_ok
                if not any_step:
                    continue
                n_runs = 0
                j = 0
                while j < n_t:  # runs of steps within one step of a passing one
                    if test[j] or (j > 0 and test[j - 1]) or (j + 1 < n_t and test[j + 1]):
                        runs[n_runs, 0] = j
                        while j + 1 < n_t and (
                            test[j + 1] or test[j] or (j + 2 < n_t and test[j + 2])
                        ):
                            j += 1
                        runs[n_runs, 1] = j
                        n_runs += 1
                    j += 1
            else:
                runs[0, 0], runs[0, 1] = 0, n_t - 1
                n_runs = 1
            for q in range(bucket_start[b], bucket_start[b + 1]):
                s = bucket_sites[q]
                if undecided[s]:
                    _search_site(site_rows[s], s, st, k, h, w1, level, hump_level, runs, n_runs,
                                 sv, out, flags, sites_out, count, cap)  # fmt: skip


@njit(cache=True, nogil=True)
def compact_rise(out, flags, count, cap, base_ns, ns_per_s, t0_ns, t1_ns):
    """Rise times (int64 ns: ``base_ns`` plus the time in s, rounded, clipped to
    [t0_ns, t1_ns], ``t0_ns`` for passes in progress at the start) of the passes stored
    by :func:`search` for the satellites that did not overflow (``count <= cap``), in
    slot order, and the slot of each (``k * cap + c``)."""
    n = 0
    for k in range(count.shape[0]):
        if count[k] <= cap:
            n += count[k]
    rise = np.empty(n, np.int64)
    src = np.empty(n, np.int64)
    i = 0
    for k in range(count.shape[0]):
        if count[k] <= cap:
            for c in range(count[k]):
                v = base_ns + np.int64(np.rint(out[k, c, RISE] * ns_per_s))
                if flags[k, c] & AT_START:
                    v = t0_ns
                rise[i] = min(max(v, t0_ns), t1_ns)
                src[i] = k * cap + c
                i += 1
    return rise, src


@njit(cache=True, nogil=True)
def compact(out, flags, sites_out, cap, sats, base_ns, ns_per_s, t0_ns, t1_ns, rise, src,
            order):  # fmt: skip
    """The passes of :func:`compact_rise` taken in ``order`` (pass,) as flat arrays:
    fleet index (``sats[k]``), site index, rise, culmination and set (int64 ns, as
    the rise; the set ``t1_ns`` for passes in progress at the stop), maximum elevation
    and azimuths (degrees), in progress at start / at stop."""
    n = order.shape[0]
    sat = np.empty(n, np.int64)
    site = np.empty(n, np.int64)
    times = np.empty((3, n), np.int64)
    values = np.empty((4, n))
    edge = np.empty((2, n), np.bool_)
    for i in range(n):
        o = order[i]
        k, c = src[o] // cap, src[o] % cap
        f = flags[k, c]
        sat[i], site[i] = sats[k], sites_out[k, c]
        times[0, i] = rise[o]
        v = base_ns + np.int64(np.rint(out[k, c, CUL] * ns_per_s))
        times[1, i] = min(max(v, t0_ns), t1_ns)
        v = t1_ns if f & AT_STOP else base_ns + np.int64(np.rint(out[k, c, SET] * ns_per_s))
        times[2, i] = min(max(v, t0_ns), t1_ns)
        values[0, i] = out[k, c, MAX_EL]
        values[1, i] = out[k, c, AZ_RISE]
        values[2, i] = out[k, c, AZ_CUL]
        values[3, i] = out[k, c, AZ_SET]
        edge[0, i], edge[1, i] = (f & AT_START) != 0, (f & AT_STOP) != 0
    return sat, site, times, values, edge
