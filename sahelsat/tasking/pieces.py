"""Pieces of areas: how several partial strips combine to cover one area.

The planner values an area by the fraction of it covered. :func:`coverage_pieces` cuts
each request's area into the cells of the overlay of its strips (every cell lies inside
the same set of strips), measures each cell geodesically on WGS-84, and gives it its
share of the request's value: ``100 * priority * fraction`` in whole units, apportioned by
largest remainders so that the cells of an area add up to its rounded total. The result
is the ``pieces`` table of :func:`~sahelsat.tasking.problem.planning_problem`.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import shapely
from shapely.ops import polygonize, unary_union

from sahelsat.tasking.problem import PIECE_COLUMNS
from sahelsat.tasking.requests import ImagingRequest, geodesic_area_km2


def _cells(aoi, strips: list) -> list[tuple[frozenset[int], float]]:
    """(indices of the strips covering it, area km2) of each cell of the overlay."""
    parts = [s.intersection(aoi) for s in strips]
    lines = unary_union([aoi.boundary, *[p.boundary for p in parts if not p.is_empty]])
    cells: dict[frozenset[int], float] = {}
    for face in polygonize(lines):
        point = face.representative_point()
        if not aoi.covers(point):
            continue
        members = frozenset(i for i, p in enumerate(parts) if not p.is_empty and p.covers(point))
        if members:
            cells[members] = cells.get(members, 0.0) + geodesic_area_km2(face)
    return list(cells.items())


def apportion(total: int, weights: np.ndarray) -> np.ndarray:
    """Whole numbers proportional to ``weights`` (k,) summing to ``total`` (largest
    remainders)."""
    weights = np.asarray(weights, dtype=float)
    if not weights.size or weights.sum() <= 0:
        return np.zeros(weights.size, dtype=np.int64)
    ideal = total * weights / weights.sum()
    out = np.floor(ideal).astype(np.int64)
    rest = int(total - out.sum())
    out[np.argsort(-(ideal - out), kind="stable")[:rest]] += 1
    return out


def coverage_pieces(opportunities: pd.DataFrame, requests: list[ImagingRequest]) -> pd.DataFrame:
    """The pieces table (``PIECE_COLUMNS``) of ``requests`` from the strips (column
    ``strip``, lon/lat polygons) of their ``opportunities``; requests without an
    opportunity have no piece."""
    rows = []
    by_request = {r.id: r for r in requests}
    for rid, opp in opportunities.groupby("request", sort=True):
        r = by_request.get(rid)
        if r is None:
            continue
        strips = [s if s is not None else shapely.Polygon() for s in opp["strip"]]
        cells = _cells(r.aoi, strips)
        area = geodesic_area_km2(r.aoi)
        fractions = np.array([min(a / area, 1.0) for _, a in cells])
        total = int(round(100.0 * r.priority * min(float(fractions.sum()), 1.0)))
        values = apportion(total, fractions)
        names = opp["opportunity"].to_numpy()
        for k, ((members, _), f, v) in enumerate(zip(cells, fractions, values, strict=True)):
            for i in sorted(members):
                rows.append((f"{rid}/{k}", rid, names[i], int(v), round(float(f), 6)))
    out = pd.DataFrame(rows, columns=list(PIECE_COLUMNS))
    if out.empty:
        out = out.astype({"value": np.int64, "fraction": float})
    return out
