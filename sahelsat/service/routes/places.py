"""``/api/places``: country outlines, towns and ground stations (public)."""

from __future__ import annotations

import json
from functools import cache
from typing import Annotated

from fastapi import APIRouter, Query
from fastapi.responses import Response

from sahelsat.service.deps import JsonRoute
from sahelsat.service.models import GeoJSONResponse, SiteOut, geojson_response

router = APIRouter(prefix="/api/places", tags=["places"], route_class=JsonRoute)


@cache
def _countries_geojson() -> bytes:
    from shapely.geometry import mapping

    from sahelsat.places import COUNTRIES, country_outlines

    features = [
        {
            "type": "Feature",
            "id": code,
            "properties": {"iso3": code, "name": COUNTRIES[code]},
            "geometry": mapping(geom),
        }
        for code, geom in country_outlines().items()
    ]
    return json.dumps({"type": "FeatureCollection", "features": features}).encode()


@router.get(
    "/countries",
    response_class=GeoJSONResponse,
    responses=geojson_response("the three countries' outlines"),
    summary="Outlines of Mali, Niger and Burkina Faso (GeoJSON, public)",
)
def countries() -> Response:
    return Response(_countries_geojson(), media_type="application/geo+json")


@router.get("/towns", response_class=GeoJSONResponse, responses=geojson_response("towns as points"),
            summary="Towns of the three countries (GeoJSON points, public)")  # fmt: skip
def town_points(min_population: Annotated[int, Query(ge=0, le=10**9)] = 0) -> Response:
    from sahelsat.places import towns

    table = towns(min_population=min_population)
    features = [
        {
            "type": "Feature",
            "properties": {"name": r.name, "country": r.country, "population": int(r.population)},
            "geometry": {"type": "Point", "coordinates": [r.longitude_deg, r.latitude_deg]},
        }
        for r in table.itertuples()
    ]
    body = {"type": "FeatureCollection", "features": features}
    return Response(json.dumps(body), media_type="application/geo+json")


@router.get("/stations", summary="The national ground stations (public)")
def stations() -> list[SiteOut]:
    from sahelsat.places import ground_stations

    return [SiteOut(**row) for row in ground_stations().to_dict(orient="records")]
