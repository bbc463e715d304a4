"""Sites on the ground: validated site tables and the national ground stations.

Sites are tables with the columns ``name, latitude_deg, longitude_deg, altitude_m``
(geodetic, WGS-84). Everything here is validated at the edge: a bad site names its row
and field.
"""

from __future__ import annotations

import math
from collections.abc import Iterable

import numpy as np
import pandas as pd

SITE_COLUMNS = ["name", "latitude_deg", "longitude_deg", "altitude_m"]

#: The three national ground stations (capital cities; positions from GeoNames,
#: altitudes from the cities' airports' published elevations).
GROUND_STATIONS = pd.DataFrame(
    [
        ("Bamako", 12.60915, -7.97522, 381.0),
        ("Niamey", 13.51366, 2.10980, 223.0),
        ("Ouagadougou", 12.36566, -1.53388, 316.0),
    ],
    columns=SITE_COLUMNS,
)


class SiteError(ValueError):
    """A site that cannot be used: names the row and the field."""


def ground_stations() -> pd.DataFrame:
    """The national ground stations (Bamako, Niamey, Ouagadougou) as a site table."""
    return GROUND_STATIONS.copy()


def sites_table(sites) -> pd.DataFrame:
    """Validate sites into a table with columns ``name, latitude_deg, longitude_deg, altitude_m``.

    ``sites``: a table with those columns (``altitude_m`` optional, default 0), or an
    iterable of ``(name, latitude_deg, longitude_deg[, altitude_m])`` tuples. Latitudes
    must lie in [-90, 90], longitudes in [-180, 360), altitudes in [-500, 9000] m, and
    names must be unique. Raises :class:`SiteError` naming the row and field otherwise.
    """
    if isinstance(sites, pd.DataFrame):
        missing = [c for c in SITE_COLUMNS[:3] if c not in sites.columns]
        if missing:
            raise SiteError(
                f"site table lacks column(s) {missing}; expected {SITE_COLUMNS}"
                " (altitude_m optional)"
            )
        rows = list(
            zip(
                sites["name"],
                sites["latitude_deg"],
                sites["longitude_deg"],
                sites["altitude_m"] if "altitude_m" in sites.columns else [0.0] * len(sites),
                strict=True,
            )
        )
    elif isinstance(sites, tuple) and len(sites) in (3, 4) and isinstance(sites[0], str):
        rows = [sites]
    elif isinstance(sites, Iterable) and not isinstance(sites, (str, bytes)):
        rows = list(sites)
    else:
        raise SiteError(
            "sites must be a table with columns name, latitude_deg, longitude_deg[, altitude_m]"
            f" or a list of (name, lat, lon[, alt_m]) tuples, not {type(sites).__name__}"
        )
    out = []
    for i, row in enumerate(rows):
        if not isinstance(row, (tuple, list)) or len(row) not in (3, 4):
            raise SiteError(
                f"site {i}: expected (name, latitude_deg, longitude_deg[, altitude_m]), got {row!r}"
            )
        name, lat, lon, alt = (*row, 0.0) if len(row) == 3 else row
        out.append((str(name), *_check_site_numbers(i, str(name), lat, lon, alt)))
    table = pd.DataFrame(out, columns=SITE_COLUMNS)
    dup = table["name"][table["name"].duplicated()]
    if len(dup):
        raise SiteError(f"site names must be unique; repeated: {sorted(set(dup))}")
    return table


def _check_site_numbers(i: int, name: str, lat, lon, alt) -> tuple[float, float, float]:
    values = []
    for field, value, lo, hi in (
        ("latitude_deg", lat, -90.0, 90.0),
        ("longitude_deg", lon, -180.0, 360.0),
        ("altitude_m", alt, -500.0, 9000.0),
    ):
        try:
            v = float(value)
        except (TypeError, ValueError):
            raise SiteError(f"site {i} ({name!r}): {field} is not a number: {value!r}") from None
        if not math.isfinite(v) or not lo <= v <= hi:
            raise SiteError(f"site {i} ({name!r}): {field}={value!r} outside [{lo}, {hi}]")
        values.append(v)
    lat_v, lon_v, alt_v = values
    return lat_v, lon_v if lon_v < 180.0 else lon_v - 360.0, alt_v


def parse_site(text: str) -> tuple[str, float, float, float]:
    """Parse ``NAME=LAT,LON[,ALT_M]`` (degrees, metres), as the CLI takes it."""
    name, sep, rest = text.partition("=")
    parts = rest.split(",")
    if not sep or not name.strip() or len(parts) not in (2, 3):
        raise SiteError(f"site {text!r}: expected NAME=LAT,LON[,ALT_M], e.g. Bamako=12.64,-8.0,381")
    try:
        numbers = [float(p) for p in parts]
    except ValueError:
        raise SiteError(f"site {text!r}: LAT, LON and ALT_M must be numbers") from None
    lat, lon, *alt = numbers
    return (name.strip(), *_check_site_numbers(0, name.strip(), lat, lon, alt[0] if alt else 0.0))


def site_arrays(sites) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Latitudes, longitudes (degrees) and altitudes (km), each (site,), of a site table."""
    t = sites_table(sites)
    return (
        t["latitude_deg"].to_numpy(float),
        t["longitude_deg"].to_numpy(float),
        t["altitude_m"].to_numpy(float) / 1000.0,
    )
