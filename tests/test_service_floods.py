"""The flood chain in the service: scene upload checked before work (4xx, never 5xx), a
flood job on a real hand-labelled Sen1Floods11 chip (its water against the hand label),
cancel, the map layers (exercise extents labelled as such) and the brief job."""

from __future__ import annotations

import base64
import hashlib
import io
import json
import re
import time

import numpy as np
import pytest
import rasterio
from rasterio.transform import from_origin

from sahelsat.service.api import create_app
from sahelsat.service.auth import create_token


class Service:
    def __init__(self, url: str, **settings):
        from fastapi.testclient import TestClient

        from sahelsat.service.settings import Settings

        self.app = create_app(url, default_scenario=False,
                              settings=Settings(**settings) if settings else None)  # fmt: skip
        self.client = TestClient(self.app)
        self.client.__enter__()
        with self.app.state.sessions() as session:
            self.tokens = {r: create_token(session, f"{r}-1", r)[1] for r in
                           ("viewer", "requester", "operator")}  # fmt: skip
            session.commit()

    def call(self, method, path, role="operator", **kw):
        headers = {"Authorization": f"Bearer {self.tokens[role]}", **kw.pop("headers", {})}
        return self.client.request(method, path, headers=headers, **kw)

    def wait(self, job_id, timeout=300.0):
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            job = self.call("GET", f"/api/jobs/{job_id}").json()
            if job["status"] in ("succeeded", "failed", "cancelled"):
                return job
            time.sleep(0.2)
        raise AssertionError(f"job {job_id} still {job['status']}")

    def close(self):
        self.client.__exit__(None, None, None)
        self.app.state.engine.dispose()


@pytest.fixture(scope="module")
def svc(tmp_path_factory):
    folder = tmp_path_factory.mktemp("svc")
    service = Service(f"sqlite:///{folder / 'db.sqlite'}", max_scene_bytes=8 * 1024 * 1024)
    yield service
    service.close()


def _tiff(array: np.ndarray, crs="EPSG:4326", transform=None, **extra) -> bytes:
    buf = io.BytesIO()
    bands = array if array.ndim == 3 else array[None]
    profile = {"driver": "GTiff", "width": bands.shape[2], "height": bands.shape[1],
               "count": bands.shape[0], "dtype": bands.dtype, "crs": crs,
               "transform": transform or from_origin(2.0, 13.6, 1e-4, 1e-4), **extra}  # fmt: skip
    if crs is None:
        profile.pop("crs")
    with rasterio.MemoryFile() as mem:
        with mem.open(**profile) as dst:
            dst.write(bands)
        buf.write(mem.read())
    return buf.getvalue()


def _upload(svc, content, name="s.tif", role="operator", **params):
    return svc.call("POST", "/api/scenes", role=role, params={"name": name, **params},
                    content=content, headers={"Content-Type": "image/tiff"})  # fmt: skip


@pytest.mark.parametrize(
    ("content", "words"),
    [
        (b"not a tiff at all", "not a GeoTIFF"),
        (b"II*\x00" + b"\x00" * 100, "not a readable GeoTIFF"),
        (_tiff(np.zeros((2, 64, 64), "float32"), crs=None), "no CRS"),
        (_tiff(np.zeros((2, 8, 8), "float32")), "at least 16"),
        (_tiff(np.zeros((5, 32, 32), "float32")), "5 bands"),
        (b"", "not a GeoTIFF"),
    ],
)
def test_invalid_scenes_are_refused_before_work(svc, content, words):
    answer = _upload(svc, content)
    assert 400 <= answer.status_code < 500, answer.text
    assert words in answer.text and answer.json()["field"] == "body"


def test_upload_limits_roles_and_links(svc):
    big = _upload(svc, b"II*\x00" + b"\x00" * (9 * 1024 * 1024))
    assert big.status_code == 413  # the size-limit setting, before any reading
    good = _tiff(np.full((2, 32, 32), -20.0, "float32"))
    assert _upload(svc, good, role="viewer").status_code == 403
    assert _upload(svc, good, request_id=999).status_code == 404
    ok = _upload(svc, good, name="dry.tif")
    assert ok.status_code == 201, ok.text
    scene = ok.json()
    assert scene["bands"] == 2 and scene["width"] == 32 and scene["crs"] == "EPSG:4326"
    assert scene["bounds"] == pytest.approx([2.0, 13.6 - 32e-4, 2.0 + 32e-4, 13.6], abs=1e-9)
    assert svc.call("GET", f"/api/scenes/{scene['id']}", role="viewer").json()["name"] == "dry.tif"
    bad_job = svc.call("POST", "/api/jobs", json={"kind": "flood", "params": {"scene_id": 99999}})
    assert 400 <= bad_job.status_code < 500


def _iou(pred: np.ndarray, label: np.ndarray, valid: np.ndarray) -> float:
    p, t = pred[valid] == 1, label[valid] == 1
    return float((p & t).sum() / max((p | t).sum(), 1))


def test_a_flood_job_on_a_labelled_chip(svc, shared_data):
    chip = "India_900498"
    s1 = shared_data / "floods" / "S1Hand" / f"{chip}_S1Hand.tif"
    label = rasterio.open(shared_data / "floods" / "LabelHand" / f"{chip}_LabelHand.tif").read(1)
    scene = _upload(svc, s1.read_bytes(), name=s1.name).json()
    job = _flood_job(svc, scene["id"])
    done = svc.wait(job["id"])
    assert done["status"] == "succeeded", done
    products = {p["name"]: p for p in svc.call(
        "GET", f"/api/products?job_id={job['id']}", role="viewer").json()["items"]}  # fmt: skip
    wanted = {"water.tif", "flood.geojson", "impact_regions.csv", "flood_layers.json"}
    assert wanted <= set(products)
    tif = svc.call("GET", products["water.tif"]["download"], role="viewer").content
    with rasterio.MemoryFile(tif) as mem, mem.open() as ds:
        water = ds.read(1)
    with rasterio.open(s1) as ds:
        finite = np.isfinite(ds.read()).all(axis=0)
    valid = (label >= 0) & finite & (water != 255)
    assert _iou(water, label, valid) >= 0.6  # a large flood: the hand label agrees
    layers = svc.call("GET", "/api/floods/layers", role="viewer").json()
    assert layers["kind"] == "mapped" and layers["job_id"] == job["id"]
    assert layers["water"]["features"]  # mapped water as polygons
    # India is outside the three countries: no region, no one counted there
    assert layers["table"] == [] and done["result"]["people"] == 0


def _flood_job(svc, scene_id: int) -> dict:
    answer = svc.call("POST", "/api/jobs", json={"kind": "flood", "params": {"scene_id": scene_id}})
    assert answer.status_code in (200, 201, 202), answer.text
    return answer.json()


def test_a_queued_flood_job_is_cancelled_and_leaves_nothing(svc, shared_data):
    s1 = shared_data / "floods" / "S1Hand" / "Pakistan_849790_S1Hand.tif"
    scene = _upload(svc, s1.read_bytes(), name=s1.name).json()
    busy = {"zone": "exercise", "start": "2026-05-31T00:00:00Z", "days": 2}
    ahead = [
        svc.call("POST", "/api/jobs", json={"kind": "brief", "params": busy}).json()
        for _ in range(2)
    ]  # both workers busy: the flood job waits in the queue
    job = _flood_job(svc, scene["id"])
    svc.call("POST", f"/api/jobs/{job['id']}/cancel")
    assert svc.wait(job["id"])["status"] == "cancelled"
    products = svc.call("GET", f"/api/products?job_id={job['id']}", role="viewer").json()
    assert products["items"] == []
    for j in ahead:
        svc.wait(j["id"])


def test_exercise_layers_are_labelled_and_match_the_library(svc):
    from sahelsat.inputs import FloodSection
    from sahelsat.scenario.flood import zone_chain

    got = svc.call("GET", "/api/floods/layers?exercise=true", role="viewer").json()
    assert got["kind"] == "exercise" and "not an observation" in got["label"]
    assert "pas une observation" in got["label_fr"]
    assert all(f["properties"]["exercise"] for f in got["water"]["features"])
    want = zone_chain(FloodSection(zone="exercise")).regions
    table = {(r["country"], r["region"]): r["people"] for r in got["table"]}
    for r in want.itertuples():
        assert table[(r.country, r.region)] == pytest.approx(r.people, rel=1e-6)
    names = {f["properties"]["region"] for f in got["regions"]["features"]}
    assert {"Niamey", "Tillabéri", "Mopti"} <= names


def test_a_brief_job_from_a_zone(svc):
    zone = {"type": "Polygon", "coordinates": [[[2.0, 13.4], [2.25, 13.4], [2.25, 13.6],
                                                [2.0, 13.6], [2.0, 13.4]]]}  # fmt: skip
    params = {"zone": zone, "start": "2026-05-31T00:00:00Z", "days": 1}
    job = svc.call("POST", "/api/jobs", json={"kind": "brief", "params": params}).json()
    done = svc.wait(job["id"])
    assert done["status"] == "succeeded", done
    en = svc.call("GET", f"/api/floods/brief?job_id={job['id']}", role="viewer")
    fr = svc.call("GET", "/api/floods/brief?lang=fr", role="viewer")
    assert en.status_code == 200 and "text/html" in en.headers["content-type"]
    assert "5. What is not known" in en.text and "Ce qui n&#x27;est pas connu" in fr.text
    assert "given by the user" in en.text and "Niamey" in en.text
    # styled when served: the page's only style element is allowed by its hash, and
    # nothing else inline (no style attribute, no script)
    styles = re.findall(r"<style>(.*?)</style>", en.text, flags=re.S)
    digest = base64.b64encode(hashlib.sha256(styles[0].encode()).digest()).decode()
    policy = dict(d.strip().split(" ", 1) for d in en.headers["content-security-policy"].split(";"))
    assert len(styles) == 1 and f"'sha256-{digest}'" in policy["style-src"].split()
    assert "unsafe" not in policy["style-src"] and "style=" not in en.text
    assert "<script" not in en.text and "<script" not in fr.text
    bad = svc.call("POST", "/api/jobs", json={"kind": "brief", "params": {"zone": {
        "type": "Point", "coordinates": [2, 13]}}})  # fmt: skip
    assert bad.status_code == 422 and "Polygon" in bad.text
    wide = json.loads(json.dumps(zone).replace("13.6", "23.6").replace("2.25", "12.25"))
    huge = svc.call(
        "POST", "/api/jobs", json={"kind": "brief", "params": {"zone": wide, "days": 14}}
    )
    assert huge.status_code == 422  # over the brief work limit (km2 x days)


def test_the_web_map_shows_the_flood_layers_in_both_languages(tmp_path):
    """In Chromium, under the service's CSP: the exercise layers drawn on the map, the
    table per region filled as text, the exercise label, then French."""
    from test_service_support import ServerProcess
    from test_service_web import CHROMIUM, FLAGS, watch

    playwright_api = pytest.importorskip("playwright.sync_api")
    if not __import__("pathlib").Path(CHROMIUM).exists():
        pytest.skip(f"{CHROMIUM} missing")
    from sahelsat.service.db import open_store

    engine, sessions = open_store(f"sqlite:///{tmp_path / 'sahelsat.db'}")
    with sessions() as session:
        secret = create_token(session, "niamey-ops", "viewer")[1]
        session.commit()
    engine.dispose()
    proc = ServerProcess(tmp_path)
    try:
        with playwright_api.sync_playwright() as p:
            browser = p.chromium.launch(executable_path=CHROMIUM, args=FLAGS)
            page = browser.new_page(viewport={"width": 1400, "height": 850})
            problems = watch(page)
            page.goto(proc.url)
            page.fill("#token", secret)
            page.dispatch_event("#token", "change")
            page.wait_for_function(
                "() => window.sahelsatMap && window.sahelsatMap.loaded()", timeout=60_000
            )
            page.click("button[data-tab=floods]")
            page.select_option("#flood-source", "exercise")
            page.click("#flood-show")
            page.wait_for_function(
                "() => document.querySelectorAll('#flood-table tr.flood-row').length >= 3",
                timeout=60_000,
            )
            assert "not an observation" in page.text_content("#flood-label")
            row = "#flood-table tr.flood-row:nth-child({}) td:nth-child(2)"
            regions = [page.text_content(row.format(k)) for k in (1, 2, 3)]
            assert {"Niamey", "Tillabéri", "Mopti"} <= set(regions)
            page.wait_for_function(
                "() => window.sahelsatMap.querySourceFeatures('flood-regions').length >= 3",
                timeout=30_000,
            )
            page.click("#lang")  # to French
            page.wait_for_function(
                "() => document.getElementById('flood-label').textContent"
                ".includes('pas une observation')",
                timeout=10_000,
            )
            assert "Personnes touchées" in page.text_content("#flood-table")
            assert page.text_content("button[data-tab=floods]") == "Crues"
            assert problems == []
            browser.close()
    finally:
        proc.stop()
