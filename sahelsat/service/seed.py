"""Loading the built-in default scenario into an empty store, once.

``sahelsat serve`` starts on the default scenario (``sahelsat.scenario.load_scenario``):
its imaging satellites become an element set (fleet ``upload-<id>``, with the designed
satellites' sensors kept so opportunities use them) and its imaging requests become
stored requests. A ``store_meta`` row written in the same transaction marks the store as
seeded: a restart, or a second server starting on the same database, adds nothing.
"""

from __future__ import annotations

import json
import logging

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError

from sahelsat.inputs import MAX_OFF_NADIR_DEG, geodesic_area_km2, naive_utc
from sahelsat.service.db import ElementSet, ImagingRequest, StoreMeta, utcnow

log = logging.getLogger(__name__)

SEED_KEY = "default-scenario"
SENSORS_KEY = "fleet-sensors:{fleet}"


def _requests(scenario) -> list[dict]:
    """The scenario's requests as rows of ``imaging_requests`` (points become circles);
    they were validated with the file, by the same typed inputs as the API's bodies."""
    rows = []
    for spec, r in zip(scenario.requests, scenario.imaging_requests(), strict=True):
        poly = r.area.shape
        poly = poly if poly.geom_type == "Polygon" else max(poly.geoms, key=lambda p: p.area)
        poly = poly.simplify(0.0005) if len(poly.exterior.coords) > 500 else poly
        min_lon, min_lat, max_lon, max_lat = poly.bounds
        geometry = {
            "type": "Polygon",
            "coordinates": [[[round(x, 6), round(y, 6)] for x, y, *_ in ring.coords]
                            for ring in (poly.exterior, *poly.interiors)],
        }  # fmt: skip
        note = f"default scenario request {r.id!r}"
        if r.mode != "mono":
            note += f", {r.mode}"
        if r.repeat_days:
            note += f", repeat every {r.repeat_days:g} d"
        rows.append(
            {
                "name": spec.title or r.id,
                "geometry": json.dumps(geometry),
                "min_lon": min_lon,
                "min_lat": min_lat,
                "max_lon": max_lon,
                "max_lat": max_lat,
                "area_km2": geodesic_area_km2(poly),
                "start": naive_utc(r.window.start),
                "stop": naive_utc(r.window.stop),
                "priority": r.priority,
                "sensor": r.sensor,
                "max_off_nadir_deg": r.max_off_nadir_deg or MAX_OFF_NADIR_DEG,
                "min_sun_elevation_deg": r.min_sun_elevation_deg,
                "status": "submitted",
                "note": note,
            }
        )
    return rows


def store_is_empty(session) -> bool:
    """No element set, request or seed marker yet."""
    if session.get(StoreMeta, SEED_KEY) is not None:
        return False
    for table in (ElementSet, ImagingRequest):
        if session.scalar(select(func.count()).select_from(table)):
            return False
    return True


def seed_default_scenario(sessions, name: str = "sahel") -> dict | None:
    """Load scenario ``name`` into an empty store; returns what was added (None: nothing).

    Idempotent: a store that holds any element set or request, or was seeded before, is
    left as it is. Two servers seeding at once: the marker's primary key lets one win.
    """
    with sessions() as session:
        if not store_is_empty(session):
            return None
    from sahelsat.scenario import load_scenario
    from sahelsat.scenario.run import imaging_fleet

    scenario = load_scenario(name)
    notes: list[str] = []
    fleet, sensors = imaging_fleet(scenario, notes)
    rows = _requests(scenario)
    title = scenario.scenario.name
    try:
        with sessions.begin() as session:
            if not store_is_empty(session):
                return None
            now = utcnow()
            element_set = ElementSet(
                name=f"{title}: imaging satellites"[:100],
                text=fleet.to_tle(),
                n_satellites=len(fleet),
            )
            session.add(element_set)
            session.flush()
            key = f"upload-{element_set.id}"
            requests = [ImagingRequest(**row, created_at=now, updated_at=now) for row in rows]
            session.add_all(requests)
            session.flush()
            added = {
                "scenario": name,
                "title": title,
                "start": scenario.scenario.start.isoformat().replace("+00:00", "Z"),
                "stop": scenario.scenario.stop.isoformat().replace("+00:00", "Z"),
                "fleet": key,
                "n_satellites": len(fleet),
                "requests": [r.id for r in requests],
                "notes": notes,
            }
            session.add(StoreMeta(key=SEED_KEY, value=json.dumps(added)))
            sensor_table = {str(n): s.model_dump(mode="json") for n, s in sensors.items()}
            session.add(
                StoreMeta(key=SENSORS_KEY.format(fleet=key), value=json.dumps(sensor_table))
            )
    except IntegrityError:  # another server seeded it first
        log.info("default scenario already loaded by another server")
        return None
    log.info("loaded the default scenario %r: fleet %s, %d requests", name, key, len(rows))
    return added


def seeded(session) -> dict | None:
    """What the default scenario put in the store (None if it was never loaded)."""
    row = session.get(StoreMeta, SEED_KEY)
    return None if row is None else json.loads(row.value)


def fleet_sensors(session, key: str) -> dict | None:
    """Sensors by satellite name kept for fleet ``key`` (designed satellites), or None."""
    row = session.get(StoreMeta, SENSORS_KEY.format(fleet=key))
    if row is None:
        return None
    from sahelsat.sensors import Sensor

    return {name: Sensor.model_validate(fields) for name, fields in json.loads(row.value).items()}
