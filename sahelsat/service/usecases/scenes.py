"""Scenes: images (GeoTIFF/COG) uploaded for the flood chain, checked before any work.

A scene is read with rasterio from memory: it must be a GeoTIFF with a CRS and an
affine georeference, 1 to 4 bands of numbers, at least ``MIN_SIDE`` pixels a side and
at most the service's ``max_flood_pixels``, and lie on Earth in lon/lat. Anything else
is refused with the field that is wrong (a 4xx), never a 500.
"""

from __future__ import annotations

import hashlib
import warnings

from sqlalchemy import func, select

from sahelsat.inputs import InputError
from sahelsat.service.db import ImagingRequest, Scene
from sahelsat.service.usecases import NotFound

MIN_SIDE = 16
MAX_BANDS = 4
NUMERIC = ("uint8", "uint16", "int16", "uint32", "int32", "float32", "float64")


def check(content: bytes, max_pixels: float) -> dict:
    """The facts of an uploaded scene (``crs, width, height, bands, min_lon, min_lat,
    max_lon, max_lat``), or :class:`InputError` naming ``body`` and what is wrong."""
    import rasterio
    from rasterio.errors import RasterioError
    from rasterio.io import MemoryFile

    if not content.startswith((b"II*\x00", b"MM\x00*", b"II+\x00", b"MM\x00+")):
        raise InputError.at("body", "not a GeoTIFF (TIFF signature missing)")
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            with MemoryFile(content) as mem, mem.open() as ds:
                facts = _facts(ds, max_pixels)
                ds.read(1, window=rasterio.windows.Window(0, 0, 1, 1))  # the data is readable
    except InputError:
        raise
    except (RasterioError, ValueError, OSError) as exc:
        raise InputError.at("body", f"not a readable GeoTIFF: {str(exc)[:200]}") from None
    return facts


def _facts(ds, max_pixels: float) -> dict:
    from rasterio.warp import transform_bounds

    if ds.driver != "GTiff":
        raise InputError.at("body", f"a GeoTIFF is needed, not {ds.driver}")
    if ds.crs is None:
        raise InputError.at("body", "the scene has no CRS (georeference it first)")
    if ds.transform.is_identity or ds.transform.b or ds.transform.d:
        raise InputError.at("body", "the scene needs a north-up affine georeference")
    if not 1 <= ds.count <= MAX_BANDS:
        raise InputError.at("body", f"{ds.count} bands: 1 to {MAX_BANDS} expected (VV, VH)")
    if any(d not in NUMERIC for d in ds.dtypes):
        raise InputError.at("body", f"band types {sorted(set(ds.dtypes))}: numbers expected")
    if min(ds.width, ds.height) < MIN_SIDE:
        raise InputError.at("body", f"{ds.width} x {ds.height} pixels: at least {MIN_SIDE} a side")
    if ds.width * ds.height > max_pixels:
        raise InputError.at(
            "body", f"{ds.width} x {ds.height} pixels: over the limit of {max_pixels:g}"
        )
    try:
        x0, y0, x1, y1 = transform_bounds(ds.crs, "EPSG:4326", *ds.bounds, densify_pts=21)
    except Exception as exc:  # a CRS PROJ cannot transform: the input's fault
        raise InputError.at("body", f"the scene's CRS cannot be used: {str(exc)[:200]}") from None
    if not (-180 <= x0 <= x1 <= 180 and -90 <= y0 <= y1 <= 90):
        raise InputError.at("body", "the scene's bounds are not on Earth in lon/lat")
    return {"crs": ds.crs.to_string()[:200], "width": ds.width, "height": ds.height,
            "bands": ds.count, "min_lon": x0, "min_lat": y0, "max_lon": x1,
            "max_lat": y1}  # fmt: skip


def out(row) -> dict:
    """A scene as the API shows it (no content)."""
    return {
        "id": row.id, "name": row.name, "crs": row.crs, "width": row.width,
        "height": row.height, "bands": row.bands, "size_bytes": row.size_bytes,
        "sha256": row.sha256, "request_id": row.request_id,
        "bounds": [row.min_lon, row.min_lat, row.max_lon, row.max_lat],
        "created_at": row.created_at.isoformat(timespec="seconds") + "Z",
    }  # fmt: skip


def store(sessions, name: str, content: bytes, facts: dict, request_id: int | None,
          created_by: int | None) -> dict:  # fmt: skip
    """Keep a checked scene; ``request_id`` must name a stored imaging request."""
    with sessions() as db:
        if request_id is not None and db.get(ImagingRequest, request_id) is None:
            raise NotFound("request_id", f"no imaging request {request_id}")
        row = Scene(name=name, size_bytes=len(content), content=content,
                    sha256=hashlib.sha256(content).hexdigest(), request_id=request_id,
                    created_by=created_by, **facts)  # fmt: skip
        db.add(row)
        db.commit()
        return out(row)


def listing(db, limit: int, offset: int) -> dict:
    cols = [c for c in Scene.__table__.columns if c.name != "content"]
    total = db.scalar(select(func.count()).select_from(Scene))
    rows = db.execute(select(*cols).order_by(Scene.id.desc()).limit(limit).offset(offset)).all()
    return {"items": [out(r) for r in rows], "total": total, "limit": limit, "offset": offset}


def get(db, scene_id: int) -> Scene:
    row = db.get(Scene, scene_id)
    if row is None:
        raise NotFound("scene_id", f"no scene {scene_id}")
    return row
