"""Keeping current: element sets and Earth orientation from the sources, offline import.

The real HTTP client talks to a server on loopback that serves responses in CelesTrak's
formats (OMM JSON, CSV, XML; 200, 304, 301, 403, 404, 500, a cut body, a slow answer),
Space-Track's log-in and ``gp`` class, and the IERS finals2000A format. Their content is
the shipped snapshot, converted to OMM by the sgp4 package's own exporter (independent of
sahelsat's reader and writer), plus copies of real orbits under catalogue numbers past
99,999; the IERS file is the shipped table written back in the IERS columns. No test
touches the internet.
"""

import csv
import errno
import functools
import gzip
import hashlib
import io
import json
import os
import subprocess
import sys
import threading
import time
import warnings
from datetime import UTC, datetime, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import parse_qs, unquote, urlsplit
from xml.sax.saxutils import escape

import numpy as np
import pandas as pd
import pytest
from sgp4 import exporter, omm
from sgp4.api import Satrec

import sahelsat
from sahelsat import frames, timescale, userdata
from sahelsat.fleet import catalogue, load_elements, shipped_catalogue
from sahelsat.refresh.catalogues import import_elements, update_elements
from sahelsat.refresh.eop import parse_finals, update_eop
from sahelsat.refresh.status import catalogue_status, default_start

DATA = Path(sahelsat.__file__).parent / "data"
T0 = datetime(2026, 12, 2, 12, 0, tzinfo=UTC)
OMM_KEYS = ["OBJECT_NAME", "OBJECT_ID", "EPOCH", "MEAN_MOTION", "ECCENTRICITY", "INCLINATION",
            "RA_OF_ASC_NODE", "ARG_OF_PERICENTER", "MEAN_ANOMALY", "EPHEMERIS_TYPE",
            "CLASSIFICATION_TYPE", "NORAD_CAT_ID", "ELEMENT_SET_NO", "REV_AT_EPOCH", "BSTAR",
            "MEAN_MOTION_DOT", "MEAN_MOTION_DDOT"]  # fmt: skip
LAST_MODIFIED = "Wed, 02 Dec 2026 10:00:00 GMT"
SLOW_S = 3.0


def omm_records(filename: str) -> list[dict]:
    """A shipped TLE file as CelesTrak's OMM records, by the sgp4 package's exporter."""
    lines = (DATA / "tle" / filename).read_text().splitlines()
    out = []
    for k in range(0, len(lines) - 2, 3):
        rec = exporter.export_omm(Satrec.twoline2rv(lines[k + 1], lines[k + 2]), lines[k].strip())
        out.append({key: rec[key] for key in OMM_KEYS})
    return out


def renumbered(rec: dict, number: int) -> dict:
    """A real orbit under another catalogue number (the only change)."""
    return dict(rec, OBJECT_NAME=f"OBJECT {number}", NORAD_CAT_ID=number)


@functools.cache
def _mirror_data() -> dict[str, list[dict]]:
    resource, geo = omm_records("resource.txt"), omm_records("geo.txt")
    s2a = next(r for r in resource if r["OBJECT_NAME"] == "SENTINEL-2A")
    rascom = next(r for r in geo if r["OBJECT_NAME"].startswith("RASCOM-QAF 1R"))
    data = {
        "GROUP=resource": resource + [renumbered(s2a, 300001), renumbered(s2a, 100000)],
        "GROUP=geo": geo + [renumbered(rascom, 270000001)],
        "GROUP=weather": omm_records("weather.txt"),
    }
    for rec in omm_records("resource_extra_sentinel1.txt"):
        data[f"CATNR={rec['NORAD_CAT_ID']}"] = [rec]
    return data


def mirror_data() -> dict[str, list[dict]]:
    return {k: [dict(r) for r in v] for k, v in _mirror_data().items()}


def celestrak_body(records: list[dict], fmt: str) -> bytes:
    """Records as CelesTrak's GP service writes them in each OMM format."""
    if fmt == "json":
        return json.dumps(records).encode()
    if fmt == "csv":
        out = io.StringIO()
        writer = csv.DictWriter(out, OMM_KEYS, lineterminator="\r\n")
        writer.writeheader()
        writer.writerows(records)
        return out.getvalue().encode()
    meta = ("OBJECT_NAME", "OBJECT_ID")
    mean = ("EPOCH", "MEAN_MOTION", "ECCENTRICITY", "INCLINATION", "RA_OF_ASC_NODE",
            "ARG_OF_PERICENTER", "MEAN_ANOMALY")  # fmt: skip
    tle = ("EPHEMERIS_TYPE", "CLASSIFICATION_TYPE", "NORAD_CAT_ID", "ELEMENT_SET_NO",
           "REV_AT_EPOCH", "BSTAR", "MEAN_MOTION_DOT", "MEAN_MOTION_DDOT")  # fmt: skip

    def tags(r, keys):
        return "".join(f"<{k}>{escape(str(r[k]))}</{k}>" for k in keys)

    body = "".join(
        '<omm id="CCSDS_OMM_VERS" version="2.0"><header><CREATION_DATE/><ORIGINATOR/></header>'
        f"<body><segment><metadata>{tags(r, meta)}<CENTER_NAME>EARTH</CENTER_NAME>"
        "<REF_FRAME>TEME</REF_FRAME><TIME_SYSTEM>UTC</TIME_SYSTEM>"
        "<MEAN_ELEMENT_THEORY>SGP4</MEAN_ELEMENT_THEORY></metadata><data><meanElements>"
        f"{tags(r, mean)}</meanElements><tleParameters>{tags(r, tle)}</tleParameters>"
        "</data></segment></body></omm>"
        for r in records
    )
    return (
        '<?xml version="1.0" encoding="UTF-8"?>\n<ndm xmlns:xsi="http://www.w3.org/2001/'
        'XMLSchema-instance" xsi:noNamespaceSchemaLocation="https://sanaregistry.org/r/'
        f'ndmxml_unqualified/ndmxml-2.0.0-master-2.0.xsd">{body}</ndm>\n'
    ).encode()


def finals_text(table: pd.DataFrame) -> str:
    """A daily table in the IERS finals2000A columns (readme.finals2000A): date, MJD,
    Bulletin A x_p, y_p (arcsec) and UT1-UTC (s) with their I/P flags. The error columns
    and Bulletin B are left blank (not read)."""
    base = np.datetime64("1858-11-17", "D")
    lines = []
    for r in table.itertuples():
        date = str(base + int(r.mjd_utc))
        flag = "P" if r.predicted else "I"
        lines.append(
            f"{date[2:4]}{int(date[5:7]):2d}{int(date[8:10]):2d} {r.mjd_utc:8.2f} {flag} "
            f"{r.xp_arcsec:9.6f}{'':9} {r.yp_arcsec:9.6f}{'':9}  {flag}{r.ut1_minus_utc_s:10.7f}"
        )
    return "\n".join(lines) + "\n"


SHIPPED_EOP = pd.read_csv(DATA / "eop" / "finals.csv")


class Mirror:
    """A loopback server in CelesTrak's, Space-Track's and the IERS's shapes.

    ``then(key, behaviour, ...)`` scripts the next answers to a query (``GROUP=weather``,
    ``finals``, ``login``): ``(code, text)`` an HTTP error, ``"cut"`` a body shorter than
    its Content-Length, ``"half"`` half a body with a matching length, ``"slow"`` an
    answer after SLOW_S seconds, ``"fewer"`` a tenth of the records, ``"bad"`` one record
    with an impossible eccentricity.
    """

    def __init__(self, data=None, finals: str | None = None):
        self.data = data if data is not None else mirror_data()
        self.finals = finals if finals is not None else finals_text(SHIPPED_EOP)
        self.log: list[dict] = []
        self.script: dict[str, list] = {}
        self.identity = ("ops@example.org", "secret")
        mirror = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args):
                pass

            def do_POST(self):
                body = self.rfile.read(int(self.headers.get("Content-Length", 0))).decode()
                form = {k: v[0] for k, v in parse_qs(body).items()}
                mirror.log.append({"key": "login", "headers": dict(self.headers), "form": form})
                if urlsplit(self.path).path != "/ajaxauth/login":
                    return self.answer(404, b"not found")
                if (form.get("identity"), form.get("password")) != mirror.identity:
                    return self.answer(200, b'{"Login":"Failed"}')
                self.answer(200, b"", {"Set-Cookie": "chocolatechip=abc123; Path=/"})

            def do_GET(self):
                url = urlsplit(self.path)
                if url.path.endswith("finals2000A.all"):
                    return self.serve("finals", mirror.finals.encode(), "text/plain")
                if url.path.startswith("/basicspacedata/query/class/gp/"):
                    return self.space_track(unquote(url.path))
                query = parse_qs(url.query)
                if url.path != "/NORAD/elements/gp.php":
                    return self.answer(404, b"404 Not Found")
                kind = next((k for k in ("GROUP", "CATNR", "INTDES") if k in query), None)
                if kind is None:
                    return self.answer(200, b"Invalid query")
                key = f"{kind}={query[kind][0]}"
                fmt = query.get("FORMAT", ["tle"])[0].lower()
                records = mirror.data.get(key)
                if records is None:
                    mirror.log.append({"key": key, "fmt": fmt, "headers": dict(self.headers)})
                    return self.answer(200, b"No GP data found")
                self.serve(key, None, "application/json", records, fmt)

            def serve(self, key, body, ctype, records=None, fmt=None):
                mirror.log.append({"key": key, "fmt": fmt, "headers": dict(self.headers)})
                todo = mirror.script.get(key) or ["ok"]
                behaviour = todo.pop(0) if mirror.script.get(key) else "ok"
                if isinstance(behaviour, tuple):
                    code, text = behaviour
                    extra = {"Location": "https://elsewhere.example/gp.php"} if code == 301 else {}
                    return self.answer(code, text.encode(), extra)
                if records is not None:
                    if behaviour == "fewer":
                        records = records[: len(records) // 10]
                    if behaviour == "bad":
                        records = [dict(r) for r in records]
                        records[3]["ECCENTRICITY"] = 1.5
                    body = celestrak_body(records, fmt)
                etag = '"' + hashlib.sha1(body).hexdigest()[:16] + '"'
                head = {"ETag": etag, "Last-Modified": LAST_MODIFIED, "Content-Type": ctype}
                if behaviour == "ok" and self.headers.get("If-None-Match") == etag:
                    return self.answer(304, b"", head)
                if behaviour == "slow":
                    time.sleep(SLOW_S)
                if behaviour == "half":
                    body = body[: len(body) // 2]
                if behaviour == "cut":
                    head["Content-Length"] = str(len(body))
                    self.send_response(200)
                    for k, v in head.items():
                        self.send_header(k, v)
                    self.end_headers()
                    self.wfile.write(body[: len(body) // 2])
                    self.close_connection = True
                    return None
                if "gzip" in self.headers.get("Accept-Encoding", ""):
                    body = gzip.compress(body)
                    head["Content-Encoding"] = "gzip"
                self.answer(200, body, head)

            def space_track(self, path):
                mirror.log.append({"key": "gp", "path": path, "headers": dict(self.headers)})
                if "chocolatechip=abc123" not in self.headers.get("Cookie", ""):
                    return self.answer(401, b'{"error":"You must be logged in"}')
                wanted = path.split("/NORAD_CAT_ID/")[1].split("/")[0]
                numbers = set()
                for part in wanted.split(","):
                    lo, _, hi = part.partition("--")
                    numbers |= set(range(int(lo), int(hi or lo) + 1))
                found = {}
                for recs in mirror.data.values():
                    for r in recs:
                        if r["NORAD_CAT_ID"] in numbers:
                            found[r["NORAD_CAT_ID"]] = {k: str(v) for k, v in r.items()}
                body = json.dumps([found[n] for n in sorted(found)]).encode()
                self.answer(200, body, {"Content-Type": "application/json"})

            def answer(self, code, body, head=None):
                self.send_response(code)
                for k, v in (head or {}).items():
                    self.send_header(k, v)
                if code != 304:
                    self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                if code != 304:
                    try:
                        self.wfile.write(body)
                    except (BrokenPipeError, ConnectionResetError):
                        pass  # the client gave up (time-out)

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.httpd.daemon_threads = True
        threading.Thread(target=self.httpd.serve_forever, daemon=True).start()
        self.url = f"http://127.0.0.1:{self.httpd.server_address[1]}"

    def then(self, key: str, *behaviours) -> None:
        self.script.setdefault(key, []).extend(behaviours)

    def asked(self, key: str | None = None) -> list[dict]:
        return [r for r in self.log if key is None or r["key"] == key]

    def close(self) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()


@pytest.fixture
def data_dir(tmp_path, monkeypatch) -> Path:
    folder = tmp_path / "data"
    monkeypatch.setenv("SAHELSAT_DATA_DIR", str(folder))
    return folder


@pytest.fixture
def mirror():
    server = Mirror()
    yield server
    server.close()


def store() -> userdata.ElementStore:
    return userdata.ElementStore()


def positions(fleet, name: str, times) -> np.ndarray:
    return fleet[[name]].propagate(times).position[0]


# --------------------------------------------------------------------------- element sets


@pytest.mark.filterwarnings("ignore::sahelsat.fleet.EpochWarning")
@pytest.mark.parametrize("fmt", ["json", "csv", "xml"])
def test_update_from_celestrak_in_each_omm_format(data_dir, mirror, fmt):
    report = update_elements(["resource"], url=mirror.url, fmt=fmt, now=T0)
    assert report.ok, report
    assert report.results[0].status == "updated"
    assert [r["key"] for r in mirror.asked()] == ["GROUP=resource", "CATNR=62261", "CATNR=66315"]
    for request in mirror.asked():
        assert request["fmt"] == fmt
        assert request["headers"]["User-Agent"].startswith("sahelsat/")
    fleet, shipped = catalogue("resource"), shipped_catalogue("resource")
    assert set(shipped.catalog_numbers) | {100000, 300001} == set(fleet.catalog_numbers)
    # The same orbits as the shipped TLEs (OMM epochs are rounded to the microsecond).
    times = shipped.epochs[:1] + np.arange(0, 3) * np.timedelta64(40, "m")
    for name in ("SENTINEL-2A", "LANDSAT 9", "SENTINEL-1C"):
        assert np.abs(positions(fleet, name, times) - positions(shipped, name, times)).max() < 1e-2
    # Catalogue numbers past 99,999 are kept; the copy's source and fetch time are known.
    status = {c.name: c for c in catalogue_status()}["resource"]
    assert mirror.url in status.source and status.fetched_at == "2026-12-02T12:00:00Z"
    assert status.satellites == len(fleet) and status.epoch_min.startswith("2026-05-07")


def test_one_download_per_interval_then_conditional_requests(data_dir, mirror):
    update_elements(["weather"], url=mirror.url, now=T0)
    assert len(mirror.asked()) == 1
    again = update_elements(["weather"], url=mirror.url, now=T0 + timedelta(minutes=90))
    assert len(mirror.asked()) == 1  # CelesTrak updates every 2 h: not asked again
    result = again.results[0]
    assert result.status == "skipped" and "2026-12-02T14:00:00Z" in result.message
    later = update_elements(["weather"], url=mirror.url, now=T0 + timedelta(hours=2, minutes=1))
    second = mirror.asked()[-1]["headers"]
    assert second.get("If-None-Match") and second.get("If-Modified-Since") == LAST_MODIFIED
    assert later.results[0].status == "unchanged" and len(store().versions("weather")) == 1
    forced = update_elements(["weather"], url=mirror.url, now=T0 + timedelta(hours=2), force=True)
    assert forced.ok and len(mirror.asked()) == 3


@pytest.mark.parametrize(
    "answer, words",
    [
        ((403, "GP data has not updated since your last successful download of GROUP=weather"
               " at 2026-12-02 12:00:00 UTC.\nData is updated once every 2 hours."),
         "HTTP 403: GP data has not updated"),
        ((404, "404 Not Found"), "HTTP 404"),
        ((500, "Internal Server Error"), "HTTP 500"),
        ((301, "Moved Permanently"), "redirected to https://elsewhere.example"),
        ("cut", "cut after"),
    ],
)  # fmt: skip
def test_an_http_error_keeps_the_copy_in_use_and_stops_the_run(data_dir, mirror, answer, words):
    first = update_elements(["weather", "resource"], url=mirror.url, now=T0)
    kept = store().current("weather")
    assert first.ok and kept is not None
    mirror.then("GROUP=weather", answer)
    t1 = T0 + timedelta(hours=3)
    report = update_elements(["weather", "resource"], url=mirror.url, now=t1)
    weather, resource = report.results
    assert weather.status == "failed" and words in weather.message
    assert resource.status == "not asked" and report.stopped and not report.ok
    assert mirror.asked()[-1]["key"] == "GROUP=weather"  # nothing asked after the error
    assert store().current("weather") == kept
    assert catalogue("weather").catalog_numbers.tolist() == [
        int(r["NORAD_CAT_ID"]) for r in sorted(mirror.data["GROUP=weather"],
                                                key=lambda r: r["NORAD_CAT_ID"])
    ]  # fmt: skip
    # Back-off: the same query waits the interval, doubling after a second failure.
    n = len(mirror.asked())
    soon = update_elements(["weather"], url=mirror.url, now=t1 + timedelta(hours=1))
    assert len(mirror.asked()) == n and "last request failed" in soon.results[0].message
    mirror.then("GROUP=weather", answer)
    update_elements(["weather"], url=mirror.url, now=t1 + timedelta(hours=2, minutes=1))
    state = store().fetch_state()[f"{mirror.url} GROUP=weather"]
    assert state["failures"] == 2 and state["retry_after"] == "2026-12-02T21:01:00Z"
    ok = update_elements(["weather"], url=mirror.url, now=t1 + timedelta(hours=7))
    assert ok.ok and store().fetch_state()[f"{mirror.url} GROUP=weather"]["failures"] == 0


@pytest.mark.parametrize(
    "behaviour, status, words",
    [
        ("half", "refused", "invalid JSON"),
        ("fewer", "refused", "a partial answer"),
        ("bad", "refused", "ECCENTRICITY"),
        ("slow", "failed", "within 1 s"),
    ],
)
def test_a_bad_answer_keeps_the_copy_in_use(data_dir, mirror, behaviour, status, words):
    update_elements(["resource"], url=mirror.url, now=T0)
    kept = store().current("resource")
    mirror.then("GROUP=resource", behaviour)
    started = time.monotonic()
    report = update_elements(["resource"], url=mirror.url, now=T0 + timedelta(hours=3),
                             timeout_s=1.0)  # fmt: skip
    assert time.monotonic() - started < SLOW_S + 5
    result = report.results[0]
    assert result.status == status and words in result.message, result.message
    assert store().current("resource") == kept and len(catalogue("resource")) == kept.count
    if behaviour == "bad":
        assert len(result.errors) == 1 and "must be in [0, 1)" in result.errors[0]
    if behaviour == "fewer":  # accepted when the operator says so
        mirror.then("GROUP=resource", "fewer")
        forced = update_elements(["resource"], url=mirror.url, now=T0 + timedelta(hours=6),
                                 replace=True)  # fmt: skip
        assert forced.results[0].status == "updated" and len(catalogue("resource")) < 30


def test_progress_and_cancel_for_a_job(data_dir, mirror):
    """The refresh runs as a service job would run it: progress reported, a cancel check
    between requests, and what was stored before the cancel stays."""
    seen = []
    asked = iter([False, False, False, True])
    report = update_elements(
        ["weather", "resource", "geo"], url=mirror.url, now=T0,
        progress=lambda f, m: seen.append((f, m)), cancelled=lambda: next(asked),
    )  # fmt: skip
    assert report.cancelled and not report.ok
    assert [r.status for r in report.results] == ["updated", "not asked", "not asked"]
    assert [k["key"] for k in mirror.asked()] == ["GROUP=weather", "GROUP=resource",
                                                  "CATNR=62261"]  # fmt: skip
    fractions = [f for f, _ in seen]
    assert fractions == sorted(fractions) and fractions[-1] == 1.0
    assert store().current("weather") is not None and store().current("resource") is None


def test_a_group_the_source_does_not_know(data_dir, mirror):
    report = update_elements(["nosuchgroup", "weather"], url=mirror.url, now=T0)
    unknown, weather = report.results
    assert unknown.status == "refused" and "No GP data found" in unknown.message
    assert weather.status == "updated" and report.stopped is None
    with pytest.raises(KeyError):
        catalogue("nosuchgroup")


def test_a_failed_write_leaves_the_copy_in_use(data_dir, mirror):
    update_elements(["weather"], url=mirror.url, now=T0)
    kept = store().current("weather")
    real_replace = os.replace

    def disk_full(src, dst):
        if Path(dst).name == "current.json":
            raise OSError(errno.ENOSPC, "No space left on device")
        return real_replace(src, dst)

    mirror.data["GROUP=weather"] = mirror.data["GROUP=weather"][:-1]
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(userdata.os, "replace", disk_full)
        report = update_elements(["weather"], url=mirror.url, now=T0 + timedelta(hours=3))
    assert report.results[0].status == "failed" and "No space left" in report.results[0].message
    assert store().current("weather") == kept and len(catalogue("weather")) == kept.count
    assert not list(data_dir.rglob("*.tmp"))


def test_history_stays_retrievable_and_pinned_versions_are_kept(data_dir, mirror):
    first = update_elements(["resource"], url=mirror.url, now=T0).results[0].info
    mirror.data["GROUP=resource"] = [
        r for r in mirror.data["GROUP=resource"] if r["NORAD_CAT_ID"] != 100000
    ]
    second = update_elements(["resource"], url=mirror.url, now=T0 + timedelta(hours=3))
    second = second.results[0].info
    assert [v.version for v in store().versions("resource")] == [first.version, second.version]
    assert 100000 not in catalogue("resource").catalog_numbers
    assert 100000 in catalogue("resource", version=first.version).catalog_numbers
    store().pin("resource", first.version, "plan 2026-12-02 for the Niamey flood")
    assert store().prune("resource", keep=0) == []
    with pytest.raises(KeyError):
        catalogue("resource", version="20260101T000000Z-000000000000")


def test_space_track_when_credentials_are_set(data_dir, mirror, monkeypatch):
    monkeypatch.setenv("SAHELSAT_SPACETRACK_URL", mirror.url)
    monkeypatch.setenv("SAHELSAT_SPACETRACK_IDENTITY", mirror.identity[0])
    monkeypatch.setenv("SAHELSAT_SPACETRACK_PASSWORD", "wrong")
    refused = update_elements(["resource"], now=T0, spacing_s=0.0)
    assert refused.results[0].status == "failed" and "log-in" in refused.results[0].message
    monkeypatch.setenv("SAHELSAT_SPACETRACK_PASSWORD", mirror.identity[1])
    report = update_elements(["resource"], now=T0, spacing_s=0.0, force=True)
    assert report.ok and report.results[0].status == "updated", report
    logins = mirror.asked("login")
    assert len(logins) == 2 and logins[-1]["form"]["identity"] == mirror.identity[0]
    assert all("NORAD_CAT_ID" in r["path"] for r in mirror.asked("gp"))
    fleet, shipped = catalogue("resource"), shipped_catalogue("resource")
    assert sorted(fleet.catalog_numbers) == sorted(shipped.catalog_numbers)
    assert "Space-Track" in store().current("resource").source


def test_objects_by_catalogue_number_join_a_fleet(data_dir, mirror):
    report = update_elements(catnr=["62261"], into="sentinel1", url=mirror.url, now=T0)
    assert report.ok and catalogue("sentinel1").names.tolist() == ["SENTINEL-1C"]
    update_elements(catnr=["66315"], into="sentinel1", url=mirror.url, now=T0)
    assert sorted(catalogue("sentinel1").names) == ["SENTINEL-1C", "SENTINEL-1D"]
    assert store().definition("sentinel1") == ["CATNR=62261", "CATNR=66315"]
    # An object the source no longer has does not block its fleet: kept, and said so.
    del mirror.data["CATNR=66315"]
    later = update_elements(["sentinel1"], url=mirror.url, now=T0 + timedelta(hours=3))
    assert later.ok and "No GP data found" in later.results[0].message
    assert sorted(catalogue("sentinel1").names) == ["SENTINEL-1C", "SENTINEL-1D"]
    with pytest.raises(ValueError, match="CATNR"):
        update_elements(catnr=["12a"], url=mirror.url)


def test_import_files_brought_by_hand(data_dir, mirror, tmp_path):
    usb = tmp_path / "usb"
    usb.mkdir()
    data = mirror.data
    (usb / "resource.json").write_bytes(celestrak_body(data["GROUP=resource"], "json"))
    (usb / "gp.php?GROUP=weather&FORMAT=csv").write_bytes(b"")  # not an element-set name
    (usb / "weather.csv").write_bytes(celestrak_body(data["GROUP=weather"], "csv"))
    (usb / "geo.xml").write_bytes(celestrak_body(data["GROUP=geo"], "xml"))
    # A TLE file written by the sgp4 package, Alpha-5 included.
    lines = []
    for rec in data["GROUP=resource"][-2:]:
        sat = Satrec()
        omm.initialize(sat, {k: str(v) for k, v in rec.items()})
        lines += [rec["OBJECT_NAME"], *exporter.export_tle(sat)]
    (usb / "mine.tle").write_text("\r\n".join(lines) + "\r\n")
    report = import_elements(usb, now=T0)
    by_name = {r.name: r for r in report.results}
    assert {n: r.status for n, r in by_name.items()} == {
        "resource": "updated", "weather": "updated", "geo": "updated", "mine": "updated"
    }  # fmt: skip
    assert sorted(catalogue("mine").catalog_numbers) == [100000, 300001]
    assert 270000001 in catalogue("geo").catalog_numbers
    # The resource group lacks Sentinel-1C/1D: kept from the copy in use, and said so.
    assert {"SENTINEL-1C", "SENTINEL-1D"} <= set(catalogue("resource").names)
    assert "SENTINEL-1C (62261)" in by_name["resource"].message
    # A file with one bad record is refused whole, naming the record.
    bad = [dict(r) for r in data["GROUP=weather"]]
    bad[5]["MEAN_MOTION"] = "fifteen"
    (usb / "weather.csv").write_bytes(celestrak_body(bad, "csv"))
    again = import_elements(usb / "weather.csv", now=T0)
    assert again.results[0].status == "refused" and "MEAN_MOTION" in again.results[0].message
    assert len(catalogue("weather")) == len(data["GROUP=weather"])
    old = import_elements(DATA / "tle" / "weather.txt", into="weather", now=T0)
    assert old.results[0].status == "unchanged" or old.ok


def test_an_unreadable_stored_copy_falls_back_to_the_shipped_snapshot(data_dir, mirror):
    update_elements(["weather"], url=mirror.url, now=T0)
    info = store().current("weather")
    (data_dir / "elements" / "weather" / "versions" / f"{info.version}.json").write_text("[{")
    with pytest.warns(UserWarning, match="cannot be read"):
        fleet = catalogue("weather")
    assert len(fleet) == len(shipped_catalogue("weather"))


def test_default_start_follows_the_data():
    fleet = shipped_catalogue("resource")
    late = default_start(fleet, now=T0)
    assert not late.fresh and late.start == np.datetime64("2026-05-31T00:00:00", "ns")
    assert "sahelsat update elements" in late.note and "2026-05-30" in late.note
    fresh = default_start(fleet, now=datetime(2026, 6, 2, 8, 30, 15, 500, tzinfo=UTC))
    assert fresh.fresh and fresh.start == np.datetime64("2026-06-02T08:30:15", "ns")


# --------------------------------------------------------------------------- past 99,999


def test_objects_past_99999_through_propagation_passes_coverage_and_opportunities(data_dir, mirror):
    """Each renumbered object is a real orbit under a new number: it must give exactly
    what the original gives, through every capability."""
    from sahelsat import coverage, ground_stations, passes
    from sahelsat.tasking.opportunities import find_opportunities, sensor_for
    from sahelsat.tasking.requests import make_request

    assert update_elements(["resource", "geo"], url=mirror.url, now=T0).ok
    resource, geo = catalogue("resource"), catalogue("geo")
    pair = resource[["SENTINEL-2A", "OBJECT 300001"]]
    assert pair.catalog_numbers.tolist()[1] == 300001
    t0, t1 = np.datetime64("2026-05-31T00:00", "ns"), np.datetime64("2026-06-01T00:00", "ns")
    times = t0 + np.arange(0, 24 * 60, 10) * np.timedelta64(1, "m")
    state = pair.propagate(times, frame="itrf")
    assert np.array_equal(state.position[0], state.position[1])
    big = geo[["RASCOM-QAF 1R", "OBJECT 270000001"]]  # deep space: the sgp4 package's path
    geo_pos = big.propagate(times).position
    assert np.isfinite(geo_pos).all() and np.array_equal(geo_pos[0], geo_pos[1])
    table = passes(pair, ground_stations(), t0, t1)
    a = table[table.satellite == "SENTINEL-2A"].reset_index(drop=True)
    b = table[table.satellite == "OBJECT 300001"].reset_index(drop=True)
    assert len(a) > 0 and a[["rise", "set", "max_elevation"]].equals(
        b[["rise", "set", "max_elevation"]]
    )
    cov_a = coverage(pair[["SENTINEL-2A"]], "BFA", 0.5, t0, t1, 60.0, 10.0)
    cov_b = coverage(pair[["OBJECT 300001"]], "BFA", 0.5, t0, t1, 60.0, 10.0)
    covered = cov_a["percent_covered"].values
    assert np.nanmax(covered) > 0
    assert np.array_equal(covered, cov_b["percent_covered"].values, equal_nan=True)
    t5 = t0 + np.timedelta64(11, "D")  # Sentinel-2A alone: a 10-day repeat
    point = {"type": "Point", "coordinates": [2.11, 13.5]}
    req = make_request("niamey", point, radius_km=10.0, start=t0, end=t5)
    sensors = {n: sensor_for("SENTINEL-2A") for n in pair.names}
    found = find_opportunities(pair, [req], t0, t5, sensors=sensors)
    a = found[found.satellite == "SENTINEL-2A"][["start", "end"]].reset_index(drop=True)
    b = found[found.satellite == "OBJECT 300001"][["start", "end"]].reset_index(drop=True)
    assert len(a) > 0 and a.equals(b)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        text = (resource[["OBJECT 300001"]] + big).to_tle()
    assert any("270000001" in str(w.message) for w in caught)
    assert load_elements(text).catalog_numbers.tolist() == [300001, big.catalog_numbers[0]]


# --------------------------------------------------------------------------- Earth orientation


def test_the_finals_reader_reads_the_iers_columns():
    table, errors = parse_finals(finals_text(SHIPPED_EOP))
    assert errors == []
    pd.testing.assert_frame_equal(table, SHIPPED_EOP, check_dtype=False)


def test_finals_lines_are_checked_one_by_one():
    lines = finals_text(SHIPPED_EOP.iloc[:800]).splitlines()
    lines[10] = lines[10][:7] + "51600.00" + lines[10][15:]  # MJD of another date
    lines[20] = lines[20][:16] + "X" + lines[20][17:]  # unknown flag
    lines[30] = lines[30][:18] + " 5.000000" + lines[30][27:]  # polar motion of 5 arcsec
    lines[40] = lines[40][:60] + "\u0663" + lines[40][61:]  # a non-ASCII digit
    del lines[50]  # a missing day
    table, errors = parse_finals("\n".join(lines), "finals2000A.all")
    for n, words in ((11, "is not the date"), (21, "flag 'X'"), (31, "beyond"),
                     (41, "non-ASCII"), (51, "does not follow")):  # fmt: skip
        assert any(e.startswith(f"finals2000A.all, line {n}:") and words in e for e in errors)


def _ns(day: str) -> np.ndarray:
    return np.array([np.datetime64(day, "ns").astype(np.int64)])


def test_update_eop_and_frames_use_the_table_in_use(data_dir, mirror):
    url = mirror.url + "/finals2000A.all"
    last_observed = int(SHIPPED_EOP.loc[SHIPPED_EOP.predicted == 0, "mjd_utc"].max())
    older = SHIPPED_EOP[SHIPPED_EOP.mjd_utc <= last_observed - 300]
    mirror.finals = finals_text(older)
    refused = update_eop(url, now=T0)
    assert refused.status == "refused" and "--replace" in refused.message
    assert str(userdata.eop_table_path()).endswith(os.path.join("data", "eop", "finals.csv"))
    # Chosen although older: frames use it; past its end the values hold, with a warning
    # that says how to update.
    chosen = update_eop(url, now=T0, replace=True, force=True)
    assert chosen.status == "updated" and data_dir in Path(userdata.eop_table_path()).parents
    day = str(np.datetime64("1858-11-17", "D") + int(older.mjd_utc.iloc[-1]) + 30)
    with pytest.warns(UserWarning, match="sahelsat update eop"):
        dut1, xp, yp = timescale.earth_orientation(_ns(day))
    arcsec = np.pi / 648000.0
    assert xp[0] == pytest.approx(older.xp_arcsec.iloc[-1] * arcsec, rel=1e-12)
    assert dut1[0] == pytest.approx(older.ut1_minus_utc_s.iloc[-1], abs=1e-9)
    with pytest.warns(UserWarning, match="sahelsat update eop"):
        rotation = frames.earth_rotation(_ns(day).astype("datetime64[ns]"))
    assert rotation[0, 3] == pytest.approx(np.sin(xp[0]), rel=1e-9)
    # The full table is fresher than the one in use: accepted, and used.
    mirror.finals = finals_text(SHIPPED_EOP)
    full = update_eop(url, now=T0 + timedelta(days=2))
    assert full.status == "updated"
    mjd = np.datetime64(day, "D").astype(np.int64) + 40587
    dut1, xp, _ = timescale.earth_orientation(_ns(day))
    row = SHIPPED_EOP[SHIPPED_EOP.mjd_utc == mjd].iloc[0]
    assert xp[0] == pytest.approx(row.xp_arcsec * arcsec, rel=1e-12)
    # Once a day; then a conditional request; an error leaves the table in use.
    assert update_eop(url, now=T0 + timedelta(days=2, hours=5)).status == "skipped"
    n = len(mirror.asked("finals"))
    again = update_eop(url, now=T0 + timedelta(days=3, minutes=1))
    assert again.status == "unchanged" and mirror.asked("finals")[n]["headers"]["If-None-Match"]
    in_use = userdata.eop_table_path()
    mirror.then("finals", (500, "Internal Server Error"))
    failed = update_eop(url, now=T0 + timedelta(days=5))
    assert failed.status == "failed" and "HTTP 500" in failed.message
    assert userdata.eop_table_path() == in_use


def test_update_eop_from_a_file_refuses_a_damaged_one(data_dir, tmp_path):
    path = tmp_path / "finals2000A.all"
    lines = finals_text(SHIPPED_EOP).splitlines()
    lines[100] = lines[100][:58] + "      -2.5" + lines[100][68:]
    path.write_text("\n".join(lines) + "\n")
    report = update_eop(path=path, now=T0)
    assert report.status == "refused" and "line 101" in report.message
    assert userdata.stored_eop() is None
    path.write_text(finals_text(SHIPPED_EOP))
    assert update_eop(path=path, now=T0).status == "updated"


# --------------------------------------------------------------------------- command line


def test_command_line_from_a_fresh_data_directory(tmp_path, mirror):
    """``SAHELSAT_CELESTRAK_URL=<mirror> sahelsat update elements resource``, then
    ``sahelsat passes resource ...`` uses what the mirror served: the object numbered
    300001 (only the mirror has it) gets its passes."""
    env = dict(os.environ, SAHELSAT_CELESTRAK_URL=mirror.url,
               SAHELSAT_DATA_DIR=str(tmp_path / "fresh"))  # fmt: skip

    def run(*args):
        return subprocess.run([sys.executable, "-m", "sahelsat", *args], env=env,
                              capture_output=True, text=True, timeout=600)  # fmt: skip

    update = run("update", "elements", "resource")
    assert update.returncode == 0, update.stderr + update.stdout
    assert "updated" in update.stdout and len(mirror.asked()) == 3
    passes = run("passes", "resource", "--satellite", "OBJECT 300001", "--duration", "2d",
                 "--format", "json")  # fmt: skip
    assert passes.returncode == 0, passes.stderr
    rows = json.loads(passes.stdout)
    assert rows and {r["satellite"] for r in rows} == {"OBJECT 300001"}
    assert "2026-05-31T00:00Z" in passes.stderr  # the default start follows the data
    listing = run("catalogues")
    assert "127.0.0.1" in listing.stdout and "shipped snapshot" in listing.stdout
    again = run("update", "elements", "resource")
    assert again.returncode == 0 and "skipped" in again.stdout and len(mirror.asked()) == 3
    mirror.then("GROUP=resource", (403, "GP data has not updated since your last download"))
    refused = run("update", "elements", "resource", "--force")
    assert refused.returncode == 1 and "stopped" in refused.stderr
    eop = run("update", "eop", "--url", mirror.url + "/finals2000A.all")
    assert eop.returncode == 0 and "updated" in eop.stdout
