"""ITU-R digital maps: loading and interpolation on regular latitude/longitude grids.

The maps (P.453, P.836, P.837, P.839, P.840, P.1510, P.1511) and the P.676 line tables are
ITU-R's own data, published by ITU with the recommendations, as packaged (converted to
``.npz``) by the ``itur`` project (MIT licence; a declared dependency, installed offline).
They are read from its package folder without importing ``itur`` itself (which pulls in
astropy), cached once per process, and interpolated here with vectorised kernels:

- bilinear interpolation on the four surrounding grid points (ITU-R P.1144 Annex 1 §1a),
- bicubic interpolation with the Keys kernel, a = -0.5 (ITU-R P.1144 Annex 1 §1b).
"""

from __future__ import annotations

import functools
import importlib.util
from dataclasses import dataclass
from pathlib import Path

import numpy as np


def itur_data_dir() -> Path:
    """Folder holding the ITU-R maps shipped with the installed ``itur`` package."""
    spec = importlib.util.find_spec("itur")
    if spec is None or not spec.submodule_search_locations:
        raise RuntimeError(
            "the ITU-R digital maps come with the 'itur' package, which is not installed; "
            "install it with `pip install itur` (it is a dependency of sahelsat)"
        )
    folder = Path(next(iter(spec.submodule_search_locations))) / "data"
    if not folder.is_dir():
        raise RuntimeError(f"ITU-R map folder {folder} is missing; reinstall the 'itur' package")
    return folder


def load_array(name: str) -> np.ndarray:
    """One ``.npz`` array of the ITU-R maps, e.g. ``"839/v4_esa0height"``."""
    path = itur_data_dir() / f"{name}.npz"
    if not path.is_file():
        raise RuntimeError(f"ITU-R map file {path} is missing; reinstall the 'itur' package")
    with np.load(path) as data:
        return np.asarray(data["arr_0"], dtype=float)


@dataclass(frozen=True)
class GridMap:
    """A scalar field on a regular lat/lon grid, both axes ascending.

    ``values`` has shape (n_lat, n_lon); ``lat0``/``lon0`` are the first nodes (deg) and
    ``dlat``/``dlon`` the spacings (deg). ``method`` is ``"bilinear"`` or ``"bicubic"``.
    """

    values: np.ndarray
    lat0: float
    dlat: float
    lon0: float
    dlon: float
    method: str = "bilinear"

    def fractional_index(self, lat, lon) -> tuple[np.ndarray, np.ndarray]:
        """Fractional (row, column) of points (deg); longitudes wrap into the grid."""
        lat = np.asarray(lat, dtype=float)
        lon = np.asarray(lon, dtype=float)
        lon = self.lon0 + np.mod(lon - self.lon0, 360.0)
        return (lat - self.lat0) / self.dlat, (lon - self.lon0) / self.dlon

    def __call__(self, lat, lon) -> np.ndarray:
        """Interpolated values at points ``lat``, ``lon`` (deg, broadcast together)."""
        r, c = self.fractional_index(lat, lon)
        r, c = np.broadcast_arrays(r, c)
        if self.method == "bicubic":
            return _bicubic(self.values, r, c)
        return _bilinear(self.values, r, c)


def _bilinear(values: np.ndarray, r: np.ndarray, c: np.ndarray) -> np.ndarray:
    n_r, n_c = values.shape
    i = np.clip(np.floor(r).astype(np.intp), 0, n_r - 2)
    j = np.clip(np.floor(c).astype(np.intp), 0, n_c - 2)
    t = r - i
    u = c - j
    return (
        values[i, j] * (1 - t) * (1 - u)
        + values[i + 1, j] * t * (1 - u)
        + values[i, j + 1] * (1 - t) * u
        + values[i + 1, j + 1] * t * u
    )


def _keys(d: np.ndarray) -> np.ndarray:
    """Keys cubic convolution kernel with a = -0.5 (P.1144 Annex 1)."""
    d = np.abs(d)
    near = (1.5 * d - 2.5) * d * d + 1.0
    far = ((-0.5 * d + 2.5) * d - 4.0) * d + 2.0
    return np.where(d <= 1.0, near, np.where(d <= 2.0, far, 0.0))


def _bicubic(values: np.ndarray, r: np.ndarray, c: np.ndarray) -> np.ndarray:
    n_r, n_c = values.shape
    i = np.clip(np.floor(r).astype(np.intp), 1, n_r - 3)
    j = np.clip(np.floor(c).astype(np.intp), 1, n_c - 3)
    out = np.zeros(np.shape(r))
    wc = [_keys(c - (j + k)) for k in (-1, 0, 1, 2)]
    for a in (-1, 0, 1, 2):
        row = sum(values[i + a, j + k] * wc[k + 1] for k in (-1, 0, 1, 2))
        out += row * _keys(r - (i + a))
    return out


def grid_from_arrays(lats: np.ndarray, lons: np.ndarray, values: np.ndarray, method: str):
    """A :class:`GridMap` from ITU-style 2-D ``lats``, ``lons``, ``values`` (any orientation)."""
    lat_axis = lats[:, 0]
    lon_axis = lons[0, :]
    if lat_axis[0] > lat_axis[-1]:
        lat_axis = lat_axis[::-1]
        values = values[::-1, :]
    if lon_axis[0] > lon_axis[-1]:
        lon_axis = lon_axis[::-1]
        values = values[:, ::-1]
    dlat = (lat_axis[-1] - lat_axis[0]) / (len(lat_axis) - 1)
    dlon = (lon_axis[-1] - lon_axis[0]) / (len(lon_axis) - 1)
    return GridMap(
        np.ascontiguousarray(values), float(lat_axis[0]), dlat, float(lon_axis[0]), dlon, method
    )


@functools.cache
def grid(lat_name: str, lon_name: str, value_name: str, method: str = "bilinear") -> GridMap:
    """A cached :class:`GridMap` from three ITU-R map files (lat, lon, values)."""
    return grid_from_arrays(
        load_array(lat_name), load_array(lon_name), load_array(value_name), method
    )
