"""The Sun's position, elevation at sites, and eclipses, against published values."""

import numpy as np
import pytest

from sahelsat import frames, sun


def _declination(times):
    p = sun.sun_position_itrf(times)
    return np.degrees(np.arcsin(p[:, 2] / np.linalg.norm(p, axis=1)))


def test_solstice_and_equinox():
    # IMCCE/USNO: March equinox 2026-03-20 14:46 UTC, June solstice 2026-06-21 08:24 UTC.
    assert _declination(["2026-03-20T14:46:00"])[0] == pytest.approx(0.0, abs=0.01)
    assert _declination(["2026-06-21T08:24:00"])[0] == pytest.approx(23.436, abs=0.01)


def test_sun_elevation_at_local_noon_and_horizon():
    # Bamako (12.64 N) on the June solstice: noon elevation 90 - 23.44 + 12.64 = 79.2 degrees
    # toward the north; the Sun transits near 12:00 UTC - 8.0 deg / 15 + 1.7 min.
    times = np.datetime64("2026-06-21T11:00:00") + np.arange(0, 7200, 10) * np.timedelta64(1, "s")
    el = sun.sun_elevation(12.64, -8.0, times)[0]
    assert el.max() == pytest.approx(79.2, abs=0.05)
    transit = times[np.argmax(el)]
    assert abs((transit - np.datetime64("2026-06-21T12:33:50")) / np.timedelta64(1, "s")) < 60


def test_eclipse_states():
    t = ["2026-06-21T12:00:00"]
    s = sun.sun_position_itrf(t)
    u = s[0] / np.linalg.norm(s[0])
    r = frames.WGS84_A_KM + 700.0
    sunward = (u * r)[None, None, :]
    behind = (-u * r)[None, None, :]
    assert sun.eclipse(sunward, s)[0, 0] == 0.0
    assert sun.eclipse(behind, s)[0, 0] == 1.0
    # Walk across the shadow's edge: the hidden fraction rises monotonically from 0 to 1.
    side = np.cross(u, [0, 0, 1.0])
    side /= np.linalg.norm(side)
    angles = np.radians(np.linspace(95, 125, 400))
    pts = r * (np.cos(angles)[:, None] * u + np.sin(angles)[:, None] * side)
    frac = sun.eclipse(pts[:, None, :], s)[:, 0]
    assert frac[0] == 0.0 and frac[-1] == 1.0
    assert np.all(np.diff(frac) >= -1e-12)
    assert ((frac > 0) & (frac < 1)).sum() > 3  # a penumbra exists
