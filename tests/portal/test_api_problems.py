"""Every error under /api/ is RFC 9457 problem details, and the schema says so."""

import json

import pytest
from django.test import override_settings

from tests.support.clients import client_for, key_client
from tests.support.factories import ApiKeyFactory

pytestmark = pytest.mark.django_db
PROBLEM = "application/problem+json"


@pytest.fixture
def key_a(tenant_a) -> str:
    return ApiKeyFactory(tenant=tenant_a).secret


def assert_problem(response, status: int) -> dict:
    assert response.status_code == status
    assert response["Content-Type"] == PROBLEM
    body = response.json()
    assert body["type"] == "about:blank" and body["status"] == status
    assert isinstance(body["title"], str) and body["title"]
    assert isinstance(body["detail"], str) and body["detail"]
    return body


def test_an_unknown_api_path_is_a_json_404(tenant_a, key_a):
    body = assert_problem(key_client(tenant_a, key_a).get("/api/v1/nope"), 404)
    assert "/api/v1/nope" in body["detail"]


@pytest.mark.parametrize("host", ["nope.localhost", "evil.example"])
def test_an_unknown_host_answers_api_paths_with_a_json_404(tenant_a, host):
    from django.test import Client

    assert_problem(Client(HTTP_HOST=host).get("/api/v1/me"), 404)


def test_a_signed_in_outsider_gets_a_json_404(tenant_a, member_b):
    assert_problem(client_for(member_b, tenant_a).get("/api/v1/me"), 404)


def test_a_wrong_method_is_a_json_405_with_allow(tenant_a, key_a):
    response = key_client(tenant_a, key_a).get("/api/v1/events")
    assert_problem(response, 405)
    assert "POST" in response["Allow"]


def test_a_wrong_media_type_is_a_json_415(tenant_a, key_a):
    assert_problem(key_client(tenant_a, key_a).post("/api/v1/events", "x", content_type="text/plain"), 415)


def test_a_nul_in_the_query_string_is_a_json_400(tenant_a, member_a):
    body = assert_problem(client_for(member_a, tenant_a).get("/api/v1/kb/search?q=a%00b"), 400)
    assert "NUL" in body["detail"]


@override_settings(DATA_UPLOAD_MAX_MEMORY_SIZE=100)
def test_an_oversize_body_outside_the_ingest_api_is_a_json_413(tenant_a, customer_admin_a):
    body = json.dumps({"email": "x" * 200 + "@alpha.example", "role": "customer_member"})
    response = client_for(customer_admin_a, tenant_a).post("/api/v1/invitations", body, content_type="application/json")
    assert_problem(response, 413)


def test_field_errors_are_listed_per_field(tenant_a, customer_admin_a):
    response = client_for(customer_admin_a, tenant_a).post(
        "/api/v1/invitations", {"email": "nope", "role": "boss"}, content_type="application/json"
    )
    body = assert_problem(response, 400)
    assert set(body["errors"]) == {"email", "role"}
    assert "email: Enter a valid email address." in body["detail"]


def test_anonymous_callers_get_a_json_401(tenant_a):
    assert_problem(client_for(None, tenant_a).post("/api/v1/events", "[]", content_type="application/json"), 401)


def test_every_operation_documents_its_errors_as_problem_details(tenant_a):
    schema = client_for(None, tenant_a).get("/api/schema/?format=json").json()
    assert schema["components"]["schemas"]["Problem"]["required"] == ["type", "title", "status", "detail"]
    operations = [op for item in schema["paths"].values() for op in item.values() if isinstance(op, dict)]
    assert operations
    for operation in operations:
        for code in ("401", "403", "404", "405", "429", "500"):
            content = operation["responses"][code]["content"]
            assert content == {PROBLEM: {"schema": {"$ref": "#/components/schemas/Problem"}}}, operation["operationId"]


WRITES = [
    ("post", "/api/v1/invitations"),
    ("post", "/api/v1/events"),
    ("patch", "/api/v1/tasks/{task}"),
    ("post", "/api/v1/tasks/{task}/comments"),
]


@pytest.mark.parametrize(("method", "path"), WRITES)
@pytest.mark.parametrize("body", ["[" * 100_000 + "]" * 100_000, '{"a":' * 50_000 + "1" + "}" * 50_000])
def test_json_nested_too_deeply_is_a_400_on_every_json_endpoint(tenant_a, csm_a, key_a, method, path, body):
    with tenant_a:
        from onboarding.models import Task

        task = Task.objects.first()
    client = client_for(csm_a, tenant_a)
    response = getattr(client, method)(path.format(task=task.pk), body, content_type="application/json")
    assert "too deeply" in assert_problem(response, 400)["detail"]


def test_an_unexpected_error_is_a_problem_500_that_reveals_nothing(tenant_a, member_a, monkeypatch):
    from portal.api.api import MeApi

    def broken(self, request):
        raise RuntimeError("secret internals")

    monkeypatch.setattr(MeApi, "get", broken)
    client = client_for(member_a, tenant_a)
    client.raise_request_exception = False
    body = assert_problem(client.get("/api/v1/me"), 500)
    assert "secret internals" not in json.dumps(body)
