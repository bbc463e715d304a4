"""Imaging opportunities: when, from which satellite and how well each request can be seen.

For every satellite of a fleet and every request, :func:`find_opportunities` finds each
closest approach of the satellite to the area's centroid in the window, then the strip
the sensor would image there: its off-nadir angle (the angle at the satellite between the
ellipsoid's nadir and the line of sight to the target), the side of the track, the Sun's
elevation at the target, the strip on the ground (the track offset sideways by geodesic
steps on WGS-84) and the fraction of the area it covers (geodesic areas). The result is an
opportunity table the scheduler takes as it is.

Sensors are described by :class:`Sensor` (fixed swath or steerable strip); real
satellites are matched by name in :data:`SENSORS_BY_NAME`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import numpy as np
import pandas as pd
from shapely.geometry import Polygon

from sahelsat import frames, timescale
from sahelsat.frames import off_nadir_deg  # noqa: F401  (the one definition)
from sahelsat.sun import sun_elevation
from sahelsat.tasking.requests import GEOD, ImagingRequest, geodesic_area_km2


@dataclass(frozen=True)
class Sensor:
    """An imaging instrument, as far as planning needs it.

    ``kind``: optical or sar. ``swath_km``: strip width. ``steerable``: the strip can be
    pointed anywhere with ``min_off_nadir_deg <= off-nadir <= max_off_nadir_deg`` (else it
    is centred on the ground track). ``side``: both, or right (right-looking SAR).
    ``data_rate_mbps``: recorded data rate while imaging; ``power_w``: extra power drawn;
    ``stereo``: can take a fore/aft pair on one pass.
    """

    kind: str
    swath_km: float
    steerable: bool
    min_off_nadir_deg: float
    max_off_nadir_deg: float
    side: str = "both"
    data_rate_mbps: float = 500.0
    power_w: float = 300.0
    stereo: bool = False


# Published instrument figures: Sentinel-1 C-SAR IW mode, 250 km swath, incidence
# 29.1-46.0 deg (ESA Sentinel-1 User Handbook), right-looking, i.e. off-nadir about
# 26-40 deg from a 693 km orbit; Sentinel-2 MSI, 290 km swath, nadir (ESA Sentinel-2 User
# Handbook); Landsat 8/9 OLI, 185 km swath, nadir (USGS Landsat 8 Data Users Handbook).
# Data rates and powers are planning assumptions of this project, not published values.
SENTINEL_1 = Sensor("sar", 250.0, True, 25.9, 40.4, "right", 600.0, 1500.0)
SENTINEL_2 = Sensor("optical", 290.0, False, 0.0, 10.3, "both", 490.0, 270.0)
LANDSAT = Sensor("optical", 185.0, False, 0.0, 7.5, "both", 380.0, 300.0)
#: A small agile optical satellite of the kind the project designs (assumed figures).
AGILE_OPTICAL = Sensor("optical", 20.0, True, 0.0, 30.0, "both", 450.0, 120.0, stereo=True)

#: Sun elevation (degrees) below which an optical image is useless, when a request sets none.
DAYLIGHT_DEG = 5.0

SENSORS_BY_NAME = [
    (re.compile(r"^SENTINEL-1", re.I), SENTINEL_1),
    (re.compile(r"^SENTINEL-2", re.I), SENTINEL_2),
    (re.compile(r"^LANDSAT", re.I), LANDSAT),
]

OPPORTUNITY_OUTPUT_COLUMNS = [
    "opportunity", "request", "satellite", "sensor", "start", "end", "closest_approach",
    "look_angle_deg", "off_nadir_deg", "sun_elevation_deg", "coverage", "value",
    "volume_gbit", "energy_wh", "strip",
]  # fmt: skip


def sensor_for(name: str, default: Sensor = AGILE_OPTICAL) -> Sensor:
    """The sensor of a satellite by its name (``default`` for unknown names)."""
    for pattern, sensor in SENSORS_BY_NAME:
        if pattern.search(name):
            return sensor
    return default


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


def strip_polygon(lon, lat, offset_km: float, swath_km: float) -> Polygon:
    """Ground strip along a track: ``lon``, ``lat`` (k,) sub-satellite points in time order;
    the strip's centre lies ``offset_km`` to the right of the track (negative: left) and
    it is ``swath_km`` wide. Edges are geodesic offsets perpendicular to the track."""
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


def find_opportunities(
    fleet,
    requests: list[ImagingRequest],
    start=None,
    stop=None,
    *,
    step_s: float = 10.0,
    sensors: dict[str, Sensor] | None = None,
    default_sensor: Sensor = AGILE_OPTICAL,
) -> pd.DataFrame:
    """Every imaging opportunity of each request by each satellite of ``fleet``.

    ``start``/``stop``: UTC search span (default: the union of the request windows).
    ``step_s``: propagation step; closest approaches are refined between samples by cubic
    Hermite interpolation. ``sensors``: satellite name -> :class:`Sensor` overrides (else
    :func:`sensor_for`).
    Returns a table (``OPPORTUNITY_OUTPUT_COLUMNS``) sorted by start: ``look_angle_deg``
    is the signed off-nadir angle (positive to the right of the track), ``coverage`` the
    fraction of the area inside the strip, ``value = round(100 * priority * coverage)``,
    ``volume_gbit``/``energy_wh`` from the sensor's data rate and power over the
    acquisition (twice, plus 30 s, for stereo). Optical opportunities need the Sun at
    least ``min_sun_elevation_deg`` (default :data:`DAYLIGHT_DEG`) above the target.
    Satellites whose orbit fails (NaN positions) find no opportunity.
    """
    if not requests:
        return pd.DataFrame(columns=OPPORTUNITY_OUTPUT_COLUMNS)
    ids = [r.id for r in requests]
    if len(set(ids)) < len(ids):
        raise ValueError(
            f"request ids must be unique; repeated: {sorted({i for i in ids if ids.count(i) > 1})}"
        )
    t0 = timescale.as_utc(start if start is not None else min(r.start for r in requests))[0]
    t1 = timescale.as_utc(stop if stop is not None else max(r.end for r in requests))[0]
    times = timescale.time_range(t0, t1, step_s)
    if times.size < 3:
        raise ValueError("the search span must cover at least three steps")
    prop = fleet.propagate(times, frame="itrf")
    pos, vel = prop.position, prop.velocity  # (sat, time, 3)
    ts = (times - times[0]) / np.timedelta64(1, "s")
    rows = []
    for r in requests:
        lon_c, lat_c = r.centroid
        target = frames.geodetic_to_itrf(lat_c, lon_c, 0.0)
        rel = pos - target
        rng = np.linalg.norm(rel, axis=-1)  # (sat, time) km
        # visible (target sees the satellite above its horizon) local minima of range
        up = target / np.linalg.norm(target)
        above = np.einsum("stk,k->st", rel, -up) < 0
        interior = (rng[:, 1:-1] <= rng[:, :-2]) & (rng[:, 1:-1] < rng[:, 2:])
        s_idx, k_idx = np.nonzero(interior & above[:, 1:-1])
        k_idx = k_idx + 1
        for s, k in zip(s_idx.tolist(), k_idx.tolist(), strict=True):
            name = str(fleet.names[s])
            sensor = (sensors or {}).get(name) or sensor_for(name, default_sensor)
            row = _opportunity(r, name, sensor, s, k, ts, times, pos, vel, rng, target)
            if row is not None:
                rows.append(row)
    out = pd.DataFrame(rows, columns=OPPORTUNITY_OUTPUT_COLUMNS)
    out = out.sort_values(["start", "satellite"]).reset_index(drop=True)
    out["opportunity"] = [
        f"{q}@{s}#{i}"
        for i, (q, s) in enumerate(zip(out["request"], out["satellite"], strict=True))
    ]
    return out


def _opportunity(r, name, sensor, s, k, ts, times, pos, vel, rng, target):
    if r.sensor != "any" and r.sensor != sensor.kind:
        return None
    if r.mode == "stereo" and not sensor.stereo:
        return None
    # parabola through the three samples around the minimum of range
    y0, y1, y2 = rng[s, k - 1], rng[s, k], rng[s, k + 1]
    den = y0 - 2 * y1 + y2
    frac = 0.5 * (y0 - y2) / den if den > 0 else 0.0
    frac = float(np.clip(frac, -1.0, 1.0))
    a, b = (k - 1, k) if frac < 0 else (k, k + 1)
    t_ca = ts[k] + frac * (ts[k + 1] - ts[k])
    p = _hermite(t_ca, ts[a], ts[b], pos[s, a], pos[s, b], vel[s, a], vel[s, b])
    v = vel[s, a] + (vel[s, b] - vel[s, a]) * (t_ca - ts[a]) / (ts[b] - ts[a])
    eta = float(off_nadir_deg(p, target))
    side = 1.0 if np.dot(target - p, np.cross(v, p)) > 0 else -1.0
    t_abs = times[0] + np.timedelta64(int(round(t_ca * 1e9)), "ns")
    if not (r.start <= t_abs <= r.end):
        return None
    # sub-satellite track around the closest approach
    half_s = r_extent_km(r) / 6.0 + 30.0  # ground speed of low orbits is below 7 km/s
    span = np.abs(ts - t_ca) <= half_s + (ts[1] - ts[0])
    lat, lon, _ = frames.itrf_to_geodetic(pos[s, span])
    lat_c, lon_c = r.centroid[1], r.centroid[0]
    sub_lat, sub_lon, _ = frames.itrf_to_geodetic(p)
    _, _, cross_m = GEOD.inv(float(sub_lon), float(sub_lat), lon_c, lat_c)
    cross_km = side * cross_m / 1000.0
    if sensor.steerable:
        if not (sensor.min_off_nadir_deg <= eta <= sensor.max_off_nadir_deg):
            return None
        if sensor.side == "right" and side < 0:
            return None
        offset, look = cross_km, side * eta
    else:
        offset, look = 0.0, 0.0
    if eta > r.max_off_nadir_deg:
        return None
    strip = strip_polygon(lon, lat, offset, sensor.swath_km)
    area = geodesic_area_km2(r.aoi)
    inter = strip.intersection(r.aoi)
    coverage = 0.0 if inter.is_empty else min(geodesic_area_km2(inter) / area, 1.0)
    if coverage <= 1e-6:
        return None
    sun = float(sun_elevation(lat_c, lon_c, np.array([t_abs]))[0, 0])
    min_sun = DAYLIGHT_DEG if r.min_sun_elevation_deg is None else r.min_sun_elevation_deg
    if sensor.kind == "optical" and sun < min_sun:
        return None
    # along-track extent of the covered part gives the acquisition time
    ground_speed = np.linalg.norm(v) * frames.WGS84_A_KM / np.linalg.norm(p)
    coords = np.asarray(inter.convex_hull.exterior.coords)
    az0, _, _ = GEOD.inv(float(lon[0]), float(lat[0]), float(lon[-1]), float(lat[-1]))
    az, _, dist = GEOD.inv(
        np.full(len(coords), float(sub_lon)),
        np.full(len(coords), float(sub_lat)),
        coords[:, 0],
        coords[:, 1],
    )
    along = dist / 1000.0 * np.cos(np.radians(az - az0))
    t_start = t_ca + along.min() / ground_speed
    t_end = max(t_ca + along.max() / ground_speed, t_start + 1.0)
    duration = t_end - t_start
    if r.mode == "stereo":
        duration = 2 * duration + 30.0
        t_start, t_end = t_ca - duration / 2, t_ca + duration / 2
    start = times[0] + np.timedelta64(int(round(t_start * 1e9)), "ns")
    end = times[0] + np.timedelta64(int(round(t_end * 1e9)), "ns")
    return [
        "", r.id, name, sensor.kind, start, end, t_abs, round(look, 3), round(eta, 3),
        round(sun, 2), round(coverage, 4), int(round(100 * r.priority * coverage)),
        sensor.data_rate_mbps * duration / 1000.0, sensor.power_w * duration / 3600.0, strip,
    ]  # fmt: skip
