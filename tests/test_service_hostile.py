"""The service tried as an attacker would: each class of hostile input gets a 4xx naming
the field, never a 5xx, and nothing is stored for a refused input.

Classes: dates at the edges of the representable range with offsets (bodies, filters,
query parameters, job parameters); integers with hundreds of digits, NaN and Infinity,
values of the wrong type; deeply nested JSON in bodies and uploads; names that are only
whitespace; non-Latin-1 file names (the download still works, RFC 6266/5987 header);
coordinates out of range in job parameters (refused at submission); areas across the
antimeridian (refused the same way by the API, the planner and scenario files).
Hypothesis draws the values; examples are bounded.
"""

from __future__ import annotations

import json
import string
from datetime import UTC, datetime, timedelta, timezone
from urllib.parse import unquote

import pytest
from fastapi.testclient import TestClient
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from sahelsat.service.api import create_app
from sahelsat.service.auth import create_token

SETTINGS = settings(max_examples=25, deadline=None, derandomize=True,
                    suppress_health_check=list(HealthCheck))  # fmt: skip
BOX = {
    "type": "Polygon",
    "coordinates": [[[-4.3, 14.4], [-4.0, 14.4], [-4.0, 14.6], [-4.3, 14.6], [-4.3, 14.4]]],
}
JSON = {"content-type": "application/json"}


@pytest.fixture(scope="module")
def api(tmp_path_factory):
    folder = tmp_path_factory.mktemp("hostile")
    app = create_app(f"sqlite:///{folder / 'store.db'}", default_scenario=False)
    with app.state.sessions() as session:
        secret = create_token(session, "attacker", "admin")[1]
        session.commit()
    with TestClient(app) as client:
        client.headers["Authorization"] = f"Bearer {secret}"
        client.app_state = app.state
        yield client
    app.state.engine.dispose()


def request_body(**changes) -> dict:
    body = {"name": "flood", "geometry": BOX, "start": "2026-06-01T00:00:00Z",
            "stop": "2026-06-02T00:00:00Z"}  # fmt: skip
    return {**body, **changes}


def _count(api, path: str) -> int:
    return api.get(path, params={"limit": 1}).json()["total"]


def _refused(answer, field: str | None = None) -> dict:
    assert 400 <= answer.status_code < 500, (answer.status_code, answer.text[:300])
    body = answer.json()
    assert set(body) == {"field", "reason", "errors"}
    if field is not None:
        assert body["field"] == field, body
    return body


# ------------------------------------------------------------------ dates at the edges

offsets = st.sampled_from([timedelta(hours=14), timedelta(hours=-14), timedelta(0),
                           timedelta(hours=5, minutes=45)])  # fmt: skip
edge_times = st.one_of(
    st.datetimes(min_value=datetime(1, 1, 1), max_value=datetime(1, 1, 3)),
    st.datetimes(min_value=datetime(9999, 12, 29), max_value=datetime(9999, 12, 31, 23, 59)),
    st.datetimes(min_value=datetime(1, 1, 1), max_value=datetime(9999, 12, 31)),
)


def _iso(moment: datetime, offset: timedelta) -> str:
    return moment.replace(tzinfo=timezone(offset)).isoformat()


@given(moment=edge_times, offset=offsets)
@SETTINGS
def test_times_at_the_edges_of_the_calendar(api, moment, offset):
    text = _iso(moment, offset)
    utc = None
    try:
        utc = moment.replace(tzinfo=timezone(offset)).astimezone(UTC)
    except OverflowError:
        pass
    inside = utc is not None and datetime(2000, 1, 1, tzinfo=UTC) <= utc < datetime(
        2100, 1, 1, tzinfo=UTC
    )
    before = _count(api, "/api/requests")
    answers = {
        "body.start": api.post("/api/requests", json=request_body(start=text)),
        "query.start": api.get("/api/requests", params={"start": text}),
        "query.time": api.get("/api/fleets/weather/positions", params={"time": text}),
        "body.params.start": api.post(
            "/api/jobs",
            json={
                "kind": "passes",
                "params": {"start": text, "station": "Niamey", "fleet": "weather", "days": 0.01},
            },
        ),  # fmt: skip
    }
    for field, answer in answers.items():
        assert answer.status_code < 500, (field, answer.text)
        if not inside:
            assert _refused(answer, field)["reason"].startswith("time must lie between 2000")
    if not inside:
        assert _count(api, "/api/requests") == before
    passes = api.get("/api/passes", params={"start": text, "station": "Bamako", "hours": 1,
                                            "fleet": "weather"})  # fmt: skip
    assert passes.status_code < 500
    if not inside:
        _refused(passes, "query.start")
    for answer in answers.values():  # let the jobs the valid times started go
        if answer.status_code == 202:
            api.post(f"/api/jobs/{answer.json()['id']}/cancel")


# ------------------------------------------------------------------ numbers and types

huge = st.integers(min_value=10**100, max_value=10**400) | st.integers(
    min_value=-(10**400), max_value=-(10**100)
)
wrong = st.one_of(
    st.booleans(),
    st.integers(),
    st.floats(allow_nan=False),
    st.lists(st.integers(), max_size=3),
    st.dictionaries(st.text(max_size=3), st.integers(), max_size=2),
)


@given(value=huge, field=st.sampled_from(["priority", "max_off_nadir_deg", "radius_km",
                                          "min_sun_elevation_deg", "start"]))  # fmt: skip
@SETTINGS
def test_integers_with_hundreds_of_digits(api, value, field):
    body = request_body()
    body.pop(field, None)
    raw = json.dumps(body)[:-1] + f', "{field}": {value}}}'
    _refused(api.post("/api/requests", content=raw, headers=JSON), f"body.{field}")
    job = '{"kind": "passes", "params": {"start": "2026-06-01T00:00:00Z", "lat": ' + str(value)
    _refused(api.post("/api/jobs", content=job + ', "lon": 0}}', headers=JSON), "body.params.lat")
    query = api.get("/api/passes", params={"lat": str(value), "lon": "0", "hours": "1"})
    _refused(query, "query.lat")


@pytest.mark.parametrize("token", ["NaN", "Infinity", "-Infinity", "1e999"])
def test_nan_and_infinity_are_refused(api, token):
    raw = json.dumps(request_body(priority=1)).replace('"priority": 1', f'"priority": {token}')
    assert "body.priority" in {e["field"] for e in _refused(
        api.post("/api/requests", content=raw, headers=JSON))["errors"]}  # fmt: skip
    job = (
        '{"kind": "coverage", "params": {"start": "2026-06-01T00:00:00Z", "hours": ' + token + "}}"
    )
    _refused(api.post("/api/jobs", content=job, headers=JSON), "body.params.hours")
    _refused(api.get("/api/passes", params={"lat": token, "lon": "0"}), "query.lat")


@given(value=wrong)
@SETTINGS
def test_values_of_the_wrong_type(api, value):
    if isinstance(value, (bool, int, float)) or not isinstance(value, str):
        _refused(api.post("/api/requests", json=request_body(name=value)), "body.name")
        _refused(api.post("/api/tokens", json={"name": value, "role": "viewer"}), "body.name")
    params = {"start": "2026-06-01T00:00:00Z", "station": value}
    answer = api.post("/api/jobs", json={"kind": "passes", "params": params})
    _refused(answer)


# ------------------------------------------------------------------ structure


@given(depth=st.integers(min_value=30, max_value=200_000))
@settings(max_examples=8, deadline=None, derandomize=True, suppress_health_check=list(HealthCheck))
def test_deeply_nested_json(api, depth):
    nested = "[" * depth + "]" * depth
    bodies = {
        "/api/requests": '{"name": "x", "geometry": ' + nested + "}",
        "/api/jobs": '{"kind": "passes", "params": {"start": ' + nested + "}}",
    }
    for path, raw in bodies.items():
        if len(raw) < 256 * 1024:
            _refused(api.post(path, content=raw, headers=JSON))
    product = '{"type": "FeatureCollection", "features": ' + nested + "}"
    answer = api.post("/api/products", params={"name": "deep.geojson"}, content=product)
    assert answer.status_code < 500, answer.text
    if depth > 5000:
        _refused(answer, "body")
    answer = api.post("/api/element-sets", params={"name": "deep"}, content=nested.encode())
    _refused(answer, "body")


spaces = st.text(alphabet=" \t\n\r\u00a0\u2003\u3000\u200a", min_size=1, max_size=12)


@given(name=spaces)
@SETTINGS
def test_names_that_are_only_whitespace(api, name):
    before = _count(api, "/api/requests")
    _refused(api.post("/api/requests", json=request_body(name=name)), "body.name")
    _refused(api.post("/api/tokens", json={"name": name, "role": "viewer"}), "body.name")
    _refused(api.post("/api/element-sets", params={"name": name}, content=b"x"), "query.name")
    _refused(api.post("/api/products", params={"name": name}, content=b"a,b\n"), "query.name")
    assert _count(api, "/api/requests") == before


non_latin = st.text(
    alphabet=st.characters(min_codepoint=0x100, max_codepoint=0x2FFF,
                           blacklist_categories=("Cs", "Cc", "Zl", "Zp")),
    min_size=1, max_size=30,
)  # fmt: skip


@given(stem=non_latin, plain=st.text(alphabet=string.ascii_letters + ' "%;', max_size=8))
@SETTINGS
def test_non_latin1_file_names_download(api, stem, plain):
    name = f"{plain}{stem}.csv".strip()
    answer = api.post("/api/products", params={"name": name}, content=b"a,b\n1,2\n")
    if answer.status_code != 201:
        _refused(answer)
        return
    stored = answer.json()["name"]
    download = api.get(answer.json()["download"])
    assert download.status_code == 200 and download.content == b"a,b\n1,2\n"
    header = download.headers["content-disposition"]
    header.encode("latin-1")  # a header must be Latin-1; ours is ASCII
    fallback = header.split('filename="', 1)[1].split('"', 1)[0]
    assert fallback and all(c.isascii() and c not in '"\\;' for c in fallback)
    exact = header.split("filename*=UTF-8''", 1)[1]
    assert unquote(exact, encoding="utf-8", errors="strict") == stored


# ------------------------------------------------------------------ coordinates in jobs


@given(
    lat=st.one_of(st.floats(min_value=90.0001, max_value=1e6), st.floats(max_value=-90.0001,
                                                                          min_value=-1e6)),
    lon=st.floats(min_value=-180, max_value=180),
)  # fmt: skip
@SETTINGS
def test_job_coordinates_out_of_range_are_refused_at_submission(api, lat, lon):
    before = _count(api, "/api/jobs")
    params = {"start": "2026-06-01T00:00:00Z", "lat": lat, "lon": lon, "fleet": "weather"}
    _refused(api.post("/api/jobs", json={"kind": "passes", "params": params}), "body.params.lat")
    params = {**params, "lat": 0.0, "lon": lat * 2}
    _refused(api.post("/api/jobs", json={"kind": "passes", "params": params}), "body.params.lon")
    assert _count(api, "/api/jobs") == before  # nothing queued to fail later


# ------------------------------------------------------------------ antimeridian


@given(
    west=st.floats(min_value=170.0, max_value=179.9),
    east=st.floats(min_value=-179.9, max_value=-170.0),
    lat=st.floats(min_value=-60.0, max_value=60.0),
)
@SETTINGS
def test_areas_across_the_antimeridian_are_refused_everywhere(api, west, east, lat):
    from sahelsat.inputs import InputError, area_of
    from sahelsat.scenario import ScenarioError, parse_scenario
    from sahelsat.tasking.requests import RequestError, make_request

    ring = [[west, lat], [east, lat], [east, lat + 1], [west, lat + 1], [west, lat]]
    shapes = [
        ({"type": "Polygon", "coordinates": [ring]}, None),
        ({"type": "MultiPolygon", "coordinates": [
            [[[west, lat], [180, lat], [180, lat + 1], [west, lat + 1], [west, lat]]],
            [[[-180, lat], [east, lat], [east, lat + 1], [-180, lat + 1], [-180, lat]]]]}, None),
        ({"type": "Point", "coordinates": [179.95, lat]}, 30.0),
    ]  # fmt: skip
    for geometry, radius in shapes:
        body = _refused(api.post("/api/requests", json=request_body(geometry=geometry,
                                                                    radius_km=radius)))  # fmt: skip
        assert "antimeridian" in body["reason"]
        with pytest.raises(InputError, match="antimeridian"):
            area_of(geometry, radius)
        with pytest.raises(RequestError, match="antimeridian"):
            make_request("a", geometry, start="2026-06-01", end="2026-06-02", radius_km=radius)
    scenario = (
        '[scenario]\nname = "t"\nstart = 2026-05-31T00:00:00Z\nduration_hours = 6\n'
        '[[satellites]]\nrole = "imaging"\ncatalogue = "resource"\n'
        f'[[requests]]\nid = "a"\npolygon = {json.dumps(ring[:-1])}\n'
    )
    with pytest.raises(ScenarioError, match="antimeridian"):
        parse_scenario(scenario, "s.toml")


# ------------------------------------------------------------------ classes tried later
# Duplicate JSON keys, content types, huge query strings and headers, Unicode
# normalisation and invisible or reordering characters, path-like names, page sizes and
# offsets, malformed multipart, empty bodies, very long names, BOM and other encodings.

TOKEN = {"name": "reader", "role": "viewer"}
JOB = {"kind": "passes", "params": {"start": "2026-06-01T00:00:00Z", "lat": 12.6, "lon": -8.0,
                                    "fleet": "weather"}}  # fmt: skip
BODIES = {"/api/requests": request_body(), "/api/tokens": TOKEN, "/api/jobs": JOB}
LISTS = ["/api/requests", "/api/jobs", "/api/products", "/api/tokens"]


def _totals(api) -> list[int]:
    return [_count(api, path) for path in LISTS]


@pytest.mark.parametrize("path", list(BODIES))
@pytest.mark.parametrize("nested", [False, True])
def test_a_repeated_json_key_is_refused_not_guessed(api, path, nested):
    before = _totals(api)
    body = json.dumps(BODIES[path])
    if nested and path == "/api/requests":
        raw = body.replace('"geometry": {', '"geometry": {"type": "Point", ')
    elif nested and path == "/api/jobs":
        raw = body.replace('"params": {', '"params": {"lat": 0, ')
    else:
        raw = body[:-1] + (', "kind": "x"}' if path == "/api/jobs" else ', "name": "other"}')
    reason = _refused(api.post(path, content=raw, headers=JSON), "body")["reason"]
    assert "repeated" in reason
    assert _totals(api) == before


@pytest.mark.parametrize("path", list(BODIES))
@pytest.mark.parametrize(
    "content_type",
    [None, "text/plain", "application/xml", "application/x-www-form-urlencoded",
     "multipart/form-data; boundary=x", "application/octet-stream"],
)  # fmt: skip
def test_json_bodies_under_another_content_type_are_refused(api, path, content_type):
    before = _totals(api)
    headers = {} if content_type is None else {"content-type": content_type}
    _refused(api.post(path, content=json.dumps(BODIES[path]), headers=headers))
    assert _totals(api) == before


@pytest.mark.parametrize("size", [8_000, 30_000])
def test_huge_query_strings_and_headers(api, size):
    _refused(api.get("/api/requests", params={"status": "x" * size}), "query.status")
    _refused(api.get("/api/passes", params={"fleet": "x" * size, "lat": "1", "lon": "1"}),
             "query.fleet")  # fmt: skip
    many = api.get("/api/requests?" + "&".join(f"k{i}=v" for i in range(size // 8)))
    assert many.status_code == 200  # unknown parameters are ignored, not an error
    assert api.get("/api/health", headers={"X-Padding": "x" * size}).status_code == 200
    answer = api.get("/api/whoami", headers={"Authorization": "Bearer " + "x" * size})
    assert answer.status_code == 401


reordering = st.sampled_from(sorted("\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069"))
invisible = st.text(alphabet="\u200b\u200c\u200d\u2060\ufeff \u00a0", min_size=1, max_size=6)


@given(mark=reordering, text=st.text(alphabet=string.ascii_letters, min_size=1, max_size=8))
@settings(max_examples=10, deadline=None, derandomize=True,
          suppress_health_check=list(HealthCheck))  # fmt: skip
def test_names_that_reorder_or_hide_themselves_are_refused(api, mark, text):
    before = _totals(api)
    for name in (f"{text}{mark}vsc.exe", f"{mark}{text}"):
        _refused(api.post("/api/requests", json=request_body(name=name)), "body.name")
        _refused(api.post("/api/tokens", json={"name": name, "role": "viewer"}), "body.name")
        _refused(api.post("/api/products", params={"name": name + ".csv"}, content=b"a\n"),
                 "query.name")  # fmt: skip
    assert _totals(api) == before


@given(name=invisible)
@settings(max_examples=10, deadline=None, derandomize=True,
          suppress_health_check=list(HealthCheck))  # fmt: skip
def test_invisible_names_are_refused(api, name):
    _refused(api.post("/api/requests", json=request_body(name=name)), "body.name")
    _refused(api.post("/api/tokens", json={"name": name, "role": "viewer"}), "body.name")


def test_names_are_stored_in_one_normal_form(api):
    import unicodedata

    decomposed = "Se\u0301gou"  # e + combining acute: the same name as "Ségou"
    stored = api.post("/api/requests", json=request_body(name=decomposed)).json()["name"]
    assert stored == unicodedata.normalize("NFC", decomposed) == "S\u00e9gou"
    product = api.post("/api/products", params={"name": decomposed + ".csv"}, content=b"a\n")
    assert product.json()["name"] == "S\u00e9gou.csv"


@pytest.mark.parametrize(
    "name",
    ["../../etc/passwd.csv", "..\\..\\win.csv", "/etc/x.csv", "a/b.csv", ".hidden.csv", "..",
     "x.csv/", "x" * 5000 + ".csv"],
)  # fmt: skip
def test_path_like_upload_names_are_refused(api, name):
    before = _totals(api)
    # a product's name becomes a download's file name: a plain name, no folders
    _refused(api.post("/api/products", params={"name": name}, content=b"a,b\n"), "query.name")
    assert _totals(api) == before


@pytest.mark.parametrize("product_id", ["-1", "0", "1.5", "abc", "9" * 30, "%2e%2e", "1%00"])
def test_product_downloads_by_odd_ids(api, product_id):
    answer = api.get(f"/api/products/{product_id}/download")
    assert answer.status_code in (404, 422), answer.text
    assert answer.json()["reason"]


@given(
    limit=st.one_of(st.integers(max_value=0), st.integers(min_value=501), st.just("abc"),
                    st.just("1e3"), st.just("NaN"), st.just("")),
    offset=st.one_of(st.integers(max_value=-1), st.integers(min_value=10_000_001),
                     st.just("x")),
)  # fmt: skip
@SETTINGS
def test_page_sizes_and_offsets_out_of_range(api, limit, offset):
    for path in LISTS:
        _refused(api.get(path, params={"limit": limit}), "query.limit")
        _refused(api.get(path, params={"offset": offset}), "query.offset")
        assert api.get(path, params={"limit": 500, "offset": 10_000_000}).json()["items"] == []
    _refused(api.get("/api/jobs", params={"kind": "no-such-kind"}), "query.kind")


@pytest.mark.parametrize(
    "body",
    [b'--x\r\nContent-Disposition: form-data; name="name"\r\n\r\nflood\r\n', b"--x--", b"junk",
     b""],
)  # fmt: skip
def test_malformed_multipart_bodies(api, body):
    before = _totals(api)
    headers = {"content-type": "multipart/form-data; boundary=x"}
    for path in BODIES:
        _refused(api.post(path, content=body, headers=headers))
    assert _totals(api) == before
    # an upload is its bytes, whatever the header says: stored and returned exactly, or refused
    answer = api.post("/api/products", params={"name": "m.csv"}, content=body, headers=headers)
    if answer.status_code == 201:
        assert api.get(answer.json()["download"]).content == body
    else:
        _refused(answer, "body")


@pytest.mark.parametrize("body", [b"", b"null", b"[]", b'"x"', b"1", b"{}"])
def test_empty_and_bare_json_bodies(api, body):
    before = _totals(api)
    for path in BODIES:
        _refused(api.post(path, content=body, headers=JSON))
    assert _totals(api) == before
    if not body:
        _refused(api.post("/api/products", params={"name": "e.csv"}, content=body), "body")
        _refused(api.post("/api/element-sets", params={"name": "e"}, content=body))


@pytest.mark.parametrize("length", [201, 10_000, 200_000])
def test_very_long_names(api, length):
    name = "n" * length
    _refused(api.post("/api/requests", json=request_body(name=name)), "body.name")
    _refused(api.post("/api/tokens", json={"name": name, "role": "viewer"}), "body.name")
    assert "200" in _refused(api.post("/api/products", params={"name": name[:30_000] + ".csv"},
                                      content=b"a\n"), "query.name")["reason"]  # fmt: skip


@pytest.mark.parametrize(
    "encode",
    [lambda t: b"\xef\xbb\xbf" + t.encode(), lambda t: t.encode("utf-16"),
     lambda t: t.encode("utf-32")],
    ids=["utf-8 BOM", "utf-16", "utf-32"],
)  # fmt: skip
def test_json_with_a_byte_order_mark_or_in_utf16_is_read_as_json(api, encode):
    # RFC 8259 8.1 lets a parser accept a BOM; every JSON route reads it the same way
    answer = api.post("/api/requests", content=encode(json.dumps(request_body(name="bom"))),
                      headers=JSON)  # fmt: skip
    assert answer.status_code == 201 and answer.json()["name"] == "bom"
    token = api.post("/api/tokens", content=encode(json.dumps(TOKEN)), headers=JSON)
    assert token.status_code == 201


def test_json_that_is_not_utf8_is_refused(api):
    before = _totals(api)
    raw = json.dumps(request_body()).encode().replace(b"flood", b"fl\xff\xfeod")
    for path in BODIES:
        assert "UTF-8" in _refused(api.post(path, content=raw, headers=JSON), "body")["reason"]
    assert _totals(api) == before
