"""Imaging opportunities: when, from which satellite, with which beam and how much of each area.

For every satellite of a fleet and every request, :func:`find_opportunities` finds each
pass of the satellite abeam of the area (the closest approach to its centroid), then
traces each usable beam of the satellite's :class:`~sahelsat.sensors.Sensor` along the
propagated track: the swath edges are lines of sight meeting the WGS-84 ellipsoid at the
beam's incidence or off-nadir angles (:mod:`sahelsat.swath`), instant by instant, so the
strip is fixed to the track with its real curvature. The area's covered fraction
(geodesic areas), the incidence range over the covered part and at the centroid, the look
side and the Sun's elevation are reported; an area only partly inside a swath, even one
whose centroid lies outside it, gets its partial opportunity.

Satellites the caller operates (``ours``) give *candidates* the planner may choose (every
beam of a beam-switching radar, the strip of a rolling imager pointed at the area);
satellites it does not operate give *forecasts* of their systematic acquisitions (the
mission's systematic beam; optical missions by day), with the time their data should
reach the public archive. A request's off-nadir limit, when it sets one, cuts the swath
at that angle and is reported; otherwise the instrument's own geometry is the limit.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from shapely.geometry import Polygon

from sahelsat import frames, swath, timescale
from sahelsat.core import geometry
from sahelsat.core.constants import MEAN_EARTH_RADIUS_KM
from sahelsat.frames import off_nadir_deg  # noqa: F401  (the one definition)
from sahelsat.sensors import (  # noqa: F401  (re-exported: the earlier home of these names)
    AGILE_OPTICAL,
    DAYLIGHT_DEG,
    LANDSAT,
    SENSORS_BY_NAME,
    SENTINEL_1,
    SENTINEL_2,
    Beam,
    Sensor,
    sensor_for,
)
from sahelsat.sun import sun_elevation
from sahelsat.tasking.requests import GEOD, ImagingRequest, geodesic_area_km2

OPPORTUNITY_OUTPUT_COLUMNS = [
    "opportunity", "request", "satellite", "sensor", "start", "end", "closest_approach",
    "look_angle_deg", "off_nadir_deg", "sun_elevation_deg", "coverage", "value",
    "volume_gbit", "energy_wh", "status", "beam", "look_side", "incidence_deg",
    "incidence_min_deg", "incidence_max_deg", "max_off_nadir_deg", "limited_by",
    "data_available", "strip",
]  # fmt: skip
#: ``status`` of an opportunity: one of ours the planner may take, or the forecast of a
#: systematic acquisition by a satellite we do not operate.
CANDIDATE, FORECAST = "candidate", "forecast"
#: Sampling of the track while tracing a strip, seconds (about 14 km of ground track).
TRACE_STEP_S = 2.0
#: Below this fraction an area is not touched by a strip.
MIN_COVERAGE = 1e-4
#: Margin of the first sieve of passes (km): the sphere and the nearest sample (10 s of
#: track, 70 km) against the ellipsoid and the exact abeam instant.
SIEVE_MARGIN_KM = 120.0


def r_extent_km(r: ImagingRequest) -> float:
    """Largest geodesic distance from the request's centroid to its outline, km."""
    lon_c, lat_c = r.centroid
    coords = np.concatenate(
        [np.asarray(p.exterior.coords) for p in getattr(r.aoi, "geoms", [r.aoi])]
    )
    _, _, dist = GEOD.inv(
        np.full(len(coords), lon_c), np.full(len(coords), lat_c), coords[:, 0], coords[:, 1]
    )
    return float(dist.max()) / 1000.0


def _hermite(t, t0, t1, p0, p1, v0, v1):
    """Cubic Hermite interpolation of positions (..., 3) between samples at t0 and t1."""
    h = (t1 - t0)[..., None]
    s = ((t - t0) / (t1 - t0))[..., None]
    h00, h10 = 2 * s**3 - 3 * s**2 + 1, s**3 - 2 * s**2 + s
    h01, h11 = -2 * s**3 + 3 * s**2, s**3 - s**2
    return h00 * p0 + h10 * h * v0 + h01 * p1 + h11 * h * v1


def _states_at(t, ts, pos, vel):
    """Position and velocity (k, 3) of one satellite at seconds ``t`` (k,), interpolated
    between its samples ``pos``/``vel`` (time, 3) at seconds ``ts`` (uniform grid)."""
    t = np.clip(np.asarray(t, dtype=float), ts[0], ts[-1])
    a = np.clip(np.searchsorted(ts, t, side="right") - 1, 0, len(ts) - 2)
    b = a + 1
    p = _hermite(t, ts[a], ts[b], pos[a], pos[b], vel[a], vel[b])
    f = ((t - ts[a]) / (ts[b] - ts[a]))[:, None]
    return p, vel[a] + f * (vel[b] - vel[a])


def strip_polygon(lon, lat, offset_km: float, swath_km: float) -> Polygon:
    """A flat-Earth strip along a track (kept for callers of earlier versions): ``lon``,
    ``lat`` (k,) sub-satellite points in time order; centre ``offset_km`` to the right
    (negative: left), ``swath_km`` wide, edges as geodesic offsets across the track.
    Opportunities use :func:`trace_strip`, which follows lines of sight instead."""
    lon, lat = np.asarray(lon, float), np.asarray(lat, float)
    az, _, _ = GEOD.inv(lon[:-1], lat[:-1], lon[1:], lat[1:])
    az = np.r_[az, az[-1]]
    edges = []
    for d in (offset_km - swath_km / 2, offset_km + swath_km / 2):
        direction = np.where(d >= 0, az + 90.0, az - 90.0)
        elon, elat, _ = GEOD.fwd(lon, lat, direction, np.full(lon.size, abs(d) * 1000.0))
        edges.append(np.c_[elon, elat])
    ring = np.r_[edges[0], edges[1][::-1]]
    return Polygon(ring).buffer(0)


def beam_edges(beam: Beam, p, down, right, roll_deg: float = 0.0):
    """Signed off-nadir angles (degrees, each (k,)) of the left and right edges of
    ``beam`` for satellites at ``p`` with axes ``down``/``right`` (k, 3); a centred beam
    is rolled by ``roll_deg``."""
    if beam.width_km is not None:
        half = swath.half_angle_for_width(p, down, beam.width_km)
        return roll_deg - half, roll_deg + half
    if beam.side == "centre":
        lo, hi = -beam.far_deg, beam.far_deg
    else:
        lo, hi = sorted((beam.sign * beam.near_deg, beam.sign * beam.far_deg))
    return (
        roll_deg + swath.edge_off_nadir(p, down, right, beam.angle, np.full(len(p), lo)),
        roll_deg + swath.edge_off_nadir(p, down, right, beam.angle, np.full(len(p), hi)),
    )


def trace_strip(p, down, right, eta_lo, eta_hi) -> Polygon | None:
    """The strip between signed off-nadir edges ``eta_lo`` < ``eta_hi`` (k,) seen from
    track samples ``p`` (k, 3) in time order, as a lon/lat polygon (None when fewer than
    two samples have a swath)."""
    ok = eta_hi > eta_lo
    if ok.sum() < 2:
        return None
    edges = []
    for eta in (eta_lo[ok], eta_hi[ok]):
        g = swath.ground_point(p[ok], down[ok], right[ok], eta)
        lat, lon, _ = frames.itrf_to_geodetic(g)
        edges.append(np.c_[lon, lat])
    ring = np.r_[edges[0], edges[1][::-1]]
    if not np.isfinite(ring).all():
        return None
    poly = Polygon(ring)
    return poly if poly.is_valid else poly.buffer(0)


def _abeam(points_km, p, v, t):
    """For ground points (m, 3), the track time (s) at which each is abeam (its line of
    sight across the track, ``(g - p) . v = 0``) and the satellite position then (m, 3),
    from track samples ``p``, ``v`` (k, 3) at seconds ``t`` (k,)."""
    f = np.einsum("mkc,kc->mk", points_km[:, None, :] - p[None], v)
    k = np.argmax((f[:, :-1] > 0) & (f[:, 1:] <= 0), axis=1)  # ahead, then behind
    crossed = (f[np.arange(len(f)), k] > 0) & (f[np.arange(len(f)), k + 1] <= 0)
    k = np.where(crossed, k, np.clip(np.argmin(np.abs(f), axis=1), 0, len(t) - 2))
    f0, f1 = f[np.arange(len(f)), k], f[np.arange(len(f)), k + 1]
    w = np.clip(np.where(f0 != f1, f0 / (f0 - f1), 0.0), 0.0, 1.0)
    return t[k] + w * (t[k + 1] - t[k]), p[k] + w[:, None] * (p[k + 1] - p[k])


def _roles(fleet, sensors, default_sensor, ours):
    """Per satellite: its sensor and role (candidate, forecast, or None: neither ours nor
    acquiring systematically, so nothing can be said)."""
    out = []
    for name in fleet.names:
        name = str(name)
        sensor = (sensors or {}).get(name) or sensor_for(name, default_sensor)
        mine = (not sensor.systematic) if ours is None else name in ours
        role = CANDIDATE if mine else (FORECAST if sensor.systematic else None)
        out.append((name, sensor, role))
    return out


def find_opportunities(
    fleet,
    requests: list[ImagingRequest],
    start=None,
    stop=None,
    *,
    step_s: float = 10.0,
    sensors: dict[str, Sensor] | None = None,
    default_sensor: Sensor = AGILE_OPTICAL,
    ours=None,
) -> pd.DataFrame:
    """Every imaging opportunity of each request by each satellite of ``fleet``.

    ``start``/``stop``: UTC search span (default: the union of the request windows).
    ``step_s``: propagation step; tracks are interpolated between samples (cubic Hermite).
    ``sensors``: satellite name -> :class:`~sahelsat.sensors.Sensor` overrides (else
    :func:`~sahelsat.sensors.sensor_for`, ``default_sensor`` for unknown names).
    ``ours``: names of the satellites we operate (their opportunities are ``candidate``
    rows); the others are forecast when their sensor acquires systematically, else left
    out. Default (None): ours are the satellites whose sensor has no systematic scenario.

    Returns a table (``OPPORTUNITY_OUTPUT_COLUMNS``) sorted by start, one row per pass and
    beam that covers part of an area: ``coverage`` (fraction of the area inside the
    swath), ``closest_approach`` (the centroid abeam), ``off_nadir_deg`` (to the centroid
    then), ``look_angle_deg`` (signed boresight off-nadir, positive right),
    ``look_side`` (right, left or nadir), ``incidence_deg`` (at the centroid),
    ``incidence_min_deg``/``incidence_max_deg`` (over the covered part),
    ``sun_elevation_deg`` (at the centroid), ``max_off_nadir_deg`` (the request's limit,
    NaN when it set none) and ``limited_by`` (``request`` when that limit cut the swath,
    else ``instrument``), ``status`` (candidate or forecast), ``data_available`` (forecast:
    end plus the mission's archive latency), ``value = round(100 * priority *
    coverage)``, ``volume_gbit``/``energy_wh`` over the acquisition (twice plus 30 s for
    stereo), ``strip`` (the swath over the area's pass, lon/lat polygon). Optical
    opportunities need the Sun at least ``min_sun_elevation_deg`` (default
    :data:`~sahelsat.sensors.DAYLIGHT_DEG`) above the centroid; optical forecasts are by
    day. Satellites whose orbit fails (NaN positions) find no opportunity.
    """
    if not requests:
        return empty_opportunities()
    ids = [r.id for r in requests]
    if len(set(ids)) < len(ids):
        raise ValueError(
            f"request ids must be unique; repeated: {sorted({i for i in ids if ids.count(i) > 1})}"
        )
    t0 = timescale.as_utc(start if start is not None else min(r.start for r in requests))[0]
    t1 = timescale.as_utc(stop if stop is not None else max(r.end for r in requests))[0]
    if t1 <= t0:
        raise ValueError(f"the search span is empty: stop {t1} is not after start {t0}")
    margin = np.timedelta64(300, "s")  # strips of areas abeam near the ends need track beyond
    times = timescale.time_range(t0 - margin, t1 + margin, step_s)
    roles = _roles(fleet, sensors, default_sensor, ours)
    use = [i for i, (_, _, role) in enumerate(roles) if role is not None]
    rows = []
    if use:
        prop = fleet[use].propagate(times, frame="itrf")
        pos, vel = prop.position, prop.velocity  # (sat, time, 3)
        ts = (times - times[0]) / np.timedelta64(1, "s")
        for r in requests:
            rows += _request_rows(r, [roles[i] for i in use], pos, vel, ts, times, t0, t1)
    if not rows:
        return empty_opportunities()
    out = pd.DataFrame(rows, columns=OPPORTUNITY_OUTPUT_COLUMNS)
    out = out.sort_values(["start", "satellite", "beam"]).reset_index(drop=True)
    out["opportunity"] = [
        f"{q}@{s}#{i}"
        for i, (q, s) in enumerate(zip(out["request"], out["satellite"], strict=True))
    ]
    return out


def empty_opportunities() -> pd.DataFrame:
    """An opportunity table with no row, its columns typed as a full one's."""
    out = pd.DataFrame({c: pd.Series(dtype=object) for c in OPPORTUNITY_OUTPUT_COLUMNS})
    for c in ("start", "end", "closest_approach", "data_available"):
        out[c] = pd.Series(dtype="datetime64[ns]")
    for c in ("look_angle_deg", "off_nadir_deg", "sun_elevation_deg", "coverage",
              "volume_gbit", "energy_wh", "incidence_deg", "incidence_min_deg",
              "incidence_max_deg", "max_off_nadir_deg"):  # fmt: skip
        out[c] = pd.Series(dtype=float)
    out["value"] = pd.Series(dtype=np.int64)
    return out


def _request_rows(r, roles, pos, vel, ts, times, t0, t1) -> list:
    lon_c, lat_c = r.centroid
    target = frames.geodetic_to_itrf(lat_c, lon_c, 0.0)
    rel = pos - target
    rng = np.linalg.norm(rel, axis=-1)  # (sat, time) km
    up = target / np.linalg.norm(target)
    above = np.einsum("stk,k->st", rel, up) > 0  # the satellite above the centroid's horizon
    interior = (rng[:, 1:-1] <= rng[:, :-2]) & (rng[:, 1:-1] < rng[:, 2:])
    s_idx, k_idx = np.nonzero(interior & above[:, 1:-1])
    extent = r_extent_km(r)
    # a coarse first sieve on a sphere: the centroid's distance from the track at the
    # nearest sample against the farthest reach of the satellite's sensor
    p_near = pos[s_idx, k_idx + 1]
    r_sat = np.linalg.norm(p_near, axis=-1)
    cos_arc = p_near @ target / (r_sat * np.linalg.norm(target))
    arc_km = np.arccos(np.clip(cos_arc, -1.0, 1.0)) * np.linalg.norm(target)
    reach = np.array(
        [_reach_km(roles[s][1], roles[s][2], r_s) for s, r_s in zip(s_idx, r_sat, strict=True)]
    )
    keep = arc_km <= reach.reshape(-1) + extent + SIEVE_MARGIN_KM
    s_idx, k_idx = s_idx[keep], k_idx[keep]
    area = geodesic_area_km2(r.aoi)
    rows = []
    for s, k in zip(s_idx.tolist(), (k_idx + 1).tolist(), strict=True):
        name, sensor, role = roles[s]
        if r.sensor != "any" and r.sensor != sensor.kind:
            continue
        if r.mode == "stereo" and not sensor.stereo:
            continue
        # the centroid abeam: the minimum of range, refined by a parabola through 3 samples
        y0, y1, y2 = rng[s, k - 1], rng[s, k], rng[s, k + 1]
        den = y0 - 2 * y1 + y2
        frac = float(np.clip(0.5 * (y0 - y2) / den if den > 0 else 0.0, -1.0, 1.0))
        t_ca = ts[k] + frac * (ts[k + 1] - ts[k])
        t_abs = times[0] + np.timedelta64(int(round(t_ca * 1e9)), "ns")
        if not (max(r.start, t0) <= t_abs <= min(r.end, t1)):
            continue
        rows += _pass_rows(r, name, sensor, role, pos[s], vel[s], ts, times, t_ca, t_abs,
                           target, extent, area)  # fmt: skip
    return rows


def _reach_km(sensor: Sensor, role: str, r_km: float) -> float:
    """Farthest ground distance (km) from the track that ``sensor`` images from radius
    ``r_km`` (a sphere of the mean Earth radius; a sieve, not the geometry)."""
    big_r = MEAN_EARTH_RADIUS_KM
    far = 0.0
    for beam in _beams(sensor, role):
        if beam.width_km is not None:
            lam = 0.5 * beam.width_km / big_r
            eta = geometry.sphere_off_nadir(lam, big_r, r_km)
        elif beam.angle == "incidence":
            eta = geometry.sphere_off_nadir_of_incidence(np.radians(beam.far_deg), big_r, r_km)
        else:
            eta = np.radians(beam.far_deg)
        if sensor.pointing == "roll" and role == CANDIDATE:
            eta = eta + np.radians(sensor.max_roll_deg)
        far = max(far, big_r * float(geometry.sphere_ground_angle(eta, big_r, r_km)))
    return far


def _beams(sensor: Sensor, role: str) -> list[Beam]:
    if role == FORECAST:
        return [sensor.beam(sensor.systematic_beam)]
    return list(sensor.beams)


def _pass_rows(r, name, sensor, role, pos, vel, ts, times, t_ca, t_abs, target, extent, area):
    p_ca, v_ca = _states_at([t_ca], ts, pos, vel)
    if not np.isfinite(p_ca).all():
        return []
    down_ca, right_ca = swath.track_axes(p_ca, v_ca)
    eta_c = float(swath.off_nadir_deg(p_ca[0], target))
    side_c = 1.0 if np.dot(target - p_ca[0], right_ca[0]) > 0 else -1.0
    cross_c = _cross_km(p_ca, down_ca, target) * side_c  # signed ground distance, km
    limit = r.max_off_nadir_deg
    sun = None
    rows = []
    for beam in _beams(sensor, role):
        roll = 0.0
        if sensor.pointing == "roll" and role == CANDIDATE:
            reach = sensor.max_roll_deg if limit is None else min(sensor.max_roll_deg, limit)
            roll = float(np.clip(side_c * eta_c, -reach, reach))
        lo, hi = beam_edges(beam, p_ca, down_ca, right_ca, roll)
        near_km = _cross_km(p_ca, down_ca, swath.ground_point(p_ca, down_ca, right_ca, lo))
        far_km = _cross_km(p_ca, down_ca, swath.ground_point(p_ca, down_ca, right_ca, hi))
        a, b = np.sign(lo[0]) * near_km[0], np.sign(hi[0]) * far_km[0]
        if not (a - extent - 5.0 <= cross_c <= b + extent + 5.0):
            continue  # the area lies wholly outside this swath
        if sun is None:
            lon_c, lat_c = r.centroid
            sun = float(sun_elevation(lat_c, lon_c, np.array([t_abs]))[0, 0])
        if sensor.kind == "optical":
            need = DAYLIGHT_DEG if r.min_sun_elevation_deg is None else r.min_sun_elevation_deg
            if role == FORECAST:  # the optical missions image by day
                need = max(need, DAYLIGHT_DEG)
            if sun < need:
                return []
        row = _strip_row(r, name, sensor, role, beam, roll, pos, vel, ts, times, t_ca, t_abs,
                         target, extent, area, eta_c, side_c, sun, limit)  # fmt: skip
        if row is not None:
            rows.append(row)
    return rows


def _cross_km(p, down, g) -> np.ndarray:
    """Ground distance (km, (k,)) from the sub-satellite points of ``p`` to points ``g``."""
    sub = swath.ground_point(p, down, down, 0.0)
    lat0, lon0, _ = frames.itrf_to_geodetic(sub)
    lat1, lon1, _ = frames.itrf_to_geodetic(np.broadcast_to(g, np.shape(sub)))
    _, _, d = GEOD.inv(lon0, lat0, lon1, lat1)
    return np.asarray(d) / 1000.0


def _strip_row(r, name, sensor, role, beam, roll, pos, vel, ts, times, t_ca, t_abs, target,
               extent, area, eta_c, side_c, sun, limit):  # fmt: skip
    half_s = extent / 6.0 + 20.0  # ground speed of low orbits is below 7 km/s
    n = max(int(np.ceil(2 * half_s / TRACE_STEP_S)), 8)
    t = t_ca + np.linspace(-half_s, half_s, n + 1)
    p, v = _states_at(t, ts, pos, vel)
    if not np.isfinite(p).all():
        return None
    down, right = swath.track_axes(p, v)
    lo, hi = beam_edges(beam, p, down, right, roll)
    limited_by = "instrument"
    if limit is not None:
        clipped_lo, clipped_hi = np.maximum(lo, -limit), np.minimum(hi, limit)
        if np.any(clipped_lo > lo + 1e-9) or np.any(clipped_hi < hi - 1e-9):
            limited_by = "request"
        lo, hi = clipped_lo, clipped_hi
    strip = trace_strip(p, down, right, lo, hi)
    if strip is None or strip.is_empty:
        return None
    inter = strip.intersection(r.aoi)
    coverage = 0.0 if inter.is_empty else min(geodesic_area_km2(inter) / area, 1.0)
    if coverage < MIN_COVERAGE:
        return None
    # incidence and timing over the covered part (its vertices) and at the centroid
    verts = np.concatenate(
        [
            np.asarray(q.exterior.coords)
            for q in getattr(inter, "geoms", [inter])
            if q.geom_type == "Polygon"
        ]  # fmt: skip
    )
    g = frames.geodetic_to_itrf(verts[:, 1], verts[:, 0], np.zeros(len(verts)))
    t_v, p_v = _abeam(np.vstack([g, target[None]]), p, v, t)
    inc = swath.incidence_deg(p_v, np.vstack([g, target[None]]))
    t_start, t_end = float(t_v[:-1].min()), float(t_v[:-1].max())
    t_end = max(t_end, t_start + 1.0)
    duration = t_end - t_start
    if r.mode == "stereo":
        duration = 2 * duration + 30.0
        mid = 0.5 * (t_start + t_end)
        t_start, t_end = mid - duration / 2, mid + duration / 2
    start = times[0] + np.timedelta64(int(round(t_start * 1e9)), "ns")
    end = times[0] + np.timedelta64(int(round(t_end * 1e9)), "ns")
    mid_k = len(t) // 2
    look = float(0.5 * (lo[mid_k] + hi[mid_k]))
    side = "nadir" if lo[mid_k] < 0 < hi[mid_k] else ("right" if look > 0 else "left")
    available = pd.NaT
    if role == FORECAST and sensor.archive_latency_h is not None:
        available = end + np.timedelta64(int(round(sensor.archive_latency_h * 3600)), "s")
    return [
        "", r.id, name, sensor.kind, start, end, t_abs, round(look, 3), round(eta_c, 3),
        round(sun, 2), round(coverage, 4), int(round(100 * r.priority * coverage)),
        sensor.data_rate_mbps * duration / 1000.0, sensor.power_w * duration / 3600.0,
        role, beam.name, side, round(float(inc[-1]), 2), round(float(inc[:-1].min()), 2),
        round(float(inc[:-1].max()), 2), np.nan if limit is None else float(limit),
        limited_by, available, strip,
    ]  # fmt: skip
