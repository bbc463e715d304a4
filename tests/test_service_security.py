"""Security headers, the trusted-host check and the page's freedom from inline script.

Every kind of answer (page, static file, API, OpenAPI description, 401, 404, 405, 413,
422, a crash's 500, a CORS preflight) carries the Content-Security-Policy and the other
headers; the policy refuses inline and ``eval``'d script and framing. Hosts outside
``SAHELSAT_TRUSTED_HOSTS`` get a 400. The page and the script it loads contain nothing
the policy would refuse and insert no text as HTML.
"""

from __future__ import annotations

import re
from html.parser import HTMLParser
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import text

from sahelsat.service.api import create_app
from sahelsat.service.auth import create_token
from sahelsat.service.security import content_security_policy, host_allowed, host_name

WEB = Path(__file__).resolve().parents[1] / "sahelsat" / "service" / "web"


def policy(value: str) -> dict[str, list[str]]:
    """A Content-Security-Policy header as {directive: [sources]}."""
    out = {}
    for part in value.split(";"):
        words = part.split()
        if words:
            assert words[0] not in out, f"directive {words[0]} given twice"
            out[words[0]] = words[1:]
    return out


def assert_secured(response) -> None:
    """The security headers of the service, with a policy that forbids inline script.
    ``response``: an httpx or a schemathesis response (whose headers are lists)."""
    headers = {
        k.lower(): v if isinstance(v, str) else ", ".join(v) for k, v in response.headers.items()
    }
    csp = policy(headers["content-security-policy"])
    script = csp.get("script-src", csp["default-src"])
    assert script == ["'self'"], script  # no 'unsafe-inline', 'unsafe-eval', data:, *
    assert csp["default-src"] == ["'none'"]
    assert csp["frame-ancestors"] == ["'none'"]
    assert csp["base-uri"] == ["'none'"]
    assert "'unsafe-inline'" not in csp.get("style-src", [])
    assert set(csp["worker-src"]) <= {"'self'", "blob:"}  # MapLibre's workers only
    assert headers["x-content-type-options"] == "nosniff"
    assert headers["x-frame-options"] == "DENY"
    assert headers["referrer-policy"] == "no-referrer"


@pytest.fixture
def svc(tmp_path):
    app = create_app(
        f"sqlite:///{tmp_path / 'store.db'}",
        default_scenario=False,
        cors_origins=("https://ops.example.org",),
    )

    @app.get("/api/test-crash", include_in_schema=False)
    def crash():
        raise RuntimeError("a bug")

    with app.state.sessions() as session:
        secret = create_token(session, "ops", "operator")[1]
        session.commit()
    client = TestClient(app, raise_server_exceptions=False)
    client.headers["Authorization"] = f"Bearer {secret}"
    yield app, client
    app.state.runner.shutdown()


def test_every_kind_of_answer_carries_the_headers(svc):
    app, client = svc
    anonymous = TestClient(app, raise_server_exceptions=False)
    answers = {
        "page": client.get("/"),
        "script": client.get("/static/app.js"),
        "vendor style": client.get("/static/vendor/maplibre-gl.css"),
        "api": client.get("/api/health"),
        "list": client.get("/api/requests"),
        "openapi": client.get("/openapi.json"),
        "head": client.head("/static/style.css"),
        "401": anonymous.get("/api/requests"),
        "404 path": client.get("/api/no-such-thing"),
        "404 static": client.get("/static/no-such-file.js"),
        "404 row": client.get("/api/requests/999"),
        "405": client.put("/api/requests"),
        "413": client.post("/api/requests", content=b"x" * 300_000),
        "422 query": client.get("/api/requests", params={"limit": "many"}),
        "422 body": client.post("/api/requests", json={"name": 5}),
        "500": client.get("/api/test-crash"),
        "preflight": client.options(
            "/api/requests",
            headers={
                "Origin": "https://ops.example.org",
                "Access-Control-Request-Method": "POST",
            },
        ),
    }
    expected = {"page": 200, "script": 200, "401": 401, "404 path": 404, "404 static": 404,
                "404 row": 404, "405": 405, "413": 413, "422 query": 422, "422 body": 422,
                "500": 500, "preflight": 200}  # fmt: skip
    for what, answer in answers.items():
        assert answer.status_code == expected.get(what, 200), (what, answer.status_code)
        assert_secured(answer)
        if answer.status_code >= 400:
            assert answer.json()["reason"], what  # the service's error body, not a framework page
    assert "a bug" not in answers["500"].text  # the log has the details, not the caller


def test_a_fault_of_the_code_in_the_store_is_a_500_with_headers(svc):
    """A store error that is not the store's fault (a missing table) stays a 500, with the
    headers and the error body; a missing table is not mistaken for an unavailable store."""
    app, client = svc
    with app.state.engine.begin() as connection:
        connection.execute(text("DROP TABLE imaging_requests"))
    answer = client.get("/api/requests")
    assert answer.status_code == 500
    assert_secured(answer)
    assert answer.json()["field"] is None


@pytest.mark.parametrize(
    "host, allowed",
    [
        ("sahelsat.example.org", True),
        ("SAHELSAT.example.org:8443", True),
        ("bamako.ops.example.org", True),
        ("ops.example.org", False),  # the wildcard names sub-domains only
        ("evilops.example.org", False),
        ("sahelsat.example.org.evil.net", False),
        ("127.0.0.1:8000", False),
        ("", False),
    ],
)
def test_only_trusted_hosts_are_answered(tmp_path, host, allowed):
    app = create_app(
        f"sqlite:///{tmp_path / 'store.db'}",
        default_scenario=False,
        trusted_hosts=("sahelsat.example.org", "*.ops.example.org"),
    )
    client = TestClient(app, base_url="http://placeholder")
    answer = client.get("/api/health", headers={"Host": host})
    assert answer.status_code == (200 if allowed else 400)
    assert_secured(answer)
    if not allowed:
        assert answer.json()["field"] == "Host"
    app.state.runner.shutdown()


def test_trusted_hosts_and_policy_extras_come_from_the_environment(tmp_path, monkeypatch):
    monkeypatch.setenv("SAHELSAT_TRUSTED_HOSTS", " map.sahel.example , [::1] ")
    monkeypatch.setenv("SAHELSAT_CSP_EXTRA", "img-src https://tiles.sahel.example")
    app = create_app(f"sqlite:///{tmp_path / 'store.db'}", default_scenario=False)
    client = TestClient(app)
    assert client.get("/", headers={"Host": "map.sahel.example"}).status_code == 200
    assert client.get("/", headers={"Host": "[::1]:8000"}).status_code == 200
    refused = client.get("/", headers={"Host": "rebound.attacker.example"})
    assert refused.status_code == 400
    csp = policy(client.get("/", headers={"Host": "[::1]"}).headers["content-security-policy"])
    assert csp["img-src"] == ["'self'", "data:", "blob:", "https://tiles.sahel.example"]
    assert csp["script-src"] == ["'self'"]
    app.state.runner.shutdown()
    monkeypatch.setenv("SAHELSAT_CSP_EXTRA", "script-src 'unsafe-inline'")
    with pytest.raises(ValueError, match="SAHELSAT_CSP_EXTRA"):
        create_app(f"sqlite:///{tmp_path / 'store.db'}", default_scenario=False)


@pytest.mark.parametrize(
    "extra",
    ["script-src 'unsafe-eval'", "style-src 'unsafe-inline'", "script-src *", "default-src",
     "img-src a,b", "script-src 'unsafe-hashes' 'sha256-x'"],
)  # fmt: skip
def test_policy_extras_never_open_inline_script(extra):
    with pytest.raises(ValueError):
        content_security_policy(extra)


def test_host_names_are_read_as_browsers_send_them():
    assert host_name("Example.org:80") == "example.org"
    assert host_name("[::1]:8000") == "[::1]"
    assert host_name("[::1]") == "[::1]"
    assert host_name("::1") == "::1"  # bare IPv6 (no port possible) is left whole
    assert host_allowed("a.b.example", ("*.example",))
    assert not host_allowed("example", ("*.example",))
    assert host_allowed("anything", ("*",))


class _Page(HTMLParser):
    """Collects what a Content-Security-Policy without 'unsafe-inline' would refuse."""

    def __init__(self):
        super().__init__()
        self.refused: list[str] = []
        self.scripts: list[str] = []
        self._in_script = False

    def handle_starttag(self, tag, attrs):
        names = dict(attrs)
        for name, value in attrs:
            if name.startswith("on"):
                self.refused.append(f"<{tag} {name}=...> inline handler")
            if name == "style":
                self.refused.append(f"<{tag} style=...> inline style")
            if name in ("href", "src") and (value or "").strip().lower().startswith("javascript:"):
                self.refused.append(f"<{tag} {name}=javascript:...>")
        if tag == "style":
            self.refused.append("<style> element")
        if tag == "script":
            self._in_script = "src" not in names
            self.scripts.append(names.get("src", "(inline)"))

    def handle_endtag(self, tag):
        if tag == "script":
            self._in_script = False

    def handle_data(self, data):
        if self._in_script and data.strip():
            self.refused.append("inline <script>")


def test_the_page_has_no_inline_script_or_style():
    page = _Page()
    page.feed((WEB / "index.html").read_text())
    assert page.refused == []
    assert page.scripts == ["/static/vendor/maplibre-gl.js", "/static/app.js",
                            "/static/design.js", "/static/flood.js"]  # fmt: skip


def test_the_map_script_inserts_no_html():
    """The map's scripts never parse text as HTML nor evaluate text as code (the browser
    tests show the consequence; this keeps the sinks out of the source)."""
    source = "".join((WEB / f).read_text() for f in ("app.js", "design.js", "flood.js"))
    sinks = re.findall(
        r"\.innerHTML|\.outerHTML|insertAdjacentHTML|document\.write|\beval\(|new Function|"
        r"setHTML\(|\.srcdoc|setAttribute\(\s*[\"'](on\w+|style)[\"']",
        source,
    )
    assert sinks == []
