"""The bridge from the API to the package's capabilities: fleets, positions, passes.

Nothing here computes orbits or geometry itself: it resolves names into fleets and
sites, calls the public functions (``sahelsat.load_elements``, ``sahelsat.catalogue``,
``Fleet.geodetic``, ``sahelsat.passes``), bounds the work they are asked for, and turns
their tables into JSON. A capability not installed yet answers 503
(:class:`~sahelsat.service.errors.CapabilityMissing`). Long runs are job kinds
(:func:`register_jobs`).
"""

from __future__ import annotations

import io
import json
import re
import threading
import warnings
from collections import OrderedDict
from datetime import datetime, timedelta

import numpy as np

from sahelsat.service.errors import ApiError, CapabilityMissing
from sahelsat.service.jobs import JobOutput, JobParamError, register_job_kind
from sahelsat.service.models import as_naive_utc, iso_utc

CATALOGUES = ("resource", "starlink", "oneweb", "geo", "weather")
#: Bounds on synchronous work: satellites x hours for passes, tracked satellites.
MAX_PASS_HOURS = 72
MAX_PASS_WORK = 5_000  # satellite-hours answered in a request; more is a job
MAX_TRACKED = 12_000
MAX_TRACK_WORK = 400_000  # satellite-minutes of ground track in one answer
MAX_OPPORTUNITY_DAYS = 3
MAX_JOB_DAYS = 14

_FLEETS: OrderedDict[str, object] = OrderedDict()
_FLEETS_LOCK = threading.Lock()


def available() -> dict[str, bool]:
    """Which capabilities this installation has."""
    import importlib.util

    import sahelsat

    return {
        "fleets": hasattr(sahelsat, "load_elements"),
        "passes": importlib.util.find_spec("sahelsat.access") is not None,
        "coverage": importlib.util.find_spec("sahelsat.coverage_analysis") is not None,
    }


def _load(text: bytes):
    from sahelsat import load_elements

    # bytes, never str: a short str would be taken for a file path
    return load_elements(text, strict=False)


def check_elements(text: str) -> tuple[int, list[str]]:
    """Number of usable element sets in ``text`` and the problems of the others."""
    try:
        from sahelsat.elements import ElementSetError
    except ImportError:
        raise CapabilityMissing("element-set reading (sahelsat.load_elements)") from None
    try:
        fleet = _load(text.encode())
    except ElementSetError as exc:
        return 0, [str(exc)]
    return len(fleet), [str(s) for s in fleet.skipped]


def fleet(db, key: str):
    """The fleet named ``key``: a shipped catalogue or ``upload-<id>`` (cached, 404)."""
    with _FLEETS_LOCK:
        if key in _FLEETS:
            _FLEETS.move_to_end(key)
            return _FLEETS[key]
    if key in CATALOGUES:
        try:
            from sahelsat import catalogue
        except ImportError:
            raise CapabilityMissing("catalogues (sahelsat.catalogue)") from None
        result = catalogue(key)
    elif match := re.fullmatch(r"upload-(\d{1,9})", key):
        from sahelsat.service.db import ElementSet

        row = db.get(ElementSet, int(match.group(1)))
        if row is None:
            raise ApiError(404, "fleet", f"no uploaded element set {match.group(1)}")
        result = _load(row.text.encode())
    else:
        raise ApiError(
            404, "fleet", f"unknown fleet {key!r}: use {', '.join(CATALOGUES)} or upload-<id>"
        )
    with _FLEETS_LOCK:
        _FLEETS[key] = result
        while len(_FLEETS) > 8:
            _FLEETS.popitem(last=False)
    return result


def site(station: str | None, lat: float | None, lon: float | None) -> dict:
    """A site from a ground-station name or a latitude/longitude pair (422 otherwise)."""
    from sahelsat.places import ground_stations

    if station is not None:
        table = ground_stations()
        hit = table[table["name"].str.lower() == station.strip().lower()]
        if hit.empty:
            names = ", ".join(table["name"])
            raise ApiError(422, "query.station", f"unknown station {station!r}; known: {names}")
        return {k: (v if k == "name" else float(v)) for k, v in hit.iloc[0].to_dict().items()}
    if lat is None or lon is None:
        raise ApiError(422, "query.station", "give a station name, or both lat and lon")
    return {
        "name": f"{lat:.4f},{lon:.4f}",
        "latitude_deg": float(lat),
        "longitude_deg": float(lon),
        "altitude_m": 0.0,
    }


def _times(start: datetime, minutes: int, step_min: float = 1.0) -> np.ndarray:
    t0 = np.datetime64(start.replace(tzinfo=None), "ns")
    steps = np.arange(0, minutes + step_min / 2, step_min)
    return t0 + (steps * 60e9).astype("timedelta64[ns]")


def _split_antimeridian(lon: np.ndarray, lat: np.ndarray) -> list[list[list[float]]]:
    good = np.isfinite(lon) & np.isfinite(lat)
    parts, current = [], []
    for i in range(len(lon)):
        if not good[i]:
            if len(current) > 1:
                parts.append(current)
            current = []
            continue
        if current and abs(lon[i] - current[-1][0]) > 180:
            if len(current) > 1:
                parts.append(current)
            current = []
        current.append([round(float(lon[i]), 4), round(float(lat[i]), 4)])
    if len(current) > 1:
        parts.append(current)
    return parts


def positions(db, key: str, when: datetime, track_minutes: int, max_satellites: int) -> dict:
    """GeoJSON: each satellite's sub-satellite point at ``when`` and its track ahead."""
    sats = fleet(db, key)
    n = min(len(sats), max_satellites)
    if n * max(track_minutes, 1) > MAX_TRACK_WORK:
        raise ApiError(
            422,
            "query.track_minutes",
            f"{n} satellites x {track_minutes} min is too much; ask for fewer of either",
        )
    sub = sats[:n]
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        lat, lon, alt = sub.geodetic(_times(when, track_minutes))
    features = []
    for i in range(n):
        name = str(sub.names[i])
        if np.isfinite(lat[i, 0]):
            features.append(
                {
                    "type": "Feature",
                    "properties": {
                        "kind": "satellite",
                        "name": name,
                        "altitude_km": round(float(alt[i, 0]), 1),
                    },
                    "geometry": {
                        "type": "Point",
                        "coordinates": [round(float(lon[i, 0]), 4), round(float(lat[i, 0]), 4)],
                    },
                }
            )
        if track_minutes:
            parts = _split_antimeridian(lon[i], lat[i])
            if parts:
                features.append(
                    {
                        "type": "Feature",
                        "properties": {"kind": "track", "name": name},
                        "geometry": {"type": "MultiLineString", "coordinates": parts},
                    }
                )
    return {
        "type": "FeatureCollection",
        "features": features,
        "time": iso_utc(when),
        "fleet": key,
        "truncated": n < len(sats),
        "warnings": sorted({str(w.message) for w in caught}),
    }


def _passes_function():
    try:
        from sahelsat.access import passes
    except ImportError:
        raise CapabilityMissing("pass prediction (sahelsat.passes)") from None
    return passes


def _records(table) -> list[dict]:
    out = []
    for row in table.to_dict(orient="records"):
        item = {}
        for k, v in row.items():
            if isinstance(v, (np.datetime64, datetime)) or hasattr(v, "to_datetime64"):
                item[k] = str(np.datetime64(v, "s")) + "Z"
            elif isinstance(v, (np.floating, float)):
                item[k] = None if not np.isfinite(v) else round(float(v), 3)
            elif isinstance(v, np.integer):
                item[k] = int(v)
            else:
                item[k] = v
        out.append(item)
    return out


_PASSES: OrderedDict[tuple, list] = OrderedDict()
PASSES_CACHE_SIZE = 256


def passes(db, key: str, where: dict, start: datetime, stop: datetime, min_el: float) -> list:
    """Passes of fleet ``key`` over the site ``where`` between ``start`` and ``stop``.

    Answers are cached (fleets are immutable: catalogues ship with the package, uploads are
    never edited), so many operators reading the same station's schedule cost one run.
    """
    run = _passes_function()
    site_key = (where["latitude_deg"], where["longitude_deg"], where.get("altitude_m", 0.0))
    cache_key = (key, where["name"], site_key, start, stop, float(min_el))
    with _FLEETS_LOCK:
        if cache_key in _PASSES:
            _PASSES.move_to_end(cache_key)
            return _PASSES[cache_key]
    sats = fleet(db, key)
    hours = (stop - start).total_seconds() / 3600
    if len(sats) * hours > MAX_PASS_WORK:
        raise ApiError(
            422,
            "query.hours",
            f"{len(sats)} satellites x {hours:g} h exceeds {MAX_PASS_WORK} satellite-hours; "
            "shorten the window or start a 'passes' job",
        )
    sites = [
        (where["name"], where["latitude_deg"], where["longitude_deg"], where.get("altitude_m", 0.0))
    ]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        table = run(
            sats, sites, np.datetime64(start, "ns"), np.datetime64(stop, "ns"), min_elevation=min_el
        )
    return _records(table.sort_values("rise"))


MAX_OPPORTUNITY_WORK = 2_000  # satellite-days searched in one request
_OPPORTUNITIES: OrderedDict[tuple, dict] = OrderedDict()


def request_opportunities(db, key: str, row, start: datetime, stop: datetime, min_el: float):
    """Next imaging opportunities of the stored request ``row`` by fleet ``key``.

    With the tasking capability: every strip of each satellite's sensor over the area
    (``sahelsat.tasking.find_opportunities``: swath, off-nadir, Sun and sensor needs
    applied). Without it: passes over the area's centre at ``min_el`` or higher.
    """
    try:
        from sahelsat.tasking.opportunities import find_opportunities
        from sahelsat.tasking.requests import RequestError, make_request
    except ImportError:
        return _centre_passes(db, key, json.loads(row.geometry), start, stop, min_el)
    cache_key = (key, row.id, start, stop)
    with _FLEETS_LOCK:
        if cache_key in _OPPORTUNITIES:
            return _OPPORTUNITIES[cache_key]
    sats = fleet(db, key)
    days = (stop - start).total_seconds() / 86400
    if len(sats) * days > MAX_OPPORTUNITY_WORK:
        raise ApiError(
            422,
            "query.fleet",
            f"{len(sats)} satellites x {days:.1f} days is too large a search for one request",
        )
    try:
        request = make_request(
            str(row.id),
            json.loads(row.geometry),
            start=np.datetime64(row.start, "ns"),
            end=np.datetime64(row.stop, "ns"),
            priority=float(row.priority),
            sensor=row.sensor,
            max_off_nadir_deg=row.max_off_nadir_deg,
            min_sun_elevation_deg=row.min_sun_elevation_deg,
        )
    except RequestError as exc:
        raise ApiError(422, "request_id", str(exc)) from None
    from sahelsat.service.seed import fleet_sensors

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        table = find_opportunities(
            sats,
            [request],
            np.datetime64(start, "ns"),
            np.datetime64(stop, "ns"),
            sensors=fleet_sensors(db, key),
            ours=set() if key in CATALOGUES else None,  # shipped catalogues: none is ours
        )
    from sahelsat.tasking.outputs import opportunities_geojson

    items = [
        {**f["properties"], "strip": f["geometry"]}
        for f in opportunities_geojson(table)["features"]
    ]
    result = {
        "method": (
            f"imaging opportunities of fleet {key!r}: each satellite's swaths over the area, "
            "fixed to its track (beams, incidence, roll, Sun and sensor limits); status "
            "'forecast' for the systematic acquisitions of satellites we do not operate, "
            "'candidate' for ours, which a plan may take (sahelsat.tasking)"
        ),
        "items": items,
    }
    with _FLEETS_LOCK:
        _OPPORTUNITIES[cache_key] = result
        while len(_OPPORTUNITIES) > PASSES_CACHE_SIZE:
            _OPPORTUNITIES.popitem(last=False)
    return result


def _centre_passes(db, key, geometry: dict, start, stop, min_el: float) -> dict:
    from shapely.geometry import shape

    centre = shape(geometry).centroid
    where = {"name": "area centre", "latitude_deg": centre.y, "longitude_deg": centre.x}
    items = passes(db, key, where, start, stop, min_el)
    return {
        "method": f"passes of fleet {key!r} over the area's centre at elevation >= {min_el:g} deg",
        "items": items,
    }


# ------------------------------------------------------------------ job kinds


def _validate_passes_job(params: dict) -> dict:
    allowed = {"fleet", "station", "lat", "lon", "start", "days", "min_elevation"}
    extra = sorted(set(params) - allowed)
    if extra:
        raise JobParamError(extra[0], f"unknown parameter; allowed: {sorted(allowed)}")
    out = {"fleet": str(params.get("fleet", "resource"))}
    if out["fleet"] not in CATALOGUES and not re.fullmatch(r"upload-\d{1,9}", out["fleet"]):
        raise JobParamError("fleet", f"use {', '.join(CATALOGUES)} or upload-<id>")
    try:
        where = site(params.get("station"), _num(params, "lat"), _num(params, "lon"))
    except ApiError as exc:
        raise JobParamError("station", exc.reason) from None
    out["site"] = where
    try:
        start = datetime.fromisoformat(str(params.get("start", "")).replace("Z", "+00:00"))
        out["start"] = iso_utc(as_naive_utc(start))
    except ValueError:
        raise JobParamError("start", "expected an ISO-8601 UTC time") from None
    days = _num(params, "days", 1.0)
    if not 0 < days <= MAX_JOB_DAYS:
        raise JobParamError("days", f"must lie in (0, {MAX_JOB_DAYS}]")
    out["days"] = days
    out["min_elevation"] = _num(params, "min_elevation", 10.0)
    if not 0 <= out["min_elevation"] < 90:
        raise JobParamError("min_elevation", "must lie in [0, 90) degrees")
    return out


def _num(params: dict, name: str, default=None):
    value = params.get(name, default)
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not np.isfinite(value):
        raise JobParamError(name, "must be a finite number")
    return float(value)


def _run_passes_job(params: dict, ctx) -> JobOutput:
    from sahelsat.service.db import ElementSet  # noqa: F401  (fleets may be uploads)

    sessions = ctx._runner.sessions
    start = datetime.fromisoformat(params["start"].rstrip("Z"))
    stop = start + timedelta(days=params["days"])
    chunks = max(1, int(np.ceil(params["days"])))
    step = (stop - start) / chunks
    rows: list[dict] = []
    with sessions() as db:
        sats = fleet(db, params["fleet"])
        ctx.progress(0.0, f"{len(sats)} satellites")
        run = _passes_function()
        for i in range(chunks):
            t0, t1 = start + i * step, start + (i + 1) * step
            site_row = params["site"]
            sites = [
                (
                    site_row["name"],
                    site_row["latitude_deg"],
                    site_row["longitude_deg"],
                    site_row.get("altitude_m", 0.0),
                )
            ]
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                table = run(
                    sats,
                    sites,
                    np.datetime64(t0, "ns"),
                    np.datetime64(t1, "ns"),
                    min_elevation=params["min_elevation"],
                )
            rows += _records(table.sort_values("rise"))
            ctx.progress((i + 1) / chunks, f"day {i + 1} of {chunks}: {len(rows)} passes")
    csv = io.StringIO()
    if rows:
        csv.write(",".join(rows[0]) + "\n")
        for r in rows:
            csv.write(",".join("" if v is None else str(v) for v in r.values()) + "\n")
    name = f"passes_{params['fleet']}_{params['site']['name']}.csv".replace(" ", "_")
    return JobOutput({"passes": len(rows)}, [(name, "text/csv", csv.getvalue().encode())])


COVERAGE_AREAS = ("AES", "MLI", "NER", "BFA")
MAX_COVERAGE_HOURS = 48


def _validate_coverage_job(params: dict) -> dict:
    allowed = {"fleet", "area", "resolution_deg", "start", "hours", "step_s", "min_elevation"}
    extra = sorted(set(params) - allowed)
    if extra:
        raise JobParamError(extra[0], f"unknown parameter; allowed: {sorted(allowed)}")
    out = {"fleet": str(params.get("fleet", "resource"))}
    if out["fleet"] not in CATALOGUES and not re.fullmatch(r"upload-\d{1,9}", out["fleet"]):
        raise JobParamError("fleet", f"use {', '.join(CATALOGUES)} or upload-<id>")
    out["area"] = str(params.get("area", "AES")).upper()
    if out["area"] not in COVERAGE_AREAS:
        raise JobParamError("area", f"one of {', '.join(COVERAGE_AREAS)}")
    try:
        start = datetime.fromisoformat(str(params.get("start", "")).replace("Z", "+00:00"))
        out["start"] = iso_utc(as_naive_utc(start))
    except ValueError:
        raise JobParamError("start", "expected an ISO-8601 UTC time") from None
    for name, default, low, high in (
        ("resolution_deg", 0.1, 0.05, 1.0),
        ("hours", 24.0, 0.1, MAX_COVERAGE_HOURS),
        ("step_s", 30.0, 5.0, 600.0),
        ("min_elevation", 25.0, 0.0, 89.9),
    ):
        value = _num(params, name, default)
        if not low <= value <= high:
            raise JobParamError(name, f"must lie in [{low:g}, {high:g}]")
        out[name] = value
    return out


def _run_coverage_job(params: dict, ctx) -> JobOutput:
    from sahelsat import coverage

    start = datetime.fromisoformat(params["start"].rstrip("Z"))
    stop = start + timedelta(hours=params["hours"])
    with ctx._runner.sessions() as db:
        sats = fleet(db, params["fleet"])
    ctx.progress(0.05, f"coverage of {params['area']} by {len(sats)} satellites")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        ds = coverage(
            sats,
            area=params["area"],
            resolution_deg=params["resolution_deg"],
            start=np.datetime64(start, "ns"),
            stop=np.datetime64(stop, "ns"),
            step_s=params["step_s"],
            min_elevation=params["min_elevation"],
        )
    ctx.progress(0.9, "writing products")
    grid = coverage_grid(ds, {**params, "stop": iso_utc(stop)})
    summary = {"map_cells": len(grid["cells"]), "map_resolution_deg": grid["resolution_deg"]}
    for name in ("percent_covered", "mean_gap_s", "max_gap_s", "n_visible_mean"):
        if name in ds:
            values = np.asarray(ds[name].values, dtype=float)
            summary[f"{name}_mean"] = (
                round(float(np.nanmean(values)), 3) if np.isfinite(values).any() else None
            )
    stem = f"coverage_{params['fleet']}_{params['area']}"
    return JobOutput(
        summary,
        [
            (f"{stem}.nc", "application/x-netcdf", bytes(ds.to_netcdf(engine="scipy"))),
            (f"{stem}{MAP_SUFFIX}", "application/json", json.dumps(grid).encode()),
        ],
    )


#: The figures of a coverage map grid, in the order of each cell's values.
MAP_FIGURES = ("percent_covered", "mean_gap_s", "max_gap_s", "n_visible_mean", "n_gaps")
MAP_SUFFIX = "_map.json"
MAX_MAP_CELLS = 25_000  # a 0.1 deg grid over the three countries is about 23,000 cells


def coverage_grid(ds, meta: dict) -> dict:
    """The cells of a coverage Dataset as a compact JSON grid for the web map.

    Each cell is ``[lat, lon, *MAP_FIGURES]`` at its centre (degrees); cells outside the
    area are left out; a gap that never ends (a cell never covered) is ``null``. Grids of
    more than ``MAX_MAP_CELLS`` cells are averaged over k x k blocks (gap maxima kept as
    maxima), so the payload stays bounded whatever the job's resolution.
    """
    present = [f for f in MAP_FIGURES if f in ds]
    ds = ds[present]
    inside = np.isfinite(ds[present[0]].values)
    k = max(1, int(np.ceil(np.sqrt(inside.sum() / MAX_MAP_CELLS))))
    if k > 1:
        blocks = ds.coarsen(lat=k, lon=k, boundary="pad")
        coarse = blocks.mean(skipna=True)
        for name in ("max_gap_s", "n_gaps"):
            if name in ds:
                coarse[name] = blocks.max(skipna=True)[name]
        ds = coarse
    lat = np.asarray(ds["lat"].values, dtype=float)
    lon = np.asarray(ds["lon"].values, dtype=float)
    values = np.stack([np.asarray(ds[f].values, dtype=float) for f in present], axis=-1)
    inside = ~np.isnan(values[..., 0])
    ii, jj = np.nonzero(inside)
    res = float(np.median(np.diff(lat))) if lat.size > 1 else float(meta["resolution_deg"]) * k
    cells = []
    for i, j in zip(ii, jj, strict=True):
        row = [round(float(lat[i]), 4), round(float(lon[j]), 4)]
        for v in values[i, j]:
            row.append(round(float(v), 3) if np.isfinite(v) else None)
        cells.append(row)
    ranges = {}
    for n, name in enumerate(present):
        finite = values[..., n][np.isfinite(values[..., n])]
        ranges[name] = (
            [round(float(finite.min()), 3), round(float(finite.max()), 3)] if finite.size else None
        )
    return {
        "kind": "coverage-grid",
        "fleet": meta.get("fleet"),
        "area": meta.get("area"),
        "start": meta.get("start"),
        "stop": meta.get("stop"),
        "min_elevation": meta.get("min_elevation"),
        "resolution_deg": round(res, 6),
        "block": k,
        "figures": list(present),
        "ranges": ranges,
        "cells": cells,
    }


_GRIDS: OrderedDict[int, dict] = OrderedDict()


def grid_from_netcdf(product_id: int, content: bytes, params: dict) -> dict:
    """The map grid of a coverage job's NetCDF product (jobs made before map products)."""
    with _FLEETS_LOCK:
        if product_id in _GRIDS:
            return _GRIDS[product_id]
    import xarray as xr

    with xr.open_dataset(io.BytesIO(content), engine="scipy") as ds:
        hours = params.get("hours", 0.0)
        stop = datetime.fromisoformat(params["start"].rstrip("Z")) + timedelta(hours=hours)
        grid = coverage_grid(ds.load(), {**params, "stop": iso_utc(stop)})
    with _FLEETS_LOCK:
        _GRIDS[product_id] = grid
        while len(_GRIDS) > 8:
            _GRIDS.popitem(last=False)
    return grid


# ------------------------------------------------------------------ settlement service

SERVICE_SATELLITES = ("scenario", "geo")
_SERVICE: OrderedDict[tuple, dict] = OrderedDict()
_SERVICE_LOCKS: dict[tuple, threading.Lock] = {}
SERVICE_CACHE_SIZE = 16


def _service_satellites(which: str, link) -> list:
    from sahelsat.comms import service
    from sahelsat.scenario import load_scenario
    from sahelsat.scenario.run import broadband_satellites

    scenario = load_scenario("sahel")
    if which == "scenario":
        return broadband_satellites(scenario, link)
    start = scenario.scenario.start.replace(tzinfo=None).isoformat(timespec="minutes")
    return service.geo_satellites(-30.0, 30.0, start, link, area="AES")


def settlement_service(
    band: str, availability: float, throughput_mbps: float, satellites: str, min_population: int
) -> dict:
    """GeoJSON points: each town's best satellite, smallest dish, availability, throughput.

    Calls ``sahelsat.comms.service.plan_service`` for the towns of the three countries and
    the default scenario's broadband satellites (``scenario``) or the real geostationary
    ones over 30 W - 30 E (``geo``). Answers are cached: one plan costs seconds, and a
    second caller asking for the same plan meanwhile waits for the first one's answer.
    """
    try:
        from sahelsat.comms import defaults, service
    except ImportError:
        raise CapabilityMissing("settlement service (sahelsat.comms.service)") from None
    key = (band, float(availability), float(throughput_mbps), satellites, int(min_population))
    with _FLEETS_LOCK:
        if key in _SERVICE:
            _SERVICE.move_to_end(key)
            return _SERVICE[key]
        lock = _SERVICE_LOCKS.setdefault(key, threading.Lock())
    with lock:
        with _FLEETS_LOCK:
            if key in _SERVICE:
                return _SERVICE[key]
        from sahelsat.places import towns

        link = defaults.SCENARIOS[band]
        table = towns(min_population=min_population)
        if table.empty:
            raise ApiError(422, "query.min_population", "no town has that many inhabitants")
        try:
            sats = _service_satellites(satellites, link)
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                plan = service.plan_service(table, sats, link, availability, throughput_mbps)
        except service.ServiceError as exc:
            reason = str(exc)
            field = next(
                (f for f in ("throughput", "availability") if reason.startswith(f)), "satellites"
            )
            field = "throughput_mbps" if field == "throughput" else field
            raise ApiError(422, f"query.{field}", reason) from None
        result = _service_geojson(plan, band, satellites)
        with _FLEETS_LOCK:
            _SERVICE[key] = result
            _SERVICE_LOCKS.pop(key, None)
            while len(_SERVICE) > SERVICE_CACHE_SIZE:
                _SERVICE.popitem(last=False)
    return result


def _service_geojson(plan, band: str, satellites: str) -> dict:
    def number(v, digits=3):
        return round(float(v), digits) if v is not None and np.isfinite(v) else None

    features = []
    for r in plan.sites.itertuples():
        features.append(
            {
                "type": "Feature",
                "properties": {
                    "name": r.name,
                    "country": getattr(r, "country", None),
                    "population": int(r.population) if np.isfinite(r.population) else None,
                    "satellite": r.satellite if isinstance(r.satellite, str) else None,
                    "dish_m": number(r.dish_m, 2),
                    "served": bool(r.served),
                    "availability_percent": number(r.availability_percent, 4),
                    "throughput_mbps": number(r.throughput_mbps, 1),
                    "elevation_deg": number(r.elevation_deg, 1),
                    "modcod": r.modcod if isinstance(r.modcod, str) else None,
                },
                "geometry": {
                    "type": "Point",
                    "coordinates": [
                        round(float(r.longitude_deg), 5),
                        round(float(r.latitude_deg), 5),
                    ],
                },
            }
        )
    sites = plan.sites
    served = sites["served"].astype(bool)
    return {
        "type": "FeatureCollection",
        "features": features,
        "band": band,
        "satellites": satellites,
        "availability_percent": plan.availability,
        "throughput_mbps": plan.throughput_mbps,
        "dishes_m": sorted({f["properties"]["dish_m"] for f in features} - {None}),
        "summary": {
            "settlements": int(len(sites)),
            "served": int(served.sum()),
            "population": int(sites["population"].fillna(0).sum()),
            "population_served": int(sites.loc[served, "population"].fillna(0).sum()),
        },
        "skipped": plan.skipped[:50],
        "method": (
            "sahelsat.comms.service.plan_service: best satellite and smallest standard dish "
            f"meeting {plan.availability:g} % availability at {plan.throughput_mbps:g} Mbit/s "
            f"({band.upper()} band, ITU-R rain and gas attenuation)"
        ),
    }


def register_jobs() -> None:
    """Register the job kinds whose capabilities are installed."""
    import sahelsat

    if hasattr(sahelsat, "coverage"):
        register_job_kind(
            "coverage",
            f"coverage and revisit of an area (AES, MLI, NER, BFA) by a fleet over up to "
            f"{MAX_COVERAGE_HOURS} h (params: fleet, area, resolution_deg, start, hours, step_s,"
            " min_elevation) -> NetCDF product",
            _validate_coverage_job,
            _run_coverage_job,
        )
    if available()["passes"]:
        register_job_kind(
            "passes",
            f"pass schedule of a fleet over a station or point for up to {MAX_JOB_DAYS} days "
            "(params: fleet, station | lat+lon, start, days, min_elevation) -> CSV product",
            _validate_passes_job,
            _run_passes_job,
        )
