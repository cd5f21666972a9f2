"""Schemathesis against the tenant API, in-process: no 5xx, responses match the schema,
and nothing seeded in another tenant ever shows up in A's answers.

Bounded here (part of the normal run); ``make test-fuzz`` runs the same checks with
KEEL_FUZZ_EXAMPLES=1000 and prints ``server_errors=<n> schema_violations=<n>`` last.
"""

import os
from pathlib import Path

import pytest
import schemathesis
from django.core.signals import request_finished, request_started
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections

from onboarding.models import Comment, Task
from tests.support.clients import client_for
from tests.support.factories import ApiKeyFactory

from .fuzzing import HOST, Caller, Tally, examples, fuzz_operations, fuzz_stateful

pytestmark = [pytest.mark.django_db, pytest.mark.slow]

CANARY = "canary-of-tenant-beta-7f3a"
APP = get_wsgi_application()


@pytest.fixture
def in_process_wsgi(settings):
    """Keep the test's transaction open: a WSGI request would otherwise close the connection.

    The per-user API throttle would turn most of a long run into 429s; it is raised here."""
    settings.REST_FRAMEWORK = {**settings.REST_FRAMEWORK, "DEFAULT_THROTTLE_RATES": {"tenant_user": "1000000/min"}}
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


@pytest.fixture
def schema(in_process_wsgi, tenant_a, tenant_b):
    with tenant_b:
        task = Task.objects.first()
        Task.objects.filter(pk=task.pk).update(title=CANARY)
        Comment.objects.create(task=task, body=CANARY)
    return schemathesis.openapi.from_wsgi("/api/schema/", APP, headers={"Host": HOST})


@pytest.fixture(params=["session", "api_key"])
def caller(request, tenant_a, csm_a):
    if request.param == "session":
        # A CSM: the role that may call every operation, writes included.
        return Caller(APP, session_cookie=client_for(csm_a, tenant_a).cookies["sessionid"].value)
    return Caller(APP, api_key=ApiKeyFactory(tenant=tenant_a).secret)


def _report(tally: Tally, label: str) -> None:
    print(f"schemathesis {label}: {tally.cases} cases")
    for line in tally.examples:
        print("  " + line)
    print(tally.summary)
    if report := os.environ.get("KEEL_FUZZ_REPORT"):
        with Path(report).open("a") as out:
            out.write(f"{label} cases={tally.cases} {tally.summary}\n")


def test_every_operation_survives_fuzzing_without_leaks(schema, caller):
    tally = Tally()
    fuzz_operations(schema, caller, tally, max_examples=examples(8), canary=CANARY)
    _report(tally, f"operations/{'session' if 'X-CSRFToken' in caller.headers else 'api_key'}")
    assert tally.cases > 0
    assert (tally.server_errors, tally.schema_violations, tally.leaks) == (0, 0, 0), tally.examples


def test_linked_operations_survive_stateful_fuzzing(schema, caller):
    tally = Tally()
    fuzz_stateful(schema, caller, tally, max_examples=examples(5), canary=CANARY)
    _report(tally, f"stateful/{'session' if 'X-CSRFToken' in caller.headers else 'api_key'}")
    assert tally.cases > 0
    assert (tally.server_errors, tally.schema_violations, tally.leaks) == (0, 0, 0), tally.examples
