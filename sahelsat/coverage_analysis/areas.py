"""Where coverage is measured: a regular lat/lon grid over an area, or a set of points.

An area is a named region (``AES`` = Mali + Niger + Burkina Faso, ``MLI``, ``NER``,
``BFA`` or a country name), a GeoJSON polygon (path, dict or text), a shapely polygon,
``"population"`` / ``"population:MLI"`` (the populated cells of the population base at
the resolution, weighted by their people), or ``"towns"`` / ``"towns:MLI"`` (GeoNames
towns, a quarter of the people) / a table of points. Grid cells are aligned on
multiples of the resolution; a cell belongs to the area when its centre does. Cell
areas are exact on the WGS-84 ellipsoid. Longitudes of an area crossing the
antimeridian must be continuous (e.g. 170 to 190). Everything is validated here, before
any heavy work, with errors that name the parameter.
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd
import shapely
from shapely.geometry import shape

from sahelsat import frames, places

NAMED_AREAS = ("AES", "SAHEL", "ALL", "MLI", "NER", "BFA")
#: Largest bounding-box grid accepted (cells); beyond it the grid itself would not fit.
MAX_BOX_CELLS = 25_000_000
_BYTES_PER_BOX_CELL = 12 * 8 + 8 + 4 + 1  # frame row, lon/lat, counting buffer, mask


class AreaError(ValueError):
    """An area or grid that cannot be used; the message names the parameter."""


@dataclass
class Grid:
    """Regular lat/lon grid over an area.

    ``lat`` (lat,), ``lon`` (lon,) cell centres in degrees, ascending (``lon`` may pass
    180 for areas across the antimeridian); ``mask`` (lat, lon) True inside the area;
    ``row_area_km2`` (lat,) area of one cell of each row on the WGS-84 ellipsoid.
    Cells inside the area are numbered row by row: ``cell_row``, ``cell_col`` (cell,).
    """

    name: str
    geometry: object
    resolution_deg: float
    lat: np.ndarray
    lon: np.ndarray
    mask: np.ndarray
    row_area_km2: np.ndarray
    kind: str = "grid"
    cell_row: np.ndarray = field(init=False)
    cell_col: np.ndarray = field(init=False)

    def __post_init__(self):
        self.cell_row, self.cell_col = (a.astype(np.int64) for a in np.nonzero(self.mask))

    @property
    def n_cells(self) -> int:
        return len(self.cell_row)

    @property
    def cell_lat(self) -> np.ndarray:
        return self.lat[self.cell_row]

    @property
    def cell_lon(self) -> np.ndarray:
        return self.lon[self.cell_col]

    @property
    def cell_area_km2(self) -> np.ndarray:
        """Area of each cell inside the area, (cell,) km2."""
        return self.row_area_km2[self.cell_row]

    def box_frames(self) -> np.ndarray:
        """ITRF position and east/north/up axes of every box cell centre at height 0,
        (lat, lon, 12) as :func:`sahelsat.frames.site_frames`."""
        lat2, lon2 = np.meshgrid(self.lat, self.lon, indexing="ij")
        rows = frames.site_frames(lat2.ravel(), lon2.ravel(), np.zeros(lat2.size))
        return rows.reshape(len(self.lat), len(self.lon), 12)

    def expand(self, values: np.ndarray) -> np.ndarray:
        """Per-cell values (..., cell) onto the grid (..., lat, lon), NaN outside the area."""
        values = np.asarray(values, dtype=float)
        out = np.full(values.shape[:-1] + self.mask.shape, np.nan)
        out[..., self.cell_row, self.cell_col] = values
        return out


@dataclass
class PointSet:
    """Points (towns, sites): ``lat``, ``lon`` degrees, ``names``, ``weight`` (population
    or 1), each (point,)."""

    name: str
    lat: np.ndarray
    lon: np.ndarray
    names: np.ndarray
    weight: np.ndarray
    kind: str = "points"

    @property
    def n_cells(self) -> int:
        return len(self.lat)

    cell_lat = property(lambda self: self.lat)
    cell_lon = property(lambda self: self.lon)

    def frames(self) -> np.ndarray:
        return frames.site_frames(self.lat, self.lon, np.zeros(len(self.lat)))


def ellipsoid_zone_area_km2(lat1_deg, lat2_deg, dlon_deg) -> np.ndarray:
    """Area (km2) on WGS-84 between latitudes ``lat1_deg`` < ``lat2_deg`` over ``dlon_deg``
    of longitude (authalic formula, exact for the ellipsoid)."""
    e2, a = frames.WGS84_E2, frames.WGS84_A_KM
    e = math.sqrt(e2)

    def q(lat_deg):
        s = np.sin(np.radians(lat_deg))
        return s / (1.0 - e2 * s * s) + np.log((1.0 + e * s) / (1.0 - e * s)) / (2.0 * e)

    return np.radians(dlon_deg) * a * a * (1.0 - e2) / 2.0 * (q(lat2_deg) - q(lat1_deg))


def read_geometry(area) -> tuple[str, object]:
    """A (name, shapely polygon) from a named area, GeoJSON (path, dict, text) or shapely
    geometry. Raises :class:`AreaError` naming ``area``."""
    if isinstance(area, shapely.Geometry):
        return "custom", _check_polygon(area)
    if isinstance(area, dict):
        return str(area.get("properties", {}).get("name", "custom")), _from_geojson(area)
    if isinstance(area, Path) or (isinstance(area, str) and not area.lstrip().startswith("{")):
        text = str(area).strip()
        if text.upper() in NAMED_AREAS:
            return text.upper(), places.area_geometry(text)
        try:
            code = places._country_code(text)
        except ValueError:
            code = None
        if code:
            return code, places.area_geometry(code)
        path = Path(text)
        if not path.is_file():
            raise AreaError(
                f"area={text!r} is neither a named area (AES, MLI, NER, BFA, a country name, "
                "'towns[:ISO3]') nor a GeoJSON file"
            )
        try:
            data = json.loads(path.read_text())
        except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
            raise AreaError(f"area: {path} is not valid GeoJSON: {exc}") from None
        return path.stem, _from_geojson(data)
    if isinstance(area, str):
        try:
            data = json.loads(area)
        except json.JSONDecodeError as exc:
            raise AreaError(f"area: text is not valid GeoJSON: {exc}") from None
        return "custom", _from_geojson(data)
    raise AreaError(
        "area must be a name (AES, MLI, NER, BFA), GeoJSON (path, dict or text), a shapely "
        f"polygon or a table of points, not {type(area).__name__}"
    )


def _from_geojson(data) -> object:
    if not isinstance(data, dict) or "type" not in data:
        raise AreaError("area: invalid GeoJSON: expected an object with a 'type' member")
    kind = data["type"]
    try:
        if kind == "FeatureCollection":
            feats = data.get("features")
            if not isinstance(feats, list) or not feats:
                raise AreaError("area: invalid GeoJSON: FeatureCollection without features")
            geom = shapely.union_all([_check_polygon(shape(f["geometry"])) for f in feats])
        elif kind == "Feature":
            geom = shape(data["geometry"])
        else:
            geom = shape(data)
    except AreaError:
        raise
    except (KeyError, TypeError, ValueError, AttributeError, IndexError) as exc:
        raise AreaError(f"area: invalid GeoJSON {kind!r}: {exc or type(exc).__name__}") from None
    except shapely.errors.GEOSException as exc:
        raise AreaError(f"area: invalid GeoJSON geometry: {exc}") from None
    return _check_polygon(geom)


def _check_polygon(geom) -> object:
    if geom.geom_type not in ("Polygon", "MultiPolygon"):
        raise AreaError(f"area: expected a Polygon or MultiPolygon, got {geom.geom_type}")
    if geom.is_empty:
        raise AreaError("area: the polygon is empty")
    if not shapely.is_valid(geom):
        raise AreaError(
            f"area: invalid polygon ({shapely.is_valid_reason(geom)}); a ring must not cross "
            "itself: fix its vertex order (shapely.make_valid can repair it)"
        )
    x0, y0, x1, y1 = geom.bounds
    if y0 < -90.0 or y1 > 90.0 or x0 < -360.0 or x1 > 540.0 or x1 - x0 > 360.0:
        raise AreaError(
            f"area: bounds {geom.bounds} are not longitude/latitude degrees (lat within "
            "[-90, 90], longitudes spanning at most 360)"
        )
    return geom


def make_points(table: pd.DataFrame, name: str = "points") -> PointSet:
    """A point set from a table with ``latitude_deg``, ``longitude_deg`` (optional
    ``name``, ``population`` used as weight)."""
    missing = [c for c in ("latitude_deg", "longitude_deg") if c not in table.columns]
    if missing:
        raise AreaError(f"area: point table lacks column(s) {missing}")
    if not len(table):
        raise AreaError("area: the point table is empty")
    lat = table["latitude_deg"].to_numpy(float)
    lon = table["longitude_deg"].to_numpy(float)
    bad = ~(np.isfinite(lat) & np.isfinite(lon) & (np.abs(lat) <= 90.0))
    if bad.any():
        raise AreaError(f"area: point row {int(np.argmax(bad))} has an invalid latitude/longitude")
    names = table["name"].astype(str).to_numpy() if "name" in table else np.arange(len(lat))
    if "population" in table:
        weight = table["population"].to_numpy(float)
        weight = np.where(np.isfinite(weight) & (weight > 0), weight, 0.0)
    else:
        weight = np.ones(len(lat))
    return PointSet(name, lat, (lon + 180.0) % 360.0 - 180.0, np.asarray(names, dtype=str), weight)


def population_points(area: str = "population", resolution_deg: float = 0.1) -> PointSet:
    """``population[:ISO3,...]``: the populated cells of the population base at
    ``resolution_deg`` as points (cell centres) weighted by their people, so that
    population-weighted figures count every person of the official figures, not only
    those of the GeoNames towns."""
    _, _, codes = area.partition(":")
    try:
        wanted = [places.country_code(c) for c in codes.split(",") if c.strip()]
    except ValueError as exc:
        raise AreaError(f"area={area!r}: {exc}") from None
    geom = shapely.union_all([places.area_geometry(c) for c in wanted]) if wanted else None
    grid = places.population_grid(resolution_deg, area=geom)
    rows, cols = np.nonzero(grid.values > 0)
    lat, lon = grid.lat.values[rows], grid.lon.values[cols]
    table = pd.DataFrame(
        {
            "name": [f"{a:.3f},{b:.3f}" for a, b in zip(lat, lon, strict=True)],
            "latitude_deg": lat,
            "longitude_deg": lon,
            "population": grid.values[rows, cols],
        }
    )
    return make_points(table, name=area.strip())


def make_area(area="AES", resolution_deg: float = 0.1, max_memory_gb: float = 4.0):
    """The :class:`Grid` (or :class:`PointSet`) of an area at ``resolution_deg`` degrees.

    Raises :class:`AreaError` for a bad area, a resolution out of (0, 10] degrees, or a
    grid too large for ``max_memory_gb`` before building it.
    """
    if isinstance(area, (Grid, PointSet)):
        return area
    if isinstance(area, pd.DataFrame):
        return make_points(area)
    if isinstance(area, str) and area.strip().lower().startswith("towns"):
        _, _, codes = area.partition(":")
        try:
            table = places.towns([c for c in codes.split(",") if c.strip()] or None)
        except ValueError as exc:
            raise AreaError(f"area={area!r}: {exc}") from None
        return make_points(table, name=area.strip())
    try:
        res = float(resolution_deg)
    except (TypeError, ValueError):
        raise AreaError(f"resolution_deg must be a number, got {resolution_deg!r}") from None
    if not (math.isfinite(res) and 0.0 < res <= 10.0):
        raise AreaError(f"resolution_deg={resolution_deg!r} must lie in (0, 10] degrees")
    if isinstance(area, str) and area.strip().lower().startswith("population"):
        return population_points(area, res)
    name, geom = read_geometry(area)
    x0, y0, x1, y1 = geom.bounds
    i0, i1 = math.floor(y0 / res + 1e-9), math.ceil(y1 / res - 1e-9)
    j0, j1 = math.floor(x0 / res + 1e-9), math.ceil(x1 / res - 1e-9)
    n_lat, n_lon = max(i1 - i0, 1), max(j1 - j0, 1)
    box = n_lat * n_lon
    need_gb = box * _BYTES_PER_BOX_CELL / 1e9
    if box > MAX_BOX_CELLS or need_gb > 0.5 * max_memory_gb:
        raise AreaError(
            f"resolution_deg={res:g} over area {name!r} gives a {n_lat} x {n_lon} grid "
            f"({box:,} cells, ~{need_gb:.1f} GB before any time step): use a coarser "
            f"resolution_deg or a smaller area (limit {MAX_BOX_CELLS:,} cells, "
            f"max_memory_gb={max_memory_gb:g})"
        )
    lat = (i0 + np.arange(n_lat) + 0.5) * res
    lon = (j0 + np.arange(n_lon) + 0.5) * res
    shapely.prepare(geom)
    lat2, lon2 = np.meshgrid(lat, lon, indexing="ij")
    mask = shapely.contains_xy(geom, lon2, lat2)
    if not mask.any():
        raise AreaError(
            f"area {name!r} holds no cell centre at resolution_deg={res:g}: use a finer "
            "resolution_deg"
        )
    rows = ellipsoid_zone_area_km2(lat - res / 2.0, lat + res / 2.0, res)
    return Grid(name, geom, res, lat, lon, mask, rows)
