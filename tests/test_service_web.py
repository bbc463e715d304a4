"""The web map in a real browser: Debian's Chromium driven by Playwright, fully offline.

Loads the map (country outlines drawn by MapLibre from the local API), shows the passes
timeline, draws an area by clicking the map, submits the imaging request and waits for
its next opportunities; switches to French. Names carrying markup, uploaded into every
field the map shows, appear as literal text and run nothing. The pages run under the
service's own Content-Security-Policy (so waits are functions, not strings: the policy
refuses ``eval``), and no policy violation may occur. A screenshot of the main page is
written to ``$SAHELSAT_SCREENSHOTS`` (default: the test's temporary folder).
"""

from __future__ import annotations

import json
import os
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import httpx
import pytest
from test_service_support import ServerProcess

from sahelsat.service.auth import create_token
from sahelsat.service.db import Job, open_store

CHROMIUM = "/usr/bin/chromium"
FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


@pytest.fixture(scope="module")
def browser():
    playwright_api = pytest.importorskip("playwright.sync_api")
    if not Path(CHROMIUM).exists():
        reason = f"{CHROMIUM} missing: run tools/test_setup.sh (apt-get install chromium)"
        print(f"browser tests skipped: {reason}")
        pytest.skip(reason)
    with playwright_api.sync_playwright() as p:
        chromium = p.chromium.launch(executable_path=CHROMIUM, args=FLAGS)
        yield chromium
        chromium.close()


def watch(page) -> list[str]:
    """What went wrong in ``page`` as it happens: policy violations (an inline script or
    style the CSP refused, an ``eval``), uncaught errors and dialogs (``alert``)."""
    problems: list[str] = []
    page.on(
        "console",
        lambda m: (
            problems.append(m.text)
            if "Content Security Policy" in m.text or "Refused to" in m.text
            else None
        ),
    )
    page.on("pageerror", lambda e: problems.append(f"uncaught: {e}"))

    def dialog(d):
        problems.append(f"dialog: {d.message}")
        d.dismiss()

    page.on("dialog", dialog)
    return problems


@pytest.fixture
def server(tmp_path):
    engine, sessions = open_store(f"sqlite:///{tmp_path / 'sahelsat.db'}")
    with sessions() as session:
        secret = create_token(session, "bamako-ops", "operator")[1]
        session.commit()
    engine.dispose()
    proc = ServerProcess(tmp_path)
    yield proc, secret
    proc.stop()


def test_map_draw_request_and_see_opportunities(browser, server, tmp_path):
    proc, secret = server
    page = browser.new_page(viewport={"width": 1400, "height": 850})
    problems = watch(page)
    offline_violations = []
    page.on(
        "request",
        lambda r: (
            None
            if r.url.startswith((proc.url, "data:", "blob:"))
            else offline_violations.append(r.url)
        ),
    )
    page.goto(proc.url)
    page.fill("#token", secret)
    page.dispatch_event("#token", "change")
    page.wait_for_function(
        "() => window.sahelsatMap && window.sahelsatMap.loaded()", timeout=60_000
    )
    # the three countries are drawn (rendered features come from WebGL drawing)
    page.wait_for_function(
        "() => new Set(window.sahelsatMap.queryRenderedFeatures({layers: ['countries-fill']})"
        ".map(f => f.properties.iso3)).size === 3",
        timeout=30_000,
    )
    page.wait_for_function(
        "() => document.getElementById('who').textContent === 'bamako-ops (operator)'",
        timeout=30_000,
    )
    # passes timeline of the default station: one bar per pass
    # (waited for as one state: a fleet or token change reloads the timeline)
    page.wait_for_function(
        """() => {
            const total = parseInt(document.getElementById('passes-status').textContent);
            return total > 0 && document.querySelectorAll('#timeline svg rect').length === total;
        }""",
        timeout=60_000,
    )
    shots = Path(os.environ.get("SAHELSAT_SCREENSHOTS", tmp_path))
    shots.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(shots / "service_main.png"))

    # draw a square around Mopti, Mali (-4.2 E, 14.5 N) by clicking the map
    page.click("button[data-tab=requests]")
    page.click("#draw")
    corners = [(-4.6, 14.2), (-3.8, 14.2), (-3.8, 14.8), (-4.6, 14.8)]
    for lon, lat in corners:
        xy = page.evaluate(
            "(c) => { const p = window.sahelsatMap.project(c); return [p.x, p.y]; }", [lon, lat]
        )
        page.locator("#map canvas").click(position={"x": xy[0], "y": xy[1]})
    page.click("#finish")
    page.fill("#req-name", "Crue à Mopti")
    page.click("#request-form button[type=submit]")
    page.wait_for_selector("#request-status.ok", timeout=30_000)
    page.wait_for_selector("#opportunity-table tr:nth-child(2)", timeout=60_000)
    rows = page.locator("#opportunity-table tr").count() - 1
    assert rows > 0
    page.screenshot(path=str(shots / "service_request.png"))

    # the request is stored with the drawn corners
    listed = httpx.get(f"{proc.url}/api/requests",
                       headers={"Authorization": f"Bearer {secret}"}).json()  # fmt: skip
    assert listed["total"] == 1
    stored = listed["items"][0]
    assert stored["name"] == "Crue à Mopti"
    ring = stored["geometry"]["coordinates"][0]
    assert len(ring) == 5 and ring[0] == ring[-1]
    for (lon, lat), (slon, slat) in zip(corners, ring[:4], strict=True):
        assert abs(lon - slon) < 0.05 and abs(lat - slat) < 0.05  # 1.5 px at zoom 4.3
    assert stored["bbox"] == pytest.approx([-4.6, 14.2, -3.8, 14.8], abs=0.05)

    # the operator approves it from the list
    page.click("#request-list .request-approve")
    page.wait_for_selector("#request-list li.status-approved", timeout=30_000)
    approved = httpx.get(f"{proc.url}/api/requests/{stored['id']}",
                         headers={"Authorization": f"Bearer {secret}"}).json()  # fmt: skip
    assert approved["status"] == "approved"

    # a 7-day pass schedule runs as a job whose CSV appears among the products
    page.click("button[data-tab=passes]")
    page.select_option("#fleet", "weather")
    page.click("#schedule")
    page.wait_for_selector("#product-list li >> text=passes_weather_Bamako.csv", timeout=120_000)
    # the job list refreshes every 2 s, so it may lag the product list by one poll
    page.wait_for_function(
        "() => document.querySelector('#job-list').textContent.includes('succeeded 100%')",
        timeout=30_000,
    )

    # a flood product uploaded by an operator is drawn on the map from the products list
    flood = {"type": "FeatureCollection", "features": [{"type": "Feature", "properties": {},
             "geometry": {"type": "Polygon", "coordinates": [[[2.0, 13.4], [2.2, 13.4],
                          [2.2, 13.6], [2.0, 13.6], [2.0, 13.4]]]}}]}  # fmt: skip
    made = httpx.post(f"{proc.url}/api/products", params={"name": "flood_niamey.geojson"},
                      content=json.dumps(flood).encode(),
                      headers={"Authorization": f"Bearer {secret}"})  # fmt: skip
    assert made.status_code == 201
    page.click("button[data-tab=requests]")
    page.click("button[data-tab=jobs]")
    page.click("#product-list .show-product")
    page.wait_for_function(
        "() => window.sahelsatMap.queryRenderedFeatures({layers: ['product-fill']}).length > 0",
        timeout=30_000,
    )
    page.screenshot(path=str(shots / "service_product.png"))

    # French
    page.click("#lang")
    assert page.text_content("h1") == "Opérations satellitaires du Sahel"
    assert page.text_content("button[data-tab=requests]") == "Demandes"
    assert not offline_violations, offline_violations
    assert not problems, problems
    page.close()


def test_vendored_maplibre_matches_the_pinned_version():
    web = Path(__file__).resolve().parents[1] / "sahelsat" / "service" / "web"
    pinned = json.loads((web / "package.json").read_text())["dependencies"]["maplibre-gl"]
    head = (web / "vendor" / "maplibre-gl.js").read_text()[:400]
    assert f"/v{pinned}/LICENSE.txt" in head
    assert "MapLibre contributors" in (web / "vendor" / "LICENSE.txt").read_text()
    # the page loads only local scripts and styles
    page = (web / "index.html").read_text()
    assert "http://" not in page.replace("http://www.w3.org", "") and "https://" not in page


def test_coverage_and_settlement_layers(browser, tmp_path):
    """The default scenario's requests, a coverage heat map and settlement service status."""
    engine, sessions = open_store(f"sqlite:///{tmp_path / 'sahelsat.db'}")
    with sessions() as session:
        secret = create_token(session, "niamey-ops", "operator")[1]
        session.commit()
    engine.dispose()
    proc = ServerProcess(tmp_path, default_scenario=True)
    try:
        auth = {"Authorization": f"Bearer {secret}"}
        fleet = httpx.get(f"{proc.url}/api/fleets", headers=auth).json()["default_scenario"][
            "fleet"
        ]
        params = {"fleet": fleet, "area": "AES", "resolution_deg": 0.25,
                  "start": "2026-05-31T06:00:00Z", "hours": 12, "step_s": 60}  # fmt: skip
        job = httpx.post(f"{proc.url}/api/jobs", json={"kind": "coverage", "params": params},
                         headers=auth).json()  # fmt: skip
        deadline = time.monotonic() + 120
        while httpx.get(f"{proc.url}/api/jobs/{job['id']}", headers=auth).json()["status"] in (
            "queued",
            "running",
        ):
            assert time.monotonic() < deadline
            time.sleep(0.3)

        page = browser.new_page(viewport={"width": 1400, "height": 850})
        problems = watch(page)
        page.goto(proc.url)
        page.fill("#token", secret)
        page.dispatch_event("#token", "change")
        page.wait_for_function(
            "() => window.sahelsatMap && window.sahelsatMap.loaded()", timeout=60_000
        )
        # the default scenario's six requests are drawn; its fleet can be chosen
        page.wait_for_function(
            "() => window.sahelsatMap.querySourceFeatures('requests').length >= 6", timeout=30_000
        )
        page.wait_for_selector(f"#fleet option[value='{fleet}']", state="attached", timeout=30_000)
        # the latest coverage job is drawn with its legend (on by default)
        page.wait_for_function(
            "() => window.sahelsatMap.queryRenderedFeatures({layers: ['coverage-fill']})"
            ".length > 100",
            timeout=30_000,
        )
        page.wait_for_selector("#legend-coverage", state="visible", timeout=10_000)
        assert "% of time covered" in page.text_content("#legend-coverage")
        page.click("button[data-tab=layers]")
        assert f"Job #{job['id']}" in page.text_content("#cov-status")
        page.select_option("#cov-figure", "max_gap_s")
        page.wait_for_function(
            "() => document.getElementById('legend-coverage').textContent.includes('Longest gap')"
        )
        # settlement service status: towns coloured by the smallest dish
        page.select_option("#svc-band", "ka")
        page.select_option("#svc-availability", "99.9")
        page.check("#svc-show")
        page.wait_for_function(
            "() => window.sahelsatMap.queryRenderedFeatures({layers: ['service']}).length > 50",
            timeout=60_000,
        )
        page.wait_for_selector("#legend-service", state="visible", timeout=10_000)
        assert "Smallest dish (m)" in page.text_content("#legend-service")
        assert "settlements served" in page.text_content("#svc-status")
        shots = Path(os.environ.get("SAHELSAT_SCREENSHOTS", tmp_path))
        shots.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(shots / "service_layers.png"))
        page.click("#lang")
        page.wait_for_function(
            "() => document.getElementById('legend-service').textContent"
            ".includes('Plus petite antenne')"
        )
        assert "Plus long intervalle" in page.text_content("#legend-coverage")
        assert page.text_content("button[data-tab=layers]") == "Couches"
        assert not problems, problems
        page.close()
    finally:
        proc.stop()


def markup(where: str) -> str:
    """A name carrying markup: inserted as HTML, it would make an image element whose
    error handler sets a global and opens a dialog."""
    return f'{where} <img src=x onerror="window.__injected=true;alert(1)">'


def _hover_text(page, layer: str, name: str, where: list[float]) -> str:
    """Centre the map on ``where`` (lon, lat), wait until the feature of ``layer`` named
    ``name`` is drawn there, move the mouse over it and return the popup's text."""
    page.evaluate("(c) => window.sahelsatMap.jumpTo({center: c})", where)
    page.wait_for_function(
        """([layer, name, c]) => {
            const map = window.sahelsatMap;
            return map.queryRenderedFeatures(map.project(c), {layers: [layer]})
                .some(f => f.properties.name === name);
        }""",
        arg=[layer, name, where],
        timeout=30_000,
    )
    xy = page.evaluate(
        """(c) => {
            const p = window.sahelsatMap.project(c);
            const box = window.sahelsatMap.getCanvas().getBoundingClientRect();
            return [box.left + p.x, box.top + p.y];
        }""",
        where,
    )
    page.mouse.move(xy[0] + 4, xy[1] + 4)
    page.mouse.move(xy[0], xy[1])
    return page.wait_for_selector(".maplibregl-popup-content", timeout=10_000).text_content()


def test_names_with_markup_show_as_text_and_run_nothing(browser, tmp_path):
    """Fleet, satellite, request, product and job names, a job's message and an error
    message, each carrying markup, are shown literally wherever the map shows them, with
    the service's CSP and again with the CSP bypassed (the page itself inserts text)."""
    engine, sessions = open_store(f"sqlite:///{tmp_path / 'sahelsat.db'}")
    with sessions() as session:
        secret = create_token(session, "ops", "operator")[1]
        # a job whose kind and message carry markup, as a job failing on hostile input would
        session.add(Job(kind=markup("job"), params="{}", status="failed", progress=1.0,
                        message=markup("job message"), cancel_requested=False))  # fmt: skip
        session.commit()
    engine.dispose()
    proc = ServerProcess(tmp_path)
    auth = {"Authorization": f"Bearer {secret}"}
    try:
        tle = (Path(__file__).resolve().parents[1] / "sahelsat/data/tle/resource.txt").read_text()
        lines = tle.splitlines()
        sats, text = [], []
        for i, line in enumerate(lines):
            if line.strip() in ("LANDSAT 8", "LANDSAT 9", "SENTINEL-2A", "SENTINEL-2B"):
                sats.append(markup(line.strip()))
                text += [sats[-1], lines[i + 1], lines[i + 2]]
        made = httpx.post(f"{proc.url}/api/element-sets", params={"name": markup("fleet")},
                          content="\n".join(text), headers=auth)  # fmt: skip
        assert made.status_code == 201, made.text
        fleet = made.json()["fleet"]
        now = datetime.now(UTC).replace(microsecond=0)
        area = {"type": "Polygon", "coordinates": [
            [[-4.3, 14.4], [-4.0, 14.4], [-4.0, 14.6], [-4.3, 14.6], [-4.3, 14.4]]]}  # fmt: skip
        body = {"name": markup("request"), "geometry": area, "start": now.isoformat(),
                "stop": (now + timedelta(days=3)).isoformat()}  # fmt: skip
        assert httpx.post(f"{proc.url}/api/requests", json=body, headers=auth).status_code == 201
        product = markup("product") + ".geojson"
        feature = {"type": "Feature", "properties": {"name": markup("feature")}, "geometry": area}
        stored = httpx.post(f"{proc.url}/api/products", params={"name": product},
                            content=json.dumps(feature).encode(), headers=auth)  # fmt: skip
        assert stored.status_code == 201, stored.text
        bad_fleet = "e<img src=x onerror=alert(1)>"  # the API's error about it, shown as is
        query = {"fleet": bad_fleet, "station": "Bamako"}
        refused = httpx.get(f"{proc.url}/api/passes", params=query, headers=auth)
        assert 400 <= refused.status_code < 500
        refusal = f"{refused.json()['field']}: {refused.json()['reason']}"

        for bypass_csp in (False, True):
            context = browser.new_context(viewport={"width": 1400, "height": 850},
                                          bypass_csp=bypass_csp)  # fmt: skip
            page = context.new_page()
            problems = watch(page)
            page.goto(proc.url)
            page.fill("#token", secret)
            page.dispatch_event("#token", "change")
            page.wait_for_function("() => window.sahelsatMap && window.sahelsatMap.loaded()",
                                   timeout=60_000)  # fmt: skip
            page.wait_for_selector(f"#fleet option[value='{fleet}']", state="attached",
                                   timeout=30_000)  # fmt: skip
            # the element set's name in the fleet list
            label = page.text_content(f"#fleet option[value='{fleet}']")
            assert label == f"{fleet}: {markup('fleet')}"
            page.select_option("#fleet", fleet)
            # satellite names: timeline rows (first 18 characters) and bar tooltips
            page.wait_for_function(
                """(names) => {
                    const tips = [...document.querySelectorAll('#timeline svg title')];
                    return tips.length > 0 &&
                        tips.every(t => names.some(n => t.textContent.startsWith(n + ':')));
                }""",
                arg=sats,
                timeout=60_000,
            )
            rows = page.eval_on_selector_all(
                "#timeline svg text", "ts => ts.map(t => t.textContent)"
            )
            assert {s[:18] for s in sats} & set(rows)
            tips = page.eval_on_selector_all(
                "#timeline svg title", "ts => ts.map(t => t.textContent)"
            )
            assert tips and all(any(tip.startswith(s + ":") for s in sats) for tip in tips)
            # satellite names on the map (hover popup), at the map's time
            when = page.input_value("#time") + ":00Z"
            url = f"{proc.url}/api/fleets/{fleet}/positions"
            features = httpx.get(url, params={"time": when}, headers=auth).json()["features"]
            sat = next(f for f in features if f["properties"]["kind"] == "satellite")
            name, where = sat["properties"]["name"], sat["geometry"]["coordinates"]
            shown = _hover_text(page, "satellites", name, where)
            altitude = float(shown.removeprefix(f"{name} — ").removesuffix(" km"))
            assert altitude == sat["properties"]["altitude_km"]
            assert name in sats
            # request name: list, hover popup; opportunities of the fleet: satellite names
            page.click("button[data-tab=requests]")
            page.wait_for_selector("#request-list li", timeout=30_000)
            assert markup("request") in page.text_content("#request-list li")
            page.mouse.move(0, 0)
            shown = _hover_text(page, "requests-fill", markup("request"), [-4.15, 14.5])
            assert shown == f"#1 {markup('request')} — submitted"
            page.click("#request-list li")
            page.wait_for_selector("#opportunity-table tr:nth-child(2)", timeout=60_000)
            cells = page.eval_on_selector_all(
                "#opportunity-table td:first-child", "ts => ts.map(t => t.textContent)"
            )
            assert cells and set(cells) <= set(sats)
            # job kind and message, product name
            page.click("button[data-tab=jobs]")
            page.wait_for_selector("#product-list li", timeout=30_000)
            jobs = page.text_content("#job-list")
            assert markup("job") in jobs and markup("job message") in jobs
            assert page.text_content("#product-list a").startswith(product + " (")
            page.click("#product-list .show-product")
            page.wait_for_function(
                "() => window.sahelsatMap.queryRenderedFeatures({layers: ['product-fill']})"
                ".length > 0",
                timeout=30_000,
            )
            # an error message of the API that echoes markup (a fleet the server refuses)
            page.click("button[data-tab=passes]")
            page.evaluate(
                """(value) => {
                    const fleet = document.getElementById('fleet');
                    fleet.append(Object.assign(document.createElement('option'), {value}));
                    fleet.value = value;
                }""",
                bad_fleet,
            )
            page.dispatch_event("#station", "change")  # reloads the passes of this fleet
            page.wait_for_function(
                "() => document.getElementById('passes-status').textContent.includes('<')",
                timeout=30_000,
            )
            assert page.text_content("#passes-status") == f"Not available: {refusal}"
            # nothing ran, no element was made from a name, nothing was refused by the CSP
            assert page.evaluate("() => window.__injected") is None
            assert page.evaluate("() => document.querySelectorAll('img, b, svg img').length") == 0
            assert not problems, (bypass_csp, problems)
            context.close()
    finally:
        proc.stop()
