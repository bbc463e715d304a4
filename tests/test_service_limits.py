"""Bounded work: job admission (queued and running jobs per token and in total, estimated
work per job), cancellation within seconds for every job kind, cancelling an unknown job
id leaves later jobs alone, and the in-memory tables and heavy layers are bounded."""

from __future__ import annotations

import threading
import time

import pytest
from fastapi.testclient import TestClient

from sahelsat.service.api import create_app
from sahelsat.service.auth import create_token
from sahelsat.service.cache import Busy, LRUCache
from sahelsat.service.settings import Settings


class Client:
    def __init__(self, tmp_path, **limits):
        settings = Settings(workers=1, **limits)
        self.app = create_app(f"sqlite:///{tmp_path / 'store.db'}", default_scenario=False,
                              settings=settings)  # fmt: skip
        self.client = TestClient(self.app).__enter__()
        self.tokens = {}
        with self.app.state.sessions() as session:
            for name in ("a", "b"):
                self.tokens[name] = create_token(session, name, "operator")[1]
            session.commit()

    def call(self, method, path, who="a", **kw):
        headers = {"Authorization": f"Bearer {self.tokens[who]}"}
        return self.client.request(method, path, headers=headers, **kw)

    def wait(self, job_id, states=("succeeded", "failed", "cancelled"), timeout=120.0):
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            job = self.call("GET", f"/api/jobs/{job_id}").json()
            if job["status"] in states:
                return job, timeout - (deadline - time.monotonic())
            time.sleep(0.1)
        raise AssertionError(f"job {job_id} still {job['status']} after {timeout} s")

    def close(self):
        self.client.__exit__(None, None, None)
        self.app.state.engine.dispose()


LONG_PASSES = {"fleet": "starlink", "station": "Bamako", "start": "2026-05-31T00:00:00Z",
               "days": 14}  # fmt: skip
LONG_COVERAGE = {"fleet": "starlink", "area": "AES", "resolution_deg": 0.1,
                 "start": "2026-05-31T00:00:00Z", "hours": 48, "step_s": 30}  # fmt: skip


@pytest.fixture
def service(tmp_path):
    client = Client(tmp_path, max_jobs=3, max_jobs_per_token=2)
    yield client
    client.close()


def test_admission_limits_and_cancel_within_seconds(service):
    first = service.call("POST", "/api/jobs", json={"kind": "passes", "params": LONG_PASSES})
    assert first.status_code == 202, first.text
    second = service.call("POST", "/api/jobs", json={"kind": "coverage", "params": LONG_COVERAGE})
    assert second.status_code == 202, second.text
    third = service.call("POST", "/api/jobs", json={"kind": "passes", "params": LONG_PASSES})
    assert third.status_code == 429 and third.headers["retry-after"]
    assert "2" in third.json()["reason"] and third.json()["field"] == "Authorization"
    other = service.call("POST", "/api/jobs", "b", json={"kind": "passes", "params": LONG_PASSES})
    assert other.status_code == 202
    full = service.call("POST", "/api/jobs", "b", json={"kind": "passes", "params": LONG_PASSES})
    assert full.status_code == 429 and "(3)" in full.json()["reason"]

    # one worker: the pass schedule runs, the coverage run waits; cancel both as they run
    ids = [first.json()["id"], second.json()["id"], other.json()["id"]]
    service.wait(ids[0], ("running",))
    time.sleep(1.0)  # well into its work (14 days of 10,000 satellites take minutes)
    assert service.call("POST", f"/api/jobs/{ids[2]}/cancel").json()["status"] == "cancelled"
    service.call("POST", f"/api/jobs/{ids[0]}/cancel")
    job, waited = service.wait(ids[0])
    assert job["status"] == "cancelled" and job["progress"] < 1 and waited < 30
    job, _ = service.wait(ids[1], ("running",))  # the coverage run starts next
    time.sleep(1.0)
    service.call("POST", f"/api/jobs/{ids[1]}/cancel")
    job, waited = service.wait(ids[1])
    assert job["status"] == "cancelled" and job["progress"] < 1 and waited < 30
    assert job["products"] == []
    again = service.call("POST", "/api/jobs", json={"kind": "passes", "params": LONG_PASSES})
    assert again.status_code == 202  # the finished jobs freed their places
    service.call("POST", f"/api/jobs/{again.json()['id']}/cancel")


def test_a_job_beyond_its_work_limit_is_refused_with_the_estimate(tmp_path):
    service = Client(tmp_path, max_pass_work=1_000, max_coverage_work=1e9)
    try:
        params = {**LONG_PASSES, "fleet": "resource"}  # 169 satellites x 1 site x 14 days
        answer = service.call("POST", "/api/jobs", json={"kind": "passes", "params": params})
        body = answer.json()
        assert answer.status_code == 422 and body["field"] == "body.params"
        assert "2,366 satellite-site-days" in body["reason"] and "1,000" in body["reason"]
        small = {**params, "fleet": "weather", "days": 0.5}  # 74 x 1 x 0.5 = 37
        assert (
            service.call("POST", "/api/jobs", json={"kind": "passes", "params": small}).status_code
            == 202
        )
        big = service.call("POST", "/api/jobs", json={"kind": "coverage", "params": LONG_COVERAGE})
        assert big.status_code == 422 and "satellite-cell-steps" in big.json()["reason"]
        assert "1,000,000,000" in big.json()["reason"]
        listed = service.call("GET", "/api/jobs").json()
        assert listed["total"] == 1  # the refused ones were never stored
    finally:
        service.close()


def test_cancelling_an_unknown_job_leaves_later_jobs_alone(tmp_path):
    service = Client(tmp_path)
    try:
        quick = {"fleet": "weather", "station": "Niamey", "start": "2026-05-31T00:00:00Z",
                 "days": 0.1}  # fmt: skip
        first = service.call("POST", "/api/jobs", json={"kind": "passes", "params": quick}).json()
        service.wait(first["id"])
        unknown = first["id"] + 1  # the id the next job will get
        for _ in range(3):
            answer = service.call("POST", f"/api/jobs/{unknown}/cancel")
            assert answer.status_code == 404 and answer.json()["field"] == "job_id"
        later = service.call("POST", "/api/jobs", json={"kind": "passes", "params": quick}).json()
        assert later["id"] == unknown
        job, _ = service.wait(later["id"])
        assert job["status"] == "succeeded" and job["result"]["passes"] >= 0
        for job_id in range(10**6, 10**6 + 100):
            service.call("POST", f"/api/jobs/{job_id}/cancel")
        assert service.app.state.runner._flags == {}  # nothing kept for jobs that never ran
    finally:
        service.close()


def test_the_cache_is_bounded_and_computes_each_value_once():
    cache = LRUCache(3)
    for k in range(100):
        cache.put(k, k * k)
    assert len(cache) == 3 and cache.get(99) == 99**2 and cache.get(0) is None
    calls = []
    release = threading.Event()

    def slow():
        calls.append(1)
        release.wait(10)
        return "plan"

    limited = LRUCache(8, limit=1)
    answers = []
    threads = [threading.Thread(target=lambda: answers.append(limited.get_or_compute("k", slow)))
               for _ in range(4)]  # fmt: skip
    for t in threads:
        t.start()
    while not calls:
        time.sleep(0.01)
    with pytest.raises(Busy):  # a second, different value while one is computed
        limited.get_or_compute("other", lambda: "x")
    release.set()
    for t in threads:
        t.join()
    assert answers == ["plan"] * 4 and len(calls) == 1  # asked four times, computed once
    assert limited.get_or_compute("other", lambda: "x") == "x"


def test_heavy_layers_are_bounded_in_number_at_once(tmp_path):
    service = Client(tmp_path, max_heavy_at_once=1)
    try:
        answers = {}

        def ask(availability):
            answers[availability] = service.call(
                "GET", "/api/settlements/service",
                params={"band": "ka", "availability": availability, "min_population": 200_000},
            )  # fmt: skip

        from sahelsat.service.usecases import layers

        first = threading.Thread(target=ask, args=(99.1,))
        first.start()
        while not (1 in layers._SERVICE and layers._SERVICE[1]._pending):
            assert first.is_alive(), answers
            time.sleep(0.01)
        ask(99.2)  # a different plan while the first is computed: refused at once
        first.join()
        assert answers[99.1].status_code == 200
        assert answers[99.2].status_code == 429 and answers[99.2].headers["retry-after"]
        ask(99.1)  # cached now
        assert answers[99.1].status_code == 200
    finally:
        service.close()
