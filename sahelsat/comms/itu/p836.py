"""ITU-R P.836-6: surface water vapour density and total columnar water vapour content."""

from __future__ import annotations

import functools

import numpy as np

from sahelsat.comms.itu.levels import bracket, stack
from sahelsat.comms.itu.maps import grid

REVISION = "P.836-6"

_LAT, _LON = "836/v6_lat", "836/v6_lon"


@functools.cache
def _node_altitude() -> np.ndarray:
    """Topographic height (km) of each 1.125-degree node, from the P.836-6 topography map."""
    g = grid(_LAT, _LON, "836/v6_v_1")
    lat = g.lat0 + g.dlat * np.arange(g.values.shape[0])
    lon = g.lon0 + g.dlon * np.arange(g.values.shape[1])
    topo = grid("836/v6_topolat", "836/v6_topolon", "836/v6_topo_0dot5", "bicubic")
    return topo(lat[:, None], lon[None, :])


def _scaled_bilinear(kind: str, lat, lon, p, alt_km) -> np.ndarray:
    """P.836-6 Annex 2: scale the four surrounding node values to the station height with the
    scale-height maps (VSCH), interpolate bilinearly, then in ln p between map levels."""
    values = stack(f"836/v6_{kind}_%s", _LAT, _LON)
    vsch = stack("836/v6_vsch_%s", _LAT, _LON)
    g = grid(_LAT, _LON, "836/v6_v_1")
    lat, lon, p, alt = np.broadcast_arrays(
        *(np.asarray(a, dtype=float) for a in (lat, lon, p, alt_km))
    )
    r, c = g.fractional_index(lat, lon)
    i = np.clip(np.floor(r).astype(np.intp), 0, values.shape[1] - 2)
    j = np.clip(np.floor(c).astype(np.intp), 0, values.shape[2] - 2)
    t, u = r - i, c - j
    node_alt = _node_altitude()
    k, w = bracket(p)
    out = np.zeros(lat.shape)
    for level, weight in ((k, 1.0 - w), (k + 1, w)):
        acc = np.zeros(lat.shape)
        for di, dj, wt in ((0, 0, (1 - t) * (1 - u)), (1, 0, t * (1 - u)),
                           (0, 1, (1 - t) * u), (1, 1, t * u)):  # fmt: skip
            ii, jj = i + di, j + dj
            scale = np.exp(-(alt - node_alt[ii, jj]) / vsch[level, ii, jj])
            acc += values[level, ii, jj] * scale * wt
        out += acc * weight
    return out


def surface_water_vapour_density(lat, lon, p, alt_km) -> np.ndarray:
    """Surface water vapour density rho (g/m^3) exceeded for ``p`` % of an average year at a
    station ``alt_km`` above sea level (all arguments broadcast)."""
    return _scaled_bilinear("rho", lat, lon, p, alt_km)


def total_water_vapour_content(lat, lon, p, alt_km) -> np.ndarray:
    """Total columnar water vapour content V (kg/m^2) exceeded for ``p`` % of an average year."""
    return _scaled_bilinear("v", lat, lon, p, alt_km)
