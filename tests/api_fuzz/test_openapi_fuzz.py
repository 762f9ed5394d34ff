"""Fuzz every operation of the OpenAPI schema through the WSGI app with schemathesis.

What must hold for any generated request (valid or deliberately broken):

* no server error (5xx) anywhere;
* every answer has a documented status code, content type and body schema;
* every non-2xx answer is JSON in the single error shape ``{"error": {...}}``.

Half of the generated path parameters are swapped for the ids of real records, so the fuzzer
reaches the update / delete code and not only the 404 branch.
"""

import json

import pytest
import schemathesis
from django.core.signals import request_finished, request_started
from django.db import close_old_connections
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from partnerdesk.wsgi import application

pytestmark = pytest.mark.slow

schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", application)

# Ids of the records made by the ``seeded`` fixture, read when hypothesis draws a case.
KNOWN_IDS: dict[str, int] = {}


@schema.hook
def flatmap_path_parameters(context, path_parameters):
    if not path_parameters or not KNOWN_IDS:
        return st.just(path_parameters)
    real = {k: KNOWN_IDS.get(k, v) for k, v in path_parameters.items()}
    return st.sampled_from([path_parameters, real])


def error_shape(ctx, response, case):
    """Every non-2xx answer is ``{"error": {"status", "code", "message", "fields"}}``."""
    if response.status_code < 400:
        return None
    try:
        body = json.loads(response.content)
    except ValueError as exc:
        raise AssertionError(
            f"{response.status_code} answer is not JSON: {response.content[:200]!r}"
        ) from exc
    error = body.get("error") if isinstance(body, dict) else None
    assert isinstance(error, dict), f"{response.status_code} answer lacks 'error': {body!r}"
    missing = {"status", "code", "message", "fields"} - error.keys()
    assert not missing, f"error object lacks {sorted(missing)}: {body!r}"
    assert error["status"] == response.status_code, body
    assert isinstance(error["fields"], dict), body
    return None


CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
    error_shape,
]


@pytest.fixture
def seeded(transactional_db, roles, admin_user):
    """An administrator with a token, and one record of each kind for the fuzzer to hit.

    ``transactional_db``: the WSGI app runs in this thread, outside any test transaction."""
    from partnerdesk.accounts.services import api_token_create
    from tests.factories import (
        CertificationFactory,
        PartnerContactFactory,
        PartnerDocumentFactory,
        PartnerFactory,
    )

    partner = PartnerFactory()
    KNOWN_IDS.update(
        partner_id=partner.pk,
        contact_id=PartnerContactFactory(partner=partner).pk,
        certification_id=CertificationFactory(partner=partner).pk,
        document_id=PartnerDocumentFactory(partner=partner, uploaded_by=admin_user).pk,
    )
    _, raw = api_token_create(user=admin_user, name="fuzz")
    # As Django's test client does: keep the connection across requests instead of closing it
    # after each one (CONN_MAX_AGE=0), which costs a reconnect per request on PostgreSQL.
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    try:
        yield {"Authorization": f"Bearer {raw}"}
    finally:
        request_started.connect(close_old_connections)
        request_finished.connect(close_old_connections)
        KNOWN_IDS.clear()


@schema.parametrize()
@settings(
    max_examples=25,
    deadline=None,
    suppress_health_check=[
        HealthCheck.too_slow,
        HealthCheck.filter_too_much,
        HealthCheck.function_scoped_fixture,
    ],
    derandomize=True,
)
def test_api_fuzz(case, seeded):
    case.call_and_validate(headers=seeded, checks=CHECKS)
