"""Property tests: arbitrary JSON and arbitrary strings never make a 500.

Every API operation (read from the OpenAPI schema) gets arbitrary JSON bodies and query
strings, with an API key and with a session; every error it answers must be the documented
problem-details shape. Every route of both URL confs (walked from the resolver; the crawler
finds the real ids and each form's field names) gets POSTs of arbitrary strings: NUL, lone
surrogates (sent as the invalid UTF-8 a browser could send), 1 MB values, RTL overrides,
emoji. A route added tomorrow is in the list by existing.

Bounded: derandomised, a handful of examples per target, so `make test` stays quick.
"""

import json
import re
from urllib.parse import quote, urlencode

import jsonschema
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import Resolver404, resolve
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.support.clients import client_for, key_client
from tests.support.factories import (
    ApiKeyFactory,
    CtaFactory,
    RetentionAccountFactory,
    RetentionEventFactory,
    UserSessionFactory,
)

from .crawl import crawl, routes

pytestmark = [pytest.mark.django_db, pytest.mark.slow]

NASTY = st.sampled_from(
    [
        "\x00",
        "a\x00b",
        "\ud800",
        "x\udfffy",
        "\u202egnp.exe",
        "🙂" * 3,
        "ﷺ",
        " ",
        "%00",
        "../../etc/passwd",
        "<script>alert(1)</script>",
        "' OR 1=1 --",
        "=HYPERLINK(1)",
        "9" * 5000,
        "-1",
        "2026-02-30",
        "0001-01-01T00:00:00+14:00",
        "2026-11-30T10:00:00-18:51",
        "x" * 10_001,
        "y" * 1_000_000,
    ]
)
TEXT = st.one_of(st.text(max_size=40), NASTY)
SCALARS = st.one_of(
    st.none(), st.booleans(), st.integers(min_value=-(2**70), max_value=2**70), st.floats(allow_nan=False), TEXT
)
JSON = st.recursive(
    SCALARS, lambda inner: st.lists(inner, max_size=4) | st.dictionaries(TEXT, inner, max_size=4), max_leaves=12
)
# Bodies as sent: arbitrary JSON (ensure_ascii, so lone surrogates travel as \\ud800 escapes),
# or JSON nested deeper than Python's parser recurses.
BODIES = st.one_of(
    JSON.map(json.dumps),
    st.just("[" * 100_000 + "]" * 100_000),
    st.just('{"a":' * 50_000 + "1" + "}" * 50_000),
)
RUN = settings(max_examples=8, deadline=None, database=None, derandomize=True, suppress_health_check=list(HealthCheck))
SAMPLE = {"int": "1", "slug": "alpha", "str": "x", "path": "x", "uuid": "00000000-0000-0000-0000-000000000001"}


def _sample_path(route: str) -> str:
    return "/" + re.sub(r"<(?:(\w+):)?\w+>", lambda m: SAMPLE[m.group(1) or "str"], route)


def _encode(pairs) -> bytes:
    # A lone surrogate cannot be UTF-8; a browser would send its bytes anyway (surrogatepass).
    return urlencode(pairs, encoding="utf-8", errors="surrogatepass").encode("ascii")


# --- HTML forms -------------------------------------------------------------------------
# Routes the crawler may leave at sample ids: one-time links from e-mails, and files the
# crawler does not GET. Any other route it cannot reach with real ids fails the coverage test,
# so a new page or form is seeded here (or reached by a link) before it escapes the fuzzing.
UNREACHABLE = {
    "invite/<str:token>/",  # an e-mailed token
    "reset/<uidb64>/<token>/",  # an e-mailed token
    "login/email/<str:token>/",  # an e-mailed token
    "handoff/<str:token>/",  # a signed single-use pass the console posts to the customer host
}


@pytest.fixture
def world(tenant_a, tenant_b, csm_a, customer_admin_a, admin_user):
    """One of everything the pages link to, so the crawler reaches each route with real ids."""
    from datetime import date, timedelta

    from django.core.files.uploadedfile import SimpleUploadedFile
    from django.utils import timezone

    from metrics.qbr.services import outcome_create, outcome_record_value, report_create
    from metrics.services.records import feature_create
    from onboarding import services as onboarding
    from onboarding.models import Task
    from onboarding.stalls.models import StallEpisode
    from portal.accounts.services import invitation_create
    from portal.kb import services as kb
    from portal.kb.models import DocumentStatus, Visibility
    from portal.notifications.models import Notification
    from portal.tenancy.exports import tenant_export
    from portal.tenancy.models import Tenant

    category = kb.category_create(actor=admin_user, name="Deployment")
    kb.article_create(
        actor=admin_user,
        title="Install the agent",
        body_markdown="Text.",
        category=category,
        status=DocumentStatus.PUBLISHED,
        visibility=Visibility.ALL,
    )
    invitation_create(tenant=tenant_a, email="new@alpha.example", role="customer_member", actor=csm_a)
    # Another signed-in (live) browser of each person, so "Your sessions" offers to end one.
    from django.contrib.sessions.backends.db import SessionStore

    for user, tenant in ((csm_a, tenant_a), (customer_admin_a, tenant_a), (admin_user, None)):
        store = SessionStore()
        store.create()
        UserSessionFactory(
            session_key=store.session_key,
            user=user,
            schema_name=tenant.schema_name if tenant else "public",
            host=tenant.primary_domain_name if tenant else "localhost",
        )
    # An open call to action and a ledger with an entry, so the book, the account 360 and the KPI
    # board link to the CTA's page and the customer's retention ledger with its forms.
    CtaFactory(tenant=tenant_a, owner=csm_a, steps=[{"text": "Call the sponsor", "done": False}])
    RetentionEventFactory(
        account=RetentionAccountFactory(tenant=tenant_a), occurred_on=timezone.localdate() - timedelta(days=730)
    )
    # A CSM with an authenticator app, so the console's staff page offers to reset it.
    from django_otp.plugins.otp_totp.models import TOTPDevice

    TOTPDevice.objects.create(user=csm_a, name="phone", confirmed=True)
    with tenant_a:
        kb.page_create(
            tenant=tenant_a, actor=csm_a, title="Our runbook", body_markdown="Text.", status=DocumentStatus.PUBLISHED
        )
        task = Task.objects.filter(depends_on=None).first()
        proof = SimpleUploadedFile("proof.txt", b"Deployed.", content_type="text/plain")
        onboarding.evidence_add(task=task, actor=csm_a, upload=proof)
        onboarding.task_complete(task=task, actor=csm_a)
        outcome = outcome_create(actor=csm_a, title="Faster triage", direction="down", baseline=40, target=20)
        outcome_record_value(outcome=outcome, actor=csm_a, value=30)  # a value the customer can sign off
        report_create(actor=csm_a, day=date(2026, 11, 23))
        feature_create(tenant=tenant_a, key="alerts.triage", name="Triage", is_core=True, actor=csm_a)
    ApiKeyFactory(tenant=tenant_a)
    tenant_export(tenant=tenant_a, actor=admin_user)
    now = timezone.now()
    for checklist_id, snoozed in ((1, None), (2, now + timedelta(days=3))):
        StallEpisode.objects.create(
            tenant=tenant_a,
            checklist_id=checklist_id,
            checklist_name="Plan",
            stalled_since=now,
            last_progress_at=now,
            snoozed_until=snoozed,
            snoozed_at=snoozed and now,
        )
    for user in (csm_a, admin_user):
        for channel, status in (("in_app", "sent"), ("email", "dead")):
            Notification.objects.create(
                dedupe_key=f"fuzz:{user.pk}:{channel}",
                kind="test",
                channel=channel,
                status=status,
                recipient=user,
                address=user.email if channel == "email" else "",
                sent_at=now if status == "sent" else None,
                subject="Hi",
                body="Hello.",
            )
    Tenant.objects.filter(pk=tenant_b.pk).update(status="suspended")  # the console offers "resume"


def _unreached(targets, crawled_routes) -> set[str]:
    return {route for route, _, _ in targets if "<" in route and route not in crawled_routes} - UNREACHABLE


def form_targets(client, urlconf: str) -> list[tuple[str, str, list[str]]]:
    """Return (route, concrete path, field names) for every route of ``urlconf`` but the admin
    and the API: the path and fields from the forms the crawler found, else sample ids.
    ``form_targets.crawled`` holds the routes the crawler reached."""
    seeds = ["/" + r for r in routes(urlconf) if "<" not in r]
    forms, pages = crawl(client, seeds)
    found: dict[str, tuple[str, set]] = {}
    for path, fields in [(f.action.split("?")[0], set(f.fields)) for f in forms] + [(p, set()) for p in pages]:
        try:
            route = resolve(path, urlconf).route
        except Resolver404:
            continue
        current = found.setdefault(route, (path, set()))
        found[route] = (current[0], current[1] | fields)
    form_targets.crawled = set(found)
    targets = []
    for route in routes(urlconf):
        path, fields = found.get(route, (_sample_path(route), set()))
        # Downloads and exports are POSTed too (only GETs of them are skipped by the crawler).
        if not path.startswith(("/admin/", "/api/", "/static/", "/logout/")):
            targets.append((route, path, sorted(fields)))
    return targets


def _form_property(client, route: str, path: str, fields: list[str]):
    @RUN
    @given(values=st.fixed_dictionaries({name: TEXT for name in fields}), extra=st.dictionaries(TEXT, TEXT, max_size=2))
    def post(values, extra):
        body = _encode(list(values.items()) + list(extra.items()))
        response = client.post(path, body, content_type="application/x-www-form-urlencoded")
        assert response.status_code < 500, f"POST {path} ({route}) {sorted(values)}: {response.status_code}"

    return post


def _post_arbitrary(client, targets):
    assert targets
    for route, path, fields in targets:
        _form_property(client, route, path, fields)()


def test_the_crawl_reaches_every_route_with_real_ids(tenant_a, csm_a, customer_admin_a, admin_user, world):
    """So the forms below are posted where they live, not at sample ids that only 404."""
    for urlconf, clients in (
        ("portal.urls_tenant", [client_for(csm_a, tenant_a), client_for(customer_admin_a, tenant_a)]),
        ("portal.urls_public", [client_for(admin_user)]),
    ):
        crawled, targets = set(), []
        for client in clients:
            targets = form_targets(client, urlconf)
            crawled |= form_targets.crawled
        unreached = sorted(_unreached(targets, crawled))
        assert not unreached, f"seed these routes in `world` or link to them: {unreached}"


def test_every_form_on_a_tenant_host_survives_arbitrary_strings_as_a_csm(tenant_a, csm_a, world):
    client = client_for(csm_a, tenant_a)
    targets = form_targets(client, "portal.urls_tenant")
    assert any(fields for _, _, fields in targets), "the crawler found no form"
    _post_arbitrary(client, targets)


def test_every_form_on_a_tenant_host_survives_arbitrary_strings_as_a_customer(tenant_a, customer_admin_a, world):
    client = client_for(customer_admin_a, tenant_a)
    _post_arbitrary(client, [t for t in form_targets(client, "portal.urls_tenant") if t[2]])


def test_every_console_form_survives_arbitrary_strings_as_an_admin(admin_user, tenant_a, world):
    client = client_for(admin_user)
    targets = form_targets(client, "portal.urls_public")
    assert any(route.startswith("console/tenants/<slug:slug>/import/") for route, _, _ in targets)
    _post_arbitrary(client, targets)


def test_the_anonymous_forms_survive_arbitrary_strings(tenant_a):
    for client, urlconf in (
        (client_for(None), "portal.urls_public"),
        (client_for(None, tenant_a), "portal.urls_tenant"),
    ):
        targets = [t for t in form_targets(client, urlconf) if t[2]]
        assert any(path == "/login/" for _, path, _ in targets)
        _post_arbitrary(client, targets)


# --- API operations -----------------------------------------------------------------------


@pytest.fixture
def api_schema(tenant_a):
    return client_for(None, tenant_a).get("/api/schema/?format=json").json()


def _operations(schema):
    for path, item in schema["paths"].items():
        for method, operation in item.items():
            if isinstance(operation, dict) and "responses" in operation:
                yield path, method, operation


def _check_api_answer(response, schema, label):
    assert response.status_code < 500, f"{label}: {response.status_code} {response.content[:300]!r}"
    if response.status_code >= 400:
        assert response["Content-Type"] == "application/problem+json", label
        problem = {**schema["components"]["schemas"]["Problem"], "components": schema["components"]}
        jsonschema.validate(response.json(), problem)


def _api_property(client, schema, path: str, method: str):
    label = f"{method.upper()} {path}"

    @RUN
    @given(body=BODIES, params=st.dictionaries(TEXT, TEXT, max_size=3), ident=TEXT | st.integers())
    def call(body, params, ident):
        # A lone surrogate travels as the (invalid UTF-8) bytes a client could percent-encode.
        segment = quote(str(ident)[:200], safe="", encoding="utf-8", errors="surrogatepass") or "x"
        concrete = re.sub(r"\{\w+\}", lambda m: segment, path)
        query = _encode(list(params.items())).decode()
        url = f"{concrete}?{query}" if query else concrete
        if method in ("get", "head", "options"):
            response = getattr(client, method)(url)
        else:
            response = getattr(client, method)(url, body, content_type="application/json")
        _check_api_answer(response, schema, label)

    return call


def _fuzz_api(client, schema):
    operations = list(_operations(schema))
    assert operations
    for path, method, _operation in operations:
        _api_property(client, schema, path, method)()


def test_every_api_operation_survives_arbitrary_json_with_a_session(tenant_a, csm_a, api_schema):
    _fuzz_api(client_for(csm_a, tenant_a), api_schema)


def test_every_api_operation_survives_arbitrary_json_with_an_api_key(tenant_a, api_schema):
    _fuzz_api(key_client(tenant_a, ApiKeyFactory(tenant=tenant_a).secret), api_schema)


# --- file uploads -------------------------------------------------------------------------
CELLS = st.one_of(
    TEXT.filter(lambda t: len(t) < 2000), st.sampled_from(["2026-11-20T09:30:00Z", "3", "-1", "alerts.triage"])
)
CSV_FILES = st.one_of(
    st.binary(max_size=3000),
    st.builds(
        lambda header, rows: (",".join(header) + "\n" + "\n".join(",".join(r) for r in rows)).encode(
            "utf-8", errors="surrogatepass"
        ),
        st.lists(
            st.sampled_from(
                [
                    "feature",
                    "user",
                    "timestamp",
                    "quantity",
                    "idempotency_key",
                    "day",
                    "seats",
                    "external_id",
                    "severity",
                    "status",
                    "opened_at",
                    "x",
                    "",
                    "\ufefffeature",
                ]
            ),
            max_size=6,
        ),
        st.lists(st.lists(CELLS, max_size=7), max_size=6),
    ),
)


def _sent(text: str) -> str:
    """Return ``text`` as a browser's multipart body carries it: a lone surrogate becomes U+FFFD."""
    return text.encode("utf-8", errors="surrogatepass").decode("utf-8", errors="replace")


def _file_name(name: str) -> str:
    return _sent(name)[:200].replace("\x00", "").replace("/", "_") or "f"


@RUN
@given(kind=st.sampled_from(["events", "tickets", "seats", "nope", "\x00"]), data=CSV_FILES, name=TEXT)
def _csv_import_property(client, kind, data, name):
    upload = SimpleUploadedFile(_file_name(name), data, "text/csv")
    response = client.post("/console/tenants/alpha/import/", {"kind": kind, "file": upload})
    assert response.status_code < 500, response.status_code


def test_the_csv_import_survives_arbitrary_files(tenant_a, csm_a):
    client = client_for(csm_a)
    _csv_import_property(client)


def test_evidence_uploads_survive_arbitrary_files(tenant_a, member_a):
    client = client_for(member_a, tenant_a)
    with tenant_a:
        from onboarding.models import Task

        task = Task.objects.filter(depends_on=None).first()

    @RUN
    @given(data=st.binary(max_size=3000), name=TEXT, text=TEXT)
    def upload(data, name, text):
        file = SimpleUploadedFile(_file_name(name), data)
        response = client.post(f"/onboarding/tasks/{task.pk}/evidence/", {"file": file, "text": _sent(text)})
        assert response.status_code < 500, response.status_code

    upload()
