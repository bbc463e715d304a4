"""Helpers of the service tests: a throw-away PostgreSQL server and a loopback server.

Holds no tests; imported by the other ``tests/test_service_*.py`` files.
"""

from __future__ import annotations

import glob
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _pg_bin(name: str) -> str | None:
    found = shutil.which(name)
    if found:
        return found
    candidates = sorted(glob.glob(f"/usr/lib/postgresql/*/bin/{name}"))
    return candidates[-1] if candidates else None


class PostgresServer:
    """A PostgreSQL server in a temporary folder on a loopback port (trust auth).

    As root it runs as the ``postgres`` user (PostgreSQL refuses root). ``skip_reason``
    is set instead of raising when the server cannot be started here.
    """

    def __init__(self):
        self.skip_reason: str | None = None
        self.port = free_port()
        self.folder = None
        self._user_prefix: list[str] = []
        initdb, pg_ctl = _pg_bin("initdb"), _pg_bin("pg_ctl")
        if not initdb or not pg_ctl:
            self.skip_reason = "PostgreSQL is not installed (run tools/test_setup.sh)"
            return
        self.pg_ctl = pg_ctl
        self.folder = tempfile.mkdtemp(prefix="sahelsat-pg-")
        if os.geteuid() == 0:
            self._user_prefix = ["runuser", "-u", "postgres", "--"]
            shutil.chown(self.folder, "postgres")
        data = self.data = os.path.join(self.folder, "data")
        try:
            subprocess.run(
                [*self._user_prefix, initdb, "-D", data, "-U", "postgres", "--auth=trust",
                 "--no-sync", "-E", "UTF8"],
                check=True, capture_output=True, timeout=120,
            )  # fmt: skip
            self.start_server()
        except (subprocess.SubprocessError, OSError) as exc:
            detail = getattr(exc, "stderr", b"") or b""
            self.skip_reason = f"PostgreSQL did not start: {exc} {detail.decode()[-300:]}"
        self._n = 0

    def start_server(self) -> None:
        """Start the server process (again) on the same folder and port."""
        options = (
            f"-p {self.port} -k {self.folder} -c listen_addresses=127.0.0.1 "
            "-c fsync=off -c full_page_writes=off -c max_connections=200"
        )
        subprocess.run(
            [*self._user_prefix, self.pg_ctl, "-D", self.data, "-o", options, "-w", "-t", "60",
             "-l", os.path.join(self.folder, "log"), "start"],
            check=True, capture_output=True, timeout=90,
        )  # fmt: skip

    def stop_server(self, mode: str = "fast") -> None:
        """Stop the server process, keeping its data: ``fast`` (clients disconnected, clean
        shutdown) or ``immediate`` (no shutdown, recovery on the next start, like a crash)."""
        subprocess.run(
            [*self._user_prefix, self.pg_ctl, "-D", self.data, "-m", mode, "-w", "stop"],
            check=True, capture_output=True, timeout=60,
        )  # fmt: skip

    def url(self, database: str = "postgres") -> str:
        return f"postgresql://postgres@127.0.0.1:{self.port}/{database}"

    def new_database(self) -> str:
        """A fresh, empty database; returns its URL."""
        import psycopg

        self._n += 1
        name = f"t{os.getpid()}_{self._n}"
        with psycopg.connect(self.url(), autocommit=True) as conn:
            conn.execute(f"CREATE DATABASE {name}")
        return self.url(name)

    def stop(self) -> None:
        if self.folder and not self.skip_reason:
            subprocess.run(
                [*self._user_prefix, self.pg_ctl, "-D", self.data, "-m", "immediate", "stop"],
                capture_output=True, timeout=60,
            )  # fmt: skip
        if self.folder:
            shutil.rmtree(self.folder, ignore_errors=True)


class ServerProcess:
    """``sahelsat serve`` equivalent in a subprocess (uvicorn on a loopback port); the
    default scenario is loaded only when asked, so tests start on an empty store.

    ``database_url``: a store other than the SQLite file in ``data_dir``; ``prelude``:
    Python code the server process runs first (e.g. registering a test job kind).
    """

    def __init__(
        self,
        data_dir: Path,
        extra_env: dict | None = None,
        default_scenario: bool = False,
        database_url: str | None = None,
        prelude: str = "",
    ):
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        code = prelude + (
            "\nimport sys, uvicorn\n"
            "from sahelsat.service.api import create_app\n"
            "app = create_app(data_dir=sys.argv[1], default_scenario=sys.argv[3] == '1')\n"
            "uvicorn.run(app, host='127.0.0.1', port=int(sys.argv[2]), log_level='warning')\n"
        )
        env = {**os.environ, **(extra_env or {})}
        env.pop("SAHELSAT_DATABASE_URL", None)
        if database_url:
            env["SAHELSAT_DATABASE_URL"] = database_url
        self.proc = subprocess.Popen(
            [sys.executable, "-c", code, str(data_dir), str(self.port), str(int(default_scenario))],
            cwd=REPO, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
        )  # fmt: skip
        self._wait()

    def _wait(self, timeout: float = 60.0) -> None:
        import httpx

        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"server exited: {self.proc.stderr.read().decode()[-2000:]}")
            try:
                if httpx.get(self.url + "/api/health", timeout=1).status_code == 200:
                    return
            except httpx.HTTPError:
                time.sleep(0.1)
        raise RuntimeError("server did not answer within the timeout")

    def kill(self) -> None:
        """SIGKILL: no clean shutdown, like a power cut of the process."""
        self.proc.kill()
        self.proc.wait(timeout=30)

    def stop(self) -> None:
        if self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.kill()
