"""The operations API against the real store: SQLite always, PostgreSQL when it can start.

Covers tokens and roles, imaging requests (create, list, filter, page, approve, cancel),
validation errors naming the field, body limits before work, CORS, element-set upload,
positions against Skyfield, jobs with progress and cancellation, and the migrations.
"""

from __future__ import annotations

import hashlib
import math
import re
import threading
import time
from pathlib import Path

import numpy as np
import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select, text
from test_service_support import PostgresServer

from sahelsat.service.api import create_app
from sahelsat.service.auth import create_token
from sahelsat.service.db import ApiToken, Base
from sahelsat.service.jobs import JobOutput, JobParamError, register_job_kind

TLE = Path(__file__).resolve().parents[1] / "sahelsat" / "data" / "tle"

BOX = {  # about 0.3 x 0.2 degrees near Mopti
    "type": "Polygon",
    "coordinates": [[[-4.3, 14.4], [-4.0, 14.4], [-4.0, 14.6], [-4.3, 14.6], [-4.3, 14.4]]],
}


def request_body(**changes) -> dict:
    body = {
        "name": "flood at Mopti",
        "geometry": BOX,
        "start": "2026-06-01T00:00:00Z",
        "stop": "2026-06-03T00:00:00Z",
        "priority": 4,
    }
    body.update(changes)
    return body


@pytest.fixture(scope="module")
def postgres():
    server = PostgresServer()
    if server.skip_reason:
        print(f"PostgreSQL tests skipped: {server.skip_reason}")
    yield server
    server.stop()


@pytest.fixture(params=["sqlite", "postgresql"])
def database_url(request, tmp_path):
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'store.db'}"
    server = request.getfixturevalue("postgres")
    if server.skip_reason:
        pytest.skip(server.skip_reason)
    return server.new_database()


class Service:
    """A client plus one token per role."""

    def __init__(self, url: str, **options):
        self.app = create_app(url, **{"default_scenario": False, **options})
        self.client = TestClient(self.app)
        self.tokens = {}
        with self.app.state.sessions() as session:
            for role in ("viewer", "requester", "operator", "admin"):
                self.tokens[role] = create_token(session, f"{role}-1", role)[1]
            self.tokens["requester2"] = create_token(session, "requester-2", "requester")[1]
            session.commit()

    def auth(self, role: str) -> dict:
        return {"Authorization": f"Bearer {self.tokens[role]}"}

    def get(self, path, role="viewer", **kw):
        return self.client.get(path, headers=self.auth(role), **kw)

    def post(self, path, role="requester", headers=None, **kw):
        return self.client.post(path, headers={**self.auth(role), **(headers or {})}, **kw)


@pytest.fixture
def svc(database_url):
    service = Service(database_url)
    with service.client:
        yield service
    service.app.state.engine.dispose()


def test_tokens_are_stored_hashed(svc):
    with svc.app.state.sessions() as session:
        rows = session.scalars(select(ApiToken)).all()
        stored = {r.token_hash for r in rows} | {r.prefix for r in rows}
    for secret in svc.tokens.values():
        assert secret not in stored
        assert hashlib.sha256(secret.encode()).hexdigest() in stored
    # the secret itself appears nowhere in the database
    with svc.app.state.engine.connect() as conn:
        dump = " ".join(str(v) for row in conn.execute(text("SELECT * FROM api_tokens"))
                        for v in row)  # fmt: skip
    assert not any(secret in dump for secret in svc.tokens.values())


@pytest.mark.parametrize(
    ("method", "path", "body", "needed"),
    [
        ("post", "/api/requests", request_body(), "requester"),
        ("post", "/api/requests/1/approve", None, "operator"),
        ("post", "/api/jobs", {"kind": "passes", "params": {}}, "operator"),
        ("post", "/api/tokens", {"name": "x", "role": "viewer"}, "admin"),
        ("delete", "/api/tokens/1", None, "admin"),
    ],
)
def test_writes_need_a_token_and_the_role(svc, method, path, body, needed):
    call = getattr(svc.client, method)
    kw = {"json": body} if body is not None else {}
    anonymous = call(path, **kw)
    assert anonymous.status_code == 401
    assert anonymous.json()["field"] == "Authorization"
    assert anonymous.headers["www-authenticate"] == "Bearer"
    assert (
        call(path, headers={"Authorization": "Bearer sst_not-a-real-token"}, **kw).status_code
        == 401
    )
    ranks = ["viewer", "requester", "operator", "admin"]
    for role in ranks[: ranks.index(needed)]:
        refused = call(path, headers=svc.auth(role), **kw)
        assert refused.status_code == 403, role
        assert needed in refused.json()["reason"]


def test_reads_need_a_viewer_token_and_revoked_tokens_stop_working(svc):
    assert svc.client.get("/api/requests").status_code == 401
    assert svc.get("/api/requests").status_code == 200
    me = svc.get("/api/whoami", role="operator").json()
    assert me["role"] == "operator"
    created = svc.post("/api/tokens", role="admin", json={"name": "temp", "role": "viewer"})
    assert created.status_code == 201
    secret = created.json()["token"]
    headers = {"Authorization": f"Bearer {secret}"}
    assert svc.client.get("/api/requests", headers=headers).status_code == 200
    assert svc.client.delete(f"/api/tokens/{created.json()['id']}",
                             headers=svc.auth("admin")).status_code == 200  # fmt: skip
    assert svc.client.get("/api/requests", headers=headers).status_code == 401
    listed = svc.get("/api/tokens", role="admin").json()
    assert all("token" not in t or t["token"] is None for t in listed["items"])


def test_request_lifecycle(svc):
    created = svc.post("/api/requests", json=request_body())
    assert created.status_code == 201
    req = created.json()
    assert req["status"] == "submitted"
    assert req["bbox"] == [-4.3, 14.4, -4.0, 14.6]
    assert req["start"] == "2026-06-01T00:00:00Z"
    rid = req["id"]
    assert svc.get(f"/api/requests/{rid}").json() == req

    # a second requester may not cancel it; an operator approves, its owner cancels
    other = svc.post(f"/api/requests/{rid}/cancel", role="requester2")
    assert other.status_code == 403
    approved = svc.post(f"/api/requests/{rid}/approve", role="operator")
    assert approved.status_code == 200 and approved.json()["status"] == "approved"
    again = svc.post(f"/api/requests/{rid}/approve", role="operator")
    assert again.status_code == 409 and again.json()["field"] == "status"
    cancelled = svc.post(f"/api/requests/{rid}/cancel")
    assert cancelled.json()["status"] == "cancelled"
    assert svc.post(f"/api/requests/{rid}/cancel").status_code == 409
    missing = svc.get("/api/requests/999999")
    assert missing.status_code == 404 and missing.json()["field"] == "request_id"


def test_request_area_is_geodesic(svc):
    # 1 x 1 degree cell at the equator; hand computation on the authalic sphere
    # (R = 6371.007 km): R^2 * dlon * (sin(1 deg) - sin(0)) = 12,364 km^2; the WGS-84
    # ellipsoid gives about 0.4 % less near the equator (12,308 km^2).
    cell = {"type": "Polygon", "coordinates": [[[0, 0], [1, 0], [1, 1], [0, 1], [0, 0]]]}
    area = svc.post("/api/requests", json=request_body(geometry=cell)).json()["area_km2"]
    sphere = 6371.007**2 * math.radians(1) * math.sin(math.radians(1))
    assert area == pytest.approx(12_308, rel=2e-3)
    assert area == pytest.approx(sphere, rel=6e-3)


@pytest.mark.parametrize(
    ("changes", "field", "words"),
    [
        ({"geometry": None}, "body.geometry", "valid dictionary"),
        ({"name": ""}, "body.name", "must not be empty"),
        ({"name": " \t "}, "body.name", "must not be empty"),
        ({"priority": 0}, "body.priority", "must be > 0"),
        ({"priority": 1e6}, "body.priority", "must be <= 1000"),
        ({"stop": "2026-05-01T00:00:00Z"}, "body.stop", "after start"),
        ({"stop": "2026-08-01T00:00:00Z"}, "body.stop", "30 days"),
        ({"start": "yesterday"}, "body.start", "not a UTC time"),
        (
            {"geometry": {"type": "Polygon", "coordinates": [[[0, 0], [1, 0], [1, 1], [0, 1]]]}},
            "body.geometry.coordinates.0",
            "not closed",
        ),
        (
            {
                "geometry": {
                    "type": "Polygon",
                    "coordinates": [[[0, 0], [1, 1], [1, 0], [0, 1], [0, 0]]],
                }
            },
            "body.geometry",
            "Self-intersection",
        ),
        (
            {
                "geometry": {
                    "type": "Polygon",
                    "coordinates": [[[-10, 10], [5, 10], [5, 20], [-10, 20], [-10, 10]]],
                }
            },
            "body.geometry",
            "exceeds the limit",
        ),
        (
            {"geometry": {"type": "Polygon", "coordinates": [[[0, 0], [200, 0], [1, 1], [0, 0]]]}},
            "body.geometry.coordinates.0.1",
            "outside",
        ),
        ({"extra": 1}, "body.extra", "unknown key"),
    ],
)
def test_malformed_requests_name_the_field(svc, changes, field, words):
    answer = svc.post("/api/requests", json=request_body(**changes))
    assert answer.status_code == 422
    body = answer.json()
    assert body["field"] == field
    assert words in body["reason"]
    assert body["errors"][0] == {"field": body["field"], "reason": body["reason"]}


def test_too_many_vertices_is_refused(svc):
    n = 2100
    ring = [[-4 + 0.1 * math.cos(2 * math.pi * k / n), 14 + 0.1 * math.sin(2 * math.pi * k / n)]
            for k in range(n)]  # fmt: skip
    ring.append(ring[0])
    answer = svc.post("/api/requests", json=request_body(
        geometry={"type": "Polygon", "coordinates": [ring]}))  # fmt: skip
    assert answer.status_code == 422
    assert "vertices" in answer.json()["reason"]


def test_pages_and_filters(svc):
    ids = []
    for day in range(7):
        west = -4.3 + day  # boxes marching east, one day apart
        box = {"type": "Polygon", "coordinates": [[[west, 14.4], [west + 0.3, 14.4],
               [west + 0.3, 14.6], [west, 14.6], [west, 14.4]]]}  # fmt: skip
        body = request_body(
            geometry=box,
            start=f"2026-06-{day + 1:02d}T00:00:00Z",
            stop=f"2026-06-{day + 1:02d}T12:00:00Z",
            name=f"r{day}",
        )
        ids.append(svc.post("/api/requests", json=body).json()["id"])
    seen = []
    for offset in (0, 3, 6):
        page = svc.get("/api/requests", params={"limit": 3, "offset": offset}).json()
        assert page["total"] == 7
        seen += [r["id"] for r in page["items"]]
    assert seen == sorted(ids, reverse=True)

    window = svc.get(
        "/api/requests", params={"start": "2026-06-03T06:00:00Z", "stop": "2026-06-05T06:00:00Z"}
    ).json()
    assert sorted(r["name"] for r in window["items"]) == ["r2", "r3", "r4"]
    area = svc.get("/api/requests", params={"bbox": "-2.5,14,-0.5,15"}).json()
    assert sorted(r["name"] for r in area["items"]) == [
        "r2",
        "r3",
    ]  # r1 ends at -3.0, r4 starts at -0.3
    bad = svc.get("/api/requests", params={"bbox": "1,2,3"})
    assert bad.status_code == 422 and bad.json()["field"] == "query.bbox"
    bad = svc.get("/api/requests", params={"limit": 100000})
    assert bad.status_code == 422 and bad.json()["field"] == "query.limit"
    svc.post(f"/api/requests/{ids[0]}/approve", role="operator")
    approved = svc.get("/api/requests", params={"status": "approved"}).json()
    assert [r["id"] for r in approved["items"]] == [ids[0]]


def test_body_limits_apply_before_reading(svc):
    huge = b"{" + b" " * (300 * 1024) + b"}"
    json_type = {"content-type": "application/json"}
    answer = svc.post("/api/requests", content=huge, headers=json_type)
    assert answer.status_code == 413 and answer.json()["field"] == "body"

    def chunks():  # no Content-Length: the limit still holds while reading
        for _ in range(400):
            yield b" " * 1024

    answer = svc.client.post("/api/requests", content=chunks(), headers={
        **svc.auth("requester"), "content-type": "application/json"})  # fmt: skip
    assert answer.status_code == 413
    # a body under the limit is untouched
    assert svc.post("/api/requests", json=request_body()).status_code == 201


def test_cors_is_closed_by_default(svc, database_url):
    preflight = {"Origin": "https://elsewhere.example", "Access-Control-Request-Method": "POST"}
    answer = svc.client.options("/api/requests", headers=preflight)
    assert "access-control-allow-origin" not in answer.headers
    opened = Service(database_url, cors_origins=("https://ops.example",))
    answer = opened.client.options(
        "/api/requests", headers={**preflight, "Origin": "https://ops.example"}
    )
    assert answer.headers["access-control-allow-origin"] == "https://ops.example"
    answer = opened.client.options("/api/requests", headers=preflight)
    assert "access-control-allow-origin" not in answer.headers
    opened.app.state.engine.dispose()


def test_element_set_upload(svc):
    raw = (TLE / "weather.txt").read_bytes()
    expected = sum(1 for line in raw.decode().splitlines() if line.startswith("1 "))
    headers = {**svc.auth("operator"), "content-type": "text/plain"}
    answer = svc.client.post(
        "/api/element-sets", params={"name": "weather"}, content=raw, headers=headers
    )
    assert answer.status_code == 201, answer.text
    assert answer.json()["n_satellites"] == expected
    fleet = answer.json()["fleet"]
    assert fleet in [u["fleet"] for u in svc.get("/api/fleets").json()["uploads"]]
    # one damaged record is reported, the rest kept
    lines = raw.decode().splitlines()
    lines[2] = lines[2][:20] + "X" + lines[2][21:]
    damaged = svc.client.post(
        "/api/element-sets",
        params={"name": "damaged"},
        content="\n".join(lines).encode(),
        headers=headers,
    )
    assert damaged.status_code == 201
    assert damaged.json()["n_satellites"] == expected - 1
    assert len(damaged.json()["problems"]) == 1
    garbage = svc.client.post(
        "/api/element-sets", params={"name": "x"}, content=b"/etc/passwd", headers=headers
    )
    assert garbage.status_code == 422 and garbage.json()["field"] == "body"
    refused = svc.client.post(
        "/api/element-sets",
        params={"name": "x"},
        content=raw,
        headers={**svc.auth("requester"), "content-type": "text/plain"},
    )
    assert refused.status_code == 403


def test_positions_match_skyfield(svc):
    from skyfield.api import EarthSatellite, load, wgs84

    lines = (TLE / "resource.txt").read_text().splitlines()
    name, l1, l2 = lines[0].strip(), lines[1], lines[2]
    when = "2026-05-30T12:00:00Z"
    answer = svc.get(
        "/api/fleets/resource/positions",
        params={"time": when, "track_minutes": 30, "max_satellites": 1},
    )
    assert answer.status_code == 200
    features = answer.json()["features"]
    point = next(f for f in features if f["properties"]["kind"] == "satellite")
    track = next(f for f in features if f["properties"]["kind"] == "track")
    assert point["properties"]["name"] == name
    ts = load.timescale(builtin=True)
    sat = EarthSatellite(l1, l2, name, ts)
    sub = wgs84.subpoint_of(sat.at(ts.utc(2026, 5, 30, 12)))
    lon, lat = point["geometry"]["coordinates"]
    assert lat == pytest.approx(sub.latitude.degrees, abs=0.01)
    assert lon == pytest.approx(sub.longitude.degrees, abs=0.01)
    assert sum(len(p) for p in track["geometry"]["coordinates"]) == 31
    assert svc.get("/api/fleets/nothing/positions").json()["field"] == "fleet"


def test_places_are_public_geojson(svc):
    from sahelsat.places import towns

    countries = svc.client.get("/api/places/countries").json()
    assert sorted(f["id"] for f in countries["features"]) == ["BFA", "MLI", "NER"]
    points = svc.client.get("/api/places/towns").json()["features"]
    assert len(points) == len(towns())
    stations = svc.client.get("/api/places/stations").json()
    assert {s["name"] for s in stations} == {"Bamako", "Niamey", "Ouagadougou"}


def _count_job(params: dict, ctx) -> JobOutput:
    """A test job kind: counts primes below n in steps, reporting progress."""
    n, total, steps = params["n"], 0, 20
    edges = np.linspace(2, n, steps + 1).astype(int)
    for i in range(steps):
        block = np.arange(edges[i], edges[i + 1])
        total += int(sum(all(k % d for d in range(2, int(k**0.5) + 1)) for k in block))
        ctx.progress((i + 1) / steps, f"block {i + 1}")
        time.sleep(params.get("pause", 0.0))
    return JobOutput({"primes": total}, [("primes.txt", "text/plain", str(total).encode())])


def _check_count(params: dict) -> dict:
    if not isinstance(params.get("n"), int) or not 2 < params["n"] <= 10**6:
        raise JobParamError("n", "an integer in (2, 1e6]")
    return {"n": params["n"], "pause": float(params.get("pause", 0.0))}


register_job_kind("count-primes", "test job: primes below n", _check_count, _count_job)


def _wait_job(svc, job_id, states=("succeeded", "failed", "cancelled"), timeout=60):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        job = svc.get(f"/api/jobs/{job_id}").json()
        if job["status"] in states:
            return job
        time.sleep(0.05)
    raise AssertionError(f"job {job_id} stuck: {job}")


def test_jobs_run_report_and_produce(svc):
    started = svc.post(
        "/api/jobs", role="operator", json={"kind": "count-primes", "params": {"n": 2000}}
    )
    assert started.status_code == 202
    job = _wait_job(svc, started.json()["id"])
    assert job["status"] == "succeeded" and job["progress"] == 1.0
    assert job["result"] == {"primes": 303}  # pi(2000) = 303
    product = svc.get("/api/products", params={"job_id": job["id"]}).json()["items"][0]
    assert product["id"] in job["products"]
    download = svc.get(product["download"])
    assert download.content == b"303"
    assert hashlib.sha256(download.content).hexdigest() == product["sha256"]
    bad = svc.post("/api/jobs", role="operator", json={"kind": "count-primes", "params": {}})
    assert bad.status_code == 422 and bad.json()["field"] == "body.params.n"
    unknown = svc.post("/api/jobs", role="operator", json={"kind": "nope"})
    assert unknown.status_code == 422 and unknown.json()["field"] == "body.kind"


def test_jobs_can_be_cancelled_and_never_block_requests(svc):
    started = svc.post(
        "/api/jobs",
        role="operator",
        json={"kind": "count-primes", "params": {"n": 50000, "pause": 0.5}},
    )
    job_id = started.json()["id"]
    _wait_job(svc, job_id, states=("running",))
    # the API still answers while the job runs
    assert svc.post("/api/requests", json=request_body()).status_code == 201
    assert svc.post(f"/api/jobs/{job_id}/cancel", role="operator").status_code == 200
    job = _wait_job(svc, job_id)
    assert job["status"] == "cancelled"
    assert job["progress"] < 1.0
    assert svc.get("/api/products", params={"job_id": job_id}).json()["total"] == 0


def test_migrations_match_the_models(svc):
    from alembic.autogenerate import compare_metadata
    from alembic.migration import MigrationContext

    with svc.app.state.engine.connect() as conn:
        assert compare_metadata(MigrationContext.configure(conn), Base.metadata) == []
        assert conn.execute(text("SELECT version_num FROM alembic_version")).scalar() == "0006"


def test_upgrade_keeps_the_rows_of_an_older_schema(database_url):
    from sahelsat.service.db import make_engine, open_store, upgrade

    old = make_engine(database_url)
    upgrade(old, "0001")
    with old.begin() as conn:
        conn.execute(text(
            "INSERT INTO imaging_requests (id, name, geometry, min_lon, min_lat, max_lon, max_lat,"
            " area_km2, start, stop, priority, status, note, created_at, updated_at) VALUES"
            " (7, 'old', '{}', 0, 0, 1, 1, 12000, '2026-06-01 00:00:00', '2026-06-02 00:00:00',"
            " 3, 'submitted', '', '2026-05-01 00:00:00', '2026-05-01 00:00:00')"))  # fmt: skip
    old.dispose()
    engine, sessions = open_store(database_url)
    from sahelsat.service.db import ImagingRequest

    with sessions() as session:
        row = session.get(ImagingRequest, 7)
        assert (row.name, row.sensor, row.max_off_nadir_deg, row.min_sun_elevation_deg) == (
            "old", "any", 30.0, None)  # fmt: skip
    engine.dispose()


def test_concurrent_writes_are_all_kept(svc):
    errors, ids = [], []

    def writer():
        for _ in range(10):
            answer = svc.post("/api/requests", json=request_body())
            (ids if answer.status_code == 201 else errors).append(answer)

    threads = [threading.Thread(target=writer) for _ in range(6)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors
    assert svc.get("/api/requests").json()["total"] == 60


def test_restart_fails_interrupted_jobs_and_runs_queued_ones(database_url):
    import json

    from sahelsat.service.db import Job, open_store

    engine, sessions = open_store(database_url)
    with sessions() as session:  # the state a killed server leaves behind
        session.add_all([
            Job(kind="count-primes", params=json.dumps({"n": 100, "pause": 0.0}),
                status="running", progress=0.4, message="block 8", cancel_requested=False),
            Job(kind="count-primes", params=json.dumps({"n": 100, "pause": 0.0}),
                status="queued", progress=0.0, message="queued", cancel_requested=False),
        ])  # fmt: skip
        session.commit()
    engine.dispose()
    service = Service(database_url)
    with service.client:
        interrupted = service.get("/api/jobs/1").json()
        assert interrupted["status"] == "failed"
        assert "restart" in interrupted["message"]
        resumed = _wait_job(service, 2)
        assert resumed["status"] == "succeeded" and resumed["result"] == {"primes": 25}
    service.app.state.engine.dispose()


def test_passes_over_a_station_match_skyfield(svc):
    from skyfield.api import EarthSatellite, load, wgs84

    params = {"fleet": "resource", "station": "bamako", "start": "2026-05-30T00:00:00Z",
              "hours": 24, "min_elevation": 10, "limit": 500}  # fmt: skip
    answer = svc.get("/api/passes", params=params)
    assert answer.status_code == 200, answer.text
    body = answer.json()
    assert body["site"]["name"] == "Bamako"
    name = "SENTINEL-2A"
    ours = [p for p in body["items"] if p["satellite"] == name]
    lines = (TLE / "resource.txt").read_text().splitlines()
    i = next(k for k, line in enumerate(lines) if line.strip() == name)
    ts = load.timescale(builtin=True)
    sat = EarthSatellite(lines[i + 1], lines[i + 2], name, ts)
    bamako = wgs84.latlon(12.60915, -7.97522, elevation_m=381.0)
    times, events = sat.find_events(bamako, ts.utc(2026, 5, 30), ts.utc(2026, 5, 31), 10.0)
    rises = [t.utc_datetime() for t, e in zip(times, events, strict=True) if e == 0]
    assert len(ours) == len(rises) > 0
    for pass_, rise in zip(ours, rises, strict=True):
        ours_rise = np.datetime64(pass_["rise"].rstrip("Z"), "s")
        assert (
            abs((ours_rise - np.datetime64(rise.replace(tzinfo=None), "s")).item().total_seconds())
            <= 2
        )
    # the same passes over the same point given by latitude and longitude
    point = {k: v for k, v in params.items() if k != "station"}
    by_point = svc.get("/api/passes", params={**point, "lat": 12.60915, "lon": -7.97522}).json()
    assert by_point["total"] >= body["total"] - 2  # altitude 0 m instead of 381 m
    too_much = svc.get("/api/passes", params={**params, "fleet": "starlink", "hours": 24})
    assert too_much.status_code == 422 and too_much.json()["field"] == "query.hours"
    unknown = svc.get("/api/passes", params={**params, "station": "Timbuktu"})
    assert unknown.status_code == 422 and unknown.json()["field"] == "query.station"


def test_passes_job_writes_the_schedule_as_csv(svc):
    import csv
    import io

    started = svc.post(
        "/api/jobs",
        role="operator",
        json={
            "kind": "passes",
            "params": {
                "fleet": "weather",
                "station": "Niamey",
                "start": "2026-05-30T00:00:00Z",
                "days": 2,
            },
        },
    )
    assert started.status_code == 202, started.text
    job = _wait_job(svc, started.json()["id"])
    assert job["status"] == "succeeded", job["message"]
    rows = list(csv.DictReader(io.StringIO(svc.get(
        f"/api/products/{job['products'][0]}/download").text)))  # fmt: skip
    assert len(rows) == job["result"]["passes"] > 0
    direct = svc.get("/api/passes", params={"fleet": "weather", "station": "Niamey",
                                            "start": "2026-05-30T00:00:00Z", "hours": 24,
                                            "limit": 500}).json()  # fmt: skip
    first_day = [r for r in rows if r["rise"] < "2026-05-31"]
    assert [r["rise"] for r in first_day][:10] == [p["rise"] for p in direct["items"]][:10]
    bad = svc.post("/api/jobs", role="operator", json={"kind": "passes", "params": {"days": 99}})
    assert bad.status_code == 422


def test_coverage_job_delivers_the_capability_result(svc):
    import sahelsat

    if not hasattr(sahelsat, "coverage"):
        pytest.skip("sahelsat.coverage is not installed yet")
    import xarray as xr

    params = {
        "fleet": "weather",
        "area": "BFA",
        "resolution_deg": 0.5,
        "start": "2026-05-30T00:00:00Z",
        "hours": 2,
        "step_s": 60,
        "min_elevation": 10,
    }
    started = svc.post("/api/jobs", role="operator", json={"kind": "coverage", "params": params})
    assert started.status_code == 202, started.text
    job = _wait_job(svc, started.json()["id"], timeout=300)
    assert job["status"] == "succeeded", job["message"]
    ours = xr.open_dataset(io_bytes(svc.get(f"/api/products/{job['products'][0]}/download")))
    direct = sahelsat.coverage(sahelsat.catalogue("weather"), area="BFA", resolution_deg=0.5,
                               start=np.datetime64("2026-05-30T00:00"),
                               stop=np.datetime64("2026-05-30T02:00"), step_s=60,
                               min_elevation=10.0)  # fmt: skip
    np.testing.assert_allclose(ours["percent_covered"].values, direct["percent_covered"].values)


def io_bytes(answer):
    import io

    return io.BytesIO(answer.content)


def test_opportunities_come_from_the_tasking_capability(svc):
    from datetime import UTC, datetime, timedelta

    import sahelsat
    from sahelsat.tasking import find_opportunities, make_request

    now = datetime.now(UTC).replace(second=0, microsecond=0, tzinfo=None)
    stop = now + timedelta(days=1)
    body = request_body(start=(now - timedelta(hours=1)).isoformat() + "Z",
                        stop=stop.isoformat() + "Z", priority=5)  # fmt: skip
    rid = svc.post("/api/requests", json=body).json()["id"]
    answer = svc.get(f"/api/requests/{rid}/opportunities", params={"limit": 500})
    assert answer.status_code == 200, answer.text
    found = answer.json()
    assert "sahelsat.tasking" in found["method"]
    starts = [np.datetime64(o["start"].rstrip("Z")) for o in found["items"]]
    assert starts == sorted(starts) and len(starts) == found["total"] > 0
    assert starts[0] >= np.datetime64(now) - np.timedelta64(60, "s")
    assert all(0 < o["coverage"] <= 1 for o in found["items"])
    # no default limit drops the radar: Sentinel-1's IW swath lies 26-40 degrees off nadir
    assert {o["status"] for o in found["items"]} == {"forecast"}  # satellites not ours
    assert any(o["sensor"] == "sar" and o["beam"] == "IW" for o in found["items"])
    assert all(o["strip"]["type"] == "Polygon" for o in found["items"])
    # the same as the capability called directly on the same request and span
    direct = find_opportunities(
        sahelsat.catalogue("resource"),
        [make_request(str(rid), BOX, start=np.datetime64(now - timedelta(hours=1)),
                      end=np.datetime64(stop), priority=5.0)],
        np.datetime64(now), np.datetime64(stop), ours=set(),
    )  # fmt: skip
    later = np.datetime64(now + timedelta(minutes=2))  # the service's clock may be a minute on
    direct = direct[direct["start"].to_numpy() >= later]
    ours = [o for o in found["items"] if np.datetime64(o["start"].rstrip("Z")) >= later]
    assert list(direct["satellite"]) == [o["satellite"] for o in ours]
    np.testing.assert_allclose(direct["coverage"], [o["coverage"] for o in ours])

    radar = svc.post("/api/requests", json={**body, "sensor": "sar"}).json()["id"]
    sar = svc.get(f"/api/requests/{radar}/opportunities", params={"limit": 500}).json()
    assert all(o["sensor"] == "sar" for o in sar["items"])
    night = svc.post("/api/requests", json={**body, "sensor": "sar", "min_sun_elevation_deg": 10})
    assert night.status_code == 422 and night.json()["field"] == "body.min_sun_elevation_deg"


def test_public_read_opens_reads_only(database_url):
    service = Service(database_url, public_read=True)
    with service.client:
        assert service.client.get("/api/requests").status_code == 200
        assert service.client.post("/api/requests", json=request_body()).status_code == 401
    service.app.state.engine.dispose()


def test_sqlite_store_is_durable_by_configuration(tmp_path):
    service = Service(f"sqlite:///{tmp_path / 'store.db'}")
    with service.app.state.engine.connect() as conn:
        assert conn.execute(text("PRAGMA journal_mode")).scalar() == "wal"
        assert conn.execute(text("PRAGMA synchronous")).scalar() == 2  # FULL
        assert conn.execute(text("PRAGMA foreign_keys")).scalar() == 1
    service.app.state.engine.dispose()


FLOOD = {
    "type": "FeatureCollection",
    "features": [{"type": "Feature", "properties": {"class": "flood"}, "geometry": BOX}],
}


def test_product_upload_and_download(svc):
    import json

    raw = json.dumps(FLOOD).encode()
    octets = {"content-type": "application/octet-stream"}
    made = svc.post("/api/products", role="operator", params={"name": "flood_mopti.geojson"},
                    content=raw, headers=octets)  # fmt: skip
    assert made.status_code == 201, made.text
    product = made.json()
    assert product["media_type"] == "application/geo+json"
    assert product["size_bytes"] == len(raw)
    assert product["sha256"] == hashlib.sha256(raw).hexdigest()
    download = svc.get(product["download"])
    assert download.content == raw
    assert download.headers["content-type"].startswith("application/geo+json")
    assert 'filename="flood_mopti.geojson"' in download.headers["content-disposition"]
    listed = svc.get("/api/products").json()
    assert [p["id"] for p in listed["items"]] == [product["id"]]

    def upload(name, content, role="operator"):
        return svc.post("/api/products", role=role, params={"name": name}, content=content,
                        headers=octets)  # fmt: skip

    assert upload("flood.geojson", raw, role="requester").status_code == 403
    for name, content, field in [
        ("flood.exe", raw, "query.name"),
        ("../flood.geojson", raw, "query.name"),
        ("flood.geojson", b"{not json", "body"),
        ("flood.geojson", b'{"type": "Banana"}', "body.type"),
        ("map.tif", b"GIF89a....", "body"),
        ("map.png", b"", "body"),
    ]:
        refused = upload(name, content)
        assert refused.status_code == 422, name
        assert refused.json()["field"] == field, name
    tiff = b"II*\x00" + bytes(100)
    assert upload("mask.tif", tiff).json()["media_type"] == "image/tiff"
    too_big = upload("big.csv", b"a" * (33 * 1024 * 1024))
    assert too_big.status_code == 413


def test_openapi_is_served_and_no_page_needs_the_internet(svc):
    spec = svc.client.get("/openapi.json").json()
    assert "/api/requests" in spec["paths"]
    # /docs is the offline documentation site of `make docs` (or a 404 page saying to build
    # it), never FastAPI's Swagger UI, whose scripts would come from a CDN
    docs = svc.client.get("/docs/")
    assert docs.status_code in (200, 404)
    assert "swagger" not in docs.text.lower()
    assert not re.search(r"<(script|link)[^>]+(src|href)=\"(https?:)?//", docs.text)
    page = svc.client.get("/").text
    assert "/static/vendor/maplibre-gl.js" in page
