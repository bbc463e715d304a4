"""Designed constellations turned into element sets that SGP4 propagates.

Walker delta and star patterns (T/P/F), sun-synchronous orbits (altitude and local
time of the ascending node) and geostationary slots (longitude). Each returns a
:class:`~sahelsat.fleet.Fleet`, so designed and real satellites mix with ``+``.
Altitudes are above the WGS-84 equatorial radius; the SGP4 mean motion is solved so
that SGP4's own mean semi-major axis equals radius + altitude.
"""

from __future__ import annotations

import math

import numpy as np
from sgp4 import api as sgp4_api
from sgp4.earth_gravity import wgs72
from sgp4.model import Satrec as PySatrec

from sahelsat import frames, timescale
from sahelsat.core import geometry
from sahelsat.core.constants import J2, MU_KM3_S2
from sahelsat.elements import ElementSet
from sahelsat.fleet import Fleet
from sahelsat.sensors import Beam, Sensor, designed_optical, designed_sar

#: Epoch of the shipped element sets; the default epoch of designs.
DEFAULT_EPOCH = "2026-05-30T00:00:00"
FIRST_DESIGN_NUMBER = 90_000  # catalogue numbers of designed satellites start here
TROPICAL_YEAR_DAYS = 365.2421897
_XPDOTP = 1440.0 / (2.0 * math.pi)


class DesignError(ValueError):
    """A constellation parameter that cannot be built; names the parameter."""


def _check(name: str, value: float, lo: float, hi: float) -> float:
    v = float(value)
    if not math.isfinite(v) or not lo <= v <= hi:
        raise DesignError(f"{name}={value!r} outside [{lo}, {hi}]")
    return v


def sgp4_mean_motion(altitude_km: float, inclination_deg: float, eccentricity: float = 0.0):
    """Kozai mean motion (rev/day) whose SGP4 mean semi-major axis is R_E + altitude."""
    a_er = (frames.WGS84_A_KM + altitude_km) / wgs72.radiusearthkm  # SGP4 works in WGS-72 radii
    target = wgs72.xke / a_er**1.5  # the un-Kozai mean motion wanted, rad/min
    no_kozai = target
    for _ in range(6):
        sat = PySatrec()
        sat.sgp4init(sgp4_api.WGS72, "i", 0, 20000.0, 0.0, 0.0, 0.0, eccentricity, 0.0,
                     math.radians(inclination_deg), 0.0, no_kozai, 0.0)  # fmt: skip
        no_kozai *= target / sat.no_unkozai
    return no_kozai * _XPDOTP


def sun_synchronous_inclination(altitude_km: float, eccentricity: float = 0.0) -> float:
    """Inclination (degrees) whose J2 nodal precession follows the mean Sun (one turn a year)."""
    a = frames.WGS84_A_KM + altitude_km
    p = a * (1.0 - eccentricity**2)
    rate = 2.0 * math.pi / (TROPICAL_YEAR_DAYS * 86400.0)
    n = math.sqrt(MU_KM3_S2 / a**3)
    cos_i = -rate / (1.5 * n * J2 * (frames.WGS84_A_KM / p) ** 2)
    if not -1.0 <= cos_i <= 1.0:
        raise DesignError(f"altitude_km={altitude_km}: no sun-synchronous orbit at this altitude")
    return math.degrees(math.acos(cos_i))


def _epoch(epoch) -> np.datetime64:
    return timescale.as_utc(epoch if epoch is not None else DEFAULT_EPOCH, "epoch")[0]


def _element_set(name, number, epoch, altitude_km, inc, raan, arg_perigee, mean_anomaly, ecc,
                 origin) -> ElementSet:  # fmt: skip
    return ElementSet(
        name=name,
        catalog_number=number,
        epoch=epoch,
        mean_motion=sgp4_mean_motion(altitude_km, inc, ecc),
        eccentricity=ecc,
        inclination=inc,
        raan=raan % 360.0,
        arg_perigee=arg_perigee % 360.0,
        mean_anomaly=mean_anomaly % 360.0,
        intl_designator="DESIGN",
        origin=origin,
    )


def walker(
    total: int,
    planes: int,
    phasing: int,
    altitude_km: float,
    inclination_deg: float,
    pattern: str = "delta",
    raan0_deg: float = 0.0,
    epoch=None,
    name: str = "WALKER",
    first_number: int = FIRST_DESIGN_NUMBER,
) -> Fleet:
    """A Walker constellation T/P/F: ``total`` satellites in ``planes`` equally spaced
    planes, relative phasing ``phasing`` (0..P-1), circular at ``altitude_km``.

    ``pattern="delta"`` spreads the nodes over 360 degrees, ``"star"`` over 180.
    """
    if not isinstance(total, (int, np.integer)) or total < 1:
        raise DesignError(f"total={total!r} must be a positive integer")
    if not isinstance(planes, (int, np.integer)) or planes < 1 or total % planes:
        raise DesignError(f"planes={planes!r} must be a positive divisor of total={total}")
    if not isinstance(phasing, (int, np.integer)) or not 0 <= phasing < planes:
        raise DesignError(f"phasing={phasing!r} must be an integer in [0, planes-1={planes - 1}]")
    if pattern not in ("delta", "star"):
        raise DesignError(f"pattern={pattern!r} must be 'delta' or 'star'")
    _check("altitude_km", altitude_km, 150.0, 40000.0)
    _check("inclination_deg", inclination_deg, 0.0, 180.0)
    t0 = _epoch(epoch)
    per_plane = total // planes
    spread = 360.0 if pattern == "delta" else 180.0
    sets = []
    for p in range(planes):
        for s in range(per_plane):
            sets.append(
                _element_set(
                    f"{name}-P{p + 1}-S{s + 1}",
                    first_number + len(sets),
                    t0,
                    altitude_km,
                    float(inclination_deg),
                    raan0_deg + p * spread / planes,
                    0.0,
                    s * 360.0 / per_plane + p * phasing * 360.0 / total,
                    0.0,
                    f"design:walker-{pattern} {total}/{planes}/{phasing}",
                )
            )
    return Fleet(sets)


def walker_delta(total, planes, phasing, altitude_km, inclination_deg, **kwargs) -> Fleet:
    """Walker delta T/P/F (nodes over 360 degrees); see :func:`walker`."""
    return walker(total, planes, phasing, altitude_km, inclination_deg, pattern="delta", **kwargs)


def walker_star(total, planes, phasing, altitude_km, inclination_deg, **kwargs) -> Fleet:
    """Walker star T/P/F (nodes over 180 degrees, e.g. polar); see :func:`walker`."""
    return walker(total, planes, phasing, altitude_km, inclination_deg, pattern="star", **kwargs)


def mean_sun_right_ascension(epoch) -> float:
    """Right ascension of the mean Sun (degrees), equal to its mean longitude of date."""
    ns = timescale.to_ns(timescale.as_utc(epoch))[0]
    d = (ns - timescale.J2000_NS) / timescale.NS_PER_DAY
    return (280.460 + 0.9856474 * d) % 360.0


def sun_synchronous(
    altitude_km: float,
    ltan_hours: float,
    satellites: int = 1,
    planes: int = 1,
    epoch=None,
    name: str = "SSO",
    first_number: int = FIRST_DESIGN_NUMBER,
) -> Fleet:
    """Sun-synchronous circular orbits at ``altitude_km``.

    ``ltan_hours``: local mean solar time of the ascending node (22.5 = a 10:30
    descending node, as Sentinel-2; 18.0 = dawn-dusk, as Sentinel-1). ``satellites`` are
    spread evenly over ``planes`` planes whose node times are 24 h / ``planes`` apart,
    and evenly in mean anomaly within a plane.
    """
    _check("altitude_km", altitude_km, 150.0, 6000.0)
    _check("ltan_hours", ltan_hours, 0.0, 24.0)
    if satellites < 1 or planes < 1 or satellites % planes:
        raise DesignError(f"satellites={satellites} must be a positive multiple of planes={planes}")
    t0 = _epoch(epoch)
    inc = sun_synchronous_inclination(altitude_km)
    per_plane = satellites // planes
    sets = []
    for p in range(planes):
        ltan = ltan_hours + p * 24.0 / planes
        raan = mean_sun_right_ascension(t0) + (ltan - 12.0) * 15.0
        for s in range(per_plane):
            sets.append(
                _element_set(
                    f"{name}-{p + 1}-{s + 1}" if satellites > 1 else name,
                    first_number + len(sets),
                    t0,
                    altitude_km,
                    inc,
                    raan,
                    0.0,
                    s * 360.0 / per_plane,
                    0.0,
                    f"design:sun-synchronous {altitude_km} km LTAN {ltan:.2f} h",
                )
            )
    return Fleet(sets)


def geostationary(
    longitudes_deg, epoch=None, name: str = "GEO", first_number: int = FIRST_DESIGN_NUMBER
) -> Fleet:
    """Geostationary satellites at the given sub-satellite longitudes (degrees east),
    station-kept: propagation holds each at its longitude on the equator whatever the date
    (:mod:`sahelsat.stationkeeping`). Their element sets (``Fleet.to_tle``) are the
    equivalent SGP4 orbit at ``epoch``, which drifts away from it with time."""
    lons = [float(x) for x in np.atleast_1d(longitudes_deg)]
    for k, lon in enumerate(lons):
        _check(f"longitudes_deg[{k}]", lon, -180.0, 360.0)
    t0 = _epoch(epoch)
    gmst = math.degrees(float(frames.gmst82(timescale.to_ns([t0]), np.zeros(1))[0]))
    sets = []
    for k, lon in enumerate(lons):
        sets.append(
            ElementSet(
                name=f"{name} {lon:+.1f}" if len(lons) > 1 or name == "GEO" else name,
                catalog_number=first_number + k,
                epoch=t0,
                mean_motion=1.00273790935,  # one sidereal day
                eccentricity=0.0,
                inclination=0.0,
                raan=0.0,
                arg_perigee=0.0,
                mean_anomaly=(lon + gmst) % 360.0,
                intl_designator="DESIGN",
                origin=f"design:geostationary {lon:+.2f}",
                station_lon_deg=(lon + 180.0) % 360.0 - 180.0,
            )
        )
    return Fleet(sets)


#: Near edge (off-nadir, degrees) of a designed radar's beams: closer to nadir the
#: ground range resolution of a side-looking radar degrades fast (Sentinel-1's nearest
#: beam, Stripmap S1, starts at about 18 degrees off nadir: ESA Sentinel-1 SAR User Guide).
SAR_NEAR_OFF_NADIR_DEG = 20.0


def _incidence_at_ground_km(d_km: np.ndarray, altitude_km: float) -> np.ndarray:
    """Incidence angle (degrees) at ground distance ``d_km`` from nadir (sphere of the
    WGS-84 equatorial radius), for a satellite at ``altitude_km``."""
    big_r = frames.WGS84_A_KM
    lam = np.asarray(d_km, dtype=float) / big_r
    return np.degrees(geometry.sphere_off_nadir(lam, big_r, big_r + altitude_km) + lam)


def _ground_km_at_off_nadir(eta_deg: float, altitude_km: float) -> float:
    """Ground distance (km) from nadir of the line of sight at ``eta_deg`` off nadir."""
    big_r = frames.WGS84_A_KM
    lam = geometry.sphere_ground_angle(math.radians(eta_deg), big_r, big_r + altitude_km)
    return big_r * float(lam)


def imaging_sensor(
    kind: str, altitude_km: float, swath_km: float, max_off_nadir_deg: float
) -> Sensor:
    """The sensor of a designed imaging satellite (data rates and powers: assumed figures
    of a small satellite).

    ``optical``: an agile imager rolling a centred ``swath_km`` strip up to
    ``max_off_nadir_deg`` either side. ``sar``: a right-looking radar (as Sentinel-1) with
    beams of about ``swath_km`` each, fixed to the track, tiling the ground from
    :data:`SAR_NEAR_OFF_NADIR_DEG` (or ``max_off_nadir_deg`` if lower) to
    ``max_off_nadir_deg`` off nadir at ``altitude_km``, each bounded by its incidence
    angles; it switches from beam to beam between acquisitions, never in between.
    """
    _check("swath_km", swath_km, 1.0, 3000.0)
    _check("max_off_nadir_deg", max_off_nadir_deg, 0.0, 60.0)
    if kind == "optical":
        return designed_optical(swath_km, max_off_nadir_deg)
    if kind != "sar":
        raise DesignError(f"kind={kind!r} must be 'optical' or 'sar'")
    near = _ground_km_at_off_nadir(min(SAR_NEAR_OFF_NADIR_DEG, max_off_nadir_deg), altitude_km)
    far = _ground_km_at_off_nadir(max_off_nadir_deg, altitude_km)
    n = max(int(math.ceil((far - near) / swath_km - 1e-9)), 1)
    edges = _incidence_at_ground_km(
        np.linspace(near, max(far, near + swath_km), n + 1), altitude_km
    )
    beams = tuple(
        Beam(name=f"B{k + 1}", side="right", angle="incidence",
             near_deg=round(float(edges[k]), 3), far_deg=round(float(edges[k + 1]), 3))
        for k in range(n)
    )  # fmt: skip
    return designed_sar(beams)
