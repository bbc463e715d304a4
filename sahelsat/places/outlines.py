"""The three countries: codes, outlines, named areas and how to draw them.

Outlines ship in ``sahelsat/data/boundaries`` (see its README): lon/lat WGS-84.
"""

from __future__ import annotations

import json
from functools import cache
from importlib import resources

import shapely
from shapely.geometry import shape

#: Country codes (ISO 3166-1 alpha-3) of the Alliance of Sahel States, and their names.
COUNTRIES = {"MLI": "Mali", "NER": "Niger", "BFA": "Burkina Faso"}


def data_path(*parts: str):
    """A file of ``sahelsat/data`` (a ``Traversable``: use ``.open()``)."""
    return resources.files("sahelsat").joinpath("data", *parts)


def country_code(name: str) -> str:
    """ISO3 code of one of the three countries from its code or name (any case)."""
    key = str(name).strip().upper()
    for code, full in COUNTRIES.items():
        if key in (code, full.upper()):
            return code
    raise ValueError(f"unknown country {name!r}; use one of {sorted(COUNTRIES)} or their names")


@cache
def _outline(code: str) -> shapely.Geometry:
    with data_path("boundaries", f"{code.lower()}.geo.json").open() as f:
        features = json.load(f)["features"]
    return shapely.union_all([shape(feat["geometry"]) for feat in features])


def country_outlines() -> dict[str, shapely.Geometry]:
    """Outlines of Mali, Niger and Burkina Faso: ISO3 code -> shapely polygon (lon/lat)."""
    return {code: _outline(code) for code in COUNTRIES}


def draw_outlines(ax, color: str = "black") -> None:
    """Draw the three countries' outlines and codes on matplotlib axes in lon/lat degrees
    (equal aspect, axis labels)."""
    for code, geom in country_outlines().items():
        for poly in getattr(geom, "geoms", [geom]):
            x, y = poly.exterior.xy
            ax.plot(x, y, color=color, linewidth=0.8)
        c = geom.representative_point()
        ax.annotate(code, (c.x, c.y), fontsize=8, color="dimgray", ha="center")
    ax.set_xlabel("longitude (°E)")  # the same words in English and French
    ax.set_ylabel("latitude (°N)")
    ax.set_aspect("equal")


def area_geometry(area: str = "AES") -> shapely.Geometry:
    """A named area as one lon/lat geometry: ``AES`` (the three countries) or one ISO3/name."""
    if area.strip().upper() in ("AES", "SAHEL", "ALL"):
        return shapely.union_all(list(country_outlines().values()))
    return _outline(country_code(area))
