"""Fleets, positions and passes for the service: fleet specs resolved through
:func:`sahelsat.fleets.resolve_fleet` (catalogues, ``eo``, designs, uploads), sites from a
station name or a point, work bounded before it starts, answers cached."""

from __future__ import annotations

import warnings
from datetime import UTC, datetime, timedelta
from functools import cache

import numpy as np

from sahelsat.inputs import CATALOGUE_NAMES, EO_NAMES, FleetSpec, InputError, Site, naive_utc
from sahelsat.service.cache import LRUCache
from sahelsat.service.usecases import CapabilityMissing, NotFound

CATALOGUES = CATALOGUE_NAMES + EO_NAMES[:1]
#: Bounds on synchronous work: satellites x hours for passes, tracked satellites.
MAX_PASS_HOURS = 72
MAX_PASS_WORK = 5_000  # satellite-hours answered in a request; more is a job
MAX_TRACKED = 12_000
MAX_TRACK_WORK = 400_000  # satellite-minutes of ground track in one answer

_FLEETS = LRUCache(8)
_PASSES = LRUCache(256)


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
    except RecursionError:
        return 0, ["nested too deeply"]
    return len(fleet), [str(s) for s in fleet.skipped]


def fleet_spec(text: str, field: str = "fleet") -> FleetSpec:
    """A fleet named in the service: catalogues, ``eo``, designs and ``upload-<id>``
    joined with commas, never a file of the server (InputError naming ``field``)."""
    try:
        return FleetSpec.parse(text, files=False, uploads=True)
    except InputError as exc:
        raise InputError.at(field, exc.reason) from None


def _upload(db, upload_id: int):
    from sahelsat.service.db import ElementSet

    row = db.get(ElementSet, upload_id)
    if row is None:
        raise NotFound("fleet", f"no uploaded element set {upload_id}")
    return row


def pinned(spec: FleetSpec) -> tuple[FleetSpec, list[dict]]:
    """``spec`` with each stored fleet it names fixed to the version in use now, and what
    it uses: per part, the fleet and version (``NAME@VERSION``, resolvable later), the
    shipped snapshot, or the uploaded element set."""
    from sahelsat.refresh.status import SHIPPED_SOURCE
    from sahelsat.userdata import ElementStore

    store = ElementStore()
    parts, used = [], []
    for part in spec.parts:
        if part.kind == "upload":
            used.append({"upload": part.id, "spec": f"upload-{part.id}"})
        elif part.kind == "catalogue":
            base = "resource" if part.name in EO_NAMES else part.name
            version = part.version
            info = store.current(base) if version is None else None
            if info is not None:
                version = info.version
                part = part.model_copy(update={"version": version})
            entry = {"fleet": part.name, "version": version}
            if version is None:
                entry["source"] = SHIPPED_SOURCE
            else:
                entry["spec"] = f"{part.name}@{version}"
            used.append(entry)
        parts.append(part)
    return spec.model_copy(update={"parts": parts}), used


def fleet_used(db, spec: FleetSpec | str, field: str = "fleet"):
    """The Fleet a spec names and the element sets it used (see :func:`pinned`).

    Cached by the exact versions: catalogues ship with the package or are kept versions,
    designs are functions of their parameters, uploads are never edited; a fleet brought
    up to date is resolved anew. 404 for a missing upload."""
    from sahelsat.fleets import resolve_fleet

    spec = fleet_spec(spec, field) if isinstance(spec, str) else spec
    exact, used = pinned(spec)
    try:
        sats = _FLEETS.get_or_compute(
            exact.key,
            lambda: resolve_fleet(exact, uploads=lambda i: _load(_upload(db, i).text.encode())),
        )
    except InputError as exc:
        raise InputError.at(field, exc.reason) from None
    return sats, used


def fleet(db, spec: FleetSpec | str, field: str = "fleet"):
    """The Fleet a spec names (see :func:`fleet_used`)."""
    return fleet_used(db, spec, field)[0]


def keep_versions(used: list[dict], reason: str) -> None:
    """Pin the stored versions in ``used`` (never pruned: a plan can be checked again)."""
    from sahelsat.userdata import ElementStore

    store = ElementStore()
    for entry in used:
        if entry.get("version"):
            base = "resource" if entry["fleet"] in EO_NAMES else entry["fleet"]
            try:
                store.pin(base, entry["version"], reason)
            except (KeyError, OSError):
                pass  # pruned meanwhile, or a read-only store: the record still names it


def fleet_size(db, spec: FleetSpec) -> int:
    """Satellites a spec names before any selection, counted without propagating:
    designs from their parameters, uploads from the store, catalogues from the cache."""
    total = 0
    for part in spec.parts:
        if part.kind == "design":
            total += part.size
        elif part.kind == "upload":
            total += _upload(db, part.id).n_satellites
        else:
            total += len(fleet(db, FleetSpec(parts=[part])))
    return total


def station_or_point(
    station: str | None, lat: float | None, lon: float | None, field: str = "station"
) -> Site:
    """A site from a ground-station name, or from a latitude and longitude (InputError)."""
    from sahelsat.places import ground_stations

    if station is not None:
        table = ground_stations()
        hit = table[table["name"].str.lower() == str(station).strip().lower()]
        if hit.empty:
            names = ", ".join(table["name"])
            raise InputError.at(field, f"unknown station {station!r}; known: {names}")
        return Site(**hit.iloc[0].to_dict())
    if lat is None or lon is None:
        raise InputError.at(field, "give a station name, or both lat and lon")
    return Site(name=f"{lat:.4f},{lon:.4f}", latitude_deg=lat, longitude_deg=lon)


def _times(start: datetime, minutes: int, step_min: float = 1.0) -> np.ndarray:
    t0 = np.datetime64(naive_utc(start), "ns")
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
    from sahelsat.service.models import iso_utc

    sats = fleet(db, key)
    n = min(len(sats), max_satellites)
    if n * max(track_minutes, 1) > MAX_TRACK_WORK:
        raise InputError.at(
            ("query", "track_minutes"),
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
        "time": iso_utc(naive_utc(when)),
        "fleet": key,
        "truncated": n < len(sats),
        "warnings": sorted({str(w.message) for w in caught}),
    }


def passes_function():
    try:
        from sahelsat.access import passes
    except ImportError:
        raise CapabilityMissing("pass prediction (sahelsat.passes)") from None
    return passes


def records(table) -> list[dict]:
    """A table's rows as JSON-ready dicts: times ISO-8601 ``Z`` to the second, numbers
    rounded to 3 decimals, NaN as null."""
    out = []
    for row in table.to_dict(orient="records"):
        item = {}
        for k, v in row.items():
            if isinstance(v, (np.datetime64, datetime)) or hasattr(v, "to_datetime64"):
                item[k] = str(np.datetime64(v, "s")) + "Z"
            elif isinstance(v, (np.floating, float)):
                item[k] = None if not np.isfinite(v) else round(float(v), 3)
            elif isinstance(v, np.bool_):
                item[k] = bool(v)
            elif isinstance(v, np.integer):
                item[k] = int(v)
            else:
                item[k] = v
        out.append(item)
    return out


def compute_passes(sats, site: Site, start: datetime, stop: datetime, min_el: float) -> list:
    """Passes of ``sats`` over ``site`` in ``[start, stop)`` as JSON-ready rows, by rise."""
    run = passes_function()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        table = run(sats, [site.row()], np.datetime64(naive_utc(start), "ns"),
                    np.datetime64(naive_utc(stop), "ns"), min_elevation=min_el)  # fmt: skip
    return records(table.sort_values("rise"))


def passes(db, key: str, site: Site, start: datetime, stop: datetime, min_el: float) -> list:
    """Passes of fleet ``key`` over ``site`` between ``start`` and ``stop``.

    Answers are cached (fleets are immutable), so many operators reading the same
    station's schedule cost one run; more than ``MAX_PASS_WORK`` satellite-hours is a job.
    """
    passes_function()
    sats = fleet(db, key, ("query", "fleet"))
    hours = (stop - start).total_seconds() / 3600
    if len(sats) * hours > MAX_PASS_WORK:
        raise InputError.at(
            ("query", "hours"),
            f"{len(sats)} satellites x {hours:g} h exceeds {MAX_PASS_WORK} satellite-hours; "
            "shorten the window or start a 'passes' job",
        )
    cache_key = (pinned(fleet_spec(key))[0].key, site, start, stop, float(min_el))
    return _PASSES.get_or_compute(
        cache_key, lambda: compute_passes(sats, site, start, stop, min_el)
    )


def list_fleets(db, limit: int) -> dict:
    """Catalogues, uploads (newest first) and each stored or shipped fleet's age."""
    from sqlalchemy import select

    from sahelsat.service.db import ElementSet
    from sahelsat.service.models import iso_utc
    from sahelsat.service.seed import seeded

    uploads = db.scalars(select(ElementSet).order_by(ElementSet.id.desc()).limit(limit))
    return {
        "catalogues": list(CATALOGUES),
        "uploads": [
            {
                "fleet": f"upload-{r.id}",
                "name": r.name,
                "n_satellites": r.n_satellites,
                "created_at": iso_utc(r.created_at),
            }
            for r in uploads
        ],
        "default_scenario": seeded(db),
        "ages": fleet_ages(),
    }


@cache
def _shipped_summary(name: str) -> tuple[int, str, str, str]:
    from sahelsat.fleet import shipped_catalogue
    from sahelsat.userdata import epoch_summary

    sets = shipped_catalogue(name).element_sets
    return (len(sets), *epoch_summary(sets))


def fleet_ages(now: datetime | None = None) -> list[dict]:
    """Each fleet a spec can name by name (shipped and stored) as it is in use: its
    source, when it was fetched (None for the shipped snapshot), its satellites, epochs
    (earliest, median, latest, UTC) and age in days (``now`` minus the median epoch;
    ``now`` default the clock). Element sets of low orbits are a few km off after a few
    days (``sahelsat.fleet.STALE_DAYS_LEO``)."""
    from sahelsat.fleet import CATALOGUES as SHIPPED
    from sahelsat.refresh.status import SHIPPED_SOURCE
    from sahelsat.userdata import ElementStore

    store = ElementStore()
    t = np.datetime64(naive_utc(now or datetime.now(UTC)), "s")
    out = []
    for name in list(SHIPPED) + [n for n in store.names() if n not in SHIPPED]:
        info = store.current(name)
        if info is not None:
            row = (info.source, info.fetched_at or None, info.version, info.count,
                   info.epoch_min, info.epoch_median, info.epoch_max)  # fmt: skip
        else:
            count, lo, mid, hi = _shipped_summary(name)
            row = (SHIPPED_SOURCE, None, None, count, lo, mid, hi)
        source, fetched, version, count, lo, mid, hi = row
        day = np.timedelta64(86400, "s")
        age = (t - np.datetime64(mid.rstrip("Z"), "s")) / day if mid else None
        out.append({"fleet": name, "source": source, "fetched_at": fetched, "version": version,
                    "satellites": count, "epoch_min": lo or None, "epoch_median": mid or None,
                    "epoch_max": hi or None,
                    "age_days": None if age is None else round(float(age), 1)})  # fmt: skip
    return out


def store_element_set(
    sessions, name: str, text: str, n: int, problems, created_by, into=None, replace=False
) -> dict:
    """Keep an uploaded file (``upload-<id>``); with ``into``, also add its element sets
    as a new version of that fleet (its history in the element store), unless
    :func:`~sahelsat.refresh.catalogues.check_replacement` finds them suspicious against
    the copy in use (then InputError naming ``query.into``, unless ``replace``)."""
    from sahelsat.service.db import ElementSet

    with sessions() as db:
        row = ElementSet(name=name, text=text, n_satellites=n, created_by=created_by)
        db.add(row)
        db.flush()
        if into is not None:
            info = _add_version(into, row.id, name, text, replace)
            row.fleet, row.version = info.name, info.version
        db.commit()
        return element_set_out(row) | {"problems": problems[:100]}


def element_set_out(row, text: bool = False) -> dict:
    """An uploaded element set as the API shows it (``text``: with the file itself)."""
    from sahelsat.service.models import iso_utc

    out = {
        "id": row.id,
        "name": row.name,
        "fleet": f"upload-{row.id}",
        "n_satellites": row.n_satellites,
        "created_at": iso_utc(row.created_at),
        "into": row.fleet,
        "version": row.version,
        "spec": f"{row.fleet}@{row.version}" if row.version else None,
    }
    if text:
        out |= {"created_by": row.created_by, "text": row.text}
    return out


def element_set(db, upload_id: int) -> dict:
    """An uploaded element set with its text (404 when there is none)."""
    return element_set_out(_upload(db, upload_id), text=True)


def _add_version(into: str, upload_id: int, name: str, text: str, replace: bool):
    from sahelsat.elements import ElementSetError
    from sahelsat.refresh.catalogues import check_replacement, in_use
    from sahelsat.userdata import ElementStore

    store = ElementStore()
    sets = _load(text.encode()).element_sets
    _, old = in_use(into, store)
    why = check_replacement(sets, old)
    if why and not replace:
        raise InputError.at(("query", "into"), f"not added to {into!r}: {why}; "
                            "replace=true adds it anyway")  # fmt: skip
    notes = [f"accepted although {why}"] if why else []
    source = f"uploaded to the service: element set {upload_id} ({name})"
    numbers = {f"upload-{upload_id}": [e.catalog_number for e in sets]}
    try:
        info, _ = store.put(into, sets, source, parts=numbers, notes=notes)
    except ElementSetError as exc:  # what was written does not read back whole
        raise InputError.at("body", f"not added to {into!r}: {exc}") from None
    return info


def window(start: datetime, hours: float) -> tuple[datetime, datetime]:
    return start, start + timedelta(hours=hours)
