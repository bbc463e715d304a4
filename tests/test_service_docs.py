"""The documentation site under /docs: served with the security headers, nothing on its
pages that the Content-Security-Policy refuses, and a clear 404 (never a 500) without it.

The site is built here by Sphinx with the project's own configuration (``docs/conf.py``:
theme, templates, extension) over a two-page source, so the test checks what ``make docs``
produces without running the whole site's examples.
"""

from __future__ import annotations

import os
from html.parser import HTMLParser
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from test_service_security import assert_secured

from sahelsat.service.api import create_app
from sahelsat.service.settings import Settings

DOCS = Path(__file__).resolve().parents[1] / "docs"

INDEX = """# Test site

A page with a [link](page.md), a table and code.

| a | b |
| - | - |
| 1 | 2 |

```{toctree}
page
```
"""
PAGE = """# Page

```python
print("hello")
```

```{sahelsat-python}
print(6 * 7)
```

```{eval-rst}
.. autofunction:: sahelsat.passes
```
"""


@pytest.fixture(scope="module")
def site(tmp_path_factory) -> Path:
    sphinx = pytest.importorskip("sphinx.cmd.build", reason="the docs extra is not installed")
    source = tmp_path_factory.mktemp("docs-src")
    (source / "index.md").write_text(INDEX)
    (source / "page.md").write_text(PAGE)
    out = tmp_path_factory.mktemp("docs-html")
    before = os.environ.get("SAHELSAT_DATA_DIR")
    status = sphinx.build_main(["-b", "html", "-q", "-W", "-c", str(DOCS), str(source), str(out)])
    assert status == 0
    assert os.environ.get("SAHELSAT_DATA_DIR") == before  # the build put it back
    return out


def _client(tmp_path, docs_dir) -> tuple:
    settings = Settings(docs_dir=docs_dir)
    app = create_app(f"sqlite:///{tmp_path / 'store.db'}", default_scenario=False,
                     settings=settings)  # fmt: skip
    return app, TestClient(app, raise_server_exceptions=False)


class Inline(HTMLParser):
    """Collects what a CSP without 'unsafe-inline' refuses: inline scripts, style
    attributes and elements, event-handler attributes, javascript: URLs."""

    def __init__(self):
        super().__init__()
        self.problems: list[str] = []
        self._in_script = False

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "script":
            self._in_script = "src" not in attrs
        if tag == "style":
            self.problems.append("<style> element")
        for name, value in attrs.items():
            if name == "style":
                self.problems.append(f"style attribute on <{tag}>")
            if name.startswith("on"):
                self.problems.append(f"{name} handler on <{tag}>")
            if (value or "").strip().lower().startswith("javascript:"):
                self.problems.append(f"javascript: URL on <{tag}>")

    def handle_endtag(self, tag):
        if tag == "script":
            self._in_script = False

    def handle_data(self, data):
        if self._in_script and data.strip():
            self.problems.append(f"inline script: {data.strip()[:60]}")


def test_docs_served_with_security_headers(tmp_path, site):
    app, client = _client(tmp_path, site)
    try:
        for path in ("/docs/", "/docs/index.html", "/docs/page.html", "/docs/search.html"):
            r = client.get(path)
            assert r.status_code == 200, path
            assert r.headers["content-type"].startswith("text/html")
            assert_secured(r)
        assert "Test site" in client.get("/docs/").text
        assert client.get("/docs", follow_redirects=True).status_code == 200
        css = client.get("/docs/_static/sahelsat.css")
        assert css.status_code == 200 and css.headers["content-type"].startswith("text/css")
        assert_secured(css)
        assert client.get("/docs/no-such-page.html").status_code == 404
        assert client.get("/docs/../pyproject.toml").status_code == 404
        assert client.get("/docs/%2e%2e/%2e%2e/pyproject.toml").status_code == 404
        # the rest of the service is unchanged
        assert client.get("/api/health").status_code == 200
    finally:
        app.state.runner.shutdown()


def test_built_pages_hold_nothing_the_policy_refuses(site):
    pages = sorted(site.rglob("*.html"))
    assert len(pages) >= 3  # index, page, search
    for page in pages:
        parser = Inline()
        parser.feed(page.read_text())
        assert parser.problems == [], f"{page.name}: {parser.problems}"
    # the executed example ran when the site was built
    assert "42" in (site / "page.html").read_text()


def test_missing_docs_is_a_clear_404(tmp_path):
    app, client = _client(tmp_path, tmp_path / "not-built")
    try:
        for path in ("/docs", "/docs/", "/docs/en/index.html", "/docs/_static/x.css"):
            r = client.get(path)
            assert r.status_code == 404, path
            assert "make docs" in r.text and "SAHELSAT_DOCS_DIR" in r.text
            assert r.headers["content-type"].startswith("text/html")
            assert_secured(r)
            parser = Inline()
            parser.feed(r.text)
            assert parser.problems == []
    finally:
        app.state.runner.shutdown()


def test_docs_dir_from_the_environment(monkeypatch, tmp_path, site):
    monkeypatch.setenv("SAHELSAT_DOCS_DIR", str(site))
    assert Settings().docs_dir == site
    app = create_app(f"sqlite:///{tmp_path / 'store.db'}", default_scenario=False)
    try:
        assert TestClient(app).get("/docs/page.html").status_code == 200
    finally:
        app.state.runner.shutdown()


def test_docs_run_in_a_browser_under_the_policy(site, tmp_path):
    """The pages and the site's search (its own scripts) work in Chromium under the
    service's Content-Security-Policy, with no violation and nothing fetched elsewhere."""
    pytest.importorskip("playwright.sync_api")
    from test_service_support import ServerProcess
    from test_service_web import watch

    if not Path("/usr/bin/chromium").exists():
        pytest.skip("/usr/bin/chromium missing: run tools/test_setup.sh")
    from playwright.sync_api import sync_playwright

    proc = ServerProcess(tmp_path, extra_env={"SAHELSAT_DOCS_DIR": str(site)})
    try:
        with sync_playwright() as p:
            chromium = p.chromium.launch(
                executable_path="/usr/bin/chromium", args=["--headless", "--no-sandbox"]
            )
            page = chromium.new_page()
            problems = watch(page)
            elsewhere = []
            page.on("request", lambda r: r.url.startswith(proc.url) or elsewhere.append(r.url))
            page.goto(f"{proc.url}/docs/")
            assert page.title().startswith("Test site")
            page.goto(f"{proc.url}/docs/search.html?q=table")
            page.wait_for_selector("#search-results li", timeout=20_000)
            assert "Test site" in page.inner_text("#search-results")
            chromium.close()
        assert problems == []
        assert elsewhere == []
    finally:
        proc.stop()


@pytest.mark.parametrize(
    "example",
    [
        # a keyword argument the function does not have (as after a rename)
        "```{sahelsat-python}\nfrom sahelsat import passes\n"
        "passes(None, [], '2026-05-31', '2026-06-01', min_elevation_deg=5)\n```\n",
        # a command-line option the command does not have
        "```{sahelsat-shell}\nsahelsat passes eo --min-elev 5\n```\n",
    ],
)
def test_a_broken_example_fails_the_build(tmp_path, example):
    sphinx = pytest.importorskip("sphinx.cmd.build", reason="the docs extra is not installed")
    source = tmp_path / "src"
    source.mkdir()
    (source / "index.md").write_text("# Broken\n\n" + example)
    status = sphinx.build_main(
        ["-b", "html", "-q", "-W", "-c", str(DOCS), str(source), str(tmp_path / "out")]
    )
    assert status != 0
