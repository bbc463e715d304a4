"""A server killed with SIGKILL while clients write loses no acknowledged request.

A real ``uvicorn`` subprocess on a loopback port takes imaging requests from several
client threads; it is killed mid-stream, restarted on the same SQLite store, and every
request that had been answered 201 must be there, unchanged, and the database must pass
SQLite's integrity check.
"""

from __future__ import annotations

import sqlite3
import threading
import time

import httpx
from test_service_support import ServerProcess

from sahelsat.service.auth import create_token
from sahelsat.service.db import open_store


def test_kill_during_writes_loses_nothing_acknowledged(tmp_path):
    engine, sessions = open_store(f"sqlite:///{tmp_path / 'sahelsat.db'}")
    with sessions() as session:
        secret = create_token(session, "writer", "requester")[1]
        session.commit()
    engine.dispose()
    headers = {"Authorization": f"Bearer {secret}"}

    server = ServerProcess(tmp_path)
    acknowledged: dict[int, str] = {}
    lock = threading.Lock()
    stop = threading.Event()

    def client(k: int) -> None:
        with httpx.Client(base_url=server.url, headers=headers, timeout=10) as http:
            i = 0
            while not stop.is_set() and i < 2000:  # bounded loop
                i += 1
                name = f"client{k}-{i}"
                body = {
                    "name": name,
                    "geometry": {
                        "type": "Polygon",
                        "coordinates": [[[0, 10], [1, 10], [1, 11], [0, 11], [0, 10]]],
                    },
                    "start": "2026-06-01T00:00:00Z",
                    "stop": "2026-06-02T00:00:00Z",
                }
                try:
                    answer = http.post("/api/requests", json=body)
                except httpx.HTTPError:
                    return  # the server died under us: this one was never acknowledged
                if answer.status_code == 201:
                    with lock:
                        acknowledged[answer.json()["id"]] = name

    threads = [threading.Thread(target=client, args=(k,)) for k in range(6)]
    for t in threads:
        t.start()
    deadline = time.monotonic() + 30
    while len(acknowledged) < 150 and time.monotonic() < deadline:
        time.sleep(0.02)
    server.kill()  # SIGKILL in the middle of the writes
    stop.set()
    for t in threads:
        t.join(timeout=30)
    assert len(acknowledged) >= 150

    check = sqlite3.connect(tmp_path / "sahelsat.db")
    assert check.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    assert check.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    check.close()

    again = ServerProcess(tmp_path)
    try:
        with httpx.Client(base_url=again.url, headers=headers, timeout=10) as http:
            found: dict[int, str] = {}
            offset = 0
            while True:
                page = http.get("/api/requests", params={"limit": 500, "offset": offset}).json()
                found.update({r["id"]: r["name"] for r in page["items"]})
                offset += 500
                if offset >= page["total"]:
                    break
            for rid, name in acknowledged.items():
                assert found.get(rid) == name
            # and the restarted server takes new writes
            body = {"name": "after restart", "geometry": {"type": "Polygon", "coordinates": [
                [[0, 10], [1, 10], [1, 11], [0, 11], [0, 10]]]},
                "start": "2026-06-01T00:00:00Z", "stop": "2026-06-02T00:00:00Z"}  # fmt: skip
            assert http.post("/api/requests", json=body).status_code == 201
    finally:
        again.stop()
