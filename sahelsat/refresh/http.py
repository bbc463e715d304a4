"""A small HTTP client for the refresh sources (the standard library's ``urllib``).

It names itself (``User-Agent``), asks for gzip, sends conditional headers when given,
never follows a redirect (a 301 means the URL must be corrected by a person), bounds the
whole exchange in time and size, and tells a complete answer from a cut one: a body
shorter than its ``Content-Length`` or an interrupted chunked body is an error, not data.
"""

from __future__ import annotations

import gzip
import http.client
import time
import urllib.error
import urllib.request
import zlib
from dataclasses import dataclass
from email.message import Message
from email.utils import parsedate_to_datetime

from sahelsat.refresh import defaults


class FetchError(Exception):
    """A request that gave no usable answer (network, time-out, cut body, redirect)."""


@dataclass
class Response:
    """An HTTP answer: ``status`` (200, 304, 403, ...), the headers and the whole body."""

    url: str
    status: int
    headers: Message
    body: bytes
    elapsed_s: float

    def text(self) -> str:
        return self.body.decode("utf-8", "replace")

    def first_line(self, limit: int = 200) -> str:
        """The body's first non-blank line (servers explain their errors there)."""
        for line in self.text().splitlines():
            if line.strip():
                return line.strip()[:limit]
        return ""

    def retry_after_s(self) -> float | None:
        """Seconds asked by a ``Retry-After`` header, if any."""
        value = self.headers.get("Retry-After") if self.headers else None
        if not value:
            return None
        try:
            return max(float(value), 0.0)
        except ValueError:
            try:
                return max(parsedate_to_datetime(value).timestamp() - time.time(), 0.0)
            except (TypeError, ValueError):
                return None


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, req, fp, code, msg, headers, newurl):
        return None  # urllib then raises HTTPError with the 3xx status


def opener(*handlers) -> urllib.request.OpenerDirector:
    """An opener that never follows redirects (add a cookie processor for log-ins)."""
    return urllib.request.build_opener(_NoRedirect, *handlers)


def request(
    url: str,
    headers: dict[str, str] | None = None,
    data: bytes | None = None,
    timeout_s: float = defaults.TIMEOUT_S,
    max_bytes: int = defaults.MAX_RESPONSE_BYTES,
    via: urllib.request.OpenerDirector | None = None,
) -> Response:
    """GET ``url`` (POST when ``data`` is given) and return the whole answer.

    Any status comes back as a :class:`Response` (errors too: their body says why);
    :class:`FetchError` when no complete answer came within ``timeout_s`` seconds or
    ``max_bytes`` bytes.
    """
    head = {"User-Agent": defaults.USER_AGENT, "Accept-Encoding": "gzip"} | (headers or {})
    req = urllib.request.Request(url, data=data, headers=head)
    start = time.monotonic()
    try:
        try:
            resp = (via or opener()).open(req, timeout=timeout_s)
        except urllib.error.HTTPError as exc:
            resp = exc
        body = _read_body(resp, start, timeout_s, max_bytes)
        status, resp_headers = resp.status, resp.headers
    except TimeoutError:
        raise FetchError(f"no complete answer from {url} within {timeout_s:g} s") from None
    except http.client.IncompleteRead as exc:
        total = f" of {len(exc.partial) + exc.expected}" if exc.expected else ""
        raise FetchError(
            f"the answer from {url} was cut after {len(exc.partial)}{total} bytes"
        ) from None
    except (urllib.error.URLError, http.client.HTTPException, ConnectionError, OSError) as exc:
        reason = getattr(exc, "reason", exc)
        raise FetchError(f"cannot reach {url}: {reason}") from None
    if resp_headers.get("Content-Encoding", "").lower() == "gzip":
        try:
            body = gzip.decompress(body)
        except (OSError, EOFError, zlib.error) as exc:
            raise FetchError(f"the gzip answer from {url} is corrupt: {exc}") from None
    return Response(url, int(status), resp_headers, body, time.monotonic() - start)


def _read_body(resp, start: float, timeout_s: float, max_bytes: int) -> bytes:
    expected = resp.headers.get("Content-Length") if resp.headers else None
    chunks, size = [], 0
    while True:
        if time.monotonic() - start > timeout_s:
            raise TimeoutError
        chunk = resp.read(65536)
        if not chunk:
            break
        size += len(chunk)
        if size > max_bytes:
            raise FetchError(f"the answer is larger than {max_bytes} bytes")
        chunks.append(chunk)
    body = b"".join(chunks)
    if expected is not None and expected.isdigit() and len(body) < int(expected):
        raise http.client.IncompleteRead(body, int(expected) - len(body))
    return body
