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

from shapely.geometry import mapping
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError

from sahelsat.service.db import ElementSet, ImagingRequest, StoreMeta, utcnow

log = logging.getLogger(__name__)

SEED_KEY = "default-scenario"
SENSORS_KEY = "fleet-sensors:{fleet}"


def _priority(value: float, low: float, high: float) -> int:
    """A scenario priority (any positive scale) on the API's 1 (routine) .. 5 (emergency)."""
    if high <= low:
        return 3
    return 1 + round(4 * (value - low) / (high - low))


def _requests(scenario, errors: list[str]) -> list[dict]:
    """The scenario's valid requests as rows of ``imaging_requests`` (points become
    circles); the invalid ones are described in ``errors``."""
    from pyproj import Geod

    from sahelsat.scenario.run import imaging_requests
    from sahelsat.tasking.requests import MAX_OFF_NADIR_DEG  # no limit tighter than any sensor

    made_by_id = {m.id: m for m in imaging_requests(scenario, errors)}
    start = scenario.scenario.start.replace(tzinfo=None)
    stop = scenario.scenario.stop.replace(tzinfo=None)
    priorities = [r.priority for r in scenario.requests] or [1.0]
    low, high = min(priorities), max(priorities)
    geod = Geod(ellps="WGS84")
    rows = []
    for r in scenario.requests:
        made = made_by_id.get(r.id)
        if made is None:
            continue
        poly = made.aoi if made.aoi.geom_type == "Polygon" else max(made.aoi.geoms, key=len)
        poly = poly.simplify(0.0005) if len(poly.exterior.coords) > 500 else poly
        area_m2, _ = geod.geometry_area_perimeter(poly)
        min_lon, min_lat, max_lon, max_lat = poly.bounds
        geometry = mapping(poly)
        geometry = {
            "type": "Polygon",
            "coordinates": [[[round(x, 6), round(y, 6)] for x, y, *_ in ring]
                            for ring in geometry["coordinates"]],
        }  # fmt: skip
        note = f"default scenario request {r.id!r}, scenario priority {r.priority:g}"
        if r.mode != "mono":
            note += f", {r.mode}"
        if r.repeat_days:
            note += f", repeat every {r.repeat_days:g} d"
        rows.append(
            {
                "name": r.title or r.id,
                "geometry": json.dumps(geometry),
                "min_lon": min_lon,
                "min_lat": min_lat,
                "max_lon": max_lon,
                "max_lat": max_lat,
                "area_km2": abs(area_m2) / 1e6,
                "start": start,
                "stop": stop,
                "priority": _priority(r.priority, low, high),
                "sensor": r.sensor,
                "max_off_nadir_deg": made.max_off_nadir_deg or MAX_OFF_NADIR_DEG,
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
    rows = _requests(scenario, notes)
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
