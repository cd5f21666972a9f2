"""Checklist pages on the tenant host: isolation trio, htmx updates, no-JS fallbacks, query count."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext

from onboarding.models import Checklist, Comment, Evidence, Task
from tests.support.clients import client_for
from tests.support.factories import ChecklistFactory

pytestmark = pytest.mark.django_db


def _status(tenant, task):
    with tenant:
        return Task.objects.get(pk=task.pk).status


# --- the page ------------------------------------------------------------------------------
def test_a_member_sees_progress_next_step_and_locks(tenant_a, member_a, plan):
    response = client_for(member_a, tenant_a).get("/onboarding/")
    assert response.status_code == 200
    html = response.text
    assert "0%</strong> done — 0 of 4 tasks" in html
    assert "Your next step" in html and "First Step" in html
    assert "Waiting on Alpha Corp: First Step" in html  # the customer's own step blocks it


def test_page_trio(tenant_a, member_a, member_b, csm_b, plan):
    assert client_for(member_a, tenant_a).get("/onboarding/").status_code == 200
    assert client_for(member_b, tenant_a).get("/onboarding/").status_code == 404
    assert client_for(csm_b, tenant_a).get("/onboarding/").status_code == 404
    assert client_for(None, tenant_a).get("/onboarding/").status_code == 302


def test_the_page_issues_the_same_queries_for_10_and_200_tasks(tenant_a, member_a):
    client = client_for(member_a, tenant_a)

    def count(n):
        with tenant_a:
            Checklist.objects.all().delete()
            checklist = ChecklistFactory(n_tasks=n)
            tasks = list(checklist.tasks.all())
            for a, b in zip(tasks, tasks[1:], strict=False):
                b.depends_on.add(a)
            Comment.objects.bulk_create([Comment(task=t, body="hi") for t in tasks])
        with CaptureQueriesContext(connection) as queries:
            assert client.get("/onboarding/").status_code == 200
        return len(queries)

    assert count(10) == count(200)


# --- complete / reopen ---------------------------------------------------------------------
def test_completing_without_javascript_redirects_back(tenant_a, member_a, plan):
    response = client_for(member_a, tenant_a).post(f"/onboarding/tasks/{plan['first'].pk}/complete/")
    assert response.status_code == 302 and response["Location"] == "/onboarding/"
    assert _status(tenant_a, plan["first"]) == "done"


def test_completing_with_htmx_returns_the_row_and_fresh_progress(tenant_a, member_a, plan):
    response = client_for(member_a, tenant_a).post(
        f"/onboarding/tasks/{plan['first'].pk}/complete/", HTTP_HX_REQUEST="true"
    )
    assert response.status_code == 200
    html = response.text
    assert f'id="task-{plan["first"].pk}"' in html and "Reopen" in html
    assert 'id="progress"' in html and 'hx-swap-oob="true"' in html
    assert "25%</strong> done — 1 of 4 tasks" in html
    assert "<html" not in html  # a fragment, not a page


def test_a_late_locked_task_waits_rather_than_shows_red(tenant_a, member_a, csm_a, plan):
    from datetime import timedelta

    from django.utils import timezone

    with tenant_a:
        Task.objects.filter(pk=plan["second"].pk).update(due_date=timezone.localdate() - timedelta(days=3))
        Task.objects.filter(pk=plan["second"].pk).first().depends_on.set([plan["vendor"]])
    html = client_for(member_a, tenant_a).get("/onboarding/").text
    row = html.split(f'id="task-{plan["second"].pk}"')[1].split("</li>")[0]
    assert "Overdue" not in row and "is-overdue" not in row
    assert f"Waiting on {csm_a.get_full_name()}: Vendor Step" in row


def test_my_tasks_and_the_timeline(tenant_a, member_a, csm_a, plan):
    from django.utils import timezone

    with tenant_a:
        Task.objects.filter(pk=plan["vendor"].pk).update(is_milestone=True, due_date=timezone.localdate())
    client = client_for(member_a, tenant_a)
    mine = client.get("/onboarding/?view=mine").text
    assert "First Step" in mine and "Proof Step" in mine and "Vendor Step" not in mine
    assert "Vendor Step" in client_for(csm_a, tenant_a).get("/onboarding/?view=mine").text
    timeline = client.get("/onboarding/?view=timeline").text
    assert 'aria-current="page">' in timeline and "Only phase" in timeline
    assert "milestone Vendor Step" in timeline and "gantt-today" in timeline
    assert "First Step" not in timeline.split('id="timeline-title"')[1]  # phases, not tasks
    assert client.get("/onboarding/?view=nonsense").status_code == 200  # an unknown view is the list


def test_a_locked_task_says_what_it_waits_for(tenant_a, member_a, plan):
    client = client_for(member_a, tenant_a)
    response = client.post(f"/onboarding/tasks/{plan['second'].pk}/complete/", HTTP_HX_REQUEST="true")
    assert response.status_code == 422 and "locked until these are done: “First Step”" in response.text
    response = client.post(f"/onboarding/tasks/{plan['second'].pk}/complete/", follow=True)
    assert "locked until these are done" in response.text
    assert _status(tenant_a, plan["second"]) == "todo"


def test_complete_trio(tenant_a, member_a, member_b, plan):
    url = f"/onboarding/tasks/{plan['first'].pk}/complete/"
    assert client_for(member_b, tenant_a).post(url).status_code == 404
    assert _status(tenant_a, plan["first"]) == "todo"
    assert client_for(member_a, tenant_a).post(url).status_code == 302
    assert _status(tenant_a, plan["first"]) == "done"


@pytest.mark.parametrize(
    ("next_url", "lands_on"),
    [
        ("/onboarding/tasks/{pk}/", "/onboarding/tasks/{pk}/"),  # back where the form was
        ("https://evil.example/phish", "/onboarding/"),  # another site: never
        ("//evil.example/phish", "/onboarding/"),  # scheme-relative: another site too
    ],
)
def test_after_a_plain_form_post_only_a_next_on_this_host_is_followed(tenant_a, member_a, plan, next_url, lands_on):
    pk = plan["first"].pk
    response = client_for(member_a, tenant_a).post(
        f"/onboarding/tasks/{pk}/complete/", {"next": next_url.format(pk=pk)}
    )
    assert response.status_code == 302
    assert response["Location"] == lands_on.format(pk=pk)


def test_a_customer_cannot_sign_off_a_vendor_task_but_the_csm_can(tenant_a, customer_admin_a, csm_a, plan):
    url = f"/onboarding/tasks/{plan['vendor'].pk}/complete/"
    assert client_for(customer_admin_a, tenant_a).post(url).status_code == 403
    assert _status(tenant_a, plan["vendor"]) == "todo"
    assert client_for(csm_a, tenant_a).post(url).status_code == 302
    assert _status(tenant_a, plan["vendor"]) == "done"


def test_an_unknown_task_is_404(tenant_a, member_a):
    # Ids are per schema: B's task ids mean nothing on A's host, which only reads A's schema.
    response = client_for(member_a, tenant_a).post("/onboarding/tasks/987654/complete/")
    assert response.status_code == 404


def test_reopen_is_only_offered_where_allowed(tenant_a, member_a, plan):
    client = client_for(member_a, tenant_a)
    client.post(f"/onboarding/tasks/{plan['first'].pk}/complete/")
    assert client.post(f"/onboarding/tasks/{plan['first'].pk}/reopen/").status_code == 302
    assert _status(tenant_a, plan["first"]) == "todo"


# --- task detail, comments, evidence -------------------------------------------------------
def test_internal_comments_never_reach_customers(tenant_a, member_a, csm_a, plan):
    csm = client_for(csm_a, tenant_a)
    url = f"/onboarding/tasks/{plan['first'].pk}/"
    csm.post(f"{url}comments/", {"body": "Customer seems stuck", "internal": "on"})
    csm.post(f"{url}comments/", {"body": "Let us know if you need help"})
    customer_page = client_for(member_a, tenant_a).get(url).text
    assert "Let us know if you need help" in customer_page
    assert "Customer seems stuck" not in customer_page and "Internal note" not in customer_page
    assert "Customer seems stuck" in csm.get(url).text


def test_a_customer_cannot_post_an_internal_comment(tenant_a, member_a, plan):
    response = client_for(member_a, tenant_a).post(
        f"/onboarding/tasks/{plan['first'].pk}/comments/", {"body": "psst", "internal": "on"}
    )
    assert response.status_code == 400 and "Only vendor staff" in response.text
    with tenant_a:
        assert not Comment.objects.filter(body="psst").exists()


def test_an_empty_comment_is_refused(tenant_a, member_a, plan):
    response = client_for(member_a, tenant_a).post(f"/onboarding/tasks/{plan['first'].pk}/comments/", {"body": " "})
    assert response.status_code == 400 and "This field is required" in response.text


def test_evidence_upload_and_download(tenant_a, member_a, member_b, plan):
    client = client_for(member_a, tenant_a)
    upload = SimpleUploadedFile("scan.pdf", b"%PDF-1.7 the report", content_type="application/pdf")
    response = client.post(f"/onboarding/tasks/{plan['proof'].pk}/evidence/", {"file": upload})
    assert response.status_code == 302
    with tenant_a:
        evidence = Evidence.objects.get(task=plan["proof"])
    assert "t_alpha/" in evidence.file.path
    download = client.get(f"/onboarding/evidence/{evidence.pk}/")
    assert download.status_code == 200 and b"".join(download.streaming_content) == b"%PDF-1.7 the report"
    assert client_for(member_b, tenant_a).get(f"/onboarding/evidence/{evidence.pk}/").status_code == 404
    assert (
        client_for(member_b, tenant_a)
        .post(f"/onboarding/tasks/{plan['proof'].pk}/evidence/", {"text": "sneaky"})
        .status_code
        == 404
    )


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("evil.exe", b"MZ\x90\x00", "are not accepted"),
        ("fake.pdf", b"<html>not a pdf</html>", "does not look like a .pdf"),
        ("empty.txt", b"", "is empty"),
        ("blob.txt", b"\x00\xff\xfe" * 2000, "not a text file"),
    ],
)
def test_bad_evidence_files_are_refused_with_the_reason(tenant_a, member_a, plan, name, content, message):
    response = client_for(member_a, tenant_a).post(
        f"/onboarding/tasks/{plan['proof'].pk}/evidence/", {"file": SimpleUploadedFile(name, content)}
    )
    assert response.status_code == 400 and message in response.text
    with tenant_a:
        assert not Evidence.objects.filter(task=plan["proof"]).exists()


def test_oversized_evidence_is_refused(tenant_a, member_a, plan, settings):
    settings.KEEL_EVIDENCE_MAX_BYTES = 1024
    response = client_for(member_a, tenant_a).post(
        f"/onboarding/tasks/{plan['proof'].pk}/evidence/", {"file": SimpleUploadedFile("big.txt", b"a" * 2048)}
    )
    assert response.status_code == 400 and "the limit is" in response.text


# --- CSM editing ---------------------------------------------------------------------------
def test_edit_trio(tenant_a, member_a, csm_a, csm_b, plan):
    url = f"/onboarding/tasks/{plan['first'].pk}/edit/"
    assert client_for(member_a, tenant_a).get(url).status_code == 403
    assert client_for(csm_b, tenant_a).get(url).status_code == 404
    response = client_for(csm_a, tenant_a).post(
        url, {"title": "Renamed", "owner_side": "customer", "due_date": "2027-01-31", "assignee": member_a.pk}
    )
    assert response.status_code == 302
    with tenant_a:
        task = Task.objects.get(pk=plan["first"].pk)
        assert (task.title, str(task.due_date), task.assignee_id) == ("Renamed", "2027-01-31", member_a.pk)
        assert task.activities.filter(verb="task.updated", actor=csm_a).exists()


def test_only_people_of_this_tenant_can_be_assigned(tenant_a, csm_a, member_b, plan):
    url = f"/onboarding/tasks/{plan['first'].pk}/edit/"
    response = client_for(csm_a, tenant_a).post(url, {"title": "x", "owner_side": "customer", "assignee": member_b.pk})
    assert response.status_code == 400 and "Select a valid choice" in response.text


def test_a_csm_adds_a_task(tenant_a, member_a, csm_a, plan):
    with tenant_a:
        phase = plan["checklist"].phases.first()
    url = f"/onboarding/phases/{phase.pk}/tasks/new/"
    assert client_for(member_a, tenant_a).post(url, {"title": "x", "owner_side": "customer"}).status_code == 403
    response = client_for(csm_a, tenant_a).post(url, {"title": "Extra SSO check", "owner_side": "vendor"})
    assert response.status_code == 302
    with tenant_a:
        task = Task.objects.get(title="Extra SSO check")
        assert task.key == "extra-sso-check" and task.owner_side == "vendor"


def test_a_csm_starts_onboarding_when_none_exists(tenant_a, csm_a, member_a):
    with tenant_a:
        Checklist.objects.all().delete()
    assert "Your customer-success manager will start it" in client_for(member_a, tenant_a).get("/onboarding/").text
    assert client_for(member_a, tenant_a).post("/onboarding/start/").status_code == 403
    assert client_for(csm_a, tenant_a).post("/onboarding/start/").status_code == 302
    with tenant_a:
        assert Checklist.objects.count() == 1
