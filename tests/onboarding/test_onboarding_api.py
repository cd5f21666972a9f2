import pytest

from onboarding.models import Comment, Task
from tests.support.clients import client_for

pytestmark = pytest.mark.django_db


def _json(client, method, url, data=None):
    response = getattr(client, method)(url, data or {}, content_type="application/json")
    return response.status_code, response.json()


def test_checklists_list_and_detail(tenant_a, member_a, plan):
    client = client_for(member_a, tenant_a)
    status, body = _json(client, "get", "/api/v1/checklists")
    assert status == 200
    assert body[0]["name"] == "Known plan" and body[0]["total"] == 4 and body[0]["completed"] == 0
    status, body = _json(client, "get", f"/api/v1/checklists/{plan['checklist'].pk}")
    second = next(t for t in body["tasks"] if t["key"] == "second-step")
    assert second["locked"] is True and second["waiting_on"] == [plan["first"].pk]


@pytest.mark.parametrize("path", ["/api/v1/checklists", "/api/v1/tasks/{first}", "/api/v1/tasks/{first}/comments"])
def test_read_trio(tenant_a, member_a, member_b, plan, path):
    url = path.format(first=plan["first"].pk)
    assert client_for(member_a, tenant_a).get(url).status_code == 200
    assert client_for(member_b, tenant_a).get(url).status_code == 404
    assert client_for(None, tenant_a).get(url).status_code == 403


def test_complete_and_reopen(tenant_a, member_a, plan):
    client = client_for(member_a, tenant_a)
    status, body = _json(client, "post", f"/api/v1/tasks/{plan['first'].pk}/complete")
    assert status == 200 and body["status"] == "done"
    status, body = _json(client, "post", f"/api/v1/tasks/{plan['first'].pk}/reopen")
    assert status == 200 and body["status"] == "todo"


def test_completing_a_locked_task_is_a_400_that_says_why(tenant_a, member_a, plan):
    status, body = _json(client_for(member_a, tenant_a), "post", f"/api/v1/tasks/{plan['second'].pk}/complete")
    assert status == 400 and "locked until these are done" in body["detail"]  # problem details: one string


def test_complete_trio(tenant_a, member_a, member_b, customer_admin_a, csm_a, plan):
    url = f"/api/v1/tasks/{plan['vendor'].pk}/complete"
    assert client_for(member_b, tenant_a).post(url).status_code == 404
    assert client_for(customer_admin_a, tenant_a).post(url).status_code == 403
    with tenant_a:
        assert Task.objects.get(pk=plan["vendor"].pk).status == "todo"
    assert client_for(csm_a, tenant_a).post(url).status_code == 200


def test_patch_is_for_csms(tenant_a, customer_admin_a, csm_a, member_a, plan):
    url = f"/api/v1/tasks/{plan['first'].pk}"
    assert (
        client_for(customer_admin_a, tenant_a).patch(url, {"title": "x"}, content_type="application/json").status_code
        == 403
    )
    status, body = _json(
        client_for(csm_a, tenant_a), "patch", url, {"due_date": "2027-02-01", "assignee": member_a.email}
    )
    assert status == 200 and body["due_date"] == "2027-02-01" and body["assignee"] == member_a.email


def test_patch_reports_bad_fields(tenant_a, csm_a, member_b, plan):
    client = client_for(csm_a, tenant_a)
    url = f"/api/v1/tasks/{plan['first'].pk}"
    status, body = _json(client, "patch", url, {"due_date": "someday", "owner_side": "martian"})
    assert status == 400 and set(body["errors"]) == {"due_date", "owner_side"}
    status, body = _json(client, "patch", url, {"assignee": member_b.email})
    assert status == 400 and "has no access to this account" in str(body)


def test_comments_hide_internal_notes_from_customers(tenant_a, member_a, csm_a, plan):
    url = f"/api/v1/tasks/{plan['first'].pk}/comments"
    status, _ = _json(client_for(csm_a, tenant_a), "post", url, {"body": "internal", "internal": True})
    assert status == 201
    status, _ = _json(client_for(member_a, tenant_a), "post", url, {"body": "public"})
    assert status == 201
    _, body = _json(client_for(member_a, tenant_a), "get", url)
    assert [c["body"] for c in body] == ["public"]
    _, body = _json(client_for(csm_a, tenant_a), "get", url)
    assert [c["body"] for c in body] == ["internal", "public"]
    status, body = _json(client_for(member_a, tenant_a), "post", url, {"body": "sneaky", "internal": True})
    assert status == 400
    with tenant_a:
        assert not Comment.objects.filter(body="sneaky").exists()


def test_the_docs_page_uses_no_cdn(tenant_a):
    response = client_for(None, tenant_a).get("/api/docs/")
    assert response.status_code == 200
    assert "cdn" not in response.text.lower() and "/static/drf_spectacular_sidecar/" in response.text
