"""Where fresh element sets come from: CelesTrak's GP service and Space-Track's ``gp`` class.

A :class:`Query` names what to ask (a CelesTrak group, a catalogue number, a launch);
a source turns it into requests and gives an :class:`Answer`: element sets read by the
strict reader with every bad record listed, "unchanged" (HTTP 304), or the reason it
failed. Sources follow their published usage rules:

- CelesTrak (usage policy, https://celestrak.org/usage-policy.php, 2026-05-22, and
  https://celestrak.org/NORAD/documentation/gp-data-formats.php): GP data changes at most
  every 2 hours, so a group is asked at most once in that time; any answer other than
  200 (301, 403, 404, 5xx) stops all further queries of the run and is reported to a
  person, with a back-off before the same query is asked again; use OMM (JSON, CSV or
  XML), which carries catalogue numbers past 99,999, rather than TLE.
- Space-Track (https://www.space-track.org/documentation, "API Use Guidelines"): log in
  once per session, the ``gp`` class at most once an hour per query, at most 30 requests
  a minute.

Both are asked with conditional headers (``If-None-Match``, ``If-Modified-Since``) when
an earlier answer carried validators, and with a ``User-Agent`` naming sahelsat.
"""

from __future__ import annotations

import io
import os
import re
import time
import urllib.parse
from dataclasses import dataclass, field
from http.cookiejar import CookieJar
from urllib.request import HTTPCookieProcessor

from sahelsat.elements import ElementSet, ElementSetError, read_element_sets
from sahelsat.refresh import defaults
from sahelsat.refresh.http import FetchError, Response, opener, request

KINDS = ("GROUP", "CATNR", "INTDES")
_QUERY_VALUE = {
    "GROUP": re.compile(r"[A-Za-z0-9][A-Za-z0-9_-]{0,39}"),
    "CATNR": re.compile(r"[0-9]{1,9}"),
    "INTDES": re.compile(r"[0-9]{4}-[0-9]{3}[A-Z]{0,3}"),
}
FORMATS = ("json", "csv", "xml")
MAX_ERRORS_SHOWN = 10


@dataclass(frozen=True)
class Query:
    """What to ask a source: ``GROUP`` (a CelesTrak group such as ``resource``),
    ``CATNR`` (one catalogue number) or ``INTDES`` (a launch, ``2024-235``)."""

    kind: str
    value: str

    def __post_init__(self):
        if self.kind not in KINDS:
            raise ValueError(f"query kind {self.kind!r}: use {', '.join(KINDS)}")
        if not _QUERY_VALUE[self.kind].fullmatch(str(self.value)):
            example = {"GROUP": "resource", "CATNR": "62261", "INTDES": "2024-235"}[self.kind]
            raise ValueError(f"{self.kind}={self.value!r} is not valid (e.g. {example})")

    @property
    def key(self) -> str:
        return f"{self.kind}={self.value}"

    @staticmethod
    def parse(text: str) -> Query:
        """``GROUP=resource``, ``CATNR=62261`` or ``INTDES=2024-235``."""
        kind, _, value = str(text).partition("=")
        return Query(kind.strip().upper(), value.strip())


@dataclass
class Answer:
    """What one query gave: ``element_sets`` (status ``data``), ``unchanged`` (HTTP 304),
    ``empty`` (the source has nothing for it) or ``error`` (no usable answer; the run
    stops asking). ``errors`` lists the records the strict reader refused."""

    status: str
    message: str = ""
    element_sets: list[ElementSet] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    validators: dict[str, str] = field(default_factory=dict)
    retry_after_s: float | None = None
    url: str = ""


def read_answer(body: bytes, label: str) -> tuple[list[ElementSet], list[str]]:
    """Element sets of a response body and the problems of every record refused."""
    stream = io.BytesIO(body)
    stream.name = label
    try:
        result = read_element_sets(stream, strict=False)
    except ElementSetError as exc:
        return [], [str(exc)]
    return result.element_sets, [str(s) for s in result.skipped]


def _validators(resp: Response) -> dict[str, str]:
    out = {}
    for header, key in (("ETag", "etag"), ("Last-Modified", "last_modified")):
        if resp.headers.get(header):
            out[key] = resp.headers[header]
    return out


def _conditional(validators: dict[str, str]) -> dict[str, str]:
    head = {}
    if validators.get("etag"):
        head["If-None-Match"] = validators["etag"]
    if validators.get("last_modified"):
        head["If-Modified-Since"] = validators["last_modified"]
    return head


def _refused(resp: Response, who: str) -> Answer:
    line = resp.first_line()
    if 300 <= resp.status < 400:
        where = resp.headers.get("Location", "?")
        line = f"redirected to {where}: correct the URL (--url or the environment setting)"
    return Answer(
        "error",
        f"{who} answered HTTP {resp.status}" + (f": {line}" if line else ""),
        retry_after_s=resp.retry_after_s(),
        url=resp.url,
    )


class CelesTrak:
    """CelesTrak's GP service, ``<url>/NORAD/elements/gp.php?GROUP=...&FORMAT=json``.

    ``url``: the base (default ``SAHELSAT_CELESTRAK_URL``, else https://celestrak.org);
    a mirror that serves the same paths works. ``fmt``: ``json``, ``csv`` or ``xml``.
    """

    name = "CelesTrak"
    interval_s = defaults.CELESTRAK_INTERVAL_S

    def __init__(self, url: str | None = None, fmt: str = "json", timeout_s=defaults.TIMEOUT_S):
        base = url or os.environ.get(defaults.CELESTRAK_URL_ENV) or defaults.CELESTRAK_URL
        self.base = base.rstrip("/")
        if not self.base.startswith(("http://", "https://")):
            raise ValueError(f"CelesTrak URL {base!r}: give http:// or https://")
        if fmt.lower() not in FORMATS:
            raise ValueError(f"format {fmt!r}: use {', '.join(FORMATS)}")
        self.fmt = fmt.lower()
        self.timeout_s = timeout_s

    def describe(self) -> str:
        return f"CelesTrak {self.base} (OMM {self.fmt.upper()})"

    def state_key(self, query: Query) -> str:
        return f"{self.base} {query.key}"

    def url(self, query: Query) -> str:
        value = urllib.parse.quote(query.value, safe="-")
        return f"{self.base}{defaults.CELESTRAK_GP_PATH}?{query.kind}={value}&FORMAT={self.fmt}"

    def fetch(self, query: Query, validators: dict, members: list[int] | None = None) -> Answer:
        url = self.url(query)
        try:
            resp = request(url, _conditional(validators), timeout_s=self.timeout_s)
        except FetchError as exc:
            return Answer("error", str(exc), url=url)
        if resp.status == 304:
            return Answer("unchanged", "not modified", validators=validators, url=url)
        if resp.status != 200:
            return _refused(resp, self.name)
        first = resp.first_line()
        if first.startswith(("No GP data found", "Invalid query")):
            return Answer("empty", f"{self.name}: {first} ({query.key})", url=url)
        sets, errors = read_answer(resp.body, f"{self.name} {query.key}")
        return Answer("data", "", sets, errors, _validators(resp), url=url)


class SpaceTrack:
    """Space-Track's ``gp`` class (current element sets), with a log-in.

    A CelesTrak group is asked as the catalogue numbers of the copy in use (Space-Track
    has no groups); ``CATNR`` and ``INTDES`` map to ``NORAD_CAT_ID`` and ``OBJECT_ID``.
    Credentials: ``identity`` and ``password`` (default ``SAHELSAT_SPACETRACK_IDENTITY``
    and ``SAHELSAT_SPACETRACK_PASSWORD``); base URL ``SAHELSAT_SPACETRACK_URL``.
    """

    name = "Space-Track"
    interval_s = defaults.SPACETRACK_INTERVAL_S

    def __init__(
        self,
        identity: str | None = None,
        password: str | None = None,
        url: str | None = None,
        timeout_s=defaults.TIMEOUT_S,
        spacing_s: float = defaults.SPACETRACK_MIN_SPACING_S,
    ):
        self.identity = identity or os.environ.get(defaults.SPACETRACK_IDENTITY_ENV, "")
        self.password = password or os.environ.get(defaults.SPACETRACK_PASSWORD_ENV, "")
        if not (self.identity and self.password):
            raise ValueError(
                "Space-Track needs credentials: set SAHELSAT_SPACETRACK_IDENTITY and "
                "SAHELSAT_SPACETRACK_PASSWORD"
            )
        base = url or os.environ.get(defaults.SPACETRACK_URL_ENV) or defaults.SPACETRACK_URL
        self.base = base.rstrip("/")
        self.timeout_s = timeout_s
        self.spacing_s = spacing_s
        self._opener = opener(HTTPCookieProcessor(CookieJar()))
        self._logged_in = False
        self._last_request = 0.0

    @staticmethod
    def configured() -> bool:
        return bool(
            os.environ.get(defaults.SPACETRACK_IDENTITY_ENV)
            and os.environ.get(defaults.SPACETRACK_PASSWORD_ENV)
        )

    def describe(self) -> str:
        return f"Space-Track {self.base} (gp class, OMM JSON)"

    def state_key(self, query: Query) -> str:
        return f"{self.base} {query.key}"

    def _request(self, url: str, data: bytes | None = None) -> Response:
        wait = self._last_request + self.spacing_s - time.monotonic()
        if wait > 0:
            time.sleep(wait)
        try:
            return request(url, data=data, timeout_s=self.timeout_s, via=self._opener)
        finally:
            self._last_request = time.monotonic()

    def _login(self) -> Answer | None:
        form = urllib.parse.urlencode({"identity": self.identity, "password": self.password})
        url = f"{self.base}/ajaxauth/login"
        try:
            resp = self._request(url, form.encode())
        except FetchError as exc:
            return Answer("error", str(exc), url=url)
        if resp.status != 200:
            return _refused(resp, self.name)
        if "failed" in resp.text().lower():
            return Answer("error", "Space-Track refused the log-in (check the credentials)")
        self._logged_in = True
        return None

    def predicates(self, query: Query, members: list[int] | None) -> list[str]:
        """The ``gp`` query paths for ``query`` (several for a long list of numbers)."""
        if query.kind == "CATNR":
            return [f"NORAD_CAT_ID/{int(query.value)}"]
        if query.kind == "INTDES":
            return [f"OBJECT_ID/{urllib.parse.quote('^' + query.value)}"]
        if not members:
            raise ValueError(
                f"Space-Track has no groups: fetch {query.key} from CelesTrak once (--source "
                "celestrak), then its catalogue numbers are asked from Space-Track"
            )
        numbers = sorted(set(members))
        return [
            f"NORAD_CAT_ID/{_ranges(numbers[k : k + defaults.SPACETRACK_CHUNK])}"
            for k in range(0, len(numbers), defaults.SPACETRACK_CHUNK)
        ]

    def url(self, predicate: str) -> str:
        return (
            f"{self.base}/basicspacedata/query/class/gp/{predicate}"
            "/orderby/NORAD_CAT_ID%20asc/format/json"
        )

    def fetch(self, query: Query, validators: dict, members: list[int] | None = None) -> Answer:
        try:
            predicates = self.predicates(query, members)
        except ValueError as exc:
            return Answer("empty", str(exc))
        if not self._logged_in and (refused := self._login()) is not None:
            return refused
        sets, errors = [], []
        for predicate in predicates:
            url = self.url(predicate)
            try:
                resp = self._request(url)
            except FetchError as exc:
                return Answer("error", str(exc), url=url)
            if resp.status != 200:
                return _refused(resp, self.name)
            got, bad = read_answer(resp.body, f"{self.name} {query.key}")
            sets += got
            errors += bad
        if query.kind == "GROUP":  # ranges may hold objects that are not members
            wanted = set(members or ())
            sets = [es for es in sets if es.catalog_number in wanted]
        if not sets and not errors:
            return Answer("empty", f"{self.name} has no element sets for {query.key}")
        return Answer("data", "", sets, errors, url=self.url(predicates[0]))


def _ranges(numbers: list[int]) -> str:
    """Sorted numbers as Space-Track's list: ``1,5--9,12``."""
    out, start, prev = [], None, None
    for n in numbers:
        if start is None:
            start = prev = n
        elif n == prev + 1:
            prev = n
        else:
            out.append(f"{start}--{prev}" if prev > start else str(start))
            start = prev = n
    if start is not None:
        out.append(f"{start}--{prev}" if prev > start else str(start))
    return ",".join(out)


def make_source(
    source: str = "auto",
    url: str | None = None,
    fmt: str = "json",
    timeout_s: float = defaults.TIMEOUT_S,
    spacing_s: float | None = None,
):
    """``celestrak``, ``spacetrack``, or ``auto``: Space-Track when its credentials are
    set (``SAHELSAT_SPACETRACK_IDENTITY``/``_PASSWORD``), else CelesTrak."""
    kind = str(source).strip().lower()
    if kind == "auto":
        kind = "spacetrack" if SpaceTrack.configured() else "celestrak"
    if kind == "celestrak":
        return CelesTrak(url, fmt, timeout_s)
    if kind == "spacetrack":
        extra = {} if spacing_s is None else {"spacing_s": spacing_s}
        return SpaceTrack(url=url, timeout_s=timeout_s, **extra)
    raise ValueError(f"source {source!r}: use auto, celestrak or spacetrack")


def summarize_errors(errors: list[str]) -> str:
    """The first few record errors, and how many more."""
    shown = "; ".join(errors[:MAX_ERRORS_SHOWN])
    more = len(errors) - MAX_ERRORS_SHOWN
    return shown + (f"; and {more} more" if more > 0 else "")
