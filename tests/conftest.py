"""Session-wide tenants and the people and clients tests need.

Two customer tenants (alpha, beta) are provisioned once per test database and kept
across runs by --reuse-db. Their schemas are cloned from the template schema, which the
test database's own migrate run creates (portal/tenancy/receivers.py). Each test runs in
a transaction that is rolled back, so rows made here never leak between tests.
"""

import pytest
from django.core.cache import caches
from django.db import connection
from django.test import Client
from django_tenants.utils import schema_context

from portal.accounts.models import MembershipRole
from portal.tenancy.models import Tenant
from portal.tenancy.services import public_tenant_ensure, tenant_provision

from .factories import AdminFactory, CsmFactory, MembershipFactory, UserFactory

TENANT_SLUGS = ("alpha", "beta")


def pytest_collection_modifyitems(items):
    """Mark every test but the end-to-end ones ``django_db``: ``_public_schema`` below gives each
    the database, and pytest-django sets up the test database only when a collected test is
    marked. Without this, a run of unmarked tests alone (``pytest tests/portal/test_settings.py``)
    left the connection on the development database for the session fixture to write into."""
    for item in items:
        if not item.get_closest_marker("e2e") and not item.get_closest_marker("django_db"):
            item.add_marker(pytest.mark.django_db)


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup, django_db_blocker):
    with django_db_blocker.unblock():
        name = connection.settings_dict["NAME"]
        if not name.startswith("test_"):  # Django's test database name: never seed one tests do not own
            raise RuntimeError(f"The connection is on {name!r}, not on a test database: refusing to seed it.")
        public_tenant_ensure()
        for slug in TENANT_SLUGS:
            if not Tenant.objects.filter(slug=slug).exists():
                tenant_provision(actor=None, name=slug.title() + " Corp", slug=slug)


@pytest.fixture(autouse=True)
def _public_schema(request):
    """Start and end every test in the public schema, whatever the test switched to.

    End-to-end tests talk to a server process with its own database and never touch
    this one (Playwright's event loop also forbids Django's sync ORM in their thread).
    """
    if request.node.get_closest_marker("e2e"):
        yield
        return
    request.getfixturevalue("db")
    connection.set_schema_to_public()
    for cache in caches.all():  # counters (throttles, rate limits) and cached values never leak between tests
        cache.clear()
    yield
    connection.set_schema_to_public()


@pytest.fixture
def tenant_a(db) -> Tenant:
    return Tenant.objects.get(slug="alpha")


@pytest.fixture
def tenant_b(db) -> Tenant:
    return Tenant.objects.get(slug="beta")


def host_of(tenant: Tenant | None) -> str:
    return tenant.primary_domain_name if tenant is not None else "localhost"


def client_for(user=None, tenant: Tenant | None = None) -> Client:
    """Return a client on ``tenant``'s host (public when None), logged in there as ``user``."""
    client = Client(HTTP_HOST=host_of(tenant))
    if user is not None:
        # Log in "on" that host: the session is bound to the schema active at login.
        with schema_context(tenant.schema_name if tenant else "public"):
            client.force_login(user)
    return client


@pytest.fixture
def member_a(tenant_a):
    return MembershipFactory(tenant=tenant_a, role=MembershipRole.CUSTOMER_MEMBER).user


@pytest.fixture
def customer_admin_a(tenant_a):
    return MembershipFactory(tenant=tenant_a, role=MembershipRole.CUSTOMER_ADMIN).user


@pytest.fixture
def member_b(tenant_b):
    return MembershipFactory(tenant=tenant_b, role=MembershipRole.CUSTOMER_MEMBER).user


@pytest.fixture
def customer_admin_b(tenant_b):
    return MembershipFactory(tenant=tenant_b, role=MembershipRole.CUSTOMER_ADMIN).user


@pytest.fixture
def csm_a(tenant_a):
    csm = CsmFactory()
    Tenant.objects.filter(pk=tenant_a.pk).update(csm=csm)
    tenant_a.refresh_from_db()
    return csm


@pytest.fixture
def csm_b(tenant_b):
    csm = CsmFactory()
    Tenant.objects.filter(pk=tenant_b.pk).update(csm=csm)
    tenant_b.refresh_from_db()
    return csm


@pytest.fixture
def admin_user(db):
    return AdminFactory()


@pytest.fixture
def outsider(db):
    """An active user with no membership anywhere."""
    return UserFactory()
