"""Security headers and the Host check, on every response of the service.

:class:`SecurityHeaders` (ASGI middleware, outermost) gives every answer, API, static file,
error or a crash's 500 alike, a Content-Security-Policy that allows only the service's own
scripts and styles (no inline script; no inline style but the situation brief's own
stylesheet, allowed by its hash; MapLibre's ``blob:`` workers and its ``data:``/``blob:``
images), ``X-Content-Type-Options: nosniff``, ``X-Frame-Options: DENY``
with ``frame-ancestors 'none'``, and ``Referrer-Policy: no-referrer``. A request whose
``Host`` is not a trusted host gets a 400 before any work (a defence against DNS
rebinding). Settings (:class:`~sahelsat.service.settings.Settings`): ``trusted_hosts``
(``SAHELSAT_TRUSTED_HOSTS``: comma-separated names, ``*.example.org`` for a domain's hosts;
default ``*``, any) and ``csp_extra`` (``SAHELSAT_CSP_EXTRA``: directives whose sources are
added to the policy, e.g. ``img-src https://tiles.example.org``; ``'unsafe-…'`` sources are
refused).
"""

from __future__ import annotations

import base64
import hashlib
import json

from starlette.datastructures import MutableHeaders

from sahelsat.service.errors import error_body

#: The Content-Security-Policy, directive by directive.
CSP: dict[str, tuple[str, ...]] = {
    "default-src": ("'none'",),
    "script-src": ("'self'",),
    "style-src": ("'self'",),
    "img-src": ("'self'", "data:", "blob:"),  # MapLibre decodes icons and tiles into blobs
    "connect-src": ("'self'",),
    "worker-src": ("blob:",),  # MapLibre starts its workers from a blob: URL
    "child-src": ("blob:",),  # the same for browsers without worker-src
    "font-src": ("'self'",),
    "base-uri": ("'none'",),
    "form-action": ("'self'",),
    "frame-ancestors": ("'none'",),
}
HEADERS = {
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    "Referrer-Policy": "no-referrer",
    "Cross-Origin-Opener-Policy": "same-origin",
}


def content_security_policy(extra: str | None = None, styles: tuple[str, ...] = ()) -> str:
    """The policy as a header value, with the sources of ``extra`` added (see module doc).

    ``extra`` is ``"directive source ...; directive source ..."``; a directive not in
    :data:`CSP` is added as given. ``styles``: texts of inline ``<style>`` elements the
    service itself writes (the situation brief's), allowed by their SHA-256 hashes (CSP
    Level 2 hash sources), never inline style in general. Raises ValueError for an
    ``'unsafe-…'`` source, a wildcard script source or a malformed directive.
    """
    policy = {name: list(sources) for name, sources in CSP.items()}
    policy["style-src"] += [style_hash(text) for text in styles]
    for part in (extra or "").split(";"):
        words = part.split()
        if not words:
            continue
        name, sources = words[0].lower(), words[1:]
        if not sources or not all(c.isalpha() or c == "-" for c in name):
            raise ValueError(f"SAHELSAT_CSP_EXTRA: {part.strip()!r} is not 'directive source ...'")
        for source in sources:
            if "unsafe-" in source.lower() or (name.startswith("script") and "*" in source):
                raise ValueError(f"SAHELSAT_CSP_EXTRA: {source} is refused in {name}")
            if any(c in source for c in ",;\r\n"):
                raise ValueError(f"SAHELSAT_CSP_EXTRA: {source!r} is not a source")
        kept = [s for s in policy.get(name, []) if s != "'none'"]
        policy[name] = kept + [s for s in sources if s not in kept]
    return "; ".join(f"{name} {' '.join(sources)}" for name, sources in policy.items())


def style_hash(text: str) -> str:
    """The CSP hash source (``'sha256-…'``) that allows a ``<style>`` element of ``text``."""
    digest = hashlib.sha256(text.encode("utf-8")).digest()
    return f"'sha256-{base64.b64encode(digest).decode()}'"


def host_list(text: str | None) -> tuple[str, ...]:
    """Comma-separated host names (``SAHELSAT_TRUSTED_HOSTS``) as a tuple; ``("*",)`` when
    empty."""
    hosts = [h.strip().lower() for h in (text or "").split(",")]
    return tuple(h for h in hosts if h) or ("*",)


def host_name(header: str) -> str:
    """The host of a ``Host`` header, without its port, lower case (IPv6 in brackets)."""
    header = header.strip().lower()
    if header.startswith("["):
        return header[: header.find("]") + 1] if "]" in header else header
    return header.rsplit(":", 1)[0] if header.count(":") == 1 else header


def host_allowed(host: str, trusted: tuple[str, ...]) -> bool:
    """Whether the host name ``host`` matches one of ``trusted`` (``*``, exact, ``*.dom``)."""
    for pattern in trusted:
        if pattern == "*" or host == pattern:
            return True
        if pattern.startswith("*.") and host.endswith(pattern[1:]) and len(host) > len(pattern):
            return True
    return False


class SecurityHeaders:
    """ASGI middleware: the Host check and the security headers (see the module doc).

    An exception that no handler answered still gets a 500 with these headers and the
    service's error body; it is raised on, so the server logs it.
    """

    def __init__(self, app, trusted_hosts: tuple[str, ...] = ("*",), csp: str | None = None):
        self.app = app
        self.trusted_hosts = tuple(h.lower() for h in trusted_hosts) or ("*",)
        csp = csp or content_security_policy()
        self.headers = {"Content-Security-Policy": csp, **HEADERS}

    async def _answer(self, send, status: int, field: str | None, reason: str) -> None:
        body = json.dumps(error_body([(field, reason)])).encode()
        headers = {"content-type": "application/json", "content-length": str(len(body))}
        raw = [(k.encode(), v.encode()) for k, v in {**headers, **self.headers}.items()]
        await send({"type": "http.response.start", "status": status, "headers": raw})
        await send({"type": "http.response.body", "body": body})

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http":
            return await self.app(scope, receive, send)
        if self.trusted_hosts != ("*",):
            raw = dict(scope["headers"]).get(b"host", b"").decode("latin-1")
            if not host_allowed(host_name(raw), self.trusted_hosts):
                return await self._answer(send, 400, "Host", "this host name is not served here")
        started = False

        async def send_secured(message):
            nonlocal started
            if message["type"] == "http.response.start":
                started = True
                headers = MutableHeaders(scope=message)
                for key, value in self.headers.items():
                    headers[key] = value
            await send(message)

        try:
            await self.app(scope, receive, send_secured)
        except Exception:
            if not started:
                reason = "internal error; the service log has the details"
                await self._answer(send, 500, None, reason)
            raise
