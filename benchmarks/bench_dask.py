"""Heavy service jobs on a Dask cluster: 2-worker efficiency of a coverage job and a
passes job, measured in the same run.

Two services on loopback stores run the same jobs: one computes them in its own process
(numba on all the machine's cores), the other sends them to a Dask LocalCluster of two
worker processes with one thread each (``SAHELSAT_DASK_SCHEDULER``). Each job is run once
small first (compilation in every process), then timed from submission to ``succeeded``
(fleet resolution, transfers and storing the products included). Efficiency is
``local time / (2 x cluster time)``: 1.0 means two workers halve the local time. On a
machine with 2 cores the local run already uses both and the two workers share the same
two cores, so there 0.5 is parity and the figure measures the cluster's overhead, not its
speed-up; on a shared machine the figures are noisy: each job runs once.
Measured 2026-12-03 in one quiet `make bench` run on a 2-core machine: coverage (resource
fleet, AES at 0.1 deg, 24 h at 20 s) 1.87 s local, 2.28 s on 2 workers (0.41); passes
(starlink over Niamey, 2 days) 8.44 s local, 9.60 s on 2 workers (0.44); summaries identical.
Prints a table and writes benchmarks/results/dask.json.
"""

from __future__ import annotations

import json
import logging
import os
import sys
import tempfile
import time
from pathlib import Path

RESULTS = Path(__file__).parent / "results"
START = "2026-05-30T00:00:00Z"
JOBS = {
    "coverage": ({"fleet": "resource", "area": "AES", "resolution_deg": 0.1, "start": START,
                  "hours": 24, "step_s": 20, "min_elevation": 10},
                 {"fleet": "resource", "area": "BFA", "resolution_deg": 0.5, "start": START,
                  "hours": 1, "step_s": 60, "min_elevation": 10}),
    "passes": ({"fleet": "starlink", "station": "Niamey", "start": START, "days": 2},
               {"fleet": "weather", "station": "Niamey", "start": START, "days": 1}),
}  # fmt: skip


class Service:
    def __init__(self, folder: Path, **settings):
        from fastapi.testclient import TestClient

        from sahelsat.service.api import create_app
        from sahelsat.service.auth import create_token
        from sahelsat.service.settings import Settings

        url = f"sqlite:///{folder / 'db.sqlite'}"
        settings = Settings(max_pass_work=1e7, max_coverage_work=1e14, **settings)
        self.app = create_app(url, default_scenario=False, settings=settings)
        self.client = TestClient(self.app)
        self.client.__enter__()
        with self.app.state.sessions() as session:
            token = create_token(session, "bench", "operator")[1]
            session.commit()
        self.headers = {"Authorization": f"Bearer {token}"}

    def run(self, kind: str, params: dict) -> tuple[float, dict]:
        """Seconds from submission to the job's end, and the job."""
        start = time.perf_counter()
        answer = self.client.post("/api/jobs", headers=self.headers,
                                  json={"kind": kind, "params": params})  # fmt: skip
        answer.raise_for_status()
        while True:
            job = self.client.get(f"/api/jobs/{answer.json()['id']}", headers=self.headers).json()
            if job["status"] in ("succeeded", "failed", "cancelled"):
                break
            time.sleep(0.05)
        if job["status"] != "succeeded":
            raise RuntimeError(f"{kind} job {job['status']}: {job['message']}")
        return time.perf_counter() - start, job

    def close(self) -> None:
        self.client.__exit__(None, None, None)
        self.app.state.engine.dispose()


def main() -> int:
    from distributed import LocalCluster

    from sahelsat import cluster as cluster_mod

    logging.getLogger("distributed").setLevel(logging.ERROR)
    rows = []
    with (
        tempfile.TemporaryDirectory() as tmp,
        LocalCluster(
            n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None
        ) as lc,
    ):
        for name in ("local", "remote"):
            (Path(tmp) / name).mkdir()
        local = Service(Path(tmp) / "local")
        remote = Service(Path(tmp) / "remote", dask_scheduler=lc.scheduler_address)
        try:
            for kind, (params, warm) in JOBS.items():
                for svc in (local, remote):
                    svc.run(kind, warm)
                t_local, job_l = local.run(kind, params)
                t_cluster, job_c = remote.run(kind, params)
                same = job_l["result"] == job_c["result"]
                rows.append({"job": kind, "params": params, "local_s": round(t_local, 2),
                             "cluster_s": round(t_cluster, 2),
                             "efficiency": round(t_local / (2 * t_cluster), 3),
                             "same_summary": same})  # fmt: skip
        finally:
            cluster_mod.close_all()
            local.close()
            remote.close()
    cores = os.cpu_count()
    print(f"Dask 2-worker efficiency (local time / (2 x cluster time)); {cores} cores, "
          "one run each, noisy on a shared machine")  # fmt: skip
    print(f"{'job':10s} {'local s':>9s} {'2 workers s':>12s} {'efficiency':>11s}  same result")
    for r in rows:
        print(f"{r['job']:10s} {r['local_s']:9.2f} {r['cluster_s']:12.2f} "
              f"{r['efficiency']:11.3f}  {r['same_summary']}")  # fmt: skip
    RESULTS.mkdir(exist_ok=True)
    out = {"cores": cores, "workers": 2, "threads_per_worker": 1, "jobs": rows,
           "note": "local: the service process, numba on all cores; one run each"}  # fmt: skip
    (RESULTS / "dask.json").write_text(json.dumps(out, indent=2))
    return 0 if all(r["same_summary"] for r in rows) else 1


if __name__ == "__main__":
    sys.exit(main())
