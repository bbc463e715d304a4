"""Fuzz the API against its own OpenAPI description with schemathesis: never a 500.

Per operation: every operation gets generated requests (valid and invalid bodies,
queries, paths), with an admin token so the calls go past authentication into the
handlers. Stateful: schemathesis chains operations along the OpenAPI links of the
description (a created request is read, approved, cancelled and searched; a started job
is read and cancelled; an uploaded product is downloaded; a created token is revoked; an
uploaded element set's positions are asked for), with real ids from the answers. Every
answer must be something other than a server error and carry the security headers
(see ``test_service_security.py``). Examples and steps are bounded.
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
from sahelsat.service.settings import Settings  # noqa: E402

_folder = tempfile.mkdtemp(prefix="sahelsat-fuzz-")
# jobs the fuzz starts stay small: a job's work is bounded by the settings
app = create_app(
    f"sqlite:///{_folder}/store.db",
    default_scenario=False,
    settings=Settings(max_pass_work=2_000, max_coverage_work=2e8, max_jobs=200,
                      max_jobs_per_token=200),
)  # fmt: skip
schema = schemathesis.openapi.from_asgi("/openapi.json", app)
#: A settlement-service plan costs seconds to a minute (ITU-R models for every town and
#: satellite; cached and bounded in number at once, see usecases.layers): one example.
HEAVY = "/api/settlements/service"


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


def test_the_description_links_operations():
    links = [
        (path, name)
        for path, ops in app.openapi()["paths"].items()
        for op in ops.values()
        for answer in op["responses"].values()
        for name in answer.get("links", {})
    ]
    assert len(links) >= 8 and len({p for p, _ in links}) >= 5


@schema.exclude(path=HEAVY).parametrize()
@settings(max_examples=3, deadline=None, suppress_health_check=list(HealthCheck), derandomize=True)
def test_no_server_errors_quick(case):
    case.call_and_validate(
        headers=_admin_header(), checks=[not_a_server_error, security_headers], timeout=300
    )


@schema.include(path=HEAVY).parametrize()
@settings(max_examples=1, deadline=None, suppress_health_check=list(HealthCheck), derandomize=True)
def test_no_server_errors_heavy_layer(case):
    case.call_and_validate(
        headers=_admin_header(), checks=[not_a_server_error, security_headers], timeout=300
    )


class Workflow(schema.as_state_machine()):
    """Chains of linked calls, each with a fresh admin token."""

    def setup(self):
        self.headers = _admin_header()

    def get_call_kwargs(self, case):
        return {"headers": self.headers}

    def validate_response(self, response, case, additional_checks=None, **kwargs):
        case.validate_response(response, checks=[not_a_server_error, security_headers])


def test_no_server_errors_stateful():
    Workflow.run(
        settings=settings(
            max_examples=8,
            stateful_step_count=6,
            deadline=None,
            derandomize=True,
            suppress_health_check=list(HealthCheck),
        )
    )


@pytest.mark.slow
@schema.parametrize()
@settings(max_examples=60, deadline=None, suppress_health_check=list(HealthCheck))
def test_no_server_errors(case):
    case.call_and_validate(
        headers=_admin_header(), checks=[not_a_server_error, security_headers], timeout=300
    )


@pytest.mark.slow
def test_no_server_errors_stateful_long():
    Workflow.run(
        settings=settings(
            max_examples=100,
            stateful_step_count=10,
            deadline=None,
            suppress_health_check=list(HealthCheck),
        )  # fmt: skip
    )
