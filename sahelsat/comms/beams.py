"""Spot-beam layouts of a GEO satellite: beam size, hexagonal or demand-driven lattices,
N-colour frequency/polarisation reuse, and beam cells on the ground.

Beams are directions from the satellite. Layouts live in the plane tangent to the unit
sphere of directions at the boresight (the direction to the area's centre): coordinates
(x, y) in radians (gnomonic projection, within 1e-4 relative of angles for the few
degrees the Earth subtends from GEO). A hexagonal lattice of spacing s puts neighbouring
beams s apart; the hexagon's corners, s / sqrt(3) from its centre, are where three beams
meet at ``edge_db`` below peak.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import shapely

from sahelsat import frames, places
from sahelsat.comms import link
from sahelsat.comms.defaults import HtsParameters, ParameterError
from sahelsat.core.constants import WGS84_B_KM

_SQRT3 = math.sqrt(3.0)


def beamwidth_deg(params: HtsParameters) -> float:
    """3 dB beamwidth (deg) of the satellite's reflector at the user downlink."""
    return float(link.beamwidth_3db_deg(params.antenna_diameter_m, params.downlink_ghz))


def peak_gain_dbi(params: HtsParameters, f_ghz: float | None = None) -> float:
    """Peak gain (dBi) of the satellite's reflector at ``f_ghz`` (default: downlink)."""
    f = params.downlink_ghz if f_ghz is None else f_ghz
    return float(link.antenna_gain_dbi(params.antenna_diameter_m, f, params.antenna_efficiency))


def spacing_deg(params: HtsParameters) -> float:
    """Centre-to-centre spacing (deg) of neighbouring beams: the hexagon's corner, where
    three beams meet, lies where the S.672 main beam is ``edge_db`` below peak
    (psi = psi0 sqrt(edge / 3)), and the spacing is sqrt(3) times that."""
    psi0 = 0.5 * beamwidth_deg(params)
    return _SQRT3 * psi0 * math.sqrt(params.edge_db / 3.0)


def colour_step(n_colours: int) -> int:
    """The k of the colouring (q + k r) mod N of axial hexagonal coordinates that keeps
    same-colour beams furthest apart (ties: the smallest k); N = 1 gives k = 0."""
    n = int(n_colours)
    if n <= 1:
        return 0
    qs, rs = np.meshgrid(np.arange(-6, 7), np.arange(-6, 7), indexing="ij")
    q, r = qs.ravel(), rs.ravel()
    away = (q != 0) | (r != 0)
    dist = np.sqrt(q**2 + q * r + r**2)  # lattice distance in spacings
    best_k, best_d = 0, -1.0
    for k in range(n):
        same = away & ((q + k * r) % n == 0)
        d = dist[same].min() if same.any() else np.inf
        if d > best_d + 1e-9:
            best_k, best_d = k, d
    return best_k


def colours(q, r, n_colours: int) -> np.ndarray:
    """Colour (0..N-1) of hexagonal lattice cells with axial coordinates ``q``, ``r``."""
    k = colour_step(n_colours)
    return (np.asarray(q) + k * np.asarray(r)) % int(n_colours)


@dataclass(frozen=True)
class View:
    """The satellite's view: position ``sat_km`` (3,) Earth-fixed and the tangent-plane
    basis ``w`` (boresight), ``u`` (east-like), ``v`` (north-like), unit vectors (3,)."""

    sat_km: np.ndarray
    w: np.ndarray
    u: np.ndarray
    v: np.ndarray

    @classmethod
    def towards(cls, slot_lon_deg: float, lat_deg: float, lon_deg: float) -> View:
        """The view from the GEO slot with its boresight on the ground point (deg)."""
        sat = link.geo_position_ecef_km(slot_lon_deg)
        w = link.geodetic_to_ecef_km(lat_deg, lon_deg) - sat
        w = w / np.linalg.norm(w)
        u = np.cross([0.0, 0.0, 1.0], w)
        u = u / np.linalg.norm(u)
        return cls(sat, w, u, np.cross(w, u))

    def directions(self, lat_deg, lon_deg, height_km=0.0) -> np.ndarray:
        """Unit vectors (..., 3) from the satellite to ground points."""
        d = link.geodetic_to_ecef_km(lat_deg, lon_deg, height_km) - self.sat_km
        return d / np.linalg.norm(d, axis=-1, keepdims=True)

    def plane(self, directions) -> tuple[np.ndarray, np.ndarray]:
        """Tangent-plane coordinates (x, y), radians, of unit ``directions`` (..., 3)."""
        d = np.asarray(directions, dtype=float)
        dw = d @ self.w
        return (d @ self.u) / dw, (d @ self.v) / dw

    def from_plane(self, x, y) -> np.ndarray:
        """Unit directions (..., 3) of tangent-plane points (x, y) (radians)."""
        x, y = np.asarray(x, dtype=float), np.asarray(y, dtype=float)
        d = self.w + x[..., None] * self.u + y[..., None] * self.v
        return d / np.linalg.norm(d, axis=-1, keepdims=True)

    def ground(self, directions) -> tuple[np.ndarray, np.ndarray]:
        """Latitude and longitude (deg) where rays along ``directions`` (..., 3) first meet
        the WGS-84 ellipsoid; NaN where they miss the Earth."""
        d = np.asarray(directions, dtype=float)
        scale = np.array([1.0, 1.0, link.WGS84_A_KM / WGS84_B_KM])
        s, dd = self.sat_km * scale, d * scale
        a = (dd * dd).sum(-1)
        b = 2.0 * (dd * s).sum(-1)
        c = (s * s).sum() - link.WGS84_A_KM**2
        disc = b * b - 4.0 * a * c
        t = (-b - np.sqrt(np.where(disc >= 0, disc, np.nan))) / (2.0 * a)
        lat, lon, _ = frames.itrf_to_geodetic((self.sat_km + t[..., None] * d).reshape(-1, 3))
        return lat.reshape(t.shape), lon.reshape(t.shape)


@dataclass
class BeamSet:
    """A spot-beam layout: per beam its axial lattice coordinates ``q``, ``r``, tangent
    plane centre ``x``, ``y`` (rad), unit ``direction`` (beam, 3) from the satellite,
    ground centre ``lat``, ``lon`` (deg), ``colour``; the lattice ``spacing_rad``, the
    satellite ``view`` and the 3 dB ``beamwidth_deg``."""

    q: np.ndarray
    r: np.ndarray
    x: np.ndarray
    y: np.ndarray
    direction: np.ndarray
    lat: np.ndarray
    lon: np.ndarray
    colour: np.ndarray
    spacing_rad: float
    beamwidth_deg: float
    view: View

    def __len__(self) -> int:
        return len(self.q)

    def cells(self, points_per_side: int = 4) -> list[shapely.Polygon]:
        """Each beam's hexagonal cell on the ground, a lon/lat polygon (cells reaching past
        the Earth's limb are cut where the rays miss it)."""
        rad = self.spacing_rad / _SQRT3
        ang = np.radians(30.0 + 60.0 * np.arange(7))
        cx, cy = rad * np.cos(ang), rad * np.sin(ang)
        t = np.linspace(0.0, 1.0, points_per_side, endpoint=False)
        ex = (cx[:-1, None] + (cx[1:] - cx[:-1])[:, None] * t).ravel()
        ey = (cy[:-1, None] + (cy[1:] - cy[:-1])[:, None] * t).ravel()
        lat, lon = self.view.ground(
            self.view.from_plane(self.x[:, None] + ex, self.y[:, None] + ey)
        )
        out = []
        for la, lo in zip(lat, lon, strict=True):
            ok = np.isfinite(la)
            out.append(shapely.Polygon(np.column_stack([lo[ok], la[ok]])) if ok.sum() >= 3
                       else shapely.Polygon())  # fmt: skip
        return out


def _lattice(view: View, spacing: float, area_plane: shapely.Geometry):
    """Axial coordinates and centres of the lattice cells whose hexagon overlaps the area
    (in the tangent plane) by at least a tenth of a cell."""
    x0, y0, x1, y1 = area_plane.bounds
    dy = spacing * _SQRT3 / 2.0
    r = np.arange(math.floor(y0 / dy) - 1, math.ceil(y1 / dy) + 2)
    q_lo = math.floor(x0 / spacing - r.max() / 2.0) - 2
    q_hi = math.ceil(x1 / spacing - r.min() / 2.0) + 2
    q = np.arange(q_lo, q_hi + 1)
    qq, rr = (a.ravel() for a in np.meshgrid(q, r, indexing="ij"))
    x = spacing * (qq + rr / 2.0)
    y = dy * rr
    rad = spacing / _SQRT3
    ang = np.radians(30.0 + 60.0 * np.arange(6))
    hexes = shapely.polygons(np.stack([x[:, None] + rad * np.cos(ang),
                                       y[:, None] + rad * np.sin(ang)], axis=-1))  # fmt: skip
    overlap = shapely.area(shapely.intersection(hexes, area_plane)) / shapely.area(hexes)
    keep = overlap >= 0.1
    return qq[keep], rr[keep], x[keep], y[keep]


def area_in_plane(view: View, geom: shapely.Geometry) -> shapely.Geometry:
    """An area's lon/lat geometry as seen from the satellite, in tangent-plane radians."""

    def project(coords):
        d = view.directions(coords[:, 1], coords[:, 0])
        x, y = view.plane(d)
        return np.column_stack([x, y])

    return shapely.transform(geom, project)


def layout(params: HtsParameters, demand_points=None) -> BeamSet:
    """The beams of ``params`` over ``params.area`` from ``params.slot_lon_deg``.

    ``layout="hex"``: every cell of a hexagonal lattice overlapping the area by a tenth of
    a cell or more. ``layout="demand"``: of those cells, the ``n_beams`` (0: all with
    demand) whose cells hold the most demand; ``demand_points`` is then required, a tuple
    (lat, lon, demand) of arrays. Colours by :func:`colours`.
    """
    geom = places.area_geometry(params.area)
    centre = geom.representative_point() if not geom.centroid.within(geom) else geom.centroid
    view = View.towards(params.slot_lon_deg, centre.y, centre.x)
    _, el, _ = link.geo_look_angles(centre.y, centre.x, params.slot_lon_deg)
    if float(el) <= 0.0:
        raise ParameterError("hts.slot_lon_deg", f"{params.slot_lon_deg} deg E does not see "
                             f"the area {params.area!r}")  # fmt: skip
    spacing = math.radians(spacing_deg(params))
    q, r, x, y = _lattice(view, spacing, area_in_plane(view, geom))
    if params.layout == "demand":
        if demand_points is None:
            raise ParameterError("hts.layout", "a demand-driven layout needs demand points")
        lat, lon, dem = (np.asarray(a, dtype=float) for a in demand_points)
        px, py = view.plane(view.directions(lat, lon))
        # nearest lattice centre = the hexagon holding the point
        d2 = (px[:, None] - x[None, :]) ** 2 + (py[:, None] - y[None, :]) ** 2
        held = np.bincount(np.argmin(d2, axis=1), weights=dem, minlength=len(q))
        order = np.argsort(-held, kind="stable")
        n = int(params.n_beams) or int((held > 0).sum())
        keep = np.sort(order[: max(1, min(n, len(q)))])
        q, r, x, y = q[keep], r[keep], x[keep], y[keep]
    elif params.n_beams and params.n_beams != len(q):
        raise ParameterError("hts.n_beams", f"a hex layout of {params.area!r} has {len(q)} "
                             "beams; use layout='demand' to choose how many")  # fmt: skip
    direction = view.from_plane(x, y)
    lat, lon = view.ground(direction)
    return BeamSet(q, r, x, y, direction, lat, lon, colours(q, r, params.colours), spacing,
                   beamwidth_deg(params), view)  # fmt: skip
