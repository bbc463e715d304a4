"""Station-kept geostationary satellites: held at their longitude whatever the date.

A geostationary satellite in service is kept in its slot by its operator's manoeuvres, so
a designed one sits at a fixed Earth-fixed position: on the equator, at the radius where
an orbit turns with the Earth, at its longitude. An SGP4 element set pinned to one epoch
drifts instead (about 0.7 degrees a month, 30 degrees a year). :class:`StationKept` gives
propagation the TEME states of that fixed position through the interface of the
reference SGP4 code (``jdsatepoch``, ``jdsatepochF``, ``sgp4_array``), so every path of
:mod:`sahelsat.propagate` (states, geodetic coordinates, pairs) serves it unchanged.
"""

from __future__ import annotations

import numpy as np

from sahelsat import frames, timescale
from sahelsat.core.constants import GEO_RADIUS_KM, MU_KM3_S2  # noqa: F401  (the one definition)

_JD_UNIX = timescale.JD_UNIX_EPOCH


class StationKept:
    """A satellite held on the equator at ``lon_deg`` (degrees east), at the geostationary
    radius. ``epoch``: UTC datetime64, the reference its times since epoch count from."""

    def __init__(self, lon_deg: float, epoch: np.datetime64):
        self.lon_deg = float(lon_deg)
        days = timescale.to_ns(timescale.as_utc(epoch))[0] / timescale.NS_PER_DAY
        self.jdsatepoch, self.jdsatepochF = _JD_UNIX + np.floor(days), days - np.floor(days)

    def sgp4_array(self, jd: np.ndarray, fr: np.ndarray):
        """Error codes (all 0), TEME position (km) and velocity (km/s), each per instant
        ``jd + fr`` (UTC Julian dates, (time,)): the fixed ITRF point rotated back by the
        Earth's rotation and polar motion of :func:`sahelsat.frames.earth_rotation`."""
        days = (np.asarray(jd, float) - _JD_UNIX) + np.asarray(fr, float)
        ns = np.round(days * timescale.NS_PER_DAY).astype(np.int64)
        c, s, cx, sx, cy, sy = frames.earth_rotation(ns.view("datetime64[ns]")).T
        lon = np.radians(self.lon_deg)
        x, y = GEO_RADIUS_KM * np.cos(lon), GEO_RADIUS_KM * np.sin(lon)
        # undo polar motion (R1(-y_p) R2(-x_p)) on (x, y, 0), then the sidereal rotation
        py, az = cy * y, -sy * y
        px, pz = cx * x - sx * az, sx * x + cx * az
        r = np.stack([c * px - s * py, s * px + c * py, pz], axis=-1)
        w = frames.EARTH_ROTATION_RAD_S  # fixed in ITRF: the TEME velocity is the rotation
        v = np.stack([-w * (c * py + s * px), w * (c * px - s * py), 0.0 * pz], axis=-1)
        return np.zeros(len(ns), dtype=np.int8), r, v
