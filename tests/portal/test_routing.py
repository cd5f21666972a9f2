"""Hosts decide the tenant; caches and media are tenant-prefixed."""

import pytest
from django.core.cache import cache
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import connection
from django_tenants.utils import schema_context

from tests.support.clients import client_for

pytestmark = pytest.mark.django_db


def test_an_unknown_host_is_404_not_the_public_site(admin_user):
    from django.test import Client

    assert Client(HTTP_HOST="nobody.localhost").get("/login/").status_code == 404
    assert Client(HTTP_HOST="evil.example").get("/login/").status_code == 404  # not even an allowed host


def test_the_public_host_serves_the_console_and_not_tenant_pages(admin_user):
    client = client_for(admin_user)
    assert client.get("/console/").status_code == 200
    assert client.get("/team/").status_code == 404


def test_a_tenant_host_does_not_serve_the_console(tenant_a, admin_user):
    client = client_for(admin_user, tenant_a)
    assert client.get("/console/").status_code == 404
    assert client.get("/admin/").status_code == 404


def test_cache_entries_do_not_cross_tenants(tenant_a, tenant_b):
    with schema_context(tenant_a.schema_name):
        cache.set("greeting", "alpha's")
    with schema_context(tenant_b.schema_name):
        assert cache.get("greeting") is None
        cache.set("greeting", "beta's")
    with schema_context(tenant_a.schema_name):
        assert cache.get("greeting") == "alpha's"


def test_media_paths_are_prefixed_with_the_schema(tenant_a, tenant_b):
    with schema_context(tenant_a.schema_name):
        connection.set_tenant(tenant_a)
        name = default_storage.save("evidence/report.txt", ContentFile(b"alpha"))
        path = default_storage.path(name)
        url = default_storage.url(name)
        default_storage.delete(name)
    assert "/t_alpha/evidence/" in path
    assert "/t_alpha/" in url
