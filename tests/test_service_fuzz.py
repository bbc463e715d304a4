"""Fuzz the API against its own OpenAPI description with schemathesis: never a 500.

Every operation gets generated requests (valid and invalid bodies, queries, paths), once
with an admin token, so the calls go past authentication into the handlers, and the
answers must never be a server error and must all carry the security headers (see
``test_service_security.py``). The number of examples is bounded.
"""

from __future__ import annotations

import tempfile

import pytest

schemathesis = pytest.importorskip("schemathesis")

from hypothesis import HealthCheck, settings  # noqa: E402
from schemathesis.checks import not_a_server_error  # noqa: E402
from test_service_security import assert_secured  # noqa: E402

from sahelsat.service.api import create_app  # noqa: E402
from sahelsat.service.auth import create_token  # noqa: E402

_folder = tempfile.mkdtemp(prefix="sahelsat-fuzz-")
app = create_app(f"sqlite:///{_folder}/store.db")
schema = schemathesis.openapi.from_asgi("/openapi.json", app)


@schemathesis.check
def security_headers(ctx, response, case) -> bool | None:
    """Whatever the answer, it carries the CSP and the other security headers."""
    assert_secured(response)
    return None


def _admin_header() -> dict:
    with app.state.sessions() as session:  # a fresh token: the fuzz may revoke old ones
        secret = create_token(session, "fuzz", "admin")[1]
        session.commit()
    return {"Authorization": f"Bearer {secret}"}


@schema.parametrize()
@settings(max_examples=3, deadline=None, suppress_health_check=list(HealthCheck), derandomize=True)
def test_no_server_errors_quick(case):
    case.call_and_validate(
        headers=_admin_header(), checks=[not_a_server_error, security_headers], timeout=300
    )


@pytest.mark.slow
@schema.parametrize()
@settings(max_examples=60, deadline=None, suppress_health_check=list(HealthCheck))
def test_no_server_errors(case):
    case.call_and_validate(
        headers=_admin_header(), checks=[not_a_server_error, security_headers], timeout=300
    )
