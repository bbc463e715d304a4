"""Heavy service jobs on a real Dask cluster (a scheduler and two worker processes): the
coverage, passes and flood jobs give the same products as in the service, report their
progress, stop on cancel, and fail with the reason when the scheduler cannot be reached."""

from __future__ import annotations

import io
import json
import time

import numpy as np
import pytest
from pydantic import ValidationError

from sahelsat.service.api import create_app
from sahelsat.service.auth import create_token
from sahelsat.service.settings import Settings

distributed = pytest.importorskip("distributed")

START = "2026-05-30T00:00:00Z"


class Service:
    """A service on its own SQLite store, with an operator token."""

    def __init__(self, folder, **settings):
        from fastapi.testclient import TestClient

        url = f"sqlite:///{folder / 'db.sqlite'}"
        settings = Settings(max_scene_bytes=8 * 1024 * 1024, **settings)
        self.app = create_app(url, default_scenario=False, settings=settings)
        self.client = TestClient(self.app)
        self.client.__enter__()
        with self.app.state.sessions() as session:
            self.token = create_token(session, "operator-1", "operator")[1]
            session.commit()

    def call(self, method, path, **kw):
        headers = {"Authorization": f"Bearer {self.token}", **kw.pop("headers", {})}
        return self.client.request(method, path, headers=headers, **kw)

    def submit(self, kind, params) -> int:
        answer = self.call("POST", "/api/jobs", json={"kind": kind, "params": params})
        assert answer.status_code == 202, answer.text
        return answer.json()["id"]

    def wait(self, job_id, until=("succeeded", "failed", "cancelled"), timeout=120.0):
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            job = self.call("GET", f"/api/jobs/{job_id}").json()
            if until(job) if callable(until) else job["status"] in until:
                return job
            time.sleep(0.05)
        raise AssertionError(f"job {job_id}: {job}")

    def products(self, job_id) -> dict[str, bytes]:
        items = self.call("GET", f"/api/products?job_id={job_id}").json()["items"]
        return {p["name"]: self.call("GET", p["download"]).content for p in items}

    def run(self, kind, params) -> tuple[dict, dict[str, bytes]]:
        job = self.wait(self.submit(kind, params))
        assert job["status"] == "succeeded", job
        return job, self.products(job["id"])

    def close(self):
        self.client.__exit__(None, None, None)
        self.app.state.engine.dispose()


@pytest.fixture(scope="module")
def cluster():
    with distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True,
                                  dashboard_address=None) as lc:  # fmt: skip
        yield lc
        from sahelsat import cluster as cluster_mod

        cluster_mod.close_all()  # before the scheduler goes


@pytest.fixture(scope="module")
def services(cluster, tmp_path_factory):
    local = Service(tmp_path_factory.mktemp("local"))
    remote = Service(tmp_path_factory.mktemp("remote"), dask_scheduler=cluster.scheduler_address)
    yield local, remote
    local.close()
    remote.close()


def _arrays(content: bytes) -> dict[str, np.ndarray]:
    import xarray as xr

    with xr.open_dataset(io.BytesIO(content)) as ds:
        return {name: ds[name].values for name in ds.data_vars}


def test_coverage_on_the_cluster_equals_the_local_run(services):
    params = {"fleet": "resource", "area": "BFA", "resolution_deg": 0.5, "start": START,
              "hours": 3, "step_s": 60, "min_elevation": 10}  # fmt: skip
    (local_job, local), (remote_job, remote) = (s.run("coverage", params) for s in services)
    assert remote_job["result"] == local_job["result"]
    assert set(remote) == set(local)
    name = next(n for n in local if n.endswith(".nc"))
    ours, theirs = _arrays(remote[name]), _arrays(local[name])
    assert set(ours) == set(theirs) and "max_gap_s" in ours
    for var, values in theirs.items():
        np.testing.assert_array_equal(ours[var], values, err_msg=var)
    assert np.nanmax(theirs["max_gap_s"]) > 0  # gaps exist, some across block boundaries


def test_passes_on_the_cluster_equal_the_local_run(services):
    params = {"fleet": "weather", "station": "Niamey", "start": START, "days": 2}
    (local_job, local), (remote_job, remote) = (s.run("passes", params) for s in services)
    assert remote_job["result"] == local_job["result"] and local_job["result"]["passes"] > 0
    assert remote == local  # the same CSV, byte for byte


def test_flood_on_the_cluster_equals_the_local_run(services, shared_data):
    s1 = shared_data / "floods" / "S1Hand" / "India_900498_S1Hand.tif"
    (local_job, local), (remote_job, remote) = (
        s.run("flood", {"scene_id": s.call("POST", "/api/scenes", params={"name": s1.name},
                                           content=s1.read_bytes(),
                                           headers={"Content-Type": "image/tiff"}).json()["id"]})
        for s in services
    )  # fmt: skip
    assert remote_job["result"] == local_job["result"]
    assert remote_job["result"]["water_polygons"] > 0
    layers = {}
    for side, products in (("local", local), ("remote", remote)):
        layers[side] = json.loads(products.pop("flood_layers.json"))
        layers[side].pop("job_id")
    assert layers["remote"] == layers["local"] and remote == local


def test_progress_is_reported_as_tasks_finish(cluster):
    from sahelsat import catalogue
    from sahelsat import cluster as cluster_mod
    from sahelsat.fleet import Fleet
    from sahelsat.inputs import Site
    from sahelsat.service.usecases.fleets import compute_passes

    fleet = catalogue("weather")
    site = Site(name="Niamey", latitude_deg=13.5116, longitude_deg=2.1254)
    from datetime import UTC, datetime, timedelta

    t0 = datetime(2026, 5, 30, tzinfo=UTC)
    day = timedelta(days=1)
    tasks = [(Fleet(fleet[i : i + 25].element_sets), site, t0 + d * day, t0 + (d + 1) * day, 10.0)
             for d in range(2) for i in range(0, len(fleet), 25)]  # fmt: skip
    seen = []
    parts = cluster_mod.run(cluster.scheduler_address, compute_passes, tasks,
                            lambda f, m: seen.append((f, m)))  # fmt: skip
    assert [r for p in parts for r in p] == [
        r for args in tasks for r in compute_passes(*args)
    ]  # the same rows as computed here
    fractions = [f for f, _ in seen]
    assert fractions == sorted(fractions) and fractions[-1] == 1.0 and len(seen) >= 2
    assert seen[-1][1] == f"{len(tasks)} of {len(tasks)} tasks done on the cluster"


def test_a_task_reports_its_own_steps(cluster, shared_data):
    from sahelsat import cluster as cluster_mod
    from sahelsat.service.usecases.floods import flood_products

    s1 = shared_data / "floods" / "S1Hand" / "India_900498_S1Hand.tif"
    args = (s1.read_bytes(), None, s1.name, None, {})
    seen = []
    [(summary, _)] = cluster_mod.run(cluster.scheduler_address, flood_products, [args],
                                     lambda f, m: seen.append(m), report=True)  # fmt: skip
    assert summary["water_polygons"] > 0
    assert seen[-1] == "1 of 1 tasks done on the cluster: map layers"  # the chain's last step


def test_cancel_stops_the_cluster_work(services, cluster):
    _, remote = services
    params = {"fleet": "starlink", "station": "Niamey", "start": START, "days": 14}
    job_id = remote.submit("passes", params)

    def on_cluster(job):
        on = job["status"] == "running" and "tasks done on the cluster" in (job["message"] or "")
        return on or job["status"] in ("succeeded", "failed", "cancelled")

    seen = remote.wait(job_id, until=on_cluster)
    assert seen["status"] == "running", seen
    remote.call("POST", f"/api/jobs/{job_id}/cancel")
    done = remote.wait(job_id)
    assert done["status"] == "cancelled", done
    assert remote.products(job_id) == {}
    with distributed.Client(cluster.scheduler_address, set_as_default=False) as client:
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline:  # the scheduler forgets the job's tasks
            busy = client.run_on_scheduler(_busy_tasks)
            if not busy:
                break
            time.sleep(0.1)
    assert busy == 0


def _busy_tasks(dask_scheduler) -> int:
    """Tasks the scheduler still means to run (runs on the scheduler's event loop)."""
    waiting = ("processing", "queued", "no-worker", "waiting")
    return sum(t.state in waiting for t in dask_scheduler.tasks.values())


def test_an_unreachable_scheduler_fails_the_job_with_the_reason(tmp_path):
    svc = Service(tmp_path, dask_scheduler="tcp://127.0.0.1:9", dask_timeout_s=2)
    try:
        job = svc.wait(svc.submit("passes", {"fleet": "weather", "station": "Niamey",
                                             "start": START, "days": 1}))  # fmt: skip
    finally:
        svc.close()
    assert job["status"] == "failed"
    assert "cannot be reached" in job["message"] and "tcp://127.0.0.1:9" in job["message"]


@pytest.mark.parametrize("address", ["127.0.0.1:8786", "http://host:8786", "tcp://host"])
def test_a_malformed_scheduler_address_is_refused(address):
    with pytest.raises(ValidationError, match="not a Dask scheduler address"):
        Settings(dask_scheduler=address)
