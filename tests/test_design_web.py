"""The connectivity design layer of the web map in a real browser (Debian's Chromium
driven by Playwright, offline, under the service's own Content-Security-Policy): the
beams and the people served per region are drawn from ``/api/design/layers``, their
figures shown as text, in English and French, with no policy violation."""

from __future__ import annotations

from test_service_support import ServerProcess
from test_service_web import browser, watch  # noqa: F401 - the shared browser fixture

from sahelsat.service.auth import create_token
from sahelsat.service.db import open_store


def test_design_layer_draws_beams_and_regions_in_both_languages(browser, tmp_path):  # noqa: F811
    engine, sessions = open_store(f"sqlite:///{tmp_path / 'sahelsat.db'}")
    with sessions() as session:
        secret = create_token(session, "viewer-design", "viewer")[1]
        session.commit()
    engine.dispose()
    proc = ServerProcess(tmp_path)
    try:
        page = browser.new_page(viewport={"width": 1400, "height": 850})
        problems = watch(page)
        page.goto(proc.url)
        page.evaluate("() => localStorage.setItem('sahelsat.lang', 'en')")
        page.fill("#token", secret)
        page.dispatch_event("#token", "change")
        page.wait_for_function(
            "() => window.sahelsatMap && window.sahelsatMap.loaded()", timeout=60_000
        )
        page.click("button[data-tab=layers]")
        page.check("#design-show")
        # The first request computes the whole design (about 20 s on a quiet machine, with
        # cold compiled kernels; minutes when the test run shares the cores).
        page.wait_for_function(
            "() => window.sahelsatMap.queryRenderedFeatures({layers: ['design-beams']})"
            ".length > 20 || document.getElementById('design-status').textContent"
            ".startsWith('Not available')",
            timeout=400_000,
        )
        status = page.text_content("#design-status")
        assert "beams" in status and "Gbit/s" in status and "people served" in status, status
        assert "S.672-4" in page.text_content("#design-source")
        page.select_option("#design-layer", "regions")
        page.wait_for_function(
            "() => window.sahelsatMap.queryRenderedFeatures({layers: ['design-regions']})"
            ".length > 10",
            timeout=30_000,
        )
        page.click("#lang")
        page.wait_for_function(
            "() => document.getElementById('design-status').textContent.includes('faisceaux')"
        )
        assert "UIT-R" in page.text_content("#design-source")
        assert page.text_content("#design-opt-regions") == "Personnes servies par région"
        assert not problems, problems
        page.close()
    finally:
        proc.stop()
