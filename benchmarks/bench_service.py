"""Load test of the operations service on loopback: concurrent clients, latencies, errors.

Starts the service (uvicorn, SQLite store in a temporary folder) in a subprocess on
127.0.0.1, then runs ``--clients`` concurrent clients for ``--seconds`` seconds (bounded in
time and in requests per client). Each client loops over a mix: create an imaging request
(POST, durable commit), list requests (GET, page of 50), read the passes of the
``resource`` catalogue over a ground station (GET, 6 h window; 24 distinct station x
window pairs, as operators read the same schedules: the first read of a pair computes it,
later ones come from the service's cache). The peer, measured in the
same run under the same load, is the framework floor: ``GET /api/health`` (FastAPI +
uvicorn answering without touching the store). Prints p50/p99 latencies with ratios to
the floor and writes ``benchmarks/results/service.json``. Any error fails the run.

Usage: python benchmarks/bench_service.py [--clients 50] [--seconds 60]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import random
import sys
import tempfile
import time
from pathlib import Path

import httpx
import numpy as np

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent / "tests"))

from test_service_support import ServerProcess  # noqa: E402

from sahelsat.service.auth import create_token  # noqa: E402
from sahelsat.service.db import open_store  # noqa: E402

MAX_REQUESTS_PER_CLIENT = 100_000
STATIONS = ("Bamako", "Niamey", "Ouagadougou")


def _request_body(rng: random.Random) -> dict:
    lon, lat = rng.uniform(-11, 14), rng.uniform(10, 23)
    return {
        "name": f"load {rng.randrange(10**6)}",
        "geometry": {
            "type": "Polygon",
            "coordinates": [
                [[lon, lat], [lon + 0.2, lat], [lon + 0.2, lat + 0.2], [lon, lat + 0.2], [lon, lat]]
            ],
        },  # fmt: skip
        "start": "2026-06-01T00:00:00Z",
        "stop": "2026-06-04T00:00:00Z",
        "priority": rng.randint(1, 5),
    }


async def _client(k: int, base: str, headers: dict, deadline: float, out: dict) -> None:
    rng = random.Random(k)
    operations = [
        ("create request", "POST", "/api/requests"),
        ("list requests", "GET", "/api/requests?limit=50"),
        ("passes (6 h)", "GET", None),
        ("health (floor)", "GET", "/api/health"),
    ]
    async with httpx.AsyncClient(base_url=base, headers=headers, timeout=120) as http:
        for _ in range(MAX_REQUESTS_PER_CLIENT):
            if time.monotonic() >= deadline:
                return
            name, method, path = operations[rng.randrange(len(operations))]
            if path is None:
                day, hour = rng.randrange(2), 6 * rng.randrange(4)
                path = (f"/api/passes?fleet=resource&station={rng.choice(STATIONS)}"
                        f"&start=2026-05-{30 + day}T{hour:02d}:00:00Z&hours=6")  # fmt: skip
            t0 = time.perf_counter()
            try:
                if method == "POST":
                    answer = await http.post(path, json=_request_body(rng))
                else:
                    answer = await http.get(path)
                ok = answer.status_code in (200, 201)
            except httpx.HTTPError:
                ok = False
            elapsed = time.perf_counter() - t0
            out.setdefault(name, {"ms": [], "errors": 0})
            out[name]["ms"].append(elapsed * 1e3)
            out[name]["errors"] += 0 if ok else 1


async def _run(base: str, headers: dict, clients: int, seconds: float) -> dict:
    out: dict = {}
    deadline = time.monotonic() + seconds
    await asyncio.gather(*(_client(k, base, headers, deadline, out) for k in range(clients)))
    return out


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--clients", type=int, default=50)
    parser.add_argument("--seconds", type=float, default=60.0)
    args = parser.parse_args()

    folder = Path(tempfile.mkdtemp(prefix="sahelsat-bench-"))
    engine, sessions = open_store(f"sqlite:///{folder / 'sahelsat.db'}")
    with sessions() as session:
        secret = create_token(session, "bench", "requester")[1]
        session.commit()
    engine.dispose()
    server = ServerProcess(folder)
    headers = {"Authorization": f"Bearer {secret}"}
    try:
        # warm up: compile the pass kernels and load the catalogue before timing
        httpx.get(f"{server.url}/api/passes?fleet=resource&station=Bamako&"
                  "start=2026-05-30T00:00:00Z&hours=6", headers=headers, timeout=300)  # fmt: skip
        t0 = time.monotonic()
        out = asyncio.run(_run(server.url, headers, args.clients, args.seconds))
        wall = time.monotonic() - t0
    finally:
        server.stop()

    floor = float(np.percentile(out["health (floor)"]["ms"], 50))
    rows, total_errors, total = [], 0, 0
    print(f"\n{args.clients} clients for {wall:.0f} s on loopback (SQLite store, 1 process)")
    print(f"{'operation':<16} {'count':>7} {'errors':>6} {'p50 ms':>9} {'p99 ms':>9} "
          f"{'req/s':>7} {'p50 / floor':>11}")  # fmt: skip
    for name in ("create request", "list requests", "passes (6 h)", "health (floor)"):
        ms = np.array(out.get(name, {"ms": [np.nan]})["ms"])
        errors = out.get(name, {"errors": 0})["errors"]
        p50, p99 = float(np.percentile(ms, 50)), float(np.percentile(ms, 99))
        total_errors += errors
        total += len(ms)
        rows.append(
            {
                "operation": name,
                "count": len(ms),
                "errors": errors,
                "p50_ms": p50,
                "p99_ms": p99,
                "per_s": len(ms) / wall,
                "p50_ratio_to_floor": p50 / floor,
            }
        )
        print(f"{name:<16} {len(ms):>7} {errors:>6} {p50:>9.1f} {p99:>9.1f} "
              f"{len(ms) / wall:>7.1f} {p50 / floor:>11.2f}")  # fmt: skip
    print(f"total {total} requests, {total / wall:.0f}/s, {total_errors} errors")
    result = {"clients": args.clients, "seconds": wall, "peer": "GET /api/health (FastAPI+"
              "uvicorn floor, same run)", "rows": rows, "errors": total_errors}  # fmt: skip
    results = HERE / "results"
    results.mkdir(exist_ok=True)
    (results / "service.json").write_text(json.dumps(result, indent=2))
    return 1 if total_errors else 0


if __name__ == "__main__":
    sys.exit(main())
