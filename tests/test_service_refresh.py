"""Keeping current in the service: the ``refresh`` job, its trigger and schedule, each
fleet's age, and uploaded element sets kept per fleet with their history.

The job's real HTTP client asks a loopback server that serves responses in CelesTrak's
formats (the mirror of ``test_refresh``: the shipped snapshot as OMM, by the sgp4
package's exporter, plus objects numbered past 99,999). Every other source URL points to
the discard port on loopback (see ``conftest``): no test touches the internet.
"""

from __future__ import annotations

import json
import time
from datetime import UTC, datetime
from pathlib import Path

import numpy as np
import pytest
from sqlalchemy import text
from test_refresh import Mirror
from test_service_api import Service, _wait_job, database_url, postgres  # noqa: F401

from sahelsat.service.db import Job
from sahelsat.service.settings import Settings

TLE = Path(__file__).resolve().parents[1] / "sahelsat" / "data" / "tle"
RESOURCE_QUERIES = ("GROUP=resource", "CATNR=62261", "CATNR=66315")


@pytest.fixture
def mirror(tmp_path, monkeypatch):
    """The loopback mirror as the service's CelesTrak, and a data directory of its own."""
    monkeypatch.setenv("SAHELSAT_DATA_DIR", str(tmp_path / "data"))
    server = Mirror()
    monkeypatch.setenv("SAHELSAT_CELESTRAK_URL", server.url)
    yield server
    server.close()


def service(database_url, **settings) -> Service:  # noqa: F811
    return Service(database_url, settings=Settings(**settings))


@pytest.fixture
def svc(database_url, mirror):  # noqa: F811
    s = service(database_url)
    with s.client:
        yield s
    s.app.state.engine.dispose()


def expected(mirror, *queries) -> tuple[int, str, str]:
    """Objects and epoch range (to the second, UTC) of the mirror's answers to ``queries``,
    read from the records it serves."""
    records = {r["NORAD_CAT_ID"]: r for q in queries for r in mirror.data[q]}
    epochs = sorted(str(r["EPOCH"])[:19] + "Z" for r in records.values())
    return len(records), epochs[0], epochs[-1]


def ages(svc) -> dict[str, dict]:
    answer = svc.get("/api/fleets")
    assert answer.status_code == 200
    return {a["fleet"]: a for a in answer.json()["ages"]}


def refresh(svc, role="operator", **body):
    return svc.post("/api/fleets/refresh", role=role, json=body or None)


def test_an_operator_refresh_brings_the_ages_up_to_date(svc, mirror):
    before = ages(svc)["resource"]
    assert before["fetched_at"] is None and before["version"] is None
    assert before["source"].startswith("shipped snapshot")
    # the shipped snapshot's median epoch is 2026-05-29: its age is counted from it
    shipped_age = (datetime.now(UTC) - datetime(2026, 5, 29, tzinfo=UTC)).days
    assert abs(before["age_days"] - shipped_age) < 3

    for role in ("viewer", "requester"):
        refused = refresh(svc, role, fleets=["resource"])
        assert refused.status_code == 403 and refused.json()["field"] == "Authorization"
    assert mirror.asked() == []

    started = refresh(svc, fleets=["resource"])
    assert started.status_code == 202 and started.json()["new"] is True
    job = _wait_job(svc, started.json()["job"])
    assert job["status"] == "succeeded" and job["kind"] == "refresh", job
    assert [r["key"] for r in mirror.asked()] == list(RESOURCE_QUERIES)
    assert all(r["headers"]["User-Agent"].startswith("sahelsat/") for r in mirror.asked())

    count, first, last = expected(mirror, *RESOURCE_QUERIES)
    result = job["result"]
    assert result["ok"] and result["updated"] == ["resource"]
    (fleet,) = result["fleets"]
    assert fleet["status"] == "updated" and fleet["errors"] == []
    assert (fleet["objects"], fleet["epoch_min"], fleet["epoch_max"]) == (count, first, last)
    assert mirror.url in fleet["source"]

    now = ages(svc)["resource"]
    assert now["version"] == fleet["version"] and now["satellites"] == count
    assert (now["epoch_min"], now["epoch_max"]) == (first, last)
    fetched = datetime.fromisoformat(now["fetched_at"].replace("Z", "+00:00"))
    assert abs((datetime.now(UTC) - fetched).total_seconds()) < 600
    # the fleet the service propagates is the new one, object 300001 included
    positions = svc.get("/api/fleets/resource/positions", params={"max_satellites": 12000})
    names = {f["properties"]["name"] for f in positions.json()["features"]}
    assert "OBJECT 300001" in names

    # asked again within CelesTrak's 2 h: skipped, nothing asked, the copy in use stays
    again = _wait_job(svc, refresh(svc, fleets=["resource"]).json()["job"])
    assert again["result"]["fleets"][0]["status"] == "skipped"
    assert again["result"]["fleets"][0]["objects"] == count
    assert len(mirror.asked()) == len(RESOURCE_QUERIES)


def test_no_second_refresh_while_one_is_queued(svc):
    with svc.app.state.sessions.begin() as db:  # a refresh queued by another process
        job = Job(kind="refresh", params="{}", status="queued", message="queued")
        db.add(job)
        db.flush()
        queued = job.id
    answer = refresh(svc, fleets=["weather"])
    assert answer.status_code == 202 and answer.json() == {"job": queued, "new": False}
    generic = svc.post("/api/jobs", role="operator", json={"kind": "refresh", "params": {}})
    assert generic.status_code == 202 and generic.json()["id"] == queued
    assert svc.post(f"/api/jobs/{queued}/cancel", role="operator").status_code == 200
    assert refresh(svc, fleets=["weather"]).json()["new"] is True


def test_no_job_is_taken_while_the_service_stops(database_url, mirror):  # noqa: F811
    s = service(database_url)
    with s.client:
        pass  # started, then stopped: its job runner takes no more work
    answer = refresh(s, fleets=["weather"])
    assert answer.status_code == 429 and "stopping" in answer.json()["reason"]
    assert int(answer.headers["Retry-After"]) > 0
    with s.app.state.sessions() as db:
        assert db.query(Job).count() == 0  # nothing was queued for nobody to run
    assert mirror.asked() == []
    s.app.state.engine.dispose()


@pytest.mark.parametrize(
    ("answer", "words"),
    [((500, "Internal Server Error"), "HTTP 500"), ("cut", "cut after")],
)
def test_a_bad_download_keeps_the_copy_in_use_and_the_job_says_why(svc, mirror, answer, words):
    first = _wait_job(svc, refresh(svc, fleets=["weather"]).json()["job"])
    kept = first["result"]["fleets"][0]
    assert kept["status"] == "updated"
    mirror.then("GROUP=weather", answer)
    job = _wait_job(svc, refresh(svc, fleets=["weather"], force=True).json()["job"])
    assert job["status"] == "succeeded"
    result = job["result"]
    assert not result["ok"] and result["updated"] == [] and words in result["stopped"]
    (weather,) = result["fleets"]
    assert weather["status"] == "failed" and words in weather["message"]
    for key in ("objects", "epoch_min", "epoch_max", "version"):
        assert weather[key] == kept[key]
    assert ages(svc)["weather"]["version"] == kept["version"]


def test_bad_refresh_bodies_are_refused(svc, mirror):
    for body, field in (
        ({"fleets": ["eo"]}, "body.fleets.0"),
        ({"fleets": ["../etc"]}, "body.fleets.0"),
        ({"fleets": []}, "body.fleets"),
        ({"force": "maybe"}, "body.force"),
    ):
        answer = svc.post("/api/fleets/refresh", role="operator", json=body)
        assert answer.status_code == 422 and answer.json()["field"] == field, answer.json()
    assert mirror.asked() == []


def test_the_schedule_submits_a_refresh_when_an_interval_is_set(database_url, mirror):  # noqa: F811
    off = service(database_url)
    assert off.app.state.refresh_schedule is None
    off.app.state.engine.dispose()

    on = service(database_url, refresh_interval_h=6, refresh_fleets=("weather",))
    with on.client:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            jobs = on.get("/api/jobs", params={"kind": "refresh"}).json()["items"]
            if jobs:
                break
            time.sleep(0.1)
        (job,) = jobs
        assert job["created_by"] is None
        job = _wait_job(on, job["id"])
        assert job["status"] == "succeeded" and job["result"]["updated"] == ["weather"]
        assert [r["key"] for r in mirror.asked()] == ["GROUP=weather"]
        assert ages(on)["weather"]["version"] == job["result"]["fleets"][0]["version"]
        # the next is due 6 h after this one, counted from the store (a restart waits too)
        assert 5.9 * 3600 < on.app.state.refresh_schedule.due_in_s() <= 6 * 3600
    assert not on.app.state.refresh_schedule._thread.is_alive()  # stopped with the service
    on.app.state.engine.dispose()


def tle_text(filename: str, first: int, count: int) -> str:
    lines = (TLE / filename).read_text().splitlines()
    return "\n".join(lines[3 * first : 3 * (first + count)]) + "\n"


def numbers(tle: str) -> list[int]:
    return sorted(int(line[2:7]) for line in tle.splitlines() if line.startswith("1 "))


def upload(svc, body: str, **params):
    return svc.post("/api/element-sets", role="operator", params=params, content=body,
                    headers={"Content-Type": "text/plain"})  # fmt: skip


def test_uploads_are_kept_per_fleet_and_a_version_stays_usable(svc):
    one, two = tle_text("weather.txt", 0, 20), tle_text("weather.txt", 10, 20)
    a = upload(svc, one, name="week 1", into="Local-Wx")
    assert a.status_code == 201, a.json()
    a = a.json()
    assert a["into"] == "local-wx" and a["spec"] == f"local-wx@{a['version']}"
    time.sleep(1.1)  # versions are stamped to the second
    b = upload(svc, two, name="week 2", into="local-wx").json()
    assert b["version"] != a["version"]

    listed = svc.get("/api/fleets/local-wx/versions").json()
    assert [v["version"] for v in listed["versions"]] == [b["version"], a["version"]]
    assert listed["in_use"] == b["version"]
    assert [v["element_set_id"] for v in listed["versions"]] == [b["id"], a["id"]]
    assert [v["in_use"] for v in listed["versions"]] == [True, False]

    kept = svc.get(f"/api/fleets/local-wx/versions/{a['version']}").json()
    assert sorted(r["NORAD_CAT_ID"] for r in kept["element_sets"]) == numbers(one)
    stored = svc.get(f"/api/element-sets/{a['id']}").json()
    assert stored["text"] == one and stored["version"] == a["version"]
    assert ages(svc)["local-wx"]["version"] == b["version"]

    # NAME@VERSION names the kept version in the service's one fleet resolver
    def names(spec):
        answer = svc.get(f"/api/fleets/{spec}/positions", params={"time": "2026-05-31T00:00:00Z"})
        assert answer.status_code == 200, answer.json()
        return {f["properties"]["name"] for f in answer.json()["features"]}

    wanted = {line.strip() for line in one.splitlines()[0::3]}
    assert names(a["spec"]) == wanted and names("local-wx") != wanted

    # a job records the versions it used and keeps them for good
    params = {"fleet": a["spec"], "station": "Bamako", "start": "2026-05-31T00:00:00Z"}
    body = {"kind": "passes", "params": params | {"days": 0.25}}
    job = _wait_job(svc, svc.post("/api/jobs", role="operator", json=body).json()["id"])
    assert job["status"] == "succeeded", job
    assert job["result"]["element_sets"] == [
        {"fleet": "local-wx", "version": a["version"], "spec": a["spec"]}
    ]
    body["params"]["fleet"] = "local-wx"
    job = _wait_job(svc, svc.post("/api/jobs", role="operator", json=body).json()["id"])
    assert job["result"]["element_sets"][0]["version"] == b["version"]
    pins = {v["version"]: v["pinned"] for v in svc.get("/api/fleets/local-wx/versions").json()
            ["versions"]}  # fmt: skip
    assert all(pins.values()) and f"job {job['id']}" in pins[b["version"]]


def test_bad_uploads_and_unknown_versions_are_refused(svc):
    small = upload(svc, tle_text("weather.txt", 0, 2), name="few", into="weather")
    assert small.status_code == 422 and small.json()["field"] == "query.into"
    assert "a partial answer" in small.json()["reason"]
    assert ages(svc)["weather"]["version"] is None  # the shipped snapshot stays in use
    taken = upload(svc, tle_text("weather.txt", 0, 2), name="few", into="weather", replace=True)
    assert taken.status_code == 201 and ages(svc)["weather"]["satellites"] == 2
    for into in ("eo", "upload-3", "../x", "a" * 65):
        answer = upload(svc, tle_text("weather.txt", 0, 2), name="x", into=into)
        assert answer.status_code == 422 and answer.json()["field"] == "query.into"
    version = taken.json()["version"]
    assert svc.get(f"/api/fleets/weather/versions/{version}").status_code == 200
    for path in ("/api/fleets/weather/versions/20200101T000000Z-0123456789ab",
                 "/api/fleets/nosuch/versions", "/api/element-sets/999"):  # fmt: skip
        assert svc.get(path).status_code == 404, path
    assert svc.get("/api/fleets/weather/versions/..").status_code in (404, 422)
    gone = svc.get("/api/fleets/weather@20200101T000000Z-0123456789ab/positions")
    assert gone.status_code == 422 and "no version" in gone.json()["reason"]
    bad = svc.get("/api/fleets/weather@yesterday/positions")
    assert bad.status_code == 422 and "is not a version" in bad.json()["reason"]


def test_the_migration_head_adds_the_history_columns(svc):
    from alembic.config import Config
    from alembic.script import ScriptDirectory

    from sahelsat.service.db import MIGRATIONS

    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    scripts = ScriptDirectory.from_config(config)
    assert scripts.get_revision("0005").down_revision == "0004"
    with svc.app.state.engine.connect() as conn:
        head = conn.execute(text("SELECT version_num FROM alembic_version")).scalar()
        assert head == scripts.get_current_head()
        row = conn.execute(text("SELECT fleet, version FROM element_sets")).fetchall()
    assert row == []


def test_name_at_version_resolves_outside_the_service_too(mirror):
    from sahelsat.fleet import catalogue
    from sahelsat.fleets import resolve_fleet
    from sahelsat.inputs import FleetSpec, InputError
    from sahelsat.refresh.catalogues import update_elements
    from sahelsat.userdata import ElementStore

    report = update_elements(["weather"], url=mirror.url)
    info = report.results[0].info
    spec = FleetSpec.parse(f"weather@{info.version}")
    assert str(spec) == f"weather@{info.version}"
    fleet = resolve_fleet(spec)
    assert fleet.catalog_numbers.tolist() == catalogue("weather").catalog_numbers.tolist()
    ElementStore().forget("weather")  # the shipped snapshot in use again; the version kept
    assert ElementStore().current("weather") is None
    assert np.array_equal(resolve_fleet(spec).epochs, fleet.epochs)
    with pytest.raises(InputError, match="no version"):
        resolve_fleet(FleetSpec.parse("weather@20200101T000000Z-0123456789ab"))
    assert json.loads(spec.model_dump_json())["parts"][0]["version"] == info.version


def test_the_web_map_shows_each_fleets_age_and_an_operator_refreshes(mirror, tmp_path):
    """In a real browser under the service's CSP: the table of ages (names and sources
    carrying markup shown as text), the operator's refresh button, French."""
    from test_service_support import ServerProcess
    from test_service_web import CHROMIUM, FLAGS, markup, watch

    playwright_api = pytest.importorskip("playwright.sync_api")
    if not Path(CHROMIUM).exists():
        pytest.skip(f"{CHROMIUM} missing: run tools/test_setup.sh (apt-get install chromium)")
    from sahelsat.service.auth import create_token
    from sahelsat.service.db import open_store

    engine, sessions = open_store(f"sqlite:///{tmp_path / 'sahelsat.db'}")
    with sessions() as session:
        secret = create_token(session, "ops", "operator")[1]
        viewer = create_token(session, "look", "viewer")[1]
        session.commit()
    engine.dispose()
    proc = ServerProcess(tmp_path)  # its element store and CelesTrak: the mirror fixture's
    try:
        import httpx

        auth = {"Authorization": f"Bearer {secret}"}
        name = markup("week 1")
        up = httpx.post(f"{proc.url}/api/element-sets", params={"name": name, "into": "local"},
                        content=tle_text("weather.txt", 0, 5), headers=auth)  # fmt: skip
        assert up.status_code == 201, up.text
        with playwright_api.sync_playwright() as p:
            chromium = p.chromium.launch(executable_path=CHROMIUM, args=FLAGS)
            page = chromium.new_page(viewport={"width": 1400, "height": 850})
            problems = watch(page)
            page.goto(proc.url)
            page.fill("#token", viewer)
            page.dispatch_event("#token", "change")
            page.click("button[data-tab=layers]")
            page.wait_for_selector("#ages tbody tr", state="attached", timeout=60_000)
            rows = page.eval_on_selector_all(
                "#ages tbody tr", "rows => rows.map(r => [...r.cells].map(c => c.textContent))"
            )
            table = {r[0]: r for r in rows}
            assert table["resource"][1] == "shipped snapshot" and table["resource"][2] == "—"
            source = page.get_attribute("#ages tbody tr:last-child td:nth-child(2)", "title")
            assert table["local"][1] == source and name in source  # the markup, as text
            assert not page.is_visible("#age-refresh")  # a viewer cannot refresh

            page.fill("#token", secret)
            page.dispatch_event("#token", "change")
            page.wait_for_selector("#age-refresh", state="visible", timeout=30_000)
            page.click("#age-refresh")
            page.wait_for_function(
                "() => /Refresh job #\\d+ started/.test(document.getElementById('age-status')"
                ".textContent)",
                timeout=30_000,
            )
            job = int(page.text_content("#age-status").split("#")[1].split()[0])
            deadline = time.monotonic() + 120
            while httpx.get(f"{proc.url}/api/jobs/{job}", headers=auth).json()["status"] in (
                "queued",
                "running",
            ):
                assert time.monotonic() < deadline
                time.sleep(0.3)
            page.dispatch_event("#token", "change")  # the map reloads its data
            page.wait_for_function(
                "() => [...document.querySelectorAll('#ages tbody tr')].some(r => "
                "r.cells[0].textContent === 'resource' && r.cells[2].textContent !== '—')",
                timeout=30_000,
            )
            page.click("#lang")
            page.wait_for_function(
                "() => document.querySelector('#ages th').textContent === 'Flotte'"
            )
            assert page.evaluate("() => window.__injected === undefined")
            assert not problems, problems
            chromium.close()
    finally:
        proc.stop()
