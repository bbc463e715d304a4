"""Faults of the parts the service stands on, caused for real.

- A PostgreSQL server stopped (cleanly, then as by a crash) and started again while
  clients write: while it is down every request is answered 503 at once (never a 500,
  never a hang), every write answered 201 is kept, a job running across the outage ends
  with a final state, and the service recovers without a restart of its own.
- A full disk (the server process runs under a file-size limit, so the kernel refuses
  the store's writes past it): a product upload or a job's products that do not fit leave
  no row, complete or partial; the store stays whole and takes the writes that fit.
- A job whose worker dies (the server process killed, an error outside the job's own
  code, a job that raises ``SystemExit``, a service stopping) is marked failed with the
  reason, never left running.
"""

from __future__ import annotations

import hashlib
import json
import os
import sqlite3
import threading
import time

import httpx
import pytest
from fastapi.testclient import TestClient
from test_service_security import assert_secured
from test_service_support import PostgresServer, ServerProcess

from sahelsat.service.api import create_app
from sahelsat.service.auth import create_token
from sahelsat.service.db import CONNECT_TIMEOUT_S, Job, Product, open_store
from sahelsat.service.jobs import JobOutput, register_job_kind

AREA = {"type": "Polygon", "coordinates": [[[0, 10], [1, 10], [1, 11], [0, 11], [0, 10]]]}
FINAL = ("succeeded", "failed", "cancelled")

#: Run first by the server processes of these tests: a job kind "test-product" that works
#: for ``seconds`` (reporting progress) and then makes one GeoTIFF-signed product of
#: ``size`` random bytes; and, when TEST_FILE_SIZE_LIMIT is set, a limit on the size of
#: every file the process writes (the kernel refuses writes past it, as on a full disk).
PRELUDE = """
import os, resource, signal, time
from sahelsat.service.jobs import JobOutput, register_job_kind

def _check(params):
    return {"size": int(params.get("size", 100)), "seconds": float(params.get("seconds", 0))}

def _run(params, ctx):
    end = time.monotonic() + params["seconds"]
    while time.monotonic() < end:
        ctx.progress(0.5, "working")
        time.sleep(0.05)
    content = b"II*\\x00" + os.urandom(params["size"])
    return JobOutput({"size": params["size"]}, [("made.tif", "image/tiff", content)])

register_job_kind("test-product", "test: works a while, then makes a product", _check, _run)
_limit = int(os.environ.get("TEST_FILE_SIZE_LIMIT", "0"))
if _limit:
    signal.signal(signal.SIGXFSZ, signal.SIG_IGN)  # a refused write fails, it does not kill
    resource.setrlimit(resource.RLIMIT_FSIZE, (_limit, _limit))
"""


def _token(url: str, role: str = "operator") -> dict:
    engine, sessions = open_store(url)
    with sessions() as session:
        secret = create_token(session, "faults", role)[1]
        session.commit()
    engine.dispose()
    return {"Authorization": f"Bearer {secret}"}


def _wait_job(http: httpx.Client, job_id: int, states=FINAL, timeout: float = 120) -> dict:
    deadline = time.monotonic() + timeout
    while True:
        job = http.get(f"/api/jobs/{job_id}").json()
        if job.get("status") in states:
            return job
        assert time.monotonic() < deadline, f"job {job_id} stuck: {job}"
        time.sleep(0.1)


# ------------------------------------------------------------------ database restarts


@pytest.fixture(scope="module")
def postgres():
    server = PostgresServer()
    if server.skip_reason:
        pytest.skip(server.skip_reason)
    yield server
    server.stop()


class Writers:
    """Client threads submitting imaging requests until stopped; every answer is kept."""

    def __init__(self, url: str, headers: dict, n: int = 4):
        self.acknowledged: dict[int, str] = {}
        self.answers: list[tuple[float, float, int, dict]] = []  # sent, seconds, status, headers
        self.lock = threading.Lock()
        self.stop = threading.Event()
        self.threads = [
            threading.Thread(target=self._write, args=(url, headers, k)) for k in range(n)
        ]
        for t in self.threads:
            t.start()

    def _write(self, url: str, headers: dict, k: int) -> None:
        with httpx.Client(base_url=url, headers=headers, timeout=60) as http:
            for i in range(100_000):  # bounded
                if self.stop.is_set():
                    return
                name = f"writer{k}-{i}"
                body = {"name": name, "geometry": AREA, "start": "2026-06-01T00:00:00Z",
                        "stop": "2026-06-02T00:00:00Z"}  # fmt: skip
                sent = time.monotonic()
                answer = http.post("/api/requests", json=body)
                with self.lock:
                    self.answers.append(
                        (sent, time.monotonic() - sent, answer.status_code, answer.headers)
                    )
                    if answer.status_code == 201:
                        self.acknowledged[answer.json()["id"]] = name
                if answer.status_code != 201:
                    time.sleep(0.05)

    def count(self) -> int:
        with self.lock:
            return len(self.acknowledged)

    def wait_for(self, n: int, timeout: float = 60) -> None:
        deadline = time.monotonic() + timeout
        while self.count() < n:
            assert time.monotonic() < deadline, f"only {self.count()} writes acknowledged"
            time.sleep(0.05)

    def finish(self) -> None:
        self.stop.set()
        for t in self.threads:
            t.join(timeout=90)


def test_database_restart_under_load(postgres, tmp_path):
    url = postgres.new_database()
    headers = _token(url)
    server = ServerProcess(tmp_path, database_url=url, prelude=PRELUDE)
    http = httpx.Client(base_url=server.url, headers=headers, timeout=60)
    writers = Writers(server.url, headers)
    try:
        writers.wait_for(40)
        # a job that works across the outage: its progress and its end meet a dead store
        job_id = http.post("/api/jobs", json={"kind": "test-product",
                           "params": {"size": 5000, "seconds": 6}}).json()["id"]  # fmt: skip
        _wait_job(http, job_id, states=("running",))
        outages = []
        for mode in ("fast", "immediate"):
            before = writers.count()
            postgres.stop_server(mode)
            down = time.monotonic()
            time.sleep(3)  # the writers keep writing to a service without its database
            read = http.get("/api/requests")
            job = http.post("/api/jobs", json={"kind": "test-product", "params": {}})
            up = time.monotonic()
            postgres.start_server()
            outages.append((down, up))
            for answer in (read, job):
                assert answer.status_code == 503, answer.text
                assert answer.headers["retry-after"]
                assert "database is unavailable" in answer.json()["reason"]
                assert_secured(answer)
            writers.wait_for(before + 40)  # the same service process writes again
            assert server.proc.poll() is None
    finally:
        writers.finish()
    try:
        statuses = {status for _, _, status, _ in writers.answers}
        assert statuses <= {201, 503}, statuses
        refused = [a for a in writers.answers if a[2] == 503]
        assert refused, "no request met the outage"
        for _sent, seconds, _status, answer_headers in refused:
            assert seconds < CONNECT_TIMEOUT_S + 5  # failed fast, did not hang
            assert answer_headers["retry-after"]
        for down, up in outages:  # while it was down, every write was refused
            during = [a for a in writers.answers if down < a[0] and a[0] + a[1] < up]
            assert during and all(status == 503 for _, _, status, _ in during)
        # every acknowledged write is there, once, with its name
        found: dict[int, str] = {}
        for offset in range(0, 100_000, 500):
            page = http.get("/api/requests", params={"limit": 500, "offset": offset}).json()
            found.update({r["id"]: r["name"] for r in page["items"]})
            if offset + 500 >= page["total"]:
                break
        missing = {i: n for i, n in writers.acknowledged.items() if found.get(i) != n}
        assert not missing, f"{len(missing)} acknowledged writes lost"
        # the job that ran across the outages ended, with its product stored whole
        job = _wait_job(http, job_id)
        assert job["status"] == "succeeded", job
        (product,) = http.get("/api/products", params={"job_id": job_id}).json()["items"]
        content = http.get(product["download"]).content
        assert len(content) == product["size_bytes"] == 5004
        assert hashlib.sha256(content).hexdigest() == product["sha256"]
    finally:
        http.close()
        server.stop()


# ------------------------------------------------------------------ full disk


def test_full_disk_leaves_no_partial_product(tmp_path):
    limit = 3 * 1024 * 1024
    url = f"sqlite:///{tmp_path / 'sahelsat.db'}"
    headers = _token(url)
    env = {"TEST_FILE_SIZE_LIMIT": str(limit)}
    server = ServerProcess(tmp_path, extra_env=env, prelude=PRELUDE)
    try:
        with httpx.Client(base_url=server.url, headers=headers, timeout=60) as http:
            big = b"II*\x00" + os.urandom(4 * 1024 * 1024)
            refused = http.post("/api/products", params={"name": "flood.tif"}, content=big)
            assert refused.status_code in (503, 507), refused.text  # the store's fault
            assert "store" in refused.json()["reason"]
            assert_secured(refused)
            assert http.get("/api/products").json()["total"] == 0
            # what fits is still taken, whole
            small = b"II*\x00" + os.urandom(20_000)
            made = http.post("/api/products", params={"name": "flood.tif"}, content=small)
            assert made.status_code == 201, made.text
            assert http.get(made.json()["download"]).content == small
            # a job whose product does not fit fails with the reason and leaves no product
            job = http.post("/api/jobs", json={"kind": "test-product",
                            "params": {"size": 4 * 1024 * 1024}}).json()  # fmt: skip
            job = _wait_job(http, job["id"])
            assert job["status"] == "failed", job
            assert "could not be stored" in job["message"] and job["products"] == []
            assert http.get("/api/products", params={"job_id": job["id"]}).json()["total"] == 0
            fits = http.post("/api/jobs", json={"kind": "test-product",
                             "params": {"size": 10_000}}).json()  # fmt: skip
            fits = _wait_job(http, fits["id"])
            assert fits["status"] == "succeeded" and len(fits["products"]) == 1
    finally:
        server.stop()
    # no row is partial or points at nothing, and the store is whole
    store = sqlite3.connect(tmp_path / "sahelsat.db")
    assert store.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    rows = store.execute("SELECT size_bytes, sha256, content, job_id FROM products").fetchall()
    assert len(rows) == 2
    for size, sha, content, job_id in rows:
        assert len(content) == size and hashlib.sha256(content).hexdigest() == sha
        if job_id is not None:
            status = store.execute("SELECT status FROM jobs WHERE id = ?", (job_id,)).fetchone()
            assert status == ("succeeded",)
    store.close()
    assert sorted(p.name for p in tmp_path.iterdir() if p.name.startswith("sahelsat")) <= [
        "sahelsat.db",
        "sahelsat.db-shm",
        "sahelsat.db-wal",
    ]


# ------------------------------------------------------------------ dead workers


def test_a_killed_server_leaves_no_job_running(tmp_path):
    url = f"sqlite:///{tmp_path / 'sahelsat.db'}"
    headers = _token(url)
    server = ServerProcess(tmp_path, prelude=PRELUDE)
    with httpx.Client(base_url=server.url, headers=headers, timeout=60) as http:
        job_id = http.post("/api/jobs", json={"kind": "test-product",
                           "params": {"seconds": 120}}).json()["id"]  # fmt: skip
        _wait_job(http, job_id, states=("running",))
    server.kill()  # SIGKILL: its worker threads die with it
    again = ServerProcess(tmp_path, prelude=PRELUDE)
    try:
        with httpx.Client(base_url=again.url, headers=headers, timeout=60) as http:
            job = http.get(f"/api/jobs/{job_id}").json()
            assert job["status"] == "failed"
            assert "restart" in job["message"]
    finally:
        again.stop()


def _summary_not_json(params, ctx):
    return JobOutput({"when": object()}, [("a.csv", "text/csv", b"a\n")])


def _exits(params, ctx):
    ctx.progress(0.5, "about to exit")
    raise SystemExit("a library called sys.exit")


def _slow(params, ctx):
    for i in range(600):
        ctx.progress(i / 600, "working")
        time.sleep(0.05)
    return JobOutput()


def _as_is(params):
    return dict(params)


register_job_kind("test-unstorable", "test: a result that cannot be stored", _as_is,
                  _summary_not_json)  # fmt: skip
register_job_kind("test-exit", "test: calls sys.exit", _as_is, _exits)
register_job_kind("test-slow", "test: 30 s of work", _as_is, _slow)


def test_a_worker_that_crashes_marks_its_job_failed(tmp_path):
    url = f"sqlite:///{tmp_path / 'store.db'}"
    headers = _token(url)
    app = create_app(url, default_scenario=False)
    with TestClient(app, headers=headers) as client:
        for kind, words in (
            ("test-unstorable", "could not be stored (TypeError"),
            ("test-exit", "SystemExit: a library called sys.exit"),
        ):
            job_id = client.post("/api/jobs", json={"kind": kind, "params": {}}).json()["id"]
            job = _wait_job(client, job_id)
            assert job["status"] == "failed" and words in job["message"], job
            assert job["products"] == [] and job["finished_at"]
        slow = client.post("/api/jobs", json={"kind": "test-slow", "params": {}}).json()["id"]
        _wait_job(client, slow, states=("running",))
    # the service stopped (lifespan end) while the job ran: it is failed, with the reason
    engine, sessions = open_store(url)
    deadline = time.monotonic() + 30
    while True:
        with sessions() as session:
            job = session.get(Job, slow)
            if job.status != "running" or time.monotonic() > deadline:
                break
        time.sleep(0.05)
    assert job.status == "failed" and "service stopped" in job.message
    with sessions() as session:
        assert session.query(Product).count() == 0
    engine.dispose()
    assert json.loads(job.params) == {}
