"""Checks on product files uploaded to the service, by type, before they are stored.

A product's type comes from its file name's extension and its content must match it
(GeoJSON parses and has a GeoJSON type; GeoTIFF, PNG and NetCDF start with their
signatures; CSV is UTF-8 text). :class:`ProductError` names the field at fault.
"""

from __future__ import annotations

import json

MEDIA_TYPES = {
    ".geojson": "application/geo+json",
    ".json": "application/geo+json",
    ".tif": "image/tiff",
    ".tiff": "image/tiff",
    ".png": "image/png",
    ".csv": "text/csv",
    ".nc": "application/x-netcdf",
}
GEOJSON_TYPES = {
    "FeatureCollection", "Feature", "Point", "MultiPoint", "LineString", "MultiLineString",
    "Polygon", "MultiPolygon", "GeometryCollection",
}  # fmt: skip
SIGNATURES = {
    "image/tiff": (b"II*\x00", b"MM\x00*", b"II+\x00", b"MM\x00+"),
    "image/png": (b"\x89PNG\r\n\x1a\n",),
    "application/x-netcdf": (b"CDF\x01", b"CDF\x02", b"CDF\x05", b"\x89HDF\r\n\x1a\n"),
}


class ProductError(ValueError):
    """A product file that cannot be accepted: ``field`` and ``reason``."""

    def __init__(self, field: str, reason: str):
        super().__init__(f"{field}: {reason}")
        self.field = field
        self.reason = reason


def check_product(name: str, content: bytes) -> str:
    """The media type of the product file ``name`` with ``content``; raises ProductError."""
    if "/" in name or "\\" in name or name.startswith("."):
        raise ProductError("query.name", "a plain file name, without folders")
    suffix = name[name.rfind(".") :].lower() if "." in name else ""
    if suffix not in MEDIA_TYPES:
        raise ProductError(
            "query.name", f"unknown extension {suffix!r}; use one of {', '.join(MEDIA_TYPES)}"
        )
    media_type = MEDIA_TYPES[suffix]
    if not content:
        raise ProductError("body", "the file is empty")
    if media_type in SIGNATURES:
        if not content.startswith(SIGNATURES[media_type]):
            raise ProductError("body", f"not a {suffix} file (its first bytes do not match)")
        return media_type
    try:
        text = content.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise ProductError("body", f"not UTF-8 text (byte {exc.start})") from None
    if media_type == "application/geo+json":
        try:
            data = json.loads(text)
        except json.JSONDecodeError as exc:
            raise ProductError("body", f"invalid JSON at line {exc.lineno}: {exc.msg}") from None
        if not isinstance(data, dict) or data.get("type") not in GEOJSON_TYPES:
            raise ProductError("body.type", "not GeoJSON: expected a FeatureCollection, "
                               "Feature or geometry object")  # fmt: skip
    return media_type
