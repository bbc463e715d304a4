"""``sahelsat token create|list|revoke`` and ``sahelsat serve --help`` on a real store."""

from __future__ import annotations

import hashlib

from fastapi.testclient import TestClient
from typer.testing import CliRunner

from sahelsat.cli import app
from sahelsat.service.api import create_app


def test_token_commands_make_working_hashed_tokens(tmp_path):
    runner = CliRunner()
    made = runner.invoke(
        app, ["token", "create", "niamey-ops", "--role", "operator", "--data-dir", str(tmp_path)]
    )
    assert made.exit_code == 0, made.output
    secret = made.stdout.strip().splitlines()[-1]
    assert secret.startswith("sst_")

    service = create_app(f"sqlite:///{tmp_path / 'sahelsat.db'}")
    with TestClient(service) as client:
        me = client.get("/api/whoami", headers={"Authorization": f"Bearer {secret}"})
        assert me.json() == {"id": 1, "name": "niamey-ops", "role": "operator"}
        listed = runner.invoke(app, ["token", "list", "--data-dir", str(tmp_path)])
        assert "niamey-ops" in listed.stdout and secret not in listed.stdout
        assert hashlib.sha256(secret.encode()).hexdigest() not in listed.stdout
        revoked = runner.invoke(app, ["token", "revoke", "1", "--data-dir", str(tmp_path)])
        assert revoked.exit_code == 0
        again = client.get("/api/whoami", headers={"Authorization": f"Bearer {secret}"})
        assert again.status_code == 401

    bad = runner.invoke(
        app, ["token", "create", "x", "--role", "superuser", "--data-dir", str(tmp_path)]
    )
    assert bad.exit_code == 2 and "unknown role" in bad.output
    missing = runner.invoke(app, ["token", "revoke", "99", "--data-dir", str(tmp_path)])
    assert missing.exit_code == 1 and "no token 99" in missing.output


def test_serve_help_teaches_the_user():
    shown = CliRunner().invoke(app, ["serve", "--help"])
    assert shown.exit_code == 0
    for words in ("--data-dir", "--database-url", "--cors-origin", "token create"):
        assert words in shown.output


def test_serve_starts_the_api_and_the_map(tmp_path):
    import subprocess
    import sys
    import time

    import httpx
    from test_service_support import free_port

    port = free_port()
    proc = subprocess.Popen(
        [sys.executable, "-c", "from sahelsat.cli import main; main()", "serve", "--port",
         str(port), "--data-dir", str(tmp_path)],
        stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
    )  # fmt: skip
    try:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            try:
                health = httpx.get(f"http://127.0.0.1:{port}/api/health", timeout=1)
                break
            except httpx.HTTPError:
                assert proc.poll() is None, proc.stderr.read().decode()[-2000:]
                time.sleep(0.2)
        assert health.json()["database"] == "sqlite"
        assert (tmp_path / "sahelsat.db").exists()
        # the default scenario was loaded into the new store
        from sqlalchemy import func, select

        from sahelsat.service.db import ImagingRequest, open_store

        engine, sessions = open_store(f"sqlite:///{tmp_path / 'sahelsat.db'}")
        with sessions() as session:
            assert session.scalar(select(func.count()).select_from(ImagingRequest)) == 6
        engine.dispose()
        page = httpx.get(f"http://127.0.0.1:{port}/", timeout=5)
        assert page.status_code == 200 and "maplibre-gl.js" in page.text
        script = httpx.get(f"http://127.0.0.1:{port}/static/vendor/maplibre-gl.js", timeout=5)
        assert script.status_code == 200 and len(script.content) > 500_000
    finally:
        proc.terminate()
        proc.wait(timeout=30)
