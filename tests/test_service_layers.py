"""Map layers and the default scenario on a real (SQLite) store.

The default scenario is loaded once into an empty store (its imaging fleet and requests)
and never twice; the coverage map grid of a coverage job (and from its NetCDF product when
the grid is missing); the settlement service status; roles and 422s naming the field.
"""

from __future__ import annotations

import time

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import delete, func, select

from sahelsat.service.api import create_app
from sahelsat.service.auth import create_token
from sahelsat.service.db import ElementSet, ImagingRequest, Product, StoreMeta
from sahelsat.service.jobs import JobOutput, register_job_kind
from sahelsat.service.seed import fleet_sensors, seed_default_scenario, store_is_empty


@pytest.fixture(scope="module")
def svc(tmp_path_factory):
    url = f"sqlite:///{tmp_path_factory.mktemp('layers') / 'store.db'}"
    app = create_app(url, default_scenario=True)
    with app.state.sessions() as session:
        tokens = {r: create_token(session, f"{r}-1", r)[1] for r in ("viewer", "operator")}
        session.commit()
    with TestClient(app) as client:
        client.store_url = url
        client.tokens = {r: {"Authorization": f"Bearer {s}"} for r, s in tokens.items()}
        yield client


def test_default_scenario_is_loaded_once(svc):
    from sahelsat.scenario import load_scenario

    scenario = load_scenario("sahel")
    fleets = svc.get("/api/fleets", headers=svc.tokens["viewer"]).json()
    seeded = fleets["default_scenario"]
    assert seeded["title"] == scenario.scenario.name and seeded["n_satellites"] == 6
    assert [u["fleet"] for u in fleets["uploads"]] == [seeded["fleet"]]
    listed = svc.get("/api/requests", headers=svc.tokens["viewer"]).json()
    assert listed["total"] == len(scenario.requests) == len(seeded["requests"])
    by_name = {r["name"]: r for r in listed["items"]}
    niamey = by_name["Niger river flood, Niamey riverside districts"]
    most = max(r.priority for r in scenario.requests)  # the planner's weights, as in the file
    assert niamey["sensor"] == "sar" and niamey["priority"] == most  # the most urgent one
    assert niamey["start"] == "2026-05-31T00:00:00Z" and niamey["stop"] == "2026-06-01T00:00:00Z"
    ring = niamey["geometry"]["coordinates"][0]
    assert ring[0] == ring[-1] and 400 < niamey["area_km2"] < 500  # a 12 km radius circle
    assert sorted(r["priority"] for r in listed["items"]) == sorted(
        r.priority for r in scenario.requests
    )
    # passes work on the scenario fleet
    passes = svc.get(
        "/api/passes",
        params={
            "fleet": seeded["fleet"],
            "station": "Bamako",
            "start": "2026-05-31T09:00:00Z",
            "hours": 4,
        },
        headers=svc.tokens["viewer"],
    )
    assert passes.status_code == 200 and passes.json()["total"] > 0
    # the designed satellites keep their sensors (SAR beams look right, 20-40 deg off nadir)
    with svc.app.state.sessions() as session:
        sensors = fleet_sensors(session, seeded["fleet"])
    sar, optical = sensors["SAHELSAT-SAR-1-1"], sensors["SAHELSAT-OPT-1-1"]
    assert sar.kind == "sar" and {b.side for b in sar.beams} == {"right"}
    assert optical.pointing == "roll" and optical.beams[0].width_km == 20

    # a restart, a second server, or a direct call add nothing
    again = create_app(svc.store_url, default_scenario=True)
    assert seed_default_scenario(again.state.sessions) is None
    with again.state.sessions() as session:
        assert session.scalar(select(func.count()).select_from(ElementSet)) == 1
        assert session.scalar(select(func.count()).select_from(ImagingRequest)) == len(
            scenario.requests
        )
        assert session.scalar(select(func.count()).select_from(StoreMeta)) == 2
    again.state.engine.dispose()


def test_a_store_in_use_or_opted_out_is_not_seeded(tmp_path, monkeypatch):
    monkeypatch.setenv("SAHELSAT_DEFAULT_SCENARIO", "off")
    app = create_app(f"sqlite:///{tmp_path / 'store.db'}")
    with app.state.sessions() as session:
        assert store_is_empty(session)
        session.add(ElementSet(name="own fleet", text="x", n_satellites=1))
        session.commit()
        assert not store_is_empty(session)
    assert seed_default_scenario(app.state.sessions) is None
    with app.state.sessions() as session:
        assert session.scalar(select(func.count()).select_from(ImagingRequest)) == 0


def _wait(svc, job_id: int) -> dict:
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        job = svc.get(f"/api/jobs/{job_id}", headers=svc.tokens["viewer"]).json()
        if job["status"] not in ("queued", "running"):
            return job
        time.sleep(0.2)
    raise AssertionError(f"job {job_id} did not finish")


def test_coverage_map_of_the_latest_job(svc):
    viewer, operator = svc.tokens["viewer"], svc.tokens["operator"]
    missing = svc.get("/api/coverage/map", headers=viewer)
    assert missing.status_code == 404 and missing.json()["field"] == "query.job_id"
    fleet = svc.get("/api/fleets", headers=viewer).json()["default_scenario"]["fleet"]
    params = {"fleet": fleet, "area": "BFA", "resolution_deg": 0.25,
              "start": "2026-05-31T09:00:00Z", "hours": 3, "step_s": 60}  # fmt: skip
    job = svc.post("/api/jobs", json={"kind": "coverage", "params": params}, headers=operator)
    assert job.status_code == 202
    done = _wait(svc, job.json()["id"])
    assert done["status"] == "succeeded", done["message"]

    assert svc.get("/api/coverage/map").status_code == 401
    grid = svc.get("/api/coverage/map", headers=viewer).json()
    assert grid["job_id"] == done["id"] and grid["fleet"] == fleet and grid["area"] == "BFA"
    assert grid["figures"][:3] == ["percent_covered", "mean_gap_s", "max_gap_s"]
    assert grid["stop"] == "2026-05-31T12:00:00Z" and grid["resolution_deg"] == 0.25
    cells = grid["cells"]
    assert 250 < len(cells) < 500  # Burkina Faso: about 274,000 km2 of 0.25 deg cells
    assert all(9 < c[0] < 15.5 and -6 < c[1] < 2.6 for c in cells)
    covered = [c[2] for c in cells]
    assert all(0 <= p <= 100 for p in covered) and max(covered) > 0  # the 10:30 passes
    # a cell never covered has no finite gap (null); a covered one has its gaps
    assert all((c[3] is None) == (c[2] == 0) for c in cells)
    assert grid["ranges"]["percent_covered"] == [min(covered), max(covered)]

    squares = svc.get("/api/coverage/map", params={"format": "geojson"}, headers=viewer).json()
    assert len(squares["features"]) == len(cells)
    first = squares["features"][0]
    assert first["properties"]["percent_covered"] == cells[0][2]
    assert len(first["geometry"]["coordinates"][0]) == 5

    # a job made before map grids existed: the grid comes from its NetCDF product
    with svc.app.state.sessions() as session:
        session.execute(
            delete(Product).where(Product.job_id == done["id"], Product.name.like("%_map.json"))
        )
        session.commit()
    derived = svc.get("/api/coverage/map", params={"job_id": done["id"]}, headers=viewer).json()
    assert derived["cells"] == cells

    # bad parameters name their field
    for query, status, field in (
        ({"format": "png"}, 422, "query.format"),
        ({"job_id": 0}, 422, "query.job_id"),
        ({"job_id": "x"}, 422, "query.job_id"),
        ({"job_id": 99999}, 404, "query.job_id"),
    ):
        answer = svc.get("/api/coverage/map", params=query, headers=viewer)
        assert answer.status_code == status and answer.json()["field"] == field, query
    register_job_kind("layers-noop", "does nothing (tests)", dict, lambda p, ctx: JobOutput())
    other = svc.post("/api/jobs", json={"kind": "layers-noop"}, headers=operator).json()
    _wait(svc, other["id"])
    wrong = svc.get("/api/coverage/map", params={"job_id": other["id"]}, headers=viewer)
    assert wrong.status_code == 422 and "not coverage" in wrong.json()["reason"]


def test_settlement_service_status(svc):
    viewer = svc.tokens["viewer"]
    query = {"band": "ka", "availability": 99.9, "throughput_mbps": 50, "min_population": 150_000}
    assert svc.get("/api/settlements/service", params=query).status_code == 401
    answer = svc.get("/api/settlements/service", params=query, headers=viewer)
    assert answer.status_code == 200, answer.text
    data = answer.json()
    assert data["band"] == "ka" and data["availability_percent"] == 99.9
    towns = {f["properties"]["name"]: f for f in data["features"]}
    assert {"Bamako", "Niamey", "Ouagadougou"} <= set(towns)
    bamako = towns["Bamako"]["properties"]
    assert bamako["satellite"].startswith("SAHELSAT-GEO") and bamako["served"]
    assert bamako["availability_percent"] >= 99.9 and bamako["throughput_mbps"] >= 50
    assert bamako["dish_m"] in data["dishes_m"]
    lon, lat = towns["Bamako"]["geometry"]["coordinates"]
    assert abs(lat - 12.65) < 0.1 and abs(lon + 8.0) < 0.1
    s = data["summary"]
    assert s["settlements"] == len(data["features"]) and s["served"] <= s["settlements"]
    started = time.monotonic()
    assert svc.get("/api/settlements/service", params=query, headers=viewer).json() == data
    assert time.monotonic() - started < 1.0  # cached

    for change, field in (
        ({"band": "x"}, "query.band"),
        ({"availability": 101}, "query.availability"),
        ({"throughput_mbps": 900}, "query.throughput_mbps"),
        ({"satellites": "leo"}, "query.satellites"),
        ({"min_population": -1}, "query.min_population"),
    ):
        bad = svc.get("/api/settlements/service", params={**query, **change}, headers=viewer)
        assert bad.status_code == 422 and bad.json()["field"] == field, change
