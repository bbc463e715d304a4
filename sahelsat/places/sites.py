"""Sites on the ground: validated site tables and the national ground stations.

Sites are tables with the columns ``name, latitude_deg, longitude_deg, altitude_m``
(geodetic, WGS-84). Everything here is validated at the edge: a bad site names its row
and field.
"""

from __future__ import annotations

from collections.abc import Iterable

import numpy as np
import pandas as pd

from sahelsat import inputs
from sahelsat.inputs import InputError

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


class SiteError(InputError):
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
    try:
        checked = inputs.sites(rows)
    except InputError as exc:
        raise SiteError(exc.problems, "sites") from None
    return pd.DataFrame([site.row() for site in checked], columns=SITE_COLUMNS)


def parse_site(text: str) -> tuple[str, float, float, float]:
    """Parse ``NAME=LAT,LON[,ALT_M]`` (degrees, metres), as the CLI takes it."""
    try:
        return inputs.Site.parse(text).row()
    except InputError as exc:
        raise SiteError(exc.problems, f"site {text!r}") from None


def site_arrays(sites) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Latitudes, longitudes (degrees) and altitudes (km), each (site,), of a site table."""
    t = sites_table(sites)
    return (
        t["latitude_deg"].to_numpy(float),
        t["longitude_deg"].to_numpy(float),
        t["altitude_m"].to_numpy(float) / 1000.0,
    )
