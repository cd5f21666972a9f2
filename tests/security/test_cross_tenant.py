"""Tenant B's people against tenant A: every route, every method, A's own object ids, both hosts.

The routes come from the URL resolver (tests/support/routes.py) and the OpenAPI
schema must not document an operation the resolver does not route, so a new route cannot
escape. Tenant A holds a canary string in every place its people can write text; it must
never reach a response on B's host, and nothing B does may change a row of A's.
"""

import json
import re

import pytest
from django.apps import apps
from django.conf import settings
from django.db import connection
from django_tenants.utils import quote_schema_name, schema_context

from onboarding.models import Checklist, Comment, Task
from tests.support.clients import client_for
from tests.support.routes import SAMPLE, TENANT_ROUTES

pytestmark = pytest.mark.django_db

CANARY = "canary-of-tenant-alpha-51c2"
METHODS = ("get", "post", "put", "patch", "delete")


@pytest.fixture
def a_with_canary(tenant_a):
    """Write the canary into A's checklist, a task and a comment; return A's object ids."""
    with schema_context(tenant_a.schema_name):
        task = Task.objects.order_by("pk").first()
        Checklist.objects.update(name=CANARY)
        Task.objects.filter(pk=task.pk).update(title=CANARY, instructions=CANARY)
        comment = Comment.objects.create(task=task, body=CANARY)
        return {"task": task.pk, "comment": comment.pk, "checklist": task.checklist_id}


def _with_ids(path: str, ids: dict) -> list[str]:
    """The route with A's real ids in place of the matrix's sample values (one path per id)."""
    sample = "/" + SAMPLE["int"] + "/"
    if sample not in path:
        return [path]
    return sorted({path.replace(sample, f"/{value}/") for value in ids.values()})


def _tenant_tables() -> list[str]:
    configs = [c for c in apps.get_app_configs() if c.name in settings.TENANT_APPS]
    return sorted({m._meta.db_table for c in configs for m in c.get_models(include_auto_created=True)})


def _fingerprint(schema: str) -> dict[str, str]:
    """Every row of every tenant table in ``schema``, hashed per table."""
    digests = {}
    with connection.cursor() as cursor:
        for table in _tenant_tables():
            name = f"{quote_schema_name(schema)}.{connection.ops.quote_name(table)}"
            cursor.execute(f"SELECT md5(coalesce(string_agg(t::text, '|' ORDER BY t::text), '')) FROM {name} t")  # noqa: S608
            digests[table] = cursor.fetchone()[0]
    return digests


def test_b_can_change_nothing_of_a_by_any_route_or_method(tenant_a, member_b, csm_b, a_with_canary):
    before = _fingerprint(tenant_a.schema_name)
    assert any(before.values())
    # The tenant gate answers before any view runs, whatever the method: B's member tries all
    # five methods, B's CSM GET and POST.
    for user, methods in ((member_b, METHODS), (csm_b, ("get", "post"))):
        client = client_for(user, tenant_a)
        for route in TENANT_ROUTES:
            for path in _with_ids(route, a_with_canary):
                for method in methods:
                    response = getattr(client, method)(path, data={"body": "x", "title": "x", "name": "x"})
                    assert response.status_code == 404, f"{user.email} {method.upper()} {path}"
                    assert CANARY not in response.text
    assert _fingerprint(tenant_a.schema_name) == before


def test_a_s_ids_on_b_s_own_host_show_only_b_s_rows(tenant_a, tenant_b, member_b, a_with_canary):
    # Same ids exist in both schemas (each has its own sequences): B must see its own rows.
    client = client_for(member_b, tenant_b)
    seen = 0
    for route in TENANT_ROUTES:
        for path in _with_ids(route, a_with_canary):
            response = client.get(path)
            assert response.status_code < 500, f"GET {path}: {response.status_code}"
            assert CANARY not in response.text, f"A's data in B's GET {path}"
            seen += response.status_code == 200
    assert seen > 10  # the walk reached real pages, not only refusals


def test_a_spoofed_forwarded_host_changes_nothing(tenant_a, tenant_b, member_a, member_b):
    assert not getattr(settings, "USE_X_FORWARDED_HOST", False)
    # B's session on A's host, claiming to be B's host: still A's host, still 404.
    spoofed = client_for(member_b, tenant_a).get("/onboarding/", HTTP_X_FORWARDED_HOST=tenant_b.primary_domain_name)
    assert spoofed.status_code == 404
    # A's member on A's host with B's name in the header: A's page, not B's.
    own = client_for(member_a, tenant_a).get("/", HTTP_X_FORWARDED_HOST=tenant_b.primary_domain_name)
    assert own.status_code == 200
    assert tenant_a.name in own.text
    assert tenant_b.name not in own.text


def _openapi_paths(member_a, tenant_a) -> set[str]:
    response = client_for(member_a, tenant_a).get("/api/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json")
    assert response.status_code == 200
    return set(json.loads(response.content)["paths"])


def _shape(path: str) -> str:
    return re.sub(r"/(?:\{[^}]+\}|\d+|x|alpha)(?=/|$)", "/{}", path).rstrip("/")


def test_every_documented_api_operation_is_in_the_matrix(tenant_a, member_a):
    documented = {_shape(p) for p in _openapi_paths(member_a, tenant_a)}
    routed = {_shape(p) for p in TENANT_ROUTES}
    assert documented
    assert documented <= routed, documented - routed
